package mail_test

import (
	"strings"
	"testing"

	"github.com/pairup/pairup/shared/mail"
)

func reportData() mail.ReportData {
	return mail.ReportData{
		ProgrammeName: "International Librarians Network", RoundName: "2027 Round 1", State: "closed", AsOf: "3 August 2027",
		Stats: []mail.Count{{Label: "Registrations", Value: "40"}, {Label: "Participants matched", Value: "32"}, {Label: "Mid-round survey: responses", Value: "29 of 32 invited (91%)"}},
		Charts: []mail.ReportChart{
			{Title: "Satisfaction", Note: "End-of-round survey: 32 people answered.", Categories: "Rating", Counts: "Participants who chose it",
				ContentID: "chart-satisfaction@pairup", Width: 552, Height: 300,
				Bars: []mail.ReportBar{{Label: "1 – Very dissatisfied", Count: 0}, {Label: "2", Count: 1}, {Label: "4", Count: 28}, {Label: "5 – Very satisfied", Count: 3}}},
			{Title: `Participants by country <script>`, Categories: "Country", Counts: "Participants", ContentID: "chart-country@pairup", Width: 552, Height: 400,
				Bars: []mail.ReportBar{{Label: `Côte d'Ivoire <b>`, Count: 2}, {Label: "Australia", Count: 8}}},
			{Title: "Survey responses", Categories: "Survey", Counts: "People", Bars: []mail.ReportBar{{Label: "Mid-round survey", Count: 29, Of: 32}}},
			{Title: "Impact", Categories: "Impact", Counts: "People"},
		},
		Files:          []string{"registrations-iln-2027-1.csv", "pairs-iln-2027-1.csv"},
		UnsubscribeURL: "https://forms.example.org/unsubscribe?t=abc",
	}
}

func TestReportTemplate(t *testing.T) {
	tt, err := mail.NewTemplates()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		final   bool
		subject string
		says    string
	}{
		{"OnDemand", false, "Report: International Librarians Network 2027 Round 1", "The round is closed. These are its figures as of 3 August 2027."},
		{"Final", true, "Final report: International Librarians Network 2027 Round 1", "These are its final figures, frozen at the close (3 August 2027)."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := reportData()
			d.Final = tc.final
			m, err := tt.Render("report", "en", d)
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != tc.subject || m.ListUnsubscribe != d.UnsubscribeURL {
				t.Errorf("subject %q, List-Unsubscribe %q", m.Subject, m.ListUnsubscribe)
			}
			for part, body := range map[string]string{"text": m.Text, "html": m.HTML} {
				if !strings.Contains(body, tc.says) {
					t.Errorf("the %s part does not say %q:\n%s", part, tc.says, body)
				}
			}
			// The text part: every statistic and every bar, aligned, and the files.
			for _, want := range []string{
				"  Registrations                 40\n", "  Mid-round survey: responses   29 of 32 invited (91%)\n",
				"Satisfaction (Participants who chose it)\n  End-of-round survey: 32 people answered.\n  1 – Very dissatisfied   0\n  2                       1\n",
				"  Côte d'Ivoire <b>   2\n", "  Mid-round survey   29 of 32 (91%)\n", "Impact (People)\n  None yet.", "  pairs-iln-2027-1.csv\n",
			} {
				if !strings.Contains(m.Text, want) {
					t.Errorf("the text part lacks %q:\n%s", want, m.Text)
				}
			}
			// The HTML: each chart with an image, by its cid, whose alt text gives every count;
			// a chart without an image has the table only; names are escaped.
			for _, want := range []string{
				`<img src="cid:chart-satisfaction@pairup" alt="Satisfaction (participants who chose it): 1 – Very dissatisfied: 0; 2: 1; 4: 28; 5 – Very satisfied: 3." width="552" height="300"`,
				`src="cid:chart-country@pairup"`, `Côte d&#39;Ivoire &lt;b&gt;`, `Participants by country &lt;script&gt;`, "End-of-round survey: 32 people answered.",
				`<td align="right" style="border-top:1px solid #ddd;font-weight:bold">28</td>`, "29 of 32 (91%)", "No data yet.", "<li>registrations-iln-2027-1.csv</li>",
			} {
				if !strings.Contains(m.HTML, want) {
					t.Errorf("the HTML lacks %q", want)
				}
			}
			if strings.Contains(m.HTML, "<script>") || strings.Contains(m.HTML, "<b>") || strings.Count(m.HTML, "<img ") != 2 {
				t.Errorf("the HTML has unescaped markup or %d images, want 2:\n%s", strings.Count(m.HTML, "<img "), m.HTML)
			}
		})
	}
}

func TestReportChartAlt(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    mail.ReportChart
		want string
	}{
		{"Bars", mail.ReportChart{Title: "How participants heard", Categories: "Channel", Counts: "Participants who chose it",
			Bars: []mail.ReportBar{{Label: "A friend or colleague", Count: 7}, {Label: "Other", Count: 0}}},
			"How participants heard (participants who chose it): A friend or colleague: 7; Other: 0."},
		{"OutOf", mail.ReportChart{Title: "Survey responses", Bars: []mail.ReportBar{{Label: "Mid-round survey", Count: 2, Of: 3}, {Label: "End", Count: 0, Of: 4}}},
			"Survey responses: Mid-round survey: 2 of 3 (67%); End: 0 of 4 (0%)."},
		{"Empty", mail.ReportChart{Title: "Satisfaction", Counts: "Responses"}, "Satisfaction (responses): no data yet."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.c.Alt(); got != tc.want {
				t.Errorf("Alt() = %q, want %q", got, tc.want)
			}
		})
	}
	if src := (mail.ReportChart{}).Src(); src != "" {
		t.Errorf("Src without a content id = %q", src)
	}
}
