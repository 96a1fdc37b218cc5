package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"

	"github.com/pairup/pairup/shared/pairup"
)

// Exemption lets requests that come from another site by design skip the cross-origin check:
// Match picks the candidates by method and URL; Protect reads each one's form body (ReadForm,
// at most Limit bytes: a 413 or 400 page if it cannot, whichever site sent it); Allow, given
// the request with its form read, says whether it is exempt. A candidate not allowed is checked
// as any other request. Keep it narrow: an exempt request must be safe to accept from anyone.
type Exemption struct {
	Match func(r *http.Request) bool
	Limit int64
	Allow func(r *http.Request) bool
}

// Protect is the handler for mux's routes: every answer gets the security headers (a
// Content-Security-Policy whose script-src allows only the request's nonce, nosniff, no
// referrer, no caching) and every request the state pages need (its nonce; About records its
// programme). Cross-origin requests that change something (POSTs from another site: CSRF) are
// refused with a 403 page by Go's CrossOriginProtection (Sec-Fetch-Site and Origin), except
// what exempt (may be nil) allows. Protect registers the 404 page for the pattern "/" on mux,
// so mux must not have one (answer the index as "GET /{$}").
func (k *Kit) Protect(mux *http.ServeMux, exempt *Exemption) http.Handler {
	mux.HandleFunc("/", k.notFound)
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k.Message(w, r, http.StatusForbidden, "Form refused", []string{"This form was sent from another site, so we did not accept it. Please open the form on this site and send it from there."}, Home)
	}))
	protected := cop.Handler(mux)
	return secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if exempt != nil && exempt.Match(r) {
			if !k.ReadForm(w, r, exempt.Limit) {
				return
			}
			if exempt.Allow(r) {
				mux.ServeHTTP(w, r)
				return
			}
		}
		protected.ServeHTTP(w, r)
	}))
}

type stateKey struct{}

// reqState is what a request's handler learns that its page needs: the CSP nonce, and the
// programme the page is about (its languages choose the page's locale).
type reqState struct {
	nonce     string
	programme *pairup.Programme
}

// About records that r's page is about programme p: the page comes in p's languages (English,
// and Traditional Chinese when p's locale is zh-Hant or it offers "zh"), p's own by default. A
// page about no programme comes in every language, English by default. It does nothing to a
// request Protect did not pass.
func About(r *http.Request, p *pairup.Programme) {
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

// Locale is the locale of r's page: among the locales of its programme's pages (About), the
// lang parameter (?lang=, or a form's hidden lang field once the form is read) if it names
// one, else the best match for Accept-Language, else the programme's default.
func (k *Kit) Locale(r *http.Request) string {
	return chooseLocale(r, pageLocales(state(r).programme))
}

// secure sets the security headers and gives the request its state, with a fresh nonce.
func secure(next http.Handler) http.Handler {
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
