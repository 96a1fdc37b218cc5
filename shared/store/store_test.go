package store_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pairup/pairup/shared/localenv"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/store"
)

// client talks to the DynamoDB Local that TestMain starts for the whole package.
var client *dynamodb.Client

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() { // make test-short: unit tests only
		fmt.Println("store: integration tests skipped under -short (they need DynamoDB Local)")
		os.Exit(0)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	svc, err := localenv.StartDynamoDB(ctx, 0) // 0: a free port on 127.0.0.1
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "store tests need DynamoDB Local:", err)
		os.Exit(1)
	}
	client = localenv.DynamoDBClient(svc.Endpoint)
	code := m.Run()
	svc.Stop()
	os.Exit(code)
}

var tableSeq atomic.Int64

var unsafeTableChars = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

// newTableName returns a table name of its own for a test.
func newTableName(tb testing.TB) string {
	name := fmt.Sprintf("t%d-%s", tableSeq.Add(1), unsafeTableChars.ReplaceAllString(tb.Name(), "_"))
	if len(name) > 200 {
		name = name[:200]
	}
	return name
}

// newStore creates a fresh table and returns a Store over it; the table is deleted after the
// test.
func newStore(tb testing.TB) *store.Store {
	tb.Helper()
	name := newTableName(tb)
	if err := store.CreateTable(context.Background(), client, name); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	clock := pairup.NewManualClock(t0)
	s := store.New(client, name, clock)
	tables.Store(s, name)
	clocks.Store(s, clock)
	return s
}

// clocks maps each test's Store to the manual clock it was built with.
var clocks sync.Map

// setNow moves the clock of s (built by newStore or newConflictStore) to t.
func setNow(s *store.Store, t time.Time) {
	c, _ := clocks.Load(s)
	c.(*pairup.ManualClock).Set(t)
}

// t0 is the tests' "now".
var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func newProgramme(id string) *pairup.Programme {
	return &pairup.Programme{
		ID: id, Name: "Librarians " + id, Description: "Peer mentoring", Mode: pairup.ModePeer,
		Sectors:   []pairup.Option{{Value: "academic", Label: "Academic"}, {Value: "public", Label: "Public"}},
		Stages:    []pairup.Option{{Value: "student", Label: "Student"}},
		Interests: []pairup.Option{{Value: "cataloguing", Label: "Cataloguing"}},
		Locale:    "en",
		Rules:     pairup.Rules{CountryCapPercent: 20, ConfirmationEmailCap: 3},
	}
}

func newRound(programmeID, id string, opens time.Time) *pairup.Round {
	return &pairup.Round{
		ProgrammeID: programmeID, ID: id, Name: "Round " + id, State: pairup.RoundDraft,
		SignupOpens: opens, SignupCloses: opens.AddDate(0, 1, 0),
		Starts: opens.AddDate(0, 1, 7), Ends: opens.AddDate(0, 5, 7),
		UpdatedAt: opens.AddDate(0, 0, -7),
	}
}

func newRegistration(programmeID, roundID, id, email string, created time.Time) *pairup.Registration {
	return &pairup.Registration{
		ID: id, ProgrammeID: programmeID, RoundID: roundID,
		Name: "Ada " + id, Email: email, Country: "HK", Languages: []string{"en", "zh"},
		TimeZone: "Asia/Hong_Kong", Sector: "academic", CareerStage: "student",
		Interests: []string{"cataloguing"}, Preference: pairup.PreferAny, Role: pairup.RolePeer,
		Locale: "en", Status: pairup.StatusPending, ConsentAt: created, CreatedAt: created,
	}
}

// setup stores programme "iln" with round "r1" (open) and returns them.
func setup(t *testing.T, s *store.Store) (*pairup.Programme, *pairup.Round) {
	t.Helper()
	ctx := context.Background()
	p := newProgramme("iln")
	mustOK(t, s.PutProgramme(ctx, p))
	r := newRound("iln", "r1", t0)
	r.State = pairup.RoundOpen
	mustOK(t, s.CreateRound(ctx, r))
	return p, r
}

func mustOK(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := pairup.ErrorCode(err); got != code {
		tb.Fatalf("error code %q (%v), want %q", got, err, code)
	}
	if !strings.HasPrefix(err.Error(), "store: ") {
		tb.Errorf("error %q has no context", err)
	}
}

func mustEqual(tb testing.TB, got, want any) {
	tb.Helper()
	if !reflect.DeepEqual(got, want) {
		tb.Fatalf("got\n%+v\nwant\n%+v", got, want)
	}
}

func TestCreateTable(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		name := newTableName(t)
		mustOK(t, store.CreateTable(ctx, client, name))
		defer client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
		out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		mustOK(t, err)
		if out.Table.TableStatus != types.TableStatusActive || len(out.Table.GlobalSecondaryIndexes) != 1 {
			t.Errorf("table %+v", out.Table)
		}
		ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
		mustOK(t, err)
		if d := ttl.TimeToLiveDescription; aws.ToString(d.AttributeName) != "ExpiresAt" || d.TimeToLiveStatus != types.TimeToLiveStatusEnabled {
			t.Errorf("TTL %+v", d)
		}
		t.Run("Idempotent", func(t *testing.T) {
			mustOK(t, store.CreateTable(ctx, client, name))
		})
	})
	t.Run("ErrOtherSchema", func(t *testing.T) {
		name := newTableName(t)
		_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
			TableName:            aws.String(name),
			BillingMode:          types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
			KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		})
		mustOK(t, err)
		defer client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
		if err := store.CreateTable(ctx, client, name); err == nil {
			t.Fatal("no error for a table with another key schema")
		}
	})
}

