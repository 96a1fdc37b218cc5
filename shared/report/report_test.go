package report

import (
	"reflect"
	"testing"

	"github.com/pairup/pairup/shared/pairup"
)

// seededRows is the statistics table of the seeded round, from its known answers.
var seededRows = []Row{
	{"Figures", "As of 3 May 2027, 09:00 UTC, while the round is closing: the figures change until it closes"},
	{"Timeframe", "4 January – 3 May 2027"},
	{"Registrations", "12"},
	{"Confirmed", "11"},
	{"Participants matched", "9"},         // r01–r08 and r10, at the commit
	{"Countries (of those matched)", "8"}, // AU twice
	{"Pairs (a trio counts once)", "4"},   // p1–p4; p5 came later, by a re-pair
	{"Trios", "1"},
	{"Unmatched", "1"},
	{"Unmatched: no shared language", "1"},
	{"Deferred to the next round (country cap)", "1"},
	{"Given a new partner", "1"}, // r08: p4 → p5
	{"Withdrawn", "1"},           // r10
	{"Check-in: heard from their partner", "5"},
	{"Check-in: not heard from their partner", "2"},
	{"Check-in: no answer", "4"},
	{"Pairs at the close", "4"},
	{"Continued pairs (every member chose to continue)", "1"},
	{"Concluded pairs (a member chose to conclude)", "1"},
	{"Pairs partly answered (some continue, the rest did not answer)", "1"},
	{"Pairs where nobody chose", "1"},
	{"Mid-round survey: responses", "4 of 9 invited (44%)"},
	{"End-of-round survey: responses", "5 of 9 invited (56%)"},
}

func TestBuildStats(t *testing.T) {
	t.Run("InProgress", func(t *testing.T) {
		rep, err := Build(seeded())
		if err != nil {
			t.Fatal(err)
		}
		diffRows(t, rep.Stats, seededRows)
		if rep.Frozen || !rep.At.Equal(roundEnd) {
			t.Errorf("frozen %v at %v, want computed at the round's end", rep.Frozen, rep.At)
		}
		if rep.Programme != "International Librarians Network" || rep.Round != "2027 Round 1" || rep.ProgrammeID != "iln" || rep.RoundID != "r1" {
			t.Errorf("names %q %q ids %q %q", rep.Programme, rep.Round, rep.ProgrammeID, rep.RoundID)
		}
		// Raw is pairup's one formula over the same data.
		in := seeded()
		if want := in.record().Stats(roundEnd); !reflect.DeepEqual(rep.Raw, want) {
			t.Errorf("raw\n%+v\nwant\n%+v", rep.Raw, want)
		}
	})
	t.Run("Frozen", func(t *testing.T) {
		in := seeded()
		frozen := in.record().Stats(roundEnd.Add(30 * aDay))
		frozen.Withdrawn = 3 // what the close froze, whatever the data says now
		frozen.Surveys[pairup.SurveyEnd] = pairup.SurveyRate{Invited: 9, Responded: 7}
		in.Round.State, in.Round.Stats = pairup.RoundClosed, &frozen
		in.At = roundEnd.AddDate(1, 0, 0) // ignored
		rep, err := Build(in)
		if err != nil {
			t.Fatal(err)
		}
		want := changed(seededRows, map[string]string{
			"Figures":                        "Final: frozen when the round closed on 2 June 2027",
			"Withdrawn":                      "3",
			"End-of-round survey: responses": "7 of 9 invited (78%)",
		})
		diffRows(t, rep.Stats, want)
		if !rep.Frozen || !rep.At.Equal(frozen.ClosedAt) || !reflect.DeepEqual(rep.Raw, frozen) {
			t.Errorf("frozen %v at %v raw %+v, want the frozen stats", rep.Frozen, rep.At, rep.Raw)
		}
	})
	t.Run("MentorMode", func(t *testing.T) {
		in := seeded()
		in.Programme.Mode = pairup.ModeMentor
		in.Round.Matching.Trios, in.Round.Matching.Waitlisted = 0, 2
		rep, err := Build(in)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, r := range rep.Stats {
			got[r.Label] = r.Value
		}
		if got["Pairs (mentor and mentee)"] != "4" || got["Waitlisted"] != "2" {
			t.Errorf("mentor mode: pairs %q, waitlisted %q", got["Pairs (mentor and mentee)"], got["Waitlisted"])
		}
		if _, ok := got["Trios"]; ok {
			t.Error("a mentor-mode report counts trios")
		}
	})
	t.Run("NoSurveysYet", func(t *testing.T) {
		in := seeded()
		in.Invited, in.Responses = nil, nil
		in.At = commit.Add(10 * aDay) // before any check-in day
		rep, err := Build(in)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rep.Stats {
			switch r.Label {
			case "Mid-round survey: responses", "End-of-round survey: responses":
				t.Errorf("row %q with no survey sent", r.Label)
			case "Check-in: no answer":
				if r.Value != "0" {
					t.Errorf("%s members without an answer before any check-in day", r.Value)
				}
			}
		}
	})
}

func TestBuildRefuses(t *testing.T) {
	for name, in := range map[string]Input{
		"NoProgramme": {Round: seededRound()},
		"NoRound":     {Programme: seededProgramme()},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Build(in); pairup.ErrorCode(err) != pairup.EINVALID {
				t.Errorf("error %v, want %s", err, pairup.EINVALID)
			}
		})
	}
}

func TestBuildIsDeterministic(t *testing.T) {
	a, err := Build(seeded())
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		b, err := Build(seeded())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatal("two builds of one input differ")
		}
	}
}

func TestFormats(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{count(0), "0"}, {count(999), "999"}, {count(1000), "1,000"}, {count(1234567), "1,234,567"}, {count(-1234), "-1,234"},
		{ofInvited(0, 0), "none invited"}, {ofInvited(2, 0), "2 (none invited)"}, {ofInvited(1, 3), "1 of 3 invited (33%)"},
		{ofInvited(2, 3), "2 of 3 invited (67%)"},
		{timeframe(commit, commit.AddDate(1, 1, 0)), "4 January 2027 – 4 February 2028"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// diffRows reports each row that differs, by position.
func diffRows(t *testing.T, got, want []Row) {
	t.Helper()
	for i := range max(len(got), len(want)) {
		var g, w Row
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Errorf("row %d: got %q = %q, want %q = %q", i, g.Label, g.Value, w.Label, w.Value)
		}
	}
}

// changed is rows with some values replaced, by label.
func changed(rows []Row, values map[string]string) []Row {
	out := make([]Row, len(rows))
	for i, r := range rows {
		if v, ok := values[r.Label]; ok {
			r.Value = v
		}
		out[i] = r
	}
	return out
}
