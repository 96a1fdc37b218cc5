package app_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/pairup/pairup/shared/app"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/mailer"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/sesevents"
	"github.com/pairup/pairup/shared/signup"
)

// TestSampleEvents runs every sample event in events/ through the signup function's real Lambda
// handler (HTTP API payload 2.0 adapter, base64 bodies) against the local services: each must be
// a valid event of the shape the function receives, and get the answer its name promises.
func TestSampleEvents(t *testing.T) {
	s := newStack(t)
	h, err := app.SignupLambda(context.Background(), s.cfg, app.Deps{Clock: s.clock, Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	handler := lambda.NewHandler(h)
	// The samples sign up fixed addresses, which other tests and runs (-count) of the package
	// also email in its one emulator: count what each holds before.
	samples := []string{"ada@example.org", "taiman@example.edu.hk"}
	before := map[string]int{}
	for _, a := range samples {
		before[a] = len(mails(t, a))
	}
	want := map[string]struct {
		status int
		text   string
	}{
		"signup-get-index.json":     {200, "International Librarians Network"},
		"signup-get-form-iln.json":  {200, `name="country"`},
		"signup-get-form-hkla.json": {200, `name="eligibility.member"`},
		"signup-post-iln.json":      {200, "Check your inbox"},
		"signup-post-hkla.json":     {200, "Check your inbox"},
		"signup-post-invalid.json":  {400, `id="e-email"`},
		"signup-get-confirm.json":   {400, "not valid"},
	}
	files, _ := filepath.Glob("../../events/signup-*.json")
	if len(files) != len(want) {
		t.Errorf("%d signup events, want %d: %v", len(files), len(want), files)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var ev events.APIGatewayV2HTTPRequest
			dec := json.NewDecoder(strings.NewReader(string(raw)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&ev); err != nil {
				t.Fatalf("not an HTTP API payload 2.0 event: %v", err)
			}
			if ev.Version != "2.0" || ev.RouteKey == "" || ev.RequestContext.HTTP.Method == "" {
				t.Fatalf("incomplete event: %+v", ev)
			}
			if ev.Body != "" {
				// A browser's form carries a fresh token; give the saved event one, as make invoke does.
				b, err := base64.StdEncoding.DecodeString(ev.Body)
				if err != nil || !ev.IsBase64Encoded {
					t.Fatalf("HTTP API sends form bodies base64-encoded: %v", err)
				}
				form, _ := url.ParseQuery(string(b))
				programme := ev.PathParameters["programme"]
				form.Set("ft", signup.NewFormToken(s.signer, programme, s.clock.Now().Add(-time.Minute).Add(signup.DefaultFormTTL)))
				ev.Body = base64.StdEncoding.EncodeToString([]byte(form.Encode()))
				raw, _ = json.Marshal(ev)
			}
			out, err := handler.Invoke(context.Background(), raw)
			if err != nil {
				t.Fatal(err)
			}
			var resp events.APIGatewayV2HTTPResponse
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatal(err)
			}
			w := want[name]
			if resp.StatusCode != w.status || !strings.Contains(resp.Body, w.text) {
				t.Fatalf("status %d (want %d), body lacks %q?\n%.2000s", resp.StatusCode, w.status, w.text, resp.Body)
			}
			if resp.Headers["Content-Type"] != "text/html; charset=utf-8" {
				t.Errorf("content type %q", resp.Headers["Content-Type"])
			}
		})
	}
	// Each signup sent exactly one email: wait for it, then until the outbox holds nothing unsent
	// (whatever was queued is in the emulator), and count.
	for _, a := range samples {
		waitMails(t, a, before[a]+1)
	}
	s.drain()
	for _, a := range samples {
		if n := len(mails(t, a)); n != before[a]+1 {
			t.Errorf("%s has %d emails, %d before the samples ran; want exactly one more", a, n, before[a])
		}
	}
}

// TestMailAndSESSampleEvents runs the mailer's and ses-events' sample events through their real
// Lambda handlers against the local services: each decodes strictly into the event its function
// receives, and does what its name says.
func TestMailAndSESSampleEvents(t *testing.T) {
	s := newStackWith(t, stackOptions{noMailer: true})
	ctx := context.Background()
	invoke := func(t *testing.T, h any, file string, v any) string {
		t.Helper()
		raw, err := os.ReadFile("../../events/" + file)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			t.Fatalf("%s is not a valid event: %v", file, err)
		}
		out, err := lambda.NewHandler(h).Invoke(ctx, raw)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		return string(out)
	}
	mh, err := mailer.NewLambda(ctx, s.cfg, mailer.Deps{Clock: s.clock, Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	// The stream sample's record names outbox message confirm/demo-registration/1: queue it.
	const key = "confirm/demo-registration/1"
	to := uniqueEmail("sample")
	if _, err := s.store.Enqueue(ctx, []mail.Message{{Key: key, To: to, Subject: "Please confirm", Text: "Follow the link.",
		ListUnsubscribe: s.cfg.BaseURL + "/unsubscribe?t=x", Tags: map[string]string{"kind": "confirm"}}}); err != nil {
		t.Fatal(err)
	}
	t.Run("mailer-stream", func(t *testing.T) {
		out := invoke(t, mh, "mailer-stream.json", &events.DynamoDBEvent{})
		if !strings.Contains(out, `"sent":1`) || !strings.Contains(out, `"batchItemFailures":[]`) {
			t.Fatalf("result %s", out)
		}
		waitMails(t, to, 1)
		// Delivered again (Lambda delivers at least once): nothing more is sent.
		if out := invoke(t, mh, "mailer-stream.json", &events.DynamoDBEvent{}); !strings.Contains(out, `"unclaimed":1`) {
			t.Fatalf("second delivery: %s", out)
		}
	})
	t.Run("mailer-sweep", func(t *testing.T) {
		out := invoke(t, mh, "mailer-sweep.json", &mailer.Event{})
		if !strings.Contains(out, `"source":"sweep"`) || !strings.Contains(out, `"sent":0`) {
			t.Fatalf("result %s", out)
		}
	})
	sh, err := sesevents.NewLambda(ctx, s.cfg, sesevents.Deps{Clock: s.clock, Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file, addr string
		reason     pairup.SuppressionReason
	}{
		{"ses-events-bounce.json", "bounce@simulator.amazonses.com", pairup.SuppressBounce},
		{"ses-events-complaint.json", "complaint@simulator.amazonses.com", pairup.SuppressComplaint},
	} {
		t.Run(strings.TrimSuffix(tc.file, ".json"), func(t *testing.T) {
			invoke(t, sh, tc.file, &events.SNSEvent{})
			if r, err := s.store.Suppression(ctx, tc.addr); err != nil || r != tc.reason {
				t.Fatalf("suppression of %s: %q, %v", tc.addr, r, err)
			}
			if q, err := s.store.GetMessage(ctx, key); err != nil || q.Feedback != string(tc.reason) {
				t.Fatalf("message feedback: %+v, %v", q, err)
			}
		})
	}
	files, _ := filepath.Glob("../../events/*.json")
	for _, f := range files {
		name := filepath.Base(f)
		if !strings.HasPrefix(name, "signup-") && !strings.HasPrefix(name, "mailer-") && !strings.HasPrefix(name, "ses-events-") && !strings.HasPrefix(name, "match-run-") && !strings.HasPrefix(name, "round-tick-") && !strings.HasPrefix(name, "round-close-") && !strings.HasPrefix(name, "erase-") && !strings.HasPrefix(name, "survey-") {
			t.Errorf("no test runs the sample event %s", name)
		}
	}
}
