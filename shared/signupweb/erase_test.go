package signupweb_test

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/erasure"
	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/signupweb"
)

// TestErasePages: the erase link's pages refuse bad, expired and other-purpose links and
// cross-site or oversized posts before anything is read (the fixture's erasure has no store),
// and the unsubscribe page offers erasure by a link that names the same email.
func TestErasePages(t *testing.T) {
	f := newFixture(t)
	cross := http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://mail.example"}}
	bad := "not-a-token"
	expired := f.signer.Sign(links.PurposeErase, "registration|iln|2027-1|x", f.now.Add(-time.Second))
	unsub := f.signer.Sign(links.PurposeUnsubscribe, "match/iln/2027-1/x", f.now.Add(time.Hour))
	malformed := f.signer.Sign(links.PurposeErase, "registration|iln", f.now.Add(time.Hour))
	for _, tc := range []struct {
		name   string
		method string
		target string
		form   url.Values
		header http.Header
		status int
		title  string
	}{
		{"Bad", "GET", "/erase?t=" + bad, nil, nil, 400, "This link is not valid"},
		{"BadZH", "GET", "/erase?lang=zh-Hant&t=" + bad, nil, nil, 400, "此連結無效"},
		{"Expired", "GET", "/erase?t=" + url.QueryEscape(expired), nil, nil, 410, "This link has expired"},
		{"AnotherPurpose", "GET", "/erase?t=" + url.QueryEscape(unsub), nil, nil, 400, "This link is not valid"},
		{"Malformed", "GET", "/erase?t=" + url.QueryEscape(malformed), nil, nil, 400, "This link is not valid"},
		{"PostBad", "POST", "/erase", url.Values{"t": {bad}}, nil, 400, "This link is not valid"},
		{"PostCrossSite", "POST", "/erase", url.Values{"t": {bad}}, cross, 403, "Form refused"},
		{"PostCrossSiteOneClick", "POST", "/erase?t=" + bad, url.Values{"List-Unsubscribe": {"One-Click"}}, cross, 403, "Form refused"},
		{"PostTooLarge", "POST", "/erase", url.Values{"t": {strings.Repeat("x", signupweb.MaxTokenBodyBytes)}}, nil, 413, "Request too large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.form.Encode()))
			if tc.method == "POST" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			for k, v := range tc.header {
				req.Header[k] = v
			}
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, req)
			title := ""
			if m := titleRE.FindStringSubmatch(w.Body.String()); m != nil {
				title = html.UnescapeString(m[1])
			}
			if w.Code != tc.status || title != tc.title {
				t.Fatalf("got %d %q, want %d %q\n%s", w.Code, title, tc.status, tc.title, w.Body.String())
			}
		})
	}

	t.Run("UnsubscribeOffers", func(t *testing.T) {
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, httptest.NewRequest("GET", "/unsubscribe?t="+url.QueryEscape(unsub), nil))
		body := w.Body.String()
		i := strings.Index(body, "https://pairup.test/erase?t=")
		if w.Code != 200 || i < 0 {
			t.Fatalf("unsubscribe page %d offers no erase link:\n%s", w.Code, body)
		}
		raw := body[i+len("https://pairup.test/erase?t="):]
		raw = html.UnescapeString(raw[:strings.IndexByte(raw, '"')])
		tok, err := url.QueryUnescape(raw)
		if err != nil {
			t.Fatal(err)
		}
		target, err := erasure.Read(f.signer, tok, f.now)
		if err != nil || target.MessageKey != "match/iln/2027-1/x" {
			t.Errorf("the offered link reads %+v, %v; want the unsubscribe link's email", target, err)
		}
		if _, err := erasure.Read(f.signer, tok, f.now.Add(erasure.PageLinkTTL)); err == nil {
			t.Error("the offered link works past PageLinkTTL")
		}
	})
	t.Run("UnsubscribeByAddressOffersNothing", func(t *testing.T) {
		old := f.signer.Sign(links.PurposeUnsubscribe, "ada@example.org", f.now.Add(time.Hour))
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, httptest.NewRequest("GET", "/unsubscribe?t="+url.QueryEscape(old), nil))
		if w.Code != 200 || strings.Contains(w.Body.String(), "/erase?") {
			t.Errorf("an unsubscribe link naming an address: %d, offers erasure: %v", w.Code, strings.Contains(w.Body.String(), "/erase?"))
		}
	})
}
