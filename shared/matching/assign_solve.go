package matching

import "math"

// asgInf is larger than every distance that can arise.
const asgInf = math.MaxInt64

// asgSolver holds the successive-shortest-path state. In flow terms: source → mentor j
// (capacity cap[j]) → mentee (arc, cost −W') → sink (capacity 1), plus a vacancy arc mentor →
// sink of cost 0 (a place left empty). Node potentials are kept as u (mentees, u = −π) and v
// (mentors, v = π) with the sink at 0, so the reduced cost of an unused arc is v[j]+u[k]−W' ≥ 0
// and of a vacancy arc v[j] ≥ 0; free mentees keep u = 0 and mentors with a vacancy keep v = 0.
// Each search adds one unit of supply at a mentor and routes it along a shortest path.
// searchMentee is the mirror image (supply at a mentee, waitlist arcs instead of vacancies)
// and keeps the same invariants, so canonicalize and certificate serve both.
type asgSolver struct {
	g      *asgGraph
	u, v   []int64
	assign []int32 // mentee → mentor, -1 free
	wA     []int64 // mentee → working weight of its assigned arc
	vac    []int32 // vacancies per mentor
	// members[j] lists mentor j's mentees; mpos[k] is k's index in members[assign[k]].
	members [][]int32
	mpos    []int32

	// search scratch
	dist  []int64 // mentee tentative distance
	pred  []int32 // mentee → mentor that reached it
	predW []int64 // mentee → working weight of that arc (sparse search)
	seenK []uint32
	doneK []uint32
	distM []int64
	predM []int32 // mentor → assigned mentee through which it was reached
	doneM []uint32
	stamp uint32
	heap  []asgEntry
	finM  []int32
	col   []int32 // dense search: mentees at the current distance
	saved []int64 // dense search: keys of the relaxed mentor's own mentees
	// dense phases (solveDense)
	rem    []int32 // supply left per mentor
	pos    []int   // next column of each row for the tight-arc search
	deadM  []bool
	deadK  []bool
	u32    []int32 // dense phases: u truncated to 32 bits (see asgNextTight)
	u16    []int16 // dense phases with dense16: u truncated to 16 bits
	stackM []int32
	stackK []int32
	// searches from mentees
	predKM []int32 // mentor → mentee that reached it
	predWM []int64 // mentor → working weight of that arc
	seenM  []uint32
	finK   []int32
}

func asgSolve(g *asgGraph, wantDual bool) ([]int, int64, AssignPotentials) {
	n, m := g.n, g.m
	s := &asgSolver{
		g:       g,
		u:       make([]int64, n),
		v:       make([]int64, m),
		assign:  make([]int32, n),
		wA:      make([]int64, n),
		vac:     make([]int32, m),
		mpos:    make([]int32, n),
		members: make([][]int32, m),
		predW:   make([]int64, n),
		dist:    make([]int64, n),
		pred:    make([]int32, n),
		seenK:   make([]uint32, n),
		doneK:   make([]uint32, n),
		distM:   make([]int64, m),
		predM:   make([]int32, m),
		doneM:   make([]uint32, m),
	}
	for k := range s.assign {
		s.assign[k] = -1
	}
	if g.dense != nil {
		s.col = make([]int32, n)
	}
	if g.byMentee {
		s.predKM = make([]int32, m)
		s.predWM = make([]int64, m)
		s.seenM = make([]uint32, m)
		for x := 0; x < n; x++ {
			s.searchMentee(int32(x))
		}
		for j := range s.vac {
			s.vac[j] = g.cap[j] - int32(len(s.members[j]))
		}
	} else if g.dense != nil {
		s.solveDense()
	} else {
		for j := 0; j < m; j++ {
			if g.cap[j] == 0 {
				continue
			}
			s.initMentor(j)
			for range g.cap[j] {
				s.searchSparse(int32(j))
			}
		}
	}
	s.canonicalize()

	mentor := make([]int, n)
	var total int64
	for k, j := range s.assign {
		mentor[k] = int(j)
	}
	for k, j := range s.assign {
		if j >= 0 {
			total += s.wA[k] - g.lambda
		}
	}
	if !wantDual {
		return mentor, total, AssignPotentials{}
	}
	return mentor, total, s.certificate()
}

