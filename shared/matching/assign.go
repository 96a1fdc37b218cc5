package matching

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
)

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

// CheckAssignment verifies that mentor is a valid assignment for the instance (every pair an
// arc, capacities respected), that total is its score (heaviest parallel arc), and that dual
// certifies it optimal as documented at AssignPotentials; it returns nil or the first problem
// found. It is meant for tests and for callers that want to double-check a result.
func CheckAssignment(mentees int, capacity []int, arcs []Arc, maxCardinality bool, mentor []int, total int64, dual AssignPotentials) error {
	m := len(capacity)
	if len(mentor) != mentees {
		return fmt.Errorf("len(mentor) = %d, want %d", len(mentor), mentees)
	}
	if len(dual.Mentee) != mentees || len(dual.Mentor) != m {
		return fmt.Errorf("dual has %d mentee and %d mentor values, want %d and %d", len(dual.Mentee), len(dual.Mentor), mentees, m)
	}
	best := make(map[[2]int]int64, len(arcs))
	for _, a := range arcs {
		k := [2]int{a.Mentee, a.Mentor}
		if w, ok := best[k]; !ok || a.W > w {
			best[k] = a.W
		}
	}
	load := make([]int, m)
	var sum int64
	size := 0
	for i, j := range mentor {
		if j == -1 {
			continue
		}
		if j < 0 || j >= m {
			return fmt.Errorf("mentee %d: mentor %d out of range", i, j)
		}
		w, ok := best[[2]int{i, j}]
		if !ok {
			return fmt.Errorf("mentee %d assigned to mentor %d without an arc", i, j)
		}
		if !maxCardinality && w <= 0 {
			return fmt.Errorf("mentee %d assigned to mentor %d by a non-positive arc (%d)", i, j, w)
		}
		load[j]++
		sum += w
		size++
	}
	for j, l := range load {
		if l > capacity[j] {
			return fmt.Errorf("mentor %d has %d mentees, capacity %d", j, l, capacity[j])
		}
	}
	if sum != total {
		return fmt.Errorf("total = %d, but the assigned arcs sum to %d", total, sum)
	}
	L := dual.Level
	if !maxCardinality && L != 0 {
		return fmt.Errorf("level = %d, want 0 without maxCardinality", L)
	}
	if L > 0 {
		return fmt.Errorf("level = %d > 0", L)
	}
	for i, u := range dual.Mentee {
		if u < 0 {
			return fmt.Errorf("mentee %d: potential %d < 0", i, u)
		}
		if u != 0 && mentor[i] == -1 {
			return fmt.Errorf("waitlisted mentee %d: potential %d ≠ 0", i, u)
		}
	}
	for j, v := range dual.Mentor {
		if v < L {
			return fmt.Errorf("mentor %d: potential %d < level %d", j, v, L)
		}
		if v != L && load[j] < capacity[j] {
			return fmt.Errorf("mentor %d not full (%d/%d) but potential %d ≠ level %d", j, load[j], capacity[j], v, L)
		}
	}
	for k, w := range best {
		i, j := k[0], k[1]
		s := dual.Mentee[i] + dual.Mentor[j] - w
		if s < 0 {
			return fmt.Errorf("arc (%d,%d,%d): potentials sum to %d < W", i, j, w, dual.Mentee[i]+dual.Mentor[j])
		}
		if mentor[i] == j && s != 0 {
			return fmt.Errorf("used arc (%d,%d,%d) not tight (slack %d)", i, j, w, s)
		}
	}
	if !maxCardinality {
		return nil
	}
	if len(dual.CoverMentee) != mentees || len(dual.CoverMentor) != m {
		return fmt.Errorf("cover has %d mentee and %d mentor flags, want %d and %d", len(dual.CoverMentee), len(dual.CoverMentor), mentees, m)
	}
	cost := 0
	for _, c := range dual.CoverMentee {
		if c {
			cost++
		}
	}
	for j, c := range dual.CoverMentor {
		if c {
			cost += capacity[j]
		}
	}
	if cost != size {
		return fmt.Errorf("cover costs %d but %d mentees are assigned", cost, size)
	}
	for k := range best {
		if !dual.CoverMentee[k[0]] && !dual.CoverMentor[k[1]] {
			return fmt.Errorf("arc (%d,%d) not covered", k[0], k[1])
		}
	}
	return nil
}

// asgOptions select the internal code paths of one call, so that tests cover every variant;
// the zero value (what the exported functions use) chooses automatically.
type asgOptions struct {
	source   int  // search orientation: 0 automatic, 1 from mentors, 2 from mentees
	noMatrix bool // no conversion of dense arc lists to a matrix
	no16     bool // no 16-bit copy of the dense matrix (build16)
}

