package matchrun

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/membership"
	"github.com/pairup/pairup/shared/pairup"
)

// The next round: when a round opens, the people the country cap deferred in the programme's
// earlier rounds are invited first, in signup order, each by one email whose link takes their
// place (package signup's Rejoins): a registration in the new round with their old answers,
// signup time and participant id.

// inviteKey is the outbox key of the invitation into round r of the person deferred with
// registration reg.
func inviteKey(p, r, reg string) string { return "invite/" + p + "/" + r + "/" + reg }

// withdrawURL is the withdraw link of registration regID in round r, for a participant's email.
func (s *Service) withdrawURL(r *pairup.Round, regID string, now time.Time) string {
	return membership.WithdrawURL(s.Links, s.BaseURL, membership.Withdraw{ProgrammeID: r.ProgrammeID, RoundID: r.ID, RegistrationID: regID}, now)
}

// sameCalendar reports whether two rounds have the same name and dates: an open-round event
// repeated, not a new round under a taken id.
func sameCalendar(a, b *pairup.Round) bool {
	return a.Name == b.Name && a.SignupOpens.Equal(b.SignupOpens) && a.SignupCloses.Equal(b.SignupCloses) &&
		a.Starts.Equal(b.Starts) && a.Ends.Equal(b.Ends) && a.MidSurvey.Equal(b.MidSurvey) && a.EndSurvey.Equal(b.EndSurvey)
}

// invitee is a deferred person to invite: their latest deferred registration and its round.
type invitee struct {
	reg   *pairup.Registration
	round *pairup.Round
}

// inviteDeferred invites into r, which has just opened, the people deferred by the country
// cap in the programme's earlier rounds, and adds what it did to res. A person is invited once,
// from the latest round that deferred them, in signup order (ListDeferred's: their original
// signup time), unless they withdrew, their data is gone, or they already have a registration in
// a later round (they signed up or rejoined since). The invitations' keys are deterministic, so
// a repeated open-round queues none twice. A round whose signup has closed invites no one.
func (s *Service) inviteDeferred(ctx context.Context, p *pairup.Programme, r *pairup.Round, res Result) (Result, error) {
	now := s.Clock.Now()
	if r.State != pairup.RoundOpen || !now.Before(r.SignupCloses) {
		res.Summary += " Its signup has closed, so no one was invited."
		return res, nil
	}
	people, err := s.deferredPeople(ctx, p, r)
	if err != nil {
		return Result{}, err
	}
	coordinator := ""
	if len(p.Coordinators) > 0 {
		coordinator = p.Coordinators[0]
	}
	msgs := make([]mail.Message, 0, len(people))
	for _, in := range people {
		reg := in.reg
		locale := reg.Locale
		if locale == "" {
			locale = p.Locale
		}
		key := inviteKey(p.ID, r.ID, reg.ID)
		msg, err := s.Templates.Render("invite-rejoin", locale, mail.InviteRejoinData{
			Name: reg.Name, ProgrammeName: p.Name, RoundName: r.Name, EarlierRound: in.round.Name,
			RejoinURL:    membership.RejoinURL(s.Links, s.BaseURL, membership.Rejoin{ProgrammeID: p.ID, NewRoundID: r.ID, OldRoundID: in.round.ID, OldRegistrationID: reg.ID}, r.SignupCloses),
			SignupCloses: formatDay(locale, r.SignupCloses.Add(-time.Second)), CoordinatorEmail: coordinator,
			UnsubscribeURL: s.unsubscribeURL(key, now),
		})
		if err != nil {
			return Result{}, fmt.Errorf("matchrun: render the invitation: %w", err)
		}
		msg.Key, msg.To = key, reg.Email
		msg.Tags = map[string]string{"kind": "invite-rejoin", "programme": p.ID}
		msgs = append(msgs, msg)
	}
	queued, err := s.Store.Enqueue(ctx, msgs)
	if err != nil {
		return Result{}, fmt.Errorf("matchrun: queue the invitations: %w", err)
	}
	for i, in := range people {
		res.Invited = append(res.Invited, PersonView{Person: fmt.Sprintf("%s (%s, %s)", in.reg.Name, in.reg.Country, in.reg.ID),
			Outcome: "invited", Reason: "deferred by the country cap in " + in.round.Name, Position: i + 1})
	}
	res.Emails = &Emails{Participants: queued}
	switch {
	case len(msgs) == 0:
		res.Summary += " No one deferred by the country cap in an earlier round is waiting for a place."
	default:
		res.Summary += fmt.Sprintf(" Invited first, in signup order: %d %s deferred by the country cap in earlier rounds (%d %s newly queued); each keeps their place by one click.",
			len(msgs), plural(len(msgs), "person", "people"), queued, plural(queued, "invitation", "invitations"))
	}
	s.Log.InfoContext(ctx, "deferred invited", "programme", p.ID, "round", r.ID, "invited", len(msgs), "queued", queued)
	return res, nil
}

// deferredPeople lists the people to invite into r, in signup order.
func (s *Service) deferredPeople(ctx context.Context, p *pairup.Programme, r *pairup.Round) ([]invitee, error) {
	rounds, err := s.Store.ListRounds(ctx, p.ID) // in calendar order
	if err != nil {
		return nil, err
	}
	order := map[string]int{}
	for i, x := range rounds {
		order[x.ID] = i
	}
	here, ok := order[r.ID]
	if !ok {
		return nil, fmt.Errorf("matchrun: round %s/%s is not among the programme's rounds", p.ID, r.ID)
	}
	outcomes, err := s.Store.ListDeferred(ctx, p.ID) // signup order
	if err != nil {
		return nil, err
	}
	// Each person's latest deferral before r, kept in the order they first appear.
	latest := map[string]pairup.Outcome{}
	var who []string
	for _, o := range outcomes {
		i, ok := order[o.RoundID]
		if !ok || i >= here || o.ParticipantID == "" {
			continue
		}
		prev, seen := latest[o.ParticipantID]
		if !seen {
			who = append(who, o.ParticipantID)
		}
		if !seen || order[prev.RoundID] < i {
			latest[o.ParticipantID] = o
		}
	}
	var out []invitee
	for _, pid := range who {
		o := latest[pid]
		reg, err := s.Store.GetRegistration(ctx, p.ID, o.RoundID, o.RegistrationID)
		switch {
		case pairup.ErrorCode(err) == pairup.ENOTFOUND:
			continue // erased
		case err != nil:
			return nil, err
		case reg.Status != pairup.StatusConfirmed || reg.Email == "":
			continue // withdrew, or erased
		}
		later, err := s.Store.ParticipantRegistrations(ctx, pid)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(later, func(x pairup.Registration) bool {
			i, ok := order[x.RoundID]
			return x.ProgrammeID == p.ID && ok && i > order[o.RoundID]
		}) {
			continue // signed up to, or rejoined, a later round since
		}
		out = append(out, invitee{reg: reg, round: &rounds[order[o.RoundID]]})
	}
	return out, nil
}

// formatDay writes a date as people read it in locale.
func formatDay(locale string, t time.Time) string {
	t = t.UTC()
	if locale == mail.TraditionalChinese {
		return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
	}
	return t.Format("2 January 2006")
}
