package survey

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
	"github.com/pairup/pairup/shared/store"
)

// The continue tests run against DynamoDB Local, started once for the package.
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
		fmt.Fprintln(os.Stderr, "survey tests need DynamoDB Local:", err)
		os.Exit(1)
	}
	ddbEndpoint = svc.Endpoint
	code := m.Run()
	svc.Stop()
	os.Exit(code)
}

var testSigner = func() *links.Signer {
	s, err := links.NewSigner([]byte("0123456789abcdef0123456789abcdef-survey"))
	if err != nil {
		panic(err)
	}
	return s
}()

// A continue link names its purpose and choice: its subject comes back intact, and a link of
// another purpose, an unknown choice, a tampered or an expired link is refused.
func TestContinueLinks(t *testing.T) {
	now := time.Date(2027, 5, 3, 9, 0, 0, 0, time.UTC)
	c := ContinueRef{ProgrammeID: "iln", RoundID: "2027-1", PairID: "a+b", RegistrationID: "a", Choice: pairup.ChoiceConclude}
	link := ContinueLink(testSigner, "https://forms.example.org", c, now.Add(time.Hour))
	if !strings.HasPrefix(link, "https://forms.example.org/continue?t=") {
		t.Fatalf("link %s", link)
	}
	tok := token(t, link)
	if got, err := readContinue(testSigner, tok, now); err != nil || got != c {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	ci := token(t, CheckInLink(testSigner, "https://x", CheckInRef{"iln", "2027-1", "a+b", "a", pairup.CheckInYes}, now.Add(time.Hour)))
	for name, tc := range map[string]struct {
		tok  string
		at   time.Time
		code string
	}{
		"CheckInLink":   {ci, now, pairup.EINVALID},
		"UnknownChoice": {testSigner.Sign(links.PurposeContinue, "iln|2027-1|a+b|a|maybe", now.Add(time.Hour)), now, pairup.EINVALID},
		"ShortSubject":  {testSigner.Sign(links.PurposeContinue, "iln|2027-1|a|continue", now.Add(time.Hour)), now, pairup.EINVALID},
		"Tampered":      {strings.Replace(tok, ".", ".x", 1), now, pairup.EINVALID},
		"Expired":       {tok, now.Add(2 * time.Hour), pairup.EEXPIRED},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := readContinue(testSigner, tc.tok, tc.at); pairup.ErrorCode(err) != tc.code {
				t.Errorf("%v, want %s", err, tc.code)
			}
		})
	}
}

type continueFixture struct {
	svc   *Service
	st    *store.Store
	clock *pairup.ManualClock
}

