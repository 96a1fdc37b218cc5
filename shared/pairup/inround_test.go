package pairup

import (
	"strings"
	"testing"
	"time"
)

func TestLocalMorningAcrossDaylightSaving(t *testing.T) {
	cases := []struct {
		zone string
		at   time.Time
		want string // UTC instant of 09:00 local on at's local day
	}{
		{"Australia/Sydney", time.Date(2027, 1, 10, 3, 0, 0, 0, time.UTC), "2027-01-09T22:00:00Z"}, // AEDT, +11
		{"Australia/Sydney", time.Date(2027, 6, 10, 3, 0, 0, 0, time.UTC), "2027-06-09T23:00:00Z"}, // AEST, +10
		{"Europe/London", time.Date(2027, 3, 28, 12, 0, 0, 0, time.UTC), "2027-03-28T08:00:00Z"},   // BST starts that day
		{"Europe/London", time.Date(2027, 3, 27, 12, 0, 0, 0, time.UTC), "2027-03-27T09:00:00Z"},
		{"America/Los_Angeles", time.Date(2027, 1, 10, 3, 0, 0, 0, time.UTC), "2027-01-09T17:00:00Z"}, // still the 9th there
		{"Asia/Kolkata", time.Date(2027, 1, 10, 3, 0, 0, 0, time.UTC), "2027-01-10T03:30:00Z"},
	}
	for _, c := range cases {
		got := LocalMorning(c.at, Location(c.zone), 9).UTC().Format(time.RFC3339)
		if got != c.want {
			t.Errorf("%s at %s: %s, want %s", c.zone, c.at, got, c.want)
		}
	}
}

func TestDaysBetween(t *testing.T) {
	syd := Location("Australia/Sydney")
	a := time.Date(2027, 3, 1, 13, 30, 0, 0, time.UTC) // 2 March 00:30 in Sydney
	cases := []struct {
		b    time.Time
		loc  *time.Location
		want int
	}{
		{a.Add(10 * time.Hour), syd, 0},
		{time.Date(2027, 4, 5, 13, 30, 0, 0, time.UTC), syd, 34}, // 2 March to 5 April, across the end of daylight saving (4 April)
		{a.Add(-24 * time.Hour), syd, -1},
		{a.Add(11 * time.Hour), time.UTC, 1},
	}
	for _, c := range cases {
		if got := DaysBetween(a, c.b, c.loc); got != c.want {
			t.Errorf("DaysBetween(%s, %s, %s) = %d, want %d", a, c.b, c.loc, got, c.want)
		}
	}
}

func TestParseAnswers(t *testing.T) {
	f := DefaultSurvey(SurveyMid)
	cases := []struct {
		name    string
		form    map[string][]string
		bad     []string // fields with errors
		want    map[string][]string
		wantErr string
	}{
		{"all good", map[string][]string{"q.satisfaction": {"4"}, "q.heard": {"friend"}, "q.impact": {"ideas", "contacts", "ideas"}, "q.comments": {" <b>hi</b> "}},
			nil, map[string][]string{"satisfaction": {"4"}, "heard": {"friend"}, "impact": {"ideas", "contacts"}, "comments": {"<b>hi</b>"}}, ""},
		{"required missing", map[string][]string{"q.heard": {"friend"}}, []string{"q.satisfaction"}, nil, "Please answer"},
		{"scale out of range", map[string][]string{"q.satisfaction": {"6"}}, []string{"q.satisfaction"}, nil, "1 to 5"},
		{"unknown choice", map[string][]string{"q.satisfaction": {"3"}, "q.heard": {"radio"}}, []string{"q.heard"}, nil, "answers shown"},
		{"unknown impact", map[string][]string{"q.satisfaction": {"3"}, "q.impact": {"ideas", "fame"}}, []string{"q.impact"}, nil, "answers shown"},
		{"text too long", map[string][]string{"q.satisfaction": {"3"}, "q.comments": {strings.Repeat("字", 2001)}}, []string{"q.comments"}, nil, "2000"},
		{"unknown fields ignored", map[string][]string{"q.satisfaction": {"1"}, "q.other": {"x"}, "t": {"tok"}}, nil, map[string][]string{"satisfaction": {"1"}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseAnswers(f, c.form)
			if len(c.bad) > 0 {
				fe := Fields(err)
				for _, b := range c.bad {
					if _, ok := fe[b]; !ok {
						t.Errorf("no error on %s: %v", b, err)
					}
				}
				if !strings.Contains(err.Error(), c.wantErr) {
					t.Errorf("error %q lacks %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for k, v := range c.want {
				if strings.Join(got[k], ",") != strings.Join(v, ",") {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
		})
	}
}

func TestSurveyWindow(t *testing.T) {
	starts := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	r := &Round{Starts: starts, Ends: starts.AddDate(0, 4, 0), MidSurvey: starts.AddDate(0, 2, 0)}
	peer := &Programme{Mode: ModePeer}
	mentor := &Programme{Mode: ModeMentor, Schedule: Schedule{ReportDueDays: 21}}
	w, ok := peer.SurveyWindow(r, SurveyMid)
	if !ok || !w.Opens.Equal(r.MidSurvey) || !w.Closes.Equal(r.MidSurvey.AddDate(0, 0, 28)) {
		t.Errorf("mid: %+v %v", w, ok)
	}
	if !w.Open(r.MidSurvey) || w.Open(w.Closes) || w.Open(r.MidSurvey.Add(-time.Second)) {
		t.Error("a window is [opens, closes)")
	}
	if _, ok := peer.SurveyWindow(r, SurveyReport); ok {
		t.Error("a peer programme has a mentee report")
	}
	w, ok = mentor.SurveyWindow(r, SurveyReport)
	if !ok || !w.Opens.Equal(r.Ends.AddDate(0, 0, -14)) || !w.Closes.Equal(r.Ends.AddDate(0, 0, 21)) {
		t.Errorf("report: %+v", w)
	}
	short := &Round{Starts: starts, Ends: starts.AddDate(0, 1, 0), MidSurvey: starts.AddDate(0, 0, 20), EndSurvey: starts.AddDate(0, 0, 30)}
	if w, _ := peer.SurveyWindow(short, SurveyMid); !w.Closes.Equal(short.EndSurvey) {
		t.Errorf("the mid survey must close when the end survey opens: %+v", w)
	}
}

func TestScheduleValidation(t *testing.T) {
	p := Programme{ID: "x", Name: "X", Mode: ModePeer, Locale: "en", Sectors: []Option{{"a", "A"}}, Stages: []Option{{"a", "A"}}, Interests: []Option{{"a", "A"}},
		Schedule: Schedule{MorningHour: 25, SurveyReminders: 3},
		Surveys:  map[SurveyKind]SurveyForm{"weekly": {}, SurveyMid: {Questions: []SurveyQuestion{{ID: "q", Kind: "slider", Label: "Q"}}}}}
	fe := Fields(p.Validate())
	for _, f := range []string{"schedule.morningHour", "schedule.surveyReminders", "surveys.weekly", "surveys.mid"} {
		if _, ok := fe[f]; !ok {
			t.Errorf("no error on %s: %v", f, fe)
		}
	}
	if n := (Schedule{}).Normalised(); n.PromptEveryDays != 14 || n.CheckInAfterDays != 14 || n.MorningHour != 9 || n.SurveyReminders != 2 {
		t.Errorf("defaults: %+v", n)
	}
}
