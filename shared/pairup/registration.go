package pairup

import (
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones resolve the same in Lambda as on a laptop
	"unicode"
	"unicode/utf8"

	"github.com/pairup/pairup/shared/iso"
)

// Role is a participant's part in a pair.
type Role string

const (
	RolePeer   Role = "peer"   // peer mode: everyone
	RoleMentor Role = "mentor" // mentor mode: gives mentoring, up to a capacity
	RoleMentee Role = "mentee" // mentor mode: receives mentoring
)

// Preference is what kind of partner a participant would like.
type Preference string

const (
	PreferAny         Preference = "any"          // open to any match
	PreferCareerStage Preference = "career-stage" // someone at the same career stage
	PreferInterest    Preference = "interest"     // someone sharing an interest
	PreferSector      Preference = "sector"       // someone from the same sector
)

// Preferences lists the valid preferences in form order.
var Preferences = []Preference{PreferAny, PreferCareerStage, PreferInterest, PreferSector}

// Status is where a registration is.
type Status string

const (
	StatusPending   Status = "pending"   // signed up, email not yet confirmed
	StatusConfirmed Status = "confirmed" // email confirmed: takes part in matching
	StatusWithdrawn Status = "withdrawn" // withdrew; kept only as long as needed
)

// Registration is one person's signup to one round.
type Registration struct {
	ID          string `json:"id"`
	ProgrammeID string `json:"programmeId"`
	RoundID     string `json:"roundId"`
	// ParticipantID is the person across rounds, set when the email is confirmed; a returning
	// participant keeps the ID of their first round.
	ParticipantID string `json:"participantId,omitempty"`
	Returning     bool   `json:"returning,omitempty"`

	Name        string     `json:"name"`
	Email       string     `json:"email"` // normalised: trimmed, lower case
	Country     string     `json:"country"`
	Languages   []string   `json:"languages"`
	TimeZone    string     `json:"timeZone"`
	Sector      string     `json:"sector"`
	CareerStage string     `json:"careerStage"`
	Interests   []string   `json:"interests"`
	Preference  Preference `json:"preference"`
	Role        Role       `json:"role"`
	// Capacity is how many mentees a mentor takes (mentor mode, mentors only).
	Capacity int `json:"capacity,omitempty"`
	// Eligibility holds the mentee's answers to the programme's eligibility questions.
	Eligibility map[string]bool `json:"eligibility,omitempty"`
	// Priority is the answer to the programme's priority question (e.g. final year).
	Priority bool   `json:"priority,omitempty"`
	Locale   string `json:"locale"`

	Status      Status    `json:"status"`
	ConsentAt   time.Time `json:"consentAt"`
	CreatedAt   time.Time `json:"createdAt"`
	ConfirmedAt time.Time `json:"confirmedAt,omitzero"`
	// WithdrawnAt is when the participant withdrew (Status withdrawn).
	WithdrawnAt time.Time `json:"withdrawnAt,omitzero"`
	// ErasedAt is when the registration's personal data was erased (package erasure): its name,
	// address and profile answers are gone; what the statistics and the matching history need
	// stays.
	ErasedAt time.Time `json:"erasedAt,omitzero"`
	// ConfirmSends counts confirmation emails sent; LastSentAt is when the last one went.
	ConfirmSends int       `json:"confirmSends"`
	LastSentAt   time.Time `json:"lastSentAt,omitzero"`
}

// Form field names, shared by the HTML form, the parser and the error messages.
const (
	FieldName        = "name"
	FieldEmail       = "email"
	FieldCountry     = "country"
	FieldLanguages   = "languages"
	FieldTimeZone    = "timeZone"
	FieldSector      = "sector"
	FieldCareerStage = "careerStage"
	FieldInterests   = "interests"
	FieldPreference  = "preference"
	FieldRole        = "role"
	FieldCapacity    = "capacity"
	FieldPriority    = "priority"
	FieldConsent     = "consent"
	// Eligibility answers are posted as "eligibility.<question id>".
	FieldEligibilityPrefix = "eligibility."
)

// SignupInput is a signup form as posted: every value as the user typed it.
type SignupInput map[string][]string

// Get returns the first value of a field, trimmed.
func (in SignupInput) Get(field string) string {
	if v := in[field]; len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	return ""
}

