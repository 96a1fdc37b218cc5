package matchrun_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/demo"
	"github.com/pairup/pairup/shared/matchrun"
	"github.com/pairup/pairup/shared/pairup"
)

// 6: bad input: an error with the right code naming the problem, and nothing written.

func TestBadInput(t *testing.T) {
	t.Parallel()
	// Rounds in the states the cases need, each with 40 confirmed people and one pin.
	pin := pairup.PairRef{A: "reg-010", B: "reg-011"} // GB and KE
	fixtures := map[string]*env{}
	for _, state := range []string{"open", "leased", "active"} {
		e := newEnv(t)
		e.register(ilnPeople(40, e.clock.Now()), 8)
		e.clock.Advance(time.Minute)
		res := e.must("pin", matchrun.Event{Action: matchrun.ActionPin, Programme: demo.ILN, Round: demo.ILNRound, Pairs: [][]string{{"reg-010", "Librarian011@Example.org"}}})
		if len(res.Pins) != 1 {
			t.Fatalf("pin: %+v", res)
		}
		switch state {
		case "leased": // a commit has begun: another run holds the lease
			e.must("close", closeEvent())
			if _, err := e.st.BeginCommit(e.ctx, demo.ILN, demo.ILNRound, "other-run", lease); err != nil {
				t.Fatal(err)
			}
		case "active":
			e.must("close", closeEvent())
			e.must("commit", matchEvent(false))
		}
		fixtures[state] = e
	}
	ev := func(action string, pairs ...[]string) matchrun.Event {
		return matchrun.Event{Action: action, Programme: demo.ILN, Round: demo.ILNRound, Pairs: pairs}
	}
	for _, tc := range []struct {
		name, state string
		ev          matchrun.Event
		code        string   // the error's text begins "<code>: "
		mentions    []string // and names the problem
	}{
		{"UnknownProgramme", "open", matchrun.Event{Action: matchrun.ActionMatch, Programme: "nope", Round: demo.ILNRound}, pairup.ENOTFOUND, []string{`"nope"`}},
		{"UnknownRound", "open", matchrun.Event{Action: matchrun.ActionMatch, Programme: demo.ILN, Round: "2031-9"}, pairup.ENOTFOUND, []string{`"2031-9"`}},
		{"NoRound", "open", matchrun.Event{Action: matchrun.ActionMatch, Programme: demo.ILN}, pairup.EINVALID, []string{`"round"`}},
		{"CommitWhileSignupOpen", "open", matchEvent(false), pairup.ECONFLICT, []string{"Signup for 2027 Round 1 is open until", "close-signup"}},
		{"DryRunOfActiveRound", "active", matchEvent(true), pairup.ECONFLICT, []string{"2027 Round 1 is active"}},
		{"CloseSignupTwice", "leased", closeEvent(), pairup.ECONFLICT, []string{"already closed", "matching"}},
		{"CommitWhileLeased", "leased", matchEvent(false), pairup.ECONFLICT, []string{"other-run", "until " + t0.Add(time.Minute+lease).Format(time.RFC3339)}},
		{"PinUnknownPerson", "open", ev(matchrun.ActionPin, []string{"reg-001", "ghost@example.org"}), pairup.EINVALID, []string{"pairs[0]", `"ghost@example.org" is not a confirmed participant`}},
		{"PinSamePersonTwice", "open", ev(matchrun.ActionPin, []string{"reg-020", "Librarian020@example.org"}), pairup.EINVALID, []string{"pairs[0]", "same person twice"}},
		{"PinThreePeople", "open", ev(matchrun.ActionPin, []string{"reg-020", "reg-021", "reg-022"}), pairup.EINVALID, []string{"pairs[0]", "exactly two"}},
		{"PinNobody", "open", ev(matchrun.ActionPin), pairup.EINVALID, []string{`"pairs"`}},
		{"PinSameCountry", "open", ev(matchrun.ActionPin, []string{"reg-001", "reg-002"}), pairup.EINVALID, []string{"reg-001", "reg-002", "breaks a hard constraint"}},
		{"PinPinnedPerson", "open", ev(matchrun.ActionPin, []string{"reg-010", "reg-012"}), pairup.EINVALID, []string{"reg-010", "pinned 2 times"}},
		{"PinAfterCommitBegan", "leased", ev(matchrun.ActionPin, []string{"reg-012", "reg-013"}), pairup.ECONFLICT, []string{"A commit has begun"}},
		{"ForbidAfterCommitBegan", "leased", ev(matchrun.ActionForbid, []string{"reg-012", "reg-013"}), pairup.ECONFLICT, []string{"A commit has begun"}},
		{"UnpinAfterCommit", "active", ev(matchrun.ActionUnpin, []string{"reg-010", "reg-011"}), pairup.ECONFLICT, []string{"is active"}},
		{"UnknownAction", "open", ev("explode"), pairup.EINVALID, []string{`Unknown action "explode"`}},
		{"NoAction", "open", matchrun.Event{}, pairup.EINVALID, []string{`Unknown action ""`}},
		{"NowNotAllowed", "open", func() matchrun.Event { x := matchEvent(true); x.Now = ptr(t0.Add(40 * 24 * time.Hour)); return x }(),
			pairup.EINVALID, []string{`"now" is only honoured`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := fixtures[tc.state]
			e.tb = t
			before, snap := e.round(), e.snapshot()
			res, err := e.invoke("bad-"+tc.name, tc.ev)
			if err == nil {
				t.Fatalf("no error; result %+v", res)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tc.code+": ") {
				t.Errorf("error %q; want one beginning %q", msg, tc.code+": ")
			}
			for _, m := range tc.mentions {
				if !strings.Contains(msg, m) {
					t.Errorf("error %q does not mention %q", msg, m)
				}
			}
			if e.snapshot() != snap {
				t.Error("the table changed")
			}
			after := e.round()
			if after.State != before.State || !slices.Equal(after.Pins, []pairup.PairRef{pin}) || len(after.Forbids) != 0 {
				t.Errorf("round %s pins %v forbids %v; was %s with pin %v", after.State, after.Pins, after.Forbids, before.State, pin)
			}
		})
	}
}
