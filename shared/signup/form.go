package signup

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
	"unicode"

	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/pairup"
)

// The form's defences against being used to send mail to strangers (a relay): each served form
// can be sent once (its token carries a random nonce, recorded when the form comes back), one
// source address makes a limited number of signups an hour, a programme queues a limited
// number of confirmation emails a day, and a name may not carry a web address.

// ErrFormUsed is returned by Submit for a form token that was used before. Nothing is stored
// or sent.
var ErrFormUsed = pairup.Errorf(pairup.ECONFLICT, "We have already received this form. Check your inbox for the confirmation email; to sign up someone else, open the form again.")

// NewFormToken returns the token of a form for programmeID served now, expiring at expires:
// signed, with a fresh random nonce, so that every served form is distinct and can be sent once.
func NewFormToken(l *links.Signer, programmeID string, expires time.Time) string {
	return l.Sign(links.PurposeForm, programmeID+"/"+NewID(), expires)
}

// FormToken returns a signed token for a form served now for programmeID; CheckForm verifies it
// when the form comes back.
func (s *Service) FormToken(programmeID string) string {
	return NewFormToken(s.Links, programmeID, s.Clock.Now().Add(s.dur(s.FormTTL, DefaultFormTTL)))
}

// Form is a form token that verified: the form's programme, its nonce and when it expires.
type Form struct {
	ProgrammeID string
	Nonce       string
	Expires     time.Time
}

// ErrTooFast is CheckForm's answer to a form that came back faster than a person fills it in:
// a bot. Callers drop it quietly (errors.Is); it is not a limit a person reached (ELIMIT).
var ErrTooFast = errors.New("signup: form sent too quickly to be a person's")

// CheckForm verifies a form token for programmeID. It returns an EINVALID error for a missing,
// forged or other programme's token, EEXPIRED for a stale form, and ErrTooFast when the form came
// back faster than a person fills it in (a bot). Whether the form was sent before is Submit's
// to find out (it records the nonce).
func (s *Service) CheckForm(programmeID, token string) (*Form, error) {
	now := s.Clock.Now()
	subject, expires, err := s.Links.Verify(links.PurposeForm, token, now)
	if pairup.ErrorCode(err) == pairup.EEXPIRED {
		return nil, pairup.Errorf(pairup.EEXPIRED, "This form was open for too long. Please check your answers and send it again.")
	}
	prog, nonce, ok := strings.Cut(subject, "/")
	if err != nil || !ok || prog != programmeID || nonce == "" {
		return nil, pairup.Errorf(pairup.EINVALID, "This form could not be verified. Please reload the page and try again.")
	}
	issued := expires.Add(-s.dur(s.FormTTL, DefaultFormTTL))
	if now.Sub(issued) < s.dur(s.MinFill, DefaultMinFill) {
		return nil, ErrTooFast
	}
	return &Form{ProgrammeID: prog, Nonce: nonce, Expires: expires}, nil
}

// useForm records the form's nonce: ErrFormUsed if it was recorded before.
func (s *Service) useForm(ctx context.Context, f *Form) error {
	err := s.Store.UseFormNonce(ctx, f.Nonce, f.Expires)
	switch pairup.ErrorCode(err) {
	case "":
		return nil
	case pairup.ECONFLICT:
		return ErrFormUsed
	default:
		return fmt.Errorf("signup: use form: %w", err)
	}
}

// countSource counts a signup against its source address's hourly limit; ELIMIT over it.
func (s *Service) countSource(ctx context.Context, source string) error {
	if s.SignupsPerSourceHour <= 0 {
		return nil
	}
	err := s.Store.CountSourceSignup(ctx, s.Links.Opaque("source", SourceKey(source)), s.SignupsPerSourceHour)
	if err != nil && pairup.ErrorCode(err) != pairup.ELIMIT {
		return fmt.Errorf("signup: count source: %w", err)
	}
	return err
}

// SourceKey is what signups from the address source count under: an IPv4 address itself, an
// IPv6 address's /64 (one subscriber's network: a host has many addresses in it), and anything
// that does not parse as it is. The store only sees a keyed hash of it (links.Signer.Opaque).
func SourceKey(source string) string {
	a, err := netip.ParseAddr(source)
	if err != nil {
		return source
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	return netip.PrefixFrom(a, 64).Masked().String()
}

// nameProblem says why a name is refused, or "" if it is fine. A name is shown to the
// address's owner on the confirmation page and, once confirmed, to a partner; and whoever fills
// in the form chooses it. So it may not carry a web address: not "://", not "www.", and no
// domain-like word. A domain-like word is a run of letters, digits, '-' and '.' that the dots
// split into two or more parts, none empty, the last of at least two letters ("evil.example",
// "bit.ly", the "spam.co" of "x@spam.co") — except initials before a surname: single capital
// letters, then a capitalised last part ("J.R.R.Tolkien"). Dots followed by a space or ending a
// word never make one, so "J. R. R. Tolkien", "J.R.R. Tolkien", "Dr. Smith" and "Ph.D." pass;
// "St.John" is refused, and the message says to add the space.
func nameProblem(name string) string {
	lower := strings.ToLower(name)
	if strings.Contains(lower, "://") || strings.Contains(lower, "www.") {
		return "Please enter just your name, without a web address."
	}
	words := strings.FieldsFunc(name, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '.'
	})
	for _, w := range words {
		if domainLike(w) {
			return fmt.Sprintf("Please enter just your name, without a web address. If %q is part of your name, put a space after the dot.", w)
		}
	}
	return ""
}

func domainLike(word string) bool {
	parts := strings.Split(word, ".")
	if len(parts) < 2 {
		return false
	}
	last := []rune(parts[len(parts)-1])
	if len(last) < 2 {
		return false
	}
	for _, r := range last {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	initials := unicode.IsUpper(last[0])
	for _, p := range parts[:len(parts)-1] {
		r := []rune(p)
		if len(r) == 0 {
			return false
		}
		if len(r) != 1 || !unicode.IsUpper(r[0]) {
			initials = false
		}
	}
	return !initials
}
