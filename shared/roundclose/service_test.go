package roundclose

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/localenv"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/roundtick"
	"github.com/pairup/pairup/shared/store"
)

// The service runs against DynamoDB Local, started once for the package, with the real store
// and templates; the outbox is read back to see what was queued.
var ddbEndpoint string

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() { // make test-short: the tests that need DynamoDB Local skip
		os.Exit(m.Run())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	svc, err := localenv.StartDynamoDB(ctx, 0)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "roundclose tests need DynamoDB Local:", err)
		os.Exit(1)
	}
	ddbEndpoint = svc.Endpoint
	code := m.Run()
	svc.Stop()
	os.Exit(code)
}

// ends is when the test round ends; the tests' clock starts an hour later.
var ends = time.Date(2027, 5, 3, 0, 0, 0, 0, time.UTC)

type fixture struct {
	t     *testing.T
	svc   *Service
	st    *store.Store
	clock *pairup.ManualClock
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	if ddbEndpoint == "" {
		t.Skip("needs DynamoDB Local (not under -short)")
	}
	ctx := context.Background()
	client := localenv.DynamoDBClient(ddbEndpoint)
	table := fmt.Sprintf("roundclose-%d", time.Now().UnixNano())
	if err := store.CreateTable(ctx, client, table); err != nil {
		t.Fatal(err)
	}
	clock := pairup.NewManualClock(ends.Add(time.Hour))
	st := store.New(client, table, clock)
	signer, err := links.NewSigner([]byte("0123456789abcdef0123456789abcdef-roundclose"))
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := mail.NewTemplates()
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, st: st, clock: clock, svc: &Service{Store: st, Templates: tpl, Links: signer, Clock: clock,
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), BaseURL: "https://forms.example.org"}}
}

