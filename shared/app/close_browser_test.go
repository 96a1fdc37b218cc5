package app_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pairup/pairup/shared/demo"
	"github.com/pairup/pairup/shared/matchrun"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/roundclose"
	"github.com/pairup/pairup/shared/survey"
)

// TestBrowserContinuePages runs axe-core on the continue page in Chromium and uses it as a
// person does: the page a conclude link opens, its button, the link used again, and the page
// once the round has closed.
func TestBrowserContinuePages(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	s.ownCoordinators(demo.ILN)
	for _, p := range []struct{ email, country string }{{uniqueEmail("cp-a"), "NZ"}, {uniqueEmail("cp-b"), "GB"}} {
		f := s.ilnForm(p.email)
		f.Set("country", p.country)
		if st, _ := s.post("/p/"+demo.ILN+"/signup", f, nil); st != http.StatusOK {
			t.Fatalf("signup: %d", st)
		}
		s.clock.Advance(time.Minute)
	}
	for _, r := range s.registrations(demo.ILN, demo.ILNRound) {
		if _, err := s.store.ConfirmRegistration(ctx, demo.ILN, demo.ILNRound, r.ID, s.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	h := s.matchRun()
	s.run(h, matchrun.Event{Action: matchrun.ActionCloseSignup, Programme: demo.ILN, Round: demo.ILNRound})
	s.run(h, matchrun.Event{Action: matchrun.ActionMatch, Programme: demo.ILN, Round: demo.ILNRound, DryRun: dry(false)})
	s.drain()
	s.serveAll()
	round, _ := s.store.GetRound(ctx, demo.ILN, demo.ILNRound)
	s.clock.Set(round.Ends.Add(time.Hour))
	closeRound := s.roundClose()
	if _, err := closeRound(ctx, roundclose.Event{Action: roundclose.ActionClose, Programme: demo.ILN, Round: demo.ILNRound}); err != nil {
		t.Fatal(err)
	}
	s.drain()
	pairs, err := s.store.ListPairs(ctx, demo.ILN, demo.ILNRound)
	if err != nil || len(pairs) != 1 {
		t.Fatalf("pairs: %v, %v", pairs, err)
	}
	pr := pairs[0]
	me := pr.Members[0].RegistrationID
	conclude := survey.ContinueLink(s.signer, s.srv.URL, survey.ContinueRef{ProgrammeID: demo.ILN, RoundID: demo.ILNRound, PairID: pr.ID,
		RegistrationID: me, Choice: pairup.ChoiceConclude}, s.clock.Now().Add(30*24*time.Hour))

	bctx := browser(t)
	type c = chromedp.CSS
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, actions...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkAxe(t, bctx, name)
	}
	step("conclude page", chromedp.Navigate(conclude), chromedp.WaitVisible(c(`form[action="/continue"] button`)))
	if h := run(t, bctx, chromedp.Text(c(`h1`))); h != "Conclude your partnership" {
		t.Errorf("conclude page: %q", h)
	}
	step("conclude recorded", chromedp.Click(c(`form[action="/continue"] button`)), chromedp.WaitVisible(c(`h1.message`)))
	if h := run(t, bctx, chromedp.Text(c(`h1`))); h != "Choice recorded" {
		t.Errorf("conclude recorded: %q", h)
	}
	if a, err := s.store.GetContinue(ctx, demo.ILN, demo.ILNRound, pr.ID, me); err != nil || a.Choice != pairup.ChoiceConclude {
		t.Errorf("the browser's choice: %+v, %v", a, err)
	}
	step("conclude link used again", chromedp.Navigate(conclude), chromedp.WaitVisible(c(`h1.message`)))
	if h := run(t, bctx, chromedp.Text(c(`h1`))); h != "Already chosen" {
		t.Errorf("a used link: %q", h)
	}
	if _, err := closeRound(ctx, roundclose.Event{Action: roundclose.ActionFinalise, Programme: demo.ILN, Round: demo.ILNRound}); err != nil {
		t.Fatal(err)
	}
	partner := survey.ContinueLink(s.signer, s.srv.URL, survey.ContinueRef{ProgrammeID: demo.ILN, RoundID: demo.ILNRound, PairID: pr.ID,
		RegistrationID: pr.Members[1].RegistrationID, Choice: pairup.ChoiceContinue}, s.clock.Now().Add(30*24*time.Hour))
	step("choice after the close", chromedp.Navigate(partner), chromedp.WaitVisible(c(`h1.message`)))
	if h := run(t, bctx, chromedp.Text(c(`h1`))); h != "This choice is closed" {
		t.Errorf("after the close: %q", h)
	}
}
