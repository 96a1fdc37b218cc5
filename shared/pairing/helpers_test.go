package pairing_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/pairing"
	"github.com/pairup/pairup/shared/pairing/roundgen"
	"github.com/pairup/pairup/shared/pairup"
)

var start = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// pp builds a peer participant: id, country, time zone, languages.
func pp(id, country, tz string, langs ...string) pairing.Person {
	return pairing.Person{ID: id, Country: country, TimeZone: tz, Languages: langs,
		SignedUpAt: start.Add(-time.Hour)}
}

func peerInput(people ...pairing.Person) pairing.Input {
	r := roundgen.ILNRules()
	r.Programme.CountryCapPercent = 0
	return pairing.Input{Rules: r, People: people, RoundStart: start}
}

// members returns "a+b" keys of the result's pairs.
func pairKeys(res *pairing.Result) []string {
	var out []string
	for _, p := range res.Pairs {
		out = append(out, strings.Join(p.Members, "+"))
	}
	return out
}

// findUnmatched returns the Unmatched entry of id, or nil.
func findUnmatched(res *pairing.Result, id string) *pairing.Unmatched {
	for i := range res.Unmatched {
		if res.Unmatched[i].ID == id {
			return &res.Unmatched[i]
		}
	}
	return nil
}

func mustMatch(t *testing.T, in pairing.Input) *pairing.Result {
	t.Helper()
	res, err := pairing.Match(in)
	if err != nil {
		t.Fatalf("Match: %v", err)
	}
	return res
}

