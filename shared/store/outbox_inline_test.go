package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
)

// TestOutboxInlineParts: an inline image (a report's chart) keeps its disposition and content
// id through the outbox, beside an ordinary attachment; once sent, the parts are dropped with
// the bodies as for every message.
func TestOutboxInlineParts(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	setNow(s, t0)
	png := []byte("\x89PNG\r\n\x1a\n not really an image, but bytes to carry")
	want := mail.Message{
		Key: "report/iln/r1/final/0", To: "coordinator@example.org", Subject: "Report", Text: "See the charts.",
		HTML:            `<p><img src="cid:chart-satisfaction@pairup" alt="Satisfaction: 5: 3"></p>`,
		ListUnsubscribe: "https://forms.example.org/unsubscribe?t=x", Tags: map[string]string{"kind": "report"},
		Attachments: []mail.Attachment{
			{FileName: "satisfaction.png", ContentType: "image/png", Data: png, Inline: true, ContentID: "chart-satisfaction@pairup"},
			{FileName: "pairs-iln-r1.csv", ContentType: "text/csv; charset=utf-8", Data: []byte("\ufeffpair,member\r\n")},
		},
	}
	n, err := s.Enqueue(ctx, []mail.Message{want})
	mustOK(t, err)
	mustEqual(t, n, 1)

	for _, tc := range []struct {
		name string
		get  func() (*mail.Queued, error)
	}{
		{"GetMessage", func() (*mail.Queued, error) { return s.GetMessage(ctx, want.Key) }},
		{"ClaimMessage", func() (*mail.Queued, error) {
			q, ok, err := s.ClaimMessage(ctx, want.Key, time.Minute)
			if err == nil && !ok {
				t.Fatal("not claimed")
			}
			return q, err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := tc.get()
			mustOK(t, err)
			mustEqual(t, q.Attachments, want.Attachments)
		})
	}

	// Stored as two attributes of the part, the plain attachment without them.
	list := rawItem(t, s, "OUTBOX#"+want.Key, "OUTBOX")["attachments"].(*types.AttributeValueMemberL).Value
	first, second := list[0].(*types.AttributeValueMemberM).Value, list[1].(*types.AttributeValueMemberM).Value
	if cid, ok := first["contentId"].(*types.AttributeValueMemberS); !ok || cid.Value != "chart-satisfaction@pairup" {
		t.Errorf("the inline part's contentId attribute = %#v", first["contentId"])
	}
	if in, ok := first["inline"].(*types.AttributeValueMemberBOOL); !ok || !in.Value {
		t.Errorf("the inline part's inline attribute = %#v", first["inline"])
	}
	if _, ok := second["contentId"]; ok {
		t.Errorf("a plain attachment stores a content id: %#v", second)
	}
	if _, ok := second["inline"]; ok {
		t.Errorf("a plain attachment stores an inline flag: %#v", second)
	}

	// Sent: the parts go with the bodies.
	mustOK(t, s.MarkSent(ctx, want.Key, "ses-1"))
	q, err := s.GetMessage(ctx, want.Key)
	mustOK(t, err)
	if q.Status != mail.StatusSent || q.Attachments != nil || q.HTML != "" {
		t.Errorf("after sending: status %s, %d attachments, html %q", q.Status, len(q.Attachments), q.HTML)
	}

	// An inline part without a content id is refused, and nothing is queued.
	bad := want
	bad.Key = "report/iln/r1/final/1"
	bad.Attachments = []mail.Attachment{{FileName: "a.png", ContentType: "image/png", Data: png, Inline: true}}
	_, err = s.Enqueue(ctx, []mail.Message{bad})
	wantCode(t, err, pairup.EINVALID)
	if _, err := s.GetMessage(ctx, bad.Key); pairup.ErrorCode(err) != pairup.ENOTFOUND {
		t.Errorf("queued anyway: %v", err)
	}
}
