package matching

import "math"

// Arc is a candidate pairing of mentee Mentee (0 ≤ Mentee < mentees) with mentor Mentor
// (0 ≤ Mentor < len(capacity)) scoring W.
type Arc struct {
	Mentee, Mentor int
	W              int64
}

// NoArc marks a missing pair in the score matrix given to AssignDense.
const NoArc = math.MinInt32

// AssignPotentials is the optimality certificate returned by AssignDual: LP dual values for
// the bipartite b-matching
//
//	maximise Σ W·x  subject to  Σ_j x_ij ≤ 1 (mentee i),  Σ_i x_ij ≤ capacity[j] (mentor j),  x ≥ 0,
//
// and, with maxCardinality, a capacitated vertex cover proving the assignment's size maximum.
// Let used be the arcs of the returned assignment (for parallel arcs, the heaviest copy) and
// L = Level. The certificate states:
//
//  1. Mentee[i] ≥ 0 for every mentee, and Mentee[i] = 0 for every waitlisted mentee;
//  2. Mentor[j] ≥ L for every mentor, and Mentor[j] = L for every mentor j holding fewer than
//     capacity[j] mentees;
//  3. Mentee[i] + Mentor[j] ≥ W for every input arc (i, j, W), with equality on used arcs;
//  4. without maxCardinality L = 0 (this is then exactly LP duality with complementary
//     slackness, so no assignment scores more);
//  5. with maxCardinality L ≤ 0, and CoverMentee/CoverMentor mark a set of mentees and mentors
//     touching every input arc whose cost, the number of marked mentees plus the capacities of
//     the marked mentors, equals the number of mentees assigned (König's theorem for
//     b-matchings: no assignment is larger). Conditions 1–3 then show that no assignment of
//     the same size scores more: for any assignment x of size k,
//     W(x) ≤ Σ_i Mentee[i] + Σ_j (Mentor[j]−L)·capacity[j] + L·k, with equality for ours.
//
// Without maxCardinality CoverMentee and CoverMentor are nil. CheckAssignment verifies a
// certificate.
type AssignPotentials struct {
	Mentee      []int64 // u_i, one per mentee
	Mentor      []int64 // v_j, one per mentor
	Level       int64   // L: 0, or −(cardinality shift) with maxCardinality
	CoverMentee []bool  // maxCardinality only: mentees in the König cover
	CoverMentor []bool  // maxCardinality only: mentors in the König cover
}

// Assign returns mentor (mentor[i] is mentee i's mentor, or -1 for the waitlist) and the total
// score of an assignment that gives mentor j at most capacity[j] mentees and maximises the total;
// with maxCardinality, the best among assignments of maximum size.
//
// The result is exact: min-cost flow by successive shortest paths, Dijkstra on reduced costs
// with node potentials, each mentor one node with a capacity (not capacity copies). The
// searches start from the scarcer side, one per mentor place when Σ capacity ≤ mentees and
// one per mentee otherwise, so that each usually ends after a few steps at a free place on
// the other side; dense arc sets (a third of all pairs or more) searched from mentors are
// converted to a score matrix and solved in phases: one heap-less (Jonker–Volgenant style)
// Dijkstra from all mentors with places left, then as many augmentations along tight paths
// as it allows (see solveDense). After the
// optimum is found, a pass over tight arcs applies the tie-breaking rule below; it never
// changes the total. Memory is O(mentees·mentors) for dense instances and O(len(arcs))
// otherwise. Input conventions:
//
//   - Parallel arcs for the same (mentee, mentor) pair: only the heaviest counts.
//   - Without maxCardinality an arc with W ≤ 0 is never used (it cannot raise the total; a
//     zero-score pair is left on the waitlist). With maxCardinality every arc may be used,
//     negative ones included, if that makes the assignment larger.
//   - A mentor with capacity 0 gets nobody; a mentee without arcs is waitlisted; mentees = 0 or
//     no arcs gives an empty assignment (total 0).
//   - Assign panics, with a message naming the offending value, if mentees < 0 or ≥ 2^31, a
//     capacity is negative, an arc's Mentee or Mentor is out of range, or the weights are too
//     large for exact int64 arithmetic: with K = min(mentees, Σ capacity) and R = max |W|, it
//     needs 4·(K+1)·R < 2^62 and, with maxCardinality, 4·(K+1)·((2K+2)·R+1) < 2^62 (e.g. any
//     |W| ≤ 10^7 when K ≤ 10^5, or |W| ≤ 10^9 when K ≤ 10^4).
//
// Determinism and ties: the result depends only on the arcs given, never on their order.
// Among all optimal assignments it takes one that, without maxCardinality, first assigns as
// many mentees as possible; then the set of assigned mentees is the lexicographically
// smallest, i.e. lower indices have priority over the waitlist: if mentee x is waitlisted,
// there is no optimal assignment (of the same size) that assigns x in place of any assigned
// mentee with a larger index. (These sets form the bases of a matroid, so this greedy set is
// also best in every position: its k-th smallest index is ≤ that of any other optimal set.)
// Callers order mentees by priority (e.g. final-year students first, then application time)
// to get a fair, stated waitlist order. Which mentor each assigned mentee gets, among equally
// good choices, is deterministic but not otherwise specified.
func Assign(mentees int, capacity []int, arcs []Arc, maxCardinality bool) (mentor []int, total int64) {
	g := asgFromArcs("Assign", mentees, capacity, arcs, maxCardinality, asgOptions{})
	mentor, total, _ = asgSolve(g, false)
	return mentor, total
}

// AssignDual is Assign that also returns the potentials that certify the assignment optimal
// (see AssignPotentials for exactly what they prove).
func AssignDual(mentees int, capacity []int, arcs []Arc, maxCardinality bool) (mentor []int, total int64, dual AssignPotentials) {
	g := asgFromArcs("AssignDual", mentees, capacity, arcs, maxCardinality, asgOptions{})
	return asgSolve(g, true)
}

// AssignDense is Assign for a complete or nearly complete candidate set given as a mentor-major
// score matrix: score[j*mentees+i] is the score of mentee i with mentor j, and NoArc (the
// smallest int32) marks a pair that must not be made. It needs len(score) =
// len(capacity)·mentees and reads score without modifying or retaining it. It solves exactly the
// same problem as Assign with the corresponding arcs (same conventions and panics),
// but skips building an arc list: for 10,000 mentees × 3,333 mentors the matrix takes 133 MB
// where []Arc takes 800 MB, and the search scans rows directly (of a 16-bit working copy,
// 67 MB more, when every arc scores within ±32767, as scanning is bound by memory reads). The total and the set of
// waitlisted mentees equal Assign's; which mentor a mentee gets among equally good ones may
// differ from Assign's choice (it is deterministic for each function).
func AssignDense(mentees int, capacity []int, score []int32, maxCardinality bool) (mentor []int, total int64) {
	g := asgFromDense("AssignDense", mentees, capacity, score, maxCardinality, asgOptions{})
	mentor, total, _ = asgSolve(g, false)
	return mentor, total
}

// AssignDenseDual is AssignDense that also returns the certificate described at
// AssignPotentials.
func AssignDenseDual(mentees int, capacity []int, score []int32, maxCardinality bool) (mentor []int, total int64, dual AssignPotentials) {
	g := asgFromDense("AssignDenseDual", mentees, capacity, score, maxCardinality, asgOptions{})
	return asgSolve(g, true)
}
