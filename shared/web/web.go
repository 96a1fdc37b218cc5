// Package web serves the hosted forms: the programme index, the signup form with server-side
// validation that re-shows the form with a message by each bad field, the "check your inbox"
// page, the confirmation link's page and its button, and unsubscribing. It is a plain net/http
// handler, so the same code runs behind API Gateway (through the Lambda HTTP adapter, which
// sets the request's RemoteAddr to the event's requestContext.http.sourceIp) and on a laptop.
// Domain errors map to statuses here; users never see internal error text, and logs carry
// error codes and ids, never an error's text (ErrorCode).
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
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"slices"

	"github.com/pairup/pairup/shared/iso"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/signup"
)

// MaxBodyBytes is the largest signup form body accepted; larger ones get 413.
const MaxBodyBytes = 64 << 10

// MaxTokenBodyBytes is the largest body of a confirm or unsubscribe POST (a token, or a mail
// client's List-Unsubscribe=One-Click); larger ones get 413.
const MaxTokenBodyBytes = 4 << 10

// Routes are the routes the forms answer, in API Gateway's "METHOD /path/{param}" form; the CDK
// stack routes exactly these to the signup function.
var Routes = []string{
	"GET /",
	"GET /p/{programme}/signup",
	"POST /p/{programme}/signup",
	"GET /confirm",
	"POST /confirm",
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
		"field":   textField,
		"choices": choiceField,
	}
	for _, name := range []string{"index", "signup", "message", "confirm", "unsubscribe"} {
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
		"GET /confirm":               s.handleConfirmPage,
		"POST /confirm":              s.handleConfirm,
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
	// Cross-origin POSTs (CSRF) are refused by Go's Sec-Fetch-Site/Origin checks, except a
	// mail provider's one-click unsubscribe, which comes from another site by design.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderMessage(w, r, http.StatusForbidden, "Form refused", []string{"This form was sent from another site, so we did not accept it. Please open the form on this site and send it from there."}, "/", "See the programmes")
	}))
	protected := cop.Handler(mux)
	s.h = securityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/unsubscribe" && r.URL.Query().Get("t") != "" {
			if !s.readForm(w, r, MaxTokenBodyBytes) {
				return
			}
			if oneClick(r) {
				mux.ServeHTTP(w, r)
				return
			}
		}
		protected.ServeHTTP(w, r)
	}))
	return s, nil
}

// oneClick reports whether r, a POST to /unsubscribe with the token in its URL and its body
// read, is a one-click unsubscribe (RFC 8058: the body holds List-Unsubscribe=One-Click). A
// mail provider sends it from its own site, so it is exempt from the cross-origin check — and
// it is safe to be: it only stops mail, to the address of the signed link in its URL. Nothing
// else is exempt: not the confirmation button's POST (the token in the body), not another
// route.
func oneClick(r *http.Request) bool {
	return r.PostForm.Get("List-Unsubscribe") == "One-Click"
}

// readForm reads r's form body, URL-encoded or multipart (RFC 8058 allows both), of at most
// limit bytes; if it cannot, it renders 413 (too large) or 400 and returns false. Reading it
// again is a no-op.
func (s *Server) readForm(w http.ResponseWriter, r *http.Request, limit int64) bool {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	var err error
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		err = r.ParseMultipartForm(limit)
	} else {
		err = r.ParseForm()
	}
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return true
	case errors.As(err, &tooBig) || errors.Is(err, multipart.ErrMessageTooLarge):
		s.renderMessage(w, r, http.StatusRequestEntityTooLarge, "Request too large", []string{trf(s.locale(r), "What you sent is larger than %d KiB, so we did not accept it.", max(limit>>10, 1))}, "/", "See the programmes")
	default:
		s.renderMessage(w, r, http.StatusBadRequest, "Request not readable", []string{"We could not read what you sent. Please try again."}, "/", "See the programmes")
	}
	return false
}

// ErrorCode is what a log may say of err: the AWS API's error code if err carries one (smithy's
// APIError, e.g. "MessageRejected"), "Timeout" or "Canceled" for an ended context, else the
// domain's code (pairup.ErrorCode). Never the error's text: an AWS error's message can hold the
// request's data (SES's MessageRejected names the recipient in the sandbox).
func ErrorCode(err error) string {
	var api interface{ ErrorCode() string }
	switch {
	case errors.As(err, &api):
		return api.ErrorCode()
	case errors.Is(err, context.DeadlineExceeded):
		return "Timeout"
	case errors.Is(err, context.Canceled):
		return "Canceled"
	}
	return pairup.ErrorCode(err)
}

// ServeHTTP serves the forms.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.h.ServeHTTP(w, r) }

type stateKey struct{}

// reqState is what a request's handler learns that its page needs: the CSP nonce, and the
// programme the page is about (its languages choose the page's locale).
type reqState struct {
	nonce     string
	programme *pairup.Programme
}