func TestProgramme(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	t.Run("OK", func(t *testing.T) {
		p := newProgramme("hkla")
		p.Mode, p.Country, p.Rules.SameCountryAllowed, p.Rules.MaxMentees = pairup.ModeMentor, "HK", true, 2
		p.Eligibility = []pairup.Question{{ID: "member", Label: "Are you a student member?"}}
		p.Priority = &pairup.Question{ID: "final", Label: "Final year?"}
		p.Coordinators = []string{"coord@example.org"}
		mustOK(t, s.PutProgramme(ctx, p))
		got, err := s.GetProgramme(ctx, "hkla")
		mustOK(t, err)
		mustEqual(t, got, p)
	})
	t.Run("Replace", func(t *testing.T) {
		p := newProgramme("replace")
		mustOK(t, s.PutProgramme(ctx, p))
		p.Name = "Renamed"
		mustOK(t, s.PutProgramme(ctx, p))
		got, err := s.GetProgramme(ctx, "replace")
		mustOK(t, err)
		mustEqual(t, got.Name, "Renamed")
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		p := newProgramme("Bad ID")
		wantCode(t, s.PutProgramme(ctx, p), pairup.EINVALID)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		got, err := s.GetProgramme(ctx, "nope")
		wantCode(t, err, pairup.ENOTFOUND)
		if got != nil {
			t.Errorf("got %+v with the error", got)
		}
	})
	t.Run("List", func(t *testing.T) {
		s := newStore(t)
		ps, err := s.ListProgrammes(ctx)
		mustOK(t, err)
		mustEqual(t, len(ps), 0)
		for _, id := range []string{"zeta", "alpha", "mid"} {
			mustOK(t, s.PutProgramme(ctx, newProgramme(id)))
		}
		ps, err = s.ListProgrammes(ctx)
		mustOK(t, err)
		var ids []string
		for _, p := range ps {
			ids = append(ids, p.ID)
		}
		mustEqual(t, ids, []string{"alpha", "mid", "zeta"})
		mustEqual(t, &ps[0], newProgramme("alpha"))
	})
}

