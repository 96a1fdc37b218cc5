package matching

import "fmt"

// Edge is an undirected edge between vertices U and V (0 ≤ U, V < n) with weight W.
type Edge struct {
	U, V int
	W    int64
}

// MaxWeight is the largest weight magnitude accepted: every edge must satisfy
// -MaxWeight ≤ W ≤ MaxWeight, otherwise MaxWeightMatching panics. With maxCardinality the
// shifted weights W+Shift (see Dual.Shift) must also stay ≤ MaxWeight, which holds whenever
// (n/2+1)·(maxW−minW+1) ≤ MaxWeight, e.g. for every |W| ≤ 2^40 with n ≤ 2^15; beyond it the
// call panics rather than risk overflow. Within the limit all arithmetic is exact (int64,
// no floating point) and cannot overflow, including Dual.Slack for any w within the limit.
const MaxWeight = int64(1) << 58

// MaxWeightMatching returns mate (mate[v] is v's partner, or -1) and the total weight of a
// maximum-weight matching of the undirected graph on vertices 0..n-1. With maxCardinality it
// returns a maximum-weight matching among those of maximum cardinality.
//
// Input conventions:
//   - Self-loops (U == V) are ignored.
//   - Parallel edges: only the heaviest edge between a pair counts.
//   - Without maxCardinality, edges with W ≤ 0 are never matched (they cannot increase the
//     weight; among optimal matchings the returned one contains no zero-weight edge). With
//     maxCardinality, zero and negative edges are used when, and only when, needed to reach
//     maximum cardinality; among maximum-cardinality matchings the weight is maximal.
//   - n == 0 and isolated vertices are fine (isolated vertices get mate -1).
//   - It panics if n < 0, if an edge has an endpoint outside 0..n-1, or if a weight is
//     outside the range documented at MaxWeight.
//
// The result is a deterministic function of (n, edges in the given order, maxCardinality):
// when several matchings are optimal, which one is returned depends only on the input
// (edge order included) and never on maps, randomness or timing. No further tie-breaking
// rule is promised.
//
// The algorithm is the exact primal–dual blossom algorithm of Edmonds in the
// multiple-search-tree form used by LEMON's MaxWeightedMatching: every exposed vertex with
// positive dual roots an alternating tree, all trees share one (lazily applied) dual change
// per step, and the four dual-change candidates are kept in lazily validated priority
// queues. Vertex duals start at half the heaviest incident weight (a jump start) and a vertex
// whose dual reaches 0 is simply left exposed; trees survive other trees' augmentations.
// Only int64 arithmetic is used; memory is O(n + m). BenchmarkILN and BenchmarkRandom
// (bench_test.go) time it on ILN-like complete graphs and on large sparse graphs.
func MaxWeightMatching(n int, edges []Edge, maxCardinality bool) (mate []int, total int64) {
	mate, total, _ = solve(n, edges, maxCardinality, false)
	return mate, total
}

// MaxWeightMatchingDual is MaxWeightMatching that also returns an optimal dual solution, a
// certificate of optimality that callers can check or use for pricing (see Dual).
func MaxWeightMatchingDual(n int, edges []Edge, maxCardinality bool) (mate []int, total int64, dual Dual) {
	return solve(n, edges, maxCardinality, true)
}

// checkEdges panics on malformed input.
func checkEdges(n int, edges []Edge) {
	if n < 0 {
		panic(fmt.Sprintf("matching: negative vertex count %d", n))
	}
	for i, e := range edges {
		if e.U < 0 || e.U >= n || e.V < 0 || e.V >= n {
			panic(fmt.Sprintf("matching: edge %d (%d,%d) has an endpoint outside 0..%d", i, e.U, e.V, n-1))
		}
		if e.W > MaxWeight || e.W < -MaxWeight {
			panic(fmt.Sprintf("matching: edge %d (%d,%d) weight %d outside ±MaxWeight (2^58)", i, e.U, e.V, e.W))
		}
	}
}

