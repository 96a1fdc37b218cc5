// Package sesevents records what SES learns after it accepts an email: bounces and complaints.
//
// SES publishes the configuration set's bounce and complaint events to an SNS topic, and the
// topic invokes a Lambda function with an events.SNSEvent whose records each carry one SES
// notification as JSON. Handler reads them and keeps the sender's reputation safe:
//
//   - a permanent bounce suppresses every bounced recipient (pairup.SuppressBounce), so no
//     more email goes to an address that does not exist;
//   - a complaint suppresses every complained recipient (pairup.SuppressComplaint);
//   - a transient or undetermined bounce (a full mailbox, a greylisting server) suppresses
//     nothing: SES retries those itself, and the next email may well arrive.
//
// Each email carries its outbox key as the SES message tag "outbox" (mail.TagOutbox, encoded by
// mail.OutboxTagValue), so Handler also records on the outbox message that its recipient bounced
// or complained.
//
// Suppressing is idempotent, so a store error fails the invocation and Lambda retries the
// whole event; a message that cannot be parsed is logged and skipped, so one poison message
// cannot block the topic. Logs name the SES message id and the outbox key, never an address.
package sesevents