func TestRound(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustOK(t, s.PutProgramme(ctx, newProgramme("iln")))

	t.Run("OK", func(t *testing.T) {
		r := newRound("iln", "2026-1", t0)
		r.MidSurvey = r.Starts.AddDate(0, 2, 0) // EndSurvey stays zero
		mustOK(t, s.CreateRound(ctx, r))
		got, err := s.GetRound(ctx, "iln", "2026-1")
		mustOK(t, err)
		mustEqual(t, got, r)
		if !got.EndSurvey.IsZero() {
			t.Errorf("zero EndSurvey came back as %v", got.EndSurvey)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		r := newRound("iln", "bad", t0)
		r.Ends = r.Starts
		wantCode(t, s.CreateRound(ctx, r), pairup.EINVALID)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		r := newRound("iln", "dup", t0)
		mustOK(t, s.CreateRound(ctx, r))
		r.Name = "Second"
		wantCode(t, s.CreateRound(ctx, r), pairup.ECONFLICT)
		got, err := s.GetRound(ctx, "iln", "dup")
		mustOK(t, err)
		mustEqual(t, got.Name, "Round dup")
	})
	t.Run("ErrProgrammeNotFound", func(t *testing.T) {
		wantCode(t, s.CreateRound(ctx, newRound("nope", "r1", t0)), pairup.ENOTFOUND)
		_, err := s.GetRound(ctx, "nope", "r1")
		wantCode(t, err, pairup.ENOTFOUND)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := s.GetRound(ctx, "iln", "nope")
		wantCode(t, err, pairup.ENOTFOUND)
	})
	t.Run("List", func(t *testing.T) {
		s := newStore(t)
		mustOK(t, s.PutProgramme(ctx, newProgramme("iln")))
		mustOK(t, s.PutProgramme(ctx, newProgramme("other")))
		for _, r := range []*pairup.Round{
			newRound("iln", "c", t0.AddDate(0, 6, 0)),
			newRound("iln", "b", t0),
			newRound("iln", "a", t0),
			newRound("iln", "0-early", t0.AddDate(-1, 0, 0)),
			newRound("other", "x", t0),
		} {
			mustOK(t, s.CreateRound(ctx, r))
		}
		rs, err := s.ListRounds(ctx, "iln")
		mustOK(t, err)
		var ids []string
		for _, r := range rs {
			ids = append(ids, r.ID)
		}
		mustEqual(t, ids, []string{"0-early", "a", "b", "c"})
		rs, err = s.ListRounds(ctx, "none")
		mustOK(t, err)
		mustEqual(t, len(rs), 0)
	})
}

func TestTransitionRound(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustOK(t, s.PutProgramme(ctx, newProgramme("iln")))
	at := t0.Add(90 * time.Minute)

	t.Run("OK", func(t *testing.T) {
		mustOK(t, s.CreateRound(ctx, newRound("iln", "ok", t0)))
		got, err := s.TransitionRound(ctx, "iln", "ok", pairup.RoundDraft, pairup.RoundOpen, at)
		mustOK(t, err)
		want := newRound("iln", "ok", t0)
		want.State, want.UpdatedAt = pairup.RoundOpen, at
		mustEqual(t, got, want)
		stored, err := s.GetRound(ctx, "iln", "ok")
		mustOK(t, err)
		mustEqual(t, stored, want)

		t.Run("ErrConflictRepeated", func(t *testing.T) {
			_, err := s.TransitionRound(ctx, "iln", "ok", pairup.RoundDraft, pairup.RoundOpen, at.Add(time.Minute))
			wantCode(t, err, pairup.ECONFLICT)
			stored, err := s.GetRound(ctx, "iln", "ok")
			mustOK(t, err)
			mustEqual(t, stored.UpdatedAt, at)
		})
		t.Run("ErrConflictSkipped", func(t *testing.T) {
			_, err := s.TransitionRound(ctx, "iln", "ok", pairup.RoundOpen, pairup.RoundActive, at)
			wantCode(t, err, pairup.ECONFLICT)
		})
		t.Run("ErrConflictBackwards", func(t *testing.T) {
			_, err := s.TransitionRound(ctx, "iln", "ok", pairup.RoundOpen, pairup.RoundDraft, at)
			wantCode(t, err, pairup.ECONFLICT)
		})
		t.Run("ErrInvalidState", func(t *testing.T) {
			_, err := s.TransitionRound(ctx, "iln", "ok", pairup.RoundOpen, "paused", at)
			wantCode(t, err, pairup.EINVALID)
		})
		t.Run("AllTheWay", func(t *testing.T) {
			states := []pairup.RoundState{pairup.RoundOpen, pairup.RoundMatching, pairup.RoundActive, pairup.RoundClosing, pairup.RoundClosed}
			for i := 1; i < len(states); i++ {
				got, err := s.TransitionRound(ctx, "iln", "ok", states[i-1], states[i], at)
				mustOK(t, err)
				mustEqual(t, got.State, states[i])
			}
		})
	})
	t.Run("ErrConflictWrongFrom", func(t *testing.T) {
		mustOK(t, s.CreateRound(ctx, newRound("iln", "wrong-from", t0)))
		// open → matching is a legal move, but the round is in draft.
		_, err := s.TransitionRound(ctx, "iln", "wrong-from", pairup.RoundOpen, pairup.RoundMatching, at)
		wantCode(t, err, pairup.ECONFLICT)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := s.TransitionRound(ctx, "iln", "nope", pairup.RoundDraft, pairup.RoundOpen, at)
		wantCode(t, err, pairup.ENOTFOUND)
	})
	t.Run("ConcurrentOnce", func(t *testing.T) {
		mustOK(t, s.CreateRound(ctx, newRound("iln", "race", t0)))
		const n = 10
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, errs[i] = s.TransitionRound(ctx, "iln", "race", pairup.RoundDraft, pairup.RoundOpen, at)
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch pairup.ErrorCode(err) {
			case "":
				ok++
			case pairup.ECONFLICT:
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		mustEqual(t, ok, 1)
	})
}

func TestRegister(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	setup(t, s)
	expires := t0.Add(72 * time.Hour)
	setNow(s, t0)

	t.Run("OK", func(t *testing.T) {
		r := newRegistration("iln", "r1", "reg-ok", "ok@example.org", t0)
		got, created, err := register(s, ctx, r, expires)
		mustOK(t, err)
		mustEqual(t, created, true)
		mustEqual(t, got, r)
		stored, err := s.GetRegistration(ctx, "iln", "r1", "reg-ok")
		mustOK(t, err)
		mustEqual(t, stored, r)
		if !stored.ConfirmedAt.IsZero() || !stored.LastSentAt.IsZero() {
			t.Errorf("zero times came back as %v, %v", stored.ConfirmedAt, stored.LastSentAt)
		}
	})
	t.Run("SameEmailTwice", func(t *testing.T) {
		first := newRegistration("iln", "r1", "reg-first", "twice@example.org", t0)
		_, created, err := register(s, ctx, first, expires)
		mustOK(t, err)
		mustEqual(t, created, true)
		second := newRegistration("iln", "r1", "reg-second", "twice@example.org", t0.Add(time.Minute))
		second.Name = "Someone else"
		got, created, err := register(s, ctx, second, expires)
		mustOK(t, err)
		mustEqual(t, created, false)
		mustEqual(t, got, first)
		_, err = s.GetRegistration(ctx, "iln", "r1", "reg-second")
		wantCode(t, err, pairup.ENOTFOUND)
	})
	t.Run("SameEmailOtherRound", func(t *testing.T) {
		r2 := newRound("iln", "r2", t0.AddDate(0, 6, 0))
		mustOK(t, s.CreateRound(ctx, r2))
		mustOK(t, func() error {
			_, _, err := register(s, ctx, newRegistration("iln", "r1", "reg-a", "rounds@example.org", t0), expires)
			return err
		}())
		_, created, err := register(s, ctx, newRegistration("iln", "r2", "reg-b", "rounds@example.org", t0), expires)
		mustOK(t, err)
		mustEqual(t, created, true)
	})
	t.Run("ErrConflictSameID", func(t *testing.T) {
		_, _, err := register(s, ctx, newRegistration("iln", "r1", "reg-id", "one@example.org", t0), expires)
		mustOK(t, err)
		_, _, err = register(s, ctx, newRegistration("iln", "r1", "reg-id", "two@example.org", t0), expires)
		wantCode(t, err, pairup.ECONFLICT)
		// Nothing of the failed call is left: the other email is still free.
		_, created, err := register(s, ctx, newRegistration("iln", "r1", "reg-id-2", "two@example.org", t0), expires)
		mustOK(t, err)
		mustEqual(t, created, true)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for name, mod := range map[string]func(r *pairup.Registration){
			"NoID":      func(r *pairup.Registration) { r.ID = "" },
			"NoEmail":   func(r *pairup.Registration) { r.Email = "" },
			"UpperCase": func(r *pairup.Registration) { r.Email = "Invalid@Example.org" },
			"BadEmail":  func(r *pairup.Registration) { r.Email = "not an address" },
			"NoRound":   func(r *pairup.Registration) { r.RoundID = "" },
			"Confirmed": func(r *pairup.Registration) { r.Status = pairup.StatusConfirmed },
		} {
			t.Run(name, func(t *testing.T) {
				r := newRegistration("iln", "r1", "reg-invalid", "invalid@example.org", t0)
				mod(r)
				_, _, err := register(s, ctx, r, expires)
				wantCode(t, err, pairup.EINVALID)
			})
		}
		for name, exp := range map[string]time.Time{"NoExpiry": {}, "ExpiresNow": t0, "Expired": t0.Add(-time.Hour)} {
			t.Run(name, func(t *testing.T) {
				_, _, err := register(s, ctx, newRegistration("iln", "r1", "reg-invalid", "invalid@example.org", t0), exp)
				wantCode(t, err, pairup.EINVALID)
			})
		}
	})
	t.Run("ConcurrentSameEmail", func(t *testing.T) {
		// Ten signups of one person at once (a double-clicked, retried form), each with its own
		// registration id: one is stored, the other nine get it back.
		testConcurrentRegister(t, s, func(i int) string { return fmt.Sprintf("reg-race-%d", i) }, "race@example.org")
	})
	t.Run("ConcurrentIdentical", func(t *testing.T) {
		// Ten identical calls, same id and all.
		testConcurrentRegister(t, s, func(int) string { return "reg-same" }, "same@example.org")
	})
	t.Run("ExpiredIsGone", func(t *testing.T) {
		s := newStore(t)
		setup(t, s)
		now := t0
		setNow(s, now)
		old := newRegistration("iln", "r1", "reg-old", "late@example.org", t0)
		_, _, err := register(s, ctx, old, t0.Add(time.Hour))
		mustOK(t, err)

		now = t0.Add(time.Hour) // expired, though TTL has not deleted it yet
		setNow(s, now)
		_, err = s.GetRegistration(ctx, "iln", "r1", "reg-old")
		wantCode(t, err, pairup.ENOTFOUND)
		_, err = s.ConfirmRegistration(ctx, "iln", "r1", "reg-old", now)
		wantCode(t, err, pairup.ENOTFOUND)
		_, err = s.QueueConfirmation(ctx, "iln", "r1", "reg-old", 0, 5, now, confirmation(old, 2))
		wantCode(t, err, pairup.ENOTFOUND)

		fresh := newRegistration("iln", "r1", "reg-new", "late@example.org", now)
		got, created, err := register(s, ctx, fresh, now.Add(time.Hour))
		mustOK(t, err)
		mustEqual(t, created, true)
		mustEqual(t, got, fresh)
		regs, err := s.ListRegistrations(ctx, "iln", "r1", "")
		mustOK(t, err)
		mustEqual(t, ids(regs), []string{"reg-new"})
	})
}

func testConcurrentRegister(t *testing.T, s *store.Store, id func(int) string, email string) {
	ctx := context.Background()
	const n = 10
	type result struct {
		reg     *pairup.Registration
		created bool
		err     error
	}
	results := make([]result, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			r := newRegistration("iln", "r1", id(i), email, t0)
			reg, created, err := register(s, ctx, r, t0.Add(72*time.Hour))
			results[i] = result{reg, created, err}
		})
	}
	close(start)
	wg.Wait()
	created, winner := 0, ""
	for _, res := range results {
		mustOK(t, res.err)
		if res.created {
			created++
			winner = res.reg.ID
		}
	}
	mustEqual(t, created, 1)
	for i, res := range results {
		if res.reg.ID != winner {
			t.Errorf("call %d returned registration %q, want %q", i, res.reg.ID, winner)
		}
	}
	regs, err := s.ListRegistrations(ctx, "iln", "r1", "")
	mustOK(t, err)
	found := 0
	for _, r := range regs {
		if r.Email == email {
			found++
		}
	}
	mustEqual(t, found, 1)
}

