package report

import (
	"reflect"
	"testing"

	"github.com/pairup/pairup/shared/pairup"
)

func TestCharts(t *testing.T) {
	rep, err := Build(seeded())
	if err != nil {
		t.Fatal(err)
	}
	want := []Chart{
		{ID: ChartSatisfaction, Title: "Satisfaction with the programme", XLabel: "Participants who chose it", YLabel: "Satisfaction (1 to 5)",
			Note: "End-of-round survey: 5 people answered.",
			Bars: []Bar{{"1 – Very dissatisfied", 1, 0}, {"2", 0, 0}, {"3", 1, 0}, {"4", 1, 0}, {"5 – Very satisfied", 2, 0}}},
		{ID: ChartHeard, Title: "How participants heard of the programme", XLabel: "Participants who chose it", YLabel: "How they heard",
			Note: "End-of-round survey: 3 people answered.",
			Bars: []Bar{{"A friend or colleague", 2, 0}, {"Social media", 0, 0}, {"An email list", 1, 0}, {"A website", 0, 0},
				{"A conference or event", 0, 0}, {"Other", 0, 0}}},
		{ID: ChartImpact, Title: "What taking part gave participants", XLabel: "Participants who chose it", YLabel: "What it gave them",
			Note: "End-of-round survey: 5 people answered; each could choose several.",
			Bars: []Bar{{"Wider awareness of the profession", 2, 0}, {"Professional development", 1, 0}, {"New professional contacts", 2, 0},
				{"Ideas for my own library", 1, 0}, {"More confidence in my work", 0, 0}, {"None of these yet", 1, 0}}},
		{ID: ChartSurveyResponse, Title: "Survey responses", XLabel: "People", YLabel: "Survey", Note: "Filled: answered. Hatched outline: invited.",
			Bars: []Bar{{"Mid-round survey", 4, 9}, {"End-of-round survey", 5, 9}}},
		{ID: ChartCountries, Title: "Participants by country", XLabel: "Participants matched", YLabel: "Country",
			Note: "9 people from 8 countries, as the matching paired them.",
			Bars: []Bar{{"Australia", 2, 0}, {"Hong Kong SAR China", 1, 0}, {"Iceland", 1, 0}, {"India", 1, 0}, {"Nigeria", 1, 0},
				{"Spain", 1, 0}, {"United Kingdom", 1, 0}, {"Vietnam", 1, 0}}},
	}
	if len(rep.Charts) != len(want) {
		t.Fatalf("%d charts, want %d", len(rep.Charts), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(rep.Charts[i], want[i]) {
			t.Errorf("chart %d\n got %+v\nwant %+v", i, rep.Charts[i], want[i])
		}
	}
	// The country chart adds up to the statistics' participants matched, over their countries.
	sum := 0
	for _, b := range rep.Charts[4].Bars {
		sum += b.Count
	}
	if sum != rep.Raw.Participants || len(rep.Charts[4].Bars) != rep.Raw.Countries {
		t.Errorf("countries chart: %d people in %d bars, the statistics %d in %d", sum, len(rep.Charts[4].Bars), rep.Raw.Participants, rep.Raw.Countries)
	}
}

func TestSurveyChartSource(t *testing.T) {
	chart := func(t *testing.T, in Input, id string) (Chart, bool) {
		t.Helper()
		rep, err := Build(in)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range rep.Charts {
			if c.ID == id {
				return c, true
			}
		}
		return Chart{}, false
	}
	t.Run("MidWhenTheEndHasNoAnswers", func(t *testing.T) {
		in := seeded()
		for _, r := range in.Responses {
			if r.Kind == pairup.SurveyEnd {
				delete(r.Answers, QuestionHeard)
			}
		}
		c, _ := chart(t, in, ChartHeard)
		// Mid: friend r01 r03, social media r02, conference r05.
		want := []Bar{{"A friend or colleague", 2, 0}, {"Social media", 1, 0}, {"An email list", 0, 0}, {"A website", 0, 0},
			{"A conference or event", 1, 0}, {"Other", 0, 0}}
		if !reflect.DeepEqual(c.Bars, want) || c.Note != "Mid-round survey: 4 people answered." {
			t.Errorf("got %q %+v", c.Note, c.Bars)
		}
	})
	t.Run("NoAnswersYet", func(t *testing.T) {
		in := seeded()
		in.Responses = nil
		c, ok := chart(t, in, ChartSatisfaction)
		if !ok || c.Note != "End-of-round survey: no answers yet." || len(c.Bars) != 5 || c.Bars[4].Count != 0 {
			t.Errorf("got %v %q %+v", ok, c.Note, c.Bars)
		}
	})
	t.Run("TheProgrammesOwnLabels", func(t *testing.T) {
		in := seeded()
		form := pairup.SurveyForm{Title: "完結問卷", Questions: []pairup.SurveyQuestion{
			{ID: QuestionSatisfaction, Kind: pairup.QuestionScale, Label: "滿意程度", Low: "非常不滿意", High: "非常滿意"},
			{ID: QuestionHeard, Kind: pairup.QuestionChoice, Label: "你從哪裡得知本計劃？",
				Options: []pairup.Option{{Value: "friend", Label: "朋友或同事"}, {Value: "website", Label: "網站"}}},
		}}
		in.Programme.Surveys = map[pairup.SurveyKind]pairup.SurveyForm{pairup.SurveyEnd: form}
		c, _ := chart(t, in, ChartHeard)
		// email-list is no longer offered: its answer still counts, under its value.
		want := []Bar{{"朋友或同事", 2, 0}, {"網站", 0, 0}, {"email-list", 1, 0}}
		if !reflect.DeepEqual(c.Bars, want) {
			t.Errorf("heard %+v", c.Bars)
		}
		s, _ := chart(t, in, ChartSatisfaction)
		if s.Bars[0].Label != "1 – 非常不滿意" || s.Bars[4].Label != "5 – 非常滿意" {
			t.Errorf("scale labels %+v", s.Bars)
		}
		// The programme's end survey no longer asks about impact, the mid survey (the
		// default) does: the chart counts the mid survey's answers.
		i, ok := chart(t, in, ChartImpact)
		if !ok || i.Note != "Mid-round survey: 4 people answered; each could choose several." || i.Bars[0].Count != 2 {
			t.Errorf("impact %v %q %+v", ok, i.Note, i.Bars)
		}
	})
	t.Run("QuestionNotAsked", func(t *testing.T) {
		in := seeded()
		only := pairup.SurveyForm{Title: "t", Questions: []pairup.SurveyQuestion{{ID: "comments", Kind: pairup.QuestionText, Label: "Comments"}}}
		in.Programme.Surveys = map[pairup.SurveyKind]pairup.SurveyForm{pairup.SurveyMid: only, pairup.SurveyEnd: only}
		rep, err := Build(in)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range rep.Charts {
			ids = append(ids, c.ID)
		}
		if !reflect.DeepEqual(ids, []string{ChartSurveyResponse, ChartCountries}) {
			t.Errorf("charts %v for surveys that ask none of the questions", ids)
		}
	})
}

func TestCountryChart(t *testing.T) {
	codes := []string{"AU", "BR", "CA", "DE", "EG", "FR", "GB", "HK", "IN", "JP", "KE", "MX", "NG", "NZ", "PH", "SG", "US", "ZA"}
	for _, tc := range []struct {
		name      string
		byCountry map[string]int
		want      []Bar
		note      string
	}{
		{"Empty", map[string]int{}, nil, "Nobody has been matched yet."},
		{"TiesByName", map[string]int{"NZ": 2, "AU": 2, "GB": 3, unknownCountry: 1},
			[]Bar{{"United Kingdom", 3, 0}, {"Australia", 2, 0}, {"New Zealand", 2, 0}, {"Unknown", 1, 0}},
			"8 people from 4 countries, as the matching paired them."},
		{"TopFifteenAndOther", func() map[string]int {
			m := map[string]int{}
			for i, c := range codes {
				m[c] = 100 - i // AU 100 … ZA 83
			}
			return m
		}(), nil, "1,647 people from 18 countries, as the matching paired them."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := countryChart(tc.byCountry)
			if c.Note != tc.note {
				t.Errorf("note %q, want %q", c.Note, tc.note)
			}
			if tc.name != "TopFifteenAndOther" {
				if !reflect.DeepEqual(c.Bars, tc.want) {
					t.Errorf("bars %+v, want %+v", c.Bars, tc.want)
				}
				return
			}
			if len(c.Bars) != TopCountries+1 {
				t.Fatalf("%d bars, want %d and Other", len(c.Bars), TopCountries)
			}
			if c.Bars[0] != (Bar{"Australia", 100, 0}) || c.Bars[14] != (Bar{"Philippines", 86, 0}) {
				t.Errorf("first %+v, fifteenth %+v", c.Bars[0], c.Bars[14])
			}
			if got, want := c.Bars[15], (Bar{"Other (3 countries)", 85 + 84 + 83, 0}); got != want {
				t.Errorf("other %+v, want %+v", got, want)
			}
		})
	}
}

func TestChartText(t *testing.T) {
	c := Chart{Title: "Survey responses", Note: "Filled: answered.", Bars: []Bar{{"Mid-round survey", 4, 9}, {"End", 5, 0}}}
	if got, want := c.Text(), "Survey responses. Filled: answered. Mid-round survey: 4 of 9 (44%); End: 5."; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	if got := (Chart{Title: "Empty"}).Text(); got != "Empty." {
		t.Errorf("%q", got)
	}
}
