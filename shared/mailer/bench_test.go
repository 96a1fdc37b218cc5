package mailer_test

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/pairup/pairup/shared/config"
	"github.com/pairup/pairup/shared/internal/faulthttp"
	"github.com/pairup/pairup/shared/localenv"
	"github.com/pairup/pairup/shared/localmail"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/mailer"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/store"
)

var (
	benchMessages = flag.Int("mailer.messages", 1000, "BenchmarkMailerThroughput: messages per run")
	benchRate     = flag.Float64("mailer.rate", config.DefaultMailRate, "BenchmarkMailerThroughput: the mailer's rate, emails per second")
)

// BenchmarkMailerThroughput runs the real local pipeline (stream poller and sweep, package
// localmail) over -mailer.messages queued messages at -mailer.rate emails per second, one
// mailer invocation at a time, on the system clock, and reports:
//
//   - emails/s: the sustained sending rate, (emails-1) / (last SES acceptance - first): the
//     intervals between acceptances, so a mailer exactly at its rate scores the rate;
//   - pct-of-rate: emails/s as a percentage of the configured rate;
//   - dup: emails the emulator received beyond one per address (the benchmark fails if any);
//   - ddb-req/email: HTTP requests the mailer's DynamoDB client made (retries included; the
//     enqueue is not counted) per email, up to the moment all were sent.
//
// Each b.N iteration does the whole run, so run it once (at the default 1000 messages and
// 14/s it takes about 75 s):
//
//	go test -run '^$' -bench MailerThroughput -benchtime 1x ./shared/mailer/
//
// Other sizes: append e.g. -args -mailer.messages=200 -mailer.rate=50.
//
// The figures are in the README's Performance section. About 3 DynamoDB requests an email are
// the claim, the suppression check and the mark; the rest are sweep queries and lost claims near
// the end.
func BenchmarkMailerThroughput(b *testing.B) {
	n, rate := *benchMessages, *benchRate
	if n < 2 || !(rate > 0) {
		b.Fatalf("-mailer.messages must be at least 2 and -mailer.rate positive; got %d, %v", n, rate)
	}
	var r benchResult
	for range b.N {
		b.StopTimer()
		r = benchRun(b, n, rate)
	}
	b.ReportMetric(r.perSecond, "emails/s")
	b.ReportMetric(r.perSecond/rate*100, "pct-of-rate")
	b.ReportMetric(float64(r.dup), "dup")
	b.ReportMetric(float64(r.ddbRequests)/float64(n), "ddb-req/email")
}

type benchResult struct {
	perSecond   float64
	dup         int
	ddbRequests int
}

