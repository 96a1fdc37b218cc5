package erasure

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/membership"
	"github.com/pairup/pairup/shared/pairup"
)

// Path is the page an erase link opens (in the signup function): one button that erases.
const Path = "/erase"

// Lifetimes of erase links: one in an email (a footer, a withdraw page's offer) works as long as
// an unsubscribe link; one a page offers (the unsubscribe page) for a day.
const (
	LinkTTL     = links.UnsubscribeTTL
	PageLinkTTL = 24 * time.Hour
)

// Target is what an erase link names: a registration (links in participants' emails and pages)
// or an email by its outbox key (the unsubscribe page's offer: its link names the email that
// carried it, as the unsubscribe link does). Either leads to the person's address, and the
// button erases everything held about it.
type Target struct {
	ProgrammeID, RoundID, RegistrationID string
	MessageKey                           string
}

// Subjects of erase tokens: "registration|<programme>|<round>|<id>" or "outbox|<message key>".
const (
	kindRegistration = "registration"
	kindOutbox       = "outbox"
)

// RegistrationURL returns the link under base that erases the person a registration belongs to
// (after one click), valid until expires (usually now + LinkTTL).
func RegistrationURL(signer *links.Signer, base, programmeID, roundID, registrationID string, expires time.Time) string {
	return URL(signer, base, Target{ProgrammeID: programmeID, RoundID: roundID, RegistrationID: registrationID}, expires)
}

// URL returns the link under base that erases t's person (after one click), valid until expires.
func URL(signer *links.Signer, base string, t Target, expires time.Time) string {
	subject := kindOutbox + "|" + t.MessageKey
	if t.MessageKey == "" {
		subject = strings.Join([]string{kindRegistration, t.ProgrammeID, t.RoundID, t.RegistrationID}, "|")
	}
	return base + Path + "?t=" + url.QueryEscape(signer.Sign(links.PurposeErase, subject, expires))
}

// Read reads an erase link's token. EINVALID (forged, altered, another purpose, malformed) or
// EEXPIRED.
func Read(signer *links.Signer, token string, now time.Time) (Target, error) {
	subject, _, err := signer.Verify(links.PurposeErase, token, now)
	if err != nil {
		return Target{}, err
	}
	ps := strings.Split(subject, "|")
	switch {
	case len(ps) == 4 && ps[0] == kindRegistration && ps[1] != "" && ps[2] != "" && ps[3] != "":
		return Target{ProgrammeID: ps[1], RoundID: ps[2], RegistrationID: ps[3]}, nil
	case len(ps) == 2 && ps[0] == kindOutbox && ps[1] != "":
		return Target{MessageKey: ps[1]}, nil
	}
	return Target{}, pairup.Errorf(pairup.EINVALID, "This link is not valid. Please use the link exactly as it appears in the email.")
}

// LinkView is what an erase link's page shows.
type LinkView struct {
	// Programme is the programme of the registration the link names (nil for a link from the
	// unsubscribe page).
	Programme *pairup.Programme
	// Nothing is set when the table holds nothing more for the link's person: it was erased
	// before. The page says so instead of offering the button.
	Nothing bool
	// WithdrawURL is set when the registration the link names is still in a running round (the
	// page suggests withdrawing first, which tells their partner; erasing takes them out without
	// telling anyone).
	WithdrawURL string
	// Report is what pressing the button erased (EraseByLink).
	Report *Report
}

// Page reads an erase link for its page (a GET): nothing changes. EINVALID or EEXPIRED for a
// bad link.
func (s *Service) Page(ctx context.Context, token string) (*LinkView, error) {
	v, _, err := s.resolve(ctx, token)
	return v, err
}

// EraseByLink erases the person an erase link leads to (the page's button, a POST) and reports
// what it erased. A link used before finds nothing more to erase, and says so. EINVALID or
// EEXPIRED for a bad link; ECONFLICT as ErasePerson.
func (s *Service) EraseByLink(ctx context.Context, token string) (*LinkView, error) {
	v, addr, err := s.resolve(ctx, token)
	if err != nil {
		return nil, err
	}
	t, _ := Read(s.Links, token, s.Clock.Now())
	var rep *Report
	switch {
	case addr != "":
		rep, err = s.ErasePerson(ctx, addr)
	case t.RegistrationID != "":
		rep, err = s.EraseRegistration(ctx, t.ProgrammeID, t.RoundID, t.RegistrationID)
	default:
		rep = &Report{}
		rep.Summary = summary(rep, "this link")
	}
	if err != nil {
		return nil, err
	}
	v.Report = rep
	s.Log.InfoContext(ctx, "erased by the participant's link", "anonymised", rep.Registrations, "people", rep.People)
	return v, nil
}

// resolve reads an erase link and finds the address it leads to ("" if nothing is left).
func (s *Service) resolve(ctx context.Context, token string) (*LinkView, string, error) {
	t, err := Read(s.Links, token, s.Clock.Now())
	if err != nil {
		return nil, "", err
	}
	v := &LinkView{}
	if t.MessageKey != "" {
		addr, err := s.Store.MessageRecipient(ctx, t.MessageKey)
		if pairup.ErrorCode(err) == pairup.ENOTFOUND {
			v.Nothing = true
			return v, "", nil
		}
		return v, addr, err
	}
	p, err := s.Store.GetProgramme(ctx, t.ProgrammeID)
	if pairup.ErrorCode(err) == pairup.ENOTFOUND {
		v.Nothing = true
		return v, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	v.Programme = p
	reg, err := s.Store.GetRegistrationAny(ctx, t.ProgrammeID, t.RoundID, t.RegistrationID)
	if pairup.ErrorCode(err) == pairup.ENOTFOUND {
		v.Nothing = true
		return v, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	v.Nothing = reg.Email == ""
	if !v.Nothing && reg.Status == pairup.StatusConfirmed && s.BaseURL != "" {
		r, err := s.Store.GetRound(ctx, t.ProgrammeID, t.RoundID)
		if err != nil {
			return nil, "", err
		}
		if r.State == pairup.RoundActive || r.State == pairup.RoundClosing {
			v.WithdrawURL = membership.WithdrawURL(s.Links, s.BaseURL, membership.Withdraw{ProgrammeID: t.ProgrammeID, RoundID: t.RoundID, RegistrationID: t.RegistrationID}, s.Clock.Now())
		}
	}
	return v, reg.Email, nil
}

// UnsubscribeOffer returns the erase link the unsubscribe page offers for an unsubscribe link's
// token: it names the same email (its outbox key), and works for PageLinkTTL. "" if the token is
// not a valid unsubscribe token or names an address itself (links signed before emails were
// named by key): those pages offer nothing more.
func (s *Service) UnsubscribeOffer(unsubscribeToken string) string {
	now := s.Clock.Now()
	key, _, err := s.Links.Verify(links.PurposeUnsubscribe, unsubscribeToken, now)
	if err != nil || key == "" || strings.Contains(key, "@") {
		return ""
	}
	return URL(s.Links, s.BaseURL, Target{MessageKey: key}, now.Add(PageLinkTTL))
}
