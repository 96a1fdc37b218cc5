package survey

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"time"

	"github.com/pairup/pairup/shared/iso"
	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
)

// Store is what the survey function needs of the store (package store implements it).
type Store interface {
	GetProgramme(ctx context.Context, id string) (*pairup.Programme, error)
	GetRound(ctx context.Context, programmeID, roundID string) (*pairup.Round, error)
	GetRegistration(ctx context.Context, programmeID, roundID, id string) (*pairup.Registration, error)
	GetPair(ctx context.Context, programmeID, roundID, pairID string) (*pairup.Pair, error)
	GetCheckIn(ctx context.Context, programmeID, roundID, pairID, registrationID string) (*pairup.CheckIn, error)
	RecordCheckIn(ctx context.Context, c pairup.CheckIn, msgs []mail.Message) (*pairup.CheckIn, error)
	GetSurveyResponse(ctx context.Context, programmeID, roundID string, kind pairup.SurveyKind, registrationID string) (*pairup.SurveyResponse, error)
	SaveSurveyResponse(ctx context.Context, r pairup.SurveyResponse) (*pairup.SurveyResponse, error)
	GetContinue(ctx context.Context, programmeID, roundID, pairID, registrationID string) (*pairup.ContinueAnswer, error)
	RecordContinue(ctx context.Context, a pairup.ContinueAnswer) (*pairup.ContinueAnswer, error)
}

// Service answers check-in and survey links. All fields are required.
type Service struct {
	Store     Store
	Templates *mail.Templates
	Links     *links.Signer
	Clock     pairup.Clock
	Log       *slog.Logger
	// BaseURL is the public root of the hosted pages, for links in the coordinators' alerts.
	BaseURL string
}

// CheckInView is what a check-in page shows.
type CheckInView struct {
	Programme *pairup.Programme
	Round     *pairup.Round
	Name      string   // the participant's name
	Locale    string   // the participant's language
	Partners  []string // their partners' names
	Answer    pairup.CheckInAnswer
	// Answered is the answer recorded before this request, if any (the page says so instead of
	// offering the button).
	Answered *pairup.CheckIn
}

type checkInCtx struct {
	ref   CheckInRef
	view  CheckInView
	pair  *pairup.Pair
	reg   *pairup.Registration
	peers []*pairup.Registration
}

func (s *Service) loadCheckIn(ctx context.Context, token string) (*checkInCtx, error) {
	now := s.Clock.Now()
	ref, err := readCheckIn(s.Links, token, now)
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
	if err == nil && !reg.ErasedAt.IsZero() {
		err = erased()
	}
	if err != nil {
		return nil, linkTarget(err)
	}
	c := &checkInCtx{ref: ref, pair: pair, reg: reg}
	c.view = CheckInView{Programme: p, Round: r, Name: reg.Name, Locale: localeOf(p, reg), Answer: ref.Answer}
	for _, m := range pair.Members {
		if m.RegistrationID == reg.ID {
			continue
		}
		peer, err := s.Store.GetRegistration(ctx, ref.ProgrammeID, ref.RoundID, m.RegistrationID)
		if err != nil {
			return nil, fmt.Errorf("survey: check-in partner: %w", err)
		}
		c.peers = append(c.peers, peer)
		c.view.Partners = append(c.view.Partners, peer.Name)
	}
	prev, err := s.Store.GetCheckIn(ctx, ref.ProgrammeID, ref.RoundID, ref.PairID, ref.RegistrationID)
	switch {
	case err == nil:
		c.view.Answered = prev
	case pairup.ErrorCode(err) != pairup.ENOTFOUND:
		return nil, fmt.Errorf("survey: check-in: %w", err)
	}
	return c, nil
}

// linkTarget turns "the thing this link names is gone" into a clear page, not a 404 of a typo.
func linkTarget(err error) error {
	if pairup.ErrorCode(err) == pairup.ENOTFOUND {
		return pairup.Errorf(pairup.ENOTFOUND, "What this link points to no longer exists: the round may have been closed and its data erased.")
	}
	return fmt.Errorf("survey: %w", err)
}

// erased is the ENOTFOUND of a link whose registration's personal data was erased: it takes no
// more answers (package erasure).
func erased() error {
	return pairup.Errorf(pairup.ENOTFOUND, "This participant's data has been erased.")
}

func localeOf(p *pairup.Programme, reg *pairup.Registration) string {
	if reg != nil && reg.Locale != "" {
		return reg.Locale
	}
	return p.Locale
}

// CheckInPage reads a check-in link for its page (a GET): nothing changes. The page offers one
// button that POSTs the answer, or says that the answer was given before.
func (s *Service) CheckInPage(ctx context.Context, token string) (*CheckInView, error) {
	c, err := s.loadCheckIn(ctx, token)
	if err != nil {
		return nil, err
	}
	return &c.view, nil
}

