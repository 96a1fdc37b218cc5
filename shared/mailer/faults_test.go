package mailer_test

// Fault-injection tests of the mailer against the SES emulator and DynamoDB Local.
//
// Faults go in at the HTTP layer of the mailer's own AWS clients (mailer.Deps.SES and
// Deps.DynamoDB set o.HTTPClient to a faultDoer around the SDK's default client): a chosen
// request gets a synthetic response in the wire format of the service (SES v2 is REST-JSON,
// DynamoDB is JSON 1.0), so the SDK's deserializers and retryer handle it exactly as they would
// a real one. DynamoDB Local never throttles, and the SES emulator never throttles, rejects or
// pauses, so these are the only way to see the mailer's handling of them.
//
// Helpers here are prefixed flt (or fault) so as not to clash with other tests of the package.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/pairup/pairup/shared/config"
	"github.com/pairup/pairup/shared/localenv"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/mailer"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/store"
)

// fltMailFrom is the sender address of every test mailer.
const fltMailFrom = "pairup test <noreply@pairup.test>"

// fltHTTPDoer is the SDK's HTTP client interface (sesv2.HTTPClient, dynamodb.HTTPClient).
type fltHTTPDoer interface {
	Do(*http.Request) (*http.Response, error)
}

// fltRequest is one request that reached a faultDoer.
type fltRequest struct {
	N    int64 // 1-based, in arrival order, over all requests of the doer
	Req  *http.Request
	Body []byte
	// SES SendEmail only: the recipient, the number of requests to it so far (this one
	// included) and the email tags.
	To   string
	ToN  int
	Tags map[string]string
}

// fltRecord is what became of a request.
type fltRecord struct {
	fltRequest
	Status int       // the HTTP status answered (synthetic or real); 0 for a transport error
	Fault  bool      // the answer was synthetic (or the request was made to hang)
	At     time.Time // when the answer came back
}

// faultDoer passes requests on to next unless Hook answers them. It records every request.
type faultDoer struct {
	next fltHTTPDoer
	// Hook returns a synthetic response (or error) for a request, or nil, nil to pass it on.
	// Set it before the client is used, or guard what it reads.
	Hook func(r *fltRequest) (*http.Response, error)

	n    atomic.Int64
	mu   sync.Mutex
	toN  map[string]int
	recs []fltRecord
}

func newFaultDoer(next fltHTTPDoer) *faultDoer {
	if next == nil {
		next = awshttp.NewBuildableClient()
	}
	return &faultDoer{next: next, toN: map[string]int{}}
}

func (d *faultDoer) Do(req *http.Request) (*http.Response, error) {
	r := &fltRequest{N: d.n.Add(1), Req: req}
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		r.Body = b
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	if strings.HasSuffix(req.URL.Path, "/v2/email/outbound-emails") {
		var in struct {
			Destination struct{ ToAddresses []string }
			EmailTags   []struct{ Name, Value string }
		}
		if err := json.Unmarshal(r.Body, &in); err == nil {
			if len(in.Destination.ToAddresses) > 0 {
				r.To = in.Destination.ToAddresses[0]
			}
			r.Tags = map[string]string{}
			for _, t := range in.EmailTags {
				r.Tags[t.Name] = t.Value
			}
		}
	}
	d.mu.Lock()
	if r.To != "" {
		d.toN[r.To]++
		r.ToN = d.toN[r.To]
	}
	d.mu.Unlock()

	var (
		resp  *http.Response
		err   error
		fault bool
	)
	if d.Hook != nil {
		resp, err = d.Hook(r)
		fault = resp != nil || err != nil
	}
	if !fault {
		resp, err = d.next.Do(req)
	}
	rec := fltRecord{fltRequest: *r, Fault: fault, At: time.Now()}
	if resp != nil {
		rec.Status = resp.StatusCode
	}
	d.mu.Lock()
	d.recs = append(d.recs, rec)
	d.mu.Unlock()
	return resp, err
}

// Records returns a copy of what the doer has seen.
func (d *faultDoer) Records() []fltRecord {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]fltRecord(nil), d.recs...)
}

// Calls returns how many requests reached the doer.
func (d *faultDoer) Calls() int { return int(d.n.Load()) }

// CallsTo returns how many SES SendEmail requests to addr reached the doer.
func (d *faultDoer) CallsTo(addr string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.toN[addr]
}

