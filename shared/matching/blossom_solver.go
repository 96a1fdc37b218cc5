package matching

import (
	"fmt"
	"math"
)

// Labels of top-level blossoms (and of vertices that are their own top-level blossom).
const (
	free   = 0 // not in any alternating tree
	labelS = 1 // even / outer
	labelT = 2 // odd / inner
	mark   = 4 // temporary mark used by scanBlossom
)

// solver holds the state of the blossom algorithm. The representation follows Joris van
// Rantwijk's well-known implementation (vertices 0..n-1, blossoms n..2n-1, mates and labels
// stored as edge endpoints p, where endpoint[p] is a vertex and p>>1 is its edge), generalised
// to a forest of alternating trees that persists across augmentations.
//
// Duals are stored doubled: y[v] = 2·u(v) and the blossom value z[b] = z(B), so the slack of
// edge k = (i,j) between different top-level blossoms is y[i] + y[j] − w2[k], where w2[k] is
// twice the (shifted) weight. A dual step of size δ subtracts δ from y of S-vertices, adds it
// to T-vertices, and adds (subtracts) δ to z of top-level S- (T-) blossoms.
//
// Priority queues hold keys that do not change while an entry stays valid: with Δ the sum of
// all dual steps so far, the keys are y[v]+Δ (S-vertices), slack+Δ (S–free edges), slack+2Δ
// (S–S edges) and z[b]+Δ (T-blossoms). An entry is checked when it reaches the top and
// dropped if its object changed state; every state change that creates a candidate pushes a
// fresh entry.
type solver struct {
	n        int
	endpoint []int32
	w2       []int64
	adjStart []int32 // adjacency in CSR form: adj[adjStart[v]:adjStart[v+1]]
	adj      []int32 // remote endpoint p of each incident edge (edge p>>1, neighbour endpoint[p])
	adjNb    []int32 // adjNb[i] = endpoint[adj[i]]: the neighbour, read without a random access
	adjW     []int64 // adjW[i] = w2[adj[i]>>1]

	mate      []int     // mate[v]: remote endpoint of v's matched edge, or -1
	inBlossom []int     // top-level blossom containing vertex v
	parent    []int     // parent blossom, or -1 when top-level
	childs    [][]int   // sub-blossoms of a blossom, in cycle order starting at the base's
	endps     [][]int   // endps[b][i]: endpoint of the edge joining childs[i] and childs[i+1]
	base      []int     // base vertex of a blossom; -1 for an unused blossom id
	label     []int8    // label of a top-level blossom
	labelEnd  []int     // endpoint through which the label was obtained (-1 for a root)
	tree      []int     // root vertex of the tree of a labelled top-level blossom
	y         []int64   // doubled vertex duals, lazily: y(v) = y[v] + ydir[v]·Δ (see yOf)
	z         []int64   // blossom duals (Z = 2z in Dual), lazily: z(b) = z[b] + zdir[b]·Δ
	ydir      []int8    // -1 for S-vertices, +1 for T-vertices, 0 otherwise
	zdir      []int8    // +1 for top-level S-blossoms, -1 for top-level T-blossoms, 0 otherwise
	members   [][]int32 // members[r]: vertices labelled in the tree rooted at r (may hold stale entries)
	// The vertices of blossom b are the linked list lfirst[b], lnext[...], ..., llast[b]: the
	// concatenation of its children's lists in childs order (relinked whenever that changes).
	lfirst, llast []int32
	lnext         []int32
	unused        []int

	delta int64 // Δ: sum of all dual steps
	trees int   // number of alternating trees (= exposed vertices with positive dual)

	hVert, hFree, hSS, hBlossom minHeap
	queue                       []int // S-vertices whose edges still have to be scanned
	buf, lbuf                   []int
}

