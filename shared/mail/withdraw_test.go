package mail_test

import (
	"strings"
	"testing"

	"github.com/pairup/pairup/shared/mail"
)

const (
	withdrawURL   = "https://forms.example.org/withdraw?t=w1&x=1"
	newPartnerURL = "https://forms.example.org/new-partner?t=n1&x=1"
	rejoinURL     = "https://forms.example.org/rejoin?t=r1&x=1"
)

// Every participant's email carries a withdraw link; the coordinators' do not.
var (
	_ mail.Withdrawer   = mail.IntroData{}
	_ mail.Withdrawer   = mail.OutcomeData{}
	_ mail.Withdrawer   = mail.PromptData{}
	_ mail.Withdrawer   = mail.CheckInData{}
	_ mail.Withdrawer   = mail.SurveyData{}
	_ mail.Withdrawer   = mail.PartnerWithdrewData{}
	_ mail.Unsubscriber = mail.PartnerWithdrewData{}
	_ mail.Unsubscriber = mail.WithdrawalAlertData{}
	_ mail.Unsubscriber = mail.RepairRequestData{}
	_ mail.Unsubscriber = mail.InviteRejoinData{}
)

func partnerWithdrew(role string) mail.PartnerWithdrewData {
	return mail.PartnerWithdrewData{
		Name: "Grace Hopper", ProgrammeName: "International Librarians Network", RoundName: "2026 round 1",
		Role: role, Withdrawn: "Ada Lovelace", NewPartnerURL: newPartnerURL,
		CoordinatorEmail: "iln-coordinators@example.org", UnsubscribeURL: unsubscribeURL, WithdrawURL: withdrawURL,
	}
}

// TestWithdrawFooter: each participant template shows the withdraw link in its footer, in
// the text and (by the layout) in the HTML, in the email's language; without one, neither says
// anything about withdrawing.
func TestWithdrawFooter(t *testing.T) {
	tt := mustTemplates(t)
	intro := introData(mail.ModePeer, mail.RolePeer, partnerChan)
	outcome := outcomeData
	prompt := promptData("Ada Lovelace")
	checkIn := checkInData("Ada Lovelace")
	survey := surveyData(mail.SurveyMid, 0, "1 June 2026")
	with := []struct {
		name string
		set  any // WithdrawURL set
		zero any // WithdrawURL empty
	}{
		{"intro", func() any { d := intro; d.WithdrawURL = withdrawURL; return d }(), intro},
		{"deferred", func() any { d := outcome; d.WithdrawURL = withdrawURL; return d }(), outcome},
		{"waitlisted", func() any { d := outcome; d.WithdrawURL = withdrawURL; return d }(), outcome},
		{"unmatched", func() any { d := outcome; d.WithdrawURL = withdrawURL; return d }(), outcome},
		{"prompt", func() any { d := prompt; d.WithdrawURL = withdrawURL; return d }(), prompt},
		{"checkin", func() any { d := checkIn; d.WithdrawURL = withdrawURL; return d }(), checkIn},
		{"survey", func() any { d := survey; d.WithdrawURL = withdrawURL; return d }(), survey},
		{"partner-withdrew", partnerWithdrew(mail.RolePeer), func() any { d := partnerWithdrew(mail.RolePeer); d.WithdrawURL = ""; return d }()},
	}
	for _, tc := range with {
		for _, locale := range []string{mail.English, mail.TraditionalChinese} {
			t.Run(tc.name+"/"+locale, func(t *testing.T) {
				label, text := "Withdraw from this round", "Withdraw from this round: "+withdrawURL
				if locale == mail.TraditionalChinese {
					label, text = "退出本輪", "退出本輪："+withdrawURL
				}
				m, err := tt.Render(tc.name, locale, tc.set)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(m.Text, text) {
					t.Errorf("text lacks %q:\n%s", text, m.Text)
				}
				if !strings.Contains(m.HTML, `<a href="`+htmlURL(withdrawURL)+`"`) || !strings.Contains(m.HTML, label+"</a>") {
					t.Errorf("HTML lacks the withdraw link:\n%s", m.HTML)
				}
				if m.ListUnsubscribe != unsubscribeURL {
					t.Errorf("ListUnsubscribe = %q: the withdraw link must not replace the unsubscribe link", m.ListUnsubscribe)
				}
				z, err := tt.Render(tc.name, locale, tc.zero)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(z.Text, strings.TrimSuffix(text, withdrawURL)) || strings.Contains(z.HTML, label+"</a>") || strings.Contains(z.HTML, "/withdraw") {
					t.Errorf("without a withdraw link the email still mentions one:\n%s", z.Text)
				}
			})
		}
	}
	// The coordinators' and invitation emails carry none, whatever their data.
	for _, name := range []string{"withdrawal", "repair-request", "invite-rejoin", "checkin-alert"} {
		var data any
		switch name {
		case "withdrawal":
			data = mail.WithdrawalAlertData{ProgrammeName: "P", RoundName: "R", Person: alertAda}
		case "repair-request":
			data = mail.RepairRequestData{ProgrammeName: "P", RoundName: "R", Person: alertAda}
		case "invite-rejoin":
			data = mail.InviteRejoinData{Name: "N", ProgrammeName: "P", RoundName: "R", RejoinURL: rejoinURL}
		default:
			data = checkInAlertData()
		}
		m, err := tt.Render(name, mail.English, data)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(m.HTML, "Withdraw from this round") || strings.Contains(m.Text, "Withdraw from this round") {
			t.Errorf("%s has a withdraw link", name)
		}
	}
}

