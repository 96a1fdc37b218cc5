package report

import (
	"reflect"
	"testing"

	"github.com/pairup/pairup/shared/pairup"
)

// twoRounds is the seeded round and a later one: 2 pairs (AU+JP, GB+KE), one continued.
func twoRounds(t *testing.T) []*Report {
	t.Helper()
	first, err := Build(seeded())
	if err != nil {
		t.Fatal(err)
	}
	in := seeded()
	in.Round.ID, in.Round.Name = "r2", "2027 Round 2"
	in.Round.Starts, in.Round.Ends = roundEnd.AddDate(0, 2, 0), roundEnd.AddDate(0, 6, 0)
	in.Round.Matching = &pairup.MatchStats{Registrations: 5, Confirmed: 4, Matched: 4, Pairs: 2, Countries: 4}
	in.Registrations = []pairup.Registration{reg("a", "A", "AU", pairup.StatusConfirmed, 0), reg("b", "B", "JP", pairup.StatusConfirmed, 0),
		reg("c", "C", "GB", pairup.StatusConfirmed, 0), reg("d", "D", "KE", pairup.StatusConfirmed, 0)}
	in.Pairs = []pairup.Pair{pair("a+b", in.Round.Starts, "a", "b"), pair("c+d", in.Round.Starts, "c", "d")}
	in.Continues = []pairup.ContinueAnswer{{PairID: "a+b", RegistrationID: "a", Choice: pairup.ChoiceContinue},
		{PairID: "a+b", RegistrationID: "b", Choice: pairup.ChoiceContinue}}
	in.CheckIns, in.Responses, in.Outcomes = nil, nil, nil
	in.Invited = map[pairup.SurveyKind]int{pairup.SurveyEnd: 4}
	in.At = in.Round.Ends
	second, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	return []*Report{second, nil, first} // any order; nil skipped
}

func TestAcrossRounds(t *testing.T) {
	got := AcrossRounds(twoRounds(t))
	want := []Row{
		{"2027 Round 1 (4 January – 3 May 2027)", "9 participants from 8 countries; 4 pairs, 1 continued"},
		{"2027 Round 2 (3 July – 3 November 2027)", "4 participants from 4 countries; 2 pairs, 1 continued"},
		{"Rounds", "2"},
		{"Participants, all rounds (a person in two rounds counts twice)", "13"},
		{"Countries, all rounds", "10"}, // AU and GB in both
		{"Pairs, all rounds", "6"},
		{"Continued pairs, all rounds", "2"},
	}
	diffRows(t, got, want)
	if rows := AcrossRounds([]*Report{nil}); rows != nil {
		t.Errorf("rows %v for no reports", rows)
	}
}

func TestRoundsTable(t *testing.T) {
	got := RoundsTable(twoRounds(t))
	want := Table{
		Header: []string{"Round", "Timeframe", "Participants", "Countries", "Pairs", "Continued pairs", "End-of-round survey responses"},
		Rows: [][]string{
			{"2027 Round 1", "4 January – 3 May 2027", "9", "8", "4", "1", "56%"},
			{"2027 Round 2", "3 July – 3 November 2027", "4", "4", "2", "1", "0%"},
			{"All rounds", "", "13", "10", "6", "2", ""},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}