func (f *fixture) ok(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// programme stores a programme in mode with coordinators.
func (f *fixture) programme(id string, mode pairup.Mode) *pairup.Programme {
	p := &pairup.Programme{ID: id, Name: "Programme " + id, Mode: mode, Locale: "en", Coordinators: []string{"coord@example.org"},
		Sectors: []pairup.Option{{Value: "academic", Label: "Academic"}}, Stages: []pairup.Option{{Value: "student", Label: "Student"}},
		Interests: []pairup.Option{{Value: "cataloguing", Label: "Cataloguing"}}, Rules: pairup.Rules{MaxMentees: 3, SameCountryAllowed: true}}
	f.ok(f.st.PutProgramme(context.Background(), p))
	return p
}

// round stores a round of programme p in state, ending at ends (its end-of-round survey open
// from then for 28 days), committed with stats m.
func (f *fixture) round(p *pairup.Programme, id string, state pairup.RoundState, end time.Time, m *pairup.MatchStats) *pairup.Round {
	r := &pairup.Round{ProgrammeID: p.ID, ID: id, Name: "Round " + id, State: state, SignupOpens: end.AddDate(0, -6, 0),
		SignupCloses: end.AddDate(0, -5, 0), Starts: end.AddDate(0, -4, 0), Ends: end, UpdatedAt: end.AddDate(0, -4, 0), Matching: m}
	f.ok(f.st.CreateRound(context.Background(), r))
	return r
}

// people registers and confirms each id in round r (name "Person <id>", role by the map).
func (f *fixture) people(r *pairup.Round, roles map[string]pairup.Role, ids ...string) {
	ctx := context.Background()
	for _, id := range ids {
		role := roles[id]
		if role == "" {
			role = pairup.RolePeer
		}
		reg := &pairup.Registration{ID: id, ProgrammeID: r.ProgrammeID, RoundID: r.ID, Name: "Person " + id, Email: id + "-" + r.ID + "@example.org",
			Country: "AU", Languages: []string{"en"}, TimeZone: "Australia/Sydney", Sector: "academic", CareerStage: "student",
			Preference: pairup.PreferAny, Role: role, Capacity: map[bool]int{true: 2}[role == pairup.RoleMentor], Locale: "en",
			Status: pairup.StatusPending, ConsentAt: r.SignupOpens, CreatedAt: r.SignupOpens}
		if id == "zh" {
			reg.Locale = "zh-Hant"
		}
		_, _, err := f.st.Register(ctx, reg, f.clock.Now().Add(time.Hour), mail.Message{Key: "confirm/" + r.ID + "/" + id, To: reg.Email,
			Subject: "s", Text: "t", ListUnsubscribe: "https://x"})
		f.ok(err)
		_, err = f.st.ConfirmRegistration(ctx, r.ProgrammeID, r.ID, id, r.SignupOpens)
		f.ok(err)
	}
}

func (f *fixture) pairs(r *pairup.Round, groups ...[]string) {
	var ps []pairup.Pair
	for _, g := range groups {
		pr := pairup.Pair{ID: pairup.PairID(g...), Reasons: []string{"shared interest"}, CreatedAt: r.Starts}
		for _, id := range g {
			pr.Members = append(pr.Members, pairup.PairMember{RegistrationID: id})
		}
		ps = append(ps, pr)
	}
	f.ok(f.st.WritePlan(context.Background(), r.ProgrammeID, r.ID, ps, nil))
}

func (f *fixture) message(key string) *mail.Queued {
	f.t.Helper()
	q, err := f.st.GetMessage(context.Background(), key)
	if err != nil {
		f.t.Fatalf("message %s: %v", key, err)
	}
	return q
}

func (f *fixture) handle(ev Event) (Result, error) { return f.svc.Handle(context.Background(), ev) }

// A close moves the round to closing and queues one email per member of each running pair,
// with the partners' names, the two choices and the end-of-round survey; a second close
// queues nothing new; a round closing after a crash gets its emails.
func TestClose(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.programme("iln", pairup.ModePeer)
	r := f.round(p, "r1", pairup.RoundActive, ends, &pairup.MatchStats{Matched: 7, Pairs: 3, Trios: 1})
	f.people(r, nil, "a", "b", "c", "d", "e", "zh", "x", "y")
	f.pairs(r, []string{"a", "b"}, []string{"c", "d", "e"}, []string{"zh", "x"}, []string{"x", "y"})
	// x+y ended by a re-pair; zh+x is its replacement.
	f.ok(f.st.Repair(ctx, "iln", "r1", []string{"x+y"}, pairup.PairEndRepaired, r.Starts.AddDate(0, 1, 0), nil, nil, nil))

	res, err := f.handle(Event{Programme: "iln", Round: "r1"}) // close is the default action
	f.ok(err)
	want := Counts{Pairs: 3, Participants: 7, Queued: 7}
	if res.Action != ActionClose || res.State != string(pairup.RoundClosing) || *res.Counts != want ||
		!strings.Contains(res.Summary, "3 pairs are asked to continue on their own or conclude; 7 close emails newly queued") ||
		!strings.Contains(res.Summary, "until 30 May 2027") {
		t.Fatalf("close: %+v %+v", res, res.Counts)
	}
	if got, _ := f.st.GetRound(ctx, "iln", "r1"); got.State != pairup.RoundClosing || !got.UpdatedAt.Equal(f.clock.Now()) {
		t.Fatalf("round %+v", got)
	}
	a := f.message(CloseKey("iln", "r1", "a"))
	if a.To != "a-r1@example.org" || !strings.Contains(a.Subject, "has come to an end") || !strings.Contains(a.Text, "for the time you gave to Person b.") ||
		strings.Count(a.Text, "https://forms.example.org/continue?t=") != 2 || strings.Count(a.Text, "https://forms.example.org/survey?t=") != 1 ||
		!strings.Contains(a.Text, "The survey closes on 31 May 2027.") || !strings.Contains(a.Text, "coord@example.org") || a.ListUnsubscribe == "" {
		t.Errorf("a's close email:\n%s\n%s", a.Subject, a.Text)
	}
	if c := f.message(CloseKey("iln", "r1", "c")); !strings.Contains(c.Text, "Person d and Person e") {
		t.Errorf("c's close email does not name both trio partners:\n%s", c.Text)
	}
	if zh := f.message(CloseKey("iln", "r1", "zh")); !strings.Contains(zh.Subject, "已經結束") || !strings.Contains(zh.Text, "問卷將於2027年5月31日截止") {
		t.Errorf("zh's close email is not in Chinese:\n%s\n%s", zh.Subject, zh.Text)
	}
	if x := f.message(CloseKey("iln", "r1", "x")); strings.Contains(x.Text, "Person y") || strings.Count(x.Text, "/continue?t=") != 2 {
		t.Errorf("x's close email offers a choice for the ended pair:\n%s", x.Text)
	}
	if _, err := f.st.GetMessage(ctx, CloseKey("iln", "r1", "y")); pairup.ErrorCode(err) != pairup.ENOTFOUND {
		t.Errorf("y, whose pair ended, got a close email (%v)", err)
	}

	t.Run("Again", func(t *testing.T) {
		f.clock.Advance(time.Hour)
		res, err := f.handle(Event{Action: ActionClose, Programme: "iln", Round: "r1"})
		f.ok(err)
		if *res.Counts != (Counts{Pairs: 3, Participants: 7, Queued: 0}) || !strings.Contains(res.Summary, "(7 were queued before)") {
			t.Errorf("a second close: %+v %+v", res, res.Counts)
		}
		if a2 := f.message(CloseKey("iln", "r1", "a")); a2.Text != a.Text || !a2.CreatedAt.Equal(a.CreatedAt) {
			t.Error("a second close replaced the first email")
		}
	})
}

// A crash between the move to closing and the emails: the next close (or the schedule's)
// queues them.
func TestCloseHeals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.programme("iln", pairup.ModePeer)
	r := f.round(p, "r1", pairup.RoundActive, ends, &pairup.MatchStats{})
	f.people(r, nil, "a", "b")
	f.pairs(r, []string{"a", "b"})
	_, err := f.st.TransitionRound(ctx, "iln", "r1", pairup.RoundActive, pairup.RoundClosing, f.clock.Now())
	f.ok(err)
	_, err = f.st.Enqueue(ctx, []mail.Message{{Key: CloseKey("iln", "r1", "a"), To: "a-r1@example.org", Subject: "s", Text: "t", ListUnsubscribe: "https://x"}})
	f.ok(err)
	res, err := f.handle(Event{Action: ActionClose, Programme: "iln", Round: "r1"})
	f.ok(err)
	if *res.Counts != (Counts{Pairs: 1, Participants: 2, Queued: 1}) {
		t.Errorf("healing close: %+v", res.Counts)
	}
	f.message(CloseKey("iln", "r1", "b"))
}

