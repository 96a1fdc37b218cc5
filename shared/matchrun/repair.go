package matchrun

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairing"
	"github.com/pairup/pairup/shared/pairup"
)

// repairKey is the outbox key of the introduction a re-pair sends a member of a new pair.
func repairKey(p, r, pairID, regID string) string {
	return "repair/" + p + "/" + r + "/" + pairID + "/" + regID
}

// repairReason is the outcome reason of a partner left without a pair by a re-pair.
const repairReason = "their partner was re-paired by the coordinators"

// repair re-pairs people of an active round (the coordinators' answer to a check-in "no"): it
// ends their pairs, keeps every other pair as it is, and runs the matcher over the people to
// re-pair and those not in a pair (unmatched, waitlisted; in mentor mode, mentors with places
// left), never with an ex-partner, a forbidden or a previous partner, and without the country
// cap. In peer mode, someone the matcher leaves alone joins the active pair they fit best as a
// third member. The new partners are introduced. A partner left alone is set aside (unmatched),
// not re-paired, unless named too. With "replacing", the pairs to end are named, and a repeat of
// the same event is refused (ECONFLICT): nothing is ended or sent twice.
func (s *Service) repair(ctx context.Context, ev Event, dry bool, now time.Time) (Result, error) {
	p, r, err := s.load(ctx, ev.Programme, ev.Round)
	if err != nil {
		return Result{}, err
	}
	if r.State != pairup.RoundActive {
		return Result{}, pairup.Errorf(pairup.ECONFLICT, "%s is %s: only an active round's pairs can be re-paired.", r.Name, r.State)
	}
	if len(ev.People) == 0 {
		return Result{}, pairup.Errorf(pairup.EINVALID, `repair needs "people": the email addresses or registration ids of the people to re-pair.`)
	}
	regs, err := s.Store.ListRegistrations(ctx, p.ID, r.ID, pairup.StatusConfirmed)
	if err != nil {
		return Result{}, err
	}
	people, err := resolvePeople(ev.People, regs)
	if err != nil {
		return Result{}, err
	}
	pairs, err := s.Store.ListPairs(ctx, p.ID, r.ID)
	if err != nil {
		return Result{}, err
	}
	outcomes, err := s.Store.ListOutcomes(ctx, p.ID, r.ID)
	if err != nil {
		return Result{}, err
	}
	pl := &plan{programme: p, round: r, byID: map[string]*pairup.Registration{}, at: now}
	for i := range regs {
		pl.byID[regs[i].ID] = &regs[i]
	}
	byPair := map[string]*pairup.Pair{}
	for i := range pairs {
		byPair[pairs[i].ID] = &pairs[i]
	}
	named := map[string]bool{}
	for _, id := range people {
		named[id] = true
	}
	// The pairs to end. A pair that ended because a member withdrew may be named too: its
	// other members are free to re-pair (the withdrawal's alert carries that event).
	ended := map[string]*pairup.Pair{}
	withdrawn := map[string]*pairup.Pair{} // named pairs a member withdrew from
	if len(ev.Replacing) > 0 {
		fe := pairup.FieldErrors{}
		for i, id := range ev.Replacing {
			pr := byPair[id]
			switch {
			case pr == nil:
				fe.Add(fmt.Sprintf("replacing[%d]", i), fmt.Sprintf("%q is not a pair of this round", id))
			case !pr.Active() && pr.EndReason == pairup.PairEndWithdrawn && slices.ContainsFunc(people, pr.Has):
				withdrawn[id] = pr
			case !pr.Active():
				return Result{}, pairup.Errorf(pairup.ECONFLICT, "Pair %s ended on %s (%s): this re-pair was made before. Nothing was changed.", id, day(pr.EndedAt), pr.EndReason)
			case !slices.ContainsFunc(people, pr.Has):
				fe.Add(fmt.Sprintf("replacing[%d]", i), fmt.Sprintf("pair %q has none of the people to re-pair", id))
			default:
				ended[id] = pr
			}
		}
		if err := fe.Err(); err != nil {
			return Result{}, err
		}
	} else {
		for _, pr := range byPair {
			if pr.Active() && slices.ContainsFunc(people, pr.Has) {
				ended[pr.ID] = pr
			}
		}
	}
	// Who is still paired once those end, and who was with whom.
	inPair := map[string]bool{}
	mentees := map[string]int{} // mentor → active mentees kept
	lost := map[string]int{}    // mentor not re-paired → places lost with an ended pair
	exes := map[string][]string{}
	for _, pr := range pairs {
		if !pr.Active() {
			for _, a := range pr.Members {
				for _, b := range pr.Members {
					if a != b {
						exes[a.RegistrationID] = append(exes[a.RegistrationID], b.RegistrationID)
					}
				}
			}
			continue
		}
		if _, ending := ended[pr.ID]; ending {
			for _, a := range pr.Members {
				for _, b := range pr.Members {
					if a != b {
						exes[a.RegistrationID] = append(exes[a.RegistrationID], b.RegistrationID)
					}
				}
			}
			if p.Mode == pairup.ModeMentor && !named[pr.Members[0].RegistrationID] {
				lost[pr.Members[0].RegistrationID]++
			}
			continue
		}
		for _, m := range pr.Members {
			inPair[m.RegistrationID] = true
		}
		if p.Mode == pairup.ModeMentor {
			mentees[pr.Members[0].RegistrationID]++
		}
	}
	// After a withdrawal, someone named who is in a pair made since it ended was re-paired
	// before: a repeat of the event. A mentor may keep their other mentees meanwhile.
	freed := map[string]bool{}
	for _, w := range withdrawn {
		for _, id := range people {
			if !w.Has(id) {
				continue
			}
			freed[id] = true
			for _, pr := range pairs {
				if pr.Active() && pr.Has(id) && !pr.CreatedAt.Before(w.EndedAt) {
					return Result{}, pairup.Errorf(pairup.ECONFLICT, "%s has been re-paired since their partner withdrew (pair %s): this re-pair was made before. Nothing was changed.", pl.person(id), pr.ID)
				}
			}
		}
	}
	for _, id := range people {
		if inPair[id] && !(p.Mode == pairup.ModeMentor && freed[id]) {
			return Result{}, pairup.Errorf(pairup.ECONFLICT, "%s is also in a pair that is not being replaced; name all their pairs in \"replacing\", or leave it out.", pl.person(id))
		}
	}
	// A trio that loses a member goes on as a pair of the other two.
	var made []pairup.Pair
	var setAside []string
	for _, pr := range sortedPairs(ended) {
		var rest []string
		for _, m := range pr.Members {
			if !named[m.RegistrationID] && !inPair[m.RegistrationID] {
				rest = append(rest, m.RegistrationID)
			}
		}
		switch {
		case len(rest) >= 2 && p.Mode == pairup.ModePeer:
			np := newPair(p, r, rest, pl, 0, []string{"continued together after " + strings.Join(lostNames(pr, named, pl), ", ") + " was re-paired"}, now)
			np.Replaces = pr.ID
			made = append(made, np)
			for _, id := range rest {
				inPair[id] = true
			}
		default:
			for _, id := range rest {
				if p.Mode == pairup.ModeMentor && mentees[id] > 0 {
					continue // a mentor keeps their other mentees
				}
				setAside = append(setAside, id)
			}
		}
	}
	// The pool: the people to re-pair, and those in no pair.
	kinds := map[string]pairup.OutcomeKind{}
	for _, o := range outcomes {
		kinds[o.RegistrationID] = o.Kind
	}
	var pool []pairup.Registration
	capacity := map[string]int{}
	for _, reg := range regs {
		id := reg.ID
		switch {
		case named[id]:
		case inPair[id] || slices.Contains(setAside, id):
			if !(p.Mode == pairup.ModeMentor && reg.Role == pairup.RoleMentor) {
				continue
			}
		case kinds[id] == pairup.OutcomeUnmatched || kinds[id] == pairup.OutcomeWaitlisted:
		default:
			continue // deferred to the next round, or not in the matching
		}
		if p.Mode == pairup.ModeMentor && reg.Role == pairup.RoleMentor {
			left := reg.Capacity - mentees[id] - lost[id]
			if named[id] {
				left = reg.Capacity - mentees[id]
			}
			if left <= 0 {
				continue
			}
			capacity[id] = left
			reg.Capacity = left
		}
		pool = append(pool, reg)
	}
	prev, err := s.previousPartners(ctx, p, r)
	if err != nil {
		return Result{}, err
	}
	in := matcherInput(p, r, pool, prev)
	in.Rules.Programme.CountryCapPercent = 0
	in.Pins = nil
	poolIDs := map[string]bool{}
	for _, reg := range pool {
		poolIDs[reg.ID] = true
	}
	in.Forbids = nil
	for _, f := range r.Forbids {
		if poolIDs[f.A] && poolIDs[f.B] {
			in.Forbids = append(in.Forbids, f)
		}
	}
	for _, id := range people {
		for _, x := range exes[id] {
			if poolIDs[x] {
				in.Forbids = append(in.Forbids, pairup.PairRef{A: id, B: x})
			}
		}
	}
	res, err := pairing.Match(in)
	if err != nil {
		return Result{}, pairup.Errorf(pairup.EINVALID, "The re-pair cannot run: %v.", err)
	}
	placed := map[string]bool{}
	for _, mp := range res.Pairs {
		if !slices.ContainsFunc(mp.Members, func(id string) bool { return named[id] }) {
			continue // two people who were free before: not what was asked
		}
		np := newPair(p, r, mp.Members, pl, mp.Score, mp.Reasons, now)
		made = append(made, np)
		for _, id := range mp.Members {
			placed[id] = true
		}
	}
	// Peer mode: someone still alone joins the active pair they fit best as a third member.
	if p.Mode == pairup.ModePeer {
		for _, id := range people {
			if placed[id] {
				continue
			}
			host, np, ok := s.bestTrio(p, r, pl, id, pairs, ended, exes[id], prev, now)
			if !ok {
				continue
			}
			np.Replaces = host.ID
			made = append(made, np)
			ended[host.ID] = host
			placed[id] = true
		}
	}
	// Outcomes of everyone whose place changed.
	newOutcomes := map[string]pairup.Outcome{}
	outcomeOf := func(id string) pairup.Outcome {
		if o, ok := newOutcomes[id]; ok {
			return o
		}
		reg := pl.byID[id]
		return pairup.Outcome{ProgrammeID: p.ID, RoundID: r.ID, RegistrationID: id, ParticipantID: reg.ParticipantID, SignedUpAt: reg.CreatedAt}
	}
	for _, np := range made {
		for _, m := range np.Members {
			o := outcomeOf(m.RegistrationID)
			o.Kind, o.Reason, o.Position = pairup.OutcomePaired, "", 0
			o.PairIDs = append(o.PairIDs, np.ID)
			newOutcomes[m.RegistrationID] = o
		}
	}
	for _, o := range outcomes { // mentors keep their other pairs in their outcome
		if n, ok := newOutcomes[o.RegistrationID]; ok && p.Mode == pairup.ModeMentor {
			for _, id := range o.PairIDs {
				if _, gone := ended[id]; !gone && !slices.Contains(n.PairIDs, id) {
					n.PairIDs = append(n.PairIDs, id)
				}
			}
			newOutcomes[o.RegistrationID] = n
		}
	}
	for _, id := range append(slices.Clone(people), setAside...) {
		if _, ok := newOutcomes[id]; ok {
			continue
		}
		if p.Mode == pairup.ModeMentor && freed[id] && mentees[id] > 0 {
			continue // a mentor with no new mentee keeps the ones they have
		}
		o := outcomeOf(id)
		o.Kind, o.PairIDs, o.Position = pairup.OutcomeUnmatched, nil, 0
		o.Reason = repairReason
		if named[id] {
			o.Reason = "no one free to re-pair with"
			for _, u := range res.Unmatched {
				if u.ID == id {
					o.Reason = u.Reason
				}
			}
		}
		newOutcomes[id] = o
	}
	var outs []pairup.Outcome
	for _, o := range newOutcomes {
		outs = append(outs, o)
	}
	slices.SortFunc(outs, func(a, b pairup.Outcome) int { return strings.Compare(a.RegistrationID, b.RegistrationID) })
	msgs, err := s.repairIntros(pl, made)
	if err != nil {
		return Result{}, err
	}
	endedIDs := make([]string, 0, len(ended))
	for id := range ended {
		endedIDs = append(endedIDs, id)
	}
	slices.Sort(endedIDs)
	result := Result{Action: ActionRepair, Programme: p.ID, Round: r.ID, State: string(r.State), DryRun: dry}
	for _, np := range made {
		v := PairView{Score: np.Score, Reasons: np.Reasons}
		for _, m := range np.Members {
			v.Members = append(v.Members, pl.person(m.RegistrationID))
		}
		result.Pairs = append(result.Pairs, v)
	}
	for _, o := range outs {
		if o.Kind != pairup.OutcomePaired {
			result.LeftOut = append(result.LeftOut, PersonView{Person: pl.person(o.RegistrationID), Outcome: string(o.Kind), Reason: o.Reason})
		}
	}
	result.Summary = fmt.Sprintf("Re-pairing %d %s: %d %s end, %d new %s, %d %s without a partner.",
		len(people), plural(len(people), "person", "people"), len(endedIDs), plural(len(endedIDs), "pair", "pairs"),
		len(made), plural(len(made), "pair", "pairs"), len(result.LeftOut), plural(len(result.LeftOut), "person", "people"))
	if dry {
		result.Summary = "Dry run: nothing was changed or sent. " + result.Summary + ` To make it, run the same event with "dryRun": false.`
		return result, nil
	}
	if err := s.Store.Repair(ctx, p.ID, r.ID, endedIDs, pairup.PairEndRepaired, now, made, outs, msgs); err != nil {
		return Result{}, err
	}
	result.Emails = &Emails{Participants: len(msgs)}
	s.Log.InfoContext(ctx, "re-paired", "programme", p.ID, "round", r.ID, "people", len(people), "ended", len(endedIDs), "made", len(made))
	return result, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func sortedPairs(m map[string]*pairup.Pair) []*pairup.Pair {
	out := make([]*pairup.Pair, 0, len(m))
	for _, p := range m {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *pairup.Pair) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func lostNames(pr *pairup.Pair, named map[string]bool, pl *plan) []string {
	var out []string
	for _, m := range pr.Members {
		if named[m.RegistrationID] {
			out = append(out, pl.byID[m.RegistrationID].Name)
		}
	}
	return out
}

func newPair(p *pairup.Programme, r *pairup.Round, ids []string, pl *plan, score int64, reasons []string, now time.Time) pairup.Pair {
	members := make([]pairup.PairMember, len(ids))
	for i, id := range ids {
		members[i] = pairup.PairMember{RegistrationID: id, ParticipantID: pl.byID[id].ParticipantID}
	}
	return pairup.Pair{ProgrammeID: p.ID, RoundID: r.ID, ID: pairup.PairID(ids...), Members: members, Score: score, Reasons: reasons, CreatedAt: now}
}

// bestTrio finds the active two-person pair that id fits best as a third member: the matcher on
// the three of them (ex-partners and previous partners forbidden) must keep all three together;
// the highest score wins, then the lowest pair id.
func (s *Service) bestTrio(p *pairup.Programme, r *pairup.Round, pl *plan, id string, pairs []pairup.Pair, ended map[string]*pairup.Pair, exes []string, prev map[string][]string, now time.Time) (*pairup.Pair, pairup.Pair, bool) {
	var best *pairup.Pair
	var bestPair pairup.Pair
	for i := range pairs {
		host := &pairs[i]
		if _, gone := ended[host.ID]; gone || !host.Active() || len(host.Members) != 2 || host.Has(id) {
			continue
		}
		a, b := host.Members[0].RegistrationID, host.Members[1].RegistrationID
		if slices.Contains(exes, a) || slices.Contains(exes, b) {
			continue
		}
		trio := []pairup.Registration{*pl.byID[id], *pl.byID[a], *pl.byID[b]}
		in := matcherInput(p, r, trio, prev)
		in.Rules.Programme.CountryCapPercent = 0
		in.Pins, in.Forbids = nil, nil
		res, err := pairing.Match(in)
		if err != nil || len(res.Pairs) != 1 || len(res.Pairs[0].Members) != 3 {
			continue
		}
		if best == nil || res.Pairs[0].Score > bestPair.Score {
			best = host
			bestPair = newPair(p, r, res.Pairs[0].Members, pl, res.Pairs[0].Score, res.Pairs[0].Reasons, now)
		}
	}
	return best, bestPair, best != nil
}

// repairIntros renders the introduction of each member of each new pair to their partners.
func (s *Service) repairIntros(pl *plan, made []pairup.Pair) ([]mail.Message, error) {
	p, r := pl.programme, pl.round
	coordinator := ""
	if len(p.Coordinators) > 0 {
		coordinator = p.Coordinators[0]
	}
	var msgs []mail.Message
	for _, np := range made {
		for _, m := range np.Members {
			reg := pl.byID[m.RegistrationID]
			locale := reg.Locale
			if locale == "" {
				locale = p.Locale
			}
			key := repairKey(p.ID, r.ID, np.ID, reg.ID)
			d := mail.IntroData{
				Name: reg.Name, ProgrammeName: p.Name, RoundName: r.Name, Mode: string(p.Mode), Role: string(reg.Role),
				Icebreakers: p.Icebreakers, ReplyWithin: aWeek(locale), Repaired: true,
				CoordinatorEmail: coordinator, UnsubscribeURL: s.unsubscribeURL(key, pl.at), WithdrawURL: s.withdrawURL(r, reg.ID, pl.at),
			}
			if len(p.Topics) > 0 {
				d.FirstTopic = p.Topics[0]
			}
			for _, o := range np.Members {
				if o.RegistrationID != reg.ID {
					d.Partners = append(d.Partners, pl.partner(pl.byID[o.RegistrationID], np.Reasons, locale))
				}
			}
			msg, err := s.Templates.Render("intro", locale, d)
			if err != nil {
				return nil, fmt.Errorf("matchrun: render the re-pair introduction: %w", err)
			}
			msg.Key, msg.To = key, reg.Email
			msg.Tags = map[string]string{"kind": "repair", "programme": p.ID}
			msgs = append(msgs, msg)
		}
	}
	return msgs, nil
}

// resolvePeople maps people named by email or registration id to registration ids; the error
// names each it cannot find.
func resolvePeople(who []string, regs []pairup.Registration) ([]string, error) {
	byKey := map[string]string{}
	for _, r := range regs {
		byKey[r.ID] = r.ID
		byKey[strings.ToLower(r.Email)] = r.ID
	}
	fe := pairup.FieldErrors{}
	var ids []string
	for i, w := range who {
		id, ok := byKey[strings.ToLower(strings.TrimSpace(w))]
		switch {
		case !ok:
			fe.Add(fmt.Sprintf("people[%d]", i), fmt.Sprintf("%q is not a confirmed participant of this round", w))
		case slices.Contains(ids, id):
			fe.Add(fmt.Sprintf("people[%d]", i), fmt.Sprintf("%q is named twice", w))
		default:
			ids = append(ids, id)
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return ids, nil
}
