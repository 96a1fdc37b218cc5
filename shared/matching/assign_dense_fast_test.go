package matching

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestAssignDenseFastPaths checks the 16-bit matrix copy (build16, including scores that do
// not fit and potentials whose truncations collide) against the 32-bit path: the same total
// and waitlist, and a valid certificate, for both modes; brute force on small instances.
func TestAssignDenseFastPaths(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 13))
	variants := []struct{ no16 bool }{{false}, {true}}
	run := func(t *testing.T, n int, capacity []int, arcs []Arc, maxCard bool) {
		t.Helper()
		score := asgDenseOf(n, capacity, arcs)
		var refM []int
		var refT int64
		for vi, v := range variants {
			got, total, dual := asgOptions{no16: v.no16}.assignDenseDual(n, capacity, score, maxCard)
			if err := CheckAssignment(n, capacity, arcs, maxCard, got, total, dual); err != nil {
				t.Fatalf("variant %+v: certificate: %v", v, err)
			}
			if vi == 0 {
				refM, refT = got, total
			} else if total != refT || !asgSameWaitlist(got, refM) {
				t.Fatalf("variant %+v = %d %v, default = %d %v", v, total, asgAssignedSet(got), refT, asgAssignedSet(refM))
			}
		}
	}
	// Weights: small with many ties; multiples of 65536 (equal modulo 2^16, so the 16-bit
	// filter reports false hits); and some beyond int16 (no 16-bit copy).
	weight := func(kind int) int64 {
		switch kind {
		case 0:
			return int64(r.IntN(8))
		case 1:
			return int64(r.IntN(4)) * 65536
		default:
			return int64(r.IntN(70000) - 1000)
		}
	}
	for it := 0; it < 1500; it++ {
		n := 1 + r.IntN(7)
		m := 1 + r.IntN(4)
		capacity := make([]int, m)
		for j := range capacity {
			capacity[j] = r.IntN(3)
		}
		kind := it % 3
		var arcs []Arc
		for i := 0; i < n; i++ {
			for j := 0; j < m; j++ {
				if r.IntN(6) > 0 {
					arcs = append(arcs, Arc{Mentee: i, Mentor: j, W: weight(kind)})
				}
			}
		}
		for _, maxCard := range []bool{false, true} {
			wantTotal, wantSet := asgBrute(n, capacity, arcs, maxCard)
			run(t, n, capacity, arcs, maxCard)
			got, total := AssignDense(n, capacity, asgDenseOf(n, capacity, arcs), maxCard)
			if total != wantTotal || !slices.Equal(asgAssignedSet(got), wantSet) {
				t.Fatalf("AssignDense(%d, %v, %v, %v) = %v, %d; want total %d, assigned %v", n, capacity, arcs, maxCard, got, total, wantTotal, wantSet)
			}
		}
	}
	for _, size := range [][2]int{{200, 70}, {300, 100}, {400, 140}} {
		for kind := 0; kind < 3; kind++ {
			for _, maxCard := range []bool{false, true} {
				t.Run(fmt.Sprintf("%dx%d/kind=%d/maxCard=%v", size[0], size[1], kind, maxCard), func(t *testing.T) {
					n, m := size[0], size[1]
					capacity := make([]int, m)
					for j := range capacity {
						capacity[j] = 1 + r.IntN(3)
					}
					var arcs []Arc
					for i := 0; i < n; i++ {
						for j := 0; j < m; j++ {
							if r.IntN(10) > 0 {
								arcs = append(arcs, Arc{Mentee: i, Mentor: j, W: weight(kind)})
							}
						}
					}
					run(t, n, capacity, arcs, maxCard)
				})
			}
		}
	}
}
