package matching

import "slices"

// canonicalize turns the optimal assignment into the documented one among all optimal
// assignments, using only tight arcs (u+v = W') so optimality is kept: first (without
// maxCardinality) augment along tight alternating paths from waitlisted mentees to mentors
// with room, then, for each waitlisted mentee x in increasing order, exchange x for a
// larger-index assigned mentee with u = 0 along a tight alternating path. Nodes from which a
// search failed can never lead to success later and are skipped.
func (s *asgSolver) canonicalize() {
	g := s.g
	n, m := g.n, g.m
	if n == 0 || m == 0 {
		return
	}
	off, adj := s.tightArcs()
	members := make([][]int32, m)
	for k, j := range s.assign {
		if j >= 0 {
			members[j] = append(members[j], int32(k))
		}
	}
	deadK := make([]bool, n)
	deadM := make([]bool, m)
	visK := make([]uint32, n)
	visM := make([]uint32, m)
	parentM := make([]int32, n)
	parentK := make([]int32, m)
	var stamp uint32
	var queue, seenM []int32
	remove := func(j, k int32) {
		l := members[j]
		for i, x := range l {
			if x == k {
				members[j] = append(l[:i], l[i+1:]...)
				return
			}
		}
	}
	// shift moves mentees along the path ending at mentor j (which gains one mentee).
	shift := func(j, x int32) {
		for {
			y := parentK[j]
			old := s.assign[y]
			s.assign[y] = j
			s.wA[y] = s.u[y] + s.v[j] // tight
			members[j] = append(members[j], y)
			if y == x {
				return
			}
			remove(old, y)
			j = old
		}
	}
	search := func(x int32, augment bool) bool {
		stamp++
		queue = append(queue[:0], x)
		seenM = seenM[:0]
		visK[x] = stamp
		for qi := 0; qi < len(queue); qi++ {
			y := queue[qi]
			for _, j := range adj[off[y]:off[y+1]] {
				if deadM[j] || visM[j] == stamp || s.assign[y] == j {
					continue
				}
				visM[j] = stamp
				parentK[j] = y
				seenM = append(seenM, j)
				if augment && s.vac[j] > 0 {
					s.vac[j]--
					shift(j, x)
					return true
				}
				for _, z := range members[j] {
					if deadK[z] || visK[z] == stamp {
						continue
					}
					visK[z] = stamp
					parentM[z] = j
					if !augment && z > x && s.u[z] == 0 {
						s.assign[z] = -1
						remove(j, z)
						shift(j, x)
						return true
					}
					queue = append(queue, z)
				}
			}
		}
		for _, y := range queue {
			deadK[y] = true
		}
		for _, j := range seenM {
			deadM[j] = true
		}
		return false
	}
	if !g.maxCard {
		for x := int32(0); x < int32(n); x++ {
			if s.assign[x] < 0 && !deadK[x] {
				search(x, true)
			}
		}
		clear(deadK)
		clear(deadM)
	}
	for x := int32(0); x < int32(n); x++ {
		if s.assign[x] < 0 && !deadK[x] {
			search(x, false)
		}
	}
}

// tightArcs returns the tight arcs (u+v = W') by mentee as CSR rows adj[off[k]:off[k+1]],
// mentors in increasing order: collected, then counting-sorted.
func (s *asgSolver) tightArcs() (off []int, adj []int32) {
	g := s.g
	n, m := g.n, g.m
	var tight [][2]int32
	minPos := int32(1)
	if g.maxCard {
		minPos = NoArc + 1
	}
	for k := 0; g.byMentee && k < n; k++ {
		uk := s.u[k]
		for p := g.start[k]; p < g.start[k+1]; p++ {
			if j := g.to[p]; uk+s.v[j] == g.w[p] {
				tight = append(tight, [2]int32{int32(k), j})
			}
		}
	}
	for j := 0; !g.byMentee && j < m; j++ {
		if g.cap[j] == 0 {
			continue
		}
		vj := s.v[j]
		if g.dense != nil {
			row := g.dense[j*n : (j+1)*n]
			target := vj - g.lambda // tight: u[k] + v[j] == score + lambda
			for k, sc := range row {
				if sc >= minPos && s.u[k]-int64(sc) == -target {
					tight = append(tight, [2]int32{int32(k), int32(j)})
				}
			}
			continue
		}
		for p := g.start[j]; p < g.start[j+1]; p++ {
			if k := g.to[p]; s.u[k]+vj == g.w[p] {
				tight = append(tight, [2]int32{k, int32(j)})
			}
		}
	}
	off = make([]int, n+1)
	for _, t := range tight {
		off[t[0]+1]++
	}
	for k := 0; k < n; k++ {
		off[k+1] += off[k]
	}
	adj = make([]int32, len(tight))
	fill := make([]int, n)
	copy(fill, off[:n])
	for _, t := range tight {
		adj[fill[t[0]]] = t[1]
		fill[t[0]]++
	}
	if g.byMentee {
		for k := 0; k < n; k++ {
			slices.Sort(adj[off[k]:off[k+1]])
		}
	}
	return off, adj
}
