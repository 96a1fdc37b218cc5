package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/demo"
	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/signup"
)

func TestSignupAndConfirm(t *testing.T) {
	s := newStack(t)
	email := uniqueEmail("ok")
	status, body := s.post("/p/iln/signup", s.ilnForm(email), nil)
	if status != http.StatusOK || !strings.Contains(body, "Check your inbox") {
		t.Fatalf("signup: %d\n%s", status, body)
	}
	regs := s.registrations(demo.ILN, demo.ILNRound)
	if len(regs) != 1 || regs[0].Status != pairup.StatusPending || regs[0].Email != email {
		t.Fatalf("registrations after signup: %+v", regs)
	}
	m := waitMails(t, email, 1)[0]
	if !strings.Contains(m.Subject, "International Librarians Network") {
		t.Errorf("subject %q", m.Subject)
	}
	if v, ok := m.Header("List-Unsubscribe"); !ok || !strings.Contains(v, "/unsubscribe?t=") {
		t.Errorf("List-Unsubscribe header %q, %v", v, ok)
	}
	l := link(t, m)
	u, _ := url.Parse(l)
	// Opening the link (as a mail scanner does) shows a button and confirms nothing.
	status, body = s.get(u.RequestURI())
	if status != http.StatusOK || !strings.Contains(body, "Confirm my signup") || !strings.Contains(body, `<form method="post" action="/confirm">`) {
		t.Fatalf("confirmation page: %d\n%s", status, body)
	}
	if reg, err := s.store.GetRegistration(context.Background(), demo.ILN, demo.ILNRound, regs[0].ID); err != nil || reg.Status != pairup.StatusPending {
		t.Fatalf("opening the link confirmed: %+v, %v", reg, err)
	}
	status, body = s.confirm(l)
	if status != http.StatusOK || !strings.Contains(body, "Signup confirmed") {
		t.Fatalf("confirm: %d\n%s", status, body)
	}
	reg, err := s.store.GetRegistration(context.Background(), demo.ILN, demo.ILNRound, regs[0].ID)
	if err != nil || reg.Status != pairup.StatusConfirmed || reg.ParticipantID == "" {
		t.Fatalf("after confirm: %+v, %v", reg, err)
	}
	t.Run("NoPersonalDataInLogs", func(t *testing.T) {
		logs := s.logs.String()
		if !strings.Contains(logs, regs[0].ID) {
			t.Fatalf("logs do not name the registration id:\n%s", logs)
		}
		for _, personal := range []string{email, "Ada Lovelace", "Australia/Sydney"} {
			if strings.Contains(logs, personal) {
				t.Errorf("logs contain %q:\n%s", personal, logs)
			}
		}
	})
	t.Run("LinkAgainIsHarmless", func(t *testing.T) {
		status, body := s.confirm(l)
		if status != http.StatusOK || !strings.Contains(body, "Signup confirmed") {
			t.Fatalf("second confirm: %d", status)
		}
		if n := len(s.registrations(demo.ILN, demo.ILNRound)); n != 1 {
			t.Fatalf("%d registrations", n)
		}
	})
	t.Run("ErrExpired", func(t *testing.T) {
		tok := u.Query().Get("t")
		s.clock.Advance(signupConfirmTTL + time.Minute)
		status, body := s.get(u.RequestURI())
		if status != http.StatusGone || !strings.Contains(body, "expired") {
			t.Fatalf("expired link: %d\n%s", status, body)
		}
		// The page's button, pressed after the link expired.
		status, body = s.post("/confirm", url.Values{"t": {tok}}, nil)
		if status != http.StatusGone || !strings.Contains(body, "expired") {
			t.Fatalf("expired link's button: %d\n%s", status, body)
		}
	})
}

const signupConfirmTTL = 72 * time.Hour