func newSolver(g graph, shift int64) *solver {
	n := g.n
	m := len(g.w)
	s := &solver{n: n, endpoint: g.endpoint}
	s.w2 = make([]int64, m)
	for k, w := range g.w {
		s.w2[k] = 2 * (w + shift)
	}
	s.buildAdj()
	s.mate = make([]int, n)
	s.inBlossom = make([]int, n)
	s.y = make([]int64, n)
	s.ydir = make([]int8, n)
	s.zdir = make([]int8, 2*n)
	s.members = make([][]int32, n)
	s.parent = make([]int, 2*n)
	s.childs = make([][]int, 2*n)
	s.endps = make([][]int, 2*n)
	s.base = make([]int, 2*n)
	s.label = make([]int8, 2*n)
	s.labelEnd = make([]int, 2*n)
	s.tree = make([]int, 2*n)
	s.z = make([]int64, 2*n)
	s.lfirst = make([]int32, 2*n)
	s.llast = make([]int32, 2*n)
	s.lnext = make([]int32, n)
	for v := 0; v < n; v++ {
		s.lfirst[v], s.llast[v], s.lnext[v] = int32(v), int32(v), -1
		s.mate[v] = -1
		s.inBlossom[v] = v
		s.base[v] = v
	}
	for b := range s.parent {
		s.parent[b] = -1
		s.labelEnd[b] = -1
		s.tree[b] = -1
		if b >= n {
			s.base[b] = -1
		}
	}
	s.unused = make([]int, 0, n)
	for b := 2*n - 1; b >= n; b-- {
		s.unused = append(s.unused, b)
	}
	// Jump start: y[v] = heaviest incident (doubled, shifted) weight / 2, rounded up to an
	// even number so that every tree root has the same parity and S–S slacks stay even.
	for k, w := range s.w2 {
		half := (w + 1) / 2
		for _, v := range g.endpoint[2*k : 2*k+2] {
			if half > s.y[v] {
				s.y[v] = half
			}
		}
	}
	for v := 0; v < n; v++ {
		s.y[v] += s.y[v] & 1
		if s.y[v] > 0 {
			s.label[v] = labelS
			s.ydir[v] = -1 // Δ = 0, so y[v] is already the lazy form
			s.tree[v] = v
			s.members[v] = append(s.members[v], int32(v))
			s.trees++
			s.hVert = append(s.hVert, hentry{s.y[v], int32(v)})
		}
	}
	s.hSS = make(minHeap, 0, m+m/2)
	for k := range m {
		i, j := s.endpoint[2*k], s.endpoint[2*k+1]
		s.hSS = append(s.hSS, hentry{s.y[i] + s.y[j] - s.w2[k], int32(k)})
	}
	s.hVert.heapify()
	s.hSS.heapify()
	return s
}

// yOf returns the current doubled dual of vertex v.
func (s *solver) yOf(v int) int64 { return s.y[v] + int64(s.ydir[v])*s.delta }

// zOf returns the current dual of blossom b.
func (s *solver) zOf(b int) int64 { return s.z[b] + int64(s.zdir[b])*s.delta }

// setYDir changes how vertex v's dual moves with Δ from now on.
func (s *solver) setYDir(v int, dir int8) {
	y := s.yOf(v)
	s.ydir[v] = dir
	s.y[v] = y - int64(dir)*s.delta
}

// setZDir changes how blossom b's dual moves with Δ from now on.
func (s *solver) setZDir(b int, dir int8) {
	z := s.zOf(b)
	s.zdir[b] = dir
	s.z[b] = z - int64(dir)*s.delta
}

func (s *solver) slack(k int) int64 {
	return s.yOf(int(s.endpoint[2*k])) + s.yOf(int(s.endpoint[2*k+1])) - s.w2[k]
}

// appendLeaves appends the vertices of blossom b to buf.
func (s *solver) appendLeaves(buf []int, b int) []int {
	last := s.llast[b]
	for v := s.lfirst[b]; ; v = s.lnext[v] {
		buf = append(buf, int(v))
		if v == last {
			return buf
		}
	}
}

// linkLeaves rebuilds blossom b's vertex list from its children's lists.
func (s *solver) linkLeaves(b int) {
	ch := s.childs[b]
	for i := 0; i+1 < len(ch); i++ {
		s.lnext[s.llast[ch[i]]] = s.lfirst[ch[i+1]]
	}
	s.lfirst[b] = s.lfirst[ch[0]]
	s.llast[b] = s.llast[ch[len(ch)-1]]
}

