package pairing

import (
	"fmt"
	"sort"
	"strings"
)

// Match runs one matching: it validates the input (returning every problem
// as InputErrors), applies the country cap, places the coordinator's pins,
// and finds the optimum for the rest. See the package documentation for the
// rules, the score and the guarantees.
func Match(in Input) (*Result, error) {
	rd, err := prepare(in)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	res.Stats.People = len(rd.people)
	isPinned := make([]bool, len(rd.people))
	for _, p := range rd.pins {
		isPinned[p[0]], isPinned[p[1]] = true, true
	}
	accepted, deferred := rd.applyCountryCap(isPinned)
	res.Deferred = deferred
	res.Stats.Deferred = len(deferred)
	res.Stats.Accepted = len(rd.people) - len(deferred)

	for _, p := range rd.pins {
		a, b := p[0], p[1]
		reasons := append([]string{"paired by the coordinator"}, rd.reasons(a, b)...)
		res.Pairs = append(res.Pairs, Pair{Members: []string{rd.people[a].id, rd.people[b].id},
			Score: rd.score(a, b), Pinned: true, Reasons: reasons})
	}
	res.Stats.Pinned = len(rd.pins)

	if rd.rules.Mode == ModePeer {
		err = rd.runPeer(res, accepted, isPinned)
	} else {
		err = rd.runMentor(res, isPinned)
	}
	if err != nil {
		return nil, err
	}
	sort.SliceStable(res.Pairs, func(i, j int) bool {
		a, b := res.Pairs[i].Members, res.Pairs[j].Members
		for k := 0; k < len(a) && k < len(b); k++ {
			if a[k] != b[k] {
				return a[k] < b[k]
			}
		}
		return len(a) < len(b)
	})
	res.Stats.Pairs = len(res.Pairs)
	res.Stats.Unmatched = len(res.Unmatched)
	return res, nil
}

func (rd *round) runPeer(res *Result, accepted, isPinned []bool) error {
	var pool []int
	for i := range rd.people {
		if accepted[i] && !isPinned[i] {
			pool = append(pool, i)
		}
	}
	out, err := rd.matchPeers(pool)
	if err != nil {
		return err
	}
	pinnedPairs := len(res.Pairs)
	res.Stats.Exact, res.Stats.Gap = out.stats.Exact, out.stats.Gap
	res.Stats.CandidateK, res.Stats.PricingRounds = out.stats.CandidateK, out.stats.PricingRounds
	res.Stats.EdgesUsed, res.Stats.PairsChecked = out.stats.EdgesUsed, out.stats.PairsChecked
	type pr struct{ a, b int } // person indices
	var made []pr
	var left []int // person indices
	for u, v := range out.mate {
		if v < 0 {
			left = append(left, pool[u])
		} else if u < v {
			made = append(made, pr{pool[u], pool[v]})
			res.Stats.TotalScore += out.score[u]
		}
	}
	for _, p := range made {
		res.Pairs = append(res.Pairs, Pair{Members: []string{rd.people[p.a].id, rd.people[p.b].id},
			Score: rd.score(p.a, p.b), Reasons: rd.reasons(p.a, p.b)})
	}
	// Odd one(s) out.
	trioNote := map[int]string{}
	if rd.rules.OddPolicy == OddTrio && len(left) > 0 {
		taken := make([]bool, len(made))
		var still []int
		for _, x := range left {
			best, bestGain := -1, int64(-1)
			feasibleAny := false
			for k, p := range made {
				if !rd.feasible(x, p.a) || !rd.feasible(x, p.b) {
					continue
				}
				feasibleAny = true
				if taken[k] {
					continue
				}
				if g := rd.score(x, p.a) + rd.score(x, p.b); g > bestGain {
					best, bestGain = k, g
				}
			}
			if best < 0 {
				still = append(still, x)
				if feasibleAny {
					trioNote[x] = "every pair you could join as a third member already has one"
				} else if len(made) > 0 {
					trioNote[x] = "no pair could take you as a third member: every pair has someone you may not be paired with"
				}
				continue
			}
			taken[best] = true
			p := made[best]
			pair := &res.Pairs[pinnedPairs+best]
			pair.Members = append(pair.Members, rd.people[x].id)
			pair.Score += bestGain
			pair.Reasons = append(pair.Reasons,
				fmt.Sprintf("%s joined as a third member (nobody was left to pair with them); with %s: %s; with %s: %s",
					rd.people[x].id, rd.people[p.a].id, strings.Join(rd.reasons(x, p.a), "; "),
					rd.people[p.b].id, strings.Join(rd.reasons(x, p.b), "; ")))
		}
		left = still
	}
	var pool2 []int
	for i := range rd.people {
		if accepted[i] && !isPinned[i] {
			pool2 = append(pool2, i)
		}
	}
	for _, u := range left {
		reason := rd.peerUnmatchedReason(u, pool2, left)
		if n := trioNote[u]; n != "" {
			reason += "; " + n
		}
		res.Unmatched = append(res.Unmatched, Unmatched{ID: rd.people[u].id, Reason: reason})
	}
	return nil
}

