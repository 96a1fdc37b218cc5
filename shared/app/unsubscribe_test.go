package app_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/demo"
	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
)

func TestUnsubscribe(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	email := uniqueEmail("unsub")
	if st, _ := s.post("/p/iln/signup", s.ilnForm(email), nil); st != http.StatusOK {
		t.Fatalf("signup %d", st)
	}
	m := waitMails(t, email, 1)[0]
	h, ok := m.Header("List-Unsubscribe")
	if !ok {
		t.Fatal("no List-Unsubscribe header")
	}
	u, err := url.Parse(strings.Trim(h, "<>"))
	if err != nil {
		t.Fatal(err)
	}
	if post, _ := m.Header("List-Unsubscribe-Post"); post != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", post)
	}
	// The link names the email, not the address: neither in clear nor in the token's base64.
	tok := u.Query().Get("t")
	for _, part := range append([]string{tok}, strings.Split(tok, ".")...) {
		dec, _ := base64.RawURLEncoding.DecodeString(part)
		if strings.Contains(part, email) || strings.Contains(string(dec), email) || strings.Contains(string(dec), strings.Split(email, "@")[0]) {
			t.Fatalf("the unsubscribe link carries the address: %s (%q)", h, dec)
		}
	}
	status, body := s.get(u.RequestURI())
	if status != http.StatusOK || !strings.Contains(body, "Stop emails") {
		t.Fatalf("unsubscribe page: %d", status)
	}
	if _, err := s.store.Suppression(ctx, email); pairup.ErrorCode(err) != pairup.ENOTFOUND {
		t.Fatalf("suppressed by a GET: %v", err)
	}
	// Oversized, or cross-site without being a one-click: refused, nothing changed.
	cross := http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://mail.example"}}
	for _, tc := range []struct {
		name   string
		path   string
		form   url.Values
		header http.Header
		status int
	}{
		{"ErrTooLarge", u.RequestURI(), url.Values{"List-Unsubscribe": {"One-Click"}, "pad": {strings.Repeat("x", 5<<10)}}, nil, http.StatusRequestEntityTooLarge},
		{"ErrTooLargeCrossSite", u.RequestURI(), url.Values{"List-Unsubscribe": {"One-Click"}, "pad": {strings.Repeat("x", 5<<10)}}, cross, http.StatusRequestEntityTooLarge},
		{"ErrCrossSiteButton", "/unsubscribe", url.Values{"t": {tok}}, cross, http.StatusForbidden},
		{"ErrCrossSiteNotOneClick", u.RequestURI(), url.Values{"List-Unsubscribe": {"Yes"}}, cross, http.StatusForbidden},
		{"ErrCrossSiteOtherRoute", "/p/iln/signup?t=" + url.QueryEscape(tok), url.Values{"List-Unsubscribe": {"One-Click"}}, cross, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if st, body := s.post(tc.path, tc.form, tc.header); st != tc.status {
				t.Fatalf("status %d, want %d\n%s", st, tc.status, body)
			}
			if _, err := s.store.Suppression(ctx, email); pairup.ErrorCode(err) != pairup.ENOTFOUND {
				t.Fatalf("suppressed: %v", err)
			}
		})
	}
	// A mail provider's one-click POST (RFC 8058), from its own site.
	status, body = s.post(u.RequestURI(), url.Values{"List-Unsubscribe": {"One-Click"}}, cross)
	if status != http.StatusOK || !strings.Contains(body, "unsubscribed") {
		t.Fatalf("one-click: %d\n%s", status, body)
	}
	if r, err := s.store.Suppression(ctx, email); err != nil || r != pairup.SuppressUnsubscribe {
		t.Fatalf("suppression %q %v", r, err)
	}
	t.Run("ErrForged", func(t *testing.T) {
		forged, _ := links.NewSigner([]byte(strings.Repeat("z", 32)))
		tok := forged.Sign(links.PurposeUnsubscribe, "victim@example.org", s.clock.Now().Add(time.Hour))
		if st, _ := s.post("/unsubscribe?t="+url.QueryEscape(tok), url.Values{"List-Unsubscribe": {"One-Click"}}, nil); st != http.StatusBadRequest {
			t.Fatalf("forged: %d", st)
		}
		if _, err := s.store.Suppression(ctx, "victim@example.org"); pairup.ErrorCode(err) != pairup.ENOTFOUND {
			t.Fatalf("forged link suppressed: %v", err)
		}
	})
	t.Run("SignupAgainThenConfirmResumes", func(t *testing.T) {
		// Signing up again sends the confirmation (how the owner asks for mail again) but
		// lifts nothing: whoever signs up may not own the address. Confirming lifts it.
		s.clock.Advance(5 * time.Minute)
		if st, _ := s.post("/p/iln/signup", s.ilnForm(email), nil); st != http.StatusOK {
			t.Fatalf("signup %d", st)
		}
		second := waitMails(t, email, 2)[1]
		if r, err := s.store.Suppression(ctx, email); err != nil || r != pairup.SuppressUnsubscribe {
			t.Fatalf("an unconfirmed signup lifted the unsubscribe: %q %v", r, err)
		}
		if st, body := s.confirm(link(t, second)); st != http.StatusOK || !strings.Contains(body, "Signup confirmed") {
			t.Fatalf("confirm: %d\n%s", st, body)
		}
		if _, err := s.store.Suppression(ctx, email); pairup.ErrorCode(err) != pairup.ENOTFOUND {
			t.Fatalf("still suppressed after confirming: %v", err)
		}
	})
}