// asgGraph is the canonical instance. Working weights are W+lambda; lambda > 0 only with
// maxCardinality (it makes every larger assignment outweigh every smaller one).
//
// The searches start from the side with fewer places, so that each ends quickly at a free
// place on the other side: from mentors (one search per place) when Σ capacity ≤ mentees,
// otherwise from mentees (byMentee). Arcs are kept as CSR rows of the searching side
// (start/to/w: rows are mentors, or mentees if byMentee; to holds the other side), or, for a
// dense instance searched from mentors, as the mentor-major matrix dense.
type asgGraph struct {
	op       string
	n, m     int
	cap      []int32
	maxCard  bool
	lambda   int64
	byMentee bool
	// CSR: arcs start[r]..start[r+1]-1 of row r, unique per row, working weights.
	start []int
	to    []int32
	w     []int64
	// dense: score[j*n+k], NoArc when missing; working weight int64(score)+lambda.
	dense []int32
	// dense16: the same matrix in 16 bits when every arc's score fits (see build16), else nil.
	dense16 []int16
	// original input, for the certificate of arcs left out of the working graph.
	arcs   []Arc
	matrix []int32 // AssignDense's matrix (arcs is nil)
	opt    asgOptions
}

func asgCheckSizes(op string, mentees int, capacity []int) ([]int32, int64) {
	if mentees < 0 || mentees >= math.MaxInt32 {
		panic(fmt.Sprintf("matching: %s: mentees = %d outside [0, 2^31-1)", op, mentees))
	}
	if len(capacity) >= math.MaxInt32 {
		panic(fmt.Sprintf("matching: %s: %d mentors, at most 2^31-2 supported", op, len(capacity)))
	}
	caps := make([]int32, len(capacity))
	var sum int64
	for j, c := range capacity {
		if c < 0 {
			panic(fmt.Sprintf("matching: %s: capacity[%d] = %d is negative", op, j, c))
		}
		if c > mentees {
			c = mentees + 1 // more places than mentees can never all be used; one spare keeps the mentor non-full
		}
		caps[j] = int32(c)
		sum += int64(c)
	}
	return caps, sum
}

func asgByMentee(mentees int, slots int64, opt asgOptions) bool {
	switch opt.source {
	case 1:
		return false
	case 2:
		return true
	}
	return slots > int64(mentees)
}

// asgLambda validates the weight range and returns the cardinality shift.
func asgLambda(op string, mentees int, slots int64, maxAbs uint64, maxCard bool) int64 {
	K := uint64(mentees)
	if uint64(slots) < K {
		K = uint64(slots)
	}
	R := maxAbs
	if R == 0 {
		R = 1
	}
	const limit = uint64(1) << 62
	fits := func(a, b uint64) bool { hi, lo := bits.Mul64(a, b); return hi == 0 && lo < limit }
	if !fits(4*(K+1), R) {
		panic(fmt.Sprintf("matching: %s: max |W| = %d too large for exact int64 arithmetic with %d possible pairs (need 4·(K+1)·R < 2^62)", op, maxAbs, K))
	}
	if !maxCard {
		return 0
	}
	hi, lam := bits.Mul64(2*K+2, R)
	if hi != 0 || lam >= limit || !fits(4*(K+1), lam+1+R) {
		panic(fmt.Sprintf("matching: %s: max |W| = %d too large for exact int64 arithmetic in max-cardinality mode with %d possible pairs (need 4·(K+1)·((2K+2)·R+1) < 2^62)", op, maxAbs, K))
	}
	return int64(lam) + 1
}

