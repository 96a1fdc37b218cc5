package mail_test

import (
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
