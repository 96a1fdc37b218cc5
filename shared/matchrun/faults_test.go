package matchrun_test

// Fault-injection tests of the match-run function's commit against DynamoDB Local.
//
// Each test has its own table, seeded with the demo programmes (shared/demo) and about sixty
// confirmed ILN registrations written straight to the store (the world is env_test.go's). The
// function under test is the real handler (matchrun.NewLambda); its DynamoDB client's HTTP
// layer goes through a faulthttp.Client (matchrun.Deps.DynamoDB sets o.HTTPClient), which can
// answer a chosen request itself with a synthetic response in DynamoDB's wire format (JSON
// 1.0), so that the SDK's deserializers and retryer see exactly what DynamoDB would send, or
// stop every request from some point on (a crash). DynamoDB Local never throttles and never
// reports a transaction conflict, so this is the only way to see the commit's handling of them.
//
// What every commit must end in, whatever the faults: the pairs a clean dry run proposes (same
// ids, scores and reasons), one outcome per person, exactly one queued email per participant
// under match/<programme>/<round>/<registration> (status pending; a message queued by an
// earlier, crashed run is never rewritten: its createdAt stays), and the round active.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/demo"
	"github.com/pairup/pairup/shared/internal/faulthttp"
	"github.com/pairup/pairup/shared/pairup"
)

// crash lets requests through until the n-th request of op arrives; then it calls stop (which
// cancels the invocation, as a Lambda timeout or a killed sandbox would) and fails that
// request and every one after it. Requests it lets through go on with a context the stop does
// not cancel: they have reached DynamoDB, and DynamoDB applies them whatever becomes of the
// caller. items and puts count what it let through.
type crash struct {
	op   string
	n    int
	stop context.CancelFunc

	mu      sync.Mutex
	crashed bool
	items   int // items in the BatchWriteItem requests let through
	puts    int // PutItem requests let through
}

func (k *crash) hook(c *faulthttp.Request) (*http.Response, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.crashed && c.Op == k.op && c.OpN == k.n {
		k.crashed = true
		k.stop()
	}
	if k.crashed {
		return nil, context.Canceled
	}
	switch c.Op {
	case "BatchWriteItem":
		var in struct{ RequestItems map[string][]json.RawMessage }
		if err := json.Unmarshal(c.Body, &in); err != nil {
			return nil, err
		}
		for _, reqs := range in.RequestItems {
			k.items += len(reqs)
		}
	case "PutItem":
		k.puts++
	}
	c.Req = c.Req.WithContext(context.WithoutCancel(c.Req.Context()))
	return nil, nil
}

// ---------------------------------------------------------------------------------------------
// 1, 2: throttling and transaction conflicts on half the requests.

func TestCommitUnderFaults(t *testing.T) {
	t.Parallel()
	all := func(*faulthttp.Request) bool { return true }
	only := func(ops ...string) func(*faulthttp.Request) bool {
		return func(c *faulthttp.Request) bool { return slices.Contains(ops, c.Op) }
	}
	for _, tc := range []struct {
		name      string
		nth       int
		match     func(*faulthttp.Request) bool
		fault     faulthttp.Hook
		minFaults int // at least this many answered (the commit makes ~75 requests, ~65 of them writes)
	}{
		// ProvisionedThroughputExceededException on every second request of every kind.
		{"Throttled", 2, all, faulthttp.DynamoDBThrottled, 25},
		// Every second BatchWriteItem answered with all its items unprocessed: the store's own
		// resend with backoff, not the SDK's retryer.
		{"Unprocessed", 2, only("BatchWriteItem"), faulthttp.DynamoDBUnprocessed, 2},
		// TransactionConflictException on every second write DynamoDB can answer with it
		// (PutItem, UpdateItem, DeleteItem; TransactWriteItems with a cancelled transaction).
		// Reads and BatchWriteItem never get it from DynamoDB (their API reference lists no
		// such error), so they are left alone.
		{"TransactionConflict", 2, only("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"), faulthttp.DynamoDBConflict, 20},
		// Every second write applied by DynamoDB but answered with an internal error (the answer
		// lost): the SDK sends it again, and the conditional writes must take their own earlier
		// success for one (BeginCommit renewing its own lease, FinishCommit finding its own
		// commit, Enqueue finding the message queued).
		{"LostResponses", 2, only("PutItem", "BatchWriteItem"), faulthttp.LostResponse, 20},
		{"LostRoundUpdates", 1, only("UpdateItem"), faulthttp.LostResponse, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, want := committedEnv(t)
			e.arm(faulthttp.EveryNth(tc.nth, tc.match, tc.fault))
			res, err := e.invoke("commit-1", matchEvent(false))
			faults, requests, ops := e.ddb.Faults(), e.ddb.Calls(), e.ddb.Ops()
			e.arm(nil)
			if err != nil {
				t.Fatalf("commit under faults (%d of %d requests answered with a fault): %v", faults, requests, err)
			}
			t.Logf("%d of %d requests answered with a fault; requests %v", faults, requests, ops)
			if faults < tc.minFaults {
				t.Errorf("only %d faults injected, want at least %d", faults, tc.minFaults)
			}
			// (With lost responses, a message whose put was applied but not acknowledged is not
			// counted as newly queued: the count may fall short.)
			if res.State != string(pairup.RoundActive) || res.Emails == nil ||
				(!strings.HasPrefix(tc.name, "Lost") && (res.Emails.Participants != len(e.regs) || res.Emails.Coordinators != 1)) {
				t.Errorf("commit: state %s, emails %+v; want active, %d participants and 1 coordinator", res.State, res.Emails, len(e.regs))
			}
			e.wantCommitted(want)
		})
	}
}

