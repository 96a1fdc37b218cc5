// Package iln generates synthetic instances shaped like the ILN peer-matching rounds (people
// from 85 countries with Zipf-skewed sizes, integer scores 0..100 from sector, career stage
// and interests, no pairs within a country) for benchmarks and cross-checks of the matching
// solver. Instances are a pure function of (n, seed).
package iln

import (
	"math"
	"math/rand/v2"

	"github.com/pairup/pairup/shared/matching"
)

// Countries is the number of countries people are drawn from.
const Countries = 85

const (
	sectors   = 12
	stages    = 5
	interests = 24
	perPerson = 3
)

// Person is one synthetic participant.
type Person struct {
	Country   int
	Sector    int
	Stage     int
	Interests [perPerson]int
}

// Instance is a complete graph minus same-country pairs, weighted by Score.
type Instance struct {
	People []Person
	Edges  []matching.Edge
}

// Score is the preference score of a pair, an integer in 0..100.
func Score(a, b Person) int64 {
	s := int64(0)
	if a.Sector == b.Sector {
		s += 30
	}
	switch d := a.Stage - b.Stage; {
	case d == 0:
		s += 15
	case d == 1 || d == -1:
		s += 25 // mentoring-ish gap is the sweet spot
	case d == 2 || d == -2:
		s += 10
	}
	for _, x := range a.Interests {
		for _, y := range b.Interests {
			if x == y {
				s += 15
			}
		}
	}
	return min(s, 100)
}

// Generate returns the instance with n people for the given seed.
func Generate(n int, seed uint64) Instance {
	rng := rand.New(rand.NewPCG(seed, 0x11a))
	// Zipf-skewed country sizes: P(country c) ∝ 1/(c+1)^1.1.
	cum := make([]float64, Countries)
	total := 0.0
	for c := range cum {
		total += math.Pow(float64(c+1), -1.1)
		cum[c] = total
	}
	people := make([]Person, n)
	for i := range people {
		r := rng.Float64() * total
		c := 0
		for c < Countries-1 && cum[c] < r {
			c++
		}
		p := Person{Country: c, Sector: rng.IntN(sectors), Stage: rng.IntN(stages)}
		for j := range p.Interests {
			p.Interests[j] = rng.IntN(interests)
		}
		people[i] = p
	}
	var edges []matching.Edge
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if people[i].Country != people[j].Country {
				edges = append(edges, matching.Edge{U: i, V: j, W: Score(people[i], people[j])})
			}
		}
	}
	return Instance{People: people, Edges: edges}
}
