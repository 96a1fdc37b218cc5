package store_test

import (
	"context"
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
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/store"
)

// client talks to the DynamoDB Local that TestMain starts for the whole package.
var client *dynamodb.Client

func TestMain(m *testing.M) {
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
	s := store.New(client, name)
	tables.Store(s, name)
	return s
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
	s.Now = func() time.Time { return t0 }

	t.Run("OK", func(t *testing.T) {
		r := newRegistration("iln", "r1", "reg-ok", "ok@example.org", t0)
		got, created, err := s.Register(ctx, r, expires)
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
		_, created, err := s.Register(ctx, first, expires)
		mustOK(t, err)
		mustEqual(t, created, true)
		second := newRegistration("iln", "r1", "reg-second", "twice@example.org", t0.Add(time.Minute))
		second.Name = "Someone else"
		got, created, err := s.Register(ctx, second, expires)
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
			_, _, err := s.Register(ctx, newRegistration("iln", "r1", "reg-a", "rounds@example.org", t0), expires)
			return err
		}())
		_, created, err := s.Register(ctx, newRegistration("iln", "r2", "reg-b", "rounds@example.org", t0), expires)
		mustOK(t, err)
		mustEqual(t, created, true)
	})
	t.Run("ErrConflictSameID", func(t *testing.T) {
		_, _, err := s.Register(ctx, newRegistration("iln", "r1", "reg-id", "one@example.org", t0), expires)
		mustOK(t, err)
		_, _, err = s.Register(ctx, newRegistration("iln", "r1", "reg-id", "two@example.org", t0), expires)
		wantCode(t, err, pairup.ECONFLICT)
		// Nothing of the failed call is left: the other email is still free.
		_, created, err := s.Register(ctx, newRegistration("iln", "r1", "reg-id-2", "two@example.org", t0), expires)
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
				_, _, err := s.Register(ctx, r, expires)
				wantCode(t, err, pairup.EINVALID)
			})
		}
		for name, exp := range map[string]time.Time{"NoExpiry": {}, "ExpiresNow": t0, "Expired": t0.Add(-time.Hour)} {
			t.Run(name, func(t *testing.T) {
				_, _, err := s.Register(ctx, newRegistration("iln", "r1", "reg-invalid", "invalid@example.org", t0), exp)
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
		s.Now = func() time.Time { return now }
		old := newRegistration("iln", "r1", "reg-old", "late@example.org", t0)
		_, _, err := s.Register(ctx, old, t0.Add(time.Hour))
		mustOK(t, err)

		now = t0.Add(time.Hour) // expired, though TTL has not deleted it yet
		_, err = s.GetRegistration(ctx, "iln", "r1", "reg-old")
		wantCode(t, err, pairup.ENOTFOUND)
		_, err = s.ConfirmRegistration(ctx, "iln", "r1", "reg-old", now)
		wantCode(t, err, pairup.ENOTFOUND)
		_, err = s.CountConfirmationSend(ctx, "iln", "r1", "reg-old", 5, now, now)
		wantCode(t, err, pairup.ENOTFOUND)

		fresh := newRegistration("iln", "r1", "reg-new", "late@example.org", now)
		got, created, err := s.Register(ctx, fresh, now.Add(time.Hour))
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
			reg, created, err := s.Register(ctx, r, t0.Add(72*time.Hour))
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
		s.Now = func() time.Time { return created }
		_, _, err = s.Register(ctx, r, created.Add(time.Hour))
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
	s.Now = func() time.Time { return t0 }
	expires := t0.Add(72 * time.Hour)
	// Created out of order; "b" and "a" share a time, so id breaks the tie.
	for _, r := range []*pairup.Registration{
		newRegistration("iln", "r1", "c", "c@example.org", t0.Add(2*time.Minute)),
		newRegistration("iln", "r1", "b", "b@example.org", t0.Add(time.Minute)),
		newRegistration("iln", "r1", "a", "a@example.org", t0.Add(time.Minute)),
		newRegistration("iln", "r1", "d", "d@example.org", t0),
	} {
		_, _, err := s.Register(ctx, r, expires)
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
			_, _, err := s.Register(ctx, r, time.Now().Add(time.Hour))
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

func TestCountConfirmationSend(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	setup(t, s)
	s.Now = func() time.Time { return t0 }
	register := func(t *testing.T, id string) {
		t.Helper()
		_, _, err := s.Register(ctx, newRegistration("iln", "r1", id, id+"@example.org", t0), t0.Add(72*time.Hour))
		mustOK(t, err)
	}
	cooldown := 5 * time.Minute

	t.Run("OK", func(t *testing.T) {
		register(t, "ok")
		at := t0.Add(time.Second)
		got, err := s.CountConfirmationSend(ctx, "iln", "r1", "ok", 3, at.Add(-cooldown), at)
		mustOK(t, err)
		mustEqual(t, got.ConfirmSends, 1)
		if !got.LastSentAt.Equal(at) {
			t.Errorf("LastSentAt %v, want %v", got.LastSentAt, at)
		}
		stored, err := s.GetRegistration(ctx, "iln", "r1", "ok")
		mustOK(t, err)
		mustEqual(t, stored, got)
	})
	t.Run("ErrLimitCap", func(t *testing.T) {
		register(t, "cap")
		at := t0
		for i := 1; i <= 3; i++ {
			got, err := s.CountConfirmationSend(ctx, "iln", "r1", "cap", 3, at.Add(-cooldown), at)
			mustOK(t, err)
			mustEqual(t, got.ConfirmSends, i)
			at = at.Add(time.Hour)
		}
		_, err := s.CountConfirmationSend(ctx, "iln", "r1", "cap", 3, at.Add(-cooldown), at)
		wantCode(t, err, pairup.ELIMIT)
		stored, err := s.GetRegistration(ctx, "iln", "r1", "cap")
		mustOK(t, err)
		mustEqual(t, stored.ConfirmSends, 3)
	})
	t.Run("ErrLimitCooldown", func(t *testing.T) {
		register(t, "cool")
		first := t0.Add(10 * time.Minute)
		_, err := s.CountConfirmationSend(ctx, "iln", "r1", "cool", 5, first.Add(-cooldown), first)
		mustOK(t, err)
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
				_, err := s.CountConfirmationSend(ctx, "iln", "r1", "cool", 5, tc.at.Add(-cooldown), tc.at)
				if tc.code == "" {
					mustOK(t, err)
				} else {
					wantCode(t, err, tc.code)
				}
			})
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := s.CountConfirmationSend(ctx, "iln", "r1", "nope", 3, t0, t0)
		wantCode(t, err, pairup.ENOTFOUND)
		// The failed update must not have created an item.
		if item := rawItem(t, s, "ROUND#iln#r1", "REG#nope"); item != nil {
			t.Errorf("created %v", item)
		}
	})
}

func TestConfirmRegistration(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	setup(t, s)
	s.Now = func() time.Time { return t0 }
	expires := t0.Add(72 * time.Hour)
	at := t0.Add(time.Hour)

	t.Run("OK", func(t *testing.T) {
		r := newRegistration("iln", "r1", "reg-ok", "new@example.org", t0)
		_, _, err := s.Register(ctx, r, expires)
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
		s.Now = func() time.Time { return expires.Add(time.Hour) }
		defer func() { s.Now = func() time.Time { return t0 } }()
		_, err = s.GetRegistration(ctx, "iln", "r1", "reg-ok")
		mustOK(t, err)

		t.Run("AlreadyConfirmed", func(t *testing.T) {
			again, err := s.ConfirmRegistration(ctx, "iln", "r1", "reg-ok", at.Add(time.Hour))
			mustOK(t, err)
			mustEqual(t, again, got)
		})
		t.Run("ReRegisterReturnsConfirmed", func(t *testing.T) {
			reg, created, err := s.Register(ctx, newRegistration("iln", "r1", "reg-again", "new@example.org", at), s.Now().Add(time.Hour))
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
		_, _, err := s.Register(ctx, newRegistration("iln", "r1", "reg-gone", "gone@example.org", t0), expires)
		mustOK(t, err)
		withdraw(t, s, "iln", "r1", "reg-gone")
		_, err = s.ConfirmRegistration(ctx, "iln", "r1", "reg-gone", at)
		wantCode(t, err, pairup.ECONFLICT)
	})
	t.Run("Concurrent", func(t *testing.T) {
		_, _, err := s.Register(ctx, newRegistration("iln", "r1", "reg-race", "race@example.org", t0), expires)
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
	s.Now = func() time.Time { return t0 }
	mustOK(t, s.CreateRound(ctx, newRound("iln", "r2", t0.AddDate(0, 6, 0))))
	mustOK(t, s.PutProgramme(ctx, newProgramme("other")))
	mustOK(t, s.CreateRound(ctx, newRound("other", "x1", t0)))

	register := func(t *testing.T, programmeID, roundID, id, email string, at time.Time) {
		t.Helper()
		_, created, err := s.Register(ctx, newRegistration(programmeID, roundID, id, email, at), at.Add(72*time.Hour))
		mustOK(t, err)
		mustEqual(t, created, true)
	}

	register(t, "iln", "r1", "reg-1", "back@example.org", t0)
	first, err := s.ConfirmRegistration(ctx, "iln", "r1", "reg-1", t0.Add(time.Hour))
	mustOK(t, err)
	mustEqual(t, first.Returning, false)

	t2 := t0.AddDate(0, 6, 0)
	s.Now = func() time.Time { return t2 }
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

func TestMessages(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	at := t0

	t.Run("ClaimTwice", func(t *testing.T) {
		won, err := s.ClaimMessage(ctx, "confirm/reg-1/1", at)
		mustOK(t, err)
		mustEqual(t, won, true)
		won, err = s.ClaimMessage(ctx, "confirm/reg-1/1", at.Add(time.Minute))
		mustOK(t, err)
		mustEqual(t, won, false)
		item := rawItem(t, s, "MSG#confirm/reg-1/1", "MSG")
		exp, ok := item["ExpiresAt"].(*types.AttributeValueMemberN)
		if !ok || exp.Value != fmt.Sprint(at.Add(400*24*time.Hour).Unix()) {
			t.Errorf("ExpiresAt %v, want 400 days after the claim", item["ExpiresAt"])
		}
	})
	t.Run("ConcurrentClaims", func(t *testing.T) {
		const n = 10
		won := make([]bool, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				var err error
				won[i], err = s.ClaimMessage(ctx, "intro/pair-1", at)
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		wins := 0
		for _, w := range won {
			if w {
				wins++
			}
		}
		mustEqual(t, wins, 1)
	})
	t.Run("ReleaseThenClaim", func(t *testing.T) {
		won, err := s.ClaimMessage(ctx, "confirm/reg-2/1", at)
		mustOK(t, err)
		mustEqual(t, won, true)
		mustOK(t, s.ReleaseMessage(ctx, "confirm/reg-2/1"))
		won, err = s.ClaimMessage(ctx, "confirm/reg-2/1", at.Add(time.Minute))
		mustOK(t, err)
		mustEqual(t, won, true)
	})
	t.Run("ReleaseAfterSent", func(t *testing.T) {
		won, err := s.ClaimMessage(ctx, "confirm/reg-3/1", at)
		mustOK(t, err)
		mustEqual(t, won, true)
		sentAt := at.Add(2 * time.Second)
		mustOK(t, s.MarkMessageSent(ctx, "confirm/reg-3/1", "ses-0001", sentAt))
		wantCode(t, s.ReleaseMessage(ctx, "confirm/reg-3/1"), pairup.ECONFLICT)
		won, err = s.ClaimMessage(ctx, "confirm/reg-3/1", at.Add(time.Hour))
		mustOK(t, err)
		mustEqual(t, won, false)
		item := rawItem(t, s, "MSG#confirm/reg-3/1", "MSG")
		if item["status"].(*types.AttributeValueMemberS).Value != "sent" ||
			item["providerId"].(*types.AttributeValueMemberS).Value != "ses-0001" ||
			item["ExpiresAt"].(*types.AttributeValueMemberN).Value != fmt.Sprint(sentAt.Add(400*24*time.Hour).Unix()) {
			t.Errorf("sent message stored as %v", item)
		}
	})
	t.Run("ReleaseUnknown", func(t *testing.T) {
		mustOK(t, s.ReleaseMessage(ctx, "never/claimed"))
	})
	t.Run("MarkSentErrNotFound", func(t *testing.T) {
		wantCode(t, s.MarkMessageSent(ctx, "never/claimed", "ses-x", at), pairup.ENOTFOUND)
		if item := rawItem(t, s, "MSG#never/claimed", "MSG"); item != nil {
			t.Errorf("created %v", item)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := s.ClaimMessage(ctx, "", at)
		wantCode(t, err, pairup.EINVALID)
	})
}

func BenchmarkRegister(b *testing.B) {
	ctx := context.Background()
	s := newStore(b)
	mustOK(b, s.PutProgramme(ctx, newProgramme("iln")))
	mustOK(b, s.CreateRound(ctx, newRound("iln", "r1", t0)))
	expires := time.Now().Add(time.Hour)
	for i := 0; b.Loop(); i++ {
		id := fmt.Sprintf("bench-%d", i)
		_, created, err := s.Register(ctx, newRegistration("iln", "r1", id, id+"@example.org", t0), expires)
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
