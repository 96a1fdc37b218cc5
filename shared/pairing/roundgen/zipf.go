package roundgen

import (
	"math"
	"math/rand/v2"
	"sort"
)

// zipf draws ranks 0..n-1 with P(rank i) ∝ 1/(i+1)^s: countries listed from the largest.
type zipf struct{ cdf []float64 }

func newZipf(n int, s float64) zipf {
	cdf := make([]float64, n)
	acc := 0.0
	for i := range cdf {
		acc += 1 / math.Pow(float64(i+1), s)
		cdf[i] = acc
	}
	return zipf{cdf}
}

// draw returns a rank, using one Float64 of r.
func (z zipf) draw(r *rand.Rand) int {
	x := r.Float64() * z.cdf[len(z.cdf)-1]
	return min(sort.SearchFloat64s(z.cdf, x), len(z.cdf)-1)
}
