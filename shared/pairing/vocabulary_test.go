package pairing_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/pairing"
	"github.com/pairup/pairup/shared/pairup"
)

// archivesProgramme is a programme whose sectors, stages and interests are
// its own, none of them the demo programmes'.
func archivesProgramme(mode pairup.Mode) *pairup.Programme {
	p := &pairup.Programme{ID: "archives", Name: "Archivists' circle", Mode: mode, Locale: "en",
		Sectors: []pairup.Option{{Value: "archives", Label: "Archives"}, {Value: "museum", Label: "Museum collections"}},
		Stages: []pairup.Option{{Value: "trainee", Label: "Trainee"}, {Value: "archivist", Label: "Archivist"},
			{Value: "head", Label: "Head of archives"}},
		Interests: []pairup.Option{{Value: "appraisal", Label: "Appraisal and selection"},
			{Value: "digitisation", Label: "Digitisation"}},
		Rules: pairup.Rules{RequireSharedLanguage: true, MaxMentees: 2},
	}
	if mode == pairup.ModeMentor {
		p.Rules.SameCountryAllowed = true
	}
	return p
}

// signup registers one person through the programme's own form validation
// and maps the registration onto a Person, as the matching run does.
func signup(t *testing.T, p *pairup.Programme, id, country, tz, sector, stage, role string, interests ...string) pairing.Person {
	t.Helper()
	in := pairup.SignupInput{
		pairup.FieldName: {id}, pairup.FieldEmail: {id + "@example.org"}, pairup.FieldCountry: {country},
		pairup.FieldLanguages: {"en"}, pairup.FieldTimeZone: {tz}, pairup.FieldSector: {sector},
		pairup.FieldCareerStage: {stage}, pairup.FieldInterests: interests,
		pairup.FieldPreference: {string(pairup.PreferCareerStage)}, pairup.FieldConsent: {"yes"},
		pairup.FieldRole: {role}, pairup.FieldCapacity: {"2"},
	}
	r, err := p.ParseSignup(in)
	if err != nil {
		t.Fatalf("signup %s: %v", id, err)
	}
	return pairing.Person{ID: id, Country: r.Country, Languages: r.Languages, TimeZone: r.TimeZone,
		Sector: r.Sector, CareerStage: r.CareerStage, Interests: r.Interests, Preference: r.Preference,
		Role: r.Role, Capacity: r.Capacity, Eligible: true, SignedUpAt: start.Add(-time.Hour)}
}

