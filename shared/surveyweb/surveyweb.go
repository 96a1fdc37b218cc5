// Package surveyweb serves the pages participants reach from a round's emails, on the page kit
// (package web): the check-in answer ("have you heard from your partner?"), the survey forms
// (mid-round, end of round, the mentee report) and, at the round's close, the choice to
// continue on one's own or conclude (continue.go). Opening a link never changes anything — mail
// systems' link scanners open every link — so each page asks for one click that POSTs. It is
// the survey function's HTTP face; the rules are package survey's.
package surveyweb

import (
	"embed"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/survey"
	"github.com/pairup/pairup/shared/web"
)

// Routes are the routes the survey function answers, in API Gateway's "METHOD /path" form; the
// CDK stack routes exactly these to it.
var Routes = []string{
	"GET " + survey.CheckInPath,
	"POST " + survey.CheckInPath,
	"GET " + survey.SurveyPath,
	"POST " + survey.SurveyPath,
	"GET " + survey.ContinuePath,
	"POST " + survey.ContinuePath,
}

// Body limits: a check-in POST carries a token; a survey a few answers of at most 2,000
// characters each.
const (
	MaxTokenBodyBytes  = 4 << 10
	MaxSurveyBodyBytes = 64 << 10
)

//go:embed templates/*.html
var templateFS embed.FS

// Server serves the check-in and survey pages.
type Server struct {
	svc *survey.Service
	kit *web.Kit
	log *slog.Logger
	h   http.Handler
}

// New returns the pages' handler for svc.
func New(svc *survey.Service, log *slog.Logger) (*Server, error) {
	kit, err := web.NewKit(log, web.Pages{FS: templateFS, Names: []string{"checkin", "survey", "continue"}, Strings: web.Catalogue{"zh-Hant": zhHant}})
	if err != nil {
		return nil, err
	}
	s := &Server{svc: svc, kit: kit, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+survey.CheckInPath, s.checkInPage)
	mux.HandleFunc("POST "+survey.CheckInPath, s.checkIn)
	mux.HandleFunc("GET "+survey.SurveyPath, s.surveyPage)
	mux.HandleFunc("POST "+survey.SurveyPath, s.submit)
	mux.HandleFunc("GET "+survey.ContinuePath, s.continuePage)
	mux.HandleFunc("POST "+survey.ContinuePath, s.answerContinue)
	s.h = kit.Protect(mux, nil)
	return s, nil
}

// ServeHTTP serves the pages.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.h.ServeHTTP(w, r) }

var checkInTitles = web.LinkTitles.Or(web.Titles{Conflict: "Already answered", Closed: "This check-in is closed"})

func names(ns []string) string {
	switch len(ns) {
	case 0:
		return "your partner"
	case 1:
		return ns[0]
	}
	return strings.Join(ns[:len(ns)-1], ", ") + " and " + ns[len(ns)-1]
}

func (s *Server) checkInPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	v, err := s.svc.CheckInPage(r.Context(), token)
	if err != nil {
		s.kit.Error(w, r, err, checkInTitles)
		return
	}
	web.About(r, v.Programme)
	if v.Answered != nil {
		s.kit.Message(w, r, http.StatusOK, "Already answered", []string{
			s.kit.Tf(r, "You already answered this check-in on %s.", s.kit.Date(r, v.Answered.At)),
			"Each check-in is answered once; if something has changed, write to the coordinators.",
		}, web.Link{})
		return
	}
	s.kit.Render(w, r, http.StatusOK, "checkin", struct {
		web.Page
		View     *survey.CheckInView
		Partners string
		Token    string
	}{s.kit.Page(r, "Have you heard from your partner?"), v, names(v.Partners), token})
}

func (s *Server) checkIn(w http.ResponseWriter, r *http.Request) {
	if !s.kit.ReadForm(w, r, MaxTokenBodyBytes) {
		return
	}
	v, err := s.svc.AnswerCheckIn(r.Context(), r.PostForm.Get("t"))
	if v != nil {
		web.About(r, v.Programme)
	}
	if err != nil {
		s.kit.Error(w, r, err, checkInTitles)
		return
	}
	msg := "Thank you: we are glad you are in touch. Enjoy the conversations."
	if v.Answer == pairup.CheckInNo {
		msg = "Thank you for telling us. The coordinators have been told and will be in touch to help, or to find you a new partner."
	}
	s.kit.Message(w, r, http.StatusOK, "Answer recorded", []string{msg}, web.Link{})
}

