package matching

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestAssignDensePhases checks the phase solver (solveDense) on balanced and nearly balanced
// dense instances with many ties, where phases make many augmentations each and dead-marking
// and the tight-arc pointers matter: brute force on small ones, and on larger ones the
// certificate plus agreement (total and waitlist) with the per-place sparse search.
func TestAssignDensePhases(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 7))
	for it := 0; it < 3000; it++ {
		n := 1 + r.IntN(7)
		m := 1 + r.IntN(4)
		capacity := make([]int, m)
		for j := range capacity {
			capacity[j] = r.IntN(3)
		}
		var arcs []Arc
		for i := 0; i < n; i++ {
			for j := 0; j < m; j++ {
				if r.IntN(6) > 0 {
					arcs = append(arcs, Arc{Mentee: i, Mentor: j, W: int64(r.IntN(4) - 1)})
				}
			}
		}
		for _, maxCard := range []bool{false, true} {
			wantTotal, wantSet := asgBrute(n, capacity, arcs, maxCard)
			got, total, dual := AssignDenseDual(n, capacity, asgDenseOf(n, capacity, arcs), maxCard)
			if total != wantTotal || !slices.Equal(asgAssignedSet(got), wantSet) {
				t.Fatalf("AssignDenseDual(%d, %v, %v, %v) = %v, %d; want total %d, assigned %v", n, capacity, arcs, maxCard, got, total, wantTotal, wantSet)
			}
			if err := CheckAssignment(n, capacity, arcs, maxCard, got, total, dual); err != nil {
				t.Fatalf("certificate: %v", err)
			}
		}
	}
	for _, size := range [][2]int{{60, 30}, {200, 100}, {300, 120}, {150, 160}} {
		for _, maxCard := range []bool{false, true} {
			t.Run(fmt.Sprintf("%dx%d/maxCard=%v", size[0], size[1], maxCard), func(t *testing.T) {
				n, m := size[0], size[1]
				capacity := make([]int, m)
				slots := 0
				for j := range capacity {
					capacity[j] = 1 + r.IntN(3)
					if slots+capacity[j] > n {
						capacity[j] = max(0, n-slots)
					}
					slots += capacity[j]
				}
				var arcs []Arc
				for i := 0; i < n; i++ {
					for j := 0; j < m; j++ {
						if r.IntN(10) > 0 {
							arcs = append(arcs, Arc{Mentee: i, Mentor: j, W: int64(r.IntN(8))})
						}
					}
				}
				score := asgDenseOf(n, capacity, arcs)
				got, total, dual := AssignDenseDual(n, capacity, score, maxCard)
				if err := CheckAssignment(n, capacity, arcs, maxCard, got, total, dual); err != nil {
					t.Fatalf("certificate: %v", err)
				}
				ref, refTotal := asgOptions{source: 2}.assign(n, capacity, arcs, maxCard) // from mentees, heap
				if total != refTotal || !asgSameWaitlist(got, ref) {
					t.Fatalf("dense = %d %v, sparse = %d %v", total, asgAssignedSet(got), refTotal, asgAssignedSet(ref))
				}
			})
		}
	}
}
