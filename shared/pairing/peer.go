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
	C, err := cardinalityConstant(n/2, maxS)
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
	if nc*nc <= maxClassBoundCells && maxS < math.MaxInt32 {
		cbm = make([]int32, nc*nc)
		rd.cb = classBoundCache{classes: classes, m: cbm}
		defer func() { rd.cb = classBoundCache{} }()
	}
	parallel(len(classes), func(lo, hi int) {
		type cb struct {
			c  *class
			ub int64
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
					order = append(order, cb{c, ub})
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
			for _, u32 := range cu.members {
				u := int(u32)
				pu := pool[u]
				ui := rd.people[pu].interests
				t := topK{k: K}
				for _, o := range order {
					if t.full() && o.ub < t.worst() {
						break
					}
					b := rd.bound(pu, o.c, false)
					if b < 0 || (t.full() && b < t.worst()) {
						continue
					}
					pc, pl := rd.people[pu].countryID, rd.people[pu].langs
					for j, v := range o.c.members {
						if int(v) == u {
							continue
						}
						// feasible (peer mode) from the class's parallel arrays
						// and u's own blocked list, without touching v's record.
						if (!rd.rules.SameCountryAllowed && o.c.mCountry[j] == pc) ||
							(rd.rules.RequireSharedLanguage && o.c.mLangs[j].and(pl).empty()) {
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
						pv := pool[v]
						if rd.isBlocked(pu, pv) {
							continue
						}
						// score(pu, pv) from the classes (which fix stage,
						// sector, preference and offset) and v's interests
						// from the class's parallel array.
						s := rd.scoreOf(cu.stage, cu.sector, cu.pref, cu.tz, o.c.stage, o.c.sector, o.c.pref, o.c.tz,
							sharedCount(ui, o.c.mInterests[j*W:(j+1)*W]))
						t.push(cand{v, s, h})
					}
				}
				lists[u] = t.list
			}
		}
	})
	debugf("peer: %d people, %d classes, top-%d candidates in %v", n, len(classes), K, time.Since(t0))
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
	var dummyEdges []edge
	d0 := make([]bool, n) // has a feasible partner
	for u, l := range lists {
		d0[u] = len(l) > 0
	}
	for u, l := range lists {
		if d, ok := dummyOf[comp[u]]; ok && len(l) > 0 {
			dummyEdges = append(dummyEdges, edge{u, d, C})
		}
	}
	debugf("peer: %d components with an odd number of matchable people get a dummy", len(dummyOf))
	lists = nil
	keys := make([]uint64, 0, len(edgeSet))
	for k := range edgeSet {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	edges := make([]edge, len(keys))
	inGraph := make(map[uint64]bool, len(keys))
	for i, k := range keys {
		inGraph[k] = true
		edges[i] = edge{int(k >> 32), int(uint32(k)), C + edgeSet[k]}
	}
	edgeSet = nil

	// The first solve is cold; later rounds add the new edges to the solver,
	// which re-optimises from the previous matching and dual (warm start).
	var ws *warmSolver
	var added []edge
	// Incremental pricing: after a warm re-solve most duals are unchanged, so
	// a round first scans only the pairs with a "dirty" end (its Y fell, its
	// blossom cover changed, or it had violators last round); only when that
	// finds nothing does a complete scan decide (exactness never relies on
	// the dirty marks).
	var prevY, prevSig []int64
	var prevViol []bool
	for {
		st.PricingRounds++
		st.EdgesUsed = len(edges)
		t0 = time.Now()
		if ws == nil {
			ws = newWarmSolver(n+len(dummyOf), append(edges, dummyEdges...))
		} else {
			ws.add(added)
		}
		mate, total, dual := ws.result()
		t1 := time.Now()
		sig := coverSig(dual, n)
		var dirty []bool
		if prevY != nil {
			dirty = make([]bool, n)
			cnt := 0
			for v := range n {
				if dual.y[v] < prevY[v] || sig[v] < prevSig[v] || prevViol[v] {
					dirty[v] = true
					cnt++
				}
			}
			debugf("peer: round %d: %d dirty people", st.PricingRounds, cnt)
			if cnt > n/2 {
				dirty = nil
			}
		}
		var near []edge
		var checked int64
		if dirty != nil {
			near, checked = rd.pricePeersDirty(pool, classes, dual, C, lookahead, dirty)
		}
		viol := violators(near)
		if len(viol) == 0 {
			var c2 int64
			near, c2 = rd.pricePeers(pool, classes, dual, C, lookahead)
			checked += c2
			viol = violators(near)
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
		debugf("peer: round %d: solve %d edges in %v (%d matchable left exposed), pricing checked %d pairs in %v, %d violators",
			st.PricingRounds, len(edges), t1.Sub(t0), exposed, checked, time.Since(t1), len(viol))
		st.PairsChecked += checked
		dualObj := dual.objective()
		if verifyPricing && len(viol) == 0 {
			missed := 0
			for u := 0; u < n; u++ {
				for v := u + 1; v < n; v++ {
					if rd.feasible(pool[u], pool[v]) && dual.slack(u, v, C+rd.score(pool[u], pool[v])) < 0 {
						missed++
					}
				}
			}
			debugf("verify: %d violators missed by pricing", missed)
			verifyMissed += missed
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
			for u, v := range mate[:n] {
				if v >= n { // a dummy
					v = -1
				}
				out.mate[u] = v
				if v >= 0 {
					out.score[u] = rd.score(pool[u], pool[v])
				}
			}
			return out, nil
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
// maxFoundPerVertex pairs are reported per person (a complete scan whenever
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
	country := make([]int32, n) // pool position → countryID (cache-friendly pre-check)
	for v := range n {
		country[v] = rd.people[pool[v]].countryID
	}
	for v := 0; v < n; v++ {
		if o := d.d.Outer[v]; o >= 0 {
			group[v] = groupOf[o]
		}
		key[v] = d.y[v] + shifts[group[v]]
	}
	// Interest sets in pool order, contiguous (the topic scans compare them
	// for many members without loading each member's record).
	W := rd.words
	intr := make([]uint64, n*W)
	for v := range n {
		copy(intr[v*W:(v+1)*W], rd.people[pool[v]].interests)
	}
	// Per group, per class: members sorted by key.
	type tentry struct {
		k int64 // key of v
		v int32
	}
	type plist struct {
		c       *class
		members []int32
		keys    []int64 // keys[i] = key[members[i]]
		minKey  int64
		byTopic [][]tentry // topic → members with it, sorted by key (nil when none)
		topicLo []int64    // topic → smallest key in byTopic (MaxInt64 when none)
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
			ks := make([]int64, len(m))
			for i, v := range m {
				ks[i] = key[v]
			}
			pl := plist{c: c, members: m, keys: ks, minKey: key[m[0]], byTopic: make([][]tentry, len(rd.interestNames))}
			pl.topicLo = make([]int64, len(pl.byTopic))
			for _, v := range m { // m is sorted, so every topic list is too
				for w, x := range intr[int(v)*W : (int(v)+1)*W] {
					for ; x != 0; x &= x - 1 {
						t := w*64 + bits.TrailingZeros64(x)
						pl.byTopic[t] = append(pl.byTopic[t], tentry{key[v], v})
					}
				}
			}
			for t, l := range pl.byTopic {
				pl.topicLo[t] = math.MaxInt64
				if len(l) > 0 {
					pl.topicLo[t] = l[0].k
				}
			}
			lists[g] = append(lists[g], pl)
			if dirty != nil {
				var dm []int32
				for _, v := range m {
					if dirty[v] {
						dm = append(dm, v)
					}
				}
				if len(dm) > 0 {
					dlists[g] = append(dlists[g], plist{c: c, members: dm, minKey: key[dm[0]]})
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
	perU := make([]uint8, n)  // violators found for u on the a side (one task per u)
	nearU := make([]uint8, n) // tight pairs kept for u
	scan := func(ti int, a, b *plist, subA, subB int64, same bool) {
		ub := rd.cb.bound(rd, a.c, b.c)
		if ub < 0 || a.minKey-subA+b.minKey-subB >= 2*C+2*ub+margin {
			return
		}
		bMin := b.minKey - subB
		for _, u32 := range a.members {
			u := int(u32)
			if perU[u] >= maxFoundPerVertex {
				continue
			}
			ku := key[u] - subA
			if bMin >= 2*C+2*ub+margin-ku {
				break
			}
			pu := pool[u]
			bu, b0 := rd.bounds(pu, b.c, false)
			if bu < 0 {
				continue
			}
			// Members sharing no interest with u score at most b0: one scan
			// of all members up to the tight threshold t0 covers them (and
			// checks exactly whatever it meets). Members sharing interests
			// beyond t0 are reached through the topic lists, each from its
			// lowest shared topic only.
			t0 := 2*C + 2*b0 + margin - ku
			try := func(v int) bool { // false: stop scanning u
				checked[ti]++
				if !rd.rules.SameCountryAllowed && country[v] == country[u] {
					return true
				}
				pv := pool[v]
				if !rd.feasible(pu, pv) {
					return true
				}
				w := C + rd.score(pu, pv)
				if key[u]-subA+key[v]-subB-2*w >= margin {
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
					if nearU[u] < maxNearPerVertex {
						nearU[u]++
						found[ti] = append(found[ti], edge{x, y, sl})
					}
					return true
				}
				found[ti] = append(found[ti], edge{x, y, sl})
				perU[u]++
				return perU[u] < maxFoundPerVertex
			}
			more := true
			for j, v32 := range b.members {
				v := int(v32)
				if b.keys[j]-subB >= t0 {
					break
				}
				if v == u || (same && v < u) {
					continue
				}
				if more = try(v); !more {
					break
				}
			}
			if !more || bu <= b0 {
				continue
			}
			t := 2*C + 2*bu + margin - ku
			ui := intr[u*W : (u+1)*W]
			// A member sharing s ≥ 1 interests with u scores at most
			// bu − Interest·(sMax − s) (the class fixes every other term),
			// so it needs an exact check only below that threshold.
			sMax := int64(min(sharedCount(ui, b.c.union), b.c.maxN))
			wI := int64(rd.w.Interest)
			for wi, x := range ui {
				for ; x != 0 && more; x &= x - 1 {
					tp := wi*64 + bits.TrailingZeros64(x)
					if b.topicLo[tp]-subB >= t {
						continue // nobody in this list is below t
					}
					lst := b.byTopic[tp]
					// Members below t0 were covered by the first scan: start
					// at the first key ≥ t0 (the list is sorted by key).
					// Galloping search: most lists have few members below t0.
					lo, hi := 0, len(lst)
					for step := 1; lo+step < hi; step *= 2 {
						if lst[lo+step].k-subB >= t0 {
							hi = lo + step
							break
						}
						lo += step
					}
					for lo < hi {
						if h := int(uint(lo+hi) >> 1); lst[h].k-subB < t0 {
							lo = h + 1
						} else {
							hi = h
						}
					}
					for _, te := range lst[lo:] {
						v := int(te.v)
						kv := te.k - subB
						if kv >= t {
							break
						}
						if v == u || (same && v < u) {
							continue
						}
						low, sh := lowestSharedCount(ui, intr[v*W:(v+1)*W])
						if low != tp || kv >= t-2*wI*(sMax-int64(sh)) {
							continue
						}
						if more = try(v); !more {
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
	debugf("pricing: %d groups (large blossoms ≥ %d)", len(shifts)-1, bigMin)

	return all, total
}

// maxClassBoundCells caps the class-pair bound matrix (4 bytes a cell).
var maxClassBoundCells = 1 << 25

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

// maxFoundPerVertex stops the pricing scan of a person after this many
// violated or near pairs: a person left exposed by a sparse solve (dual 0)
// violates with almost everybody, and only a few of those pairs are
// needed. A round without any violator is always a complete scan.
var maxFoundPerVertex uint8 = 16

// maxNearPerVertex bounds the tight (slack 0) pairs kept per person for
// the lookahead; they never stop a scan, so no violator is missed.
const maxNearPerVertex = 4

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

// verifyPricing makes matchPeers check every pair after a pricing round
// that found nothing (tests only).
var verifyPricing bool

// verifyMissed accumulates the violators the exhaustive check found.
var verifyMissed int
