package store

import (
	"testing"
	"time"

	"github.com/pairup/pairup/shared/pairup"
)

// TestWithdrawAttributeNames: the attribute Withdraw sets is the domain's name for it.
func TestWithdrawAttributeNames(t *testing.T) {
	m, err := marshal(registrationItem{Registration: pairup.Registration{Status: pairup.StatusWithdrawn, WithdrawnAt: time.Unix(1, 0)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{attrWithdrawnAt, attrStatus} {
		if _, ok := m[a]; !ok {
			t.Errorf("no attribute %q in a withdrawn registration", a)
		}
	}
}
