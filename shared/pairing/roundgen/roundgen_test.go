package roundgen_test

import (
	"reflect"
	"testing"

	"github.com/pairup/pairup/shared/pairing"
	"github.com/pairup/pairup/shared/pairing/roundgen"
	"github.com/pairup/pairup/shared/pairup"
)

func TestILNDeterministicAndValid(t *testing.T) {
	a := roundgen.ILN(roundgen.ILNConfig{Seed: 3, People: 862})
	b := roundgen.ILN(roundgen.ILNConfig{Seed: 3, People: 862})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different rounds")
	}
	if c := roundgen.ILN(roundgen.ILNConfig{Seed: 4, People: 862}); reflect.DeepEqual(a, c) {
		t.Fatal("different seeds, same round")
	}
	count := map[string]int{}
	returning := 0
	for _, p := range a.People {
		count[p.Country]++
		if len(p.PreviousPartners) > 0 {
			returning++
		}
	}
	// Figure 4: 862 participants from 85 countries; a Zipf skew puts the
	// largest country above the ILN's 20% cap.
	if len(count) < 60 || len(count) > roundgen.Countries() {
		t.Errorf("%d countries in an 862-person round", len(count))
	}
	if count["AU"]*100/len(a.People) < 20 {
		t.Errorf("largest country has %d of %d: not skewed enough for the cap to matter", count["AU"], len(a.People))
	}
	if returning == 0 {
		t.Error("no returning participants with previous partners")
	}
	res, err := pairing.Match(a)
	if err != nil {
		t.Fatalf("generated input invalid: %v", err)
	}
	if res.Stats.Deferred == 0 {
		t.Error("country cap never applied")
	}
}

func TestHKLADeterministicAndValid(t *testing.T) {
	a := roundgen.HKLA(roundgen.HKLAConfig{Seed: 1, Mentees: 60, Mentors: 20})
	if !reflect.DeepEqual(a, roundgen.HKLA(roundgen.HKLAConfig{Seed: 1, Mentees: 60, Mentors: 20})) {
		t.Fatal("same seed, different rounds")
	}
	mentors, eligible, priority := 0, 0, 0
	for _, p := range a.People {
		switch p.Role {
		case pairup.RoleMentor:
			mentors++
			if p.Capacity < 1 || p.Capacity > 3 {
				t.Errorf("mentor capacity %d", p.Capacity)
			}
		case pairup.RoleMentee:
			if p.Eligible {
				eligible++
			}
			if p.Priority > 0 {
				priority++
			}
		}
	}
	if mentors != 20 || eligible == 0 || eligible == 60 || priority == 0 {
		t.Errorf("mentors %d eligible %d priority %d", mentors, eligible, priority)
	}
	if _, err := pairing.Match(a); err != nil {
		t.Fatalf("generated input invalid: %v", err)
	}
}
