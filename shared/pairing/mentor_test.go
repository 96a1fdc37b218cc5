package pairing_test

// Mentor mode: the waitlist, the exact optimum on small rounds (brute force), and the sparse,
// priced phase 2 against the dense solve.

import (
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/pairing"
	"github.com/pairup/pairup/shared/pairing/roundgen"
	"github.com/pairup/pairup/shared/pairup"
)

func TestMentorWaitlist(t *testing.T) {
	var people []pairing.Person
	for i := 0; i < 3; i++ {
		m := pp("m"+string(rune('1'+i)), "HK", "Asia/Hong_Kong", "zh", "en")
		m.Role, m.Capacity, m.CareerStage = pairup.RoleMentor, 1, "senior"
		people = append(people, m)
	}
	// s1..s6: s4 and s6 are final-year (priority), s2 signed up earliest.
	for i := 1; i <= 6; i++ {
		s := pp("s"+string(rune('0'+i)), "HK", "Asia/Hong_Kong", "zh")
		s.Role, s.Eligible, s.CareerStage = pairup.RoleMentee, true, "student"
		s.SignedUpAt = start.Add(time.Duration(i) * time.Hour)
		people = append(people, s)
	}
	people[3+1].SignedUpAt = start // s2 earliest
	people[3+3].Priority, people[3+5].Priority = 1, 1
	in := pairing.Input{Rules: roundgen.HKLARules(), People: people, RoundStart: start}
	ineligible := pp("s7", "HK", "Asia/Hong_Kong", "zh")
	ineligible.Role = pairup.RoleMentee
	in.People = append(in.People, ineligible)
	res := mustMatch(t, in)
	checkResult(t, in, res)
	var placed []string
	for _, p := range res.Pairs {
		placed = append(placed, p.Members[1])
	}
	sort.Strings(placed)
	if !reflect.DeepEqual(placed, []string{"s2", "s4", "s6"}) {
		t.Fatalf("placed %v, want the two final-year students then the earliest sign-up", placed)
	}
	wantWait := []string{"s1", "s3", "s5"}
	for k, id := range wantWait {
		u := res.Unmatched[k]
		if u.ID != id || u.Position != k+1 {
			t.Errorf("waitlist[%d] = %+v, want %s at %d", k, u, id, k+1)
		}
		if want := "waitlisted: position " + string(rune('1'+k)) + " of 3, all 3 mentors full"; !strings.HasPrefix(u.Reason, want) {
			t.Errorf("reason %q, want prefix %q", u.Reason, want)
		}
	}
	last := res.Unmatched[len(res.Unmatched)-1]
	if last.ID != "s7" || !strings.Contains(last.Reason, "not eligible") {
		t.Errorf("ineligible mentee reported as %+v", last)
	}
	t.Run("language decides who can be placed", func(t *testing.T) {
		in := in
		in.People = append([]pairing.Person(nil), in.People...)
		in.People[3+3].Languages = []string{"fr"} // s4: final-year but nobody speaks French
		res := mustMatch(t, in)
		checkResult(t, in, res)
		if u := findUnmatched(res, "s4"); u == nil || !strings.Contains(u.Reason, "no mentor can be paired with you") {
			t.Errorf("s4 unmatched as %+v, want the reason that no mentor can be paired with them", u)
		}
	})
}

