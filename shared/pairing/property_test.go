package pairing_test

// Properties of every result on generated rounds: the hard constraints hold (with pins and
// forbids), and the order of the people does not matter.

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/pairup/pairup/shared/pairing"
	"github.com/pairup/pairup/shared/pairing/roundgen"
	"github.com/pairup/pairup/shared/pairup"
)

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestHardConstraintsProperty(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		t.Run("ILN seed "+itoa(int(seed)), func(t *testing.T) {
			in := roundgen.ILN(roundgen.ILNConfig{Seed: seed, People: 150 + 90*int(seed), Countries: 10 + 12*int(seed)})
			// A few coordinator decisions from the generated data: two pins
			// of feasible pairs (four different people) and two forbids.
			o, err := pairing.NewOracle(in)
			if err != nil {
				t.Fatal(err)
			}
			ids := o.IDs()
			for i := 0; i+1 < len(ids) && len(in.Pins) < 2; i += 7 {
				for j := i + 1; j < len(ids); j++ {
					if o.Feasible(ids[i], ids[j]) {
						in.Pins = append(in.Pins, pairup.PairRef{A: ids[i], B: ids[j]})
						i = j
						break
					}
				}
			}
			if len(in.Pins) != 2 {
				t.Fatalf("found %d feasible pairs to pin, want 2", len(in.Pins))
			}
			in.Forbids = []pairup.PairRef{{A: ids[len(ids)-1], B: ids[len(ids)-2]}, {A: ids[3], B: ids[10]}}
			res := mustMatch(t, in)
			checkResult(t, in, res) // includes: every pin is a pinned pair
			if res.Stats.Pinned != 2 {
				t.Errorf("Stats.Pinned = %d, want 2", res.Stats.Pinned)
			}
			if !res.Stats.Exact {
				t.Errorf("not exact: %+v", res.Stats)
			}
		})
	}
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run("HKLA seed "+itoa(int(seed)), func(t *testing.T) {
			in := roundgen.HKLA(roundgen.HKLAConfig{Seed: seed, Mentees: 40 * int(seed), Mentors: 12 * int(seed)})
			res := mustMatch(t, in)
			checkResult(t, in, res)
		})
	}
}

func TestDeterministicUnderShuffle(t *testing.T) {
	for _, mk := range []struct {
		name string
		in   pairing.Input
	}{
		{"ILN", roundgen.ILN(roundgen.ILNConfig{Seed: 7, People: 500})},
		{"HKLA", roundgen.HKLA(roundgen.HKLAConfig{Seed: 7, Mentees: 120, Mentors: 40})},
	} {
		t.Run(mk.name, func(t *testing.T) {
			want := mustMatch(t, mk.in)
			for s := uint64(1); s <= 3; s++ {
				in := mk.in
				in.People = append([]pairing.Person(nil), in.People...)
				r := rand.New(rand.NewPCG(s, 1))
				r.Shuffle(len(in.People), func(i, j int) { in.People[i], in.People[j] = in.People[j], in.People[i] })
				got := mustMatch(t, in)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("shuffle %d changed the result", s)
				}
			}
		})
	}
}