// fillAdjCopies fills adjNb and adjW from adj (the scans read a vertex's neighbours and
// edge weights sequentially instead of through endpoint and w2).
func (s *solver) fillAdjCopies() {
	if cap(s.adjNb) >= len(s.adj) {
		s.adjNb, s.adjW = s.adjNb[:len(s.adj)], s.adjW[:len(s.adj)]
	} else {
		s.adjNb, s.adjW = make([]int32, len(s.adj), cap(s.adj)), make([]int64, len(s.adj), cap(s.adj))
	}
	for i, p := range s.adj {
		s.adjNb[i], s.adjW[i] = s.endpoint[p], s.w2[p>>1]
	}
}

// scan pushes the candidates created by vertex v having become an S-vertex.
func (s *solver) scan(v int) {
	bv := s.inBlossom[v]
	yv := s.yOf(v)
	s.hVert.push(yv+s.delta, v)
	lo, hi := s.adjStart[v], s.adjStart[v+1]
	nb, ws := s.adjNb[lo:hi], s.adjW[lo:hi]
	for i, p := range s.adj[lo:hi] {
		w := nb[i]
		bw := s.inBlossom[w]
		if bw == bv {
			continue
		}
		switch s.label[bw] {
		case labelS:
			s.hSS.push(yv+s.yOf(int(w))-ws[i]+2*s.delta, int(p>>1))
		case free:
			s.hFree.push(yv+s.yOf(int(w))-ws[i]+s.delta, int(p>>1))
		}
	}
}

// rescanFree pushes the S–free candidates of vertex v, which has just become free.
func (s *solver) rescanFree(v int) {
	yv := s.yOf(v)
	lo, hi := s.adjStart[v], s.adjStart[v+1]
	nb, ws := s.adjNb[lo:hi], s.adjW[lo:hi]
	for i, p := range s.adj[lo:hi] {
		w := nb[i]
		if s.label[s.inBlossom[w]] == labelS {
			s.hFree.push(yv+s.yOf(int(w))-ws[i]+s.delta, int(p>>1))
		}
	}
}

// dissolve removes the trees rooted at r1 and r2 (r2 may be -1): their blossoms become free
// and their vertices' edges to remaining S-vertices become candidates.
func (s *solver) dissolve(r1, r2 int) {
	freed := s.buf[:0]
	for _, r := range [2]int{r1, r2} {
		if r < 0 {
			continue
		}
		for _, v := range s.members[r] {
			b := s.inBlossom[v]
			if s.label[b] == free || s.tree[b] != r {
				continue // stale entry
			}
			s.label[b] = free
			s.tree[b] = -1
			s.labelEnd[b] = -1
			if b >= s.n {
				s.setZDir(b, 0)
			}
			start := len(freed)
			freed = s.appendLeaves(freed, b)
			for _, x := range freed[start:] {
				s.setYDir(x, 0)
			}
		}
		s.members[r] = s.members[r][:0]
	}
	for _, v := range freed {
		s.rescanFree(v)
	}
	s.buf = freed
}

// validSS reports whether an S–S queue entry is current: both ends in different top-level
// S-blossoms and the key matches the current slack.
func (s *solver) validSS(e hentry) bool {
	k := int(e.id)
	bi, bj := s.inBlossom[s.endpoint[2*k]], s.inBlossom[s.endpoint[2*k+1]]
	return s.label[bi] == labelS && s.label[bj] == labelS && bi != bj && s.slack(k)+2*s.delta == e.key
}

// validFree reports whether an S–free queue entry is current.
func (s *solver) validFree(e hentry) bool {
	k := int(e.id)
	li := s.label[s.inBlossom[s.endpoint[2*k]]]
	lj := s.label[s.inBlossom[s.endpoint[2*k+1]]]
	return ((li == labelS && lj == free) || (li == free && lj == labelS)) && s.slack(k)+s.delta == e.key
}