// newContinueFixture stores programme iln with round r1 in state, pairs a+b (running) and c+d
// (ended by a re-pair), and the four registrations.
func newContinueFixture(t *testing.T, state pairup.RoundState) *continueFixture {
	t.Helper()
	if ddbEndpoint == "" {
		t.Skip("needs DynamoDB Local (not under -short)")
	}
	ctx := context.Background()
	client := localenv.DynamoDBClient(ddbEndpoint)
	table := fmt.Sprintf("survey-%d", time.Now().UnixNano())
	if err := store.CreateTable(ctx, client, table); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2027, 5, 3, 9, 0, 0, 0, time.UTC)
	clock := pairup.NewManualClock(now)
	st := store.New(client, table, clock)
	p := &pairup.Programme{ID: "iln", Name: "Librarians", Mode: pairup.ModePeer, Locale: "en",
		Sectors: []pairup.Option{{Value: "academic", Label: "Academic"}}, Stages: []pairup.Option{{Value: "student", Label: "Student"}},
		Interests: []pairup.Option{{Value: "cataloguing", Label: "Cataloguing"}}}
	must(t, st.PutProgramme(ctx, p))
	must(t, st.CreateRound(ctx, &pairup.Round{ProgrammeID: "iln", ID: "r1", Name: "Round 1", State: state,
		SignupOpens: now.AddDate(0, -6, 0), SignupCloses: now.AddDate(0, -5, 0), Starts: now.AddDate(0, -5, 0), Ends: now, UpdatedAt: now}))
	for _, id := range []string{"a", "b", "c", "d"} {
		reg := &pairup.Registration{ID: id, ProgrammeID: "iln", RoundID: "r1", Name: "Person " + strings.ToUpper(id), Email: id + "@example.org",
			Country: "AU", Languages: []string{"en"}, TimeZone: "UTC", Sector: "academic", CareerStage: "student", Preference: pairup.PreferAny,
			Role: pairup.RolePeer, Locale: "en", Status: pairup.StatusPending, ConsentAt: now, CreatedAt: now}
		if _, _, err := st.Register(ctx, reg, now.Add(time.Hour), mail.Message{Key: "confirm/" + id, To: reg.Email, Subject: "s", Text: "t", ListUnsubscribe: "https://x"}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.ConfirmRegistration(ctx, "iln", "r1", id, now); err != nil {
			t.Fatal(err)
		}
	}
	pair := func(a, b string) pairup.Pair {
		return pairup.Pair{ProgrammeID: "iln", RoundID: "r1", ID: pairup.PairID(a, b), Members: []pairup.PairMember{{RegistrationID: a}, {RegistrationID: b}},
			Reasons: []string{"x"}, CreatedAt: now.AddDate(0, -4, 0)}
	}
	must(t, st.WritePlan(ctx, "iln", "r1", []pairup.Pair{pair("a", "b"), pair("c", "d")}, nil))
	must(t, st.Repair(ctx, "iln", "r1", []string{"c+d"}, pairup.PairEndRepaired, now.AddDate(0, -1, 0), nil, nil, nil))
	tpl, err := mail.NewTemplates()
	if err != nil {
		t.Fatal(err)
	}
	return &continueFixture{st: st, clock: clock, svc: &Service{Store: st, Templates: tpl, Links: testSigner, Clock: clock,
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), BaseURL: "https://forms.example.org"}}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f *continueFixture) link(t *testing.T, pair, reg string, c pairup.ContinueChoice) string {
	return token(t, ContinueLink(testSigner, "https://forms.example.org", ContinueRef{"iln", "r1", pair, reg, c}, f.clock.Now().Add(30*24*time.Hour)))
}

