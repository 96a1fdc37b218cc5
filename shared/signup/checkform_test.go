package signup

import (
	"errors"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/pairup"
)

// TestCheckForm: each way a form token fails has its own answer — a bot's speed is ErrTooFast,
// not a limit a person reached (ELIMIT), nor an invalid or expired form.
func TestCheckForm(t *testing.T) {
	signer, err := links.NewSigner([]byte("0123456789abcdef0123456789abcdef-form"))
	if err != nil {
		t.Fatal(err)
	}
	clock := pairup.NewManualClock(time.Date(2027, 1, 5, 9, 0, 0, 0, time.UTC))
	s := &Service{Links: signer, Clock: clock}
	tok := s.FormToken("iln")
	cases := []struct {
		name      string
		after     time.Duration
		programme string
		token     string
		check     func(error) bool
	}{
		{"a person's pace", 30 * time.Second, "iln", tok, func(err error) bool { return err == nil }},
		{"faster than a person", time.Second, "iln", tok, func(err error) bool {
			return errors.Is(err, ErrTooFast) && pairup.ErrorCode(err) != pairup.ELIMIT
		}},
		{"another programme's form", 30 * time.Second, "hkla", tok, func(err error) bool { return pairup.ErrorCode(err) == pairup.EINVALID }},
		{"no token", 30 * time.Second, "iln", "", func(err error) bool { return pairup.ErrorCode(err) == pairup.EINVALID }},
		{"open too long", DefaultFormTTL + time.Minute, "iln", tok, func(err error) bool { return pairup.ErrorCode(err) == pairup.EEXPIRED }},
	}
	start := clock.Now()
	for _, c := range cases {
		clock.Set(start.Add(c.after))
		if _, err := s.CheckForm(c.programme, c.token); !c.check(err) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
