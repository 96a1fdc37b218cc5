package mailer_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/pairup/pairup/shared/localenv"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/mailer"
)

const from = "HKLA Mentoring <mentoring@example.org>"

var confirmData = mail.ConfirmData{
	Name: "Ada", ProgrammeName: "International Librarians Network", RoundName: "2026 round 1",
	ConfirmURL: "https://forms.example.org/confirm?t=abc", ExpiresIn: "72 hours",
	UnsubscribeURL: "https://forms.example.org/unsubscribe?t=xyz",
}

func mustTemplates(t *testing.T) *mail.Templates {
	t.Helper()
	tt, err := mail.NewTemplates()
	if err != nil {
		t.Fatal(err)
	}
	return tt
}

func TestSESEmulator(t *testing.T) {
	ctx := context.Background()
	sender, err := mailer.NewSES(localenv.SESClient(sesEndpoint), from, "pairup-test")
	if err != nil {
		t.Fatal(err)
	}
	tt := mustTemplates(t)
	for _, locale := range []string{"en", "zh-Hant"} {
		t.Run(locale, func(t *testing.T) {
			d := confirmData
			if locale == "zh-Hant" {
				d.Name, d.ProgrammeName = "陳大文", "香港圖書館協會師友計劃"
			}
			m, err := tt.Render("confirm", locale, d)
			if err != nil {
				t.Fatal(err)
			}
			m.To = "ses-" + locale + "@example.org"
			m.Tags = map[string]string{"kind": "confirm", "programme": "hkla.2026"}
			id, err := sender.Send(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			inbox := localenv.NewInbox(sesEndpoint)
			got, err := inbox.WaitFor(ctx, m.To, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("%d emails to %s, want 1", len(got), m.To)
			}
			e := got[0]
			if e.MessageID != id {
				t.Errorf("MessageID = %q, Send returned %q", e.MessageID, id)
			}
			if e.From != from {
				t.Errorf("From = %q, want %q", e.From, from)
			}
			if len(e.To) != 1 || e.To[0] != m.To {
				t.Errorf("To = %v, want [%s]", e.To, m.To)
			}
			if e.Subject != m.Subject {
				t.Errorf("Subject = %q, want %q", e.Subject, m.Subject)
			}
			if e.Text != m.Text {
				t.Errorf("Text = %q, want %q", e.Text, m.Text)
			}
			if e.HTML != m.HTML {
				t.Errorf("HTML differs from the rendered one")
			}
			if v, _ := e.Header("List-Unsubscribe"); v != "<"+d.UnsubscribeURL+">" {
				t.Errorf("List-Unsubscribe = %q; headers %v", v, e.Headers)
			}
			if v, _ := e.Header("List-Unsubscribe-Post"); v != "List-Unsubscribe=One-Click" {
				t.Errorf("List-Unsubscribe-Post = %q; headers %v", v, e.Headers)
			}
		})
	}
}

// attachmentCSV is a proposal CSV with a byte-order mark, Chinese and a quoted comma, so that a
// round trip shows the data goes through untouched.
var attachmentCSV = mail.Attachment{
	FileName:    "proposal-2026-1.csv",
	ContentType: "text/csv; charset=utf-8",
	Data:        []byte("\ufeffpair,name,country\r\n1,陳大文,Hong Kong\r\n1,\"Ada, Countess\",United Kingdom\r\n"),
}

func TestSESEmulatorAttachment(t *testing.T) {
	ctx := context.Background()
	sender, err := mailer.NewSES(localenv.SESClient(sesEndpoint), from, "pairup-test")
	if err != nil {
		t.Fatal(err)
	}
	note := mail.Attachment{FileName: "說明.txt", ContentType: "text/plain; charset=utf-8", Data: []byte{0xff, 0x00, 'x'}}
	m := mail.Message{
		To: "attach@example.org", Subject: "Matching proposal", Text: "See the CSV.", HTML: "<p>See the CSV.</p>",
		ListUnsubscribe: "https://forms.example.org/unsubscribe?t=xyz", Attachments: []mail.Attachment{attachmentCSV, note},
	}
	id, err := sender.Send(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := localenv.NewInbox(sesEndpoint).WaitFor(ctx, m.To, 1); err != nil {
		t.Fatal(err)
	}
	// localenv.Email does not carry attachments; read them from the emulator's store.
	got := emulatorAttachments(t, id)
	if len(got) != 2 {
		t.Fatalf("%d attachments, want 2: %+v", len(got), got)
	}
	for i, want := range m.Attachments {
		g := got[i]
		data, err := base64.StdEncoding.DecodeString(g.Content)
		if err != nil {
			t.Fatalf("attachment %d content: %v", i, err)
		}
		if g.FileName != want.FileName || g.ContentType != want.ContentType || !bytes.Equal(data, want.Data) ||
			!strings.EqualFold(g.ContentDisposition, "attachment") {
			t.Errorf("attachment %d = %+v (data %q), want %s %s %q", i, g, data, want.FileName, want.ContentType, want.Data)
		}
	}
}

type emulatorAttachment struct {
	FileName           string `json:"filename"`
	ContentType        string `json:"contentType"`
	ContentDisposition string `json:"contentDisposition"`
	Content            string `json:"content"` // base64
}

// emulatorAttachments returns the attachments of the email the emulator holds with id.
func emulatorAttachments(t *testing.T, id string) []emulatorAttachment {
	t.Helper()
	resp, err := http.Get(sesEndpoint + "/store")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var store struct {
		Emails []struct {
			MessageID   string               `json:"messageId"`
			Attachments []emulatorAttachment `json:"attachments"`
		} `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&store); err != nil {
		t.Fatal(err)
	}
	for _, e := range store.Emails {
		if e.MessageID == id {
			return e.Attachments
		}
	}
	t.Fatalf("no email %s in the emulator", id)
	return nil
}

func TestSESEmulatorNoUnsubscribe(t *testing.T) {
	ctx := context.Background()
	sender, err := mailer.NewSES(localenv.SESClient(sesEndpoint), "noreply@example.org", "")
	if err != nil {
		t.Fatal(err)
	}
	m := mail.Message{To: "plain@example.org", Subject: "Hi", Text: "text only"}
	if _, err := sender.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	got, err := localenv.NewInbox(sesEndpoint).WaitFor(ctx, m.To, 1)
	if err != nil {
		t.Fatal(err)
	}
	if e := got[0]; e.From != "noreply@example.org" || e.Text != "text only" || e.HTML != "" || len(e.Headers) != 0 {
		t.Errorf("got %+v", e)
	}
}

// fakeSES records the request and returns a canned result.
type fakeSES struct {
	in  *sesv2.SendEmailInput
	err error
}

func (f *fakeSES) SendEmail(ctx context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	f.in = in
	if f.err != nil {
		return nil, f.err
	}
	return &sesv2.SendEmailOutput{MessageId: aws.String("fake-1")}, nil
}

func TestSESRequest(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		f := &fakeSES{}
		s, err := mailer.NewSES(f, "陳大文 <chan@example.org>", "pairup-events")
		if err != nil {
			t.Fatal(err)
		}
		id, err := s.Send(ctx, mail.Message{
			To: "a@example.org", Subject: "S", Text: "T", HTML: "<p>H</p>",
			Tags: map[string]string{"kind": "confirm", "programme": "hkla.2026/r1"},
		})
		if err != nil || id != "fake-1" {
			t.Fatalf("Send = %q, %v", id, err)
		}
		if got := aws.ToString(f.in.FromEmailAddress); got != "=?utf-8?q?=E9=99=B3=E5=A4=A7=E6=96=87?= <chan@example.org>" {
			t.Errorf("From = %q, want the display name RFC 2047-encoded", got)
		}
		if got := aws.ToString(f.in.ConfigurationSetName); got != "pairup-events" {
			t.Errorf("ConfigurationSetName = %q", got)
		}
		var tags []string
		for _, tag := range f.in.EmailTags {
			tags = append(tags, aws.ToString(tag.Name)+"="+aws.ToString(tag.Value))
		}
		if got := strings.Join(tags, ","); got != "kind=confirm,programme=hkla_2026_r1" {
			t.Errorf("EmailTags = %s", got)
		}
		simple := f.in.Content.Simple
		if aws.ToString(simple.Subject.Charset) != "UTF-8" || aws.ToString(simple.Body.Text.Data) != "T" || aws.ToString(simple.Body.Html.Data) != "<p>H</p>" {
			t.Errorf("content = %+v", simple)
		}
		if len(simple.Headers) != 0 {
			t.Errorf("headers without ListUnsubscribe: %v", simple.Headers)
		}
		if simple.Attachments != nil {
			t.Errorf("attachments without any: %+v", simple.Attachments)
		}
	})
	t.Run("Attachment", func(t *testing.T) {
		f := &fakeSES{}
		s, _ := mailer.NewSES(f, "noreply@example.org", "")
		if _, err := s.Send(ctx, mail.Message{To: "a@example.org", Subject: "S", Text: "T", Attachments: []mail.Attachment{attachmentCSV}}); err != nil {
			t.Fatal(err)
		}
		atts := f.in.Content.Simple.Attachments
		if len(atts) != 1 {
			t.Fatalf("%d attachments, want 1", len(atts))
		}
		a := atts[0]
		if aws.ToString(a.FileName) != attachmentCSV.FileName || aws.ToString(a.ContentType) != attachmentCSV.ContentType ||
			!bytes.Equal(a.RawContent, attachmentCSV.Data) ||
			a.ContentDisposition != types.AttachmentContentDispositionAttachment ||
			a.ContentTransferEncoding != types.AttachmentContentTransferEncodingBase64 ||
			a.ContentId != nil || a.ContentDescription != nil {
			t.Errorf("attachment = %+v", a)
		}
	})
	t.Run("ErrBadAttachment", func(t *testing.T) {
		f := &fakeSES{}
		s, _ := mailer.NewSES(f, "noreply@example.org", "")
		bad := attachmentCSV
		bad.FileName = "reports/proposal.csv"
		if _, err := s.Send(ctx, mail.Message{To: "a@example.org", Subject: "S", Text: "T", Attachments: []mail.Attachment{bad}}); err == nil || f.in != nil {
			t.Errorf("attachment with a path sent: err = %v", err)
		}
	})
	t.Run("ErrNoAddressInError", func(t *testing.T) {
		f := &fakeSES{err: errors.New("throttled")}
		s, _ := mailer.NewSES(f, "noreply@example.org", "")
		_, err := s.Send(ctx, mail.Message{To: "secret@example.org", Subject: "S", Text: "T", Tags: map[string]string{"kind": "confirm"}})
		if err == nil || strings.Contains(err.Error(), "secret") || !strings.Contains(err.Error(), "kind=confirm") {
			t.Errorf("err = %v; want the kind and not the address", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := &fakeSES{}
		s, _ := mailer.NewSES(f, "noreply@example.org", "")
		if _, err := s.Send(ctx, mail.Message{To: "a@example.org"}); err == nil || f.in != nil {
			t.Errorf("invalid message sent: err = %v", err)
		}
	})
	t.Run("ErrBadFrom", func(t *testing.T) {
		if _, err := mailer.NewSES(&fakeSES{}, "not an address", ""); err == nil {
			t.Error("NewSES accepted a bad From")
		}
	})
}
