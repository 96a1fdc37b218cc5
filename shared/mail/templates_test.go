package mail_test

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/pairup/pairup/shared/mail"
)

var confirmData = mail.ConfirmData{
	Name:           "Ada Lovelace",
	ProgrammeName:  "HKLA Mentoring Programme",
	RoundName:      "2026",
	ConfirmURL:     "https://forms.example.org/confirm?t=abc&x=1",
	ExpiresIn:      "72 hours",
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

func TestRenderConfirm(t *testing.T) {
	tt := mustTemplates(t)
	t.Run("en", func(t *testing.T) {
		m, err := tt.Render("confirm", "en", confirmData)
		if err != nil {
			t.Fatal(err)
		}
		// A stranger may type anything as the name of someone else's address: it stays out.
		if strings.Contains(m.Text+m.HTML+m.Subject, confirmData.Name) {
			t.Errorf("the confirmation carries the name typed into the form")
		}
		if want := "Confirm your signup to HKLA Mentoring Programme (2026)"; m.Subject != want {
			t.Errorf("Subject = %q, want %q", m.Subject, want)
		}
		for _, want := range []string{
			"Hello,\n",
			"HKLA Mentoring Programme (2026)",
			"\nhttps://forms.example.org/confirm?t=abc&x=1\n", // plain URL on a line of its own
			"valid for 72 hours",
			"If you did not sign up, you can ignore this email",
			"nothing about you will be kept",
			"Unsubscribe: https://forms.example.org/unsubscribe?t=xyz",
		} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("Text lacks %q:\n%s", want, m.Text)
			}
		}
		for _, want := range []string{
			`<html lang="en">`,
			`<meta name="viewport"`,
			`Hello,`,
			`<a href="https://forms.example.org/confirm?t=abc&amp;x=1" style="display:inline-block;`, // the button
			`valid for 72 hours`,
			`If you did not sign up`,
			`<a href="https://forms.example.org/unsubscribe?t=xyz"`,
		} {
			if !strings.Contains(m.HTML, want) {
				t.Errorf("HTML lacks %q", want)
			}
		}
		if m.ListUnsubscribe != confirmData.UnsubscribeURL {
			t.Errorf("ListUnsubscribe = %q, want %q", m.ListUnsubscribe, confirmData.UnsubscribeURL)
		}
		if m.To != "" || m.Tags != nil {
			t.Errorf("Render set To or Tags: %+v", m)
		}
	})
	t.Run("zh-Hant", func(t *testing.T) {
		d := confirmData
		d.Name, d.ProgrammeName, d.RoundName, d.ExpiresIn = "陳大文", "香港圖書館協會師友計劃", "2026年度", mail.FormatDuration(72*time.Hour, "zh-Hant")
		m, err := tt.Render("confirm", "zh-Hant", d)
		if err != nil {
			t.Fatal(err)
		}
		if want := "請確認報名：香港圖書館協會師友計劃（2026年度）"; m.Subject != want {
			t.Errorf("Subject = %q, want %q", m.Subject, want)
		}
		for _, want := range []string{"您好：", "有效期為 72 小時", "如果您沒有報名", "取消訂閱：https://forms.example.org/unsubscribe?t=xyz"} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("Text lacks %q:\n%s", want, m.Text)
			}
		}
		for _, want := range []string{`<html lang="zh-Hant">`, "確認報名</a>", "取消訂閱</a>"} {
			if !strings.Contains(m.HTML, want) {
				t.Errorf("HTML lacks %q", want)
			}
		}
	})
	t.Run("NoUnsubscribeURL", func(t *testing.T) {
		d := confirmData
		d.UnsubscribeURL = ""
		m, err := tt.Render("confirm", "en", d)
		if err != nil {
			t.Fatal(err)
		}
		if m.ListUnsubscribe != "" || strings.Contains(m.Text, "Unsubscribe") || strings.Contains(m.HTML, "Unsubscribe") {
			t.Errorf("unsubscribe link shown without a URL")
		}
	})
}

func TestRenderEscaping(t *testing.T) {
	tt := mustTemplates(t)
	const script = "<script>alert(1)</script>"
	fields := map[string]func(d *mail.ConfirmData, v string){
		"ProgrammeName":  func(d *mail.ConfirmData, v string) { d.ProgrammeName = v },
		"RoundName":      func(d *mail.ConfirmData, v string) { d.RoundName = v },
		"ConfirmURL":     func(d *mail.ConfirmData, v string) { d.ConfirmURL = v },
		"ExpiresIn":      func(d *mail.ConfirmData, v string) { d.ExpiresIn = v },
		"UnsubscribeURL": func(d *mail.ConfirmData, v string) { d.UnsubscribeURL = v },
	}
	for _, locale := range []string{"en", "zh-Hant"} {
		for field, set := range fields {
			t.Run(locale+"/"+field, func(t *testing.T) {
				for _, v := range []string{
					script,
					`"><img src=x onerror=alert(1)>`,
					"javascript:alert(1)",
					"{{.ConfirmURL}}", // data is never executed as a template
				} {
					d := confirmData
					set(&d, v)
					m, err := tt.Render("confirm", locale, d)
					if err != nil {
						t.Fatal(err)
					}
					if strings.Contains(m.HTML, "<script") || strings.Contains(m.HTML, "<img") ||
						strings.Contains(m.HTML, `href="javascript:`) {
						t.Errorf("HTML has injected markup for %s = %q", field, v)
					}
					if v == script && !strings.Contains(m.HTML, "&lt;script&gt;alert(1)&lt;/script&gt;") &&
						field != "ConfirmURL" && field != "UnsubscribeURL" {
						t.Errorf("HTML lacks the escaped value of %s", field)
					}
					// The text part shows the value exactly as given: nothing
					// interpreted, nothing escaped.
					if !strings.Contains(m.Text, v) {
						t.Errorf("Text lacks %s = %q verbatim:\n%s", field, v, m.Text)
					}
					if strings.Contains(m.Text, "&lt;") || strings.Contains(m.Text, "&#") {
						t.Errorf("Text has HTML escapes for %s = %q", field, v)
					}
				}
			})
		}
	}
}

