package matching

import "fmt"

// CheckAssignment verifies that mentor is a valid assignment for the instance (every pair an
// arc, capacities respected), that total is its score (heaviest parallel arc), and that dual
// certifies it optimal as documented at AssignPotentials; it returns nil or the first problem
// found. It is meant for tests and for callers that want to double-check a result.
func CheckAssignment(mentees int, capacity []int, arcs []Arc, maxCardinality bool, mentor []int, total int64, dual AssignPotentials) error {
	m := len(capacity)
	if len(mentor) != mentees {
		return fmt.Errorf("len(mentor) = %d, want %d", len(mentor), mentees)
	}
	if len(dual.Mentee) != mentees || len(dual.Mentor) != m {
		return fmt.Errorf("dual has %d mentee and %d mentor values, want %d and %d", len(dual.Mentee), len(dual.Mentor), mentees, m)
	}
	best := make(map[[2]int]int64, len(arcs))
	for _, a := range arcs {
		k := [2]int{a.Mentee, a.Mentor}
		if w, ok := best[k]; !ok || a.W > w {
			best[k] = a.W
		}
	}
	load := make([]int, m)
	var sum int64
	size := 0
	for i, j := range mentor {
		if j == -1 {
			continue
		}
		if j < 0 || j >= m {
			return fmt.Errorf("mentee %d: mentor %d out of range", i, j)
		}
		w, ok := best[[2]int{i, j}]
		if !ok {
			return fmt.Errorf("mentee %d assigned to mentor %d without an arc", i, j)
		}
		if !maxCardinality && w <= 0 {
			return fmt.Errorf("mentee %d assigned to mentor %d by a non-positive arc (%d)", i, j, w)
		}
		load[j]++
		sum += w
		size++
	}
	for j, l := range load {
		if l > capacity[j] {
			return fmt.Errorf("mentor %d has %d mentees, capacity %d", j, l, capacity[j])
		}
	}
	if sum != total {
		return fmt.Errorf("total = %d, but the assigned arcs sum to %d", total, sum)
	}
	L := dual.Level
	if !maxCardinality && L != 0 {
		return fmt.Errorf("level = %d, want 0 without maxCardinality", L)
	}
	if L > 0 {
		return fmt.Errorf("level = %d > 0", L)
	}
	for i, u := range dual.Mentee {
		if u < 0 {
			return fmt.Errorf("mentee %d: potential %d < 0", i, u)
		}
		if u != 0 && mentor[i] == -1 {
			return fmt.Errorf("waitlisted mentee %d: potential %d ≠ 0", i, u)
		}
	}
	for j, v := range dual.Mentor {
		if v < L {
			return fmt.Errorf("mentor %d: potential %d < level %d", j, v, L)
		}
		if v != L && load[j] < capacity[j] {
			return fmt.Errorf("mentor %d not full (%d/%d) but potential %d ≠ level %d", j, load[j], capacity[j], v, L)
		}
	}
	for k, w := range best {
		i, j := k[0], k[1]
		s := dual.Mentee[i] + dual.Mentor[j] - w
		if s < 0 {
			return fmt.Errorf("arc (%d,%d,%d): potentials sum to %d < W", i, j, w, dual.Mentee[i]+dual.Mentor[j])
		}
		if mentor[i] == j && s != 0 {
			return fmt.Errorf("used arc (%d,%d,%d) not tight (slack %d)", i, j, w, s)
		}
	}
	if !maxCardinality {
		return nil
	}
	if len(dual.CoverMentee) != mentees || len(dual.CoverMentor) != m {
		return fmt.Errorf("cover has %d mentee and %d mentor flags, want %d and %d", len(dual.CoverMentee), len(dual.CoverMentor), mentees, m)
	}
	cost := 0
	for _, c := range dual.CoverMentee {
		if c {
			cost++
		}
	}
	for j, c := range dual.CoverMentor {
		if c {
			cost += capacity[j]
		}
	}
	if cost != size {
		return fmt.Errorf("cover costs %d but %d mentees are assigned", cost, size)
	}
	for k := range best {
		if !dual.CoverMentee[k[0]] && !dual.CoverMentor[k[1]] {
			return fmt.Errorf("arc (%d,%d) not covered", k[0], k[1])
		}
	}
	return nil
}