// TestRenderPartnerWithdrew: the partner hears who withdrew, kindly, in their role's words, with
// the one-click new-partner link; a trio's remaining two hear that they go on as a pair, and are
// offered no new partner.
func TestRenderPartnerWithdrew(t *testing.T) {
	tt := mustTemplates(t)
	trio := partnerWithdrew(mail.RolePeer)
	trio.Continuing = []string{"Bo Jensen"}
	for _, tc := range []struct {
		name, locale string
		data         mail.PartnerWithdrewData
		want, not    []string
	}{
		{"Peer", "en", partnerWithdrew(mail.RolePeer),
			[]string{"Ada Lovelace, your partner in International Librarians Network (2026 round 1), has had to withdraw", "no reflection on you",
				"Please find me a new partner: " + newPartnerURL, "iln-coordinators@example.org"},
			[]string{"mentor", "mentee", "carry on together"}},
		{"MenteeWhoseMentorWithdrew", "en", partnerWithdrew(mail.RoleMentee),
			[]string{"your mentor", "Please find me a new mentor: " + newPartnerURL}, []string{"your partner", "mentee"}},
		{"MentorWhoseMenteeWithdrew", "en", partnerWithdrew(mail.RoleMentor),
			[]string{"your mentee", "Please find me a new mentee: " + newPartnerURL}, []string{"your partner", "new mentor"}},
		{"Trio", "en", trio,
			[]string{"You and Bo Jensen carry on together as a pair"}, []string{newPartnerURL, "new partner"}},
		{"PeerZh", "zh-Hant", partnerWithdrew(mail.RolePeer),
			[]string{"配對夥伴Ada Lovelace因事未能繼續參加", "這與您無關", "請為我安排新的配對夥伴：" + newPartnerURL}, []string{"導師", "學員"}},
		{"TrioZh", "zh-Hant", trio, []string{"您與Bo Jensen會繼續以二人配對完成本輪"}, []string{newPartnerURL}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tt.Render("partner-withdrew", tc.locale, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(m.Subject, "Ada Lovelace") {
				t.Errorf("subject %q does not name who withdrew", m.Subject)
			}
			for _, w := range tc.want {
				if !strings.Contains(m.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, m.Text)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(m.Text, n) {
					t.Errorf("text has %q:\n%s", n, m.Text)
				}
			}
			hasButton := strings.Contains(m.HTML, `<a href="`+htmlURL(newPartnerURL)+`"`)
			if hasButton == (len(tc.data.Continuing) > 0) {
				t.Errorf("HTML new-partner button present = %v, want %v", hasButton, len(tc.data.Continuing) == 0)
			}
		})
	}
}

