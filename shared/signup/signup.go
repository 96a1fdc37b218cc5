// Package signup is the signup service behind the hosted forms: it finds the round open for a
// programme, validates a signup, stores it once per email per round together with its double
// opt-in confirmation email in the outbox (the mailer sends it; the signup answer never waits
// on SES), and confirms the registration when the signed link comes back. It speaks only the domain's types and interfaces; the HTTP layer
// (package web) and the Lambda function wire it to the world.
package signup

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
)

// Defaults for Service's durations.
const (
	DefaultConfirmTTL     = 72 * time.Hour      // a confirmation link works this long
	DefaultPendingTTL     = 14 * 24 * time.Hour // unconfirmed signups are erased after this
	DefaultResendCooldown = 2 * time.Minute     // at most one confirmation email per address per cool-down
	DefaultFormTTL        = 12 * time.Hour      // a served form can be posted this long
	DefaultMinFill        = 3 * time.Second     // a form posted sooner was filled by a bot
)

// Store is what signup needs of the store.
type Store interface {
	GetProgramme(ctx context.Context, id string) (*pairup.Programme, error)
	ListProgrammes(ctx context.Context) ([]pairup.Programme, error)
	GetRound(ctx context.Context, programmeID, roundID string) (*pairup.Round, error)
	ListRounds(ctx context.Context, programmeID string) ([]pairup.Round, error)
	// Register stores a new pending registration with its confirmation email queued, in one
	// transaction; if the email already has a registration in the round it stores nothing and
	// returns that one, created false.
	Register(ctx context.Context, r *pairup.Registration, expires time.Time, confirm mail.Message) (reg *pairup.Registration, created bool, err error)
	// QueueConfirmation queues confirmation email prevSends+1 for a pending registration if it
	// has had prevSends, fewer than maxSends, the last at or before notAfter; else ELIMIT.
	QueueConfirmation(ctx context.Context, programmeID, roundID, id string, prevSends, maxSends int, notAfter time.Time, msg mail.Message) (*pairup.Registration, error)
	ConfirmRegistration(ctx context.Context, programmeID, roundID, id string, at time.Time) (*pairup.Registration, error)
	pairup.Suppressions
}

// Service runs signups. All fields but the durations are required; zero durations take the
// defaults above.
type Service struct {
	Store     Store
	Templates *mail.Templates
	Links     *links.Signer
	Clock     pairup.Clock
	// BaseURL is the public root of the hosted forms (no trailing slash), for links in emails.
	BaseURL string
	Log     *slog.Logger

	ConfirmTTL     time.Duration
	PendingTTL     time.Duration
	ResendCooldown time.Duration
	FormTTL        time.Duration
	MinFill        time.Duration
}

