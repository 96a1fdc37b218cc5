package pairing

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
)

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
	pk := newPriceKeys(d, len(pool))
	lists, dlists := rd.priceLists(pool, classes, pk, dirty)
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
	ps := &pairScanner{rd: rd, pool: pool, d: d, C: C, margin: margin, raise: raise,
		found: make([][]edge, len(tasks)), checked: make([]int64, len(tasks)),
		sameOK: rd.rules.Programme.SameCountryAllowed, needLang: rd.rules.Programme.RequireSharedLanguage,
		maxFound: rd.tune.maxFound, W: rd.words}
	shifts := pk.shifts
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
						ps.scan(ti, a, &lists[g2][j], subA, subB, false)
					}
				}
				continue
			}
			a := &lists[g][i]
			// Same group: keys include the group's blossom share (0 for group 0).
			for j := i; j < len(lists[g]); j++ {
				ps.scan(ti, a, &lists[g][j], 0, 0, j == i)
			}
			// Later groups: raw duals.
			for g2 := g + 1; g2 < len(lists); g2++ {
				for j := range lists[g2] {
					ps.scan(ti, a, &lists[g2][j], shifts[g], shifts[g2], false)
				}
			}
		}
	})
	var all []edge
	var total int64
	for ti := range ps.found {
		all = append(all, ps.found[ti]...)
		total += ps.checked[ti]
	}
	slices.SortFunc(all, func(a, b edge) int {
		if a.u != b.u {
			return cmp.Compare(a.u, b.u)
		}
		return cmp.Compare(a.v, b.v)
	})
	all = slices.CompactFunc(all, func(a, b edge) bool { return a.u == b.u && a.v == b.v })
	rd.tune.logf("pricing: %d groups (large blossoms ≥ %d)", len(shifts)-1, pk.bigMin)
	return all, total
}

// priceKeys are the pricing keys of the people: each large outermost
// blossom (at least bigMin people) is a group, everybody else is group 0;
// a person's key is Y plus their group's share ⌊Z_O/2⌋ of the blossom dual
// (shifts[group], 0 for group 0).
type priceKeys struct {
	group  []int
	key    []int64
	shifts []int64
	bigMin int
}

func newPriceKeys(d dualSol, n int) priceKeys {
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
	return priceKeys{group: group, key: key, shifts: shifts, bigMin: bigMin}
}

// priceList is one class's members in one group, sorted by key, with
// everything the scans read about them in parallel arrays. A scan goes over
// one list pair member by member, so reading only the two lists' arrays
// keeps it in cache (a person's record is read only for the rare pair that
// gets past the dual test).
type priceList struct {
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

// topicList lists the members of a priceList holding one interest.
type topicList struct {
	lo int64   // smallest key in at (MaxInt64 when empty)
	at []int32 // positions of the members with the topic, by key
}

// newPriceList builds the list of members m (pool positions, sorted by
// key) of class c, with the topic lists when withTopics.
func (rd *round) newPriceList(pool []int, key []int64, c *class, m []int32, withTopics bool) priceList {
	W := rd.words
	pl := priceList{c: c, members: m, keys: make([]int64, len(m)), langs: make([]langSet, len(m)),
		country: make([]int32, len(m)), intr: make([]uint64, len(m)*W), minKey: key[m[0]],
		found: make([]uint8, len(m)), near: make([]uint8, len(m))}
	for j, v := range m {
		p := &rd.people[pool[v]]
		pl.keys[j], pl.langs[j], pl.country[j] = key[v], p.langs, p.countryID
		copy(pl.intr[j*W:(j+1)*W], p.interests)
	}
	if withTopics {
		pl.topics = make([]topicList, len(rd.interestNames))
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

// priceLists returns, per group, the price list of each class's members in
// the group (classes in order), and, with dirty, the lists of the dirty
// members only (the scanning side of a partial scan).
func (rd *round) priceLists(pool []int, classes []*class, pk priceKeys, dirty []bool) (lists, dlists [][]priceList) {
	group, key := pk.group, pk.key
	lists = make([][]priceList, len(pk.shifts))
	dlists = make([][]priceList, len(pk.shifts)) // dirty members only (a side)
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
			lists[g] = append(lists[g], rd.newPriceList(pool, key, c, m, true))
			if dirty != nil {
				var dm []int32
				for _, v := range m {
					if dirty[v] {
						dm = append(dm, v)
					}
				}
				if len(dm) > 0 {
					dlists[g] = append(dlists[g], rd.newPriceList(pool, key, c, dm, false))
				}
			}
		}
	}
	return lists, dlists
}

// pairScanner prices the pairs of two price lists for pricePeersScan; its
// results are per task, so parallel tasks share no mutable state.
type pairScanner struct {
	rd       *round
	pool     []int
	d        dualSol
	C        int64
	margin   int64
	raise    []int64
	found    [][]edge // per task: violated and tight pairs
	checked  []int64  // per task: exact checks
	sameOK   bool
	needLang bool
	maxFound uint8
	W        int // words per interest set
}

// scan prices every pair of a member of a with a member of b (for a list
// against itself, each pair once) for task ti; subA and subB are taken off
// the keys of a and b (the blossom shares of keys across groups).
func (ps *pairScanner) scan(ti int, a, b *priceList, subA, subB int64, same bool) {
	// Locals, so that the closure below captures values, not ps.
	rd, pool, d, C, margin, raise := ps.rd, ps.pool, ps.d, ps.C, ps.margin, ps.raise
	found, checked, sameOK, needLang, maxFound, W := ps.found, ps.checked, ps.sameOK, ps.needLang, ps.maxFound, ps.W
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

// maxNearPerVertex bounds the tight (slack 0) pairs kept per person for
// the lookahead; they never stop a scan, so no violator is missed.
const maxNearPerVertex = 4

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
