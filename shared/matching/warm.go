package matching

import (
	"cmp"
	"slices"
)

// Solver is a maximum-weight matching (without maxCardinality: Shift is 0 and edges with
// W ≤ 0 are never matched) that can be re-optimised after edges are added, starting from the
// previous matching, dual and blossom structure instead of from scratch (a warm start). This
// suits column generation: solve on a sparse candidate graph, price the other pairs against
// the dual, add the violators, re-optimise.
//
// The warm start keeps the dual feasible throughout. For every added (or heavier) edge whose
// slack is negative it first dissolves the blossoms containing both ends, moving each
// blossom's dual onto its members' vertex duals (internal slacks unchanged), and then raises
// one endpoint's side: the dual of that end's outermost blossom is traded for its members'
// vertex duals, blossoms whose dual runs out are dissolved, and finally the vertex dual itself
// is raised. Matched edges that are no longer tight are then unmatched, so complementary
// slackness holds for the remaining matching; every exposed vertex with a positive dual roots
// an alternating tree and the ordinary primal–dual phases continue until none is left. The
// result is therefore exactly optimal (Result returns a Dual certificate as
// MaxWeightMatchingDual does), though which optimal matching is returned may differ from a
// cold solve of the same graph.
type Solver struct {
	s *solver
}

// NewSolver solves the maximum-weight matching of the graph on vertices 0..n-1 (the same
// input conventions and panics as MaxWeightMatching with maxCardinality = false).
func NewSolver(n int, edges []Edge) *Solver {
	checkEdges(n, edges)
	g := buildGraph(n, edges, true)
	s := newSolver(g, 0)
	s.run()
	return &Solver{s: s}
}

// Result returns the current optimal matching (mate[v] is v's partner or -1), its weight and
// an optimal dual (see Dual; Shift is 0).
func (x *Solver) Result() (mate []int, total int64, dual Dual) {
	s := x.s
	mate = make([]int, s.n)
	for v := range s.n {
		mate[v] = -1
		if p := s.mate[v]; p >= 0 {
			mate[v] = int(s.endpoint[p])
			if mate[v] > v {
				total += s.w2[p>>1] / 2
			}
		}
	}
	return mate, total, s.dual()
}

// Edges returns the number of distinct edges the solver holds.
func (x *Solver) Edges() int { return len(x.s.w2) }

// AddEdges adds edges (same conventions as NewSolver: self-loops and W ≤ 0 are ignored, a
// pair already present keeps the heavier weight) and re-optimises from the current solution.
func (x *Solver) AddEdges(edges []Edge) {
	s := x.s
	checkEdges(s.n, edges)
	type ne struct {
		a, b int32
		w2   int64
	}
	batch := make([]ne, 0, len(edges))
	for _, e := range edges {
		if e.U == e.V || e.W <= 0 {
			continue
		}
		a, b := min(e.U, e.V), max(e.U, e.V)
		batch = append(batch, ne{int32(a), int32(b), 2 * e.W})
	}
	slices.SortFunc(batch, func(p, q ne) int {
		if c := cmp.Compare(p.a, q.a); c != 0 {
			return c
		}
		if c := cmp.Compare(p.b, q.b); c != 0 {
			return c
		}
		return cmp.Compare(q.w2, p.w2) // heaviest first
	})
	var check []int // edges whose slack may now be negative
	oldM := len(s.w2)
	heavier := false
	for i, e := range batch {
		if i > 0 && batch[i-1].a == e.a && batch[i-1].b == e.b {
			continue
		}
		k := -1
		for _, p := range s.adj[s.adjStart[e.a]:s.adjStart[e.a+1]] {
			if s.endpoint[p] == e.b {
				k = int(p >> 1)
				break
			}
		}
		if k >= 0 {
			if e.w2 > s.w2[k] {
				s.w2[k] = e.w2
				check = append(check, k)
				heavier = true
			}
			continue
		}
		check = append(check, len(s.w2))
		s.endpoint = append(s.endpoint, e.a, e.b)
		s.w2 = append(s.w2, e.w2)
	}
	if len(s.w2) > oldM {
		s.buildAdj()
	} else if heavier {
		s.fillAdjCopies()
	}
	if len(check) > 0 {
		s.warm(check)
	}
}

// buildAdj (re)builds the CSR adjacency from endpoint.
func (s *solver) buildAdj() {
	n := s.n
	if len(s.adjStart) != n+1 {
		s.adjStart = make([]int32, n+1)
	} else {
		clear(s.adjStart)
	}
	for _, v := range s.endpoint {
		s.adjStart[v+1]++
	}
	for i := 0; i < n; i++ {
		s.adjStart[i+1] += s.adjStart[i]
	}
	if cap(s.adj) >= len(s.endpoint) {
		s.adj = s.adj[:len(s.endpoint)]
	} else {
		s.adj = make([]int32, len(s.endpoint), len(s.endpoint)+len(s.endpoint)/4)
	}
	fill := make([]int32, n)
	copy(fill, s.adjStart[:n])
	for p, v := range s.endpoint {
		s.adj[fill[v]] = int32(p ^ 1)
		fill[v]++
	}
	s.fillAdjCopies()
}

