package matching

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// pairKey normalises an unordered vertex pair.
func pairKey(u, v int) [2]int {
	if u > v {
		u, v = v, u
	}
	return [2]int{u, v}
}

// heaviest returns the heaviest weight per unordered pair, self-loops excluded.
func heaviest(edges []Edge) map[[2]int]int64 {
	h := make(map[[2]int]int64, len(edges))
	for _, e := range edges {
		if e.U == e.V {
			continue
		}
		k := pairKey(e.U, e.V)
		if w, ok := h[k]; !ok || e.W > w {
			h[k] = e.W
		}
	}
	return h
}

// certify checks that mate is a valid matching with the reported total and that dual proves
// it optimal (feasibility plus complementary slackness). It returns the cardinality.
func certify(t *testing.T, n int, edges []Edge, maxCard bool, mate []int, total int64, d Dual) int {
	t.Helper()
	h := heaviest(edges)
	if len(mate) != n {
		t.Fatalf("len(mate) = %d, want %d", len(mate), n)
	}
	var sum int64
	card := 0
	for v, u := range mate {
		if u == -1 {
			continue
		}
		if u < 0 || u >= n || u == v || mate[u] != v {
			t.Fatalf("mate not symmetric at %d: mate[%d]=%d", v, v, u)
		}
		w, ok := h[pairKey(u, v)]
		if !ok {
			t.Fatalf("matched pair (%d,%d) is not an edge", v, u)
		}
		if u > v {
			sum += w
			card++
			if !maxCard && w <= 0 {
				t.Fatalf("non-positive edge (%d,%d,%d) matched without maxCardinality", v, u, w)
			}
		}
	}
	if sum != total {
		t.Fatalf("total = %d, sum of matched weights = %d", total, sum)
	}
	if !maxCard && d.Shift != 0 {
		t.Fatalf("Shift = %d without maxCardinality", d.Shift)
	}
	if len(d.Y) != n || len(d.Outer) != n {
		t.Fatalf("dual sizes %d/%d, want %d", len(d.Y), len(d.Outer), n)
	}
	for v, y := range d.Y {
		if y < 0 {
			t.Fatalf("Y[%d] = %d < 0", v, y)
		}
		if y > 0 && mate[v] == -1 {
			t.Fatalf("exposed vertex %d has Y = %d > 0", v, y)
		}
	}
	inB := make([][]bool, len(d.Blossoms))
	for i, b := range d.Blossoms {
		if b.Z <= 0 {
			t.Fatalf("blossom %d has Z = %d", i, b.Z)
		}
		if len(b.Members) < 3 || len(b.Members)%2 == 0 || !slices.IsSorted(b.Members) {
			t.Fatalf("blossom %d members %v: want sorted odd set ≥ 3", i, b.Members)
		}
		inB[i] = make([]bool, n)
		for _, v := range b.Members {
			inB[i][v] = true
		}
		inside := 0
		for _, v := range b.Members {
			if u := mate[v]; u > v && inB[i][u] {
				inside++
			}
		}
		if inside != len(b.Members)/2 {
			t.Fatalf("blossom %d (%v) not full: %d matched edges inside", i, b.Members, inside)
		}
		if p := b.Parent; p >= 0 {
			if p >= i {
				t.Fatalf("blossom %d parent %d not listed before it", i, p)
			}
			for _, v := range b.Members {
				if !inB[p][v] {
					t.Fatalf("blossom %d not inside its parent %d", i, p)
				}
			}
		}
	}
	for v := 0; v < n; v++ {
		o := d.Outer[v]
		for i := range d.Blossoms {
			if inB[i][v] && d.Blossoms[i].Parent == -1 && o != i {
				t.Fatalf("Outer[%d] = %d, want %d", v, o, i)
			}
		}
		if o >= 0 && !inB[o][v] {
			t.Fatalf("Outer[%d] = %d does not contain it", v, o)
		}
	}
	slow := Dual{Y: d.Y, Blossoms: d.Blossoms, Outer: d.Outer, Shift: d.Shift}
	for k, w := range h {
		u, v := k[0], k[1]
		s := d.Slack(u, v, w)
		if s2 := slow.Slack(u, v, w); s2 != s {
			t.Fatalf("Slack(%d,%d) fast %d != slow %d", u, v, s, s2)
		}
		if s < 0 {
			t.Fatalf("edge (%d,%d,%d) has negative slack %d", u, v, w, s)
		}
		if mate[u] == v && s != 0 {
			t.Fatalf("matched edge (%d,%d,%d) has slack %d", u, v, w, s)
		}
	}
	return card
}

