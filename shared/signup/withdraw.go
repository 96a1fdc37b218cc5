package signup

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"time"

	"github.com/pairup/pairup/shared/iso"
	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/membership"
	"github.com/pairup/pairup/shared/pairup"
)

// WithdrawStore is what withdrawing and asking for a new partner need of the store.
type WithdrawStore interface {
	GetProgramme(ctx context.Context, id string) (*pairup.Programme, error)
	GetRound(ctx context.Context, programmeID, roundID string) (*pairup.Round, error)
	GetRegistration(ctx context.Context, programmeID, roundID, id string) (*pairup.Registration, error)
	GetPair(ctx context.Context, programmeID, roundID, pairID string) (*pairup.Pair, error)
	ListPairs(ctx context.Context, programmeID, roundID string) ([]pairup.Pair, error)
	ListOutcomes(ctx context.Context, programmeID, roundID string) ([]pairup.Outcome, error)
	// Withdraw applies a withdrawal and queues its emails in one transaction; ECONFLICT if
	// anything it was planned on has changed.
	Withdraw(ctx context.Context, w pairup.Withdrawal, msgs []mail.Message) error
	Enqueue(ctx context.Context, msgs []mail.Message) (int, error)
	GetMessage(ctx context.Context, key string) (*mail.Queued, error)
}

// Withdrawals lets participants leave a round through the withdraw link in their emails, and
// someone whose partner withdrew ask the coordinators for a new partner. Before the matching
// is committed, a withdrawal takes the person out of it; once the round is active, their pairs
// end, each partner is told kindly and offered a new partner by one click, a trio's other two
// go on as a pair, and the coordinators are alerted with the console events that re-pair the
// partners. All fields are required.
type Withdrawals struct {
	Store     WithdrawStore
	Templates *mail.Templates
	Links     *links.Signer
	Clock     pairup.Clock
	Log       *slog.Logger
	// BaseURL is the public root of the hosted pages, for the links in the emails it queues.
	BaseURL string
	// EraseURL, if set, returns the link by which the person of a registration asks for their
	// personal data to be erased (package erasure's page); the withdraw pages offer it. Nil: the
	// pages say to write to the coordinators.
	EraseURL func(programmeID, roundID, registrationID string, now time.Time) string
}

// withdrawAttempts bounds how often a withdrawal is planned again after the round or a pair
// changed under it.
const withdrawAttempts = 3

// WithdrawView is what a withdraw page shows.
type WithdrawView struct {
	Programme    *pairup.Programme
	Round        *pairup.Round
	Registration *pairup.Registration
	// Matched: the round is active and the person is in a pair; Partners are their partners'
	// names, who will be told.
	Matched  bool
	Partners []string
	// EraseURL is where the person can ask for their personal data to be erased ("" if the
	// function has no such page: write to the coordinators).
	EraseURL string
}

// withdrawCtx is a withdraw link's target as read.
type withdrawCtx struct {
	view     WithdrawView
	pairs    []pairup.Pair
	outcomes []pairup.Outcome
	regs     map[string]*pairup.Registration // the partners' registrations
}

