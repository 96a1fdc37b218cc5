package localenv

// What the poller does with a batch its handler fails, wholly or in part (TestStreams runs the
// subtests), and failedFrom, which reads the handler's batch item failures.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func testHandlerErrorRetries(t *testing.T, env *streamEnv) {
	table := env.table(t, "handler-error")
	env.puts(t, table, "a", "b", "c") // before polling: one batch
	rec := &recorder{reply: func(_ context.Context, n int, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		if n <= 2 {
			return events.DynamoDBEventResponse{}, fmt.Errorf("failure %d", n)
		}
		return events.DynamoDBEventResponse{}, nil
	}}
	p := env.poll(t, table, "", rec.handle, fast)
	calls := rec.waitCalls(t, 3)
	for i, c := range calls[:3] {
		if !slices.Equal(keys(c), []string{"a", "b", "c"}) || !slices.Equal(eventIDs(c), eventIDs(calls[0])) {
			t.Errorf("call %d: %v (%v), want the same batch [a b c] each time", i+1, keys(c), eventIDs(c))
		}
	}
	env.puts(t, table, "d")
	calls = rec.waitKey(t, "d")
	if got := callKeys(calls); len(got) != 4 || !slices.Equal(got[3], []string{"d"}) {
		t.Errorf("calls = %v, want [a b c] three times, then [d]", got)
	}
	if n := p.Delivered(); n != 10 {
		t.Errorf("Delivered = %d, want 10 (3×3 + 1)", n)
	}
}

func testBatchItemFailures(t *testing.T, env *streamEnv) {
	table := env.table(t, "item-failures")
	env.puts(t, table, "r1", "r2", "r3", "r4", "r5")
	rec := &recorder{reply: func(_ context.Context, n int, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		if n == 1 && len(ev.Records) == 5 {
			return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{
				{ItemIdentifier: ev.Records[2].Change.SequenceNumber},
			}}, nil
		}
		return events.DynamoDBEventResponse{}, nil
	}}
	env.poll(t, table, "", rec.handle, fast)
	calls := rec.waitCalls(t, 2)
	if got := keys(calls[0]); !slices.Equal(got, []string{"r1", "r2", "r3", "r4", "r5"}) {
		t.Fatalf("first call %v, want all five", got)
	}
	if got := keys(calls[1]); !slices.Equal(got, []string{"r3", "r4", "r5"}) || !slices.Equal(eventIDs(calls[1]), eventIDs(calls[0])[2:]) {
		t.Errorf("second call %v, want r3..r5 again", got)
	}
	env.puts(t, table, "r6")
	if got := callKeys(rec.waitKey(t, "r6")); len(got) != 3 || !slices.Equal(got[2], []string{"r6"}) {
		t.Errorf("calls = %v, want r6 alone after the retry", got)
	}
}

func testUnknownItemIdentifier(t *testing.T, env *streamEnv) {
	table := env.table(t, "unknown-id")
	env.puts(t, table, "u1", "u2")
	rec := &recorder{reply: func(_ context.Context, n int, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		if n == 1 {
			return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{
				{ItemIdentifier: ev.Records[1].Change.SequenceNumber}, {ItemIdentifier: "not-in-the-batch"},
			}}, nil
		}
		return events.DynamoDBEventResponse{}, nil
	}}
	env.poll(t, table, "", rec.handle, fast)
	calls := rec.waitCalls(t, 2)
	if got := callKeys(calls[:2]); !slices.Equal(got[0], []string{"u1", "u2"}) || !slices.Equal(got[1], []string{"u1", "u2"}) {
		t.Errorf("calls = %v, want [u1 u2] twice (a bad identifier fails the whole batch)", got)
	}
}

func testDropAfterMaxRetries(t *testing.T, env *streamEnv) {
	table := env.table(t, "drop")
	env.put(t, table, "bad", map[string]ddbtypes.AttributeValue{"email": s("ada@example.org")})
	rec := &recorder{reply: func(_ context.Context, n int, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		if slices.Contains(keys(ev), "bad") {
			return events.DynamoDBEventResponse{}, errors.New("cannot")
		}
		return events.DynamoDBEventResponse{}, nil
	}}
	var logs syncBuffer
	opt := fast
	opt.MaxRetries = 2
	opt.Log = slog.New(slog.NewJSONHandler(&logs, nil))
	env.poll(t, table, "", rec.handle, opt)
	rec.waitCalls(t, 3)
	env.puts(t, table, "good")
	calls := rec.waitKey(t, "good")
	want := [][]string{{"bad"}, {"bad"}, {"bad"}, {"good"}}
	if got := callKeys(calls); !reflect.DeepEqual(got, want) {
		t.Errorf("calls = %v, want %v", got, want)
	}
	l := logs.String()
	if !strings.Contains(l, "dropped") || !strings.Contains(l, calls[0].Records[0].EventID) {
		t.Errorf("no error log naming the dropped record:\n%s", l)
	}
	if strings.Contains(l, "ada@example.org") {
		t.Errorf("the log holds item contents:\n%s", l)
	}

	// No retries at all.
	table = env.table(t, "drop-now")
	env.puts(t, table, "bad")
	rec2 := &recorder{reply: rec.reply}
	opt.MaxRetries = -1
	env.poll(t, table, "", rec2.handle, opt)
	rec2.waitCalls(t, 1)
	env.puts(t, table, "good")
	if got := callKeys(rec2.waitKey(t, "good")); !reflect.DeepEqual(got, [][]string{{"bad"}, {"good"}}) {
		t.Errorf("MaxRetries -1: calls = %v, want [bad] once", got)
	}
}

func testBatchSize(t *testing.T, env *streamEnv) {
	table := env.table(t, "batch-size")
	env.puts(t, table, "k1", "k2", "k3", "k4", "k5", "k6", "k7")
	rec := &recorder{}
	opt := fast
	opt.BatchSize = 3
	env.poll(t, table, "", rec.handle, opt)
	want := [][]string{{"k1", "k2", "k3"}, {"k4", "k5", "k6"}, {"k7"}}
	if got := callKeys(rec.waitKey(t, "k7")); !reflect.DeepEqual(got, want) {
		t.Errorf("batches = %v, want %v", got, want)
	}
}

func TestFailedFrom(t *testing.T) {
	batch := make([]events.DynamoDBEventRecord, 5)
	for i := range batch {
		batch[i].Change.SequenceNumber = fmt.Sprint(100 + i)
	}
	fail := func(ids ...string) []events.DynamoDBBatchItemFailure {
		var out []events.DynamoDBBatchItemFailure
		for _, id := range ids {
			out = append(out, events.DynamoDBBatchItemFailure{ItemIdentifier: id})
		}
		return out
	}
	tests := []struct {
		failures []events.DynamoDBBatchItemFailure
		want     int
	}{
		{fail("102"), 2},
		{fail("104", "101", "103"), 1},
		{fail("100"), 0},
		{fail("102", "999"), -1},
		{fail(""), -1},
	}
	for _, tt := range tests {
		if got := failedFrom(batch, tt.failures); got != tt.want {
			t.Errorf("failedFrom(%v) = %d, want %d", tt.failures, got, tt.want)
		}
	}
}