// bruteForce returns the best (cardinality, weight) by exhaustive search: maximum weight, or
// with maxCard maximum cardinality then weight. n ≤ 10.
func bruteForce(n int, edges []Edge, maxCard bool) (card int, weight int64) {
	h := heaviest(edges)
	type res struct {
		card int
		w    int64
		ok   bool
	}
	memo := make([]res, 1<<n)
	better := func(a, b res) bool {
		if maxCard && a.card != b.card {
			return a.card > b.card
		}
		return a.w > b.w
	}
	var f func(used int) res
	f = func(used int) res {
		if memo[used].ok {
			return memo[used]
		}
		i := 0
		for i < n && used&(1<<i) != 0 {
			i++
		}
		r := res{ok: true}
		if i < n {
			r = f(used | 1<<i)
			for j := i + 1; j < n; j++ {
				if used&(1<<j) != 0 {
					continue
				}
				w, ok := h[[2]int{i, j}]
				if !ok {
					continue
				}
				sub := f(used | 1<<i | 1<<j)
				c := res{card: sub.card + 1, w: sub.w + w, ok: true}
				if better(c, r) {
					r = c
				}
			}
		}
		memo[used] = r
		return r
	}
	r := f(0)
	return r.card, r.w
}

// checkAgainstBrute solves in both modes, certifies, and compares with brute force.
func checkAgainstBrute(t *testing.T, n int, edges []Edge) {
	t.Helper()
	for _, maxCard := range []bool{false, true} {
		mate, total, d := MaxWeightMatchingDual(n, edges, maxCard)
		card := certify(t, n, edges, maxCard, mate, total, d)
		bc, bw := bruteForce(n, edges, maxCard)
		if bw != total || (maxCard && bc != card) {
			t.Fatalf("n=%d maxCard=%v edges=%v: got card %d weight %d, brute force card %d weight %d",
				n, maxCard, edges, card, total, bc, bw)
		}
		m2, t2 := MaxWeightMatching(n, edges, maxCard)
		if t2 != total || !slices.Equal(m2, mate) {
			t.Fatalf("MaxWeightMatching and MaxWeightMatchingDual disagree")
		}
	}
}

