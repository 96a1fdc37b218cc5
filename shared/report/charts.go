package report

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pairup/pairup/shared/iso"
	"github.com/pairup/pairup/shared/pairup"
)

// Chart is a bar chart: one bar per category, drawn horizontally (long labels wrap beside their
// bars at phone width). XLabel names the horizontal axis (the counts), YLabel the vertical one
// (the categories).
type Chart struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	XLabel string `json:"xLabel"`
	YLabel string `json:"yLabel"`
	// Note is a line under the title: where the counts come from and how to read them.
	Note string `json:"note,omitempty"`
	Bars []Bar  `json:"bars"`
}

// Bar is one category's count. With Of set, Count is out of Of (responses of invitations): the
// bar is drawn as a hatched outline of Of with Count filled in, and labelled "Count of Of (p%)".
type Bar struct {
	Label string `json:"label"`
	Count int    `json:"count"`
	Of    int    `json:"of,omitempty"`
}

// Chart ids, in the order a report holds them.
const (
	ChartSatisfaction   = "satisfaction"    // Figure 5
	ChartHeard          = "heard"           // Figure 6
	ChartImpact         = "impact"          // Figure 7
	ChartSurveyResponse = "survey-response" // responses against invitations, by survey
	ChartCountries      = "countries"       // participants matched, by country
)

// Question ids of the survey charts (pairup.DefaultSurvey's; a programme's own forms use the
// same ids for the same questions).
const (
	QuestionSatisfaction = "satisfaction"
	QuestionHeard        = "heard"
	QuestionImpact       = "impact"
)

// TopCountries is how many countries the country chart names; the rest are one "Other" bar.
const TopCountries = 15