// about records that r's page is about programme p.
func about(r *http.Request, p *pairup.Programme) {
	if st, ok := r.Context().Value(stateKey{}).(*reqState); ok {
		st.programme = p
	}
}

func state(r *http.Request) *reqState {
	if st, ok := r.Context().Value(stateKey{}).(*reqState); ok {
		return st
	}
	return &reqState{}
}

// locale is the locale of r's page (chooseLocale among the locales of its programme's pages).
func (s *Server) locale(r *http.Request) string {
	return chooseLocale(r, pageLocales(state(r).programme))
}

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
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), stateKey{}, &reqState{nonce: nonce})))
	})
}

type page struct {
	Title  string
	Lang   string
	Nonce  string
	Switch []switchLink
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.log.ErrorContext(r.Context(), "render page", "page", name, "code", ErrorCode(err))
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
	pg := s.page(r, title)
	out := make([]string, len(paras))
	for i, p := range paras {
		out[i] = pg.T(p)
	}
	s.render(w, r, status, "message", messagePage{page: pg, Paragraphs: out, Link: link, LinkText: pg.T(linkText)})
}

// page is the page data every template has: title (translated here, unless already), locale,
// nonce and the language switch.
func (s *Server) page(r *http.Request, title string) page {
	st := state(r)
	locales := pageLocales(st.programme)
	loc := chooseLocale(r, locales)
	return page{Title: tr(loc, title), Lang: loc, Nonce: st.nonce, Switch: switchLinks(r, locales, loc)}
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
	case pairup.ELIMIT:
		status, title = http.StatusTooManyRequests, "Please try again later"
	}
	if code == pairup.EINTERNAL {
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "route", r.Pattern, "code", ErrorCode(err))
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
	about(r, offer.Programme)
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
			s.renderMessage(w, r, http.StatusRequestEntityTooLarge, "Form too large", []string{trf(s.locale(r), "The form you sent is larger than %d KiB, so we did not accept it.", MaxBodyBytes>>10)}, "/p/"+programmeID+"/signup", "Back to the form")
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
	form, formErr := s.svc.CheckForm(programmeID, r.PostForm.Get("ft"))
	if r.PostForm.Get("website") != "" || pairup.ErrorCode(formErr) == pairup.ELIMIT {
		s.log.InfoContext(ctx, "signup dropped as automated", "programme", programmeID, "honeypot", r.PostForm.Get("website") != "")
		s.renderSent(w, r, offer.Programme, in.Get(pairup.FieldEmail))
		return
	}
	if formErr != nil {
		s.renderForm(w, r, http.StatusBadRequest, offer, in, pairup.FieldErrors{"form": pairup.ErrorMessage(formErr)})
		return
	}
	out, err := s.svc.Submit(ctx, offer, form, sourceAddr(r), in)
	if fe := pairup.Fields(err); fe != nil {
		s.renderForm(w, r, http.StatusBadRequest, offer, in, fe)
		return
	}
	switch {
	case errors.Is(err, signup.ErrFormUsed):
		s.log.InfoContext(ctx, "signup refused: form sent before", "programme", programmeID)
		s.renderMessage(w, r, http.StatusConflict, "This form was already sent", []string{pairup.ErrorMessage(err)}, "/p/"+programmeID+"/signup", "Open the form again")
		return
	case pairup.ErrorCode(err) == pairup.ELIMIT:
		s.log.WarnContext(ctx, "signup refused: over a limit", "programme", programmeID)
		s.renderMessage(w, r, http.StatusTooManyRequests, "Please try again later", []string{pairup.ErrorMessage(err), "We are sorry for the inconvenience: the limit stops the form being used to send email to people who did not ask for it."}, "/", "See the programmes")
		return
	case err != nil:
		s.renderError(w, r, err)
		return
	}
	s.renderSent(w, r, out.Programme, out.Email)
}

// sourceAddr is the address a request came from: RemoteAddr's host (behind API Gateway, the
// adapter sets RemoteAddr to the event's requestContext.http.sourceIp, the client's address as
// API Gateway saw it; headers such as X-Forwarded-For are not trusted).
func sourceAddr(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

func (s *Server) renderSent(w http.ResponseWriter, r *http.Request, p *pairup.Programme, email string) {
	s.renderMessage(w, r, http.StatusOK, "Check your inbox", []string{
		trf(s.locale(r), "We have sent an email to %s. Follow the link in it to confirm your signup to %s.", email, p.Name),
		"If it does not arrive within a few minutes, check your spam folder. Signing up again with the same address re-sends the email.",
	}, "", "")
}

// handleConfirmPage shows the confirmation link's page: a button that POSTs the token. Opening
// the link confirms nothing (mail scanners open links).
func (s *Server) handleConfirmPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	c, err := s.svc.ConfirmPage(r.Context(), token)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	about(r, c.Programme)
	s.render(w, r, http.StatusOK, "confirm", struct {
		page
		Programme *pairup.Programme
		Round     *pairup.Round
		Token     string
	}{s.page(r, "Confirm your signup"), c.Programme, c.Round, token})
}

