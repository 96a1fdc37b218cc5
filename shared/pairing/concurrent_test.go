package pairing_test

import (
	"reflect"
	"sync"
	"testing"

	"github.com/pairup/pairup/shared/pairing"
	"github.com/pairup/pairup/shared/pairing/roundgen"
)

// TestConcurrentMatches runs different matches, with different internal
// settings, at the same time (run it with -race) and compares each with the
// same match run alone: results, counters and progress lines.
func TestConcurrentMatches(t *testing.T) {
	leave := roundgen.ILNRules()
	leave.OddPolicy = pairing.OddLeave
	leave.CandidateK = 4
	jobs := []struct {
		name string
		in   pairing.Input
		k    pairing.Knobs
	}{
		{"peer", roundgen.ILN(roundgen.ILNConfig{Seed: 21, People: 900}), pairing.Knobs{}},
		{"peer verified, MaxFound 1", roundgen.ILN(roundgen.ILNConfig{Seed: 22, People: 600, Rules: &leave}),
			pairing.Knobs{VerifyPricing: true, MaxFound: 1}},
		{"peer without bound matrix", roundgen.ILN(roundgen.ILNConfig{Seed: 23, People: 700}), pairing.Knobs{NoClassBoundMatrix: true}},
		{"mentor dense", roundgen.HKLA(roundgen.HKLAConfig{Seed: 24, Mentees: 240, Mentors: 80}), pairing.Knobs{}},
		{"mentor sparse", roundgen.HKLA(roundgen.HKLAConfig{Seed: 24, Mentees: 240, Mentors: 80}), pairing.Knobs{SparseMentor: true}},
	}
	type outcome struct {
		res   *pairing.Result
		c     pairing.Counters
		lines int
	}
	run := func(i int) outcome {
		var o outcome
		k := jobs[i].k
		k.Debug = func(string, ...any) { o.lines++ } // this call's own counter
		res, c, err := pairing.MatchWith(jobs[i].in, k)
		if err != nil {
			t.Errorf("%s: %v", jobs[i].name, err)
		}
		o.res, o.c = res, c
		return o
	}
	want := make([]outcome, len(jobs))
	for i := range jobs {
		want[i] = run(i)
		if want[i].res != nil && !want[i].res.Stats.Exact {
			t.Errorf("%s: not exact", jobs[i].name)
		}
	}
	const copies = 2
	got := make([]outcome, copies*len(jobs))
	var wg sync.WaitGroup
	for g := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[g] = run(g % len(jobs))
		}()
	}
	wg.Wait()
	for g, o := range got {
		i := g % len(jobs)
		if !reflect.DeepEqual(o, want[i]) {
			t.Errorf("%s (copy %d): concurrent run differs from the run alone: stats %+v counters %+v lines %d; alone %+v %+v %d",
				jobs[i].name, g/len(jobs), o.res.Stats, o.c, o.lines, want[i].res.Stats, want[i].c, want[i].lines)
		}
	}
	if want[1].c.VerifyMissed != 0 {
		t.Errorf("verified run: pricing missed %d violators", want[1].c.VerifyMissed)
	}
}
