package matching

import "math"

// solveDense is the successive-shortest-path solver for a dense matrix searched from mentors,
// organised in phases (primal–dual): every mentor starts with all its places as supply; one
// Dijkstra from all mentors with supply left at once (distance 0 each) finds the distance D
// of the nearest free mentee or usable vacancy and moves the potentials so that every
// shortest path becomes tight; then as many augmentations as the tight (zero reduced cost)
// arcs allow are made by depth-first search before the next Dijkstra. Each augmentation
// follows a path of zero reduced cost, hence a shortest path, so the invariants of asgSolver
// hold throughout and the result is optimal; supplies are fixed (each mentor sends exactly
// cap[j] units, to mentees or to vacancies), so sending from any mentor with supply is valid.
// A phase costs about one pass over the rows it reaches, however many augmentations it makes,
// where one search per place would repeat that pass for every place.
func (s *asgSolver) solveDense() {
	g := s.g
	n, m := g.n, g.m
	s.rem = make([]int32, m)
	s.pos = make([]int, m)
	s.deadM = make([]bool, m)
	s.deadK = make([]bool, n)
	s.stackM = make([]int32, 0, 64)
	s.stackK = make([]int32, 0, 64)
	left := 0
	for j := 0; j < m; j++ {
		if g.cap[j] == 0 {
			continue
		}
		s.initMentor(j)
		s.rem[j] = g.cap[j]
		left += int(g.cap[j])
	}
	for {
		left -= s.augmentDense()
		if left == 0 {
			return
		}
		s.dijkstraDense()
	}
}

// augmentDense makes augmentations along tight paths from mentors with supply left until
// none remains, and returns how many it made.
func (s *asgSolver) augmentDense() int {
	g := s.g
	clear(s.pos)
	clear(s.deadM)
	clear(s.deadK)
	// u is constant during the phase (augmentations move mentees along tight arcs, which keeps
	// their potentials), so its truncated copy for asgNextTight is refreshed once per phase.
	if g.dense16 != nil {
		if len(s.u16) != g.n {
			s.u16 = make([]int16, g.n)
		}
		for k, x := range s.u[:g.n] {
			s.u16[k] = int16(x)
		}
	} else {
		if len(s.u32) != g.n {
			s.u32 = make([]int32, g.n)
		}
		for k, x := range s.u[:g.n] {
			s.u32[k] = int32(x)
		}
	}
	made := 0
	for src := int32(0); src < int32(g.m); src++ {
		for s.rem[src] > 0 && !s.deadM[src] && s.dfsDense(src) {
			s.rem[src]--
			made++
		}
	}
	return made
}

// dfsDense looks for a tight augmenting path from mentor src (iterative depth-first search)
// and applies it. Mentors and mentees from which a search fails are marked dead for the rest
// of the phase: they cannot reach a terminal later either, since every new tight arc created
// by an augmentation lies on a path that they could not reach. pos[j] is the next column of
// row j to examine; columns before it are not tight, lead to dead nodes, or are used arcs, and
// an arc that becomes unused by an augmentation resets pos of its mentor.
func (s *asgSolver) dfsDense(src int32) bool {
	g := s.g
	n := g.n
	lam := g.lambda
	minPos := int32(1)
	if g.maxCard {
		minPos = NoArc + 1
	}
	assign := s.assign[:n]
	s.stamp++
	st := s.stamp
	stackM := append(s.stackM[:0], src) // mentors on the path
	stackK := s.stackK[:0]              // stackK[i]: mentee by which stackM[i+1] was left
	s.doneM[src] = st
	term := int32(-1)
	vacancy := false
	for len(stackM) > 0 {
		j := stackM[len(stackM)-1]
		if s.v[j] == 0 {
			// A vacancy at j: its tight (v = 0) arc to the sink takes the unit.
			vacancy = true
			break
		}
		t := s.v[j] - lam
		p := s.pos[j]
		next := int32(-1)
		for ; p < n; p++ {
			p = s.nextArc(j, t, p, minPos)
			if p == n {
				break
			}
			if s.deadK[p] || assign[p] == j {
				continue
			}
			a := assign[p]
			if a < 0 {
				term = int32(p)
				break
			}
			if s.deadM[a] {
				s.deadK[p] = true
				continue
			}
			if s.doneM[a] == st {
				continue // on the current path
			}
			next = a
			break
		}
		if term >= 0 {
			s.pos[j] = p + 1
			break
		}
		if next < 0 {
			s.pos[j] = n
			s.deadM[j] = true
			stackM = stackM[:len(stackM)-1]
			if len(stackK) > 0 {
				s.deadK[stackK[len(stackK)-1]] = true
				stackK = stackK[:len(stackK)-1]
			}
			continue
		}
		s.pos[j] = p + 1
		s.doneM[next] = st
		stackM = append(stackM, next)
		stackK = append(stackK, int32(p))
	}
	s.stackM, s.stackK = stackM, stackK
	if len(stackM) == 0 {
		return false
	}
	// Apply: stackK[i] moves from stackM[i+1] to stackM[i]; term (if any) joins the last
	// mentor, otherwise the last mentor's freed place becomes a vacancy.
	last := stackM[len(stackM)-1]
	if vacancy {
		s.vac[last]++
	} else {
		s.move(term, last)
	}
	for i := len(stackK) - 1; i >= 0; i-- {
		k, from, to := stackK[i], stackM[i+1], stackM[i]
		s.move(k, to)
		if int(k) < s.pos[from] {
			s.pos[from] = int(k) // from → k is now an unused tight arc
		}
	}
	return true
}

