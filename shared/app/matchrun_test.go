package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/pairup/pairup/shared/demo"
	"github.com/pairup/pairup/shared/matchrun"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/roundtick"
)

// person is one signup through the hosted form.
type person struct {
	name, email, country string
	form                 url.Values
}

// signUpAndConfirm posts each person's form (a minute apart on the stack's clock, so signup
// order is well defined), then follows the link in each confirmation email. It waits for each
// confirmation before moving the clock on: a clock that jumps minutes while an email is between
// SES and its "sent" mark would expire the mailer's lease under it.
func (s *stack) signUpAndConfirm(programme string, people []person) {
	s.t.Helper()
	for _, p := range people {
		p.form.Set("ft", s.formToken(programme))
		if st, body := s.post("/p/"+programme+"/signup", p.form, nil); st != http.StatusOK {
			s.t.Fatalf("signup of %s: %d\n%.1000s", p.name, st, body)
		}
		waitMails(s.t, p.email, 1)
		s.clock.Advance(time.Minute)
	}
	for _, p := range people {
		if st, body := s.confirm(link(s.t, waitMails(s.t, p.email, 1)[0])); st != http.StatusOK || !strings.Contains(body, "Signup confirmed") {
			s.t.Fatalf("confirm %s: %d", p.name, st)
		}
	}
}

// matchRun returns the match-run function's handler on the stack.
func (s *stack) matchRun() func(context.Context, matchrun.Event) (matchrun.Result, error) {
	s.t.Helper()
	h, err := matchrun.NewLambda(context.Background(), s.cfg, matchrun.Deps{Clock: s.clock, Log: quietLog()})
	if err != nil {
		s.t.Fatal(err)
	}
	return h
}

func (s *stack) run(h func(context.Context, matchrun.Event) (matchrun.Result, error), ev matchrun.Event) matchrun.Result {
	s.t.Helper()
	res, err := h(context.Background(), ev)
	if err != nil {
		s.t.Fatalf("%s: %v", ev.Action, err)
	}
	return res
}

func dry(b bool) *bool { return &b }

// settle waits until each address has want emails, then until the outbox holds nothing unsent,
// and checks none has more: a duplicate, were one queued, is in the emulator by then.
func (s *stack) settle(t *testing.T, addrs []string, want int) {
	t.Helper()
	for _, a := range addrs {
		waitMails(t, a, want)
	}
	s.drain()
	for _, a := range addrs {
		if n := len(mails(t, a)); n != want {
			t.Errorf("%s has %d emails, want %d", a, n, want)
		}
	}
}

