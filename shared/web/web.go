// Package web serves the hosted forms: the programme index, the signup form with server-side
// validation that re-shows the form with a message by each bad field, the "check your inbox"
// page, and the confirmation link. It is a plain net/http handler, so the same code runs behind
// API Gateway (through the Lambda HTTP adapter) and on a laptop. Domain errors map to statuses
// here; users never see internal error text.
package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/pairup/pairup/shared/iso"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/signup"
)

// MaxBodyBytes is the largest form body accepted; larger ones get 413.
const MaxBodyBytes = 64 << 10

// Routes are the routes the forms answer, in API Gateway's "METHOD /path/{param}" form; the CDK
// stack routes exactly these to the signup function.
var Routes = []string{
	"GET /",
	"GET /p/{programme}/signup",
	"POST /p/{programme}/signup",
	"GET /confirm",
	"GET /unsubscribe",
	"POST /unsubscribe",
}

//go:embed templates/*.html
var templateFS embed.FS

// Server is the HTTP face of the signup service.
type Server struct {
	svc   *signup.Service
	log   *slog.Logger
	pages map[string]*template.Template
	h     http.Handler
}

// New returns a Server for svc. Templates are parsed here, once, at start-up.
func New(svc *signup.Service, log *slog.Logger) (*Server, error) {
	s := &Server{svc: svc, log: log, pages: map[string]*template.Template{}}
	funcs := template.FuncMap{
		"date":    func(t time.Time) string { return t.UTC().Format("2 January 2006") },
		"field":   textField,
		"choices": choiceField,
	}
	for _, name := range []string{"index", "signup", "message", "unsubscribe"} {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: parse %s template: %w", name, err)
		}
		s.pages[name] = t
	}
	mux := http.NewServeMux()
	handlers := map[string]http.HandlerFunc{
		"GET /":                      s.handleIndex,
		"GET /p/{programme}/signup":  s.handleSignupForm,
		"POST /p/{programme}/signup": s.handleSignupPost,
		"GET /confirm":               s.handleConfirm,
		"GET /unsubscribe":           s.handleUnsubscribeForm,
		"POST /unsubscribe":          s.handleUnsubscribe,
	}
	for _, route := range Routes {
		pattern := route
		if route == "GET /" {
			pattern = "GET /{$}" // the index only, not every path
		}
		mux.HandleFunc(pattern, handlers[route])
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.renderMessage(w, r, http.StatusNotFound, "Page not found", []string{"There is no page at this address."}, "/", "See the programmes")
	})
	// Cross-origin POSTs (CSRF) are refused by Go's Sec-Fetch-Site/Origin checks.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderMessage(w, r, http.StatusForbidden, "Form refused", []string{"This form was sent from another site, so we did not accept it. Please open the form on this site and send it from there."}, "/", "See the programmes")
	}))
	s.h = securityHeaders(cop.Handler(mux))
	return s, nil
}

// ServeHTTP serves the forms.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.h.ServeHTTP(w, r) }

type nonceKey struct{}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [16]byte
		_, _ = rand.Read(b[:])
		nonce := base64.StdEncoding.EncodeToString(b[:])
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-"+nonce+"'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer") // links carry tokens
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), nonceKey{}, nonce)))
	})
}

