package localenv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
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

// allTypes is an item with an attribute of every type, and what its NewImage
// must marshal to.
var allTypes = map[string]ddbtypes.AttributeValue{
	"s":    s("héllo \"quoted\""),
	"n":    &ddbtypes.AttributeValueMemberN{Value: "-12.5"},
	"b":    &ddbtypes.AttributeValueMemberB{Value: []byte{0, 1, 2, 0xff}},
	"t":    &ddbtypes.AttributeValueMemberBOOL{Value: true},
	"f":    &ddbtypes.AttributeValueMemberBOOL{Value: false},
	"null": &ddbtypes.AttributeValueMemberNULL{Value: true},
	"m": &ddbtypes.AttributeValueMemberM{Value: map[string]ddbtypes.AttributeValue{
		"inner": s("x"),
		"deep":  &ddbtypes.AttributeValueMemberM{Value: map[string]ddbtypes.AttributeValue{"n": &ddbtypes.AttributeValueMemberN{Value: "1"}}},
		"empty": &ddbtypes.AttributeValueMemberM{Value: map[string]ddbtypes.AttributeValue{}},
	}},
	"emptyM": &ddbtypes.AttributeValueMemberM{Value: map[string]ddbtypes.AttributeValue{}},
	"l": &ddbtypes.AttributeValueMemberL{Value: []ddbtypes.AttributeValue{
		s("a"), &ddbtypes.AttributeValueMemberN{Value: "2"}, &ddbtypes.AttributeValueMemberNULL{Value: true},
		&ddbtypes.AttributeValueMemberL{Value: []ddbtypes.AttributeValue{&ddbtypes.AttributeValueMemberBOOL{Value: true}}},
		&ddbtypes.AttributeValueMemberM{Value: map[string]ddbtypes.AttributeValue{}},
	}},
	"emptyL": &ddbtypes.AttributeValueMemberL{Value: []ddbtypes.AttributeValue{}},
	"ss":     &ddbtypes.AttributeValueMemberSS{Value: []string{"x", "y"}},
	"ns":     &ddbtypes.AttributeValueMemberNS{Value: []string{"1", "2.5"}},
	"bs":     &ddbtypes.AttributeValueMemberBS{Value: [][]byte{{1}, {2, 3}}},
}

const allTypesJSON = `{
	"pk": {"S": "all"},
	"s": {"S": "héllo \"quoted\""},
	"n": {"N": "-12.5"},
	"b": {"B": "AAEC/w=="},
	"t": {"BOOL": true},
	"f": {"BOOL": false},
	"null": {"NULL": true},
	"m": {"M": {"inner": {"S": "x"}, "deep": {"M": {"n": {"N": "1"}}}, "empty": {"M": {}}}},
	"emptyM": {"M": {}},
	"l": {"L": [{"S": "a"}, {"N": "2"}, {"NULL": true}, {"L": [{"BOOL": true}]}, {"M": {}}]},
	"emptyL": {"L": []},
	"ss": {"SS": ["x", "y"]},
	"ns": {"NS": ["1", "2.5"]},
	"bs": {"BS": ["AQ==", "AgM="]}
}`

