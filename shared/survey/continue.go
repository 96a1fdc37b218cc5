package survey

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/pairup"
)

// The choice at the round's close: the close email (package roundclose) gives each member of a
// running pair two links, "continue on our own" and "conclude"; each opens a page with one
// button that records the choice, once, while the round is closing.

// ContinuePath is the path of the page a continue or conclude link opens.
const ContinuePath = "/continue"

// ContinueRef is what a continue link names: one member of one pair, and the choice it makes.
type ContinueRef struct {
	ProgrammeID, RoundID, PairID, RegistrationID string
	Choice                                       pairup.ContinueChoice
}

// ContinueLink returns the URL under base that records c's choice (after one click).
func ContinueLink(signer *links.Signer, base string, c ContinueRef, expires time.Time) string {
	subject := strings.Join([]string{c.ProgrammeID, c.RoundID, c.PairID, c.RegistrationID, string(c.Choice)}, "|")
	return base + ContinuePath + "?t=" + url.QueryEscape(signer.Sign(links.PurposeContinue, subject, expires))
}

func readContinue(signer *links.Signer, token string, now time.Time) (ContinueRef, error) {
	subject, _, err := signer.Verify(links.PurposeContinue, token, now)
	if err != nil {
		return ContinueRef{}, err
	}
	parts := strings.Split(subject, "|")
	if len(parts) != 5 || !pairup.ValidContinueChoice(pairup.ContinueChoice(parts[4])) {
		return ContinueRef{}, invalidLink()
	}
	return ContinueRef{parts[0], parts[1], parts[2], parts[3], pairup.ContinueChoice(parts[4])}, nil
}

// ContinueView is what a continue page shows.
type ContinueView struct {
	Programme *pairup.Programme
	Round     *pairup.Round
	Name      string   // the participant's name
	Locale    string   // the participant's language
	Partners  []string // their partners' names in the pair
	Choice    pairup.ContinueChoice
	// Answered is the choice recorded before this request, if any (the page says so instead of
	// offering the button).
	Answered *pairup.ContinueAnswer
}

type continueCtx struct {
	ref  ContinueRef
	view ContinueView
	pair *pairup.Pair
}

func (s *Service) loadContinue(ctx context.Context, token string) (*continueCtx, error) {
	ref, err := readContinue(s.Links, token, s.Clock.Now())
	if err != nil {
		return nil, err
	}
	p, err := s.Store.GetProgramme(ctx, ref.ProgrammeID)
	if err != nil {
		return nil, linkTarget(err)
	}
	r, err := s.Store.GetRound(ctx, ref.ProgrammeID, ref.RoundID)
	if err != nil {
		return nil, linkTarget(err)
	}
	pair, err := s.Store.GetPair(ctx, ref.ProgrammeID, ref.RoundID, ref.PairID)
	if err != nil {
		return nil, linkTarget(err)
	}
	if !pair.Has(ref.RegistrationID) {
		return nil, invalidLink()
	}
	reg, err := s.Store.GetRegistration(ctx, ref.ProgrammeID, ref.RoundID, ref.RegistrationID)
	if err != nil {
		return nil, linkTarget(err)
	}
	c := &continueCtx{ref: ref, pair: pair}
	c.view = ContinueView{Programme: p, Round: r, Name: reg.Name, Locale: localeOf(p, reg), Choice: ref.Choice}
	for _, m := range pair.Members {
		if m.RegistrationID == reg.ID {
			continue
		}
		peer, err := s.Store.GetRegistration(ctx, ref.ProgrammeID, ref.RoundID, m.RegistrationID)
		switch {
		case err == nil:
			c.view.Partners = append(c.view.Partners, peer.Name)
		case pairup.ErrorCode(err) != pairup.ENOTFOUND: // a partner erased since is left unnamed
			return nil, fmt.Errorf("survey: continue partner: %w", err)
		}
	}
	prev, err := s.Store.GetContinue(ctx, ref.ProgrammeID, ref.RoundID, ref.PairID, ref.RegistrationID)
	switch {
	case err == nil:
		c.view.Answered = prev
	case pairup.ErrorCode(err) != pairup.ENOTFOUND:
		return nil, fmt.Errorf("survey: continue: %w", err)
	}
	return c, nil
}

// ContinuePage reads a continue link for its page (a GET): nothing changes. The page offers one
// button that POSTs the choice, or says that the choice was made before (Answered). A round
// no longer closing is ECLOSED, returned with the view; a pair that ended before the close is
// ECONFLICT.
func (s *Service) ContinuePage(ctx context.Context, token string) (*ContinueView, error) {
	c, err := s.loadContinue(ctx, token)
	if err != nil {
		return nil, err
	}
	if c.view.Answered != nil {
		return &c.view, nil
	}
	return &c.view, c.open()
}

// open returns why the choice can no longer be made, or nil.
func (c *continueCtx) open() error {
	if !c.pair.Active() {
		return pairup.Errorf(pairup.ECONFLICT, "This partnership ended before the round closed, so there is nothing to choose here.")
	}
	if c.view.Round.State != pairup.RoundClosing {
		return closedChoice(c.view.Round)
	}
	return nil
}

func closedChoice(r *pairup.Round) error {
	if r.State == pairup.RoundClosed {
		return pairup.Errorf(pairup.ECLOSED, "This round has closed, so it no longer records choices. You are of course free to keep in touch.")
	}
	return pairup.Errorf(pairup.ECLOSED, "This round is not closing yet, so there is no choice to make.")
}

// AnswerContinue records the choice a continue link carries, once, while the round is
// closing. A link used before (or the other link of the same email after it) returns the view
// with Answered set and an ECONFLICT error saying what was chosen and when; a round no longer
// closing is ECLOSED; a pair ended before the close is ECONFLICT. Nothing is written then.
func (s *Service) AnswerContinue(ctx context.Context, token string) (*ContinueView, error) {
	c, err := s.loadContinue(ctx, token)
	if err != nil {
		return nil, err
	}
	if c.view.Answered != nil {
		return &c.view, choseBefore(c.view.Answered)
	}
	if err := c.open(); err != nil {
		return &c.view, err
	}
	a := pairup.ContinueAnswer{ProgrammeID: c.ref.ProgrammeID, RoundID: c.ref.RoundID, PairID: c.ref.PairID,
		RegistrationID: c.ref.RegistrationID, Choice: c.ref.Choice, At: s.Clock.Now()}
	prev, err := s.Store.RecordContinue(ctx, a)
	if pairup.ErrorCode(err) == pairup.ECONFLICT && prev != nil {
		c.view.Answered = prev
		return &c.view, choseBefore(prev)
	}
	if err != nil {
		return nil, fmt.Errorf("survey: record continue: %w", err)
	}
	s.Log.InfoContext(ctx, "continue answered", "programme", a.ProgrammeID, "round", a.RoundID, "pair", a.PairID,
		"registration", a.RegistrationID, "choice", string(a.Choice))
	return &c.view, nil
}

func choseBefore(prev *pairup.ContinueAnswer) error {
	what := "to continue on your own"
	if prev.Choice == pairup.ChoiceConclude {
		what = "to conclude your partnership with the round"
	}
	return pairup.Errorf(pairup.ECONFLICT, "You chose %s on %s UTC. Each choice is made once; if something has changed, write to the coordinators.",
		what, prev.At.UTC().Format("2 January 2006 at 15:04"))
}
