package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/pairup/pairup/shared/demo"
	"github.com/pairup/pairup/shared/erasure"
	"github.com/pairup/pairup/shared/matchrun"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/roundclose"
)

// Round close (issue 11 point 1), end to end through the local stack: the round-close and
// round-tick handlers, the survey function's pages, the table's stream and the mailer, on the
// test's clock.

// roundClose returns the round-close function's handler on the stack.
func (s *stack) roundClose() func(context.Context, roundclose.Event) (roundclose.Result, error) {
	s.t.Helper()
	h, err := roundclose.NewLambda(context.Background(), s.cfg, roundclose.Deps{Clock: s.clock, Log: quietLog()})
	if err != nil {
		s.t.Fatal(err)
	}
	return h
}

// closeSubject is in the subject of the (English) close email, and of no other.
const closeSubject = "has come to an end"

// TestRoundCloseILN runs the committed 40-person iln round to its close: the close sends each
// participant their close email once and a second close sends nothing; the continue and
// conclude links' pages change nothing until their button records the choice, once; the
// end-of-round survey is answered through the close email's link, and its reminder goes only
// to those who have not answered; finalise freezes statistics that match what was done, and a
// second finalise changes nothing.
func TestRoundCloseILN(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	committedILN(t, s)
	s.serveAll()
	closeRound := s.roundClose()
	tick := s.roundTick()
	p, err := s.store.GetProgramme(ctx, demo.ILN)
	if err != nil {
		t.Fatal(err)
	}
	round, err := s.store.GetRound(ctx, demo.ILN, demo.ILNRound)
	if err != nil {
		t.Fatal(err)
	}
	regs := map[string]pairup.Registration{}
	for _, r := range s.registrations(demo.ILN, demo.ILNRound) {
		regs[r.ID] = r
	}
	pairs, err := s.store.ListPairs(ctx, demo.ILN, demo.ILNRound)
	if err != nil {
		t.Fatal(err)
	}
	// Two-person pairs first: the choices below count pairs by their two members' answers, and
	// a trio (there may be one) would leave its third member without one.
	slices.SortStableFunc(pairs, func(a, b pairup.Pair) int { return len(a.Members) - len(b.Members) })
	var members []string // everyone in a pair, in pair order
	for _, pr := range pairs {
		for _, m := range pr.Members {
			members = append(members, m.RegistrationID)
		}
	}
	if len(pairs) < 6 || len(members) >= len(regs) {
		t.Fatalf("%d pairs of %d people among %d registrations: the round needs pairs and people left out", len(pairs), len(members), len(regs))
	}
	before := map[string]int{}
	for _, r := range regs {
		before[r.Email] = len(mails(t, r.Email))
	}

	// The close, an hour after the round ends: one email per member of each pair.
	s.clock.Set(round.Ends.Add(time.Hour))
	ev := roundclose.Event{Action: roundclose.ActionClose, Programme: demo.ILN, Round: demo.ILNRound}
	res, err := closeRound(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	if want := (roundclose.Counts{Pairs: len(pairs), Participants: len(members), Queued: len(members)}); *res.Counts != want || res.State != string(pairup.RoundClosing) {
		t.Fatalf("close: %s %+v, want %+v", res.Summary, res.Counts, want)
	}
	s.drain()
	for _, id := range members {
		waitMails(t, regs[id].Email, before[regs[id].Email]+1)
	}
	// A second close queues nothing, and nothing more arrives.
	res, err = closeRound(ctx, ev)
	if err != nil || res.Counts.Queued != 0 {
		t.Fatalf("a second close: %+v, %v", res.Counts, err)
	}
	s.drain()
	time.Sleep(time.Second) // give a duplicate time to arrive
	closeEmail := map[string]string{}
	for id, r := range regs {
		got := emailsWith(t, r.Email, closeSubject)
		want := 0
		if slices.Contains(members, id) {
			want = 1
		}
		if len(got) != want || len(mails(t, r.Email)) != before[r.Email]+want {
			t.Errorf("%s has %d close emails and %d emails in all, want %d and %d", r.Name, len(got), len(mails(t, r.Email)), want, before[r.Email]+want)
			continue
		}
		if want == 1 {
			closeEmail[id] = got[0]
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	if got, _ := s.store.GetRound(ctx, demo.ILN, demo.ILNRound); got.State != pairup.RoundClosing {
		t.Fatalf("the round is %s after the close", got.State)
	}
	for _, pr := range pairs {
		for _, m := range pr.Members {
			for _, o := range pr.Members {
				if o.RegistrationID != m.RegistrationID && !strings.Contains(closeEmail[m.RegistrationID], regs[o.RegistrationID].Name) {
					t.Errorf("%s's close email does not name %s", regs[m.RegistrationID].Name, regs[o.RegistrationID].Name)
				}
			}
		}
	}
	// choice returns a member's continue or conclude link from their close email.
	choice := func(id string, c pairup.ContinueChoice) string {
		ls := anyLink("/continue").FindAllString(closeEmail[id], -1)
		if len(ls) != 2 {
			t.Fatalf("%s's close email has %d continue links:\n%s", regs[id].Name, len(ls), closeEmail[id])
		}
		if c == pairup.ChoiceConclude {
			return ls[1]
		}
		return ls[0]
	}

	// Continue and conclude: pair 0 both continue; pair 1 one continues, one concludes; pair 2
	// one continues, the other says nothing; pair 3 one concludes; the others say nothing.
	type pick struct {
		pair, member int
		choice       pairup.ContinueChoice
	}
	picks := []pick{{0, 0, pairup.ChoiceContinue}, {0, 1, pairup.ChoiceContinue}, {1, 0, pairup.ChoiceContinue}, {1, 1, pairup.ChoiceConclude},
		{2, 0, pairup.ChoiceContinue}, {3, 1, pairup.ChoiceConclude}}
	for i, pk := range picks {
		pr := pairs[pk.pair]
		id := pr.Members[pk.member].RegistrationID
		link := choice(id, pk.choice)
		if i == 0 {
			// Opening the link changes nothing.
			u, _ := url.Parse(link)
			if st, page := s.get(u.RequestURI()); st != http.StatusOK || !strings.Contains(page, "Continue on your own") || !strings.Contains(page, `action="/continue"`) {
				t.Fatalf("the continue page: %d\n%.1500s", st, page)
			}
			if _, err := s.store.GetContinue(ctx, demo.ILN, demo.ILNRound, pr.ID, id); pairup.ErrorCode(err) != pairup.ENOTFOUND {
				t.Fatalf("opening the continue link recorded a choice (%v)", err)
			}
		}
		if _, st, page := s.press(link, nil); st != http.StatusOK || !strings.Contains(page, "Choice recorded") {
			t.Fatalf("%s's %s: %d\n%.1500s", regs[id].Name, pk.choice, st, page)
		}
		if a, err := s.store.GetContinue(ctx, demo.ILN, demo.ILNRound, pr.ID, id); err != nil || a.Choice != pk.choice {
			t.Fatalf("%s's %s recorded %+v, %v", regs[id].Name, pk.choice, a, err)
		}
	}
	// A second use, of either link, is refused: the page says so, a POST is a conflict, the
	// choice stands.
	first := pairs[0].Members[0].RegistrationID
	for _, c := range []pairup.ContinueChoice{pairup.ChoiceContinue, pairup.ChoiceConclude} {
		link := choice(first, c)
		if getPage, _, page := s.press(link, nil); page != "" || !strings.Contains(getPage, "Already chosen") {
			t.Errorf("a used %s link's page:\n%.1500s", c, getPage)
		}
		u, _ := url.Parse(link)
		if st, page := s.post("/continue", url.Values{"t": {u.Query().Get("t")}}, nil); st != http.StatusConflict || !strings.Contains(page, "You chose to continue on your own") {
			t.Errorf("a used %s link's POST: %d\n%.1500s", c, st, page)
		}
	}
	if a, _ := s.store.GetContinue(ctx, demo.ILN, demo.ILNRound, pairs[0].ID, first); a.Choice != pairup.ChoiceContinue {
		t.Errorf("a refused choice changed the answer: %+v", a)
	}

	// The end-of-round survey, through the close email's link: pairs 0 and 4 answer.
	var answered []string
	for _, pr := range []pairup.Pair{pairs[0], pairs[4]} {
		for _, m := range pr.Members {
			link := anyLink("/survey").FindString(closeEmail[m.RegistrationID])
			answer := url.Values{"q.satisfaction": {"5"}, "q.again": {"yes"}, "q.comments": {"Thank you <3"}}
			if _, st, page := s.press(link, answer); st != http.StatusOK || !strings.Contains(page, "Thank") {
				t.Fatalf("%s's end survey: %d\n%.1500s", regs[m.RegistrationID].Name, st, page)
			}
			answered = append(answered, m.RegistrationID)
		}
	}
	if rs, err := s.store.ListSurveyResponses(ctx, demo.ILN, demo.ILNRound, pairup.SurveyEnd); err != nil || len(rs) != len(answered) {
		t.Fatalf("%d end-survey responses, want %d (%v)", len(rs), len(answered), err)
	}

	// Round-tick on a closing round: no topics, check-ins or survey invitations (the close
	// email invited); a week after the survey opens, one reminder to each who has not answered.
	w, _ := p.SurveyWindow(round, pairup.SurveyEnd)
	if n := s.tickHours(tick, round.Ends.Add(time.Hour), 24); n != 0 {
		t.Fatalf("ticks after the close queued %d emails", n)
	}
	if n := s.tickHours(tick, w.Opens.Add(7*24*time.Hour-14*time.Hour), 48); n != len(members)-len(answered) {
		t.Fatalf("the reminder day queued %d emails, want %d", n, len(members)-len(answered))
	}
	s.drain()
	for _, id := range members {
		want := 1
		if slices.Contains(answered, id) {
			want = 0
		}
		if got := len(emailsWith(t, regs[id].Email, "Reminder: how was it?")); got != want {
			t.Errorf("%s has %d end-survey reminders, want %d", regs[id].Name, got, want)
		}
	}

	// Finalise: the round closes with statistics that match what was done.
	s.clock.Set(w.Opens.Add(9 * 24 * time.Hour))
	res, err = closeRound(ctx, roundclose.Event{Action: roundclose.ActionFinalise, Programme: demo.ILN, Round: demo.ILNRound})
	if err != nil {
		t.Fatal(err)
	}
	m := round.Matching
	want := pairup.RoundStats{
		Registrations: m.Registrations, Confirmed: m.Confirmed, Participants: m.Matched, Countries: m.Countries,
		Pairs: m.Pairs, Trios: m.Trios, Deferred: m.Deferred, Waitlisted: m.Waitlisted, Unmatched: m.Unmatched,
		CheckIns:     pairup.CheckInCounts{None: len(members)}, // nobody answered a check-in in this test
		PairsAtClose: len(pairs), ContinuedPairs: 1, ConcludedPairs: 2, PartialPairs: 1, NoChoicePairs: len(pairs) - 4,
		Surveys: map[pairup.SurveyKind]pairup.SurveyRate{
			pairup.SurveyMid: {}, // no mid-round survey was sent in this test
			pairup.SurveyEnd: {Invited: len(members), Responded: len(answered)},
		},
		ClosedAt: s.clock.Now(),
	}
	if m.Registrations != len(regs) || m.Matched != len(members) || m.Pairs != len(pairs) || m.Deferred != len(regs)-len(members) {
		t.Errorf("the matching's counts do not match the round: %+v", m)
	}
	closed, err := s.store.GetRound(ctx, demo.ILN, demo.ILNRound)
	if err != nil {
		t.Fatal(err)
	}
	if closed.State != pairup.RoundClosed || closed.Stats == nil || !reflect.DeepEqual(*closed.Stats, want) || !reflect.DeepEqual(res.Stats, closed.Stats) {
		t.Fatalf("finalise: %s\nstored %+v\nwant   %+v", res.Summary, closed.Stats, want)
	}
	// A second finalise changes nothing and says the round is closed, with the frozen stats.
	s.clock.Advance(time.Hour)
	res, err = closeRound(ctx, roundclose.Event{Action: roundclose.ActionFinalise, Programme: demo.ILN, Round: demo.ILNRound})
	if err == nil || !strings.Contains(err.Error(), "already closed") || res.Stats == nil || !reflect.DeepEqual(*res.Stats, want) {
		t.Errorf("a second finalise: %+v, %v", res, err)
	}
	if again, _ := s.store.GetRound(ctx, demo.ILN, demo.ILNRound); !reflect.DeepEqual(again, closed) {
		t.Errorf("a second finalise changed the round:\n%+v\n%+v", again, closed)
	}
	if _, err := closeRound(ctx, ev); err == nil || !strings.Contains(err.Error(), "conflict") {
		t.Errorf("a close of the closed round: %v", err)
	}
	// After the close, a choice is refused and nothing is recorded.
	last := pairs[len(pairs)-1].Members[0].RegistrationID
	if getPage, _, page := s.press(choice(last, pairup.ChoiceContinue), nil); page != "" || !strings.Contains(getPage, "This choice is closed") {
		t.Errorf("a choice after the close:\n%.1500s", getPage)
	}
	if all, _ := s.store.ListContinues(ctx, demo.ILN, demo.ILNRound); len(all) != len(picks) {
		t.Errorf("%d continue answers, want %d", len(all), len(picks))
	}

	// An erasure after the close (a participant who answered the end survey in free text and
	// chose to continue): no trace of their email or name anywhere in the table, and the closed
	// round's frozen statistics are unchanged.
	gone := regs[first]
	frozen := s.frozenStats(demo.ILN, demo.ILNRound)
	if len(naming(s.scanTable(), gone.Email)) == 0 {
		t.Fatal("the table holds no trace of the person before the erasure: the check below could not fail")
	}
	if _, err := s.eraseFn()(ctx, erasure.Event{Action: erasure.ActionErase, Email: gone.Email}); err != nil {
		t.Fatalf("erase: %v", err)
	}
	if left := naming(s.scanTable(), gone.Email, gone.Name); len(left) > 0 {
		t.Errorf("after the erasure, %d items still name the person:\n%s", len(left), strings.Join(left, "\n"))
	}
	if got := s.frozenStats(demo.ILN, demo.ILNRound); got != frozen {
		t.Errorf("the erasure changed the frozen statistics:\n%s\n%s", got, frozen)
	}
}

// TestRoundCloseSampleEvents runs every events/round-close-*.json through the function's real
// Lambda handler on a committed round: each decodes strictly, and does what its name says.
func TestRoundCloseSampleEvents(t *testing.T) {
	s := newStackWith(t, stackOptions{env: map[string]string{"PAIRUP_ALLOW_NOW": "true"}})
	ctx := context.Background()
	var people []person
	for _, country := range []string{"AU", "GB"} {
		email := uniqueEmail("close-sample-" + strings.ToLower(country))
		f := s.ilnForm(email)
		f.Set("country", country)
		people = append(people, person{name: email, email: email, country: country, form: f})
	}
	coordinators := s.ownCoordinators(demo.ILN)
	s.signUpAndConfirm(demo.ILN, people)
	h := s.matchRun()
	s.run(h, matchrun.Event{Action: matchrun.ActionCloseSignup, Programme: demo.ILN, Round: demo.ILNRound})
	if res := s.run(h, matchrun.Event{Action: matchrun.ActionMatch, Programme: demo.ILN, Round: demo.ILNRound, DryRun: dry(false)}); res.Counts.Pairs != 1 {
		t.Fatalf("commit: %+v", res.Counts)
	}
	s.drain()
	handler := lambda.NewHandler(s.roundClose())
	order := []struct{ file, want string }{
		{"round-close-scheduled.json", "nothing to do"},
		{"round-close-iln.json", "2027 Round 1 (International Librarians Network) is closing: 1 pairs are asked"},
		{"round-close-finalise-iln.json", "is closed; its statistics are frozen"},
		{"round-close-finalise-iln.json", "already closed"},
		{"round-close-report-iln.json", "The report of 2027 Round 1 (International Librarians Network), which is closed"},
		{"round-close-iln.json", "its close emails went out then"},
	}
	files, _ := filepath.Glob("../../events/round-close-*.json")
	if len(files) != 4 {
		t.Errorf("%d round-close samples, the test knows 4: %v", len(files), files)
	}
	for _, tc := range order {
		raw, err := os.ReadFile("../../events/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		var ev roundclose.Event
		if err := dec.Decode(&ev); err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		out, err := handler.Invoke(ctx, raw)
		text := string(out)
		if err != nil {
			text = err.Error()
		}
		if !strings.Contains(text, tc.want) {
			t.Errorf("%s: %s", tc.file, text)
		}
	}
	for _, pp := range people {
		if n := len(emailsWith(t, pp.email, closeSubject)); n > 1 {
			t.Errorf("%s has %d close emails", pp.email, n)
		}
		waitMails(t, pp.email, 3) // confirmation, introduction, close
	}
	s.drain()
	if n := len(emailsWith(t, coordinators, "eport: ")); n != 2 { // the final report, and the one asked for
		t.Errorf("the coordinators have %d reports, want 2", n)
	}
}
