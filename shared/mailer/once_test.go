package mailer_test

// One email per message whatever befalls the mailer, Lambda or DynamoDB: a mailer that dies
// holding a lease, a stream batch delivered twice, DynamoDB throttling (the world is
// faults_test.go's).

import (
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/pairup/pairup/shared/internal/faulthttp"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/mailer"
)

// 3. A mailer claims a message and dies before sending: nobody sends it while the lease holds;
// a sweep sends it once after.
func TestFaultMailerDiesAfterClaim(t *testing.T) {
	e := newFltEnv(t)
	msgs := e.messages(1)
	m := msgs[0]
	e.enqueue(msgs)

	if _, ok, err := e.store.ClaimMessage(e.ctx, m.Key, 2*time.Minute); err != nil || !ok {
		t.Fatalf("ClaimMessage = %v, %v", ok, err)
	}
	e.clock.Advance(time.Minute + 30*time.Second) // past the sweep grace, within the lease
	e.sweepNothing("lease held by the dead mailer")
	if res := e.stream(fltStreamEvent(m.Key)); res.Unclaimed != 1 || res.Sent != 0 {
		t.Errorf("stream delivery while leased: %+v, want 1 unclaimed", res)
	}
	if n := e.ses.Calls(); n != 0 {
		t.Errorf("%d SES calls while the lease held, want 0", n)
	}
	e.wantReceived(0, m)

	e.clock.Advance(31 * time.Second)
	e.sweepUntil("sent", e.allStatus(mail.StatusSent, m))
	e.wantReceived(1, m)
	if q := e.get(m.Key); q.Attempts != 2 {
		t.Errorf("attempts %d, want 2", q.Attempts)
	}
	if n := e.ses.Calls(); n != 1 {
		t.Errorf("%d SES calls, want 1", n)
	}
}

// 4. Lambda may deliver a stream batch twice (a retry, or two pollers): one email each.
func TestFaultStreamDeliveredTwice(t *testing.T) {
	t.Run("Sequential", func(t *testing.T) {
		e := newFltEnv(t)
		msgs := e.messages(3)
		e.enqueue(msgs)
		// The same key twice in one batch, too (an INSERT and a retried INSERT).
		ev := fltStreamEvent(append(fltKeys(msgs), msgs[0].Key)...)

		first := e.stream(ev)
		if first.Sent != 3 || first.Messages != 3 {
			t.Errorf("first delivery: %+v, want 3 messages sent", first)
		}
		second := e.stream(ev)
		if second.Sent != 0 || second.Unclaimed != 3 || len(second.BatchItemFailures) != 0 {
			t.Errorf("second delivery: %+v, want 3 unclaimed, nothing sent, no failures", second)
		}
		e.wantStatus(mail.StatusSent, msgs...)
		e.wantReceived(1, msgs...)
		if n := e.ses.Calls(); n != 3 {
			t.Errorf("%d SES calls, want 3", n)
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		e := newFltEnv(t)
		msgs := e.messages(5)
		e.enqueue(msgs)
		ev := fltStreamEvent(fltKeys(msgs)...)

		var (
			wg   sync.WaitGroup
			res  [2]mailer.StreamResult
			errs [2]error
		)
		for i := range res {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res[i], errs[i] = e.m.HandleStream(e.ctx, ev)
			}()
		}
		wg.Wait()
		if err := errors.Join(errs[:]...); err != nil {
			t.Fatal(err)
		}
		if sent, unclaimed := res[0].Sent+res[1].Sent, res[0].Unclaimed+res[1].Unclaimed; sent != 5 || unclaimed != 5 {
			t.Errorf("deliveries %+v and %+v: %d sent and %d unclaimed in all, want 5 and 5", res[0], res[1], sent, unclaimed)
		}
		e.wantStatus(mail.StatusSent, msgs...)
		e.wantReceived(1, msgs...)
		if n := e.ses.Calls(); n != 5 {
			t.Errorf("%d SES calls, want 5", n)
		}
	})
}

// 5. DynamoDB throttles every second request of the mailer: nothing is lost, nothing is sent
// twice.
func TestFaultDynamoDBThrottled(t *testing.T) {
	e := newFltEnv(t)
	e.ddb.SetHook(func(r *faulthttp.Request) (*http.Response, error) {
		if r.N%2 == 0 {
			return faulthttp.DynamoDBThrottled(r)
		}
		return nil, nil
	})
	msgs := e.messages(20)
	e.enqueue(msgs)

	// The stream delivers the batch; Lambda redelivers what it reports failed (bounded here).
	ev := fltStreamEvent(fltKeys(msgs)...)
	for try := 0; try < 5 && len(ev.Records) > 0; try++ {
		res := e.stream(ev)
		failed := map[string]bool{}
		for _, f := range res.BatchItemFailures {
			failed[f.ItemIdentifier] = true
		}
		var again events.DynamoDBEvent
		for _, r := range ev.Records {
			if failed[r.Change.SequenceNumber] {
				again.Records = append(again.Records, r)
			}
		}
		ev = again
	}
	// Whatever is left (released, or leased by a call that failed) goes to the sweep.
	deadline := time.Now().Add(90 * time.Second)
	for !e.allStatus(mail.StatusSent, msgs...)() {
		if time.Now().After(deadline) {
			t.Fatal("not all messages sent after 90 s of sweeps")
		}
		e.clock.Advance(3 * time.Minute) // past any lease, backoff and the sweep grace
		if _, err := e.m.Sweep(e.ctx); err != nil {
			t.Logf("Sweep: %v", err) // a sweep that failed on DynamoDB: the next one retries
		}
	}
	e.wantReceived(1, msgs...)
	for _, m := range msgs {
		if n := e.ses.CallsTo(m.To); n != 1 {
			t.Errorf("%s: %d SES calls, want 1", m.Key, n)
		}
	}
	throttled := e.ddb.Faults()
	if throttled == 0 {
		t.Error("DynamoDB throttled no request: the fault was not injected")
	}
	t.Logf("DynamoDB: %d requests, %d throttled", e.ddb.Calls(), throttled)
}
