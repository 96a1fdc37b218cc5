package app_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/pairup/pairup/shared/app"
	"github.com/pairup/pairup/shared/config"
	"github.com/pairup/pairup/shared/demo"
	"github.com/pairup/pairup/shared/pairup"
)

// Issue 13: the signup form is not a relay for spam, and a stranger cannot take over a signup.

// TestSignupFormSingleUse: one form token sent again with other addresses queues nothing more:
// each reuse gets a clear page, and nothing is stored or sent.
func TestSignupFormSingleUse(t *testing.T) {
	s := newStack(t)
	ft := s.formToken(demo.ILN)
	var addrs []string
	for i := range 50 {
		email := uniqueEmail(fmt.Sprintf("relay%02d", i))
		addrs = append(addrs, email)
		f := s.ilnForm(email)
		f.Set("ft", ft)
		st, body := s.post("/p/iln/signup", f, nil)
		switch {
		case i == 0 && (st != http.StatusOK || !strings.Contains(body, "Check your inbox")):
			t.Fatalf("first use: %d\n%s", st, body)
		case i > 0 && (st != http.StatusConflict || !strings.Contains(body, "already received this form") || !strings.Contains(body, `href="/p/iln/signup"`)):
			t.Fatalf("reuse %d: %d\n%s", i, st, body)
		}
	}
	if regs := s.registrations(demo.ILN, demo.ILNRound); len(regs) != 1 || regs[0].Email != addrs[0] {
		t.Fatalf("registrations %+v, want the first only", regs)
	}
	waitMails(t, addrs[0], 1)
	s.drain() // an email, were one queued, is in the emulator now
	for _, a := range addrs[1:] {
		if n := len(mails(t, a)); n != 0 {
			t.Errorf("%s got %d emails from a reused form", a, n)
		}
	}
}

