package pairup

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Schedule is when a programme's round-in-progress emails go out. Zero fields take the defaults
// (the ILN's): a topic every 14 days, a check-in 14 days after the introduction, at 09:00 in each
// recipient's own time zone, survey reminders 7 days apart.
type Schedule struct {
	// PromptEveryDays is the days between discussion topics; the introduction carries the first.
	PromptEveryDays int `json:"promptEveryDays,omitempty"`
	// CheckInAfterDays is the days from the introduction to "have you heard from your partner?"
	// (negative: no check-in).
	CheckInAfterDays int `json:"checkInAfterDays,omitempty"`
	// MorningHour is the local hour (0–23) from which these emails go out on their day.
	MorningHour int `json:"morningHour,omitempty"`
	// ReminderEveryDays is the days between a survey invitation and each reminder.
	ReminderEveryDays int `json:"reminderEveryDays,omitempty"`
	// SurveyReminders is how many reminders an optional survey sends at most (default and
	// ceiling 2). The mentee report's reminders go on until it is sent or closes.
	SurveyReminders int `json:"surveyReminders,omitempty"`
	// SurveyOpenDays is how long an optional survey takes answers after it opens (default 28).
	SurveyOpenDays int `json:"surveyOpenDays,omitempty"`
	// ReportDueDays is how long after the round's end the mentee report is due (default 14); it
	// opens ReportOpensDays (default 14) before the end.
	ReportDueDays   int `json:"reportDueDays,omitempty"`
	ReportOpensDays int `json:"reportOpensDays,omitempty"`
}

func orDefault(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// Normalised returns s with every default filled in.
func (s Schedule) Normalised() Schedule {
	out := Schedule{
		PromptEveryDays:   orDefault(s.PromptEveryDays, 14),
		CheckInAfterDays:  orDefault(s.CheckInAfterDays, 14),
		MorningHour:       s.MorningHour,
		ReminderEveryDays: orDefault(s.ReminderEveryDays, 7),
		SurveyReminders:   min(orDefault(s.SurveyReminders, 2), 2),
		SurveyOpenDays:    orDefault(s.SurveyOpenDays, 28),
		ReportDueDays:     orDefault(s.ReportDueDays, 14),
		ReportOpensDays:   orDefault(s.ReportOpensDays, 14),
	}
	if s.CheckInAfterDays < 0 {
		out.CheckInAfterDays = -1
	}
	if s.MorningHour == 0 {
		out.MorningHour = 9
	}
	return out
}

func (s Schedule) validate(fe FieldErrors) {
	if s.MorningHour < 0 || s.MorningHour > 23 {
		fe.Add("schedule.morningHour", "must be an hour of the day, 0–23")
	}
	for name, v := range map[string]int{"promptEveryDays": s.PromptEveryDays, "reminderEveryDays": s.ReminderEveryDays,
		"surveyReminders": s.SurveyReminders, "surveyOpenDays": s.SurveyOpenDays, "reportDueDays": s.ReportDueDays, "reportOpensDays": s.ReportOpensDays} {
		if v < 0 {
			fe.Add("schedule."+name, "cannot be negative")
		}
	}
	if s.SurveyReminders > 2 {
		fe.Add("schedule.surveyReminders", "is at most 2")
	}
}

// LocalMorning is the instant of hour:00 on the calendar day of t in loc (daylight saving
// included: Go's time.Date resolves the wall clock in loc).
func LocalMorning(t time.Time, loc *time.Location, hour int) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, hour, 0, 0, 0, loc)
}

// DaysBetween counts calendar days in loc from a's day to b's day (negative if b is earlier).
func DaysBetween(a, b time.Time, loc *time.Location) int {
	ay, am, ad := a.In(loc).Date()
	by, bm, bd := b.In(loc).Date()
	da := time.Date(ay, am, ad, 12, 0, 0, 0, time.UTC)
	db := time.Date(by, bm, bd, 12, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Round(24*time.Hour) / (24 * time.Hour))
}

