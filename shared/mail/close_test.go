package mail_test

import (
	"strings"
	"testing"

	"github.com/pairup/pairup/shared/mail"
)

var _ mail.Unsubscriber = mail.CloseData{}

const (
	continueURL  = "https://forms.example.org/continue?t=c1&x=1"
	concludeURL  = "https://forms.example.org/continue?t=c2&x=2"
	continueURL2 = "https://forms.example.org/continue?t=c3&x=3"
	concludeURL2 = "https://forms.example.org/continue?t=c4&x=4"
	endSurvey    = "https://forms.example.org/survey?t=end&x=5"
)

func closeData(pairs ...mail.ClosePair) mail.CloseData {
	return mail.CloseData{
		Name: "Grace Hopper", ProgrammeName: "International Librarians Network", RoundName: "2027 Round 1",
		Pairs: pairs, SurveyURL: endSurvey, SurveyCloses: "30 May 2027",
		CoordinatorEmail: "iln-coordinators@example.org", UnsubscribeURL: unsubscribeURL,
	}
}

func TestRenderClose(t *testing.T) {
	tt := mustTemplates(t)
	one := mail.ClosePair{Partners: []string{"陳大文"}, ContinueURL: continueURL, ConcludeURL: concludeURL}
	trio := mail.ClosePair{Partners: []string{"陳大文", "Ada Lovelace"}, ContinueURL: continueURL, ConcludeURL: concludeURL}
	second := mail.ClosePair{Partners: []string{"Bo Jensen"}, ContinueURL: continueURL2, ConcludeURL: concludeURL2}
	for _, tc := range []struct {
		name, locale    string
		data            mail.CloseData
		subject         string
		text, html, not []string
	}{
		{"Pair", "en", closeData(one), "International Librarians Network (2027 Round 1) has come to an end: thank you",
			[]string{"Hello Grace Hopper,", "for the time you gave to 陳大文.", "up to you and 陳大文.",
				"We will continue on our own:\n" + continueURL + "\n", "We conclude here:\n" + concludeURL + "\n",
				"one more click records your choice", "end-of-round survey", "\n" + endSurvey + "\nThe survey closes on 30 May 2027.",
				"coordinators at iln-coordinators@example.org", "Unsubscribe: " + unsubscribeURL},
			[]string{`<html lang="en">`, "Thank you for taking part</h1>", `<a href="` + htmlURL(continueURL) + `"`, `<a href="` + htmlURL(concludeURL) + `"`,
				">We will continue on our own</a>", ">We conclude here</a>", `<a href="` + htmlURL(endSurvey) + `"`, "Fill in the survey</a>",
				"The survey closes on 30 May 2027.", `<a href="mailto:iln-coordinators@example.org"`, `<a href="` + htmlURL(unsubscribeURL) + `"`},
			[]string{"With 陳大文", "partnerships"}},
		{"Trio", "en", closeData(trio), "",
			[]string{"for the time you gave to 陳大文 and Ada Lovelace.", "up to you and 陳大文 and Ada Lovelace."},
			[]string{"up to you and 陳大文 and Ada Lovelace."}, nil},
		{"MentorOfTwo", "en", closeData(one, second), "",
			[]string{"for the time you gave to 陳大文 and Bo Jensen.", "each of your partnerships",
				"With 陳大文:\n  We will continue on our own:\n  " + continueURL + "\n  We conclude here:\n  " + concludeURL,
				"With Bo Jensen:\n  We will continue on our own:\n  " + continueURL2 + "\n  We conclude here:\n  " + concludeURL2},
			[]string{">With 陳大文</h2>", ">With Bo Jensen</h2>", `<a href="` + htmlURL(continueURL2) + `"`, `<a href="` + htmlURL(concludeURL2) + `"`},
			[]string{"up to you and"}},
		{"PairZh", "zh-Hant", closeData(one), "International Librarians Network（2027 Round 1）已經結束：謝謝您的參與",
			[]string{"Grace Hopper，您好：", "也謝謝您與陳大文的交流。", "由您與陳大文決定",
				"我們會自行繼續交流：\n" + continueURL + "\n", "我們在此結束：\n" + concludeURL + "\n",
				"期末問卷", "\n" + endSurvey + "\n問卷將於30 May 2027截止。", "計劃統籌人員：iln-coordinators@example.org", "取消訂閱：" + unsubscribeURL},
			[]string{`<html lang="zh-Hant">`, ">我們會自行繼續交流</a>", ">我們在此結束</a>", "填寫問卷</a>", "取消訂閱</a>"}, nil},
		{"MentorOfTwoZh", "zh-Hant", closeData(one, second), "",
			[]string{"也謝謝您與陳大文和Bo Jensen的交流。", "與陳大文：\n  我們會自行繼續交流：\n  " + continueURL, "與Bo Jensen：\n"},
			[]string{">與陳大文</h2>", ">與Bo Jensen</h2>"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tt.Render("close", tc.locale, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if tc.subject != "" && m.Subject != tc.subject {
				t.Errorf("Subject = %q, want %q", m.Subject, tc.subject)
			}
			for _, want := range tc.text {
				if !strings.Contains(m.Text, want) {
					t.Errorf("Text lacks %q:\n%s", want, m.Text)
				}
			}
			for _, want := range tc.html {
				if !strings.Contains(m.HTML, want) {
					t.Errorf("HTML lacks %q", want)
				}
			}
			for _, bad := range append(tc.not, "<no value>", "%!", "\n\n\n") {
				if strings.Contains(m.Text, bad) || strings.Contains(m.HTML, bad) {
					t.Errorf("rendered %q:\n%s", bad, m.Text)
				}
			}
			if m.ListUnsubscribe != unsubscribeURL {
				t.Errorf("ListUnsubscribe = %q", m.ListUnsubscribe)
			}
		})
	}
	t.Run("Sparse", func(t *testing.T) {
		// No partners' names, no closing date, no coordinators, no unsubscribe link: nothing
		// hangs, and the email still says whom it means.
		for _, locale := range []string{"en", "zh-Hant"} {
			m, err := tt.Render("close", locale, mail.CloseData{Name: "N", ProgrammeName: "P", RoundName: "R",
				Pairs: []mail.ClosePair{{ContinueURL: continueURL, ConcludeURL: concludeURL}}, SurveyURL: endSurvey})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"en": "up to you and your partner.", "zh-Hant": "由您與您的配對夥伴決定"}[locale]
			if !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, want) {
				t.Errorf("%s lacks %q:\n%s", locale, want, m.Text)
			}
			for _, bad := range []string{"<no value>", "closes on", "截止", "mailto:", "Unsubscribe", "取消訂閱", "\n\n\n"} {
				if strings.Contains(m.Text, bad) || strings.Contains(m.HTML, bad) {
					t.Errorf("%s rendered %q:\n%s", locale, bad, m.Text)
				}
			}
		}
	})
}