func (s *Service) dur(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Offer is what the signup page of a programme shows: the programme, and the round taking
// signups (Open) or, when none is, the next one (may be nil).
type Offer struct {
	Programme *pairup.Programme
	Round     *pairup.Round
	Open      bool
}

// Offer returns the programme and its round for signup. ENOTFOUND for an unknown programme.
func (s *Service) Offer(ctx context.Context, programmeID string) (*Offer, error) {
	if !pairup.ValidID(programmeID) {
		return nil, pairup.Errorf(pairup.ENOTFOUND, "There is no programme called %q.", programmeID)
	}
	p, err := s.Store.GetProgramme(ctx, programmeID)
	if err != nil {
		return nil, err
	}
	rounds, err := s.Store.ListRounds(ctx, programmeID)
	if err != nil {
		return nil, err
	}
	r, open := pairup.SignupRound(rounds, s.Clock.Now())
	return &Offer{Programme: p, Round: r, Open: open}, nil
}

// Listing is one programme on the index page.
type Listing struct {
	Programme pairup.Programme
	Round     *pairup.Round
	Open      bool
}

// Programmes lists every programme with its signup round (open, or next).
func (s *Service) Programmes(ctx context.Context) ([]Listing, error) {
	ps, err := s.Store.ListProgrammes(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Listing, 0, len(ps))
	for _, p := range ps {
		rounds, err := s.Store.ListRounds(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		r, open := pairup.SignupRound(rounds, s.Clock.Now())
		out = append(out, Listing{Programme: p, Round: r, Open: open})
	}
	return out, nil
}

// FormToken returns a signed token for a form served now for programmeID; CheckForm verifies it
// when the form comes back.
func (s *Service) FormToken(programmeID string) string {
	return s.Links.Sign(links.PurposeForm, programmeID, s.Clock.Now().Add(s.dur(s.FormTTL, DefaultFormTTL)))
}

// CheckForm verifies a form token for programmeID. It returns an EINVALID error for a missing,
// forged or other programme's token, EEXPIRED for a stale form, and ELIMIT when the form came
// back faster than a person fills it in (a bot).
func (s *Service) CheckForm(programmeID, token string) error {
	now := s.Clock.Now()
	subject, expires, err := s.Links.Verify(links.PurposeForm, token, now)
	if pairup.ErrorCode(err) == pairup.EEXPIRED {
		return pairup.Errorf(pairup.EEXPIRED, "This form was open for too long. Please check your answers and send it again.")
	}
	if err != nil || subject != programmeID {
		return pairup.Errorf(pairup.EINVALID, "This form could not be verified. Please reload the page and try again.")
	}
	issued := expires.Add(-s.dur(s.FormTTL, DefaultFormTTL))
	if now.Sub(issued) < s.dur(s.MinFill, DefaultMinFill) {
		return pairup.Errorf(pairup.ELIMIT, "form sent too quickly")
	}
	return nil
}

// Outcome is the result of a signup.
type Outcome struct {
	Programme *pairup.Programme
	Round     *pairup.Round
	// Email is where the confirmation went (the user's own input, shown back to them).
	Email string
}

// Submit signs a person up to the offer's open round (from Offer) and queues the confirmation
// email with the registration. The same email in the same round never makes a second
// registration: it queues the confirmation again instead, at most once per cool-down and at
// most the programme's cap in all. The outcome is the
// same either way, so the page reveals nothing about who signed up before. Errors: ENOTFOUND
// (programme), ECLOSED (no round taking signups; the message says when the next opens),
// EINVALID (with a message per field).
func (s *Service) Submit(ctx context.Context, offer *Offer, in pairup.SignupInput) (*Outcome, error) {
	if !offer.Open {
		return nil, ClosedError(offer)
	}
	p, round := offer.Programme, offer.Round
	reg, err := p.ParseSignup(in)
	if err != nil {
		return nil, err
	}
	if err := s.liftUnsubscribe(ctx, reg.Email); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	reg.ID = NewID()
	reg.RoundID = round.ID
	reg.CreatedAt, reg.ConsentAt = now, now
	reg.ConfirmSends, reg.LastSentAt = 1, now
	first, err := s.confirmation(p, round, reg, 1)
	if err != nil {
		return nil, err
	}
	stored, created, err := s.Store.Register(ctx, reg, now.Add(s.dur(s.PendingTTL, DefaultPendingTTL)), first)
	if err != nil {
		return nil, fmt.Errorf("signup: register: %w", err)
	}
	log := s.Log.With("programme", p.ID, "round", round.ID, "registration", stored.ID)
	out := &Outcome{Programme: p, Round: round, Email: reg.Email}
	if created {
		log.InfoContext(ctx, "signup stored", "message", first.Key)
		return out, nil
	}
	if stored.Status != pairup.StatusPending {
		log.InfoContext(ctx, "signup repeated for a confirmed registration")
		return out, nil
	}
	// A known address: another confirmation email, past the cool-down and under the cap.
	n := stored.ConfirmSends + 1
	again, err := s.confirmation(p, round, stored, n)
	if err != nil {
		return nil, err
	}
	cooldown := s.dur(s.ResendCooldown, DefaultResendCooldown)
	_, err = s.Store.QueueConfirmation(ctx, p.ID, round.ID, stored.ID, stored.ConfirmSends, p.ConfirmationEmailCap(), now.Add(-cooldown), again)
	switch {
	case pairup.ErrorCode(err) == pairup.ELIMIT:
		log.InfoContext(ctx, "confirmation not re-sent: cap or cool-down", "sends", stored.ConfirmSends)
	case err != nil:
		return nil, fmt.Errorf("signup: queue confirmation: %w", err)
	default:
		log.InfoContext(ctx, "confirmation queued again", "message", again.Key)
	}
	return out, nil
}

func messageKey(regID string, n int) string { return fmt.Sprintf("confirm/%s/%d", regID, n) }

// confirmation renders confirmation email n for reg, ready to queue.
func (s *Service) confirmation(p *pairup.Programme, r *pairup.Round, reg *pairup.Registration, n int) (mail.Message, error) {
	now := s.Clock.Now()
	ttl := s.dur(s.ConfirmTTL, DefaultConfirmTTL)
	token := s.Links.Sign(links.PurposeConfirm, subject(reg), now.Add(ttl))
	unsub := s.Links.Sign(links.PurposeUnsubscribe, reg.Email, now.Add(365*24*time.Hour))
	msg, err := s.Templates.Render("confirm", reg.Locale, mail.ConfirmData{
		Name:           reg.Name,
		ProgrammeName:  p.Name,
		RoundName:      r.Name,
		ConfirmURL:     s.BaseURL + "/confirm?t=" + url.QueryEscape(token),
		ExpiresIn:      mail.FormatDuration(ttl, reg.Locale),
		UnsubscribeURL: s.BaseURL + "/unsubscribe?t=" + url.QueryEscape(unsub),
	})
	if err != nil {
		return mail.Message{}, fmt.Errorf("signup: render confirmation: %w", err)
	}
	msg.Key = messageKey(reg.ID, n)
	msg.To = reg.Email
	msg.Tags = map[string]string{"kind": "confirm", "programme": p.ID}
	return msg, nil
}

func subject(reg *pairup.Registration) string {
	return reg.ProgrammeID + "/" + reg.RoundID + "/" + reg.ID
}

// Confirmation is the result of following a confirmation link.
type Confirmation struct {
	Programme    *pairup.Programme
	Round        *pairup.Round
	Registration *pairup.Registration
}

// Confirm confirms the registration a confirmation link names. Following the link again is
// harmless. Errors: EINVALID (forged, altered or malformed link), EEXPIRED, ENOTFOUND (the
// signup expired and was erased).
func (s *Service) Confirm(ctx context.Context, token string) (*Confirmation, error) {
	sub, _, err := s.Links.Verify(links.PurposeConfirm, token, s.Clock.Now())
	if err != nil {
		return nil, err
	}
	parts := strings.Split(sub, "/")
	if len(parts) != 3 {
		return nil, pairup.Errorf(pairup.EINVALID, "This link is not valid.")
	}
	p, err := s.Store.GetProgramme(ctx, parts[0])
	if err != nil {
		return nil, err
	}
	r, err := s.Store.GetRound(ctx, parts[0], parts[1])
	if err != nil {
		return nil, err
	}
	reg, err := s.Store.ConfirmRegistration(ctx, parts[0], parts[1], parts[2], s.Clock.Now())
	if pairup.ErrorCode(err) == pairup.ENOTFOUND {
		return nil, pairup.Errorf(pairup.ENOTFOUND, "We could not find this signup: unconfirmed signups are erased after a while. Please sign up again.")
	}
	if err != nil {
		return nil, err
	}
	s.Log.InfoContext(ctx, "registration confirmed", "programme", p.ID, "round", r.ID, "registration", reg.ID, "returning", reg.Returning)
	return &Confirmation{Programme: p, Round: r, Registration: reg}, nil
}

// ClosedError is the ECLOSED error for an offer with no round open: it says when the next
// round opens, if one is announced.
func ClosedError(o *Offer) error {
	if o.Round != nil {
		return pairup.Errorf(pairup.ECLOSED, "Signup for %s is closed. The next round, %s, opens for signup on %s.",
			o.Programme.Name, o.Round.Name, o.Round.SignupOpens.Format("2 January 2006"))
	}
	return pairup.Errorf(pairup.ECLOSED, "Signup for %s is closed. No next round has been announced yet.", o.Programme.Name)
}

// NewID returns a random 128-bit identifier in lower-case base32 (26 characters).
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("signup: crypto/rand: %v", err))
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// liftUnsubscribe lifts an earlier unsubscribe of email: a new signup is fresh consent. Bounces
// and complaints stay (the mailer skips their mail).
func (s *Service) liftUnsubscribe(ctx context.Context, email string) error {
	err := s.Store.Unsuppress(ctx, email, pairup.SuppressUnsubscribe)
	if err != nil && pairup.ErrorCode(err) != pairup.ECONFLICT {
		return fmt.Errorf("signup: lift unsubscribe: %w", err)
	}
	return nil
}

// UnsubscribeToken checks an unsubscribe link's token and returns it back, so a page can ask
// "stop emails?" before Unsubscribe. EINVALID or EEXPIRED as Unsubscribe.
func (s *Service) UnsubscribeToken(token string) error {
	_, _, err := s.Links.Verify(links.PurposeUnsubscribe, token, s.Clock.Now())
	return err
}

// Unsubscribe stops all further email to the address an unsubscribe link names (also when a
// mail client posts it in one click). Doing it twice is harmless. Errors: EINVALID (forged,
// altered), EEXPIRED.
func (s *Service) Unsubscribe(ctx context.Context, token string) error {
	email, _, err := s.Links.Verify(links.PurposeUnsubscribe, token, s.Clock.Now())
	if err != nil {
		return err
	}
	if r, err := s.Store.Suppression(ctx, email); err == nil && r != pairup.SuppressUnsubscribe {
		return nil // a bounce or complaint already stops mail; keep that reason
	}
	if err := s.Store.Suppress(ctx, email, pairup.SuppressUnsubscribe, s.Clock.Now()); err != nil {
		return fmt.Errorf("signup: unsubscribe: %w", err)
	}
	s.Log.InfoContext(ctx, "unsubscribed")
	return nil
}
