package localenv

// The stream poller against DynamoDB Local (TestStreams, which runs the subtests of this file and
// of streams_retry_test.go and streams_stop_test.go on one DynamoDB Local), and the harness
// they share.

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
)

// waitLimit bounds every wait for the poller in these tests.
const waitLimit = 20 * time.Second

// recorder is a StreamHandler that records its calls and answers with reply.
type recorder struct {
	mu    sync.Mutex
	calls []events.DynamoDBEvent
	// reply, if set, answers call n (1-based).
	reply func(ctx context.Context, n int, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error)
}

func (r *recorder) handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	r.mu.Lock()
	r.calls = append(r.calls, ev)
	n, reply := len(r.calls), r.reply
	r.mu.Unlock()
	if reply != nil {
		return reply(ctx, n, ev)
	}
	return events.DynamoDBEventResponse{}, nil
}

func (r *recorder) snapshot() []events.DynamoDBEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// waitCalls waits until the handler has been called n times and returns the
// calls.
func (r *recorder) waitCalls(t *testing.T, n int) []events.DynamoDBEvent {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		calls := r.snapshot()
		if len(calls) >= n {
			return calls
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %d handler calls, got %d: %v", waitLimit, n, len(calls), callKeys(calls))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitKey waits until a call has delivered the record of item pk and returns
// the calls.
func (r *recorder) waitKey(t *testing.T, pk string) []events.DynamoDBEvent {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		calls := r.snapshot()
		for _, c := range calls {
			if slices.Contains(keys(c), pk) {
				return calls
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for the record of %s, got %v", waitLimit, pk, callKeys(calls))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// keys lists the pk of every record of a batch.
func keys(ev events.DynamoDBEvent) []string {
	var out []string
	for _, r := range ev.Records {
		out = append(out, r.Change.Keys["pk"].String())
	}
	return out
}

func callKeys(calls []events.DynamoDBEvent) [][]string {
	var out [][]string
	for _, c := range calls {
		out = append(out, keys(c))
	}
	return out
}

func eventIDs(ev events.DynamoDBEvent) []string {
	var out []string
	for _, r := range ev.Records {
		out = append(out, r.EventID)
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for concurrent use, for logs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// streamEnv is a DynamoDB Local shared by the subtests of TestStreams.
type streamEnv struct {
	endpoint string
	db       *dynamodb.Client
	streams  *dynamodbstreams.Client
}

// table creates a table with hash key pk (S) and a NEW_IMAGE stream.
func (e *streamEnv) table(t *testing.T, name string) string {
	t.Helper()
	_, err := e.db.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
		StreamSpecification: &ddbtypes.StreamSpecification{
			StreamEnabled:  aws.Bool(true),
			StreamViewType: ddbtypes.StreamViewTypeNewImage,
		},
	})
	if err != nil {
		t.Fatalf("CreateTable %s: %v", name, err)
	}
	return name
}

func (e *streamEnv) put(t *testing.T, table, pk string, attrs map[string]ddbtypes.AttributeValue) {
	t.Helper()
	item := map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: pk}}
	for k, v := range attrs {
		item[k] = v
	}
	if _, err := e.db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatalf("PutItem %s: %v", pk, err)
	}
}

func (e *streamEnv) puts(t *testing.T, table string, pks ...string) {
	t.Helper()
	for _, pk := range pks {
		e.put(t, table, pk, nil)
	}
}

func (e *streamEnv) poll(t *testing.T, table, pattern string, h StreamHandler, opt StreamOptions) *StreamPoller {
	t.Helper()
	p, err := PollStream(context.Background(), e.streams, table, pattern, h, opt)
	if err != nil {
		t.Fatalf("PollStream %s: %v", table, err)
	}
	t.Cleanup(p.Stop)
	return p
}

func s(v string) *ddbtypes.AttributeValueMemberS { return &ddbtypes.AttributeValueMemberS{Value: v} }

// fast polls and retries quickly.
var fast = StreamOptions{Interval: 20 * time.Millisecond}

func TestStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the local services (not under -short)")
	}
	if testing.Short() {
		t.Skip("starts DynamoDB Local")
	}
	svc, err := StartDynamoDB(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Stop)
	env := &streamEnv{endpoint: svc.Endpoint, db: DynamoDBClient(svc.Endpoint), streams: StreamsClient(svc.Endpoint)}

	t.Run("Events", func(t *testing.T) {
		t.Parallel()
		testEvents(t, env)
	})
	t.Run("Filter", func(t *testing.T) {
		t.Parallel()
		testFilter(t, env)
	})
	t.Run("HandlerErrorRetries", func(t *testing.T) {
		t.Parallel()
		testHandlerErrorRetries(t, env)
	})
	t.Run("BatchItemFailures", func(t *testing.T) {
		t.Parallel()
		testBatchItemFailures(t, env)
	})
	t.Run("UnknownItemIdentifier", func(t *testing.T) {
		t.Parallel()
		testUnknownItemIdentifier(t, env)
	})
	t.Run("DropAfterMaxRetries", func(t *testing.T) {
		t.Parallel()
		testDropAfterMaxRetries(t, env)
	})
	t.Run("BatchSize", func(t *testing.T) {
		t.Parallel()
		testBatchSize(t, env)
	})
	t.Run("Stop", func(t *testing.T) {
		t.Parallel()
		testStop(t, env)
	})
	t.Run("Errors", func(t *testing.T) {
		t.Parallel()
		testErrors(t, env)
	})
}

