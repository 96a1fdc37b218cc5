package matchrun_test

// Fault-injection tests of the match-run function's commit against DynamoDB Local.
//
// Each test has its own table, seeded with the demo programmes (shared/demo) and about sixty
// confirmed ILN registrations written straight to the store. The function under test is the
// real handler (matchrun.NewLambda); its DynamoDB client's HTTP layer goes through a ddbDoer
// (matchrun.Deps.DynamoDB sets o.HTTPClient), which can answer a chosen request itself with a
// synthetic response in DynamoDB's wire format (JSON 1.0, as in shared/mailer/faults_test.go),
// so that the SDK's deserializers and retryer see exactly what DynamoDB would send, or stop
// every request from some point on (a crash). DynamoDB Local never throttles and never reports
// a transaction conflict, so this is the only way to see the commit's handling of them.
//
// What every commit must end in, whatever the faults: the pairs a clean dry run proposes (same
// ids, scores and reasons), one outcome per person, exactly one queued email per participant
// under match/<programme>/<round>/<registration> (status pending; a message queued by an
// earlier, crashed run is never rewritten: its createdAt stays), and the round active.

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/pairup/pairup/shared/config"
	"github.com/pairup/pairup/shared/demo"
	"github.com/pairup/pairup/shared/localenv"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/matchrun"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/store"
)

// t0 is every test's starting time: the demo rounds open a day before it, for a month.
var t0 = time.Date(2027, 1, 10, 9, 0, 0, 0, time.UTC)

const (
	testBaseURL = "http://127.0.0.1:8080"
	testLinkKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	lease       = matchrun.DefaultCommitLease
)

// ---------------------------------------------------------------------------------------------
// The HTTP layer of the function's DynamoDB client.

type httpDoer interface {
	Do(*http.Request) (*http.Response, error)
}

// ddbCall is one request that reached a ddbDoer.
type ddbCall struct {
	Next httpDoer // the doer's next: DynamoDB Local
	N    int      // 1-based, in arrival order since the doer was last armed
	Op   string   // the DynamoDB operation (X-Amz-Target without the service prefix)
	OpN  int      // 1-based among requests of Op since the doer was last armed
	Req  *http.Request
	Body []byte
}

// ddbHook answers a request itself (a response or an error) or returns nil, nil to pass it on
// (it may replace c.Req, to pass on another request).
type ddbHook func(c *ddbCall) (*http.Response, error)

// ddbDoer stands between the SDK and DynamoDB Local: it counts requests by operation, lets a
// hook answer them, and, when measuring, sums the ConsumedCapacity the responses report.
type ddbDoer struct {
	next httpDoer

	mu      sync.Mutex
	hook    ddbHook
	measure bool
	// askAll (when measuring) adds "ReturnConsumedCapacity":"TOTAL" to the requests that do
	// not ask for it (the outbox's PutItem, GetItem), so that every request's cost is reported;
	// asked counts them by operation.
	askAll bool
	asked  map[string]int
	// first and last are when the first request of each operation went out and when the last
	// one's answer came back.
	first, last map[string]time.Time
	n           int
	ops         map[string]int
	faults      int
	// capacity is the sum of the responses' ConsumedCapacity (CapacityUnits of each entry);
	// capacityBy breaks it down by operation; unreported counts the successful responses that
	// carried none, by operation.
	capacity   float64
	capacityBy map[string]float64
	// askedCapacity is the part of capacity reported because the doer asked (askAll).
	askedCapacity float64
	unreported    map[string]int
}

// arm resets the counters and sets the hook (nil: none) and whether to measure capacity.
func (d *ddbDoer) arm(hook ddbHook, measure bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.hook, d.measure = hook, measure
	d.n, d.faults, d.capacity, d.askedCapacity = 0, 0, 0, 0
	d.ops, d.capacityBy, d.unreported, d.asked = map[string]int{}, map[string]float64{}, map[string]int{}, map[string]int{}
	d.first, d.last = map[string]time.Time{}, map[string]time.Time{}
}

