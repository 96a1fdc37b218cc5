package sesevents

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
)

// fakeStore is an in-memory Store. Messages lists the outbox keys that exist; marking any
// other key is ENOTFOUND.
type fakeStore struct {
	mu          sync.Mutex
	messages    map[string]bool
	suppressErr error
	markErr     error

	suppressed map[string]pairup.SuppressionReason
	marked     map[string]pairup.SuppressionReason
	at         []time.Time
}

func newFakeStore(keys ...string) *fakeStore {
	s := &fakeStore{messages: map[string]bool{}, suppressed: map[string]pairup.SuppressionReason{}, marked: map[string]pairup.SuppressionReason{}}
	for _, k := range keys {
		s.messages[k] = true
	}
	return s
}

func (s *fakeStore) Suppress(_ context.Context, email string, reason pairup.SuppressionReason, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.suppressErr != nil {
		return s.suppressErr
	}
	if email == "" || reason == "" {
		return pairup.Errorf(pairup.EINVALID, "empty address or reason")
	}
	s.suppressed[email] = reason
	s.at = append(s.at, at)
	return nil
}

func (s *fakeStore) MarkMessageFeedback(_ context.Context, key string, feedback pairup.SuppressionReason, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.markErr != nil {
		return s.markErr
	}
	if !s.messages[key] {
		return pairup.Errorf(pairup.ENOTFOUND, "no message %s", key)
	}
	s.marked[key] = feedback
	s.at = append(s.at, at)
	return nil
}

const demoKey = "confirm/demo-registration/1"

var now = time.Date(2026, 11, 30, 9, 5, 0, 0, time.UTC)