func TestRenderCloseEscaping(t *testing.T) {
	tt := mustTemplates(t)
	const script = "<script>alert(1)</script>"
	const jsURL = "javascript:alert(1)"
	d := closeData(mail.ClosePair{Partners: []string{script}, ContinueURL: jsURL, ConcludeURL: jsURL})
	d.Name, d.ProgrammeName, d.RoundName, d.SurveyCloses = script, script, script, script
	d.SurveyURL, d.CoordinatorEmail = jsURL, jsURL
	for _, locale := range []string{"en", "zh-Hant"} {
		t.Run(locale, func(t *testing.T) {
			m, err := tt.Render("close", locale, d)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(m.HTML, "<script") || strings.Contains(m.HTML, `href="javascript:`) {
				t.Errorf("HTML has injected markup:\n%s", m.HTML)
			}
			if !strings.Contains(m.HTML, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Error("HTML lacks the escaped name")
			}
			// Two choice buttons, their two copyable links, the survey's button and link.
			if got := strings.Count(m.HTML, `href="#ZgotmplZ"`); got != 6 {
				t.Errorf("HTML has %d neutralised javascript: links, want 6", got)
			}
			if !strings.Contains(m.Text, script) || !strings.Contains(m.Subject, script) || strings.Contains(m.Text, "&lt;") {
				t.Errorf("Text or Subject does not show the name verbatim")
			}
		})
	}
}
