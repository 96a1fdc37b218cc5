// Package mail is pairup's email content: templated messages (plain text and HTML, in English
// and Traditional Chinese), the Message every function queues in the outbox under a
// deterministic key, the outbox states a queued message moves through, and the one-method
// Sender interface. It imports nothing of AWS: package mailer sends through SES.
//
// Nothing here logs or wraps into errors an email address, a name or a message body: only
// message keys, ids and tags (kind, programme).
package mail
