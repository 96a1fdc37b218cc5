package localenv_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/pairup/pairup/shared/localenv"
)

// TestInboxParts: the inbox gives back an email's attachment and inline image as sent.
func TestInboxParts(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the SES emulator (not under -short)")
	}
	ctx := context.Background()
	svc, err := localenv.StartSES(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Stop)
	inbox := localenv.NewInbox(svc.Endpoint)
	want := []localenv.Part{
		{FileName: "chart.png", ContentType: "image/png", Disposition: "INLINE", ContentID: "chart@pairup", Data: []byte("\x89PNG\x00\xff")},
		{FileName: "名單.csv", ContentType: "text/csv; charset=utf-8", Disposition: "ATTACHMENT", Data: []byte("\ufeffname\r\n陳大文\r\n")},
	}
	var atts []sestypes.Attachment
	for _, p := range want {
		a := sestypes.Attachment{FileName: aws.String(p.FileName), ContentType: aws.String(p.ContentType), RawContent: p.Data,
			ContentDisposition: sestypes.AttachmentContentDisposition(p.Disposition)}
		if p.ContentID != "" {
			a.ContentId = aws.String(p.ContentID)
		}
		atts = append(atts, a)
	}
	out, err := localenv.SESClient(svc.Endpoint).SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String("noreply@example.org"),
		Destination:      &sestypes.Destination{ToAddresses: []string{"parts@example.org"}},
		Content: &sestypes.EmailContent{Simple: &sestypes.Message{
			Subject:     &sestypes.Content{Data: aws.String("Parts")},
			Body:        &sestypes.Body{Html: &sestypes.Content{Data: aws.String(`<img src="cid:chart@pairup" alt="chart">`)}},
			Attachments: atts,
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := inbox.Parts(ctx, aws.ToString(out.MessageId))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d parts, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.FileName != w.FileName || g.ContentType != w.ContentType || g.Disposition != w.Disposition || g.ContentID != w.ContentID || !bytes.Equal(g.Data, w.Data) {
			t.Errorf("part %d = %+v, want %+v", i, g, w)
		}
	}
	if _, err := inbox.Parts(ctx, "no-such-message"); err == nil {
		t.Error("Parts of an unknown message: no error")
	}
}