// checkResult verifies the invariants every result must satisfy, against
// constraints re-implemented here independently of the package.
func checkResult(t *testing.T, in pairing.Input, res *pairing.Result) {
	t.Helper()
	byID := map[string]*pairing.Person{}
	for i := range in.People {
		byID[in.People[i].ID] = &in.People[i]
	}
	forbid := map[[2]string]bool{}
	for _, f := range in.Forbids {
		forbid[[2]string{f.A, f.B}], forbid[[2]string{f.B, f.A}] = true, true
	}
	pinned := map[[2]string]bool{}
	for _, f := range in.Pins {
		pinned[[2]string{f.A, f.B}], pinned[[2]string{f.B, f.A}] = true, true
	}
	seen := map[string]int{}
	load := map[string]int{}
	okPair := func(a, b *pairing.Person) error {
		if !in.Rules.Programme.SameCountryAllowed && strings.EqualFold(a.Country, b.Country) {
			return fmt.Errorf("same country %s", a.Country)
		}
		if in.Rules.Programme.RequireSharedLanguage {
			shared := false
			for _, x := range a.Languages {
				for _, y := range b.Languages {
					shared = shared || strings.EqualFold(x, y)
				}
			}
			if !shared {
				return fmt.Errorf("no shared language")
			}
		}
		for _, x := range a.PreviousPartners {
			if x == b.ID {
				return fmt.Errorf("previous partners")
			}
		}
		for _, x := range b.PreviousPartners {
			if x == a.ID {
				return fmt.Errorf("previous partners")
			}
		}
		if forbid[[2]string{a.ID, b.ID}] {
			return fmt.Errorf("forbidden")
		}
		return nil
	}
	for _, p := range res.Pairs {
		if len(p.Reasons) == 0 {
			t.Errorf("pair %v has no reasons", p.Members)
		}
		want := 2
		if in.Rules.Mode == pairup.ModePeer && len(p.Members) == 3 {
			want = 3
		}
		if len(p.Members) != want {
			t.Errorf("pair %v has %d members", p.Members, len(p.Members))
		}
		for i, a := range p.Members {
			if byID[a] == nil {
				t.Fatalf("pair %v names unknown %q", p.Members, a)
			}
			for _, b := range p.Members[i+1:] {
				if err := okPair(byID[a], byID[b]); err != nil {
					t.Errorf("pair %v breaks a hard constraint: %v", p.Members, err)
				}
			}
		}
		if p.Pinned != pinned[[2]string{p.Members[0], p.Members[1]}] {
			t.Errorf("pair %v: Pinned=%v disagrees with the pins", p.Members, p.Pinned)
		}
		if p.Pinned && p.Reasons[0] != "paired by the coordinator" {
			t.Errorf("pinned pair %v: first reason %q", p.Members, p.Reasons[0])
		}
		if in.Rules.Mode == pairup.ModeMentor {
			m, e := byID[p.Members[0]], byID[p.Members[1]]
			if m.Role != pairup.RoleMentor || e.Role != pairup.RoleMentee {
				t.Errorf("pair %v is not mentor, mentee", p.Members)
			}
			if !e.Eligible {
				t.Errorf("pair %v: ineligible mentee", p.Members)
			}
			load[m.ID]++
			if load[m.ID] > m.Capacity {
				t.Errorf("mentor %s over capacity %d", m.ID, m.Capacity)
			}
			seen[e.ID]++
			if seen[m.ID] == 0 {
				seen[m.ID] = -1 // mentors may repeat
			}
		} else {
			for _, a := range p.Members {
				seen[a]++
			}
		}
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("%s is in %d pairs", id, n)
		}
	}
	for _, f := range in.Pins {
		found := false
		for _, p := range res.Pairs {
			m := p.Members
			found = found || (p.Pinned && len(m) == 2 && (m[0] == f.A && m[1] == f.B || m[0] == f.B && m[1] == f.A))
		}
		if !found {
			t.Errorf("pin %s–%s is not a pinned pair of the result", f.A, f.B)
		}
	}
	if res.Stats.Pinned != len(in.Pins) {
		t.Errorf("Stats.Pinned = %d, want %d pins", res.Stats.Pinned, len(in.Pins))
	}
	accounted := map[string]bool{}
	for id := range seen {
		accounted[id] = true
	}
	for _, u := range append(append([]pairing.Unmatched(nil), res.Unmatched...), res.Deferred...) {
		if u.Reason == "" {
			t.Errorf("%s unmatched without a reason", u.ID)
		}
		if seen[u.ID] > 0 {
			t.Errorf("%s is both paired and unmatched/deferred", u.ID)
		}
		if accounted[u.ID] {
			t.Errorf("%s listed twice", u.ID)
		}
		accounted[u.ID] = true
	}
	for _, p := range in.People {
		if !accounted[p.ID] && !(in.Rules.Mode == pairup.ModeMentor && p.Role == pairup.RoleMentor) {
			t.Errorf("%s is neither paired nor reported", p.ID)
		}
	}
	if in.Rules.Mode == pairup.ModeMentor {
		for _, p := range in.People {
			if p.Role == pairup.RoleMentor && load[p.ID] == 0 {
				found := false
				for _, u := range res.Unmatched {
					found = found || u.ID == p.ID
				}
				if !found {
					t.Errorf("mentor %s has no mentee and no reason", p.ID)
				}
			}
		}
	}
	// Country cap.
	if P := in.Rules.Programme.CountryCapPercent; P > 0 {
		deferred := map[string]bool{}
		for _, d := range res.Deferred {
			deferred[d.ID] = true
		}
		count := map[string]int{}
		A := 0
		for _, p := range in.People {
			if !deferred[p.ID] {
				count[strings.ToUpper(p.Country)]++
				A++
			}
		}
		if A != res.Stats.Accepted {
			t.Errorf("accepted %d, stats say %d", A, res.Stats.Accepted)
		}
		for c, n := range count {
			if limit := max(1, P*A/100); n > limit && len(in.Pins) == 0 {
				t.Errorf("country %s has %d of %d accepted, cap %d", c, n, A, limit)
			}
		}
	}
}

func TestPairBounds(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		o, err := pairing.NewOracle(roundgen.ILN(roundgen.ILNConfig{Seed: seed, People: 400}))
		if err != nil {
			t.Fatal(err)
		}
		if bad, total := o.CheckBounds(); bad != 0 || total == 0 {
			t.Fatalf("seed %d: %d of %d class-pair bounds and scores disagree", seed, bad, total)
		}
	}
}
