package localenv

// PollStream's refusals and how a poller stops (TestStreams runs the subtests).

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func testStop(t *testing.T, env *streamEnv) {
	table := env.table(t, "stop")

	// An idle poller (default interval) stops at once.
	idle := env.poll(t, table, "", (&recorder{}).handle, StreamOptions{})
	begun := time.Now()
	idle.Stop()
	if d := time.Since(begun); d > 2*time.Second {
		t.Errorf("Stop of an idle poller took %s", d)
	}
	idle.Stop() // again: no effect

	// A handler in progress sees its context cancelled.
	entered := make(chan struct{})
	var handlerErr error
	var mu sync.Mutex
	rec := &recorder{reply: func(ctx context.Context, n int, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		if n == 1 {
			close(entered)
		}
		<-ctx.Done()
		mu.Lock()
		handlerErr = ctx.Err()
		mu.Unlock()
		return events.DynamoDBEventResponse{}, ctx.Err()
	}}
	env.puts(t, table, "s1")
	busy := env.poll(t, table, "", rec.handle, StreamOptions{})
	select {
	case <-entered:
	case <-time.After(waitLimit):
		t.Fatal("the handler was not called")
	}
	begun = time.Now()
	busy.Stop()
	if d := time.Since(begun); d > 2*time.Second {
		t.Errorf("Stop with a handler in progress took %s", d)
	}
	mu.Lock()
	defer mu.Unlock()
	if !errors.Is(handlerErr, context.Canceled) {
		t.Errorf("handler context error = %v, want context.Canceled", handlerErr)
	}
	if n := len(rec.snapshot()); n != 1 {
		t.Errorf("handler called %d times, want 1 (no retry after Stop)", n)
	}

	// Ending the context stops the poller too.
	ctx, cancel := context.WithCancel(context.Background())
	p, err := PollStream(ctx, env.streams, table, "", (&recorder{}).handle, StreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	done := make(chan struct{})
	go func() { p.Stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Error("the poller did not end with its context")
	}
}

func testErrors(t *testing.T, env *streamEnv) {
	ctx := context.Background()
	h := (&recorder{}).handle
	table := env.table(t, "errors")
	if _, err := PollStream(ctx, env.streams, table, `{"eventName":"INSERT"}`, h, StreamOptions{}); err == nil || !strings.Contains(err.Error(), "array") {
		t.Errorf("malformed pattern: err = %v", err)
	}
	if _, err := PollStream(ctx, env.streams, "no-such-table", "", h, StreamOptions{}); err == nil || !strings.Contains(err.Error(), "no stream") {
		t.Errorf("missing table: err = %v", err)
	}
	if _, err := env.db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("no-stream"),
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := PollStream(ctx, env.streams, "no-stream", "", h, StreamOptions{}); err == nil || !strings.Contains(err.Error(), "no stream") {
		t.Errorf("table without a stream: err = %v", err)
	}
	if _, err := PollStream(ctx, env.streams, "arn:aws:dynamodb:ddblocal:000000000000:table/nope/stream/2020-01-01T00:00:00.000", "", h, StreamOptions{}); err == nil {
		t.Error("unknown stream ARN: no error")
	}
	if _, err := PollStream(ctx, env.streams, table, "", nil, StreamOptions{}); err == nil {
		t.Error("nil handler: no error")
	}

	// A stream ARN works as well as the table name.
	p := env.poll(t, table, "", h, fast)
	q := env.poll(t, p.StreamARN(), "", h, fast)
	if q.StreamARN() != p.StreamARN() {
		t.Errorf("by ARN: %s, by table: %s", q.StreamARN(), p.StreamARN())
	}
}
