package roundgen

import (
	"math/rand/v2"

	"github.com/pairup/pairup/shared/matching"
)

// ILNGraph is an ILN-like round reduced to the weighted graph the matching core solves, for
// its benchmarks and cross-checks: n people from 85 countries with the ILN round's Zipf
// skew, each with one of 12 sectors, one of 5 career stages and 3 of 24 interests, and an
// edge for every pair from different countries weighted by graphScore (0..100). The graph
// is complete but for same-country pairs, and a pure function of (n, seed).
func ILNGraph(n int, seed uint64) []matching.Edge {
	const (
		countries = 85
		sectors   = 12
		stages    = 5
		interests = 24
	)
	r := rand.New(rand.NewPCG(seed, 0x11a))
	z := newZipf(countries, 1.1)
	people := make([]graphPerson, n)
	for i := range people {
		p := graphPerson{country: z.draw(r), sector: r.IntN(sectors), stage: r.IntN(stages)}
		for j := range p.interests {
			p.interests[j] = r.IntN(interests)
		}
		people[i] = p
	}
	var edges []matching.Edge
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if people[i].country != people[j].country {
				edges = append(edges, matching.Edge{U: i, V: j, W: graphScore(&people[i], &people[j])})
			}
		}
	}
	return edges
}

// graphPerson is a participant of ILNGraph.
type graphPerson struct {
	country, sector, stage int
	interests              [3]int
}

// graphScore is ILNGraph's pair score, an integer in 0..100: 30 for the same sector, 15 for
// the same career stage, 25 one stage apart, 10 two apart, 15 per shared interest.
func graphScore(a, b *graphPerson) int64 {
	s := int64(0)
	if a.sector == b.sector {
		s += 30
	}
	switch d := a.stage - b.stage; {
	case d == 0:
		s += 15
	case d == 1 || d == -1:
		s += 25
	case d == 2 || d == -2:
		s += 10
	}
	for _, x := range a.interests {
		for _, y := range b.interests {
			if x == y {
				s += 15
			}
		}
	}
	return min(s, 100)
}