func asgFromArcs(op string, mentees int, capacity []int, arcs []Arc, maxCard bool, opt asgOptions) *asgGraph {
	caps, slots := asgCheckSizes(op, mentees, capacity)
	m := len(capacity)
	g := &asgGraph{op: op, n: mentees, m: m, cap: caps, maxCard: maxCard, arcs: arcs, opt: opt}
	g.byMentee = asgByMentee(mentees, slots, opt)
	// A dense arc set (at least a third of all pairs kept, so the matrix is no larger than the
	// arc lists) with weights that fit an int32 goes to the matrix search of AssignDense. The
	// decision depends only on the set of arcs.
	if cells := uint64(mentees) * uint64(m); !g.byMentee && !opt.noMatrix && cells > 0 && cells <= 1<<30 && 3*uint64(len(arcs)) >= cells {
		if g.matrixFromArcs(slots) {
			return g
		}
	}
	rows := m
	if g.byMentee {
		rows = mentees
	}
	start := make([]int, rows+1)
	var maxAbs uint64
	for idx := range arcs {
		a := &arcs[idx]
		if a.Mentee < 0 || a.Mentee >= mentees {
			panic(fmt.Sprintf("matching: %s: arc %d has Mentee %d outside [0, %d)", op, idx, a.Mentee, mentees))
		}
		if a.Mentor < 0 || a.Mentor >= m {
			panic(fmt.Sprintf("matching: %s: arc %d has Mentor %d outside [0, %d)", op, idx, a.Mentor, m))
		}
		if caps[a.Mentor] == 0 || (!maxCard && a.W <= 0) {
			continue
		}
		if a.W == math.MinInt64 {
			panic(fmt.Sprintf("matching: %s: arc %d has weight -2^63", op, idx))
		}
		maxAbs = max(maxAbs, uint64(max(a.W, -a.W)))
		if g.byMentee {
			start[a.Mentee+1]++
		} else {
			start[a.Mentor+1]++
		}
	}
	for r := 0; r < rows; r++ {
		start[r+1] += start[r]
	}
	E := start[rows]
	g.lambda = asgLambda(op, mentees, slots, maxAbs, maxCard)
	to := make([]int32, E)
	w := make([]int64, E)
	fill := make([]int, rows)
	copy(fill, start[:rows])
	for idx := range arcs {
		a := &arcs[idx]
		if caps[a.Mentor] == 0 || (!maxCard && a.W <= 0) {
			continue
		}
		r, c := a.Mentor, a.Mentee
		if g.byMentee {
			r, c = c, r
		}
		p := fill[r]
		fill[r]++
		to[p] = int32(c)
		w[p] = a.W
	}
	// Deduplicate parallel arcs per row (keep the heaviest), compacting in place. The row
	// order that remains does not influence the result (the searches order by (distance,
	// index) and canonicalize sorts what it scans).
	cols := mentees
	if g.byMentee {
		cols = m
	}
	pos := make([]int32, cols)
	stamp := make([]int32, cols)
	out := 0
	for r := 0; r < rows; r++ {
		lo, hi := start[r], start[r+1]
		start[r] = out
		rowStart := out
		for p := lo; p < hi; p++ {
			c := to[p]
			if stamp[c] == int32(r+1) {
				q := rowStart + int(pos[c])
				w[q] = max(w[q], w[p])
				continue
			}
			stamp[c] = int32(r + 1)
			pos[c] = int32(out - rowStart)
			to[out], w[out] = c, w[p]
			out++
		}
	}
	start[rows] = out
	g.start, g.to, g.w = start, to[:out:out], w[:out:out]
	if g.lambda != 0 {
		for p := range g.w {
			g.w[p] += g.lambda
		}
	}
	return g
}

// matrixFromArcs builds g.dense from g.arcs in one pass, validating the arcs as it goes. It
// returns false, leaving g.dense nil, if fewer than a third of the pairs are kept or a kept
// weight does not fit an int32.
func (g *asgGraph) matrixFromArcs(slots int64) bool {
	n, m, op := g.n, g.m, g.op
	score := make([]int32, n*m)
	for p := range score {
		score[p] = NoArc
	}
	var maxAbs uint64
	kept := 0
	for idx := range g.arcs {
		a := &g.arcs[idx]
		if uint(a.Mentee) >= uint(n) {
			panic(fmt.Sprintf("matching: %s: arc %d has Mentee %d outside [0, %d)", op, idx, a.Mentee, n))
		}
		if uint(a.Mentor) >= uint(m) {
			panic(fmt.Sprintf("matching: %s: arc %d has Mentor %d outside [0, %d)", op, idx, a.Mentor, m))
		}
		if g.cap[a.Mentor] == 0 || (!g.maxCard && a.W <= 0) {
			continue
		}
		if a.W <= NoArc || a.W > math.MaxInt32 {
			return false
		}
		kept++
		maxAbs = max(maxAbs, uint64(max(a.W, -a.W)))
		p := a.Mentor*n + a.Mentee
		score[p] = max(score[p], int32(a.W))
	}
	if 3*uint64(kept) < uint64(n)*uint64(m) {
		return false
	}
	g.lambda = asgLambda(op, n, slots, maxAbs, g.maxCard)
	g.dense = score
	g.build16()
	return true
}

