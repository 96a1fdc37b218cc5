package app_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pairup/pairup/shared/demo"
	"github.com/pairup/pairup/shared/pairup"
)

// browser starts headless Chromium (Debian's, at /usr/bin/chromium or $CHROMIUM) for one test.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := os.Getenv("CHROMIUM")
	if path == "" {
		var err error
		if path, err = exec.LookPath("chromium"); err != nil {
			t.Fatal("headless Chromium is needed for the browser tests: apt-get install chromium (or set CHROMIUM)")
		}
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(390, 844), // a phone
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// TestBrowserSignupToConfirmed drives the whole path a person takes: the iln form in a real
// browser, the email in the SES emulator, its link, the page's button, the confirmed
// registration.
func TestBrowserSignupToConfirmed(t *testing.T) {
	s := newStack(t)
	ctx := browser(t)
	email := uniqueEmail("browser")
	name := `Zoë <b>O'Brien</b>`
	type c = chromedp.CSS
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.srv.URL+"/"),
		chromedp.Click(c(`a[href="/p/iln/signup"]`)),
		chromedp.WaitVisible(c(`#f-name`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	timeZone := run(t, ctx, chromedp.Value(c(`#f-timeZone`))) // prefilled by the page's script
	err = chromedp.Do(ctx,
		chromedp.SendKeys(c(`#f-name`), name),
		chromedp.SendKeys(c(`#f-email`), email),
		chromedp.SetValue(c(`#f-country`), "NZ"),
		chromedp.SetValue(c(`#f-timeZone`), "Pacific/Auckland"),
		chromedp.SetValue(c(`#f-sector`), "public"),
		chromedp.SetValue(c(`#f-careerStage`), "mid-career"),
		chromedp.Click(c(`input[name=languages][value=en]`)),
		// Māori is not one of the iln's common languages: it is under "More languages", found
		// with the filter the page's script shows.
		chromedp.Click(c(`#more-languages summary`)),
		chromedp.SendKeys(c(`#lang-filter`), "maor"),
		chromedp.Click(c(`input[name=languages][value=mi]`)),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			// The filter leaves Maori and hides the languages it does not match.
			n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll("#more-languages-list label")].filter(l => !l.hidden).length`))
			if err == nil && n != 1 {
				err = fmt.Errorf("the filter %q shows %d languages, want 1 (Maori)", "maor", n)
			}
			return err
		}),
		chromedp.Click(c(`input[name=interests][value=outreach]`)),
		chromedp.Click(c(`input[name=preference][value=career-stage]`)),
		chromedp.Click(c(`#f-consent`)),
		chromedp.Func(func(context.Context, *chromedp.Target) error { s.clock.Advance(20 * time.Second); return nil }), // a person takes a while
		chromedp.Click(c(`button[type=submit]`)),
		chromedp.WaitVisible(c(`h1.message`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if timeZone == "" {
		t.Error("time zone was not prefilled from the browser")
	}
	if h := run(t, ctx, chromedp.Text(c(`h1`))); h != "Check your inbox" {
		t.Fatalf("after submit: heading %q", h)
	}
	m := waitMails(t, email, 1)[0]
	// What a stranger types stays out of an email to an address they may not own.
	if strings.Contains(m.Text, "O'Brien") || strings.Contains(m.HTML, "O'Brien") || strings.Contains(m.HTML, "O&#39;Brien") {
		t.Errorf("the name is in the confirmation email:\nTEXT %s\nHTML %s", m.Text, m.HTML)
	}
	// The link opens a page with a button; the signup is confirmed only once it is pressed.
	err = chromedp.Do(ctx,
		chromedp.Navigate(link(t, m)),
		chromedp.WaitVisible(c(`form[action="/confirm"] button[type=submit]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if regs := s.registrations(demo.ILN, demo.ILNRound); len(regs) != 1 || regs[0].Status != pairup.StatusPending {
		t.Fatalf("opening the link confirmed the signup: %+v", regs)
	}
	if err := chromedp.Do(ctx, chromedp.Click(c(`form[action="/confirm"] button[type=submit]`)), chromedp.WaitVisible(c(`h1.message`))); err != nil {
		t.Fatal(err)
	}
	heading := run(t, ctx, chromedp.Text(c(`h1`)))
	body := run(t, ctx, chromedp.Text(c(`main`)))
	if heading != "Signup confirmed" || !strings.Contains(body, name) {
		t.Fatalf("confirm page: %q\n%s", heading, body)
	}
	regs := s.registrations(demo.ILN, demo.ILNRound)
	if len(regs) != 1 {
		t.Fatalf("%d registrations", len(regs))
	}
	r := regs[0]
	if r.Status != pairup.StatusConfirmed || r.Name != name || r.Country != "NZ" || r.TimeZone != "Pacific/Auckland" ||
		strings.Join(r.Languages, ",") != "en,mi" || r.Preference != pairup.PreferCareerStage {
		t.Fatalf("stored registration %+v", r)
	}
}

// TestBrowserValidation: a form with mistakes comes back with a message by each bad field, the
// user's input kept, and the summary focused.
func TestBrowserValidation(t *testing.T) {
	s := newStack(t)
	ctx := browser(t)
	type c = chromedp.CSS
	script := `<script>document.title="pwned"</script>`
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.srv.URL+"/p/iln/signup"),
		chromedp.WaitVisible(c(`#f-name`)),
		chromedp.SendKeys(c(`#f-name`), script),
		chromedp.SendKeys(c(`#f-email`), "ada@"),
		chromedp.Func(func(context.Context, *chromedp.Target) error { s.clock.Advance(20 * time.Second); return nil }),
		chromedp.Click(c(`button[type=submit]`)),
		chromedp.WaitVisible(c(`#summary`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	summary := run(t, ctx, chromedp.Text(c(`#summary`)))
	nameValue := run(t, ctx, chromedp.Value(c(`#f-name`)))
	emailErr := run(t, ctx, chromedp.Text(c(`#e-email`)))
	consentErr := run(t, ctx, chromedp.Text(c(`#e-consent`)))
	focused := run(t, ctx, chromedp.Evaluate[string](`document.activeElement.id`))
	if title := run(t, ctx, chromedp.Title()); strings.Contains(title, "pwned") {
		t.Fatal("script in the name ran")
	}
	if nameValue != script {
		t.Errorf("name not kept: %q", nameValue)
	}
	if !strings.Contains(emailErr, "name@example.org") || consentErr == "" || !strings.Contains(summary, "Please correct") {
		t.Errorf("messages: email %q consent %q summary %q", emailErr, consentErr, summary)
	}
	if focused != "summary" {
		t.Errorf("focused element %q, want the error summary", focused)
	}
	if regs := s.registrations(demo.ILN, demo.ILNRound); len(regs) != 0 {
		t.Fatalf("invalid form stored %d registrations", len(regs))
	}
}

func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
