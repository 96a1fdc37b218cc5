package pairing

import (
	"runtime"
	"sort"
	"sync"
)

// class groups the people of a sub-problem (the pool) whose scores against
// anybody are equal up to their interests and languages: same sector,
// career stage, preference and UTC offset. A class knows the union of its
// members' interests and languages, so the score of anybody with any member
// of the class has a cheap upper bound (bound). Both the top-K candidate
// search and the dual pricing work class by class and only look at the
// members of classes whose bound leaves room.
type class struct {
	sector, stage, pref int8
	tz                  int32
	onlyCountry         int32 // the members' country when they all share one, else -1
	members             []int32
	mCountry            []int32   // members' countryID, parallel to members (cache-friendly pre-checks)
	mLangs              []langSet // members' languages, parallel to members
	mInterests          []uint64  // members' interest sets, round.words words each, parallel to members
	union               []uint64
	maxN                int
	langs               langSet
	byDual              []int32 // members sorted by dual value (pricing)
	idx                 int     // position in the buildClasses list
}

type classKey struct {
	sector, stage, pref int8
	tz                  int32
}

// buildClasses groups the pool (indices into rd.people) into classes.
// Members are pool positions (indices into pool).
func (rd *round) buildClasses(pool []int) []*class {
	m := map[classKey]*class{}
	var list []*class
	for pi, i := range pool {
		p := &rd.people[i]
		k := classKey{p.sector, p.stage, p.pref, p.tzMin}
		c := m[k]
		if c == nil {
			c = &class{sector: p.sector, stage: p.stage, pref: p.pref, tz: p.tzMin,
				onlyCountry: p.countryID, union: make([]uint64, rd.words)}
			m[k] = c
			list = append(list, c)
		}
		c.members = append(c.members, int32(pi))
		c.mCountry = append(c.mCountry, p.countryID)
		c.mLangs = append(c.mLangs, p.langs)
		c.mInterests = append(c.mInterests, p.interests...)
		for w := range c.union {
			c.union[w] |= p.interests[w]
		}
		c.maxN = max(c.maxN, p.nInterest)
		c.langs = c.langs.or(p.langs)
		if c.onlyCountry != p.countryID {
			c.onlyCountry = -1
		}
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		switch {
		case a.sector != b.sector:
			return a.sector < b.sector
		case a.stage != b.stage:
			return a.stage < b.stage
		case a.pref != b.pref:
			return a.pref < b.pref
		}
		return a.tz < b.tz
	})
	for i, c := range list {
		c.idx = i
	}
	return list
}

// countryLangGroups groups people (person indices) by country and language
// set, which decide feasibility between whole groups: group[i] is the group
// of people[i], and rep[g] the first member of group g, groups numbered in
// order of first appearance.
func (rd *round) countryLangGroups(people []int) (group, rep []int) {
	type key struct {
		c int32
		l langSet
	}
	ids := map[key]int{}
	group = make([]int, len(people))
	for i, u := range people {
		p := &rd.people[u]
		k := key{p.countryID, p.langs}
		g, ok := ids[k]
		if !ok {
			g = len(rep)
			ids[k] = g
			rep = append(rep, u)
		}
		group[i] = g
	}
	return group, rep
}

// bound is an upper bound on score(u, v) over the members v of c that u
// may be paired with, or -1 when the class holds nobody feasible for u by
// country or language. In mentor mode u is the mentee and the class holds
// mentors.
func (rd *round) bound(u int, c *class, uIsMentee bool) int64 {
	if !rd.feasibleWithClass(u, c) {
		return -1
	}
	return rd.scoreWithClass(u, c, uIsMentee, min(sharedCount(rd.people[u].interests, c.union), c.maxN))
}

// classBound is an upper bound on the score of any member of a with any
// member of b (peer mode), or -1 when no pair between them is feasible by
// country or language.
func (rd *round) classBound(a, b *class) int64 {
	if !rd.rules.Programme.SameCountryAllowed && a.onlyCountry >= 0 && a.onlyCountry == b.onlyCountry {
		return -1
	}
	if rd.rules.Programme.RequireSharedLanguage && a.langs.and(b.langs).empty() {
		return -1
	}
	return rd.scoreOf(a.stage, a.sector, a.pref, a.tz, b.stage, b.sector, b.pref, b.tz,
		min(sharedCount(a.union, b.union), a.maxN, b.maxN))
}