func TestSignupBadInput(t *testing.T) {
	s := newStack(t)
	big := s.ilnForm(uniqueEmail("big"))
	big.Set("name", strings.Repeat("x", 70<<10))
	cross := http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}}
	bad := s.ilnForm(uniqueEmail("bad"))
	bad.Set("email", "not-an-email")
	bad.Set("country", "ZZ")
	bad.Set("timeZone", "Mars/Olympus")
	bad.Del("consent")
	bad.Set("name", `<script>alert("x")</script>`)
	stale := s.ilnForm(uniqueEmail("stale"))
	stale.Set("ft", signup.NewFormToken(s.signer, demo.ILN, s.clock.Now().Add(-time.Minute)))
	noNonce := s.ilnForm(uniqueEmail("nononce"))
	noNonce.Set("ft", s.signer.Sign(links.PurposeForm, demo.ILN, s.clock.Now().Add(-10*time.Second).Add(signup.DefaultFormTTL)))
	other := s.ilnForm(uniqueEmail("other"))
	other.Set("ft", s.formToken(demo.HKLA))
	for _, tc := range []struct {
		name     string
		path     string
		form     url.Values
		header   http.Header
		status   int
		contains []string
		absent   []string
	}{
		{"ErrTooLarge", "/p/iln/signup", big, nil, http.StatusRequestEntityTooLarge, []string{"larger than 64 KiB"}, nil},
		{"ErrUnknownProgramme", "/p/nope/signup", s.ilnForm(uniqueEmail("x")), nil, http.StatusNotFound, []string{"no programme"}, nil},
		{"ErrCrossOrigin", "/p/iln/signup", s.ilnForm(uniqueEmail("csrf")), cross, http.StatusForbidden, []string{"another site"}, nil},
		{"ErrStaleForm", "/p/iln/signup", stale, nil, http.StatusBadRequest, []string{"open for too long", `value="Ada Lovelace"`}, nil},
		{"ErrOtherProgrammesToken", "/p/iln/signup", other, nil, http.StatusBadRequest, []string{"could not be verified"}, nil},
		{"ErrTokenWithoutNonce", "/p/iln/signup", noNonce, nil, http.StatusBadRequest, []string{"could not be verified"}, nil},
		{"ErrFields", "/p/iln/signup", bad, nil, http.StatusBadRequest, []string{
			`id="e-email"`, "name@example.org", // message by the email field
			`id="e-country"`, "choose a country from the list",
			`id="e-timeZone"`, `value="Mars/Olympus"`, // input kept
			`id="e-consent"`,
			`value="&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"`, // escaped
			`<option value="academic" selected>`,
		}, []string{`<script>alert("x")</script>`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := s.post(tc.path, tc.form, tc.header)
			if status != tc.status {
				t.Fatalf("status %d, want %d\n%s", status, tc.status, body)
			}
			for _, c := range tc.contains {
				if !strings.Contains(body, c) {
					t.Errorf("page lacks %q", c)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(body, a) {
					t.Errorf("page contains %q", a)
				}
			}
		})
	}
	if regs := s.registrations(demo.ILN, demo.ILNRound); len(regs) != 0 {
		t.Fatalf("bad input stored %d registrations", len(regs))
	}
	for _, addr := range []string{big.Get("email"), bad.Get("email"), stale.Get("email"), noNonce.Get("email")} {
		if m := mails(t, addr); len(m) != 0 {
			t.Errorf("bad input sent %d emails to %s", len(m), addr)
		}
	}
}