// lambdaSignup posts form through the signup function's Lambda handler (HTTP API payload 2.0)
// as API Gateway would from sourceIP, and returns the status and body.
func lambdaSignup(t *testing.T, h func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error), sourceIP string, form url.Values) (int, string) {
	t.Helper()
	resp, err := h(context.Background(), events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "POST /p/{programme}/signup", RawPath: "/p/iln/signup",
		Headers:         map[string]string{"content-type": "application/x-www-form-urlencoded", "host": "forms.example.org"},
		PathParameters:  map[string]string{"programme": demo.ILN},
		Body:            base64.StdEncoding.EncodeToString([]byte(form.Encode())),
		IsBase64Encoded: true,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/p/iln/signup", SourceIP: sourceIP},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Body
}

// TestSignupSourceLimit: one source address (API Gateway's requestContext.http.sourceIp; an
// IPv6 address's /64) gets a limited number of signups an hour, then a polite 429 page, and
// nothing is stored or queued; other sources are not affected, and the next hour it may sign
// up again.
func TestSignupSourceLimit(t *testing.T) {
	s := newStackWith(t, stackOptions{noMailer: true, env: map[string]string{config.EnvSignupsPerSourceHour: "3"}})
	fn, err := app.SignupLambda(context.Background(), s.cfg, app.Deps{Clock: s.clock, Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	h := fn.(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error))
	stored := 0
	for _, tc := range []struct {
		name   string
		source string
		after  time.Duration // clock moved before the signup
		status int
	}{
		{"First", "198.51.100.7", 0, http.StatusOK},
		{"Second", "198.51.100.7", time.Minute, http.StatusOK},
		{"Third", "198.51.100.7", time.Minute, http.StatusOK},
		{"ErrFourth", "198.51.100.7", time.Minute, http.StatusTooManyRequests},
		{"OtherSource", "203.0.113.9", 0, http.StatusOK},
		{"IPv6", "2001:db8:1:2::1", 0, http.StatusOK},
		{"IPv6SameNetwork", "2001:db8:1:2:aaaa::2", 0, http.StatusOK},
		{"IPv6SameNetworkAgain", "2001:db8:1:2:bbbb::3", 0, http.StatusOK},
		{"ErrIPv6SameNetworkFourth", "2001:db8:1:2:cccc::4", 0, http.StatusTooManyRequests},
		{"IPv6OtherNetwork", "2001:db8:1:3::1", 0, http.StatusOK},
		{"NextHour", "198.51.100.7", time.Hour, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.clock.Advance(tc.after)
			email := uniqueEmail("source")
			st, body := lambdaSignup(t, h, tc.source, s.ilnForm(email))
			if st != tc.status {
				t.Fatalf("status %d, want %d\n%.2000s", st, tc.status, body)
			}
			if st == http.StatusOK {
				stored++
			} else if !strings.Contains(body, "Please try again later") || !strings.Contains(body, "try again in an hour") {
				t.Errorf("the page does not say to try later:\n%.2000s", body)
			}
			if n := len(s.registrations(demo.ILN, demo.ILNRound)); n != stored {
				t.Fatalf("%d registrations, want %d", n, stored)
			}
		})
	}
	if logs := s.logs.String(); strings.Contains(logs, "198.51.100.7") || strings.Contains(logs, "2001:db8") {
		t.Errorf("the logs name a source address:\n%s", logs)
	}
}

// TestSignupBooth: a conference booth — fifty people signing up within minutes, all behind the
// venue's one address — is not stopped by the default limits.
func TestSignupBooth(t *testing.T) {
	s := newStackWith(t, stackOptions{noMailer: true})
	if s.cfg.SignupsPerSourceHour != config.DefaultSignupsPerSourceHour {
		t.Fatalf("the stack's limit is %d, not the default", s.cfg.SignupsPerSourceHour)
	}
	for i := range 50 {
		s.clock.Advance(10 * time.Second)
		if st, body := s.post("/p/iln/signup", s.ilnForm(uniqueEmail(fmt.Sprintf("booth%02d", i))), nil); st != http.StatusOK {
			t.Fatalf("signup %d: %d\n%.1000s", i, st, body)
		}
	}
	if n := len(s.registrations(demo.ILN, demo.ILNRound)); n != 50 {
		t.Fatalf("%d registrations, want 50", n)
	}
}

// TestSignupProgrammeCap: a programme queues a limited number of confirmation emails a day;
// over it, a polite 429 page, and nothing is stored or queued; the next day it takes signups
// again.
func TestSignupProgrammeCap(t *testing.T) {
	s := newStackWith(t, stackOptions{noMailer: true, env: map[string]string{config.EnvConfirmationsPerProgrammeDay: "2"}})
	for i, want := range []int{http.StatusOK, http.StatusOK, http.StatusTooManyRequests} {
		s.clock.Advance(time.Minute)
		st, body := s.post("/p/iln/signup", s.ilnForm(uniqueEmail("cap")), nil)
		if st != want {
			t.Fatalf("signup %d: %d, want %d\n%.1000s", i, st, want, body)
		}
		if st != http.StatusOK && !strings.Contains(body, "International Librarians Network has received an unusual number of signups today") {
			t.Fatalf("page:\n%.2000s", body)
		}
	}
	regs := s.registrations(demo.ILN, demo.ILNRound)
	if len(regs) != 2 {
		t.Fatalf("%d registrations, want 2", len(regs))
	}
	// Signing up again past the cool-down would queue a third email: refused too, and the
	// registration is left as it was.
	s.clock.Advance(5 * time.Minute)
	again := s.ilnForm(regs[0].Email)
	again.Set("name", "Someone Else")
	if st, _ := s.post("/p/iln/signup", again, nil); st != http.StatusTooManyRequests {
		t.Fatalf("re-send over the cap: %d", st)
	}
	if r, err := s.store.GetRegistration(context.Background(), demo.ILN, demo.ILNRound, regs[0].ID); err != nil || r.Name != regs[0].Name || r.ConfirmSends != 1 {
		t.Fatalf("registration changed over the cap: %+v %v", r, err)
	}
	s.clock.Advance(24 * time.Hour)
	if st, body := s.post("/p/iln/signup", s.ilnForm(uniqueEmail("cap")), nil); st != http.StatusOK {
		t.Fatalf("next day: %d\n%.1000s", st, body)
	}
}

// TestSignupNameCarriesNoLink: the confirmation email greets without the name (whoever fills in
// the form chooses it, and the email goes to an address they may not own), and a name that
// carries a web address is refused; names with dots and initials are not.
func TestSignupNameCarriesNoLink(t *testing.T) {
	s := newStack(t)
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"Claim your prize at evil.example", false},
		{"Ada www.evil.example", false},
		{"Ada https://evil.example/prize", false},
		{"Mail x@spam.co now", false},
		{"EVIL.EXAMPLE", false},
		{"bit.ly/prize", false},
		{"J. R. R. Tolkien", true},
		{"J.R.R. Tolkien", true},
		{"J.R.R.Tolkien", true},
		{"Dr. Ada Lovelace", true},
		{"Mary-Jane O'Neil, Ph.D.", true},
		{"陳大文", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.clock.Advance(time.Minute)
			email := uniqueEmail("name")
			f := s.ilnForm(email)
			f.Set("name", tc.name)
			st, body := s.post("/p/iln/signup", f, nil)
			if !tc.ok {
				if st != http.StatusBadRequest || !strings.Contains(body, `id="e-name"`) || !strings.Contains(body, "without a web address") {
					t.Fatalf("status %d, want 400 with a message by the name\n%.2000s", st, body)
				}
				for _, r := range s.registrations(demo.ILN, demo.ILNRound) {
					if r.Email == email {
						t.Fatalf("stored %+v", r)
					}
				}
				return
			}
			if st != http.StatusOK {
				t.Fatalf("status %d\n%.2000s", st, body)
			}
			m := waitMails(t, email, 1)[0]
			if !strings.Contains(m.Text, "Hello,\n") || strings.Contains(m.Text, tc.name) || strings.Contains(m.HTML, tc.name) {
				t.Fatalf("the email greets with the name, or lacks the greeting:\n%s", m.Text)
			}
		})
	}
}

