package pairup

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pairup/pairup/shared/iso"
)

// Mode is how a programme pairs people.
type Mode string

const (
	// ModePeer pairs equals ("all are mentors and all are protégés"), as the ILN does.
	ModePeer Mode = "peer"
	// ModeMentor assigns mentees to mentors with a capacity each, as the HKLA does.
	ModeMentor Mode = "mentor"
)

// Option is one choice of a select, radio or checkbox field.
type Option struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// Question is a yes/no question on the signup form.
type Question struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// Rules are the constraints the matcher and the signup form apply for a programme.
type Rules struct {
	// SameCountryAllowed lets two people from the same country be paired (the ILN forbids it).
	SameCountryAllowed bool `json:"sameCountryAllowed"`
	// RequireSharedLanguage: a pair must share at least one language.
	RequireSharedLanguage bool `json:"requireSharedLanguage"`
	// CountryCapPercent caps any one country's share of a round (ILN: 20); 0 means no cap.
	CountryCapPercent int `json:"countryCapPercent"`
	// MaxMentees is the most mentees one mentor may take (mentor mode).
	MaxMentees int `json:"maxMentees"`
	// MaxInterests is how many interests a participant may pick.
	MaxInterests int `json:"maxInterests"`
	// ConfirmationEmailCap is the most confirmation emails one registration may receive.
	ConfirmationEmailCap int `json:"confirmationEmailCap"`
}

// Programme is a mentoring programme: its mode, rules and the choices its signup form offers.
type Programme struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Mode        Mode   `json:"mode"`
	// Country, when set, is the one country of a local programme (HKLA: HK); the form does not
	// ask for it.
	Country string `json:"country,omitempty"`
	// Languages are the language codes the form offers; empty offers every ISO 639-1 language.
	Languages []string `json:"languages,omitempty"`
	// CommonLanguages are the language codes the form lists first, in this order; the rest of
	// the offered languages sit behind "More languages". Empty: all offered languages are listed
	// together when the programme restricts Languages, else none come first.
	CommonLanguages []string `json:"commonLanguages,omitempty"`
	Sectors         []Option `json:"sectors"`
	Stages          []Option `json:"stages"`
	Interests       []Option `json:"interests"`
	// Eligibility are the questions a mentee must answer yes to (mentor mode).
	Eligibility []Question `json:"eligibility,omitempty"`
	// Priority, if set, is a yes/no question whose yes puts a mentee first on the waitlist
	// (e.g. final-year students).
	Priority *Question `json:"priority,omitempty"`
	// Locale is the default language of pages and emails ("en" or "zh-Hant").
	Locale string `json:"locale"`
	Rules  Rules  `json:"rules"`
	// Coordinators receive reports and alerts. Not shown to participants.
	Coordinators []string `json:"coordinators,omitempty"`
	// Icebreakers are questions the introduction suggests partners start with; Topics are the
	// discussion topics, in the order they go out (the introduction carries the first).
	Icebreakers []string `json:"icebreakers,omitempty"`
	Topics      []string `json:"topics,omitempty"`
	// AutoCommit: when a round's signup closes, the scheduled matching commits at once; otherwise
	// it emails the coordinators a proposal to check, adjust and commit ("part human, part robot").
	AutoCommit bool `json:"autoCommit,omitempty"`
	// Schedule is when the round-in-progress emails go out (zero: the defaults).
	Schedule Schedule `json:"schedule,omitzero"`
	// Surveys are the programme's own survey forms by kind; a kind left out uses DefaultSurvey.
	Surveys map[SurveyKind]SurveyForm `json:"surveys,omitempty"`
	// RetentionDays is how long after a round closes its personal data is kept before the
	// retention schedule erases it (0: DefaultRetentionDays; see Retention).
	RetentionDays int `json:"retentionDays,omitempty"`
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// ValidID reports whether s can name a programme or round: 1–40 of a–z, 0–9 and '-', not
// starting with '-'. IDs appear in URLs and keys, so they are kept this plain.
func ValidID(s string) bool { return idPattern.MatchString(s) }

// Validate checks a programme's configuration; the error names each bad field.
func (p *Programme) Validate() error {
	fe := FieldErrors{}
	if !ValidID(p.ID) {
		fe.Add("id", "must be 1–40 characters of a–z, 0–9 and '-'")
	}
	if strings.TrimSpace(p.Name) == "" {
		fe.Add("name", "is required")
	}
	switch p.Mode {
	case ModePeer, ModeMentor:
	default:
		fe.Add("mode", fmt.Sprintf("must be %q or %q", ModePeer, ModeMentor))
	}
	if p.Country != "" && !iso.IsCountry(p.Country) {
		fe.Add("country", fmt.Sprintf("%q is not an ISO 3166-1 alpha-2 code", p.Country))
	}
	if p.Country != "" && !p.Rules.SameCountryAllowed {
		fe.Add("rules.sameCountryAllowed", "must be true for a single-country programme")
	}
	for _, l := range p.Languages {
		if !iso.IsLanguage(l) {
			fe.Add("languages", fmt.Sprintf("%q is not an ISO 639-1 code", l))
		}
	}
	checkOptions(fe, "sectors", p.Sectors)
	checkOptions(fe, "stages", p.Stages)
	checkOptions(fe, "interests", p.Interests)
	if p.Mode == ModeMentor && p.Rules.MaxMentees < 1 {
		fe.Add("rules.maxMentees", "must be at least 1 in mentor mode")
	}
	if p.Rules.CountryCapPercent < 0 || p.Rules.CountryCapPercent > 100 {
		fe.Add("rules.countryCapPercent", "must be between 0 and 100")
	}
	if p.Rules.MaxInterests < 0 || p.Rules.ConfirmationEmailCap < 0 {
		fe.Add("rules", "limits cannot be negative")
	}
	p.Schedule.validate(fe)
	validateSurveys(fe, p.Surveys)
	validateRetention(fe, p.RetentionDays)
	switch p.Locale {
	case "en", "zh-Hant":
	default:
		fe.Add("locale", `must be "en" or "zh-Hant"`)
	}
	return fe.Err()
}

func checkOptions(fe FieldErrors, field string, opts []Option) {
	if len(opts) == 0 {
		fe.Add(field, "needs at least one option")
	}
	seen := map[string]bool{}
	for _, o := range opts {
		if !ValidID(o.Value) || o.Label == "" {
			fe.Add(field, fmt.Sprintf("option %q needs a plain value and a label", o.Value))
		}
		if seen[o.Value] {
			fe.Add(field, fmt.Sprintf("option %q appears twice", o.Value))
		}
		seen[o.Value] = true
	}
}

// MaxInterests is the programme's cap on interests, 5 when unset.
func (p *Programme) MaxInterests() int {
	if p.Rules.MaxInterests > 0 {
		return p.Rules.MaxInterests
	}
	return 5
}

// ConfirmationEmailCap is the programme's cap on confirmation emails per registration, 5 when
// unset.
func (p *Programme) ConfirmationEmailCap() int {
	if p.Rules.ConfirmationEmailCap > 0 {
		return p.Rules.ConfirmationEmailCap
	}
	return 5
}

func hasOption(opts []Option, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

// OptionLabel returns the label of value v among opts, or v.
func OptionLabel(opts []Option, v string) string {
	for _, o := range opts {
		if o.Value == v {
			return o.Label
		}
	}
	return v
}
