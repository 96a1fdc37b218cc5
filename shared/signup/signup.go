// Package signup is the signup service behind the hosted forms: it finds the round open for a
// programme, validates a signup, stores it once per email per round together with its double
// opt-in confirmation email in the outbox (the mailer sends it; the signup answer never waits
// on SES), and confirms the registration when the person presses the button the signed link
// leads to. The form cannot be used to send mail to strangers (form.go). Participants withdraw
// from a round, ask for a new partner after theirs withdrew (withdraw.go), and people deferred by
// the country cap take their place in the next round (rejoin.go) by links in their emails. It
// speaks only the domain's types and interfaces; the HTTP layer (package web) and the Lambda
// function wire it to the world.
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
	"github.com/pairup/pairup/shared/membership"
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
	// UseFormNonce records a sent form's nonce until expires; ECONFLICT if it was used before.
	UseFormNonce(ctx context.Context, nonce string, expires time.Time) error
	// CountSourceSignup counts a signup from source (an opaque id) this hour; ELIMIT once
	// perHour are counted (0: no limit).
	CountSourceSignup(ctx context.Context, source string, perHour int) error
	// RegisterCapped stores a new pending registration with its confirmation email queued and
	// counted against the programme's perDay (0: no cap), in one transaction; if the email
	// already has a registration in the round it stores nothing and returns that one, created
	// false. ELIMIT, nothing stored, if the programme's cap for the day is reached.
	RegisterCapped(ctx context.Context, r *pairup.Registration, expires time.Time, confirm mail.Message, perDay int) (reg *pairup.Registration, created bool, err error)
	// Resubmit replaces a pending registration's answers with r's and queues confirmation
	// email r.ConfirmSends+1 if fewer than maxSends were sent, the last at or before notAfter
	// (else the answers alone: queued false). ECONFLICT if it is no longer pending (nothing
	// changed), ENOTFOUND if gone, ELIMIT (nothing changed) if the programme's cap is reached.
	Resubmit(ctx context.Context, r *pairup.Registration, maxSends int, notAfter time.Time, msg mail.Message, perDay int) (queued bool, err error)
	ConfirmRegistration(ctx context.Context, programmeID, roundID, id string, at time.Time) (*pairup.Registration, error)
	// MessageRecipient returns the address an outbox message went to; ENOTFOUND if none.
	MessageRecipient(ctx context.Context, messageKey string) (string, error)
	pairup.Suppressions
	// UnsuppressHashed lifts the suppressions kept under keyed hashes of an erased address
	// (links.Signer.Pseudonyms with pairup.SuppressionLabel) that have reason; absent ones are
	// no-ops, ECONFLICT if one has another reason.
	UnsuppressHashed(ctx context.Context, hashes []string, reason pairup.SuppressionReason) error
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

	// SignupsPerSourceHour caps the signups from one source address an hour, and
	// ConfirmationsPerProgrammeDay the confirmation emails one programme queues a day (UTC);
	// 0 is no limit (config's defaults are 60 and 2,000).
	SignupsPerSourceHour         int
	ConfirmationsPerProgrammeDay int
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

// Outcome is the result of a signup.
type Outcome struct {
	Programme *pairup.Programme
	Round     *pairup.Round
	// Email is where the confirmation went (the user's own input, shown back to them).
	Email string
}