func asgFromDense(op string, mentees int, capacity []int, score []int32, maxCard bool, opt asgOptions) *asgGraph {
	caps, slots := asgCheckSizes(op, mentees, capacity)
	m := len(capacity)
	if uint64(len(score)) != uint64(m)*uint64(mentees) {
		panic(fmt.Sprintf("matching: %s: len(score) = %d, want mentors·mentees = %d·%d", op, len(score), m, mentees))
	}
	g := &asgGraph{op: op, n: mentees, m: m, cap: caps, maxCard: maxCard, matrix: score, opt: opt}
	g.byMentee = asgByMentee(mentees, slots, opt)
	var maxAbs uint64
	kept := 0
	for j := 0; j < m; j++ {
		if caps[j] == 0 {
			continue
		}
		for _, sc := range score[j*mentees : (j+1)*mentees] {
			if _, ok := g.denseW(sc); ok {
				maxAbs = max(maxAbs, uint64(max(int64(sc), -int64(sc))))
				kept++
			}
		}
	}
	g.lambda = asgLambda(op, mentees, slots, maxAbs, maxCard)
	if !g.byMentee {
		g.dense = score
		g.build16()
		return g
	}
	// Searches from mentees: CSR by mentee, mentors in increasing order.
	start := make([]int, mentees+1)
	for j := 0; j < m; j++ {
		if caps[j] == 0 {
			continue
		}
		for k, sc := range score[j*mentees : (j+1)*mentees] {
			if _, ok := g.denseW(sc); ok {
				start[k+1]++
			}
		}
	}
	for k := 0; k < mentees; k++ {
		start[k+1] += start[k]
	}
	to := make([]int32, kept)
	w := make([]int64, kept)
	fill := make([]int, mentees)
	copy(fill, start[:mentees])
	for j := 0; j < m; j++ {
		if caps[j] == 0 {
			continue
		}
		for k, sc := range score[j*mentees : (j+1)*mentees] {
			if wk, ok := g.denseW(sc); ok {
				to[fill[k]], w[fill[k]] = int32(j), wk
				fill[k]++
			}
		}
	}
	g.start, g.to, g.w = start, to, w
	return g
}

// denseW returns the working weight of dense entry s, or ok=false if the entry is not an arc of
// the working graph.
func (g *asgGraph) denseW(s int32) (int64, bool) {
	if s == NoArc || (!g.maxCard && s <= 0) {
		return 0, false
	}
	return int64(s) + g.lambda, true
}

// asgInf is larger than every distance that can arise.
const asgInf = math.MaxInt64

// asgSolver holds the successive-shortest-path state. In flow terms: source → mentor j
// (capacity cap[j]) → mentee (arc, cost −W') → sink (capacity 1), plus a vacancy arc mentor →
// sink of cost 0 (a place left empty). Node potentials are kept as u (mentees, u = −π) and v
// (mentors, v = π) with the sink at 0, so the reduced cost of an unused arc is v[j]+u[k]−W' ≥ 0
// and of a vacancy arc v[j] ≥ 0; free mentees keep u = 0 and mentors with a vacancy keep v = 0.
// Each search adds one unit of supply at a mentor and routes it along a shortest path.
// searchMentee is the mirror image (supply at a mentee, waitlist arcs instead of vacancies)
// and keeps the same invariants, so canonicalize and certificate serve both.
type asgSolver struct {
	g      *asgGraph
	u, v   []int64
	assign []int32 // mentee → mentor, -1 free
	wA     []int64 // mentee → working weight of its assigned arc
	vac    []int32 // vacancies per mentor
	// members[j] lists mentor j's mentees; mpos[k] is k's index in members[assign[k]].
	members [][]int32
	mpos    []int32

	// search scratch
	dist  []int64 // mentee tentative distance
	pred  []int32 // mentee → mentor that reached it
	predW []int64 // mentee → working weight of that arc (sparse search)
	seenK []uint32
	doneK []uint32
	distM []int64
	predM []int32 // mentor → assigned mentee through which it was reached
	doneM []uint32
	stamp uint32
	heap  []asgEntry
	finM  []int32
	col   []int32 // dense search: mentees at the current distance
	saved []int64 // dense search: keys of the relaxed mentor's own mentees
	// dense phases (solveDense)
	rem    []int32 // supply left per mentor
	pos    []int   // next column of each row for the tight-arc search
	deadM  []bool
	deadK  []bool
	u32    []int32 // dense phases: u truncated to 32 bits (see asgNextTight)
	u16    []int16 // dense phases with dense16: u truncated to 16 bits
	stackM []int32
	stackK []int32
	// searches from mentees
	predKM []int32 // mentor → mentee that reached it
	predWM []int64 // mentor → working weight of that arc
	seenM  []uint32
	finK   []int32
}

type asgEntry struct {
	d int64
	k int32
}

func asgLess(a, b asgEntry) bool { return a.d < b.d || (a.d == b.d && a.k < b.k) }

