package pairing

import (
	"time"

	"github.com/pairup/pairup/shared/pairup"
)

// Person is one accepted registration as the matcher sees it. The matching
// run maps store registrations onto it; all fields are plain values.
type Person struct {
	ID        string   // unique within the round; the canonical sort key
	Country   string   // ISO 3166-1 alpha-2, e.g. "AU" (case-insensitive on input)
	Languages []string // ISO 639-1 codes, e.g. ["en","es"]; at least one
	TimeZone  string   // IANA name, e.g. "Australia/Sydney"
	// Sector and CareerStage are values of Rules.Sectors and Rules.Stages
	// (pairup.Registration.Sector and .CareerStage); empty means "not
	// given": it never scores and cannot be asked for as a preference.
	Sector      string
	CareerStage string
	// Interests are values of Rules.Interests when the programme has that
	// list, otherwise free-text topics compared case-insensitively; at most
	// MaxInterests.
	Interests  []string
	Preference pairup.Preference // empty is pairup.PreferAny

	// PreviousPartners lists the IDs of people this person was paired with
	// in earlier rounds. The rule is symmetric: a pair is excluded when
	// either side lists the other. Unknown IDs are allowed (they are simply
	// not in this round).
	PreviousPartners []string

	// Mentor mode only.
	Role       pairup.Role // pairup.RoleMentor or pairup.RoleMentee (ignored in peer mode)
	Capacity   int         // mentors: how many mentees (1..MaxCapacity)
	Eligible   bool        // mentees: answered the eligibility questions "yes"
	Priority   int         // mentees: higher first on the waitlist (e.g. 1 = final-year student)
	SignedUpAt time.Time   // earlier first (country cap, waitlist)
}

// Input is everything one matching run needs.
type Input struct {
	Rules  Rules // RulesFor(programme), perhaps adjusted
	People []Person
	// Pins and Forbids name people by ID (pairup.Round's, when Person.ID is
	// the registration ID).
	Pins    []pairup.PairRef // coordinator: these two must be paired (mentor mode: one mentor, one mentee)
	Forbids []pairup.PairRef // coordinator: never pair these two
	// RoundStart is the reference instant for time-zone offsets (daylight
	// saving differs across the year). Required.
	RoundStart time.Time
}

// Pair is one match. Members has 2 IDs, or 3 for a peer-mode trio; in
// mentor mode the mentor comes first. A mentor with capacity 3 may appear in
// up to 3 pairs.
type Pair struct {
	Members []string
	Score   int64    // preference score (sum over the member pairs for a trio)
	Pinned  bool     // made by the coordinator
	Reasons []string // human-readable, never empty
}

// Unmatched is a participant who is not in any pair (or was deferred to a
// later round), with the specific reason.
type Unmatched struct {
	ID     string
	Reason string
	// Position is the 1-based waitlist position (mentor mode), or for a
	// deferred person the position in their country's overflow by sign-up
	// time; 0 otherwise.
	Position int
}

// Stats describes how the optimum was found.
type Stats struct {
	People     int   // registrations given
	Accepted   int   // after the country cap
	Deferred   int   // carried to the next round by the country cap
	Pinned     int   // pairs made by the coordinator
	Pairs      int   // pairs made (including pinned, trios count once)
	Unmatched  int   // accepted people not in any pair
	TotalScore int64 // sum of Pair.Score of optimised pairs (excluding trio extras and pins)

	// Exact is true when the matching is certified optimal (maximum
	// cardinality, then maximum total score) on the full graph of feasible
	// pairs, not just the sparsified one.
	Exact bool
	// Gap is the certified gap between the dual bound on the full graph
	// and the solution, in transformed weight units (pairs·C + score, see
	// the package documentation); 0 when Exact. In peer mode, when the
	// solution leaves nobody with a feasible partner exposed, its number of
	// pairs is maximum and the score is at most Gap below the optimum;
	// otherwise (the large C) a gap below C − TotalScore proves the number
	// of pairs optimal, and the score is then at most Gap below the optimum.
	Gap int64
	// CandidateK is the number of best candidates per person in the
	// initial sparse graph.
	CandidateK int
	// PricingRounds counts solves: 1 means the first sparse optimum was
	// already certified (or the mentor-mode matrix was solved densely).
	PricingRounds int
	// EdgesUsed is the number of edges (peer) or arcs (mentor) in the last
	// solve (the full graph of feasible pairs is never built).
	EdgesUsed int
	// PairsChecked counts exact pair evaluations during pricing (the rest
	// were ruled out by the class bounds).
	PairsChecked int64
}

// setSearch copies the fields that describe the optimisation (Exact to
// PairsChecked) from st.
func (s *Stats) setSearch(st Stats) {
	s.Exact, s.Gap = st.Exact, st.Gap
	s.CandidateK, s.PricingRounds = st.CandidateK, st.PricingRounds
	s.EdgesUsed, s.PairsChecked = st.EdgesUsed, st.PairsChecked
}

// Result is the outcome of Match.
type Result struct {
	Pairs     []Pair
	Unmatched []Unmatched // accepted but not paired (mentor mode: waitlist first, in order)
	Deferred  []Unmatched // carried to a later round by the country cap
	Stats     Stats
}