func TestSpecialCases(t *testing.T) {
	tests := []struct {
		name      string
		n         int
		edges     []Edge
		maxCard   bool
		wantMate  []int
		wantTotal int64 // -1: only compare with brute force
	}{
		{"empty graph", 0, nil, false, []int{}, 0},
		{"empty graph maxcard", 0, nil, true, []int{}, 0},
		{"isolated vertices", 3, nil, false, []int{-1, -1, -1}, 0},
		{"single edge", 2, []Edge{{0, 1, 5}}, false, []int{1, 0}, 5},
		{"self-loop ignored", 2, []Edge{{0, 0, 100}, {0, 1, 1}}, false, []int{1, 0}, 1},
		{"only self-loop", 1, []Edge{{0, 0, 100}}, true, []int{-1}, 0},
		{"parallel edges heaviest counts", 2, []Edge{{0, 1, 1}, {1, 0, 7}, {0, 1, 3}}, false, []int{1, 0}, 7},
		{"parallel edges heaviest counts maxcard", 2, []Edge{{0, 1, -5}, {1, 0, -2}}, true, []int{1, 0}, -2},
		{"zero weight not chosen", 2, []Edge{{0, 1, 0}}, false, []int{-1, -1}, 0},
		{"zero weight chosen for cardinality", 2, []Edge{{0, 1, 0}}, true, []int{1, 0}, 0},
		{"negative weight not chosen", 2, []Edge{{0, 1, -3}}, false, []int{-1, -1}, 0},
		{"negative weight chosen for cardinality", 4, []Edge{{0, 1, 5}, {1, 2, 10}, {2, 3, -1}, {0, 3, -9}}, true, []int{1, 0, 3, 2}, 4},
		{"negative weight skipped without maxcard", 4, []Edge{{0, 1, 5}, {1, 2, 10}, {2, 3, -1}, {0, 3, -9}}, false, []int{-1, 2, 1, -1}, 10},
		{"path prefers heavy middle", 4, []Edge{{0, 1, 2}, {1, 2, 5}, {2, 3, 2}}, false, []int{-1, 2, 1, -1}, 5},
		{"path maxcard takes ends", 4, []Edge{{0, 1, 2}, {1, 2, 5}, {2, 3, 2}}, true, []int{1, 0, 3, 2}, 4},
		{"triangle", 3, []Edge{{0, 1, 1}, {1, 2, 2}, {0, 2, 3}}, false, []int{2, -1, 0}, 3},
		// Blossom cases from van Rantwijk's test suite.
		{"create S-blossom and use it for augmentation", 4, []Edge{{0, 1, 8}, {0, 2, 9}, {1, 2, 10}, {2, 3, 7}}, false, nil, -1},
		{"create S-blossom, relabel as T, expand", 8, []Edge{{0, 1, 23}, {0, 4, 22}, {0, 5, 15}, {1, 2, 25}, {2, 3, 22}, {3, 4, 25}, {3, 7, 14}, {4, 6, 13}}, false, nil, -1},
		{"nested S-blossom, relabel as T, expand", 8, []Edge{{0, 1, 19}, {0, 2, 20}, {0, 7, 8}, {1, 2, 25}, {1, 3, 18}, {2, 4, 18}, {3, 4, 13}, {3, 6, 7}, {4, 5, 7}}, false, nil, -1},
		{"nested blossom expand recursively", 10, []Edge{{0, 1, 40}, {0, 2, 40}, {1, 2, 60}, {1, 3, 55}, {2, 4, 55}, {3, 4, 50}, {0, 7, 15}, {4, 6, 30}, {6, 5, 10}, {7, 9, 10}, {3, 8, 30}}, false, nil, -1},
		{"blossom with nonzero dual, expand at end", 10, []Edge{{0, 1, 45}, {0, 4, 45}, {1, 2, 50}, {2, 3, 45}, {3, 4, 50}, {0, 5, 30}, {2, 8, 35}, {3, 7, 35}, {4, 6, 26}, {8, 9, 5}}, false, nil, -1},
		{"T-blossom and S-vertex expansion", 10, []Edge{{0, 1, 45}, {0, 4, 45}, {1, 2, 50}, {2, 3, 45}, {3, 4, 50}, {0, 5, 30}, {2, 8, 35}, {3, 7, 26}, {4, 6, 40}, {8, 9, 5}}, false, nil, -1},
		{"nasty expand with augmenting path through sub-blossom", 10, []Edge{{0, 1, 45}, {0, 4, 45}, {1, 2, 50}, {2, 3, 45}, {3, 4, 50}, {0, 5, 30}, {2, 8, 35}, {3, 7, 28}, {4, 6, 26}, {8, 9, 5}}, false, nil, -1},
		{"expand where T-vertex reaches base", 12, []Edge{{0, 1, 45}, {0, 6, 45}, {1, 2, 50}, {2, 3, 45}, {3, 4, 95}, {3, 5, 94}, {4, 5, 94}, {5, 6, 50}, {0, 7, 30}, {2, 10, 35}, {4, 8, 36}, {6, 9, 26}, {10, 11, 5}}, false, nil, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mate, total, d := MaxWeightMatchingDual(tc.n, tc.edges, tc.maxCard)
			card := certify(t, tc.n, tc.edges, tc.maxCard, mate, total, d)
			if bc, bw := bruteForce(tc.n, tc.edges, tc.maxCard); bw != total || (tc.maxCard && bc != card) {
				t.Errorf("got %d edges weight %d, brute force %d edges weight %d", card, total, bc, bw)
			}
			if tc.wantTotal >= 0 && total != tc.wantTotal {
				t.Errorf("total = %d, want %d", total, tc.wantTotal)
			}
			if tc.wantMate != nil && !slices.Equal(mate, tc.wantMate) {
				t.Errorf("mate = %v, want %v", mate, tc.wantMate)
			}
		})
	}
}

