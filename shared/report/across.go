package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/pairup/pairup/shared/pairup"
)

// AcrossRounds is the statistics across a programme's rounds (the reference paper's Figure 4,
// one line per round): each round in the order they ran (by start, then id) with its
// timeframe, participants, countries, pairs and continued pairs, then the totals. A person in
// two rounds counts in both (reports carry no person ids); the countries total counts each
// country once. Nil reports are skipped.
func AcrossRounds(reports []*Report) []Row {
	rs := sorted(reports)
	var rows []Row
	participants, pairs, continued := 0, 0, 0
	countries := map[string]bool{}
	for _, r := range rs {
		st := r.Raw
		rows = append(rows, Row{
			Label: fmt.Sprintf("%s (%s)", r.Round, timeframe(r.Starts, r.Ends)),
			Value: fmt.Sprintf("%s from %s; %s, %s continued", plural(st.Participants, "participant", "participants"),
				plural(st.Countries, "country", "countries"), plural(st.Pairs, "pair", "pairs"), count(st.ContinuedPairs)),
		})
		participants += st.Participants
		pairs += st.Pairs
		continued += st.ContinuedPairs
		for c := range r.countries {
			if c != unknownCountry {
				countries[c] = true
			}
		}
	}
	if len(rs) == 0 {
		return nil
	}
	rows = append(rows,
		Row{Label: "Rounds", Value: count(len(rs))},
		Row{Label: "Participants, all rounds (a person in two rounds counts twice)", Value: count(participants)},
		Row{Label: "Countries, all rounds", Value: count(len(countries))},
		Row{Label: "Pairs, all rounds", Value: count(pairs)},
		Row{Label: "Continued pairs, all rounds", Value: count(continued)},
	)
	return rows
}

// Table is a table with a header row, for a page or an email.
type Table struct {
	Header []string   `json:"header"`
	Rows   [][]string `json:"rows"`
}

// RoundsTable is AcrossRounds as columns, as the reference paper's Figure 4 sets it out: one
// row per round (round, timeframe, participants, countries, pairs, continued pairs, the
// end-of-round survey's response rate), then a total row.
func RoundsTable(reports []*Report) Table {
	t := Table{Header: []string{"Round", "Timeframe", "Participants", "Countries", "Pairs", "Continued pairs", "End-of-round survey responses"}}
	rs := sorted(reports)
	if len(rs) == 0 {
		return t
	}
	participants, pairs, continued := 0, 0, 0
	countries := map[string]bool{}
	for _, r := range rs {
		st := r.Raw
		end := "–"
		if rate, ok := st.Surveys[pairup.SurveyEnd]; ok && rate.Invited > 0 {
			end = percent(rate.Responded, rate.Invited)
		}
		t.Rows = append(t.Rows, []string{r.Round, timeframe(r.Starts, r.Ends), count(st.Participants), count(st.Countries),
			count(st.Pairs), count(st.ContinuedPairs), end})
		participants += st.Participants
		pairs += st.Pairs
		continued += st.ContinuedPairs
		for c := range r.countries {
			if c != unknownCountry {
				countries[c] = true
			}
		}
	}
	t.Rows = append(t.Rows, []string{"All rounds", "", count(participants), count(len(countries)), count(pairs), count(continued), ""})
	return t
}

// sorted is the non-nil reports by the round's start, then its id.
func sorted(reports []*Report) []*Report {
	var rs []*Report
	for _, r := range reports {
		if r != nil {
			rs = append(rs, r)
		}
	}
	slices.SortStableFunc(rs, func(a, b *Report) int {
		return cmp.Or(a.Starts.Compare(b.Starts), strings.Compare(a.RoundID, b.RoundID))
	})
	return rs
}
