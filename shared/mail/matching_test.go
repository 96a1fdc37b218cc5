package mail_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pairup/pairup/shared/mail"
)

const unsubscribeURL = "https://forms.example.org/unsubscribe?t=xyz"

var (
	partnerChan = mail.IntroPartner{
		Name: "陳大文", Email: "chan@example.org", Country: "Hong Kong", Sector: "Academic libraries",
		CareerStage: "Early career", Interests: []string{"Cataloguing", "Digital humanities"},
		Reasons: []string{"You share 2 interests", "You work in different countries"},
	}
	partnerAda = mail.IntroPartner{
		Name: "Ada Lovelace", Email: "ada@example.org", Country: "United Kingdom", Sector: "Special libraries",
		CareerStage: "Mid career", Interests: []string{"Archives"}, Reasons: []string{"Similar career stage"},
	}
	partnerBo = mail.IntroPartner{Name: "Bo Jensen", Email: "bo@example.org", Country: "Denmark"}
)

func introData(mode, role string, partners ...mail.IntroPartner) mail.IntroData {
	return mail.IntroData{
		Name: "Grace Hopper", ProgrammeName: "International Librarians Network", RoundName: "2026 round 1",
		Mode: mode, Role: role, Partners: partners,
		Icebreakers:      []string{"What made you choose libraries?", "What does a typical day look like?"},
		FirstTopic:       "Your library and its users",
		ReplyWithin:      "a week",
		CoordinatorEmail: "iln-coordinators@example.org",
		UnsubscribeURL:   unsubscribeURL,
	}
}

var outcomeData = mail.OutcomeData{
	Name: "Grace Hopper", ProgrammeName: "HKLA Mentoring Programme", RoundName: "2026",
	Reason: "Nobody else chose your language.", Position: 4, CapPercent: 20,
	CoordinatorEmail: "hkla@example.org", UnsubscribeURL: unsubscribeURL,
}

func proposalData(dryRun bool, morePairs int) mail.ProposalData {
	return mail.ProposalData{
		ProgrammeName: "International Librarians Network", RoundName: "2026 round 1", DryRun: dryRun,
		Counts: []mail.Count{
			{"Registrations", "250"}, {"Confirmed", "212"}, {"Matched", "205"}, {"Pairs", "101"},
			{"Trios", "1"}, {"Deferred", "4"}, {"Waitlisted", "0"}, {"Unmatched: no shared language", "3"},
			{"Countries", "31"}, {"Mean score", "912.4"}, {"Optimum certified", "yes"},
		},
		Pairs: []mail.ProposalPair{
			{Members: []mail.ProposalPerson{{"Ada Lovelace", "United Kingdom", "Special libraries"}, {"陳大文", "Hong Kong", "Academic libraries"}},
				Score: 950, Reasons: []string{"2 shared interests", "similar career stage"}, Pinned: true},
			{Members: []mail.ProposalPerson{{"Bo Jensen", "Denmark", ""}, {"Chidi Okafor", "Nigeria", "Public libraries"}, {"Dana Cruz", "Philippines", ""}},
				Score: 801},
		},
		LeftOut: []mail.ProposalLeftOut{
			{Name: "Eve Adams", Country: "Australia", Outcome: "deferred", Reason: "country cap (20%)", Position: 3},
			{Name: "Fay Wong", Country: "Hong Kong", Outcome: "unmatched", Reason: "no shared language"},
		},
		ByCountry:      []mail.Count{{"Hong Kong", "40"}, {"Australia", "38"}},
		BySector:       []mail.Count{{"Academic libraries", "70"}, {"Public libraries", "55"}},
		MorePairs:      morePairs,
		HowToCommit:    `To commit, invoke match-run with {"action":"match","dryRun":false}.`,
		UnsubscribeURL: unsubscribeURL,
	}
}