func TestProgrammeVocabulary(t *testing.T) {
	t.Run("peer", func(t *testing.T) {
		p := archivesProgramme(pairup.ModePeer)
		if err := p.Validate(); err != nil {
			t.Fatal(err)
		}
		in := pairing.Input{Rules: pairing.RulesFor(p), RoundStart: start, People: []pairing.Person{
			signup(t, p, "a", "AU", "Australia/Sydney", "archives", "archivist", "", "appraisal", "digitisation"),
			signup(t, p, "b", "NZ", "Pacific/Auckland", "archives", "archivist", "", "appraisal"),
			signup(t, p, "c", "GB", "Europe/London", "museum", "trainee", "", "digitisation"),
			signup(t, p, "d", "IE", "Europe/Dublin", "museum", "head", "", "appraisal"),
		}}
		res := mustMatch(t, in)
		checkResult(t, in, res)
		if got := pairKeys(res); !slices.Equal(got, []string{"a+b", "c+d"}) {
			t.Fatalf("pairs %v, want a+b and c+d", got)
		}
		ab := strings.Join(res.Pairs[0].Reasons, "; ")
		for _, want := range []string{"same sector: Archives", "same career stage: Archivist",
			"shared interest: Appraisal and selection", "a asked for a partner by career stage: satisfied"} {
			if !strings.Contains(ab, want) {
				t.Errorf("a+b reasons %q lack %q", ab, want)
			}
		}
		// Trainee and Head of archives are two stages apart: no career-stage reason.
		if cd := strings.Join(res.Pairs[1].Reasons, "; "); strings.Contains(cd, "career stage") || !strings.Contains(cd, "same sector: Museum collections") {
			t.Errorf("c+d reasons %q", cd)
		}
		in.People[2].CareerStage = "archivist" // adjacent to head
		res = mustMatch(t, in)
		if cd := strings.Join(res.Pairs[1].Reasons, "; "); !strings.Contains(cd, "close career stages: Archivist and Head of archives") {
			t.Errorf("c+d reasons %q", cd)
		}
	})
	t.Run("mentor", func(t *testing.T) {
		p := archivesProgramme(pairup.ModeMentor)
		in := pairing.Input{Rules: pairing.RulesFor(p), RoundStart: start, People: []pairing.Person{
			signup(t, p, "m", "HK", "Asia/Hong_Kong", "archives", "head", "mentor", "digitisation"),
			signup(t, p, "s", "HK", "Asia/Hong_Kong", "museum", "trainee", "mentee", "digitisation"),
		}}
		res := mustMatch(t, in)
		checkResult(t, in, res)
		if len(res.Pairs) != 1 {
			t.Fatalf("pairs %v", pairKeys(res))
		}
		r := strings.Join(res.Pairs[0].Reasons, "; ")
		for _, want := range []string{"experienced mentor: Head of archives, mentee: Trainee", "shared interest: Digitisation"} {
			if !strings.Contains(r, want) {
				t.Errorf("reasons %q lack %q", r, want)
			}
		}
	})
	t.Run("unknown values", func(t *testing.T) {
		p := archivesProgramme(pairup.ModePeer)
		in := pairing.Input{Rules: pairing.RulesFor(p), RoundStart: start, People: []pairing.Person{
			signup(t, p, "a", "AU", "Australia/Sydney", "archives", "archivist", ""),
			signup(t, p, "b", "NZ", "Pacific/Auckland", "archives", "archivist", ""),
		}}
		in.People[0].Sector = "academic"          // the demo programmes' sector, not this one's
		in.People[1].CareerStage = "mid-career"   // likewise
		in.People[1].Interests = []string{"maps"} // not an interest option
		_, err := pairing.Match(in)
		var ies pairing.InputErrors
		if !errors.As(err, &ies) || len(ies) != 3 {
			t.Fatalf("want 3 problems, got %v", err)
		}
		for i, want := range []pairing.InputError{
			{Person: "a", Field: "Sector", Reason: `unknown sector "academic" (want one of archives, museum)`},
			{Person: "b", Field: "CareerStage", Reason: `unknown career stage "mid-career" (want one of trainee, archivist, head)`},
			{Person: "b", Field: "Interests", Reason: `unknown interest "maps" (want one of appraisal, digitisation)`},
		} {
			if ies[i] != want {
				t.Errorf("problem %d = %+v, want %+v", i, ies[i], want)
			}
		}
		if msg := err.Error(); !strings.Contains(msg, `participant "a": Sector: unknown sector "academic"`) {
			t.Errorf("error text %q", msg)
		}
	})
	t.Run("bad vocabulary", func(t *testing.T) {
		rules := pairing.RulesFor(archivesProgramme(pairup.ModePeer))
		for i := 0; i < pairing.MaxOptions+1; i++ {
			rules.Sectors = append(rules.Sectors, pairup.Option{Value: fmt.Sprint("s", i), Label: "S"})
		}
		rules.Stages = append(rules.Stages, pairup.Option{Value: "head", Label: "Again"})
		_, err := pairing.Match(pairing.Input{Rules: rules, RoundStart: start})
		for _, want := range []string{"Rules.Sectors: 130 options, at most 127 allowed", `Rules.Stages: option "head" appears twice`} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v lacks %q", err, want)
			}
		}
	})
	t.Run("free-text interests without options", func(t *testing.T) {
		p := archivesProgramme(pairup.ModePeer)
		rules := pairing.RulesFor(p)
		rules.Interests = nil
		a, b := pp("a", "AU", "Australia/Sydney", "en"), pp("b", "NZ", "Pacific/Auckland", "en")
		a.Interests, b.Interests = []string{"Oral History"}, []string{"oral  history"}
		res := mustMatch(t, pairing.Input{Rules: rules, RoundStart: start, People: []pairing.Person{a, b}})
		if r := strings.Join(res.Pairs[0].Reasons, "; "); !strings.Contains(r, "shared interest: Oral History") {
			t.Errorf("reasons %q", r)
		}
	})
}
