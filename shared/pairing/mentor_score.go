package pairing

import (
	"cmp"
	"slices"
	"sort"
	"time"

	"github.com/pairup/pairup/shared/matching"
)

// phase2 finds, among assignments that place exactly the mentees chosen by
// phase 1 (placed, person indices), one of maximum total score. It works
// like the peer matcher: each mentee's K best feasible mentors plus its
// phase-1 mentor (so a complete assignment exists), solved with the
// cardinality constant C added to every arc, then every other
// mentor–mentee pair is priced against the potentials and violators are
// added until none remain. It returns the mentor (person index) of each
// placed mentee, in the order of placed.
func (rd *round) phase2(placed, mentors []int, capLeft map[int]int, assign []int) ([]int, Stats, error) {
	var st Stats
	st.CandidateK = rd.rules.CandidateK
	out := make([]int, len(placed))
	if len(placed) == 0 {
		st.Exact = true
		return out, st, nil
	}
	maxS := rd.roundMaxScore()
	C, err := cardinalityConstant(len(placed), maxS)
	if err != nil {
		return nil, st, err
	}
	mIdx := make(map[int]int, len(mentors)) // person → mentor position
	capacity := make([]int, len(mentors))
	for k, j := range mentors {
		mIdx[j] = k
		capacity[k] = max(0, capLeft[j])
	}
	if len(placed)*len(mentors) <= rd.tune.denseLimit {
		return rd.phase2Dense(placed, mentors, capacity, st)
	}
	classes := rd.buildClasses(mentors)
	lists := rd.mentorCandidates(placed, mentors, classes, capacity)
	arcSet := map[[2]int]bool{}
	var arcs []matching.Arc
	addArc := func(i, m int) {
		if arcSet[[2]int{i, m}] {
			return
		}
		arcSet[[2]int{i, m}] = true
		arcs = append(arcs, matching.Arc{Mentee: i, Mentor: m, W: C + rd.score(mentors[m], placed[i])})
	}
	for i, l := range lists {
		addArc(i, mIdx[assign[placed[i]]])
		for _, c := range l {
			addArc(i, int(c.v))
		}
	}
	lists = nil
	for {
		st.PricingRounds++
		st.EdgesUsed = len(arcs)
		t0 := time.Now()
		mentorOf, total, pot := matching.AssignDual(len(placed), capacity, arcs, false)
		t1 := time.Now()
		viol, checked := rd.priceMentors(placed, mentors, classes, capacity, pot, C)
		rd.tune.logf("mentor: round %d: assign %d arcs in %v, pricing checked %d pairs in %v, %d violators",
			st.PricingRounds, len(arcs), t1.Sub(t0), checked, time.Since(t1), len(viol))
		st.PairsChecked += checked
		if len(viol) == 0 || st.PricingRounds >= rd.rules.MaxPricingRounds {
			// Dual objective Σ mentee + Σ capacity·mentor; raise violated
			// mentees' potentials to make it feasible on the full graph.
			var dualObj int64
			for _, y := range pot.Mentee {
				dualObj += y
			}
			for m, y := range pot.Mentor {
				dualObj += y * int64(capacity[m])
			}
			if len(viol) > 0 { // complete, uncapped scan for the repair
				raise := make([]int64, len(placed))
				rd.priceMentorsScan(placed, mentors, classes, capacity, pot, C, raise)
				for _, d := range raise {
					dualObj += d
				}
			}
			st.Gap = max(0, dualObj-total)
			st.Exact = len(viol) == 0 && st.Gap == 0
			for i, m := range mentorOf {
				if m < 0 {
					// Cannot happen: the phase-1 arcs admit a complete
					// assignment and C makes it optimal.
					panic("pairing: phase 2 left a chosen mentee unplaced")
				}
				out[i] = mentors[m]
			}
			return out, st, nil
		}
		// Partial pricing: each mentee brings its most violated arcs.
		for i := 0; i < len(viol); {
			j := i
			for j < len(viol) && viol[j].Mentee == viol[i].Mentee {
				j++
			}
			group := viol[i:j]
			slices.SortStableFunc(group, func(a, b matching.Arc) int { return cmp.Compare(b.W, a.W) })
			for _, a := range group[:min(len(group), mentorViolatorsPerMentee)] {
				addArc(a.Mentee, a.Mentor)
			}
			i = j
		}
	}
}