func (w *Withdrawals) load(ctx context.Context, token string) (*withdrawCtx, error) {
	ref, err := membership.ReadWithdraw(w.Links, token, w.Clock.Now())
	if err != nil {
		return nil, err
	}
	p, err := w.Store.GetProgramme(ctx, ref.ProgrammeID)
	if err != nil {
		return nil, gone(err)
	}
	r, err := w.Store.GetRound(ctx, ref.ProgrammeID, ref.RoundID)
	if err != nil {
		return nil, gone(err)
	}
	reg, err := w.Store.GetRegistration(ctx, ref.ProgrammeID, ref.RoundID, ref.RegistrationID)
	if err != nil {
		return nil, gone(err)
	}
	c := &withdrawCtx{view: WithdrawView{Programme: p, Round: r, Registration: reg}, regs: map[string]*pairup.Registration{}}
	if w.EraseURL != nil {
		c.view.EraseURL = w.EraseURL(p.ID, r.ID, reg.ID, w.Clock.Now())
	}
	if reg.Status == pairup.StatusWithdrawn {
		return c, pairup.Errorf(pairup.ECONFLICT, "You withdrew from %s (%s) on %s, so there is nothing more to do. Thank you for letting us know.",
			p.Name, r.Name, reg.WithdrawnAt.UTC().Format("2 January 2006"))
	}
	switch r.State {
	case pairup.RoundClosing, pairup.RoundClosed:
		return c, pairup.Errorf(pairup.ECLOSED, "%s (%s) has ended, so there is nothing to withdraw from. Thank you for taking part.", p.Name, r.Name)
	case pairup.RoundMatching:
		if r.CommitOwner != "" {
			return c, pairup.Errorf(pairup.ECONFLICT, "The matching of %s is being made at this very moment. Please try again in a few minutes.", r.Name)
		}
	case pairup.RoundActive:
		if c.pairs, err = w.Store.ListPairs(ctx, p.ID, r.ID); err != nil {
			return nil, fmt.Errorf("signup: withdraw: %w", err)
		}
		for _, pr := range c.pairs {
			if !pr.Active() || !pr.Has(reg.ID) {
				continue
			}
			c.view.Matched = true
			for _, m := range pr.Members {
				if m.RegistrationID == reg.ID || c.regs[m.RegistrationID] != nil {
					continue
				}
				peer, err := w.Store.GetRegistration(ctx, p.ID, r.ID, m.RegistrationID)
				if err != nil {
					return nil, fmt.Errorf("signup: withdraw: partner: %w", err)
				}
				c.regs[peer.ID] = peer
				c.view.Partners = append(c.view.Partners, peer.Name)
			}
		}
	}
	return c, nil
}

// gone turns "what this link names no longer exists" into a clear page.
func gone(err error) error {
	if pairup.ErrorCode(err) == pairup.ENOTFOUND {
		return pairup.Errorf(pairup.ENOTFOUND, "What this link points to no longer exists: the round's data may have been erased.")
	}
	return fmt.Errorf("signup: %w", err)
}

// WithdrawPage reads a withdraw link for its page (a GET): what withdrawing means for this
// person now, and one button. Nothing changes. ECONFLICT (with the view) if they withdrew
// before or the matching is being committed at this moment; ECLOSED if the round has ended;
// EINVALID, EEXPIRED or ENOTFOUND for a bad link.
func (w *Withdrawals) WithdrawPage(ctx context.Context, token string) (*WithdrawView, error) {
	c, err := w.load(ctx, token)
	if c == nil {
		return nil, err
	}
	return &c.view, err
}

// Withdraw withdraws the participant a withdraw link names (the page's button), with the
// conditional writes of store.Withdraw: before matching they are left out of it; after it, the
// pairs end and the emails go, all at once. A second withdrawal, a round that has ended, or a
// commit under way is refused as WithdrawPage says, and nothing changes.
func (w *Withdrawals) Withdraw(ctx context.Context, token string) (*WithdrawView, error) {
	for attempt := 1; ; attempt++ {
		c, err := w.load(ctx, token)
		if err != nil {
			if c == nil {
				return nil, err
			}
			return &c.view, err
		}
		v := &c.view
		now := w.Clock.Now()
		wd := pairup.Withdrawal{ProgrammeID: v.Programme.ID, RoundID: v.Round.ID, RegistrationID: v.Registration.ID,
			From: v.Registration.Status, Email: v.Registration.Email, Active: v.Round.State == pairup.RoundActive, At: now}
		var msgs []mail.Message
		if wd.Active && wd.From == pairup.StatusConfirmed { // a signup never confirmed was in no matching
			if c.outcomes, err = w.Store.ListOutcomes(ctx, v.Programme.ID, v.Round.ID); err != nil {
				return nil, fmt.Errorf("signup: withdraw: %w", err)
			}
			wd.Plan = pairup.PlanWithdrawal(v.Programme.Mode, v.Registration.ID, c.pairs, c.outcomes)
			if msgs, err = w.withdrawalEmails(c, wd.Plan, now); err != nil {
				return nil, err
			}
		}
		err = w.Store.Withdraw(ctx, wd, msgs)
		if pairup.ErrorCode(err) == pairup.ECONFLICT && attempt < withdrawAttempts {
			continue // something changed: read again, and the reads say what
		}
		if err != nil {
			return v, fmt.Errorf("signup: withdraw: %w", err)
		}
		v.Registration.Status, v.Registration.WithdrawnAt = pairup.StatusWithdrawn, now
		w.Log.InfoContext(ctx, "withdrawn", "programme", wd.ProgrammeID, "round", wd.RoundID, "registration", wd.RegistrationID,
			"after_matching", wd.Active, "pairs_ended", len(wd.Plan.Ended), "messages", len(msgs))
		return v, nil
	}
}