func ids(regs []pairup.Registration) []string {
	out := []string{}
	for _, r := range regs {
		out = append(out, r.ID)
	}
	return out
}

func TestGetRegistration(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	setup(t, s)
	t.Run("ErrNotFound", func(t *testing.T) {
		got, err := s.GetRegistration(ctx, "iln", "r1", "nope")
		wantCode(t, err, pairup.ENOTFOUND)
		if got != nil {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("TimesRoundTrip", func(t *testing.T) {
		hk, err := time.LoadLocation("Asia/Hong_Kong")
		mustOK(t, err)
		created := time.Date(2026, 3, 1, 18, 30, 15, 123456789, hk)
		r := newRegistration("iln", "r1", "reg-times", "times@example.org", created)
		r.ConsentAt = created.Add(-time.Second)
		setNow(s, created)
		_, _, err = register(s, ctx, r, created.Add(time.Hour))
		mustOK(t, err)
		got, err := s.GetRegistration(ctx, "iln", "r1", "reg-times")
		mustOK(t, err)
		if !got.CreatedAt.Equal(created) || !got.ConsentAt.Equal(r.ConsentAt) || !got.ConfirmedAt.IsZero() || !got.LastSentAt.IsZero() {
			t.Errorf("times came back as %v %v %v %v", got.CreatedAt, got.ConsentAt, got.ConfirmedAt, got.LastSentAt)
		}
		if got.CreatedAt.Location() != time.UTC {
			t.Errorf("times are stored in UTC; got %v", got.CreatedAt.Location())
		}
	})
}

func TestListRegistrations(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	setup(t, s)
	setNow(s, t0)
	expires := t0.Add(72 * time.Hour)
	// Created out of order; "b" and "a" share a time, so id breaks the tie.
	for _, r := range []*pairup.Registration{
		newRegistration("iln", "r1", "c", "c@example.org", t0.Add(2*time.Minute)),
		newRegistration("iln", "r1", "b", "b@example.org", t0.Add(time.Minute)),
		newRegistration("iln", "r1", "a", "a@example.org", t0.Add(time.Minute)),
		newRegistration("iln", "r1", "d", "d@example.org", t0),
	} {
		_, _, err := register(s, ctx, r, expires)
		mustOK(t, err)
	}
	_, err := s.ConfirmRegistration(ctx, "iln", "r1", "c", t0.Add(time.Hour))
	mustOK(t, err)
	withdraw(t, s, "iln", "r1", "a")

	for _, tc := range []struct {
		status pairup.Status
		want   []string
	}{
		{"", []string{"d", "a", "b", "c"}},
		{pairup.StatusPending, []string{"d", "b"}},
		{pairup.StatusConfirmed, []string{"c"}},
		{pairup.StatusWithdrawn, []string{"a"}},
	} {
		t.Run("Status="+string(tc.status), func(t *testing.T) {
			regs, err := s.ListRegistrations(ctx, "iln", "r1", tc.status)
			mustOK(t, err)
			mustEqual(t, ids(regs), tc.want)
		})
	}
	t.Run("EmptyRound", func(t *testing.T) {
		regs, err := s.ListRegistrations(ctx, "iln", "nope", "")
		mustOK(t, err)
		mustEqual(t, len(regs), 0)
	})
	t.Run("ManyPages", func(t *testing.T) {
		// A query page holds at most 1 MB: 14 registrations of ~100 KB need two pages.
		s := newStore(t)
		setup(t, s)
		big := make([]string, 1000)
		for i := range big {
			big[i] = strings.Repeat("x", 90) + fmt.Sprintf("%010d", i)
		}
		var want []string
		for i := range 14 {
			id := fmt.Sprintf("big-%02d", i)
			r := newRegistration("iln", "r1", id, id+"@example.org", t0.Add(time.Duration(i)*time.Second))
			r.Interests = big
			_, _, err := register(s, ctx, r, time.Now().Add(time.Hour))
			mustOK(t, err)
			want = append(want, id)
		}
		regs, err := s.ListRegistrations(ctx, "iln", "r1", pairup.StatusPending)
		mustOK(t, err)
		mustEqual(t, ids(regs), want)
	})
}

// withdraw marks a registration withdrawn directly in the table (the Store has no method for
// it yet), using the documented key design.
func withdraw(t *testing.T, s *store.Store, programmeID, roundID, id string) {
	t.Helper()
	expr, err := expression.NewBuilder().
		WithUpdate(expression.Set(expression.Name("status"), expression.Value(pairup.StatusWithdrawn))).
		WithCondition(expression.AttributeExists(expression.Name("PK"))).
		Build()
	mustOK(t, err)
	_, err = client.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: aws.String(tableOf(s)),
		Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "ROUND#" + programmeID + "#" + roundID},
			"SK": &types.AttributeValueMemberS{Value: "REG#" + id},
		},
		UpdateExpression:          expr.Update(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	mustOK(t, err)
}

// rawItem reads an item straight from the table.
func rawItem(t *testing.T, s *store.Store, pk, sk string) map[string]types.AttributeValue {
	t.Helper()
	out, err := client.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName:      aws.String(tableOf(s)),
		ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: pk},
			"SK": &types.AttributeValueMemberS{Value: sk},
		},
	})
	mustOK(t, err)
	return out.Item
}

