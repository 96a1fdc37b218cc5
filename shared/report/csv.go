package report

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pairup/pairup/shared/iso"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/sheet"
)

// The CSV exports go to coordinators only. Each is written through package sheet: UTF-8 with a
// byte-order mark, every formula-like cell neutralised. Labels are the programme's own; names
// of countries and languages are English; times are UTC.

// erasedName stands in for the name of someone whose data was erased.
const erasedName = "(erased)"

// RegistrationsCSV is every registration of the round that still holds its data, one row each
// in signup order: status, contact, profile (with the programme's labels), what the matching
// decided, and dates. Erased registrations are left out: nothing of theirs is exported.
func RegistrationsCSV(in Input) []byte {
	p := in.programme()
	outcome := map[string]pairup.Outcome{}
	for _, o := range in.Outcomes {
		outcome[o.RegistrationID] = o
	}
	regs := slices.Clone(in.Registrations)
	slices.SortFunc(regs, func(a, b pairup.Registration) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	header := []string{"registration", "participant", "name", "email", "status", "role", "mentees (capacity)", "country code", "country",
		"languages", "time zone", "sector", "career stage", "interests", "partner preference", "priority", "returning",
		"outcome", "outcome reason", "position", "signed up (UTC)", "confirmed (UTC)", "withdrawn (UTC)"}
	var rows [][]string
	for _, r := range regs {
		if !r.ErasedAt.IsZero() {
			continue
		}
		langs := make([]string, len(r.Languages))
		for i, l := range r.Languages {
			langs[i] = iso.LanguageName(l, "en")
		}
		interests := make([]string, len(r.Interests))
		for i, v := range r.Interests {
			interests[i] = pairup.OptionLabel(p.Interests, v)
		}
		capacity, priority := "", ""
		if r.Role == pairup.RoleMentor {
			capacity = strconv.Itoa(r.Capacity)
		}
		if r.Role == pairup.RoleMentee && p.Priority != nil {
			priority = yesNo(r.Priority)
		}
		o := outcome[r.ID]
		position := ""
		if o.Position > 0 {
			position = strconv.Itoa(o.Position)
		}
		rows = append(rows, []string{r.ID, r.ParticipantID, r.Name, r.Email, string(r.Status), string(r.Role), capacity, r.Country, countryName(r.Country),
			strings.Join(langs, "; "), r.TimeZone, pairup.OptionLabel(p.Sectors, r.Sector), pairup.OptionLabel(p.Stages, r.CareerStage),
			strings.Join(interests, "; "), string(r.Preference), priority, yesNo(r.Returning),
			string(o.Kind), o.Reason, position, stamp(r.CreatedAt), stamp(r.ConfirmedAt), stamp(r.WithdrawnAt)})
	}
	return sheet.CSV(header, rows)
}

// PairsCSV is every pair of the round, ended ones too, in the order they were made: each
// member's name, country, check-in answer and continue choice (three members for a peer trio;
// a mentor first in mentor mode), the matcher's score and reasons, and how the pair ended.
func PairsCSV(in Input) []byte {
	p := in.programme()
	regs := in.byID()
	checkIn := map[string]string{} // pair#registration
	for _, c := range in.CheckIns {
		checkIn[c.PairID+"#"+c.RegistrationID] = string(c.Answer)
	}
	choice := map[string]string{}
	for _, a := range in.Continues {
		choice[a.PairID+"#"+a.RegistrationID] = string(a.Choice)
	}
	members := 3
	names := []string{"member 1", "member 2", "member 3"}
	if p.Mode == pairup.ModeMentor {
		members, names = 2, []string{"mentor", "mentee"}
	}
	header := []string{"pair", "made (UTC)"}
	for _, n := range names {
		header = append(header, n+" registration", n, n+" country", n+" check-in", n+" continue choice")
	}
	header = append(header, "score", "pinned", "reasons", "replaces pair", "ended (UTC)", "end reason")
	pairs := slices.Clone(in.Pairs)
	slices.SortFunc(pairs, func(a, b pairup.Pair) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	var rows [][]string
	for _, pr := range pairs {
		row := []string{pr.ID, stamp(pr.CreatedAt)}
		for i := range max(members, len(pr.Members)) {
			if i >= len(pr.Members) {
				row = append(row, "", "", "", "", "")
				continue
			}
			m := pr.Members[i]
			name, country := person(regs[m.RegistrationID])
			key := pr.ID + "#" + m.RegistrationID
			row = append(row, m.RegistrationID, name, country, checkIn[key], choice[key])
		}
		row = append(row, strconv.FormatInt(pr.Score, 10), yesNo(pr.Pinned), strings.Join(pr.Reasons, "; "),
			pr.Replaces, stamp(pr.EndedAt), pr.EndReason)
		rows = append(rows, row)
	}
	return sheet.CSV(header, rows)
}

// ResponsesCSV is every survey response of the round, one row each (mid-round survey, then
// end-of-round, then mentee reports; each in the order first sent), with a column per
// question of the programme's forms, headed by its label (a question two forms share, by id,
// is one column). Choices show the programme's labels (several joined by "; "); free text is
// as written.
func ResponsesCSV(in Input) []byte {
	p := in.programme()
	regs := in.byID()
	type column struct {
		q     pairup.SurveyQuestion
		kinds map[pairup.SurveyKind]pairup.SurveyQuestion
	}
	var cols []*column
	byQuestion := map[string]*column{}
	present := map[pairup.SurveyKind]bool{}
	for _, r := range in.Responses {
		present[r.Kind] = true
	}
	for _, k := range surveyKinds {
		if !present[k] {
			continue
		}
		for _, q := range p.Survey(k).Questions {
			c := byQuestion[q.ID]
			if c == nil {
				c = &column{q: q, kinds: map[pairup.SurveyKind]pairup.SurveyQuestion{}}
				byQuestion[q.ID] = c
				cols = append(cols, c)
			}
			c.kinds[k] = q
		}
	}
	header := []string{"survey", "registration", "name", "role", "country", "first sent (UTC)", "last sent (UTC)", "times sent"}
	for _, c := range cols {
		header = append(header, c.q.Label)
	}
	order := map[pairup.SurveyKind]int{}
	for i, k := range surveyKinds {
		order[k] = i
	}
	responses := slices.Clone(in.Responses)
	slices.SortFunc(responses, func(a, b pairup.SurveyResponse) int {
		ka, okA := order[a.Kind]
		kb, okB := order[b.Kind]
		if !okA {
			ka = len(surveyKinds)
		}
		if !okB {
			kb = len(surveyKinds)
		}
		return cmp.Or(cmp.Compare(ka, kb), strings.Compare(string(a.Kind), string(b.Kind)),
			a.FirstAt.Compare(b.FirstAt), strings.Compare(a.RegistrationID, b.RegistrationID))
	})
	var rows [][]string
	for _, r := range responses {
		name, country := person(regs[r.RegistrationID])
		row := []string{surveyName(r.Kind), r.RegistrationID, name, string(r.Role), country,
			stamp(r.FirstAt), stamp(r.SubmittedAt), strconv.Itoa(r.Submissions)}
		for _, c := range cols {
			q, asked := c.kinds[r.Kind]
			if !asked {
				q = c.q
			}
			row = append(row, answerText(q, r.Answers[q.ID]))
		}
		rows = append(rows, row)
	}
	return sheet.CSV(header, rows)
}

// answerText is an answer as a spreadsheet cell: a choice's label, several joined by "; ",
// a scale's number, text as written.
func answerText(q pairup.SurveyQuestion, vals []string) string {
	switch q.Kind {
	case pairup.QuestionChoice, pairup.QuestionMulti:
		labels := make([]string, len(vals))
		for i, v := range vals {
			labels[i] = pairup.OptionLabel(q.Options, v)
		}
		return strings.Join(labels, "; ")
	}
	return strings.Join(vals, "\n")
}

// person is how an export names a member or respondent: their name and country, or "(erased)"
// and nothing once their data is erased (the ids stay, as they do in the store).
func person(r *pairup.Registration) (name, country string) {
	switch {
	case r == nil:
		return "", ""
	case !r.ErasedAt.IsZero():
		return erasedName, ""
	}
	return r.Name, countryName(r.Country)
}

func (in Input) byID() map[string]*pairup.Registration {
	out := make(map[string]*pairup.Registration, len(in.Registrations))
	for i := range in.Registrations {
		out[in.Registrations[i].ID] = &in.Registrations[i]
	}
	return out
}

// programme is the input's programme, or an empty one (labels then show the stored values).
func (in Input) programme() *pairup.Programme {
	if in.Programme == nil {
		return &pairup.Programme{}
	}
	return in.Programme
}

func countryName(code string) string {
	if code == "" {
		return ""
	}
	return iso.CountryName(code, "en")
}

// stamp is a time as an export writes it, "2027-01-04 09:00" in UTC, or nothing for none.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
