package matchrun

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pairup/pairup/shared/pairing"
	"github.com/pairup/pairup/shared/pairup"
)

// plan is a computed matching of a round: the matcher's result mapped back onto registrations.
type plan struct {
	programme *pairup.Programme
	round     *pairup.Round
	all       int                             // registrations in the round, any status
	people    []pairup.Registration           // confirmed registrations in the matching
	byID      map[string]*pairup.Registration // people by registration id
	result    *pairing.Result
	pairs     []pairup.Pair
	outcomes  []pairup.Outcome // one per person, in registration order
	counts    Counts
	at        time.Time
}

// compute matches a round's confirmed registrations (those confirmed by cutoff, if set) with
// the round's pins and forbids and everyone's previous partners. Deterministic for the same
// stored data.
func (s *Service) compute(ctx context.Context, p *pairup.Programme, r *pairup.Round, cutoff, now time.Time) (*plan, error) {
	regs, err := s.Store.ListRegistrations(ctx, p.ID, r.ID, "")
	if err != nil {
		return nil, err
	}
	pl := &plan{programme: p, round: r, all: len(regs), byID: map[string]*pairup.Registration{}, at: now}
	for _, reg := range regs {
		if reg.Status != pairup.StatusConfirmed || (!cutoff.IsZero() && reg.ConfirmedAt.After(cutoff)) {
			continue
		}
		pl.people = append(pl.people, reg)
	}
	for i := range pl.people {
		pl.byID[pl.people[i].ID] = &pl.people[i]
	}
	prev, err := s.previousPartners(ctx, p, r)
	if err != nil {
		return nil, err
	}
	res, err := pairing.Match(matcherInput(p, r, pl.people, prev))
	if err != nil {
		return nil, pairup.Errorf(pairup.EINVALID, "The matching cannot run: %v.", err)
	}
	pl.result = res
	pl.build()
	return pl, nil
}