// TestUnsubscribeUnconfirmedSignup: an unsubscribed address signed up by someone (perhaps not
// its owner) gets the confirmation email and nothing else; the unsubscribe holds until the
// owner confirms.
func TestUnsubscribeUnconfirmedSignup(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	email := uniqueEmail("unsubbed")
	if err := s.store.Suppress(ctx, email, pairup.SuppressUnsubscribe, s.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.post("/p/iln/signup", s.ilnForm(email), nil); st != http.StatusOK {
		t.Fatalf("signup %d", st)
	}
	confirmation := waitMails(t, email, 1)[0]
	if r, err := s.store.Suppression(ctx, email); err != nil || r != pairup.SuppressUnsubscribe {
		t.Fatalf("the signup lifted the unsubscribe: %q %v", r, err)
	}
	// Any other email to the address is still skipped.
	other := mail.Message{Key: "test/other/" + email, To: email, Subject: "Other", Text: "Other.",
		ListUnsubscribe: s.srv.URL + "/unsubscribe?t=x", Tags: map[string]string{"kind": "intro"}}
	if _, err := s.store.Enqueue(ctx, []mail.Message{other}); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, s, other.Key, mail.StatusSkipped)
	if n := len(mails(t, email)); n != 1 {
		t.Fatalf("%d emails to the unsubscribed address, want the confirmation only", n)
	}
	if st, _ := s.confirm(link(t, confirmation)); st != http.StatusOK {
		t.Fatalf("confirm %d", st)
	}
	if _, err := s.store.Suppression(ctx, email); pairup.ErrorCode(err) != pairup.ENOTFOUND {
		t.Fatalf("still suppressed after confirming: %v", err)
	}
}

// waitStatus waits until the outbox message key has status want.
func waitStatus(t *testing.T, s *stack, key string, want mail.Status) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		q, err := s.store.GetMessage(context.Background(), key)
		if err == nil && q.Status == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox %s: %+v, %v; want %s", key, q, err, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestUnsubscribeKeyRotation: links signed with a key that is no longer the newest still work
