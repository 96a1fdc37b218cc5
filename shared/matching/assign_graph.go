package matching

import (
	"fmt"
	"math"
	"math/bits"
)

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
	cols := mentees
	if g.byMentee {
		cols = m
	}
	g.start, g.to, g.w = dedupeRows(start, to, w, cols)
	if g.lambda != 0 {
		for p := range g.w {
			g.w[p] += g.lambda
		}
	}
	return g
}

// dedupeRows removes parallel arcs from the CSR rows start/to/w (columns 0..cols-1), keeping
// the heaviest, compacting in place. The row order that remains does not influence the
// result (the searches order by (distance, index) and canonicalize sorts what it scans).
func dedupeRows(start []int, to []int32, w []int64, cols int) ([]int, []int32, []int64) {
	rows := len(start) - 1
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
	return start, to[:out:out], w[:out:out]
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
