package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/store"
)

// roundIn stores round id of programme "iln" (which must exist) in the given state.
func roundIn(t *testing.T, s *store.Store, id string, state pairup.RoundState) *pairup.Round {
	t.Helper()
	r := newRound("iln", id, t0)
	r.State = state
	mustOK(t, s.CreateRound(context.Background(), r))
	return r
}

// wantMessage checks that err's user-facing message contains each of parts.
func wantMessage(tb testing.TB, err error, parts ...string) {
	tb.Helper()
	for _, p := range parts {
		if msg := pairup.ErrorMessage(err); !strings.Contains(msg, p) {
			tb.Errorf("message %q does not contain %q", msg, p)
		}
	}
}

func TestTransitionRoundMatchingSince(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustOK(t, s.PutProgramme(ctx, newProgramme("iln")))
	roundIn(t, s, "r", pairup.RoundDraft)
	at := t0.Add(30 * 24 * time.Hour)
	for _, tc := range []struct {
		from, to pairup.RoundState
		at       time.Time
		want     time.Time // MatchingSince after the move
	}{
		{pairup.RoundDraft, pairup.RoundOpen, t0, time.Time{}},
		{pairup.RoundOpen, pairup.RoundMatching, at, at},
		{pairup.RoundMatching, pairup.RoundActive, at.Add(time.Hour), at}, // kept
	} {
		t.Run(string(tc.to), func(t *testing.T) {
			got, err := s.TransitionRound(ctx, "iln", "r", tc.from, tc.to, tc.at)
			mustOK(t, err)
			mustEqual(t, got.MatchingSince, tc.want)
			stored, err := s.GetRound(ctx, "iln", "r")
			mustOK(t, err)
			mustEqual(t, stored, got)
		})
	}
}

func TestSetRoundPairing(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustOK(t, s.PutProgramme(ctx, newProgramme("iln")))
	pins := []pairup.PairRef{{A: "reg-1", B: "reg-2"}}
	forbids := []pairup.PairRef{{A: "reg-3", B: "reg-4"}, {A: "reg-5", B: "reg-3"}}

	for _, tc := range []struct {
		name  string
		state pairup.RoundState // "" for no round
		begun bool              // a commit has begun
		code  string
		msg   string
	}{
		{"Open", pairup.RoundOpen, false, "", ""},
		{"Matching", pairup.RoundMatching, false, "", ""},
		{"ErrCommitBegun", pairup.RoundMatching, true, pairup.ECONFLICT, "commit has begun"},
		{"ErrDraft", pairup.RoundDraft, false, pairup.ECONFLICT, "draft"},
		{"ErrActive", pairup.RoundActive, false, pairup.ECONFLICT, "active"},
		{"ErrNotFound", "", false, pairup.ENOTFOUND, "no round"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := strings.ToLower(tc.name)
			var before *pairup.Round
			if tc.state != "" {
				roundIn(t, s, id, tc.state)
				if tc.begun {
					_, err := s.BeginCommit(ctx, "iln", id, "run-1", time.Minute)
					mustOK(t, err)
				}
				var err error
				before, err = s.GetRound(ctx, "iln", id)
				mustOK(t, err)
			}
			got, err := s.SetRoundPairing(ctx, "iln", id, pins, forbids)
			if tc.code != "" {
				wantCode(t, err, tc.code)
				wantMessage(t, err, tc.msg)
				if before != nil {
					stored, err := s.GetRound(ctx, "iln", id)
					mustOK(t, err)
					mustEqual(t, stored, before)
				}
				return
			}
			mustOK(t, err)
			want := *before
			want.Pins, want.Forbids = pins, forbids
			mustEqual(t, got, &want)
			stored, err := s.GetRound(ctx, "iln", id)
			mustOK(t, err)
			mustEqual(t, stored, &want)

			t.Run("Replace", func(t *testing.T) {
				got, err := s.SetRoundPairing(ctx, "iln", id, nil, forbids[:1])
				mustOK(t, err)
				want.Pins, want.Forbids = nil, forbids[:1]
				mustEqual(t, got, &want)
				got, err = s.SetRoundPairing(ctx, "iln", id, nil, nil)
				mustOK(t, err)
				want.Forbids = nil
				mustEqual(t, got, &want)
			})
		})
	}
}