// feasibleWithClass reports whether c may hold anybody u can be paired with, by
// country and language.
func (rd *round) feasibleWithClass(u int, c *class) bool {
	return rd.classWhy(&rd.people[u], c.onlyCountry, c.langs) == 0
}

// scoreWithClass is the score of u with a member of c who shares `shared`
// interests with u (in mentor mode, u the mentee and c's members mentors).
func (rd *round) scoreWithClass(u int, c *class, uIsMentee bool, shared int) int64 {
	a := &rd.people[u]
	if uIsMentee {
		return rd.scoreOf(c.stage, c.sector, c.pref, c.tz, a.stage, a.sector, a.pref, a.tzMin, shared)
	}
	return rd.scoreOf(a.stage, a.sector, a.pref, a.tzMin, c.stage, c.sector, c.pref, c.tz, shared)
}

// pairBounds is bound (peer mode) for every member of class a against
// class b at once, and the exact score of any pair between them: the two
// classes fix everything but the number of shared interests, so per person
// only feasibility and that count remain.
type pairBounds struct {
	fit          int
	same         bool
	s            int64 // career-stage, sector and time-zone points
	aPref, bPref int8
	wI, wP       int64
}

func (rd *round) newPairBounds(a, b *class) pairBounds {
	w := &rd.w
	fit := careerFitStages(rd.rules.Mode, a.stage, b.stage)
	p := pairBounds{fit: fit, same: a.sector >= 0 && a.sector == b.sector, aPref: a.pref, bPref: b.pref,
		wI: int64(w.Interest), wP: int64(w.Preference)}
	p.s = careerPoints(w.CareerStage, fit) + int64(w.TimeZone)*int64(maxTZHoursDiff-tzHours(a.tz, b.tz))
	if p.same {
		p.s += int64(w.Sector)
	}
	return p
}

// at is the score of a member of a and a member of b who share `shared`
// interests, so also bound(u, b) for shared = min(|I(u) ∩ union(b)|, maxN(b)).
func (p *pairBounds) at(shared int) int64 {
	s := p.s + p.wI*int64(shared)
	if prefSatisfied(p.aPref, p.fit, p.same, shared) {
		s += p.wP
	}
	if prefSatisfied(p.bPref, p.fit, p.same, shared) {
		s += p.wP
	}
	return s
}

// cand is a scored candidate; h is a deterministic pseudo-random tie-breaker
// (tieHash of the pair), so equal-score candidates are spread over the
// round instead of piling onto the smallest IDs.
type cand struct {
	v int32
	s int64
	h uint64
}

// tieHash mixes an unordered pair of indices (splitmix64 finaliser).
func tieHash(a, b int) uint64 {
	if a > b {
		a, b = b, a
	}
	x := uint64(a)<<32 | uint64(uint32(b))
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// topK keeps the k best candidates by score (ties: smaller tie hash, then
// smaller v).
type topK struct {
	k    int
	list []cand // sorted best first
}

func better(a, b cand) bool {
	if a.s != b.s {
		return a.s > b.s
	}
	if a.h != b.h {
		return a.h < b.h
	}
	return a.v < b.v
}

func (t *topK) full() bool { return len(t.list) >= t.k }
func (t *topK) worst() int64 {
	return t.list[len(t.list)-1].s
}
func (t *topK) push(c cand) {
	if t.full() && !better(c, t.list[len(t.list)-1]) {
		return
	}
	if !t.full() {
		t.list = append(t.list, c)
	} else {
		t.list[len(t.list)-1] = c
	}
	for i := len(t.list) - 1; i > 0 && better(t.list[i], t.list[i-1]); i-- {
		t.list[i], t.list[i-1] = t.list[i-1], t.list[i]
	}
}

// parallel runs f(lo, hi) over [0, n) in chunks on all cores. Each index is
// handled by exactly one call, so results written per index are
// deterministic.
func parallel(n int, f func(lo, hi int)) {
	workers := runtime.GOMAXPROCS(0)
	if n < 256 || workers < 2 {
		f(0, n)
		return
	}
	chunk := 64
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				lo := next
				next += chunk
				mu.Unlock()
				if lo >= n {
					return
				}
				f(lo, min(lo+chunk, n))
			}
		}()
	}
	wg.Wait()
}