// previousPartners maps participant ids to the participants they were paired with in the
// programme's earlier rounds that were matched (active, closing, closed).
func (s *Service) previousPartners(ctx context.Context, p *pairup.Programme, r *pairup.Round) (map[string][]string, error) {
	rounds, err := s.Store.ListRounds(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	var earlier []string
	for _, o := range rounds {
		switch o.State {
		case pairup.RoundActive, pairup.RoundClosing, pairup.RoundClosed:
			if o.ID != r.ID {
				earlier = append(earlier, o.ID)
			}
		}
	}
	if len(earlier) == 0 {
		return nil, nil
	}
	return s.Store.PreviousPartners(ctx, p.ID, earlier)
}

// build maps the matcher's result onto pairs, outcomes and counts.
func (pl *plan) build() {
	res, p, r := pl.result, pl.programme, pl.round
	paired := map[string][]string{}
	scoreSum := int64(0)
	countries := map[string]bool{}
	for _, mp := range res.Pairs {
		members := make([]pairup.PairMember, len(mp.Members))
		for i, id := range mp.Members {
			members[i] = pairup.PairMember{RegistrationID: id, ParticipantID: pl.byID[id].ParticipantID}
		}
		id := pairup.PairID(mp.Members...)
		pl.pairs = append(pl.pairs, pairup.Pair{
			ProgrammeID: p.ID, RoundID: r.ID, ID: id, Members: members, Score: mp.Score,
			Pinned: mp.Pinned, Reasons: mp.Reasons, CreatedAt: pl.at,
		})
		scoreSum += mp.Score
		for _, m := range mp.Members {
			paired[m] = append(paired[m], id)
			countries[pl.byID[m].Country] = true
		}
		if len(mp.Members) == 3 {
			pl.counts.Trios++
		}
	}
	left := map[string]pairing.Unmatched{}
	kinds := map[string]pairup.OutcomeKind{}
	for _, u := range res.Deferred {
		left[u.ID], kinds[u.ID] = u, pairup.OutcomeDeferred
	}
	for _, u := range res.Unmatched {
		k := pairup.OutcomeUnmatched
		if u.Position > 0 && p.Mode == pairup.ModeMentor {
			k = pairup.OutcomeWaitlisted
		}
		left[u.ID], kinds[u.ID] = u, k
	}
	pl.counts.UnmatchedByReason = map[string]int{}
	for _, reg := range pl.people {
		o := pairup.Outcome{ProgrammeID: p.ID, RoundID: r.ID, RegistrationID: reg.ID, ParticipantID: reg.ParticipantID, SignedUpAt: reg.CreatedAt}
		if ids, ok := paired[reg.ID]; ok {
			o.Kind, o.PairIDs = pairup.OutcomePaired, ids
		} else if u, ok := left[reg.ID]; ok {
			o.Kind, o.Reason, o.Position = kinds[reg.ID], u.Reason, u.Position
		} else {
			o.Kind, o.Reason = pairup.OutcomeUnmatched, "not placed by the matching"
		}
		switch o.Kind {
		case pairup.OutcomePaired:
			pl.counts.Matched++
		case pairup.OutcomeDeferred:
			pl.counts.DeferredByCountryCap++
		case pairup.OutcomeWaitlisted:
			pl.counts.Waitlisted++
		case pairup.OutcomeUnmatched:
			pl.counts.Unmatched++
			pl.counts.UnmatchedByReason[reasonClass(o.Reason)]++
		}
		pl.outcomes = append(pl.outcomes, o)
	}
	if len(pl.counts.UnmatchedByReason) == 0 {
		pl.counts.UnmatchedByReason = nil
	}
	pl.counts.Registrations = pl.all
	pl.counts.Confirmed = len(pl.people)
	pl.counts.Pairs = len(pl.pairs)
	pl.counts.Countries = len(countries)
	if len(pl.pairs) > 0 {
		pl.counts.MeanScore = float64(int(float64(scoreSum)/float64(len(pl.pairs))*10+0.5)) / 10
	}
	pl.counts.OptimumCertified = res.Stats.Exact
}

// reasonClass shortens an unmatched reason to its class for counting ("no partner from another
// country shares a language: …" → "no partner from another country shares a language").
func reasonClass(reason string) string {
	if i := strings.IndexAny(reason, ":(;"); i > 0 {
		reason = reason[:i]
	}
	return strings.TrimSpace(reason)
}

func (pl *plan) stats(now time.Time) pairup.MatchStats {
	c := pl.counts
	return pairup.MatchStats{
		Registrations: c.Registrations, Confirmed: c.Confirmed, Matched: c.Matched, Pairs: c.Pairs, Trios: c.Trios,
		Deferred: c.DeferredByCountryCap, Waitlisted: c.Waitlisted, Unmatched: c.UnmatchedByReason,
		Countries: c.Countries, MeanScore: c.MeanScore, Certified: c.OptimumCertified, CommittedAt: now,
	}
}

// match previews (dry) or commits a round's matching.
func (s *Service) match(ctx context.Context, programmeID, roundID string, dry bool, run string, now time.Time) (Result, error) {
	p, r, err := s.load(ctx, programmeID, roundID)
	if err != nil {
		return Result{}, err
	}
	if dry {
		return s.dryRun(ctx, p, r, "dry-"+run, now)
	}
	return s.commit(ctx, p, r, run, now)
}

func (s *Service) dryRun(ctx context.Context, p *pairup.Programme, r *pairup.Round, proposalKey string, now time.Time) (Result, error) {
	switch r.State {
	case pairup.RoundOpen, pairup.RoundMatching:
	default:
		return Result{}, pairup.Errorf(pairup.ECONFLICT, "%s is %s: only a round that is open or matching can be previewed.", r.Name, r.State)
	}
	pl, err := s.compute(ctx, p, r, r.MatchingSince, now)
	if err != nil {
		return Result{}, err
	}
	queued, err := s.queueProposals(ctx, pl, true, proposalKey)
	if err != nil {
		return Result{}, err
	}
	res := pl.view(ActionMatch, true)
	res.Emails = &Emails{Coordinators: max(queued, 0)}
	res.Summary = fmt.Sprintf("Dry run for %s (%s): %s Nothing was written and participants were sent nothing; %s",
		r.Name, p.Name, pl.sentence(), s.proposalNote(p, queued))
	s.Log.InfoContext(ctx, "dry run", "programme", p.ID, "round", r.ID, "pairs", pl.counts.Pairs, "confirmed", pl.counts.Confirmed)
	return res, nil
}

func (s *Service) commit(ctx context.Context, p *pairup.Programme, r *pairup.Round, run string, now time.Time) (Result, error) {
	switch r.State {
	case pairup.RoundActive, pairup.RoundClosing, pairup.RoundClosed:
		res := Result{Action: ActionMatch, Programme: p.ID, Round: r.ID, State: string(r.State)}
		res.Summary = fmt.Sprintf("%s (%s) is already matched (%s): nothing was changed and nothing was sent.", r.Name, p.Name, r.State)
		if m := r.Matching; m != nil {
			res.Summary = fmt.Sprintf("%s (%s) was committed on %s with %d pairs: nothing was changed and nothing was sent.", r.Name, p.Name, day(m.CommittedAt), m.Pairs)
		}
		return res, nil
	case pairup.RoundOpen:
		if now.Before(r.SignupCloses) {
			return Result{}, pairup.Errorf(pairup.ECONFLICT, "Signup for %s is open until %s: close it first ({\"action\":\"close-signup\"}) or wait.", r.Name, day(r.SignupCloses))
		}
		moved, err := s.Store.TransitionRound(ctx, p.ID, r.ID, pairup.RoundOpen, pairup.RoundMatching, now)
		if pairup.ErrorCode(err) == pairup.ECONFLICT {
			// Another run closed it meanwhile: carry on from the stored round.
			moved, err = s.Store.GetRound(ctx, p.ID, r.ID)
		}
		if err != nil {
			return Result{}, err
		}
		r = moved
	case pairup.RoundMatching:
	default:
		return Result{}, pairup.Errorf(pairup.ECONFLICT, "%s is %s: open it for signup before matching.", r.Name, r.State)
	}
	r, err := s.Store.BeginCommit(ctx, p.ID, r.ID, run, s.lease())
	if err != nil {
		return Result{}, err
	}
	pl, err := s.compute(ctx, p, r, r.MatchingSince, now)
	if err != nil {
		return Result{}, err
	}
	if err := s.Store.WritePlan(ctx, p.ID, r.ID, pl.pairs, pl.outcomes); err != nil {
		return Result{}, fmt.Errorf("matchrun: write the matching: %w", err)
	}
	msgs, err := s.participantEmails(pl)
	if err != nil {
		return Result{}, err
	}
	participants, err := s.Store.Enqueue(ctx, msgs)
	if err != nil {
		return Result{}, fmt.Errorf("matchrun: queue the introductions: %w", err)
	}
	coordinators, err := s.queueProposals(ctx, pl, false, "commit")
	if err != nil {
		return Result{}, err
	}
	r, err = s.Store.FinishCommit(ctx, p.ID, r.ID, run, pl.stats(now))
	if err != nil {
		return Result{}, err
	}
	res := pl.view(ActionMatch, false)
	res.State = string(r.State)
	res.Emails = &Emails{Participants: participants, Coordinators: max(coordinators, 0)}
	res.Summary = fmt.Sprintf("Committed %s (%s): %s Each of the %d people gets one email (%d newly queued); the round is now %s; %s",
		r.Name, p.Name, pl.sentence(), len(pl.people), participants, r.State, s.proposalNote(p, coordinators))
	s.Log.InfoContext(ctx, "matching committed", "programme", p.ID, "round", r.ID, "pairs", pl.counts.Pairs, "queued", participants)
	return res, nil
}

// queueProposals queues the proposal email to each coordinator. The proposal is a courtesy copy
// of the result: one too large for the outbox is logged and left out, never a reason to fail a
// dry run or a commit half-way.
func (s *Service) queueProposals(ctx context.Context, pl *plan, dry bool, run string) (int, error) {
	n, err := s.Store.Enqueue(ctx, s.proposals(pl, dry, run))
	if pairup.ErrorCode(err) == pairup.EINVALID {
		s.Log.WarnContext(ctx, "proposal email not queued", "programme", pl.programme.ID, "round", pl.round.ID, "code", pairup.EINVALID)
		return proposalTooLarge, nil
	}
	if err != nil {
		return 0, fmt.Errorf("matchrun: queue the proposal: %w", err)
	}
	return n, nil
}

// proposalTooLarge is queueProposals' count when the proposal could not be queued.
const proposalTooLarge = -1

func (s *Service) proposalNote(p *pairup.Programme, queued int) string {
	switch {
	case queued == proposalTooLarge:
		return "the proposal was too large to email; this result holds all of it."
	case len(p.Coordinators) == 0:
		return "the programme has no coordinators' addresses, so no proposal email was sent."
	case queued == 0:
		return "the proposal email had already been queued."
	default:
		return fmt.Sprintf("the whole proposal was emailed to %d coordinator(s).", queued)
	}
}

// sentence is the counts as one plain sentence.
func (pl *plan) sentence() string {
	c := pl.counts
	var b strings.Builder
	fmt.Fprintf(&b, "%d registrations, %d confirmed; %d people matched in %d pairs", c.Registrations, c.Confirmed, c.Matched, c.Pairs)
	if c.Trios > 0 {
		fmt.Fprintf(&b, " (%d of them trios)", c.Trios)
	}
	if c.DeferredByCountryCap > 0 {
		fmt.Fprintf(&b, "; %d deferred to the next round by the %d%% country cap", c.DeferredByCountryCap, pl.programme.Rules.CountryCapPercent)
	}
	if c.Waitlisted > 0 {
		fmt.Fprintf(&b, "; %d on the waitlist", c.Waitlisted)
	}
	if c.Unmatched > 0 {
		fmt.Fprintf(&b, "; %d could not be matched", c.Unmatched)
	}
	fmt.Fprintf(&b, "; %d countries; mean score %.1f; optimum certified: %s.", c.Countries, c.MeanScore, yesNo(c.OptimumCertified))
	return b.String()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// view is the plan as a result: counts, then every pair, everyone left out and the coverage.
func (pl *plan) view(action string, dry bool) Result {
	c := pl.counts
	res := Result{Action: action, Programme: pl.programme.ID, Round: pl.round.ID, State: string(pl.round.State), DryRun: dry, Counts: &c}
	for _, pr := range pl.pairs {
		v := PairView{Score: pr.Score, Pinned: pr.Pinned, Reasons: pr.Reasons}
		for _, m := range pr.Members {
			v.Members = append(v.Members, pl.person(m.RegistrationID))
		}
		res.Pairs = append(res.Pairs, v)
	}
	for _, o := range pl.outcomes {
		if o.Kind != pairup.OutcomePaired {
			res.LeftOut = append(res.LeftOut, PersonView{Person: pl.person(o.RegistrationID), Outcome: string(o.Kind), Reason: o.Reason, Position: o.Position})
		}
	}
	res.ByCountry, res.BySector = pl.coverage()
	return res
}

func (pl *plan) person(id string) string {
	r := pl.byID[id]
	return fmt.Sprintf("%s (%s, %s)", r.Name, r.Country, r.ID)
}

// coverage counts the matched people by country and by sector, largest first.
func (pl *plan) coverage() (byCountry, bySector []Tally) {
	cs, ss := map[string]int{}, map[string]int{}
	for _, o := range pl.outcomes {
		if o.Kind == pairup.OutcomePaired {
			r := pl.byID[o.RegistrationID]
			cs[r.Country]++
			ss[pairup.OptionLabel(pl.programme.Sectors, r.Sector)]++
		}
	}
	return tallies(cs), tallies(ss)
}

func tallies(m map[string]int) []Tally {
	out := make([]Tally, 0, len(m))
	for k, v := range m {
		out = append(out, Tally{Label: k, Count: v})
	}
	slices.SortFunc(out, func(a, b Tally) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Label, b.Label)) })
	return out
}

