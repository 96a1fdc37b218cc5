package mailer_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pairup/pairup/shared/internal/faulthttp"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/mailer"
	"github.com/pairup/pairup/shared/pairup"
)

// Fault tests of what the mailer writes to its log and whom it mails; their world is faults_test.go's.

// 10. AWS errors whose messages name the recipient — SES's MessageRejected in the sandbox, a
// DynamoDB error on marking a message sent — reach the log as their codes only, never their
// text.
func TestFaultLogsNoAddress(t *testing.T) {
	e := newFltEnv(t)
	msgs := e.messages(2)
	rejected, unmarked := msgs[0], msgs[1]
	e.ses.SetHook(func(r *faulthttp.Request) (*http.Response, error) {
		if r.To == rejected.To {
			return faulthttp.SESError(r.Req, http.StatusBadRequest, "MessageRejected",
				"Email address is not verified. The following identities failed the check in region EU-WEST-2: "+r.To), nil
		}
		return nil, nil
	})
	e.ddb.SetHook(func(r *faulthttp.Request) (*http.Response, error) {
		// MarkSent of the second message: the only update that sets providerId.
		body := string(r.Body)
		if strings.Contains(r.Req.Header.Get("X-Amz-Target"), "UpdateItem") && strings.Contains(body, "providerId") && strings.Contains(body, unmarked.Key) {
			return faulthttp.DynamoDBError(r.Req, "ValidationException", "One or more parameter values were invalid: "+unmarked.To), nil
		}
		return nil, nil
	})
	e.enqueue(msgs)

	res := e.stream(fltStreamEvent(fltKeys(msgs)...))
	if res.Failed != 1 || res.Errors != 1 {
		t.Errorf("stream batch: %+v, want 1 failed (rejected) and 1 error (not marked)", res)
	}
	if e.ddb.Faults() == 0 {
		t.Fatal("no DynamoDB fault injected: MarkSent was not recognised")
	}
	logs := e.logs.String()
	for _, addr := range []string{rejected.To, unmarked.To} {
		if strings.Contains(logs, addr) {
			t.Errorf("the log names %s:\n%s", addr, logs)
		}
	}
	for _, code := range []string{`"code":"MessageRejected"`, `"code":"ValidationException"`} {
		if !strings.Contains(logs, code) {
			t.Errorf("the log lacks %s:\n%s", code, logs)
		}
	}
}

// 11. An unsubscribe does not stop a signup's confirmation email — it is how the address's
// owner asks for mail again — but it stops every other email; a bounce or a complaint stops
// the confirmation too.
func TestFaultUnsubscribedConfirmation(t *testing.T) {
	e := newFltEnv(t)
	msgs := e.messages(5)
	cases := []struct {
		reason pairup.SuppressionReason
		kind   string
		want   mail.Status
	}{
		{pairup.SuppressUnsubscribe, mailer.KindConfirm, mail.StatusSent},
		{pairup.SuppressUnsubscribe, "intro", mail.StatusSkipped},
		{pairup.SuppressBounce, mailer.KindConfirm, mail.StatusSkipped},
		{pairup.SuppressComplaint, mailer.KindConfirm, mail.StatusSkipped},
		{"", mailer.KindConfirm, mail.StatusSent},
	}
	for i, tc := range cases {
		msgs[i].Tags = map[string]string{"kind": tc.kind}
		if tc.reason != "" {
			if err := e.store.Suppress(e.ctx, msgs[i].To, tc.reason, e.clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.enqueue(msgs)
	if res := e.stream(fltStreamEvent(fltKeys(msgs)...)); res.Sent != 2 || res.Skipped != 3 {
		t.Errorf("stream batch: %+v, want 2 sent, 3 skipped", res)
	}
	for i, tc := range cases {
		if q := e.get(msgs[i].Key); q.Status != tc.want {
			t.Errorf("%s to an address suppressed for %q: %s (%q), want %s", tc.kind, tc.reason, q.Status, q.Error, tc.want)
		}
		n := 0
		if tc.want == mail.StatusSent {
			n = 1
		}
		e.wantReceived(n, msgs[i])
	}
}
