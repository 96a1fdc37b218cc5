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
	"github.com/pairup/pairup/shared/survey"
)

// TestBrowserSurveyPages runs axe-core on the survey function's pages in Chromium, and uses
// them as a person does: the check-in page and its answer, the mid-round survey form, the form
// re-shown with an error, the thank-you page, the form with the earlier answers, and the page of
// a closed survey.
func TestBrowserSurveyPages(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	s.ownCoordinators(demo.ILN)
	for _, p := range []struct{ email, country string }{{uniqueEmail("sv-a"), "NZ"}, {uniqueEmail("sv-b"), "GB"}} {
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
	pairs, err := s.store.ListPairs(ctx, demo.ILN, demo.ILNRound)
	if err != nil || len(pairs) != 1 {
		t.Fatalf("pairs: %v, %v", pairs, err)
	}
	pr := pairs[0]
	me := pr.Members[0].RegistrationID
	round, _ := s.store.GetRound(ctx, demo.ILN, demo.ILNRound)
	prog, _ := s.store.GetProgramme(ctx, demo.ILN)
	w, _ := prog.SurveyWindow(round, pairup.SurveyMid)
	noLink := survey.CheckInLink(s.signer, s.srv.URL, survey.CheckInRef{ProgrammeID: demo.ILN, RoundID: demo.ILNRound, PairID: pr.ID, RegistrationID: me, Answer: pairup.CheckInNo}, s.clock.Now().Add(survey.CheckInLinkTTL))
	surveyLink := survey.SurveyLink(s.signer, s.srv.URL, survey.SurveyRef{ProgrammeID: demo.ILN, RoundID: demo.ILNRound, Kind: pairup.SurveyMid, RegistrationID: me}, w.Closes.Add(survey.SurveyLinkGrace))

	bctx := browser(t)
	type c = chromedp.CSS
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, actions...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkAxe(t, bctx, name)
	}
	step("check-in page", chromedp.Navigate(noLink), chromedp.WaitVisible(c(`form[action="/checkin"] button`)))
	step("check-in answered", chromedp.Click(c(`form[action="/checkin"] button`)), chromedp.WaitVisible(c(`h1.message`)))
	if h := run(t, bctx, chromedp.Text(c(`h1`))); h != "Answer recorded" {
		t.Errorf("check-in answered: %q", h)
	}
	if c, err := s.store.GetCheckIn(ctx, demo.ILN, demo.ILNRound, pr.ID, me); err != nil || c.Answer != pairup.CheckInNo {
		t.Errorf("the browser's answer: %+v, %v", c, err)
	}
	step("check-in link used again", chromedp.Navigate(noLink), chromedp.WaitVisible(c(`h1.message`)))

	s.clock.Set(w.Opens.Add(24 * time.Hour))
	step("survey form", chromedp.Navigate(surveyLink), chromedp.WaitVisible(c(`form[action="/survey"] button`)))
	step("survey form with an error", chromedp.Click(c(`form[action="/survey"] button`)), chromedp.WaitVisible(c(`#summary`)))
	step("survey answered",
		chromedp.Click(c(`input[name="q.satisfaction"][value="5"]`)),
		chromedp.Click(c(`input[name="q.impact"][value="ideas"]`)),
		chromedp.SendKeys(c(`#f-comments`), "陳大文 says: <b>thanks</b>"),
		chromedp.Click(c(`form[action="/survey"] button`)), chromedp.WaitVisible(c(`h1.message`)))
	resp, err := s.store.GetSurveyResponse(ctx, demo.ILN, demo.ILNRound, pairup.SurveyMid, me)
	if err != nil || resp.Answers["satisfaction"][0] != "5" || resp.Answers["comments"][0] != "陳大文 says: <b>thanks</b>" {
		t.Fatalf("the browser's answers: %+v, %v", resp, err)
	}
	step("survey form with the earlier answers", chromedp.Navigate(surveyLink), chromedp.WaitVisible(c(`form[action="/survey"] button`)))
	if checked := run(t, bctx, chromedp.Evaluate[bool](`document.querySelector('input[name="q.satisfaction"][value="5"]').checked`)); !checked {
		t.Error("the form does not show the earlier answer")
	}
	s.clock.Set(w.Closes.Add(time.Hour))
	step("survey closed", chromedp.Navigate(surveyLink), chromedp.WaitVisible(c(`h1.message`)))
	if h := run(t, bctx, chromedp.Text(c(`h1`))); h != "This survey is closed" {
		t.Errorf("closed survey: %q", h)
	}
}
