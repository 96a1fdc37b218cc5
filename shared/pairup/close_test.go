package pairup

import (
	"reflect"
	"testing"
	"time"
)

func TestRoundStats(t *testing.T) {
	committed := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	closed := committed.AddDate(0, 4, 0)
	day := 24 * time.Hour
	pair := func(id string, created time.Time, members ...string) Pair {
		p := Pair{ID: id, CreatedAt: created}
		for _, m := range members {
			p.Members = append(p.Members, PairMember{RegistrationID: m})
		}
		return p
	}
	ended := func(p Pair, at time.Time, reason string) Pair {
		p.EndedAt, p.EndReason = at, reason
		return p
	}
	answer := func(pairID, reg string, c ContinueChoice) ContinueAnswer {
		return ContinueAnswer{PairID: pairID, RegistrationID: reg, Choice: c}
	}
	matching := &MatchStats{Registrations: 12, Confirmed: 11, Matched: 9, Pairs: 4, Trios: 1, Deferred: 1, Waitlisted: 0,
		Unmatched: map[string]int{"no shared language": 1}, Countries: 7, CommittedAt: committed}
	base := RoundRecord{
		Round: &Round{Matching: matching},
		Registrations: []Registration{{ID: "a", Status: StatusConfirmed}, {ID: "w", Status: StatusWithdrawn}, {ID: "x", Status: StatusPending},
			{ID: "v", Status: StatusWithdrawn}},
		Pairs: []Pair{
			pair("a+b", committed, "a", "b"),                                                // both continue
			pair("c+d+e", committed, "c", "d", "e"),                                         // a trio: one concludes
			pair("f+g", committed, "f", "g"),                                                // one continues, one silent
			ended(pair("h+i", committed, "h", "i"), committed.Add(20*day), PairEndRepaired), // re-paired after its check-in
			pair("h+j", committed.Add(20*day), "h", "j"),                                    // nobody answers
			ended(pair("k+w", committed, "k", "w"), committed.Add(5*day), PairEndWithdrawn), // ended before its check-in
			pair("k+z", committed.Add(30*day), "k", "z"),                                    // k, re-paired after w withdrew; nobody answers
		},
		CheckIns: []CheckIn{
			{PairID: "a+b", RegistrationID: "a", Answer: CheckInYes}, {PairID: "a+b", RegistrationID: "b", Answer: CheckInYes},
			{PairID: "c+d+e", RegistrationID: "c", Answer: CheckInNo}, {PairID: "h+i", RegistrationID: "h", Answer: CheckInNo},
		},
		Continues: []ContinueAnswer{
			answer("a+b", "a", ChoiceContinue), answer("a+b", "b", ChoiceContinue),
			answer("c+d+e", "c", ChoiceContinue), answer("c+d+e", "d", ChoiceConclude),
			answer("f+g", "f", ChoiceContinue),
			answer("h+i", "i", ChoiceConclude), // an ended pair's answer counts for nothing
		},
		Responses: []SurveyResponse{{Kind: SurveyEnd, RegistrationID: "a"}, {Kind: SurveyEnd, RegistrationID: "c"},
			{Kind: SurveyMid, RegistrationID: "a"}, {Kind: SurveyReport, RegistrationID: "a"}},
		Invited: map[SurveyKind]int{SurveyMid: 10, SurveyEnd: 9},
	}
	want := RoundStats{
		Registrations: 12, Confirmed: 11, Participants: 9, Countries: 7, Pairs: 4, Trios: 1, Deferred: 1,
		Unmatched: map[string]int{"no shared language": 1},
		RePaired:  2, // h, moved from h+i to h+j (i is in no other pair); k from k+w to k+z
		Withdrawn: 2,
		// yes a, b; no c, h; none: d, e (c+d+e), f, g (f+g), i (h+i ran to day 14); h+j's day 14 came
		// before the close, so h and j too, and k+z's, so k and z; k+w ended on day 5.
		CheckIns:     CheckInCounts{Yes: 2, No: 2, None: 9},
		PairsAtClose: 5, ContinuedPairs: 1, ConcludedPairs: 1, PartialPairs: 1, NoChoicePairs: 2,
		Surveys:  map[SurveyKind]SurveyRate{SurveyMid: {Invited: 10, Responded: 1}, SurveyEnd: {Invited: 9, Responded: 2}},
		ClosedAt: closed,
	}
	t.Run("OK", func(t *testing.T) {
		got := base.Stats(closed)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got\n%+v\nwant\n%+v", got, want)
		}
		if n := got.ContinuedPairs + got.ConcludedPairs + got.PartialPairs + got.NoChoicePairs; n != got.PairsAtClose {
			t.Errorf("the choices count %d pairs of %d at close", n, got.PairsAtClose)
		}
		// The stats are a copy: changing the round's MatchStats later changes nothing.
		matching.Unmatched["no shared language"] = 5
		if got.Unmatched["no shared language"] != 1 {
			t.Error("the stats share the matching's map")
		}
		matching.Unmatched["no shared language"] = 1
	})
	t.Run("NoCheckIns", func(t *testing.T) {
		rec := base
		rec.Schedule = Schedule{CheckInAfterDays: -1}
		if got := rec.Stats(closed).CheckIns; got != (CheckInCounts{Yes: 2, No: 2}) {
			t.Errorf("check-ins %+v with no check-in day", got)
		}
	})
	t.Run("CheckInAfterTheClose", func(t *testing.T) {
		// Closed on day 10: no pair had reached its check-in day.
		if got := base.Stats(committed.Add(10 * day)).CheckIns.None; got != 0 {
			t.Errorf("%d members without an answer before any check-in was due", got)
		}
	})
	t.Run("NoMatchStats", func(t *testing.T) {
		rec := base
		rec.Round = &Round{}
		rec.Registrations = []Registration{{ID: "a", Country: "AU"}, {ID: "b", Country: "GB"}, {ID: "c", Country: "AU"}, {ID: "d"}, {ID: "e"}}
		rec.Outcomes = []Outcome{{RegistrationID: "a", Kind: OutcomePaired}, {RegistrationID: "b", Kind: OutcomePaired},
			{RegistrationID: "c", Kind: OutcomeDeferred}, {RegistrationID: "d", Kind: OutcomeUnmatched, Reason: "r"}}
		got := rec.Stats(closed)
		if got.Registrations != 5 || got.Confirmed != 4 || got.Participants != 2 || got.Countries != 2 || got.Deferred != 1 ||
			!reflect.DeepEqual(got.Unmatched, map[string]int{"r": 1}) || got.Pairs != 7 || got.Trios != 1 {
			t.Errorf("from outcomes: %+v", got)
		}
	})
	t.Run("NoSurveys", func(t *testing.T) {
		rec := base
		rec.Invited = nil
		if got := rec.Stats(closed); got.Surveys != nil {
			t.Errorf("surveys %+v with none invited", got.Surveys)
		}
	})
}

func TestValidContinueChoice(t *testing.T) {
	for c, want := range map[ContinueChoice]bool{ChoiceContinue: true, ChoiceConclude: true, "": false, "maybe": false} {
		if got := ValidContinueChoice(c); got != want {
			t.Errorf("ValidContinueChoice(%q) = %v", c, got)
		}
	}
}
