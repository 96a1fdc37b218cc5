package roundclose

import (
	"time"

	"github.com/pairup/pairup/shared/pairup"
)

// Actions of the round-close function.
const (
	ActionClose     = "close"     // active → closing: the close emails (the default)
	ActionFinalise  = "finalise"  // closing → closed: the statistics frozen
	ActionScheduled = "scheduled" // the schedule: close ended rounds, finalise those whose survey closed
	ActionReport    = "report"    // the round's report, emailed to the coordinators now
)

// Event is the round-close function's input. Examples are in events/round-close-*.json.
type Event struct {
	Action    string `json:"action,omitempty"`
	Programme string `json:"programme,omitempty"`
	Round     string `json:"round,omitempty"`
	// Now moves "now" for a rehearsal; honoured only where the deployment allows it (local and
	// test stacks), refused elsewhere.
	Now *time.Time `json:"now,omitempty"`
}

// Result is what the function returns: a plain-language summary, then the counts.
type Result struct {
	Summary   string    `json:"summary"`
	Action    string    `json:"action"`
	Programme string    `json:"programme,omitempty"`
	Round     string    `json:"round,omitempty"`
	State     string    `json:"state,omitempty"`
	Now       time.Time `json:"now"`
	// Counts (close): the pairs asked and the emails queued.
	Counts *Counts `json:"counts,omitempty"`
	// Stats (finalise): the statistics frozen on the round (on a second finalise, the ones
	// frozen the first time); (report) the report's figures as numbers.
	Stats *pairup.RoundStats `json:"stats,omitempty"`
	// Report (report, finalise): the report emailed to the coordinators, its figures as the
	// email shows them.
	Report *ReportResult `json:"report,omitempty"`
	// Rounds (scheduled): what happened to each round the schedule closed or finalised.
	Rounds []Result `json:"rounds,omitempty"`
}

// Counts are what a close did.
type Counts struct {
	Pairs        int `json:"pairs"`        // running pairs, asked to continue or conclude
	Participants int `json:"participants"` // their members: one close email each
	Queued       int `json:"queued"`       // close emails newly queued (a repeated close queues none)
}