// TestRenderWithdrawalAlerts: the coordinators' withdrawal alert names the person, the partners
// left alone (with a re-pair event each) and those who go on; the request for a new partner
// names who asks and carries the event.
func TestRenderWithdrawalAlerts(t *testing.T) {
	tt := mustTemplates(t)
	const event2 = `{"action":"repair","people":["01JREGBO"]}`
	alert := mail.WithdrawalAlertData{ProgrammeName: "International Librarians Network", RoundName: "2026 round 1",
		Person: alertAda, Partners: []mail.AlertPerson{alertChan, alertBo}, RepairEvents: []string{repairEvt, event2}, UnsubscribeURL: unsubscribeURL}
	m, err := tt.Render("withdrawal", mail.English, alert)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"Ada Lovelace has withdrawn", "ada@example.org", "陳大文", "chan@example.org", "Bo Jensen", repairEvt, event2, "their pairs have ended"} {
		if !strings.Contains(m.Text, w) || !strings.Contains(m.Subject+m.Text, w) {
			t.Errorf("withdrawal alert text lacks %q:\n%s", w, m.Text)
		}
	}
	if strings.Count(m.HTML, "<pre") != 2 {
		t.Errorf("withdrawal alert HTML has %d events, want 2", strings.Count(m.HTML, "<pre"))
	}
	alone := mail.WithdrawalAlertData{ProgrammeName: "P", RoundName: "R", Person: alertAda}
	if m, err = tt.Render("withdrawal", mail.English, alone); err != nil || !strings.Contains(m.Text, "no one else is affected") || strings.Contains(m.Text, "re-pair") {
		t.Errorf("a withdrawal of someone in no pair: %v\n%s", err, m.Text)
	}
	req := mail.RepairRequestData{ProgrammeName: "P", RoundName: "R", Person: alertChan, Withdrawn: "Ada Lovelace", RepairEvent: repairEvt, UnsubscribeURL: unsubscribeURL}
	m, err = tt.Render("repair-request", mail.English, req)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"陳大文 asks for a new partner", "chan@example.org", "Ada Lovelace", repairEvt} {
		if !strings.Contains(m.Subject+"\n"+m.Text, w) {
			t.Errorf("repair request lacks %q:\n%s\n%s", w, m.Subject, m.Text)
		}
	}
}

// TestRenderInviteRejoin: the invitation carries the rejoin link, says the place is kept and
// until when, in both languages.
func TestRenderInviteRejoin(t *testing.T) {
	tt := mustTemplates(t)
	d := mail.InviteRejoinData{Name: "Grace Hopper", ProgrammeName: "International Librarians Network", RoundName: "2027 round 2",
		EarlierRound: "2027 round 1", RejoinURL: rejoinURL, SignupCloses: "1 July 2027", CoordinatorEmail: "iln@example.org", UnsubscribeURL: unsubscribeURL}
	for locale, want := range map[string][]string{
		"en":      {"2027 round 2 is now open", "(2027 round 1)", rejoinURL, "keep your place", "until 1 July 2027", "iln@example.org"},
		"zh-Hant": {"2027 round 2現已開始", "（2027 round 1）", rejoinURL, "保留原來的排隊次序", "邀請有效至1 July 2027"},
	} {
		m, err := tt.Render("invite-rejoin", locale, d)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(m.Text, w) {
				t.Errorf("%s text lacks %q:\n%s", locale, w, m.Text)
			}
		}
		if strings.Count(m.HTML, `href="`+htmlURL(rejoinURL)+`"`) != 2 || m.ListUnsubscribe != unsubscribeURL {
			t.Errorf("%s HTML: want the button and the copyable link, and the unsubscribe header", locale)
		}
	}
}

// TestRenderWithdrawalEscaping: names from the public form cannot inject markup.
func TestRenderWithdrawalEscaping(t *testing.T) {
	tt := mustTemplates(t)
	const script = "<script>alert(1)</script>"
	evil := mail.AlertPerson{Name: script, Email: `"><script>alert(1)</script>@example.org`, Country: script, RegistrationID: script}
	pw := partnerWithdrew(mail.RolePeer)
	pw.Name, pw.Withdrawn, pw.ProgrammeName, pw.NewPartnerURL = script, script, script, "javascript:alert(1)"
	for _, tc := range []struct {
		name string
		data any
	}{
		{"partner-withdrew", pw},
		{"withdrawal", mail.WithdrawalAlertData{ProgrammeName: script, RoundName: script, Person: evil, Partners: []mail.AlertPerson{evil}, RepairEvents: []string{"</pre>" + script}}},
		{"repair-request", mail.RepairRequestData{ProgrammeName: script, RoundName: script, Person: evil, Withdrawn: script, RepairEvent: "</pre>" + script}},
		{"invite-rejoin", mail.InviteRejoinData{Name: script, ProgrammeName: script, RoundName: script, RejoinURL: "javascript:alert(1)"}},
	} {
		m, err := tt.Render(tc.name, mail.English, tc.data)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(m.HTML, "<script") || strings.Contains(m.HTML, `href="javascript:`) || strings.Count(m.HTML, "</pre>") > strings.Count(m.HTML, "<pre") {
			t.Errorf("%s HTML has injected markup:\n%s", tc.name, m.HTML)
		}
		if !strings.Contains(m.HTML, "&lt;script&gt;") {
			t.Errorf("%s HTML lacks the escaped name", tc.name)
		}
	}
}
