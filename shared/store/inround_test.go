package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
)

func alertMsg(k string) mail.Message {
	return mail.Message{Key: k, To: "coordinator@example.org", Subject: "No contact", Text: "A member has not heard from their partner.",
		HTML: "<p>A member has not heard from their partner.</p>", ListUnsubscribe: "https://forms.example.org/unsubscribe?t=x"}
}

// A check-in is answered once, even by concurrent clicks; the alert is queued with the answer
// that is recorded, and only then.
func TestRecordCheckInOnce(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	c := pairup.CheckIn{ProgrammeID: "iln", RoundID: "r1", PairID: "a+b", RegistrationID: "a", Answer: pairup.CheckInNo, At: t0}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.RecordCheckIn(ctx, c, []mail.Message{alertMsg("alert/checkin/iln/r1/a+b/a/0")})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch pairup.ErrorCode(err) {
		case "":
			ok++
		case pairup.ECONFLICT:
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of 8 concurrent answers were recorded, want 1", ok)
	}
	yes := c
	yes.Answer = pairup.CheckInYes
	prev, err := s.RecordCheckIn(ctx, yes, nil)
	if pairup.ErrorCode(err) != pairup.ECONFLICT || prev == nil || prev.Answer != pairup.CheckInNo {
		t.Fatalf("a second answer: %+v, %v", prev, err)
	}
	if q, err := s.GetMessage(ctx, "alert/checkin/iln/r1/a+b/a/0"); err != nil || q.Status != mail.StatusPending {
		t.Fatalf("the alert: %+v, %v", q, err)
	}
	got, err := s.GetCheckIn(ctx, "iln", "r1", "a+b", "a")
	if err != nil || got.Answer != pairup.CheckInNo {
		t.Fatalf("GetCheckIn: %+v, %v", got, err)
	}
	all, err := s.ListCheckIns(ctx, "iln", "r1")
	if err != nil || len(all) != 1 {
		t.Fatalf("ListCheckIns: %v, %v", all, err)
	}
	// A retry whose alert was queued before (its reply lost) still records the answer.
	other := pairup.CheckIn{ProgrammeID: "iln", RoundID: "r1", PairID: "a+b", RegistrationID: "b", Answer: pairup.CheckInNo, At: t0}
	if _, err := s.Enqueue(ctx, []mail.Message{alertMsg("alert/checkin/iln/r1/a+b/b/0")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordCheckIn(ctx, other, []mail.Message{alertMsg("alert/checkin/iln/r1/a+b/b/0")}); err != nil {
		t.Fatalf("answer after its alert was queued: %v", err)
	}
}

// A resubmission replaces the answers and keeps the first submission's time.
func TestSaveSurveyResponseReplaces(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := pairup.SurveyResponse{ProgrammeID: "iln", RoundID: "r1", Kind: pairup.SurveyMid, RegistrationID: "a", ParticipantID: "p-a",
		Answers: pairup.SurveyAnswers{"satisfaction": {"4"}, "impact": {"ideas", "contacts"}}, SubmittedAt: t0}
	first, err := s.SaveSurveyResponse(ctx, r)
	if err != nil || first.Submissions != 1 || !first.FirstAt.Equal(t0) {
		t.Fatalf("first: %+v, %v", first, err)
	}
	r.Answers = pairup.SurveyAnswers{"satisfaction": {"2"}}
	r.SubmittedAt = t0.Add(time.Hour)
	second, err := s.SaveSurveyResponse(ctx, r)
	if err != nil || second.Submissions != 2 || !second.FirstAt.Equal(t0) || !second.SubmittedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("second: %+v, %v", second, err)
	}
	if len(second.Answers) != 1 || second.Answers["satisfaction"][0] != "2" {
		t.Fatalf("the answers were merged, not replaced: %v", second.Answers)
	}
	if _, err := s.GetSurveyResponse(ctx, "iln", "r1", pairup.SurveyEnd, "a"); pairup.ErrorCode(err) != pairup.ENOTFOUND {
		t.Fatalf("another kind: %v", err)
	}
	r2 := r
	r2.RegistrationID, r2.Kind = "b", pairup.SurveyEnd
	if _, err := s.SaveSurveyResponse(ctx, r2); err != nil {
		t.Fatal(err)
	}
	mid, err := s.ListSurveyResponses(ctx, "iln", "r1", pairup.SurveyMid)
	if err != nil || len(mid) != 1 || mid[0].RegistrationID != "a" {
		t.Fatalf("mid responses: %+v, %v", mid, err)
	}
	all, err := s.ListSurveyResponses(ctx, "iln", "r1", "")
	if err != nil || len(all) != 2 {
		t.Fatalf("all responses: %+v, %v", all, err)
	}
}

// A re-pair ends pairs, writes the new one and queues the introductions in one transaction; the
// same re-pair again is ECONFLICT and writes nothing.
func TestRepairOnce(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	old := pairup.Pair{ProgrammeID: "iln", RoundID: "r1", ID: "a+b", Members: []pairup.PairMember{{RegistrationID: "a"}, {RegistrationID: "b"}}, Reasons: []string{"x"}, CreatedAt: t0}
	mustOK(t, s.WritePlan(ctx, "iln", "r1", []pairup.Pair{old}, nil))
	made := pairup.Pair{ProgrammeID: "iln", RoundID: "r1", ID: "a+c", Members: []pairup.PairMember{{RegistrationID: "a"}, {RegistrationID: "c"}}, Reasons: []string{"y"}, CreatedAt: t0.Add(time.Hour), Replaces: "a+b"}
	outs := []pairup.Outcome{{ProgrammeID: "iln", RoundID: "r1", RegistrationID: "a", Kind: pairup.OutcomePaired, PairIDs: []string{"a+c"}}}
	intro := alertMsg("repair/iln/r1/a+c/a")
	mustOK(t, s.Repair(ctx, "iln", "r1", []string{"a+b"}, pairup.PairEndRepaired, t0.Add(time.Hour), []pairup.Pair{made}, outs, []mail.Message{intro}))
	pairs, err := s.ListPairs(ctx, "iln", "r1")
	if err != nil || len(pairs) != 2 {
		t.Fatalf("pairs: %+v, %v", pairs, err)
	}
	for _, p := range pairs {
		if p.ID == "a+b" && (p.Active() || p.EndReason != pairup.PairEndRepaired) {
			t.Errorf("the old pair: %+v", p)
		}
		if p.ID == "a+c" && (!p.Active() || p.Replaces != "a+b") {
			t.Errorf("the new pair: %+v", p)
		}
	}
	err = s.Repair(ctx, "iln", "r1", []string{"a+b"}, pairup.PairEndRepaired, t0.Add(2*time.Hour), []pairup.Pair{made}, outs, []mail.Message{intro})
	if pairup.ErrorCode(err) != pairup.ECONFLICT {
		t.Fatalf("the same re-pair again: %v", err)
	}
	if got, _ := s.GetPair(ctx, "iln", "r1", "a+b"); !got.EndedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("the second re-pair changed the old pair: %+v", got)
	}
	if _, err := s.GetPair(ctx, "iln", "r1", "x+y"); pairup.ErrorCode(err) != pairup.ENOTFOUND {
		t.Errorf("a missing pair: %v", err)
	}
}
