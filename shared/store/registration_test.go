package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/store"
)

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