type page struct {
	Title string
	Lang  string
	Nonce string
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.log.ErrorContext(r.Context(), "render page", "page", name, "err", err)
		http.Error(w, "Something went wrong on our side.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

type messagePage struct {
	page
	Paragraphs []string
	Link       string
	LinkText   string
}

func (s *Server) renderMessage(w http.ResponseWriter, r *http.Request, status int, title string, paras []string, link, linkText string) {
	s.render(w, r, status, "message", messagePage{page: s.page(r, title), Paragraphs: paras, Link: link, LinkText: linkText})
}

func (s *Server) page(r *http.Request, title string) page {
	nonce, _ := r.Context().Value(nonceKey{}).(string)
	return page{Title: title, Lang: "en", Nonce: nonce}
}

// renderError shows a domain error as a page with the status its code maps to.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	code := pairup.ErrorCode(err)
	status, title := http.StatusInternalServerError, "Something went wrong"
	switch code {
	case pairup.ENOTFOUND:
		status, title = http.StatusNotFound, "Not found"
	case pairup.EINVALID:
		status, title = http.StatusBadRequest, "This link is not valid"
	case pairup.EEXPIRED:
		status, title = http.StatusGone, "This link has expired"
	case pairup.ECLOSED:
		status, title = http.StatusOK, "Signup is closed"
	case pairup.ECONFLICT:
		status, title = http.StatusConflict, "This cannot be done now"
	}
	if code == pairup.EINTERNAL {
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "route", r.Pattern, "err", err)
	}
	s.renderMessage(w, r, status, title, []string{pairup.ErrorMessage(err)}, "/", "See the programmes")
}

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	ls, err := s.svc.Programmes(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "index", struct {
		page
		Listings []signup.Listing
	}{s.page(r, "Mentoring programmes"), ls})
}

// openOffer finds the programme's round open for signup, or renders the page saying why there
// is none (unknown programme, closed round) and returns false.
func (s *Server) openOffer(w http.ResponseWriter, r *http.Request, programmeID string) (*signup.Offer, bool) {
	offer, err := s.svc.Offer(r.Context(), programmeID)
	if err == nil && !offer.Open {
		err = signup.ClosedError(offer)
	}
	if err != nil {
		s.renderError(w, r, err)
		return nil, false
	}
	return offer, true
}

func (s *Server) handleSignupForm(w http.ResponseWriter, r *http.Request) {
	offer, ok := s.openOffer(w, r, r.PathValue("programme"))
	if !ok {
		return
	}
	s.renderForm(w, r, http.StatusOK, offer, pairup.SignupInput{}, nil)
}

func (s *Server) handleSignupPost(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	programmeID := r.PathValue("programme")
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.renderMessage(w, r, http.StatusRequestEntityTooLarge, "Form too large", []string{fmt.Sprintf("The form you sent is larger than %d KiB, so we did not accept it.", MaxBodyBytes>>10)}, "/p/"+programmeID+"/signup", "Back to the form")
			return
		}
		s.renderMessage(w, r, http.StatusBadRequest, "Form not readable", []string{"We could not read the form you sent. Please try again."}, "/p/"+programmeID+"/signup", "Back to the form")
		return
	}
	offer, ok := s.openOffer(w, r, programmeID)
	if !ok {
		return
	}
	in := pairup.SignupInput(r.PostForm)
	// Bots: a filled honeypot or a form sent faster than a person could get a normal-looking
	// page, and nothing is stored or sent.
	formErr := s.svc.CheckForm(programmeID, r.PostForm.Get("ft"))
	if r.PostForm.Get("website") != "" || pairup.ErrorCode(formErr) == pairup.ELIMIT {
		s.log.InfoContext(ctx, "signup dropped as automated", "programme", programmeID, "honeypot", r.PostForm.Get("website") != "")
		s.renderSent(w, r, offer.Programme, in.Get(pairup.FieldEmail))
		return
	}
	if formErr != nil {
		s.renderForm(w, r, http.StatusBadRequest, offer, in, pairup.FieldErrors{"form": pairup.ErrorMessage(formErr)})
		return
	}
	out, err := s.svc.Submit(ctx, offer, in)
	if fe := pairup.Fields(err); fe != nil {
		s.renderForm(w, r, http.StatusBadRequest, offer, in, fe)
		return
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.renderSent(w, r, out.Programme, out.Email)
}