// normalJSON decodes JSON and sorts the members of sets, which DynamoDB
// does not keep in order.
func normalJSON(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if k == "SS" || k == "NS" || k == "BS" {
					if l, ok := e.([]any); ok {
						sort.Slice(l, func(i, j int) bool { return fmt.Sprint(l[i]) < fmt.Sprint(l[j]) })
					}
				}
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	return v
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

func TestToEventRecord(t *testing.T) {
	at := time.Date(2026, 11, 30, 9, 18, 0, 0, time.UTC)
	item := map[string]types.AttributeValue{
		"pk":   &types.AttributeValueMemberS{Value: "all"},
		"s":    &types.AttributeValueMemberS{Value: "héllo \"quoted\""},
		"n":    &types.AttributeValueMemberN{Value: "-12.5"},
		"b":    &types.AttributeValueMemberB{Value: []byte{0, 1, 2, 0xff}},
		"t":    &types.AttributeValueMemberBOOL{Value: true},
		"f":    &types.AttributeValueMemberBOOL{Value: false},
		"null": &types.AttributeValueMemberNULL{Value: true},
		"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"inner": &types.AttributeValueMemberS{Value: "x"},
			"deep":  &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"n": &types.AttributeValueMemberN{Value: "1"}}},
			"empty": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}},
		}},
		"emptyM": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}},
		"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{
			&types.AttributeValueMemberS{Value: "a"}, &types.AttributeValueMemberN{Value: "2"}, &types.AttributeValueMemberNULL{Value: true},
			&types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberBOOL{Value: true}}},
			&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}},
		}},
		"emptyL": &types.AttributeValueMemberL{Value: []types.AttributeValue{}},
		"ss":     &types.AttributeValueMemberSS{Value: []string{"x", "y"}},
		"ns":     &types.AttributeValueMemberNS{Value: []string{"1", "2.5"}},
		"bs":     &types.AttributeValueMemberBS{Value: [][]byte{{1}, {2, 3}}},
	}
	r := types.Record{
		AwsRegion:    aws.String("eu-west-2"),
		EventID:      aws.String("e-1"),
		EventName:    types.OperationTypeModify,
		EventSource:  aws.String("aws:dynamodb"),
		EventVersion: aws.String("1.1"),
		UserIdentity: &types.Identity{Type: aws.String("Service"), PrincipalId: aws.String("dynamodb.amazonaws.com")},
		Dynamodb: &types.StreamRecord{
			ApproximateCreationDateTime: &at,
			Keys:                        map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "all"}},
			NewImage:                    item,
			OldImage:                    map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "all"}},
			SequenceNumber:              aws.String("000000000000000000007"),
			SizeBytes:                   aws.Int64(99),
			StreamViewType:              types.StreamViewTypeNewAndOldImages,
		},
	}
	got, err := toEventRecord(r, "arn:stream")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	want := `{
		"awsRegion": "eu-west-2",
		"dynamodb": {
			"ApproximateCreationDateTime": ` + strconv.FormatInt(at.Unix(), 10) + `,
			"Keys": {"pk": {"S": "all"}},
			"NewImage": ` + allTypesJSON + `,
			"OldImage": {"pk": {"S": "all"}},
			"SequenceNumber": "000000000000000000007",
			"SizeBytes": 99,
			"StreamViewType": "NEW_AND_OLD_IMAGES"
		},
		"eventID": "e-1",
		"eventName": "MODIFY",
		"eventSource": "aws:dynamodb",
		"eventVersion": "1.1",
		"eventSourceARN": "arn:stream",
		"userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
	}`
	if g, w := normalJSON(t, b), normalJSON(t, []byte(want)); !reflect.DeepEqual(g, w) {
		t.Errorf("record JSON =\n%s\nwant\n%s", b, want)
	}

	// Every attribute type unmarshals back from that JSON.
	var back events.DynamoDBEventRecord
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(back)
	if !bytes.Equal(b, b2) {
		t.Errorf("record JSON does not round-trip:\n%s\n%s", b, b2)
	}
	img := back.Change.NewImage
	if img["b"].Binary()[3] != 0xff || !img["t"].Boolean() || !img["null"].IsNull() ||
		img["m"].Map()["deep"].Map()["n"].Number() != "1" || img["l"].List()[3].List()[0].Boolean() != true ||
		len(img["bs"].BinarySet()) != 2 || img["ns"].NumberSet()[1] != "2.5" || img["ss"].StringSet()[0] != "x" {
		t.Errorf("unmarshalled image differs: %s", b2)
	}

	// A record without the optional parts.
	bare, err := toEventRecord(types.Record{EventName: types.OperationTypeRemove}, "arn:stream")
	if err != nil || bare.EventSource != "aws:dynamodb" || bare.UserIdentity != nil || bare.Change.NewImage != nil {
		t.Errorf("bare record = %+v, %v", bare, err)
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

// fakeStreams serves shards from memory, for the shard-order behaviour that
// DynamoDB Local does not show (it keeps one shard per stream).
type fakeStreams struct {
	mu     sync.Mutex
	order  []string // shard ids, in DescribeStream order
	shards map[string]*fakeShard
	trace  []string // "iter <id>", "end <id>"
}

type fakeShard struct {
	parent  string
	records []types.Record
	closed  bool
	// expireAt makes the iterator at that position expire once.
	expireAt int
}

func (f *fakeStreams) add(id, parent string, closed bool, pks ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	sh := &fakeShard{parent: parent, closed: closed, expireAt: -1}
	for _, pk := range pks {
		sh.records = append(sh.records, fakeRecord(pk))
	}
	f.shards[id] = sh
	f.order = append([]string{id}, f.order...) // newest first: children before parents
}

var fakeSeq int

func fakeRecord(pk string) types.Record {
	fakeSeq++
	return types.Record{
		EventID:   aws.String("id-" + pk),
		EventName: types.OperationTypeInsert,
		Dynamodb: &types.StreamRecord{
			Keys:           map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}},
			SequenceNumber: aws.String(fmt.Sprintf("%021d", fakeSeq)),
		},
	}
}