// move assigns mentee k to mentor j (unlinking it from its current mentor) by a tight arc.
func (s *asgSolver) move(k, j int32) {
	if s.assign[k] >= 0 {
		s.unlink(k)
	}
	s.assign[k] = j
	s.wA[k] = int64(s.g.dense[int(j)*s.g.n+int(k)]) + s.g.lambda
	s.mpos[k] = int32(len(s.members[j]))
	s.members[j] = append(s.members[j], k)
}

// dijkstraDense runs one Dijkstra from every mentor with supply left (distance 0 each), in the
// style of Jonker–Volgenant: the minimum is found by scanning instead of a heap, over whole
// rows in mentee order (sequential, branch-light memory access). key[k] is mentee k's
// tentative distance, asgInf while unreached, and −1 once finalised, so that a relaxation
// (nd ≥ 0 > −1, signed) never touches a finalised mentee and the minimum search (unsigned:
// −1 is the largest) never returns one. It stops at the distance D of the nearest free
// mentee or vacancy and lowers the potentials of the mentors finalised before D by D−d(j)
// (mentees follow, keeping their used arcs tight), which makes some augmenting path tight.
func (s *asgSolver) dijkstraDense() {
	g := s.g
	n := g.n
	s.stamp++
	st := s.stamp
	s.finM = s.finM[:0]
	key, u, assign := s.dist[:n], s.u[:n], s.assign[:n]
	for k := range key {
		key[k] = asgInf
	}
	lam := g.lambda
	minPos := int32(1)
	if g.maxCard {
		minPos = NoArc + 1
	}
	bestVac := int64(asgInf)
	reach := func(j int32, d int64) int {
		s.doneM[j] = st
		s.distM[j] = d
		s.finM = append(s.finM, j)
		bestVac = min(bestVac, d+s.v[j])
		// Relax all of j's row, then undo the changes to j's own mentees (their arcs are used;
		// a finalised one is never changed).
		own := s.members[j]
		saved := s.saved[:0]
		for _, k := range own {
			saved = append(saved, key[k])
		}
		s.saved = saved
		var hits int
		if g.dense16 != nil {
			hits = asgRelaxRow(g.dense16[int(j)*n:int(j)*n+n], key, u, s.pred, d+s.v[j]-lam, d, j, int16(max(minPos, asgNoArc16+1)))
		} else {
			hits = asgRelaxRow(g.dense[int(j)*n:int(j)*n+n], key, u, s.pred, d+s.v[j]-lam, d, j, minPos)
		}
		for x, k := range own {
			if key[k] != saved[x] {
				if key[k] == d {
					hits--
				}
				key[k] = saved[x]
				s.pred[k] = -1
			}
		}
		return hits
	}
	for j := int32(0); j < int32(g.m); j++ {
		if s.rem[j] > 0 {
			reach(j, 0)
		}
	}
	lvl := s.col[:0]
	D := int64(0)
	for {
		mn := uint64(asgInf)
		for _, d := range key {
			if uint64(d) < mn {
				mn = uint64(d)
			}
		}
		minv := int64(mn)
		if minv >= bestVac {
			D = bestVac
			break
		}
		lvl = lvl[:0]
		free := false
		for k, d := range key {
			if d == minv {
				lvl = append(lvl, int32(k))
				free = free || assign[k] < 0
			}
		}
		if free {
			D = minv
			break
		}
		for i := 0; i < len(lvl); i++ {
			k := lvl[i]
			key[k] = -1
			j := assign[k]
			if s.doneM[j] == st {
				continue
			}
			if reach(j, minv) > 0 {
				for k2, d := range key {
					if d == minv && s.pred[k2] == j {
						lvl = append(lvl, int32(k2))
						free = free || assign[k2] < 0
					}
				}
				if free {
					break
				}
			}
		}
		if free {
			D = minv
			break
		}
	}
	s.col = lvl
	for _, j := range s.finM {
		if d := s.distM[j]; d < D {
			s.v[j] -= D - d
			for _, k := range s.members[j] {
				s.u[k] = s.wA[k] - s.v[j]
			}
		}
	}
}