func (s *Server) renderSent(w http.ResponseWriter, r *http.Request, p *pairup.Programme, email string) {
	s.renderMessage(w, r, http.StatusOK, "Check your inbox", []string{
		fmt.Sprintf("We have sent an email to %s. Follow the link in it to confirm your signup to %s.", email, p.Name),
		"If it does not arrive within a few minutes, check your spam folder. Signing up again with the same address re-sends the email.",
	}, "", "")
}

func (s *Server) handleConfirm(w http.ResponseWriter, r *http.Request) {
	c, err := s.svc.Confirm(r.Context(), r.URL.Query().Get("t"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	paras := []string{fmt.Sprintf("Thank you, %s. Your place in %s (%s) is confirmed.", c.Registration.Name, c.Programme.Name, c.Round.Name),
		fmt.Sprintf("Matching happens after signup closes on %s; we will email you your partner's details then.", c.Round.SignupCloses.UTC().Format("2 January 2006"))}
	if c.Registration.Returning {
		paras = append(paras, "Welcome back: we will not pair you with a previous partner.")
	}
	s.renderMessage(w, r, http.StatusOK, "Signup confirmed", paras, "", "")
}

func (s *Server) handleUnsubscribeForm(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	if err := s.svc.UnsubscribeToken(token); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "unsubscribe", struct {
		page
		Token string
	}{s.page(r, "Stop emails?"), token})
}

// handleUnsubscribe takes the confirmation button's POST and mail clients' one-click POST
// (RFC 8058: body List-Unsubscribe=One-Click, the token in the URL).
func (s *Server) handleUnsubscribe(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		s.renderMessage(w, r, http.StatusBadRequest, "Request not readable", []string{"We could not read the request."}, "", "")
		return
	}
	token := r.URL.Query().Get("t")
	if token == "" {
		token = r.PostForm.Get("t")
	}
	if err := s.svc.Unsubscribe(r.Context(), token); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.renderMessage(w, r, http.StatusOK, "You are unsubscribed", []string{
		"We will send no more email to this address. If you sign up for a programme again, we will email you about that signup.",
	}, "/", "See the programmes")
}

// Form rendering.

type formPage struct {
	page
	Programme   *pairup.Programme
	Round       *pairup.Round
	Form        pairup.SignupInput
	Errors      pairup.FieldErrors
	FormToken   string
	Countries   []iso.Option
	Languages   []pairup.Option
	Sectors     []pairup.Option
	Stages      []pairup.Option
	Interests   []pairup.Option
	Preferences []pairup.Option
	Roles       []pairup.Option
	Capacities  []int
	Zones       []string
}

type errorItem struct{ ID, Message string }

// ErrorList is the error summary in form order.
func (f formPage) ErrorList() []errorItem {
	order := []string{"form", pairup.FieldName, pairup.FieldEmail, pairup.FieldCountry, pairup.FieldTimeZone, pairup.FieldRole, pairup.FieldCapacity}
	for _, q := range f.Programme.Eligibility {
		order = append(order, pairup.FieldEligibilityPrefix+q.ID)
	}
	order = append(order, pairup.FieldSector, pairup.FieldCareerStage, pairup.FieldLanguages, pairup.FieldInterests, pairup.FieldPreference, pairup.FieldConsent)
	var out []errorItem
	for _, k := range order {
		if m, ok := f.Errors[k]; ok {
			id := "f-" + k
			if k == "form" {
				id = "main" // not one field: the whole form
			}
			out = append(out, errorItem{ID: id, Message: m})
		}
	}
	return out
}

var preferenceLabels = map[pairup.Preference]string{
	pairup.PreferAny:         "I am open to any match",
	pairup.PreferCareerStage: "at the same career stage as me",
	pairup.PreferInterest:    "who shares one of my interests",
	pairup.PreferSector:      "from the same sector as me",
}

