package console

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pairup/pairup/shared/pairup"
)

// The console shows a domain error's own message (with each bad field) and never an internal
// error's text.
func TestUserError(t *testing.T) {
	fe := pairup.FieldErrors{}
	fe.Add("people[0]", `"x@example.org" is not a confirmed participant`)
	cases := []struct {
		name    string
		err     error
		want    string
		mustNot string
	}{
		{"conflict", pairup.Errorf(pairup.ECONFLICT, "the round is closed"), "conflict: the round is closed", ""},
		{"fields", fe.Err(), "The event has problems: people[0]", ""},
		{"wrapped", fmt.Errorf("roundclose: %w", pairup.Errorf(pairup.ENOTFOUND, "no round")), "not_found: no round", ""},
		{"internal", fmt.Errorf("dynamodb: ResourceNotFoundException table pairup-secret"), "failed on our side", "pairup-secret"},
	}
	for _, c := range cases {
		got := UserError(c.err, "the run failed on our side").Error()
		if !strings.Contains(got, c.want) || (c.mustNot != "" && strings.Contains(got, c.mustNot)) {
			t.Errorf("%s: %q", c.name, got)
		}
	}
}
