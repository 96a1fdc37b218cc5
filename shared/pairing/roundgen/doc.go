// Package roundgen generates realistic, seeded matching rounds for the
// pairing package's tests and benchmarks, and the matching core's.
//
// ILN rounds (peer mode) draw each participant's country from about 85
// countries with a Zipf-skewed size distribution (exponent 1.1 by default:
// the largest country has roughly a quarter of the sign-ups before the
// ILN's 20% cap, like the ILN's Australian core; cf. the paper's Figure 4,
// 92–862 participants from 18–85 countries per round), an IANA time zone
// of that country, plausible languages (the local ones, English for most),
// a sector, a career stage, one to five interests from 30 LIS topics with
// skewed popularity, a partner preference, a sign-up time in the four
// weeks before signup closes, and, for returning participants, previous
// partners from earlier rounds (occasionally listed on one side only).
//
// HKLA rounds (mentor mode) have Hong Kong mentors (mid-career or senior,
// capacity 1–3, Chinese and English for most) and student mentees with
// eligibility (most yes) and priority (final-year students).
//
// Both use the demo programmes' sector and career-stage options (Sectors,
// Stages) and free-text interests; ILNProgramme and HKLAProgramme are the
// programmes, ILNRules and HKLARules their pairing.RulesFor.
//
// ILNGraph is an ILN round reduced to a weighted graph (countries with the
// same Zipf skew, a simpler 0..100 score) for the matching core's benchmarks
// and cross-checks, which solve graphs rather than rounds.
//
// The same config always gives the same Input, and the same (n, seed) the
// same graph, byte for byte.
package roundgen