// while the key stays in the ring — a year-long unsubscribe link survives a rotation — and so do
// links signed before tokens named their key (and before they named the email, not the
// address). Dropping the old key from the ring ends them.
func TestUnsubscribeKeyRotation(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	email, legacyEmail := uniqueEmail("rotate"), uniqueEmail("legacy")
	if st, _ := s.post("/p/iln/signup", s.ilnForm(email), nil); st != http.StatusOK {
		t.Fatalf("signup %d", st)
	}
	h, _ := waitMails(t, email, 1)[0].Header("List-Unsubscribe")
	u, err := url.Parse(strings.Trim(h, "<>"))
	if err != nil {
		t.Fatal(err)
	}
	// A link as emailed before key ids and message ids: payload.mac, the address as subject.
	payload := links.PurposeUnsubscribe + "|" + legacyEmail + "|" + strconv.FormatInt(s.clock.Now().Add(300*24*time.Hour).Unix(), 10)
	mac := hmac.New(sha256.New, testKey)
	mac.Write([]byte(payload))
	legacy := "/unsubscribe?t=" + base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))

	newKey := []byte("fedcba9876543210fedcba9876543210-new-test-key")
	rotated := s.cfg
	rotated.LinkKeys = [][]byte{newKey, testKey}
	rotated.LinkKey = newKey
	dropped := s.cfg
	dropped.LinkKeys = [][]byte{newKey}
	dropped.LinkKey = newKey
	oneClick := url.Values{"List-Unsubscribe": {"One-Click"}}

	// After the rotation, new links are signed with the new key.
	s.serve(rotated)
	s.clock.Advance(time.Hour)
	other := uniqueEmail("rotated")
	if st, body := s.post("/p/iln/signup", s.ilnForm(other), nil); st != http.StatusOK || !strings.Contains(body, "Check your inbox") {
		t.Fatalf("signup after rotation (form served before it): %d\n%s", st, body)
	}
	nh, _ := waitMails(t, other, 1)[0].Header("List-Unsubscribe")
	if !strings.Contains(nh, "t="+links.KeyID(newKey)+".") {
		t.Fatalf("new link %s not signed with the new key %s", nh, links.KeyID(newKey))
	}

	// Months later, the links signed before still work while the old key is in the ring.
	s.clock.Advance(200 * 24 * time.Hour)
	s.serve(dropped)
	for _, path := range []string{u.RequestURI(), legacy} {
		if st, _ := s.post(path, oneClick, nil); st != http.StatusBadRequest {
			t.Fatalf("%s with the old key dropped: %d, want 400", path, st)
		}
	}
	s.serve(rotated)
	for _, tc := range []struct{ path, addr string }{{u.RequestURI(), email}, {legacy, legacyEmail}} {
		if st, body := s.post(tc.path, oneClick, nil); st != http.StatusOK || !strings.Contains(body, "unsubscribed") {
			t.Fatalf("%s after rotation: %d\n%s", tc.path, st, body)
		}
		if r, err := s.store.Suppression(ctx, tc.addr); err != nil || r != pairup.SuppressUnsubscribe {
			t.Fatalf("suppression of %s: %q %v", tc.addr, r, err)
		}
	}
}

func TestSignupBouncedAddress(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	email := uniqueEmail("bounced")
	if err := s.store.Suppress(ctx, email, pairup.SuppressBounce, s.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if st, body := s.post("/p/iln/signup", s.ilnForm(email), nil); st != http.StatusOK || !strings.Contains(body, "Check your inbox") {
		t.Fatalf("signup %d", st)
	}
	regs := s.registrations(demo.ILN, demo.ILNRound)
	if len(regs) != 1 {
		t.Fatalf("registrations %+v", regs)
	}
	// The mailer takes the message from the outbox and skips it without calling SES.
	key := "confirm/" + regs[0].ID + "/1"
	deadline := time.Now().Add(10 * time.Second)
	for {
		q, err := s.store.GetMessage(ctx, key)
		if err == nil && q.Status == mail.StatusSkipped && q.Error == string(pairup.SuppressBounce) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox %s: %+v, %v; want skipped (bounce)", key, q, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := len(mails(t, email)); n != 0 {
		t.Fatalf("%d emails to a bounced address", n)
	}
	if r, _ := s.store.Suppression(ctx, email); r != pairup.SuppressBounce {
		t.Fatalf("bounce suppression lifted: %q", r)
	}
}

// TestUnsubscribeAddressWithPipe: an address with '|' (valid, and accepted by the form) can
// unsubscribe by its email's one-click link, here posted as multipart/form-data from the mail
// provider's site (RFC 8058 allows either encoding).
func TestUnsubscribeAddressWithPipe(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	email := "a|" + uniqueEmail("pipe")
	if st, body := s.post("/p/iln/signup", s.ilnForm(email), nil); st != http.StatusOK || !strings.Contains(body, "Check your inbox") {
		t.Fatalf("signup %d\n%s", st, body)
	}
	h, ok := waitMails(t, email, 1)[0].Header("List-Unsubscribe")
	if !ok {
		t.Fatal("no List-Unsubscribe header")
	}
	u, err := url.Parse(strings.Trim(h, "<>"))
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.WriteField("List-Unsubscribe", "One-Click"); err != nil {
		t.Fatal(err)
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, s.srv.URL+u.RequestURI(), &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://mail.example")
	if st, page := s.do(req); st != http.StatusOK || !strings.Contains(page, "unsubscribed") {
		t.Fatalf("one-click: %d\n%s", st, page)
	}
	if r, err := s.store.Suppression(ctx, email); err != nil || r != pairup.SuppressUnsubscribe {
		t.Fatalf("suppression %q %v", r, err)
	}
}
