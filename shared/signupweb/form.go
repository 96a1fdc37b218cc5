package signupweb

import (
	"net/http"
	"slices"

	"github.com/pairup/pairup/shared/iso"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/signup"
	"github.com/pairup/pairup/shared/web"
)

// formPage is the signup form's data.
type formPage struct {
	web.Page
	Programme   *pairup.Programme
	Round       *pairup.Round
	Form        pairup.SignupInput
	Errors      pairup.FieldErrors
	FormToken   string
	Countries   []iso.Option
	Languages   languageField
	Sectors     []pairup.Option
	Stages      []pairup.Option
	Interests   []pairup.Option
	Preferences []pairup.Option
	Roles       []pairup.Option
	Capacities  []int
	Zones       []string
}

type errorItem struct{ ID, Message string }

// ErrorList is the error summary in form order.
func (f formPage) ErrorList() []errorItem {
	order := []string{"form", pairup.FieldName, pairup.FieldEmail, pairup.FieldCountry, pairup.FieldTimeZone, pairup.FieldRole, pairup.FieldCapacity}
	for _, q := range f.Programme.Eligibility {
		order = append(order, pairup.FieldEligibilityPrefix+q.ID)
	}
	order = append(order, pairup.FieldSector, pairup.FieldCareerStage, pairup.FieldLanguages, pairup.FieldInterests, pairup.FieldPreference, pairup.FieldConsent)
	var out []errorItem
	for _, k := range order {
		if m, ok := f.Errors[k]; ok {
			id := "f-" + k
			if k == "form" {
				id = "main" // not one field: the whole form
			}
			out = append(out, errorItem{ID: id, Message: f.T(m)})
		}
	}
	return out
}

var preferenceLabels = map[pairup.Preference]string{
	pairup.PreferAny:         "I am open to any match",
	pairup.PreferCareerStage: "at the same career stage as me",
	pairup.PreferInterest:    "who shares one of my interests",
	pairup.PreferSector:      "from the same sector as me",
}

// languageField is the languages question: the programme's common languages first, in its
// order, and the rest of the offered languages, sorted by name, behind "More languages" (open
// when one of them is chosen). Each language is in exactly one of the two lists.
type languageField struct {
	Label, Hint, Error     string
	MoreLabel, FilterLabel string
	Common, More           []choiceOption
	MoreOpen               bool
}

// commonLanguages are the codes p's form lists first: its CommonLanguages, or all its languages
// when it restricts them and names no common ones.
func commonLanguages(p *pairup.Programme) []string {
	if len(p.CommonLanguages) > 0 {
		return p.CommonLanguages
	}
	return p.Languages
}

func (fp formPage) languageField(p *pairup.Programme) languageField {
	loc := fp.Lang
	f := languageField{Label: fp.T("Languages you can use with a partner"), Hint: fp.T("Choose all that apply."), Error: fp.T(fp.Errors[pairup.FieldLanguages]),
		MoreLabel: fp.T("More languages"), FilterLabel: fp.T("Filter the languages")}
	chosen := fp.Form[pairup.FieldLanguages]
	offered := iso.Languages(loc, p.Languages...)
	common := commonLanguages(p)
	for _, c := range common {
		if slices.ContainsFunc(offered, func(o iso.Option) bool { return o.Code == c }) && !slices.ContainsFunc(f.Common, func(o choiceOption) bool { return o.Value == c }) {
			f.Common = append(f.Common, choiceOption{Value: c, Label: iso.LanguageName(c, loc), Checked: slices.Contains(chosen, c)})
		}
	}
	for _, o := range offered {
		if slices.Contains(common, o.Code) {
			continue
		}
		checked := slices.Contains(chosen, o.Code)
		f.MoreOpen = f.MoreOpen || checked
		f.More = append(f.More, choiceOption{Value: o.Code, Label: o.Name, Checked: checked})
	}
	return f
}

