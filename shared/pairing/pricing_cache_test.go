package pairing_test

import (
	"reflect"
	"testing"

	"github.com/pairup/pairup/shared/pairing"
	"github.com/pairup/pairup/shared/pairing/roundgen"
)

func TestClassBoundCache(t *testing.T) {
	o, err := pairing.NewOracle(roundgen.ILN(roundgen.ILNConfig{Seed: 1, People: 600}))
	if err != nil {
		t.Fatal(err)
	}
	if bad, total := o.CheckClassBoundCache(); bad != 0 || total == 0 {
		t.Fatalf("%d of %d cached class bounds disagree", bad, total)
	}
}

// TestPricingCacheSameResult checks that the cached class bounds change
// nothing: same matching, same pricing work, same statistics.
func TestPricingCacheSameResult(t *testing.T) {
	seeds := uint64(3)
	if testing.Short() { // make test-short: one round
		seeds = 1
	}
	for seed := uint64(1); seed <= seeds; seed++ {
		in := roundgen.ILN(roundgen.ILNConfig{Seed: seed, People: 3000})
		with, err := pairing.Match(in)
		if err != nil {
			t.Fatal(err)
		}
		without, _, err := pairing.MatchWith(in, pairing.Knobs{NoClassBoundMatrix: true})
		if err != nil {
			t.Fatal(err)
		}
		if !with.Stats.Exact || with.Stats.Gap != 0 {
			t.Fatalf("seed %d: not exact (gap %d)", seed, with.Stats.Gap)
		}
		if !reflect.DeepEqual(with, without) {
			t.Fatalf("seed %d: results differ with and without the class-bound cache:\n%+v\n%+v", seed, with.Stats, without.Stats)
		}
	}
}

func TestClassScores(t *testing.T) {
	for _, in := range []pairing.Input{
		roundgen.ILN(roundgen.ILNConfig{Seed: 2, People: 500}),
		roundgen.HKLA(roundgen.HKLAConfig{Seed: 2, Mentors: 60, Mentees: 200}),
	} {
		o, err := pairing.NewOracle(in)
		if err != nil {
			t.Fatal(err)
		}
		if bad, total := o.CheckClassScores(); bad != 0 || total == 0 {
			t.Fatalf("%d of %d class-derived scores disagree", bad, total)
		}
	}
}