func TestSignupBots(t *testing.T) {
	s := newStack(t)
	honey := s.ilnForm(uniqueEmail("honeypot"))
	honey.Set("website", "http://spam.example")
	fast := s.ilnForm(uniqueEmail("fast"))
	fast.Set("ft", signup.NewFormToken(s.signer, demo.ILN, s.clock.Now().Add(-time.Second).Add(signup.DefaultFormTTL)))
	for _, tc := range []struct {
		name string
		form url.Values
	}{{"Honeypot", honey}, {"TooFast", fast}} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := s.post("/p/iln/signup", tc.form, nil)
			if status != http.StatusOK || !strings.Contains(body, "Check your inbox") {
				t.Fatalf("bot should get the normal page: %d", status)
			}
		})
	}
	s.drain() // an email, were one queued, is in the emulator now
	if regs := s.registrations(demo.ILN, demo.ILNRound); len(regs) != 0 {
		t.Fatalf("bots stored %d registrations", len(regs))
	}
	for _, f := range []url.Values{honey, fast} {
		if m := mails(t, f.Get("email")); len(m) != 0 {
			t.Errorf("bot got %d emails", len(m))
		}
	}
}

func TestSignupClosedRound(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	p := demo.Programmes()[0]
	p.ID, p.Name = "later", "Later Programme"
	if err := s.store.PutProgramme(ctx, &p); err != nil {
		t.Fatal(err)
	}
	now := s.clock.Now()
	r := pairup.Round{ProgrammeID: "later", ID: "2027-2", Name: "2027 Round 2", State: pairup.RoundDraft,
		SignupOpens: now.AddDate(0, 3, 0), SignupCloses: now.AddDate(0, 4, 0), Starts: now.AddDate(0, 4, 7), Ends: now.AddDate(0, 8, 7)}
	if err := s.store.CreateRound(ctx, &r); err != nil {
		t.Fatal(err)
	}
	want := "opens for signup on " + r.SignupOpens.Format("2 January 2006")
	status, body := s.get("/p/later/signup")
	if status != http.StatusOK || !strings.Contains(body, want) {
		t.Fatalf("closed form: %d, want %q\n%s", status, want, body)
	}
	f := s.ilnForm(uniqueEmail("closed"))
	f.Set("ft", s.formToken("later"))
	status, body = s.post("/p/later/signup", f, nil)
	if status != http.StatusOK || !strings.Contains(body, want) {
		t.Fatalf("closed post: %d\n%s", status, body)
	}
	if regs := s.registrations("later", "2027-2"); len(regs) != 0 {
		t.Fatalf("closed round stored %d", len(regs))
	}
}

func TestSignupLinks(t *testing.T) {
	s := newStack(t)
	good := s.signer.Sign(links.PurposeConfirm, "iln/2027-1/nosuchregistration", s.clock.Now().Add(time.Hour))
	forged, _ := links.NewSigner([]byte(strings.Repeat("f", 32)))
	for _, tc := range []struct {
		name   string
		token  string
		status int
		text   string
	}{
		{"ErrForged", forged.Sign(links.PurposeConfirm, "iln/2027-1/x", s.clock.Now().Add(time.Hour)), http.StatusBadRequest, "not valid"},
		{"ErrAltered", good[:len(good)-3] + "abc", http.StatusBadRequest, "not valid"},
		{"ErrWrongPurpose", s.signer.Sign(links.PurposeUnsubscribe, "iln/2027-1/x", s.clock.Now().Add(time.Hour)), http.StatusBadRequest, "not valid"},
		{"ErrExpired", s.signer.Sign(links.PurposeConfirm, "iln/2027-1/x", s.clock.Now().Add(-time.Second)), http.StatusGone, "expired"},
		{"ErrMissing", "", http.StatusBadRequest, "not valid"},
		{"ErrUnknownRegistration", good, http.StatusNotFound, "sign up again"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The link's page, and its button (posted whatever the page shows).
			status, body := s.confirm(s.srv.URL + "/confirm?t=" + url.QueryEscape(tc.token))
			if status != tc.status || !strings.Contains(body, tc.text) {
				t.Fatalf("status %d (want %d), page lacks %q?\n%s", status, tc.status, tc.text, body)
			}
			status, body = s.post("/confirm", url.Values{"t": {tc.token}}, nil)
			if status != tc.status || !strings.Contains(body, tc.text) {
				t.Fatalf("button: status %d (want %d), page lacks %q?\n%s", status, tc.status, tc.text, body)
			}
		})
	}
	t.Run("ErrCrossSitePost", func(t *testing.T) {
		cross := http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}}
		if st, _ := s.post("/confirm", url.Values{"t": {good}, "List-Unsubscribe": {"One-Click"}}, cross); st != http.StatusForbidden {
			t.Fatalf("cross-site confirmation: %d, want 403", st)
		}
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		if st, body := s.post("/confirm", url.Values{"t": {strings.Repeat("x", 5<<10)}}, nil); st != http.StatusRequestEntityTooLarge {
			t.Fatalf("oversized confirmation: %d\n%s", st, body)
		}
	})
}