func (s *asgSolver) push(e asgEntry) {
	h := append(s.heap, e)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !asgLess(e, h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = e
	s.heap = h
}

func (s *asgSolver) pop() {
	h := s.heap
	n := len(h) - 1
	e := h[n]
	h = h[:n]
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && asgLess(h[c+1], h[c]) {
			c++
		}
		if !asgLess(h[c], e) {
			break
		}
		h[i] = h[c]
		i = c
	}
	if n > 0 {
		h[i] = e
	}
	s.heap = h
}

func asgSolve(g *asgGraph, wantDual bool) ([]int, int64, AssignPotentials) {
	n, m := g.n, g.m
	s := &asgSolver{
		g:       g,
		u:       make([]int64, n),
		v:       make([]int64, m),
		assign:  make([]int32, n),
		wA:      make([]int64, n),
		vac:     make([]int32, m),
		mpos:    make([]int32, n),
		members: make([][]int32, m),
		predW:   make([]int64, n),
		dist:    make([]int64, n),
		pred:    make([]int32, n),
		seenK:   make([]uint32, n),
		doneK:   make([]uint32, n),
		distM:   make([]int64, m),
		predM:   make([]int32, m),
		doneM:   make([]uint32, m),
	}
	for k := range s.assign {
		s.assign[k] = -1
	}
	if g.dense != nil {
		s.col = make([]int32, n)
	}
	if g.byMentee {
		s.predKM = make([]int32, m)
		s.predWM = make([]int64, m)
		s.seenM = make([]uint32, m)
		for x := 0; x < n; x++ {
			s.searchMentee(int32(x))
		}
		for j := range s.vac {
			s.vac[j] = g.cap[j] - int32(len(s.members[j]))
		}
	} else if g.dense != nil {
		s.solveDense()
	} else {
		for j := 0; j < m; j++ {
			if g.cap[j] == 0 {
				continue
			}
			s.initMentor(j)
			for range g.cap[j] {
				s.searchSparse(int32(j))
			}
		}
	}
	s.canonicalize()

	mentor := make([]int, n)
	var total int64
	for k, j := range s.assign {
		mentor[k] = int(j)
	}
	for k, j := range s.assign {
		if j >= 0 {
			total += s.wA[k] - g.lambda
		}
	}
	if !wantDual {
		return mentor, total, AssignPotentials{}
	}
	return mentor, total, s.certificate()
}

// initMentor sets v[j] to the least value keeping every arc of mentor j (which has no
// assignments yet) and its vacancy arc at non-negative reduced cost.
func (s *asgSolver) initMentor(j int) {
	g := s.g
	var best int64
	if g.dense == nil {
		for p := g.start[j]; p < g.start[j+1]; p++ {
			best = max(best, g.w[p]-s.u[g.to[p]])
		}
	} else {
		row := g.dense[j*g.n : (j+1)*g.n]
		for k, sc := range row {
			if w, ok := g.denseW(sc); ok {
				best = max(best, w-s.u[k])
			}
		}
	}
	s.v[j] = best
}

// searchSparse routes one more unit from mentor src along a shortest path (Dijkstra with a
// binary heap keyed by (distance, mentee)).
func (s *asgSolver) searchSparse(src int32) {
	g := s.g
	s.stamp++
	st := s.stamp
	s.heap = s.heap[:0]
	s.finM = s.finM[:0]
	bestVac, vacAt := s.v[src], src
	s.doneM[src] = st
	s.distM[src] = 0
	s.finM = append(s.finM, src)
	scan := func(j int32, dj int64) {
		h := dj + s.v[j]
		for p := g.start[j]; p < g.start[j+1]; p++ {
			k := g.to[p]
			if s.doneK[k] == st || s.assign[k] == j {
				continue
			}
			nd := h + s.u[k] - g.w[p]
			if s.seenK[k] != st || nd < s.dist[k] {
				s.seenK[k] = st
				s.dist[k] = nd
				s.pred[k] = j
				s.predW[k] = g.w[p]
				s.push(asgEntry{nd, k})
			}
		}
	}
	scan(src, 0)
	term, dt := int32(-1), int64(0)
	for len(s.heap) > 0 {
		e := s.heap[0]
		if s.doneK[e.k] == st || e.d != s.dist[e.k] {
			s.pop()
			continue
		}
		if e.d > bestVac {
			break
		}
		s.pop()
		k := e.k
		s.doneK[k] = st
		j := s.assign[k]
		if j < 0 {
			term, dt = k, e.d
			break
		}
		if s.doneM[j] != st {
			s.doneM[j] = st
			s.distM[j] = e.d
			s.predM[j] = k
			s.finM = append(s.finM, j)
			if c := e.d + s.v[j]; c < bestVac {
				bestVac, vacAt = c, j
			}
			scan(j, e.d)
		}
	}
	if term < 0 {
		dt = bestVac
	}
	s.finish(src, term, dt, vacAt)
}