// TestMatchRunILN is issue 9's end-to-end check for peer mode: 40 signups through the hosted
// form, a quarter from one country, confirmed by their links; a dry run sends participants
// nothing and changes nothing; the commit sends each participant exactly one email; no pair
// shares a country; only people over the 20% country cap are left out, and they are told so; a
// second commit sends nothing.
func TestMatchRunILN(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	others := []string{"GB", "KE", "BR", "IN", "CA", "NZ", "ZA", "DE", "JP", "MX", "NG", "PH", "US", "FR", "SG"}
	var people []person
	for i := range 40 {
		country := "AU" // ten of forty: a quarter, over the 20% cap
		if i >= 10 {
			country = others[(i-10)%len(others)]
		}
		email := uniqueEmail(fmt.Sprintf("iln%02d", i))
		form := s.ilnForm(email)
		form.Set("name", fmt.Sprintf("Librarian %02d", i))
		form.Set("country", country)
		people = append(people, person{name: form.Get("name"), email: email, country: country, form: form})
	}
	s.signUpAndConfirm(demo.ILN, people)
	addrs := make([]string, len(people))
	for i, p := range people {
		addrs[i] = p.email
	}
	h := s.matchRun()
	ev := matchrun.Event{Action: matchrun.ActionMatch, Programme: demo.ILN, Round: demo.ILNRound}

	// Dry run: the whole proposal to the coordinators, nothing to participants, nothing written.
	ev.DryRun = dry(true)
	res := s.run(h, ev)
	if res.Counts == nil || res.Counts.Confirmed != 40 || res.Counts.DeferredByCountryCap == 0 || !strings.Contains(res.Summary, "Nothing was written") {
		t.Fatalf("dry run: %+v", res)
	}
	if r, _ := s.store.GetRound(ctx, demo.ILN, demo.ILNRound); r.State != pairup.RoundOpen {
		t.Fatalf("a dry run changed the round: %s", r.State)
	}
	if pairs, err := s.store.ListPairs(ctx, demo.ILN, demo.ILNRound); err != nil || len(pairs) != 0 {
		t.Fatalf("a dry run wrote %d pairs (%v)", len(pairs), err)
	}
	proposal := waitMails(t, "coordinators@iln.example.org", 1)[0]
	if !strings.Contains(proposal.Subject, "dry run") || !strings.Contains(proposal.HTML, "Librarian 1") {
		t.Errorf("proposal: %q\n%.500s", proposal.Subject, proposal.HTML)
	}
	s.settle(t, addrs, 1) // the confirmation only

	// Commit: close signup, then commit.
	s.run(h, matchrun.Event{Action: matchrun.ActionCloseSignup, Programme: demo.ILN, Round: demo.ILNRound})
	ev.DryRun = dry(false)
	res = s.run(h, ev)
	if res.State != string(pairup.RoundActive) || res.Emails == nil || res.Emails.Participants != 40 {
		t.Fatalf("commit: %+v", res)
	}
	s.settle(t, addrs, 2) // confirmation + exactly one from the commit
	pairs, err := s.store.ListPairs(ctx, demo.ILN, demo.ILNRound)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]pairup.Registration{}
	for _, r := range s.registrations(demo.ILN, demo.ILNRound) {
		byID[r.ID] = r
	}
	matched := 0
	for _, pr := range pairs {
		seen := map[string]bool{}
		for _, m := range pr.Members {
			c := byID[m.RegistrationID].Country
			if seen[c] {
				t.Errorf("pair %s has two people from %s", pr.ID, c)
			}
			seen[c] = true
			matched++
		}
	}
	outcomes, err := s.store.ListOutcomes(ctx, demo.ILN, demo.ILNRound)
	if err != nil || len(outcomes) != 40 {
		t.Fatalf("%d outcomes, %v", len(outcomes), err)
	}
	deferred := 0
	for _, o := range outcomes {
		reg := byID[o.RegistrationID]
		last := mails(t, reg.Email)
		body := last[len(last)-1].Text
		switch o.Kind {
		case pairup.OutcomePaired:
			if !strings.Contains(body, "partner") {
				t.Errorf("%s's introduction:\n%s", reg.Name, body)
			}
		case pairup.OutcomeDeferred:
			deferred++
			if reg.Country != "AU" || !strings.Contains(body, "20%") {
				t.Errorf("%s (%s) deferred; email:\n%s", reg.Name, reg.Country, body)
			}
		default:
			t.Errorf("%s left out (%s: %s); only people over the country cap may be", reg.Name, o.Kind, o.Reason)
		}
	}
	if deferred == 0 || matched+deferred != 40 {
		t.Errorf("%d matched, %d deferred of 40", matched, deferred)
	}
	commitProposal := waitMails(t, "coordinators@iln.example.org", 2)[1]
	if !strings.Contains(commitProposal.Subject, "committed") {
		t.Errorf("commit proposal subject %q", commitProposal.Subject)
	}

	// A second commit changes nothing and sends nothing.
	res = s.run(h, ev)
	if !strings.Contains(res.Summary, "nothing was sent") {
		t.Errorf("second commit: %s", res.Summary)
	}
	s.settle(t, addrs, 2)
}