func (d *ddbDoer) Do(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	op := req.Header.Get("X-Amz-Target")
	if i := strings.LastIndexByte(op, '.'); i >= 0 {
		op = op[i+1:]
	}
	d.mu.Lock()
	if d.ops == nil {
		d.ops, d.capacityBy, d.unreported, d.asked = map[string]int{}, map[string]float64{}, map[string]int{}, map[string]int{}
		d.first, d.last = map[string]time.Time{}, map[string]time.Time{}
	}
	if _, ok := d.first[op]; !ok {
		d.first[op] = time.Now()
	}
	d.n++
	d.ops[op]++
	c := &ddbCall{Next: d.next, N: d.n, Op: op, OpN: d.ops[op], Req: req, Body: body}
	hook, measure := d.hook, d.measure
	asked := measure && d.askAll && reportsCapacity[op] && bytes.HasPrefix(body, []byte("{")) && !bytes.Contains(body, []byte(`"ReturnConsumedCapacity"`))
	if asked {
		d.asked[op]++
		b := append([]byte(`{"ReturnConsumedCapacity":"TOTAL",`), body[1:]...)
		req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	d.mu.Unlock()
	if hook != nil {
		if resp, err := hook(c); resp != nil || err != nil {
			d.mu.Lock()
			d.faults++
			d.mu.Unlock()
			return resp, err
		}
	}
	resp, err := d.next.Do(c.Req)
	if err == nil && measure && resp.StatusCode == http.StatusOK {
		if err := d.account(op, resp, asked); err != nil {
			return nil, err
		}
	}
	d.mu.Lock()
	d.last[op] = time.Now()
	d.mu.Unlock()
	return resp, err
}

// account adds up the ConsumedCapacity a successful response reports (an object, or a list of
// them for the batch operations) and puts the body back for the SDK.
func (d *ddbDoer) account(op string, resp *http.Response, asked bool) error {
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	plain := raw
	if strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return err
		}
		if plain, err = io.ReadAll(zr); err != nil {
			return err
		}
	}
	var out struct{ ConsumedCapacity json.RawMessage }
	if err := json.Unmarshal(plain, &out); err != nil {
		return fmt.Errorf("ddbDoer: %s response: %w", op, err)
	}
	type consumed struct{ CapacityUnits, ReadCapacityUnits, WriteCapacityUnits float64 }
	var list []consumed
	switch cc := bytes.TrimSpace(out.ConsumedCapacity); {
	case len(cc) == 0 || string(cc) == "null":
	case cc[0] == '[':
		if err := json.Unmarshal(cc, &list); err != nil {
			return err
		}
	default:
		var one consumed
		if err := json.Unmarshal(cc, &one); err != nil {
			return err
		}
		list = []consumed{one}
	}
	units := 0.0
	for _, c := range list {
		if c.CapacityUnits > 0 {
			units += c.CapacityUnits
		} else {
			units += c.ReadCapacityUnits + c.WriteCapacityUnits
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(list) == 0 {
		d.unreported[op]++
	}
	d.capacity += units
	d.capacityBy[op] += units
	if asked {
		d.askedCapacity += units
	}
	return nil
}

// reportsCapacity are the operations that take ReturnConsumedCapacity.
var reportsCapacity = map[string]bool{
	"GetItem": true, "PutItem": true, "UpdateItem": true, "DeleteItem": true, "Query": true, "Scan": true,
	"BatchGetItem": true, "BatchWriteItem": true, "TransactGetItems": true, "TransactWriteItems": true,
}

type doerStats struct {
	Requests, Faults        int
	Ops, Asked              map[string]int
	First, Last             map[string]time.Time
	Capacity, AskedCapacity float64
	CapacityBy              map[string]float64
	Unreported              map[string]int
}

func (d *ddbDoer) stats() doerStats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return doerStats{Requests: d.n, Faults: d.faults, Ops: clone(d.ops), Asked: clone(d.asked),
		First: clone(d.first), Last: clone(d.last), Capacity: d.capacity, AskedCapacity: d.askedCapacity,
		CapacityBy: clone(d.capacityBy), Unreported: clone(d.unreported)}
}