// ---------------------------------------------------------------------------------------------
// 3: a crash part way through, then a re-run.

func TestCommitCrashAndRerun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		op   string
		n    func(batches int) int // the request of op that meets the crash
	}{
		{"BeforeFirstBatch", "BatchWriteItem", func(int) int { return 1 }},
		{"AfterFirstBatch", "BatchWriteItem", func(int) int { return 2 }},
		{"BeforeLastBatch", "BatchWriteItem", func(b int) int { return b }},
		{"AfterLastBatch", "PutItem", func(int) int { return 1 }},
		{"AfterTwentyEmails", "PutItem", func(int) int { return 21 }},
		{"BeforeFinish", "UpdateItem", func(int) int { return 2 }}, // 1 is BeginCommit
	} {
		for _, rerun := range []string{"SameRequestID", "OtherRequestID"} {
			t.Run(tc.name+"/"+rerun, func(t *testing.T) {
				t.Parallel()
				e, want := committedEnv(t)
				crashAt := e.clock.Now()

				// The crashed run.
				ctx, stop := context.WithCancel(e.ctx)
				defer stop()
				k := &crash{op: tc.op, n: tc.n(want.batches()), stop: stop}
				e.arm(k.hook)
				_, err := e.invokeCtx(ctx, "run-a", matchEvent(false))
				e.arm(nil)
				if err == nil || !k.crashed {
					t.Fatalf("the crashed commit returned %v (crashed: %v)", err, k.crashed)
				}
				if !strings.HasPrefix(err.Error(), "the matching run failed on our side") {
					t.Errorf("crashed commit error %q: want the internal error", err)
				}
				r := e.round()
				if r.State != pairup.RoundMatching || r.CommitOwner != "run-a" || !r.CommitUntil.Equal(crashAt.Add(lease)) {
					t.Fatalf("after the crash: round %s, lease %q until %s; want matching, run-a until %s", r.State, r.CommitOwner, r.CommitUntil, crashAt.Add(lease))
				}
				pairs, _ := e.st.ListPairs(e.ctx, demo.ILN, demo.ILNRound)
				outcomes, _ := e.st.ListOutcomes(e.ctx, demo.ILN, demo.ILNRound)
				if got := len(pairs) + len(outcomes); got != k.items {
					t.Errorf("after the crash %d pairs and outcomes are stored; %d were sent", got, k.items)
				}
				before := e.outbox(participantPrefix)
				if tc.op == "BatchWriteItem" && len(before) != 0 {
					t.Errorf("%d emails queued before every pair was written", len(before))
				}
				if tc.op == "PutItem" && len(before) != min(k.puts, len(e.regs)) {
					t.Errorf("%d emails queued; %d puts went through", len(before), k.puts)
				}

				// The re-run.
				e.clock.Advance(time.Minute)
				id := "run-a"
				if rerun == "OtherRequestID" {
					id = "run-b"
					snap := e.snapshot()
					for _, at := range []time.Time{e.clock.Now(), crashAt.Add(lease - time.Second)} {
						e.clock.Set(at)
						_, err := e.invoke(id, matchEvent(false))
						if msg := fmt.Sprint(err); !strings.HasPrefix(msg, "conflict: ") || !strings.Contains(msg, "run-a") ||
							!strings.Contains(msg, "until "+crashAt.Add(lease).Format(time.RFC3339)) {
							t.Fatalf("another run at %s: %v; want a conflict naming run-a's lease until %s", at, err, crashAt.Add(lease).Format(time.RFC3339))
						}
					}
					if e.snapshot() != snap {
						t.Error("a refused run changed the table")
					}
					e.clock.Set(crashAt.Add(lease)) // the lease has run out
				}
				rerunAt := e.clock.Now()
				res, err := e.invoke(id, matchEvent(false))
				if err != nil {
					t.Fatalf("re-run %s: %v", id, err)
				}
				if res.State != string(pairup.RoundActive) || res.Emails == nil || res.Emails.Participants+len(before) != len(e.regs) {
					t.Errorf("re-run: state %s, emails %+v; want active and the %d emails not yet queued", res.State, res.Emails, len(e.regs)-len(before))
				}
				after := e.wantCommitted(want)
				for key, q := range before {
					if after[key] != q {
						t.Errorf("%s was rewritten: %+v, then %+v", key, q, after[key])
					}
				}
				for key, q := range after {
					if _, ok := before[key]; !ok {
						if at, err := time.Parse(time.RFC3339Nano, q.CreatedAt); err != nil || !at.Equal(rerunAt) {
							t.Errorf("%s: created at %s, want the re-run's time %s", key, q.CreatedAt, rerunAt)
						}
					}
				}
			})
		}
	}
}
