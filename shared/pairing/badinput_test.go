package pairing_test

// Input the matcher refuses: every problem named, with the person and the field.

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/pairing"
	"github.com/pairup/pairup/shared/pairing/roundgen"
	"github.com/pairup/pairup/shared/pairup"
)

func TestBadInput(t *testing.T) {
	good := func() pairing.Input {
		return peerInput(pp("a", "AU", "Australia/Sydney", "en"), pp("b", "GB", "Europe/London", "en"),
			pp("c", "US", "America/New_York", "en"), pp("d", "FR", "Europe/Paris", "fr", "en"))
	}
	if _, err := pairing.Match(good()); err != nil {
		t.Fatalf("the base input must be valid: %v", err)
	}
	cases := []struct {
		name          string
		edit          func(in *pairing.Input)
		person, field string
		reason        string
	}{
		{"missing country", func(in *pairing.Input) { in.People[0].Country = "" }, "a", "Country", "missing"},
		{"unknown country", func(in *pairing.Input) { in.People[1].Country = "UK" }, "b", "Country", "unknown country code"},
		{"unknown language", func(in *pairing.Input) { in.People[2].Languages = []string{"en", "eng"} }, "c", "Languages", "unknown language code"},
		{"no language", func(in *pairing.Input) { in.People[2].Languages = nil }, "c", "Languages", "missing"},
		{"unknown time zone", func(in *pairing.Input) { in.People[3].TimeZone = "Europe/Atlantis" }, "d", "TimeZone", "unknown time zone"},
		{"missing time zone", func(in *pairing.Input) { in.People[3].TimeZone = "" }, "d", "TimeZone", "missing"},
		{"weight too high", func(in *pairing.Input) { in.Rules.Weights.Sector = 5000 }, "", "Rules.Weights.Sector", "out of range"},
		{"weight negative", func(in *pairing.Input) { in.Rules.Weights.TimeZone = -1 }, "", "Rules.Weights.TimeZone", "out of range"},
		{"cap out of range", func(in *pairing.Input) { in.Rules.Programme.CountryCapPercent = 120 }, "", "Rules.Programme.CountryCapPercent", "out of range"},
		{"unknown mode", func(in *pairing.Input) { in.Rules.Mode = "speed-dating" }, "", "Rules.Mode", "unknown mode"},
		{"unknown odd policy", func(in *pairing.Input) { in.Rules.OddPolicy = "drop" }, "", "Rules.OddPolicy", "unknown policy"},
		{"K out of range", func(in *pairing.Input) { in.Rules.CandidateK = 5000 }, "", "Rules.CandidateK", "out of range"},
		{"no round start", func(in *pairing.Input) { in.RoundStart = time.Time{} }, "", "RoundStart", "missing"},
		{"duplicate ID", func(in *pairing.Input) { in.People[1].ID = "a" }, "a", "ID", "duplicate"},
		{"missing ID", func(in *pairing.Input) { in.People[1].ID = "" }, "#1", "ID", "missing"},
		{"unknown sector", func(in *pairing.Input) { in.People[0].Sector = "corporate" }, "a", "Sector", "unknown sector"},
		{"unknown stage", func(in *pairing.Input) { in.People[0].CareerStage = "guru" }, "a", "CareerStage", "unknown career stage"},
		{"unknown preference", func(in *pairing.Input) { in.People[0].Preference = "age" }, "a", "Preference", "unknown preference"},
		{"preference without data", func(in *pairing.Input) { in.People[0].Preference = pairup.PreferSector }, "a", "Preference", "gives no Sector"},
		{"empty interest", func(in *pairing.Input) { in.People[0].Interests = []string{"open access", " "} }, "a", "Interests", "empty interest"},
		{"pin unknown person", func(in *pairing.Input) { in.Pins = []pairup.PairRef{{A: "a", B: "zz"}} }, "zz", "Pins[0]", "unknown participant"},
		{"forbid unknown person", func(in *pairing.Input) { in.Forbids = []pairup.PairRef{{A: "yy", B: "a"}} }, "yy", "Forbids[0]", "unknown participant"},
		{"pin same country", func(in *pairing.Input) {
			in.People[1].Country, in.People[1].TimeZone = "AU", "Australia/Perth"
			in.Pins = []pairup.PairRef{{A: "a", B: "b"}}
		}, "a", "Pins[0]", "same country"},
		{"pin without shared language", func(in *pairing.Input) {
			in.People[3].Languages = []string{"fr"}
			in.Pins = []pairup.PairRef{{A: "a", B: "d"}}
		}, "a", "Pins[0]", "no shared language"},
		{"pin previous partners", func(in *pairing.Input) {
			in.People[2].PreviousPartners = []string{"a"}
			in.Pins = []pairup.PairRef{{A: "a", B: "c"}}
		}, "a", "Pins[0]", "previous partners"},
		{"pin and forbid", func(in *pairing.Input) {
			in.Pins = []pairup.PairRef{{A: "a", B: "b"}}
			in.Forbids = []pairup.PairRef{{A: "b", B: "a"}}
		}, "a", "Pins[0]", "both pinned and forbidden"},
		{"pinned twice", func(in *pairing.Input) { in.Pins = []pairup.PairRef{{A: "a", B: "b"}, {A: "c", B: "a"}} }, "a", "Pins", "pinned 2 times"},
		{"pin self", func(in *pairing.Input) { in.Pins = []pairup.PairRef{{A: "a", B: "a"}} }, "a", "Pins[0]", "themselves"},
		{"mentor without role", func(in *pairing.Input) { in.Rules = roundgen.HKLARules() }, "a", "Role", "missing"},
		{"mentor capacity", func(in *pairing.Input) {
			in.Rules = roundgen.HKLARules()
			for i := range in.People {
				in.People[i].Role = pairup.RoleMentee
			}
			in.People[0].Role = pairup.RoleMentor
		}, "a", "Capacity", "out of range"},
		{"cap in mentor mode", func(in *pairing.Input) {
			in.Rules = roundgen.HKLARules()
			in.Rules.Programme.CountryCapPercent = 20
		}, "", "Rules.Programme.CountryCapPercent", "peer mode only"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := good()
			c.edit(&in)
			_, err := pairing.Match(in)
			if err == nil {
				t.Fatal("no error")
			}
			var ies pairing.InputErrors
			if !errors.As(err, &ies) {
				t.Fatalf("error %T is not InputErrors: %v", err, err)
			}
			found := false
			for _, e := range ies {
				if e.Person == c.person && e.Field == c.field && strings.Contains(e.Reason, c.reason) {
					found = true
				}
			}
			if !found {
				t.Errorf("want {%q %q ~%q}, got %v", c.person, c.field, c.reason, err)
			}
			var one pairing.InputError
			if !errors.As(err, &one) {
				t.Error("errors.As cannot find an InputError")
			}
		})
	}
	t.Run("all problems reported", func(t *testing.T) {
		in := good()
		in.People[0].Country = "XX"
		in.People[1].Languages = []string{"xx"}
		in.People[2].TimeZone = "Mars/Olympus"
		in.Rules.Weights.Interest = 1001
		_, err := pairing.Match(in)
		var ies pairing.InputErrors
		if !errors.As(err, &ies) || len(ies) != 4 {
			t.Fatalf("want 4 problems, got %v", err)
		}
		for _, want := range []string{`participant "a": Country`, `participant "b": Languages`, `participant "c": TimeZone`, "Rules.Weights.Interest"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error text lacks %q:\n%v", want, err)
			}
		}
	})
}