// TestMatchRunHKLA is the mentor-mode check: 4 mentors taking 2 mentees each, 12 eligible
// mentees, the two final-year students among the last to sign up → 8 placed (the final-year
// students among them), 4 told their waitlist position; each mentor's one introduction names
// their mentees.
func TestMatchRunHKLA(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	var people []person
	base := func(name, email, role string) url.Values {
		return url.Values{
			"name": {name}, "email": {email}, "timeZone": {"Asia/Hong_Kong"}, "role": {role},
			"sector": {"academic"}, "careerStage": {"senior"}, "languages": {"en", "zh"}, "consent": {"yes"},
		}
	}
	for i := range 4 {
		email := uniqueEmail(fmt.Sprintf("mentor%d", i))
		f := base(fmt.Sprintf("Mentor %d", i), email, "mentor")
		f.Set("capacity", "2")
		people = append(people, person{name: f.Get("name"), email: email, form: f})
	}
	for i := range 12 {
		email := uniqueEmail(fmt.Sprintf("mentee%02d", i))
		f := base(fmt.Sprintf("Mentee %02d", i), email, "mentee")
		f.Set("sector", "student")
		f.Set("careerStage", "student")
		f.Set("eligibility.member", "yes")
		f.Set("eligibility.programme", "yes")
		if i >= 10 { // the last two to sign up are in their final year
			f.Set("priority", "yes")
		}
		people = append(people, person{name: f.Get("name"), email: email, form: f})
	}
	s.signUpAndConfirm(demo.HKLA, people)
	h := s.matchRun()
	s.run(h, matchrun.Event{Action: matchrun.ActionCloseSignup, Programme: demo.HKLA, Round: demo.HKLARound})
	res := s.run(h, matchrun.Event{Action: matchrun.ActionMatch, Programme: demo.HKLA, Round: demo.HKLARound, DryRun: dry(false)})
	if res.Counts.Pairs != 8 || res.Counts.Waitlisted != 4 {
		t.Fatalf("commit: %+v", res.Counts)
	}
	outcomes, err := s.store.ListOutcomes(ctx, demo.HKLA, demo.HKLARound)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]pairup.Registration{}
	for _, r := range s.registrations(demo.HKLA, demo.HKLARound) {
		byID[r.ID] = r
	}
	positions := map[int]bool{}
	for _, o := range outcomes {
		reg := byID[o.RegistrationID]
		ms := waitMails(t, reg.Email, 2)
		body := ms[len(ms)-1].Text
		switch {
		case reg.Role == pairup.RoleMentor:
			if o.Kind != pairup.OutcomePaired || len(o.PairIDs) != 2 {
				t.Errorf("%s: %s with %d mentees", reg.Name, o.Kind, len(o.PairIDs))
			}
		case reg.Priority && o.Kind != pairup.OutcomePaired:
			t.Errorf("final-year %s not placed: %s", reg.Name, o.Reason)
		case o.Kind == pairup.OutcomeWaitlisted:
			positions[o.Position] = true
			if !strings.Contains(body, fmt.Sprint(o.Position)) {
				t.Errorf("%s's waitlist email lacks position %d:\n%s", reg.Name, o.Position, body)
			}
		}
	}
	if len(positions) != 4 || !positions[1] || !positions[4] {
		t.Errorf("waitlist positions %v, want 1..4", positions)
	}
	// Each mentor's one introduction names both their mentees.
	pairs, _ := s.store.ListPairs(ctx, demo.HKLA, demo.HKLARound)
	for _, r := range byID {
		if r.Role != pairup.RoleMentor {
			continue
		}
		ms := mails(t, r.Email)
		if len(ms) != 2 {
			t.Fatalf("%s has %d emails, want 2", r.Name, len(ms))
		}
		for _, pr := range pairs {
			if pr.Members[0].RegistrationID == r.ID && !strings.Contains(ms[1].Text, byID[pr.Members[1].RegistrationID].Name) {
				t.Errorf("%s's introduction does not name %s", r.Name, byID[pr.Members[1].RegistrationID].Name)
			}
		}
	}
}

