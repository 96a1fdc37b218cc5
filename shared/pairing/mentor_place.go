package pairing

import "slices"

// fclass groups mentors by what decides feasibility at class level:
// country and language set.
type fclass struct {
	country int32
	langs   langSet
	mentors []int // person indices, ascending
	free    []int // mentors with free capacity at the start (phase 1)
	alive   []int // mentors not yet proven saturated (phase 1)
}

// classFeasible reports whether mentee may be paired with the mentors of f
// by country and language.
func (rd *round) classFeasible(mentee int, f *fclass) bool {
	return rd.classWhy(&rd.people[mentee], f.country, f.langs) == 0
}

// mentorFClasses groups the mentors by country and language set (see
// countryLangGroups).
func (rd *round) mentorFClasses(mentors []int, capLeft map[int]int) []*fclass {
	group, rep := rd.countryLangGroups(mentors)
	fcs := make([]*fclass, len(rep))
	for g, j := range rep {
		fcs[g] = &fclass{country: rd.people[j].countryID, langs: rd.people[j].langs}
	}
	for i, j := range mentors {
		f := fcs[group[i]]
		f.mentors = append(f.mentors, j)
		f.alive = append(f.alive, j)
		if capLeft[j] > 0 {
			f.free = append(f.free, j)
		}
	}
	return fcs
}

// phase1 places mentees in waitlist order by augmenting paths over the
// full implicit mentor–mentee graph; it returns person → mentor (or -1),
// defined for mentees. A search that fails proves the mentors it reached
// saturated for good (no later path can leave them), so they are skipped
// from then on: once the mentors are full, each further mentee costs O(1)
// per class.
func (rd *round) phase1(mentees []int, fcs []*fclass, capLeft map[int]int) []int {
	n := len(rd.people)
	assign := make([]int, n)
	left := make([]int, n)
	dead := make([]bool, n)
	load := make([][]int, n)
	parent := make([]int, n)
	stamp := make([]int, n)
	for i := range assign {
		assign[i] = -1
	}
	for j, c := range capLeft {
		left[j] = c
	}
	heads := make([]int, len(fcs))
	takeFree := func(x, fi int) int {
		f := fcs[fi]
		for heads[fi] < len(f.free) && left[f.free[heads[fi]]] <= 0 {
			heads[fi]++
		}
		for _, j := range f.free[heads[fi]:] {
			if left[j] > 0 && !rd.isBlocked(x, j) {
				return j
			}
		}
		return -1
	}
	place := func(x, j int) {
		assign[x] = j
		load[j] = append(load[j], x)
		left[j]--
	}
	unplace := func(x int) {
		j := assign[x]
		l := load[j]
		for i, y := range l {
			if y == x {
				load[j] = append(l[:i:i], l[i+1:]...)
				break
			}
		}
		left[j]++
		assign[x] = -1
	}
	for k, u := range mentees {
		bfs := k + 1 // search stamp
		direct := -1
		for fi, f := range fcs {
			if !rd.classFeasible(u, f) {
				continue
			}
			if direct = takeFree(u, fi); direct >= 0 {
				break
			}
		}
		if direct >= 0 {
			place(u, direct)
			continue
		}
		// Alternating BFS: each reached mentor records the mentee that
		// would move into it.
		remaining := map[int][]int{}
		var queue []int
		explore := func(x int) int { // a free mentor for x, or -1
			for fi, f := range fcs {
				if !rd.classFeasible(x, f) {
					continue
				}
				if j := takeFree(x, fi); j >= 0 {
					return j
				}
				rem, ok := remaining[fi]
				if !ok {
					k := 0
					for _, j := range f.alive {
						if !dead[j] {
							f.alive[k] = j
							k++
						}
					}
					f.alive = f.alive[:k]
					rem = slices.Clone(f.alive)
				}
				k := 0
				for _, j := range rem {
					if stamp[j] == bfs {
						continue
					}
					if rd.isBlocked(x, j) {
						rem[k] = j
						k++
						continue
					}
					stamp[j] = bfs
					parent[j] = x
					queue = append(queue, j)
				}
				remaining[fi] = rem[:k]
			}
			return -1
		}
		free, from := explore(u), u
		for qi := 0; free < 0 && qi < len(queue); qi++ {
			for _, x := range load[queue[qi]] {
				if f := explore(x); f >= 0 {
					free, from = f, x
					break
				}
			}
		}
		if free < 0 {
			for _, j := range queue {
				dead[j] = true
			}
			continue
		}
		// Augment: from moves to free, and so on up the chain to u.
		for {
			prev := assign[from]
			if from != u {
				unplace(from)
			}
			place(from, free)
			if from == u {
				break
			}
			free = prev
			from = parent[prev]
		}
	}
	return assign
}
