// Package roundtick is the round-tick function: run on a schedule (hourly), it sends what a
// round in progress sends on its own, each email once, on each recipient's local morning (their
// time zone, daylight saving included) and in their language:
//
//   - each pair's next discussion topic every Schedule.PromptEveryDays after the introduction
//     (the introduction carried the first), while the programme has topics and the round runs;
//   - the check-in Schedule.CheckInAfterDays after the introduction: "have you heard from your
//     partner?", answered by one of two links (package survey);
//   - the mid-round survey's invitation when it opens, and at most two reminders a week apart
//     to those who have not answered;
//   - in mentor mode, the mentee report's invitation when it opens and a reminder every week
//     until it is sent or closes, each reminder day also telling the coordinators who is
//     missing;
//   - once the round is closing (package roundclose), the reminders of the end-of-round survey
//     to those who have not answered, at most two a week apart (the close email was the
//     invitation), and the mentee report's until it is due.
//
// Each email has a deterministic outbox key (prompt/…, checkin/…, survey/…, report-missing/…),
// queued by a conditional put, so ticks that overlap, repeat or retry send nothing twice. An
// email is due from MorningHour local time on its day, for MorningWindow: an hourly schedule
// queues it at the first tick of that window, and a missed tick is made up by the next. The
// tick's event may carry "now", honoured only where the deployment allows it (local and test
// stacks), so a coordinator can rehearse a round in make dev and a test can drive a whole round.
package roundtick
