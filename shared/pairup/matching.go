package pairup

import (
	"slices"
	"strings"
	"time"
)

// PairRef names two registrations of a round, for coordinators' pins (must be paired) and
// forbids (never paired).
type PairRef struct {
	A string `json:"a"`
	B string `json:"b"`
}

// Key is the pair's order-free identity: the two ids sorted and joined by "+".
func (p PairRef) Key() string {
	a, b := p.A, p.B
	if b < a {
		a, b = b, a
	}
	return a + "+" + b
}

// PairMember is one person in a committed pair.
type PairMember struct {
	RegistrationID string `json:"registrationId"`
	ParticipantID  string `json:"participantId"`
}

// Pair is a committed match in a round: two people, three in a peer-mode trio; in mentor mode
// the mentor comes first and a mentor with several mentees is in several pairs.
type Pair struct {
	ProgrammeID string       `json:"programmeId"`
	RoundID     string       `json:"roundId"`
	ID          string       `json:"id"` // PairID of the members
	Members     []PairMember `json:"members"`
	Score       int64        `json:"score"`
	Pinned      bool         `json:"pinned,omitempty"`
	Reasons     []string     `json:"reasons"`
	CreatedAt   time.Time    `json:"createdAt"`
	// Replaces is set on a pair made by a re-pair: the pair it replaced for its re-paired member.
	Replaces string `json:"replaces,omitempty"`
	// EndedAt and EndReason are set when the pair stops before the round ends (PairEndRepaired).
	EndedAt   time.Time `json:"endedAt,omitzero"`
	EndReason string    `json:"endReason,omitempty"`
}

// PairID is the deterministic id of a pair of registrations: their ids sorted and joined by "+",
// so a re-run that finds the same pair writes the same item.
func PairID(registrationIDs ...string) string {
	ids := slices.Clone(registrationIDs)
	slices.Sort(ids)
	return strings.Join(ids, "+")
}

// OutcomeKind is what a matching decided for one person.
type OutcomeKind string

// Outcomes of a matching.
const (
	OutcomePaired     OutcomeKind = "paired"     // in a pair (or trio)
	OutcomeWaitlisted OutcomeKind = "waitlisted" // mentor mode: eligible, no mentor place; Position on the waitlist
	OutcomeDeferred   OutcomeKind = "deferred"   // over the country cap: carried to the next round, place kept (Position)
	OutcomeUnmatched  OutcomeKind = "unmatched"  // nobody they could be paired with; Reason says why
)

// Outcome is what a committed matching decided for one confirmed registration.
type Outcome struct {
	ProgrammeID    string      `json:"programmeId"`
	RoundID        string      `json:"roundId"`
	RegistrationID string      `json:"registrationId"`
	ParticipantID  string      `json:"participantId"`
	Kind           OutcomeKind `json:"kind"`
	PairIDs        []string    `json:"pairIds,omitempty"` // paired: the pairs they are in (a mentor: one per mentee)
	Reason         string      `json:"reason,omitempty"`
	Position       int         `json:"position,omitempty"`
	// SignedUpAt is the registration's creation time: a deferred person keeps their place by it.
	SignedUpAt time.Time `json:"signedUpAt"`
}

// MatchStats are a committed matching's counts, frozen on the round.
type MatchStats struct {
	Registrations int            `json:"registrations"` // signups in the round, any status
	Confirmed     int            `json:"confirmed"`
	Matched       int            `json:"matched"` // people in a pair
	Pairs         int            `json:"pairs"`   // trios count once
	Trios         int            `json:"trios"`
	Deferred      int            `json:"deferred"`
	Waitlisted    int            `json:"waitlisted"`
	Unmatched     map[string]int `json:"unmatched,omitempty"` // by reason
	Countries     int            `json:"countries"`           // among the matched
	MeanScore     float64        `json:"meanScore"`
	Certified     bool           `json:"certified"` // the optimum is certified exact
	CommittedAt   time.Time      `json:"committedAt"`
}