func (f *fakeStreams) ListStreams(context.Context, *dynamodbstreams.ListStreamsInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.ListStreamsOutput, error) {
	return &dynamodbstreams.ListStreamsOutput{Streams: []types.Stream{{StreamArn: aws.String("arn:fake"), StreamLabel: aws.String("1"), TableName: aws.String("fake")}}}, nil
}

func (f *fakeStreams) DescribeStream(_ context.Context, in *dynamodbstreams.DescribeStreamInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	// One shard a page, to exercise paging.
	i := 0
	if in.ExclusiveStartShardId != nil {
		i = slices.Index(f.order, *in.ExclusiveStartShardId) + 1
	}
	d := &types.StreamDescription{StreamArn: in.StreamArn}
	if i < len(f.order) {
		id := f.order[i]
		d.Shards = []types.Shard{{ShardId: aws.String(id), ParentShardId: aws.String(f.shards[id].parent)}}
		if f.shards[id].parent == "" {
			d.Shards[0].ParentShardId = nil
		}
		if i+1 < len(f.order) {
			d.LastEvaluatedShardId = aws.String(id)
		}
	}
	return &dynamodbstreams.DescribeStreamOutput{StreamDescription: d}, nil
}

func (f *fakeStreams) GetShardIterator(_ context.Context, in *dynamodbstreams.GetShardIteratorInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := *in.ShardId
	sh := f.shards[id]
	pos := 0
	if in.ShardIteratorType == types.ShardIteratorTypeAfterSequenceNumber {
		pos = slices.IndexFunc(sh.records, func(r types.Record) bool { return *r.Dynamodb.SequenceNumber == *in.SequenceNumber }) + 1
	}
	f.trace = append(f.trace, fmt.Sprintf("iter %s %s@%d", id, in.ShardIteratorType, pos))
	return &dynamodbstreams.GetShardIteratorOutput{ShardIterator: aws.String(fmt.Sprintf("%s|%d", id, pos))}, nil
}

func (f *fakeStreams) GetRecords(_ context.Context, in *dynamodbstreams.GetRecordsInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, p, _ := strings.Cut(*in.ShardIterator, "|")
	pos, _ := strconv.Atoi(p)
	sh := f.shards[id]
	if sh.expireAt == pos {
		sh.expireAt = -1
		return nil, &types.ExpiredIteratorException{Message: aws.String("expired")}
	}
	// At most two records a call.
	end := min(pos+2, len(sh.records))
	out := &dynamodbstreams.GetRecordsOutput{Records: slices.Clone(sh.records[pos:end])}
	if sh.closed && end == len(sh.records) {
		f.trace = append(f.trace, "end "+id)
	} else {
		out.NextShardIterator = aws.String(fmt.Sprintf("%s|%d", id, end))
	}
	return out, nil
}

