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
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pairup/pairup/shared/localenv"
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