func benchRun(b *testing.B, n int, rate float64) benchResult {
	ctx := context.Background()
	table := fltTable(b)
	cfg := fltConfig(b, table, rate) // MailConcurrency 1
	if cfg.MailConcurrency != 1 || cfg.MailRate != rate {
		b.Fatalf("config: concurrency %d, rate %v", cfg.MailConcurrency, cfg.MailRate)
	}
	var ses, ddb *faulthttp.Client
	logs := &fltSyncBuffer{}
	m, err := mailer.New(ctx, cfg, mailer.Deps{
		Clock: pairup.SystemClock{},
		Log:   slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})),
		SES: []func(*sesv2.Options){func(o *sesv2.Options) {
			ses = faulthttp.New(o.HTTPClient)
			o.HTTPClient = ses
		}},
		DynamoDB: []func(*dynamodb.Options){func(o *dynamodb.Options) {
			ddb = faulthttp.New(o.HTTPClient)
			o.HTTPClient = ddb
		}},
	})
	if err != nil {
		b.Fatal(err)
	}

	st := store.New(localenv.DynamoDBClient(ddbEndpoint), table, pairup.SystemClock{})
	base := fltName(b)
	msgs := make([]mail.Message, n)
	for i := range msgs {
		msgs[i] = mail.Message{
			Key:             fmt.Sprintf("bench/%s/%d", base, i),
			To:              fmt.Sprintf("%s-%d@example.org", base, i),
			Subject:         fmt.Sprintf("Message %d", i),
			Text:            fmt.Sprintf("Hello %d.", i),
			ListUnsubscribe: fmt.Sprintf("https://forms.pairup.test/unsubscribe?t=%s-%d", base, i),
			Tags:            map[string]string{"kind": "bench"},
		}
	}

	b.StartTimer()
	p, err := localmail.Start(ctx, ddbEndpoint, table, m, localmail.Options{SweepEvery: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Stop()
	if q, err := st.Enqueue(ctx, msgs); err != nil || q != n {
		b.Fatalf("Enqueue: %d queued, %v; want %d", q, err, n)
	}

	// Wait until SES has accepted n emails, then until every message is marked sent.
	accepted := func() int {
		c := 0
		for _, r := range ses.Records() {
			if r.Status == http.StatusOK {
				c++
			}
		}
		return c
	}
	unsent := make(map[string]bool, n)
	for _, m := range msgs {
		unsent[m.Key] = true
	}
	limit := time.Duration(float64(n)/rate*2*float64(time.Second)) + 30*time.Second
	deadline := time.Now().Add(limit)
	ddbRequests := 0
	for {
		if accepted() >= n {
			for k := range unsent {
				q, err := st.GetMessage(ctx, k)
				if err != nil {
					b.Fatal(err)
				}
				if q.Status == mail.StatusSent {
					delete(unsent, k)
				}
			}
			if len(unsent) == 0 {
				ddbRequests = ddb.Calls()
				break
			}
		}
		if time.Now().After(deadline) {
			statuses := map[mail.Status]int{}
			for _, m := range msgs {
				if q, err := st.GetMessage(ctx, m.Key); err == nil {
					statuses[q.Status]++
				}
			}
			b.Fatalf("not all %d messages sent within %s: SES accepted %d; statuses %v; log:\n%s", n, limit, accepted(), statuses, benchTail(logs.String()))
		}
		time.Sleep(500 * time.Millisecond)
	}
	b.StopTimer()
	p.Stop()

	var first, last time.Time
	count := 0
	for _, r := range ses.Records() {
		if r.Status != http.StatusOK {
			continue
		}
		if count == 0 || r.At.Before(first) {
			first = r.At
		}
		if r.At.After(last) {
			last = r.At
		}
		count++
	}
	all, err := localenv.NewInbox(sesEndpoint).Messages(ctx)
	if err != nil {
		b.Fatal(err)
	}
	want := make(map[string]bool, n)
	for _, m := range msgs {
		want[m.To] = true
	}
	got := map[string]int{}
	for _, e := range all {
		for _, to := range e.To {
			if want[to] {
				got[to]++
			}
		}
	}
	res := benchResult{perSecond: float64(count-1) / last.Sub(first).Seconds(), ddbRequests: ddbRequests}
	for _, m := range msgs {
		switch c := got[m.To]; {
		case c == 0:
			b.Errorf("%s: marked sent but the emulator has no email for it", m.Key)
		case c > 1:
			res.dup += c - 1
		}
	}
	if res.dup > 0 {
		b.Fatalf("%d duplicate emails", res.dup)
	}
	if count != n {
		b.Errorf("SES accepted %d emails for %d messages", count, n)
	}
	if errs := strings.Count(logs.String(), `"level":"ERROR"`); errs > 0 {
		b.Logf("%d errors logged:\n%s", errs, benchTail(logs.String()))
	}
	b.Logf("%d emails in %s (first to last SES acceptance) at rate %v; %d SES requests; %d DynamoDB requests by the mailer; %d stream records delivered",
		count, last.Sub(first).Round(time.Millisecond), rate, ses.Calls(), ddbRequests, p.Delivered())
	return res
}

// benchTail is the end of a log, for failure messages.
func benchTail(s string) string {
	const max = 4000
	if len(s) > max {
		return "…" + s[len(s)-max:]
	}
	return s
}