func TestPollStreamShards(t *testing.T) {
	f := &fakeStreams{shards: map[string]*fakeShard{}}
	f.add("parent", "", true, "p1", "p2", "p3")
	f.add("child", "parent", false, "c1")
	f.shards["child"].expireAt = 1 // after c1
	rec := &recorder{}
	p, err := PollStream(context.Background(), f, "fake", "", rec.handle, StreamOptions{Interval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	if p.StreamARN() != "arn:fake" {
		t.Errorf("StreamARN = %s", p.StreamARN())
	}
	rec.waitKey(t, "c1")

	// The open child ends; its own child, new, is found and read.
	f.mu.Lock()
	f.shards["child"].records = append(f.shards["child"].records, fakeRecord("c2"))
	f.shards["child"].closed = true
	f.mu.Unlock()
	f.add("grandchild", "child", false, "g1")
	calls := rec.waitKey(t, "g1")

	var got []string
	for _, c := range calls {
		got = append(got, keys(c)...)
	}
	if want := []string{"p1", "p2", "p3", "c1", "c2", "g1"}; !slices.Equal(got, want) {
		t.Errorf("records = %v, want %v", got, want)
	}
	f.mu.Lock()
	trace := slices.Clone(f.trace)
	f.mu.Unlock()
	want := []string{
		"iter parent TRIM_HORIZON@0", "end parent",
		"iter child TRIM_HORIZON@0", "iter child AFTER_SEQUENCE_NUMBER@1", "end child",
		"iter grandchild TRIM_HORIZON@0",
	}
	if !slices.Equal(trace, want) {
		t.Errorf("trace = %q, want %q", trace, want)
	}
}

func TestFixEmptyMaps(t *testing.T) {
	// As DynamoDB Local writes them: empty maps lose their "M".
	in := `{"Records":[{"eventID":"1","dynamodb":{"ApproximateCreationDateTime":1796030400.000,` +
		`"Keys":{"pk":{"S":"a"}},"NewImage":{"m":{"M":{"x":{"S":"<&>"},"e":{}}},"e":{},"l":{"L":[{},{"N":"1"}]},"pk":{"S":"a"}},` +
		`"SequenceNumber":"000000000000000000001"}}],"NextShardIterator":"it"}`
	out, ok := fixEmptyMaps([]byte(in))
	if !ok {
		t.Fatal("fixEmptyMaps changed nothing")
	}
	want := `{"Records":[{"eventID":"1","dynamodb":{"ApproximateCreationDateTime":1796030400.000,` +
		`"Keys":{"pk":{"S":"a"}},"NewImage":{"m":{"M":{"x":{"S":"<&>"},"e":{"M":{}}}},"e":{"M":{}},"l":{"L":[{"M":{}},{"N":"1"}]},"pk":{"S":"a"}},` +
		`"SequenceNumber":"000000000000000000001"}}],"NextShardIterator":"it"}`
	if g, w := normalJSON(t, out), normalJSON(t, []byte(want)); !reflect.DeepEqual(g, w) {
		t.Errorf("fixed =\n%s\nwant\n%s", out, want)
	}
	if !bytes.Contains(out, []byte("1796030400.000")) || !bytes.Contains(out, []byte("<&>")) {
		t.Errorf("numbers or characters were rewritten: %s", out)
	}
	for _, body := range []string{`{"Records":[]}`, `{"Records":[{"dynamodb":{"NewImage":{"m":{"M":{}}}}}]}`, `not json {}`} {
		if out, ok := fixEmptyMaps([]byte(body)); ok || string(out) != body {
			t.Errorf("fixEmptyMaps(%s) = %s, %v; want it unchanged", body, out, ok)
		}
	}
}