func clone[V any](m map[string]V) map[string]V {
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ddbResponse is a synthetic DynamoDB (JSON 1.0) response.
func ddbResponse(req *http.Request, status int, body []byte) *http.Response {
	h := http.Header{}
	h.Set("Content-Type", "application/x-amz-json-1.0")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Amzn-Requestid", fmt.Sprintf("fault-%d", time.Now().UnixNano()))
	return &http.Response{
		Status: fmt.Sprintf("%d %s", status, http.StatusText(status)), StatusCode: status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h,
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: req,
	}
}

// ddbError is a DynamoDB error response of the given type.
func ddbError(req *http.Request, typ, message string) *http.Response {
	body, _ := json.Marshal(map[string]string{"__type": "com.amazonaws.dynamodb.v20120810#" + typ, "message": message})
	return ddbResponse(req, http.StatusBadRequest, body)
}

func throttled(c *ddbCall) *http.Response {
	return ddbError(c.Req, "ProvisionedThroughputExceededException",
		"The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.")
}

// lostResponse passes the request on to DynamoDB (which applies it) and answers it with an
// internal error instead of DynamoDB's answer, as when a response is lost on its way back: the
// SDK retries a request that has already been applied.
func lostResponse(c *ddbCall) *http.Response {
	resp, err := c.Next.Do(c.Req)
	if err != nil {
		panic(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	body := []byte(`{"__type":"com.amazon.coral.service#InternalFailure","message":"The server encountered an internal error trying to fulfill the request."}`)
	return ddbResponse(c.Req, http.StatusInternalServerError, body)
}

// allUnprocessed answers a BatchWriteItem with every item unprocessed (nothing written), as
// DynamoDB may when the table's partitions are throttled.
func allUnprocessed(c *ddbCall) *http.Response {
	var in struct{ RequestItems json.RawMessage }
	if err := json.Unmarshal(c.Body, &in); err != nil {
		panic(err)
	}
	body, _ := json.Marshal(map[string]any{"UnprocessedItems": in.RequestItems})
	return ddbResponse(c.Req, http.StatusOK, body)
}

// conflicted is DynamoDB's answer to a write on an item another transaction has in flight: a
// TransactionConflictException for a single-item write, a TransactionCanceledException with a
// TransactionConflict reason for a transaction (cf. shared/store/conflict_test.go).
func conflicted(c *ddbCall) *http.Response {
	if c.Op != "TransactWriteItems" {
		return ddbError(c.Req, "TransactionConflictException",
			"Transaction is ongoing for the item")
	}
	var in struct{ TransactItems []json.RawMessage }
	if err := json.Unmarshal(c.Body, &in); err != nil {
		panic(err)
	}
	type reason struct{ Code, Message string }
	reasons := make([]reason, len(in.TransactItems))
	codes := make([]string, len(reasons))
	for i := range reasons {
		reasons[i], codes[i] = reason{Code: "None"}, "None"
	}
	if n := len(reasons); n > 0 {
		reasons[n-1], codes[n-1] = reason{"TransactionConflict", "Transaction is ongoing for the item"}, "TransactionConflict"
	}
	body, _ := json.Marshal(map[string]any{
		"__type":              "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
		"Message":             fmt.Sprintf("Transaction cancelled, please refer cancellation reasons for specific reasons [%s]", strings.Join(codes, ", ")),
		"CancellationReasons": reasons,
	})
	return ddbResponse(c.Req, http.StatusBadRequest, body)
}

// everyNth answers every nth request that match accepts with fault, but never the same request
// (operation and body) twice in a row: every call gets through on its next attempt, as a
// transient fault does (with the faults chosen by arrival order alone, concurrent calls could
// see their own retries answered each time and run out of attempts). With n = 1, every call's
// first attempt is answered.
func everyNth(nth int, match func(*ddbCall) bool, fault func(*ddbCall) *http.Response) ddbHook {
	var (
		mu   sync.Mutex
		n    int
		last = map[string]bool{}
	)
	return func(c *ddbCall) (*http.Response, error) {
		if !match(c) {
			return nil, nil
		}
		k := c.Op + "\x00" + string(c.Body)
		mu.Lock()
		defer mu.Unlock()
		n++
		if n%nth == 0 && !last[k] {
			last[k] = true
			return fault(c), nil
		}
		delete(last, k)
		return nil, nil
	}
}

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

func (k *crash) hook(c *ddbCall) (*http.Response, error) {
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
// A test's world.

type handler = func(context.Context, matchrun.Event) (matchrun.Result, error)

type env struct {
	tb    testing.TB
	ctx   context.Context
	table string
	clock *pairup.ManualClock
	db    *dynamodb.Client // DynamoDB Local, no faults
	st    *store.Store     // over db: setup and inspection
	ddb   *ddbDoer         // the function's client's HTTP layer
	h     handler
	logs  *syncBuffer
	regs  []pairup.Registration // the confirmed registrations, by id
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

var unsafeChars = regexp.MustCompile(`[^a-zA-Z0-9]+`)

// newEnv creates a table with the demo programmes and rounds (at t0) and the function over it,
// on the package's DynamoDB Local.
func newEnv(tb testing.TB) *env {
	tb.Helper()
	return newEnvAt(tb, ddbEndpoint)
}

// newEnvAt is newEnv on the DynamoDB Local at endpoint.
func newEnvAt(tb testing.TB, endpoint string) *env {
	tb.Helper()
	ctx := context.Background()
	name := strings.Trim(unsafeChars.ReplaceAllString(strings.ToLower(tb.Name()), "-"), "-")
	if len(name) > 60 {
		name = name[len(name)-60:]
	}
	e := &env{
		tb: tb, ctx: ctx, table: fmt.Sprintf("matchrun-%s-%d", name, time.Now().UnixNano()),
		clock: pairup.NewManualClock(t0), db: localenv.DynamoDBClient(endpoint), ddb: &ddbDoer{}, logs: &syncBuffer{},
	}
	if err := store.CreateTable(ctx, e.db, e.table); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		e.db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(e.table)})
	})
	e.st = store.New(e.db, e.table, e.clock)
	if err := demo.Seed(ctx, e.st, e.clock.Now()); err != nil {
		tb.Fatal(err)
	}
	vars := map[string]string{
		config.EnvTable: e.table, config.EnvBaseURL: testBaseURL, config.EnvLinkKey: testLinkKey,
		config.EnvDynamoDBEndpoint: endpoint,
	}
	cfg, err := config.FromEnv(func(k string) string { return vars[k] }, matchrun.Needs...)
	if err != nil {
		tb.Fatal(err)
	}
	e.h, err = matchrun.NewLambda(ctx, cfg, matchrun.Deps{
		Clock: e.clock,
		Log:   slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		DynamoDB: []func(*dynamodb.Options){func(o *dynamodb.Options) {
			e.ddb.next = o.HTTPClient
			if e.ddb.next == nil {
				e.ddb.next = awshttp.NewBuildableClient()
			}
			o.HTTPClient = e.ddb
		}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	if e.ddb.next == nil {
		tb.Fatal("matchrun.NewLambda did not apply Deps.DynamoDB")
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("match-run log:\n%.20000s", e.logs.String())
		}
	})
	return e
}

// ilnPeople returns n ILN registrations (n ≥ 16): a quarter from Australia (over the 20% country
// cap, so some are deferred), the rest spread over nine countries, everyone speaking English
// but the last, who speaks only French (no partner shares a language: unmatched).
func ilnPeople(n int, at time.Time) []pairup.Registration {
	p := demo.Programmes()[0]
	type country struct{ code, zone, lang string }
	others := []country{
		{"GB", "Europe/London", ""}, {"KE", "Africa/Nairobi", "sw"}, {"BR", "America/Sao_Paulo", "pt"},
		{"IN", "Asia/Kolkata", "hi"}, {"CA", "America/Toronto", "fr"}, {"NZ", "Pacific/Auckland", ""},
		{"ZA", "Africa/Johannesburg", "af"}, {"DE", "Europe/Berlin", "de"}, {"JP", "Asia/Tokyo", "ja"},
	}
	regs := make([]pairup.Registration, n)
	for i := range regs {
		c := country{"AU", "Australia/Sydney", ""}
		if i >= n/4 {
			c = others[(i-n/4)%len(others)]
		}
		langs := []string{"en"}
		if c.lang != "" && i%2 == 0 {
			langs = append(langs, c.lang)
		}
		if i == n-1 {
			c, langs = country{"FR", "Europe/Paris", "fr"}, []string{"fr"}
		}
		interests := []string{p.Interests[i%len(p.Interests)].Value}
		if j := (i*5 + 3) % len(p.Interests); j != i%len(p.Interests) {
			interests = append(interests, p.Interests[j].Value)
		}
		created := at.Add(-time.Duration(n-i) * time.Minute)
		regs[i] = pairup.Registration{
			ID: fmt.Sprintf("reg-%03d", i), ProgrammeID: demo.ILN, RoundID: demo.ILNRound,
			Name: fmt.Sprintf("Librarian %03d", i), Email: fmt.Sprintf("librarian%03d@example.org", i),
			Country: c.code, Languages: langs, TimeZone: c.zone,
			Sector: p.Sectors[i%len(p.Sectors)].Value, CareerStage: p.Stages[i%len(p.Stages)].Value,
			Interests: interests, Preference: pairup.Preferences[i%len(pairup.Preferences)],
			Role: pairup.RolePeer, Locale: "en", Status: pairup.StatusPending, ConsentAt: created, CreatedAt: created,
		}
	}
	return regs
}

// register stores and confirms the registrations (workers at once), as the hosted form and the
// confirmation link would, through the store without faults.
func (e *env) register(regs []pairup.Registration, workers int) {
	e.tb.Helper()
	expires := e.clock.Now().Add(72 * time.Hour)
	at := e.clock.Now()
	confirmed := make([]pairup.Registration, len(regs))
	errs := make([]error, len(regs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				r := regs[i]
				confirm := mail.Message{
					Key: "confirm/" + r.ProgrammeID + "/" + r.RoundID + "/" + r.ID, To: r.Email, Subject: "Please confirm",
					Text: "Follow the link.", ListUnsubscribe: testBaseURL + "/unsubscribe?t=x", Tags: map[string]string{"kind": "confirm"},
				}
				if _, created, err := e.st.Register(e.ctx, &r, expires, confirm); err != nil || !created {
					errs[i] = fmt.Errorf("register %s: created %v, %v", r.ID, created, err)
					continue
				}
				c, err := e.st.ConfirmRegistration(e.ctx, r.ProgrammeID, r.RoundID, r.ID, at)
				if err != nil {
					errs[i] = fmt.Errorf("confirm %s: %w", r.ID, err)
					continue
				}
				confirmed[i] = *c
			}
		})
	}
	for i := range regs {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		e.tb.Fatal(err)
	}
	e.regs = append(e.regs, confirmed...)
	slices.SortFunc(e.regs, func(a, b pairup.Registration) int { return strings.Compare(a.ID, b.ID) })
}

