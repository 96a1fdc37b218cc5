package matchrun_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/demo"
	"github.com/pairup/pairup/shared/matchrun"
	"github.com/pairup/pairup/shared/membership"
	"github.com/pairup/pairup/shared/pairup"
)

// committed commits the demo iln round over regs, returning the round's outcomes.
func (e *env) committed(regs []pairup.Registration) []pairup.Outcome {
	e.tb.Helper()
	e.register(regs, 4)
	e.must("close", closeEvent())
	if res := e.must("commit", matchEvent(false)); res.State != string(pairup.RoundActive) {
		e.tb.Fatalf("commit: %+v", res)
	}
	outs, err := e.st.ListOutcomes(e.ctx, demo.ILN, demo.ILNRound)
	if err != nil {
		e.tb.Fatal(err)
	}
	return outs
}

func openEvent(id string) matchrun.Event {
	opens := t0.Add(-time.Hour)
	return matchrun.Event{Action: matchrun.ActionOpenRound, Programme: demo.ILN, NewRound: &matchrun.RoundSpec{
		ID: id, Name: "Round " + id, SignupOpens: opens, SignupCloses: opens.AddDate(0, 1, 0), Starts: opens.AddDate(0, 1, 7), Ends: opens.AddDate(0, 5, 0),
	}}
}