// mentorCandidates returns each placed mentee's K best feasible mentors
// (positions in mentors) with room, best first: classes in order of their
// bound, until no class can beat the K-th best.
func (rd *round) mentorCandidates(placed, mentors []int, classes []*class, capacity []int) [][]cand {
	K := rd.rules.CandidateK
	lists := make([][]cand, len(placed))
	parallel(len(placed), func(lo, hi int) {
		type cb struct {
			c *class
			b int64
		}
		order := make([]cb, 0, len(classes))
		for i := lo; i < hi; i++ {
			u := placed[i]
			order = order[:0]
			for _, c := range classes {
				if b := rd.bound(u, c, true); b >= 0 {
					order = append(order, cb{c, b})
				}
			}
			slices.SortStableFunc(order, func(a, b cb) int { return int(b.b - a.b) })
			t := topK{k: K}
			for _, o := range order {
				if t.full() && o.b < t.worst() {
					break
				}
				for _, m := range o.c.members {
					j := mentors[m]
					if capacity[m] == 0 || !rd.feasible(j, u) {
						continue
					}
					t.push(cand{m, rd.score(j, u), tieHash(i, int(m))})
				}
			}
			lists[i] = t.list
		}
	})
	return lists
}

// priceMentors returns the feasible (placed mentee, mentor) pairs whose
// reduced cost is negative: Mentee[i] + Mentor[m] < C + score. Arc.W holds
// the deficit.
func (rd *round) priceMentors(placed, mentors []int, classes []*class, capacity []int, pot matching.AssignPotentials, C int64) ([]matching.Arc, int64) {
	return rd.priceMentorsScan(placed, mentors, classes, capacity, pot, C, nil)
}

// priceMentorsScan is priceMentors; with raise non-nil it records each
// mentee's largest deficit over all its violated arcs (no cap) instead.
func (rd *round) priceMentorsScan(placed, mentors []int, classes []*class, capacity []int, pot matching.AssignPotentials, C int64, raise []int64) ([]matching.Arc, int64) {
	for _, c := range classes {
		c.byDual = append(c.byDual[:0], c.members...)
		sort.Slice(c.byDual, func(i, j int) bool {
			a, b := c.byDual[i], c.byDual[j]
			if pot.Mentor[a] != pot.Mentor[b] {
				return pot.Mentor[a] < pot.Mentor[b]
			}
			return a < b
		})
	}
	found := make([][]matching.Arc, len(placed))
	checked := make([]int64, len(placed))
	maxFound := int(rd.tune.maxFound)
	parallel(len(placed), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			u := placed[i]
			for _, c := range classes {
				if raise == nil && len(found[i]) >= maxFound {
					break
				}
				b := rd.bound(u, c, true)
				if b < 0 {
					continue
				}
				t := C + b - pot.Mentee[i]
				for _, m := range c.byDual {
					if pot.Mentor[m] >= t {
						break
					}
					if capacity[m] == 0 {
						continue
					}
					checked[i]++
					j := mentors[m]
					if !rd.feasible(j, u) {
						continue
					}
					w := C + rd.score(j, u)
					if d := w - pot.Mentee[i] - pot.Mentor[m]; d > 0 && raise != nil {
						raise[i] = max(raise[i], d)
					} else if d > 0 {
						found[i] = append(found[i], matching.Arc{Mentee: i, Mentor: int(m), W: d})
						if len(found[i]) >= maxFound {
							break
						}
					}
				}
			}
		}
	})
	var all []matching.Arc
	var total int64
	for i := range found {
		all = append(all, found[i]...)
		total += checked[i]
	}
	return all, total
}

// mentorViolatorsPerMentee is the partial-pricing limit of phase 2 (see
// maxViolatorsPerVertex).
const mentorViolatorsPerMentee = 16

// phase2Dense solves phase 2 on the complete score matrix (exact by
// construction; the solver's own maximum-cardinality mode places every
// chosen mentee).
func (rd *round) phase2Dense(placed, mentors []int, capacity []int, st Stats) ([]int, Stats, error) {
	n := len(placed)
	score := make([]int32, n*len(mentors))
	parallel(len(mentors), func(lo, hi int) {
		for m := lo; m < hi; m++ {
			j := mentors[m]
			row := score[m*n : (m+1)*n]
			for i, u := range placed {
				if capacity[m] == 0 || !rd.feasible(j, u) {
					row[i] = matching.NoArc
				} else {
					row[i] = int32(rd.score(j, u))
				}
			}
		}
	})
	mentorOf, _ := matching.AssignDense(n, capacity, score, true)
	out := make([]int, n)
	for i, m := range mentorOf {
		if m < 0 {
			panic("pairing: phase 2 left a chosen mentee unplaced")
		}
		out[i] = mentors[m]
	}
	st.Exact, st.PricingRounds, st.EdgesUsed = true, 1, n*len(mentors)
	st.PairsChecked = int64(n * len(mentors))
	return out, st, nil
}