var tables sync.Map // *store.Store → table name

func tableOf(s *store.Store) string {
	name, ok := tables.Load(s)
	if !ok {
		panic("store not made by newStore")
	}
	return name.(string)
}

func TestQueueConfirmation(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	setup(t, s)
	setNow(s, t0)
	reg := func(t *testing.T, id string) *pairup.Registration {
		t.Helper()
		r := newRegistration("iln", "r1", id, id+"@example.org", t0)
		r.ConfirmSends = 1 // as signup registers: with confirmation email 1 queued
		got, _, err := register(s, ctx, r, t0.Add(72*time.Hour))
		mustOK(t, err)
		return got
	}
	queue := func(id string, prev, max int, cooldown time.Duration) (*pairup.Registration, error) {
		r := newRegistration("iln", "r1", id, id+"@example.org", t0)
		return s.QueueConfirmation(ctx, "iln", "r1", id, prev, max, s.Now().Add(-cooldown), confirmation(r, prev+1))
	}
	cooldown := 5 * time.Minute

	t.Run("OK", func(t *testing.T) {
		reg(t, "ok")
		at := t0.Add(time.Second)
		setNow(s, at)
		defer setNow(s, t0)
		got, err := queue("ok", 1, 3, cooldown)
		mustOK(t, err)
		mustEqual(t, got.ConfirmSends, 2)
		if !got.LastSentAt.Equal(at) {
			t.Errorf("LastSentAt %v, want %v", got.LastSentAt, at)
		}
		stored, err := s.GetRegistration(ctx, "iln", "r1", "ok")
		mustOK(t, err)
		mustEqual(t, stored, got)
		q, err := s.GetMessage(ctx, "confirm/ok/2")
		mustOK(t, err)
		mustEqual(t, q.Status, mail.StatusPending)
	})
	t.Run("ErrLimitCap", func(t *testing.T) {
		reg(t, "cap")
		defer setNow(s, t0)
		for i := 2; i <= 3; i++ {
			got, err := queue("cap", i-1, 3, cooldown)
			mustOK(t, err)
			mustEqual(t, got.ConfirmSends, i)
			setNow(s, s.Now().Add(time.Hour))
		}
		_, err := queue("cap", 3, 3, cooldown)
		wantCode(t, err, pairup.ELIMIT)
		stored, err := s.GetRegistration(ctx, "iln", "r1", "cap")
		mustOK(t, err)
		mustEqual(t, stored.ConfirmSends, 3)
		if _, err := s.GetMessage(ctx, "confirm/cap/4"); pairup.ErrorCode(err) != pairup.ENOTFOUND {
			t.Errorf("a message past the cap was queued: %v", err)
		}
	})
	t.Run("ErrLimitConcurrent", func(t *testing.T) {
		reg(t, "conc")
		_, err := queue("conc", 1, 5, 0)
		mustOK(t, err)
		// A second request that read confirmSends 1 before the first wrote 2 queues nothing.
		_, err = queue("conc", 1, 5, 0)
		wantCode(t, err, pairup.ELIMIT)
	})
	t.Run("ErrLimitCooldown", func(t *testing.T) {
		reg(t, "cool")
		defer setNow(s, t0)
		first := t0.Add(10 * time.Minute)
		setNow(s, first)
		_, err := queue("cool", 1, 5, cooldown)
		mustOK(t, err)
		sends := 2
		for _, tc := range []struct {
			name string
			at   time.Time
			code string
		}{
			{"TooSoon", first.Add(time.Minute), pairup.ELIMIT},
			// Half a second short: RFC3339Nano strings would compare the wrong way here.
			{"SubSecondShort", first.Add(cooldown - 500*time.Millisecond), pairup.ELIMIT},
			{"Nanosecond short", first.Add(cooldown - time.Nanosecond), pairup.ELIMIT},
			{"ExactlyAtCooldown", first.Add(cooldown), ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				setNow(s, tc.at)
				_, err := queue("cool", sends, 5, cooldown)
				if tc.code == "" {
					mustOK(t, err)
					sends++
				} else {
					wantCode(t, err, tc.code)
				}
			})
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := queue("nope", 0, 3, 0)
		wantCode(t, err, pairup.ENOTFOUND)
		// The failed transaction must not have created an item.
		if item := rawItem(t, s, "ROUND#iln#r1", "REG#nope"); item != nil {
			t.Errorf("created %v", item)
		}
		if item := rawItem(t, s, "OUTBOX#confirm/nope/1", "OUTBOX"); item != nil {
			t.Errorf("queued %v", item)
		}
	})
	t.Run("ErrInvalidMessage", func(t *testing.T) {
		reg(t, "inv")
		_, err := s.QueueConfirmation(ctx, "iln", "r1", "inv", 1, 3, t0, mail.Message{Key: "confirm/inv/2", To: "inv@example.org"})
		wantCode(t, err, pairup.EINVALID)
	})
}

// confirmation is a queueable confirmation email for r, number n.
func confirmation(r *pairup.Registration, n int) mail.Message {
	return mail.Message{
		Key: fmt.Sprintf("confirm/%s/%d", r.ID, n), To: r.Email, Subject: "Please confirm", Text: "Follow the link.",
		ListUnsubscribe: "https://forms.example.org/unsubscribe?t=x", Tags: map[string]string{"kind": "confirm"},
	}
}

// register registers r with its first confirmation email.
func register(s *store.Store, ctx context.Context, r *pairup.Registration, expires time.Time) (*pairup.Registration, bool, error) {
	return s.Register(ctx, r, expires, confirmation(r, 1))
}