// finish updates the potentials and augments along the path to the terminal: free mentee
// term, or (term < 0) a vacancy at mentor vacAt. Only mentor potentials move with the
// distances (v[j] −= dt−d[j] for mentors finalised before the sink); every mentee of such a
// mentor then gets the largest potential keeping reduced costs non-negative, u = W'−v[j], so
// that assigned arcs stay tight (a mentor holds several mentees, only one of which lies on the
// shortest-path tree).
func (s *asgSolver) finish(src, term int32, dt int64, vacAt int32) {
	var cur int32
	if term >= 0 {
		cur = term
	} else {
		s.vac[vacAt]++
		cur = -1
		if vacAt != src {
			cur = s.predM[vacAt]
		}
	}
	for cur >= 0 {
		j := s.pred[cur]
		if s.assign[cur] >= 0 {
			s.unlink(cur)
		}
		s.assign[cur] = j
		if s.g.dense != nil {
			s.wA[cur] = int64(s.g.dense[int(j)*s.g.n+int(cur)]) + s.g.lambda
		} else {
			s.wA[cur] = s.predW[cur]
		}
		s.mpos[cur] = int32(len(s.members[j]))
		s.members[j] = append(s.members[j], cur)
		if j == src {
			break
		}
		cur = s.predM[j]
	}
	for _, j := range s.finM {
		if d := s.distM[j]; d < dt {
			s.v[j] -= dt - d
		}
	}
	for _, j := range s.finM {
		for _, k := range s.members[j] {
			s.u[k] = s.wA[k] - s.v[j]
		}
	}
	if term >= 0 && s.assign[term] >= 0 {
		j := s.assign[term]
		s.u[term] = s.wA[term] - s.v[j]
	}
}

// unlink removes mentee k from its mentor's member list (swap with the last).
func (s *asgSolver) unlink(k int32) {
	j := s.assign[k]
	l := s.members[j]
	last := l[len(l)-1]
	l[s.mpos[k]] = last
	s.mpos[last] = s.mpos[k]
	s.members[j] = l[:len(l)-1]
}

// searchMentee adds mentee x and routes it along a shortest path (Dijkstra over mentors with a
// heap keyed by (distance, mentor)): to a mentor with a free place, or, at the end of a chain
// of displacements, one mentee of the chain (possibly x) goes to the waitlist. In flow terms
// this is the mirror image of searchSparse: mentor potentials v ≥ 0 with v = 0 while a mentor
// has room, mentee potentials u ≥ 0 with u = 0 on the waitlist, assigned arcs tight, and a
// mentee's waitlist arc has reduced cost u. Because assigned arcs are tight, a full mentor's
// mentees are reached at the mentor's own distance.
func (s *asgSolver) searchMentee(x int32) {
	g := s.g
	s.stamp++
	st := s.stamp
	s.heap = s.heap[:0]
	s.finK = s.finK[:0]
	s.finM = s.finM[:0]
	var ux int64
	for p := g.start[x]; p < g.start[x+1]; p++ {
		ux = max(ux, g.w[p]-s.v[g.to[p]])
	}
	s.u[x] = ux
	bestExit, exitAt := ux, x
	relax := func(y int32, dy int64) {
		h := dy + s.u[y]
		own := s.assign[y]
		for p := g.start[y]; p < g.start[y+1]; p++ {
			j := g.to[p]
			if j == own || s.doneM[j] == st {
				continue
			}
			nd := h + s.v[j] - g.w[p]
			if s.seenM[j] != st || nd < s.distM[j] {
				s.seenM[j] = st
				s.distM[j] = nd
				s.predKM[j] = y
				s.predWM[j] = g.w[p]
				s.push(asgEntry{nd, j})
			}
		}
	}
	s.dist[x] = 0
	s.finK = append(s.finK, x)
	relax(x, 0)
	term, dt := int32(-1), int64(0)
	for len(s.heap) > 0 {
		e := s.heap[0]
		j := e.k
		if s.doneM[j] == st || e.d != s.distM[j] {
			s.pop()
			continue
		}
		if e.d > bestExit {
			break
		}
		s.pop()
		s.doneM[j] = st
		if int32(len(s.members[j])) < g.cap[j] {
			term, dt = j, e.d
			break
		}
		s.finM = append(s.finM, j)
		for _, k := range s.members[j] {
			s.dist[k] = e.d
			s.finK = append(s.finK, k)
			if c := e.d + s.u[k]; c < bestExit || (c == bestExit && k > exitAt) {
				bestExit, exitAt = c, k
			}
		}
		for _, k := range s.members[j] {
			relax(k, e.d)
		}
	}
	if term < 0 {
		dt = bestExit
	}
	for _, k := range s.finK {
		if d := s.dist[k]; d < dt {
			s.u[k] -= dt - d
		}
	}
	for _, j := range s.finM {
		if d := s.distM[j]; d < dt {
			s.v[j] += dt - d
		}
	}
	var j int32
	if term >= 0 {
		j = term
	} else {
		if exitAt == x {
			return
		}
		j = s.assign[exitAt]
		s.unlink(exitAt)
		s.assign[exitAt] = -1
	}
	for {
		y := s.predKM[j]
		old := s.assign[y]
		if old >= 0 {
			s.unlink(y)
		}
		s.assign[y] = j
		s.wA[y] = s.predWM[j]
		s.mpos[y] = int32(len(s.members[j]))
		s.members[j] = append(s.members[j], y)
		if y == x {
			return
		}
		j = old
	}
}