// AnswerCheckIn records the answer a check-in link carries, once. A "no" alerts the programme's
// coordinators in the same write, with the console event that re-pairs the person. A link used
// before returns the view with Answered set and an ECONFLICT error saying when; a pair ended
// since (re-paired) is ECONFLICT too. Nothing is written then.
func (s *Service) AnswerCheckIn(ctx context.Context, token string) (*CheckInView, error) {
	c, err := s.loadCheckIn(ctx, token)
	if err != nil {
		return nil, err
	}
	if c.view.Answered != nil {
		return &c.view, answeredBefore(c.view.Answered)
	}
	if !c.pair.Active() {
		return &c.view, pairup.Errorf(pairup.ECONFLICT, "This partnership has changed since this email was sent: the coordinators have re-paired you. There is nothing more to answer here.")
	}
	if c.view.Round.State != pairup.RoundActive {
		return &c.view, pairup.Errorf(pairup.ECLOSED, "This round is no longer running, so check-ins are closed.")
	}
	now := s.Clock.Now()
	ci := pairup.CheckIn{ProgrammeID: c.ref.ProgrammeID, RoundID: c.ref.RoundID, PairID: c.ref.PairID,
		RegistrationID: c.ref.RegistrationID, Answer: c.ref.Answer, At: now}
	var msgs []mail.Message
	if ci.Answer == pairup.CheckInNo {
		if msgs, err = s.alerts(c, now); err != nil {
			return nil, err
		}
	}
	prev, err := s.Store.RecordCheckIn(ctx, ci, msgs)
	if pairup.ErrorCode(err) == pairup.ECONFLICT && prev != nil {
		c.view.Answered = prev
		return &c.view, answeredBefore(prev)
	}
	if err != nil {
		return nil, fmt.Errorf("survey: record check-in: %w", err)
	}
	s.Log.InfoContext(ctx, "check-in answered", "programme", ci.ProgrammeID, "round", ci.RoundID, "pair", ci.PairID,
		"registration", ci.RegistrationID, "answer", string(ci.Answer), "alerts", len(msgs))
	return &c.view, nil
}

func answeredBefore(prev *pairup.CheckIn) error {
	what := "yes, you are in touch"
	if prev.Answer == pairup.CheckInNo {
		what = "no, you have not heard from your partner"
	}
	return pairup.Errorf(pairup.ECONFLICT, "You answered this check-in on %s UTC: %s. Each check-in is answered once; if something has changed, write to the coordinators.",
		prev.At.UTC().Format("2 January 2006 at 15:04"), what)
}

// RepairEvent is the console event (match-run's "repair" action) that re-pairs person out of
// pair: the coordinators' alert carries it to copy.
func RepairEvent(programmeID, roundID, registrationID, pairID string) string {
	b, _ := json.MarshalIndent(struct {
		Action    string   `json:"action"`
		Programme string   `json:"programme"`
		Round     string   `json:"round"`
		People    []string `json:"people"`
		Replacing []string `json:"replacing"`
		DryRun    bool     `json:"dryRun"`
	}{"repair", programmeID, roundID, []string{registrationID}, []string{pairID}, false}, "", "  ")
	return string(b)
}

// AlertKey is the outbox key of the alert to coordinator i after a check-in "no".
func AlertKey(programmeID, roundID, pairID, registrationID string, i int) string {
	return fmt.Sprintf("alert/checkin/%s/%s/%s/%s/%d", programmeID, roundID, pairID, registrationID, i)
}

func (s *Service) alerts(c *checkInCtx, now time.Time) ([]mail.Message, error) {
	p, r := c.view.Programme, c.view.Round
	person := func(reg *pairup.Registration) mail.AlertPerson {
		country := reg.Country
		if country == "" {
			country = p.Country
		}
		return mail.AlertPerson{Name: reg.Name, Email: reg.Email, Country: iso.CountryName(country, mail.English), RegistrationID: reg.ID}
	}
	d := mail.CheckInAlertData{ProgrammeName: p.Name, RoundName: r.Name, Person: person(c.reg),
		RepairEvent: RepairEvent(p.ID, r.ID, c.reg.ID, c.pair.ID)}
	for _, peer := range c.peers {
		d.Partners = append(d.Partners, person(peer))
	}
	var msgs []mail.Message
	for i, to := range p.Coordinators {
		key := AlertKey(p.ID, r.ID, c.pair.ID, c.reg.ID, i)
		d.UnsubscribeURL = s.BaseURL + "/unsubscribe?t=" + url.QueryEscape(s.Links.Sign(links.PurposeUnsubscribe, key, now.Add(links.UnsubscribeTTL)))
		msg, err := s.Templates.Render("checkin-alert", mail.English, d)
		if err != nil {
			return nil, fmt.Errorf("survey: render the check-in alert: %w", err)
		}
		msg.Key, msg.To = key, to
		msg.Tags = map[string]string{"kind": "checkin-alert", "programme": p.ID}
		msgs = append(msgs, msg)
	}
	return msgs, nil
}

