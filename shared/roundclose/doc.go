// Package roundclose is the round-close function: it ends a round in two steps, each a
// conditional write on the round's state, so a repeated or concurrent trigger applies it once.
//
//   - close (active → closing): every member of each running pair gets one email (outbox key
//     close/<programme>/<round>/<registration>, template "close"): thanks, for each of their
//     pairs two signed links — continue on our own, or conclude — each to a page with one
//     button (package survey records the choice once), and the end-of-round survey's link
//     with its closing date. The close email is the survey's invitation; round-tick sends its
//     reminders to those who have not answered. A close of a round already closing queues the
//     same keys again, so a crash between the move and the emails heals and nothing goes twice.
//   - finalise (closing → closed): the round's statistics (pairup.RoundStats) are computed
//     from what it left in the store — the committed matching's counts, pairs and re-pairs,
//     withdrawals, check-in answers, continue answers, survey invitations and responses — and
//     frozen on the round in the same write that closes it. A second finalise changes nothing
//     (but queues the final report if the first stopped before it).
//   - report: the round's report (package report: the statistics table, the survey and country
//     charts, the CSV exports of registrations, pairs and survey responses), emailed to each of
//     the programme's coordinators (template "report": each chart an inline PNG, the CSVs
//     attached) under the outbox key report/<programme>/<round>/<run>/<i>, and its figures in
//     the result. On demand the run is the Lambda request id, so a request sends once and its
//     retry nothing more; finalise sends the final report, run "final", once per round.
//   - scheduled: every active round whose end has passed is closed, and every closing round
//     whose end-of-round survey has closed is finalised.
//
// The coordinators may close, finalise or report on a round from the console at any time (samples
// in events/round-close-*.json). An event may carry "now", honoured only where the deployment
// allows it (local and test stacks).
package roundclose