func TestRenderSubjectOneLine(t *testing.T) {
	d := confirmData
	d.ProgrammeName = "Evil\r\nBcc: victim@example.org"
	m, err := mustTemplates(t).Render("confirm", "en", d)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		t.Errorf("Subject has a line break: %q", m.Subject)
	}
}

func TestLocaleFallback(t *testing.T) {
	tt := mustTemplates(t)
	for _, tc := range []struct{ in, want string }{
		{"en", "en"},
		{"en-GB", "en"},
		{"zh-Hant", "zh-Hant"},
		{"zh-hant", "zh-Hant"},
		{"zh_Hant_HK", "zh-Hant"},
		{"zh-Hant-HK", "zh-Hant"},
		{"zh-HK", "zh-Hant"},
		{"zh-TW", "zh-Hant"},
		{"zh-Hans", "en"},
		{"fr", "en"},
		{"", "en"},
	} {
		if got := tt.Locale("confirm", tc.in); got != tc.want {
			t.Errorf("Locale(confirm, %q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	fr, err := tt.Render("confirm", "fr", confirmData)
	if err != nil {
		t.Fatal(err)
	}
	en, _ := tt.Render("confirm", "en", confirmData)
	if fr.Subject != en.Subject || fr.Text != en.Text || fr.HTML != en.HTML {
		t.Errorf("fr did not fall back to en")
	}
	if _, err := tt.Render("nosuch", "en", confirmData); err == nil {
		t.Error("Render(nosuch) succeeded")
	}
	if got := tt.Names(); !slices.IsSorted(got) || !slices.Contains(got, "confirm") {
		t.Errorf("Names() = %v", got)
	}
}

func TestParseTemplates(t *testing.T) {
	layout := `<html lang="{{lang}}"><title>{{template "title" .}}</title>{{template "preheader" .}}{{template "content" .}}{{template "footer" .}}</html>`
	txt := `{{define "subject"}}S {{.}}{{end}}{{define "text"}}T {{.}}{{end}}`
	html := `{{define "title"}}t{{end}}{{define "preheader"}}p{{end}}{{define "content"}}c {{.}}{{end}}{{define "footer"}}f{{end}}`
	t.Run("OK", func(t *testing.T) {
		tt, err := mail.ParseTemplates(fstest.MapFS{
			"layout.html":   {Data: []byte(layout)},
			"hello.en.txt":  {Data: []byte(txt)},
			"hello.en.html": {Data: []byte(html)},
		})
		if err != nil {
			t.Fatal(err)
		}
		m, err := tt.Render("hello", "zh-Hant", "<x>")
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject != "S <x>" || m.Text != "T <x>\n" || m.HTML != `<html lang="en"><title>t</title>pc &lt;x&gt;f</html>` {
			t.Errorf("got %+v", m)
		}
	})
	for name, fsys := range map[string]fstest.MapFS{
		"ErrNoEnglish": {
			"layout.html":        {Data: []byte(layout)},
			"hello.zh-Hant.txt":  {Data: []byte(txt)},
			"hello.zh-Hant.html": {Data: []byte(html)},
		},
		"ErrNoHTML": {
			"layout.html":  {Data: []byte(layout)},
			"hello.en.txt": {Data: []byte(txt)},
		},
		"ErrNoSubject": {
			"layout.html":   {Data: []byte(layout)},
			"hello.en.txt":  {Data: []byte(`{{define "text"}}T{{end}}`)},
			"hello.en.html": {Data: []byte(html)},
		},
		"ErrNoLayout": {
			"hello.en.txt":  {Data: []byte(txt)},
			"hello.en.html": {Data: []byte(html)},
		},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := mail.ParseTemplates(fsys); err == nil {
				t.Error("ParseTemplates succeeded")
			}
		})
	}
}

func TestFormatDuration(t *testing.T) {
	for _, tc := range []struct {
		d      time.Duration
		locale string
		want   string
	}{
		{72 * time.Hour, "en", "72 hours"},
		{time.Hour, "en", "1 hour"},
		{90 * time.Minute, "en", "90 minutes"},
		{time.Minute, "en", "1 minute"},
		{30 * time.Second, "en", "1 minute"},
		{72 * time.Hour, "zh-Hant", "72 小時"},
		{15 * time.Minute, "zh-Hant", "15 分鐘"},
	} {
		if got := mail.FormatDuration(tc.d, tc.locale); got != tc.want {
			t.Errorf("FormatDuration(%v, %q) = %q, want %q", tc.d, tc.locale, got, tc.want)
		}
	}
}