// Submit signs a person up to the offer's open round (from Offer) with the form they sent
// (from CheckForm) from the address source, and queues the confirmation email with the
// registration. The same email in the same round never makes a second registration: while it
// is pending, a later signup replaces its answers (the latest signup's answers are the ones a
// confirmation confirms) and queues the confirmation again, at most once per cool-down and at
// most the programme's cap in all; a confirmed registration is left as it is. The outcome is the
// same either way, so the page reveals nothing about who signed up before. Errors: ENOTFOUND
// (programme), ECLOSED (no round taking signups; the message says when the next opens),
// EINVALID (with a message per field), ErrFormUsed (the form was sent before), ELIMIT (the
// source address's or the programme's limit is reached). On any of them no registration is
// stored or changed and no email queued.
func (s *Service) Submit(ctx context.Context, offer *Offer, form *Form, source string, in pairup.SignupInput) (*Outcome, error) {
	if !offer.Open {
		return nil, ClosedError(offer)
	}
	p, round := offer.Programme, offer.Round
	if form == nil || form.ProgrammeID != p.ID {
		return nil, pairup.Errorf(pairup.EINVALID, "This form could not be verified. Please reload the page and try again.")
	}
	reg, err := parse(p, in)
	if err != nil {
		return nil, err
	}
	if err := s.useForm(ctx, form); err != nil {
		return nil, err
	}
	if err := s.countSource(ctx, source); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	reg.RoundID = round.ID
	reg.CreatedAt, reg.ConsentAt = now, now
	out := &Outcome{Programme: p, Round: round, Email: reg.Email}
	// Twice at most: a pending registration that expires between the two writes below frees
	// its address, and the second Register takes it.
	for attempt := 0; ; attempt++ {
		reg.ID = NewID()
		reg.ConfirmSends, reg.LastSentAt = 1, now
		first, err := s.confirmation(p, round, reg, 1)
		if err != nil {
			return nil, err
		}
		stored, created, err := s.Store.RegisterCapped(ctx, reg, now.Add(s.dur(s.PendingTTL, DefaultPendingTTL)), first, s.ConfirmationsPerProgrammeDay)
		if err != nil {
			return nil, s.registerError(ctx, p, "register", err)
		}
		log := s.Log.With("programme", p.ID, "round", round.ID, "registration", stored.ID)
		switch {
		case created:
			log.InfoContext(ctx, "signup stored", "message", first.Key)
			return out, nil
		case stored.Status != pairup.StatusPending:
			log.InfoContext(ctx, "signup repeated for a confirmed registration: nothing changed")
			return out, nil
		}
		// A pending registration of this address: the latest answers win, and another
		// confirmation email goes, past the cool-down and under the cap.
		later := *reg
		later.ID, later.CreatedAt, later.ConfirmSends, later.LastSentAt = stored.ID, stored.CreatedAt, stored.ConfirmSends, stored.LastSentAt
		again, err := s.confirmation(p, round, &later, stored.ConfirmSends+1)
		if err != nil {
			return nil, err
		}
		cooldown := s.dur(s.ResendCooldown, DefaultResendCooldown)
		queued, err := s.Store.Resubmit(ctx, &later, p.ConfirmationEmailCap(), now.Add(-cooldown), again, s.ConfirmationsPerProgrammeDay)
		switch {
		case pairup.ErrorCode(err) == pairup.ECONFLICT:
			log.InfoContext(ctx, "signup repeated for a registration confirmed meanwhile: nothing changed")
			return out, nil
		case pairup.ErrorCode(err) == pairup.ENOTFOUND && attempt == 0:
			continue
		case err != nil:
			return nil, s.registerError(ctx, p, "resubmit", err)
		case queued:
			log.InfoContext(ctx, "signup repeated: answers replaced, confirmation queued again", "message", again.Key)
		default:
			log.InfoContext(ctx, "signup repeated: answers replaced; confirmation not re-sent (cap or cool-down)", "sends", stored.ConfirmSends)
		}
		return out, nil
	}
}

// parse validates a signup: the programme's rules (pairup.ParseSignup) and the name rule.
func parse(p *pairup.Programme, in pairup.SignupInput) (*pairup.Registration, error) {
	reg, err := p.ParseSignup(in)
	msg := nameProblem(in.Get(pairup.FieldName))
	if msg == "" {
		return reg, err
	}
	fe := pairup.Fields(err)
	if fe == nil {
		if err != nil {
			return nil, err
		}
		fe = pairup.FieldErrors{}
	}
	fe.Add(pairup.FieldName, msg)
	return nil, fe.Err()
}