// sesMessage builds an SES notification: typeField is "eventType" or "notificationType";
// detail is the bounce or complaint object (nil for none); tags are the mail tags.
func sesMessage(t *testing.T, typeField, kind string, detail map[string]any, tags map[string][]string) string {
	t.Helper()
	n := map[string]any{
		typeField: kind,
		"mail": map[string]any{
			"timestamp":   "2026-11-30T09:01:02.345Z",
			"source":      "hello@pairup.example.org",
			"messageId":   "ses-" + strings.ToLower(kind),
			"destination": []string{"someone@example.org"},
			"tags":        tags,
		},
	}
	if detail != nil {
		n[strings.ToLower(kind)] = detail
	}
	b, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func bounceObj(bounceType string, addrs ...string) map[string]any {
	var rs []map[string]any
	for _, a := range addrs {
		rs = append(rs, map[string]any{"emailAddress": a, "action": "failed", "status": "5.1.1", "diagnosticCode": "smtp; 550 5.1.1 <" + a + ">... User unknown"})
	}
	return map[string]any{"bounceType": bounceType, "bounceSubType": "General", "bouncedRecipients": rs,
		"timestamp": "2026-11-30T09:01:03.456Z", "feedbackId": "fb-1"}
}

func complaintObj(addrs ...string) map[string]any {
	var rs []map[string]any
	for _, a := range addrs {
		rs = append(rs, map[string]any{"emailAddress": a})
	}
	return map[string]any{"complainedRecipients": rs, "complaintFeedbackType": "abuse",
		"timestamp": "2026-11-30T09:01:05.000Z", "feedbackId": "fb-2"}
}

func outboxTags(key string) map[string][]string {
	return map[string][]string{"ses:configuration-set": {"cs"}, "kind": {"confirm"}, mail.TagOutbox: {mail.OutboxTagValue(key)}}
}

func snsEvent(messages ...string) events.SNSEvent {
	var ev events.SNSEvent
	for i, m := range messages {
		ev.Records = append(ev.Records, events.SNSEventRecord{EventSource: "aws:sns", EventVersion: "1.0",
			SNS: events.SNSEntity{Type: "Notification", MessageID: "sns-" + string(rune('a'+i)), Message: m}})
	}
	return ev
}

type suppressions = map[string]pairup.SuppressionReason

func TestHandle(t *testing.T) {
	storeErr := errors.New("dynamodb: throttled")
	tags := outboxTags(demoKey)
	for _, tc := range []struct {
		name     string
		messages func(t *testing.T) []string
		store    func(*fakeStore)
		want     Result
		wantErr  error
		supp     suppressions
		marked   suppressions
		// addresses that must not appear in the logs
		private []string
	}{
		{
			name: "PermanentBounceTwoRecipients",
			messages: func(t *testing.T) []string {
				return []string{sesMessage(t, "eventType", "Bounce", bounceObj("Permanent", "ada@example.org", "bob@example.org"), tags)}
			},
			want:    Result{Records: 1, Bounces: 1, Suppressed: 2, Marked: 1},
			supp:    suppressions{"ada@example.org": pairup.SuppressBounce, "bob@example.org": pairup.SuppressBounce},
			marked:  suppressions{demoKey: pairup.SuppressBounce},
			private: []string{"ada@example.org", "bob@example.org"},
		},
		{
			name: "TransientBounce",
			messages: func(t *testing.T) []string {
				return []string{sesMessage(t, "eventType", "Bounce", bounceObj("Transient", "ada@example.org"), tags)}
			},
			want:    Result{Records: 1, Bounces: 1, Ignored: 1},
			private: []string{"ada@example.org"},
		},
		{
			name: "UndeterminedBounce",
			messages: func(t *testing.T) []string {
				return []string{sesMessage(t, "eventType", "Bounce", bounceObj("Undetermined", "ada@example.org"), tags)}
			},
			want: Result{Records: 1, Bounces: 1, Ignored: 1},
		},
		{
			name: "Complaint",
			messages: func(t *testing.T) []string {
				return []string{sesMessage(t, "eventType", "Complaint", complaintObj("ada@example.org"), tags)}
			},
			want:    Result{Records: 1, Complaints: 1, Suppressed: 1, Marked: 1},
			supp:    suppressions{"ada@example.org": pairup.SuppressComplaint},
			marked:  suppressions{demoKey: pairup.SuppressComplaint},
			private: []string{"ada@example.org"},
		},
		{
			name: "OlderNotificationTypeFormat",
			messages: func(t *testing.T) []string {
				return []string{
					sesMessage(t, "notificationType", "Bounce", bounceObj("Permanent", "ada@example.org"), nil),
					sesMessage(t, "notificationType", "Complaint", complaintObj("bob@example.org"), nil),
				}
			},
			want: Result{Records: 2, Bounces: 1, Complaints: 1, Suppressed: 2},
			supp: suppressions{"ada@example.org": pairup.SuppressBounce, "bob@example.org": pairup.SuppressComplaint},
		},
		{
			name: "MixedCaseAddressNormalised",
			messages: func(t *testing.T) []string {
				return []string{sesMessage(t, "eventType", "Bounce", bounceObj("Permanent", "  Ada.Lovelace@Example.ORG "), tags)}
			},
			want:    Result{Records: 1, Bounces: 1, Suppressed: 1, Marked: 1},
			supp:    suppressions{"ada.lovelace@example.org": pairup.SuppressBounce},
			marked:  suppressions{demoKey: pairup.SuppressBounce},
			private: []string{"ada.lovelace@example.org", "Ada.Lovelace@Example.ORG"},
		},
		{
			name: "AddressWithPipe",
			messages: func(t *testing.T) []string {
				return []string{sesMessage(t, "eventType", "Complaint", complaintObj("a|b@example.org"), tags)}
			},
			want:   Result{Records: 1, Complaints: 1, Suppressed: 1, Marked: 1},
			supp:   suppressions{"a|b@example.org": pairup.SuppressComplaint},
			marked: suppressions{demoKey: pairup.SuppressComplaint},
		},
		{
			name: "InvalidAddressSkipped",
			messages: func(t *testing.T) []string {
				return []string{sesMessage(t, "eventType", "Bounce", bounceObj("Permanent", "not an address", "", "ada@example.org"), tags)}
			},
			want:    Result{Records: 1, Bounces: 1, Suppressed: 1, Marked: 1, InvalidAddresses: 2},
			supp:    suppressions{"ada@example.org": pairup.SuppressBounce},
			marked:  suppressions{demoKey: pairup.SuppressBounce},
			private: []string{"not an address", "ada@example.org"},
		},
		{
			name: "MissingTag",
			messages: func(t *testing.T) []string {
				return []string{sesMessage(t, "eventType", "Bounce", bounceObj("Permanent", "ada@example.org"), map[string][]string{"kind": {"confirm"}})}
			},
			want: Result{Records: 1, Bounces: 1, Suppressed: 1},
			supp: suppressions{"ada@example.org": pairup.SuppressBounce},
		},
		{
			name: "EmptyTag",
			messages: func(t *testing.T) []string {
				return []string{sesMessage(t, "eventType", "Bounce", bounceObj("Permanent", "ada@example.org"), map[string][]string{mail.TagOutbox: {}})}
			},
			want: Result{Records: 1, Bounces: 1, Suppressed: 1},
			supp: suppressions{"ada@example.org": pairup.SuppressBounce},
		},
		{
			name: "BadBase64Tag",
			messages: func(t *testing.T) []string {
				return []string{
					sesMessage(t, "eventType", "Bounce", bounceObj("Permanent", "ada@example.org"), map[string][]string{mail.TagOutbox: {"confirm/demo-registration/1"}}),
					sesMessage(t, "eventType", "Complaint", complaintObj("bob@example.org"), map[string][]string{mail.TagOutbox: {mail.OutboxTagValue(demoKey) + "="}}),
				}
			},
			want: Result{Records: 2, Bounces: 1, Complaints: 1, Suppressed: 2},
			supp: suppressions{"ada@example.org": pairup.SuppressBounce, "bob@example.org": pairup.SuppressComplaint},
		},
		{
			name: "MessageNotFound",
			messages: func(t *testing.T) []string {
				return []string{sesMessage(t, "eventType", "Bounce", bounceObj("Permanent", "ada@example.org"), outboxTags("confirm/other/1"))}
			},
			want: Result{Records: 1, Bounces: 1, Suppressed: 1},
			supp: suppressions{"ada@example.org": pairup.SuppressBounce},
		},
		{
			name: "SuppressErrorReturned",
			messages: func(t *testing.T) []string {
				return []string{sesMessage(t, "eventType", "Bounce", bounceObj("Permanent", "ada@example.org"), tags)}
			},
			store:   func(s *fakeStore) { s.suppressErr = storeErr },
			want:    Result{Records: 1, Bounces: 1},
			wantErr: storeErr,
		},
		{
			name: "MarkErrorReturned",
			messages: func(t *testing.T) []string {
				return []string{sesMessage(t, "eventType", "Complaint", complaintObj("ada@example.org"), tags)}
			},
			store:   func(s *fakeStore) { s.markErr = storeErr },
			want:    Result{Records: 1, Complaints: 1, Suppressed: 1},
			wantErr: storeErr,
			supp:    suppressions{"ada@example.org": pairup.SuppressComplaint},
		},
		{
			name: "MalformedJSONDoesNotBlockTheBatch",
			messages: func(t *testing.T) []string {
				return []string{
					`{"eventType":"Bounce","mail":`,
					"Hello from SNS!",
					`{"eventType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":"ada@example.org"}}`,
					sesMessage(t, "eventType", "Bounce", bounceObj("Permanent", "bob@example.org"), tags),
				}
			},
			want:    Result{Records: 4, Bounces: 1, Suppressed: 1, Marked: 1, Ignored: 3},
			supp:    suppressions{"bob@example.org": pairup.SuppressBounce},
			marked:  suppressions{demoKey: pairup.SuppressBounce},
			private: []string{"ada@example.org", "bob@example.org"},
		},
		{
			name: "OtherEventTypesIgnored",
			messages: func(t *testing.T) []string {
				return []string{
					sesMessage(t, "eventType", "Delivery", map[string]any{"recipients": []string{"ada@example.org"}}, tags),
					sesMessage(t, "eventType", "Bounce", nil, tags),
					sesMessage(t, "eventType", "Complaint", nil, tags),
				}
			},
			want:    Result{Records: 3, Bounces: 1, Complaints: 1, Ignored: 3},
			private: []string{"ada@example.org"},
		},
		{
			name:     "EmptyEvent",
			messages: func(t *testing.T) []string { return nil },
			want:     Result{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := newFakeStore(demoKey)
			if tc.store != nil {
				tc.store(store)
			}
			var logs bytes.Buffer
			h := &Handler{Store: store, Clock: pairup.NewManualClock(now), Log: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
			got, err := h.Handle(context.Background(), snsEvent(tc.messages(t)...))
			switch {
			case tc.wantErr == nil && err != nil:
				t.Fatalf("Handle: %v", err)
			case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
				t.Fatalf("err %v, want one wrapping %v", err, tc.wantErr)
			case err != nil && !strings.HasPrefix(err.Error(), "sesevents: "):
				t.Fatalf("err %q is not wrapped with context", err)
			}
			if got != tc.want {
				t.Errorf("result %+v, want %+v", got, tc.want)
			}
			if !maps.Equal(store.suppressed, nonNil(tc.supp)) {
				t.Errorf("suppressed %v, want %v", store.suppressed, tc.supp)
			}
			if !maps.Equal(store.marked, nonNil(tc.marked)) {
				t.Errorf("marked %v, want %v", store.marked, tc.marked)
			}
			for _, at := range store.at {
				if !at.Equal(now) {
					t.Errorf("store called with time %v, want the clock's %v", at, now)
				}
			}
			for _, a := range tc.private {
				if strings.Contains(logs.String(), a) {
					t.Errorf("logs contain the address %q:\n%s", a, logs.String())
				}
			}
			if t.Failed() {
				t.Logf("logs:\n%s", logs.String())
			}
		})
	}
}

func nonNil(m suppressions) suppressions {
	if m == nil {
		return suppressions{}
	}
	return m
}

func TestOutboxTagValue(t *testing.T) {
	for _, key := range []string{demoKey, "intro/iln/2026-1/p1/a", "x", "中文/ü"} {
		v := mail.OutboxTagValue(key)
		if strings.Trim(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != "" {
			t.Errorf("tag value %q for %q has characters SES does not allow", v, key)
		}
		if got, ok := outboxKey(map[string][]string{mail.TagOutbox: {v}}); !ok || got != key {
			t.Errorf("outboxKey(%q) = %q %v, want %q", v, got, ok, key)
		}
	}
	if v := mail.OutboxTagValue(demoKey); v != "Y29uZmlybS9kZW1vLXJlZ2lzdHJhdGlvbi8x" {
		t.Errorf("mail.OutboxTagValue(%q) = %q", demoKey, v)
	}
}

// TestSampleEvents runs the Lambda console sample events in events/ through Handle.
func TestSampleEvents(t *testing.T) {
	for _, tc := range []struct {
		file   string
		email  string
		reason pairup.SuppressionReason
		want   Result
	}{
		{"ses-events-bounce.json", "bounce@simulator.amazonses.com", pairup.SuppressBounce, Result{Records: 1, Bounces: 1, Suppressed: 1, Marked: 1}},
		{"ses-events-complaint.json", "complaint@simulator.amazonses.com", pairup.SuppressComplaint, Result{Records: 1, Complaints: 1, Suppressed: 1, Marked: 1}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("..", "..", "events", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.DisallowUnknownFields()
			var ev events.SNSEvent
			if err := dec.Decode(&ev); err != nil {
				t.Fatalf("decode %s: %v", tc.file, err)
			}
			if dec.More() {
				t.Fatalf("%s holds more than one JSON value", tc.file)
			}
			store := newFakeStore(demoKey)
			h := &Handler{Store: store, Clock: pairup.NewManualClock(now), Log: slog.New(slog.DiscardHandler)}
			got, err := h.Handle(context.Background(), ev)
			if err != nil {
				t.Fatalf("Handle: %v", err)
			}
			if got != tc.want {
				t.Errorf("result %+v, want %+v", got, tc.want)
			}
			if want := (suppressions{tc.email: tc.reason}); !maps.Equal(store.suppressed, want) {
				t.Errorf("suppressed %v, want %v", store.suppressed, want)
			}
			if want := (suppressions{demoKey: tc.reason}); !maps.Equal(store.marked, want) {
				t.Errorf("marked %v, want %v", store.marked, want)
			}
		})
	}
}