func testEvents(t *testing.T, env *streamEnv) {
	ctx := context.Background()
	table := env.table(t, "events")
	rec := &recorder{}
	var logs syncBuffer
	opt := fast
	opt.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p := env.poll(t, table, "", rec.handle, opt)
	if !strings.Contains(p.StreamARN(), "table/"+table+"/stream/") {
		t.Errorf("StreamARN = %s", p.StreamARN())
	}

	begun := time.Now()
	env.put(t, table, "all", allTypes)
	putTook := time.Since(begun)
	first := rec.waitKey(t, "all")
	t.Logf("first record delivered %s after its PutItem began (the put took %s)",
		time.Since(begun).Round(time.Millisecond), putTook.Round(time.Millisecond))
	if _, err := env.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(table),
		Key:                       map[string]ddbtypes.AttributeValue{"pk": s("all")},
		UpdateExpression:          aws.String("SET #s = :v REMOVE ss"),
		ExpressionAttributeNames:  map[string]string{"#s": "s"},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":v": s("changed")},
	}); err != nil {
		t.Fatal(err)
	}
	env.put(t, table, "other", map[string]ddbtypes.AttributeValue{"secret": s("personal data")})
	if _, err := env.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(table), Key: map[string]ddbtypes.AttributeValue{"pk": s("all")},
	}); err != nil {
		t.Fatal(err)
	}

	var recs []events.DynamoDBEventRecord
	deadline := time.Now().Add(waitLimit)
	for len(recs) < 4 {
		recs = nil
		for _, c := range rec.snapshot() {
			recs = append(recs, c.Records...)
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d records, want 4", len(recs))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(recs) != 4 {
		t.Fatalf("got %d records, want 4", len(recs))
	}
	if len(first) == 0 || len(first[0].Records) != 1 {
		t.Errorf("first batch = %v, want just the first INSERT", callKeys(first))
	}

	var got []string
	for _, r := range recs {
		got = append(got, r.EventName+" "+r.Change.Keys["pk"].String())
	}
	if want := []string{"INSERT all", "MODIFY all", "INSERT other", "REMOVE all"}; !slices.Equal(got, want) {
		t.Fatalf("records = %q, want %q", got, want)
	}
	ids := map[string]bool{}
	for i, r := range recs {
		if r.EventSource != "aws:dynamodb" || r.EventSourceArn != p.StreamARN() || r.EventVersion == "" || r.AWSRegion == "" {
			t.Errorf("record %d: source %q, ARN %q, version %q, region %q", i, r.EventSource, r.EventSourceArn, r.EventVersion, r.AWSRegion)
		}
		if r.EventID == "" || ids[r.EventID] {
			t.Errorf("record %d: EventID %q empty or repeated", i, r.EventID)
		}
		ids[r.EventID] = true
		c := r.Change
		if c.StreamViewType != "NEW_IMAGE" || c.SizeBytes <= 0 || c.OldImage != nil || len(c.Keys) != 1 {
			t.Errorf("record %d: view %q, size %d, old image %v, keys %v", i, c.StreamViewType, c.SizeBytes, c.OldImage, c.Keys)
		}
		// DynamoDB Local rounds the time down to the minute.
		if d := time.Since(c.ApproximateCreationDateTime.Time); d < -time.Minute || d > 2*time.Minute {
			t.Errorf("record %d: ApproximateCreationDateTime %v is not about now", i, c.ApproximateCreationDateTime.Time)
		}
		if i > 0 && !seqLess(recs[i-1].Change.SequenceNumber, c.SequenceNumber) {
			t.Errorf("sequence numbers out of order: %s then %s", recs[i-1].Change.SequenceNumber, c.SequenceNumber)
		}
	}

	// The INSERT's image holds every attribute type, as DynamoDB JSON.
	b, err := json.Marshal(recs[0].Change.NewImage)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := normalJSON(t, b), normalJSON(t, []byte(allTypesJSON)); !reflect.DeepEqual(got, want) {
		t.Errorf("INSERT NewImage =\n%s\nwant\n%s", b, allTypesJSON)
	}
	// The MODIFY's is the new item; the REMOVE has only keys (NEW_IMAGE).
	mod := recs[1].Change.NewImage
	if _, hasSS := mod["ss"]; mod["s"].String() != "changed" || hasSS || mod["ns"].NumberSet() == nil {
		t.Errorf("MODIFY NewImage: s = %q, ss still there: %v, ns = %v", mod["s"].String(), hasSS, mod["ns"].NumberSet())
	}
	if recs[3].Change.NewImage != nil || recs[3].Change.Keys["pk"].String() != "all" {
		t.Errorf("REMOVE: NewImage %v, Keys %v", recs[3].Change.NewImage, recs[3].Change.Keys)
	}

	// The event round-trips through JSON, as the Lambda runtime would
	// deliver it.
	ev := events.DynamoDBEvent{Records: recs}
	b1, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	var back events.DynamoDBEvent
	if err := json.Unmarshal(b1, &back); err != nil {
		t.Fatal(err)
	}
	b2, err := json.Marshal(back)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b1, b2) {
		t.Errorf("event JSON does not round-trip:\n%s\n%s", b1, b2)
	}

	if n := p.Delivered(); n != 4 {
		t.Errorf("Delivered = %d, want 4", n)
	}
	if l := logs.String(); strings.Contains(l, "personal data") || strings.Contains(l, "héllo") {
		t.Errorf("the log holds item contents:\n%s", l)
	}
}

