package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/store"
)

// confirmedIn registers and confirms a registration id (address id@example.org) in round
// roundID of "iln".
func confirmedIn(t *testing.T, s *store.Store, roundID, id string) *pairup.Registration {
	t.Helper()
	ctx := context.Background()
	r := newRegistration("iln", roundID, id, id+"@example.org", t0)
	if _, _, err := register(s, ctx, r, t0.Add(14*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	reg, err := s.ConfirmRegistration(ctx, "iln", roundID, id, t0)
	mustOK(t, err)
	return reg
}

// TestWithdrawBeforeMatching: in a round open for signup, a withdrawal marks the registration
// withdrawn once (a second is refused, nothing changed); a confirmed one keeps its address's
// claim, a pending one releases it; once a commit has begun, or in a round gone active, a
// withdrawal planned before matching is refused and changes nothing.
func TestWithdrawBeforeMatching(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	setup(t, s)
	a := confirmedIn(t, s, "r1", "a")
	confirmedIn(t, s, "r1", "c")
	b := newRegistration("iln", "r1", "b", "b@example.org", t0)
	_, _, err := register(s, ctx, b, t0.Add(14*24*time.Hour))
	mustOK(t, err)
	at := t0.Add(time.Hour)

	t.Run("OK", func(t *testing.T) {
		mustOK(t, s.Withdraw(ctx, pairup.Withdrawal{ProgrammeID: "iln", RoundID: "r1", RegistrationID: "a", From: pairup.StatusConfirmed, Email: a.Email, At: at}, nil))
		got, err := s.GetRegistration(ctx, "iln", "r1", "a")
		mustOK(t, err)
		if got.Status != pairup.StatusWithdrawn || !got.WithdrawnAt.Equal(at) {
			t.Fatalf("after withdrawing: %s at %s", got.Status, got.WithdrawnAt)
		}
		confirmed, err := s.ListRegistrations(ctx, "iln", "r1", pairup.StatusConfirmed)
		mustOK(t, err)
		mustEqual(t, ids(confirmed), []string{"c"})
		// The address stays claimed: a new signup finds the withdrawn registration.
		again := newRegistration("iln", "r1", "a2", a.Email, t0)
		found, created, err := register(s, ctx, again, t0.Add(14*24*time.Hour))
		mustOK(t, err)
		if created || found.ID != "a" {
			t.Errorf("a signup after withdrawing: created %v, %s", created, found.ID)
		}
	})
	t.Run("ErrTwice", func(t *testing.T) {
		err := s.Withdraw(ctx, pairup.Withdrawal{ProgrammeID: "iln", RoundID: "r1", RegistrationID: "a", From: pairup.StatusConfirmed, Email: a.Email, At: at.Add(time.Hour)}, nil)
		wantCode(t, err, pairup.ECONFLICT)
		if got, _ := s.GetRegistration(ctx, "iln", "r1", "a"); !got.WithdrawnAt.Equal(at) {
			t.Errorf("a second withdrawal moved withdrawnAt to %s", got.WithdrawnAt)
		}
	})
	t.Run("PendingReleasesItsClaim", func(t *testing.T) {
		mustOK(t, s.Withdraw(ctx, pairup.Withdrawal{ProgrammeID: "iln", RoundID: "r1", RegistrationID: "b", From: pairup.StatusPending, Email: b.Email, At: at}, nil))
		if got, _ := s.GetRegistration(ctx, "iln", "r1", "b"); got.Status != pairup.StatusWithdrawn {
			t.Errorf("pending registration after withdrawing: %s", got.Status)
		}
		again := newRegistration("iln", "r1", "b2", b.Email, t0)
		if _, created, err := register(s, ctx, again, t0.Add(14*24*time.Hour)); err != nil || !created {
			t.Errorf("the address of a withdrawn pending signup can sign up again: created %v, %v", created, err)
		}
	})
	t.Run("ErrWrongStatus", func(t *testing.T) {
		// Read as pending, confirmed since: refused, the caller reads again.
		err := s.Withdraw(ctx, pairup.Withdrawal{ProgrammeID: "iln", RoundID: "r1", RegistrationID: "c", From: pairup.StatusPending, Email: "c@example.org", At: at}, nil)
		wantCode(t, err, pairup.ECONFLICT)
		if got, _ := s.GetRegistration(ctx, "iln", "r1", "c"); got.Status != pairup.StatusConfirmed {
			t.Errorf("status %s", got.Status)
		}
		if it := rawItem(t, s, "ROUND#iln#r1", "EMAIL#c@example.org"); len(it) == 0 {
			t.Error("a refused withdrawal released the claim")
		}
	})
	t.Run("ErrCommitBegun", func(t *testing.T) {
		_, err := s.TransitionRound(ctx, "iln", "r1", pairup.RoundOpen, pairup.RoundMatching, at)
		mustOK(t, err)
		_, err = s.BeginCommit(ctx, "iln", "r1", "run-1", time.Hour)
		mustOK(t, err)
		err = s.Withdraw(ctx, pairup.Withdrawal{ProgrammeID: "iln", RoundID: "r1", RegistrationID: "c", From: pairup.StatusConfirmed, Email: "c@example.org", At: at}, nil)
		wantCode(t, err, pairup.ECONFLICT)
		if got, _ := s.GetRegistration(ctx, "iln", "r1", "c"); got.Status != pairup.StatusConfirmed {
			t.Errorf("a withdrawal during a commit changed the status to %s", got.Status)
		}
		_, err = s.FinishCommit(ctx, "iln", "r1", "run-1", pairup.MatchStats{})
		mustOK(t, err)
		// The round is active now: a withdrawal read before matching is refused too.
		err = s.Withdraw(ctx, pairup.Withdrawal{ProgrammeID: "iln", RoundID: "r1", RegistrationID: "c", From: pairup.StatusConfirmed, Email: "c@example.org", At: at}, nil)
		wantCode(t, err, pairup.ECONFLICT)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, w := range []pairup.Withdrawal{
			{ProgrammeID: "iln", RoundID: "r1", From: pairup.StatusConfirmed},
			{ProgrammeID: "iln", RoundID: "r1", RegistrationID: "c", From: pairup.StatusWithdrawn},
			{ProgrammeID: "iln", RoundID: "r1", RegistrationID: "c", From: pairup.StatusPending},
			{ProgrammeID: "iln", RoundID: "r1", RegistrationID: "c", From: pairup.StatusConfirmed, Plan: pairup.WithdrawalPlan{Ended: []string{"c+d"}}},
		} {
			wantCode(t, s.Withdraw(ctx, w, nil), pairup.EINVALID)
		}
	})
}

// activeRound makes round id of "iln" active with the given pairs (their members registered
// and confirmed) and paired outcomes.
func activeRound(t *testing.T, s *store.Store, id string, pairs ...pairup.Pair) []pairup.Outcome {
	t.Helper()
	ctx := context.Background()
	roundIn(t, s, id, pairup.RoundMatching)
	var outs []pairup.Outcome
	for i, p := range pairs {
		for j, m := range p.Members {
			reg := confirmedIn(t, s, id, m.RegistrationID)
			pairs[i].Members[j].ParticipantID = reg.ParticipantID
			outs = append(outs, pairup.Outcome{ProgrammeID: "iln", RoundID: id, RegistrationID: m.RegistrationID, ParticipantID: reg.ParticipantID,
				Kind: pairup.OutcomePaired, PairIDs: []string{p.ID}, SignedUpAt: t0})
		}
	}
	_, err := s.BeginCommit(ctx, "iln", id, "run", time.Hour)
	mustOK(t, err)
	mustOK(t, s.WritePlan(ctx, "iln", id, pairs, outs))
	_, err = s.FinishCommit(ctx, "iln", id, "run", pairup.MatchStats{Pairs: len(pairs)})
	mustOK(t, err)
	return outs
}

func testPair(round string, ids ...string) pairup.Pair {
	p := pairup.Pair{ProgrammeID: "iln", RoundID: round, ID: pairup.PairID(ids...), Reasons: []string{"x"}, CreatedAt: t0}
	for _, id := range ids {
		p.Members = append(p.Members, pairup.PairMember{RegistrationID: id})
	}
	return p
}

// TestWithdrawAfterMatching: in an active round, a withdrawal ends the person's pair, makes the
// pair a trio's other two go on in, changes their outcomes and queues the emails, all at once
// and once: a repeat, or two at the same moment, change and send nothing more.
func TestWithdrawAfterMatching(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustOK(t, s.PutProgramme(ctx, newProgramme("iln")))
	pairs := []pairup.Pair{testPair("r2", "a", "b"), testPair("r2", "c", "d", "e")}
	outs := activeRound(t, s, "r2", pairs...)
	at := t0.Add(48 * time.Hour)
	msgs := func(who string) []mail.Message {
		return []mail.Message{alertMsg("withdrew/iln/r2/" + who + "/1"), alertMsg("alert/withdrawal/iln/r2/" + who + "/0")}
	}
	plan := pairup.PlanWithdrawal(pairup.ModePeer, "d", pairs, outs)
	w := pairup.Withdrawal{ProgrammeID: "iln", RoundID: "r2", RegistrationID: "d", From: pairup.StatusConfirmed, Email: "d@example.org", Active: true, At: at, Plan: plan}

	// Two at the same moment: one applies, the other is refused.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = s.Withdraw(ctx, w, msgs("d")) }()
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("two withdrawals at once: %v, %v; want exactly one to apply", errs[0], errs[1])
	}
	for _, err := range errs {
		if err != nil {
			wantCode(t, err, pairup.ECONFLICT)
		}
	}
	trio, err := s.GetPair(ctx, "iln", "r2", "c+d+e")
	mustOK(t, err)
	if trio.Active() || !trio.EndedAt.Equal(at) || trio.EndReason != pairup.PairEndWithdrawn {
		t.Errorf("the trio after d withdrew: ended %s (%s)", trio.EndedAt, trio.EndReason)
	}
	ce, err := s.GetPair(ctx, "iln", "r2", "c+e")
	mustOK(t, err)
	if !ce.Active() || ce.Replaces != "c+d+e" || !ce.CreatedAt.Equal(t0) {
		t.Errorf("the pair c and e go on in: %+v", ce)
	}
	got, err := s.ListOutcomes(ctx, "iln", "r2")
	mustOK(t, err)
	for _, o := range got {
		want := fmt.Sprint(o.PairIDs)
		switch o.RegistrationID {
		case "c", "e":
			if o.Kind != pairup.OutcomePaired || want != "[c+e]" {
				t.Errorf("outcome of %s: %s %s", o.RegistrationID, o.Kind, want)
			}
		case "d":
			if want != "[c+d+e]" {
				t.Errorf("the withdrawing person's outcome changed: %+v", o)
			}
		}
	}
	for _, m := range msgs("d") {
		if _, err := s.GetMessage(ctx, m.Key); err != nil {
			t.Errorf("message %s: %v", m.Key, err)
		}
	}
	if reg, _ := s.GetRegistration(ctx, "iln", "r2", "d"); reg.Status != pairup.StatusWithdrawn {
		t.Errorf("d is %s", reg.Status)
	}

	// A repeat of a planned withdrawal: refused, nothing changed.
	wantCode(t, s.Withdraw(ctx, w, msgs("d")), pairup.ECONFLICT)
	if again, _ := s.GetPair(ctx, "iln", "r2", "c+d+e"); !again.EndedAt.Equal(at) {
		t.Errorf("a repeat moved endedAt to %s", again.EndedAt)
	}

	// A pair that has changed since it was read: refused, the registration unchanged.
	stale := pairup.Withdrawal{ProgrammeID: "iln", RoundID: "r2", RegistrationID: "c", From: pairup.StatusConfirmed, Email: "c@example.org", Active: true, At: at,
		Plan: pairup.PlanWithdrawal(pairup.ModePeer, "c", pairs, outs)} // names the ended trio
	wantCode(t, s.Withdraw(ctx, stale, nil), pairup.ECONFLICT)
	if reg, _ := s.GetRegistration(ctx, "iln", "r2", "c"); reg.Status != pairup.StatusConfirmed {
		t.Errorf("a refused withdrawal changed c to %s", reg.Status)
	}

	// Too many items for one transaction: refused before anything is written.
	var many []mail.Message
	for i := range 98 {
		many = append(many, alertMsg(fmt.Sprintf("many/%d", i)))
	}
	a := pairup.Withdrawal{ProgrammeID: "iln", RoundID: "r2", RegistrationID: "a", From: pairup.StatusConfirmed, Email: "a@example.org", Active: true, At: at,
		Plan: pairup.PlanWithdrawal(pairup.ModePeer, "a", pairs, outs)}
	wantCode(t, s.Withdraw(ctx, a, many), pairup.EINVALID)
	if p, _ := s.GetPair(ctx, "iln", "r2", "a+b"); !p.Active() {
		t.Error("a refused withdrawal ended a pair")
	}
}

// TestRejoin: a deferred person's registration is stored in the new round once, confirmed,
// with their participant id and their address claimed; a second click, someone whose address
// has signed up to the round already, and a round no longer open are refused, nothing written.
func TestRejoin(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	setup(t, s) // r1, open
	old := confirmedIn(t, s, "r1", "x")
	roundIn(t, s, "r9", pairup.RoundOpen)
	rejoining := func(from *pairup.Registration) *pairup.Registration {
		r := *from
		r.RoundID, r.Status, r.Returning, r.ConfirmedAt, r.ConfirmSends, r.LastSentAt = "r9", pairup.StatusConfirmed, true, t0.Add(time.Hour), 0, time.Time{}
		return &r
	}

	t.Run("OK", func(t *testing.T) {
		mustOK(t, s.Rejoin(ctx, rejoining(old)))
		got, err := s.GetRegistration(ctx, "iln", "r9", "x")
		mustOK(t, err)
		if got.Status != pairup.StatusConfirmed || got.ParticipantID != old.ParticipantID || !got.CreatedAt.Equal(old.CreatedAt) || !got.Returning {
			t.Errorf("rejoined registration: %+v", got)
		}
		regs, err := s.ParticipantRegistrations(ctx, old.ParticipantID)
		mustOK(t, err)
		if len(regs) != 2 {
			t.Errorf("the participant has %d registrations, want 2 (r1 and r9)", len(regs))
		}
		if it := rawItem(t, s, "ROUND#iln#r9", "EMAIL#x@example.org"); len(it) == 0 || it["ExpiresAt"] != nil {
			t.Errorf("the address's claim in r9: %v", it)
		}
	})
	t.Run("ErrTwice", func(t *testing.T) {
		err := s.Rejoin(ctx, rejoining(old))
		wantCode(t, err, pairup.ECONFLICT)
		if !errors.Is(err, store.ErrRejoinedBefore) {
			t.Errorf("a second rejoin: %v", err)
		}
	})
	t.Run("ErrSignedUpBefore", func(t *testing.T) {
		y := confirmedIn(t, s, "r1", "y")
		own := newRegistration("iln", "r9", "own", y.Email, t0)
		_, _, err := register(s, ctx, own, t0.Add(14*24*time.Hour))
		mustOK(t, err)
		err = s.Rejoin(ctx, rejoining(y))
		wantCode(t, err, pairup.ECONFLICT)
		if !errors.Is(err, store.ErrSignedUpBefore) {
			t.Errorf("rejoining over an own signup: %v", err)
		}
		if _, err := s.GetRegistration(ctx, "iln", "r9", "y"); pairup.ErrorCode(err) != pairup.ENOTFOUND {
			t.Errorf("a refused rejoin stored a registration: %v", err)
		}
	})
	t.Run("ErrClosed", func(t *testing.T) {
		z := confirmedIn(t, s, "r1", "z")
		_, err := s.TransitionRound(ctx, "iln", "r9", pairup.RoundOpen, pairup.RoundMatching, t0.Add(time.Hour))
		mustOK(t, err)
		wantCode(t, s.Rejoin(ctx, rejoining(z)), pairup.ECLOSED)
		if _, err := s.GetRegistration(ctx, "iln", "r9", "z"); pairup.ErrorCode(err) != pairup.ENOTFOUND {
			t.Errorf("a rejoin after signup closed stored a registration: %v", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		pending := rejoining(old)
		pending.Status = pairup.StatusPending
		noParticipant := rejoining(old)
		noParticipant.ParticipantID = ""
		upper := rejoining(old)
		upper.Email = "X@example.org"
		for _, r := range []*pairup.Registration{pending, noParticipant, upper, nil} {
			wantCode(t, s.Rejoin(ctx, r), pairup.EINVALID)
		}
	})
}