// A mentor with two mentees gets one email with a choice for each; each mentee one choice.
func TestCloseMentor(t *testing.T) {
	f := newFixture(t)
	p := f.programme("hk", pairup.ModeMentor)
	r := f.round(p, "r1", pairup.RoundActive, ends, &pairup.MatchStats{})
	f.people(r, map[string]pairup.Role{"m": pairup.RoleMentor, "e1": pairup.RoleMentee, "e2": pairup.RoleMentee}, "m", "e1", "e2")
	f.pairs(r, []string{"m", "e1"}, []string{"m", "e2"})
	res, err := f.handle(Event{Action: ActionClose, Programme: "hk", Round: "r1"})
	f.ok(err)
	if *res.Counts != (Counts{Pairs: 2, Participants: 3, Queued: 3}) {
		t.Fatalf("counts %+v", res.Counts)
	}
	m := f.message(CloseKey("hk", "r1", "m"))
	if strings.Count(m.Text, "/continue?t=") != 4 || !strings.Contains(m.Text, "With Person e1:") || !strings.Contains(m.Text, "With Person e2:") {
		t.Errorf("the mentor's close email:\n%s", m.Text)
	}
	if e := f.message(CloseKey("hk", "r1", "e1")); strings.Count(e.Text, "/continue?t=") != 2 || strings.Contains(e.Text, "e2") {
		t.Errorf("a mentee's close email:\n%s", e.Text)
	}
}