// seqLess compares decimal sequence numbers.
func seqLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func testFilter(t *testing.T, env *streamEnv) {
	ctx := context.Background()
	table := env.table(t, "filter")
	rec := &recorder{}
	p := env.poll(t, table, mailerPattern, rec.handle, fast)

	outbox := func(status string) map[string]ddbtypes.AttributeValue {
		return map[string]ddbtypes.AttributeValue{"itemType": s("outbox"), "status": s(status)}
	}
	env.put(t, table, "o1", outbox("pending"))
	env.put(t, table, "o2", outbox("sent"))
	env.put(t, table, "r1", map[string]ddbtypes.AttributeValue{"itemType": s("registration"), "status": s("pending")})
	env.put(t, table, "o1", outbox("sending")) // MODIFY
	env.put(t, table, "o4", outbox("pending"))
	if _, err := env.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{ // MODIFY, still pending
		TableName: aws.String(table), Key: map[string]ddbtypes.AttributeValue{"pk": s("o4")},
		UpdateExpression: aws.String("SET attempts = :one"), ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":one": &ddbtypes.AttributeValueMemberN{Value: "1"}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: map[string]ddbtypes.AttributeValue{"pk": s("o2")}}); err != nil {
		t.Fatal(err)
	}
	env.put(t, table, "x1", nil)
	env.put(t, table, "o3", outbox("pending"))

	// o3 is the stream's last record: once it is in, every record before it
	// (one shard, in order) has been filtered.
	calls := rec.waitKey(t, "o3")
	var got []string
	for _, c := range calls {
		for _, r := range c.Records {
			got = append(got, r.EventName+" "+r.Change.Keys["pk"].String())
		}
	}
	if want := []string{"INSERT o1", "INSERT o4", "INSERT o3"}; !slices.Equal(got, want) {
		t.Errorf("delivered %q, want %q", got, want)
	}
	if n := p.Delivered(); n != 3 {
		t.Errorf("Delivered = %d, want 3", n)
	}
}
