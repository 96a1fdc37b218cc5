package matching

import "sort"

// Dual is an optimal dual solution of the matching LP (values doubled so they stay integral).
//
// For the weights w'(e) = W(e) + Shift it satisfies, for the returned matching M:
//
//   - feasibility: Y[v] ≥ 0 for every vertex, Z > 0 for every listed blossom, and
//     Slack(u, v, W) ≥ 0 for every input edge (self-loops excepted; for a pair given several
//     times, for each of its weights);
//   - complementary slackness: Slack = 0 on every matched edge, Y[v] > 0 only for matched v,
//     and every listed blossom B is full (M has (|B|−1)/2 edges inside B).
//
// By LP duality this proves that M is a maximum-weight matching for w' in the graph of all
// pairs with non-negative slack. Without maxCardinality, Shift is 0 and this is exactly the
// statement for W. With maxCardinality, Shift is the constant chosen by MaxWeightMatching
// (see cardinality semantics there): w'-optimality implies maximum cardinality and, among
// maximum-cardinality matchings, maximum W. Callers who obtain maximum cardinality themselves
// by adding their own constant to every weight and passing maxCardinality=false get Shift 0
// and a certificate for their shifted weights.
//
// Pricing: if a matching was computed on a subgraph (a sparse candidate graph) and
// Slack(u, v, w) ≥ 0 for every other pair (u,v) with its weight w, the dual stays feasible
// for the full graph and M is optimal there too. Pairs with negative slack are the ones to
// add before re-solving (a negative slack does not by itself prove M suboptimal). When
// Outer[u] < 0 or Outer[u] != Outer[v] no blossom contains both and the slack is simply
// Y[u] + Y[v] − 2(w + Shift), so most pairs can be priced in O(1) without calling Slack.
// With maxCardinality=true, Shift is derived from the solved graph's weight range, so pricing
// extends the cardinality guarantee only to pairs whose weights lie in that range; for
// pricing loops prefer adding your own constant and maxCardinality=false (Shift = 0).
type Dual struct {
	// Y[v] is twice the dual of vertex v (≥ 0).
	Y []int64
	// Blossoms are the non-trivial odd sets with positive dual, parents before children.
	Blossoms []DualBlossom
	// Outer[v] is the index in Blossoms of the outermost blossom containing v, or -1.
	Outer []int
	// Shift is added to every weight in the certified problem (0 unless maxCardinality).
	Shift int64

	inner []int // innermost blossom index containing v, or -1
}

// DualBlossom is an odd vertex set with a positive dual value.
type DualBlossom struct {
	Members []int // sorted vertex ids, odd count ≥ 3
	Z       int64 // twice the blossom dual (> 0)
	Parent  int   // index in Dual.Blossoms of the smallest listed blossom strictly containing this one, or -1

	depth int
}

// Slack returns Y[u]+Y[v]+Σ{Z_B : u,v ∈ B} − 2(w+Shift): ≥ 0 for every edge when the dual is
// feasible, 0 on matched edges. It runs in time proportional to the blossom nesting depth.
func (d *Dual) Slack(u, v int, w int64) int64 {
	s := d.Y[u] + d.Y[v] - 2*(w+d.Shift)
	if len(d.Blossoms) == 0 {
		return s
	}
	if d.inner == nil { // hand-built Dual: slow path
		for i := range d.Blossoms {
			m := d.Blossoms[i].Members
			if contains(m, u) && contains(m, v) {
				s += d.Blossoms[i].Z
			}
		}
		return s
	}
	a, b := d.inner[u], d.inner[v]
	for a >= 0 && b >= 0 && a != b {
		da, db := d.Blossoms[a].depth, d.Blossoms[b].depth
		if da >= db {
			a = d.Blossoms[a].Parent
		}
		if db >= da {
			b = d.Blossoms[b].Parent
		}
	}
	if a >= 0 && a == b {
		for ; a >= 0; a = d.Blossoms[a].Parent {
			s += d.Blossoms[a].Z
		}
	}
	return s
}

func contains(sorted []int, x int) bool {
	i := sort.SearchInts(sorted, x)
	return i < len(sorted) && sorted[i] == x
}

// dual extracts the dual solution from a finished solver.
func (s *solver) dual() Dual {
	n := s.n
	d := Dual{Y: make([]int64, n), Outer: make([]int, n), inner: make([]int, n)}
	copy(d.Y, s.y)
	idx := make(map[int]int)
	// nearest ancestor blossom with positive dual, or -1
	positiveAbove := func(b int) int {
		for b = s.parent[b]; b >= 0; b = s.parent[b] {
			if s.z[b] > 0 {
				return b
			}
		}
		return -1
	}
	var visit func(b, parentIdx, depth int)
	visit = func(b, parentIdx, depth int) {
		if b < n {
			return
		}
		if s.z[b] > 0 {
			members := s.appendLeaves(nil, b)
			sort.Ints(members)
			idx[b] = len(d.Blossoms)
			d.Blossoms = append(d.Blossoms, DualBlossom{Members: members, Z: 2 * s.z[b], Parent: parentIdx, depth: depth})
			parentIdx = idx[b]
			depth++
		}
		for _, c := range s.childs[b] {
			visit(c, parentIdx, depth)
		}
	}
	for v := 0; v < n; v++ {
		if b := s.inBlossom[v]; b >= n {
			if _, seen := idx[b]; !seen && s.base[b] >= 0 {
				idx[b] = -1 // mark the top level as visited even if its dual is zero
				visit(b, -1, 0)
			}
		}
	}
	for v := 0; v < n; v++ {
		d.inner[v], d.Outer[v] = -1, -1
		if b := positiveAbove(v); b >= 0 {
			d.inner[v] = idx[b]
			o := d.inner[v]
			for d.Blossoms[o].Parent >= 0 {
				o = d.Blossoms[o].Parent
			}
			d.Outer[v] = o
		}
	}
	return d
}

// CoverSums returns, for every vertex v, the sum of Z over the listed blossoms that contain
// v (0 outside every blossom), computed in O(n + len(Blossoms)). For a Dual returned by this
// package only (nil for a hand-built one).
func (d *Dual) CoverSums() []int64 {
	if d.inner == nil {
		return nil
	}
	cum := make([]int64, len(d.Blossoms))
	for i, b := range d.Blossoms { // parents are listed before their children
		cum[i] = b.Z
		if b.Parent >= 0 {
			cum[i] += cum[b.Parent]
		}
	}
	out := make([]int64, len(d.inner))
	for v, b := range d.inner {
		if b >= 0 {
			out[v] = cum[b]
		}
	}
	return out
}