// invoke runs the function as the Lambda invocation with request id id.
func (e *env) invoke(id string, ev matchrun.Event) (matchrun.Result, error) {
	return e.invokeCtx(e.ctx, id, ev)
}

func (e *env) invokeCtx(ctx context.Context, id string, ev matchrun.Event) (matchrun.Result, error) {
	return e.h(lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: id}), ev)
}

func (e *env) must(id string, ev matchrun.Event) matchrun.Result {
	e.tb.Helper()
	res, err := e.invoke(id, ev)
	if err != nil {
		e.tb.Fatalf("%s (%s): %v", ev.Action, id, err)
	}
	return res
}

func ptr[T any](v T) *T { return &v }

func matchEvent(dry bool) matchrun.Event {
	return matchrun.Event{Action: matchrun.ActionMatch, Programme: demo.ILN, Round: demo.ILNRound, DryRun: ptr(dry)}
}

func closeEvent() matchrun.Event {
	return matchrun.Event{Action: matchrun.ActionCloseSignup, Programme: demo.ILN, Round: demo.ILNRound}
}

func (e *env) round() *pairup.Round {
	e.tb.Helper()
	r, err := e.st.GetRound(e.ctx, demo.ILN, demo.ILNRound)
	if err != nil {
		e.tb.Fatal(err)
	}
	return r
}