// certificate converts the internal potentials to the documented AssignPotentials.
func (s *asgSolver) certificate() AssignPotentials {
	g := s.g
	n, m := g.n, g.m
	d := AssignPotentials{Mentee: make([]int64, n), Mentor: make([]int64, m), Level: -g.lambda}
	copy(d.Mentee, s.u)
	for j := range d.Mentor {
		d.Mentor[j] = s.v[j] - g.lambda
	}
	// Mentors with capacity 0 are full: give them the least value covering their arcs.
	zero := false
	for j := range d.Mentor {
		if g.cap[j] == 0 {
			d.Mentor[j] = d.Level
			zero = true
		}
	}
	if zero {
		if g.matrix != nil {
			for j := 0; j < m; j++ {
				if g.cap[j] != 0 {
					continue
				}
				for k, sc := range g.matrix[j*n : (j+1)*n] {
					if sc != NoArc {
						d.Mentor[j] = max(d.Mentor[j], int64(sc)-d.Mentee[k])
					}
				}
			}
		} else {
			for _, a := range g.arcs {
				if g.cap[a.Mentor] == 0 {
					d.Mentor[a.Mentor] = max(d.Mentor[a.Mentor], a.W-d.Mentee[a.Mentee])
				}
			}
		}
	}
	if !g.maxCard {
		return d
	}
	d.CoverMentee, d.CoverMentor = s.koenigCover()
	return d
}

// koenigCover returns the König cover of the maxCardinality certificate: with R the nodes
// reachable from waitlisted mentees by alternating paths over all arcs, the mentees not in R
// and the mentors in R, plus every mentor of capacity 0.
func (s *asgSolver) koenigCover() (coverMentee, coverMentor []bool) {
	g := s.g
	n, m := g.n, g.m
	var adjOff []int
	var adj []int32
	if g.byMentee {
		adjOff, adj = g.start, g.to
	} else if g.dense == nil {
		adjOff = make([]int, n+1)
		for _, k := range g.to {
			adjOff[k+1]++
		}
		for k := 0; k < n; k++ {
			adjOff[k+1] += adjOff[k]
		}
		adj = make([]int32, len(g.to))
		fill := make([]int, n)
		copy(fill, adjOff[:n])
		for j := 0; j < m; j++ {
			for p := g.start[j]; p < g.start[j+1]; p++ {
				k := g.to[p]
				adj[fill[k]] = int32(j)
				fill[k]++
			}
		}
	}
	members := make([][]int32, m)
	for k, j := range s.assign {
		if j >= 0 {
			members[j] = append(members[j], int32(k))
		}
	}
	inK := make([]bool, n)
	inM := make([]bool, m)
	var queue []int32
	for k, j := range s.assign {
		if j < 0 {
			inK[k] = true
			queue = append(queue, int32(k))
		}
	}
	visit := func(j int32) {
		if inM[j] {
			return
		}
		inM[j] = true
		for _, z := range members[j] {
			if !inK[z] {
				inK[z] = true
				queue = append(queue, z)
			}
		}
	}
	for qi := 0; qi < len(queue); qi++ {
		k := queue[qi]
		if g.dense == nil {
			for _, j := range adj[adjOff[k]:adjOff[k+1]] {
				visit(j)
			}
		} else {
			for j := 0; j < m; j++ {
				if g.cap[j] > 0 && g.dense[j*n+int(k)] != NoArc {
					visit(int32(j))
				}
			}
		}
	}
	coverMentee, coverMentor = make([]bool, n), make([]bool, m)
	for k := range coverMentee {
		coverMentee[k] = !inK[k]
	}
	for j := range coverMentor {
		coverMentor[j] = inM[j] || g.cap[j] == 0
	}
	return coverMentee, coverMentor
}
