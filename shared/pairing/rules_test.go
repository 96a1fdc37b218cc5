package pairing_test

// The rules on small peer rounds: the score and its reasons, the country cap, pins and forbids,
// the odd one out, and why someone is left unmatched.

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/pairing"
	"github.com/pairup/pairup/shared/pairup"
)

func TestScore(t *testing.T) {
	a := pp("a", "AU", "Australia/Sydney", "en")       // UTC+11 in March (DST)
	b := pp("b", "NZ", "Pacific/Auckland", "en", "mi") // UTC+13 in March (DST)
	a.Sector, b.Sector = "academic", "academic"
	a.CareerStage, b.CareerStage = "mid-career", "new-professional"
	a.Interests = []string{"Open Access", "digital scholarship", "copyright"}
	b.Interests = []string{"open access", "Digital  Scholarship"}
	a.Preference, b.Preference = pairup.PreferCareerStage, pairup.PreferInterest
	in := peerInput(a, b)
	in.Rules.Weights = pairing.Weights{CareerStage: 30, Sector: 20, Interest: 15, TimeZone: 3, Preference: 40}
	o, err := pairing.NewOracle(in)
	if err != nil {
		t.Fatal(err)
	}
	// adjacent stages 30/2=15, sector 20, 2 shared interests 30, 2 h apart 3·10=30,
	// b's interest preference satisfied 40, a's stage preference not: 135.
	if got := o.Score("a", "b"); got != 135 {
		t.Errorf("score = %d, want 135", got)
	}
	res := mustMatch(t, in)
	if len(res.Pairs) != 1 || res.Pairs[0].Score != 135 {
		t.Fatalf("pairs %+v", res.Pairs)
	}
	reasons := strings.Join(res.Pairs[0].Reasons, "; ")
	for _, want := range []string{"same sector: Academic library", "close career stages: Mid-career (5–15 years) and New professional (under 5 years)", "shared interests: Open Access, digital scholarship",
		"2 h apart", "b asked for a partner by interest: satisfied", "across countries: Australia and New Zealand", "common language: English"} {
		if !strings.Contains(reasons, want) {
			t.Errorf("reasons %q lack %q", reasons, want)
		}
	}
	t.Run("time zones around the clock", func(t *testing.T) {
		x := pp("x", "NZ", "Pacific/Kiritimati", "en") // UTC+14
		y := pp("y", "US", "Pacific/Honolulu", "en")   // UTC−10: same clock time
		in := peerInput(x, y)
		in.Rules.Weights = pairing.Weights{TimeZone: 1}
		o, err := pairing.NewOracle(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := o.Score("x", "y"); got != 12 {
			t.Errorf("UTC+14 vs UTC−10 score %d, want 12 (0 h apart)", got)
		}
	})
}

func TestCountryCap(t *testing.T) {
	var people []pairing.Person
	add := func(country, tz string, n int) {
		for i := 0; i < n; i++ {
			p := pp(country+string(rune('a'+i)), country, tz, "en")
			p.SignedUpAt = start.Add(-time.Duration(100-i) * time.Hour) // earlier letters signed up first
			people = append(people, p)
		}
	}
	add("AU", "Australia/Sydney", 10)
	for _, c := range []string{"GB", "US", "NZ", "IE", "CA"} {
		add(c, "UTC", 3)
	}
	in := peerInput(people...)
	in.Rules.Programme.CountryCapPercent = 20
	// 25 people; A=25 → cap 5: 5+15=20; A=20 → cap 4: 4+15=19; A=19 → cap 3: 3+15=18;
	// A=18 → cap 3: fixed point. AU keeps its 3 earliest.
	res := mustMatch(t, in)
	checkResult(t, in, res)
	if res.Stats.Accepted != 18 || len(res.Deferred) != 7 {
		t.Fatalf("accepted %d deferred %d, want 18 and 7", res.Stats.Accepted, len(res.Deferred))
	}
	for _, d := range res.Deferred {
		if !strings.HasPrefix(d.ID, "AU") || d.ID < "AUd" {
			t.Errorf("deferred %s, want only AU after the 3 earliest", d.ID)
		}
		if !strings.Contains(d.Reason, "deferred to the next round: country cap of 20% reached") {
			t.Errorf("reason %q", d.Reason)
		}
	}
	t.Run("pinned people are always accepted", func(t *testing.T) {
		in := in
		in.Pins = []pairup.PairRef{{A: "AUj", B: "GBa"}}
		res := mustMatch(t, in)
		checkResult(t, in, res) // includes: AUj–GBa is a pinned pair
		for _, d := range res.Deferred {
			if d.ID == "AUj" {
				t.Fatal("pinned AUj was deferred")
			}
		}
		if res.Stats.Accepted != 18 {
			t.Errorf("accepted %d, want 18 (AUj takes one of AU's 3 places)", res.Stats.Accepted)
		}
	})
}

func TestPinsAndForbids(t *testing.T) {
	mk := func() pairing.Input {
		a := pp("a", "AU", "Australia/Sydney", "en")
		b := pp("b", "NZ", "Pacific/Auckland", "en")
		c := pp("c", "GB", "Europe/London", "en")
		d := pp("d", "US", "America/Los_Angeles", "en")
		return peerInput(a, b, c, d)
	}
	base := mustMatch(t, mk())
	if got := pairKeys(base); !reflect.DeepEqual(got, []string{"a+b", "c+d"}) {
		t.Fatalf("unconstrained pairs %v, want a+b (close time zones) and c+d", got)
	}
	t.Run("forbid", func(t *testing.T) {
		in := mk()
		in.Forbids = []pairup.PairRef{{A: "b", B: "a"}}
		res := mustMatch(t, in)
		checkResult(t, in, res)
		for _, k := range pairKeys(res) {
			if k == "a+b" {
				t.Error("forbidden pair made")
			}
		}
		if len(res.Pairs) != 2 {
			t.Errorf("pairs %v", pairKeys(res))
		}
	})
	t.Run("pin", func(t *testing.T) {
		in := mk()
		in.Pins = []pairup.PairRef{{A: "c", B: "a"}}
		res := mustMatch(t, in)
		checkResult(t, in, res)
		if got := pairKeys(res); !reflect.DeepEqual(got, []string{"a+c", "b+d"}) {
			t.Fatalf("pairs %v, want a+c (pinned) and b+d", got)
		}
		if !res.Pairs[0].Pinned || res.Pairs[0].Reasons[0] != "paired by the coordinator" {
			t.Errorf("pinned pair %+v", res.Pairs[0])
		}
		if res.Pairs[1].Pinned {
			t.Error("b+d marked pinned")
		}
	})
	t.Run("previous partners either side", func(t *testing.T) {
		in := mk()
		in.People[1].PreviousPartners = []string{"a", "someone-from-2014"}
		res := mustMatch(t, in)
		checkResult(t, in, res)
		for _, k := range pairKeys(res) {
			if k == "a+b" {
				t.Error("previous partners paired again")
			}
		}
	})
}

func TestOddOneOut(t *testing.T) {
	mk := func(policy pairing.OddPolicy) pairing.Input {
		in := peerInput(pp("a", "AU", "Australia/Sydney", "en"), pp("b", "NZ", "Pacific/Auckland", "en"),
			pp("c", "GB", "Europe/London", "en"))
		in.Rules.OddPolicy = policy
		return in
	}
	t.Run("trio", func(t *testing.T) {
		in := mk(pairing.OddTrio)
		res := mustMatch(t, in)
		checkResult(t, in, res)
		if len(res.Pairs) != 1 || len(res.Pairs[0].Members) != 3 || len(res.Unmatched) != 0 {
			t.Fatalf("want one trio, got %+v unmatched %+v", res.Pairs, res.Unmatched)
		}
		if !strings.Contains(strings.Join(res.Pairs[0].Reasons, "|"), "c joined as a third member") {
			t.Errorf("trio reasons %q", res.Pairs[0].Reasons)
		}
	})
	t.Run("leave", func(t *testing.T) {
		in := mk(pairing.OddLeave)
		res := mustMatch(t, in)
		checkResult(t, in, res)
		if len(res.Pairs) != 1 || len(res.Unmatched) != 1 || res.Unmatched[0].ID != "c" {
			t.Fatalf("pairs %v unmatched %+v", pairKeys(res), res.Unmatched)
		}
		if !strings.HasPrefix(res.Unmatched[0].Reason, "odd one out") {
			t.Errorf("reason %q", res.Unmatched[0].Reason)
		}
	})
	t.Run("trio infeasible", func(t *testing.T) {
		in := mk(pairing.OddTrio)
		in.People[2].Country, in.People[2].TimeZone = "AU", "Australia/Perth"
		res := mustMatch(t, in)
		checkResult(t, in, res)
		if len(res.Unmatched) != 1 || !strings.Contains(res.Unmatched[0].Reason, "no pair could take you as a third member") {
			t.Fatalf("unmatched %+v", res.Unmatched)
		}
	})
}

func TestUnmatchedReasons(t *testing.T) {
	cases := []struct {
		name   string
		people []pairing.Person
		id     string
		want   string
	}{
		{"everyone shares the country", []pairing.Person{pp("a", "AU", "Australia/Sydney", "en"), pp("b", "AU", "Australia/Perth", "en"),
			pp("c", "AU", "Australia/Sydney", "en")}, "a", "nobody in this round can be paired with you: of the 2 other participants, all 2 share your country (Australia)"},
		{"no shared language", []pairing.Person{pp("a", "JP", "Asia/Tokyo", "ja"), pp("b", "GB", "Europe/London", "en"),
			pp("c", "US", "America/Chicago", "en")}, "a", "all 2 share no language with you"},
		{"remaining share the country", []pairing.Person{pp("a", "AU", "Australia/Sydney", "en"), pp("b", "AU", "Australia/Perth", "en"),
			pp("c", "AU", "Australia/Sydney", "en"), pp("e", "AU", "Australia/Sydney", "en"), pp("d", "GB", "Europe/London", "en")}, "a",
			"no remaining participant can be paired with you: of the 2 left over, all 2 share your country (Australia)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := peerInput(c.people...)
			in.Rules.OddPolicy = pairing.OddLeave
			res := mustMatch(t, in)
			checkResult(t, in, res)
			u := findUnmatched(res, c.id)
			if u == nil {
				t.Fatalf("%s not unmatched: %+v", c.id, res)
			}
			if !strings.Contains(u.Reason, c.want) {
				t.Errorf("reason %q lacks %q", u.Reason, c.want)
			}
		})
	}
}