func TestBeginCommit(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustOK(t, s.PutProgramme(ctx, newProgramme("iln")))
	const lease = 5 * time.Minute

	t.Run("Lease", func(t *testing.T) {
		setNow(s, t0)
		roundIn(t, s, "lease", pairup.RoundMatching)
		steps := []struct {
			name    string
			advance time.Duration // clock moves before the call
			owner   string
			code    string
			until   time.Time // the lease's end afterwards
		}{
			{"FirstWins", 0, "a", "", t0.Add(lease)},
			{"OtherRefused", time.Minute, "b", pairup.ECONFLICT, t0.Add(lease)},
			{"SameRenews", time.Minute, "a", "", t0.Add(2*time.Minute + lease)},
			{"OtherRefusedAtEdge", lease - time.Second, "b", pairup.ECONFLICT, t0.Add(2*time.Minute + lease)},
			{"OtherTakesOverExpired", time.Second, "b", "", t0.Add(2*time.Minute + 2*lease)},
			{"FormerRefused", 0, "a", pairup.ECONFLICT, t0.Add(2*time.Minute + 2*lease)},
		}
		owner := ""
		for _, st := range steps {
			setNow(s, s.Now().Add(st.advance))
			got, err := s.BeginCommit(ctx, "iln", "lease", st.owner, lease)
			if st.code != "" {
				wantCode(t, err, st.code)
				wantMessage(t, err, "until "+st.until.Format(time.RFC3339))
			} else {
				mustOK(t, err)
				owner = st.owner
				mustEqual(t, got.CommitOwner, owner)
				mustEqual(t, got.CommitUntil, st.until)
				mustEqual(t, got.State, pairup.RoundMatching)
			}
			stored, err := s.GetRound(ctx, "iln", "lease")
			mustOK(t, err)
			if stored.CommitOwner != owner || !stored.CommitUntil.Equal(st.until) {
				t.Fatalf("%s: lease %s until %v, want %s until %v", st.name, stored.CommitOwner, stored.CommitUntil, owner, st.until)
			}
		}
	})

	t.Run("Refused", func(t *testing.T) {
		setNow(s, t0)
		committed := t0.Add(-time.Hour)
		for _, tc := range []struct {
			name  string
			state pairup.RoundState // "" for no round
			code  string
			msg   string
		}{
			{"Open", pairup.RoundOpen, pairup.ECONFLICT, "The round is open, not matching"},
			{"Draft", pairup.RoundDraft, pairup.ECONFLICT, "The round is draft, not matching"},
			{"Active", pairup.RoundActive, pairup.ECONFLICT, "already active: committed at " + committed.Format(time.RFC3339)},
			{"NotFound", "", pairup.ENOTFOUND, "no round"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				id := "refused-" + strings.ToLower(tc.name)
				if tc.state != "" {
					r := newRound("iln", id, t0)
					r.State = tc.state
					if tc.state == pairup.RoundActive {
						r.Matching = &pairup.MatchStats{Pairs: 3, CommittedAt: committed}
					}
					mustOK(t, s.CreateRound(ctx, r))
				}
				_, err := s.BeginCommit(ctx, "iln", id, "a", lease)
				wantCode(t, err, tc.code)
				wantMessage(t, err, tc.msg)
			})
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		roundIn(t, s, "invalid", pairup.RoundMatching)
		_, err := s.BeginCommit(ctx, "iln", "invalid", "", lease)
		wantCode(t, err, pairup.EINVALID)
		_, err = s.BeginCommit(ctx, "iln", "invalid", "a", 0)
		wantCode(t, err, pairup.EINVALID)
	})

	t.Run("ConcurrentOneWins", func(t *testing.T) {
		setNow(s, t0)
		roundIn(t, s, "race", pairup.RoundMatching)
		const n = 10
		rounds := make([]*pairup.Round, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				rounds[i], errs[i] = s.BeginCommit(ctx, "iln", "race", fmt.Sprintf("run-%d", i), lease)
			})
		}
		wg.Wait()
		winner := ""
		for i := range n {
			switch pairup.ErrorCode(errs[i]) {
			case "":
				if winner != "" {
					t.Fatalf("both %s and %s won", winner, rounds[i].CommitOwner)
				}
				winner = rounds[i].CommitOwner
			case pairup.ECONFLICT:
			default:
				t.Errorf("unexpected error: %v", errs[i])
			}
		}
		stored, err := s.GetRound(ctx, "iln", "race")
		mustOK(t, err)
		if winner == "" || stored.CommitOwner != winner {
			t.Fatalf("winner %q, stored owner %q", winner, stored.CommitOwner)
		}
	})
}

