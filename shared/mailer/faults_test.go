package mailer_test

// Fault-injection tests of the mailer against the SES emulator and DynamoDB Local: their world
// (fltEnv) is here; the tests are in ses_faults_test.go (SES throttles, hangs, rejects, pauses),
// once_test.go (one email per message whatever befalls the mailer, Lambda or DynamoDB),
// suppressed_test.go, headers_test.go, event_test.go and privacy_test.go.
//
// Faults go in at the HTTP layer of the mailer's own AWS clients (mailer.Deps.SES and
// Deps.DynamoDB set o.HTTPClient to a faulthttp.Client around the SDK's default client): a
// chosen request gets a synthetic response in the wire format of the service (SES v2 is
// REST-JSON, DynamoDB is JSON 1.0), so the SDK's deserializers and retryer handle it exactly as
// they would a real one. DynamoDB Local never throttles, and the SES emulator never throttles,
// rejects or pauses, so these are the only way to see the mailer's handling of them.
//
// Helpers here are prefixed flt (or fault) so as not to clash with other tests of the package.

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/pairup/pairup/shared/config"
	"github.com/pairup/pairup/shared/internal/faulthttp"
	"github.com/pairup/pairup/shared/localenv"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/mailer"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/store"
)

// fltMailFrom is the sender address of every test mailer.
const fltMailFrom = "pairup test <noreply@pairup.test>"

// fltSyncBuffer is a log sink safe for concurrent use.
type fltSyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *fltSyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *fltSyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// fltEnv is one test's world: its own table, a manual clock shared by the mailer and a store
// over the table (for enqueuing and inspection, through a client without faults), and the
// mailer with fault doers on its SES and DynamoDB clients.
type fltEnv struct {
	t     testing.TB
	ctx   context.Context
	table string
	clock *pairup.ManualClock
	store *store.Store
	inbox *localenv.Inbox
	ses   *faulthttp.Client
	ddb   *faulthttp.Client
	logs  *fltSyncBuffer
	m     *mailer.Mailer
	cfg   config.Config
}

var fltUnsafe = regexp.MustCompile(`[^a-zA-Z0-9]+`)

// fltName is a name unique to the test and the moment, fit for a table or an address.
func fltName(tb testing.TB) string {
	s := strings.Trim(fltUnsafe.ReplaceAllString(strings.ToLower(tb.Name()), "-"), "-")
	if len(s) > 60 {
		s = s[len(s)-60:]
	}
	return fmt.Sprintf("%s-%d", s, time.Now().UnixNano())
}

// fltTable creates a fresh table, deleted after the test.
func fltTable(tb testing.TB) string {
	tb.Helper()
	name := "mailer-" + fltName(tb)
	client := localenv.DynamoDBClient(ddbEndpoint)
	if err := store.CreateTable(context.Background(), client, name); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	return name
}