// Outbox keys of a withdrawal's emails: the partner's (per ended pair), and the alert to
// coordinator i.
func partnerWithdrewKey(p, r, pairID, regID string) string {
	return fmt.Sprintf("withdrew/%s/%s/%s/%s", p, r, pairID, regID)
}
func withdrawalAlertKey(p, r, regID string, i int) string {
	return fmt.Sprintf("alert/withdrawal/%s/%s/%s/%d", p, r, regID, i)
}
func newPartnerAlertKey(p, r, pairID, regID string, i int) string {
	return fmt.Sprintf("alert/new-partner/%s/%s/%s/%s/%d", p, r, pairID, regID, i)
}

func (w *Withdrawals) unsubscribeURL(key string, now time.Time) string {
	return w.BaseURL + "/unsubscribe?t=" + url.QueryEscape(w.Links.Sign(links.PurposeUnsubscribe, key, now.Add(links.UnsubscribeTTL)))
}

func localeOf(p *pairup.Programme, reg *pairup.Registration) string {
	if reg.Locale != "" {
		return reg.Locale
	}
	return p.Locale
}

func coordinator(p *pairup.Programme) string {
	if len(p.Coordinators) > 0 {
		return p.Coordinators[0]
	}
	return ""
}

// alertPerson is a registration as the coordinators' emails show it.
func alertPerson(p *pairup.Programme, reg *pairup.Registration) mail.AlertPerson {
	country := reg.Country
	if country == "" {
		country = p.Country
	}
	return mail.AlertPerson{Name: reg.Name, Email: reg.Email, Country: iso.CountryName(country, mail.English), RegistrationID: reg.ID}
}