// graph is the deduplicated simple graph the solver works on.
type graph struct {
	n        int
	endpoint []int32 // endpoint[2k], endpoint[2k+1]: the two ends of edge k
	w        []int64 // original weight of edge k (heaviest among parallel edges)
}

// buildGraph removes self-loops (and, if dropNonPositive, edges with W ≤ 0) and keeps the
// heaviest of parallel edges (the first one given on ties). The order is deterministic.
func buildGraph(n int, edges []Edge, dropNonPositive bool) graph {
	// Bucket edges by their smaller endpoint (counting sort, stable).
	cnt := make([]int32, n+1)
	kept := 0
	for _, e := range edges {
		if e.U == e.V || (dropNonPositive && e.W <= 0) {
			continue
		}
		a := e.U
		if e.V < a {
			a = e.V
		}
		cnt[a+1]++
		kept++
	}
	for i := 0; i < n; i++ {
		cnt[i+1] += cnt[i]
	}
	order := make([]int32, kept)
	pos := make([]int32, n)
	copy(pos, cnt[:n])
	for i, e := range edges {
		if e.U == e.V || (dropNonPositive && e.W <= 0) {
			continue
		}
		a := e.U
		if e.V < a {
			a = e.V
		}
		order[pos[a]] = int32(i)
		pos[a]++
	}
	g := graph{n: n, endpoint: make([]int32, 0, 2*kept), w: make([]int64, 0, kept)}
	slot := make([]int32, n) // slot[b]: index of the kept edge (a,b) for the current a
	stamp := make([]int32, n)
	for a := 0; a < n; a++ {
		for _, i := range order[cnt[a]:cnt[a+1]] {
			e := edges[i]
			b := e.U + e.V - a
			if stamp[b] == int32(a+1) {
				k := slot[b]
				if e.W > g.w[k] {
					g.w[k] = e.W
				}
				continue
			}
			stamp[b] = int32(a + 1)
			slot[b] = int32(len(g.w))
			g.endpoint = append(g.endpoint, int32(a), int32(b))
			g.w = append(g.w, e.W)
		}
	}
	return g
}

// cardinalityShift returns a constant C such that, with every weight replaced by W+C > 0, a
// maximum-weight matching is a maximum-weight matching among those of maximum cardinality.
// Any matching has at most n/2 edges, so a matching with one more edge gains at least
// C − (n/2−1)(maxW−minW) + minW > 0 when C = (n/2)(maxW−minW) + max(0,−minW) + 1.
func cardinalityShift(n int, w []int64) int64 {
	if len(w) == 0 {
		return 0
	}
	lo, hi := w[0], w[0]
	for _, x := range w {
		lo = min(lo, x)
		hi = max(hi, x)
	}
	half := int64(n / 2)
	spread := hi - lo // ≤ 2^59, no overflow
	base := int64(1)
	if lo < 0 {
		base -= lo
	}
	// Need half*spread + base + hi ≤ MaxWeight.
	room := MaxWeight - base - hi
	if room < 0 || (spread > 0 && half > room/spread) {
		panic(fmt.Sprintf("matching: maxCardinality with n=%d and weights in [%d,%d] needs shifted weights beyond MaxWeight (2^58); scale the weights down", n, lo, hi))
	}
	return half*spread + base
}

func solve(n int, edges []Edge, maxCardinality, wantDual bool) ([]int, int64, Dual) {
	checkEdges(n, edges)
	g := buildGraph(n, edges, !maxCardinality)
	var shift int64
	if maxCardinality {
		shift = cardinalityShift(n, g.w)
	}
	s := newSolver(g, shift)
	s.run()

	mate := make([]int, n)
	var total int64
	for v := 0; v < n; v++ {
		mate[v] = -1
		if p := s.mate[v]; p >= 0 {
			mate[v] = int(g.endpoint[p])
			if mate[v] > v {
				total += g.w[p>>1]
			}
		}
	}
	var d Dual
	if wantDual {
		d = s.dual()
		d.Shift = shift
	}
	return mate, total, d
}
