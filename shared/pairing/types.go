package pairing

import "time"

// Role is a participant's side in mentor mode. It is ignored in peer mode,
// where everybody is both mentor and mentee.
type Role string

// Roles in mentor mode.
const (
	RoleMentor Role = "mentor"
	RoleMentee Role = "mentee"
)

// Sector is the part of the library and information sector a participant
// works (or studies) in. The empty sector means "not given": it never scores
// and cannot be asked for as a preference.
type Sector string

// Known sectors.
const (
	SectorAcademic   Sector = "academic"
	SectorPublic     Sector = "public"
	SectorSchool     Sector = "school"
	SectorSpecial    Sector = "special"
	SectorGovernment Sector = "government"
	SectorNational   Sector = "national"
	SectorStudent    Sector = "student"
	SectorOther      Sector = "other"
)

// Sectors lists the accepted sectors in a fixed order.
var Sectors = []Sector{SectorAcademic, SectorPublic, SectorSchool, SectorSpecial,
	SectorGovernment, SectorNational, SectorStudent, SectorOther}

// CareerStage is an ordered career stage; the order (student < new
// professional < mid-career < senior) is used by the career-stage score.
// The empty stage means "not given".
type CareerStage string

// Known career stages, from least to most experienced.
const (
	StageStudent         CareerStage = "student"
	StageNewProfessional CareerStage = "new-professional"
	StageMidCareer       CareerStage = "mid-career"
	StageSenior          CareerStage = "senior"
)

// CareerStages lists the accepted career stages in ascending order.
var CareerStages = []CareerStage{StageStudent, StageNewProfessional, StageMidCareer, StageSenior}

// Preference is the kind of partner a participant asked for.
type Preference string

// Partner preferences. The empty preference is the same as PreferAny.
const (
	PreferAny         Preference = "any"          // open to any match: no bonus
	PreferCareerStage Preference = "career-stage" // satisfied when the career-stage score is full
	PreferInterest    Preference = "interest"     // satisfied by at least one shared interest
	PreferSector      Preference = "sector"       // satisfied by the same sector
)

// Person is one accepted registration as the matcher sees it. The matching
// run maps store registrations onto it; all fields are plain values.
type Person struct {
	ID          string      // unique within the round; the canonical sort key
	Country     string      // ISO 3166-1 alpha-2, e.g. "AU" (case-insensitive on input)
	Languages   []string    // ISO 639-1 codes, e.g. ["en","es"]; at least one
	TimeZone    string      // IANA name, e.g. "Australia/Sydney"
	Sector      Sector      // optional
	CareerStage CareerStage // optional
	Interests   []string    // free-text topics, compared case-insensitively; at most MaxInterests
	Preference  Preference  // partner preference

	// PreviousPartners lists the IDs of people this person was paired with
	// in earlier rounds. The rule is symmetric: a pair is excluded when
	// either side lists the other. Unknown IDs are allowed (they are simply
	// not in this round).
	PreviousPartners []string

	// Mentor mode only.
	Role       Role      // mentor or mentee
	Capacity   int       // mentors: how many mentees (1..MaxCapacity)
	Eligible   bool      // mentees: answered the eligibility questions "yes"
	Priority   int       // mentees: higher first on the waitlist (e.g. 1 = final-year student)
	SignedUpAt time.Time // earlier first (country cap, waitlist)
}

// PairRef names two participants by ID, for coordinator pins and forbids.
type PairRef struct{ A, B string }

// Input is everything one matching run needs.
type Input struct {
	Rules   Rules
	People  []Person
	Pins    []PairRef // coordinator: these two must be paired (mentor mode: one mentor, one mentee)
	Forbids []PairRef // coordinator: never pair these two
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

// Result is the outcome of Match.
type Result struct {
	Pairs     []Pair
	Unmatched []Unmatched // accepted but not paired (mentor mode: waitlist first, in order)
	Deferred  []Unmatched // carried to a later round by the country cap
	Stats     Stats
}
