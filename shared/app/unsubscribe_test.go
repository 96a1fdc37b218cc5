package app_test

import (
	"context"
	"net/http"
	"net/url"
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
	status, body := s.get(u.RequestURI())
	if status != http.StatusOK || !strings.Contains(body, "Stop emails") {
		t.Fatalf("unsubscribe page: %d", status)
	}
	if _, err := s.store.Suppression(ctx, email); pairup.ErrorCode(err) != pairup.ENOTFOUND {
		t.Fatalf("suppressed by a GET: %v", err)
	}
	// A mail client's one-click POST (RFC 8058).
	status, body = s.post(u.RequestURI(), url.Values{"List-Unsubscribe": {"One-Click"}}, nil)
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
	t.Run("SignupAgainResumes", func(t *testing.T) {
		s.clock.Advance(5 * time.Minute)
		if st, _ := s.post("/p/iln/signup", s.ilnForm(email), nil); st != http.StatusOK {
			t.Fatalf("signup %d", st)
		}
		waitMails(t, email, 2)
		if _, err := s.store.Suppression(ctx, email); pairup.ErrorCode(err) != pairup.ENOTFOUND {
			t.Fatalf("still suppressed: %v", err)
		}
	})
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
// unsubscribe by its email's one-click link.
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
	if st, body := s.post(u.RequestURI(), url.Values{"List-Unsubscribe": {"One-Click"}}, nil); st != http.StatusOK || !strings.Contains(body, "unsubscribed") {
		t.Fatalf("one-click: %d\n%s", st, body)
	}
	if r, err := s.store.Suppression(ctx, email); err != nil || r != pairup.SuppressUnsubscribe {
		t.Fatalf("suppression %q %v", r, err)
	}
}