// withdrawalEmails renders a withdrawal's emails: to each partner (kindly; a new partner
// offered to those left alone), and the alert to each coordinator.
func (w *Withdrawals) withdrawalEmails(c *withdrawCtx, plan pairup.WithdrawalPlan, now time.Time) ([]mail.Message, error) {
	p, r, me := c.view.Programme, c.view.Round, c.view.Registration
	var msgs []mail.Message
	alert := mail.WithdrawalAlertData{ProgrammeName: p.Name, RoundName: r.Name, Person: alertPerson(p, me)}
	tell := func(l pairup.PartnerLeft, continuing []string) error {
		peer := c.regs[l.RegistrationID]
		if peer == nil {
			return fmt.Errorf("signup: withdraw: partner %s not read", l.RegistrationID)
		}
		key := partnerWithdrewKey(p.ID, r.ID, l.Ended, peer.ID)
		d := mail.PartnerWithdrewData{
			Name: peer.Name, ProgrammeName: p.Name, RoundName: r.Name, Role: string(peer.Role), Withdrawn: me.Name, Continuing: continuing,
			CoordinatorEmail: coordinator(p), UnsubscribeURL: w.unsubscribeURL(key, now),
			WithdrawURL: membership.WithdrawURL(w.Links, w.BaseURL, membership.Withdraw{ProgrammeID: p.ID, RoundID: r.ID, RegistrationID: peer.ID}, now),
		}
		if len(continuing) == 0 {
			d.NewPartnerURL = membership.NewPartnerURL(w.Links, w.BaseURL, membership.NewPartner{ProgrammeID: p.ID, RoundID: r.ID, PairID: l.Ended, RegistrationID: peer.ID}, now)
		}
		msg, err := w.Templates.Render("partner-withdrew", localeOf(p, peer), d)
		if err != nil {
			return fmt.Errorf("signup: render the partner-withdrew email: %w", err)
		}
		msg.Key, msg.To = key, peer.Email
		msg.Tags = map[string]string{"kind": "partner-withdrew", "programme": p.ID}
		msgs = append(msgs, msg)
		return nil
	}
	for _, l := range plan.Left {
		if err := tell(l, nil); err != nil {
			return nil, err
		}
		alert.Partners = append(alert.Partners, alertPerson(p, c.regs[l.RegistrationID]))
		alert.RepairEvents = append(alert.RepairEvents, membership.RepairEvent(p.ID, r.ID, l.RegistrationID, l.Ended))
	}
	for _, l := range plan.Continuing {
		var others []string
		for _, o := range plan.Continuing {
			if o.Pair == l.Pair && o.RegistrationID != l.RegistrationID && c.regs[o.RegistrationID] != nil {
				others = append(others, c.regs[o.RegistrationID].Name)
			}
		}
		if err := tell(l, others); err != nil {
			return nil, err
		}
		alert.Continuing = append(alert.Continuing, alertPerson(p, c.regs[l.RegistrationID]))
	}
	for i, to := range p.Coordinators {
		key := withdrawalAlertKey(p.ID, r.ID, me.ID, i)
		alert.UnsubscribeURL = w.unsubscribeURL(key, now)
		msg, err := w.Templates.Render("withdrawal", mail.English, alert)
		if err != nil {
			return nil, fmt.Errorf("signup: render the withdrawal alert: %w", err)
		}
		msg.Key, msg.To = key, to
		msg.Tags = map[string]string{"kind": "withdrawal", "programme": p.ID}
		msgs = append(msgs, msg)
	}
	return msgs, nil
}

// NewPartnerView is what the new-partner page shows.
type NewPartnerView struct {
	Programme *pairup.Programme
	Round     *pairup.Round
	Name      string // who asks
	Withdrawn string // the partner who withdrew
	// Requested is when the request reached the coordinators (after NewPartner, or found
	// before).
	Requested time.Time
}

type newPartnerCtx struct {
	view NewPartnerView
	ref  membership.NewPartner
	reg  *pairup.Registration
}

func (w *Withdrawals) loadNewPartner(ctx context.Context, token string) (*newPartnerCtx, error) {
	ref, err := membership.ReadNewPartner(w.Links, token, w.Clock.Now())
	if err != nil {
		return nil, err
	}
	p, err := w.Store.GetProgramme(ctx, ref.ProgrammeID)
	if err != nil {
		return nil, gone(err)
	}
	r, err := w.Store.GetRound(ctx, ref.ProgrammeID, ref.RoundID)
	if err != nil {
		return nil, gone(err)
	}
	pair, err := w.Store.GetPair(ctx, ref.ProgrammeID, ref.RoundID, ref.PairID)
	if err != nil {
		return nil, gone(err)
	}
	if !pair.Has(ref.RegistrationID) || pair.EndReason != pairup.PairEndWithdrawn {
		return nil, pairup.Errorf(pairup.EINVALID, "This link is not valid. Please use the link exactly as it appears in the email.")
	}
	reg, err := w.Store.GetRegistration(ctx, ref.ProgrammeID, ref.RoundID, ref.RegistrationID)
	if err != nil {
		return nil, gone(err)
	}
	c := &newPartnerCtx{ref: ref, reg: reg, view: NewPartnerView{Programme: p, Round: r, Name: reg.Name}}
	for _, m := range pair.Members {
		if m.RegistrationID == reg.ID {
			continue
		}
		if peer, err := w.Store.GetRegistration(ctx, p.ID, r.ID, m.RegistrationID); err == nil && peer.Status == pairup.StatusWithdrawn {
			c.view.Withdrawn = peer.Name
		}
	}
	if q, err := w.Store.GetMessage(ctx, newPartnerAlertKey(p.ID, r.ID, pair.ID, reg.ID, 0)); err == nil {
		c.view.Requested = q.CreatedAt
		return c, pairup.Errorf(pairup.ECONFLICT, "You asked for a new partner on %s; the coordinators have your request and will be in touch.", q.CreatedAt.UTC().Format("2 January 2006"))
	}
	switch {
	case reg.Status == pairup.StatusWithdrawn:
		return c, pairup.Errorf(pairup.ECONFLICT, "You have withdrawn from %s yourself, so there is no new partner to find.", r.Name)
	case r.State != pairup.RoundActive:
		return c, pairup.Errorf(pairup.ECLOSED, "%s (%s) is no longer running, so there is no new partner to find. Thank you for taking part.", p.Name, r.Name)
	case len(p.Coordinators) == 0:
		return c, pairup.Errorf(pairup.ECONFLICT, "This programme has no coordinators' address to send your request to. Please reply to your introduction email instead.")
	}
	pairs, err := w.Store.ListPairs(ctx, p.ID, r.ID)
	if err != nil {
		return nil, fmt.Errorf("signup: new partner: %w", err)
	}
	if slices.ContainsFunc(pairs, func(x pairup.Pair) bool { return x.Active() && x.Has(reg.ID) && !x.CreatedAt.Before(pair.EndedAt) }) {
		return c, pairup.Errorf(pairup.ECONFLICT, "The coordinators have already found you a new partner: look for the introduction in your inbox.")
	}
	return c, nil
}

