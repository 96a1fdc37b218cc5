package mailer_test

import (
	"testing"

	"github.com/pairup/pairup/shared/internal/faulthttp"
	"github.com/pairup/pairup/shared/mail"
)

// 9. Every email carries a working one-click unsubscribe and the outbox tag that names it.
func TestFaultUnsubscribeAndOutboxTag(t *testing.T) {
	e := newFltEnv(t)
	msgs := e.messages(2)
	// A key with characters an SES tag may not hold.
	msgs[1].Key = "intro/iln/2026-1/pair|7/" + msgs[1].To + "/ünïcode"
	e.enqueue(msgs)

	res := e.stream(fltStreamEvent(fltKeys(msgs)...))
	if res.Sent != 2 {
		t.Fatalf("stream batch: %+v, want 2 sent", res)
	}
	for _, m := range msgs {
		got := e.received(m.To)
		if len(got) != 1 {
			t.Fatalf("%s: the emulator received %d emails, want 1", m.Key, len(got))
		}
		em := got[0]
		if v, ok := em.Header("List-Unsubscribe"); !ok || v != "<"+m.ListUnsubscribe+">" {
			t.Errorf("%s: List-Unsubscribe = %q (%v), want <%s>", m.Key, v, ok, m.ListUnsubscribe)
		}
		if v, ok := em.Header("List-Unsubscribe-Post"); !ok || v != "List-Unsubscribe=One-Click" {
			t.Errorf("%s: List-Unsubscribe-Post = %q (%v), want List-Unsubscribe=One-Click", m.Key, v, ok)
		}
		var sent *faulthttp.Record
		for _, r := range e.ses.Records() {
			if r.To == m.To {
				sent = &r
			}
		}
		if sent == nil {
			t.Fatalf("%s: no SES request recorded", m.Key)
		}
		tag, ok := sent.Tags[mail.TagOutbox]
		if !ok {
			t.Fatalf("%s: no %q tag in the SES request; tags %v", m.Key, mail.TagOutbox, sent.Tags)
		}
		if key, ok := mail.KeyFromOutboxTag(tag); !ok || key != m.Key {
			t.Errorf("%s: outbox tag %q decodes to %q (%v)", m.Key, tag, key, ok)
		}
		if sent.Tags["kind"] != "test" {
			t.Errorf("%s: kind tag %q, want test", m.Key, sent.Tags["kind"])
		}
		if q := e.get(m.Key); q.ProviderID != em.MessageID {
			t.Errorf("%s: provider id %q, the emulator's %q", m.Key, q.ProviderID, em.MessageID)
		}
	}
}