// registerError turns the programme's daily cap into a message that names the programme, and
// wraps any other error.
func (s *Service) registerError(ctx context.Context, p *pairup.Programme, op string, err error) error {
	if pairup.ErrorCode(err) != pairup.ELIMIT {
		return fmt.Errorf("signup: %s: %w", op, err)
	}
	s.Log.WarnContext(ctx, "signup refused: the programme's daily confirmation cap is reached", "programme", p.ID, "cap", s.ConfirmationsPerProgrammeDay)
	return pairup.Errorf(pairup.ELIMIT, "%s has received an unusual number of signups today, so we have paused new signups until tomorrow (UTC). Please try again then; nothing was stored.", p.Name)
}

// KindConfirm is the kind tag of the confirmation email. The mailer sends an email of this
// kind to an unsubscribed address (mailer.KindConfirm): it is how the address's owner asks for
// mail again, and confirming lifts the unsubscribe. A bounce or a complaint still stops it.
const KindConfirm = "confirm"

// UnsubscribeTTL is how long an unsubscribe link works (links.UnsubscribeTTL).
const UnsubscribeTTL = links.UnsubscribeTTL

func messageKey(regID string, n int) string { return fmt.Sprintf("confirm/%s/%d", regID, n) }

// confirmation renders confirmation email n for reg, ready to queue.
func (s *Service) confirmation(p *pairup.Programme, r *pairup.Round, reg *pairup.Registration, n int) (mail.Message, error) {
	now := s.Clock.Now()
	ttl := s.dur(s.ConfirmTTL, DefaultConfirmTTL)
	key := messageKey(reg.ID, n)
	token := s.Links.Sign(links.PurposeConfirm, subject(reg), now.Add(ttl))
	// The unsubscribe link names this email, not the address: the store finds the address by
	// the email's outbox key (Unsubscribe).
	unsub := s.Links.Sign(links.PurposeUnsubscribe, key, now.Add(UnsubscribeTTL))
	// No name: whoever fills in the form chooses it, and the email goes to an address they
	// may not own. The email greets without it.
	msg, err := s.Templates.Render("confirm", reg.Locale, mail.ConfirmData{
		ProgrammeName:  p.Name,
		RoundName:      r.Name,
		ConfirmURL:     s.BaseURL + "/confirm?t=" + url.QueryEscape(token),
		ExpiresIn:      mail.FormatDuration(ttl, reg.Locale),
		UnsubscribeURL: s.BaseURL + "/unsubscribe?t=" + url.QueryEscape(unsub),
	})
	if err != nil {
		return mail.Message{}, fmt.Errorf("signup: render confirmation: %w", err)
	}
	msg.Key = key
	msg.To = reg.Email
	msg.Tags = map[string]string{"kind": KindConfirm, "programme": p.ID}
	return msg, nil
}

func subject(reg *pairup.Registration) string {
	return reg.ProgrammeID + "/" + reg.RoundID + "/" + reg.ID
}

// Confirmation is a confirmation link's signup: its programme and round, and, once confirmed,
// the registration.
type Confirmation struct {
	Programme    *pairup.Programme
	Round        *pairup.Round
	Registration *pairup.Registration
	// WithdrawURL, once confirmed, is the person's link to withdraw from the round (the
	// confirmed page offers it: before matching no email carries one yet).
	WithdrawURL string
}

// confirmTarget verifies a confirmation token and returns the programme and round it names,
// and the registration id. Errors: EINVALID (forged, altered or malformed), EEXPIRED,
// ENOTFOUND.
func (s *Service) confirmTarget(ctx context.Context, token string) (*Confirmation, string, error) {
	sub, _, err := s.Links.Verify(links.PurposeConfirm, token, s.Clock.Now())
	if err != nil {
		return nil, "", err
	}
	parts := strings.Split(sub, "/")
	if len(parts) != 3 {
		return nil, "", pairup.Errorf(pairup.EINVALID, "This link is not valid.")
	}
	p, err := s.Store.GetProgramme(ctx, parts[0])
	if err != nil {
		return nil, "", err
	}
	r, err := s.Store.GetRound(ctx, parts[0], parts[1])
	if err != nil {
		return nil, "", err
	}
	return &Confirmation{Programme: p, Round: r}, parts[2], nil
}