// asgRelaxRow relaxes every arc of mentor j, whose score row is row, with h = d(j)+v[j]−λ,
// and returns how many mentees it set to distance minv. The loop is kept minimal (no append,
// no other state) so that it runs from registers.
func asgRelaxRow[T int16 | int32](row []T, key, u []int64, pred []int32, h, minv int64, j int32, minPos T) int {
	key, u, pred = key[:len(row)], u[:len(row)], pred[:len(row)]
	hits := 0
	for k, sc := range row {
		if nd := h + u[k] - int64(sc); sc >= minPos && nd < key[k] {
			key[k] = nd
			pred[k] = j
			if nd == minv {
				hits++
			}
		}
	}
	return hits
}

// nextArc returns the first column p' ≥ p of mentor j's row that is an arc of the working
// graph (score ≥ minPos) with zero reduced cost, u[p']+t = score (t = v[j]−λ), or n.
func (s *asgSolver) nextArc(j int32, t int64, p int, minPos int32) int {
	g := s.g
	n := g.n
	u := s.u[:n]
	if g.dense16 != nil {
		row := g.dense16[int(j)*n : int(j)*n+n]
		for ; p < n; p++ {
			p = asgNextTight(row, s.u16, int16(t), p)
			if p == n || (u[p]+t == int64(row[p]) && int32(row[p]) >= minPos && row[p] != asgNoArc16) {
				return p
			}
		}
		return n
	}
	row := g.dense[int(j)*n : int(j)*n+n]
	for ; p < n; p++ {
		p = asgNextTight(row, s.u32, int32(t), p)
		if p == n || (u[p]+t == int64(row[p]) && row[p] >= minPos) {
			return p
		}
	}
	return n
}

// asgNextTight returns the first column p' ≥ p of row with u[p']+t = row[p'] in wrapping
// arithmetic of the row's width, or len(row). With u the potentials truncated to that width
// and t = v[j]−λ truncated, this is a necessary condition for a tight arc (equality modulo
// 2^16 or 2^32), so the caller confirms each hit exactly; the narrow types cut the memory read
// per column (the matrix does not fit in cache), and the loop is unrolled four columns at a
// time, since almost no column is tight.
func asgNextTight[T int16 | int32](row, u []T, t T, p int) int {
	u = u[:len(row)]
	for ; p+4 <= len(row); p += 4 {
		r, w := row[p:p+4:p+4], u[p:p+4:p+4]
		if r[0] == w[0]+t || r[1] == w[1]+t || r[2] == w[2]+t || r[3] == w[3]+t {
			break
		}
	}
	for ; p < len(row); p++ {
		if row[p] == u[p]+t {
			return p
		}
	}
	return len(row)
}

// asgNoArc16 marks, in dense16, a pair that is not an arc of the working graph.
const asgNoArc16 = math.MinInt16

// build16 sets g.dense16 to a 16-bit copy of g.dense if every arc of the working graph (rows of
// mentors with places) scores in [−32767, 32767]; other entries become asgNoArc16. The dense
// searches scan whole rows, mostly from memory, so halving the row width speeds them up.
func (g *asgGraph) build16() {
	if g.opt.no16 || g.dense == nil {
		return
	}
	n := g.n
	d16 := make([]int16, len(g.dense))
	for j := 0; j < g.m; j++ {
		row, out := g.dense[j*n:(j+1)*n], d16[j*n:(j+1)*n]
		if g.cap[j] == 0 {
			for k := range out {
				out[k] = asgNoArc16
			}
			continue
		}
		for k, sc := range row {
			switch {
			case sc == NoArc || (!g.maxCard && sc <= 0):
				out[k] = asgNoArc16
			case sc >= -math.MaxInt16 && sc <= math.MaxInt16:
				out[k] = int16(sc)
			default:
				return
			}
		}
	}
	g.dense16 = d16
}