// FormView is what a survey page shows.
type FormView struct {
	Programme *pairup.Programme
	Round     *pairup.Round
	Kind      pairup.SurveyKind
	Form      pairup.SurveyForm
	Window    pairup.SurveyWindow
	Name      string
	Locale    string
	// Answers are the values to show: the earlier response's on a GET, what was posted after a
	// validation error.
	Answers pairup.SurveyAnswers
	// Response is the response as stored: the earlier one on a GET (nil if none), the saved one
	// after Submit.
	Response *pairup.SurveyResponse
}

func (s *Service) loadSurvey(ctx context.Context, token string) (*FormView, *pairup.Registration, error) {
	now := s.Clock.Now()
	ref, err := readSurvey(s.Links, token, now)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.Store.GetProgramme(ctx, ref.ProgrammeID)
	if err != nil {
		return nil, nil, linkTarget(err)
	}
	r, err := s.Store.GetRound(ctx, ref.ProgrammeID, ref.RoundID)
	if err != nil {
		return nil, nil, linkTarget(err)
	}
	reg, err := s.Store.GetRegistration(ctx, ref.ProgrammeID, ref.RoundID, ref.RegistrationID)
	if err == nil && !reg.ErasedAt.IsZero() {
		err = erased()
	}
	if err != nil {
		return nil, nil, linkTarget(err)
	}
	w, ok := p.SurveyWindow(r, ref.Kind)
	if !ok || (ref.Kind == pairup.SurveyReport && reg.Role != pairup.RoleMentee) {
		return nil, nil, invalidLink()
	}
	v := &FormView{Programme: p, Round: r, Kind: ref.Kind, Form: p.Survey(ref.Kind), Window: w, Name: reg.Name, Locale: localeOf(p, reg)}
	prev, err := s.Store.GetSurveyResponse(ctx, ref.ProgrammeID, ref.RoundID, ref.Kind, ref.RegistrationID)
	switch {
	case err == nil:
		v.Response, v.Answers = prev, prev.Answers
	case pairup.ErrorCode(err) != pairup.ENOTFOUND:
		return nil, nil, fmt.Errorf("survey: %w", err)
	}
	if now.Before(w.Opens) {
		return v, reg, pairup.Errorf(pairup.ECLOSED, "This survey opens on %s.", w.Opens.UTC().Format("2 January 2006"))
	}
	if !now.Before(w.Closes) {
		return v, reg, pairup.Errorf(pairup.ECLOSED, "This survey closed on %s, so it no longer takes answers. Thank you all the same.", w.Closes.UTC().Format("2 January 2006"))
	}
	return v, reg, nil
}

// Form reads a survey link for its form (a GET): the questions, and the earlier answers to
// change if the participant answered before. Nothing changes. ECLOSED (with the view) outside
// the survey's window.
func (s *Service) Form(ctx context.Context, token string) (*FormView, error) {
	v, _, err := s.loadSurvey(ctx, token)
	return v, err
}

// Submit validates and stores a survey's answers: bad answers are EINVALID naming each field
// (pairup.Fields), with the view and the posted answers to show again; after the survey closes,
// ECLOSED and nothing is stored. A resubmission replaces the earlier answers.
func (s *Service) Submit(ctx context.Context, token string, form map[string][]string) (*FormView, error) {
	v, reg, err := s.loadSurvey(ctx, token)
	if err != nil {
		return v, err
	}
	answers, err := pairup.ParseAnswers(v.Form, form)
	if err != nil {
		v.Answers = posted(v.Form, form)
		return v, err
	}
	saved, err := s.Store.SaveSurveyResponse(ctx, pairup.SurveyResponse{
		ProgrammeID: v.Programme.ID, RoundID: v.Round.ID, Kind: v.Kind, RegistrationID: reg.ID,
		ParticipantID: reg.ParticipantID, Role: reg.Role, Answers: answers, SubmittedAt: s.Clock.Now(),
	})
	if err != nil {
		return nil, fmt.Errorf("survey: save: %w", err)
	}
	v.Response, v.Answers = saved, saved.Answers
	s.Log.InfoContext(ctx, "survey answered", "programme", v.Programme.ID, "round", v.Round.ID, "kind", string(v.Kind),
		"registration", reg.ID, "submission", strconv.Itoa(saved.Submissions))
	return v, nil
}

// posted keeps the posted values of the form's questions, to show them again.
func posted(f pairup.SurveyForm, form map[string][]string) pairup.SurveyAnswers {
	out := pairup.SurveyAnswers{}
	for _, q := range f.Questions {
		if v := form[pairup.SurveyField(q.ID)]; len(v) > 0 {
			out[q.ID] = v
		}
	}
	return out
}