// question is one question as the survey page draws it.
type question struct {
	ID, Name, Kind, Label, Hint, Error, Text string
	Required                                 bool
	MaxLength                                int
	Choices                                  []choice
}

type choice struct {
	Value, Label string
	Checked      bool
}

type surveyPage struct {
	web.Page
	View      *survey.FormView
	Token     string
	Closes    time.Time
	Questions []question
	Errors    pairup.FieldErrors
}

type errorItem struct{ ID, Message string }

// ErrorList is the error summary in question order.
func (p surveyPage) ErrorList() []errorItem {
	var out []errorItem
	for _, q := range p.Questions {
		if q.Error != "" {
			out = append(out, errorItem{ID: "f-" + q.ID, Message: q.Error})
		}
	}
	return out
}

func (s *Server) renderSurvey(w http.ResponseWriter, r *http.Request, status int, v *survey.FormView, token string, fe pairup.FieldErrors) {
	pg := s.kit.Page(r, v.Form.Title)
	sp := surveyPage{Page: pg, View: v, Token: token, Closes: v.Window.Closes.Add(-time.Second), Errors: fe}
	for _, q := range v.Form.Questions {
		name := pairup.SurveyField(q.ID)
		x := question{ID: q.ID, Name: name, Kind: string(q.Kind), Label: pg.T(q.Label), Hint: pg.T(q.Hint), Error: pg.T(fe[name]), Required: q.Required, MaxLength: q.MaxLength}
		if x.MaxLength <= 0 {
			x.MaxLength = pairup.MaxTextAnswer
		}
		chosen := v.Answers[q.ID]
		switch q.Kind {
		case pairup.QuestionScale:
			for i, val := range pairup.Scale {
				label := val
				if i == 0 && q.Low != "" {
					label += " – " + pg.T(q.Low)
				}
				if i == len(pairup.Scale)-1 && q.High != "" {
					label += " – " + pg.T(q.High)
				}
				x.Choices = append(x.Choices, choice{Value: val, Label: label, Checked: slices.Contains(chosen, val)})
			}
		case pairup.QuestionChoice, pairup.QuestionMulti:
			for _, o := range q.Options {
				x.Choices = append(x.Choices, choice{Value: o.Value, Label: pg.T(o.Label), Checked: slices.Contains(chosen, o.Value)})
			}
		default:
			x.Text = strings.Join(chosen, "\n")
		}
		sp.Questions = append(sp.Questions, x)
	}
	s.kit.Render(w, r, status, "survey", sp)
}

func (s *Server) surveyClosed(w http.ResponseWriter, r *http.Request, status int, v *survey.FormView, err error) {
	title := "This survey is closed"
	if s.svc.Clock.Now().Before(v.Window.Opens) {
		title = "This survey is not open"
	}
	s.kit.Message(w, r, status, title, []string{pairup.ErrorMessage(err)}, web.Link{})
}

func (s *Server) surveyPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	v, err := s.svc.Form(r.Context(), token)
	if v != nil {
		web.About(r, v.Programme)
	}
	switch {
	case pairup.ErrorCode(err) == pairup.ECLOSED && v != nil:
		s.surveyClosed(w, r, http.StatusOK, v, err)
	case err != nil:
		s.kit.Error(w, r, err, web.LinkTitles)
	default:
		s.renderSurvey(w, r, http.StatusOK, v, token, nil)
	}
}

func (s *Server) submit(w http.ResponseWriter, r *http.Request) {
	if !s.kit.ReadFilledForm(w, r, MaxSurveyBodyBytes, "") {
		return
	}
	token := r.PostForm.Get("t")
	v, err := s.svc.Submit(r.Context(), token, r.PostForm)
	if v != nil {
		web.About(r, v.Programme)
	}
	var fe pairup.FieldErrors
	switch {
	case err == nil:
		s.kit.Message(w, r, http.StatusOK, "Thank you", []string{
			s.kit.Tf(r, "Your answers are saved. You can change them until %s by opening the link in the email again.", s.kit.Date(r, v.Window.Closes.Add(-time.Second))),
		}, web.Link{})
	case errors.As(err, new(*pairup.Error)) && len(pairup.Fields(err)) > 0 && v != nil:
		fe = pairup.Fields(err)
		s.renderSurvey(w, r, http.StatusBadRequest, v, token, fe)
	case pairup.ErrorCode(err) == pairup.ECLOSED && v != nil:
		s.surveyClosed(w, r, http.StatusGone, v, err)
	default:
		s.kit.Error(w, r, err, web.LinkTitles)
	}
}
