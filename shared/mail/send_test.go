package mail_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/pairup/pairup/shared/localenv"
	"github.com/pairup/pairup/shared/mail"
)

const from = "HKLA Mentoring <mentoring@example.org>"

func TestSESEmulator(t *testing.T) {
	needSES(t)
	ctx := context.Background()
	sender, err := mail.NewSES(localenv.SESClient(sesEndpoint), from, "pairup-test")
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

func TestSESEmulatorNoUnsubscribe(t *testing.T) {
	needSES(t)
	ctx := context.Background()
	sender, err := mail.NewSES(localenv.SESClient(sesEndpoint), "noreply@example.org", "")
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
		s, err := mail.NewSES(f, "陳大文 <chan@example.org>", "pairup-events")
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
	})
	t.Run("ErrNoAddressInError", func(t *testing.T) {
		f := &fakeSES{err: errors.New("throttled")}
		s, _ := mail.NewSES(f, "noreply@example.org", "")
		_, err := s.Send(ctx, mail.Message{To: "secret@example.org", Subject: "S", Text: "T", Tags: map[string]string{"kind": "confirm"}})
		if err == nil || strings.Contains(err.Error(), "secret") || !strings.Contains(err.Error(), "kind=confirm") {
			t.Errorf("err = %v; want the kind and not the address", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := &fakeSES{}
		s, _ := mail.NewSES(f, "noreply@example.org", "")
		if _, err := s.Send(ctx, mail.Message{To: "a@example.org"}); err == nil || f.in != nil {
			t.Errorf("invalid message sent: err = %v", err)
		}
	})
	t.Run("ErrBadFrom", func(t *testing.T) {
		if _, err := mail.NewSES(&fakeSES{}, "not an address", ""); err == nil {
			t.Error("NewSES accepted a bad From")
		}
	})
}

func TestMessageValidate(t *testing.T) {
	ok := mail.Message{To: "a@example.org", Subject: "S", Text: "T", ListUnsubscribe: "https://x.example/u?t=1"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid message: %v", err)
	}
	for name, mod := range map[string]func(m *mail.Message){
		"ErrNoTo":          func(m *mail.Message) { m.To = " " },
		"ErrTwoTo":         func(m *mail.Message) { m.To = "a@example.org, b@example.org" },
		"ErrNoSubject":     func(m *mail.Message) { m.Subject = "" },
		"ErrSubjectNL":     func(m *mail.Message) { m.Subject = "a\r\nBcc: x@example.org" },
		"ErrNoBody":        func(m *mail.Message) { m.Text = "" },
		"ErrUnsubRelative": func(m *mail.Message) { m.ListUnsubscribe = "/u?t=1" },
		"ErrUnsubMailto":   func(m *mail.Message) { m.ListUnsubscribe = "mailto:u@example.org" },
		"ErrUnsubInject":   func(m *mail.Message) { m.ListUnsubscribe = "https://x.example/>, <https://evil.example/" },
	} {
		t.Run(name, func(t *testing.T) {
			m := ok
			mod(&m)
			if m.Validate() == nil {
				t.Errorf("Validate accepted %+v", m)
			}
		})
	}
}

func TestLog(t *testing.T) {
	var buf bytes.Buffer
	l := mail.NewLog(slog.New(slog.NewTextHandler(&buf, nil)))
	ctx := context.Background()
	m := mail.Message{To: "private@example.org", Subject: "Secret subject", Text: "Secret body",
		Tags: map[string]string{"kind": "confirm", "programme": "hkla"}}
	id1, err := l.Send(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	m.Tags["kind"] = "changed after send"
	id2, _ := l.Send(ctx, mail.Message{To: "other@example.org", Subject: "S", HTML: "<p>x</p>"})
	if id1 == id2 {
		t.Errorf("ids repeat: %q", id1)
	}
	sent := l.Sent()
	if len(sent) != 2 || sent[0].ID != id1 || sent[0].Message.To != "private@example.org" || sent[0].Message.Tags["kind"] != "confirm" {
		t.Errorf("Sent() = %+v", sent)
	}
	if got := l.To("private@example.org"); len(got) != 1 || got[0].Subject != "Secret subject" {
		t.Errorf("To() = %+v", got)
	}
	logged := buf.String()
	for _, secret := range []string{"private", "Secret", "other@"} {
		if strings.Contains(logged, secret) {
			t.Errorf("log has %q:\n%s", secret, logged)
		}
	}
	if !strings.Contains(logged, "id="+id1) || !strings.Contains(logged, "kind=confirm") {
		t.Errorf("log lacks id or kind:\n%s", logged)
	}
	if _, err := l.Send(ctx, mail.Message{}); err == nil {
		t.Error("Log accepted an empty message")
	}
	l.Reset()
	if len(l.Sent()) != 0 {
		t.Error("Reset kept messages")
	}
	if id3, _ := l.Send(ctx, mail.Message{To: "a@example.org", Subject: "S", Text: "T"}); id3 == id1 || id3 == id2 {
		t.Errorf("id %q reused after Reset", id3)
	}
}
