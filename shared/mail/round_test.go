package mail_test

import (
	"strings"
	"testing"

	"github.com/pairup/pairup/shared/mail"
)

// Every email of a round carries its recipient's unsubscribe link.
var (
	_ mail.Unsubscriber = mail.PromptData{}
	_ mail.Unsubscriber = mail.CheckInData{}
	_ mail.Unsubscriber = mail.SurveyData{}
	_ mail.Unsubscriber = mail.CheckInAlertData{}
	_ mail.Unsubscriber = mail.ReportMissingData{}
)

const (
	yesURL    = "https://forms.example.org/checkin?t=abc&a=yes"
	noURL     = "https://forms.example.org/checkin?t=abc&a=no"
	surveyURL = "https://forms.example.org/survey?t=def&k=mid"
	repairEvt = "{\n  \"action\": \"repair\",\n  \"programme\": \"iln\",\n  \"registration\": \"01JREGADA\"\n}"
)

var (
	alertAda  = mail.AlertPerson{Name: "Ada Lovelace", Email: "ada@example.org", Country: "United Kingdom", RegistrationID: "01JREGADA"}
	alertChan = mail.AlertPerson{Name: "陳大文", Email: "chan@example.org", Country: "Hong Kong", RegistrationID: "01JREGCHAN"}
	alertBo   = mail.AlertPerson{Name: "Bo Jensen", Email: "bo@example.org", Country: "Denmark", RegistrationID: "01JREGBO"}
)

func promptData(partners ...string) mail.PromptData {
	return mail.PromptData{
		Name: "Grace Hopper", ProgrammeName: "International Librarians Network", RoundName: "2026 round 1",
		Number: 3, Topic: "Libraries and misinformation", Partners: partners,
		CoordinatorEmail: "iln-coordinators@example.org", UnsubscribeURL: unsubscribeURL,
	}
}

func checkInData(partners ...string) mail.CheckInData {
	return mail.CheckInData{
		Name: "Grace Hopper", ProgrammeName: "International Librarians Network", RoundName: "2026 round 1",
		Partners: partners, YesURL: yesURL, NoURL: noURL,
		CoordinatorEmail: "iln-coordinators@example.org", UnsubscribeURL: unsubscribeURL,
	}
}

func surveyData(kind string, reminder int, closes string) mail.SurveyData {
	return mail.SurveyData{
		Name: "Grace Hopper", ProgrammeName: "HKLA Mentoring Programme", RoundName: "2026",
		Kind: kind, Reminder: reminder, SurveyURL: surveyURL, Closes: closes,
		CoordinatorEmail: "hkla@example.org", UnsubscribeURL: unsubscribeURL,
	}
}

func checkInAlertData(partners ...mail.AlertPerson) mail.CheckInAlertData {
	return mail.CheckInAlertData{
		ProgrammeName: "International Librarians Network", RoundName: "2026 round 1",
		Person: alertAda, Partners: partners, RepairEvent: repairEvt, UnsubscribeURL: unsubscribeURL,
	}
}

func reportMissingData(missing ...mail.AlertPerson) mail.ReportMissingData {
	return mail.ReportMissingData{
		ProgrammeName: "HKLA Mentoring Programme", RoundName: "2026", Due: "30 June 2026",
		Missing: missing, Submitted: 17, Total: 17 + len(missing), UnsubscribeURL: unsubscribeURL,
	}
}

func repairedIntro(mode, role string, partners ...mail.IntroPartner) mail.IntroData {
	d := introData(mode, role, partners...)
	d.Repaired = true
	return d
}

// htmlURL is u as it appears in an HTML attribute or text.
func htmlURL(u string) string { return strings.ReplaceAll(u, "&", "&amp;") }