func TestPanics(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		edges   []Edge
		maxCard bool
		want    string
	}{
		{"negative n", -1, nil, false, "negative vertex count"},
		{"vertex too large", 2, []Edge{{0, 2, 1}}, false, "outside 0..1"},
		{"negative vertex", 2, []Edge{{-1, 1, 1}}, false, "outside 0..1"},
		{"weight too large", 2, []Edge{{0, 1, MaxWeight + 1}}, false, "MaxWeight"},
		{"weight too small", 2, []Edge{{0, 1, -MaxWeight - 1}}, true, "MaxWeight"},
		{"shift overflow", 4, []Edge{{0, 1, MaxWeight / 2}, {2, 3, -MaxWeight / 2}}, true, "maxCardinality"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatalf("no panic")
				}
				if msg := fmt.Sprint(r); !strings.Contains(msg, tc.want) {
					t.Fatalf("panic %q does not mention %q", msg, tc.want)
				}
			}()
			MaxWeightMatching(tc.n, tc.edges, tc.maxCard)
		})
	}
}

func TestLargeWeightsWithinRange(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, tc := range []struct {
		name    string
		maxCard bool
		lim     int64
	}{{"max weight", false, MaxWeight}, {"2^40 maxcard", true, 1 << 40}} {
		t.Run(tc.name, func(t *testing.T) {
			for it := 0; it < 50; it++ {
				n := 8
				edges := randomGraph(rng, n, 0.6, func() int64 { return tc.lim - rng.Int64N(1000) - rng.Int64N(2)*tc.lim })
				mate, total, d := MaxWeightMatchingDual(n, edges, tc.maxCard)
				card := certify(t, n, edges, tc.maxCard, mate, total, d)
				bc, bw := bruteForce(n, edges, tc.maxCard)
				if bw != total || (tc.maxCard && bc != card) {
					t.Fatalf("got %d/%d, brute force %d/%d", card, total, bc, bw)
				}
			}
		})
	}
}

func randomGraph(rng *rand.Rand, n int, density float64, weight func() int64) []Edge {
	var edges []Edge
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if rng.Float64() < density {
				if rng.IntN(2) == 0 {
					edges = append(edges, Edge{i, j, weight()})
				} else {
					edges = append(edges, Edge{j, i, weight()})
				}
			}
		}
	}
	rng.Shuffle(len(edges), func(a, b int) { edges[a], edges[b] = edges[b], edges[a] })
	return edges
}

// weightPatterns assign a weight to the k-th edge of K_n.
var weightPatterns = []struct {
	name string
	w    func(k int) int64
}{
	{"unit", func(k int) int64 { return 1 }},
	{"distinct", func(k int) int64 { return int64(k*7%15) + 1 }},
	{"ties 0..2", func(k int) int64 { return int64(k * 5 % 3) }},
	{"mixed sign", func(k int) int64 { return int64(k*11%13) - 4 }},
	{"powers of two", func(k int) int64 { return int64(1) << (k % 15) }},
}

// TestExhaustiveSmall solves every graph on up to 6 vertices (every edge subset of K_n) under
// several weight patterns, in both modes, against brute force.
func TestExhaustiveSmall(t *testing.T) {
	maxN := 6
	if testing.Short() { // make test-short: every graph on up to 5 vertices
		maxN = 5
	}
	for n := 1; n <= maxN; n++ {
		var pairs [][2]int
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				pairs = append(pairs, [2]int{i, j})
			}
		}
		for _, wp := range weightPatterns {
			t.Run(fmt.Sprintf("n=%d/%s", n, wp.name), func(t *testing.T) {
				edges := make([]Edge, 0, len(pairs))
				for mask := 0; mask < 1<<len(pairs); mask++ {
					edges = edges[:0]
					for k, p := range pairs {
						if mask&(1<<k) != 0 {
							edges = append(edges, Edge{p[0], p[1], wp.w(k)})
						}
					}
					checkAgainstBrute(t, n, edges)
				}
			})
		}
	}
}

