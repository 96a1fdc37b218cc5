package mail_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/pairup/pairup/shared/mail"
)

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