func TestRenderRound(t *testing.T) {
	tt := mustTemplates(t)
	type want struct {
		subject    string   // Subject equals this, if set
		text, html []string // Text and HTML contain these
		notText    []string // Text lacks these
		notHTML    []string // HTML lacks these
		htmlLang   string   // the HTML's lang attribute; the locale if ""
	}
	for _, tc := range []struct {
		name, template, locale string
		data                   any
		want                   want
	}{
		// prompt
		{"Prompt", "prompt", "en", promptData("陳大文"), want{
			subject: "Discussion topic 3: Libraries and misinformation (International Librarians Network)",
			text: []string{"Hello Grace Hopper,", "discussion topic 3 in International Librarians Network (2026 round 1), to talk over with 陳大文:",
				"\n  Libraries and misinformation\n", "lost touch with 陳大文,", "coordinators at iln-coordinators@example.org",
				"Unsubscribe: " + unsubscribeURL},
			html: []string{"Discussion topic 3</h1>", "Hello Grace Hopper,", ">Libraries and misinformation</p>", "to talk over with 陳大文:",
				`<a href="mailto:iln-coordinators@example.org"`, `<a href="` + htmlURL(unsubscribeURL) + `"`},
		}},
		{"PromptTrio", "prompt", "en", promptData("陳大文", "Ada Lovelace"), want{
			text: []string{"to talk over with 陳大文 and Ada Lovelace:"},
			html: []string{"to talk over with 陳大文 and Ada Lovelace:"},
		}},
		{"PromptMentorThreeMentees", "prompt", "en", promptData("陳大文", "Ada Lovelace", "Bo Jensen"), want{
			text: []string{"to talk over with 陳大文, Ada Lovelace and Bo Jensen:"},
		}},
		{"PromptNoNumber", "prompt", "en", func() mail.PromptData { d := promptData("陳大文"); d.Number = 0; return d }(), want{
			subject: "Your next discussion topic: Libraries and misinformation (International Librarians Network)",
			notText: []string{"topic 0"},
		}},
		{"PromptZh", "prompt", "zh-Hant", promptData("陳大文", "Ada Lovelace", "Bo Jensen"), want{
			subject: "第 3 個討論題目：Libraries and misinformation（International Librarians Network）",
			text: []string{"Grace Hopper，您好：", "International Librarians Network（2026 round 1）的第 3 個討論題目", "與陳大文、Ada Lovelace和Bo Jensen一起交流",
				"\n  Libraries and misinformation\n", "計劃統籌人員：iln-coordinators@example.org", "取消訂閱：" + unsubscribeURL},
			html: []string{"第 3 個討論題目</h1>", ">Libraries and misinformation</p>", "取消訂閱</a>"},
		}},

		// checkin
		{"CheckIn", "checkin", "en", checkInData("陳大文"), want{
			subject: "International Librarians Network: have you heard from 陳大文?",
			text: []string{"Hello Grace Hopper,", "introduced you to 陳大文 in International Librarians Network (2026 round 1)",
				"have you heard from 陳大文?", "Yes, we are in touch:\n" + yesURL + "\n", "No, not yet:\n" + noURL + "\n",
				`a "no" lets the coordinators help`, "finding you a new partner", "Unsubscribe: " + unsubscribeURL},
			html: []string{"Have you heard from 陳大文?</h1>",
				`<a href="` + htmlURL(yesURL) + `" style="display:inline-block;`, ">Yes, we are in touch</a>",
				`<a href="` + htmlURL(noURL) + `" style="display:inline-block;`, ">No, not yet</a>",
				"finding you a new partner", `<a href="mailto:iln-coordinators@example.org"`},
		}},
		{"CheckInTrio", "checkin", "en", checkInData("陳大文", "Ada Lovelace"), want{
			subject: "International Librarians Network: have you heard from 陳大文 and Ada Lovelace?",
		}},
		{"CheckInZh", "checkin", "zh-Hant", checkInData("陳大文"), want{
			subject: "International Librarians Network：您與陳大文聯絡上了嗎？",
			text: []string{"Grace Hopper，您好：", "為您介紹了陳大文", "是的，我們已有聯絡：\n" + yesURL + "\n", "還沒有：\n" + noURL + "\n",
				"重新配對", "取消訂閱：" + unsubscribeURL},
			html: []string{"您與陳大文聯絡上了嗎？</h1>", `<a href="` + htmlURL(yesURL) + `"`, ">是的，我們已有聯絡</a>",
				`<a href="` + htmlURL(noURL) + `"`, ">還沒有</a>", "重新配對"},
		}},

		// survey
		{"SurveyMid", "survey", "en", surveyData(mail.SurveyMid, 0, "15 May 2026"), want{
			subject: "How is it going? A short survey from HKLA Mentoring Programme (2026)",
			text:    []string{"Hello Grace Hopper,", "how things are going", "The survey closes on 15 May 2026.", "Fill in the survey here:\n" + surveyURL + "\n"},
			notText: []string{"reminder", "report"},
			html: []string{"How is it going?</h1>", "The survey closes on 15 May 2026.",
				`<a href="` + htmlURL(surveyURL) + `" style="display:inline-block;`, ">Fill in the survey</a>"},
		}},
		{"SurveyMidReminder", "survey", "en", surveyData(mail.SurveyMid, 1, "15 May 2026"), want{
			subject: "Reminder: how is it going? A short survey from HKLA Mentoring Programme (2026)",
			text:    []string{"This is a reminder about the mid-round survey", "If you already have, thank you", "The survey closes on 15 May 2026.", surveyURL},
			html:    []string{"This is a reminder", "Mid-round survey (reminder)"},
		}},
		{"SurveyEnd", "survey", "en", surveyData(mail.SurveyEnd, 0, "30 June 2026"), want{
			subject: "How was it? A short survey from HKLA Mentoring Programme (2026)",
			text:    []string{"is coming to an end", "how it went for you", "The survey closes on 30 June 2026.", surveyURL},
			notText: []string{"reminder", "how things are going"},
			html:    []string{"How was it?</h1>", "The survey closes on 30 June 2026."},
		}},
		{"SurveyEndSecondReminder", "survey", "en", surveyData(mail.SurveyEnd, 2, "30 June 2026"), want{
			subject: "Reminder: how was it? A short survey from HKLA Mentoring Programme (2026)",
			text:    []string{"This is a reminder about the end-of-round survey"},
		}},
		{"SurveyReport", "survey", "en", surveyData(mail.SurveyReport, 0, "30 June 2026"), want{
			subject: "Your mentee report for HKLA Mentoring Programme (2026)",
			text: []string{"As a mentee in HKLA Mentoring Programme (2026)", "The report is required for the programme",
				"The deadline is 30 June 2026.", "Send your report here:\n" + surveyURL + "\n", "cannot send your report in time"},
			notText: []string{"still missing", "Fill in the survey", "closes on"},
			html:    []string{"Your mentee report</h1>", "required for the programme", "The deadline is 30 June 2026.", ">Send my report</a>"},
			notHTML: []string{"Fill in the survey", "closes on"},
		}},
		{"SurveyReportReminder", "survey", "en", surveyData(mail.SurveyReport, 1, "30 June 2026"), want{
			subject: "Reminder: your mentee report for HKLA Mentoring Programme (2026) is still missing",
			text:    []string{"We have not yet received your mentee report", "required for the programme", "The deadline is 30 June 2026.", surveyURL},
			html:    []string{"Your mentee report is still missing</h1>", ">Send my report</a>"},
		}},
		{"SurveyMidZh", "survey", "zh-Hant", surveyData(mail.SurveyMid, 0, "2026年5月15日"), want{
			subject: "期中問卷：HKLA Mentoring Programme（2026）",
			text:    []string{"Grace Hopper，您好：", "近況如何？", "問卷將於2026年5月15日截止。", "請開啟以下連結填寫問卷：\n" + surveyURL + "\n"},
			notText: []string{"提醒"},
			html:    []string{"近況如何？</h1>", ">填寫問卷</a>", "問卷將於2026年5月15日截止。"},
		}},
		{"SurveyMidReminderZh", "survey", "zh-Hant", surveyData(mail.SurveyMid, 1, "2026年5月15日"), want{
			subject: "期中問卷（提醒）：HKLA Mentoring Programme（2026）",
			text:    []string{"謹此提醒您填寫", "期中問卷"},
		}},
		{"SurveyEndZh", "survey", "zh-Hant", surveyData(mail.SurveyEnd, 0, "2026年6月30日"), want{
			subject: "期末問卷：HKLA Mentoring Programme（2026）",
			text:    []string{"即將結束", "問卷將於2026年6月30日截止。", surveyURL},
		}},
		{"SurveyEndReminderZh", "survey", "zh-Hant", surveyData(mail.SurveyEnd, 1, "2026年6月30日"), want{
			subject: "期末問卷（提醒）：HKLA Mentoring Programme（2026）",
		}},
		{"SurveyReportZh", "survey", "zh-Hant", surveyData(mail.SurveyReport, 0, "2026年6月30日"), want{
			subject: "請提交學員報告：HKLA Mentoring Programme（2026）",
			text:    []string{"學員報告是計劃的必要部分，每位學員均須提交", "請於2026年6月30日或之前提交。", "請開啟以下連結提交學員報告：\n" + surveyURL + "\n"},
			notText: []string{"尚未"},
			html:    []string{"請提交學員報告</h1>", ">提交學員報告</a>"},
		}},
		{"SurveyReportReminderZh", "survey", "zh-Hant", surveyData(mail.SurveyReport, 1, "2026年6月30日"), want{
			subject: "學員報告尚未提交（提醒）：HKLA Mentoring Programme（2026）",
			text:    []string{"我們尚未收到您在HKLA Mentoring Programme（2026）的學員報告", "必要部分", "請於2026年6月30日或之前提交。"},
			html:    []string{"您的學員報告尚未提交</h1>"},
		}},

		// checkin-alert
		{"CheckInAlert", "checkin-alert", "en", checkInAlertData(alertChan), want{
			subject: "Ada Lovelace has not heard from their partner: International Librarians Network (2026 round 1)",
			text: []string{
				"Ada Lovelace answered the check-in: they have not heard from their partner yet.",
				"Who answered \"no\":\n  Ada Lovelace\n  Email: ada@example.org\n  Country: United Kingdom\n  Registration ID: 01JREGADA\n",
				"Their partner:\n  陳大文\n  Email: chan@example.org\n  Country: Hong Kong\n  Registration ID: 01JREGCHAN\n",
				"\n\n" + repairEvt + "\n"},
			html: []string{">Ada Lovelace</p>", `<a href="mailto:ada@example.org"`, "United Kingdom", ">01JREGADA</code>",
				">陳大文</p>", `<a href="mailto:chan@example.org"`, "Hong Kong", ">01JREGCHAN</code>", "Their partner</h2>",
				"<pre ", `>{` + "\n" + `  &#34;action&#34;: &#34;repair&#34;,` + "\n" + `  &#34;programme&#34;: &#34;iln&#34;,` + "\n" + `  &#34;registration&#34;: &#34;01JREGADA&#34;` + "\n" + `}</pre>`},
		}},
		{"CheckInAlertTrio", "checkin-alert", "en", checkInAlertData(alertChan, alertBo), want{
			subject: "Ada Lovelace has not heard from their partners: International Librarians Network (2026 round 1)",
			text:    []string{"Their partners:\n  陳大文\n", "\n  Bo Jensen\n  Email: bo@example.org\n  Country: Denmark\n  Registration ID: 01JREGBO\n"},
			html:    []string{"Their partners</h2>", ">Bo Jensen</p>"},
		}},
		{"CheckInAlertZhFallsBackToEn", "checkin-alert", "zh-Hant", checkInAlertData(alertChan), want{
			subject:  "Ada Lovelace has not heard from their partner: International Librarians Network (2026 round 1)",
			htmlLang: "en",
		}},

		// report-missing
		{"ReportMissing", "report-missing", "en", reportMissingData(alertAda, alertChan, alertBo), want{
			subject: "3 mentee reports missing, 17 of 20 received: HKLA Mentoring Programme (2026)",
			text: []string{"17 of 20 mentees have sent their report. The deadline is 30 June 2026.", "Still missing (3):",
				"  Ada Lovelace <ada@example.org>, United Kingdom, registration 01JREGADA\n",
				"  陳大文 <chan@example.org>, Hong Kong, registration 01JREGCHAN\n",
				"  Bo Jensen <bo@example.org>, Denmark, registration 01JREGBO\n"},
			notText: []string{"No mentee report is missing"},
			html: []string{">17 of 20</td>", ">3</td>", ">30 June 2026</td>", "<th align=\"left\" style=\"color:#57606a\">Registration ID</th>",
				`<td style="border-top:1px solid #ddd">Ada Lovelace</td>`, `<a href="mailto:ada@example.org"`, ">01JREGADA</td>",
				`<td style="border-top:1px solid #ddd">陳大文</td>`, `<td style="border-top:1px solid #ddd">Denmark</td>`},
		}},
		{"ReportMissingOne", "report-missing", "en", reportMissingData(alertBo), want{
			subject: "1 mentee report missing, 17 of 18 received: HKLA Mentoring Programme (2026)",
		}},
		{"ReportMissingNone", "report-missing", "en", reportMissingData(), want{
			subject: "No mentee report missing, 17 of 17 received: HKLA Mentoring Programme (2026)",
			text:    []string{"No mentee report is missing."},
			notText: []string{"Still missing"},
			html:    []string{"No mentee report is missing."},
			notHTML: []string{"<th"},
		}},

		// intro, re-paired
		{"IntroRepaired", "intro", "en", repairedIntro(mail.ModePeer, mail.RolePeer, partnerChan), want{
			subject: "Your new partner: International Librarians Network (2026 round 1)",
			text: []string{"Hello Grace Hopper,\n\nThe coordinators have found you a new partner in International Librarians Network (2026 round 1).\n",
				"Meet your partner:", "陳大文\n  Email: chan@example.org", "Your first discussion topic:", "Unsubscribe: " + unsubscribeURL},
			notText: []string{"Good news", "have been matched"},
			html:    []string{"You have a new partner</h1>", "The coordinators have found you a new partner in <strong>International Librarians Network</strong>", "Meet your partner</h2>"},
			notHTML: []string{"Good news", "You have been matched"},
		}},
		{"IntroRepairedMentee", "intro", "en", repairedIntro(mail.ModeMentor, mail.RoleMentee, partnerAda), want{
			subject: "Your new mentor: International Librarians Network (2026 round 1)",
			text:    []string{"found you a new mentor in"},
		}},
		{"IntroRepairedMentorSeveral", "intro", "en", repairedIntro(mail.ModeMentor, mail.RoleMentor, partnerChan, partnerBo), want{
			subject: "Your new mentees: International Librarians Network (2026 round 1)",
			text:    []string{"found you new mentees in", "You will be mentoring 2 people"},
			notText: []string{"a new mentees"},
		}},
		{"IntroRepairedZh", "intro", "zh-Hant", repairedIntro(mail.ModePeer, mail.RolePeer, partnerChan), want{
			subject: "您的新配對夥伴：International Librarians Network（2026 round 1）",
			text:    []string{"Grace Hopper，您好：\n\n計劃統籌人員已在International Librarians Network（2026 round 1）為您安排了新的配對夥伴。\n", "以下是您的配對夥伴：", "電郵：chan@example.org"},
			notText: []string{"好消息", "已成功配對"},
			html:    []string{"您有新的配對夥伴</h1>", "為您安排了新的配對夥伴"},
			notHTML: []string{"好消息", "配對成功</h1>"},
		}},
		{"IntroRepairedMenteeZh", "intro", "zh-Hant", repairedIntro(mail.ModeMentor, mail.RoleMentee, partnerAda), want{
			subject: "您的新導師：International Librarians Network（2026 round 1）",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tt.Render(tc.template, tc.locale, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject == "" || strings.TrimSpace(m.Text) == "" || m.HTML == "" {
				t.Fatalf("empty part: %+v", m)
			}
			if tc.want.subject != "" && m.Subject != tc.want.subject {
				t.Errorf("Subject = %q, want %q", m.Subject, tc.want.subject)
			}
			for _, s := range tc.want.text {
				if !strings.Contains(m.Text, s) {
					t.Errorf("Text lacks %q:\n%s", s, m.Text)
				}
			}
			for _, s := range tc.want.notText {
				if strings.Contains(m.Text, s) {
					t.Errorf("Text has %q:\n%s", s, m.Text)
				}
			}
			for _, s := range tc.want.html {
				if !strings.Contains(m.HTML, s) {
					t.Errorf("HTML lacks %q", s)
				}
			}
			for _, s := range tc.want.notHTML {
				if strings.Contains(m.HTML, s) {
					t.Errorf("HTML has %q", s)
				}
			}
			lang := tc.want.htmlLang
			if lang == "" {
				lang = tc.locale
			}
			for _, s := range []string{`<html lang="` + lang + `">`, `<meta name="viewport"`} {
				if !strings.Contains(m.HTML, s) {
					t.Errorf("HTML lacks %q", s)
				}
			}
			if m.ListUnsubscribe != unsubscribeURL {
				t.Errorf("ListUnsubscribe = %q", m.ListUnsubscribe)
			}
			m.Key, m.To = "test/1", "grace@example.org"
			if err := m.ValidateQueued(); err != nil {
				t.Errorf("rendered message cannot be queued: %v", err)
			}
		})
	}
}

// TestRenderRoundSubjects checks that a survey's Kind and Reminder, and an intro's Repaired,
// each change the subject: every combination has a subject of its own, in each locale.
func TestRenderRoundSubjects(t *testing.T) {
	tt := mustTemplates(t)
	for _, locale := range []string{mail.English, mail.TraditionalChinese} {
		t.Run(locale, func(t *testing.T) {
			seen := map[string]string{}
			for _, kind := range []string{mail.SurveyMid, mail.SurveyEnd, mail.SurveyReport} {
				for _, reminder := range []int{0, 1} {
					m, err := tt.Render("survey", locale, surveyData(kind, reminder, "30 June 2026"))
					if err != nil {
						t.Fatal(err)
					}
					what := kind + map[bool]string{false: "", true: " reminder"}[reminder > 0]
					if other, ok := seen[m.Subject]; ok {
						t.Errorf("survey %s and %s have the same subject %q", what, other, m.Subject)
					}
					seen[m.Subject] = what
				}
			}
			// A second reminder reads as a reminder too.
			first, _ := tt.Render("survey", locale, surveyData(mail.SurveyEnd, 1, ""))
			second, _ := tt.Render("survey", locale, surveyData(mail.SurveyEnd, 2, ""))
			if first.Subject != second.Subject {
				t.Errorf("reminders 1 and 2: %q, %q", first.Subject, second.Subject)
			}
			for _, role := range []string{mail.RolePeer, mail.RoleMentee, mail.RoleMentor} {
				d := introData(mail.ModePeer, role, partnerChan)
				intro, err := tt.Render("intro", locale, d)
				if err != nil {
					t.Fatal(err)
				}
				d.Repaired = true
				repaired, err := tt.Render("intro", locale, d)
				if err != nil {
					t.Fatal(err)
				}
				if intro.Subject == repaired.Subject {
					t.Errorf("intro (%s): Repaired leaves the subject %q", role, intro.Subject)
				}
				if intro.Text == repaired.Text || intro.HTML == repaired.HTML {
					t.Errorf("intro (%s): Repaired leaves the body unchanged", role)
				}
			}
		})
	}
}

// TestRenderRoundAllLocales renders every round template in both locales with every optional
// field empty: nothing fails, and nothing is left hanging. The participants' emails exist in
// both locales; the coordinators' in English only.
func TestRenderRoundAllLocales(t *testing.T) {
	tt := mustTemplates(t)
	for _, tc := range []struct {
		name    string
		data    any
		locales []string // the locales it has
	}{
		{"prompt", mail.PromptData{Name: "N", ProgrammeName: "P", RoundName: "R", Topic: "T"}, []string{"en", "zh-Hant"}},
		{"checkin", mail.CheckInData{Name: "N", ProgrammeName: "P", RoundName: "R", YesURL: yesURL, NoURL: noURL}, []string{"en", "zh-Hant"}},
		{"survey", mail.SurveyData{Name: "N", ProgrammeName: "P", RoundName: "R", Kind: mail.SurveyMid, SurveyURL: surveyURL}, []string{"en", "zh-Hant"}},
		{"survey", mail.SurveyData{Name: "N", ProgrammeName: "P", RoundName: "R", Kind: mail.SurveyReport, Reminder: 1, SurveyURL: surveyURL}, []string{"en", "zh-Hant"}},
		{"survey", mail.SurveyData{Name: "N", ProgrammeName: "P", RoundName: "R", SurveyURL: surveyURL}, []string{"en", "zh-Hant"}}, // no Kind
		{"checkin-alert", mail.CheckInAlertData{ProgrammeName: "P", RoundName: "R", Person: mail.AlertPerson{Name: "N", Email: "n@example.org"}}, []string{"en"}},
		{"report-missing", mail.ReportMissingData{ProgrammeName: "P", RoundName: "R", Missing: []mail.AlertPerson{{Name: "N", Email: "n@example.org"}}, Total: 1}, []string{"en"}},
	} {
		for _, locale := range []string{mail.English, mail.TraditionalChinese} {
			t.Run(tc.name+"/"+locale, func(t *testing.T) {
				m, err := tt.Render(tc.name, locale, tc.data)
				if err != nil {
					t.Fatal(err)
				}
				if m.Subject == "" || m.Text == "" || m.HTML == "" || m.ListUnsubscribe != "" {
					t.Errorf("got %+v", m)
				}
				for _, bad := range []string{"<no value>", "%!", "()", "（）", "topic 0", "第 0 個", "closes on", "截止", "deadline", "Deadline",
					"mailto:\"", "Country:", "Registration ID:", "Unsubscribe", "取消訂閱", "\n\n\n"} {
					if strings.Contains(m.Text, bad) || strings.Contains(m.HTML, bad) {
						t.Errorf("rendered %q:\n%s", bad, m.Text)
					}
				}
				want := locale
				if !contains(tc.locales, locale) {
					want = mail.English
				}
				if got := tt.Locale(tc.name, locale); got != want {
					t.Errorf("Locale(%s, %s) = %s, want %s", tc.name, locale, got, want)
				}
			})
		}
	}
	// Without partners' names, the participant's emails still say whom they mean.
	for _, tc := range []struct {
		name, locale, want string
		data               any
	}{
		{"prompt", "en", "to talk over with your partner:", mail.PromptData{Topic: "T"}},
		{"prompt", "zh-Hant", "歡迎您與您的配對夥伴一起交流", mail.PromptData{Topic: "T"}},
		{"checkin", "en", "have you heard from your partner?", mail.CheckInData{}},
		{"checkin", "zh-Hant", "您與您的配對夥伴聯絡上了嗎？", mail.CheckInData{}},
	} {
		m, err := tt.Render(tc.name, tc.locale, tc.data)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(m.Text, tc.want) || !strings.Contains(m.HTML, tc.want) {
			t.Errorf("%s.%s without partners lacks %q:\n%s", tc.name, tc.locale, tc.want, m.Text)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestRenderRoundEscaping(t *testing.T) {
	tt := mustTemplates(t)
	const script = "<script>alert(1)</script>"
	const escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
	const jsURL = "javascript:alert(1)"
	evil := mail.AlertPerson{Name: script, Email: `"><script>alert(1)</script>@example.org`, Country: script, RegistrationID: script}

	prompt := promptData(script, "Ada Lovelace")
	prompt.Name, prompt.ProgrammeName, prompt.RoundName, prompt.Topic = script, script, script, script
	prompt.CoordinatorEmail = jsURL
	checkIn := checkInData(script)
	checkIn.Name, checkIn.ProgrammeName, checkIn.RoundName = script, script, script
	checkIn.YesURL, checkIn.NoURL, checkIn.CoordinatorEmail = jsURL, jsURL, jsURL
	survey := surveyData(mail.SurveyMid, 1, script)
	survey.Name, survey.ProgrammeName, survey.RoundName, survey.SurveyURL = script, script, script, jsURL
	report := surveyData(mail.SurveyReport, 1, script)
	report.Name, report.ProgrammeName, report.SurveyURL = script, script, jsURL
	alert := checkInAlertData(evil, alertChan)
	alert.Person, alert.ProgrammeName, alert.RoundName = evil, script, script
	alert.RepairEvent = `{"name":"</pre>` + script + `"}`
	missing := reportMissingData(alertAda, evil)
	missing.ProgrammeName, missing.RoundName, missing.Due = script, script, script
	intro := repairedIntro(mail.ModePeer, mail.RolePeer, partnerChan)
	intro.Name, intro.ProgrammeName = script, script

	for _, tc := range []struct {
		template string
		data     any
		jsURLs   int // how many hrefs hold a javascript: URL, each to be neutralised
	}{
		{"prompt", prompt, 0}, // a mailto: link, whose address is encoded
		{"checkin", checkIn, 4},
		{"survey", survey, 2},
		{"survey", report, 2},
		{"checkin-alert", alert, 0},
		{"report-missing", missing, 0},
		{"intro", intro, 0},
	} {
		for _, locale := range []string{"en", "zh-Hant"} {
			t.Run(tc.template+"/"+locale, func(t *testing.T) {
				m, err := tt.Render(tc.template, locale, tc.data)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(m.HTML, "<script") || strings.Contains(m.HTML, `href="javascript:`) ||
					strings.Contains(m.HTML, `"><`+"script") || strings.Count(m.HTML, "</pre>") > 1 {
					t.Errorf("HTML has injected markup:\n%s", m.HTML)
				}
				if !strings.Contains(m.HTML, escaped) {
					t.Errorf("HTML lacks the escaped name")
				}
				if got := strings.Count(m.HTML, `href="#ZgotmplZ"`); got != tc.jsURLs {
					t.Errorf("HTML has %d neutralised javascript: links, want %d", got, tc.jsURLs)
				}
				if !strings.Contains(m.Text, script) || !strings.Contains(m.Subject, script) {
					t.Errorf("Text or Subject lacks the name verbatim")
				}
				if strings.Contains(m.Text, "&lt;") || strings.Contains(m.Text, "&#") {
					t.Errorf("Text has HTML escapes")
				}
			})
		}
	}
}