// charts builds the report's charts.
func (in Input) charts(rep *Report) ([]Chart, error) {
	var out []Chart
	for _, s := range []struct{ id, question, title, yLabel string }{
		{ChartSatisfaction, QuestionSatisfaction, "Satisfaction with the programme", "Satisfaction (1 to 5)"},
		{ChartHeard, QuestionHeard, "How participants heard of the programme", "How they heard"},
		{ChartImpact, QuestionImpact, "What taking part gave participants", "What it gave them"},
	} {
		c, ok := in.surveyChart(s.question)
		if !ok {
			continue
		}
		c.ID, c.Title, c.YLabel, c.XLabel = s.id, s.title, s.yLabel, "Participants who chose it"
		out = append(out, c)
	}
	out = append(out, responseChart(rep.Raw), countryChart(rep.countries))
	for _, c := range out {
		if err := c.check(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// surveyChart counts the answers to one question of the round's surveys, with the programme's
// own labels. The answers come from one survey, so nobody counts twice: the end-of-round
// survey if anyone answered the question there, else the mid-round survey (the mentee report
// is left out: only mentees answer it, and must). ok is false when neither survey asks the
// question, or asks it as free text.
func (in Input) surveyChart(question string) (c Chart, ok bool) {
	type source struct {
		kind     pairup.SurveyKind
		q        pairup.SurveyQuestion
		answered int
	}
	var sources []source
	for _, kind := range []pairup.SurveyKind{pairup.SurveyEnd, pairup.SurveyMid} {
		for _, q := range in.Programme.Survey(kind).Questions {
			if q.ID != question || q.Kind == pairup.QuestionText {
				continue
			}
			s := source{kind: kind, q: q}
			for _, r := range in.Responses {
				if r.Kind == kind && len(r.Answers[question]) > 0 {
					s.answered++
				}
			}
			sources = append(sources, s)
		}
	}
	if len(sources) == 0 {
		return Chart{}, false
	}
	src := sources[0] // the end survey's when it asks the question
	for _, s := range sources {
		if s.answered > 0 {
			src = s
			break
		}
	}
	counts := map[string]int{}
	for _, r := range in.Responses {
		if r.Kind != src.kind {
			continue
		}
		for _, v := range r.Answers[question] {
			counts[v]++
			if src.q.Kind != pairup.QuestionMulti {
				break // one value counts, as the form takes one
			}
		}
	}
	var known []string
	switch src.q.Kind {
	case pairup.QuestionScale:
		for i, v := range pairup.Scale {
			label := v
			switch {
			case i == 0 && src.q.Low != "":
				label += " – " + src.q.Low
			case i == len(pairup.Scale)-1 && src.q.High != "":
				label += " – " + src.q.High
			}
			c.Bars = append(c.Bars, Bar{Label: label, Count: counts[v]})
			known = append(known, v)
		}
	default:
		for _, o := range src.q.Options {
			c.Bars = append(c.Bars, Bar{Label: o.Label, Count: counts[o.Value]})
			known = append(known, o.Value)
		}
	}
	// Answers to options the form no longer offers still count, under their values.
	for _, v := range slices.Sorted(maps.Keys(counts)) {
		if !slices.Contains(known, v) {
			c.Bars = append(c.Bars, Bar{Label: v, Count: counts[v]})
		}
	}
	switch {
	case src.answered == 0:
		c.Note = surveyName(src.kind) + ": no answers yet."
	case src.q.Kind == pairup.QuestionMulti:
		c.Note = fmt.Sprintf("%s: %s answered; each could choose several.", surveyName(src.kind), people(src.answered))
	default:
		c.Note = fmt.Sprintf("%s: %s answered.", surveyName(src.kind), people(src.answered))
	}
	return c, true
}

// responseChart is each survey's responses against its invitations.
func responseChart(st pairup.RoundStats) Chart {
	c := Chart{ID: ChartSurveyResponse, Title: "Survey responses", XLabel: "People", YLabel: "Survey",
		Note: "Filled: answered. Hatched outline: invited."}
	for _, k := range surveyKinds {
		if rate, ok := st.Surveys[k]; ok {
			c.Bars = append(c.Bars, Bar{Label: surveyName(k), Count: rate.Responded, Of: rate.Invited})
		}
	}
	if len(c.Bars) == 0 {
		c.Note = "No survey invitations yet."
	}
	return c
}

// countryChart is the participants matched by country: the TopCountries largest (ties by
// name), then the rest as one bar.
func countryChart(byCountry map[string]int) Chart {
	type entry struct {
		name string
		n    int
	}
	var entries []entry
	total := 0
	for code, n := range byCountry {
		name := "Unknown"
		if code != unknownCountry {
			name = iso.CountryName(code, "en")
		}
		entries = append(entries, entry{name, n})
		total += n
	}
	slices.SortFunc(entries, func(a, b entry) int {
		return cmp.Or(cmp.Compare(b.n, a.n), strings.Compare(a.name, b.name))
	})
	c := Chart{ID: ChartCountries, Title: "Participants by country", XLabel: "Participants matched", YLabel: "Country",
		Note: fmt.Sprintf("%s from %s, as the matching paired them.", people(total), plural(len(entries), "country", "countries"))}
	rest, restCountries := 0, 0
	for i, e := range entries {
		if i < TopCountries {
			c.Bars = append(c.Bars, Bar{Label: e.name, Count: e.n})
			continue
		}
		rest += e.n
		restCountries++
	}
	if restCountries > 0 {
		c.Bars = append(c.Bars, Bar{Label: "Other (" + plural(restCountries, "country", "countries") + ")", Count: rest})
	}
	if total == 0 {
		c.Note = "Nobody has been matched yet."
	}
	return c
}

func people(n int) string { return plural(n, "person", "people") }

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return count(n) + " " + many
}

// check refuses a chart that cannot be drawn.
func (c Chart) check() error {
	for _, b := range c.Bars {
		if b.Count < 0 || b.Of < 0 {
			return pairup.Errorf(pairup.EINVALID, "chart %s: bar %q has a negative count", c.ID, b.Label)
		}
	}
	return nil
}
