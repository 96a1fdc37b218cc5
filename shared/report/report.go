package report

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/pairup/pairup/shared/pairup"
)

// Input is everything a round's report is computed from: the store's data for one round (no AWS
// in this package; the caller reads it).
type Input struct {
	Programme     *pairup.Programme
	Round         *pairup.Round // Round.Matching, and Round.Stats once closed
	Registrations []pairup.Registration
	Pairs         []pairup.Pair
	Outcomes      []pairup.Outcome
	CheckIns      []pairup.CheckIn
	Continues     []pairup.ContinueAnswer
	Responses     []pairup.SurveyResponse
	// Invited counts the survey invitations sent, by kind (from the outbox keys; the caller
	// counts them as package roundclose does for the frozen statistics).
	Invited map[pairup.SurveyKind]int
	// At is when the report is taken (the caller's clock), for a round not yet closed: a
	// check-in is "no answer" once its day has passed by At. Zero: the round's end. A closed
	// round reports its frozen statistics, and At is ignored.
	At time.Time
}

// Report is a round's report: the statistics table, the charts, and the same figures as
// numbers.
type Report struct {
	ProgrammeID string      `json:"programmeId"`
	RoundID     string      `json:"roundId"`
	Programme   string      `json:"programme"` // the programme's name
	Round       string      `json:"round"`     // the round's name
	Mode        pairup.Mode `json:"mode"`
	Starts      time.Time   `json:"starts"` // the round's mentoring period
	Ends        time.Time   `json:"ends"`
	// Frozen: the round is closed and Raw is its frozen RoundStats; otherwise Raw is computed
	// as of At and changes until the round closes.
	Frozen bool      `json:"frozen"`
	At     time.Time `json:"at"`
	// Stats is the statistics table (the reference paper's Figure 4), in reading order.
	Stats []Row `json:"stats"`
	// Charts are, in this order: satisfaction (Figure 5), how participants heard of the
	// programme (Figure 6) and the impact of taking part (Figure 7) — each only if the round's
	// surveys ask that question — then survey responses against invitations and participants
	// by country.
	Charts []Chart `json:"charts"`
	// Raw is the same figures as numbers, for the function's JSON result.
	Raw pairup.RoundStats `json:"raw"`

	countries map[string]int // matched participants by country code, for AcrossRounds
}

// Row is one line of a statistics table.
type Row struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Build computes a round's report. It is deterministic: the same input gives the same report,
// byte for byte in its charts. A round whose statistics are frozen (closed) reports them as
// they were frozen, whatever was erased since; the charts count what the data still holds
// (erasure keeps scales, choices and countries).
func Build(in Input) (*Report, error) {
	if in.Programme == nil || in.Round == nil {
		return nil, pairup.Errorf(pairup.EINVALID, "report: a report needs the programme and the round")
	}
	p, r := in.Programme, in.Round
	rep := &Report{
		ProgrammeID: p.ID, RoundID: r.ID, Programme: p.Name, Round: r.Name, Mode: p.Mode,
		Starts: r.Starts, Ends: r.Ends,
	}
	if r.Stats != nil {
		rep.Frozen, rep.At, rep.Raw = true, r.Stats.ClosedAt, *r.Stats
	} else {
		rep.At = in.At
		if rep.At.IsZero() {
			rep.At = r.Ends
		}
		rep.Raw = in.record().Stats(rep.At)
	}
	rep.countries = matchedByCountry(in)
	rep.Stats = rep.statsRows(r.State)
	charts, err := in.charts(rep)
	if err != nil {
		return nil, fmt.Errorf("report: charts of %s/%s: %w", p.ID, r.ID, err)
	}
	rep.Charts = charts
	return rep, nil
}

// record is the input as pairup's RoundRecord, whose Stats is the one formula for a round's
// statistics (package roundclose freezes the same at the close).
func (in Input) record() pairup.RoundRecord {
	return pairup.RoundRecord{
		Round: in.Round, Schedule: in.Programme.Schedule, Registrations: in.Registrations, Outcomes: in.Outcomes,
		Pairs: in.Pairs, CheckIns: in.CheckIns, Continues: in.Continues, Responses: in.Responses, Invited: in.Invited,
	}
}

// matchedByCountry counts the people the committed matching put in a pair, by country: the
// members of the round's pairs that replace none (a re-pair's or a withdrawal's new pair
// replaces one), so the counts add up to the statistics' participants matched.
func matchedByCountry(in Input) map[string]int {
	country := map[string]string{}
	for _, reg := range in.Registrations {
		country[reg.ID] = reg.Country
	}
	seen := map[string]bool{}
	out := map[string]int{}
	for _, pr := range in.Pairs {
		if pr.Replaces != "" {
			continue
		}
		for _, m := range pr.Members {
			if seen[m.RegistrationID] {
				continue
			}
			seen[m.RegistrationID] = true
			c := country[m.RegistrationID]
			if c == "" {
				c = unknownCountry
			}
			out[c]++
		}
	}
	return out
}

