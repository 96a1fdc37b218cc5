package mailer_test

// Faults of SES: it throttles, hangs, rejects a recipient, pauses the account (the world is
// faults_test.go's).

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/internal/faulthttp"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/mailer"
)

// 1. SES throttles (429) more often than the SDK retries: the message is released to a later
// sweep, and sent once after the backoff.
func TestFaultSESThrottled(t *testing.T) {
	e := newFltEnv(t)
	const k = 5 // 429s per address, more than the SDK's attempts per call
	e.ses.SetHook(func(r *faulthttp.Request) (*http.Response, error) {
		if r.To != "" && r.ToN <= k {
			return faulthttp.SESThrottled(r)
		}
		return nil, nil
	})
	msgs := e.messages(3)
	e.enqueue(msgs)

	res := e.stream(fltStreamEvent(fltKeys(msgs)...))
	if res.Deferred != 3 || res.Sent != 0 || len(res.BatchItemFailures) != 0 {
		t.Errorf("stream batch: %+v, want 3 deferred, nothing sent, no batch item failures", res)
	}
	for _, m := range msgs {
		calls := e.ses.CallsTo(m.To)
		if calls < 1 || calls >= k {
			t.Fatalf("%s: %d SES calls in the first delivery; the test needs 1..%d (the SDK's attempts)", m.Key, calls, k-1)
		}
		t.Logf("%s: %d SES calls (429) in the first delivery", m.Key, calls)
		q := e.get(m.Key)
		// The throttled claim's attempt is given back: throttling is the account's, not the message's.
		if q.Status != mail.StatusPending || q.Attempts != 0 || q.LeaseID != "" || q.Error != "" {
			t.Errorf("%s after throttling: status %s, attempts %d, lease %q, error %q; want pending, 0, none, none",
				m.Key, q.Status, q.Attempts, q.LeaseID, q.Error)
		}
	}
	e.wantReceived(0, msgs...)
	// Released to a sweep from later on: not due now.
	due, err := e.store.DueMessages(e.ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 0 {
		t.Errorf("due right after throttling: %v, want none (released with a backoff)", due)
	}
	e.sweepNothing("before the backoff")

	e.clock.Advance(6 * time.Minute) // past any backoff (capped at 5 min)
	e.sweepUntil("all sent", e.allStatus(mail.StatusSent, msgs...))
	e.wantReceived(1, msgs...)
	for _, m := range msgs {
		q := e.get(m.Key)
		got := e.received(m.To)
		if q.Attempts != 1 || len(got) != 1 || q.ProviderID != got[0].MessageID {
			t.Errorf("%s: attempts %d, provider id %q, emulator %v; want 1 attempt and the emulator's id", m.Key, q.Attempts, q.ProviderID, got)
		}
	}
	e.clock.Advance(time.Hour)
	e.sweepNothing("after all were sent")
	e.wantReceived(1, msgs...)
}

// 2. SES hangs past the send deadline: the outcome is unknown, so the message keeps its lease
// and is sent again only once the lease has run out.
func TestFaultSESHangs(t *testing.T) {
	e := newFltEnv(t)
	e.m.SendTimeout = 300 * time.Millisecond
	e.m.Lease = 2 * time.Minute
	var hung atomic.Bool
	e.ses.SetHook(func(r *faulthttp.Request) (*http.Response, error) {
		if r.To != "" && hung.CompareAndSwap(false, true) {
			<-r.Req.Context().Done() // SES never answers
			return nil, r.Req.Context().Err()
		}
		return nil, nil
	})
	msgs := e.messages(1)
	m := msgs[0]
	e.enqueue(msgs)

	start := time.Now()
	o, err := e.m.Process(e.ctx, m.Key)
	if err != nil || o != mailer.Deferred {
		t.Fatalf("Process = %s, %v; want deferred, nil", o, err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Process took %s with a 300ms send timeout", d)
	}
	if !hung.Load() {
		t.Fatal("SES was not called")
	}
	q := e.get(m.Key)
	if q.Status != mail.StatusSending || q.Attempts != 1 || !q.LeaseUntil.Equal(e.clock.Now().Add(2*time.Minute)) {
		t.Errorf("after the timeout: status %s, attempts %d, lease until %s; want sending, 1, %s",
			q.Status, q.Attempts, q.LeaseUntil, e.clock.Now().Add(2*time.Minute))
	}
	e.wantReceived(0, m)
	callsAfterHang := e.ses.Calls()

	e.sweepNothing("lease just taken")
	e.clock.Advance(time.Minute + 59*time.Second)
	e.sweepNothing("lease still held")
	if o, err := e.m.Process(e.ctx, m.Key); o != mailer.Unclaimed || err != nil {
		t.Errorf("Process while leased = %s, %v; want unclaimed", o, err)
	}
	e.wantStatus(mail.StatusSending, m)

	e.clock.Advance(2 * time.Second) // the lease has run out
	e.sweepUntil("sent", e.allStatus(mail.StatusSent, m))
	e.wantReceived(1, m)
	if q := e.get(m.Key); q.Attempts != 2 {
		t.Errorf("attempts %d, want 2", q.Attempts)
	}
	if n := e.ses.Calls() - callsAfterHang; n != 1 {
		t.Errorf("%d SES calls after the lease ran out, want 1", n)
	}
}

// 6. SES rejects one recipient: that message fails for good, the others of the batch go.
func TestFaultMessageRejected(t *testing.T) {
	e := newFltEnv(t)
	msgs := e.messages(3)
	bad := msgs[1]
	e.ses.SetHook(func(r *faulthttp.Request) (*http.Response, error) {
		if r.To == bad.To {
			return faulthttp.SESRejected(r)
		}
		return nil, nil
	})
	e.enqueue(msgs)

	res := e.stream(fltStreamEvent(fltKeys(msgs)...))
	if res.Sent != 2 || res.Failed != 1 || len(res.BatchItemFailures) != 0 {
		t.Errorf("stream batch: %+v, want 2 sent, 1 failed, no batch item failures", res)
	}
	q := e.get(bad.Key)
	if q.Status != mail.StatusFailed || q.Error != "MessageRejected" || q.Attempts != 1 {
		t.Errorf("rejected message: status %s, error %q, attempts %d; want failed, MessageRejected, 1", q.Status, q.Error, q.Attempts)
	}
	e.wantStatus(mail.StatusSent, msgs[0], msgs[2])

	e.clock.Advance(24 * time.Hour)
	e.sweepNothing("a day later")
	if o, err := e.m.Process(e.ctx, bad.Key); o != mailer.Unclaimed || err != nil {
		t.Errorf("Process of the failed message = %s, %v; want unclaimed", o, err)
	}
	if n := e.ses.CallsTo(bad.To); n != 1 {
		t.Errorf("%d SES calls to the rejected address, want 1", n)
	}
	e.wantStatus(mail.StatusFailed, bad)
	e.wantReceived(0, bad)
	e.wantReceived(1, msgs[0], msgs[2])
}

// 8. SES pauses sending for the account: the invocation stops, nothing is failed, the alarm's
// log event is written, and everything goes once SES sends again.
func TestFaultAccountSendingPaused(t *testing.T) {
	e := newFltEnv(t)
	e.m.Workers = 1 // one message at a time, so "the later messages" is well defined
	var paused atomic.Bool
	paused.Store(true)
	e.ses.SetHook(func(r *faulthttp.Request) (*http.Response, error) {
		if r.To != "" && paused.Load() {
			return faulthttp.SESPaused(r)
		}
		return nil, nil
	})
	msgs := e.messages(5)
	e.enqueue(msgs)

	res := e.stream(fltStreamEvent(fltKeys(msgs)...))
	if !res.Paused || res.Sent != 0 || res.Failed != 0 || len(res.BatchItemFailures) != 0 {
		t.Errorf("stream batch: %+v, want paused, nothing sent or failed, no batch item failures", res)
	}
	e.wantStatus(mail.StatusPending, msgs...)
	calls := e.ses.Calls()
	t.Logf("%d SES calls for %d messages while paused", calls, len(msgs))
	if calls != 1 {
		t.Errorf("%d SES calls while paused; want 1 (the invocation stops at the first pause)", calls)
	}
	for _, m := range msgs {
		if q := e.get(m.Key); q.Attempts != 0 || q.Error != "" {
			t.Errorf("%s: attempts %d, error %q; want 0 (a pause uses up no attempt), none", m.Key, q.Attempts, q.Error)
		}
	}
	if logs := e.logs.String(); !strings.Contains(logs, `"event":"mail.paused"`) {
		t.Errorf("no mail.paused event in the log:\n%s", logs)
	}
	e.wantReceived(0, msgs...)

	// A pause of many hours, a sweep every few minutes: no message is given up on.
	for range 48 {
		e.clock.Advance(6 * time.Minute)
		if _, err := e.m.Sweep(e.ctx); err != nil {
			t.Fatal(err)
		}
	}
	e.wantStatus(mail.StatusPending, msgs...)
	e.wantReceived(0, msgs...)

	paused.Store(false) // SES sends again
	e.clock.Advance(6 * time.Minute)
	e.sweepUntil("all sent", e.allStatus(mail.StatusSent, msgs...))
	e.wantReceived(1, msgs...)
}
