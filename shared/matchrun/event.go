package matchrun

import (
	"time"
)

// Actions a coordinator (or the schedule) asks of the match-run function.
const (
	ActionOpenRound   = "open-round"   // create a round, open for signup in its window
	ActionCloseSignup = "close-signup" // close signup early: the round moves to matching
	ActionPin         = "pin"          // these people must be paired together in the next run
	ActionForbid      = "forbid"       // these people must never be paired
	ActionUnpin       = "unpin"        // take pins back
	ActionUnforbid    = "unforbid"     // take forbids back
	ActionMatch       = "match"        // preview (dryRun, the default) or commit a matching
	ActionScheduled   = "scheduled"    // the schedule: match every round whose signup has closed
	ActionRepair      = "repair"       // an active round: give people new partners (dryRun default)
)

// Event is the match-run function's input. Examples are in events/match-run-*.json.
type Event struct {
	Action    string `json:"action"`
	Programme string `json:"programme,omitempty"`
	Round     string `json:"round,omitempty"`
	// DryRun (match, repair): true computes and reports, writes nothing and sends participants nothing;
	// false commits. Absent means true.
	DryRun *bool `json:"dryRun,omitempty"`
	// Pairs (pin, forbid, unpin, unforbid): two people each, by email address or registration id.
	Pairs [][]string `json:"pairs,omitempty"`
	// People (repair): the people to re-pair, by email address or registration id.
	People []string `json:"people,omitempty"`
	// Replacing (repair, optional): the pairs the re-pair ends (pair ids, as the coordinators'
	// check-in alert names them); with it a repeated event is refused. Without it, each
	// person's current pairs end.
	Replacing []string `json:"replacing,omitempty"`
	// NewRound (open-round): the round to create.
	NewRound *RoundSpec `json:"newRound,omitempty"`
	// Now (scheduled, match) moves "now" for a rehearsal; honoured only where the deployment
	// allows it (local and test stacks), refused elsewhere.
	Now *time.Time `json:"now,omitempty"`
}

// RoundSpec is a round to open: its id, name and calendar.
type RoundSpec struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	SignupOpens  time.Time `json:"signupOpens"`
	SignupCloses time.Time `json:"signupCloses"`
	Starts       time.Time `json:"starts"`
	Ends         time.Time `json:"ends"`
	MidSurvey    time.Time `json:"midSurvey,omitzero"`
	EndSurvey    time.Time `json:"endSurvey,omitzero"`
}

// Result is what the function returns: a plain-language summary, counts first, then details.
type Result struct {
	Summary   string  `json:"summary"`
	Action    string  `json:"action"`
	Programme string  `json:"programme,omitempty"`
	Round     string  `json:"round,omitempty"`
	State     string  `json:"state,omitempty"`
	DryRun    bool    `json:"dryRun,omitempty"`
	Counts    *Counts `json:"counts,omitempty"`
	Emails    *Emails `json:"emails,omitempty"`
	// Invited (open-round): the people deferred by the country cap in earlier rounds who were
	// invited into the new round first, in signup order (Outcome "invited", Reason the round
	// that deferred them, Position their place); Emails.Participants says how many of the
	// invitations were newly queued.
	Invited []PersonView `json:"invited,omitempty"`
	Pins    []string     `json:"pins,omitempty"`
	Forbids []string     `json:"forbids,omitempty"`
	// Rounds (scheduled): what happened to each round the schedule looked at.
	Rounds    []Result     `json:"rounds,omitempty"`
	Pairs     []PairView   `json:"pairs,omitempty"`
	LeftOut   []PersonView `json:"leftOut,omitempty"`
	ByCountry []Tally      `json:"byCountry,omitempty"`
	BySector  []Tally      `json:"bySector,omitempty"`
}

// Counts are a matching's numbers, in the order a coordinator reads them.
type Counts struct {
	Registrations        int            `json:"registrations"`
	Confirmed            int            `json:"confirmed"`
	Matched              int            `json:"matched"`
	Pairs                int            `json:"pairs"`
	Trios                int            `json:"trios"`
	DeferredByCountryCap int            `json:"deferredByCountryCap"`
	Waitlisted           int            `json:"waitlisted"`
	Unmatched            int            `json:"unmatched"`
	UnmatchedByReason    map[string]int `json:"unmatchedByReason,omitempty"`
	Countries            int            `json:"countries"`
	MeanScore            float64        `json:"meanScore"`
	OptimumCertified     bool           `json:"optimumCertified"`
}

// Emails says what the run queued.
type Emails struct {
	Participants int `json:"participants"` // introductions and outcome emails newly queued
	Coordinators int `json:"coordinators"` // proposal emails newly queued
}

// PairView is one pair in a result.
type PairView struct {
	Members []string `json:"members"` // "Name (CC, registration id)"
	Score   int64    `json:"score"`
	Pinned  bool     `json:"pinned,omitempty"`
	Reasons []string `json:"reasons"`
}

// PersonView is one person left out of the pairs.
type PersonView struct {
	Person   string `json:"person"` // "Name (CC, registration id)"
	Outcome  string `json:"outcome"`
	Reason   string `json:"reason"`
	Position int    `json:"position,omitempty"`
}

// Tally is a count under a label.
type Tally struct {
	Label string `json:"label"`
	Count int    `json:"count"`
}