// Location returns the time zone of an IANA name, UTC for an empty or unknown one.
func Location(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// SurveyKind is which survey a response answers.
type SurveyKind string

// Survey kinds.
const (
	SurveyMid    SurveyKind = "mid"    // mid-round: how is it going
	SurveyEnd    SurveyKind = "end"    // end of round: how was it
	SurveyReport SurveyKind = "report" // mentor mode: the mentee's report, mandatory
)

// ValidSurveyKind reports whether k is one of the three kinds.
func ValidSurveyKind(k SurveyKind) bool {
	return k == SurveyMid || k == SurveyEnd || k == SurveyReport
}

// QuestionKind is how a survey question is answered.
type QuestionKind string

// Question kinds.
const (
	QuestionScale  QuestionKind = "scale"  // one of 1–5 (radio buttons), Low and High label the ends
	QuestionChoice QuestionKind = "choice" // one of Options (radio buttons)
	QuestionMulti  QuestionKind = "multi"  // any of Options (checkboxes)
	QuestionText   QuestionKind = "text"   // free text, at most MaxLength characters
)

// SurveyQuestion is one question of a survey form.
type SurveyQuestion struct {
	ID       string       `json:"id"`
	Kind     QuestionKind `json:"kind"`
	Label    string       `json:"label"`
	Hint     string       `json:"hint,omitempty"`
	Options  []Option     `json:"options,omitempty"`
	Required bool         `json:"required,omitempty"`
	// Low and High label a scale's ends (1 and 5).
	Low  string `json:"low,omitempty"`
	High string `json:"high,omitempty"`
	// MaxLength caps a text answer in characters (default 2,000).
	MaxLength int `json:"maxLength,omitempty"`
}

// SurveyForm is a survey's title and questions.
type SurveyForm struct {
	Title     string           `json:"title"`
	Intro     string           `json:"intro,omitempty"`
	Questions []SurveyQuestion `json:"questions"`
}

// SurveyField is the form field name of a question: "q.<id>".
func SurveyField(questionID string) string { return "q." + questionID }

// Scale is the values of a scale question, 1 to 5.
var Scale = []string{"1", "2", "3", "4", "5"}

// HeardOptions, ImpactOptions are the reference paper's answer sets (Figures 6 and 7).
var (
	HeardOptions = []Option{
		{Value: "friend", Label: "A friend or colleague"}, {Value: "social-media", Label: "Social media"},
		{Value: "email-list", Label: "An email list"}, {Value: "website", Label: "A website"},
		{Value: "conference", Label: "A conference or event"}, {Value: "other", Label: "Other"},
	}
	ImpactOptions = []Option{
		{Value: "awareness", Label: "Wider awareness of the profession"},
		{Value: "development", Label: "Professional development"},
		{Value: "contacts", Label: "New professional contacts"},
		{Value: "ideas", Label: "Ideas for my own library"},
		{Value: "confidence", Label: "More confidence in my work"},
		{Value: "none", Label: "None of these yet"},
	}
)

// DefaultSurvey is the form of a survey kind when the programme defines none: satisfaction
// (1–5), how the participant heard of the programme, impact and comments, as in the reference
// paper's Figures 5–7; the mentee report adds what the mentee did and learned.
func DefaultSurvey(kind SurveyKind) SurveyForm {
	satisfaction := SurveyQuestion{ID: "satisfaction", Kind: QuestionScale, Label: "How satisfied are you with the programme so far?",
		Required: true, Low: "Very dissatisfied", High: "Very satisfied"}
	heard := SurveyQuestion{ID: "heard", Kind: QuestionChoice, Label: "How did you hear about the programme?", Options: HeardOptions}
	impact := SurveyQuestion{ID: "impact", Kind: QuestionMulti, Label: "What has taking part given you?", Hint: "Choose all that apply.", Options: ImpactOptions}
	comments := SurveyQuestion{ID: "comments", Kind: QuestionText, Label: "Anything else you would like to tell the coordinators?", MaxLength: 2000}
	switch kind {
	case SurveyEnd:
		satisfaction.Label = "Overall, how satisfied were you with the programme?"
		return SurveyForm{Title: "End-of-round survey", Intro: "Thank you for taking part. Your answers shape the next round.",
			Questions: []SurveyQuestion{satisfaction, heard, impact, {ID: "again", Kind: QuestionChoice, Label: "Would you take part again?", Required: true,
				Options: []Option{{Value: "yes", Label: "Yes"}, {Value: "maybe", Label: "Maybe"}, {Value: "no", Label: "No"}}}, comments}}
	case SurveyReport:
		return SurveyForm{Title: "Mentee report", Intro: "The programme asks every mentee for this short report. It goes to the coordinators only.",
			Questions: []SurveyQuestion{
				{ID: "meetings", Kind: QuestionChoice, Label: "How many times did you meet or talk with your mentor?", Required: true,
					Options: []Option{{Value: "0", Label: "Not yet"}, {Value: "1-2", Label: "Once or twice"}, {Value: "3-5", Label: "Three to five times"}, {Value: "6+", Label: "Six times or more"}}},
				{ID: "activities", Kind: QuestionText, Label: "What did you do together (visits, shadowing, reviewing a CV…)?", Required: true, MaxLength: 2000},
				{ID: "learned", Kind: QuestionText, Label: "What did you learn?", Required: true, MaxLength: 2000},
				satisfaction, impact, comments}}
	default:
		return SurveyForm{Title: "Mid-round survey", Intro: "Halfway through: tell us how it is going. It takes two minutes.",
			Questions: []SurveyQuestion{satisfaction, heard, impact, comments}}
	}
}

// Survey returns the programme's form for a survey kind: its own, else DefaultSurvey.
func (p *Programme) Survey(kind SurveyKind) SurveyForm {
	if f, ok := p.Surveys[kind]; ok && len(f.Questions) > 0 {
		return f
	}
	return DefaultSurvey(kind)
}

func validateSurveys(fe FieldErrors, surveys map[SurveyKind]SurveyForm) {
	for kind, f := range surveys {
		field := "surveys." + string(kind)
		if !ValidSurveyKind(kind) {
			fe.Add(field, fmt.Sprintf("unknown survey kind %q (want mid, end or report)", kind))
			continue
		}
		seen := map[string]bool{}
		for _, q := range f.Questions {
			if !ValidID(q.ID) || seen[q.ID] {
				fe.Add(field, fmt.Sprintf("question id %q must be plain and unique", q.ID))
			}
			seen[q.ID] = true
			if strings.TrimSpace(q.Label) == "" {
				fe.Add(field, fmt.Sprintf("question %q needs a label", q.ID))
			}
			switch q.Kind {
			case QuestionScale, QuestionText:
			case QuestionChoice, QuestionMulti:
				checkOptions(fe, field+"."+q.ID, q.Options)
			default:
				fe.Add(field, fmt.Sprintf("question %q has unknown kind %q", q.ID, q.Kind))
			}
		}
	}
}

// SurveyAnswers are a response's answers by question id, each as its form values.
type SurveyAnswers map[string][]string

// MaxTextAnswer is the default cap on a text answer, in characters.
const MaxTextAnswer = 2000

// ParseAnswers validates posted form values against a survey's questions: fields "q.<id>"; a
// scale answer is one of 1–5, a choice one of its options, a multi any of them, text at most
// MaxLength characters. Unknown fields are ignored. The error names each bad field (by its form
// field name).
func ParseAnswers(f SurveyForm, form map[string][]string) (SurveyAnswers, error) {
	fe := FieldErrors{}
	out := SurveyAnswers{}
	for _, q := range f.Questions {
		name := SurveyField(q.ID)
		var vals []string
		for _, v := range form[name] {
			if v = strings.TrimSpace(v); v != "" {
				vals = append(vals, v)
			}
		}
		if len(vals) == 0 {
			if q.Required {
				fe.Add(name, "Please answer this question.")
			}
			continue
		}
		switch q.Kind {
		case QuestionScale:
			n, err := strconv.Atoi(vals[0])
			if len(vals) != 1 || err != nil || n < 1 || n > 5 {
				fe.Add(name, "Choose one value from 1 to 5.")
				continue
			}
		case QuestionChoice:
			if len(vals) != 1 || !hasOption(q.Options, vals[0]) {
				fe.Add(name, "Choose one of the answers shown.")
				continue
			}
		case QuestionMulti:
			ok := true
			seen := map[string]bool{}
			var uniq []string
			for _, v := range vals {
				ok = ok && hasOption(q.Options, v)
				if !seen[v] {
					uniq = append(uniq, v)
				}
				seen[v] = true
			}
			if !ok {
				fe.Add(name, "Choose among the answers shown.")
				continue
			}
			vals = uniq
		case QuestionText:
			limit := q.MaxLength
			if limit <= 0 {
				limit = MaxTextAnswer
			}
			text := strings.Join(vals, "\n")
			if n := utf8.RuneCountInString(text); n > limit {
				fe.Add(name, fmt.Sprintf("Please shorten this answer to %d characters (it has %d).", limit, n))
				continue
			}
			if !utf8.ValidString(text) || strings.ContainsRune(text, 0) {
				fe.Add(name, "This answer contains characters we cannot store.")
				continue
			}
			vals = []string{text}
		}
		out[q.ID] = vals
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// SurveyWindow is when a survey of a round takes answers: [Opens, Closes).
type SurveyWindow struct {
	Opens, Closes time.Time
}

// Open reports whether the survey takes answers at now.
func (w SurveyWindow) Open(now time.Time) bool { return !now.Before(w.Opens) && now.Before(w.Closes) }

// SurveyWindow returns when a round's survey of kind takes answers, by the programme's
// schedule: the mid-round survey from the round's MidSurvey (else halfway through) for
// SurveyOpenDays, but not past the end survey's opening; the end survey from EndSurvey (else
// the end) for SurveyOpenDays; the mentee report from ReportOpensDays before the end to
// ReportDueDays after it. ok is false when the round has no such survey (the report outside
// mentor mode).
func (p *Programme) SurveyWindow(r *Round, kind SurveyKind) (w SurveyWindow, ok bool) {
	s := p.Schedule.Normalised()
	days := func(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }
	endOpens := r.EndSurvey
	if endOpens.IsZero() {
		endOpens = r.Ends
	}
	switch kind {
	case SurveyMid:
		opens := r.MidSurvey
		if opens.IsZero() {
			opens = r.Starts.Add(r.Ends.Sub(r.Starts) / 2)
		}
		closes := opens.Add(days(s.SurveyOpenDays))
		if endOpens.After(opens) && endOpens.Before(closes) {
			closes = endOpens
		}
		return SurveyWindow{opens, closes}, true
	case SurveyEnd:
		return SurveyWindow{endOpens, endOpens.Add(days(s.SurveyOpenDays))}, true
	case SurveyReport:
		if p.Mode != ModeMentor {
			return SurveyWindow{}, false
		}
		return SurveyWindow{r.Ends.Add(-days(s.ReportOpensDays)), r.Ends.Add(days(s.ReportDueDays))}, true
	}
	return SurveyWindow{}, false
}

// SurveyResponse is one participant's answers to one survey of a round; a resubmission before
// the survey closes replaces the answers.
type SurveyResponse struct {
	ProgrammeID    string        `json:"programmeId"`
	RoundID        string        `json:"roundId"`
	Kind           SurveyKind    `json:"kind"`
	RegistrationID string        `json:"registrationId"`
	ParticipantID  string        `json:"participantId,omitempty"`
	Role           Role          `json:"role,omitempty"`
	Answers        SurveyAnswers `json:"answers"`
	FirstAt        time.Time     `json:"firstAt"`     // the first submission
	SubmittedAt    time.Time     `json:"submittedAt"` // the latest, whose answers these are
	Submissions    int           `json:"submissions"`
}

// CheckInAnswer is a participant's answer to "have you heard from your partner?".
type CheckInAnswer string

// Check-in answers.
const (
	CheckInYes CheckInAnswer = "yes"
	CheckInNo  CheckInAnswer = "no"
)

// CheckIn is one member's answer to a pair's check-in. Each member answers once.
type CheckIn struct {
	ProgrammeID    string        `json:"programmeId"`
	RoundID        string        `json:"roundId"`
	PairID         string        `json:"pairId"`
	RegistrationID string        `json:"registrationId"`
	Answer         CheckInAnswer `json:"answer"`
	At             time.Time     `json:"at"`
}

// Pair end reasons.
const (
	PairEndRepaired  = "re-paired" // a member was re-paired by the coordinators
	PairEndWithdrawn = "withdrawn" // a member withdrew from the round
)

// Active reports whether the pair is still running (not ended by a re-pair or a withdrawal).
func (p *Pair) Active() bool { return p.EndedAt.IsZero() }

// Has reports whether registration id is a member of the pair.
func (p *Pair) Has(id string) bool {
	for _, m := range p.Members {
		if m.RegistrationID == id {
			return true
		}
	}
	return false
}
