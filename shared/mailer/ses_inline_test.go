package mailer_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/pairup/pairup/shared/localenv"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/mailer"
)

// chartPNG is an inline image as a report carries one: shown by the HTML, not saved as a file.
var chartPNG = mail.Attachment{FileName: "satisfaction.png", ContentType: "image/png", Data: []byte("\x89PNG\r\n\x1a\nchart"),
	Inline: true, ContentID: "chart-satisfaction@pairup"}

// TestSESInlineRequest: an inline part goes to SES with disposition INLINE and its ContentId;
// an ordinary attachment beside it keeps disposition ATTACHMENT and no ContentId.
func TestSESInlineRequest(t *testing.T) {
	f := &fakeSES{}
	s, _ := mailer.NewSES(f, "noreply@example.org", "")
	m := mail.Message{To: "a@example.org", Subject: "S", Text: "T", HTML: `<img src="cid:chart-satisfaction@pairup" alt="x">`,
		Attachments: []mail.Attachment{chartPNG, attachmentCSV}}
	if _, err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	atts := f.in.Content.Simple.Attachments
	if len(atts) != 2 {
		t.Fatalf("%d attachments, want 2", len(atts))
	}
	for i, tc := range []struct {
		disposition types.AttachmentContentDisposition
		contentID   string
	}{
		{types.AttachmentContentDispositionInline, chartPNG.ContentID},
		{types.AttachmentContentDispositionAttachment, ""},
	} {
		a := atts[i]
		if a.ContentDisposition != tc.disposition || aws.ToString(a.ContentId) != tc.contentID || (tc.contentID == "") != (a.ContentId == nil) ||
			!bytes.Equal(a.RawContent, m.Attachments[i].Data) || a.ContentTransferEncoding != types.AttachmentContentTransferEncodingBase64 {
			t.Errorf("attachment %d = %+v, want disposition %s, content id %q", i, a, tc.disposition, tc.contentID)
		}
	}
}

// TestSESEmulatorInline sends an inline image through the SES v2 emulator, which records each
// part's disposition and content id as SES receives them.
func TestSESEmulatorInline(t *testing.T) {
	ctx := context.Background()
	sender, err := mailer.NewSES(localenv.SESClient(sesEndpoint), from, "pairup-test")
	if err != nil {
		t.Fatal(err)
	}
	m := mail.Message{
		To: "inline@example.org", Subject: "Round report", Text: "Satisfaction: 5: 3", HTML: `<p><img src="cid:chart-satisfaction@pairup" alt="Satisfaction: 5: 3"></p>`,
		ListUnsubscribe: "https://forms.example.org/unsubscribe?t=xyz", Attachments: []mail.Attachment{chartPNG, attachmentCSV},
	}
	id, err := sender.Send(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(sesEndpoint + "/store")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var store struct {
		Emails []struct {
			MessageID   string `json:"messageId"`
			Attachments []struct {
				FileName           string `json:"filename"`
				ContentDisposition string `json:"contentDisposition"`
				ContentID          string `json:"contentId"`
				Content            string `json:"content"`
			} `json:"attachments"`
		} `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&store); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range store.Emails {
		if e.MessageID != id {
			continue
		}
		found = true
		if len(e.Attachments) != 2 {
			t.Fatalf("%d parts, want 2", len(e.Attachments))
		}
		img, csv := e.Attachments[0], e.Attachments[1]
		data, _ := base64.StdEncoding.DecodeString(img.Content)
		if img.ContentDisposition != "INLINE" || img.ContentID != chartPNG.ContentID || img.FileName != chartPNG.FileName || !bytes.Equal(data, chartPNG.Data) {
			t.Errorf("the inline part = %+v", img)
		}
		if csv.ContentDisposition != "ATTACHMENT" || csv.ContentID != "" {
			t.Errorf("the attachment = %+v", csv)
		}
	}
	if !found {
		t.Fatalf("no email %s in the emulator", id)
	}
}