// fullSlack returns the doubled slack of edge k including the duals of all blossoms that
// contain both ends (duals must be materialised: no tree is active).
func (s *solver) fullSlack(k int) int64 {
	u, v := int(s.endpoint[2*k]), int(s.endpoint[2*k+1])
	sl := s.y[u] + s.y[v] - s.w2[k]
	if s.inBlossom[u] != s.inBlossom[v] {
		return sl
	}
	// Blossoms containing both: the common ancestors of u and v.
	var au []int
	for b := s.parent[u]; b >= 0; b = s.parent[b] {
		au = append(au, b)
	}
	var av []int
	for b := s.parent[v]; b >= 0; b = s.parent[b] {
		av = append(av, b)
	}
	for i, j := len(au)-1, len(av)-1; i >= 0 && j >= 0 && au[i] == av[j]; i, j = i-1, j-1 {
		sl += 2 * s.z[au[i]]
	}
	return sl
}

// raiseTop adds t to the vertex duals of every member of the top-level blossom b and takes
// t off its blossom dual (t ≤ z[b]); slacks inside b are unchanged, edges leaving b gain t.
func (s *solver) raiseTop(b int, t int64) {
	s.buf = s.appendLeaves(s.buf[:0], b)
	for _, v := range s.buf {
		s.y[v] += t
	}
	s.z[b] -= t
}

// expandFree dissolves the top-level blossom b (not in any tree) after moving its dual onto
// its members: its sub-blossoms become top-level and free.
func (s *solver) expandFree(b int) {
	if s.z[b] > 0 {
		s.raiseTop(b, s.z[b])
	}
	s.freeChildren(b)
	s.releaseBlossom(b)
}

// raiseVertex raises the dual of vertex x's side by d: the outermost blossom's dual is
// traded for its members' vertex duals, a blossom whose dual runs out is dissolved, and what
// is left is added to x's own dual. Every edge leaving a raised blossom gains slack.
func (s *solver) raiseVertex(x int, d int64) {
	for d > 0 {
		b := s.inBlossom[x]
		if b < s.n {
			s.y[x] += d
			return
		}
		if t := min(d, s.z[b]); t > 0 {
			s.raiseTop(b, t)
			d -= t
		}
		if d > 0 {
			s.expandFree(b)
		}
	}
}

// warm restores dual feasibility for the edges in check, unmatches the edges that are no
// longer tight, roots a tree at every exposed vertex with a positive dual and runs the
// primal–dual phases again.
func (s *solver) warm(check []int) {
	n := s.n
	// viol[v]: how many of the edges to check at v are violated, so that the raises tend to
	// cover all violated edges with few endpoints (each raise may unmatch a pair).
	viol := make([]int32, n)
	for _, k := range check {
		if s.fullSlack(k) < 0 {
			viol[s.endpoint[2*k]]++
			viol[s.endpoint[2*k+1]]++
		}
	}
	for _, k := range check {
		for {
			sl := s.fullSlack(k)
			if sl >= 0 {
				break
			}
			u, v := int(s.endpoint[2*k]), int(s.endpoint[2*k+1])
			bu, bv := s.inBlossom[u], s.inBlossom[v]
			if bu == bv {
				s.expandFree(bu)
				continue
			}
			// Prefer raising a side whose outermost blossom is exposed (nothing to unmatch),
			// then the end with more violated edges, then a single vertex, then the
			// blossom with the larger dual.
			x := u
			eu, ev := s.mate[s.base[bu]] < 0, s.mate[s.base[bv]] < 0
			switch {
			case eu != ev:
				if ev {
					x = v
				}
			case viol[u] != viol[v]:
				if viol[v] > viol[u] {
					x = v
				}
			case (bu < n) != (bv < n):
				if bv < n {
					x = v
				}
			case s.z[bv] > s.z[bu]:
				x = v
			}
			s.raiseVertex(x, -sl)
			break
		}
	}
	// Unmatch matched edges between different outermost blossoms that are no longer tight
	// (edges inside a blossom kept their slack).
	for v := range n {
		p := s.mate[v]
		if p < 0 {
			continue
		}
		w := int(s.endpoint[p])
		if w < v || s.inBlossom[v] == s.inBlossom[w] {
			continue
		}
		if k := p >> 1; s.y[v]+s.y[w]-s.w2[k] != 0 {
			s.mate[v], s.mate[w] = -1, -1
		}
	}
	// Every tree root must start with an even dual (see newSolver).
	for v := range n {
		if s.mate[v] < 0 && s.y[v]&1 != 0 {
			s.raiseVertex(v, 1)
		}
	}
	// Fresh search state.
	s.delta = 0
	s.hVert, s.hFree, s.hSS, s.hBlossom = s.hVert[:0], s.hFree[:0], s.hSS[:0], s.hBlossom[:0]
	s.queue = s.queue[:0]
	for r := range s.members {
		s.members[r] = s.members[r][:0]
	}
	s.trees = 0
	for v := range n {
		if s.mate[v] >= 0 || s.y[v] == 0 {
			continue
		}
		b := s.inBlossom[v]
		if s.base[b] != v {
			panic("matching: internal error (exposed vertex is not its blossom's base)")
		}
		s.label[b] = labelS
		s.labelEnd[b] = -1
		s.tree[b] = v
		if b >= n {
			s.setZDir(b, 1)
		}
		s.buf = s.appendLeaves(s.buf[:0], b)
		for _, x := range s.buf {
			s.setYDir(x, -1)
			s.members[v] = append(s.members[v], int32(x))
		}
		s.queue = append(s.queue, s.buf...)
		s.trees++
	}
	s.run()
}