// run executes the primal–dual algorithm until no tree is left.
func (s *solver) run() {
	n := s.n
	defer s.materialize()
	compactAt := 2*len(s.w2) + 1024
	for s.trees > 0 {
		if len(s.hFree)+len(s.hSS) > compactAt {
			// Drop stale entries so memory stays O(m).
			s.hFree.compact(s.validFree)
			s.hSS.compact(s.validSS)
			compactAt = max(compactAt, 2*(len(s.hFree)+len(s.hSS)))
		}
		for len(s.queue) > 0 {
			v := s.queue[len(s.queue)-1]
			s.queue = s.queue[:len(s.queue)-1]
			s.scan(v)
		}
		const none = math.MaxInt64
		best, kind := int64(none), 0
		// Candidate 3: S–S edge between different top-level blossoms.
		for len(s.hSS) > 0 {
			if e := s.hSS[0]; s.validSS(e) {
				best, kind = s.slack(int(e.id))/2, 3
				break
			}
			s.hSS.pop()
		}
		// Candidate 2: S–free edge.
		for len(s.hFree) > 0 {
			if e := s.hFree[0]; s.validFree(e) {
				if d := s.slack(int(e.id)); d < best {
					best, kind = d, 2
				}
				break
			}
			s.hFree.pop()
		}
		// Candidate 4: T-blossom whose dual reaches zero.
		for len(s.hBlossom) > 0 {
			e := s.hBlossom[0]
			b := int(e.id)
			if s.base[b] >= 0 && s.parent[b] == -1 && s.label[b] == labelT && s.zOf(b)+s.delta == e.key {
				if z := s.zOf(b); z < best {
					best, kind = z, 4
				}
				break
			}
			s.hBlossom.pop()
		}
		// Candidate 1: S-vertex whose dual reaches zero.
		for len(s.hVert) > 0 {
			e := s.hVert[0]
			v := int(e.id)
			if s.label[s.inBlossom[v]] == labelS && s.yOf(v)+s.delta == e.key {
				if y := s.yOf(v); y < best {
					best, kind = y, 1
				}
				break
			}
			s.hVert.pop()
		}
		if kind == 0 || best < 0 {
			panic(fmt.Sprintf("matching: internal error (no dual step: kind %d, delta %d)", kind, best))
		}
		s.delta += best // one dual step for every tree at once (duals are lazy)
		switch kind {
		case 1:
			v := int(s.hVert[0].id)
			s.hVert.pop()
			r := s.tree[s.inBlossom[v]]
			s.augmentHalf(v, -1)
			s.dissolve(r, -1)
			s.trees--
		case 2:
			k := int(s.hFree[0].id)
			s.hFree.pop()
			pa := 2 * k // endpoint of the S-side vertex
			if s.label[s.inBlossom[s.endpoint[pa]]] != labelS {
				pa ^= 1
			}
			a, b := int(s.endpoint[pa]), int(s.endpoint[pa^1])
			bb := s.inBlossom[b]
			if s.mate[s.base[bb]] >= 0 {
				s.assignLabel(b, labelT, pa)
				continue
			}
			// b's blossom is exposed with zero dual at its base: augment.
			r := s.tree[s.inBlossom[a]]
			s.augmentHalf(a, pa^1)
			if bb >= n {
				s.augmentBlossom(bb, b)
			}
			s.mate[b] = pa
			s.dissolve(r, -1)
			s.trees--
		case 3:
			k := int(s.hSS[0].id)
			s.hSS.pop()
			u, v := int(s.endpoint[2*k]), int(s.endpoint[2*k+1])
			if base := s.scanBlossom(u, v); base >= 0 {
				s.addBlossom(base, k)
				continue
			}
			r1, r2 := s.tree[s.inBlossom[u]], s.tree[s.inBlossom[v]]
			s.augmentHalf(u, 2*k+1)
			s.augmentHalf(v, 2*k)
			s.dissolve(r1, r2)
			s.trees -= 2
		case 4:
			b := int(s.hBlossom[0].id)
			s.hBlossom.pop()
			s.expandT(b)
		}
	}
}

// materialize makes y and z hold the plain dual values.
func (s *solver) materialize() {
	for v := range s.y {
		s.setYDir(v, 0)
	}
	for b := range s.z {
		s.setZDir(b, 0)
	}
}