// adjust adds or removes pins and forbids, after checking the people exist in the round and the
// matcher accepts the result (a pin must not break a rule).
func (s *Service) adjust(ctx context.Context, ev Event, now time.Time) (Result, error) {
	p, r, err := s.load(ctx, ev.Programme, ev.Round)
	if err != nil {
		return Result{}, err
	}
	if r.State != pairup.RoundOpen && r.State != pairup.RoundMatching {
		return Result{}, pairup.Errorf(pairup.ECONFLICT, "%s is %s: pins and forbids apply to the next matching of a round that is open or matching.", r.Name, r.State)
	}
	if len(ev.Pairs) == 0 {
		return Result{}, pairup.Errorf(pairup.EINVALID, `%s needs "pairs": [["person a", "person b"], …], each person an email address or registration id.`, ev.Action)
	}
	regs, err := s.Store.ListRegistrations(ctx, p.ID, r.ID, pairup.StatusConfirmed)
	if err != nil {
		return Result{}, err
	}
	refs, err := resolvePairs(ev.Pairs, regs)
	if err != nil {
		return Result{}, err
	}
	pins, forbids := slices.Clone(r.Pins), slices.Clone(r.Forbids)
	switch ev.Action {
	case ActionPin:
		pins = addRefs(pins, refs)
	case ActionForbid:
		forbids = addRefs(forbids, refs)
	case ActionUnpin:
		pins = removeRefs(pins, refs)
	case ActionUnforbid:
		forbids = removeRefs(forbids, refs)
	}
	// Check the adjusted matching runs (a pin that breaks a rule is refused here).
	check := *r
	check.Pins, check.Forbids = pins, forbids
	if _, err := s.compute(ctx, p, &check, r.MatchingSince, now); err != nil {
		return Result{}, err
	}
	r, err = s.Store.SetRoundPairing(ctx, p.ID, r.ID, pins, forbids)
	if err != nil {
		return Result{}, err
	}
	byID := map[string]pairup.Registration{}
	for _, reg := range regs {
		byID[reg.ID] = reg
	}
	res := Result{Action: ev.Action, Programme: p.ID, Round: r.ID, State: string(r.State)}
	for _, x := range r.Pins {
		res.Pins = append(res.Pins, describeRef(x, byID))
	}
	for _, x := range r.Forbids {
		res.Forbids = append(res.Forbids, describeRef(x, byID))
	}
	res.Summary = fmt.Sprintf("%s now has %d pin(s) and %d forbid(s) for its next matching; preview it with {\"action\":\"match\"}.", r.Name, len(r.Pins), len(r.Forbids))
	return res, nil
}

