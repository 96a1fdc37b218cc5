package store_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/pairup"
)

// A member's choice to continue or conclude is recorded once, even when clicked many times at
// once; a second answer is refused with the first.
func TestRecordContinueOnce(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	a := pairup.ContinueAnswer{ProgrammeID: "iln", RoundID: "r1", PairID: "a+b", RegistrationID: "a", Choice: pairup.ChoiceContinue, At: t0}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { _, errs[i] = s.RecordContinue(ctx, a) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch pairup.ErrorCode(err) {
		case "":
			ok++
		case pairup.ECONFLICT:
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of 8 concurrent answers were recorded, want 1", ok)
	}
	conclude := a
	conclude.Choice, conclude.At = pairup.ChoiceConclude, t0.Add(time.Hour)
	prev, err := s.RecordContinue(ctx, conclude)
	wantCode(t, err, pairup.ECONFLICT)
	if prev == nil || prev.Choice != pairup.ChoiceContinue || !prev.At.Equal(t0) {
		t.Fatalf("a second answer returned %+v, want the first", prev)
	}
	got, err := s.GetContinue(ctx, "iln", "r1", "a+b", "a")
	mustOK(t, err)
	mustEqual(t, *got, a)

	// The partner answers for the same pair; a mentor answers for another pair.
	b := a
	b.RegistrationID, b.Choice = "b", pairup.ChoiceConclude
	_, err = s.RecordContinue(ctx, b)
	mustOK(t, err)
	other := a
	other.PairID = "a+c"
	_, err = s.RecordContinue(ctx, other)
	mustOK(t, err)
	_, err = s.GetContinue(ctx, "iln", "r1", "a+c", "c")
	wantCode(t, err, pairup.ENOTFOUND)
	all, err := s.ListContinues(ctx, "iln", "r1")
	mustOK(t, err)
	mustEqual(t, []pairup.ContinueAnswer{a, b, other}, all)
	none, err := s.ListContinues(ctx, "iln", "r2")
	mustOK(t, err)
	mustEqual(t, len(none), 0)

	for name, bad := range map[string]pairup.ContinueAnswer{
		"ErrChoice": {ProgrammeID: "iln", RoundID: "r1", PairID: "a+b", RegistrationID: "c", Choice: "maybe"},
		"ErrPair":   {ProgrammeID: "iln", RoundID: "r1", RegistrationID: "c", Choice: pairup.ChoiceContinue},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.RecordContinue(ctx, bad)
			wantCode(t, err, pairup.EINVALID)
			_, err = s.GetContinue(ctx, "iln", "r1", bad.PairID, "c")
			wantCode(t, err, pairup.ENOTFOUND)
		})
	}
}

// FinishRound moves a closing round to closed with its statistics, once; a closed round keeps
// the statistics frozen first, and a round in another state is refused.
func TestFinishRound(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustOK(t, s.PutProgramme(ctx, newProgramme("iln")))
	at := t0.Add(48 * time.Hour)
	stats := pairup.RoundStats{Registrations: 40, Confirmed: 38, Participants: 30, Pairs: 15, PairsAtClose: 14, ContinuedPairs: 3,
		ConcludedPairs: 2, PartialPairs: 1, NoChoicePairs: 8, Unmatched: map[string]int{"no shared language": 1},
		CheckIns: pairup.CheckInCounts{Yes: 20, No: 2, None: 6}, ClosedAt: at,
		Surveys: map[pairup.SurveyKind]pairup.SurveyRate{pairup.SurveyEnd: {Invited: 28, Responded: 9}}}
	closing := func(id string) {
		t.Helper()
		r := newRound("iln", id, t0)
		r.State = pairup.RoundClosing
		mustOK(t, s.CreateRound(ctx, r))
	}

	t.Run("OK", func(t *testing.T) {
		closing("ok")
		got, err := s.FinishRound(ctx, "iln", "ok", stats)
		mustOK(t, err)
		if got.State != pairup.RoundClosed || !got.UpdatedAt.Equal(at) || got.Stats == nil {
			t.Fatalf("finished round %+v", got)
		}
		mustEqual(t, *got.Stats, stats)
		stored, err := s.GetRound(ctx, "iln", "ok")
		mustOK(t, err)
		mustEqual(t, stored, got)

		t.Run("ErrConflictAgain", func(t *testing.T) {
			later := stats
			later.ContinuedPairs, later.ClosedAt = 99, at.Add(time.Hour)
			again, err := s.FinishRound(ctx, "iln", "ok", later)
			wantCode(t, err, pairup.ECONFLICT)
			if again == nil || again.Stats == nil || again.Stats.ContinuedPairs != 3 {
				t.Fatalf("a second finish returned %+v, want the round with the first stats", again)
			}
			stored, err := s.GetRound(ctx, "iln", "ok")
			mustOK(t, err)
			mustEqual(t, *stored.Stats, stats)
			mustEqual(t, stored.UpdatedAt, at)
		})
	})
	t.Run("ConcurrentOnce", func(t *testing.T) {
		closing("race")
		errs := make([]error, 6)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() {
				st := stats
				st.NoChoicePairs = i
				_, errs[i] = s.FinishRound(ctx, "iln", "race", st)
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if pairup.ErrorCode(err) != pairup.ECONFLICT {
				t.Errorf("unexpected error: %v", err)
			}
		}
		mustEqual(t, ok, 1)
	})
	t.Run("ClosedAtDefaultsToNow", func(t *testing.T) {
		closing("now")
		st := stats
		st.ClosedAt = time.Time{}
		got, err := s.FinishRound(ctx, "iln", "now", st)
		mustOK(t, err)
		mustEqual(t, got.Stats.ClosedAt, t0)
		mustEqual(t, got.UpdatedAt, t0)
	})
	t.Run("ErrConflictActive", func(t *testing.T) {
		r := newRound("iln", "active", t0)
		r.State = pairup.RoundActive
		mustOK(t, s.CreateRound(ctx, r))
		got, err := s.FinishRound(ctx, "iln", "active", stats)
		wantCode(t, err, pairup.ECONFLICT)
		if got != nil {
			t.Errorf("returned %+v with the refusal", got)
		}
		stored, err := s.GetRound(ctx, "iln", "active")
		mustOK(t, err)
		if stored.State != pairup.RoundActive || stored.Stats != nil {
			t.Errorf("the refused finish changed the round: %+v", stored)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := s.FinishRound(ctx, "iln", "nope", stats)
		wantCode(t, err, pairup.ENOTFOUND)
	})
}

// TestDocNamesClose checks that the package doc names the close's item and access patterns.
func TestDocNamesClose(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	mustOK(t, err)
	for _, want := range []string{"CONTINUE#<pair>#<reg>", "RecordContinue", "GetContinue, ListContinues", "FinishRound", "stats (pairup.RoundStats"} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("doc.go does not name %s", want)
		}
	}
}
