package pairup_test

import (
	"slices"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/pairup"
)

func pairOf(ids ...string) pairup.Pair {
	p := pairup.Pair{ProgrammeID: "iln", RoundID: "r1", ID: pairup.PairID(ids...), Score: 7, Reasons: []string{"shared interest"},
		CreatedAt: time.Date(2027, 1, 10, 0, 0, 0, 0, time.UTC)}
	for _, id := range ids {
		p.Members = append(p.Members, pairup.PairMember{RegistrationID: id, ParticipantID: "p-" + id})
	}
	return p
}

func mentorPair(mentor, mentee string) pairup.Pair {
	p := pairOf(mentor, mentee)
	p.Members = []pairup.PairMember{{RegistrationID: mentor, ParticipantID: "p-" + mentor}, {RegistrationID: mentee, ParticipantID: "p-" + mentee}}
	return p
}

func outcomesOf(pairs ...pairup.Pair) []pairup.Outcome {
	byReg := map[string]*pairup.Outcome{}
	var order []string
	for _, p := range pairs {
		for _, m := range p.Members {
			if byReg[m.RegistrationID] == nil {
				byReg[m.RegistrationID] = &pairup.Outcome{ProgrammeID: "iln", RoundID: "r1", RegistrationID: m.RegistrationID,
					ParticipantID: m.ParticipantID, Kind: pairup.OutcomePaired}
				order = append(order, m.RegistrationID)
			}
			byReg[m.RegistrationID].PairIDs = append(byReg[m.RegistrationID].PairIDs, p.ID)
		}
	}
	var out []pairup.Outcome
	for _, id := range order {
		out = append(out, *byReg[id])
	}
	return out
}

func TestPlanWithdrawal(t *testing.T) {
	at := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	ab, cd, efg := pairOf("a", "b"), pairOf("c", "d"), pairOf("e", "f", "g")
	endedAB := pairOf("a", "h")
	endedAB.EndedAt, endedAB.EndReason = at.Add(-time.Hour), pairup.PairEndRepaired
	m1, m2 := mentorPair("m", "x"), mentorPair("m", "y")
	type left struct{ reg, ended, pair string }
	for _, tc := range []struct {
		name       string
		mode       pairup.Mode
		id         string
		pairs      []pairup.Pair
		ended      []string
		made       []string
		left       []left
		continuing []left
		outcomes   map[string]string // registration → kind/reason
	}{
		{name: "PeerPair", mode: pairup.ModePeer, id: "a", pairs: []pairup.Pair{ab, cd},
			ended: []string{"a+b"}, left: []left{{"b", "a+b", ""}},
			outcomes: map[string]string{"b": "unmatched/" + pairup.ReasonPartnerWithdrew}},
		{name: "TrioGoesOnAsAPair", mode: pairup.ModePeer, id: "f", pairs: []pairup.Pair{ab, efg},
			ended: []string{"e+f+g"}, made: []string{"e+g"}, continuing: []left{{"e", "e+f+g", "e+g"}, {"g", "e+f+g", "e+g"}},
			outcomes: map[string]string{"e": "paired/e+g", "g": "paired/e+g"}},
		{name: "NotInAPair", mode: pairup.ModePeer, id: "z", pairs: []pairup.Pair{ab}},
		{name: "EndedPairIgnored", mode: pairup.ModePeer, id: "h", pairs: []pairup.Pair{ab, endedAB}},
		{name: "MentorWithdraws", mode: pairup.ModeMentor, id: "m", pairs: []pairup.Pair{m1, m2},
			ended: []string{"m+x", "m+y"}, left: []left{{"x", "m+x", ""}, {"y", "m+y", ""}},
			outcomes: map[string]string{"x": "unmatched/" + pairup.ReasonMentorWithdrew, "y": "unmatched/" + pairup.ReasonMentorWithdrew}},
		{name: "MenteeWithdrawsMentorKeepsTheOther", mode: pairup.ModeMentor, id: "x", pairs: []pairup.Pair{m1, m2},
			ended: []string{"m+x"}, left: []left{{"m", "m+x", ""}},
			outcomes: map[string]string{"m": "paired/m+y"}},
		{name: "LastMenteeWithdraws", mode: pairup.ModeMentor, id: "y", pairs: []pairup.Pair{m2},
			ended: []string{"m+y"}, left: []left{{"m", "m+y", ""}},
			outcomes: map[string]string{"m": "unmatched/" + pairup.ReasonMenteeWithdrew}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan := pairup.PlanWithdrawal(tc.mode, tc.id, tc.pairs, outcomesOf(tc.pairs...))
			if !slices.Equal(plan.Ended, tc.ended) {
				t.Errorf("ended %v, want %v", plan.Ended, tc.ended)
			}
			var made []string
			for _, p := range plan.Made {
				made = append(made, p.ID)
				if p.Has(tc.id) || p.Replaces == "" || !p.CreatedAt.Equal(efg.CreatedAt) || !p.Active() {
					t.Errorf("made pair %+v: want the others, replacing the trio, on its schedule", p)
				}
			}
			if !slices.Equal(made, tc.made) {
				t.Errorf("made %v, want %v", made, tc.made)
			}
			got := func(ls []pairup.PartnerLeft) []left {
				var out []left
				for _, l := range ls {
					out = append(out, left{l.RegistrationID, l.Ended, l.Pair})
				}
				return out
			}
			if g := got(plan.Left); !slices.Equal(g, tc.left) {
				t.Errorf("left %v, want %v", g, tc.left)
			}
			if g := got(plan.Continuing); !slices.Equal(g, tc.continuing) {
				t.Errorf("continuing %v, want %v", g, tc.continuing)
			}
			outs := map[string]string{}
			for _, o := range plan.Outcomes {
				v := string(o.Kind) + "/" + o.Reason
				if o.Kind == pairup.OutcomePaired {
					v = string(o.Kind) + "/" + slicesJoin(o.PairIDs)
				}
				outs[o.RegistrationID] = v
			}
			if len(outs) != len(tc.outcomes) {
				t.Errorf("outcomes %v, want %v", outs, tc.outcomes)
			}
			for id, want := range tc.outcomes {
				if outs[id] != want {
					t.Errorf("outcome of %s = %q, want %q", id, outs[id], want)
				}
			}
			if _, ok := outs[tc.id]; ok {
				t.Errorf("the withdrawing person's own outcome changed: %v", outs)
			}
		})
	}
}

func slicesJoin(ids []string) string {
	out := ""
	for i, id := range ids {
		if i > 0 {
			out += ","
		}
		out += id
	}
	return out
}
