package pairing

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

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
	res.Stats.setSearch(stats)
	used := map[int]int{}
	for k, u := range placed {
		j := mentorOf[k]
		used[j]++
		s := rd.score(j, u)
		res.Stats.TotalScore += s
		res.Pairs = append(res.Pairs, Pair{Members: []string{rd.people[j].id, rd.people[u].id},
			Score: s, Reasons: rd.reasons(j, u)})
	}

	rd.mentorUnmatched(res, mentors, mentees, waiting, capLeft, used, pinnedTo)
	return nil
}

// mentorUnmatched adds everybody runMentor left out to res.Unmatched, each
// with the reason: the waitlist first, in order, then by ID the ineligible
// mentees (already in res.Unmatched), the mentees no mentor can take and
// the mentors who got nobody. used and pinnedTo count each mentor's
// optimised and pinned mentees.
func (rd *round) mentorUnmatched(res *Result, mentors, mentees, waiting []int, capLeft, used, pinnedTo map[int]int) {
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
}

func (rd *round) noMentorReason(u int, w whyNot, nMentors int) string {
	if nMentors == 0 {
		return "no mentors in this round"
	}
	return fmt.Sprintf("no mentor can be paired with you: of the %d mentors, %s", nMentors, w.describe(rd, u, nMentors))
}
