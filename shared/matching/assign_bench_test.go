package matching

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
)

// asgBench is a mentor-mode instance generated from random features: every person has six
// features in 0..4 and a pair scores 100 − ⌊100·Σ|difference|/24⌋, an integer in 0..100 with
// many ties, as real questionnaire scores have.
type asgBench struct {
	mentees  int
	capacity []int
	score    []int32 // dense, mentor-major (nil for sparse instances)
	arcs     []Arc
}

func asgFeatures(r *rand.Rand, n int) [][6]int8 {
	f := make([][6]int8, n)
	for i := range f {
		for d := range f[i] {
			f[i][d] = int8(r.IntN(5))
		}
	}
	return f
}

func asgScore(a, b *[6]int8) int32 {
	s := 0
	for d := range a {
		x := int(a[d]) - int(b[d])
		if x < 0 {
			x = -x
		}
		s += x
	}
	return int32(100 - 100*s/24)
}

func asgCapacities(r *rand.Rand, m int) []int {
	c := make([]int, m)
	for j := range c {
		c[j] = 1 + r.IntN(3)
	}
	return c
}

// asgDenseBench: complete candidate arcs, mentees × mentors.
func asgDenseBench(mentees, mentors int, withArcs bool) *asgBench {
	r := rand.New(rand.NewPCG(11, uint64(mentees)))
	fe, fm := asgFeatures(r, mentees), asgFeatures(r, mentors)
	b := &asgBench{mentees: mentees, capacity: asgCapacities(r, mentors)}
	b.score = make([]int32, mentees*mentors)
	for j := 0; j < mentors; j++ {
		for i := 0; i < mentees; i++ {
			b.score[j*mentees+i] = asgScore(&fe[i], &fm[j])
		}
	}
	if withArcs {
		b.arcs = make([]Arc, 0, mentees*mentors)
		for i := 0; i < mentees; i++ {
			for j := 0; j < mentors; j++ {
				b.arcs = append(b.arcs, Arc{Mentee: i, Mentor: j, W: int64(b.score[j*mentees+i])})
			}
		}
	}
	return b
}

// asgSparseBench: each mentee's best `keep` mentors out of `sample` drawn at random (a
// candidate list as a pre-filter would produce).
func asgSparseBench(mentees, mentors, sample, keep int) *asgBench {
	return asgSparseBenchSkew(mentees, mentors, sample, keep, 1)
}

// asgSparseBenchSkew draws the sampled mentors with density ∝ x^(1/skew−1) on [0,1) (skew 1
// is uniform; larger skews crowd the candidates onto low-index mentors, leaving the others
// with few or no candidates).
func asgSparseBenchSkew(mentees, mentors, sample, keep int, skew float64) *asgBench {
	r := rand.New(rand.NewPCG(13, uint64(mentees)))
	fe, fm := asgFeatures(r, mentees), asgFeatures(r, mentors)
	b := &asgBench{mentees: mentees, capacity: asgCapacities(r, mentors)}
	b.arcs = make([]Arc, 0, mentees*keep)
	var byScore [101][]int32
	for i := 0; i < mentees; i++ {
		for s := range byScore {
			byScore[s] = byScore[s][:0]
		}
		for range sample {
			j := r.IntN(mentors)
			if skew != 1 {
				j = int(float64(mentors) * math.Pow(r.Float64(), skew))
			}
			s := asgScore(&fe[i], &fm[j])
			byScore[s] = append(byScore[s], int32(j))
		}
		left := keep
		for s := 100; s >= 0 && left > 0; s-- {
			for _, j := range byScore[s] {
				if left == 0 {
					break
				}
				b.arcs = append(b.arcs, Arc{Mentee: i, Mentor: int(j), W: int64(s)})
				left--
			}
		}
	}
	return b
}

