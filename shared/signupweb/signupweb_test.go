package signupweb_test

import (
	"context"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/demo"
	"github.com/pairup/pairup/shared/erasure"
	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/signup"
	"github.com/pairup/pairup/shared/signupweb"
)

// fakeStore holds the demo programmes and rounds, and a programme "shut" with no round; the
// pages these tests open read nothing else (a call to any other method panics).
type fakeStore struct {
	signup.Store
	programmes []pairup.Programme
	rounds     []pairup.Round
}

func (f *fakeStore) GetProgramme(_ context.Context, id string) (*pairup.Programme, error) {
	for _, p := range f.programmes {
		if p.ID == id {
			return &p, nil
		}
	}
	return nil, pairup.Errorf(pairup.ENOTFOUND, "There is no programme called %q.", id)
}

func (f *fakeStore) ListProgrammes(context.Context) ([]pairup.Programme, error) {
	return f.programmes, nil
}

func (f *fakeStore) ListRounds(_ context.Context, programmeID string) ([]pairup.Round, error) {
	var out []pairup.Round
	for _, r := range f.rounds {
		if r.ProgrammeID == programmeID {
			out = append(out, r)
		}
	}
	return out, nil
}

type fixture struct {
	h      http.Handler
	signer *links.Signer
	now    time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	shut := demo.Programmes()[0]
	shut.ID, shut.Name = "shut", "Shut Programme"
	signer, err := links.NewSigner([]byte("0123456789abcdef0123456789abcdef-test-only"))
	if err != nil {
		t.Fatal(err)
	}
	svc := &signup.Service{
		Store: &fakeStore{programmes: append(demo.Programmes(), shut), rounds: demo.Rounds(now)},
		Links: signer, Clock: pairup.NewManualClock(now), BaseURL: "https://pairup.test", Log: slog.New(slog.DiscardHandler),
	}
	// Withdrawing and rejoining read their store only once a link verifies.
	withdrawals := &signup.Withdrawals{Links: signer, Clock: svc.Clock, BaseURL: svc.BaseURL, Log: svc.Log}
	rejoins := &signup.Rejoins{Links: signer, Clock: svc.Clock, Log: svc.Log}
	// So does erasing.
	eraser := &erasure.Service{Links: signer, Clock: svc.Clock, Log: svc.Log, BaseURL: svc.BaseURL}
	s, err := signupweb.New(svc, slog.New(slog.DiscardHandler), signupweb.WithWithdrawals(withdrawals), signupweb.WithRejoins(rejoins), signupweb.WithErasure(eraser))
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{h: s, signer: signer, now: now}
}

var (
	titleRE = regexp.MustCompile(`<title>(.*) · pairup</title>`)
	linkRE  = regexp.MustCompile(`<p><a href="([^"]*)">([^<]*)</a></p>`)
)