// bruteForceMentor: maximum cardinality, then the placed set earliest in
// waitlist order (lexicographic), then maximum score.
func bruteForceMentor(o *pairing.Oracle, in pairing.Input) (placed []string, score int64) {
	var mentors, mentees []pairing.Person
	for _, p := range in.People {
		if p.Role == pairup.RoleMentor {
			mentors = append(mentors, p)
		} else if p.Eligible {
			mentees = append(mentees, p)
		}
	}
	sort.Slice(mentees, func(i, j int) bool {
		a, b := mentees[i], mentees[j]
		if a.Priority != b.Priority {
			return a.Priority > b.Priority
		}
		if !a.SignedUpAt.Equal(b.SignedUpAt) {
			return a.SignedUpAt.Before(b.SignedUpAt)
		}
		return a.ID < b.ID
	})
	load := make([]int, len(mentors))
	in2 := make([]bool, len(mentees))
	bestC, bestS := -1, int64(0)
	var bestSet []bool
	better := func(c int, set []bool, s int64) bool {
		if c != bestC {
			return c > bestC
		}
		for k := range set {
			if set[k] != bestSet[k] {
				return set[k]
			}
		}
		return s > bestS
	}
	var rec func(i, c int, s int64)
	rec = func(i, c int, s int64) {
		if i == len(mentees) {
			if better(c, in2, s) {
				bestC, bestS, bestSet = c, s, append([]bool(nil), in2...)
			}
			return
		}
		rec(i+1, c, s)
		for j, m := range mentors {
			if load[j] < m.Capacity && o.Feasible(m.ID, mentees[i].ID) {
				load[j]++
				in2[i] = true
				rec(i+1, c+1, s+o.Score(m.ID, mentees[i].ID))
				in2[i] = false
				load[j]--
			}
		}
	}
	rec(0, 0, 0)
	for k, ok := range bestSet {
		if ok {
			placed = append(placed, mentees[k].ID)
		}
	}
	sort.Strings(placed)
	return placed, bestS
}

func TestMentorSmallBruteForce(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		in := roundgen.HKLA(roundgen.HKLAConfig{Seed: seed, Mentees: 4 + int(seed%4), Mentors: 2 + int(seed%2), MaxCapacity: 2})
		r := rand.New(rand.NewPCG(seed, 9))
		for i := range in.People { // vary languages so feasibility matters
			if r.IntN(4) == 0 {
				in.People[i].Languages = []string{[]string{"en", "zh"}[r.IntN(2)]}
			}
		}
		res := mustMatch(t, in)
		checkResult(t, in, res)
		o, err := pairing.NewOracle(in)
		if err != nil {
			t.Fatal(err)
		}
		wantPlaced, wantScore := bruteForceMentor(o, in)
		var placed []string
		for _, p := range res.Pairs {
			placed = append(placed, p.Members[1])
		}
		sort.Strings(placed)
		if !reflect.DeepEqual(placed, wantPlaced) || res.Stats.TotalScore != wantScore {
			t.Errorf("seed %d: placed %v score %d, brute force %v score %d", seed, placed, res.Stats.TotalScore, wantPlaced, wantScore)
		}
	}
}

// TestMentorSparseMatchesDense forces the sparse, priced phase 2 and
// compares it with the dense solve of the same round; with a round cap it
// must report a gap that really bounds the difference.
func TestMentorSparseMatchesDense(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		in := roundgen.HKLA(roundgen.HKLAConfig{Seed: seed, Mentees: 300, Mentors: 120, MaxCapacity: 3})
		in.Rules.CandidateK = 3
		dense := mustMatch(t, in)
		sparse, _, err := pairing.MatchWith(in, pairing.Knobs{SparseMentor: true})
		if err != nil {
			t.Fatal(err)
		}
		capped := in
		capped.Rules.MaxPricingRounds = 1
		early, _, err := pairing.MatchWith(capped, pairing.Knobs{SparseMentor: true})
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, in, sparse)
		checkResult(t, in, early)
		if !sparse.Stats.Exact || sparse.Stats.TotalScore != dense.Stats.TotalScore || len(sparse.Pairs) != len(dense.Pairs) {
			t.Errorf("seed %d: sparse %d pairs score %d exact %v; dense %d pairs score %d",
				seed, len(sparse.Pairs), sparse.Stats.TotalScore, sparse.Stats.Exact, len(dense.Pairs), dense.Stats.TotalScore)
		}
		t.Logf("seed %d: sparse rounds %d; capped exact %v gap %d", seed, sparse.Stats.PricingRounds, early.Stats.Exact, early.Stats.Gap)
		if len(early.Pairs) != len(dense.Pairs) {
			t.Errorf("seed %d: capped run placed %d, want %d", seed, len(early.Pairs), len(dense.Pairs))
		}
		if diff := dense.Stats.TotalScore - early.Stats.TotalScore; diff > early.Stats.Gap || (diff > 0 && early.Stats.Exact) {
			t.Errorf("seed %d: capped run is %d below the optimum but reports gap %d, exact %v", seed, diff, early.Stats.Gap, early.Stats.Exact)
		}
	}
}