// plan returns n deterministic pairs of round r (registrations reg-0000 …) and an outcome for
// each of their 2n people.
func plan(roundID string, n int) ([]pairup.Pair, []pairup.Outcome) {
	pairs := make([]pairup.Pair, n)
	outcomes := make([]pairup.Outcome, 0, 2*n)
	for i := range n {
		a, b := fmt.Sprintf("reg-%04d", 2*i), fmt.Sprintf("reg-%04d", 2*i+1)
		id := pairup.PairID(b, a)
		pairs[i] = pairup.Pair{
			ProgrammeID: "iln", RoundID: roundID, ID: id,
			Members: []pairup.PairMember{{RegistrationID: a, ParticipantID: "p-" + a}, {RegistrationID: b, ParticipantID: "p-" + b}},
			Score:   int64(1000 + i), Pinned: i%100 == 0, Reasons: []string{"Both work in academic libraries"},
			CreatedAt: t0,
		}
		for j, reg := range []string{a, b} {
			outcomes = append(outcomes, pairup.Outcome{
				ProgrammeID: "iln", RoundID: roundID, RegistrationID: reg, ParticipantID: "p-" + reg,
				Kind: pairup.OutcomePaired, PairIDs: []string{id}, SignedUpAt: t0.Add(-time.Duration(2*i+j) * time.Minute),
			})
		}
	}
	return pairs, outcomes
}

// rawPartition reads every item of a partition straight from the table.
func rawPartition(t *testing.T, s *store.Store, pk string) []map[string]types.AttributeValue {
	t.Helper()
	var items []map[string]types.AttributeValue
	p := dynamodb.NewQueryPaginator(client, &dynamodb.QueryInput{
		TableName:                 aws.String(tableOf(s)),
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
		ConsistentRead:            aws.Bool(true),
	})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		mustOK(t, err)
		items = append(items, out.Items...)
	}
	return items
}

