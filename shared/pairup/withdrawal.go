package pairup

import (
	"slices"
	"strings"
	"time"
)

// A participant may withdraw from a round at any time before it closes. Before the matching is
// committed (the round open or matching) withdrawing only takes them out: the matching reads
// confirmed registrations, so it leaves them out. Once the round is active their pairs end
// (EndedAt, EndReason PairEndWithdrawn) and what that means for everyone else is planned here,
// so the store can apply it in one transaction.

// Outcome reasons of the people a withdrawal leaves without a partner.
const (
	ReasonPartnerWithdrew = "their partner withdrew"
	ReasonMentorWithdrew  = "their mentor withdrew"
	ReasonMenteeWithdrew  = "their mentee withdrew"
)

// WithdrawalPlan is what a withdrawal from an active round changes.
type WithdrawalPlan struct {
	// Ended are the withdrawing person's active pairs: each ends with PairEndWithdrawn.
	Ended []string
	// Made are the pairs a withdrawal makes: in peer mode, the other two of a trio go on as a
	// pair (it Replaces the trio and keeps its CreatedAt, so the round's schedule runs on).
	Made []Pair
	// Outcomes are the outcomes that change: a partner left alone becomes unmatched (Reason
	// says why, so a later re-pair finds them free); the two of a trio are paired in the pair
	// made for them; a mentor who loses one mentee keeps the others. The withdrawing person's
	// own outcome stays as the matching decided: their registration's status and the ended
	// pairs record the withdrawal.
	Outcomes []Outcome
	// Left are the partners left without that pair, each to be told kindly and offered a new
	// partner: the registration and the pair that ended for them.
	Left []PartnerLeft
	// Continuing are the members of a trio who go on together: each is told, no re-pair offered.
	Continuing []PartnerLeft
}

// PartnerLeft is a partner of someone who withdrew: their registration, the pair that ended,
// and (Continuing) the pair they go on in.
type PartnerLeft struct {
	RegistrationID string
	Ended          string
	Pair           string // the pair made for a trio's other two; empty for a partner left alone
}

// PlanWithdrawal plans the withdrawal of registration id from an active round of a programme
// in mode, given the round's pairs and outcomes. Someone in no active pair (left
// out by the matching, or re-paired away) changes nothing but their own status: the plan is
// empty. Deterministic for the same input.
func PlanWithdrawal(mode Mode, id string, pairs []Pair, outcomes []Outcome) WithdrawalPlan {
	var plan WithdrawalPlan
	outcomeOf := map[string]Outcome{}
	for _, o := range outcomes {
		outcomeOf[o.RegistrationID] = o
	}
	mine := slices.IndexFunc(pairs, func(p Pair) bool { return p.Active() && p.Has(id) }) >= 0
	if !mine {
		return plan
	}
	sorted := slices.Clone(pairs)
	slices.SortFunc(sorted, func(a, b Pair) int { return strings.Compare(a.ID, b.ID) })
	ended := map[string]bool{}
	changed := map[string]Outcome{}
	for _, p := range sorted {
		if !p.Active() || !p.Has(id) {
			continue
		}
		ended[p.ID] = true
		plan.Ended = append(plan.Ended, p.ID)
		var rest []PairMember
		for _, m := range p.Members {
			if m.RegistrationID != id {
				rest = append(rest, m)
			}
		}
		if mode == ModePeer && len(rest) >= 2 {
			ids := make([]string, len(rest))
			for i, m := range rest {
				ids[i] = m.RegistrationID
			}
			np := Pair{
				ProgrammeID: p.ProgrammeID, RoundID: p.RoundID, ID: PairID(ids...), Members: rest, Score: p.Score,
				Reasons: append(slices.Clone(p.Reasons), "continued as a pair after a member withdrew"), CreatedAt: p.CreatedAt, Replaces: p.ID,
			}
			plan.Made = append(plan.Made, np)
			for _, m := range rest {
				o := outcomeFor(outcomeOf, changed, p, m)
				o.Kind, o.Reason, o.Position = OutcomePaired, "", 0
				o.PairIDs = replaceID(o.PairIDs, p.ID, np.ID)
				changed[m.RegistrationID] = o
				plan.Continuing = append(plan.Continuing, PartnerLeft{RegistrationID: m.RegistrationID, Ended: p.ID, Pair: np.ID})
			}
			continue
		}
		for _, m := range rest {
			reason := ReasonPartnerWithdrew
			if mode == ModeMentor {
				reason = ReasonMentorWithdrew
				if p.Members[0].RegistrationID == m.RegistrationID {
					reason = ReasonMenteeWithdrew // the mentor comes first
				}
			}
			o := outcomeFor(outcomeOf, changed, p, m)
			o.PairIDs = slices.DeleteFunc(slices.Clone(o.PairIDs), func(x string) bool { return x == p.ID })
			if len(o.PairIDs) == 0 {
				o.Kind, o.Reason, o.Position, o.PairIDs = OutcomeUnmatched, reason, 0, nil
			}
			changed[m.RegistrationID] = o
			plan.Left = append(plan.Left, PartnerLeft{RegistrationID: m.RegistrationID, Ended: p.ID})
		}
	}
	for _, o := range changed {
		// A mentor's remaining pairs must all still be running.
		o.PairIDs = slices.DeleteFunc(o.PairIDs, func(x string) bool { return ended[x] })
		if len(o.PairIDs) == 0 && o.Kind == OutcomePaired {
			o.Kind = OutcomeUnmatched
		}
		plan.Outcomes = append(plan.Outcomes, o)
	}
	slices.SortFunc(plan.Outcomes, func(a, b Outcome) int { return strings.Compare(a.RegistrationID, b.RegistrationID) })
	return plan
}

// outcomeFor returns the outcome to change for member m of pair p: one changed already, the
// stored one, or (none stored) a paired outcome naming p.
func outcomeFor(stored, changed map[string]Outcome, p Pair, m PairMember) Outcome {
	if o, ok := changed[m.RegistrationID]; ok {
		return o
	}
	if o, ok := stored[m.RegistrationID]; ok {
		o.PairIDs = slices.Clone(o.PairIDs)
		return o
	}
	return Outcome{ProgrammeID: p.ProgrammeID, RoundID: p.RoundID, RegistrationID: m.RegistrationID, ParticipantID: m.ParticipantID,
		Kind: OutcomePaired, PairIDs: []string{p.ID}}
}

func replaceID(ids []string, old, new string) []string {
	out := make([]string, 0, len(ids)+1)
	for _, x := range ids {
		if x != old && x != new {
			out = append(out, x)
		}
	}
	return append(out, new)
}

// Withdrawal is one participant's withdrawal as the store applies it, in one transaction with
// the emails it causes.
type Withdrawal struct {
	ProgrammeID, RoundID, RegistrationID string
	// From is the registration's status as read, pending or confirmed: the change to withdrawn
	// is conditional on it.
	From Status
	// Email is the registration's address. A pending registration's claim on it is released
	// (deleted), so the address may sign up to the round again; a confirmed one's is kept.
	Email string
	// Active says the round was active when read: the withdrawal applies only while it still
	// is, with Plan. Otherwise the round must still be open or matching with no commit begun,
	// and Plan is empty.
	Active bool
	At     time.Time
	Plan   WithdrawalPlan
}
