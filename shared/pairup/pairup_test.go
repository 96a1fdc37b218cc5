package pairup_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/demo"
	"github.com/pairup/pairup/shared/pairup"
)

func TestCanTransition(t *testing.T) {
	for _, tc := range []struct {
		from, to pairup.RoundState
		code     string
	}{
		{pairup.RoundDraft, pairup.RoundOpen, ""},
		{pairup.RoundOpen, pairup.RoundMatching, ""},
		{pairup.RoundMatching, pairup.RoundActive, ""},
		{pairup.RoundActive, pairup.RoundClosing, ""},
		{pairup.RoundClosing, pairup.RoundClosed, ""},
		{pairup.RoundDraft, pairup.RoundMatching, pairup.ECONFLICT},
		{pairup.RoundOpen, pairup.RoundOpen, pairup.ECONFLICT},
		{pairup.RoundClosed, pairup.RoundOpen, pairup.ECONFLICT},
		{pairup.RoundActive, pairup.RoundOpen, pairup.ECONFLICT},
		{pairup.RoundOpen, "paused", pairup.EINVALID},
	} {
		t.Run(string(tc.from)+"→"+string(tc.to), func(t *testing.T) {
			if got := pairup.ErrorCode(pairup.CanTransition(tc.from, tc.to)); got != tc.code {
				t.Fatalf("code %q, want %q", got, tc.code)
			}
		})
	}
}

func TestSignupRound(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	rs := demo.Rounds(now)
	r, open := pairup.SignupRound(rs[:1], now)
	if !open || r.ID != demo.ILNRound {
		t.Fatalf("open round not found: %v %v", r, open)
	}
	closed := rs[0]
	closed.State = pairup.RoundMatching
	next := rs[0]
	next.ID, next.State = "2027-2", pairup.RoundDraft
	next.SignupOpens = now.AddDate(0, 5, 0)
	r, open = pairup.SignupRound([]pairup.Round{closed, next}, now)
	if open || r == nil || r.ID != "2027-2" {
		t.Fatalf("want the next round, not open: %v %v", r, open)
	}
	if r, open := pairup.SignupRound([]pairup.Round{closed}, now); open || r != nil {
		t.Fatalf("no round expected: %v", r)
	}
	if rs[0].AcceptingSignups(rs[0].SignupCloses) {
		t.Fatal("signup close is exclusive")
	}
}

func TestParseSignup(t *testing.T) {
	iln, hkla := demo.Programmes()[0], demo.Programmes()[1]
	valid := url.Values{
		"name": {" Ada Lovelace "}, "email": {" Ada@Example.ORG "}, "country": {"au"}, "timeZone": {"Australia/Sydney"},
		"sector": {"academic"}, "careerStage": {"new-professional"}, "languages": {"en", "fr", "en"}, "interests": {"outreach"},
		"preference": {"interest"}, "consent": {"yes"},
	}
	with := func(base url.Values, kv ...string) pairup.SignupInput {
		v := url.Values{}
		for k, vs := range base {
			v[k] = append([]string(nil), vs...)
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "<del>" {
				v.Del(kv[i])
			} else {
				v.Set(kv[i], kv[i+1])
			}
		}
		return pairup.SignupInput(v)
	}
	mentee := url.Values{
		"name": {"陳大文"}, "email": {"tm@example.edu.hk"}, "timeZone": {"Asia/Hong_Kong"}, "role": {"mentee"},
		"eligibility.member": {"yes"}, "eligibility.programme": {"yes"}, "priority": {"yes"},
		"sector": {"student"}, "careerStage": {"student"}, "languages": {"zh"}, "consent": {"yes"},
	}
	for _, tc := range []struct {
		name   string
		p      *pairup.Programme
		in     pairup.SignupInput
		fields []string // fields with errors; none means valid
	}{
		{"OK", &iln, with(valid), nil},
		{"OKMentee", &hkla, with(mentee), nil},
		{"OKMentor", &hkla, with(mentee, "role", "mentor", "capacity", "2"), nil},
		{"ErrEmpty", &iln, pairup.SignupInput{}, []string{"name", "email", "country", "languages", "timeZone", "sector", "careerStage", "consent"}},
		{"ErrEmail", &iln, with(valid, "email", "Ada <ada@example.org>"), []string{"email"}},
		{"ErrEmailNoDot", &iln, with(valid, "email", "ada@localhost"), []string{"email"}},
		{"ErrCountry", &iln, with(valid, "country", "UK"), []string{"country"}},
		{"ErrLanguage", &iln, with(valid, "languages", "xx"), []string{"languages"}},
		{"ErrTimeZone", &iln, with(valid, "timeZone", "Local"), []string{"timeZone"}},
		{"ErrTimeZoneUnknown", &iln, with(valid, "timeZone", "Europe/Atlantis"), []string{"timeZone"}},
		{"ErrSector", &iln, with(valid, "sector", "<b>x</b>"), []string{"sector"}},
		{"ErrPreference", &iln, with(valid, "preference", "tallest"), []string{"preference"}},
		{"ErrNameLong", &iln, with(valid, "name", strings.Repeat("n", 101)), []string{"name"}},
		{"ErrNameControl", &iln, with(valid, "name", "Ada\x00"), []string{"name"}},
		{"ErrNoConsent", &iln, with(valid, "consent", "<del>"), []string{"consent"}},
		{"ErrRole", &hkla, with(mentee, "role", "boss"), []string{"role"}},
		{"ErrCapacity", &hkla, with(mentee, "role", "mentor", "capacity", "9"), []string{"capacity"}},
		{"ErrIneligible", &hkla, with(mentee, "eligibility.programme", "<del>"), []string{"eligibility.programme"}},
		{"ErrLanguageNotOffered", &hkla, with(mentee, "languages", "fr"), []string{"languages"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg, err := tc.p.ParseSignup(tc.in)
			fe := pairup.Fields(err)
			if len(tc.fields) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if pairup.ErrorCode(err) != pairup.EINVALID || reg != nil {
				t.Fatalf("want EINVALID and no registration, got %v, %v", err, reg)
			}
			if len(fe) != len(tc.fields) {
				t.Errorf("fields %v, want %v", fe, tc.fields)
			}
			for _, f := range tc.fields {
				if fe[f] == "" {
					t.Errorf("no message for %s (got %v)", f, fe)
				}
			}
		})
	}
	reg, err := iln.ParseSignup(with(valid))
	if err != nil {
		t.Fatal(err)
	}
	if reg.Email != "ada@example.org" || reg.Name != "Ada Lovelace" || reg.Country != "AU" ||
		strings.Join(reg.Languages, ",") != "en,fr" || reg.Role != pairup.RolePeer || reg.Status != pairup.StatusPending {
		t.Fatalf("normalised registration %+v", reg)
	}
	m, err := hkla.ParseSignup(with(mentee))
	if err != nil || m.Country != "HK" || !m.Priority || !m.Eligibility["member"] || m.Role != pairup.RoleMentee {
		t.Fatalf("mentee %+v %v", m, err)
	}
}

func TestProgrammeValidate(t *testing.T) {
	p := demo.Programmes()[0]
	p.ID, p.Mode, p.Locale = "Bad ID", "solo", "fr"
	p.Rules.CountryCapPercent = 120
	fe := pairup.Fields(p.Validate())
	for _, f := range []string{"id", "mode", "locale", "rules.countryCapPercent"} {
		if fe[f] == "" {
			t.Errorf("no message for %s: %v", f, fe)
		}
	}
}