// canonicalize turns the optimal assignment into the documented one among all optimal
// assignments, using only tight arcs (u+v = W') so optimality is kept: first (without
// maxCardinality) augment along tight alternating paths from waitlisted mentees to mentors
// with room, then, for each waitlisted mentee x in increasing order, exchange x for a
// larger-index assigned mentee with u = 0 along a tight alternating path. Nodes from which a
// search failed can never lead to success later and are skipped.
func (s *asgSolver) canonicalize() {
	g := s.g
	n, m := g.n, g.m
	if n == 0 || m == 0 {
		return
	}
	// Tight arcs by mentee (mentors in increasing order): collect, then counting-sort.
	var tight [][2]int32
	minPos := int32(1)
	if g.maxCard {
		minPos = NoArc + 1
	}
	for k := 0; g.byMentee && k < n; k++ {
		uk := s.u[k]
		for p := g.start[k]; p < g.start[k+1]; p++ {
			if j := g.to[p]; uk+s.v[j] == g.w[p] {
				tight = append(tight, [2]int32{int32(k), j})
			}
		}
	}
	for j := 0; !g.byMentee && j < m; j++ {
		if g.cap[j] == 0 {
			continue
		}
		vj := s.v[j]
		if g.dense != nil {
			row := g.dense[j*n : (j+1)*n]
			target := vj - g.lambda // tight: u[k] + v[j] == score + lambda
			for k, sc := range row {
				if sc >= minPos && s.u[k]-int64(sc) == -target {
					tight = append(tight, [2]int32{int32(k), int32(j)})
				}
			}
			continue
		}
		for p := g.start[j]; p < g.start[j+1]; p++ {
			if k := g.to[p]; s.u[k]+vj == g.w[p] {
				tight = append(tight, [2]int32{k, int32(j)})
			}
		}
	}
	off := make([]int, n+1)
	for _, t := range tight {
		off[t[0]+1]++
	}
	for k := 0; k < n; k++ {
		off[k+1] += off[k]
	}
	adj := make([]int32, len(tight))
	fill := make([]int, n)
	copy(fill, off[:n])
	for _, t := range tight {
		adj[fill[t[0]]] = t[1]
		fill[t[0]]++
	}
	if g.byMentee {
		for k := 0; k < n; k++ {
			slices.Sort(adj[off[k]:off[k+1]])
		}
	}
	members := make([][]int32, m)
	for k, j := range s.assign {
		if j >= 0 {
			members[j] = append(members[j], int32(k))
		}
	}
	deadK := make([]bool, n)
	deadM := make([]bool, m)
	visK := make([]uint32, n)
	visM := make([]uint32, m)
	parentM := make([]int32, n)
	parentK := make([]int32, m)
	var stamp uint32
	var queue, seenM []int32
	remove := func(j, k int32) {
		l := members[j]
		for i, x := range l {
			if x == k {
				members[j] = append(l[:i], l[i+1:]...)
				return
			}
		}
	}
	// shift moves mentees along the path ending at mentor j (which gains one mentee).
	shift := func(j, x int32) {
		for {
			y := parentK[j]
			old := s.assign[y]
			s.assign[y] = j
			s.wA[y] = s.u[y] + s.v[j] // tight
			members[j] = append(members[j], y)
			if y == x {
				return
			}
			remove(old, y)
			j = old
		}
	}
	search := func(x int32, augment bool) bool {
		stamp++
		queue = append(queue[:0], x)
		seenM = seenM[:0]
		visK[x] = stamp
		for qi := 0; qi < len(queue); qi++ {
			y := queue[qi]
			for _, j := range adj[off[y]:off[y+1]] {
				if deadM[j] || visM[j] == stamp || s.assign[y] == j {
					continue
				}
				visM[j] = stamp
				parentK[j] = y
				seenM = append(seenM, j)
				if augment && s.vac[j] > 0 {
					s.vac[j]--
					shift(j, x)
					return true
				}
				for _, z := range members[j] {
					if deadK[z] || visK[z] == stamp {
						continue
					}
					visK[z] = stamp
					parentM[z] = j
					if !augment && z > x && s.u[z] == 0 {
						s.assign[z] = -1
						remove(j, z)
						shift(j, x)
						return true
					}
					queue = append(queue, z)
				}
			}
		}
		for _, y := range queue {
			deadK[y] = true
		}
		for _, j := range seenM {
			deadM[j] = true
		}
		return false
	}
	if !g.maxCard {
		for x := int32(0); x < int32(n); x++ {
			if s.assign[x] < 0 && !deadK[x] {
				search(x, true)
			}
		}
		clear(deadK)
		clear(deadM)
	}
	for x := int32(0); x < int32(n); x++ {
		if s.assign[x] < 0 && !deadK[x] {
			search(x, false)
		}
	}
}

