package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/store"
)

// conflicter stands between the SDK and DynamoDB Local and answers the next `fail`
// TransactWriteItems calls itself, as DynamoDB does when another transaction on the same items
// is in flight: TransactionCanceledException with reason TransactionConflict. DynamoDB Local
// never gives that answer (it runs transactions one at a time, so the losers of a race see
// ConditionalCheckFailed), so without this the retry paths would go untested.
type conflicter struct {
	base interface {
		Do(*http.Request) (*http.Response, error)
	}
	fail  atomic.Int64
	calls atomic.Int64 // TransactWriteItems calls seen
}

func (c *conflicter) Do(req *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(req.Header.Get("X-Amz-Target"), ".TransactWriteItems") {
		return c.base.Do(req)
	}
	c.calls.Add(1)
	if c.fail.Add(-1) < 0 {
		c.fail.Store(0)
		return c.base.Do(req)
	}
	var in struct{ TransactItems []json.RawMessage }
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, err
	}
	type reason struct{ Code, Message string }
	reasons := make([]reason, len(in.TransactItems))
	codes := make([]string, len(reasons))
	for i := range reasons {
		reasons[i], codes[i] = reason{Code: "None"}, "None"
	}
	reasons[len(reasons)-1] = reason{"TransactionConflict", "Transaction is ongoing for the item"}
	codes[len(codes)-1] = "TransactionConflict"
	out, _ := json.Marshal(map[string]any{
		"__type":              "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
		"Message":             fmt.Sprintf("Transaction cancelled, please refer cancellation reasons for specific reasons [%s]", strings.Join(codes, ", ")),
		"CancellationReasons": reasons,
	})
	return &http.Response{
		StatusCode:    http.StatusBadRequest,
		Status:        "400 Bad Request",
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body:          io.NopCloser(bytes.NewReader(out)),
		ContentLength: int64(len(out)),
		Request:       req,
	}, nil
}

// newConflictStore returns a Store on a fresh table whose client goes through a conflicter.
func newConflictStore(t *testing.T) (*store.Store, *conflicter) {
	t.Helper()
	plain := newStore(t)
	c := &conflicter{}
	db := dynamodb.New(client.Options(), func(o *dynamodb.Options) {
		c.base = o.HTTPClient
		o.HTTPClient = c
	})
	clock := pairup.NewManualClock(t0)
	s := store.New(db, tableOf(plain), clock)
	tables.Store(s, tableOf(plain))
	clocks.Store(s, clock)
	setNow(s, t0)
	setup(t, s)
	return s, c
}

func TestTransactionConflict(t *testing.T) {
	ctx := context.Background()
	expires := t0.Add(72 * time.Hour)

	t.Run("RegisterRetried", func(t *testing.T) {
		s, c := newConflictStore(t)
		c.calls.Store(0)
		c.fail.Store(3)
		r := newRegistration("iln", "r1", "reg-1", "a@example.org", t0)
		got, created, err := register(s, ctx, r, expires)
		mustOK(t, err)
		mustEqual(t, created, true)
		mustEqual(t, got, r)
		mustEqual(t, c.calls.Load(), int64(4))
	})
	t.Run("RegisterGivesUp", func(t *testing.T) {
		s, c := newConflictStore(t)
		c.fail.Store(1000)
		_, _, err := register(s, ctx, newRegistration("iln", "r1", "reg-1", "a@example.org", t0), expires)
		if code := pairup.ErrorCode(err); code != pairup.EINTERNAL || !strings.Contains(err.Error(), "TransactionConflict") {
			t.Fatalf("error %v (%s), want an internal error naming the conflict", err, code)
		}
		c.fail.Store(0)
		_, err = s.GetRegistration(ctx, "iln", "r1", "reg-1")
		wantCode(t, err, pairup.ENOTFOUND)
	})
	t.Run("ConcurrentRegisterWithConflicts", func(t *testing.T) {
		// As on DynamoDB: of ten racing calls, several are cancelled by conflicts before the
		// winner commits; they retry and find the winner's registration.
		s, c := newConflictStore(t)
		c.fail.Store(6)
		const n = 10
		regs := make([]*pairup.Registration, n)
		created := make([]bool, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				r := newRegistration("iln", "r1", fmt.Sprintf("reg-%d", i), "race@example.org", t0)
				regs[i], created[i], errs[i] = register(s, ctx, r, expires)
			})
		}
		wg.Wait()
		winners := 0
		for i := range n {
			mustOK(t, errs[i])
			if created[i] {
				winners++
			}
			mustEqual(t, regs[i].ID, regs[0].ID)
		}
		mustEqual(t, winners, 1)
	})
	t.Run("ConfirmRetried", func(t *testing.T) {
		s, c := newConflictStore(t)
		_, _, err := register(s, ctx, newRegistration("iln", "r1", "reg-1", "a@example.org", t0), expires)
		mustOK(t, err)
		c.calls.Store(0)
		c.fail.Store(2)
		got, err := s.ConfirmRegistration(ctx, "iln", "r1", "reg-1", t0.Add(time.Hour))
		mustOK(t, err)
		mustEqual(t, got.Status, pairup.StatusConfirmed)
		mustEqual(t, c.calls.Load(), int64(3))
	})
}
