package store

import (
	"testing"

	"github.com/pairup/pairup/shared/pairup"
)

// TestCloseAttributeNames checks that the round's stats are stored under the name FinishRound
// sets, and a continue answer under the key prefix ListContinues reads.
func TestCloseAttributeNames(t *testing.T) {
	m, err := marshal(roundItem{Round: pairup.Round{Stats: &pairup.RoundStats{}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m[attrStats]; !ok {
		t.Errorf("no attribute %q in %v", attrStats, keys(m))
	}
	if sk := continueSK("a+b", "a"); sk != "CONTINUE#a+b#a" || sk[:len(prefixContinue)] != prefixContinue {
		t.Errorf("continueSK = %q", sk)
	}
}
