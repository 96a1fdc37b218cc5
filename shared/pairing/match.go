package pairing

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pairup/pairup/shared/pairup"
)

// Match runs one matching: it validates the input (returning every problem
// as InputErrors), applies the country cap, places the coordinator's pins,
// and finds the optimum for the rest. See the package documentation for the
// rules, the score and the guarantees.
func Match(in Input) (*Result, error) { return match(in, defaultTuning()) }

// match is Match with the given settings.
func match(in Input, t *tuning) (*Result, error) {
	rd, err := prepare(in, t)
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

	if rd.rules.Mode == pairup.ModePeer {
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
	res.Stats.setSearch(out.stats)
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
		poolIdx := rd.newWhyIndex(pool)
		for _, x := range left {
			if poolIdx.count(rd, x).feasible == 0 { // the reason says it all
				still = append(still, x)
				continue
			}
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
	poolIdx, leftIdx := rd.newWhyIndex(pool), rd.newWhyIndex(left)
	for _, u := range left {
		reason := rd.peerUnmatchedReason(u, len(pool), len(left), poolIdx, leftIdx)
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

// whyIndex summarises a candidate list by (country, language set), so
// that counting why each candidate cannot be paired with someone costs
// O(groups + blocked pairs) instead of O(candidates). In mentor mode the
// list must hold only the opposite role (and only eligible mentees).
type whyIndex struct {
	groups []whyGroup
	in     []bool // person index → in the list
}

type whyGroup struct {
	country int32
	langs   langSet
	n       int
}

func (rd *round) newWhyIndex(cands []int) *whyIndex {
	idx := &whyIndex{in: make([]bool, len(rd.people))}
	group, rep := rd.countryLangGroups(cands)
	idx.groups = make([]whyGroup, len(rep))
	for g, u := range rep {
		idx.groups[g] = whyGroup{country: rd.people[u].countryID, langs: rd.people[u].langs}
	}
	for i, v := range cands {
		idx.in[v] = true
		idx.groups[group[i]].n++
	}
	return idx
}

// classWhy says which class-level rule excludes the pair: 1 same country,
// 2 no shared language, 0 none.
func (rd *round) classWhy(a *person, country int32, langs langSet) int {
	if !rd.rules.Programme.SameCountryAllowed && a.countryID == country {
		return 1
	}
	if rd.rules.Programme.RequireSharedLanguage && a.langs.and(langs).empty() {
		return 2
	}
	return 0
}

func (idx *whyIndex) count(rd *round, u int) whyNot {
	var w whyNot
	a := &rd.people[u]
	add := func(kind, n int) {
		switch kind {
		case 1:
			w.sameCountry += n
		case 2:
			w.noLanguage += n
		default:
			w.feasible += n
		}
	}
	for _, g := range idx.groups {
		add(rd.classWhy(a, g.country, g.langs), g.n)
	}
	if idx.in[u] { // not a candidate for themselves
		add(rd.classWhy(a, a.countryID, a.langs), -1)
	}
	for _, b32 := range a.blocked {
		b := int(b32)
		if !idx.in[b] || rd.classWhy(a, rd.people[b].countryID, rd.people[b].langs) != 0 {
			continue
		}
		w.feasible--
		if rd.blocks[pairKey(u, b)]&blockPrevious != 0 {
			w.previous++
		} else {
			w.forbidden++
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
		parts = append(parts, phrase(w.sameCountry, "shares your country", "share your country")+" ("+countryName(c)+")")
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
func (rd *round) peerUnmatchedReason(u int, nPool, nLeft int, poolIdx, leftIdx *whyIndex) string {
	total := poolIdx.count(rd, u)
	if total.feasible == 0 {
		if nPool <= 1 {
			return "nobody else is in this round's matching"
		}
		return fmt.Sprintf("nobody in this round can be paired with you: of the %d other participants, %s",
			nPool-1, total.describe(rd, u, nPool-1))
	}
	rest := leftIdx.count(rd, u)
	others := nLeft - 1
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
