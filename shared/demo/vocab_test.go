package demo

import (
	"slices"
	"testing"

	"github.com/pairup/pairup/shared/pairing"
	"github.com/pairup/pairup/shared/pairup"
)

// TestVocabularyMatchesMatcher: the demo programmes' form choices are the values the matcher
// understands, so a round's registrations map onto pairing.Person unchanged.
func TestVocabularyMatchesMatcher(t *testing.T) {
	for _, p := range Programmes() {
		for _, o := range p.Sectors {
			if !slices.Contains(pairing.Sectors, pairing.Sector(o.Value)) {
				t.Errorf("%s: sector %q unknown to the matcher", p.ID, o.Value)
			}
		}
		for _, o := range p.Stages {
			if !slices.Contains(pairing.CareerStages, pairing.CareerStage(o.Value)) {
				t.Errorf("%s: career stage %q unknown to the matcher", p.ID, o.Value)
			}
		}
	}
	for _, pr := range pairup.Preferences {
		switch pairing.Preference(pr) {
		case pairing.PreferAny, pairing.PreferCareerStage, pairing.PreferInterest, pairing.PreferSector:
		default:
			t.Errorf("preference %q unknown to the matcher", pr)
		}
	}
}