// TestSignupLatestAnswersWin: someone signs up another person's address first; the owner's own
// signup replaces those answers, and whichever link the owner follows confirms the owner's
// answers. A confirmed registration is never changed by a signup.
func TestSignupLatestAnswersWin(t *testing.T) {
	for _, tc := range []struct {
		name  string
		after time.Duration // between the stranger's signup and the owner's
		mails int           // confirmation emails the owner then has
	}{
		{"AfterCooldown", 3 * time.Minute, 2},
		{"WithinCooldown", 30 * time.Second, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t)
			ctx := context.Background()
			email := uniqueEmail("victim")
			stranger := s.ilnForm(email)
			stranger.Set("name", "Mallory Stranger")
			stranger.Set("country", "GB")
			stranger["interests"] = []string{"outreach"}
			if st, _ := s.post("/p/iln/signup", stranger, nil); st != http.StatusOK {
				t.Fatalf("stranger's signup %d", st)
			}
			first := waitMails(t, email, 1)[0]
			s.clock.Advance(tc.after)
			if st, _ := s.post("/p/iln/signup", s.ilnForm(email), nil); st != http.StatusOK {
				t.Fatalf("owner's signup %d", st)
			}
			ms := waitMails(t, email, tc.mails)
			regs := s.registrations(demo.ILN, demo.ILNRound)
			if len(regs) != 1 || regs[0].Name != "Ada Lovelace" || regs[0].Country != "AU" || strings.Join(regs[0].Interests, ",") != "digital-scholarship,research-data" {
				t.Fatalf("registration after the owner's signup: %+v", regs)
			}
			// The first email's link (sent for the stranger's signup) confirms the owner's answers.
			if st, body := s.confirm(link(t, first)); st != http.StatusOK || !strings.Contains(body, "Ada Lovelace") {
				t.Fatalf("confirm: %d\n%s", st, body)
			}
			confirmed, err := s.store.GetRegistration(ctx, demo.ILN, demo.ILNRound, regs[0].ID)
			if err != nil || confirmed.Status != pairup.StatusConfirmed || confirmed.Name != "Ada Lovelace" || confirmed.Country != "AU" {
				t.Fatalf("confirmed: %+v %v", confirmed, err)
			}
			// Once confirmed, a signup changes nothing and sends nothing.
			s.clock.Advance(10 * time.Minute)
			stranger.Set("ft", s.formToken(demo.ILN))
			if st, body := s.post("/p/iln/signup", stranger, nil); st != http.StatusOK || !strings.Contains(body, "Check your inbox") {
				t.Fatalf("stranger's signup after confirmation: %d", st)
			}
			if after, err := s.store.GetRegistration(ctx, demo.ILN, demo.ILNRound, regs[0].ID); err != nil || after.Name != "Ada Lovelace" || after.Country != "AU" || after.ConfirmSends != confirmed.ConfirmSends {
				t.Fatalf("a signup changed the confirmed registration: %+v %v", after, err)
			}
			s.drain() // an email, were one queued, is in the emulator now
			if n := len(mails(t, email)); n != len(ms) {
				t.Fatalf("%d emails, want %d", n, len(ms))
			}
		})
	}
}
