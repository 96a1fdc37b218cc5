// Package store keeps pairup's data in one DynamoDB table (single-table design) and implements
// pairup.Store over it with aws-sdk-go-v2. Every key condition, condition, update and
// projection is built with the SDK's expression builder; items are encoded with attributevalue
// using the domain types' json tags, so the domain carries no DynamoDB tags. Nothing scans.
//
// # Table
//
// One table, named by configuration; CreateTable makes it for local development and tests, and
// the CDK stack makes the same in AWS:
//
//	PK      S   partition key
//	SK      S   sort key
//	GSI1    global secondary index on GSI1PK (S) / GSI1SK (S), projection ALL; sparse: only
//	        items that set GSI1PK are in it
//	ExpiresAt   TTL attribute, a Number of epoch seconds
//
// Domain attributes are stored under their json names (id, state, status, confirmSends …);
// every item also has itemType naming what it is. Times are stored as strings in one fixed
// width, UTC with all nine fractional digits ("2026-03-01T09:00:00.000000000Z"), so they sort
// and compare correctly as strings in conditions (RFC3339Nano trims trailing zeros and does not);
// the zero time is stored like any other and reads back as the zero time. Times read back are
// in UTC. Programme and round ids are plain (a–z, 0–9, '-'), so '#' separates key parts safely.
//
// # Items
//
//	item              PK                             SK                    GSI1PK               GSI1SK             ExpiresAt
//	programme         PROG#<programme>               PROG                  PROGS                <programme>        –
//	round             PROG#<programme>               ROUND#<round>         –                    –                  –
//	registration      ROUND#<programme>#<round>      REG#<registration>    PARTICIPANT#<pid>¹   REG#<prog>#<round>¹ while pending
//	email claim       ROUND#<programme>#<round>      EMAIL#<email>         –                    –                  while pending
//	person            PERSON#<email>                 PERSON                –                    –                  –
//	suppression       SUPPRESS#<email>               SUPPRESS              –                    –                  –
//	outbox message    OUTBOX#<key>                   OUTBOX                OUTBOX²              <due>#<key>²       400 days
//
//	¹ set when the registration is confirmed
//	² set while the message is unsent (pending or sending): the sparse index the sweep reads;
//	  <due> is the fixed-width time from which a sweep may claim it (a new message: created +
//	  SweepGrace; a released one: its retry time; a leased one: the lease's end)
//
// <email> is the normalised address (pairup.NormaliseEmail). The email claim holds
// registrationId, the registration that owns the address in the round. The person holds
// participantId (a random id, the person across rounds), email, firstSeen and the programme and
// round whose confirmation created it. A suppression holds email, reason and at. An outbox
// message holds the email itself (key, to, subject, text, html, listUnsubscribe, tags),
// createdAt, status (pending, sending, sent, failed, skipped; see mail.Status), attempts, while
// sending leaseId and leaseUntil, once sent providerId and sentAt, error (failed: the SES error
// code; skipped: the suppression reason), and feedback and feedbackAt if SES reported a bounce
// or complaint. The table's stream (new images) carries new outbox messages to the mailer.
//
// # Expiry
//
// A pending registration and its email claim carry ExpiresAt (the expires passed to Register);
// confirming removes it from both. DynamoDB's TTL deletes expired items only eventually (often
// days later), so the store itself treats an item whose ExpiresAt has passed (Store.Now) as
// gone: reads return ENOTFOUND or leave it out, and Register may take over an expired claim.
// "Now" is always the clock the Store was built with (New), never the real time behind it.
//
// # Access patterns
//
//	PutProgramme              PutItem programme (create or replace)
//	GetProgramme              GetItem PK=PROG#p SK=PROG
//	ListProgrammes            Query GSI1 GSI1PK=PROGS (ordered by GSI1SK = id; eventually consistent)
//	CreateRound               TransactWriteItems: ConditionCheck programme attribute_exists(PK)
//	                          (else ENOTFOUND) + Put round attribute_not_exists(PK) (else ECONFLICT)
//	GetRound                  GetItem PK=PROG#p SK=ROUND#r
//	ListRounds                Query PK=PROG#p AND begins_with(SK, ROUND#); sorted in Go by
//	                          signupOpens, then id
//	TransitionRound           pairup.CanTransition, then UpdateItem SET state, updatedAt
//	                          IF attribute_exists(PK) AND state = from; the old item returned on
//	                          failure tells ENOTFOUND from ECONFLICT
//	Register                  TransactWriteItems: Put registration + Put email claim, each
//	                          IF attribute_not_exists(PK) OR ExpiresAt <= now, + Put outbox
//	                          message (the confirmation) IF attribute_not_exists(PK). Claim taken →
//	                          the claim's registration (from the cancellation's old item, else a
//	                          consistent GetItem of the claim) is read and returned, created false.
//	                          Cancelled by TransactionConflict → retried with backoff
//	                          (single-item writes also retry TransactionConflictException)
//	GetRegistration           GetItem PK=ROUND#p#r SK=REG#id
//	ListRegistrations         Query PK=ROUND#p#r AND begins_with(SK, REG#), FilterExpression
//	                          status = s when s is given, every page; sorted in Go by createdAt, id
//	QueueConfirmation         TransactWriteItems: Update registration SET confirmSends = prev+1,
//	                          lastSentAt IF status = pending AND not expired AND confirmSends =
//	                          prev AND (attribute_not_exists(lastSentAt) OR lastSentAt <= notAfter)
//	                          + Put outbox message IF attribute_not_exists(PK); the registration
//	                          read on failure tells ENOTFOUND from ELIMIT
//	ConfirmRegistration       GetItem registration, GetItem PERSON#email (both consistent), then
//	                          TransactWriteItems: Update registration SET status, confirmedAt,
//	                          participantId, returning, GSI1PK, GSI1SK REMOVE ExpiresAt IF status =
//	                          pending AND not expired; Update email claim REMOVE ExpiresAt IF
//	                          registrationId = id; for a new person, Put person IF
//	                          attribute_not_exists(PK). Any conflict → start again from the reads
//	ParticipantRegistrations  Query GSI1 GSI1PK=PARTICIPANT#pid: a participant's confirmed
//	                          registrations across rounds and programmes (eventually consistent)
//	person by email           GetItem PK=PERSON#email SK=PERSON (inside ConfirmRegistration)
//	Suppress                  PutItem suppression (a later reason replaces an earlier one)
//	Suppression               GetItem PK=SUPPRESS#email SK=SUPPRESS
//	Unsuppress                DeleteItem IF attribute_not_exists(PK) OR reason = r (else ECONFLICT)
//	Enqueue                   PutItem outbox message IF attribute_not_exists(PK), one per message,
//	                          8 at a time; an existing key counts as queued (idempotent re-runs)
//	GetMessage                GetItem PK=OUTBOX#key SK=OUTBOX
//	ClaimMessage              UpdateItem SET status = sending, leaseId, leaseUntil, GSI1SK ADD
//	                          attempts 1 IF status = pending OR (status = sending AND leaseUntil
//	                          <= now); returns the new item; failed → not claimable
//	MarkSent                  UpdateItem SET status = sent, providerId, sentAt REMOVE GSI1PK,
//	                          GSI1SK, leaseId, leaseUntil IF attribute_exists(PK) AND status <>
//	                          sent (the first success stays)
//	MarkFailed, MarkSkipped   UpdateItem SET status, error REMOVE GSI1PK, GSI1SK, leaseId,
//	                          leaseUntil IF status = sending AND leaseId = lease (else ECONFLICT)
//	ReleaseMessage            UpdateItem SET status = pending, GSI1SK = due#key ADD attempts -1
//	                          REMOVE leaseId, leaseUntil IF status = sending AND leaseId = lease
//	                          (else ECONFLICT)
//	MarkMessageFeedback       UpdateItem SET feedback, feedbackAt IF attribute_exists(PK)
//	DueMessages               Query GSI1 GSI1PK = OUTBOX AND GSI1SK < "<now>$" (eventually
//	                          consistent; the claim decides), projection key
//
// Single-item reads are strongly consistent (read your own writes); index queries are not.
// Every error is wrapped with the operation and its ids ("store: get round iln/2026-1: …");
// the domain's *pairup.Error codes survive the wrapping (pairup.ErrorCode).
package store