// handleConfirm takes the confirmation page's button: it confirms the signup.
func (s *Server) handleConfirm(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r, MaxTokenBodyBytes) {
		return
	}
	token := r.PostForm.Get("t")
	if token == "" {
		token = r.URL.Query().Get("t")
	}
	c, err := s.svc.Confirm(r.Context(), token)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	about(r, c.Programme)
	loc := s.locale(r)
	paras := []string{trf(loc, "Thank you, %s. Your place in %s (%s) is confirmed.", c.Registration.Name, c.Programme.Name, c.Round.Name),
		trf(loc, "Matching happens after signup closes on %s; we will email you your partner's details then.", formatDate(loc, c.Round.SignupCloses))}
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

// handleUnsubscribe takes the unsubscribe page's button (the token in the body) and mail
// clients' one-click POST (RFC 8058: body List-Unsubscribe=One-Click, the token in the URL).
func (s *Server) handleUnsubscribe(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r, MaxTokenBodyBytes) {
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
		"We will send no more email to this address. If you sign up for a programme again, we will send you the email to confirm that signup, and once you confirm it, email you about it.",
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
	Languages   languageField
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
			out = append(out, errorItem{ID: id, Message: f.T(m)})
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

// languageField is the languages question: the programme's common languages first, in its
// order, and the rest of the offered languages, sorted by name, behind "More languages" (open
// when one of them is chosen). Each language is in exactly one of the two lists.
type languageField struct {
	Label, Hint, Error     string
	MoreLabel, FilterLabel string
	Common, More           []choiceOption
	MoreOpen               bool
}

// commonLanguages are the codes p's form lists first: its CommonLanguages, or all its languages
// when it restricts them and names no common ones.
func commonLanguages(p *pairup.Programme) []string {
	if len(p.CommonLanguages) > 0 {
		return p.CommonLanguages
	}
	return p.Languages
}

func (fp formPage) languageField(p *pairup.Programme) languageField {
	loc := fp.Lang
	f := languageField{Label: fp.T("Languages you can use with a partner"), Hint: fp.T("Choose all that apply."), Error: fp.T(fp.Errors[pairup.FieldLanguages]),
		MoreLabel: fp.T("More languages"), FilterLabel: fp.T("Filter the languages")}
	chosen := fp.Form[pairup.FieldLanguages]
	offered := iso.Languages(loc, p.Languages...)
	common := commonLanguages(p)
	for _, c := range common {
		if slices.ContainsFunc(offered, func(o iso.Option) bool { return o.Code == c }) && !slices.ContainsFunc(f.Common, func(o choiceOption) bool { return o.Value == c }) {
			f.Common = append(f.Common, choiceOption{Value: c, Label: iso.LanguageName(c, loc), Checked: slices.Contains(chosen, c)})
		}
	}
	for _, o := range offered {
		if slices.Contains(common, o.Code) {
			continue
		}
		checked := slices.Contains(chosen, o.Code)
		f.MoreOpen = f.MoreOpen || checked
		f.More = append(f.More, choiceOption{Value: o.Code, Label: o.Name, Checked: checked})
	}
	return f
}

func (s *Server) renderForm(w http.ResponseWriter, r *http.Request, status int, o *signup.Offer, in pairup.SignupInput, fe pairup.FieldErrors) {
	p := o.Programme
	pg := s.page(r, trf(s.locale(r), "Sign up: %s", p.Name))
	fp := formPage{
		page: pg, Programme: p, Round: o.Round, Form: in, Errors: fe,
		FormToken: s.svc.FormToken(p.ID),
		Countries: iso.Countries(pg.Lang),
		Sectors:   p.Sectors, Stages: p.Stages, Interests: p.Interests,
		Roles: []pairup.Option{{Value: string(pairup.RoleMentee), Label: pg.T("a mentee")}, {Value: string(pairup.RoleMentor), Label: pg.T("a mentor")}},
		Zones: zones,
	}
	fp.Languages = fp.languageField(p)
	for _, pr := range pairup.Preferences {
		fp.Preferences = append(fp.Preferences, pairup.Option{Value: string(pr), Label: pg.T(preferenceLabels[pr])})
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
	return textFieldData{Name: name, Label: fp.T(label), Hint: fp.T(hint), Type: typ, Auto: auto, Value: fp.Form.Get(name), Error: fp.T(fp.Errors[name])}
}

type choiceOption struct {
	Value, Label string
	Checked      bool
}

type choiceFieldData struct {
	Name, Label, Hint, Kind, Error string
	Choose                         string // a select's empty option
	Options                        []choiceOption
}

func choiceField(fp formPage, name, label, hint, kind string, opts []pairup.Option) choiceFieldData {
	d := choiceFieldData{Name: name, Label: fp.T(label), Hint: fp.T(hint), Kind: kind, Error: fp.T(fp.Errors[name]), Choose: fp.T("Choose")}
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