func TestConfirmRegistration(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	setup(t, s)
	setNow(s, t0)
	expires := t0.Add(72 * time.Hour)
	at := t0.Add(time.Hour)

	t.Run("OK", func(t *testing.T) {
		r := newRegistration("iln", "r1", "reg-ok", "new@example.org", t0)
		_, _, err := register(s, ctx, r, expires)
		mustOK(t, err)
		got, err := s.ConfirmRegistration(ctx, "iln", "r1", "reg-ok", at)
		mustOK(t, err)
		if got.Status != pairup.StatusConfirmed || !got.ConfirmedAt.Equal(at) || got.ParticipantID == "" || got.Returning {
			t.Fatalf("confirmed as %+v", got)
		}
		stored, err := s.GetRegistration(ctx, "iln", "r1", "reg-ok")
		mustOK(t, err)
		mustEqual(t, stored, got)
		// Neither pending record expires any more.
		for _, sk := range []string{"REG#reg-ok", "EMAIL#new@example.org"} {
			item := rawItem(t, s, "ROUND#iln#r1", sk)
			if _, ok := item["ExpiresAt"]; ok || item == nil {
				t.Errorf("%s: %v", sk, item)
			}
		}
		// … so it outlives the pending expiry.
		setNow(s, expires.Add(time.Hour))
		defer func() { setNow(s, t0) }()
		_, err = s.GetRegistration(ctx, "iln", "r1", "reg-ok")
		mustOK(t, err)

		t.Run("AlreadyConfirmed", func(t *testing.T) {
			again, err := s.ConfirmRegistration(ctx, "iln", "r1", "reg-ok", at.Add(time.Hour))
			mustOK(t, err)
			mustEqual(t, again, got)
		})
		t.Run("ReRegisterReturnsConfirmed", func(t *testing.T) {
			reg, created, err := register(s, ctx, newRegistration("iln", "r1", "reg-again", "new@example.org", at), s.Now().Add(time.Hour))
			mustOK(t, err)
			mustEqual(t, created, false)
			mustEqual(t, reg, got)
		})
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := s.ConfirmRegistration(ctx, "iln", "r1", "nope", at)
		wantCode(t, err, pairup.ENOTFOUND)
	})
	t.Run("ErrConflictWithdrawn", func(t *testing.T) {
		_, _, err := register(s, ctx, newRegistration("iln", "r1", "reg-gone", "gone@example.org", t0), expires)
		mustOK(t, err)
		withdraw(t, s, "iln", "r1", "reg-gone")
		_, err = s.ConfirmRegistration(ctx, "iln", "r1", "reg-gone", at)
		wantCode(t, err, pairup.ECONFLICT)
	})
	t.Run("Concurrent", func(t *testing.T) {
		_, _, err := register(s, ctx, newRegistration("iln", "r1", "reg-race", "race@example.org", t0), expires)
		mustOK(t, err)
		const n = 5
		got := make([]*pairup.Registration, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { got[i], errs[i] = s.ConfirmRegistration(ctx, "iln", "r1", "reg-race", at) })
		}
		wg.Wait()
		for i := range n {
			mustOK(t, errs[i])
			mustEqual(t, got[i], got[0])
		}
	})
}

func TestReturningParticipant(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	setup(t, s)
	setNow(s, t0)
	mustOK(t, s.CreateRound(ctx, newRound("iln", "r2", t0.AddDate(0, 6, 0))))
	mustOK(t, s.PutProgramme(ctx, newProgramme("other")))
	mustOK(t, s.CreateRound(ctx, newRound("other", "x1", t0)))

	register := func(t *testing.T, programmeID, roundID, id, email string, at time.Time) {
		t.Helper()
		_, created, err := register(s, ctx, newRegistration(programmeID, roundID, id, email, at), at.Add(72*time.Hour))
		mustOK(t, err)
		mustEqual(t, created, true)
	}

	register(t, "iln", "r1", "reg-1", "back@example.org", t0)
	first, err := s.ConfirmRegistration(ctx, "iln", "r1", "reg-1", t0.Add(time.Hour))
	mustOK(t, err)
	mustEqual(t, first.Returning, false)

	t2 := t0.AddDate(0, 6, 0)
	setNow(s, t2)
	register(t, "iln", "r2", "reg-2", "back@example.org", t2)
	second, err := s.ConfirmRegistration(ctx, "iln", "r2", "reg-2", t2.Add(time.Hour))
	mustOK(t, err)
	mustEqual(t, second.ParticipantID, first.ParticipantID)
	mustEqual(t, second.Returning, true)

	// Someone else is someone else.
	register(t, "iln", "r2", "reg-3", "fresh@example.org", t2)
	other, err := s.ConfirmRegistration(ctx, "iln", "r2", "reg-3", t2.Add(time.Hour))
	mustOK(t, err)
	if other.ParticipantID == first.ParticipantID || other.Returning {
		t.Errorf("a new person got %+v", other)
	}

	t.Run("ParticipantRegistrations", func(t *testing.T) {
		regs, err := s.ParticipantRegistrations(ctx, first.ParticipantID)
		mustOK(t, err)
		mustEqual(t, regs, []pairup.Registration{*first, *second})
		regs, err = s.ParticipantRegistrations(ctx, "nobody")
		mustOK(t, err)
		mustEqual(t, len(regs), 0)
	})
	t.Run("PendingNotListed", func(t *testing.T) {
		mustOK(t, s.CreateRound(ctx, newRound("iln", "r3", t2.AddDate(0, 6, 0))))
		register(t, "iln", "r3", "reg-4", "back@example.org", t2)
		regs, err := s.ParticipantRegistrations(ctx, first.ParticipantID)
		mustOK(t, err)
		mustEqual(t, ids(regs), []string{"reg-1", "reg-2"})
	})
	t.Run("ConcurrentFirstConfirmations", func(t *testing.T) {
		// A new person confirms two rounds at the same moment: one participant, not two.
		register(t, "iln", "r2", "reg-p", "twin@example.org", t2)
		register(t, "other", "x1", "reg-q", "twin@example.org", t2)
		var a, b *pairup.Registration
		var errA, errB error
		var wg sync.WaitGroup
		wg.Go(func() { a, errA = s.ConfirmRegistration(ctx, "iln", "r2", "reg-p", t2) })
		wg.Go(func() { b, errB = s.ConfirmRegistration(ctx, "other", "x1", "reg-q", t2) })
		wg.Wait()
		mustOK(t, errA)
		mustOK(t, errB)
		mustEqual(t, a.ParticipantID, b.ParticipantID)
		if a.Returning == b.Returning {
			t.Errorf("exactly one of the two should be returning: %v %v", a.Returning, b.Returning)
		}
	})
}