func TestWritePlan(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	pairs, outcomes := plan("big", 1000)

	mustOK(t, s.WritePlan(ctx, "iln", "big", pairs, outcomes))
	gotPairs, err := s.ListPairs(ctx, "iln", "big")
	mustOK(t, err)
	mustEqual(t, gotPairs, pairs)
	gotOutcomes, err := s.ListOutcomes(ctx, "iln", "big")
	mustOK(t, err)
	mustEqual(t, gotOutcomes, outcomes)
	before := rawPartition(t, s, "ROUND#iln#big")
	mustEqual(t, len(before), 3000)

	t.Run("Again", func(t *testing.T) {
		// A re-run after a crash writes the same items again.
		mustOK(t, s.WritePlan(ctx, "iln", "big", pairs, outcomes))
		mustEqual(t, rawPartition(t, s, "ROUND#iln#big"), before)
	})
	t.Run("FillsRound", func(t *testing.T) {
		p, o := plan("fill", 1)
		p[0].ProgrammeID, p[0].RoundID, o[0].ProgrammeID, o[0].RoundID = "", "", "", ""
		mustOK(t, s.WritePlan(ctx, "iln", "fill", p, o))
		got, err := s.ListPairs(ctx, "iln", "fill")
		mustOK(t, err)
		mustEqual(t, got[0].RoundID, "fill")
		gotO, err := s.ListOutcomes(ctx, "iln", "fill")
		mustOK(t, err)
		mustEqual(t, gotO[0].ProgrammeID, "iln")
	})
	t.Run("Empty", func(t *testing.T) {
		mustOK(t, s.WritePlan(ctx, "iln", "empty", nil, nil))
		got, err := s.ListPairs(ctx, "iln", "empty")
		mustOK(t, err)
		mustEqual(t, len(got), 0)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			change func(p []pairup.Pair, o []pairup.Outcome) ([]pairup.Pair, []pairup.Outcome)
		}{
			{"PairID", func(p []pairup.Pair, o []pairup.Outcome) ([]pairup.Pair, []pairup.Outcome) {
				p[1].ID = "reg-0001+reg-0002"
				return p, o
			}},
			{"OneMember", func(p []pairup.Pair, o []pairup.Outcome) ([]pairup.Pair, []pairup.Outcome) {
				p[1].Members, p[1].ID = p[1].Members[:1], p[1].Members[0].RegistrationID
				return p, o
			}},
			{"DuplicatePair", func(p []pairup.Pair, o []pairup.Outcome) ([]pairup.Pair, []pairup.Outcome) {
				return append(p, p[0]), o
			}},
			{"DuplicateOutcome", func(p []pairup.Pair, o []pairup.Outcome) ([]pairup.Pair, []pairup.Outcome) {
				return p, append(o, o[3])
			}},
			{"NoRegistration", func(p []pairup.Pair, o []pairup.Outcome) ([]pairup.Pair, []pairup.Outcome) {
				o[2].RegistrationID = ""
				return p, o
			}},
			{"OtherRound", func(p []pairup.Pair, o []pairup.Outcome) ([]pairup.Pair, []pairup.Outcome) {
				o[2].RoundID = "r0"
				return p, o
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p, o := tc.change(plan("bad", 3))
				wantCode(t, s.WritePlan(ctx, "iln", "bad", p, o), pairup.EINVALID)
				mustEqual(t, len(rawPartition(t, s, "ROUND#iln#bad")), 0)
			})
		}
	})
}

// unprocessor stands between the SDK and DynamoDB Local and makes BatchWriteItem leave items
// unprocessed, as DynamoDB does under throttling: it forwards only part of a request's items
// and reports the rest in UnprocessedItems. DynamoDB Local never does so by itself.
type unprocessor struct {
	base interface {
		Do(*http.Request) (*http.Response, error)
	}
	// always: every request leaves its last item unprocessed; otherwise a request whose items
	// are all new leaves half of them, and a retry is forwarded whole.
	always  bool
	mu      sync.Mutex
	seen    map[string]bool // SKs of items already sent
	calls   atomic.Int64    // BatchWriteItem calls
	partial atomic.Int64    // calls answered with unprocessed items
}

func (u *unprocessor) Do(req *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(req.Header.Get("X-Amz-Target"), ".BatchWriteItem") {
		return u.base.Do(req)
	}
	u.calls.Add(1)
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	var in map[string]json.RawMessage
	var items map[string][]json.RawMessage
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(in["RequestItems"], &items); err != nil {
		return nil, err
	}
	if len(items) != 1 {
		return nil, fmt.Errorf("BatchWriteItem on %d tables", len(items))
	}
	var table string
	var reqs []json.RawMessage
	for t, r := range items {
		table, reqs = t, r
	}
	keep := len(reqs)
	u.mu.Lock()
	if u.seen == nil {
		u.seen = map[string]bool{}
	}
	fresh := true
	for _, r := range reqs {
		var w struct {
			PutRequest struct {
				Item struct{ SK struct{ S string } }
			}
		}
		if err := json.Unmarshal(r, &w); err != nil {
			u.mu.Unlock()
			return nil, err
		}
		fresh = fresh && !u.seen[w.PutRequest.Item.SK.S]
		u.seen[w.PutRequest.Item.SK.S] = true
	}
	u.mu.Unlock()
	switch {
	case u.always:
		keep = len(reqs) - 1
	case fresh && len(reqs) > 1:
		keep = len(reqs) - len(reqs)/2
	}
	if keep < len(reqs) {
		u.partial.Add(1)
		in["RequestItems"], _ = json.Marshal(map[string][]json.RawMessage{table: reqs[:keep]})
		body, _ = json.Marshal(in)
	}
	var resp *http.Response
	o := map[string]json.RawMessage{}
	if keep == 0 {
		// Nothing to forward (DynamoDB refuses an empty batch): answer ourselves.
		resp = &http.Response{
			StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}}, Request: req,
		}
	} else {
		fwd := req.Clone(req.Context())
		fwd.Body, fwd.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		resp, err = u.base.Do(fwd)
		if err != nil || keep == len(reqs) || resp.StatusCode != http.StatusOK {
			return resp, err
		}
		out, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(out, &o); err != nil {
			return nil, err
		}
	}
	o["UnprocessedItems"], _ = json.Marshal(map[string][]json.RawMessage{table: reqs[keep:]})
	out, _ := json.Marshal(o)
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(out)), int64(len(out))
	resp.Header.Set("Content-Length", strconv.Itoa(len(out)))
	resp.Header.Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(out)), 10))
	return resp, nil
}