// TestSignupTenAtOnce: ten signups of one address at once, each from a form of its own (a
// person who opened the form in ten tabs): one registration, one email.
func TestSignupTenAtOnce(t *testing.T) {
	s := newStack(t)
	email := uniqueEmail("ten")
	var wg sync.WaitGroup
	statuses := make([]int, 10)
	for i := range statuses {
		form := s.ilnForm(email)
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i], _ = s.post("/p/iln/signup", form, nil)
		}()
	}
	wg.Wait()
	for i, st := range statuses {
		if st != http.StatusOK {
			t.Errorf("request %d: status %d", i, st)
		}
	}
	if regs := s.registrations(demo.ILN, demo.ILNRound); len(regs) != 1 {
		t.Fatalf("%d registrations, want 1", len(regs))
	}
	waitMails(t, email, 1)
	s.drain() // a duplicate, were one queued, is in the emulator now
	if m := mails(t, email); len(m) != 1 {
		t.Fatalf("%d confirmation emails, want 1", len(m))
	}
}

func TestSignupAgainResends(t *testing.T) {
	s := newStack(t)
	email := uniqueEmail("again")
	if st, _ := s.post("/p/iln/signup", s.ilnForm(email), nil); st != http.StatusOK {
		t.Fatalf("first signup %d", st)
	}
	waitMails(t, email, 1)
	// Within the cool-down: same page, no second email.
	s.clock.Advance(30 * time.Second)
	if st, body := s.post("/p/iln/signup", s.ilnForm(email), nil); st != http.StatusOK || !strings.Contains(body, "Check your inbox") {
		t.Fatalf("second signup %d", st)
	}
	s.drain() // a second email, were one queued, is in the emulator now
	if m := mails(t, email); len(m) != 1 {
		t.Fatalf("%d emails inside the cool-down, want 1", len(m))
	}
	// After it: the confirmation is re-sent, to the same registration.
	for i := 2; i <= 5; i++ {
		s.clock.Advance(3 * time.Minute)
		if st, _ := s.post("/p/iln/signup", s.ilnForm(strings.ToUpper(email)), nil); st != http.StatusOK {
			t.Fatalf("signup %d: %d", i, st)
		}
		waitMails(t, email, i)
	}
	// The cap (5 per registration) holds.
	s.clock.Advance(3 * time.Minute)
	s.post("/p/iln/signup", s.ilnForm(email), nil)
	s.drain() // a sixth email, were one queued, is in the emulator now
	ms := mails(t, email)
	if len(ms) != 5 {
		t.Fatalf("%d emails, want the cap of 5", len(ms))
	}
	regs := s.registrations(demo.ILN, demo.ILNRound)
	if len(regs) != 1 || regs[0].ConfirmSends != 5 {
		t.Fatalf("registrations %+v", regs)
	}
	// Every link names the one registration.
	if st, body := s.confirm(link(t, ms[len(ms)-1])); st != http.StatusOK || !strings.Contains(body, "Signup confirmed") {
		t.Fatalf("confirm: %d", st)
	}
}