func TestPages(t *testing.T) {
	f := newFixture(t)
	cross := http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://mail.example"}}
	bad := "not-a-token"
	expired := f.signer.Sign(links.PurposeConfirm, "iln/2027-1/x", f.now.Add(-time.Second))
	unsubExpired := f.signer.Sign(links.PurposeUnsubscribe, "x", f.now.Add(-time.Second))
	for _, tc := range []struct {
		name   string
		method string
		target string
		form   url.Values
		header http.Header
		status int
		title  string
		link   string // the page's closing link, if it has one
		want   []string
	}{
		{"Index", "GET", "/", nil, nil, 200, "Mentoring programmes", "", []string{`href="/p/iln/signup"`}},
		{"IndexZH", "GET", "/?lang=zh-Hant", nil, nil, 200, "師友計劃", "", []string{"接受報名"}},
		{"Form", "GET", "/p/iln/signup", nil, nil, 200, "Sign up: International Librarians Network", "", []string{`name="ft"`, "Your name"}},
		{"FormZH", "GET", "/p/hkla/signup?lang=zh-Hant", nil, nil, 200, "報名：HKLA Mentoring Programme", "", []string{"姓名", "學員：請確認", `<html lang="zh-Hant">`}},
		{"FormUnknownProgramme", "GET", "/p/nosuch/signup", nil, nil, 404, "Not found", "/", nil},
		{"FormClosed", "GET", "/p/shut/signup", nil, nil, 200, "Signup is closed", "/", []string{"Signup for Shut Programme is closed."}},
		{"FormClosedZH", "GET", "/p/shut/signup?lang=zh-Hant", nil, nil, 200, "報名已截止", "/", nil},
		{"PostClosed", "POST", "/p/shut/signup", url.Values{"name": {"Ada"}}, nil, 200, "Signup is closed", "/", nil},
		{"PostTooLarge", "POST", "/p/iln/signup", url.Values{"pad": {strings.Repeat("x", signupweb.MaxBodyBytes)}}, nil, 413, "Form too large", "/p/iln/signup", []string{"larger than 64 KiB"}},
		{"PostNotReadable", "POST", "/p/iln/signup", nil, nil, 400, "Form not readable", "/p/iln/signup", nil},
		{"PostCrossSite", "POST", "/p/iln/signup", url.Values{"name": {"Ada"}}, cross, 403, "Form refused", "/", nil},
		{"PostBadFormToken", "POST", "/p/iln/signup", url.Values{"ft": {bad}}, nil, 400, "Sign up: International Librarians Network", "", []string{"This form could not be verified."}},
		{"ConfirmBad", "GET", "/confirm?t=" + bad, nil, nil, 400, "This link is not valid", "/", nil},
		{"ConfirmBadZH", "GET", "/confirm?lang=zh-Hant&t=" + bad, nil, nil, 400, "此連結無效", "/", nil},
		{"ConfirmExpired", "GET", "/confirm?t=" + url.QueryEscape(expired), nil, nil, 410, "This link has expired", "/", nil},
		{"ConfirmPostBad", "POST", "/confirm", url.Values{"t": {bad}}, nil, 400, "This link is not valid", "/", nil},
		{"ConfirmPostTooLarge", "POST", "/confirm", url.Values{"t": {strings.Repeat("x", signupweb.MaxTokenBodyBytes)}}, nil, 413, "Request too large", "/", nil},
		{"ConfirmPostCrossSiteOneClick", "POST", "/confirm?t=" + bad, url.Values{"List-Unsubscribe": {"One-Click"}}, cross, 403, "Form refused", "/", nil},
		{"UnsubscribeBad", "GET", "/unsubscribe?t=" + bad, nil, nil, 400, "This link is not valid", "/", nil},
		{"UnsubscribeExpired", "GET", "/unsubscribe?t=" + url.QueryEscape(unsubExpired), nil, nil, 410, "This link has expired", "/", nil},
		{"UnsubscribeOneClickCrossSite", "POST", "/unsubscribe?t=" + bad, url.Values{"List-Unsubscribe": {"One-Click"}}, cross, 400, "This link is not valid", "/", nil},
		{"UnsubscribeOneClickTooLarge", "POST", "/unsubscribe?t=" + bad, url.Values{"List-Unsubscribe": {"One-Click"}, "pad": {strings.Repeat("x", signupweb.MaxTokenBodyBytes)}}, cross, 413, "Request too large", "/", nil},
		{"UnsubscribeNotOneClickCrossSite", "POST", "/unsubscribe?t=" + bad, url.Values{"List-Unsubscribe": {"Yes"}}, cross, 403, "Form refused", "/", nil},
		{"UnsubscribeButtonCrossSite", "POST", "/unsubscribe", url.Values{"t": {bad}}, cross, 403, "Form refused", "/", nil},
		{"NoSuchPage", "GET", "/p/iln", nil, nil, 404, "Page not found", "/", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := strings.NewReader(tc.form.Encode())
			if tc.name == "PostNotReadable" {
				body = strings.NewReader("name=%zz")
			}
			req := httptest.NewRequest(tc.method, tc.target, body)
			if tc.method == "POST" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			for k, v := range tc.header {
				req.Header[k] = v
			}
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, req)
			got := w.Body.String()
			title := ""
			if m := titleRE.FindStringSubmatch(got); m != nil {
				title = html.UnescapeString(m[1])
			}
			if w.Code != tc.status || title != tc.title {
				t.Fatalf("got %d %q, want %d %q\n%s", w.Code, title, tc.status, tc.title, got)
			}
			if tc.link != "" {
				if m := linkRE.FindStringSubmatch(got); m == nil || m[1] != tc.link {
					t.Errorf("closing link %q, want %q", m, tc.link)
				}
			}
			for _, s := range tc.want {
				if !strings.Contains(got, s) {
					t.Errorf("body lacks %q", s)
				}
			}
		})
	}
}

// TestRoutes checks that every route the stack sends to the function is answered by a handler
// of its own (not the 404 page), and that other paths are not.
func TestRoutes(t *testing.T) {
	f := newFixture(t)
	for _, route := range signupweb.Routes {
		method, path, _ := strings.Cut(route, " ")
		path = strings.ReplaceAll(path, "{programme}", "iln")
		req := httptest.NewRequest(method, path, strings.NewReader(""))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, req)
		if strings.Contains(w.Body.String(), "<title>Page not found") {
			t.Errorf("%s: no handler", route)
		}
	}
}