// newUnprocessedStore returns a Store on a fresh table whose client goes through u.
func newUnprocessedStore(t *testing.T, u *unprocessor) *store.Store {
	t.Helper()
	plain := newStore(t)
	db := dynamodb.New(client.Options(), func(o *dynamodb.Options) {
		u.base = o.HTTPClient
		o.HTTPClient = u
	})
	clock := pairup.NewManualClock(t0)
	s := store.New(db, tableOf(plain), clock)
	tables.Store(s, tableOf(plain))
	clocks.Store(s, clock)
	return s
}

func TestWritePlanUnprocessed(t *testing.T) {
	ctx := context.Background()
	t.Run("Retried", func(t *testing.T) {
		u := &unprocessor{}
		s := newUnprocessedStore(t, u)
		pairs, outcomes := plan("r1", 200)
		mustOK(t, s.WritePlan(ctx, "iln", "r1", pairs, outcomes))
		// 24 batches, each answered half unprocessed once and then sent again.
		mustEqual(t, u.partial.Load(), int64(24))
		mustEqual(t, u.calls.Load(), int64(48))
		gotPairs, err := s.ListPairs(ctx, "iln", "r1")
		mustOK(t, err)
		mustEqual(t, gotPairs, pairs)
		gotOutcomes, err := s.ListOutcomes(ctx, "iln", "r1")
		mustOK(t, err)
		mustEqual(t, gotOutcomes, outcomes)
	})
	t.Run("GivesUp", func(t *testing.T) {
		u := &unprocessor{always: true}
		s := newUnprocessedStore(t, u)
		pairs, outcomes := plan("r1", 1)
		err := s.WritePlan(ctx, "iln", "r1", pairs, outcomes)
		if code := pairup.ErrorCode(err); code != pairup.EINTERNAL || !strings.Contains(err.Error(), "unprocessed") {
			t.Fatalf("error %v (%s), want an internal error about unprocessed items", err, code)
		}
		if n := u.calls.Load(); n < 2 || n > 20 {
			t.Errorf("%d BatchWriteItem calls, want a few bounded retries", n)
		}
	})
}

