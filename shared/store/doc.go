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
//	item              PK                             SK                      GSI1PK               GSI1SK                 ExpiresAt
//	programme         PROG#<programme>               PROG                    PROGS                <programme>            –
//	round             PROG#<programme>               ROUND#<round>           –                    –                      –
//	registration      ROUND#<programme>#<round>      REG#<registration>      PARTICIPANT#<pid>¹   REG#<prog>#<round>¹    while pending
//	email claim       ROUND#<programme>#<round>      EMAIL#<email>           –                    –                      while pending
//	pair              ROUND#<programme>#<round>      PAIR#<pair id>          –                    –                      –
//	outcome           ROUND#<programme>#<round>      OUTCOME#<registration>  DEFERRED#<prog>³     <signedUpAt>#<reg>³    –
//	check-in answer   ROUND#<programme>#<round>      CHECKIN#<pair>#<reg>    –                    –                      –
//	survey response   ROUND#<programme>#<round>      SURVEY#<kind>#<reg>     –                    –                      –
//	continue answer   ROUND#<programme>#<round>      CONTINUE#<pair>#<reg>   –                    –                      –
//	person            PERSON#<email>                 PERSON                  –                    –                      –
//	suppression       SUPPRESS#<email>               SUPPRESS                –                    –                      –
//	erased suppr.     SUPPRESS#h:<hash>⁵             SUPPRESS                –                    –                      –
//	outbox message    OUTBOX#<key>                   OUTBOX                  OUTBOX² | <to>⁶      <due>#<key>² | <at>#<key>⁶  400 days
//	form nonce        FORM#<nonce>                   FORM                    –                    –                      the form's expiry
//	source counter    LIMIT#source#<source id>⁴      HOUR#<yyyy-mm-ddThh>    –                    –                      the hour's end
//	confirm counter   LIMIT#confirm#<programme>      DAY#<yyyy-mm-dd>        –                    –                      the day's end
//
//	¹ set when the registration is confirmed
//	² set while the message is unsent (pending or sending): the sparse index the sweep reads;
//	  <due> is the fixed-width time from which a sweep may claim it (a new message: created +
//	  SweepGrace; a released one: its retry time; a leased one: the lease's end)
//	³ set only on an outcome of kind deferred: a programme's deferred people across its rounds,
//	  in signup order (<signedUpAt> fixed-width, then the registration id), for the next round
//	⁴ a keyed hash of the address a signup came from (links.Signer.Opaque), never the address;
//	  hours and days are UTC
//	⁵ the suppression of an erased address, kept under a keyed hash of it (SuppressionHashes:
//	  links.Signer.Pseudonyms with pairup.SuppressionLabel), never the address
//	⁶ once the message has left the unsent states (sent, failed, skipped): its recipient's
//	  partition, GSI1PK the address itself (copied from to; every address holds '@', which no
//	  other GSI1 partition does), <at> the fixed-width time it left them: how erasure finds the
//	  emails that went to an address. Removed, with to, when that address is erased
//
// <email> is the normalised address (pairup.NormaliseEmail). A registration holds the
// pairup.Registration (its answers, status, and once withdrawn withdrawnAt); a person deferred
// by the country cap who rejoins a later round gets a registration there with the old one's id,
// answers, createdAt and participantId (Rejoin), so one person has one person item. The email
// claim holds registrationId, the registration that owns the address in the round (a confirmed
// registration's claim stays when it withdraws; a pending one's is deleted). The person holds
// participantId (a random id, the person across rounds), email, firstSeen and the programme and
// round whose confirmation created it. A suppression holds email, reason and at. An outbox
// message holds the email itself (key, to, subject, text, html, listUnsubscribe, tags, and
// attachments: a list of {fileName, contentType, gzip} with the data gzip-compressed, binary,
// and inline and contentId for an image the HTML shows),
// createdAt, status (pending, sending, sent, failed, skipped; see mail.Status), attempts, while
// sending leaseId and leaseUntil, once sent providerId and sentAt, error (failed: the SES error
// code; skipped: the suppression reason), and feedback and feedbackAt if SES reported a bounce
// or complaint. A form nonce holds nothing else: it marks a served form as sent. A counter holds
// count, the signups (source) or confirmation emails (programme) of its hour or day.
//
// An unsubscribe link names the outbox key of the email that carried it, not the address: the
// address is that message's to (MessageRecipient). The message is kept 400 days, longer than the
// link works (365 days), so the link finds its address for as long as it works; links signed
// before this name the address itself and need no lookup.
//
// A round also holds the coordinators' pins and forbids (lists of {a, b}, registration ids),
// matchingSince (set by the move open → matching: later confirmations are not in the
// matching), while a commit runs its lease commitOwner and commitUntil, and once committed
// matching (pairup.MatchStats) and committedBy (store-only: the lease owner that committed, so
// FinishCommit knows its own retry), and once closed stats (pairup.RoundStats, frozen by
// FinishRound). A pair holds programmeId, roundId, id (pairup.PairID of its
// members' registration ids, so a re-run writes the same item), members (registrationId,
// participantId; in mentor mode the mentor first), score, pinned, reasons and createdAt. An
// outcome holds programmeId, roundId, registrationId, participantId, kind (paired, waitlisted,
// deferred, unmatched), pairIds, reason, position and signedUpAt. A pair ended by a re-pair
// also holds endedAt and endReason (re-paired; withdrawn when a member withdrew); a pair made
// by one, replaces (the pair it replaced; a trio's other two going on after a withdrawal, the
// trio). A check-in answer holds programmeId, roundId, pairId, registrationId, answer (yes,
// no) and at. A survey response holds programmeId, roundId, kind (mid, end, report),
// registrationId, participantId, role, answers (question id → list of values; free text as
// typed), firstAt, submittedAt and submissions. A continue answer holds programmeId, roundId,
// pairId, registrationId, choice (continue, conclude) and at. The table's stream (new images) carries new outbox messages to the mailer.
//
// A message keeps its subject, bodies and attachments only while it is unsent: once sent,
// failed or skipped they are removed (nothing reads them after sending). A message also holds
// about (mail.Message.About: registration ids, or "round:<programme>/<round>", of the people it
// speaks of whom its key does not name). Erasure (erasure.go) sets erasedAt on what it
// anonymises: a registration, a survey response, a message it cancelled or took the address
// from, and a round retention has finished (store-only on the round item).
//
// # Expiry
//
// A pending registration and its email claim carry ExpiresAt (the expires passed to Register);
// confirming removes it from both. DynamoDB's TTL deletes expired items only eventually (often
// days later), so the store itself treats an item whose ExpiresAt has passed (Store.Now) as
// gone: reads return ENOTFOUND or leave it out, and Register may take over an expired claim.
// "Now" is always the clock the Store was built with (New), never the real time behind it.
//
// # Personal data and erasure
//
// Items that hold a person's name, address, profile or free text, and what erasing a person
// (package erasure) does to each, in the order it visits them:
//
//	registration      name, email, languages, timeZone, interests, preference, eligibility,
//	                  locale: removed, erasedAt set (AnonymiseRegistration); ids, status, role,
//	                  country, sector, careerStage, capacity, priority and times stay (statistics,
//	                  matching history). In a round not closed it is first withdrawn
//	                  (WithdrawForErasure: no more email, no matching)
//	outbox message    unsent, speaking of the person (to their address, their registration id
//	                  among the key's '/' and '+' parts, or in about): cancelled, subject, bodies
//	                  and attachments removed, and to if it is their address (CancelMessages).
//	                  Sent ones hold no body (retire); those to their address lose to and the
//	                  index keys (EraseSentMessages). Bodies of emails to others that named the
//	                  person (partners' introductions and prompts, coordinators' alerts,
//	                  proposals and reports with their CSVs) went when those were sent
//	survey response   free-text answers (and any not among the question's fixed values):
//	                  removed, erasedAt set (EraseSurveyAnswers); scales and choices stay
//	outcome           a deferred one leaves the next round's invitation list (LeaveDeferred);
//	                  its reason names countries and counts, never a person
//	email claim       the address is in its key: deleted (DeleteEmailClaim;
//	                  DeleteRoundEmailClaims for a whole round)
//	suppression       moved under a keyed hash of the address, SUPPRESS#h:<hash> (HashSuppression),
//	                  so the address stays suppressed (Suppressed checks both forms)
//	person            the address and participant id: deleted last (DeletePerson), so that an
//	                  interrupted erasure finds the person's registrations again through it
//
// Items that name no one and stay: pairs (registration and participant ids; reasons hold
// countries, sectors, stages, interests, languages, time-zone gaps and, for a trio, registration
// ids), check-in and continue answers (ids and the answer), rounds (their frozen matching and
// closing statistics are never touched), form nonces and counters (keyed hashes). Finding a
// person: their claim in each round (GetItem per round, consistent), their person's participant
// id (GSI1 PARTICIPANT#, eventually consistent), and, in recent rounds, the round's
// registrations filtered by address (RegistrationsByEmail: a withdrawn pending signup has lost
// its claim). Retention erases a closed round's registrations by the same steps, each
// registration's address last, keeping what the person has in later rounds.
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
//	TransitionRound           pairup.CanTransition, then UpdateItem SET state, updatedAt (open →
//	                          matching: and matchingSince) IF attribute_exists(PK) AND state =
//	                          from; the old item returned on failure tells ENOTFOUND from ECONFLICT
//	SetRoundPairing           UpdateItem SET pins, forbids (REMOVE if empty) IF attribute_exists(PK)
//	                          AND state IN (open, matching) AND attribute_not_exists(commitOwner);
//	                          the old item returned on failure tells ENOTFOUND from ECONFLICT
//	BeginCommit               UpdateItem SET commitOwner, commitUntil = now + lease IF state =
//	                          matching AND (attribute_not_exists(commitOwner) OR commitOwner =
//	                          owner OR commitUntil <= now); returns the new round; the old item
//	                          returned on failure tells ENOTFOUND, or ECONFLICT with the lease's
//	                          holder and end or the round's state
//	WritePlan                 BatchWriteItem Put pair and outcome items, unconditional (the items
//	                          are deterministic, so a re-run writes the same ones), 25 a request,
//	                          4 requests in flight; UnprocessedItems sent again with backoff, up
//	                          to 12 requests a batch, then an error
//	FinishCommit              UpdateItem SET state = active, updatedAt = now, matching, committedBy
//	                          REMOVE commitOwner, commitUntil IF state = matching AND commitOwner =
//	                          owner; the old item returned on failure: active with committedBy =
//	                          owner → the round (a retry; nothing written), else ENOTFOUND or
//	                          ECONFLICT
//	ListPairs                 Query PK=ROUND#p#r AND begins_with(SK, PAIR#), every page; sorted in
//	                          Go by id
//	ListOutcomes              Query PK=ROUND#p#r AND begins_with(SK, OUTCOME#), every page; sorted
//	                          in Go by registrationId
//	ListDeferred              Query GSI1 GSI1PK=DEFERRED#p: deferred outcomes of all the
//	                          programme's rounds in signup order (GSI1SK; eventually consistent)
//	PreviousPartners          for each given round, Query PK=ROUND#p#r AND begins_with(SK, PAIR#),
//	                          projection members, every page, 4 rounds at a time; participant →
//	                          partners (both ways; a trio's each with the other two) built in Go
//	Register                  TransactWriteItems: Put registration + Put email claim, each
//	                          IF attribute_not_exists(PK) OR ExpiresAt <= now, + Put outbox
//	                          message (the confirmation) IF attribute_not_exists(PK). Claim taken →
//	                          the claim's registration (from the cancellation's old item, else a
//	                          consistent GetItem of the claim) is read and returned, created false.
//	                          Cancelled by TransactionConflict → retried with backoff
//	                          (single-item writes also retry TransactionConflictException)
//	RegisterCapped            Register's transaction + Update confirm counter ADD count 1 SET
//	                          ExpiresAt, itemType IF attribute_not_exists(PK) OR count < cap
//	                          (failed alone → ELIMIT, nothing written)
//	Resubmit                  TransactWriteItems: Update registration SET the answers (REMOVE
//	                          those left out), confirmSends = prev+1, lastSentAt IF as
//	                          QueueConfirmation's + Put outbox message IF attribute_not_exists(PK)
//	                          + Update confirm counter as RegisterCapped's; the registration's
//	                          condition failed → UpdateItem SET the answers alone IF status =
//	                          pending AND not expired (the old item returned on failure tells
//	                          ENOTFOUND from ECONFLICT); the counter's → ELIMIT, nothing written
//	UseFormNonce              PutItem form nonce IF attribute_not_exists(PK) OR ExpiresAt <= now
//	                          (else ECONFLICT: the form was sent before)
//	CountSourceSignup         UpdateItem source counter ADD count 1 SET ExpiresAt, itemType IF
//	                          attribute_not_exists(PK) OR count < limit (else ELIMIT)
//	MessageRecipient          GetItem PK=OUTBOX#key SK=OUTBOX, projection to
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
//	RecordCheckIn             TransactWriteItems: Put check-in answer IF attribute_not_exists(PK)
//	                          (else ECONFLICT with the answer given first) + Put each message it
//	                          causes (the coordinators' alert) IF attribute_not_exists(PK); a
//	                          message queued before is dropped from a retry
//	GetCheckIn, ListCheckIns  GetItem; Query PK=ROUND#p#r AND begins_with(SK, CHECKIN#)
//	RecordContinue            PutItem continue answer IF attribute_not_exists(PK) (else ECONFLICT
//	                          with the answer given first, from the failure's old item); the
//	                          caller checks that the round is closing
//	GetContinue, ListContinues  GetItem; Query PK=ROUND#p#r AND begins_with(SK, CONTINUE#)
//	FinishRound               UpdateItem SET state = closed, stats, updatedAt IF attribute_exists(PK)
//	                          AND state = closing; the old item returned on failure tells ENOTFOUND,
//	                          ECONFLICT with the closed round (stats frozen before), or ECONFLICT
//	                          naming the round's other state
//	SaveSurveyResponse        UpdateItem SET answers, submittedAt, firstAt = if_not_exists(firstAt)
//	                          ADD submissions 1 (creates or replaces; the caller checks the
//	                          survey's window)
//	GetSurveyResponse         GetItem PK=ROUND#p#r SK=SURVEY#kind#reg
//	ListSurveyResponses       Query PK=ROUND#p#r AND begins_with(SK, SURVEY#[kind#])
//	GetPair                   GetItem PK=ROUND#p#r SK=PAIR#id
//	Repair                    TransactWriteItems (at most 100 items): Update each ended pair SET
//	                          endedAt, endReason IF it exists and has not ended (else ECONFLICT:
//	                          made before) + Put each new pair IF attribute_not_exists(PK) + Put
//	                          each changed outcome + Put each introduction IF attribute_not_exists
//	ParticipantRegistrations  Query GSI1 GSI1PK=PARTICIPANT#pid: a participant's confirmed
//	                          registrations across rounds and programmes, withdrawn ones
//	                          included (eventually consistent)
//	Withdraw                  TransactWriteItems (at most 100 items): ConditionCheck round IF
//	                          state = active (after matching), else IF state IN (open, matching)
//	                          AND attribute_not_exists(commitOwner) + Update registration SET
//	                          status = withdrawn, withdrawnAt IF status = as read (pending: and not
//	                          expired) + (pending) Delete email claim IF registrationId = id +
//	                          Update each ended pair SET endedAt, endReason = withdrawn IF it has
//	                          not ended + Put each pair made IF attribute_not_exists(PK) + Put
//	                          each changed outcome + Put each message IF attribute_not_exists(PK);
//	                          any condition failed → ECONFLICT (the caller reads again)
//	Rejoin                    TransactWriteItems: ConditionCheck round IF state = open (else
//	                          ECLOSED) + Put registration (confirmed, GSI1 participant keys) IF
//	                          attribute_not_exists(PK) (else ECONFLICT: taken before) + Put email
//	                          claim IF attribute_not_exists(PK) OR ExpiresAt <= now (else
//	                          ECONFLICT: the address signed up to the round)
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
//	MarkSent                  UpdateItem SET status = sent, providerId, sentAt, GSI1PK = to,
//	                          GSI1SK = at#key REMOVE subject, text, html, attachments, leaseId,
//	                          leaseUntil IF attribute_exists(PK) AND status <> sent AND
//	                          attribute_not_exists(erasedAt) (the first success stays; an erased
//	                          message stays erased)
//	MarkFailed, MarkSkipped   UpdateItem SET status, error, GSI1PK = to, GSI1SK = at#key REMOVE
//	                          subject, text, html, attachments, leaseId, leaseUntil IF status =
//	                          sending AND leaseId = lease (else ECONFLICT)
//	ReleaseMessage            UpdateItem SET status = pending, GSI1SK = due#key ADD attempts -1
//	                          REMOVE leaseId, leaseUntil IF status = sending AND leaseId = lease
//	                          (else ECONFLICT)
//	MarkMessageFeedback       UpdateItem SET feedback, feedbackAt IF attribute_exists(PK)
//	DueMessages               Query GSI1 GSI1PK = OUTBOX AND GSI1SK < "<now>$" (eventually
//	                          consistent; the claim decides), projection key
//	UnsentMessages            Query GSI1 GSI1PK = OUTBOX (the backlog), projection key
//	GetPerson                 GetItem PK=PERSON#email SK=PERSON
//	ClaimedRegistrations      for each round, GetItem EMAIL#email (projection registrationId),
//	                          then GetItem REG#id, 8 rounds at a time (consistent)
//	RegistrationsByEmail      Query PK=ROUND#p#r AND begins_with(SK, REG#) FILTER email = e
//	AllRegistrations          Query PK=ROUND#p#r AND begins_with(SK, REG#), expired ones included
//	GetRegistrationAny        GetItem PK=ROUND#p#r SK=REG#id, expired ones included
//	WithdrawForErasure        UpdateItem SET status = withdrawn, withdrawnAt IF status IN
//	                          (pending, confirmed)
//	AnonymiseRegistration     UpdateItem SET erasedAt REMOVE name, email, languages, timeZone,
//	                          interests, preference, eligibility, locale IF attribute_exists(email)
//	                          OR erasedAt is absent or zero
//	CancelMessages            Query GSI1 GSI1PK = OUTBOX (projection key, to, about), filtered in
//	                          Go; per match UpdateItem SET status = skipped, error = erased,
//	                          erasedAt, (GSI1PK = to, GSI1SK = at#key | REMOVE to, GSI1PK, GSI1SK)
//	                          REMOVE subject, text, html, attachments, leaseId, leaseUntil IF
//	                          status IN (pending, sending)
//	EraseSentMessages         Query GSI1 GSI1PK = email (projection key); per message UpdateItem
//	                          SET erasedAt REMOVE to, GSI1PK, GSI1SK IF GSI1PK = email
//	EraseSurveyAnswers        UpdateItem SET erasedAt REMOVE answers.<q>… IF attribute_exists(PK)
//	                          AND one of them exists
//	LeaveDeferred             UpdateItem outcome REMOVE GSI1PK, GSI1SK IF attribute_exists(GSI1PK)
//	DeleteEmailClaim          DeleteItem EMAIL#email IF attribute_exists(PK)
//	DeleteRoundEmailClaims    Query PK=ROUND#p#r AND begins_with(SK, EMAIL#) (keys), DeleteItem each
//	HashSuppression           GetItem SUPPRESS#email; PutItem SUPPRESS#h:hash (an unsubscribe IF
//	                          attribute_not_exists(PK) OR reason = unsubscribe: never over a bounce
//	                          or complaint); DeleteItem SUPPRESS#email IF reason = as read
//	Suppressed                BatchGetItem SUPPRESS#email and each SUPPRESS#h:hash (consistent,
//	                          projection reason; unprocessed keys asked again); the strongest reason
//	UnsuppressHashed          DeleteItem each SUPPRESS#h:hash IF attribute_not_exists(PK) OR reason = r
//	DeletePerson              DeleteItem PERSON#email IF attribute_exists(PK)
//	RoundErasedAt             GetItem round, projection erasedAt
//	MarkRoundErased           UpdateItem round SET erasedAt = if_not_exists(erasedAt, at) IF
//	                          attribute_exists(PK)
//
// Single-item reads and queries of a partition are strongly consistent (read your own writes);
// index queries are not. The matching's requests (SetRoundPairing, BeginCommit, FinishCommit,
// WritePlan, ListPairs, ListOutcomes, ListDeferred, PreviousPartners) ask for
// ReturnConsumedCapacity TOTAL.
// Every error is wrapped with the operation and its ids ("store: get round iln/2026-1: …");
// the domain's *pairup.Error codes survive the wrapping (pairup.ErrorCode).
package store
