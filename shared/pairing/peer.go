package pairing

import (
	"cmp"
	"errors"
	"math"
	"math/bits"
	"slices"
	"time"
)

// peerOutcome is the optimum of the peer sub-problem on the pool.
type peerOutcome struct {
	mate  []int   // pool index → pool index, or -1
	score []int64 // pool index → score with mate
	stats Stats
}

// errOverflow is returned when the cardinality-first weight transform
// would not fit in int64 (far beyond any real round).
var errOverflow = errors.New("pairing: round too large for the cardinality-first weight transform")

// cardinalityConstant returns C for the weight transform w' = C + score:
// C exceeds the largest possible total score of any matching, so one more
// pair always beats any score difference (maximum cardinality first, then
// maximum score). It checks that doubled duals stay far from overflow.
func cardinalityConstant(nPairs int, maxS int64) (int64, error) {
	hi, lo := bits.Mul64(uint64(nPairs+1), uint64(maxS+1))
	if hi != 0 || lo > math.MaxInt64/8 {
		return 0, errOverflow
	}
	C := int64(lo) + 1
	hi, lo = bits.Mul64(uint64(nPairs+1), uint64(C+maxS))
	if hi != 0 || lo > math.MaxInt64/8 {
		return 0, errOverflow
	}
	return C, nil
}

// roundMaxScore is an upper bound on any pair's score in this round.
func (rd *round) roundMaxScore() int64 {
	maxI := 0
	for i := range rd.people {
		maxI = max(maxI, rd.people[i].nInterest)
	}
	w := rd.w
	return int64(w.CareerStage) + int64(w.Sector) + int64(w.Interest)*int64(maxI) +
		int64(w.TimeZone)*maxTZHoursDiff + 2*int64(w.Preference)
}

// matchPeers finds a maximum-cardinality, then maximum-score matching of the
// pool over all feasible pairs without building them: it solves on each
// person's K best feasible candidates, prices every other pair against the
// dual solution (class bounds rule out almost all of them without an exact
// check), adds the violators and re-solves until none remain.
func (rd *round) matchPeers(pool []int) (*peerOutcome, error) {
	n := len(pool)
	out := &peerOutcome{mate: make([]int, n), score: make([]int64, n)}
	for i := range out.mate {
		out.mate[i] = -1
	}
	st := &out.stats
	st.CandidateK = rd.rules.CandidateK
	if n < 2 {
		st.Exact = true
		return out, nil
	}
	maxS := rd.roundMaxScore()
	bigC, err := cardinalityConstant(n/2, maxS)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	classes := rd.buildClasses(pool)
	// The class-pair bounds are computed once, by the candidate search, and
	// reused by every pricing round (when the matrix is of reasonable size).
	var cbm []int32
	if nc := len(classes); nc*nc <= rd.tune.classBoundCells && maxS < math.MaxInt32 {
		cbm = make([]int32, nc*nc)
		rd.cb = classBoundCache{classes: classes, m: cbm}
		defer func() { rd.cb = classBoundCache{} }()
	}
	lists := rd.peerCandidates(pool, classes, cbm)
	rd.tune.logf("peer: %d people, %d classes, top-%d candidates in %v", n, len(classes), rd.rules.CandidateK, time.Since(t0))
	sp := rd.newSparseProblem(pool, classes, lists)

	// The cardinality constant: bigC makes any extra pair outweigh every
	// score difference, so the optimum is maximum cardinality first by
	// construction. The solves are much faster with a small constant
	// (smallC = maxS + 1: the duals then carry far less cardinality
	// pressure), and its optimum is the same whenever it leaves nobody
	// matchable exposed (see perfect), which is the usual case; otherwise
	// the loop runs again with bigC.
	if smallC := maxS + 1; smallC < bigC {
		res := rd.solvePeers(sp, smallC)
		if res.perfect {
			return res.out, nil
		}
		rd.tune.logf("peer: C=%d leaves matchable people exposed; solving again with C=%d", smallC, bigC)
	}
	return rd.solvePeers(sp, bigC).out, nil
}