func (f *continueFixture) setState(t *testing.T, from, to pairup.RoundState) {
	t.Helper()
	if _, err := f.st.TransitionRound(context.Background(), "iln", "r1", from, to, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
}

// The page a continue link opens changes nothing; its button records the choice once; the
// other link of the same email, or the same one again, is refused with what was chosen.
func TestAnswerContinue(t *testing.T) {
	ctx := context.Background()
	f := newContinueFixture(t, pairup.RoundClosing)
	cont, conc := f.link(t, "a+b", "a", pairup.ChoiceContinue), f.link(t, "a+b", "a", pairup.ChoiceConclude)

	v, err := f.svc.ContinuePage(ctx, cont)
	if err != nil || v.Name != "Person A" || v.Choice != pairup.ChoiceContinue || v.Answered != nil ||
		len(v.Partners) != 1 || v.Partners[0] != "Person B" || v.Locale != "en" {
		t.Fatalf("page: %+v, %v", v, err)
	}
	if _, err := f.st.GetContinue(ctx, "iln", "r1", "a+b", "a"); pairup.ErrorCode(err) != pairup.ENOTFOUND {
		t.Fatalf("opening the page recorded a choice (%v)", err)
	}
	f.clock.Advance(time.Hour)
	v, err = f.svc.AnswerContinue(ctx, cont)
	if err != nil || v.Answered != nil {
		t.Fatalf("answer: %+v, %v", v, err)
	}
	got, err := f.st.GetContinue(ctx, "iln", "r1", "a+b", "a")
	if err != nil || got.Choice != pairup.ChoiceContinue || !got.At.Equal(f.clock.Now()) {
		t.Fatalf("recorded %+v, %v", got, err)
	}
	for name, tok := range map[string]string{"Again": cont, "TheOtherLink": conc} {
		t.Run(name, func(t *testing.T) {
			v, err := f.svc.AnswerContinue(ctx, tok)
			if pairup.ErrorCode(err) != pairup.ECONFLICT || v == nil || v.Answered == nil || v.Answered.Choice != pairup.ChoiceContinue ||
				!strings.Contains(pairup.ErrorMessage(err), "continue on your own") {
				t.Fatalf("%+v, %v", v, err)
			}
			page, err := f.svc.ContinuePage(ctx, tok)
			if err != nil || page.Answered == nil {
				t.Fatalf("the page of a used link: %+v, %v", page, err)
			}
		})
	}
	if got, _ := f.st.GetContinue(ctx, "iln", "r1", "a+b", "a"); got.Choice != pairup.ChoiceContinue {
		t.Errorf("a refused choice changed the answer: %+v", got)
	}
	// The partner concludes.
	if _, err := f.svc.AnswerContinue(ctx, f.link(t, "a+b", "b", pairup.ChoiceConclude)); err != nil {
		t.Fatal(err)
	}
	if all, err := f.st.ListContinues(ctx, "iln", "r1"); err != nil || len(all) != 2 {
		t.Fatalf("answers %+v, %v", all, err)
	}
}

// A choice is refused, and nothing is written, for a pair that ended before the close, a round
// not closing (yet, or any more), a link naming someone outside the pair, and bad links.
func TestAnswerContinueRefused(t *testing.T) {
	ctx := context.Background()
	f := newContinueFixture(t, pairup.RoundClosing)
	check := func(t *testing.T, tok, code, says string) {
		t.Helper()
		_, err := f.svc.AnswerContinue(ctx, tok)
		if pairup.ErrorCode(err) != code || !strings.Contains(pairup.ErrorMessage(err), says) {
			t.Errorf("answer: %v, want %s saying %q", err, code, says)
		}
		if _, err := f.svc.ContinuePage(ctx, tok); pairup.ErrorCode(err) != code {
			t.Errorf("page: %v, want %s", err, code)
		}
		if all, _ := f.st.ListContinues(ctx, "iln", "r1"); len(all) != 0 {
			t.Errorf("a refused choice was recorded: %+v", all)
		}
	}
	t.Run("EndedPair", func(t *testing.T) {
		check(t, f.link(t, "c+d", "c", pairup.ChoiceContinue), pairup.ECONFLICT, "ended before the round closed")
	})
	t.Run("NotAMember", func(t *testing.T) {
		check(t, f.link(t, "a+b", "c", pairup.ChoiceContinue), pairup.EINVALID, "not valid")
	})
	t.Run("NoSuchPair", func(t *testing.T) {
		check(t, f.link(t, "a+x", "a", pairup.ChoiceContinue), pairup.ENOTFOUND, "no longer exists")
	})
	t.Run("Tampered", func(t *testing.T) {
		check(t, "x"+f.link(t, "a+b", "a", pairup.ChoiceContinue), pairup.EINVALID, "not valid")
	})
	t.Run("Closed", func(t *testing.T) {
		tok := f.link(t, "a+b", "a", pairup.ChoiceContinue)
		f.setState(t, pairup.RoundClosing, pairup.RoundClosed)
		check(t, tok, pairup.ECLOSED, "has closed")
		v, err := f.svc.ContinuePage(ctx, tok)
		if v == nil || v.Round.State != pairup.RoundClosed {
			t.Errorf("the closed page has no view: %+v, %v", v, err)
		}
	})
}

// A round still active (a link made before the close) has no choice to make yet.
func TestAnswerContinueNotClosingYet(t *testing.T) {
	ctx := context.Background()
	f := newContinueFixture(t, pairup.RoundActive)
	tok := f.link(t, "a+b", "a", pairup.ChoiceContinue)
	if _, err := f.svc.AnswerContinue(ctx, tok); pairup.ErrorCode(err) != pairup.ECLOSED || !strings.Contains(pairup.ErrorMessage(err), "not closing yet") {
		t.Errorf("answer: %v", err)
	}
	if all, _ := f.st.ListContinues(ctx, "iln", "r1"); len(all) != 0 {
		t.Errorf("recorded %+v", all)
	}
}
