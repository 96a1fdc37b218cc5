package matching_test

import (
	"fmt"
	"math/rand/v2"
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

// BenchmarkRandom covers inputs unlike ILN: dense graphs with wide weights (many distinct
// dual values) and large sparse graphs (the domain layer's candidate graphs).
func BenchmarkRandom(b *testing.B) {
	for _, tc := range []struct {
		name string
		n    int
		deg  float64
		wmax int64
	}{
		{"dense/wide", 1000, 999, 1e9},
		{"sparse/small", 20000, 10, 100},
		{"sparse/wide", 20000, 10, 1e9},
	} {
		rng := rand.New(rand.NewPCG(1, 2))
		var edges []matching.Edge
		p := tc.deg / float64(tc.n-1)
		for i := 0; i < tc.n; i++ {
			for j := i + 1; j < tc.n; j++ {
				if p >= 1 || rng.Float64() < p {
					edges = append(edges, matching.Edge{U: i, V: j, W: rng.Int64N(tc.wmax)})
				}
			}
		}
		for _, maxCard := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/n=%d/m=%d/maxCard=%v", tc.name, tc.n, len(edges), maxCard), func(b *testing.B) {
				cpu0 := cpuSeconds()
				for b.Loop() {
					matching.MaxWeightMatching(tc.n, edges, maxCard)
				}
				b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
			})
		}
	}
}
