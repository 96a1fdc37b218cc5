package store_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
)

// proposalCSV returns a CSV of n rows, about 80 bytes each, as a matching proposal's is.
func proposalCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("pair,member,name,country,sector,score,reasons\n")
	for i := range n {
		fmt.Fprintf(&b, "%d,%d,Participant %d,Hong Kong,Academic libraries,%d,same interests; career stage\n", i/2+1, i%2+1, i, 900+i%50)
	}
	return b.Bytes()
}

func TestOutboxAttachments(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	setNow(s, t0)
	msg := func(k string, as ...mail.Attachment) mail.Message {
		return mail.Message{
			Key: k, To: "coordinator@example.org", Subject: "Matching proposal", Text: "See the CSV.", HTML: "<p>See the CSV.</p>",
			ListUnsubscribe: "https://forms.example.org/unsubscribe?t=x", Tags: map[string]string{"kind": "proposal"},
			Attachments: as,
		}
	}
	csv := mail.Attachment{FileName: "proposal-2026-1.csv", ContentType: "text/csv; charset=utf-8", Data: proposalCSV(2000)}

	t.Run("RoundTrip", func(t *testing.T) {
		// 2,000 rows are about 170 KB, stored in a small fraction of that.
		note := mail.Attachment{FileName: "說明.txt", ContentType: "text/plain; charset=utf-8", Data: []byte("陳大文\n")}
		want := msg("proposal/iln/r1/1", csv, note)
		n, err := s.Enqueue(ctx, []mail.Message{want})
		mustOK(t, err)
		mustEqual(t, n, 1)
		q, err := s.GetMessage(ctx, want.Key)
		mustOK(t, err)
		mustEqual(t, q.Message, want)

		// Stored compressed, as a binary attribute.
		item := rawItem(t, s, "OUTBOX#"+want.Key, "OUTBOX")
		list, ok := item["attachments"].(*types.AttributeValueMemberL)
		if !ok || len(list.Value) != 2 {
			t.Fatalf("attachments attribute = %#v", item["attachments"])
		}
		first := list.Value[0].(*types.AttributeValueMemberM).Value
		z, ok := first["gzip"].(*types.AttributeValueMemberB)
		if !ok {
			t.Fatalf("attachment data is not a binary attribute: %#v", first)
		}
		if len(z.Value) >= len(csv.Data)/4 {
			t.Errorf("stored %d bytes for %d bytes of CSV: not compressed", len(z.Value), len(csv.Data))
		}
		zr, err := gzip.NewReader(bytes.NewReader(z.Value))
		mustOK(t, err)
		data, err := io.ReadAll(zr)
		mustOK(t, err)
		mustEqual(t, data, csv.Data)

		// The mailer's claim returns the attachments too.
		c, ok, err := s.ClaimMessage(ctx, want.Key, time.Minute)
		mustOK(t, err)
		if !ok {
			t.Fatal("not claimed")
		}
		mustEqual(t, c.Message, want)
	})
	t.Run("NoAttachmentsNoAttribute", func(t *testing.T) {
		_, err := s.Enqueue(ctx, []mail.Message{msg("proposal/iln/r1/2")})
		mustOK(t, err)
		if a, ok := rawItem(t, s, "OUTBOX#proposal/iln/r1/2", "OUTBOX")["attachments"]; ok {
			t.Errorf("attachments attribute without attachments: %#v", a)
		}
		q, err := s.GetMessage(ctx, "proposal/iln/r1/2")
		mustOK(t, err)
		if q.Attachments != nil {
			t.Errorf("Attachments = %#v", q.Attachments)
		}
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		random := make([]byte, 360<<10) // incompressible
		rand.Read(random)
		for name, m := range map[string]mail.Message{
			"Attachment": msg("proposal/iln/r1/3", mail.Attachment{FileName: "x.bin", ContentType: "application/octet-stream", Data: random}),
			"Split":      msg("proposal/iln/r1/4", mail.Attachment{FileName: "a.bin", ContentType: "application/octet-stream", Data: random[:200<<10]}, mail.Attachment{FileName: "b.bin", ContentType: "application/octet-stream", Data: random[200<<10:]}),
			"BodyAndFile": func() mail.Message {
				m := msg("proposal/iln/r1/5", mail.Attachment{FileName: "c.bin", ContentType: "application/octet-stream", Data: random[:100<<10]})
				m.HTML = strings.Repeat("<tr><td>x</td></tr>", (260<<10)/19)
				return m
			}(),
		} {
			t.Run(name, func(t *testing.T) {
				_, err := s.Enqueue(ctx, []mail.Message{m})
				wantCode(t, err, pairup.EINVALID)
				if _, err := s.GetMessage(ctx, m.Key); pairup.ErrorCode(err) != pairup.ENOTFOUND {
					t.Errorf("queued anyway: %v", err)
				}
			})
		}
		// Large but compressible is fine: 4,000 CSV rows are about 340 KB, which with the bodies
		// would not fit uncompressed.
		big := csv
		big.Data = proposalCSV(4000)
		_, err := s.Enqueue(ctx, []mail.Message{msg("proposal/iln/r1/6", big)})
		mustOK(t, err)
	})
	t.Run("ErrInvalidAttachment", func(t *testing.T) {
		for name, a := range map[string]mail.Attachment{
			"Path":        {FileName: "../etc/passwd", ContentType: "text/plain", Data: []byte("x")},
			"LineBreak":   {FileName: "a.csv\r\nBcc: x@example.org", ContentType: "text/csv", Data: []byte("x")},
			"ContentType": {FileName: "a.csv", ContentType: "csv", Data: []byte("x")},
			"Empty":       {FileName: "a.csv", ContentType: "text/csv"},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := s.Enqueue(ctx, []mail.Message{msg("proposal/iln/bad/"+name, a)})
				wantCode(t, err, pairup.EINVALID)
			})
		}
	})
	t.Run("CorruptedFailsValidation", func(t *testing.T) {
		// An item whose data does not decompress reads back as an attachment with no data,
		// which Validate refuses: the mailer fails the message instead of retrying it forever.
		k := "proposal/iln/r1/7"
		_, err := s.Enqueue(ctx, []mail.Message{msg(k, csv)})
		mustOK(t, err)
		_, err = client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(tableOf(s)),
			Key: map[string]types.AttributeValue{
				"PK": &types.AttributeValueMemberS{Value: "OUTBOX#" + k},
				"SK": &types.AttributeValueMemberS{Value: "OUTBOX"},
			},
			UpdateExpression:          aws.String("SET attachments[0].gzip = :z"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":z": &types.AttributeValueMemberB{Value: []byte("not gzip")}},
		})
		mustOK(t, err)
		q, err := s.GetMessage(ctx, k)
		mustOK(t, err)
		if len(q.Attachments) != 1 || q.Attachments[0].Data != nil || q.Attachments[0].FileName != csv.FileName {
			t.Fatalf("Attachments = %+v", q.Attachments)
		}
		if q.ValidateQueued() == nil {
			t.Error("a message with a corrupted attachment validates")
		}
	})
}