// whyNot counts, over the candidates, why each cannot be paired with u
// (first applicable reason each), and how many are feasible.
type whyNot struct{ feasible, sameCountry, noLanguage, previous, forbidden, role int }

func (rd *round) countWhyNot(u int, cands []int) whyNot {
	var w whyNot
	a := &rd.people[u]
	for _, v := range cands {
		if v == u {
			continue
		}
		b := &rd.people[v]
		switch {
		case rd.rules.Mode == ModeMentor && a.mentor == b.mentor:
			w.role++
		case !rd.rules.SameCountryAllowed && a.countryID == b.countryID:
			w.sameCountry++
		case rd.rules.RequireSharedLanguage && a.langs.and(b.langs).empty():
			w.noLanguage++
		default:
			k := rd.blocks[pairKey(u, v)]
			switch {
			case k&blockPrevious != 0:
				w.previous++
			case k&blockForbid != 0:
				w.forbidden++
			default:
				w.feasible++
			}
		}
	}
	return w
}

func (w whyNot) describe(rd *round, u int, total int) string {
	c := rd.people[u].country
	phrase := func(n int, one, many string) string {
		switch {
		case n == total && n == 1:
			return "they " + many
		case n == total:
			return fmt.Sprintf("all %d %s", n, many)
		case n == 1:
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", n, many)
	}
	var parts []string
	if w.sameCountry > 0 {
		parts = append(parts, phrase(w.sameCountry, "shares your country", "share your country")+" ("+countryNames[c]+")")
	}
	if w.noLanguage > 0 {
		parts = append(parts, phrase(w.noLanguage, "shares no language with you", "share no language with you"))
	}
	if w.previous > 0 {
		parts = append(parts, phrase(w.previous, "was your partner in an earlier round", "were your partners in an earlier round"))
	}
	if w.forbidden > 0 {
		parts = append(parts, phrase(w.forbidden, "may not be paired with you (coordinator)", "may not be paired with you (coordinator)"))
	}
	if w.role > 0 {
		parts = append(parts, phrase(w.role, "has the same role as you", "have the same role as you"))
	}
	return strings.Join(parts, ", ")
}

// peerUnmatchedReason explains why u, left out by a maximum-cardinality
// matching, has no partner.
func (rd *round) peerUnmatchedReason(u int, pool, left []int) string {
	total := rd.countWhyNot(u, pool)
	if total.feasible == 0 {
		if len(pool) <= 1 {
			return "nobody else is in this round's matching"
		}
		return fmt.Sprintf("nobody in this round can be paired with you: of the %d other participants, %s",
			len(pool)-1, total.describe(rd, u, len(pool)-1))
	}
	rest := rd.countWhyNot(u, left)
	others := len(left) - 1
	if others == 0 {
		return fmt.Sprintf("odd one out: all %d participants you could be paired with are already in pairs, and nobody else is left", total.feasible)
	}
	if others == 1 {
		return fmt.Sprintf("the only other participant left over cannot be paired with you (%s); the %d you could be paired with are all in pairs",
			rest.describe(rd, u, 1), total.feasible)
	}
	return fmt.Sprintf("no remaining participant can be paired with you: of the %d left over, %s; the %d you could be paired with are all in pairs",
		others, rest.describe(rd, u, others), total.feasible)
}