// renderForm shows the signup form for the offer: empty, or in (what was sent) with fe, a
// message by each bad field and a summary at the top.
func (s *Server) renderForm(w http.ResponseWriter, r *http.Request, status int, o *signup.Offer, in pairup.SignupInput, fe pairup.FieldErrors) {
	p := o.Programme
	pg := s.kit.Page(r, s.kit.Tf(r, "Sign up: %s", p.Name))
	fp := formPage{
		Page: pg, Programme: p, Round: o.Round, Form: in, Errors: fe,
		FormToken: s.svc.FormToken(p.ID),
		Countries: iso.Countries(pg.Lang),
		Sectors:   p.Sectors, Stages: p.Stages, Interests: p.Interests,
		Roles: []pairup.Option{{Value: string(pairup.RoleMentee), Label: pg.T("a mentee")}, {Value: string(pairup.RoleMentor), Label: pg.T("a mentor")}},
		Zones: zones,
	}
	fp.Languages = fp.languageField(p)
	for _, pr := range pairup.Preferences {
		fp.Preferences = append(fp.Preferences, pairup.Option{Value: string(pr), Label: pg.T(preferenceLabels[pr])})
	}
	for i := 1; i <= p.Rules.MaxMentees; i++ {
		fp.Capacities = append(fp.Capacities, i)
	}
	if _, ok := in[pairup.FieldPreference]; !ok && fe == nil {
		in[pairup.FieldPreference] = []string{string(pairup.PreferAny)}
	}
	s.kit.Render(w, r, status, "signup", fp)
}

type textFieldData struct {
	Name, Label, Hint, Type, Auto, Value, Error string
}

func textField(fp formPage, name, label, hint, typ, auto string) textFieldData {
	return textFieldData{Name: name, Label: fp.T(label), Hint: fp.T(hint), Type: typ, Auto: auto, Value: fp.Form.Get(name), Error: fp.T(fp.Errors[name])}
}

type choiceOption struct {
	Value, Label string
	Checked      bool
}

type choiceFieldData struct {
	Name, Label, Hint, Kind, Error string
	Choose                         string // a select's empty option
	Options                        []choiceOption
}

func choiceField(fp formPage, name, label, hint, kind string, opts []pairup.Option) choiceFieldData {
	d := choiceFieldData{Name: name, Label: fp.T(label), Hint: fp.T(hint), Kind: kind, Error: fp.T(fp.Errors[name]), Choose: fp.T("Choose")}
	chosen := fp.Form[name]
	for _, o := range opts {
		d.Options = append(d.Options, choiceOption{Value: o.Value, Label: o.Label, Checked: slices.Contains(chosen, o.Value)})
	}
	return d
}

// zones are suggestions for the time-zone field; any IANA name is accepted.
var zones = []string{
	"Africa/Cairo", "Africa/Johannesburg", "Africa/Lagos", "Africa/Nairobi", "America/Argentina/Buenos_Aires",
	"America/Bogota", "America/Chicago", "America/Denver", "America/Halifax", "America/Lima", "America/Los_Angeles",
	"America/Mexico_City", "America/New_York", "America/Santiago", "America/Sao_Paulo", "America/Toronto",
	"America/Vancouver", "Asia/Bangkok", "Asia/Dhaka", "Asia/Dubai", "Asia/Ho_Chi_Minh", "Asia/Hong_Kong",
	"Asia/Jakarta", "Asia/Karachi", "Asia/Kathmandu", "Asia/Kolkata", "Asia/Kuala_Lumpur", "Asia/Manila",
	"Asia/Seoul", "Asia/Shanghai", "Asia/Singapore", "Asia/Taipei", "Asia/Tehran", "Asia/Tokyo",
	"Atlantic/Reykjavik", "Australia/Adelaide", "Australia/Brisbane", "Australia/Melbourne", "Australia/Perth",
	"Australia/Sydney", "Europe/Amsterdam", "Europe/Athens", "Europe/Berlin", "Europe/Dublin", "Europe/Helsinki",
	"Europe/Istanbul", "Europe/Lisbon", "Europe/London", "Europe/Madrid", "Europe/Moscow", "Europe/Paris",
	"Europe/Riga", "Europe/Rome", "Europe/Stockholm", "Europe/Warsaw", "Pacific/Auckland", "Pacific/Fiji",
	"Pacific/Honolulu", "UTC",
}
