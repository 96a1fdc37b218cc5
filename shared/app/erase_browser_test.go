package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pairup/pairup/shared/demo"
	"github.com/pairup/pairup/shared/erasure"
	"github.com/pairup/pairup/shared/pairup"
)

// TestBrowserErasePages runs axe-core on the erase page (English and Traditional Chinese), the
// page after its button, the page of a link used before and a bad link's, pressing the button in
// headless Chromium as a person does.
func TestBrowserErasePages(t *testing.T) {
	s := newStack(t)
	ctx := browser(t)
	type c = chromedp.CSS
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkAxe(t, ctx, name)
	}
	heading := func(want string) {
		t.Helper()
		if h := run(t, ctx, chromedp.Text(c(`h1`))); h != want {
			t.Errorf("heading %q, want %q", h, want)
		}
	}
	email := uniqueEmail("axe-erase")
	s.signUpAndConfirm(demo.ILN, []person{{name: "Ada Lovelace", email: email, form: s.ilnForm(email)}})
	reg := s.registrations(demo.ILN, demo.ILNRound)[0]
	link := erasure.RegistrationURL(s.signer, s.srv.URL, demo.ILN, demo.ILNRound, reg.ID, s.clock.Now().Add(time.Hour))

	// The unsubscribe page's offer names the email, not a programme: both languages are offered.
	offer := erasure.URL(s.signer, s.srv.URL, erasure.Target{MessageKey: "confirm/" + reg.ID + "/1"}, s.clock.Now().Add(time.Hour))
	step("erase page from the unsubscribe page", chromedp.Navigate(offer), chromedp.WaitVisible(c(`form[action="/erase"] button`)))
	heading("Erase your personal data?")
	step("erase page (zh-Hant)", chromedp.Click(c(`a[hreflang="zh-Hant"]`)), chromedp.WaitVisible(c(`a[hreflang="en"]`)))
	heading("刪除你的個人資料？")
	step("erase page", chromedp.Navigate(link), chromedp.WaitVisible(c(`form[action="/erase"] button`)))
	heading("Erase your personal data?")
	if got, _ := s.store.GetRegistration(context.Background(), demo.ILN, demo.ILNRound, reg.ID); got.Email != email {
		t.Fatalf("opening the page erased: %+v", got)
	}
	step("erased page", chromedp.Click(c(`form[action="/erase"] button`)), chromedp.WaitVisible(c(`h1.message`)))
	heading("Your data is erased")
	if got, _ := s.store.GetRegistrationAny(context.Background(), demo.ILN, demo.ILNRound, reg.ID); got.Email != "" || got.Status != pairup.StatusWithdrawn {
		t.Errorf("after the button: %+v", got)
	}
	step("erase page, used", chromedp.Navigate(link), chromedp.WaitVisible(c(`h1.message`)))
	heading("Nothing left to erase")
	step("erase page, bad link", chromedp.Navigate(s.srv.URL+erasure.Path+"?t=not-a-token"), chromedp.WaitVisible(c(`h1.message`)))
	heading("This link is not valid")
}
