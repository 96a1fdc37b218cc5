// Package pairing is pairup's matching domain layer: it turns a round's
// accepted registrations (Person), the programme's Rules and the
// coordinator's pins and forbids into pairs, each with the reasons it was
// made, and reports everybody left out with a specific reason. It is pure
// Go: no I/O, no AWS. The optimisation cores live in shared/matching.
//
// # Input
//
// The matcher speaks the domain's vocabulary (shared/pairup): Rules.Mode is
// a pairup.Mode, Person.Role a pairup.Role, Person.Preference a
// pairup.Preference, and Rules.Programme is the programme's pairup.Rules,
// whose hard constraints (SameCountryAllowed, RequireSharedLanguage,
// CountryCapPercent) it applies. Sectors, career stages and interests are
// the programme's own: Rules.Sectors, Rules.Stages and Rules.Interests are
// its option lists (pairup.Option), a Person's values must be among them,
// the career-stage order is the order of Rules.Stages, and every reason
// shows the options' labels. Without interest options, interests are free
// text. The rest of Rules (Weights, OddPolicy, CandidateK,
// MaxPricingRounds) is the matcher's own. A caller maps a programme with
//
//	in := pairing.Input{Rules: pairing.RulesFor(programme), People: people, RoundStart: start}
//
// where each Person is one confirmed registration (same ID, country,
// languages, time zone, sector, stage, interests, preference, role and
// capacity). Match keeps no state between calls, so calls may run
// concurrently.
//
// # Modes
//
// Peer mode (ILN) is maximum-weight matching in a general graph: every
// feasible pair of people is an edge weighted by its score. Mentor mode
// (HKLA) is a capacitated bipartite assignment of eligible mentees to
// mentors.
//
// # Hard constraints
//
// A pair is feasible only if all of these hold:
//   - not two people from the same country, unless
//     Rules.Programme.SameCountryAllowed;
//   - at least one shared language, if Rules.Programme.RequireSharedLanguage;
//   - not previous partners: either side listing the other in
//     PreviousPartners excludes the pair (symmetric);
//   - not forbidden by the coordinator (Input.Forbids);
//   - mentor mode: one mentor and one mentee, the mentee Eligible, and no
//     mentor above Capacity.
//
// Coordinator pins (Input.Pins) are pairs made before the optimisation; a pin
// that breaks a hard constraint, is also forbidden, or pins someone twice
// (a mentor beyond capacity) is an input error. Pinned pairs say "paired by
// the coordinator" first; pinned people are never deferred by the country
// cap and never receive a trio member.
//
// # Country cap (intake quota)
//
// With Rules.Programme.CountryCapPercent = P > 0 (peer mode; ILN: 20), no
// country may have more than cap(A) = max(1, ⌊P·A/100⌋) of the A accepted
// people. A is found iteratively: starting from A = everyone, A becomes
// Σ_country min(count, cap(A)) until it stops changing (the largest
// consistent intake). Each country keeps its earliest SignedUpAt (then ID);
// pinned people keep their places first. The rest are returned in
// Result.Deferred with "deferred to the next round: country cap of P%
// reached (...)" and their position in their country's overflow.
//
// # Score
//
// The score of a pair is a sum of integer points (see Weights for the exact
// formula): career stage fit, same sector, shared interests, time-zone
// closeness (whole hours apart at Input.RoundStart, around the clock), and a
// bonus for each member whose partner preference (career stage, interest,
// sector) is satisfied. Everything is integer arithmetic.
//
// # Objective
//
// Peer mode: maximum cardinality first (nobody left out who could be
// matched), then maximum total score. This is done with the weight
// transform w' = C + score, where C = (⌊n/2⌋+1)·(S+1)+1 and S bounds any
// pair's score, so one more pair always outweighs any score difference;
// plain maximum-weight matching on w' is then exactly the lexicographic
// optimum. The sizes are checked against int64 overflow (an error is
// returned far beyond any real round). The solves are much faster with a
// small constant, so the peer matcher first uses C = S+1: if that optimum
// leaves nobody who has a feasible partner exposed (the usual case; the
// odd one out of an odd component goes to its dummy, see below), it has
// maximum cardinality, and since every maximum-cardinality matching then
// carries the same C terms it is also the best-scoring one. Otherwise the
// whole solve runs again with the large C.
//
// Mentor mode, in this order: maximum cardinality; then the waitlist order
// decides who is placed — Priority (higher first, e.g. final-year students),
// then earlier SignedUpAt, then ID — in the strong sense that the placed set
// is the greedy one in that order (a later mentee is never placed instead of
// an earlier one unless placing both is impossible); then maximum total
// score among assignments placing exactly those mentees. Waitlisted mentees
// are listed first in Result.Unmatched, in waitlist order, with their
// position ("waitlisted: position 3 of 9, all 12 mentors full (...)"),
// then (by ID) ineligible mentees, mentees no mentor can take, and mentors
// who got nobody, each with the reason. A mentor appears in one Pair per
// mentee, mentor first.
//
// # Odd one out
//
// Rules.OddPolicy (peer mode): OddTrio (default) lets each person the
// maximum matching leaves out join the pair they fit best as a third member,
// if they are feasible with both members, at most one per pair; OddLeave
// reports them unmatched. Trio scores add the extra member's two pair
// scores.
//
// # Scale: sparsification with dual pricing
//
// The full graph is never built. People with the same sector, career stage,
// preference and UTC offset form a class; a pair of classes has a cheap
// upper bound on the score of any pair between them (using the union of
// their interests and languages), and so has a person against a class.
//
//  1. Candidates: each person gets their K best feasible candidates
//     (Rules.CandidateK; equal scores are broken by a hash of the pair so
//     that popular profiles do not collect everybody's ties). Classes are
//     visited in order of their bound and the search stops as soon as no
//     class can beat the K-th best candidate.
//  2. Odd components: for each connected component (on country and
//     language groups) with an odd number of matchable people, a dummy
//     vertex joined to all of them with weight C takes the one who must be
//     left out; without it the dual certifies the exposed person with a
//     blossom spanning the whole round, which is slow to solve and to price.
//     An odd component always leaves someone exposed, so the real part of
//     the optimum is unchanged.
//  3. Solve the sparse problem with its optimal dual (shared/matching). After
//     the first round the solver is warm-started: the added edges are fed to
//     matching.Solver, which repairs the previous dual for them and
//     re-optimises from the previous matching instead of solving from scratch.
//  4. Pricing: every other pair {u, v} could improve the optimum only if
//     its slack Y[u] + Y[v] + Σ{Z_B : u, v ∈ B} − 2(C + score) is negative.
//     Inside a large outermost blossom O every pair gets at least Z_O, so its
//     members are keyed by Y + ⌊Z_O/2⌋; elsewhere by Y. With each class's
//     members sorted by key, a class pair is skipped when its two smallest
//     keys already cover the bound, and each scan stops at the first member
//     whose key rules out a violation; only the pairs left are checked
//     exactly (Stats.PairsChecked).
//  5. Add the violators — per person at most a few, the most violated
//     (partial pricing), plus pairs that are exactly tight — and repeat from
//     3 until an exact scan finds none. The dual is then feasible for the
//     full graph: the matching is certified optimal (Stats.Exact,
//     Stats.Gap = 0). After a warm re-solve a round first prices only the
//     pairs with a "dirty" member (whose Y fell by more than a score point
//     or whose blossom cover fell, or who had violators last round), a
//     heuristic that finds most new violators cheaply. When that finds nothing, an exact incremental scan decides:
//     a pair the last complete scan priced, with its ends in different
//     outermost blossoms, had Y[u] + Y[v] ≥ 2w' then and can only be
//     violated now if Y[u] or Y[v] fell below its value at that scan
//     (blossom duals are never negative). So scanning everybody whose Y
//     fell since, who had violators at that scan or who was in a
//     non-trivial outermost blossom then covers every possible violator;
//     when that is more than half the round a complete scan runs instead.
//     If Rules.MaxPricingRounds is reached first, the dual is
//     repaired by raising one endpoint of every violated pair and
//     Stats.Gap reports the certified gap (dual bound − primal, in w' units).
//
// Mentor mode phase 1 (who is placed) runs on the full implicit graph:
// greedy in waitlist order with augmenting paths, where a failed search
// proves the mentors it reached saturated for good, so the cost after the
// mentors fill up is tiny. Phase 2 (best score for the placed mentees) uses
// the complete score matrix when it has at most 50 million cells (exact by
// construction), and otherwise the same K-best arcs plus the phase-1 arcs,
// solved with the cardinality constant and priced against the assignment
// potentials (Mentee[i] + Mentor[j] ≥ C + score) until no violator is left
// or Rules.MaxPricingRounds is reached (then the gap is reported).
//
// # Determinism
//
// People are put in canonical order (by ID) before anything else, and every
// later step (classes, candidate lists, edge order, pricing) is ordered by
// that index, never by map order or timing, so the same set of people
// gives the same result whatever the input order. Ties between equally good
// matchings are broken by the solver's deterministic rule on that canonical
// order; candidate ties prefer the smaller ID.
//
// # Bad input
//
// Match returns InputErrors listing every problem found (participant,
// field, reason): missing or unknown country (ISO 3166-1 alpha-2) or
// language (ISO 639-1) code, unknown IANA time zone, a sector, stage or
// interest not among the programme's options, unknown preference or role,
// option lists with a duplicate value or more than MaxOptions, weights out
// of range, duplicate or missing IDs, pins and forbids naming unknown
// people, pins breaking a hard constraint, pinned and forbidden pairs,
// people pinned twice. Nothing is silently dropped.
package pairing