// TestMatchRunSampleEvents runs every events/match-run-*.json through the function's real
// Lambda handler: each decodes strictly, and does what its name says on the demo data.
func TestMatchRunSampleEvents(t *testing.T) {
	s := newStackWith(t, stackOptions{env: map[string]string{"PAIRUP_ALLOW_NOW": "true"}})
	h := s.matchRun()
	handler := lambda.NewHandler(h)
	// Two confirmed iln participants, with the addresses the samples name.
	var people []person
	for _, p := range []struct{ email, country string }{{"ada@example.org", "AU"}, {"bo@example.org", "GB"}, {"chen@example.org", "KE"}} {
		f := s.ilnForm(p.email)
		f.Set("country", p.country)
		people = append(people, person{name: p.email, email: p.email, form: f})
	}
	// The samples name fixed addresses, which other tests of the package also email (the
	// emulator's inbox is shared), so confirm in the store rather than by the emailed link.
	ctx := context.Background()
	for _, p := range people {
		p.form.Set("ft", s.formToken(demo.ILN))
		if st, _ := s.post("/p/"+demo.ILN+"/signup", p.form, nil); st != http.StatusOK {
			t.Fatalf("signup of %s: %d", p.email, st)
		}
		s.clock.Advance(time.Minute)
	}
	for _, r := range s.registrations(demo.ILN, demo.ILNRound) {
		if _, err := s.store.ConfirmRegistration(ctx, demo.ILN, demo.ILNRound, r.ID, s.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	order := []struct {
		file, want string
	}{
		{"match-run-open-round-iln.json", "Opened 2027 Round 2"},
		{"match-run-pin-iln.json", "1 pin(s)"},
		{"match-run-forbid-iln.json", "1 forbid(s)"},
		{"match-run-dry-run-iln.json", "Dry run for 2027 Round 1"},
		{"match-run-dry-run-hkla.json", "Dry run for 2027 Programme"},
		{"match-run-close-signup-iln.json", "is closed"},
		{"match-run-commit-iln.json", "Committed 2027 Round 1"},
		{"match-run-repair-iln.json", "Dry run: nothing was changed or sent. Re-pairing 1 person"},
		{"match-run-scheduled.json", "Scheduled matching"},
		{"match-run-commit-hkla.json", "open until"},
	}
	files, _ := filepath.Glob("../../events/match-run-*.json")
	if len(files) != len(order) {
		t.Errorf("%d match-run samples, the test knows %d", len(files), len(order))
	}
	for _, tc := range order {
		raw, err := os.ReadFile("../../events/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		var ev matchrun.Event
		if err := dec.Decode(&ev); err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		out, err := handler.Invoke(context.Background(), raw)
		text := string(out)
		if err != nil {
			text = err.Error()
		}
		if !strings.Contains(text, tc.want) {
			t.Errorf("%s: %s", tc.file, text)
		}
	}

	// The round-tick samples, on the round just committed (and hkla's, still open).
	tick := lambda.NewHandler(s.roundTick())
	ticks := []struct{ file, want string }{
		{"round-tick-scheduled.json", "emails queued for 1 active rounds"},
		{"round-tick-rehearse-day-14-iln.json", `"checkIns": 2`},
		{"round-tick-rehearse-mid-survey-iln.json", `"surveyInvites": 2`},
		{"round-tick-rehearse-report-reminder-hkla.json", "commit its matching first"},
	}
	files, _ = filepath.Glob("../../events/round-tick-*.json")
	if len(files) != len(ticks) {
		t.Errorf("%d round-tick samples, the test knows %d", len(files), len(ticks))
	}
	for _, tc := range ticks {
		raw, err := os.ReadFile("../../events/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		var ev roundtick.Event
		if err := dec.Decode(&ev); err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		out, err := tick.Invoke(context.Background(), raw)
		text := strings.ReplaceAll(string(out), `":`, `": `)
		if err != nil {
			text = err.Error()
		}
		if !strings.Contains(text, tc.want) {
			t.Errorf("%s: %s", tc.file, text)
		}
	}
}
