// Package signupweb serves the signup function's pages: the programme index, the signup form
// with server-side validation that re-shows the form with a message by each bad field, the
// "check your inbox" page, the confirmation link's page and its button, unsubscribing (the
// page's button, and mail clients' RFC 8058 one-click POST), and withdrawing from a round,
// asking for a new partner after a partner withdrew, and rejoining a new round (withdraw.go,
// rejoin.go: each link's page has one button). It is the HTTP face of
// signup.Service, drawn and guarded by the page kit (package web): layout, CSP nonce,
// cross-origin protection, body limits, languages and error pages are the kit's; the pages'
// templates (templates/*.html) and their strings are this package's.
package signupweb

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"

	"github.com/pairup/pairup/shared/erasure"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/signup"
	"github.com/pairup/pairup/shared/web"
)

// MaxBodyBytes is the largest signup form body accepted; larger ones get 413.
const MaxBodyBytes = 64 << 10

// MaxTokenBodyBytes is the largest body of a confirm or unsubscribe POST (a token, or a mail
// client's List-Unsubscribe=One-Click); larger ones get 413.
const MaxTokenBodyBytes = 4 << 10

// Routes are the routes the pages answer, in API Gateway's "METHOD /path/{param}" form; the CDK
// stack routes exactly these to the signup function.
var Routes = []string{
	"GET /",
	"GET /p/{programme}/signup",
	"POST /p/{programme}/signup",
	"GET /confirm",
	"POST /confirm",
	"GET /unsubscribe",
	"POST /unsubscribe",
	"GET /withdraw",
	"POST /withdraw",
	"GET /new-partner",
	"POST /new-partner",
	"GET /rejoin",
	"POST /rejoin",
	"GET /erase",
	"POST /erase",
}

//go:embed templates/*.html
var templateFS embed.FS

// The error pages' titles: a signup form's (its token, a closed round) and a signed link's
// (confirm, unsubscribe). Codes not named take the kit's titles.
var (
	formTitles = web.Titles{Closed: "Signup is closed"}.Or(web.FormTitles)
	linkTitles = web.LinkTitles
)

// Server is the HTTP face of the signup service.
type Server struct {
	svc *signup.Service
	log *slog.Logger
	kit *web.Kit
	h   http.Handler

	withdrawals *signup.Withdrawals // withdraw.go (nil: those pages answer 404)
	rejoins     *signup.Rejoins     // rejoin.go
	erasure     *erasure.Service    // erase.go
}

// New returns a Server for svc, with the services opts give it (withdraw.go). Templates are
// parsed here, once, at start-up.
func New(svc *signup.Service, log *slog.Logger, opts ...Option) (*Server, error) {
	kit, err := web.NewKit(log, web.Pages{
		FS:      templateFS,
		Names:   []string{"index", "signup", "confirm", "unsubscribe", "withdraw", "new-partner", "rejoin", "erase"},
		Funcs:   template.FuncMap{"field": textField, "choices": choiceField},
		Strings: web.Catalogue{"zh-Hant": joinStrings(zhHant, withdrawZhHant, eraseZhHant)},
	})
	if err != nil {
		return nil, fmt.Errorf("signupweb: %w", err)
	}
	s := &Server{svc: svc, log: log, kit: kit}
	for _, o := range opts {
		o(s)
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
	for route, h := range s.withdrawRoutes() {
		handlers[route] = h
	}
	for route, h := range s.eraseRoutes() {
		handlers[route] = h
	}
	for _, route := range Routes {
		pattern := route
		if route == "GET /" {
			pattern = "GET /{$}" // the index only, not every path
		}
		mux.HandleFunc(pattern, handlers[route])
	}
	s.h = kit.Protect(mux, &web.Exemption{Match: oneClickCandidate, Limit: MaxTokenBodyBytes, Allow: oneClick})
	return s, nil
}

// ServeHTTP serves the pages.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.h.ServeHTTP(w, r) }

// oneClickCandidate reports whether r may be a one-click unsubscribe: a POST to /unsubscribe
// with the token in its URL.
func oneClickCandidate(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == "/unsubscribe" && r.URL.Query().Get("t") != ""
}

// oneClick reports whether r, a oneClickCandidate with its body read, is a one-click
// unsubscribe (RFC 8058: the body holds List-Unsubscribe=One-Click). A mail provider sends it
// from its own site, so it is exempt from the cross-origin check — and it is safe to be: it
// only stops mail, to the address of the signed link in its URL. Nothing else is exempt: not
// the confirmation button's POST (the token in the body), not another route.
func oneClick(r *http.Request) bool {
	return r.PostForm.Get("List-Unsubscribe") == "One-Click"
}

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	ls, err := s.svc.Programmes(r.Context())
	if err != nil {
		s.kit.Error(w, r, err, web.Titles{})
		return
	}
	s.kit.Render(w, r, http.StatusOK, "index", struct {
		web.Page
		Listings []signup.Listing
	}{s.kit.Page(r, "Mentoring programmes"), ls})
}