// TestOpenRoundInvitesDeferred: opening the next round invites the people the country cap
// deferred, first, in signup order, one email each; the same event again queues nothing more;
// a different round under the same id is refused; and a later round invites no one who has
// withdrawn or has a registration in a later round already.
func TestOpenRoundInvitesDeferred(t *testing.T) {
	e := newEnv(t)
	outs := e.committed(ilnPeople(40, t0))
	var deferred []pairup.Outcome
	for _, o := range outs {
		if o.Kind == pairup.OutcomeDeferred {
			deferred = append(deferred, o)
		}
	}
	if len(deferred) < 2 {
		t.Fatalf("%d deferred, want 2 or more (10 of 40 from AU, a 20%% cap)", len(deferred))
	}
	// Signup order: reg ids follow signup time in ilnPeople.
	slices.SortFunc(deferred, func(a, b pairup.Outcome) int { return strings.Compare(a.RegistrationID, b.RegistrationID) })
	n := len(deferred)

	res := e.must("open-a", openEvent("2027-2"))
	if len(res.Invited) != n || res.Emails == nil || res.Emails.Participants != n || !strings.Contains(res.Summary, "Invited first") {
		t.Fatalf("open-round: %+v", res)
	}
	for i, o := range deferred {
		if !strings.Contains(res.Invited[i].Person, o.RegistrationID) || res.Invited[i].Position != i+1 {
			t.Errorf("invitation %d is %+v, want %s (signup order)", i+1, res.Invited[i], o.RegistrationID)
		}
	}
	invites := e.outbox("invite/" + demo.ILN + "/2027-2/")
	if len(invites) != n {
		t.Fatalf("%d invitations queued, want %d: %v", len(invites), n, invites)
	}
	q, err := e.st.GetMessage(e.ctx, "invite/"+demo.ILN+"/2027-2/"+deferred[0].RegistrationID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(q.Text, testBaseURL+membership.RejoinPath+"?t=") || !strings.Contains(q.Subject, "Round 2027-2") {
		t.Errorf("invitation:\n%s\n%s", q.Subject, q.Text)
	}

	// The same event again: nothing new queued, no error; another calendar under the id: refused.
	again := e.must("open-a-again", openEvent("2027-2"))
	if len(again.Invited) != n || again.Emails.Participants != 0 {
		t.Errorf("open-round repeated: %+v", again)
	}
	other := openEvent("2027-2")
	other.NewRound.Name = "Another round"
	if _, err := e.invoke("open-other", other); err == nil || !strings.Contains(err.Error(), "choose another id") {
		t.Errorf("a different round under a taken id: %v", err)
	}

	// The first takes their place in 2027-2 (as the rejoin page does); the second withdraws
	// from 2027-1. The round after invites neither, only the others.
	first, err := e.st.GetRegistration(e.ctx, demo.ILN, demo.ILNRound, deferred[0].RegistrationID)
	if err != nil {
		t.Fatal(err)
	}
	rejoined := *first
	rejoined.RoundID, rejoined.Returning = "2027-2", true
	if err := e.st.Rejoin(e.ctx, &rejoined); err != nil {
		t.Fatal(err)
	}
	second, _ := e.st.GetRegistration(e.ctx, demo.ILN, demo.ILNRound, deferred[1].RegistrationID)
	if err := e.st.Withdraw(e.ctx, pairup.Withdrawal{ProgrammeID: demo.ILN, RoundID: demo.ILNRound, RegistrationID: second.ID,
		From: pairup.StatusConfirmed, Email: second.Email, Active: true, At: t0}, nil); err != nil {
		t.Fatal(err)
	}
	later := openEvent("2027-3")
	later.NewRound.SignupOpens = later.NewRound.SignupOpens.Add(time.Minute) // after 2027-2 in calendar order
	res = e.must("open-b", later)
	if len(res.Invited) != n-2 || res.Emails.Participants != n-2 {
		t.Errorf("the round after invites %d (%d queued), want %d: %+v", len(res.Invited), res.Emails.Participants, n-2, res.Invited)
	}
	for _, v := range res.Invited {
		if strings.Contains(v.Person, first.ID) || strings.Contains(v.Person, second.ID) {
			t.Errorf("the round after invites %s, who rejoined or withdrew", v.Person)
		}
	}
}

// TestWithdrawnPinDropped: a pin naming someone who withdrew before matching no longer stops the
// matching; they are simply not in it.
func TestWithdrawnPinDropped(t *testing.T) {
	e := newEnv(t)
	regs := ilnPeople(16, t0)
	e.register(regs, 4)
	pin := matchrun.Event{Action: matchrun.ActionPin, Programme: demo.ILN, Round: demo.ILNRound, Pairs: [][]string{{"reg-004", "reg-005"}}}
	e.must("pin", pin)
	gone := e.regs[4]
	if err := e.st.Withdraw(e.ctx, pairup.Withdrawal{ProgrammeID: demo.ILN, RoundID: demo.ILNRound, RegistrationID: gone.ID,
		From: pairup.StatusConfirmed, Email: gone.Email, At: t0}, nil); err != nil {
		t.Fatal(err)
	}
	res := e.must("dry", matchEvent(true))
	if res.Counts.Confirmed != 15 {
		t.Errorf("dry run after a withdrawal: %d confirmed, want 15", res.Counts.Confirmed)
	}
	for _, p := range res.Pairs {
		if strings.Contains(strings.Join(p.Members, " "), gone.ID) {
			t.Errorf("the withdrawn person is paired: %v", p.Members)
		}
	}
}

// TestRepairAfterWithdrawal: the re-pair event a withdrawal's alert carries gives the partner
// left alone a new partner (or a place in a pair as a third), once: run again, it is refused.
func TestRepairAfterWithdrawal(t *testing.T) {
	e := newEnv(t)
	outs := e.committed(ilnPeople(16, t0))
	pairs, err := e.st.ListPairs(e.ctx, demo.ILN, demo.ILNRound)
	if err != nil {
		t.Fatal(err)
	}
	var pair pairup.Pair
	for _, p := range pairs {
		if len(p.Members) == 2 {
			pair = p
			break
		}
	}
	gone, left := pair.Members[0].RegistrationID, pair.Members[1].RegistrationID
	e.clock.Advance(24 * time.Hour)
	plan := pairup.PlanWithdrawal(pairup.ModePeer, gone, pairs, outs)
	if err := e.st.Withdraw(e.ctx, pairup.Withdrawal{ProgrammeID: demo.ILN, RoundID: demo.ILNRound, RegistrationID: gone,
		From: pairup.StatusConfirmed, Email: e.regs[0].Email, Active: true, At: e.clock.Now(), Plan: plan}, nil); err != nil {
		t.Fatal(err)
	}
	var ev matchrun.Event
	if err := json.Unmarshal([]byte(membership.RepairEvent(demo.ILN, demo.ILNRound, left, pair.ID)), &ev); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	res := e.must("repair", ev)
	if res.Emails == nil || res.Emails.Participants < 2 || len(res.Pairs) == 0 {
		t.Fatalf("re-pair after a withdrawal: %+v", res)
	}
	after, _ := e.st.ListPairs(e.ctx, demo.ILN, demo.ILNRound)
	found := false
	for _, p := range after {
		if p.Active() && p.Has(left) {
			found = true
			if p.Has(gone) {
				t.Errorf("re-paired with the person who withdrew: %s", p.ID)
			}
		}
	}
	if !found {
		t.Fatalf("%s has no active pair after the re-pair", left)
	}
	if _, err := e.invoke("repair-again", ev); err == nil || !strings.Contains(err.Error(), "made before") {
		t.Errorf("the same re-pair again: %v", err)
	}
}
