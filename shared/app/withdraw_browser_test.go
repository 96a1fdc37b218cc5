package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pairup/pairup/shared/demo"
	"github.com/pairup/pairup/shared/matchrun"
	"github.com/pairup/pairup/shared/membership"
	"github.com/pairup/pairup/shared/pairup"
)

// TestBrowserWithdrawPages runs axe-core on the rejoin and withdraw pages, their answers and
// their refusals, pressing their buttons in headless Chromium as a person does.
func TestBrowserWithdrawPages(t *testing.T) {
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
	email := uniqueEmail("axe-withdraw")
	s.signUpAndConfirm(demo.ILN, []person{{name: "Ada Lovelace", email: email, form: s.ilnForm(email)}})
	reg := s.registrations(demo.ILN, demo.ILNRound)[0]
	now := s.clock.Now()
	s.run(s.matchRun(), matchrun.Event{Action: matchrun.ActionOpenRound, Programme: demo.ILN, NewRound: &matchrun.RoundSpec{
		ID: "2027-9", Name: "2027 Round 9", SignupOpens: now.Add(-time.Hour), SignupCloses: now.AddDate(0, 1, 0),
		Starts: now.AddDate(0, 1, 10), Ends: now.AddDate(0, 5, 0),
	}})
	rejoin := membership.RejoinURL(s.signer, s.srv.URL, membership.Rejoin{ProgrammeID: demo.ILN, NewRoundID: "2027-9", OldRoundID: demo.ILNRound, OldRegistrationID: reg.ID}, now.AddDate(0, 1, 0))
	withdraw := membership.WithdrawURL(s.signer, s.srv.URL, membership.Withdraw{ProgrammeID: demo.ILN, RoundID: demo.ILNRound, RegistrationID: reg.ID}, now)

	step("rejoin page", chromedp.Navigate(rejoin), chromedp.WaitVisible(c(`form[action="/rejoin"] button`)))
	step("rejoined page", chromedp.Click(c(`form[action="/rejoin"] button`)), chromedp.WaitVisible(c(`h1.message`)))
	heading("You are in")
	step("rejoin page, used", chromedp.Navigate(rejoin), chromedp.WaitVisible(c(`h1.message`)))
	heading("Already taken")
	step("withdraw page", chromedp.Navigate(withdraw), chromedp.WaitVisible(c(`form[action="/withdraw"] button`)))
	step("withdrawn page", chromedp.Click(c(`form[action="/withdraw"] button`)), chromedp.WaitVisible(c(`h1.message`)))
	heading("You have withdrawn")
	if got, _ := s.store.GetRegistration(context.Background(), demo.ILN, demo.ILNRound, reg.ID); got.Status != pairup.StatusWithdrawn {
		t.Errorf("after the button: %s", got.Status)
	}
	step("withdraw page, used", chromedp.Navigate(withdraw), chromedp.WaitVisible(c(`h1.message`)))
	heading("Nothing to change")
	step("new-partner page, bad link", chromedp.Navigate(s.srv.URL+membership.NewPartnerPath+"?t=not-a-token"), chromedp.WaitVisible(c(`h1.message`)))
	heading("This link is not valid")
}
