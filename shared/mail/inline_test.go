package mail_test

import (
	"strings"
	"testing"

	"github.com/pairup/pairup/shared/mail"
)

func TestInlineValidate(t *testing.T) {
	png := func(cid string, inline bool) mail.Attachment {
		return mail.Attachment{FileName: "chart.png", ContentType: "image/png", Data: []byte("\x89PNG"), Inline: inline, ContentID: cid}
	}
	base := mail.Message{To: "a@example.org", Subject: "S", Text: "T"}
	for _, tc := range []struct {
		name string
		as   []mail.Attachment
		ok   bool
	}{
		{"OK", []mail.Attachment{png("chart-satisfaction@pairup", true)}, true},
		{"OKTwo", []mail.Attachment{png("a@pairup", true), png("b@pairup", true)}, true},
		{"OKContentIDNotInline", []mail.Attachment{png("a@pairup", false)}, true},
		{"ErrInlineNoID", []mail.Attachment{png("", true)}, false},
		{"ErrSameID", []mail.Attachment{png("a@pairup", true), png("a@pairup", true)}, false},
		{"ErrAngleBrackets", []mail.Attachment{png("<a@pairup>", true)}, false},
		{"ErrLineBreak", []mail.Attachment{png("a\r\nBcc: x@example.org", true)}, false},
		{"ErrSpace", []mail.Attachment{png("a b", true)}, false},
		{"ErrQuote", []mail.Attachment{png(`a"b`, true)}, false},
		{"ErrLong", []mail.Attachment{png(strings.Repeat("a", mail.MaxContentIDLen+1), true)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := base
			m.Attachments = tc.as
			err := m.Validate()
			if (err == nil) != tc.ok {
				t.Errorf("Validate = %v, want ok %v", err, tc.ok)
			}
			if err != nil && strings.Contains(err.Error(), "Bcc") {
				t.Errorf("error repeats the content id: %v", err)
			}
		})
	}
}

func TestCIDURL(t *testing.T) {
	for _, tc := range []struct{ id, want string }{
		{"chart-satisfaction@pairup", "cid:chart-satisfaction@pairup"},
		{"a.b_c-d", "cid:a.b_c-d"},
		{"", ""},
		{`x" onerror="alert(1)`, ""},
		{"javascript:alert(1)", ""},
	} {
		if got := string(mail.CIDURL(tc.id)); got != tc.want {
			t.Errorf("CIDURL(%q) = %q, want %q", tc.id, got, tc.want)
		}
	}
}