func TestOutbox(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	setNow(s, t0)
	msg := func(k string) mail.Message {
		return mail.Message{
			Key: k, To: "ada@example.org", Subject: "Hello", Text: "Hi", HTML: "<p>Hi</p>",
			ListUnsubscribe: "https://forms.example.org/unsubscribe?t=x", Tags: map[string]string{"kind": "intro"},
		}
	}
	lease := 2 * time.Minute

	t.Run("EnqueueIdempotent", func(t *testing.T) {
		batch := []mail.Message{msg("intro/a/1"), msg("intro/a/2"), msg("intro/a/3")}
		n, err := s.Enqueue(ctx, batch)
		mustOK(t, err)
		mustEqual(t, n, 3)
		// A re-run queues nothing new, and a partly new batch only the new one.
		n, err = s.Enqueue(ctx, append(batch, msg("intro/a/4")))
		mustOK(t, err)
		mustEqual(t, n, 1)
		q, err := s.GetMessage(ctx, "intro/a/4")
		mustOK(t, err)
		mustEqual(t, q.Status, mail.StatusPending)
		mustEqual(t, q.Message, msg("intro/a/4"))
		item := rawItem(t, s, "OUTBOX#intro/a/4", "OUTBOX")
		exp, ok := item["ExpiresAt"].(*types.AttributeValueMemberN)
		if !ok || exp.Value != fmt.Sprint(t0.Add(400*24*time.Hour).Unix()) {
			t.Errorf("ExpiresAt %v, want 400 days after queuing", item["ExpiresAt"])
		}
	})
	t.Run("ErrEnqueueInvalid", func(t *testing.T) {
		noUnsub := msg("intro/b/1")
		noUnsub.ListUnsubscribe = ""
		for name, batch := range map[string][]mail.Message{
			"NoKey":         {msg("")},
			"NoUnsubscribe": {noUnsub},
			"DuplicateKey":  {msg("intro/b/2"), msg("intro/b/2")},
			"OneBadOneGood": {msg("intro/b/3"), {Key: "intro/b/4"}},
			"KeyTooLong":    {msg(strings.Repeat("k", mail.MaxKeyLen+1))},
			"NoRecipient":   {{Key: "intro/b/5", Subject: "s", Text: "t", ListUnsubscribe: "https://x.example/u"}},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := s.Enqueue(ctx, batch)
				wantCode(t, err, pairup.EINVALID)
			})
		}
		if _, err := s.GetMessage(ctx, "intro/b/3"); pairup.ErrorCode(err) != pairup.ENOTFOUND {
			t.Errorf("part of an invalid batch was queued: %v", err)
		}
	})
	t.Run("ClaimOnce", func(t *testing.T) {
		_, err := s.Enqueue(ctx, []mail.Message{msg("intro/c/1")})
		mustOK(t, err)
		const n = 10
		var wg sync.WaitGroup
		won := make([]bool, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, ok, err := s.ClaimMessage(ctx, "intro/c/1", lease)
				mustOK(t, err)
				won[i] = ok
			}()
		}
		wg.Wait()
		wins := 0
		for _, w := range won {
			if w {
				wins++
			}
		}
		mustEqual(t, wins, 1)
		q, err := s.GetMessage(ctx, "intro/c/1")
		mustOK(t, err)
		mustEqual(t, q.Status, mail.StatusSending)
		mustEqual(t, q.Attempts, 1)
		if !q.LeaseUntil.Equal(t0.Add(lease)) {
			t.Errorf("LeaseUntil %v, want %v", q.LeaseUntil, t0.Add(lease))
		}
	})
	t.Run("ClaimAbsent", func(t *testing.T) {
		_, ok, err := s.ClaimMessage(ctx, "never/queued", lease)
		mustOK(t, err)
		mustEqual(t, ok, false)
		if item := rawItem(t, s, "OUTBOX#never/queued", "OUTBOX"); item != nil {
			t.Errorf("claim created %v", item)
		}
	})
	t.Run("LeaseExpiry", func(t *testing.T) {
		defer setNow(s, t0)
		_, err := s.Enqueue(ctx, []mail.Message{msg("intro/d/1")})
		mustOK(t, err)
		first, ok, err := s.ClaimMessage(ctx, "intro/d/1", lease)
		mustOK(t, err)
		mustEqual(t, ok, true)
		setNow(s, t0.Add(lease-time.Second))
		_, ok, _ = s.ClaimMessage(ctx, "intro/d/1", lease)
		mustEqual(t, ok, false)
		setNow(s, t0.Add(lease))
		second, ok, err := s.ClaimMessage(ctx, "intro/d/1", lease)
		mustOK(t, err)
		mustEqual(t, ok, true)
		mustEqual(t, second.Attempts, 2)
		// The first holder lost its lease: it can no longer fail, skip or release the message.
		wantCode(t, s.MarkFailed(ctx, "intro/d/1", first.LeaseID, "MessageRejected"), pairup.ECONFLICT)
		wantCode(t, s.ReleaseMessage(ctx, "intro/d/1", first.LeaseID, t0), pairup.ECONFLICT)
		mustOK(t, s.MarkSent(ctx, "intro/d/1", "ses-2"))
		// Marking again (the first holder's late mark) keeps the first provider id.
		mustOK(t, s.MarkSent(ctx, "intro/d/1", "ses-1"))
		q, err := s.GetMessage(ctx, "intro/d/1")
		mustOK(t, err)
		mustEqual(t, q.Status, mail.StatusSent)
		mustEqual(t, q.ProviderID, "ses-2")
		_, ok, _ = s.ClaimMessage(ctx, "intro/d/1", lease)
		mustEqual(t, ok, false)
	})
	t.Run("FailSkipRelease", func(t *testing.T) {
		defer setNow(s, t0)
		_, err := s.Enqueue(ctx, []mail.Message{msg("intro/e/1"), msg("intro/e/2"), msg("intro/e/3")})
		mustOK(t, err)
		claim := func(k string) string {
			q, ok, err := s.ClaimMessage(ctx, k, lease)
			mustOK(t, err)
			mustEqual(t, ok, true)
			return q.LeaseID
		}
		mustOK(t, s.MarkFailed(ctx, "intro/e/1", claim("intro/e/1"), "MessageRejected"))
		mustOK(t, s.MarkSkipped(ctx, "intro/e/2", claim("intro/e/2"), "bounce"))
		mustOK(t, s.ReleaseMessage(ctx, "intro/e/3", claim("intro/e/3"), t0.Add(30*time.Second)))
		for k, want := range map[string]struct {
			status mail.Status
			err    string
		}{"intro/e/1": {mail.StatusFailed, "MessageRejected"}, "intro/e/2": {mail.StatusSkipped, "bounce"}, "intro/e/3": {mail.StatusPending, ""}} {
			q, err := s.GetMessage(ctx, k)
			mustOK(t, err)
			mustEqual(t, q.Status, want.status)
			mustEqual(t, q.Error, want.err)
		}
		for _, k := range []string{"intro/e/1", "intro/e/2"} {
			if _, ok, _ := s.ClaimMessage(ctx, k, lease); ok {
				t.Errorf("claimed finished message %s", k)
			}
		}
	})
	t.Run("DueMessages", func(t *testing.T) {
		defer setNow(s, t0)
		s := newStore(t) // a table of its own: the sweep reads every unsent message
		setNow(s, t0)
		_, err := s.Enqueue(ctx, []mail.Message{msg("due/1"), msg("due/2"), msg("due/3")})
		mustOK(t, err)
		keys, err := s.DueMessages(ctx, 100)
		mustOK(t, err)
		mustEqual(t, len(keys), 0) // new messages are the stream's for SweepGrace
		setNow(s, t0.Add(store.SweepGrace))
		keys, err = waitDue(ctx, s, 3)
		mustOK(t, err)
		mustEqual(t, keys, []string{"due/1", "due/2", "due/3"})
		keys, err = s.DueMessages(ctx, 2)
		mustOK(t, err)
		mustEqual(t, len(keys), 2)
		q, _, err := s.ClaimMessage(ctx, "due/2", lease)
		mustOK(t, err)
		mustOK(t, s.MarkSent(ctx, "due/3", "ses-3"))
		keys, err = waitDue(ctx, s, 1)
		mustOK(t, err)
		mustEqual(t, keys, []string{"due/1"}) // due/2 is leased, due/3 sent
		setNow(s, q.LeaseUntil)
		keys, err = waitDue(ctx, s, 2)
		mustOK(t, err)
		mustEqual(t, keys, []string{"due/1", "due/2"}) // the lease has expired
	})
	t.Run("Feedback", func(t *testing.T) {
		_, err := s.Enqueue(ctx, []mail.Message{msg("intro/f/1")})
		mustOK(t, err)
		mustOK(t, s.MarkMessageFeedback(ctx, "intro/f/1", pairup.SuppressBounce, t0))
		q, err := s.GetMessage(ctx, "intro/f/1")
		mustOK(t, err)
		mustEqual(t, q.Feedback, "bounce")
		wantCode(t, s.MarkMessageFeedback(ctx, "no/such", pairup.SuppressBounce, t0), pairup.ENOTFOUND)
		if item := rawItem(t, s, "OUTBOX#no/such", "OUTBOX"); item != nil {
			t.Errorf("feedback created %v", item)
		}
	})
	t.Run("RegisterQueuesConfirmation", func(t *testing.T) {
		setup(t, s)
		r := newRegistration("iln", "r1", "reg-q", "q@example.org", t0)
		_, created, err := register(s, ctx, r, t0.Add(time.Hour))
		mustOK(t, err)
		mustEqual(t, created, true)
		q, err := s.GetMessage(ctx, "confirm/reg-q/1")
		mustOK(t, err)
		mustEqual(t, q.Status, mail.StatusPending)
		// The same address again: no second registration and no second email.
		again := newRegistration("iln", "r1", "reg-q2", "q@example.org", t0)
		_, created, err = register(s, ctx, again, t0.Add(time.Hour))
		mustOK(t, err)
		mustEqual(t, created, false)
		if _, err := s.GetMessage(ctx, "confirm/reg-q2/1"); pairup.ErrorCode(err) != pairup.ENOTFOUND {
			t.Errorf("a cancelled registration queued its email: %v", err)
		}
		// An unqueueable confirmation stores nothing.
		bad := newRegistration("iln", "r1", "reg-bad", "bad@example.org", t0)
		_, _, err = s.Register(ctx, bad, t0.Add(time.Hour), mail.Message{Key: "confirm/reg-bad/1"})
		wantCode(t, err, pairup.EINVALID)
		if item := rawItem(t, s, "ROUND#iln#r1", "REG#reg-bad"); item != nil {
			t.Errorf("registered with a bad message: %v", item)
		}
	})
}