// initMentor sets v[j] to the least value keeping every arc of mentor j (which has no
// assignments yet) and its vacancy arc at non-negative reduced cost.
func (s *asgSolver) initMentor(j int) {
	g := s.g
	var best int64
	if g.dense == nil {
		for p := g.start[j]; p < g.start[j+1]; p++ {
			best = max(best, g.w[p]-s.u[g.to[p]])
		}
	} else {
		row := g.dense[j*g.n : (j+1)*g.n]
		for k, sc := range row {
			if w, ok := g.denseW(sc); ok {
				best = max(best, w-s.u[k])
			}
		}
	}
	s.v[j] = best
}

// searchSparse routes one more unit from mentor src along a shortest path (Dijkstra with a
// binary heap keyed by (distance, mentee)).
func (s *asgSolver) searchSparse(src int32) {
	g := s.g
	s.stamp++
	st := s.stamp
	s.heap = s.heap[:0]
	s.finM = s.finM[:0]
	bestVac, vacAt := s.v[src], src
	s.doneM[src] = st
	s.distM[src] = 0
	s.finM = append(s.finM, src)
	scan := func(j int32, dj int64) {
		h := dj + s.v[j]
		for p := g.start[j]; p < g.start[j+1]; p++ {
			k := g.to[p]
			if s.doneK[k] == st || s.assign[k] == j {
				continue
			}
			nd := h + s.u[k] - g.w[p]
			if s.seenK[k] != st || nd < s.dist[k] {
				s.seenK[k] = st
				s.dist[k] = nd
				s.pred[k] = j
				s.predW[k] = g.w[p]
				s.push(asgEntry{nd, k})
			}
		}
	}
	scan(src, 0)
	term, dt := int32(-1), int64(0)
	for len(s.heap) > 0 {
		e := s.heap[0]
		if s.doneK[e.k] == st || e.d != s.dist[e.k] {
			s.pop()
			continue
		}
		if e.d > bestVac {
			break
		}
		s.pop()
		k := e.k
		s.doneK[k] = st
		j := s.assign[k]
		if j < 0 {
			term, dt = k, e.d
			break
		}
		if s.doneM[j] != st {
			s.doneM[j] = st
			s.distM[j] = e.d
			s.predM[j] = k
			s.finM = append(s.finM, j)
			if c := e.d + s.v[j]; c < bestVac {
				bestVac, vacAt = c, j
			}
			scan(j, e.d)
		}
	}
	if term < 0 {
		dt = bestVac
	}
	s.finish(src, term, dt, vacAt)
}

// finish updates the potentials and augments along the path to the terminal: free mentee
// term, or (term < 0) a vacancy at mentor vacAt. Only mentor potentials move with the
// distances (v[j] −= dt−d[j] for mentors finalised before the sink); every mentee of such a
// mentor then gets the largest potential keeping reduced costs non-negative, u = W'−v[j], so
// that assigned arcs stay tight (a mentor holds several mentees, only one of which lies on the
// shortest-path tree).
func (s *asgSolver) finish(src, term int32, dt int64, vacAt int32) {
	var cur int32
	if term >= 0 {
		cur = term
	} else {
		s.vac[vacAt]++
		cur = -1
		if vacAt != src {
			cur = s.predM[vacAt]
		}
	}
	for cur >= 0 {
		j := s.pred[cur]
		if s.assign[cur] >= 0 {
			s.unlink(cur)
		}
		s.assign[cur] = j
		if s.g.dense != nil {
			s.wA[cur] = int64(s.g.dense[int(j)*s.g.n+int(cur)]) + s.g.lambda
		} else {
			s.wA[cur] = s.predW[cur]
		}
		s.mpos[cur] = int32(len(s.members[j]))
		s.members[j] = append(s.members[j], cur)
		if j == src {
			break
		}
		cur = s.predM[j]
	}
	for _, j := range s.finM {
		if d := s.distM[j]; d < dt {
			s.v[j] -= dt - d
		}
	}
	for _, j := range s.finM {
		for _, k := range s.members[j] {
			s.u[k] = s.wA[k] - s.v[j]
		}
	}
	if term >= 0 && s.assign[term] >= 0 {
		j := s.assign[term]
		s.u[term] = s.wA[term] - s.v[j]
	}
}