func TestListDeferred(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	deferred := func(prog, round, reg string, signedUp time.Time) pairup.Outcome {
		return pairup.Outcome{
			ProgrammeID: prog, RoundID: round, RegistrationID: reg, ParticipantID: "p-" + reg,
			Kind: pairup.OutcomeDeferred, Position: 1, Reason: "country cap", SignedUpAt: signedUp,
		}
	}
	// Signup order: c (earliest), then a and b at the same instant (by id), then d; across two
	// rounds. e is in another programme; f was paired.
	a := deferred("iln", "r1", "a", t0.Add(time.Hour))
	b := deferred("iln", "r2", "b", t0.Add(time.Hour))
	c := deferred("iln", "r2", "c", t0.Add(-48*time.Hour))
	d := deferred("iln", "r1", "d", t0.Add(time.Hour+time.Nanosecond))
	e := deferred("hkla", "r1", "e", t0)
	f := pairup.Outcome{ProgrammeID: "iln", RoundID: "r1", RegistrationID: "f", Kind: pairup.OutcomeUnmatched, Reason: "no partner", SignedUpAt: t0}
	mustOK(t, s.WritePlan(ctx, "iln", "r1", nil, []pairup.Outcome{d, f, a}))
	mustOK(t, s.WritePlan(ctx, "iln", "r2", nil, []pairup.Outcome{b, c}))
	mustOK(t, s.WritePlan(ctx, "hkla", "r1", nil, []pairup.Outcome{e}))

	got, err := s.ListDeferred(ctx, "iln")
	mustOK(t, err)
	mustEqual(t, got, []pairup.Outcome{c, a, b, d})

	t.Run("NoLongerDeferred", func(t *testing.T) {
		// A re-written outcome that is no longer deferred leaves the index.
		a2 := a
		a2.Kind, a2.Position, a2.Reason = pairup.OutcomeUnmatched, 0, "no partner"
		mustOK(t, s.WritePlan(ctx, "iln", "r1", nil, []pairup.Outcome{a2}))
		got, err := s.ListDeferred(ctx, "iln")
		mustOK(t, err)
		mustEqual(t, got, []pairup.Outcome{c, b, d})
	})
	t.Run("None", func(t *testing.T) {
		got, err := s.ListDeferred(ctx, "none")
		mustOK(t, err)
		mustEqual(t, len(got), 0)
	})
}

func TestFinishCommit(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustOK(t, s.PutProgramme(ctx, newProgramme("iln")))
	stats := pairup.MatchStats{
		Registrations: 12, Confirmed: 10, Matched: 9, Pairs: 3, Trios: 1, Deferred: 1,
		Unmatched: map[string]int{"no partner": 0}, Countries: 4, MeanScore: 812.5, Certified: true,
		CommittedAt: t0.Add(time.Minute),
	}

	setNow(s, t0)
	roundIn(t, s, "r", pairup.RoundMatching)
	_, err := s.BeginCommit(ctx, "iln", "r", "a", time.Minute)
	mustOK(t, err)
	before, err := s.GetRound(ctx, "iln", "r")
	mustOK(t, err)

	t.Run("ErrOtherOwner", func(t *testing.T) {
		_, err := s.FinishCommit(ctx, "iln", "r", "b", stats)
		wantCode(t, err, pairup.ECONFLICT)
		wantMessage(t, err, "a holds it until")
	})

	setNow(s, t0.Add(2*time.Minute)) // the lease has run out, but nobody took it over
	got, err := s.FinishCommit(ctx, "iln", "r", "a", stats)
	mustOK(t, err)
	want := *before
	want.State, want.UpdatedAt, want.Matching = pairup.RoundActive, t0.Add(2*time.Minute), &stats
	want.CommitOwner, want.CommitUntil = "", time.Time{}
	mustEqual(t, got, &want)
	stored, err := s.GetRound(ctx, "iln", "r")
	mustOK(t, err)
	mustEqual(t, stored, &want)

	t.Run("Retried", func(t *testing.T) {
		setNow(s, t0.Add(time.Hour))
		other := stats
		other.Pairs = 99
		got, err := s.FinishCommit(ctx, "iln", "r", "a", other)
		mustOK(t, err)
		mustEqual(t, got, &want)
		stored, err := s.GetRound(ctx, "iln", "r")
		mustOK(t, err)
		mustEqual(t, stored, &want)
	})
	t.Run("ErrOtherOwnerAfter", func(t *testing.T) {
		_, err := s.FinishCommit(ctx, "iln", "r", "b", stats)
		wantCode(t, err, pairup.ECONFLICT)
		wantMessage(t, err, "already active: committed at "+stats.CommittedAt.Format(time.RFC3339))
	})
	t.Run("CommittedAtDefaultsToNow", func(t *testing.T) {
		setNow(s, t0)
		roundIn(t, s, "now", pairup.RoundMatching)
		_, err := s.BeginCommit(ctx, "iln", "now", "a", time.Minute)
		mustOK(t, err)
		got, err := s.FinishCommit(ctx, "iln", "now", "a", pairup.MatchStats{Pairs: 1})
		mustOK(t, err)
		mustEqual(t, got.Matching.CommittedAt, t0)
	})
	t.Run("ErrTakenOver", func(t *testing.T) {
		setNow(s, t0)
		roundIn(t, s, "taken", pairup.RoundMatching)
		_, err := s.BeginCommit(ctx, "iln", "taken", "a", time.Minute)
		mustOK(t, err)
		setNow(s, t0.Add(2*time.Minute))
		_, err = s.BeginCommit(ctx, "iln", "taken", "b", time.Minute)
		mustOK(t, err)
		_, err = s.FinishCommit(ctx, "iln", "taken", "a", stats)
		wantCode(t, err, pairup.ECONFLICT)
		_, err = s.FinishCommit(ctx, "iln", "taken", "b", stats)
		mustOK(t, err)
	})
	t.Run("ErrNotBegun", func(t *testing.T) {
		roundIn(t, s, "not-begun", pairup.RoundMatching)
		_, err := s.FinishCommit(ctx, "iln", "not-begun", "a", stats)
		wantCode(t, err, pairup.ECONFLICT)
		wantMessage(t, err, "No commit has begun")
	})
	t.Run("ErrOpen", func(t *testing.T) {
		roundIn(t, s, "open", pairup.RoundOpen)
		_, err := s.FinishCommit(ctx, "iln", "open", "a", stats)
		wantCode(t, err, pairup.ECONFLICT)
		wantMessage(t, err, "open")
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := s.FinishCommit(ctx, "iln", "nope", "a", stats)
		wantCode(t, err, pairup.ENOTFOUND)
	})
}

