// Package survey is what participants do during a round through signed links in its emails:
// answer the check-in ("have you heard from your partner?", once, by one click) and fill in the
// mid-round survey, the end-of-round survey and, in mentor mode, the mandatory mentee report;
// and, when the round closes, choose for each pair to continue on their own or conclude (once,
// by one click, while the round is closing). It signs and reads those links (CheckInLink,
// SurveyLink, ContinueLink), validates answers against the programme's questions
// (pairup.ParseAnswers), keeps one response per participant per survey (a resubmission before
// the survey closes replaces the first; after, a clear refusal) and, on a check-in "no",
// alerts the coordinators with the console event that re-pairs the person.
// Its HTTP face is package surveyweb; round-tick (package roundtick) and round-close (package
// roundclose) send the emails that carry the links.
package survey