// Faults returns how many requests the hook answered.
func (d *faultDoer) Faults() int {
	n := 0
	for _, r := range d.Records() {
		if r.Fault {
			n++
		}
	}
	return n
}

// fltResponse is a synthetic AWS error response.
func fltResponse(req *http.Request, status int, contentType, errType, body string) *http.Response {
	h := http.Header{}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Amzn-Requestid", fmt.Sprintf("fault-%d", time.Now().UnixNano()))
	h.Set("X-Amzn-Errortype", errType)
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	return &http.Response{
		Status:     fmt.Sprintf("%d %s", status, http.StatusText(status)),
		StatusCode: status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)),
		Request: req,
	}
}

// SES v2 (REST-JSON) errors, as SES answers them.
func sesThrottled(req *http.Request) *http.Response {
	return fltResponse(req, http.StatusTooManyRequests, "application/json", "TooManyRequestsException",
		`{"message":"Maximum sending rate exceeded."}`)
}

func sesRejected(req *http.Request) *http.Response {
	return fltResponse(req, http.StatusBadRequest, "application/json", "MessageRejected",
		`{"message":"Email address is not verified. The following identities failed the check in region US-EAST-1: noreply@pairup.test"}`)
}

func sesPaused(req *http.Request) *http.Response {
	return fltResponse(req, http.StatusBadRequest, "application/json", "AccountSendingPausedException",
		`{"message":"Sending is paused for this account."}`)
}

// ddbThrottled is DynamoDB's (JSON 1.0) throttling error.
func ddbThrottled(req *http.Request) *http.Response {
	return fltResponse(req, http.StatusBadRequest, "application/x-amz-json-1.0", "ProvisionedThroughputExceededException",
		`{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"Rate exceeded"}`)
}

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
	ses   *faultDoer
	ddb   *faultDoer
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