func TestRenderMatching(t *testing.T) {
	tt := mustTemplates(t)
	type want struct {
		subject    string   // Subject equals this, if set
		text, html []string // Text and HTML contain these
		notText    []string // Text lacks these
		htmlLang   string   // the HTML's lang attribute; the locale if ""
	}
	for _, tc := range []struct {
		name, template, locale string
		data                   any
		want                   want
	}{
		{"IntroPair", "intro", "en", introData(mail.ModePeer, mail.RolePeer, partnerChan), want{
			subject: "Meet your partner: International Librarians Network (2026 round 1)",
			text: []string{"Hello Grace Hopper,", "you have been matched in International Librarians Network (2026 round 1)",
				"Meet your partner:", "陳大文\n  Email: chan@example.org\n  Country: Hong Kong\n  Sector: Academic libraries\n  Career stage: Early career\n  Interests: Cataloguing, Digital humanities\n  Why you were matched:\n  - You share 2 interests\n  - You work in different countries\n",
				"- What made you choose libraries?", "Your first discussion topic: Your library and its users",
				"reply to their messages within a week", "coordinators at iln-coordinators@example.org",
				"Unsubscribe: " + unsubscribeURL},
			notText: []string{"group of three", "Ada Lovelace"},
			html: []string{"Meet your partner</h2>", `<a href="mailto:chan@example.org"`, "Cataloguing, Digital humanities",
				"<li style=\"margin:0 0 4px;\">You share 2 interests</li>", "Questions to break the ice",
				`<a href="mailto:iln-coordinators@example.org"`, `<a href="` + strings.ReplaceAll(unsubscribeURL, "&", "&amp;") + `"`},
		}},
		{"IntroTrio", "intro", "en", introData(mail.ModePeer, mail.RolePeer, partnerChan, partnerAda), want{
			subject: "Meet your partners: International Librarians Network (2026 round 1)",
			text:    []string{"You are in a group of three", "Meet your partners:", "陳大文\n  Email: chan@example.org", "Ada Lovelace\n  Email: ada@example.org", "write to your partners soon"},
			html:    []string{"Meet your partners</h2>", "陳大文</p>", "Ada Lovelace</p>", `mailto:ada@example.org`},
		}},
		{"IntroMentee", "intro", "en", introData(mail.ModeMentor, mail.RoleMentee, partnerAda), want{
			subject: "Meet your mentor: International Librarians Network (2026 round 1)",
			text:    []string{"Meet your mentor:", "Ada Lovelace", "write to your mentor soon"},
			notText: []string{"group of three", "mentoring"},
		}},
		{"IntroMentorAllMentees", "intro", "en", introData(mail.ModeMentor, mail.RoleMentor, partnerChan, partnerAda, partnerBo), want{
			subject: "Meet your mentees: International Librarians Network (2026 round 1)",
			text:    []string{"You will be mentoring 3 people, and this email introduces all of them.", "Meet your mentees:", "陳大文\n", "Ada Lovelace\n", "Bo Jensen\n  Email: bo@example.org\n  Country: Denmark\n\n"},
			html:    []string{"Meet your mentees</h2>", "陳大文</p>", "Ada Lovelace</p>", "Bo Jensen</p>", "mailto:bo@example.org"},
		}},
		{"IntroMentorOneMentee", "intro", "en", introData(mail.ModeMentor, mail.RoleMentor, partnerBo), want{
			subject: "Meet your mentee: International Librarians Network (2026 round 1)",
			notText: []string{"mentoring 1"},
		}},
		{"IntroPairZh", "intro", "zh-Hant", introData(mail.ModePeer, mail.RolePeer, partnerChan), want{
			subject: "認識您的配對夥伴：International Librarians Network（2026 round 1）",
			text:    []string{"Grace Hopper，您好：", "已成功配對", "電郵：chan@example.org", "興趣：Cataloguing、Digital humanities", "配對原因：", "破冰問題：", "並在a week內回覆", "取消訂閱：" + unsubscribeURL},
			html:    []string{"配對成功</h1>", "認識您的配對夥伴</h2>", "取消訂閱</a>"},
		}},
		{"IntroTrioZh", "intro", "zh-Hant", introData(mail.ModePeer, mail.RolePeer, partnerChan, partnerAda), want{
			text: []string{"三人小組", "陳大文\n", "Ada Lovelace\n"},
		}},
		{"IntroMentorZh", "intro", "zh-Hant", introData(mail.ModeMentor, mail.RoleMentor, partnerChan, partnerAda, partnerBo), want{
			subject: "認識您的學員：International Librarians Network（2026 round 1）",
			text:    []string{"您將指導 3 位學員", "陳大文\n", "Ada Lovelace\n", "Bo Jensen\n"},
		}},
		{"IntroMenteeZh", "intro", "zh-Hant", introData(mail.ModeMentor, mail.RoleMentee, partnerAda), want{
			subject: "認識您的導師：International Librarians Network（2026 round 1）",
		}},
		{"Waitlisted", "waitlisted", "en", outcomeData, want{
			subject: "You are on the waitlist: HKLA Mentoring Programme (2026)",
			text:    []string{"Hello Grace Hopper,", "could not match you with a mentor", "You are number 4 on the waitlist.", "What happens next:", "hkla@example.org"},
			html:    []string{"number <strong>4</strong> on the waitlist"},
		}},
		{"WaitlistedZh", "waitlisted", "zh-Hant", outcomeData, want{
			subject: "候補通知：HKLA Mentoring Programme（2026）",
			text:    []string{"候補名單上的第 4 位", "接下來："},
		}},
		{"Deferred", "deferred", "en", outcomeData, want{
			subject: "Your place in the next round: HKLA Mentoring Programme (2026)",
			text:    []string{"more than 20% of applicants came from your country", "You keep your place", "first we invite to the next round"},
		}},
		{"DeferredZh", "deferred", "zh-Hant", outcomeData, want{
			text: []string{"超過總數的 20%", "您的名額會保留", "率先邀請您"},
		}},
		{"Unmatched", "unmatched", "en", outcomeData, want{
			text: []string{"could not find anyone we could match you with", "The reason: Nobody else chose your language.", "What happens next:"},
			html: []string{"<strong>The reason:</strong> Nobody else chose your language."},
		}},
		{"UnmatchedZh", "unmatched", "zh-Hant", outcomeData, want{
			subject: "配對結果通知：HKLA Mentoring Programme（2026）",
			text:    []string{"未能為您找到合適的配對對象", "原因：Nobody else chose your language.", "接下來："},
		}},
		{"ProposalDryRun", "proposal", "en", proposalData(true, 0), want{
			subject: "Matching proposal for International Librarians Network 2026 round 1: 2 pairs (dry run)",
			text: []string{"DRY RUN: nothing has been saved", "nobody has been emailed.\nTo commit, invoke match-run with {\"action\":\"match\",\"dryRun\":false}.\n",
				"Summary\n  Registrations: 250\n  Confirmed: 212\n", "Optimum certified: yes",
				"Ada Lovelace (United Kingdom, Special libraries) + 陳大文 (Hong Kong, Academic libraries)\n  Score 950, pinned: 2 shared interests; similar career stage",
				"Bo Jensen (Denmark) + Chidi Okafor (Nigeria, Public libraries) + Dana Cruz (Philippines)",
				"Eve Adams (Australia): deferred #3 (country cap (20%))", "Fay Wong (Hong Kong): unmatched (no shared language)",
				"Coverage by country\n  Hong Kong: 40", "Coverage by sector\n  Academic libraries: 70", "attached CSV"},
			notText: []string{"COMMITTED", "more pairs"},
			html:    []string{"<strong>Dry run:</strong>", "To commit, invoke match-run with {&#34;action&#34;:&#34;match&#34;,&#34;dryRun&#34;:false}.</p>", "Optimum certified</td>", ">950<br><small>pinned</small>", "Coverage by country</h2>", "attached CSV"},
		}},
		{"ProposalCommitted", "proposal", "en", proposalData(false, 0), want{
			subject: "Matching proposal for International Librarians Network 2026 round 1: 2 pairs (committed)",
			text:    []string{"COMMITTED: these pairs are saved"},
			notText: []string{"DRY RUN", "To commit"},
			html:    []string{"<strong>Committed:</strong>"},
		}},
		{"ProposalMorePairs", "proposal", "en", proposalData(true, 298), want{
			subject: "Matching proposal for International Librarians Network 2026 round 1: 300 pairs (dry run)",
			text:    []string{"Pairs (the first 2 of 300)", "and 298 more pairs, not shown here: see the attached CSV."},
			html:    []string{"298 more pairs are not shown here: see the attached CSV."},
		}},
		{"ProposalZhFallsBackToEn", "proposal", "zh-Hant", proposalData(true, 0), want{
			subject:  "Matching proposal for International Librarians Network 2026 round 1: 2 pairs (dry run)",
			htmlLang: "en",
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

// TestRenderMatchingAllLocales renders every matching template in both locales with every
// optional field empty: nothing fails, and nothing is left hanging.
func TestRenderMatchingAllLocales(t *testing.T) {
	tt := mustTemplates(t)
	for _, name := range []string{"intro", "waitlisted", "deferred", "unmatched", "proposal"} {
		for _, locale := range []string{mail.English, mail.TraditionalChinese} {
			t.Run(name+"/"+locale, func(t *testing.T) {
				var data any
				switch name {
				case "intro":
					data = mail.IntroData{Name: "N", ProgrammeName: "P", RoundName: "R", Mode: mail.ModePeer, Role: mail.RolePeer,
						Partners: []mail.IntroPartner{{Name: "M", Email: "m@example.org"}}}
				case "proposal":
					data = mail.ProposalData{ProgrammeName: "P", RoundName: "R"}
				default:
					data = mail.OutcomeData{Name: "N", ProgrammeName: "P", RoundName: "R"}
				}
				m, err := tt.Render(name, locale, data)
				if err != nil {
					t.Fatal(err)
				}
				if m.Subject == "" || m.Text == "" || m.HTML == "" || m.ListUnsubscribe != "" {
					t.Errorf("got %+v", m)
				}
				for _, bad := range []string{"<no value>", "%!", "()", "（）", " #0", "number 0", "第 0 位", " 0%", "Unsubscribe", "取消訂閱"} {
					if strings.Contains(m.Text, bad) || strings.Contains(m.HTML, bad) {
						t.Errorf("rendered %q:\n%s", bad, m.Text)
					}
				}
				if name != "proposal" && tt.Locale(name, locale) != locale {
					t.Errorf("%s has no %s version", name, locale)
				}
			})
		}
	}
}

func TestRenderMatchingEscaping(t *testing.T) {
	tt := mustTemplates(t)
	const script = "<script>alert(1)</script>"
	const escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
	evil := mail.IntroPartner{Name: script, Email: `"><script>alert(1)</script>@example.org`, Country: script,
		Sector: script, CareerStage: script, Interests: []string{script}, Reasons: []string{script}}
	intro := introData(mail.ModePeer, mail.RolePeer, evil, partnerChan)
	intro.Name, intro.Icebreakers, intro.FirstTopic = script, []string{script}, script
	intro.CoordinatorEmail = "javascript:alert(1)"
	outcome := outcomeData
	outcome.Name, outcome.Reason = script, script
	proposal := proposalData(true, 1)
	proposal.Pairs[0].Members[0] = mail.ProposalPerson{Name: script, Country: script, Sector: script}
	proposal.Pairs[0].Reasons = []string{script}
	proposal.LeftOut[0].Name, proposal.LeftOut[0].Reason, proposal.LeftOut[0].Outcome = script, script, script
	proposal.Counts[0].Label, proposal.ByCountry[0].Label, proposal.BySector[0].Value = script, script, script
	proposal.HowToCommit = script
	for _, tc := range []struct {
		template string
		data     any
	}{
		{"intro", intro}, {"waitlisted", outcome}, {"deferred", outcome}, {"unmatched", outcome}, {"proposal", proposal},
	} {
		for _, locale := range []string{"en", "zh-Hant"} {
			t.Run(tc.template+"/"+locale, func(t *testing.T) {
				m, err := tt.Render(tc.template, locale, tc.data)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(m.HTML, "<script") || strings.Contains(m.HTML, `href="javascript:`) {
					t.Errorf("HTML has injected markup:\n%s", m.HTML)
				}
				if !strings.Contains(m.HTML, escaped) {
					t.Errorf("HTML lacks the escaped name")
				}
				if !strings.Contains(m.Text, script) {
					t.Errorf("Text lacks the name verbatim")
				}
			})
		}
	}
}

// TestProposalSize checks that a proposal of MaxProposalPairs pairs leaves room in an outbox
// item for its compressed CSV, and stays near the size at which some mail clients cut a
// message short (Gmail: about 100 KB of HTML).
func TestProposalSize(t *testing.T) {
	d := proposalData(true, 700)
	d.Pairs = nil
	for i := range mail.MaxProposalPairs {
		d.Pairs = append(d.Pairs, mail.ProposalPair{
			Members: []mail.ProposalPerson{
				{Name: fmt.Sprintf("Participant Number %d", 2*i), Country: "United Kingdom", Sector: "Academic libraries"},
				{Name: fmt.Sprintf("參加者 %d", 2*i+1), Country: "Hong Kong", Sector: "Public libraries"},
			},
			Score: 900, Reasons: []string{"2 shared interests", "similar career stage"},
		})
	}
	for i := range 50 {
		d.LeftOut = append(d.LeftOut, mail.ProposalLeftOut{Name: fmt.Sprintf("Left Out %d", i), Country: "Australia", Outcome: "deferred", Reason: "country cap (20%)", Position: i + 1})
	}
	m, err := mustTemplates(t).Render("proposal", "en", d)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("HTML %d bytes, text %d bytes", len(m.HTML), len(m.Text))
	if len(m.HTML) > 110<<10 || len(m.HTML)+len(m.Text) > mail.MaxQueuedBytes*2/3 {
		t.Errorf("proposal of %d pairs: HTML %d bytes, text %d bytes", len(d.Pairs), len(m.HTML), len(m.Text))
	}
}
