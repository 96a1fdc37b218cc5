// Package matchrun is the coordinators' matching run: the match-run Lambda function's service.
// Coordinators invoke it with small JSON events (Event) — open a round, close signup early, pin
// or forbid pairs, preview a matching (dry run, the default) or commit it — and the same function
// runs on a schedule to match rounds whose signup has closed. Every result reads as plain
// language in the Lambda console: a summary, counts first, then details; the whole proposal also
// goes to the programme's coordinators by email (an HTML table and a CSV attachment).
//
// # Commit, safely
//
// A commit moves the round open → matching (signup closed; MatchingSince frozen), takes the
// round's commit lease (one run at a time; a dead run's lease is taken over once it expires; a
// retried invocation — same request id — resumes its own), matches the confirmed registrations
// confirmed before MatchingSince against the round's pins and forbids and everyone's previous
// partners, writes every pair and every person's outcome (deterministic items: a re-run writes
// the same ones), queues exactly one email per participant (an introduction, or the reason they
// were not matched) under deterministic outbox keys, and moves the round matching → active with
// the frozen counts. The matcher is deterministic for the same input, and the input is frozen by
// MatchingSince and by pins and forbids being refused once a commit has begun, so a crash at any
// point followed by a re-run converges on the same pairs and the same emails, each sent once; a
// run after success changes nothing and sends nothing.
//
// A dry run computes everything the same way, writes nothing but the coordinators' proposal
// email, and sends participants nothing.
//
// # The next round
//
// Opening a round (nextround.go) invites the people the country cap deferred in the
// programme's earlier rounds first, in signup order, one email each under a deterministic key
// (repeating the event queues none twice); their link (package signup's Rejoins) puts them in
// the new round with their old answers, signup time and participant id. Someone who withdrew
// from a round is in no later matching: the matching reads confirmed registrations, and pins or
// forbids naming them are dropped; a re-pair may name the pair a withdrawal ended, once.
package matchrun
