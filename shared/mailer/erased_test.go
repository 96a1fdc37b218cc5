package mailer_test

import (
	"encoding/hex"
	"testing"

	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/store"
)

// TestErasedSuppressions: once an address is erased its suppression is kept under a keyed hash
// of it (store.HashSuppression), and the mailer, which holds the link key, still honours it: a
// bounced address gets nothing, an unsubscribed one only the confirmation its owner asks for by
// signing up again; an address that was never suppressed is sent to.
func TestErasedSuppressions(t *testing.T) {
	e := newFltEnv(t)
	key, err := hex.DecodeString(fltLinkKey)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := links.NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	msgs := e.messages(4)
	bounced, unsubscribed, confirm, free := msgs[0], msgs[1], msgs[2], msgs[3]
	confirm.To = unsubscribed.To
	confirm.Tags = map[string]string{"kind": "confirm"}
	msgs[2] = confirm
	for addr, reason := range map[string]pairup.SuppressionReason{bounced.To: pairup.SuppressBounce, unsubscribed.To: pairup.SuppressUnsubscribe} {
		if err := e.store.Suppress(e.ctx, addr, reason, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		moved, err := e.store.HashSuppression(e.ctx, addr, store.SuppressionHashes(signer, addr)[0])
		if err != nil || !moved {
			t.Fatalf("HashSuppression: %v, %v", moved, err)
		}
		// The address itself is no longer suppressed: only the hash is.
		if _, err := e.store.Suppressed(e.ctx, addr, nil); pairup.ErrorCode(err) != pairup.ENOTFOUND {
			t.Fatalf("plain suppression of an erased address: %v, want ENOTFOUND", err)
		}
	}
	e.enqueue(msgs)
	res := e.stream(fltStreamEvent(fltKeys(msgs)...))
	if res.Skipped != 2 || res.Sent != 2 {
		t.Errorf("stream batch: %+v, want 2 skipped, 2 sent", res)
	}
	for _, c := range []struct {
		m      mail.Message
		status mail.Status
		err    string
	}{{bounced, mail.StatusSkipped, "bounce"}, {unsubscribed, mail.StatusSkipped, "unsubscribe"}, {confirm, mail.StatusSent, ""}, {free, mail.StatusSent, ""}} {
		if q := e.get(c.m.Key); q.Status != c.status || q.Error != c.err {
			t.Errorf("%s: status %s, error %q; want %s, %q", c.m.Key, q.Status, q.Error, c.status, c.err)
		}
	}
	if n := e.ses.CallsTo(bounced.To); n != 0 {
		t.Errorf("%d SES calls to the erased, bounced address, want 0", n)
	}
	e.wantReceived(1, confirm, free)
}
