package mailer_test

import (
	"testing"
	"time"

	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
)

// 7. A suppressed address: skipped, and SES never called for it.
func TestFaultSuppressed(t *testing.T) {
	e := newFltEnv(t)
	msgs := e.messages(2)
	suppressed := msgs[0]
	if err := e.store.Suppress(e.ctx, suppressed.To, pairup.SuppressBounce, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	e.enqueue(msgs)

	res := e.stream(fltStreamEvent(fltKeys(msgs)...))
	if res.Skipped != 1 || res.Sent != 1 {
		t.Errorf("stream batch: %+v, want 1 skipped, 1 sent", res)
	}
	q := e.get(suppressed.Key)
	if q.Status != mail.StatusSkipped || q.Error != "bounce" {
		t.Errorf("suppressed message: status %s, error %q; want skipped, bounce", q.Status, q.Error)
	}
	e.clock.Advance(24 * time.Hour)
	e.sweepNothing("a day later")
	if n := e.ses.CallsTo(suppressed.To); n != 0 {
		t.Errorf("%d SES calls to the suppressed address, want 0", n)
	}
	e.wantReceived(0, suppressed)
	e.wantStatus(mail.StatusSent, msgs[1])
	e.wantReceived(1, msgs[1])
}
