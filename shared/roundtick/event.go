package roundtick

import "time"

// Event is the round-tick function's input: from the schedule, {} (every active round); from
// the console, optionally one programme or round. Examples are in events/round-tick-*.json.
type Event struct {
	Programme string `json:"programme,omitempty"`
	Round     string `json:"round,omitempty"`
	// Now moves "now" for a rehearsal; honoured only where the deployment allows it (local and
	// test stacks), refused elsewhere.
	Now *time.Time `json:"now,omitempty"`
	// RehearseDay (with programme and round; local and test stacks only) runs a tick at every
	// hour of the round's day N — N days after its introductions — in every time zone (48
	// hourly ticks), so a coordinator can see in make dev what that day sends.
	RehearseDay int `json:"rehearseDay,omitempty"`
	// RehearseSurvey ("mid" or "report") does the same for the day a survey opens, or with
	// RehearseReminder n ≥ 1, the day of its n-th reminder.
	RehearseSurvey   string `json:"rehearseSurvey,omitempty"`
	RehearseReminder int    `json:"rehearseReminder,omitempty"`
}

// Result is what a tick did: a summary, then per round the emails newly queued.
type Result struct {
	Summary string    `json:"summary"`
	Now     time.Time `json:"now"`
	// Ticks is how many ticks ran (a rehearsal runs 48).
	Ticks  int           `json:"ticks,omitempty"`
	Queued int           `json:"queued"`
	Rounds []RoundResult `json:"rounds"`
}

// RoundResult counts the emails one tick newly queued for one round.
type RoundResult struct {
	Programme       string `json:"programme"`
	Round           string `json:"round"`
	Prompts         int    `json:"prompts"`
	CheckIns        int    `json:"checkIns"`
	SurveyInvites   int    `json:"surveyInvites"`
	SurveyReminders int    `json:"surveyReminders"`
	ReportMissing   int    `json:"reportMissing"` // coordinators' "who is missing" emails
}

func (r RoundResult) total() int {
	return r.Prompts + r.CheckIns + r.SurveyInvites + r.SurveyReminders + r.ReportMissing
}
