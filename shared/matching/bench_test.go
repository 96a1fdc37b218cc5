package matching_test

import (
	"fmt"
	"syscall"
	"testing"

	"github.com/pairup/pairup/shared/matching"
	"github.com/pairup/pairup/shared/matching/internal/iln"
)

// BenchmarkILN solves ILN-like complete graphs (85 Zipf-sized countries, scores 0..100, no
// same-country pairs). Run with
//
//	go test -run XXX -bench ILN -benchtime 3x ./shared/matching/
func BenchmarkILN(b *testing.B) {
	for _, n := range []int{200, 500, 1000, 2000} {
		inst := iln.Generate(n, 1)
		for _, maxCard := range []bool{false, true} {
			b.Run(fmt.Sprintf("n=%d/m=%d/maxCard=%v", n, len(inst.Edges), maxCard), func(b *testing.B) {
				cpu0 := cpuSeconds()
				for b.Loop() {
					matching.MaxWeightMatching(n, inst.Edges, maxCard)
				}
				// Wall time is unreliable on a shared machine; report process CPU time too.
				b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
			})
		}
	}
}

// TestILNCertified certifies optimality on ILN-like instances in both modes.
func TestILNCertified(t *testing.T) {
	for _, n := range []int{100, 301} {
		for _, maxCard := range []bool{false, true} {
			t.Run(fmt.Sprintf("n=%d/maxCard=%v", n, maxCard), func(t *testing.T) {
				inst := iln.Generate(n, uint64(n))
				mate, total, d := matching.MaxWeightMatchingDual(n, inst.Edges, maxCard)
				card := matching.Certify(t, n, inst.Edges, maxCard, mate, total, d)
				if maxCard && card != n/2 {
					t.Errorf("maxCardinality matched %d pairs of %d people", card, n)
				}
			})
		}
	}
}

// cpuSeconds returns the user+system CPU time of this process.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
