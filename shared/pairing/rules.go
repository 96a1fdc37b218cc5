package pairing

// Mode is the programme's matching mode.
type Mode string

// Modes.
const (
	ModePeer   Mode = "peer"   // ILN: everybody is paired with a peer
	ModeMentor Mode = "mentor" // HKLA: mentors (with capacity) are assigned mentees
)

// OddPolicy says what happens in peer mode to a person the maximum
// matching leaves out (for example the odd one out of an odd-sized round).
type OddPolicy string

// Odd-one-out policies.
const (
	// OddTrio: each person left out joins the pair where they fit best as a
	// third member, provided they are feasible (all hard constraints) with
	// both members; each pair takes at most one third member. People are
	// placed in canonical (ID) order; among pairs the highest added score
	// wins, ties to the pair whose first member has the smaller ID. Who
	// cannot join any pair is reported unmatched with the reason.
	OddTrio OddPolicy = "trio"
	// OddLeave: people left out are reported unmatched with the reason.
	OddLeave OddPolicy = "leave"
)

// Limits on rule values.
const (
	MaxWeight      = 1000 // each weight is in 0..MaxWeight
	MaxInterests   = 20   // interests per person
	MaxCapacity    = 50   // mentees per mentor
	MaxCandidateK  = 200
	DefaultK       = 12
	maxTZHoursDiff = 12
)

// Weights are the integer points of the preference score. With these the
// score of a possible pair {u, v} is
//
//	CareerStage · careerFit(u, v)   peer: 1 for the same stage, 1/2 (integer
//	                                division of the weight) for adjacent stages;
//	                                mentor: 1 when the mentor's stage is above
//	                                the mentee's
//	+ Sector                        when both give the same sector
//	+ Interest · shared             shared = number of interests both list
//	+ TimeZone · (12 − h)           h = whole hours between the two UTC offsets
//	                                at Input.RoundStart, measured around the
//	                                clock (so at most 12)
//	+ Preference · satisfied        satisfied = how many of the two (0, 1 or 2)
//	                                got the kind of partner they asked for
//
// A missing sector or career stage never scores. All weights must be in
// 0..MaxWeight, so a score is at most 1000·(1+1+20+12+2) = 36,000.
type Weights struct {
	CareerStage int
	Sector      int
	Interest    int
	TimeZone    int
	Preference  int
}

// DefaultWeights are sensible ILN-style weights: a satisfied preference is
// worth most, then a shared career stage, shared interests, sector, and
// time-zone closeness (up to 36 points for the same offset).
var DefaultWeights = Weights{CareerStage: 30, Sector: 20, Interest: 15, TimeZone: 3, Preference: 40}

// Rules are a programme's matching rules.
type Rules struct {
	Mode Mode
	// SameCountryAllowed permits two people from the same country to be
	// paired (ILN: false; HKLA: true).
	SameCountryAllowed bool
	// RequireSharedLanguage makes at least one shared language a hard
	// constraint.
	RequireSharedLanguage bool
	// CountryCapPercent limits any one country to this percentage of the
	// round's accepted people (ILN: 20). 0 means no cap; range 0..100. See
	// the package documentation for how the cap is computed.
	CountryCapPercent int
	Weights           Weights
	// OddPolicy applies in peer mode; empty means OddTrio.
	OddPolicy OddPolicy
	// CandidateK is the number of best feasible candidates per person in
	// the initial sparse graph (0 means DefaultK; range 1..MaxCandidateK).
	// It affects speed only, never the result.
	CandidateK int
	// MaxPricingRounds caps the solve–price rounds (0 means 100). When it
	// is hit the result is reported with Stats.Exact false and the
	// certified gap.
	MaxPricingRounds int
}

// ILNRules are the International Librarians Network's rules: peer mode,
// never two people from the same country, a shared language, a 20% country
// cap, trios for the odd one out.
func ILNRules() Rules {
	return Rules{Mode: ModePeer, RequireSharedLanguage: true, CountryCapPercent: 20,
		Weights: DefaultWeights, OddPolicy: OddTrio}
}

// HKLARules are the Hong Kong Library Association's rules: mentor mode,
// same country allowed (everyone is in Hong Kong), a shared language.
func HKLARules() Rules {
	return Rules{Mode: ModeMentor, SameCountryAllowed: true, RequireSharedLanguage: true,
		Weights: DefaultWeights}
}