// certificate converts the internal potentials to the documented AssignPotentials.
func (s *asgSolver) certificate() AssignPotentials {
	g := s.g
	n, m := g.n, g.m
	d := AssignPotentials{Mentee: make([]int64, n), Mentor: make([]int64, m), Level: -g.lambda}
	copy(d.Mentee, s.u)
	for j := range d.Mentor {
		d.Mentor[j] = s.v[j] - g.lambda
	}
	// Mentors with capacity 0 are full: give them the least value covering their arcs.
	zero := false
	for j := range d.Mentor {
		if g.cap[j] == 0 {
			d.Mentor[j] = d.Level
			zero = true
		}
	}
	if zero {
		if g.matrix != nil {
			for j := 0; j < m; j++ {
				if g.cap[j] != 0 {
					continue
				}
				for k, sc := range g.matrix[j*n : (j+1)*n] {
					if sc != NoArc {
						d.Mentor[j] = max(d.Mentor[j], int64(sc)-d.Mentee[k])
					}
				}
			}
		} else {
			for _, a := range g.arcs {
				if g.cap[a.Mentor] == 0 {
					d.Mentor[a.Mentor] = max(d.Mentor[a.Mentor], a.W-d.Mentee[a.Mentee])
				}
			}
		}
	}
	if !g.maxCard {
		return d
	}
	// König cover: R = nodes reachable from waitlisted mentees by alternating paths over all
	// arcs; cover = mentees not in R plus mentors in R, plus every mentor of capacity 0.
	var adjOff []int
	var adj []int32
	if g.byMentee {
		adjOff, adj = g.start, g.to
	} else if g.dense == nil {
		adjOff = make([]int, n+1)
		for _, k := range g.to {
			adjOff[k+1]++
		}
		for k := 0; k < n; k++ {
			adjOff[k+1] += adjOff[k]
		}
		adj = make([]int32, len(g.to))
		fill := make([]int, n)
		copy(fill, adjOff[:n])
		for j := 0; j < m; j++ {
			for p := g.start[j]; p < g.start[j+1]; p++ {
				k := g.to[p]
				adj[fill[k]] = int32(j)
				fill[k]++
			}
		}
	}
	members := make([][]int32, m)
	for k, j := range s.assign {
		if j >= 0 {
			members[j] = append(members[j], int32(k))
		}
	}
	inK := make([]bool, n)
	inM := make([]bool, m)
	var queue []int32
	for k, j := range s.assign {
		if j < 0 {
			inK[k] = true
			queue = append(queue, int32(k))
		}
	}
	visit := func(j int32) {
		if inM[j] {
			return
		}
		inM[j] = true
		for _, z := range members[j] {
			if !inK[z] {
				inK[z] = true
				queue = append(queue, z)
			}
		}
	}
	for qi := 0; qi < len(queue); qi++ {
		k := queue[qi]
		if g.dense == nil {
			for _, j := range adj[adjOff[k]:adjOff[k+1]] {
				visit(j)
			}
		} else {
			for j := 0; j < m; j++ {
				if g.cap[j] > 0 && g.dense[j*n+int(k)] != NoArc {
					visit(int32(j))
				}
			}
		}
	}
	d.CoverMentee = make([]bool, n)
	d.CoverMentor = make([]bool, m)
	for k := range d.CoverMentee {
		d.CoverMentee[k] = !inK[k]
	}
	for j := range d.CoverMentor {
		d.CoverMentor[j] = inM[j] || g.cap[j] == 0
	}
	return d
}
