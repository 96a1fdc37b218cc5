package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/store"
)

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
