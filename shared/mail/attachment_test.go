package mail_test

import (
	"strings"
	"testing"

	"github.com/pairup/pairup/shared/mail"
)

func TestAttachmentValidate(t *testing.T) {
	csv := mail.Attachment{FileName: "proposal-2026-1.csv", ContentType: "text/csv; charset=utf-8", Data: []byte("a,b\n")}
	base := mail.Message{To: "a@example.org", Subject: "S", Text: "T"}
	for _, tc := range []struct {
		name string
		as   []mail.Attachment
		ok   bool
	}{
		{"OK", []mail.Attachment{csv}, true},
		{"OKChineseName", []mail.Attachment{{FileName: "配對建議 2026.csv", ContentType: "text/csv", Data: []byte("x")}}, true},
		{"OKTwo", []mail.Attachment{csv, {FileName: "notes.pdf", ContentType: "application/pdf", Data: []byte("%PDF")}}, true},
		{"OKAtLimit", []mail.Attachment{{FileName: "big.bin", ContentType: "application/octet-stream", Data: make([]byte, mail.MaxAttachmentBytes)}}, true},
		{"ErrNoName", []mail.Attachment{{ContentType: "text/csv", Data: []byte("x")}}, false},
		{"ErrPath", []mail.Attachment{{FileName: "out/proposal.csv", ContentType: "text/csv", Data: []byte("x")}}, false},
		{"ErrWindowsPath", []mail.Attachment{{FileName: `C:\proposal.csv`, ContentType: "text/csv", Data: []byte("x")}}, false},
		{"ErrDotDot", []mail.Attachment{{FileName: "..", ContentType: "text/csv", Data: []byte("x")}}, false},
		{"ErrLineBreak", []mail.Attachment{{FileName: "a.csv\r\nBcc: x@example.org", ContentType: "text/csv", Data: []byte("x")}}, false},
		{"ErrQuote", []mail.Attachment{{FileName: `a".csv`, ContentType: "text/csv", Data: []byte("x")}}, false},
		{"ErrLongName", []mail.Attachment{{FileName: strings.Repeat("a", mail.MaxFileNameLen) + ".csv", ContentType: "text/csv", Data: []byte("x")}}, false},
		{"ErrNoType", []mail.Attachment{{FileName: "a.csv", Data: []byte("x")}}, false},
		{"ErrBareType", []mail.Attachment{{FileName: "a.csv", ContentType: "csv", Data: []byte("x")}}, false},
		{"ErrTypeLineBreak", []mail.Attachment{{FileName: "a.csv", ContentType: "text/csv\r\nX-Evil: 1", Data: []byte("x")}}, false},
		{"ErrMultipart", []mail.Attachment{{FileName: "a.eml", ContentType: "multipart/mixed; boundary=x", Data: []byte("x")}}, false},
		{"ErrEmpty", []mail.Attachment{{FileName: "a.csv", ContentType: "text/csv"}}, false},
		{"ErrTooLarge", []mail.Attachment{csv, {FileName: "big.bin", ContentType: "application/octet-stream", Data: make([]byte, mail.MaxAttachmentBytes)}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := base
			m.Attachments = tc.as
			err := m.Validate()
			if (err == nil) != tc.ok {
				t.Errorf("Validate = %v, want ok %v", err, tc.ok)
			}
			if err != nil && strings.Contains(err.Error(), "Bcc") {
				t.Errorf("error repeats the file name: %v", err)
			}
		})
	}
}

func TestValidateQueuedSize(t *testing.T) {
	m := mail.Message{Key: "proposal/iln/1", To: "a@example.org", Subject: "S", Text: "T",
		ListUnsubscribe: "https://x.example/u?t=1"}
	if err := m.ValidateQueued(); err != nil {
		t.Fatal(err)
	}
	m.HTML = strings.Repeat("x", mail.MaxQueuedBytes)
	if err := m.ValidateQueued(); err == nil {
		t.Error("ValidateQueued accepted bodies larger than an outbox item")
	}
}
