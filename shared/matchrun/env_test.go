package matchrun_test

// The world of the package's integration tests: a table of its own on DynamoDB Local, seeded
// with the demo programmes (shared/demo) and confirmed ILN registrations written straight to
// the store, and the real match-run function (matchrun.NewLambda) over it. The function's
// DynamoDB client's HTTP layer goes through a faulthttp.Client (e.ddb: a test's faults) in front
// of a capacityMeter (e.meter: a benchmark's costs), then DynamoDB Local.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
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
	"github.com/pairup/pairup/shared/internal/faulthttp"
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

type handler = func(context.Context, matchrun.Event) (matchrun.Result, error)

type env struct {
	tb    testing.TB
	ctx   context.Context
	table string
	clock *pairup.ManualClock
	db    *dynamodb.Client  // DynamoDB Local, no faults
	st    *store.Store      // over db: setup and inspection
	ddb   *faulthttp.Client // the function's client's HTTP layer: faults
	meter *capacityMeter    // behind ddb, in front of DynamoDB Local: requests and their cost
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
		clock: pairup.NewManualClock(t0), db: localenv.DynamoDBClient(endpoint), meter: &capacityMeter{}, logs: &syncBuffer{},
	}
	e.ddb = faulthttp.New(e.meter)
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
			e.meter.next = o.HTTPClient
			if e.meter.next == nil {
				e.meter.next = awshttp.NewBuildableClient()
			}
			o.HTTPClient = e.ddb
		}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	if e.meter.next == nil {
		tb.Fatal("matchrun.NewLambda did not apply Deps.DynamoDB")
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("match-run log:\n%.20000s", e.logs.String())
		}
	})
	return e
}

// arm forgets the requests the function has made so far and sets the hook that may answer its
// requests from now on (nil: none).
func (e *env) arm(hook faulthttp.Hook) {
	e.ddb.Reset()
	e.ddb.SetHook(hook)
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
