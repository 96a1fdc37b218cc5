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

	// Initial sparse graph: each person's K best feasible candidates.
	// People are handled class by class: the classes are ranked once per
	// class by the class-pair bound, and each member scans them in that
	// order until no class can beat its K-th best candidate.
	K := rd.rules.CandidateK
	W := rd.words
	lists := make([][]cand, n)
	// The class-pair bounds are computed once here and reused by every
	// pricing round (when the matrix is of reasonable size).
	nc := len(classes)
	var cbm []int32
	if nc*nc <= rd.tune.classBoundCells && maxS < math.MaxInt32 {
		cbm = make([]int32, nc*nc)
		rd.cb = classBoundCache{classes: classes, m: cbm}
		defer func() { rd.cb = classBoundCache{} }()
	}
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
	rd.tune.logf("peer: %d people, %d classes, top-%d candidates in %v", n, len(classes), K, time.Since(t0))
	edgeSet := map[uint64]int64{}
	for u, l := range lists {
		for _, c := range l {
			edgeSet[pairKey(u, int(c.v))] = c.s
		}
	}
	// The odd one out: when a connected component of the feasibility graph
	// has an odd number of people, a maximum matching must leave one of them
	// exposed, and the dual then certifies it with one blossom spanning
	// nearly the whole component (Gallai–Edmonds), which makes the solves and
	// the pricing slow. For each such component a dummy vertex joined to all
	// its members with weight C absorbs that person instead. Components are
	// computed on (country, language set) groups ignoring previous partners
	// and forbids, so each is a union of true components; an odd one always
	// leaves someone exposed, the dummy can always take that person, and
	// the real part of the optimum is unchanged.
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
	var dummyEdges []edge // weight 0 here: the solve adds C
	d0 := make([]bool, n) // has a feasible partner
	for u, l := range lists {
		d0[u] = len(l) > 0
	}
	for u, l := range lists {
		if d, ok := dummyOf[comp[u]]; ok && len(l) > 0 {
			dummyEdges = append(dummyEdges, edge{u, d, 0})
		}
	}
	rd.tune.logf("peer: %d components with an odd number of matchable people get a dummy", len(dummyOf))
	lists = nil
	keys := make([]uint64, 0, len(edgeSet))
	for k := range edgeSet {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	sparse := make([]edge, len(keys)) // scores: the solve adds C
	for i, k := range keys {
		sparse[i] = edge{int(k >> 32), int(uint32(k)), edgeSet[k]}
	}
	edgeSet = nil
	sp := &sparseProblem{pool: pool, classes: classes, edges: sparse, dummies: len(dummyOf), dummyEdges: dummyEdges, matchable: d0}

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

// peerSolve is one run of the solve–price loop with a given cardinality
// constant.
type peerSolve struct {
	out *peerOutcome
	// perfect: every matchable person is matched (to a person or to their
	// component's dummy). Every odd component leaves at least one person
	// exposed in any matching and a dummy takes at most one, so the
	// matching then has maximum cardinality; every maximum-cardinality
	// matching extends to a perfect one of the graph with dummies of the
	// same C-weight, so an optimum for w = C + score that is perfect is
	// also the best-scoring maximum-cardinality matching, whatever C is.
	perfect bool
}

// solvePeers runs the solve–price loop on sp with edge weights C + score
// (dummy edges C) until no violator is left or the round cap is reached.
func (rd *round) solvePeers(sp *sparseProblem, C int64) peerSolve {
	pool, classes, d0 := sp.pool, sp.classes, sp.matchable
	n := len(pool)
	out := &peerOutcome{mate: make([]int, n), score: make([]int64, n)}
	st := &out.stats
	st.CandidateK = rd.rules.CandidateK
	edges := make([]edge, len(sp.edges))
	inGraph := make(map[uint64]bool, len(sp.edges))
	for i, e := range sp.edges {
		inGraph[pairKey(e.u, e.v)] = true
		edges[i] = edge{e.u, e.v, C + e.w}
	}
	dummyEdges := make([]edge, len(sp.dummyEdges))
	for i, e := range sp.dummyEdges {
		dummyEdges[i] = edge{e.u, e.v, C + e.w}
	}

	// The first solve is cold; later rounds add the new edges to the solver,
	// which re-optimises from the previous matching and dual (warm start).
	var ws *warmSolver
	var added []edge
	// Incremental pricing. After a warm re-solve most duals are unchanged, so
	// a round first scans only the pairs with a "dirty" end: its Y fell by
	// more than dirtyDrop or its blossom cover fell since the last round, or
	// it had violators then (a heuristic: it finds most new violators
	// cheaply). When that finds nothing, an exact scan decides: a pair
	// priced by the last complete scan with its ends in different outermost
	// blossoms had slack Y[u] + Y[v] − 2w ≥ 0 then, and blossom duals are
	// never negative, so it can only be violated now if Y[u] or Y[v] fell
	// below its value at that scan. Scanning every person whose Y fell, who had violators at that
	// scan (their scan may have stopped early) or who was inside a
	// non-trivial outermost blossom then, therefore covers every possible
	// violator; a complete scan runs when that set is too large.
	var prevY, prevSig []int64
	var prevViol []bool
	var refY []int64 // Y at the last complete scan
	var refBad []bool
	for {
		st.PricingRounds++
		st.EdgesUsed = len(edges)
		t0 := time.Now()
		if ws == nil {
			ws = newWarmSolver(n+sp.dummies, append(edges, dummyEdges...))
		} else {
			ws.add(added)
		}
		mate, total, dual := ws.result()
		t1 := time.Now()
		sig := coverSig(dual, n)
		var near []edge
		var checked int64
		var scanned []bool // people whose pairs were all priced this round
		if prevY != nil {
			dirty := make([]bool, n)
			cnt := 0
			for v := range n {
				if dual.y[v] < prevY[v]-dirtyDrop || sig[v] < prevSig[v] || prevViol[v] {
					dirty[v] = true
					cnt++
				}
			}
			if cnt <= n/2 {
				near, checked = rd.pricePeersDirty(pool, classes, dual, C, lookahead, dirty)
				scanned = dirty
			}
			rd.tune.logf("peer: round %d: %d dirty people", st.PricingRounds, cnt)
		}
		viol := violators(near)
		certified := false // no violator is left (without a complete scan)
		if len(viol) == 0 && refY != nil {
			// The exact scan, skipping the people just scanned (no
			// violator was found, so their scans were complete).
			must := make([]bool, n)
			cnt := 0
			for v := range n {
				if (dual.y[v] < refY[v] || refBad[v]) && (scanned == nil || !scanned[v]) {
					must[v] = true
					cnt++
				}
			}
			rd.tune.logf("peer: round %d: %d people to price exactly", st.PricingRounds, cnt)
			if cnt <= n/2 {
				var c2 int64
				near, c2 = rd.pricePeersDirty(pool, classes, dual, C, lookahead, must)
				checked += c2
				viol = violators(near)
				certified = len(viol) == 0
				if certified {
					rd.tune.incrementalCertificates++
				}
			}
		}
		if len(viol) == 0 && !certified {
			var c2 int64
			near, c2 = rd.pricePeers(pool, classes, dual, C, lookahead)
			checked += c2
			viol = violators(near)
			refY = slices.Clone(dual.y[:n])
			refBad = make([]bool, n)
			for _, e := range viol {
				refBad[e.u], refBad[e.v] = true, true
			}
			for v, o := range dual.d.Outer[:n] {
				if o >= 0 {
					refBad[v] = true
				}
			}
		}
		prevY, prevSig = dual.y[:n], sig
		prevViol = make([]bool, n)
		for _, e := range viol {
			prevViol[e.u], prevViol[e.v] = true, true
		}
		exposed := 0
		for u := 0; u < n; u++ {
			if mate[u] < 0 && d0[u] {
				exposed++
			}
		}
		rd.tune.logf("peer: round %d: solve %d edges in %v (%d matchable left exposed), pricing checked %d pairs in %v, %d violators",
			st.PricingRounds, len(edges), t1.Sub(t0), exposed, checked, time.Since(t1), len(viol))
		st.PairsChecked += checked
		dualObj := dual.objective()
		if rd.tune.verifyPricing && len(viol) == 0 {
			missed := 0
			for u := 0; u < n; u++ {
				for v := u + 1; v < n; v++ {
					if rd.feasible(pool[u], pool[v]) && dual.slack(u, v, C+rd.score(pool[u], pool[v])) < 0 {
						missed++
					}
				}
			}
			rd.tune.logf("verify: %d violators missed by pricing", missed)
			rd.tune.verifyMissed += missed
		}
		if len(viol) == 0 || st.PricingRounds >= rd.rules.MaxPricingRounds {
			// Certified gap: make the dual feasible on the full graph by
			// raising one endpoint of every violated pair (a complete,
			// uncapped scan), then compare.
			if len(viol) > 0 {
				raise := make([]int64, n)
				rd.pricePeersScan(pool, classes, dual, C, 0, raise, nil)
				for _, d := range raise {
					dualObj += d // doubled units
				}
			}
			st.Gap = dualObj/2 - total
			if st.Gap < 0 {
				st.Gap = 0
			}
			st.Exact = len(viol) == 0 && st.Gap == 0
			perfect := true
			for u, v := range mate[:n] {
				if v < 0 && d0[u] {
					perfect = false
				}
				if v >= n { // a dummy
					v = -1
				}
				out.mate[u] = v
				if v >= 0 {
					out.score[u] = rd.score(pool[u], pool[v])
				}
			}
			return peerSolve{out: out, perfect: perfect}
		}
		added = added[:0]
		for _, e := range partialPricing(near, n, maxViolatorsPerVertex) {
			if k := pairKey(e.u, e.v); !inGraph[k] {
				inGraph[k] = true
				e := edge{e.u, e.v, C + rd.score(pool[e.u], pool[e.v])}
				edges = append(edges, e)
				added = append(added, e)
			}
		}
	}
}

// pricePeers returns every feasible pair {u, v} (u < v, pool indices) whose
// slack under the dual is below margin (edge.w holds the doubled slack),
// sorted, and how many pairs needed an exact check. At most
// tuning.maxFound pairs are reported per person (a complete scan whenever
// nothing is found).
//
// The slack of {u, v} is Y[u] + Y[v] + Σ{Z_B : u, v ∈ B} − 2w. People are
// split into groups: each large outermost blossom is a group, everybody
// else is group 0. Inside a large blossom O every pair gets at least Z_O,
// so members are keyed by Y + ⌊Z_O/2⌋; across groups no blossom holds both,
// so the raw Y is exact. Within a group, each class's members are sorted by
// key; a pair of class lists is skipped when even their smallest keys cover
// the class-pair bound, and otherwise each scan stops at the first member
// whose key rules out a violation. Only the pairs left get an exact check.
func (rd *round) pricePeers(pool []int, classes []*class, d dualSol, C, margin int64) ([]edge, int64) {
	return rd.pricePeersScan(pool, classes, d, C, margin, nil, nil)
}

// pricePeersDirty is pricePeers restricted to the pairs with at least one
// endpoint marked dirty (a heuristic partial scan: only a complete scan can
// prove that no violator is left).
func (rd *round) pricePeersDirty(pool []int, classes []*class, d dualSol, C, margin int64, dirty []bool) ([]edge, int64) {
	return rd.pricePeersScan(pool, classes, d, C, margin, nil, dirty)
}

// pricePeersScan is pricePeers; with raise non-nil it instead records, for
// each person on the scanning side, the largest deficit (−slack) of their
// violated pairs, with no cap, and returns no pairs: raising Y by it makes
// the dual feasible for the full graph.
//
// With dirty non-nil only the pairs with a dirty endpoint are scanned: each
// dirty person against every class list of every group.
func (rd *round) pricePeersScan(pool []int, classes []*class, d dualSol, C, margin int64, raise []int64, dirty []bool) ([]edge, int64) {
	n := len(pool)
	// Groups.
	outerSize := make([]int, len(d.d.Blossoms))
	for _, o := range d.d.Outer {
		if o >= 0 {
			outerSize[o]++
		}
	}
	bigMin := max(64, n/50)
	groupOf := make([]int, len(d.d.Blossoms)) // outer blossom → group
	shifts := []int64{0}
	for b, sz := range outerSize {
		if sz >= bigMin {
			groupOf[b] = len(shifts)
			shifts = append(shifts, d.d.Blossoms[b].Z/2)
		}
	}
	group := make([]int, n)
	key := make([]int64, n)
	for v := 0; v < n; v++ {
		if o := d.d.Outer[v]; o >= 0 {
			group[v] = groupOf[o]
		}
		key[v] = d.y[v] + shifts[group[v]]
	}
	W := rd.words
	nTopics := len(rd.interestNames)
	// Per group, per class: the members sorted by key, with everything the
	// scans read about them in parallel arrays. A scan goes over one list
	// pair member by member, so reading only the two lists' arrays keeps
	// it in cache (a person's record is read only for the rare pair that
	// gets past the dual test).
	type topicList struct {
		lo int64   // smallest key in at (MaxInt64 when empty)
		at []int32 // positions of the members with the topic, by key
	}
	type plist struct {
		c       *class
		members []int32   // pool positions, by key
		keys    []int64   // keys[j] = key[members[j]]
		langs   []langSet // members[j]'s languages
		country []int32   // members[j]'s country
		intr    []uint64  // members[j]'s interests: intr[j*W : (j+1)*W]
		minKey  int64
		topics  []topicList // topic → members with it (b side only)
		found   []uint8     // violators found for members[j] (a side)
		near    []uint8     // tight pairs kept for members[j] (a side)
	}
	makeList := func(c *class, m []int32, withTopics bool) plist {
		pl := plist{c: c, members: m, keys: make([]int64, len(m)), langs: make([]langSet, len(m)),
			country: make([]int32, len(m)), intr: make([]uint64, len(m)*W), minKey: key[m[0]],
			found: make([]uint8, len(m)), near: make([]uint8, len(m))}
		for j, v := range m {
			p := &rd.people[pool[v]]
			pl.keys[j], pl.langs[j], pl.country[j] = key[v], p.langs, p.countryID
			copy(pl.intr[j*W:(j+1)*W], p.interests)
		}
		if withTopics {
			pl.topics = make([]topicList, nTopics)
			for j := range m { // by key, so every topic list is too
				for w, x := range pl.intr[j*W : (j+1)*W] {
					for ; x != 0; x &= x - 1 {
						t := w*64 + bits.TrailingZeros64(x)
						pl.topics[t].at = append(pl.topics[t].at, int32(j))
					}
				}
			}
			for t := range pl.topics {
				pl.topics[t].lo = math.MaxInt64
				if at := pl.topics[t].at; len(at) > 0 {
					pl.topics[t].lo = pl.keys[at[0]]
				}
			}
		}
		return pl
	}
	lists := make([][]plist, len(shifts))
	dlists := make([][]plist, len(shifts)) // dirty members only (a side)
	for _, c := range classes {
		byG := map[int][]int32{}
		var gs []int
		for _, v := range c.members {
			g := group[v]
			if _, ok := byG[g]; !ok {
				gs = append(gs, g)
			}
			byG[g] = append(byG[g], v)
		}
		slices.Sort(gs)
		for _, g := range gs {
			m := byG[g]
			slices.SortFunc(m, func(a, b int32) int {
				if key[a] != key[b] {
					return cmp.Compare(key[a], key[b])
				}
				return cmp.Compare(a, b)
			})
			lists[g] = append(lists[g], makeList(c, m, true))
			if dirty != nil {
				var dm []int32
				for _, v := range m {
					if dirty[v] {
						dm = append(dm, v)
					}
				}
				if len(dm) > 0 {
					dlists[g] = append(dlists[g], makeList(c, dm, false))
				}
			}
		}
	}
	type task struct{ g, i int }
	var tasks []task
	aLists := lists
	if dirty != nil {
		aLists = dlists
	}
	for g := range aLists {
		for i := range aLists[g] {
			tasks = append(tasks, task{g, i})
		}
	}
	found := make([][]edge, len(tasks))
	checked := make([]int64, len(tasks))
	sameOK := rd.rules.Programme.SameCountryAllowed
	needLang := rd.rules.Programme.RequireSharedLanguage
	maxFound := rd.tune.maxFound
	// scan prices every pair of a member of a with a member of b (for a
	// list against itself, each pair once).
	scan := func(ti int, a, b *plist, subA, subB int64, same bool) {
		ub := rd.cb.bound(rd, a.c, b.c)
		if ub < 0 || a.minKey-subA+b.minKey-subB >= 2*C+2*ub+margin {
			return
		}
		bMin := b.minKey - subB
		// The two classes fix every term of the score but the shared
		// interests: score(u, v) = pb.at(shared interests).
		pb := rd.newPairBounds(a.c, b.c)
		b0 := pb.at(0)
		wI := pb.wI
		for i, u32 := range a.members {
			if a.found[i] >= maxFound {
				continue
			}
			ku := a.keys[i] - subA
			if bMin >= 2*C+2*ub+margin-ku {
				break
			}
			cu, ul := a.country[i], a.langs[i]
			if (!sameOK && b.c.onlyCountry == cu) || (needLang && ul.and(b.c.langs).empty()) {
				continue
			}
			u := int(u32)
			ui := a.intr[i*W : (i+1)*W]
			sMax := min(sharedCount(ui, b.c.union), b.c.maxN)
			bu := pb.at(sMax)
			// Members sharing no interest with u score at most b0: one scan
			// of all members up to the tight threshold t0 covers them (and
			// checks exactly whatever it meets). Members sharing interests
			// beyond t0 are reached through the topic lists, each from its
			// lowest shared topic only.
			t0 := 2*C + 2*b0 + margin - ku
			try := func(j int) bool { // false: stop scanning u
				checked[ti]++
				if (!sameOK && b.country[j] == cu) || (needLang && ul.and(b.langs[j]).empty()) {
					return true
				}
				w := C + pb.at(sharedCount(ui, b.intr[j*W:(j+1)*W]))
				if ku+b.keys[j]-subB-2*w >= margin {
					return true
				}
				v := int(b.members[j])
				if rd.isBlocked(pool[u], pool[v]) {
					return true
				}
				sl := d.slack(u, v, w)
				if sl >= margin {
					return true
				}
				if raise != nil {
					if sl < 0 && -sl > raise[u] {
						raise[u] = -sl
					}
					return true
				}
				x, y := u, v
				if x > y {
					x, y = y, x
				}
				if sl >= 0 { // tight, not violated: a few, and keep scanning
					if a.near[i] < maxNearPerVertex {
						a.near[i]++
						found[ti] = append(found[ti], edge{x, y, sl})
					}
					return true
				}
				found[ti] = append(found[ti], edge{x, y, sl})
				a.found[i]++
				return a.found[i] < maxFound
			}
			more := true
			for j, v := range b.members {
				if b.keys[j]-subB >= t0 {
					break
				}
				if needLang && ul.and(b.langs[j]).empty() {
					continue
				}
				if int(v) == u || (same && int(v) < u) {
					continue
				}
				if more = try(j); !more {
					break
				}
			}
			if !more || bu <= b0 {
				continue
			}
			t := 2*C + 2*bu + margin - ku
			// A member sharing s ≥ 1 interests with u scores at most
			// bu − Interest·(sMax − s) (the class fixes every other term),
			// so it needs an exact check only below that threshold.
			for wi, x := range ui {
				x &= b.c.union[wi]
				for ; x != 0 && more; x &= x - 1 {
					tp := wi*64 + bits.TrailingZeros64(x)
					tl := &b.topics[tp]
					if tl.lo-subB >= t {
						continue // nobody in this list is below t
					}
					lst := tl.at
					// Members below t0 were covered by the first scan: start
					// at the first key ≥ t0 (the list is sorted by key).
					// Galloping search: most lists have few members below t0.
					lo, hi := 0, len(lst)
					if tl.lo-subB < t0 {
						for step := 1; lo+step < hi; step *= 2 {
							if b.keys[lst[lo+step]]-subB >= t0 {
								hi = lo + step
								break
							}
							lo += step
						}
						for lo < hi {
							if h := int(uint(lo+hi) >> 1); b.keys[lst[h]]-subB < t0 {
								lo = h + 1
							} else {
								hi = h
							}
						}
					}
					for _, j32 := range lst[lo:] {
						j := int(j32)
						kv := b.keys[j] - subB
						if kv >= t {
							break
						}
						v := int(b.members[j])
						if v == u || (same && v < u) {
							continue
						}
						low, sh := lowestSharedCount(ui, b.intr[j*W:(j+1)*W])
						if low != tp || kv >= t-2*wI*int64(sMax-sh) {
							continue
						}
						if more = try(j); !more {
							break
						}
					}
				}
			}
		}
	}
	parallel(len(tasks), func(lo, hi int) {
		for ti := lo; ti < hi; ti++ {
			g, i := tasks[ti].g, tasks[ti].i
			if dirty != nil {
				// A dirty person against everybody (pairs with two dirty
				// ends are found twice and merged below).
				a := &dlists[g][i]
				for g2 := range lists {
					subA, subB := int64(0), int64(0)
					if g2 != g {
						subA, subB = shifts[g], shifts[g2]
					}
					for j := range lists[g2] {
						scan(ti, a, &lists[g2][j], subA, subB, false)
					}
				}
				continue
			}
			a := &lists[g][i]
			// Same group: keys include the group's blossom share (0 for group 0).
			for j := i; j < len(lists[g]); j++ {
				scan(ti, a, &lists[g][j], 0, 0, j == i)
			}
			// Later groups: raw duals.
			for g2 := g + 1; g2 < len(lists); g2++ {
				for j := range lists[g2] {
					scan(ti, a, &lists[g2][j], shifts[g], shifts[g2], false)
				}
			}
		}
	})
	var all []edge
	var total int64
	for ti := range found {
		all = append(all, found[ti]...)
		total += checked[ti]
	}
	slices.SortFunc(all, func(a, b edge) int {
		if a.u != b.u {
			return cmp.Compare(a.u, b.u)
		}
		return cmp.Compare(a.v, b.v)
	})
	all = slices.CompactFunc(all, func(a, b edge) bool { return a.u == b.u && a.v == b.v })
	rd.tune.logf("pricing: %d groups (large blossoms ≥ %d)", len(shifts)-1, bigMin)

	return all, total
}

// classBoundCache holds classBound(classes[i], classes[j]) at
// m[i*len(classes)+j] (−1: no feasible pair).
type classBoundCache struct {
	classes []*class
	m       []int32
}

// bound returns classBound(a, b), from the matrix when both are its classes.
func (c *classBoundCache) bound(rd *round, a, b *class) int64 {
	if n := len(c.classes); c.m != nil && a.idx < n && b.idx < n && c.classes[a.idx] == a && c.classes[b.idx] == b {
		return int64(c.m[a.idx*n+b.idx])
	}
	return rd.classBound(a, b)
}

// maxViolatorsPerVertex limits how many violated pairs each person brings
// into the next solve (partial pricing): coarse integer scores tie a lot,
// so the first pricing round can find tens of violators per person of
// which the optimum needs few; adding all of them mostly makes the solves
// slower. Exactness is unaffected: the loop only stops when no violator
// remains.
const maxViolatorsPerVertex = 4

// maxNearPerVertex bounds the tight (slack 0) pairs kept per person for
// the lookahead; they never stop a scan, so no violator is missed.
const maxNearPerVertex = 4

// dirtyDrop is how far (doubled units) a person's Y must fall in a round
// for the heuristic scan of the next round to include them. Falls of one
// score point or less can only break pairs that were that close to tight,
// which the lookahead pairs mostly cover, and after a warm re-solve tens of
// thousands of people move by that little; skipping them halves the late
// rounds' scans. The exact incremental scan (which ignores this) still
// decides when the heuristic finds nothing. Measured on Peer100000: 1 or 8
// gave 63 s, 2 and 4 gave 54–56 s, 0 (every fall) 59.6–63.5 s.
const dirtyDrop = 2

// lookahead (doubled slack units) also brings pairs that are tight or
// nearly so into the next solve when there are violators, since the next
// duals tend to violate them.
const lookahead = 1

// partialPricing keeps the violators that are among the most violated
// (most negative slack; ties by pair) of at least one endpoint.
func partialPricing(viol []edge, n, per int) []edge {
	if len(viol) <= per {
		return viol
	}
	sorted := slices.Clone(viol)
	slices.SortFunc(sorted, func(a, b edge) int {
		if a.w != b.w {
			return cmp.Compare(a.w, b.w)
		}
		if a.u != b.u {
			return cmp.Compare(a.u, b.u)
		}
		return cmp.Compare(a.v, b.v)
	})
	cnt := make([]uint8, n)
	out := sorted[:0]
	for _, e := range sorted {
		if int(cnt[e.u]) < per || int(cnt[e.v]) < per {
			out = append(out, e)
			cnt[e.u]++
			cnt[e.v]++
		}
	}
	return out
}

// components labels each pool position with a component of the
// feasibility graph computed on (country, language set) groups, ignoring
// previous partners and forbids (so every label is a union of true
// components).
func (rd *round) components(pool []int) []int {
	type key struct {
		c int32
		l langSet
	}
	gid := map[key]int{}
	var reps []*person
	of := make([]int, len(pool))
	for i, u := range pool {
		p := &rd.people[u]
		k := key{p.countryID, p.langs}
		g, ok := gid[k]
		if !ok {
			g = len(reps)
			gid[k] = g
			reps = append(reps, p)
		}
		of[i] = g
	}
	parent := make([]int, len(reps))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for a := range reps {
		for b := a; b < len(reps); b++ {
			if rd.classWhy(reps[a], reps[b].countryID, reps[b].langs) == 0 {
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

// violators returns the pairs with negative slack.
func violators(near []edge) []edge {
	var viol []edge
	for _, e := range near {
		if e.w < 0 {
			viol = append(viol, e)
		}
	}
	return viol
}

// coverSig returns, per person, the sum of Z over the blossoms covering
// them: a decrease marks the person dirty for incremental pricing.
func coverSig(d dualSol, n int) []int64 { return d.d.CoverSums()[:n] }

// lowestSharedCount returns the lowest topic both sets hold (or -1) and how
// many they share.
func lowestSharedCount(a, b []uint64) (int, int) {
	low, n := -1, 0
	for w := range a {
		if x := a[w] & b[w]; x != 0 {
			if low < 0 {
				low = w*64 + bits.TrailingZeros64(x)
			}
			n += bits.OnesCount64(x)
		}
	}
	return low, n
}