// proposal is what a clean dry run proposes: the pairs by id, and the counts.
type proposal struct {
	pairs  map[string]matchrun.PairView
	counts matchrun.Counts
}

var memberID = regexp.MustCompile(`, (reg-[0-9]+)\)$`)

// pairIDOf returns the pair id of a result's pair ("Name (CC, reg-001)" members).
func pairIDOf(tb testing.TB, v matchrun.PairView) string {
	tb.Helper()
	ids := make([]string, len(v.Members))
	for i, m := range v.Members {
		sm := memberID.FindStringSubmatch(m)
		if sm == nil {
			tb.Fatalf("pair member %q names no registration", m)
		}
		ids[i] = sm[1]
	}
	return pairup.PairID(ids...)
}

// dryRun previews the matching with the function's client free of faults.
func (e *env) dryRun() proposal {
	e.tb.Helper()
	res := e.must("dry-run", matchEvent(true))
	if res.Counts == nil || res.Counts.Confirmed != len(e.regs) || res.Counts.Pairs == 0 {
		e.tb.Fatalf("dry run: %+v", res)
	}
	p := proposal{pairs: map[string]matchrun.PairView{}, counts: *res.Counts}
	for _, v := range res.Pairs {
		p.pairs[pairIDOf(e.tb, v)] = v
	}
	if len(p.pairs) != res.Counts.Pairs {
		e.tb.Fatalf("dry run: %d distinct pairs of %d", len(p.pairs), res.Counts.Pairs)
	}
	return p
}

// batches is how many BatchWriteItem requests a commit of the proposal makes.
func (p proposal) batches() int { return (len(p.pairs) + p.counts.Confirmed + 24) / 25 }

// queued is an outbox record as the test reads it.
type queued struct {
	Status    string `dynamodbav:"status"`
	CreatedAt string `dynamodbav:"createdAt"`
	Key       string `dynamodbav:"key"`
}