// NewPartnerPage reads a new-partner link for its page (a GET): one button. Nothing changes.
// ECONFLICT (with the view) if the request was made before or the person has a new partner
// already; ECLOSED if the round is no longer running; EINVALID, EEXPIRED, ENOTFOUND for a bad
// link.
func (w *Withdrawals) NewPartnerPage(ctx context.Context, token string) (*NewPartnerView, error) {
	c, err := w.loadNewPartner(ctx, token)
	if c == nil {
		return nil, err
	}
	return &c.view, err
}

// RequestNewPartner sends the coordinators the request of someone whose partner withdrew
// (the page's button): an email to each with the console event that re-pairs them, queued
// once per request (a deterministic key); asked again, ECONFLICT and nothing is sent.
func (w *Withdrawals) RequestNewPartner(ctx context.Context, token string) (*NewPartnerView, error) {
	c, err := w.loadNewPartner(ctx, token)
	if err != nil {
		if c == nil {
			return nil, err
		}
		return &c.view, err
	}
	p, r, now := c.view.Programme, c.view.Round, w.Clock.Now()
	d := mail.RepairRequestData{ProgrammeName: p.Name, RoundName: r.Name, Person: alertPerson(p, c.reg), Withdrawn: c.view.Withdrawn,
		RepairEvent: membership.RepairEvent(p.ID, r.ID, c.reg.ID, c.ref.PairID)}
	var msgs []mail.Message
	for i, to := range p.Coordinators {
		key := newPartnerAlertKey(p.ID, r.ID, c.ref.PairID, c.reg.ID, i)
		d.UnsubscribeURL = w.unsubscribeURL(key, now)
		msg, err := w.Templates.Render("repair-request", mail.English, d)
		if err != nil {
			return nil, fmt.Errorf("signup: render the new-partner request: %w", err)
		}
		msg.Key, msg.To = key, to
		msg.Tags = map[string]string{"kind": "repair-request", "programme": p.ID}
		msgs = append(msgs, msg)
	}
	n, err := w.Store.Enqueue(ctx, msgs)
	if err != nil {
		return nil, fmt.Errorf("signup: new partner: %w", err)
	}
	if n == 0 { // a click at the same moment queued it
		return &c.view, pairup.Errorf(pairup.ECONFLICT, "You have already asked for a new partner; the coordinators have your request.")
	}
	c.view.Requested = now
	w.Log.InfoContext(ctx, "new partner requested", "programme", p.ID, "round", r.ID, "registration", c.reg.ID, "pair", c.ref.PairID)
	return &c.view, nil
}