func describeRef(x pairup.PairRef, byID map[string]pairup.Registration) string {
	name := func(id string) string {
		if r, ok := byID[id]; ok {
			return fmt.Sprintf("%s (%s)", r.Name, id)
		}
		return id
	}
	return name(x.A) + " + " + name(x.B)
}

// resolvePairs maps pairs of people named by email or registration id to registration ids.
func resolvePairs(pairs [][]string, regs []pairup.Registration) ([]pairup.PairRef, error) {
	byKey := map[string]string{}
	for _, r := range regs {
		byKey[r.ID] = r.ID
		byKey[strings.ToLower(r.Email)] = r.ID
	}
	fe := pairup.FieldErrors{}
	var refs []pairup.PairRef
	for i, pr := range pairs {
		field := fmt.Sprintf("pairs[%d]", i)
		if len(pr) != 2 {
			fe.Add(field, "must name exactly two people")
			continue
		}
		var ids [2]string
		for j, who := range pr {
			id, ok := byKey[strings.ToLower(strings.TrimSpace(who))]
			if !ok {
				fe.Add(field, fmt.Sprintf("%q is not a confirmed participant of this round", who))
			}
			ids[j] = id
		}
		if ids[0] != "" && ids[0] == ids[1] {
			fe.Add(field, "names the same person twice")
		}
		refs = append(refs, pairup.PairRef{A: ids[0], B: ids[1]})
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return refs, nil
}

func addRefs(have, add []pairup.PairRef) []pairup.PairRef {
	for _, a := range add {
		if !slices.ContainsFunc(have, func(h pairup.PairRef) bool { return h.Key() == a.Key() }) {
			have = append(have, a)
		}
	}
	return have
}

func removeRefs(have, rm []pairup.PairRef) []pairup.PairRef {
	return slices.DeleteFunc(have, func(h pairup.PairRef) bool {
		return slices.ContainsFunc(rm, func(r pairup.PairRef) bool { return r.Key() == h.Key() })
	})
}

// scheduled matches every round whose signup has closed and that is still open: by programme
// setting it commits, or closes signup and emails the coordinators a proposal to check, adjust
// and commit. A second delivery of the same event finds nothing left to do.
func (s *Service) scheduled(ctx context.Context, run string, now time.Time) (Result, error) {
	ps, err := s.Store.ListProgrammes(ctx)
	if err != nil {
		return Result{}, err
	}
	out := Result{Action: ActionScheduled}
	for i := range ps {
		p := &ps[i]
		rounds, err := s.Store.ListRounds(ctx, p.ID)
		if err != nil {
			return out, err
		}
		for j := range rounds {
			r := &rounds[j]
			if r.State != pairup.RoundOpen || now.Before(r.SignupCloses) {
				continue
			}
			var res Result
			if p.AutoCommit {
				res, err = s.commit(ctx, p, r, run, now)
			} else {
				var moved *pairup.Round
				moved, err = s.Store.TransitionRound(ctx, p.ID, r.ID, pairup.RoundOpen, pairup.RoundMatching, now)
				if pairup.ErrorCode(err) == pairup.ECONFLICT {
					continue // another delivery of this schedule got there first
				}
				if err == nil {
					res, err = s.dryRun(ctx, p, moved, "scheduled", now)
				}
			}
			if err != nil {
				return out, fmt.Errorf("matchrun: scheduled matching of %s/%s: %w", p.ID, r.ID, err)
			}
			out.Rounds = append(out.Rounds, Result{Summary: res.Summary, Action: res.Action, Programme: p.ID, Round: r.ID, State: res.State, DryRun: res.DryRun, Counts: res.Counts, Emails: res.Emails})
		}
	}
	out.Summary = fmt.Sprintf("Scheduled matching at %s: %d round(s) matched.", now.Format(time.RFC3339), len(out.Rounds))
	if len(out.Rounds) == 0 {
		out.Summary = fmt.Sprintf("Scheduled matching at %s: no round's signup has closed; nothing to do.", now.Format(time.RFC3339))
	}
	return out, nil
}
