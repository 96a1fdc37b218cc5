// Package membership signs and reads the links by which a participant leaves a round and comes
// back: the withdraw link every participant email carries (a footer link), the "please find me
// a new partner" link in the email to someone whose partner withdrew, and the invitation to
// rejoin a new round that people deferred by the country cap receive when it opens. Every
// sender builds these links here, the same way; the signup function's pages (package
// signupweb, through package signup) read them. Each link opens a page with one button: a GET
// changes nothing (mail scanners open links).
package membership

import (
	"net/url"
	"strings"
	"time"

	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/pairup"
)

// Paths of the pages the links open (in the signup function).
const (
	WithdrawPath   = "/withdraw"
	NewPartnerPath = "/new-partner"
	RejoinPath     = "/rejoin"
)

// Link lifetimes. A withdraw link works as long as an unsubscribe link (a year: longer than a
// round); whether the round still allows withdrawing is the page's to say. A new-partner link
// works for NewPartnerTTL. A rejoin link works until the new round's signup closes.
const (
	WithdrawTTL   = links.UnsubscribeTTL
	NewPartnerTTL = 90 * 24 * time.Hour
)

// Withdraw names one registration whose participant may withdraw from its round.
type Withdraw struct {
	ProgrammeID, RoundID, RegistrationID string
}

// NewPartner names a participant whose pair ended because their partner withdrew: the
// registration and the pair that ended.
type NewPartner struct {
	ProgrammeID, RoundID, PairID, RegistrationID string
}

// Rejoin names a registration deferred in an earlier round and the new round it is invited to.
type Rejoin struct {
	ProgrammeID, NewRoundID, OldRoundID, OldRegistrationID string
}

func join(parts ...string) string { return strings.Join(parts, "|") }

func link(base, path, token string) string { return base + path + "?t=" + url.QueryEscape(token) }

// WithdrawURL returns the link under base that withdraws w's participant (after one click),
// signed with PurposeWithdraw, subject "programme|round|registration".
func WithdrawURL(signer *links.Signer, base string, w Withdraw, now time.Time) string {
	tok := signer.Sign(links.PurposeWithdraw, join(w.ProgrammeID, w.RoundID, w.RegistrationID), now.Add(WithdrawTTL))
	return link(base, WithdrawPath, tok)
}

// NewPartnerURL returns the link under base by which n's participant asks for a new partner,
// signed with PurposeNewPartner, subject "programme|round|pair|registration".
func NewPartnerURL(signer *links.Signer, base string, n NewPartner, now time.Time) string {
	tok := signer.Sign(links.PurposeNewPartner, join(n.ProgrammeID, n.RoundID, n.PairID, n.RegistrationID), now.Add(NewPartnerTTL))
	return link(base, NewPartnerPath, tok)
}

// RejoinURL returns the link under base that rejoins j's person to the new round, signed with
// PurposeRejoin, subject "programme|new round|old round|old registration", until expires (the
// new round's signup closes).
func RejoinURL(signer *links.Signer, base string, j Rejoin, expires time.Time) string {
	tok := signer.Sign(links.PurposeRejoin, join(j.ProgrammeID, j.NewRoundID, j.OldRoundID, j.OldRegistrationID), expires)
	return link(base, RejoinPath, tok)
}

func invalidLink() error {
	return pairup.Errorf(pairup.EINVALID, "This link is not valid. Please use the link exactly as it appears in the email.")
}

// parts verifies token for purpose at now and splits its subject into n non-empty parts.
// EINVALID (forged, altered, another purpose, malformed) or EEXPIRED.
func parts(signer *links.Signer, purpose, token string, now time.Time, n int) ([]string, error) {
	subject, _, err := signer.Verify(purpose, token, now)
	if err != nil {
		return nil, err
	}
	ps := strings.Split(subject, "|")
	if len(ps) != n {
		return nil, invalidLink()
	}
	for _, p := range ps {
		if p == "" {
			return nil, invalidLink()
		}
	}
	return ps, nil
}

// ReadWithdraw reads a withdraw link's token. EINVALID or EEXPIRED.
func ReadWithdraw(signer *links.Signer, token string, now time.Time) (Withdraw, error) {
	ps, err := parts(signer, links.PurposeWithdraw, token, now, 3)
	if err != nil {
		return Withdraw{}, err
	}
	return Withdraw{ps[0], ps[1], ps[2]}, nil
}

// ReadNewPartner reads a new-partner link's token. EINVALID or EEXPIRED.
func ReadNewPartner(signer *links.Signer, token string, now time.Time) (NewPartner, error) {
	ps, err := parts(signer, links.PurposeNewPartner, token, now, 4)
	if err != nil {
		return NewPartner{}, err
	}
	return NewPartner{ps[0], ps[1], ps[2], ps[3]}, nil
}

// ReadRejoin reads a rejoin link's token. EINVALID or EEXPIRED (the new round's signup has
// closed).
func ReadRejoin(signer *links.Signer, token string, now time.Time) (Rejoin, error) {
	ps, err := parts(signer, links.PurposeRejoin, token, now, 4)
	if err != nil {
		return Rejoin{}, err
	}
	return Rejoin{ps[0], ps[1], ps[2], ps[3]}, nil
}