// outbox returns the outbox records whose key begins with prefix, by key (a consistent scan).
func (e *env) outbox(prefix string) map[string]queued {
	e.tb.Helper()
	expr, err := expression.NewBuilder().
		WithFilter(expression.Name("PK").BeginsWith("OUTBOX#" + prefix)).
		WithProjection(expression.NamesList(expression.Name("key"), expression.Name("status"), expression.Name("createdAt"))).
		Build()
	if err != nil {
		e.tb.Fatal(err)
	}
	out := map[string]queued{}
	p := dynamodb.NewScanPaginator(e.db, &dynamodb.ScanInput{
		TableName: aws.String(e.table), FilterExpression: expr.Filter(), ProjectionExpression: expr.Projection(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(), ConsistentRead: aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(e.ctx)
		if err != nil {
			e.tb.Fatal(err)
		}
		for _, item := range page.Items {
			var q queued
			if err := attributevalue.UnmarshalMap(item, &q); err != nil {
				e.tb.Fatal(err)
			}
			if _, dup := out[q.Key]; dup {
				e.tb.Fatalf("outbox key %s twice", q.Key)
			}
			out[q.Key] = q
		}
	}
	return out
}

const participantPrefix = "match/" + demo.ILN + "/" + demo.ILNRound + "/"

// snapshot is the whole table as text, to tell that nothing was written.
func (e *env) snapshot() string {
	e.tb.Helper()
	var rows []string
	p := dynamodb.NewScanPaginator(e.db, &dynamodb.ScanInput{TableName: aws.String(e.table), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(e.ctx)
		if err != nil {
			e.tb.Fatal(err)
		}
		for _, item := range page.Items {
			var m map[string]any
			if err := attributevalue.UnmarshalMap(item, &m); err != nil {
				e.tb.Fatal(err)
			}
			b, err := json.Marshal(m)
			if err != nil {
				e.tb.Fatal(err)
			}
			rows = append(rows, string(b))
		}
	}
	slices.Sort(rows)
	return strings.Join(rows, "\n")
}

// wantCommitted checks the end state of every commit: the round active with the proposal's
// counts and no lease, exactly the proposed pairs, one outcome per person agreeing with the
// counts, and exactly one pending email per participant. It returns the participants' emails.
func (e *env) wantCommitted(want proposal) map[string]queued {
	e.tb.Helper()
	r := e.round()
	if r.State != pairup.RoundActive || r.CommitOwner != "" || r.Matching == nil || r.Matching.Pairs != len(want.pairs) ||
		r.Matching.Matched != want.counts.Matched || r.Matching.Confirmed != len(e.regs) {
		e.tb.Errorf("round %s, lease %q, matching %+v; want active, no lease, %d pairs", r.State, r.CommitOwner, r.Matching, len(want.pairs))
	}
	pairs, err := e.st.ListPairs(e.ctx, demo.ILN, demo.ILNRound)
	if err != nil {
		e.tb.Fatal(err)
	}
	if len(pairs) != len(want.pairs) {
		e.tb.Errorf("%d pairs written, the dry run proposed %d", len(pairs), len(want.pairs))
	}
	inPair := map[string]int{}
	for _, pr := range pairs {
		v, ok := want.pairs[pr.ID]
		if !ok {
			e.tb.Errorf("pair %s was written but not proposed", pr.ID)
			continue
		}
		if pr.Score != v.Score || pr.Pinned != v.Pinned || !slices.Equal(pr.Reasons, v.Reasons) {
			e.tb.Errorf("pair %s: score %d pinned %v reasons %q; proposed %d %v %q", pr.ID, pr.Score, pr.Pinned, pr.Reasons, v.Score, v.Pinned, v.Reasons)
		}
		for _, m := range pr.Members {
			inPair[m.RegistrationID]++
		}
	}
	outcomes, err := e.st.ListOutcomes(e.ctx, demo.ILN, demo.ILNRound)
	if err != nil {
		e.tb.Fatal(err)
	}
	if len(outcomes) != len(e.regs) {
		e.tb.Errorf("%d outcomes for %d people", len(outcomes), len(e.regs))
	}
	kinds := map[pairup.OutcomeKind]int{}
	for i, o := range outcomes {
		if i < len(e.regs) && o.RegistrationID != e.regs[i].ID {
			e.tb.Errorf("outcome %d is %s's, want %s's", i, o.RegistrationID, e.regs[i].ID)
		}
		kinds[o.Kind]++
		if (o.Kind == pairup.OutcomePaired) != (inPair[o.RegistrationID] > 0) {
			e.tb.Errorf("%s: outcome %s but in %d pairs", o.RegistrationID, o.Kind, inPair[o.RegistrationID])
		}
	}
	if kinds[pairup.OutcomePaired] != want.counts.Matched || kinds[pairup.OutcomeDeferred] != want.counts.DeferredByCountryCap ||
		kinds[pairup.OutcomeUnmatched] != want.counts.Unmatched {
		e.tb.Errorf("outcomes %v; the dry run had %d matched, %d deferred, %d unmatched", kinds,
			want.counts.Matched, want.counts.DeferredByCountryCap, want.counts.Unmatched)
	}
	msgs := e.outbox(participantPrefix)
	for _, r := range e.regs {
		q, ok := msgs[participantPrefix+r.ID]
		switch {
		case !ok:
			e.tb.Errorf("%s has no email queued", r.ID)
		case q.Status != string(mail.StatusPending):
			e.tb.Errorf("%s's email is %s, want pending", r.ID, q.Status)
		}
	}
	if len(msgs) != len(e.regs) {
		e.tb.Errorf("%d participant emails queued for %d people", len(msgs), len(e.regs))
	}
	if n := len(e.outbox("proposal/" + demo.ILN + "/" + demo.ILNRound + "/commit/")); n != 1 {
		e.tb.Errorf("%d commit proposals queued, want 1", n)
	}
	return msgs
}

// committedEnv is an env with 60 confirmed people, signup closed and a clean dry run.
func committedEnv(t *testing.T) (*env, proposal) {
	t.Helper()
	e := newEnv(t)
	e.register(ilnPeople(60, e.clock.Now()), 8)
	e.clock.Advance(time.Minute)
	e.must("close", closeEvent())
	e.clock.Advance(time.Minute)
	return e, e.dryRun()
}

// ---------------------------------------------------------------------------------------------
// 1, 2: throttling and transaction conflicts on half the requests.

func TestCommitUnderFaults(t *testing.T) {
	t.Parallel()
	all := func(*ddbCall) bool { return true }
	only := func(ops ...string) func(*ddbCall) bool {
		return func(c *ddbCall) bool { return slices.Contains(ops, c.Op) }
	}
	for _, tc := range []struct {
		name      string
		nth       int
		match     func(*ddbCall) bool
		fault     func(*ddbCall) *http.Response
		minFaults int // at least this many answered (the commit makes ~75 requests, ~65 of them writes)
	}{
		// ProvisionedThroughputExceededException on every second request of every kind.
		{"Throttled", 2, all, throttled, 25},
		// Every second BatchWriteItem answered with all its items unprocessed: the store's own
		// resend with backoff, not the SDK's retryer.
		{"Unprocessed", 2, only("BatchWriteItem"), allUnprocessed, 2},
		// TransactionConflictException on every second write DynamoDB can answer with it
		// (PutItem, UpdateItem, DeleteItem; TransactWriteItems with a cancelled transaction).
		// Reads and BatchWriteItem never get it from DynamoDB (their API reference lists no
		// such error), so they are left alone.
		{"TransactionConflict", 2, only("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"), conflicted, 20},
		// Every second write applied by DynamoDB but answered with an internal error (the answer
		// lost): the SDK sends it again, and the conditional writes must take their own earlier
		// success for one (BeginCommit renewing its own lease, FinishCommit finding its own
		// commit, Enqueue finding the message queued).
		{"LostResponses", 2, only("PutItem", "BatchWriteItem"), lostResponse, 20},
		{"LostRoundUpdates", 1, only("UpdateItem"), lostResponse, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, want := committedEnv(t)
			e.ddb.arm(everyNth(tc.nth, tc.match, tc.fault), false)
			res, err := e.invoke("commit-1", matchEvent(false))
			st := e.ddb.stats()
			e.ddb.arm(nil, false)
			if err != nil {
				t.Fatalf("commit under faults (%d of %d requests answered with a fault): %v", st.Faults, st.Requests, err)
			}
			t.Logf("%d of %d requests answered with a fault; requests %v", st.Faults, st.Requests, st.Ops)
			if st.Faults < tc.minFaults {
				t.Errorf("only %d faults injected, want at least %d", st.Faults, tc.minFaults)
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
				e.ddb.arm(k.hook, false)
				_, err := e.invokeCtx(ctx, "run-a", matchEvent(false))
				e.ddb.arm(nil, false)
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

// ---------------------------------------------------------------------------------------------
// 4: two commits at once.

func TestConcurrentCommits(t *testing.T) {
	t.Parallel()
	for _, closed := range []bool{true, false} {
		name := "AfterCloseSignup"
		if !closed {
			name = "SignupWindowPassed" // both move the round open → matching themselves
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.register(ilnPeople(60, e.clock.Now()), 8)
			e.clock.Advance(time.Minute)
			want := e.dryRun()
			if closed {
				e.must("close", closeEvent())
			} else {
				e.clock.Set(e.round().SignupCloses)
			}
			const runs = 2
			var (
				wg    sync.WaitGroup
				start = make(chan struct{})
				res   [runs]matchrun.Result
				errs  [runs]error
			)
			for i := range runs {
				wg.Go(func() {
					<-start
					res[i], errs[i] = e.invoke(fmt.Sprintf("run-%d", i), matchEvent(false))
				})
			}
			close(start)
			wg.Wait()
			committed := 0
			for i := range runs {
				switch {
				case errs[i] == nil && res[i].Emails != nil && res[i].Emails.Participants == len(e.regs):
					committed++
				case errs[i] == nil && strings.Contains(res[i].Summary, "nothing was sent"):
				case errs[i] != nil && strings.HasPrefix(errs[i].Error(), "conflict: ") &&
					(strings.Contains(errs[i].Error(), fmt.Sprintf("run-%d", 1-i)) || strings.Contains(errs[i].Error(), "already active")):
				default:
					t.Errorf("run-%d: %+v, %v", i, res[i], errs[i])
				}
				t.Logf("run-%d: %v %.120s", i, errs[i], res[i].Summary)
			}
			if committed != 1 {
				t.Errorf("%d runs committed, want exactly 1", committed)
			}
			e.wantCommitted(want)
		})
	}
}

// ---------------------------------------------------------------------------------------------
// 5: a run after success.

func TestCommitAfterSuccess(t *testing.T) {
	t.Parallel()
	e, want := committedEnv(t)
	e.must("run-1", matchEvent(false))
	e.wantCommitted(want)
	snap := e.snapshot()
	for _, id := range []string{"run-1", "run-2"} {
		e.clock.Advance(time.Hour)
		res := e.must(id, matchEvent(false))
		if !strings.Contains(res.Summary, "nothing was changed and nothing was sent") || (res.Emails != nil && res.Emails.Participants+res.Emails.Coordinators != 0) ||
			res.State != string(pairup.RoundActive) {
			t.Errorf("%s after success: %+v", id, res)
		}
		if e.snapshot() != snap {
			t.Errorf("%s after success changed the table", id)
		}
	}
}

// ---------------------------------------------------------------------------------------------
// 6: bad input: an error with the right code naming the problem, and nothing written.

func TestBadInput(t *testing.T) {
	t.Parallel()
	// Rounds in the states the cases need, each with 40 confirmed people and one pin.
	pin := pairup.PairRef{A: "reg-010", B: "reg-011"} // GB and KE
	fixtures := map[string]*env{}
	for _, state := range []string{"open", "leased", "active"} {
		e := newEnv(t)
		e.register(ilnPeople(40, e.clock.Now()), 8)
		e.clock.Advance(time.Minute)
		res := e.must("pin", matchrun.Event{Action: matchrun.ActionPin, Programme: demo.ILN, Round: demo.ILNRound, Pairs: [][]string{{"reg-010", "Librarian011@Example.org"}}})
		if len(res.Pins) != 1 {
			t.Fatalf("pin: %+v", res)
		}
		switch state {
		case "leased": // a commit has begun: another run holds the lease
			e.must("close", closeEvent())
			if _, err := e.st.BeginCommit(e.ctx, demo.ILN, demo.ILNRound, "other-run", lease); err != nil {
				t.Fatal(err)
			}
		case "active":
			e.must("close", closeEvent())
			e.must("commit", matchEvent(false))
		}
		fixtures[state] = e
	}
	ev := func(action string, pairs ...[]string) matchrun.Event {
		return matchrun.Event{Action: action, Programme: demo.ILN, Round: demo.ILNRound, Pairs: pairs}
	}
	for _, tc := range []struct {
		name, state string
		ev          matchrun.Event
		code        string   // the error's text begins "<code>: "
		mentions    []string // and names the problem
	}{
		{"UnknownProgramme", "open", matchrun.Event{Action: matchrun.ActionMatch, Programme: "nope", Round: demo.ILNRound}, pairup.ENOTFOUND, []string{`"nope"`}},
		{"UnknownRound", "open", matchrun.Event{Action: matchrun.ActionMatch, Programme: demo.ILN, Round: "2031-9"}, pairup.ENOTFOUND, []string{`"2031-9"`}},
		{"NoRound", "open", matchrun.Event{Action: matchrun.ActionMatch, Programme: demo.ILN}, pairup.EINVALID, []string{`"round"`}},
		{"CommitWhileSignupOpen", "open", matchEvent(false), pairup.ECONFLICT, []string{"Signup for 2027 Round 1 is open until", "close-signup"}},
		{"DryRunOfActiveRound", "active", matchEvent(true), pairup.ECONFLICT, []string{"2027 Round 1 is active"}},
		{"CloseSignupTwice", "leased", closeEvent(), pairup.ECONFLICT, []string{"already closed", "matching"}},
		{"CommitWhileLeased", "leased", matchEvent(false), pairup.ECONFLICT, []string{"other-run", "until " + t0.Add(time.Minute+lease).Format(time.RFC3339)}},
		{"PinUnknownPerson", "open", ev(matchrun.ActionPin, []string{"reg-001", "ghost@example.org"}), pairup.EINVALID, []string{"pairs[0]", `"ghost@example.org" is not a confirmed participant`}},
		{"PinSamePersonTwice", "open", ev(matchrun.ActionPin, []string{"reg-020", "Librarian020@example.org"}), pairup.EINVALID, []string{"pairs[0]", "same person twice"}},
		{"PinThreePeople", "open", ev(matchrun.ActionPin, []string{"reg-020", "reg-021", "reg-022"}), pairup.EINVALID, []string{"pairs[0]", "exactly two"}},
		{"PinNobody", "open", ev(matchrun.ActionPin), pairup.EINVALID, []string{`"pairs"`}},
		{"PinSameCountry", "open", ev(matchrun.ActionPin, []string{"reg-001", "reg-002"}), pairup.EINVALID, []string{"reg-001", "reg-002", "breaks a hard constraint"}},
		{"PinPinnedPerson", "open", ev(matchrun.ActionPin, []string{"reg-010", "reg-012"}), pairup.EINVALID, []string{"reg-010", "pinned 2 times"}},
		{"PinAfterCommitBegan", "leased", ev(matchrun.ActionPin, []string{"reg-012", "reg-013"}), pairup.ECONFLICT, []string{"A commit has begun"}},
		{"ForbidAfterCommitBegan", "leased", ev(matchrun.ActionForbid, []string{"reg-012", "reg-013"}), pairup.ECONFLICT, []string{"A commit has begun"}},
		{"UnpinAfterCommit", "active", ev(matchrun.ActionUnpin, []string{"reg-010", "reg-011"}), pairup.ECONFLICT, []string{"is active"}},
		{"UnknownAction", "open", ev("explode"), pairup.EINVALID, []string{`Unknown action "explode"`}},
		{"NoAction", "open", matchrun.Event{}, pairup.EINVALID, []string{`Unknown action ""`}},
		{"NowNotAllowed", "open", func() matchrun.Event { x := matchEvent(true); x.Now = ptr(t0.Add(40 * 24 * time.Hour)); return x }(),
			pairup.EINVALID, []string{`"now" is only honoured`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := fixtures[tc.state]
			e.tb = t
			before, snap := e.round(), e.snapshot()
			res, err := e.invoke("bad-"+tc.name, tc.ev)
			if err == nil {
				t.Fatalf("no error; result %+v", res)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tc.code+": ") {
				t.Errorf("error %q; want one beginning %q", msg, tc.code+": ")
			}
			for _, m := range tc.mentions {
				if !strings.Contains(msg, m) {
					t.Errorf("error %q does not mention %q", msg, m)
				}
			}
			if e.snapshot() != snap {
				t.Error("the table changed")
			}
			after := e.round()
			if after.State != before.State || !slices.Equal(after.Pins, []pairup.PairRef{pin}) || len(after.Forbids) != 0 {
				t.Errorf("round %s pins %v forbids %v; was %s with pin %v", after.State, after.Pins, after.Forbids, before.State, pin)
			}
		})
	}
}