// All returns the non-empty values of a field, trimmed and without duplicates, in order.
func (in SignupInput) All(field string) []string {
	var out []string
	for _, v := range in[field] {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// Limits on free-text input.
const (
	MaxNameLen  = 100
	MaxEmailLen = 254
	maxLangs    = 6
)

// ParseSignup validates a posted signup form against the programme and returns the pending
// registration it describes (no ID, round or times yet). The error is EINVALID with a message for
// every bad field, each saying why.
func (p *Programme) ParseSignup(in SignupInput) (*Registration, error) {
	fe := FieldErrors{}
	r := &Registration{ProgrammeID: p.ID, Status: StatusPending, Locale: p.Locale}

	r.Name = in.Get(FieldName)
	switch {
	case r.Name == "":
		fe.Add(FieldName, "Please enter your name.")
	case utf8.RuneCountInString(r.Name) > MaxNameLen:
		fe.Add(FieldName, fmt.Sprintf("Please keep your name under %d characters.", MaxNameLen))
	case !printable(r.Name):
		fe.Add(FieldName, "Your name contains characters we cannot use (control characters).")
	}

	email, msg := NormaliseEmail(in.Get(FieldEmail))
	if msg != "" {
		fe.Add(FieldEmail, msg)
	}
	r.Email = email

	if p.Country != "" {
		r.Country = p.Country
	} else {
		r.Country = strings.ToUpper(in.Get(FieldCountry))
		switch {
		case r.Country == "":
			fe.Add(FieldCountry, "Please choose the country you work or study in.")
		case !iso.IsCountry(r.Country):
			fe.Add(FieldCountry, "Please choose a country from the list.")
		}
	}

	r.Languages = in.All(FieldLanguages)
	switch {
	case len(r.Languages) == 0:
		fe.Add(FieldLanguages, "Please choose at least one language you can mentor in.")
	case len(r.Languages) > maxLangs:
		fe.Add(FieldLanguages, fmt.Sprintf("Please choose at most %d languages.", maxLangs))
	}
	for _, l := range r.Languages {
		if !iso.IsLanguage(l) || (len(p.Languages) > 0 && !slices.Contains(p.Languages, l)) {
			fe.Add(FieldLanguages, "Please choose languages from the list.")
		}
	}

	r.TimeZone = in.Get(FieldTimeZone)
	if msg := checkTimeZone(r.TimeZone); msg != "" {
		fe.Add(FieldTimeZone, msg)
	}

	r.Sector = in.Get(FieldSector)
	if !hasOption(p.Sectors, r.Sector) {
		fe.Add(FieldSector, "Please choose your sector.")
	}
	r.CareerStage = in.Get(FieldCareerStage)
	if !hasOption(p.Stages, r.CareerStage) {
		fe.Add(FieldCareerStage, "Please choose your career stage.")
	}
	r.Interests = in.All(FieldInterests)
	if len(r.Interests) > p.MaxInterests() {
		fe.Add(FieldInterests, fmt.Sprintf("Please choose at most %d interests.", p.MaxInterests()))
	}
	for _, v := range r.Interests {
		if !hasOption(p.Interests, v) {
			fe.Add(FieldInterests, "Please choose interests from the list.")
		}
	}

	r.Preference = Preference(in.Get(FieldPreference))
	if r.Preference == "" {
		r.Preference = PreferAny
	}
	if !slices.Contains(Preferences, r.Preference) {
		fe.Add(FieldPreference, "Please choose what kind of partner you would prefer.")
	}

	switch p.Mode {
	case ModePeer:
		r.Role = RolePeer
	case ModeMentor:
		r.Role = Role(in.Get(FieldRole))
		switch r.Role {
		case RoleMentor:
			c, err := strconv.Atoi(in.Get(FieldCapacity))
			if err != nil || c < 1 || c > p.Rules.MaxMentees {
				fe.Add(FieldCapacity, fmt.Sprintf("Please choose how many mentees you can take, from 1 to %d.", p.Rules.MaxMentees))
			}
			r.Capacity = c
		case RoleMentee:
			r.Eligibility = map[string]bool{}
			for _, q := range p.Eligibility {
				yes := in.Get(FieldEligibilityPrefix+q.ID) == "yes"
				r.Eligibility[q.ID] = yes
				if !yes {
					fe.Add(FieldEligibilityPrefix+q.ID, "Mentees must meet this requirement to join the programme.")
				}
			}
			if p.Priority != nil {
				r.Priority = in.Get(FieldPriority) == "yes"
			}
		default:
			fe.Add(FieldRole, "Please choose whether you are joining as a mentor or a mentee.")
		}
	}

	if in.Get(FieldConsent) != "yes" {
		fe.Add(FieldConsent, "Please agree to how we use your details so we can match you.")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return r, nil
}

// NormaliseEmail trims and lower-cases an address and checks it is a plain address
// (local@domain.tld); msg says what is wrong, or is empty.
func NormaliseEmail(s string) (email, msg string) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "":
		return "", "Please enter your email address."
	case len(s) > MaxEmailLen:
		return s, "That email address is too long."
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return s, "Please enter an email address like name@example.org."
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.ContainsAny(s, " \"()<>[]\\,;:") {
		return s, "Please enter an email address like name@example.org."
	}
	return s, ""
}

func checkTimeZone(tz string) string {
	if tz == "" {
		return "Please choose your time zone."
	}
	if tz == "Local" || !strings.Contains(tz, "/") && tz != "UTC" {
		return "Please choose a time zone such as Asia/Hong_Kong or Europe/London."
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return "Please choose a time zone such as Asia/Hong_Kong or Europe/London."
	}
	return ""
}

func printable(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}