// unlink removes mentee k from its mentor's member list (swap with the last).
func (s *asgSolver) unlink(k int32) {
	j := s.assign[k]
	l := s.members[j]
	last := l[len(l)-1]
	l[s.mpos[k]] = last
	s.mpos[last] = s.mpos[k]
	s.members[j] = l[:len(l)-1]
}

// searchMentee adds mentee x and routes it along a shortest path (Dijkstra over mentors with a
// heap keyed by (distance, mentor)): to a mentor with a free place, or, at the end of a chain
// of displacements, one mentee of the chain (possibly x) goes to the waitlist. In flow terms
// this is the mirror image of searchSparse: mentor potentials v ≥ 0 with v = 0 while a mentor
// has room, mentee potentials u ≥ 0 with u = 0 on the waitlist, assigned arcs tight, and a
// mentee's waitlist arc has reduced cost u. Because assigned arcs are tight, a full mentor's
// mentees are reached at the mentor's own distance.
func (s *asgSolver) searchMentee(x int32) {
	g := s.g
	s.stamp++
	st := s.stamp
	s.heap = s.heap[:0]
	s.finK = s.finK[:0]
	s.finM = s.finM[:0]
	var ux int64
	for p := g.start[x]; p < g.start[x+1]; p++ {
		ux = max(ux, g.w[p]-s.v[g.to[p]])
	}
	s.u[x] = ux
	bestExit, exitAt := ux, x
	relax := func(y int32, dy int64) {
		h := dy + s.u[y]
		own := s.assign[y]
		for p := g.start[y]; p < g.start[y+1]; p++ {
			j := g.to[p]
			if j == own || s.doneM[j] == st {
				continue
			}
			nd := h + s.v[j] - g.w[p]
			if s.seenM[j] != st || nd < s.distM[j] {
				s.seenM[j] = st
				s.distM[j] = nd
				s.predKM[j] = y
				s.predWM[j] = g.w[p]
				s.push(asgEntry{nd, j})
			}
		}
	}
	s.dist[x] = 0
	s.finK = append(s.finK, x)
	relax(x, 0)
	term, dt := int32(-1), int64(0)
	for len(s.heap) > 0 {
		e := s.heap[0]
		j := e.k
		if s.doneM[j] == st || e.d != s.distM[j] {
			s.pop()
			continue
		}
		if e.d > bestExit {
			break
		}
		s.pop()
		s.doneM[j] = st
		if int32(len(s.members[j])) < g.cap[j] {
			term, dt = j, e.d
			break
		}
		s.finM = append(s.finM, j)
		for _, k := range s.members[j] {
			s.dist[k] = e.d
			s.finK = append(s.finK, k)
			if c := e.d + s.u[k]; c < bestExit || (c == bestExit && k > exitAt) {
				bestExit, exitAt = c, k
			}
		}
		for _, k := range s.members[j] {
			relax(k, e.d)
		}
	}
	if term < 0 {
		dt = bestExit
	}
	for _, k := range s.finK {
		if d := s.dist[k]; d < dt {
			s.u[k] -= dt - d
		}
	}
	for _, j := range s.finM {
		if d := s.distM[j]; d < dt {
			s.v[j] += dt - d
		}
	}
	var j int32
	if term >= 0 {
		j = term
	} else {
		if exitAt == x {
			return
		}
		j = s.assign[exitAt]
		s.unlink(exitAt)
		s.assign[exitAt] = -1
	}
	for {
		y := s.predKM[j]
		old := s.assign[y]
		if old >= 0 {
			s.unlink(y)
		}
		s.assign[y] = j
		s.wA[y] = s.predWM[j]
		s.mpos[y] = int32(len(s.members[j]))
		s.members[j] = append(s.members[j], y)
		if y == x {
			return
		}
		j = old
	}
}