// waitDue polls DueMessages (an eventually consistent index query) until it returns n keys or
// a few seconds pass, and returns the last answer.
func waitDue(ctx context.Context, s *store.Store, n int) ([]string, error) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		keys, err := s.DueMessages(ctx, 100)
		if err != nil || len(keys) == n || time.Now().After(deadline) {
			return keys, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func BenchmarkRegister(b *testing.B) {
	ctx := context.Background()
	s := newStore(b)
	mustOK(b, s.PutProgramme(ctx, newProgramme("iln")))
	mustOK(b, s.CreateRound(ctx, newRound("iln", "r1", t0)))
	expires := time.Now().Add(time.Hour)
	for i := 0; b.Loop(); i++ {
		id := fmt.Sprintf("bench-%d", i)
		_, created, err := register(s, ctx, newRegistration("iln", "r1", id, id+"@example.org", t0), expires)
		if err != nil || !created {
			b.Fatal(created, err)
		}
	}
}

func BenchmarkGetProgramme(b *testing.B) {
	ctx := context.Background()
	s := newStore(b)
	mustOK(b, s.PutProgramme(ctx, newProgramme("iln")))
	for b.Loop() {
		if _, err := s.GetProgramme(ctx, "iln"); err != nil {
			b.Fatal(err)
		}
	}
}