// Bad events change nothing and say what is wrong.
func TestCloseRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.programme("iln", pairup.ModePeer)
	f.round(p, "open", pairup.RoundOpen, ends, nil)
	f.round(p, "closed", pairup.RoundClosed, ends, nil)
	now := f.clock.Now()
	for _, tc := range []struct {
		name string
		ev   Event
		code string
		says string
	}{
		{"Open", Event{Action: ActionClose, Programme: "iln", Round: "open"}, pairup.ECONFLICT, "is open: only an active round can be closed"},
		{"Closed", Event{Action: ActionClose, Programme: "iln", Round: "closed"}, pairup.ECONFLICT, "closed on"},
		{"FinaliseOpen", Event{Action: ActionFinalise, Programme: "iln", Round: "open"}, pairup.ECONFLICT, "only a closing round can be finalised"},
		{"NoRound", Event{Action: ActionClose, Programme: "iln"}, pairup.EINVALID, `needs "programme" and "round"`},
		{"UnknownRound", Event{Action: ActionFinalise, Programme: "iln", Round: "nope"}, pairup.ENOTFOUND, "nope"},
		{"UnknownProgramme", Event{Action: ActionClose, Programme: "nope", Round: "open"}, pairup.ENOTFOUND, "nope"},
		{"UnknownAction", Event{Action: "reopen", Programme: "iln", Round: "open"}, pairup.EINVALID, "close, finalise, scheduled"},
		{"Now", Event{Action: ActionScheduled, Now: &now}, pairup.EINVALID, `"now" is only honoured`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.handle(tc.ev)
			if pairup.ErrorCode(err) != tc.code || !strings.Contains(pairup.ErrorMessage(err), tc.says) {
				t.Errorf("%v, want %s saying %q", err, tc.code, tc.says)
			}
		})
	}
	for id, state := range map[string]pairup.RoundState{"open": pairup.RoundOpen, "closed": pairup.RoundClosed} {
		if r, _ := f.st.GetRound(ctx, "iln", id); r.State != state || r.Stats != nil {
			t.Errorf("round %s changed: %+v", id, r)
		}
	}
	if err := UserError(pairup.Errorf(pairup.ECONFLICT, "x is open")); err.Error() != "conflict: x is open" {
		t.Errorf("UserError: %v", err)
	}
	if err := UserError(fmt.Errorf("dynamodb: secret detail")); strings.Contains(err.Error(), "secret") {
		t.Errorf("UserError shows an internal error's text: %v", err)
	}
}

