package matching_test

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"

	"github.com/pairup/pairup/shared/matching"
	"github.com/pairup/pairup/shared/pairing/roundgen"
)

// BenchmarkILN solves ILN-like complete graphs (roundgen.ILNGraph: 85 Zipf-sized countries,
// scores 0..100, no same-country pairs) and reports the optimum (total, pairs) besides the
// times. The figures and the command are in the README's Performance section.
func BenchmarkILN(b *testing.B) {
	for _, n := range []int{200, 500, 1000, 2000} {
		edges := roundgen.ILNGraph(n, 1)
		for _, maxCard := range []bool{false, true} {
			b.Run(fmt.Sprintf("n=%d/m=%d/maxCard=%v", n, len(edges), maxCard), func(b *testing.B) {
				cpu0 := cpuSeconds()
				var mate []int
				var total int64
				for b.Loop() {
					mate, total = matching.MaxWeightMatching(n, edges, maxCard)
				}
				// Wall time is unreliable on a shared machine; report process CPU time too.
				b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
				b.ReportMetric(float64(total), "total")
				b.ReportMetric(float64(pairs(mate)), "pairs")
			})
		}
	}
}

// pairs counts the matched pairs of mate.
func pairs(mate []int) int {
	k := 0
	for v, u := range mate {
		if u > v {
			k++
		}
	}
	return k
}

// TestILNCertified certifies optimality on ILN-like instances in both modes.
func TestILNCertified(t *testing.T) {
	for _, n := range []int{100, 301} {
		for _, maxCard := range []bool{false, true} {
			t.Run(fmt.Sprintf("n=%d/maxCard=%v", n, maxCard), func(t *testing.T) {
				edges := roundgen.ILNGraph(n, uint64(n))
				mate, total, d := matching.MaxWeightMatchingDual(n, edges, maxCard)
				card := matching.Certify(t, n, edges, maxCard, mate, total, d)
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
