package matchrun

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/demo"
	"github.com/pairup/pairup/shared/pairing"
	"github.com/pairup/pairup/shared/pairup"
)

// archives is a programme with a vocabulary of its own: sectors, stages and interests the demo
// programmes do not have.
func archives() *pairup.Programme {
	return &pairup.Programme{
		ID: "archives", Name: "Archivists' Exchange", Mode: pairup.ModePeer, Locale: "en",
		Sectors:   []pairup.Option{{Value: "archives", Label: "Archives"}, {Value: "museum", Label: "Museum"}},
		Stages:    []pairup.Option{{Value: "trainee", Label: "Trainee"}, {Value: "archivist", Label: "Archivist"}, {Value: "head", Label: "Head of service"}},
		Interests: []pairup.Option{{Value: "born-digital", Label: "Born-digital records"}, {Value: "oral-history", Label: "Oral history"}},
		Rules:     pairup.Rules{RequireSharedLanguage: true},
	}
}

// registrations signs up n people per the programme's own options, alternating countries.
func registrations(p *pairup.Programme, n int, at time.Time) []pairup.Registration {
	countries := []string{"AU", "GB", "KE", "BR", "IN", "CA"}
	if p.Country != "" {
		countries = []string{p.Country}
	}
	regs := make([]pairup.Registration, n)
	for i := range regs {
		r := pairup.Registration{
			ID: fmt.Sprintf("r%02d", i), ProgrammeID: p.ID, RoundID: "r", ParticipantID: fmt.Sprintf("p%02d", i),
			Name: fmt.Sprintf("Person %d", i), Email: fmt.Sprintf("p%d@example.org", i),
			Country: countries[i%len(countries)], Languages: []string{"en"}, TimeZone: "Europe/London",
			Sector: p.Sectors[i%len(p.Sectors)].Value, CareerStage: p.Stages[i%len(p.Stages)].Value,
			Interests: []string{p.Interests[i%len(p.Interests)].Value}, Preference: pairup.Preferences[i%len(pairup.Preferences)],
			Role: pairup.RolePeer, Status: pairup.StatusConfirmed, CreatedAt: at.Add(time.Duration(i) * time.Minute),
		}
		if p.Mode == pairup.ModeMentor {
			r.Role = pairup.RoleMentee
			r.Eligibility = map[string]bool{}
			for _, q := range p.Eligibility {
				r.Eligibility[q.ID] = true
			}
			if i%4 == 0 {
				r.Role, r.Capacity, r.Eligibility = pairup.RoleMentor, 2, nil
				r.CareerStage = p.Stages[len(p.Stages)-1].Value
			}
		}
		regs[i] = r
	}
	return regs
}

// TestMatcherInput maps each programme's registrations onto the matcher and runs it: the form's
// vocabulary is the matcher's, whatever the programme's options are.
func TestMatcherInput(t *testing.T) {
	at := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	iln, hkla := demo.Programmes()[0], demo.Programmes()[1]
	for _, tc := range []struct {
		name      string
		programme *pairup.Programme
		n         int
		label     string // a label of the programme's that some reason must use
	}{
		{"ILN", &iln, 24, ""},
		{"HKLA", &hkla, 12, ""},
		{"OwnVocabulary", archives(), 12, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.programme
			round := &pairup.Round{ProgrammeID: p.ID, ID: "r", Starts: at.AddDate(0, 1, 0)}
			regs := registrations(p, tc.n, at)
			in := matcherInput(p, round, regs, nil)
			res, err := pairing.Match(in)
			if err != nil {
				t.Fatalf("the matcher refused the programme's own registrations: %v", err)
			}
			if len(res.Pairs) == 0 {
				t.Fatalf("no pairs: %+v", res)
			}
			placed := 0
			for _, pr := range res.Pairs {
				placed += len(pr.Members)
			}
			if p.Mode == pairup.ModePeer && placed+len(res.Unmatched)+len(res.Deferred) != tc.n {
				t.Errorf("%d placed, %d unmatched, %d deferred of %d", placed, len(res.Unmatched), len(res.Deferred), tc.n)
			}
		})
	}
	t.Run("OwnVocabularyLabelsInReasons", func(t *testing.T) {
		p := archives()
		regs := registrations(p, 2, at)
		regs[1].Country = "GB"
		regs[0].CareerStage, regs[1].CareerStage = "archivist", "archivist"
		round := &pairup.Round{ProgrammeID: p.ID, ID: "r", Starts: at}
		in := matcherInput(p, round, regs, nil)
		res, err := pairing.Match(in)
		if err != nil || len(res.Pairs) != 1 {
			t.Fatalf("%+v, %v", res, err)
		}
		if reasons := strings.Join(res.Pairs[0].Reasons, "; "); !strings.Contains(reasons, "Archivist") {
			t.Errorf("reasons do not use the programme's stage label: %s", reasons)
		}
	})
	t.Run("ErrUnknownValue", func(t *testing.T) {
		p := archives()
		regs := registrations(p, 4, at)
		regs[2].Sector = "library" // not one of this programme's sectors
		in := matcherInput(p, &pairup.Round{ProgrammeID: p.ID, ID: "r", Starts: at}, regs, nil)
		_, err := pairing.Match(in)
		if err == nil || !strings.Contains(err.Error(), "r02") || !strings.Contains(strings.ToLower(err.Error()), "sector") {
			t.Errorf("err = %v; want one naming the person and the field", err)
		}
	})
	t.Run("PreviousPartners", func(t *testing.T) {
		p := archives()
		regs := registrations(p, 2, at)
		regs[1].Country = "GB"
		round := &pairup.Round{ProgrammeID: p.ID, ID: "r", Starts: at}
		in := matcherInput(p, round, regs, map[string][]string{"p00": {"p01", "p-not-here"}})
		if got := in.People[0].PreviousPartners; len(got) != 1 || got[0] != "r01" {
			t.Fatalf("previous partners %v, want [r01]: participant ids map to this round's registrations", got)
		}
		res, err := pairing.Match(in)
		if err != nil || len(res.Pairs) != 0 {
			t.Errorf("previous partners paired again: %+v, %v", res, err)
		}
	})
}