// fltConfig is the mailer's configuration for table at rate emails per second.
func fltConfig(tb testing.TB, table string, rate float64) config.Config {
	tb.Helper()
	env := map[string]string{
		config.EnvTable:            table,
		config.EnvMailFrom:         fltMailFrom,
		config.EnvDynamoDBEndpoint: ddbEndpoint,
		config.EnvSESEndpoint:      sesEndpoint,
		config.EnvMailRate:         strconv.FormatFloat(rate, 'f', -1, 64),
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
			e.ses = newFaultDoer(o.HTTPClient)
			o.HTTPClient = e.ses
		}},
		DynamoDB: []func(*dynamodb.Options){func(o *dynamodb.Options) {
			e.ddb = newFaultDoer(o.HTTPClient)
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

// 1. SES throttles (429) more often than the SDK retries: the message is released to a later
// sweep, and sent once after the backoff.
func TestFaultSESThrottled(t *testing.T) {
	e := newFltEnv(t)
	const k = 5 // 429s per address, more than the SDK's attempts per call
	e.ses.Hook = func(r *fltRequest) (*http.Response, error) {
		if r.To != "" && r.ToN <= k {
			return sesThrottled(r.Req), nil
		}
		return nil, nil
	}
	msgs := e.messages(3)
	e.enqueue(msgs)

	res := e.stream(fltStreamEvent(fltKeys(msgs)...))
	if res.Deferred != 3 || res.Sent != 0 || len(res.BatchItemFailures) != 0 {
		t.Errorf("stream batch: %+v, want 3 deferred, nothing sent, no batch item failures", res)
	}
	for _, m := range msgs {
		calls := e.ses.CallsTo(m.To)
		if calls < 1 || calls >= k {
			t.Fatalf("%s: %d SES calls in the first delivery; the test needs 1..%d (the SDK's attempts)", m.Key, calls, k-1)
		}
		t.Logf("%s: %d SES calls (429) in the first delivery", m.Key, calls)
		q := e.get(m.Key)
		// The throttled claim's attempt is given back: throttling is the account's, not the message's.
		if q.Status != mail.StatusPending || q.Attempts != 0 || q.LeaseID != "" || q.Error != "" {
			t.Errorf("%s after throttling: status %s, attempts %d, lease %q, error %q; want pending, 0, none, none",
				m.Key, q.Status, q.Attempts, q.LeaseID, q.Error)
		}
	}
	e.wantReceived(0, msgs...)
	// Released to a sweep from later on: not due now.
	due, err := e.store.DueMessages(e.ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 0 {
		t.Errorf("due right after throttling: %v, want none (released with a backoff)", due)
	}
	e.sweepNothing("before the backoff")

	e.clock.Advance(6 * time.Minute) // past any backoff (capped at 5 min)
	e.sweepUntil("all sent", e.allStatus(mail.StatusSent, msgs...))
	e.wantReceived(1, msgs...)
	for _, m := range msgs {
		q := e.get(m.Key)
		got := e.received(m.To)
		if q.Attempts != 1 || len(got) != 1 || q.ProviderID != got[0].MessageID {
			t.Errorf("%s: attempts %d, provider id %q, emulator %v; want 1 attempt and the emulator's id", m.Key, q.Attempts, q.ProviderID, got)
		}
	}
	e.clock.Advance(time.Hour)
	e.sweepNothing("after all were sent")
	e.wantReceived(1, msgs...)
}

// 2. SES hangs past the send deadline: the outcome is unknown, so the message keeps its lease
// and is sent again only once the lease has run out.
func TestFaultSESHangs(t *testing.T) {
	e := newFltEnv(t)
	e.m.SendTimeout = 300 * time.Millisecond
	e.m.Lease = 2 * time.Minute
	var hung atomic.Bool
	e.ses.Hook = func(r *fltRequest) (*http.Response, error) {
		if r.To != "" && hung.CompareAndSwap(false, true) {
			<-r.Req.Context().Done() // SES never answers
			return nil, r.Req.Context().Err()
		}
		return nil, nil
	}
	msgs := e.messages(1)
	m := msgs[0]
	e.enqueue(msgs)

	start := time.Now()
	o, err := e.m.Process(e.ctx, m.Key)
	if err != nil || o != mailer.Deferred {
		t.Fatalf("Process = %s, %v; want deferred, nil", o, err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Process took %s with a 300ms send timeout", d)
	}
	if !hung.Load() {
		t.Fatal("SES was not called")
	}
	q := e.get(m.Key)
	if q.Status != mail.StatusSending || q.Attempts != 1 || !q.LeaseUntil.Equal(e.clock.Now().Add(2*time.Minute)) {
		t.Errorf("after the timeout: status %s, attempts %d, lease until %s; want sending, 1, %s",
			q.Status, q.Attempts, q.LeaseUntil, e.clock.Now().Add(2*time.Minute))
	}
	e.wantReceived(0, m)
	callsAfterHang := e.ses.Calls()

	e.sweepNothing("lease just taken")
	e.clock.Advance(time.Minute + 59*time.Second)
	e.sweepNothing("lease still held")
	if o, err := e.m.Process(e.ctx, m.Key); o != mailer.Unclaimed || err != nil {
		t.Errorf("Process while leased = %s, %v; want unclaimed", o, err)
	}
	e.wantStatus(mail.StatusSending, m)

	e.clock.Advance(2 * time.Second) // the lease has run out
	e.sweepUntil("sent", e.allStatus(mail.StatusSent, m))
	e.wantReceived(1, m)
	if q := e.get(m.Key); q.Attempts != 2 {
		t.Errorf("attempts %d, want 2", q.Attempts)
	}
	if n := e.ses.Calls() - callsAfterHang; n != 1 {
		t.Errorf("%d SES calls after the lease ran out, want 1", n)
	}
}

// 3. A mailer claims a message and dies before sending: nobody sends it while the lease holds;
// a sweep sends it once after.
func TestFaultMailerDiesAfterClaim(t *testing.T) {
	e := newFltEnv(t)
	msgs := e.messages(1)
	m := msgs[0]
	e.enqueue(msgs)

	if _, ok, err := e.store.ClaimMessage(e.ctx, m.Key, 2*time.Minute); err != nil || !ok {
		t.Fatalf("ClaimMessage = %v, %v", ok, err)
	}
	e.clock.Advance(time.Minute + 30*time.Second) // past the sweep grace, within the lease
	e.sweepNothing("lease held by the dead mailer")
	if res := e.stream(fltStreamEvent(m.Key)); res.Unclaimed != 1 || res.Sent != 0 {
		t.Errorf("stream delivery while leased: %+v, want 1 unclaimed", res)
	}
	if n := e.ses.Calls(); n != 0 {
		t.Errorf("%d SES calls while the lease held, want 0", n)
	}
	e.wantReceived(0, m)

	e.clock.Advance(31 * time.Second)
	e.sweepUntil("sent", e.allStatus(mail.StatusSent, m))
	e.wantReceived(1, m)
	if q := e.get(m.Key); q.Attempts != 2 {
		t.Errorf("attempts %d, want 2", q.Attempts)
	}
	if n := e.ses.Calls(); n != 1 {
		t.Errorf("%d SES calls, want 1", n)
	}
}

// 4. Lambda may deliver a stream batch twice (a retry, or two pollers): one email each.
func TestFaultStreamDeliveredTwice(t *testing.T) {
	t.Run("Sequential", func(t *testing.T) {
		e := newFltEnv(t)
		msgs := e.messages(3)
		e.enqueue(msgs)
		// The same key twice in one batch, too (an INSERT and a retried INSERT).
		ev := fltStreamEvent(append(fltKeys(msgs), msgs[0].Key)...)

		first := e.stream(ev)
		if first.Sent != 3 || first.Messages != 3 {
			t.Errorf("first delivery: %+v, want 3 messages sent", first)
		}
		second := e.stream(ev)
		if second.Sent != 0 || second.Unclaimed != 3 || len(second.BatchItemFailures) != 0 {
			t.Errorf("second delivery: %+v, want 3 unclaimed, nothing sent, no failures", second)
		}
		e.wantStatus(mail.StatusSent, msgs...)
		e.wantReceived(1, msgs...)
		if n := e.ses.Calls(); n != 3 {
			t.Errorf("%d SES calls, want 3", n)
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		e := newFltEnv(t)
		msgs := e.messages(5)
		e.enqueue(msgs)
		ev := fltStreamEvent(fltKeys(msgs)...)

		var (
			wg   sync.WaitGroup
			res  [2]mailer.StreamResult
			errs [2]error
		)
		for i := range res {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res[i], errs[i] = e.m.HandleStream(e.ctx, ev)
			}()
		}
		wg.Wait()
		if err := errors.Join(errs[:]...); err != nil {
			t.Fatal(err)
		}
		if sent, unclaimed := res[0].Sent+res[1].Sent, res[0].Unclaimed+res[1].Unclaimed; sent != 5 || unclaimed != 5 {
			t.Errorf("deliveries %+v and %+v: %d sent and %d unclaimed in all, want 5 and 5", res[0], res[1], sent, unclaimed)
		}
		e.wantStatus(mail.StatusSent, msgs...)
		e.wantReceived(1, msgs...)
		if n := e.ses.Calls(); n != 5 {
			t.Errorf("%d SES calls, want 5", n)
		}
	})
}

// 5. DynamoDB throttles every second request of the mailer: nothing is lost, nothing is sent
// twice.
func TestFaultDynamoDBThrottled(t *testing.T) {
	e := newFltEnv(t)
	e.ddb.Hook = func(r *fltRequest) (*http.Response, error) {
		if r.N%2 == 0 {
			return ddbThrottled(r.Req), nil
		}
		return nil, nil
	}
	msgs := e.messages(20)
	e.enqueue(msgs)

	// The stream delivers the batch; Lambda redelivers what it reports failed (bounded here).
	ev := fltStreamEvent(fltKeys(msgs)...)
	for try := 0; try < 5 && len(ev.Records) > 0; try++ {
		res := e.stream(ev)
		failed := map[string]bool{}
		for _, f := range res.BatchItemFailures {
			failed[f.ItemIdentifier] = true
		}
		var again events.DynamoDBEvent
		for _, r := range ev.Records {
			if failed[r.Change.SequenceNumber] {
				again.Records = append(again.Records, r)
			}
		}
		ev = again
	}
	// Whatever is left (released, or leased by a call that failed) goes to the sweep.
	deadline := time.Now().Add(90 * time.Second)
	for !e.allStatus(mail.StatusSent, msgs...)() {
		if time.Now().After(deadline) {
			t.Fatal("not all messages sent after 90 s of sweeps")
		}
		e.clock.Advance(3 * time.Minute) // past any lease, backoff and the sweep grace
		if _, err := e.m.Sweep(e.ctx); err != nil {
			t.Logf("Sweep: %v", err) // a sweep that failed on DynamoDB: the next one retries
		}
	}
	e.wantReceived(1, msgs...)
	for _, m := range msgs {
		if n := e.ses.CallsTo(m.To); n != 1 {
			t.Errorf("%s: %d SES calls, want 1", m.Key, n)
		}
	}
	throttled := e.ddb.Faults()
	if throttled == 0 {
		t.Error("DynamoDB throttled no request: the fault was not injected")
	}
	t.Logf("DynamoDB: %d requests, %d throttled", e.ddb.Calls(), throttled)
}

// 6. SES rejects one recipient: that message fails for good, the others of the batch go.
func TestFaultMessageRejected(t *testing.T) {
	e := newFltEnv(t)
	msgs := e.messages(3)
	bad := msgs[1]
	e.ses.Hook = func(r *fltRequest) (*http.Response, error) {
		if r.To == bad.To {
			return sesRejected(r.Req), nil
		}
		return nil, nil
	}
	e.enqueue(msgs)

	res := e.stream(fltStreamEvent(fltKeys(msgs)...))
	if res.Sent != 2 || res.Failed != 1 || len(res.BatchItemFailures) != 0 {
		t.Errorf("stream batch: %+v, want 2 sent, 1 failed, no batch item failures", res)
	}
	q := e.get(bad.Key)
	if q.Status != mail.StatusFailed || q.Error != "MessageRejected" || q.Attempts != 1 {
		t.Errorf("rejected message: status %s, error %q, attempts %d; want failed, MessageRejected, 1", q.Status, q.Error, q.Attempts)
	}
	e.wantStatus(mail.StatusSent, msgs[0], msgs[2])

	e.clock.Advance(24 * time.Hour)
	e.sweepNothing("a day later")
	if o, err := e.m.Process(e.ctx, bad.Key); o != mailer.Unclaimed || err != nil {
		t.Errorf("Process of the failed message = %s, %v; want unclaimed", o, err)
	}
	if n := e.ses.CallsTo(bad.To); n != 1 {
		t.Errorf("%d SES calls to the rejected address, want 1", n)
	}
	e.wantStatus(mail.StatusFailed, bad)
	e.wantReceived(0, bad)
	e.wantReceived(1, msgs[0], msgs[2])
}

// 7. A suppressed address: skipped, and SES never called for it.
func TestFaultSuppressed(t *testing.T) {
	e := newFltEnv(t)
	msgs := e.messages(2)
	suppressed := msgs[0]
	if err := e.store.Suppress(e.ctx, suppressed.To, pairup.SuppressBounce, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	e.enqueue(msgs)

	res := e.stream(fltStreamEvent(fltKeys(msgs)...))
	if res.Skipped != 1 || res.Sent != 1 {
		t.Errorf("stream batch: %+v, want 1 skipped, 1 sent", res)
	}
	q := e.get(suppressed.Key)
	if q.Status != mail.StatusSkipped || q.Error != "bounce" {
		t.Errorf("suppressed message: status %s, error %q; want skipped, bounce", q.Status, q.Error)
	}
	e.clock.Advance(24 * time.Hour)
	e.sweepNothing("a day later")
	if n := e.ses.CallsTo(suppressed.To); n != 0 {
		t.Errorf("%d SES calls to the suppressed address, want 0", n)
	}
	e.wantReceived(0, suppressed)
	e.wantStatus(mail.StatusSent, msgs[1])
	e.wantReceived(1, msgs[1])
}

// 8. SES pauses sending for the account: the invocation stops, nothing is failed, the alarm's
// log event is written, and everything goes once SES sends again.
func TestFaultAccountSendingPaused(t *testing.T) {
	e := newFltEnv(t)
	e.m.Workers = 1 // one message at a time, so "the later messages" is well defined
	var paused atomic.Bool
	paused.Store(true)
	e.ses.Hook = func(r *fltRequest) (*http.Response, error) {
		if r.To != "" && paused.Load() {
			return sesPaused(r.Req), nil
		}
		return nil, nil
	}
	msgs := e.messages(5)
	e.enqueue(msgs)

	res := e.stream(fltStreamEvent(fltKeys(msgs)...))
	if !res.Paused || res.Sent != 0 || res.Failed != 0 || len(res.BatchItemFailures) != 0 {
		t.Errorf("stream batch: %+v, want paused, nothing sent or failed, no batch item failures", res)
	}
	e.wantStatus(mail.StatusPending, msgs...)
	calls := e.ses.Calls()
	t.Logf("%d SES calls for %d messages while paused", calls, len(msgs))
	if calls != 1 {
		t.Errorf("%d SES calls while paused; want 1 (the invocation stops at the first pause)", calls)
	}
	for _, m := range msgs {
		if q := e.get(m.Key); q.Attempts != 0 || q.Error != "" {
			t.Errorf("%s: attempts %d, error %q; want 0 (a pause uses up no attempt), none", m.Key, q.Attempts, q.Error)
		}
	}
	if logs := e.logs.String(); !strings.Contains(logs, `"event":"mail.paused"`) {
		t.Errorf("no mail.paused event in the log:\n%s", logs)
	}
	e.wantReceived(0, msgs...)

	// A pause of many hours, a sweep every few minutes: no message is given up on.
	for range 48 {
		e.clock.Advance(6 * time.Minute)
		if _, err := e.m.Sweep(e.ctx); err != nil {
			t.Fatal(err)
		}
	}
	e.wantStatus(mail.StatusPending, msgs...)
	e.wantReceived(0, msgs...)

	paused.Store(false) // SES sends again
	e.clock.Advance(6 * time.Minute)
	e.sweepUntil("all sent", e.allStatus(mail.StatusSent, msgs...))
	e.wantReceived(1, msgs...)
}

// 9. Every email carries a working one-click unsubscribe and the outbox tag that names it.
func TestFaultUnsubscribeAndOutboxTag(t *testing.T) {
	e := newFltEnv(t)
	msgs := e.messages(2)
	// A key with characters an SES tag may not hold.
	msgs[1].Key = "intro/iln/2026-1/pair|7/" + msgs[1].To + "/ünïcode"
	e.enqueue(msgs)

	res := e.stream(fltStreamEvent(fltKeys(msgs)...))
	if res.Sent != 2 {
		t.Fatalf("stream batch: %+v, want 2 sent", res)
	}
	for _, m := range msgs {
		got := e.received(m.To)
		if len(got) != 1 {
			t.Fatalf("%s: the emulator received %d emails, want 1", m.Key, len(got))
		}
		em := got[0]
		if v, ok := em.Header("List-Unsubscribe"); !ok || v != "<"+m.ListUnsubscribe+">" {
			t.Errorf("%s: List-Unsubscribe = %q (%v), want <%s>", m.Key, v, ok, m.ListUnsubscribe)
		}
		if v, ok := em.Header("List-Unsubscribe-Post"); !ok || v != "List-Unsubscribe=One-Click" {
			t.Errorf("%s: List-Unsubscribe-Post = %q (%v), want List-Unsubscribe=One-Click", m.Key, v, ok)
		}
		var sent *fltRecord
		for _, r := range e.ses.Records() {
			if r.To == m.To {
				sent = &r
			}
		}
		if sent == nil {
			t.Fatalf("%s: no SES request recorded", m.Key)
		}
		tag, ok := sent.Tags[mail.TagOutbox]
		if !ok {
			t.Fatalf("%s: no %q tag in the SES request; tags %v", m.Key, mail.TagOutbox, sent.Tags)
		}
		if key, ok := mail.KeyFromOutboxTag(tag); !ok || key != m.Key {
			t.Errorf("%s: outbox tag %q decodes to %q (%v)", m.Key, tag, key, ok)
		}
		if sent.Tags["kind"] != "test" {
			t.Errorf("%s: kind tag %q, want test", m.Key, sent.Tags["kind"])
		}
		if q := e.get(m.Key); q.ProviderID != em.MessageID {
			t.Errorf("%s: provider id %q, the emulator's %q", m.Key, q.ProviderID, em.MessageID)
		}
	}
}

// An event that is neither a stream batch nor a sweep is refused.
func TestFaultInvalidEvent(t *testing.T) {
	e := newFltEnv(t)
	for _, ev := range []mailer.Event{{}, {Action: "send"}} {
		_, err := e.m.Handle(e.ctx, ev)
		if code := pairup.ErrorCode(err); code != pairup.EINVALID {
			t.Errorf("Handle(%+v) = %v (code %q), want %s", ev, err, code, pairup.EINVALID)
		}
	}
	if n := e.ses.Calls() + e.ddb.Calls(); n != 0 {
		t.Errorf("an invalid event made %d AWS calls", n)
	}
}