// peerCandidates returns each pool member's K best feasible candidates
// (pool positions), best first, and fills cbm (when not nil) with the
// class-pair bounds, classBound(classes[i], classes[j]) at i*len(classes)+j.
// People are handled class by class: the classes are ranked once per class
// by the class-pair bound, and each member scans them in that order until
// no class can beat its K-th best candidate.
func (rd *round) peerCandidates(pool []int, classes []*class, cbm []int32) [][]cand {
	K := rd.rules.CandidateK
	W := rd.words
	nc := len(classes)
	lists := make([][]cand, len(pool))
	parallel(len(classes), func(lo, hi int) {
		type cb struct {
			c  *class
			ub int64
			pb pairBounds
		}
		order := make([]cb, 0, len(classes))
		for ci := lo; ci < hi; ci++ {
			cu := classes[ci]
			order = order[:0]
			for cj, c := range classes {
				ub := rd.classBound(cu, c)
				if cbm != nil {
					cbm[ci*nc+cj] = int32(ub)
				}
				if ub >= 0 {
					order = append(order, cb{c, ub, rd.newPairBounds(cu, c)})
				}
			}
			// Bound descending, then class order (a total order: the same
			// result as a stable sort, without its merge cost).
			slices.SortFunc(order, func(a, b cb) int {
				if a.ub != b.ub {
					return cmp.Compare(b.ub, a.ub)
				}
				return cmp.Compare(a.c.idx, b.c.idx)
			})
			sameOK, needLang := rd.rules.Programme.SameCountryAllowed, rd.rules.Programme.RequireSharedLanguage
			for _, u32 := range cu.members {
				u := int(u32)
				pu := pool[u]
				p := &rd.people[pu]
				ui, pc, pl, blocked := p.interests, p.countryID, p.langs, len(p.blocked) > 0
				t := topK{k: K}
				for oi := range order {
					o := &order[oi]
					if t.full() && o.ub < t.worst() {
						break
					}
					// rd.bound(pu, o.c) from the class pair.
					if (!sameOK && o.c.onlyCountry == pc) || (needLang && pl.and(o.c.langs).empty()) {
						continue
					}
					b := o.pb.at(min(sharedCount(ui, o.c.union), o.c.maxN))
					if t.full() && b < t.worst() {
						continue
					}
					for j, v := range o.c.members {
						if int(v) == u {
							continue
						}
						// feasible (peer mode) from the class's parallel arrays
						// and u's own blocked list, without touching v's record.
						if (!sameOK && o.c.mCountry[j] == pc) || (needLang && o.c.mLangs[j].and(pl).empty()) {
							continue
						}
						h := tieHash(u, int(v))
						if t.full() {
							// Nobody here scores above b: push would reject
							// v if b is below the K-th best or ties it with a
							// worse hash.
							if wc := t.list[len(t.list)-1]; b < wc.s {
								break
							} else if b == wc.s && !better(cand{v, b, h}, wc) {
								continue
							}
						}
						if blocked && rd.isBlocked(pu, pool[v]) {
							continue
						}
						// score(pu, pv) from the class pair (which fixes stage,
						// sector, preference and offset) and v's interests
						// from the class's parallel array.
						t.push(cand{v, o.pb.at(sharedCount(ui, o.c.mInterests[j*W:(j+1)*W])), h})
					}
				}
				lists[u] = t.list
			}
		}
	})
	return lists
}

// newSparseProblem turns the candidate lists into the initial sparse graph
// and adds the dummies of the odd components.
func (rd *round) newSparseProblem(pool []int, classes []*class, lists [][]cand) *sparseProblem {
	sp := &sparseProblem{pool: pool, classes: classes}
	sp.dummies, sp.dummyEdges, sp.matchable = rd.oddComponentDummies(pool, lists)
	sp.edges = candidateEdges(lists) // last: lists can go once their pairs are in a map
	return sp
}

// candidateEdges returns the pairs of the candidate lists once each, sorted,
// weighted by their scores.
func candidateEdges(lists [][]cand) []edge {
	edgeSet := map[uint64]int64{}
	for u, l := range lists {
		for _, c := range l {
			edgeSet[pairKey(u, int(c.v))] = c.s
		}
	}
	keys := make([]uint64, 0, len(edgeSet))
	for k := range edgeSet {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	edges := make([]edge, len(keys))
	for i, k := range keys {
		edges[i] = edge{int(k >> 32), int(uint32(k)), edgeSet[k]}
	}
	return edges
}

// oddComponentDummies handles the odd one out: when a connected component
// of the feasibility graph has an odd number of people, a maximum matching
// must leave one of them exposed, and the dual then certifies it with one
// blossom spanning nearly the whole component (Gallai–Edmonds), which makes
// the solves and the pricing slow. For each such component a dummy vertex
// joined to all its members with weight C absorbs that person instead.
// Components are computed on (country, language set) groups ignoring
// previous partners and forbids, so each is a union of true components; an
// odd one always leaves someone exposed, the dummy can always take that
// person, and the real part of the optimum is unchanged.
//
// It returns the number of dummies (vertices n, n+1, …), their edges
// (weight 0: the solve adds C) and who has a feasible partner at all.
func (rd *round) oddComponentDummies(pool []int, lists [][]cand) (dummies int, dummyEdges []edge, matchable []bool) {
	n := len(pool)
	comp := rd.components(pool)
	compSize := map[int]int{}
	for u, l := range lists {
		if len(l) > 0 {
			compSize[comp[u]]++
		}
	}
	dummyOf := map[int]int{} // component → dummy vertex
	for _, u := range sortedKeys(compSize) {
		if compSize[u]%2 == 1 {
			dummyOf[u] = n + len(dummyOf)
		}
	}
	matchable = make([]bool, n)
	for u, l := range lists {
		matchable[u] = len(l) > 0
	}
	for u, l := range lists {
		if d, ok := dummyOf[comp[u]]; ok && len(l) > 0 {
			dummyEdges = append(dummyEdges, edge{u, d, 0})
		}
	}
	rd.tune.logf("peer: %d components with an odd number of matchable people get a dummy", len(dummyOf))
	return len(dummyOf), dummyEdges, matchable
}

// sparseProblem is the peer sub-problem as matchPeers prepares it: the
// initial candidate pairs (weights are scores) and the dummies that absorb
// the odd one out of each odd component (vertices n, n+1, …; their edges
// have weight 0 here).
type sparseProblem struct {
	pool       []int
	classes    []*class
	edges      []edge
	dummies    int
	dummyEdges []edge
	matchable  []bool // has a feasible partner
}

// components labels each pool position with a component of the
// feasibility graph computed on (country, language set) groups, ignoring
// previous partners and forbids (so every label is a union of true
// components).
func (rd *round) components(pool []int) []int {
	of, rep := rd.countryLangGroups(pool)
	parent := make([]int, len(rep))
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for a := range rep {
		for b := a; b < len(rep); b++ {
			if pb := &rd.people[rep[b]]; rd.classWhy(&rd.people[rep[a]], pb.countryID, pb.langs) == 0 {
				if ra, rb := find(a), find(b); ra != rb {
					parent[max(ra, rb)] = min(ra, rb)
				}
			}
		}
	}
	for i := range of {
		of[i] = find(of[i])
	}
	return of
}