// ConfirmPage checks a confirmation link for the page it opens, which asks the person to press
// a button (Confirm): opening a link confirms nothing, as mail scanners open links. Errors as
// Confirm's, but an erased signup is found only by Confirm.
func (s *Service) ConfirmPage(ctx context.Context, token string) (*Confirmation, error) {
	c, _, err := s.confirmTarget(ctx, token)
	return c, err
}

// Confirm confirms the registration a confirmation link names, and lifts an unsubscribe of its
// address: confirming is the owner asking for the programme's mail (a bounce or a complaint
// stays). Confirming again is harmless. Errors: EINVALID (forged, altered or malformed link),
// EEXPIRED, ENOTFOUND (the signup expired and was erased).
func (s *Service) Confirm(ctx context.Context, token string) (*Confirmation, error) {
	c, id, err := s.confirmTarget(ctx, token)
	if err != nil {
		return nil, err
	}
	reg, err := s.Store.ConfirmRegistration(ctx, c.Programme.ID, c.Round.ID, id, s.Clock.Now())
	if pairup.ErrorCode(err) == pairup.ENOTFOUND {
		return nil, pairup.Errorf(pairup.ENOTFOUND, "We could not find this signup: unconfirmed signups are erased after a while. Please sign up again.")
	}
	if err != nil {
		return nil, fmt.Errorf("signup: confirm: %w", err)
	}
	if err := s.liftUnsubscribe(ctx, reg.Email); err != nil {
		return nil, err
	}
	s.Log.InfoContext(ctx, "registration confirmed", "programme", c.Programme.ID, "round", c.Round.ID, "registration", reg.ID, "returning", reg.Returning)
	c.Registration = reg
	c.WithdrawURL = membership.WithdrawURL(s.Links, s.BaseURL, membership.Withdraw{ProgrammeID: reg.ProgrammeID, RoundID: reg.RoundID, RegistrationID: reg.ID}, s.Clock.Now())
	return c, nil
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

// liftUnsubscribe lifts an unsubscribe of email, and one kept under a keyed hash of it if the
// address was erased before (package erasure); bounces and complaints stay (the mailer skips
// their mail).
func (s *Service) liftUnsubscribe(ctx context.Context, email string) error {
	err := s.Store.Unsuppress(ctx, email, pairup.SuppressUnsubscribe)
	if err == nil || pairup.ErrorCode(err) == pairup.ECONFLICT {
		err = s.Store.UnsuppressHashed(ctx, s.Links.Pseudonyms(pairup.SuppressionLabel, email), pairup.SuppressUnsubscribe)
	}
	if err != nil && pairup.ErrorCode(err) != pairup.ECONFLICT {
		return fmt.Errorf("signup: lift unsubscribe: %w", err)
	}
	return nil
}

// UnsubscribeToken checks an unsubscribe link's token, so a page can ask "stop emails?" before
// Unsubscribe. EINVALID or EEXPIRED as Unsubscribe.
func (s *Service) UnsubscribeToken(token string) error {
	_, _, err := s.Links.Verify(links.PurposeUnsubscribe, token, s.Clock.Now())
	return err
}

// Unsubscribe stops all further email to the address an unsubscribe link is for (also when a
// mail client posts it in one click), except a confirmation email the address's owner asks for
// by signing up. The link names the outbox key of the email that carried it, and the address is
// that email's recipient; a link signed before links named emails names the address itself
// (no email's key holds an '@'). Doing it twice is harmless. Errors: EINVALID (forged,
// altered), EEXPIRED, ENOTFOUND (no such email).
func (s *Service) Unsubscribe(ctx context.Context, token string) error {
	sub, _, err := s.Links.Verify(links.PurposeUnsubscribe, token, s.Clock.Now())
	if err != nil {
		return err
	}
	email, err := s.Store.MessageRecipient(ctx, sub)
	switch {
	case pairup.ErrorCode(err) == pairup.ENOTFOUND && strings.Contains(sub, "@"):
		email = sub
	case pairup.ErrorCode(err) == pairup.ENOTFOUND:
		return pairup.Errorf(pairup.ENOTFOUND, "We could not find the email this link came from. If you still get our emails, use the link in the latest one.")
	case err != nil:
		return fmt.Errorf("signup: unsubscribe: %w", err)
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
