package pairing

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// fclass groups mentors by what decides feasibility at class level:
// country and language set.
type fclass struct {
	country int32
	langs   langSet
	mentors []int // person indices, ascending
	free    []int // mentors with free capacity at the start (phase 1)
	alive   []int // mentors not yet proven saturated (phase 1)
}

// waitlistLess is the stated, fair waitlist order: higher Priority first
// (e.g. final-year students), then earlier SignedUpAt, then ID.
func (rd *round) waitlistLess(a, b int) bool {
	pa, pb := &rd.people[a], &rd.people[b]
	if pa.priority != pb.priority {
		return pa.priority > pb.priority
	}
	if !pa.signedUp.Equal(pb.signedUp) {
		return pa.signedUp.Before(pb.signedUp)
	}
	return a < b
}

func (rd *round) classFeasible(mentee int, f *fclass) bool {
	a := &rd.people[mentee]
	if !rd.rules.Programme.SameCountryAllowed && f.country == a.countryID {
		return false
	}
	return !rd.rules.Programme.RequireSharedLanguage || !a.langs.and(f.langs).empty()
}

// runMentor assigns eligible mentees to mentors: maximum cardinality, then
// the waitlist order decides who is placed (lexicographically: nobody is
// waitlisted while someone after them in the order is placed, unless
// placing both is impossible), then maximum total score.
func (rd *round) runMentor(res *Result, isPinned []bool) error {
	capLeft := map[int]int{}
	var mentors, mentees []int
	for i := range rd.people {
		p := &rd.people[i]
		if p.mentor {
			mentors = append(mentors, i)
			capLeft[i] = p.capacity
		}
	}
	for _, pin := range rd.pins {
		capLeft[pin[0]]--
	}
	pinnedTo := map[int]int{}
	for _, pin := range rd.pins {
		pinnedTo[pin[0]]++
	}
	for i := range rd.people {
		p := &rd.people[i]
		if p.mentor || isPinned[i] {
			continue
		}
		if !p.eligible {
			res.Unmatched = append(res.Unmatched, Unmatched{ID: p.id,
				Reason: "not eligible: the mentee eligibility questions were not all answered yes"})
			continue
		}
		mentees = append(mentees, i)
	}
	sort.SliceStable(mentees, func(i, j int) bool { return rd.waitlistLess(mentees[i], mentees[j]) })

	// Phase 1: who is placed. Greedy in waitlist order with augmenting
	// paths over the full (implicit) graph; greedy is optimal for this
	// transversal matroid, so the placed set has maximum cardinality and is
	// the earliest possible in waitlist order.
	fcs := rd.mentorFClasses(mentors, capLeft)
	assign := rd.phase1(mentees, fcs, capLeft)

	var placed, waiting []int
	for _, u := range mentees {
		if assign[u] >= 0 {
			placed = append(placed, u)
		} else {
			waiting = append(waiting, u)
		}
	}
	sort.Ints(placed)

	// Phase 2: best total score among assignments that place exactly the
	// chosen mentees.
	mentorOf, stats, err := rd.phase2(placed, mentors, capLeft, assign)
	if err != nil {
		return err
	}
	res.Stats.Exact, res.Stats.Gap = stats.Exact, stats.Gap
	res.Stats.CandidateK, res.Stats.PricingRounds = stats.CandidateK, stats.PricingRounds
	res.Stats.EdgesUsed, res.Stats.PairsChecked = stats.EdgesUsed, stats.PairsChecked
	used := map[int]int{}
	for k, u := range placed {
		j := mentorOf[k]
		used[j]++
		s := rd.score(j, u)
		res.Stats.TotalScore += s
		res.Pairs = append(res.Pairs, Pair{Members: []string{rd.people[j].id, rd.people[u].id},
			Score: s, Reasons: rd.reasons(j, u)})
	}

	// Waitlist and reasons.
	totalSlots, freeSlots := 0, 0
	for _, j := range mentors {
		totalSlots += rd.people[j].capacity
		freeSlots += capLeft[j] - used[j]
	}
	var wl []Unmatched
	var never []Unmatched
	mentorIdx := rd.newWhyIndex(mentors)
	for _, u := range waiting {
		w := mentorIdx.count(rd, u)
		if w.feasible == 0 {
			never = append(never, Unmatched{ID: rd.people[u].id, Reason: rd.noMentorReason(u, w, len(mentors))})
			continue
		}
		wl = append(wl, Unmatched{ID: rd.people[u].id})
	}
	for k := range wl {
		u := rd.index[wl[k].ID]
		w := mentorIdx.count(rd, u)
		wl[k].Position = k + 1
		if w.feasible == len(mentors) {
			wl[k].Reason = fmt.Sprintf("waitlisted: position %d of %d, all %d mentors full (%d places)",
				k+1, len(wl), len(mentors), totalSlots)
		} else {
			wl[k].Reason = fmt.Sprintf("waitlisted: position %d of %d, all %d mentors you could be paired with are full (%s)",
				k+1, len(wl), w.feasible, strings.TrimSpace(w.describe(rd, u, len(mentors))))
		}
	}
	res.Unmatched = append(res.Unmatched, wl...)
	var rest []Unmatched
	rest = append(rest, never...)
	menteeIdx := rd.newWhyIndex(mentees)
	for _, j := range mentors {
		if used[j]+pinnedTo[j] > 0 {
			continue
		}
		w := menteeIdx.count(rd, j)
		var reason string
		switch {
		case len(mentees) == 0:
			reason = "no eligible mentee in this round"
		case w.feasible == 0:
			reason = fmt.Sprintf("no eligible mentee can be paired with you: of the %d, %s",
				len(mentees), w.describe(rd, j, len(mentees)))
		default:
			reason = fmt.Sprintf("all %d eligible mentees you could mentor were placed with other mentors (%d places still free)",
				w.feasible, freeSlots)
		}
		rest = append(rest, Unmatched{ID: rd.people[j].id, Reason: reason})
	}
	sort.Slice(rest, func(i, j int) bool { return rest[i].ID < rest[j].ID })
	// Ineligible mentees were added first; keep waitlist first overall.
	inel := res.Unmatched[:len(res.Unmatched)-len(wl)]
	rest = append(rest, inel...)
	sort.Slice(rest, func(i, j int) bool { return rest[i].ID < rest[j].ID })
	res.Unmatched = append(slices.Clone(wl), rest...)
	return nil
}

func (rd *round) noMentorReason(u int, w whyNot, nMentors int) string {
	if nMentors == 0 {
		return "no mentors in this round"
	}
	return fmt.Sprintf("no mentor can be paired with you: of the %d mentors, %s", nMentors, w.describe(rd, u, nMentors))
}

func (rd *round) mentorFClasses(mentors []int, capLeft map[int]int) []*fclass {
	type key struct {
		c int32
		l langSet
	}
	m := map[key]int{}
	var fcs []*fclass
	for _, j := range mentors {
		p := &rd.people[j]
		k := key{p.countryID, p.langs}
		id, ok := m[k]
		if !ok {
			id = len(fcs)
			m[k] = id
			fcs = append(fcs, &fclass{country: p.countryID, langs: p.langs})
		}
		f := fcs[id]
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