// Finalise freezes what the round left: the matching's counts, re-pairs, withdrawals,
// check-ins, continue answers and survey rates; a second finalise changes nothing.
func TestFinalise(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.programme("iln", pairup.ModePeer)
	m := &pairup.MatchStats{Registrations: 9, Confirmed: 8, Matched: 6, Pairs: 3, Countries: 4, Deferred: 1, Unmatched: map[string]int{"no shared language": 1}}
	r := f.round(p, "r1", pairup.RoundActive, ends, m)
	f.people(r, nil, "a", "b", "c", "d", "e", "g")
	f.pairs(r, []string{"a", "b"}, []string{"c", "d"}, []string{"e", "g"})
	for _, c := range []pairup.CheckIn{{PairID: "a+b", RegistrationID: "a", Answer: pairup.CheckInYes}, {PairID: "c+d", RegistrationID: "c", Answer: pairup.CheckInNo}} {
		c.ProgrammeID, c.RoundID, c.At = "iln", "r1", r.Starts.AddDate(0, 0, 14)
		_, err := f.st.RecordCheckIn(ctx, c, nil)
		f.ok(err)
	}
	// The mid-round survey's invitations went to four (round-tick's keys); two answered.
	for _, id := range []string{"a", "b", "c", "d"} {
		_, err := f.st.Enqueue(ctx, []mail.Message{{Key: roundtick.SurveyKey(pairup.SurveyMid, "iln", "r1", id, 0), To: id + "@example.org", Subject: "s", Text: "t", ListUnsubscribe: "https://x"}})
		f.ok(err)
	}
	for _, resp := range []pairup.SurveyResponse{{Kind: pairup.SurveyMid, RegistrationID: "a"}, {Kind: pairup.SurveyMid, RegistrationID: "b"}, {Kind: pairup.SurveyEnd, RegistrationID: "c"}} {
		resp.ProgrammeID, resp.RoundID, resp.SubmittedAt, resp.Answers = "iln", "r1", f.clock.Now(), pairup.SurveyAnswers{"satisfaction": {"5"}}
		_, err := f.st.SaveSurveyResponse(ctx, resp)
		f.ok(err)
	}
	_, err := f.handle(Event{Action: ActionClose, Programme: "iln", Round: "r1"})
	f.ok(err)
	for _, a := range []pairup.ContinueAnswer{{PairID: "a+b", RegistrationID: "a", Choice: pairup.ChoiceContinue}, {PairID: "a+b", RegistrationID: "b", Choice: pairup.ChoiceContinue},
		{PairID: "c+d", RegistrationID: "d", Choice: pairup.ChoiceConclude}} {
		a.ProgrammeID, a.RoundID, a.At = "iln", "r1", f.clock.Now()
		_, err := f.st.RecordContinue(ctx, a)
		f.ok(err)
	}
	f.clock.Advance(24 * time.Hour)
	res, err := f.handle(Event{Action: ActionFinalise, Programme: "iln", Round: "r1"})
	f.ok(err)
	want := pairup.RoundStats{Registrations: 9, Confirmed: 8, Participants: 6, Countries: 4, Pairs: 3, Deferred: 1,
		Unmatched: map[string]int{"no shared language": 1}, CheckIns: pairup.CheckInCounts{Yes: 1, No: 1, None: 4},
		PairsAtClose: 3, ContinuedPairs: 1, ConcludedPairs: 1, NoChoicePairs: 1,
		Surveys:  map[pairup.SurveyKind]pairup.SurveyRate{pairup.SurveyMid: {Invited: 4, Responded: 2}, pairup.SurveyEnd: {Invited: 6, Responded: 1}},
		ClosedAt: f.clock.Now()}
	if res.State != string(pairup.RoundClosed) || res.Stats == nil || fmt.Sprint(*res.Stats) != fmt.Sprint(want) ||
		!strings.Contains(res.Summary, "6 participants in 3 pairs, 3 pairs at the close: 1 continue, 1 concluded, 0 partly answered, 1 without a choice; end-of-round survey 1 of 6") {
		t.Fatalf("finalise: %s\n%+v\nwant\n%+v", res.Summary, res.Stats, want)
	}
	stored, err := f.st.GetRound(ctx, "iln", "r1")
	f.ok(err)
	if stored.State != pairup.RoundClosed || fmt.Sprint(*stored.Stats) != fmt.Sprint(want) {
		t.Fatalf("stored %+v", stored)
	}

	t.Run("Again", func(t *testing.T) {
		f.clock.Advance(time.Hour)
		// More answers after the close change nothing frozen.
		_, err := f.st.RecordContinue(ctx, pairup.ContinueAnswer{ProgrammeID: "iln", RoundID: "r1", PairID: "e+g", RegistrationID: "e", Choice: pairup.ChoiceContinue, At: f.clock.Now()})
		f.ok(err)
		res, err := f.handle(Event{Action: ActionFinalise, Programme: "iln", Round: "r1"})
		if pairup.ErrorCode(err) != pairup.ECONFLICT || !strings.Contains(pairup.ErrorMessage(err), "already closed") ||
			!strings.Contains(pairup.ErrorMessage(err), "1 without a choice") || res.Stats == nil || res.Stats.NoChoicePairs != 1 {
			t.Errorf("a second finalise: %+v, %v", res, err)
		}
		again, _ := f.st.GetRound(ctx, "iln", "r1")
		if fmt.Sprint(*again.Stats) != fmt.Sprint(want) || !again.UpdatedAt.Equal(stored.UpdatedAt) {
			t.Errorf("a second finalise changed the round: %+v", again)
		}
		if _, err := f.handle(Event{Action: ActionClose, Programme: "iln", Round: "r1"}); pairup.ErrorCode(err) != pairup.ECONFLICT {
			t.Errorf("a close after the finalise: %v", err)
		}
	})
}

