package mailer_test

import (
	"testing"

	"github.com/pairup/pairup/shared/mailer"
	"github.com/pairup/pairup/shared/pairup"
)

// An event that is neither a stream batch nor a sweep is refused.
func TestFaultInvalidEvent(t *testing.T) {
	e := newFltEnv(t)
	for _, ev := range []mailer.Event{{}, {Action: "send"}} {
		_, err := e.m.Handle(e.ctx, ev)
		if code := pairup.ErrorCode(err); code != pairup.EINVALID {
			t.Errorf("Handle(%+v) = %v (code %q), want %s", ev, err, code, pairup.EINVALID)
		}
	}
	if n := e.ses.Calls() + e.ddb.Calls(); n != 0 {
		t.Errorf("an invalid event made %d AWS calls", n)
	}
}