func TestPreviousPartners(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	// Round r1: a–b, c–d. Round r2: the trio a–c–e, and b–d. Round r3: a–f.
	pair := func(round string, people ...string) pairup.Pair {
		var regs []string
		var members []pairup.PairMember
		for _, p := range people {
			reg := round + "-" + p
			regs = append(regs, reg)
			members = append(members, pairup.PairMember{RegistrationID: reg, ParticipantID: "p-" + p})
		}
		return pairup.Pair{ProgrammeID: "iln", RoundID: round, ID: pairup.PairID(regs...), Members: members, Reasons: []string{"x"}, CreatedAt: t0}
	}
	mustOK(t, s.WritePlan(ctx, "iln", "r1", []pairup.Pair{pair("r1", "a", "b"), pair("r1", "c", "d")}, nil))
	mustOK(t, s.WritePlan(ctx, "iln", "r2", []pairup.Pair{pair("r2", "a", "c", "e"), pair("r2", "b", "d")}, nil))
	mustOK(t, s.WritePlan(ctx, "iln", "r3", []pairup.Pair{pair("r3", "a", "f")}, nil))
	other := pair("r1", "a", "z")
	other.ProgrammeID = "other"
	mustOK(t, s.WritePlan(ctx, "other", "r1", []pairup.Pair{other}, nil))

	for _, tc := range []struct {
		name   string
		rounds []string
		want   map[string][]string
	}{
		{"OneRound", []string{"r1"}, map[string][]string{
			"p-a": {"p-b"}, "p-b": {"p-a"}, "p-c": {"p-d"}, "p-d": {"p-c"},
		}},
		{"TwoRoundsWithTrio", []string{"r2", "r1"}, map[string][]string{
			"p-a": {"p-b", "p-c", "p-e"},
			"p-b": {"p-a", "p-d"},
			"p-c": {"p-a", "p-d", "p-e"},
			"p-d": {"p-b", "p-c"},
			"p-e": {"p-a", "p-c"},
		}},
		{"Repeated", []string{"r3", "r3"}, map[string][]string{"p-a": {"p-f"}, "p-f": {"p-a"}}},
		{"NoRounds", nil, map[string][]string{}},
		{"UnknownRound", []string{"nope"}, map[string][]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.PreviousPartners(ctx, "iln", tc.rounds)
			mustOK(t, err)
			mustEqual(t, got, tc.want)
		})
	}
}