// The schedule closes active rounds that have ended and finalises closing rounds whose
// end-of-round survey has closed; it leaves every other round alone, and a second run does
// nothing.
func TestScheduled(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.programme("iln", pairup.ModePeer)
	ended := f.round(p, "ended", pairup.RoundActive, ends, &pairup.MatchStats{})
	f.people(ended, nil, "a", "b")
	f.pairs(ended, []string{"a", "b"})
	f.round(p, "running", pairup.RoundActive, ends.Add(2*time.Hour), &pairup.MatchStats{})
	f.round(p, "surveyed", pairup.RoundClosing, ends.AddDate(0, 0, -28), &pairup.MatchStats{Pairs: 5})
	f.round(p, "surveying", pairup.RoundClosing, ends.AddDate(0, 0, -27), &pairup.MatchStats{})
	f.round(p, "open", pairup.RoundOpen, ends.AddDate(0, 6, 0), nil)

	res, err := f.handle(Event{Action: ActionScheduled})
	f.ok(err)
	if len(res.Rounds) != 2 || !strings.Contains(res.Summary, "1 round(s) closed, 1 finalised") {
		t.Fatalf("scheduled: %+v", res)
	}
	for id, want := range map[string]pairup.RoundState{"ended": pairup.RoundClosing, "running": pairup.RoundActive, "surveyed": pairup.RoundClosed,
		"surveying": pairup.RoundClosing, "open": pairup.RoundOpen} {
		if r, _ := f.st.GetRound(ctx, "iln", id); r.State != want {
			t.Errorf("round %s is %s, want %s", id, r.State, want)
		}
	}
	if r, _ := f.st.GetRound(ctx, "iln", "surveyed"); r.Stats == nil || r.Stats.Pairs != 5 {
		t.Errorf("the finalised round's stats: %+v", r.Stats)
	}
	f.message(CloseKey("iln", "ended", "a"))
	res, err = f.handle(Event{Action: ActionScheduled})
	f.ok(err)
	if len(res.Rounds) != 0 || !strings.Contains(res.Summary, "nothing to do") {
		t.Errorf("a second scheduled run: %+v", res)
	}
	// A day on, the next closing round's survey has closed too.
	f.clock.Advance(24 * time.Hour)
	res, err = f.handle(Event{Action: ActionScheduled})
	f.ok(err)
	if len(res.Rounds) != 2 || res.Rounds[0].Round == res.Rounds[1].Round {
		t.Errorf("a day on: %+v", res.Rounds)
	}
}

// "now" moves the clock of an event where the deployment allows it.
func TestNow(t *testing.T) {
	f := newFixture(t)
	f.svc.AllowNow = true
	p := f.programme("iln", pairup.ModePeer)
	f.round(p, "r1", pairup.RoundActive, ends.AddDate(0, 1, 0), &pairup.MatchStats{})
	res, err := f.handle(Event{Action: ActionScheduled})
	f.ok(err)
	if len(res.Rounds) != 0 {
		t.Fatalf("closed a round before its end: %+v", res)
	}
	later := ends.AddDate(0, 1, 1)
	res, err = f.handle(Event{Action: ActionScheduled, Now: &later})
	f.ok(err)
	if len(res.Rounds) != 1 || !res.Now.Equal(later) {
		t.Errorf("with now: %+v", res)
	}
	if r, _ := f.st.GetRound(context.Background(), "iln", "r1"); r.State != pairup.RoundClosing || !r.UpdatedAt.Equal(later) {
		t.Errorf("round %+v", r)
	}
}
