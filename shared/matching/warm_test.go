package matching

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// checkWarm certifies the solver's current result on all edges given so far and compares its
// weight with a cold solve.
func checkWarm(t *testing.T, x *Solver, n int, all []Edge) {
	t.Helper()
	mate, total, d := x.Result()
	certify(t, n, all, false, mate, total, d)
	if _, cold := MaxWeightMatching(n, all, false); cold != total {
		t.Fatalf("warm total %d, cold %d", total, cold)
	}
}

// blossomEdges returns up to k heavy edges between members of the dual's blossoms (inside
// one blossom, and between two different blossoms), so that warm starts must break them.
func blossomEdges(rng *rand.Rand, d Dual, k int, wmax int64) []Edge {
	var out []Edge
	if len(d.Blossoms) == 0 {
		return nil
	}
	for range k {
		b := d.Blossoms[rng.IntN(len(d.Blossoms))].Members
		u, v := b[rng.IntN(len(b))], b[rng.IntN(len(b))]
		if rng.IntN(3) == 0 { // across two blossoms
			c := d.Blossoms[rng.IntN(len(d.Blossoms))].Members
			v = c[rng.IntN(len(c))]
		}
		out = append(out, Edge{u, v, wmax/2 + rng.Int64N(wmax)})
	}
	return out
}

// TestWarmStart adds edges in batches (random ones, heavier copies of existing ones, and
// edges inside and across the current blossoms) and checks every warm re-solve against the
// certificate and a cold solve.
func TestWarmStart(t *testing.T) {
	tests := []struct {
		n       int
		density float64
		wmax    int64
		iters   int
	}{
		{8, 0.5, 4, 400},
		{12, 0.4, 10, 400},
		{30, 0.3, 100, 200},
		{60, 0.1, 1000, 100},
		{200, 0.03, 20, 40},
		{300, 0.05, 1 << 30, 20},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("n=%d/w=%d", tc.n, tc.wmax), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(tc.n), 7))
			for it := 0; it < tc.iters; it++ {
				edges := randomGraph(rng, tc.n, tc.density, func() int64 { return rng.Int64N(tc.wmax+1) - tc.wmax/10 })
				cut := rng.IntN(len(edges) + 1)
				all := append([]Edge(nil), edges[:cut]...)
				x := NewSolver(tc.n, all)
				checkWarm(t, x, tc.n, all)
				rest := edges[cut:]
				for round := 0; round < 4; round++ {
					var batch []Edge
					take := rng.IntN(len(rest) + 1)
					batch = append(batch, rest[:take]...)
					rest = rest[take:]
					if len(all) > 0 && rng.IntN(2) == 0 { // heavier parallel copies
						for range 1 + rng.IntN(3) {
							e := all[rng.IntN(len(all))]
							batch = append(batch, Edge{e.V, e.U, e.W + rng.Int64N(tc.wmax/4+2)})
						}
					}
					_, _, d := x.Result()
					batch = append(batch, blossomEdges(rng, d, 1+rng.IntN(4), tc.wmax)...)
					if rng.IntN(5) == 0 {
						batch = append(batch, Edge{0, 0, 5}) // self-loop, ignored
					}
					all = append(all, batch...)
					x.AddEdges(batch)
					checkWarm(t, x, tc.n, all)
				}
			}
		})
	}
}

// TestWarmStartEmpty: adding nothing, or only edges that cannot matter, keeps the optimum;
// a heavier copy of an edge replaces it.
func TestWarmStartEmpty(t *testing.T) {
	t.Run("no vertices", func(t *testing.T) {
		x := NewSolver(0, nil)
		x.AddEdges(nil)
		mate, total, d := x.Result()
		if len(mate) != 0 || total != 0 || x.Edges() != 0 || len(d.Y) != 0 || len(d.Blossoms) != 0 {
			t.Fatalf("empty graph: mate %v total %d edges %d dual %+v", mate, total, x.Edges(), d)
		}
	})
	base := []Edge{{0, 1, 5}, {2, 3, 5}}
	t.Run("nothing added", func(t *testing.T) {
		x := NewSolver(4, base)
		mate0, total0, d0 := x.Result()
		x.AddEdges(nil)
		x.AddEdges([]Edge{})
		mate, total, d := x.Result()
		if !slices.Equal(mate, mate0) || total != total0 || !reflect.DeepEqual(d, d0) || x.Edges() != 2 {
			t.Fatalf("after adding nothing: mate %v total %d edges %d, want %v %d 2", mate, total, x.Edges(), mate0, total0)
		}
		checkWarm(t, x, 4, base)
	})
	t.Run("edges that cannot matter", func(t *testing.T) {
		x := NewSolver(4, base)
		// A light edge, a negative one and a self-loop: the last two are ignored.
		added := []Edge{{0, 2, 1}, {1, 3, -4}, {2, 2, 9}}
		x.AddEdges(added)
		all := append(slices.Clone(base), added...)
		checkWarm(t, x, 4, all)
		if mate, total, _ := x.Result(); !slices.Equal(mate, []int{1, 0, 3, 2}) || total != 10 || x.Edges() != 3 {
			t.Fatalf("mate %v total %d edges %d, want [1 0 3 2] 10 3", mate, total, x.Edges())
		}
		// A heavier copy of 0–2 now beats both pairs.
		x.AddEdges([]Edge{{2, 0, 100}})
		all = append(all, Edge{2, 0, 100})
		checkWarm(t, x, 4, all)
		if mate, total, _ := x.Result(); !slices.Equal(mate, []int{2, -1, 0, -1}) || total != 100 || x.Edges() != 3 {
			t.Fatalf("mate %v total %d edges %d, want [2 -1 0 -1] 100 3", mate, total, x.Edges())
		}
	})
}

// TestCoverSums compares Dual.CoverSums with the sum over the blossoms' member lists.
func TestCoverSums(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for it := 0; it < 50; it++ {
		n := 20 + rng.IntN(60)
		edges := randomGraph(rng, n, 0.3, func() int64 { return rng.Int64N(20) })
		_, _, d := MaxWeightMatchingDual(n, edges, false)
		want := make([]int64, n)
		for _, b := range d.Blossoms {
			for _, v := range b.Members {
				want[v] += b.Z
			}
		}
		got := d.CoverSums()
		for v := range n {
			if got[v] != want[v] {
				t.Fatalf("CoverSums[%d] = %d, want %d", v, got[v], want[v])
			}
		}
	}
	if (&Dual{}).CoverSums() != nil {
		t.Fatal("hand-built Dual: want nil")
	}
}
