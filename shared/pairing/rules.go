package pairing

import "github.com/pairup/pairup/shared/pairup"

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
	MaxOptions     = 127  // options in Rules.Sectors and in Rules.Stages
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
// The stage order is the order of Rules.Stages. A missing sector or career
// stage never scores. All weights must be in
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
func DefaultWeights() Weights {
	return Weights{CareerStage: 30, Sector: 20, Interest: 15, TimeZone: 3, Preference: 40}
}

// Rules are what governs one matching run: the programme's mode, hard
// constraints and vocabulary, taken as pairup defines them (RulesFor maps a
// programme in one call), and the matcher's own settings.
type Rules struct {
	// Mode is pairup.ModePeer or pairup.ModeMentor.
	Mode pairup.Mode
	// Programme holds the programme's hard constraints: SameCountryAllowed,
	// RequireSharedLanguage and CountryCapPercent (0..100, peer mode only;
	// see the package documentation for how the cap is computed). Its other
	// fields are the signup form's limits; the matcher ignores them.
	Programme pairup.Rules
	// Sectors and Stages are the programme's options (pairup.Programme's
	// lists, in form order): Person.Sector and Person.CareerStage must be one
	// of their values, and reasons use their labels. Stages go from least to
	// most experienced; the career-stage score uses that order. At most
	// MaxOptions each.
	Sectors []pairup.Option
	Stages  []pairup.Option
	// Interests, when not empty, are the programme's interest options:
	// Person.Interests must be their values, and reasons use their labels.
	// When empty, interests are free-text topics (compared
	// case-insensitively, shown as first spelt in ID order).
	Interests []pairup.Option

	// The matcher's own settings.
	Weights Weights
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

// RulesFor returns the rules of programme p: its mode, constraints and
// sector, stage and interest options, with DefaultWeights, OddTrio and the
// default CandidateK and MaxPricingRounds. A caller may adjust the matcher's
// own settings before running.
func RulesFor(p *pairup.Programme) Rules {
	return Rules{Mode: p.Mode, Programme: p.Rules, Sectors: p.Sectors, Stages: p.Stages,
		Interests: p.Interests, Weights: DefaultWeights(), OddPolicy: OddTrio}
}