// unknownCountry stands for a member whose registration the input lacks.
const unknownCountry = "?"

// surveyKinds are the survey kinds in the order reports show them.
var surveyKinds = []pairup.SurveyKind{pairup.SurveyMid, pairup.SurveyEnd, pairup.SurveyReport}

// surveyName is how a report names a survey kind.
func surveyName(k pairup.SurveyKind) string {
	switch k {
	case pairup.SurveyMid:
		return "Mid-round survey"
	case pairup.SurveyEnd:
		return "End-of-round survey"
	case pairup.SurveyReport:
		return "Mentee report"
	}
	return string(k)
}

// statsRows is the statistics table: what the matching did, what happened during the round,
// how it ended, and the surveys' response rates.
func (rep *Report) statsRows(state pairup.RoundState) []Row {
	st := rep.Raw
	n := func(label string, v int) Row { return Row{Label: label, Value: count(v)} }
	status := fmt.Sprintf("As of %s, while the round is %s: the figures change until it closes", when(rep.At), state)
	if rep.Frozen {
		status = "Final: frozen when the round closed on " + day(rep.At)
	}
	rows := []Row{
		{Label: "Figures", Value: status},
		{Label: "Timeframe", Value: timeframe(rep.Starts, rep.Ends)},
		n("Registrations", st.Registrations),
		n("Confirmed", st.Confirmed),
		n("Participants matched", st.Participants),
		n("Countries (of those matched)", st.Countries),
	}
	if rep.Mode == pairup.ModeMentor {
		rows = append(rows, n("Pairs (mentor and mentee)", st.Pairs))
	} else {
		rows = append(rows, n("Pairs (a trio counts once)", st.Pairs), n("Trios", st.Trios))
	}
	unmatched := 0
	for _, v := range st.Unmatched {
		unmatched += v
	}
	rows = append(rows, n("Unmatched", unmatched))
	for _, reason := range slices.Sorted(maps.Keys(st.Unmatched)) {
		rows = append(rows, n("Unmatched: "+reason, st.Unmatched[reason]))
	}
	rows = append(rows, n("Deferred to the next round (country cap)", st.Deferred))
	if rep.Mode == pairup.ModeMentor {
		rows = append(rows, n("Waitlisted", st.Waitlisted))
	}
	rows = append(rows,
		n("Given a new partner", st.RePaired),
		n("Withdrawn", st.Withdrawn),
		n("Check-in: heard from their partner", st.CheckIns.Yes),
		n("Check-in: not heard from their partner", st.CheckIns.No),
		n("Check-in: no answer", st.CheckIns.None),
		n("Pairs at the close", st.PairsAtClose),
		n("Continued pairs (every member chose to continue)", st.ContinuedPairs),
		n("Concluded pairs (a member chose to conclude)", st.ConcludedPairs),
		n("Pairs partly answered (some continue, the rest did not answer)", st.PartialPairs),
		n("Pairs where nobody chose", st.NoChoicePairs),
	)
	for _, k := range surveyKinds {
		if rate, ok := st.Surveys[k]; ok {
			rows = append(rows, Row{Label: surveyName(k) + ": responses", Value: ofInvited(rate.Responded, rate.Invited)})
		}
	}
	return rows
}

// count formats a count with thousands separators: 1,234.
func count(n int) string {
	s := strconv.Itoa(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// ofInvited is "6 of 8 invited (75%)", or "none invited".
func ofInvited(responded, invited int) string {
	if invited == 0 {
		if responded == 0 {
			return "none invited"
		}
		return count(responded) + " (none invited)"
	}
	return fmt.Sprintf("%s of %s invited (%s)", count(responded), count(invited), percent(responded, invited))
}

// percent is part of whole as a whole percentage: "75%".
func percent(part, whole int) string {
	if whole == 0 {
		return "–"
	}
	return strconv.Itoa(int(math.Round(100*float64(part)/float64(whole)))) + "%"
}

// day is a date as reports print it: "3 May 2027" (UTC).
func day(t time.Time) string { return t.UTC().Format("2 January 2006") }

// when is a time as reports print it: "3 May 2027, 09:00 UTC".
func when(t time.Time) string { return t.UTC().Format("2 January 2006, 15:04 UTC") }

// timeframe is a round's mentoring period: "4 January – 3 May 2027", or with both years when
// they differ.
func timeframe(starts, ends time.Time) string {
	if starts.IsZero() || ends.IsZero() {
		return "–"
	}
	s, e := starts.UTC(), ends.UTC()
	if s.Year() == e.Year() {
		return s.Format("2 January") + " – " + e.Format("2 January 2006")
	}
	return s.Format("2 January 2006") + " – " + e.Format("2 January 2006")
}