// openOffer finds the programme's round open for signup, or renders the page saying why there
// is none (unknown programme, closed round) and returns false.
func (s *Server) openOffer(w http.ResponseWriter, r *http.Request, programmeID string) (*signup.Offer, bool) {
	offer, err := s.svc.Offer(r.Context(), programmeID)
	if err == nil && !offer.Open {
		err = signup.ClosedError(offer)
	}
	if err != nil {
		s.kit.Error(w, r, err, formTitles)
		return nil, false
	}
	web.About(r, offer.Programme)
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
	formURL := "/p/" + programmeID + "/signup"
	if !s.kit.ReadFilledForm(w, r, MaxBodyBytes, formURL) {
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
	if r.PostForm.Get("website") != "" || errors.Is(formErr, signup.ErrTooFast) {
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
		s.kit.Message(w, r, http.StatusConflict, "This form was already sent", []string{pairup.ErrorMessage(err)}, web.Link{Href: formURL, Text: "Open the form again"})
		return
	case pairup.ErrorCode(err) == pairup.ELIMIT:
		s.log.WarnContext(ctx, "signup refused: over a limit", "programme", programmeID)
		s.kit.Message(w, r, http.StatusTooManyRequests, "Please try again later", []string{pairup.ErrorMessage(err), "We are sorry for the inconvenience: the limit stops the form being used to send email to people who did not ask for it."}, web.Home)
		return
	case err != nil:
		s.kit.Error(w, r, err, formTitles)
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
	s.kit.Message(w, r, http.StatusOK, "Check your inbox", []string{
		s.kit.Tf(r, "We have sent an email to %s. Follow the link in it to confirm your signup to %s.", email, p.Name),
		"If it does not arrive within a few minutes, check your spam folder. Signing up again with the same address re-sends the email.",
	}, web.Link{})
}

// handleConfirmPage shows the confirmation link's page: a button that POSTs the token. Opening
// the link confirms nothing (mail scanners open links).
func (s *Server) handleConfirmPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	c, err := s.svc.ConfirmPage(r.Context(), token)
	if err != nil {
		s.kit.Error(w, r, err, linkTitles)
		return
	}
	web.About(r, c.Programme)
	s.kit.Render(w, r, http.StatusOK, "confirm", struct {
		web.Page
		Programme *pairup.Programme
		Round     *pairup.Round
		Token     string
	}{s.kit.Page(r, "Confirm your signup"), c.Programme, c.Round, token})
}

// handleConfirm takes the confirmation page's button: it confirms the signup.
func (s *Server) handleConfirm(w http.ResponseWriter, r *http.Request) {
	if !s.kit.ReadForm(w, r, MaxTokenBodyBytes) {
		return
	}
	token := r.PostForm.Get("t")
	if token == "" {
		token = r.URL.Query().Get("t")
	}
	c, err := s.svc.Confirm(r.Context(), token)
	if err != nil {
		s.kit.Error(w, r, err, linkTitles)
		return
	}
	web.About(r, c.Programme)
	paras := []string{s.kit.Tf(r, "Thank you, %s. Your place in %s (%s) is confirmed.", c.Registration.Name, c.Programme.Name, c.Round.Name),
		s.kit.Tf(r, "Matching happens after signup closes on %s; we will email you your partner's details then.", s.kit.Date(r, c.Round.SignupCloses))}
	if c.Registration.Returning {
		paras = append(paras, "Welcome back: we will not pair you with a previous partner.")
	}
	// Before matching no email carries a withdraw link yet: the page offers it.
	s.kit.Message(w, r, http.StatusOK, "Signup confirmed", paras, web.Link{Href: c.WithdrawURL, Text: "Changed your mind? Withdraw from this round"})
}

func (s *Server) handleUnsubscribeForm(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	if err := s.svc.UnsubscribeToken(token); err != nil {
		s.kit.Error(w, r, err, linkTitles)
		return
	}
	s.kit.Render(w, r, http.StatusOK, "unsubscribe", struct {
		web.Page
		Token    string
		EraseURL string
	}{s.kit.Page(r, "Stop emails?"), token, s.eraseOffer(token)})
}

// handleUnsubscribe takes the unsubscribe page's button (the token in the body) and mail
// clients' one-click POST (RFC 8058: body List-Unsubscribe=One-Click, the token in the URL).
func (s *Server) handleUnsubscribe(w http.ResponseWriter, r *http.Request) {
	if !s.kit.ReadForm(w, r, MaxTokenBodyBytes) {
		return
	}
	token := r.URL.Query().Get("t")
	if token == "" {
		token = r.PostForm.Get("t")
	}
	if err := s.svc.Unsubscribe(r.Context(), token); err != nil {
		s.kit.Error(w, r, err, linkTitles)
		return
	}
	paras, link := []string{
		"We will send no more email to this address. If you sign up for a programme again, we will send you the email to confirm that signup, and once you confirm it, email you about it.",
	}, web.Home
	if u := s.eraseOffer(token); u != "" {
		paras = append(paras, "You can also have all your personal data erased:")
		link = web.Link{Href: u, Text: "Erase my data"}
	}
	s.kit.Message(w, r, http.StatusOK, "You are unsubscribed", paras, link)
}
