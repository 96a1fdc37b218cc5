package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/demo"
	"github.com/pairup/pairup/shared/matchrun"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/roundtick"
	"github.com/pairup/pairup/shared/surveyweb"
)

// The round in progress (issue 10), end to end through the local stack: the hosted pages
// (signup and survey functions behind one server, as API Gateway routes them), the round-tick
// and match-run handlers, the table's stream and the mailer, all on the test's clock.

// zones gives each country of the 40-person round a time zone, so that local mornings fall
// at different UTC hours (daylight saving on both sides of the equator included).
var zones = map[string]string{
	"AU": "Australia/Sydney", "GB": "Europe/London", "KE": "Africa/Nairobi", "BR": "America/Sao_Paulo",
	"IN": "Asia/Kolkata", "CA": "America/Toronto", "NZ": "Pacific/Auckland", "ZA": "Africa/Johannesburg",
	"DE": "Europe/Berlin", "JP": "Asia/Tokyo", "MX": "America/Mexico_City", "NG": "Africa/Lagos",
	"PH": "Asia/Manila", "US": "America/Los_Angeles", "FR": "Europe/Paris", "SG": "Asia/Singapore",
}

// serveAll serves the signup and survey functions at the stack's URL, split by route as API
// Gateway splits them.
func (s *stack) serveAll() {
	s.t.Helper()
	signupH := s.h.Load().(http.Handler)
	surveyH, err := surveyweb.Handler(context.Background(), s.cfg, surveyweb.Deps{Clock: s.clock, Log: slog.New(slog.NewJSONHandler(s.logs, nil))})
	if err != nil {
		s.t.Fatal(err)
	}
	mux := http.NewServeMux()
	for _, route := range surveyweb.Routes {
		mux.Handle(route, surveyH)
	}
	mux.Handle("/", signupH)
	// A new box: an atomic.Value holds one concrete type, and the server reads s.h per request.
	h := &atomic.Value{}
	h.Store(http.Handler(mux))
	s.h = h
}

// ownCoordinators gives programme a coordinators' address no other test uses (the emulator's
// inbox is shared by the package's tests, and the demo's address gets every test's proposals).
func (s *stack) ownCoordinators(programmeID string) string {
	s.t.Helper()
	ctx := context.Background()
	p, err := s.store.GetProgramme(ctx, programmeID)
	if err != nil {
		s.t.Fatal(err)
	}
	p.Coordinators = []string{uniqueEmail("coordinators-" + programmeID)}
	if err := s.store.PutProgramme(ctx, p); err != nil {
		s.t.Fatal(err)
	}
	return p.Coordinators[0]
}

// roundTick returns the round-tick function's handler on the stack.
func (s *stack) roundTick() func(context.Context, roundtick.Event) (roundtick.Result, error) {
	s.t.Helper()
	h, err := roundtick.NewLambda(context.Background(), s.cfg, roundtick.Deps{Clock: s.clock, Log: quietLog()})
	if err != nil {
		s.t.Fatal(err)
	}
	return h
}