// TestRandomSmall compares random graphs on 7 and 8 vertices (plus parallel edges and loops)
// with brute force.
func TestRandomSmall(t *testing.T) {
	weights := []struct {
		name string
		w    func(rng *rand.Rand) int64
	}{
		{"0..3", func(rng *rand.Rand) int64 { return rng.Int64N(4) }},
		{"-5..20", func(rng *rand.Rand) int64 { return rng.Int64N(26) - 5 }},
		{"1..1e9", func(rng *rand.Rand) int64 { return rng.Int64N(1e9) + 1 }},
	}
	for _, n := range []int{7, 8} {
		for _, wt := range weights {
			t.Run(fmt.Sprintf("n=%d/w=%s", n, wt.name), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(n), 1))
				for it := 0; it < 3000; it++ {
					edges := randomGraph(rng, n, rng.Float64(), func() int64 { return wt.w(rng) })
					if it%5 == 0 && len(edges) > 0 { // parallel edge and self-loop
						e := edges[rng.IntN(len(edges))]
						edges = append(edges, Edge{e.V, e.U, wt.w(rng)}, Edge{e.U, e.U, 99})
					}
					checkAgainstBrute(t, n, edges)
				}
			})
		}
	}
}

// TestRandomCertified checks validity and the dual certificate on larger random graphs, and
// that maxCardinality reaches the maximum cardinality (certified separately with unit weights).
func TestRandomCertified(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		density float64
		w       func(rng *rand.Rand) int64
		iters   int
	}{
		{"sparse small weights", 300, 0.02, func(rng *rand.Rand) int64 { return rng.Int64N(5) }, 6},
		{"sparse wide weights", 300, 0.02, func(rng *rand.Rand) int64 { return rng.Int64N(1 << 30) }, 6},
		{"medium mixed sign", 150, 0.2, func(rng *rand.Rand) int64 { return rng.Int64N(41) - 20 }, 6},
		{"dense ties", 120, 0.9, func(rng *rand.Rand) int64 { return rng.Int64N(3) }, 6},
		{"dense 0..100", 200, 1, func(rng *rand.Rand) int64 { return rng.Int64N(101) }, 4},
		{"very sparse", 400, 0.005, func(rng *rand.Rand) int64 { return rng.Int64N(100) - 10 }, 6},
		{"many small", 30, 0.3, func(rng *rand.Rand) int64 { return rng.Int64N(10) - 2 }, 300},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(tc.n), uint64(tc.iters)))
			for it := 0; it < tc.iters; it++ {
				edges := randomGraph(rng, tc.n, tc.density, func() int64 { return tc.w(rng) })
				unit := make([]Edge, len(edges))
				for i, e := range edges {
					unit[i] = Edge{e.U, e.V, 1}
				}
				um, ut, ud := MaxWeightMatchingDual(tc.n, unit, false)
				maxCardinality := certify(t, tc.n, unit, false, um, ut, ud)
				for _, maxCard := range []bool{false, true} {
					mate, total, d := MaxWeightMatchingDual(tc.n, edges, maxCard)
					card := certify(t, tc.n, edges, maxCard, mate, total, d)
					if maxCard && card != maxCardinality {
						t.Fatalf("maxCardinality matching has %d edges, maximum is %d", card, maxCardinality)
					}
				}
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	edges := randomGraph(rng, 200, 0.5, func() int64 { return rng.Int64N(4) })
	m1, t1 := MaxWeightMatching(200, edges, true)
	for i := 0; i < 3; i++ {
		m2, t2 := MaxWeightMatching(200, edges, true)
		if t1 != t2 || !slices.Equal(m1, m2) {
			t.Fatalf("run %d differs", i)
		}
	}
}