func (s *Server) renderForm(w http.ResponseWriter, r *http.Request, status int, o *signup.Offer, in pairup.SignupInput, fe pairup.FieldErrors) {
	p := o.Programme
	fp := formPage{
		page: s.page(r, "Sign up: "+p.Name), Programme: p, Round: o.Round, Form: in, Errors: fe,
		FormToken: s.svc.FormToken(p.ID),
		Countries: iso.Countries("en"),
		Sectors:   p.Sectors, Stages: p.Stages, Interests: p.Interests,
		Roles: []pairup.Option{{Value: string(pairup.RoleMentee), Label: "a mentee"}, {Value: string(pairup.RoleMentor), Label: "a mentor"}},
		Zones: zones,
	}
	for _, l := range iso.Languages("en", p.Languages...) {
		fp.Languages = append(fp.Languages, pairup.Option{Value: l.Code, Label: l.Name})
	}
	for _, pr := range pairup.Preferences {
		fp.Preferences = append(fp.Preferences, pairup.Option{Value: string(pr), Label: preferenceLabels[pr]})
	}
	for i := 1; i <= p.Rules.MaxMentees; i++ {
		fp.Capacities = append(fp.Capacities, i)
	}
	if _, ok := in[pairup.FieldPreference]; !ok && fe == nil {
		in[pairup.FieldPreference] = []string{string(pairup.PreferAny)}
	}
	s.render(w, r, status, "signup", fp)
}

type textFieldData struct {
	Name, Label, Hint, Type, Auto, Value, Error string
}

func textField(fp formPage, name, label, hint, typ, auto string) textFieldData {
	return textFieldData{Name: name, Label: label, Hint: hint, Type: typ, Auto: auto, Value: fp.Form.Get(name), Error: fp.Errors[name]}
}

type choiceOption struct {
	Value, Label string
	Checked      bool
}

type choiceFieldData struct {
	Name, Label, Hint, Kind, Error string
	Options                        []choiceOption
}

func choiceField(fp formPage, name, label, hint, kind string, opts []pairup.Option) choiceFieldData {
	d := choiceFieldData{Name: name, Label: label, Hint: hint, Kind: kind, Error: fp.Errors[name]}
	chosen := fp.Form[name]
	for _, o := range opts {
		d.Options = append(d.Options, choiceOption{Value: o.Value, Label: o.Label, Checked: slices.Contains(chosen, o.Value)})
	}
	return d
}

// zones are suggestions for the time-zone field; any IANA name is accepted.
var zones = []string{
	"Africa/Cairo", "Africa/Johannesburg", "Africa/Lagos", "Africa/Nairobi", "America/Argentina/Buenos_Aires",
	"America/Bogota", "America/Chicago", "America/Denver", "America/Halifax", "America/Lima", "America/Los_Angeles",
	"America/Mexico_City", "America/New_York", "America/Santiago", "America/Sao_Paulo", "America/Toronto",
	"America/Vancouver", "Asia/Bangkok", "Asia/Dhaka", "Asia/Dubai", "Asia/Ho_Chi_Minh", "Asia/Hong_Kong",
	"Asia/Jakarta", "Asia/Karachi", "Asia/Kathmandu", "Asia/Kolkata", "Asia/Kuala_Lumpur", "Asia/Manila",
	"Asia/Seoul", "Asia/Shanghai", "Asia/Singapore", "Asia/Taipei", "Asia/Tehran", "Asia/Tokyo",
	"Atlantic/Reykjavik", "Australia/Adelaide", "Australia/Brisbane", "Australia/Melbourne", "Australia/Perth",
	"Australia/Sydney", "Europe/Amsterdam", "Europe/Athens", "Europe/Berlin", "Europe/Dublin", "Europe/Helsinki",
	"Europe/Istanbul", "Europe/Lisbon", "Europe/London", "Europe/Madrid", "Europe/Moscow", "Europe/Paris",
	"Europe/Riga", "Europe/Rome", "Europe/Stockholm", "Europe/Warsaw", "Pacific/Auckland", "Pacific/Fiji",
	"Pacific/Honolulu", "UTC",
}