func TestSignupMentorMode(t *testing.T) {
	s := newStack(t)
	email := uniqueEmail("mentee")
	form := url.Values{
		"ft": {s.formToken(demo.HKLA)}, "name": {"陳大文"}, "email": {email}, "timeZone": {"Asia/Hong_Kong"},
		"role": {"mentee"}, "eligibility.member": {"yes"}, "priority": {"yes"},
		"sector": {"student"}, "careerStage": {"student"}, "languages": {"zh", "en"}, "consent": {"yes"},
	}
	status, body := s.post("/p/hkla/signup", form, nil)
	if status != http.StatusBadRequest || !strings.Contains(body, `id="e-eligibility.programme"`) || !strings.Contains(body, "陳大文") {
		t.Fatalf("missing eligibility answer: %d\n%s", status, body)
	}
	form.Set("eligibility.programme", "yes")
	if status, body = s.post("/p/hkla/signup", form, nil); status != http.StatusOK {
		t.Fatalf("mentee signup: %d\n%s", status, body)
	}
	regs := s.registrations(demo.HKLA, demo.HKLARound)
	if len(regs) != 1 || regs[0].Role != pairup.RoleMentee || regs[0].Country != "HK" || !regs[0].Priority {
		t.Fatalf("registration %+v", regs)
	}
	waitMails(t, email, 1)
}

// TestSignupFarFromToday runs the signup path with a clock years away from the real date, in
// both directions: nothing may read the real time behind the injected clock (the store once
// did, and every signup test would have failed from 2026-12-10).
func TestSignupFarFromToday(t *testing.T) {
	for _, at := range []time.Time{
		time.Date(2031, 6, 1, 9, 0, 0, 0, time.UTC),
		time.Date(2019, 3, 4, 9, 0, 0, 0, time.UTC),
	} {
		t.Run(at.Format("2006"), func(t *testing.T) {
			s := newStackWith(t, stackOptions{at: at})
			email := uniqueEmail("far")
			if st, body := s.post("/p/iln/signup", s.ilnForm(email), nil); st != http.StatusOK || !strings.Contains(body, "Check your inbox") {
				t.Fatalf("signup: %d\n%s", st, body)
			}
			if st, body := s.confirm(link(t, waitMails(t, email, 1)[0])); st != http.StatusOK || !strings.Contains(body, "Signup confirmed") {
				t.Fatalf("confirm: %d\n%s", st, body)
			}
			regs := s.registrations(demo.ILN, demo.ILNRound)
			if len(regs) != 1 || regs[0].Status != pairup.StatusConfirmed || !regs[0].ConfirmedAt.Equal(at) {
				t.Fatalf("registrations %+v", regs)
			}
		})
	}
}

// TestSignupDoesNotWaitOnSES signs up while no mailer runs (SES down, or the mailer failing):
// the signup answers at once, its confirmation waits in the outbox, and goes out once the
// mailer runs — nothing is lost.
func TestSignupDoesNotWaitOnSES(t *testing.T) {
	s := newStackWith(t, stackOptions{noMailer: true})
	ctx := context.Background()
	email := uniqueEmail("later")
	if st, body := s.post("/p/iln/signup", s.ilnForm(email), nil); st != http.StatusOK || !strings.Contains(body, "Check your inbox") {
		t.Fatalf("signup: %d\n%s", st, body)
	}
	regs := s.registrations(demo.ILN, demo.ILNRound)
	if len(regs) != 1 {
		t.Fatalf("registrations %+v", regs)
	}
	key := "confirm/" + regs[0].ID + "/1"
	q, err := s.store.GetMessage(ctx, key)
	if err != nil || q.Status != mail.StatusPending || q.To != email {
		t.Fatalf("outbox %s: %+v, %v", key, q, err)
	}
	if n := len(mails(t, email)); n != 0 {
		t.Fatalf("%d emails before the mailer ran", n)
	}
	s.startMailer(ctx) // from the stream's oldest record, as a mapping created after the fact
	waitMails(t, email, 1)
	if q, err := s.store.GetMessage(ctx, key); err != nil || q.Status != mail.StatusSent || q.ProviderID == "" {
		t.Fatalf("after the mailer: %+v, %v", q, err)
	}
}