var (
	asgDense10k     = sync.OnceValue(func() *asgBench { return asgDenseBench(10000, 3333, false) })
	asgDense10kArcs = sync.OnceValue(func() *asgBench { return asgDenseBench(10000, 3333, true) })
	asgSparse100k   = sync.OnceValue(func() *asgBench { return asgSparseBench(100000, 33333, 200, 50) })
	asgDense2k      = sync.OnceValue(func() *asgBench { return asgDenseBench(2000, 667, true) })
	asgManySlots    = sync.OnceValue(func() *asgBench { return asgDenseBench(2000, 3333, true) })
	asgManySlotsSp  = sync.OnceValue(func() *asgBench { return asgSparseBench(20000, 33333, 200, 50) })
	asgSkewed100k   = sync.OnceValue(func() *asgBench { return asgSparseBenchSkew(100000, 33333, 200, 50, 3) })
)

func asgReport(b *testing.B, mentor []int, total int64) {
	n := 0
	for _, j := range mentor {
		if j >= 0 {
			n++
		}
	}
	b.ReportMetric(float64(n), "assigned")
	b.ReportMetric(float64(total), "total")
}

// BenchmarkAssign measures the mentor-mode sizes from the brief: 10,000 mentees × 3,333
// mentors with complete candidate arcs (33M pairs) through AssignDense and through Assign's
// []Arc, and 100,000 mentees × 33,333 mentors with 50 candidate mentors each (5M arcs).
// Instance generation is excluded from the timings.
func BenchmarkAssign(b *testing.B) {
	for _, maxCard := range []bool{false, true} {
		b.Run(fmt.Sprintf("Dense2k/Arcs/maxCard=%v", maxCard), func(b *testing.B) {
			in := asgDense2k()
			b.ResetTimer()
			for b.Loop() {
				m, t := Assign(in.mentees, in.capacity, in.arcs, maxCard)
				asgReport(b, m, t)
			}
		})
		b.Run(fmt.Sprintf("Dense10k/Matrix/maxCard=%v", maxCard), func(b *testing.B) {
			in := asgDense10k()
			b.ResetTimer()
			for b.Loop() {
				m, t := AssignDense(in.mentees, in.capacity, in.score, maxCard)
				asgReport(b, m, t)
			}
		})
		b.Run(fmt.Sprintf("Dense10k/Arcs/maxCard=%v", maxCard), func(b *testing.B) {
			in := asgDense10kArcs()
			b.ResetTimer()
			for b.Loop() {
				m, t := Assign(in.mentees, in.capacity, in.arcs, maxCard)
				asgReport(b, m, t)
			}
		})
		b.Run(fmt.Sprintf("ManySlots2k/Arcs/maxCard=%v", maxCard), func(b *testing.B) {
			in := asgManySlots()
			b.ResetTimer()
			for b.Loop() {
				m, t := Assign(in.mentees, in.capacity, in.arcs, maxCard)
				asgReport(b, m, t)
			}
		})
		b.Run(fmt.Sprintf("ManySlots20kSparse/Arcs/maxCard=%v", maxCard), func(b *testing.B) {
			in := asgManySlotsSp()
			b.ResetTimer()
			for b.Loop() {
				m, t := Assign(in.mentees, in.capacity, in.arcs, maxCard)
				asgReport(b, m, t)
			}
		})
		b.Run(fmt.Sprintf("Skewed100k/Arcs/maxCard=%v", maxCard), func(b *testing.B) {
			in := asgSkewed100k()
			b.ResetTimer()
			for b.Loop() {
				m, t := Assign(in.mentees, in.capacity, in.arcs, maxCard)
				asgReport(b, m, t)
			}
		})
		b.Run(fmt.Sprintf("Sparse100k/Arcs/maxCard=%v", maxCard), func(b *testing.B) {
			in := asgSparse100k()
			b.ResetTimer()
			for b.Loop() {
				m, t := Assign(in.mentees, in.capacity, in.arcs, maxCard)
				asgReport(b, m, t)
			}
		})
	}
}