// fltLinkKey is the link key of the tests' mailer (hex): it keys the hashes an erased address's
// suppression is kept under.
const fltLinkKey = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// fltConfig is the mailer's configuration for table at rate emails per second.
func fltConfig(tb testing.TB, table string, rate float64) config.Config {
	tb.Helper()
	env := map[string]string{
		config.EnvTable:            table,
		config.EnvMailFrom:         fltMailFrom,
		config.EnvDynamoDBEndpoint: ddbEndpoint,
		config.EnvSESEndpoint:      sesEndpoint,
		config.EnvMailRate:         strconv.FormatFloat(rate, 'f', -1, 64),
		config.EnvBaseURL:          "https://pairup.test",
		config.EnvLinkKey:          fltLinkKey,
	}
	cfg, err := config.FromEnv(func(k string) string { return env[k] }, mailer.Needs...)
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

func newFltEnv(t *testing.T) *fltEnv {
	t.Helper()
	e := &fltEnv{
		t:     t,
		ctx:   t.Context(),
		table: fltTable(t),
		clock: pairup.NewManualClock(time.Now().UTC().Truncate(time.Second)),
		inbox: localenv.NewInbox(sesEndpoint),
		logs:  &fltSyncBuffer{},
	}
	e.store = store.New(localenv.DynamoDBClient(ddbEndpoint), e.table, e.clock)
	e.cfg = fltConfig(t, e.table, 1000)
	m, err := mailer.New(e.ctx, e.cfg, mailer.Deps{
		Clock: e.clock,
		Log:   slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		SES: []func(*sesv2.Options){func(o *sesv2.Options) {
			e.ses = faulthttp.New(o.HTTPClient)
			o.HTTPClient = e.ses
		}},
		DynamoDB: []func(*dynamodb.Options){func(o *dynamodb.Options) {
			e.ddb = faulthttp.New(o.HTTPClient)
			o.HTTPClient = e.ddb
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if e.ses == nil || e.ddb == nil {
		t.Fatal("mailer.New did not apply the client options")
	}
	e.m = m
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("mailer log:\n%s", e.logs.String())
		}
	})
	return e
}

// messages returns n queueable messages to addresses unique to the test.
func (e *fltEnv) messages(n int) []mail.Message {
	base := fltName(e.t)
	msgs := make([]mail.Message, n)
	for i := range msgs {
		msgs[i] = mail.Message{
			Key:             fmt.Sprintf("test/%s/%d", base, i),
			To:              fmt.Sprintf("%s-%d@example.org", base, i),
			Subject:         fmt.Sprintf("Message %d", i),
			Text:            fmt.Sprintf("Hello %d.", i),
			ListUnsubscribe: fmt.Sprintf("https://forms.pairup.test/unsubscribe?t=%s-%d", base, i),
			Tags:            map[string]string{"kind": "test"},
		}
	}
	return msgs
}

func (e *fltEnv) enqueue(msgs []mail.Message) {
	e.t.Helper()
	n, err := e.store.Enqueue(e.ctx, msgs)
	if err != nil || n != len(msgs) {
		e.t.Fatalf("Enqueue: %d queued, %v; want %d", n, err, len(msgs))
	}
}

func (e *fltEnv) get(key string) *mail.Queued {
	e.t.Helper()
	q, err := e.store.GetMessage(e.ctx, key)
	if err != nil {
		e.t.Fatal(err)
	}
	return q
}

// received returns the emails the emulator holds for addr.
func (e *fltEnv) received(addr string) []localenv.Email {
	e.t.Helper()
	got, err := e.inbox.To(e.ctx, addr)
	if err != nil {
		e.t.Fatal(err)
	}
	return got
}

// wantReceived checks that the emulator holds exactly n emails for each message's address.
func (e *fltEnv) wantReceived(n int, msgs ...mail.Message) {
	e.t.Helper()
	for _, m := range msgs {
		if got := len(e.received(m.To)); got != n {
			e.t.Errorf("%s: the emulator received %d emails, want %d", m.Key, got, n)
		}
	}
}

// wantStatus checks each message's status.
func (e *fltEnv) wantStatus(s mail.Status, msgs ...mail.Message) {
	e.t.Helper()
	for _, m := range msgs {
		if q := e.get(m.Key); q.Status != s {
			e.t.Errorf("%s: status %s (attempts %d, error %q), want %s", m.Key, q.Status, q.Attempts, q.Error, s)
		}
	}
}

// sweepUntil sweeps until done holds (the unsent index is eventually consistent, so a sweep
// may not see a message at once); it fails the test after 60 s. It returns the sweeps' tally.
func (e *fltEnv) sweepUntil(what string, done func() bool) mailer.Result {
	e.t.Helper()
	var total mailer.Result
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := e.m.Sweep(e.ctx)
		if err != nil {
			e.t.Fatalf("Sweep: %v", err)
		}
		total.Add(res)
		if done() {
			return total
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("sweeping: gave up waiting until %s (sweeps so far: %+v)", what, total)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// allStatus reports whether every message has status s.
func (e *fltEnv) allStatus(s mail.Status, msgs ...mail.Message) func() bool {
	return func() bool {
		for _, m := range msgs {
			if e.get(m.Key).Status != s {
				return false
			}
		}
		return true
	}
}

// sweepNothing sweeps a few times and checks that nothing reaches SES.
func (e *fltEnv) sweepNothing(why string) {
	e.t.Helper()
	before := e.ses.Calls()
	for range 3 {
		res, err := e.m.Sweep(e.ctx)
		if err != nil {
			e.t.Fatalf("Sweep: %v", err)
		}
		if res.Sent != 0 || res.Failed != 0 || res.Skipped != 0 {
			e.t.Errorf("%s: a sweep did %+v, want nothing", why, res)
		}
		// Sweeps are synchronous: this pause is no wait for a send in flight, only a bound on
		// "the next sweep finds nothing either".
		time.Sleep(20 * time.Millisecond)
	}
	if n := e.ses.Calls() - before; n != 0 {
		e.t.Errorf("%s: sweeps made %d SES calls, want 0", why, n)
	}
}

func fltKeys(msgs []mail.Message) []string {
	keys := make([]string, len(msgs))
	for i, m := range msgs {
		keys[i] = m.Key
	}
	return keys
}

// fltStreamEvent is the stream batch that the INSERTs of keys would make.
func fltStreamEvent(keys ...string) events.DynamoDBEvent {
	var ev events.DynamoDBEvent
	for i, k := range keys {
		ev.Records = append(ev.Records, events.DynamoDBEventRecord{
			EventID:     fmt.Sprintf("event-%d", i),
			EventName:   "INSERT",
			EventSource: "aws:dynamodb",
			Change: events.DynamoDBStreamRecord{
				Keys: map[string]events.DynamoDBAttributeValue{
					"PK": events.NewStringAttribute("OUTBOX#" + k), "SK": events.NewStringAttribute("OUTBOX"),
				},
				NewImage: map[string]events.DynamoDBAttributeValue{
					"key":      events.NewStringAttribute(k),
					"itemType": events.NewStringAttribute("outbox"),
					"status":   events.NewStringAttribute("pending"),
				},
				SequenceNumber: fmt.Sprintf("%021d", i+1),
				StreamViewType: "NEW_IMAGE",
			},
		})
	}
	return ev
}

func (e *fltEnv) stream(ev events.DynamoDBEvent) mailer.StreamResult {
	e.t.Helper()
	res, err := e.m.HandleStream(e.ctx, ev)
	if err != nil {
		e.t.Fatalf("HandleStream: %v", err)
	}
	return res
}