// drain waits until the outbox holds no unsent message, so that the clock can move on without
// expiring a lease under the mailer.
func (s *stack) drain() {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		due, err := s.store.UnsentMessages(context.Background(), 1)
		if err != nil {
			s.t.Fatal(err)
		}
		if len(due) == 0 {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the outbox still holds %s after 20 s", due[0])
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// tickHours runs a tick at every hour from start for hours hours, the clock set to each, the
// outbox drained after each; it returns how many emails the ticks queued.
func (s *stack) tickHours(h func(context.Context, roundtick.Event) (roundtick.Result, error), start time.Time, hours int) int {
	s.t.Helper()
	queued := 0
	for i := range hours {
		s.clock.Set(start.Add(time.Duration(i) * time.Hour))
		res, err := h(context.Background(), roundtick.Event{})
		if err != nil {
			s.t.Fatalf("tick at %s: %v", s.clock.Now(), err)
		}
		queued += res.Queued
		s.drain()
	}
	return queued
}

var (
	postForm    = regexp.MustCompile(`<form[^>]*method="post"[^>]*action="([^"]+)"`)
	hiddenToken = regexp.MustCompile(`name="t" value="([^"]*)"`)
	anyLink     = func(path string) *regexp.Regexp {
		return regexp.MustCompile(`https?://[^\s"<>]+` + regexp.QuoteMeta(path) + `\?t=[A-Za-z0-9._%-]+`)
	}
)

// press opens a link's page and presses its one button with extra form values, as a person
// does; it returns the page the GET showed and the POST's status and page (0 and "" if the
// page had no form).
func (s *stack) press(link string, extra url.Values) (getPage string, status int, page string) {
	s.t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		s.t.Fatal(err)
	}
	st, getPage := s.get(u.RequestURI())
	action, tok := postForm.FindStringSubmatch(getPage), hiddenToken.FindStringSubmatch(getPage)
	if st != http.StatusOK || action == nil || tok == nil {
		return getPage, st, ""
	}
	form := url.Values{"t": {html.UnescapeString(tok[1])}}
	for k, v := range extra {
		form[k] = v
	}
	status, page = s.post(html.UnescapeString(action[1]), form, nil)
	return getPage, status, page
}

// emailsWith returns addr's emails whose subject contains sub.
func emailsWith(t *testing.T, addr, sub string) []string {
	t.Helper()
	var out []string
	for _, m := range mails(t, addr) {
		if strings.Contains(m.Subject, sub) {
			out = append(out, m.Text)
		}
	}
	return out
}

// committedILN signs up and confirms 40 people through the hosted form (a quarter from AU,
// over the 20% cap; every country its own time zone) and commits the matching at the stack's
// clock.
func committedILN(t *testing.T, s *stack) []person {
	s.ownCoordinators(demo.ILN)
	others := []string{"GB", "KE", "BR", "IN", "CA", "NZ", "ZA", "DE", "JP", "MX", "NG", "PH", "US", "FR", "SG"}
	var people []person
	for i := range 40 {
		country := "AU"
		if i >= 10 {
			country = others[(i-10)%len(others)]
		}
		email := uniqueEmail(fmt.Sprintf("tick%02d", i))
		form := s.ilnForm(email)
		form.Set("name", fmt.Sprintf("Librarian %02d", i))
		form.Set("country", country)
		form.Set("timeZone", zones[country])
		people = append(people, person{name: form.Get("name"), email: email, country: country, form: form})
	}
	s.signUpAndConfirm(demo.ILN, people)
	h := s.matchRun()
	s.run(h, matchrun.Event{Action: matchrun.ActionCloseSignup, Programme: demo.ILN, Round: demo.ILNRound})
	if res := s.run(h, matchrun.Event{Action: matchrun.ActionMatch, Programme: demo.ILN, Round: demo.ILNRound, DryRun: dry(false)}); res.State != string(pairup.RoundActive) {
		t.Fatalf("commit: %+v", res)
	}
	s.drain()
	return people
}

// TestRoundInProgressILN is issue 10's end-to-end check on the 40-person iln round: ticks at
// every hour of the prompt day send each pair its next topic once, each recipient at their
// local morning, with the check-in; a check-in "no" reaches the coordinators, and the re-pair
// their alert carries introduces new partners (and is refused the second time); every
// participant answers the mid-round survey by their link, a resubmission replaces the first,
// a late one is refused, and the reminder goes only to those who had not answered.
func TestRoundInProgressILN(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	people := committedILN(t, s)
	s.serveAll()
	tick := s.roundTick()
	regs := map[string]pairup.Registration{}
	for _, r := range s.registrations(demo.ILN, demo.ILNRound) {
		regs[r.ID] = r
	}
	pairs, err := s.store.ListPairs(ctx, demo.ILN, demo.ILNRound)
	if err != nil {
		t.Fatal(err)
	}
	committed := pairs[0].CreatedAt
	p, err := s.store.GetProgramme(ctx, demo.ILN)
	if err != nil {
		t.Fatal(err)
	}
	paired := map[string]string{} // registration → pair
	for _, pr := range pairs {
		for _, m := range pr.Members {
			paired[m.RegistrationID] = pr.ID
		}
	}

	// Day 13 sends nothing; ticks at every hour around day 14 (in every zone) send each member
	// exactly one prompt (topic 2) and one check-in, queued at their local morning.
	if n := s.tickHours(tick, committed.Add(13*24*time.Hour).Truncate(time.Hour).Add(-12*time.Hour), 12); n != 0 {
		t.Fatalf("ticks before the prompt day queued %d emails", n)
	}
	start := committed.Add(14 * 24 * time.Hour).Truncate(24 * time.Hour).Add(-16 * time.Hour)
	if n := s.tickHours(tick, start, 48); n != 2*len(paired) {
		t.Fatalf("the prompt days queued %d emails, want %d (a prompt and a check-in for each of %d members)", n, 2*len(paired), len(paired))
	}
	if n := s.tickHours(tick, start.Add(10*time.Hour), 6); n != 0 {
		t.Fatalf("repeated ticks queued %d more emails", n)
	}
	for id, pairID := range paired {
		reg := regs[id]
		prompts := emailsWith(t, reg.Email, "topic")
		if len(prompts) != 1 || !strings.Contains(prompts[0], p.Topics[1]) {
			t.Errorf("%s (%s) has %d prompts, want one with topic 2: %q", reg.Name, reg.TimeZone, len(prompts), prompts)
		}
		q, err := s.store.GetMessage(ctx, fmt.Sprintf("prompt/%s/%s/%s/1/%s", demo.ILN, demo.ILNRound, pairID, id))
		if err != nil {
			t.Fatalf("%s's prompt: %v", reg.Name, err)
		}
		local := q.CreatedAt.In(pairup.Location(reg.TimeZone))
		if local.Hour() != 9 {
			t.Errorf("%s's prompt was queued at %s local (%s), not in the morning", reg.Name, local.Format("15:04 Mon 2 Jan"), reg.TimeZone)
		}
		if ci := emailsWith(t, reg.Email, "heard from"); len(ci) != 1 {
			t.Errorf("%s has %d check-ins, want 1", reg.Name, len(ci))
		}
	}

	// Check-in: a GET records nothing; the button records a "yes" once; a "no" alerts the
	// coordinators; a used or tampered link gets a clear page and changes nothing.
	var yesID, noID string
	for _, pr := range pairs {
		if len(pr.Members) == 2 && yesID == "" {
			yesID = pr.Members[0].RegistrationID
		} else if len(pr.Members) == 2 && noID == "" {
			noID = pr.Members[0].RegistrationID
		}
	}
	checkInLinks := func(id string) (yes, no string) {
		ci := emailsWith(t, regs[id].Email, "heard from")
		ls := anyLink("/checkin").FindAllString(ci[0], -1)
		for _, l := range ls {
			if strings.Contains(ci[0][strings.Index(ci[0], l)-40:strings.Index(ci[0], l)], "No") {
				no = l
			}
		}
		if len(ls) != 2 {
			t.Fatalf("check-in email has %d links:\n%s", len(ls), ci[0])
		}
		return ls[0], ls[1]
	}
	yes, _ := checkInLinks(yesID)
	_, no := checkInLinks(noID)
	u, _ := url.Parse(yes)
	if st, _ := s.get(u.RequestURI()); st != http.StatusOK {
		t.Fatalf("check-in page: %d", st)
	}
	if _, err := s.store.GetCheckIn(ctx, demo.ILN, demo.ILNRound, paired[yesID], yesID); pairup.ErrorCode(err) != pairup.ENOTFOUND {
		t.Fatalf("opening the check-in link recorded an answer (%v)", err)
	}
	if _, st, page := s.press(yes, nil); st != http.StatusOK || !strings.Contains(page, "Thank") {
		t.Fatalf("check-in yes: %d\n%.600s", st, page)
	}
	if c, err := s.store.GetCheckIn(ctx, demo.ILN, demo.ILNRound, paired[yesID], yesID); err != nil || c.Answer != pairup.CheckInYes {
		t.Fatalf("check-in yes recorded %+v, %v", c, err)
	}
	if getPage, st, page := s.press(yes, nil); page != "" || !strings.Contains(getPage, "already answered") {
		t.Errorf("a used check-in link: %d\n%.600s", st, getPage)
	}
	tampered := strings.Replace(no, "t=", "t=x", 1)
	if getPage, st, page := s.press(tampered, nil); page != "" || st != http.StatusBadRequest || !strings.Contains(getPage, "not valid") {
		t.Errorf("a tampered check-in link: %d\n%.600s", st, getPage)
	}
	coordinator := p.Coordinators[0]
	before := len(mails(t, coordinator))
	if _, st, page := s.press(no, nil); st != http.StatusOK {
		t.Fatalf("check-in no: %d\n%.600s", st, page)
	}
	alert := waitMails(t, coordinator, before+1)[before]
	if !strings.Contains(alert.Text, regs[noID].Name) || !strings.Contains(alert.Text, `"repair"`) {
		t.Fatalf("alert:\n%s", alert.Text)
	}

	// The re-pair the alert carries introduces new partners; the same event again is refused.
	jsonStart, jsonEnd := strings.Index(alert.Text, "{"), strings.LastIndex(alert.Text, "}")
	var ev matchrun.Event
	if err := json.Unmarshal([]byte(alert.Text[jsonStart:jsonEnd+1]), &ev); err != nil {
		t.Fatalf("the alert's event does not decode: %v\n%s", err, alert.Text)
	}
	s.drain()
	h := s.matchRun()
	res := s.run(h, ev)
	if len(res.Pairs) == 0 || res.Emails == nil || res.Emails.Participants < 2 {
		t.Fatalf("re-pair: %+v", res)
	}
	s.drain()
	after, err := s.store.ListPairs(ctx, demo.ILN, demo.ILNRound)
	if err != nil {
		t.Fatal(err)
	}
	var newPair *pairup.Pair
	for i, pr := range after {
		if pr.Active() && pr.Has(noID) {
			newPair = &after[i]
		}
		if pr.ID == paired[noID] && pr.Active() {
			t.Errorf("the replaced pair %s is still active", pr.ID)
		}
	}
	if newPair == nil {
		t.Fatalf("%s has no active pair after the re-pair", regs[noID].Name)
	}
	for _, m := range newPair.Members {
		reg := regs[m.RegistrationID]
		intros := emailsWith(t, reg.Email, "new partner")
		if len(intros) != 1 {
			for _, m := range mails(t, reg.Email) {
				t.Log(m.Subject)
			}
			t.Errorf("%s has %d new-partner emails, want 1", reg.Name, len(intros))
			continue
		}
		for _, o := range newPair.Members {
			if o.RegistrationID != m.RegistrationID && !strings.Contains(intros[0], regs[o.RegistrationID].Name) {
				t.Errorf("%s's introduction does not name %s", reg.Name, regs[o.RegistrationID].Name)
			}
		}
	}
	if _, err := h(ctx, ev); pairup.ErrorCode(err) != "" && !strings.Contains(err.Error(), "conflict") || err == nil {
		t.Errorf("the same re-pair again: %v", err)
	}

	// Mid-round survey: everyone in a pair is invited on their first local morning after it
	// opens; all but three answer (one twice); the reminder a week later goes to those three
	// only; after it closes, an answer is refused and nothing changes.
	round, err := s.store.GetRound(ctx, demo.ILN, demo.ILNRound)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := p.SurveyWindow(round, pairup.SurveyMid)
	after, _ = s.store.ListPairs(ctx, demo.ILN, demo.ILNRound)
	members := map[string]bool{}
	for _, pr := range after {
		if pr.Active() {
			for _, m := range pr.Members {
				members[m.RegistrationID] = true
			}
		}
	}
	if n := s.tickHours(tick, w.Opens.Add(-14*time.Hour), 48); n != len(members) {
		t.Fatalf("the survey's opening queued %d emails, want %d invitations", n, len(members))
	}
	answer := url.Values{"q.satisfaction": {"4"}, "q.heard": {"friend"}, "q.impact": {"contacts", "ideas"}, "q.comments": {"Great partner <b>really</b>"}}
	surveyLink := map[string]string{}
	i := 0
	var skipped []string
	for id := range members {
		reg := regs[id]
		inv := emailsWith(t, reg.Email, "survey")
		if len(inv) != 1 {
			t.Fatalf("%s has %d survey emails, want 1", reg.Name, len(inv))
		}
		surveyLink[id] = anyLink("/survey").FindString(inv[0])
		if i++; i <= 3 {
			skipped = append(skipped, id)
			continue
		}
		if _, st, page := s.press(surveyLink[id], answer); st != http.StatusOK || !strings.Contains(page, "Thank") {
			t.Fatalf("%s's survey: %d\n%.800s", reg.Name, st, page)
		}
	}
	// A resubmission replaces the first answers.
	again := skipped[0]
	skipped = skipped[1:]
	s.press(surveyLink[again], answer)
	changed := url.Values{"q.satisfaction": {"2"}, "q.heard": {"website"}}
	if getPage, st, _ := s.press(surveyLink[again], changed); st != http.StatusOK || !strings.Contains(getPage, `value="4" checked`) {
		t.Errorf("a resubmission: %d; the form did not show the earlier answer\n%.2000s", st, getPage)
	}
	resp, err := s.store.GetSurveyResponse(ctx, demo.ILN, demo.ILNRound, pairup.SurveyMid, again)
	if err != nil || resp.Submissions != 2 || resp.Answers["satisfaction"][0] != "2" || len(resp.Answers["impact"]) != 0 {
		t.Fatalf("after a resubmission: %+v, %v", resp, err)
	}
	// Bad answers: a clear message by the field, nothing stored.
	if _, st, page := s.press(surveyLink[skipped[0]], url.Values{"q.satisfaction": {"9"}}); st != http.StatusBadRequest || !strings.Contains(page, "1 to 5") {
		t.Errorf("a bad answer: %d\n%.800s", st, page)
	}
	if _, err := s.store.GetSurveyResponse(ctx, demo.ILN, demo.ILNRound, pairup.SurveyMid, skipped[0]); pairup.ErrorCode(err) != pairup.ENOTFOUND {
		t.Errorf("a bad answer was stored (%v)", err)
	}
	// The first reminder, a week on: only the two who have not answered.
	if n := s.tickHours(tick, w.Opens.Add(7*24*time.Hour-14*time.Hour), 48); n != len(skipped) {
		t.Errorf("the reminder day queued %d emails, want %d", n, len(skipped))
	}
	for id := range members {
		want := 1
		if id == skipped[0] || id == skipped[1] {
			want = 2
		}
		if got := len(emailsWith(t, regs[id].Email, "survey")); got != want {
			for _, m := range mails(t, regs[id].Email) {
				t.Log(m.Subject)
			}
			t.Errorf("%s has %d survey emails, want %d", regs[id].Name, got, want)
		}
	}
	for _, id := range skipped {
		if _, st, _ := s.press(surveyLink[id], answer); st != http.StatusOK {
			t.Errorf("%s's late-but-open survey: %d", regs[id].Name, st)
		}
	}
	responses, err := s.store.ListSurveyResponses(ctx, demo.ILN, demo.ILNRound, pairup.SurveyMid)
	if err != nil || len(responses) != len(members) {
		t.Fatalf("%d responses for %d participants (%v)", len(responses), len(members), err)
	}
	// After the survey closes: refused, nothing changed.
	s.clock.Set(w.Closes.Add(time.Hour))
	getPage, st, page := s.press(surveyLink[again], answer)
	if page != "" || !strings.Contains(getPage, "closed") {
		t.Errorf("a late survey page: %d\n%.600s", st, getPage)
	}
	u, _ = url.Parse(surveyLink[again])
	form := url.Values{"t": {u.Query().Get("t")}, "q.satisfaction": {"5"}}
	if st, page := s.post("/survey", form, nil); st == http.StatusOK || !strings.Contains(page, "closed") {
		t.Errorf("a late answer: %d\n%.600s", st, page)
	}
	if resp, _ := s.store.GetSurveyResponse(ctx, demo.ILN, demo.ILNRound, pairup.SurveyMid, again); resp.Submissions != 2 || resp.Answers["satisfaction"][0] != "2" {
		t.Errorf("a late answer changed the response: %+v", resp)
	}
	_ = people
}

// TestMenteeReportHKLA: in mentor mode the mentee report is mandatory: every placed mentee is
// invited when it opens (mentors are not); a week on, those who have sent it are not reminded,
// those who have not are, and the coordinators get the list of who is missing.
func TestMenteeReportHKLA(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	var people []person
	for i := range 2 {
		email := uniqueEmail(fmt.Sprintf("rmentor%d", i))
		f := url.Values{"name": {fmt.Sprintf("Mentor %d", i)}, "email": {email}, "timeZone": {"Asia/Hong_Kong"}, "role": {"mentor"}, "capacity": {"2"},
			"sector": {"academic"}, "careerStage": {"senior"}, "languages": {"en", "zh"}, "consent": {"yes"}}
		people = append(people, person{name: f.Get("name"), email: email, form: f})
	}
	for i := range 4 {
		email := uniqueEmail(fmt.Sprintf("rmentee%d", i))
		f := url.Values{"name": {fmt.Sprintf("Mentee %d", i)}, "email": {email}, "timeZone": {"Asia/Hong_Kong"}, "role": {"mentee"},
			"sector": {"student"}, "careerStage": {"student"}, "languages": {"en", "zh"}, "consent": {"yes"},
			"eligibility.member": {"yes"}, "eligibility.programme": {"yes"}}
		people = append(people, person{name: f.Get("name"), email: email, form: f})
	}
	s.ownCoordinators(demo.HKLA)
	s.signUpAndConfirm(demo.HKLA, people)
	h := s.matchRun()
	s.run(h, matchrun.Event{Action: matchrun.ActionCloseSignup, Programme: demo.HKLA, Round: demo.HKLARound})
	if res := s.run(h, matchrun.Event{Action: matchrun.ActionMatch, Programme: demo.HKLA, Round: demo.HKLARound, DryRun: dry(false)}); res.Counts.Pairs != 4 {
		t.Fatalf("commit: %+v", res.Counts)
	}
	s.drain()
	s.serveAll()
	tick := s.roundTick()
	p, _ := s.store.GetProgramme(ctx, demo.HKLA)
	round, _ := s.store.GetRound(ctx, demo.HKLA, demo.HKLARound)
	w, ok := p.SurveyWindow(round, pairup.SurveyReport)
	if !ok {
		t.Fatal("no report window in mentor mode")
	}
	// The report opens: an invitation to each mentee, none to mentors (the mid-round survey
	// went out months before, and is not ticked here).
	s.tickHours(tick, w.Opens.Add(-2*time.Hour), 30)
	var sent, missing []person
	for i, pp := range people {
		reports := emailsWith(t, pp.email, "report")
		switch {
		case i < 2 && len(reports) != 0:
			t.Errorf("mentor %s was asked for a mentee report", pp.name)
		case i >= 2 && len(reports) != 1:
			t.Fatalf("mentee %s has %d report emails, want 1", pp.name, len(reports))
		case i == 2 || i == 3:
			l := anyLink("/survey").FindString(reports[0])
			if _, st, page := s.press(l, url.Values{"q.meetings": {"3-5"}, "q.activities": {"Visited the archive"}, "q.learned": {"Cataloguing"}, "q.satisfaction": {"5"}}); st != http.StatusOK {
				t.Fatalf("%s's report: %d\n%.800s", pp.name, st, page)
			}
			sent = append(sent, pp)
		case i > 3:
			missing = append(missing, pp)
		}
	}
	coordinator := p.Coordinators[0]
	before := len(emailsWith(t, coordinator, "report"))
	// A week on: reminders to the two who have not sent it, and the coordinators told.
	s.tickHours(tick, w.Opens.Add(7*24*time.Hour-2*time.Hour), 30)
	for _, pp := range sent {
		if n := len(emailsWith(t, pp.email, "report")); n != 1 {
			t.Errorf("%s sent the report but has %d report emails", pp.name, n)
		}
	}
	for _, pp := range missing {
		if n := len(emailsWith(t, pp.email, "report")); n != 2 {
			t.Errorf("%s has not sent the report and has %d report emails, want 2", pp.name, n)
		}
	}
	digests := emailsWith(t, coordinator, "report")
	if len(digests) != before+1 {
		t.Fatalf("coordinators have %d report emails, want %d", len(digests), before+1)
	}
	last := digests[len(digests)-1]
	for _, pp := range missing {
		if !strings.Contains(last, pp.name) {
			t.Errorf("the coordinators' list lacks %s:\n%s", pp.name, last)
		}
	}
	for _, pp := range sent {
		if strings.Contains(last, pp.name) {
			t.Errorf("the coordinators' list names %s, who sent the report", pp.name)
		}
	}
}
