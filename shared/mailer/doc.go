// Package mailer sends the emails every function queues in the outbox, through SES v2, exactly
// once per logical message as far as SES allows, at a capped rate, and never to a suppressed
// address. It is the body of the mailer Lambda function.
//
// # How a message travels
//
// A function writes an email as an outbox item (package store) in the same transaction as the
// state change that causes it, or, for runs larger than a transaction, in idempotent batches
// after it; the item's key is deterministic (purpose, round, recipient, sequence), so a retry
// or re-run writes nothing new. The item is then delivered to the mailer twice over:
//
//   - by the table's DynamoDB Stream: in AWS an event source mapping whose filter
//     (StreamFilter) passes only INSERTs of pending outbox items, with ReportBatchItemFailures;
//     locally, the stream poller in package localenv delivers the same batches in-process;
//   - by a sweep on a schedule (event {"action":"sweep"}), which reads the sparse index of
//     unsent messages (no Scan) for pending messages the stream did not finish within
//     store.SweepGrace, messages released after throttling, and expired leases.
//
// For each message the mailer claims a lease (pending → sending, a conditional write; whoever
// loses sends nothing), skips a suppressed address without calling SES (→ skipped), waits for
// its rate limiter, sends, and marks the message sent. SES throttling (429,
// TooManyRequestsException) releases the message to be retried after a backoff; MessageRejected
// and other permanent errors mark it failed with the error code, never retried;
// AccountSendingPausedException stops the invocation, leaves the rest pending and logs the
// event "mail.paused", which raises an alarm. A send whose outcome is unknown (a timeout, a
// dropped connection) leaves the lease to expire, and the sweep tries again.
//
// # The one window for a duplicate
//
// If SES accepts an email and the mailer then fails to mark it sent (it dies, or DynamoDB fails
// it past every retry), the lease expires and the message is sent again. Nothing can close
// this window without a transaction spanning SES and DynamoDB, which does not exist; the
// choice is which side of it to err on. The mailer errs on at-least-once: a person who gets a
// confirmation or an introduction twice is mildly surprised, while one who never gets it is
// lost to the programme, and the coordinator never learns why. The window is the few
// milliseconds between SES's answer and the mark; a lost lease never lets a second sender mark
// a failure over a success (MarkSent keeps the first success).
//
// # Rate
//
// SES limits an account's sending rate (14 per second by default for a new production
// account). The mailer function's concurrency is capped (reserved concurrency) and each
// invocation sends at most rate/concurrency emails per second through a token bucket
// (golang.org/x/time/rate), so all invocations together stay under the configured rate.
package mailer
