package app_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/app"
	"github.com/pairup/pairup/shared/config"
	"github.com/pairup/pairup/shared/demo"
	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/localenv"
	"github.com/pairup/pairup/shared/localmail"
	"github.com/pairup/pairup/shared/mailer"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/signup"
	"github.com/pairup/pairup/shared/store"
)

// The local services every test in this package shares; each test gets its own table.
var (
	ddb, ses *localenv.Service
	inbox    *localenv.Inbox
	tables   atomic.Int64
)

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() { // make test-short: unit tests only
		fmt.Println("app: integration tests skipped under -short (they need DynamoDB Local and the SES emulator)")
		os.Exit(0)
	}
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	ctx := context.Background()
	var err error
	if ddb, err = localenv.StartDynamoDB(ctx, 0); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer ddb.Stop()
	if ses, err = localenv.StartSES(ctx, 0); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer ses.Stop()
	inbox = localenv.NewInbox(ses.Endpoint)
	return m.Run()
}

// stack is the signup function wired to DynamoDB Local and the SES emulator, served on a
// loopback port, with a clock the test moves.
type stack struct {
	t      testing.TB
	cfg    config.Config
	clock  *pairup.ManualClock
	store  *store.Store
	signer *links.Signer
	srv    *httptest.Server
	h      *atomic.Value // the handler srv serves
	logs   *syncBuffer   // everything the handler and the mailer logged
	mailer *mailer.Mailer
}

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var testKey = []byte("0123456789abcdef0123456789abcdef-test-only")

// stackOptions vary a stack: the clock's start (default 2026-11-26 09:00 UTC), whether the
// mailer runs (default: yes), and environment variables to set (e.g. the signup limits, which
// otherwise have their defaults).
type stackOptions struct {
	at       time.Time
	noMailer bool
	env      map[string]string
}

func newStack(t testing.TB) *stack { return newStackWith(t, stackOptions{}) }

func newStackWith(t testing.TB, o stackOptions) *stack {
	t.Helper()
	ctx := context.Background()
	if o.at.IsZero() {
		o.at = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	}
	table := fmt.Sprintf("pairup-test-%d-%d", time.Now().UnixNano(), tables.Add(1))
	client := localenv.DynamoDBClient(ddb.Endpoint)
	if err := store.CreateTable(ctx, client, table); err != nil {
		t.Fatal(err)
	}
	clock := pairup.NewManualClock(o.at)
	st := store.New(client, table, clock)
	if err := demo.Seed(ctx, st, clock.Now()); err != nil {
		t.Fatal(err)
	}
	s := &stack{t: t, clock: clock, store: st, logs: &syncBuffer{}}
	// The server's URL is the base of the links in emails, so start it before building the
	// handler and swap the handler in.
	s.h = &atomic.Value{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.h.Load().(http.Handler).ServeHTTP(w, r)
	}))
	t.Cleanup(s.srv.Close)
	env := map[string]string{
		config.EnvTable: table, config.EnvMailFrom: "pairup test <noreply@pairup.test>",
		config.EnvBaseURL: s.srv.URL, config.EnvLinkKey: fmt.Sprintf("%x", testKey),
		config.EnvDynamoDBEndpoint: ddb.Endpoint, config.EnvSESEndpoint: ses.Endpoint,
	}
	for k, v := range o.env {
		env[k] = v
	}
	cfg, err := config.FromEnv(func(k string) string { return env[k] }, config.NeedTable, config.NeedMail, config.NeedLinks)
	if err != nil {
		t.Fatal(err)
	}
	s.cfg = cfg
	if !o.noMailer {
		s.startMailer(ctx)
	}
	s.serve(cfg)
	if s.signer, err = links.NewSigner(testKey); err != nil {
		t.Fatal(err)
	}
	return s
}

// serve builds the signup handler from cfg and serves it at the stack's URL from now on.
func (s *stack) serve(cfg config.Config) {
	s.t.Helper()
	handler, err := app.Signup(context.Background(), cfg, app.Deps{Clock: s.clock, Log: slog.New(slog.NewJSONHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		s.t.Fatal(err)
	}
	s.h.Store(handler)
}

// startMailer runs the mailer against the test's table as AWS would (stream and sweep), with
// the test's clock, at a rate no test waits on.
func (s *stack) startMailer(ctx context.Context) {
	s.t.Helper()
	cfg := s.cfg
	cfg.MailRate = 1000
	m, err := mailer.New(ctx, cfg, mailer.Deps{Clock: s.clock, Log: slog.New(slog.NewJSONHandler(s.logs, nil))})
	if err != nil {
		s.t.Fatal(err)
	}
	s.mailer = m
	p, err := localmail.Start(ctx, ddb.Endpoint, cfg.Table, m, localmail.Options{SweepEvery: 500 * time.Millisecond})
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(p.Stop)
}

// formToken is the token a form served 10 s before the clock's now would carry (each call a
// new form, with a nonce of its own).
func (s *stack) formToken(programme string) string {
	return signup.NewFormToken(s.signer, programme, s.clock.Now().Add(-10*time.Second).Add(signup.DefaultFormTTL))
}

// ilnForm is a valid iln signup for email.
func (s *stack) ilnForm(email string) url.Values {
	return url.Values{
		"ft": {s.formToken(demo.ILN)}, "website": {""},
		"name": {"Ada Lovelace"}, "email": {email}, "country": {"AU"}, "timeZone": {"Australia/Sydney"},
		"sector": {"academic"}, "careerStage": {"new-professional"}, "languages": {"en", "fr"},
		"interests": {"digital-scholarship", "research-data"}, "preference": {"interest"}, "consent": {"yes"},
	}
}

func (s *stack) post(path string, form url.Values, header http.Header) (int, string) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	return s.do(req)
}

func (s *stack) get(path string) (int, string) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.srv.URL+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return s.do(req)
}

func (s *stack) do(req *http.Request) (int, string) {
	s.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// registrations returns the iln demo round's registrations.
func (s *stack) registrations(programme, round string) []pairup.Registration {
	s.t.Helper()
	regs, err := s.store.ListRegistrations(context.Background(), programme, round, "")
	if err != nil {
		s.t.Fatal(err)
	}
	return regs
}

// mails returns the emails the emulator holds for addr.
func mails(t testing.TB, addr string) []localenv.Email {
	t.Helper()
	m, err := inbox.To(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// waitMails waits until addr has n emails, and returns them.
func waitMails(t testing.TB, addr string, n int) []localenv.Email {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	m, err := inbox.WaitFor(ctx, addr, n)
	if err != nil {
		t.Fatalf("waiting for %d emails to %s: %v", n, addr, err)
	}
	return m
}

var (
	confirmLink = regexp.MustCompile(`https?://[^\s"<>]+/confirm\?t=[A-Za-z0-9._%-]+`)
	pageForm    = regexp.MustCompile(`<form method="post" action="([^"]+)">\s*<input type="hidden" name="t" value="([^"]*)">`)
)

// confirm does what a person does with a confirmation link: opens it, and presses the page's
// button (a POST of the form on the page). It returns the button's answer, or the page's if
// the link opened no button (a bad or expired link).
func (s *stack) confirm(link string) (int, string) {
	s.t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		s.t.Fatal(err)
	}
	status, page := s.get(u.RequestURI())
	m := pageForm.FindStringSubmatch(page)
	if status != http.StatusOK || m == nil {
		return status, page
	}
	return s.post(html.UnescapeString(m[1]), url.Values{"t": {html.UnescapeString(m[2])}}, nil)
}

// link returns the confirmation link in an email's text part.
func link(t testing.TB, e localenv.Email) string {
	t.Helper()
	l := confirmLink.FindString(e.Text)
	if l == "" {
		t.Fatalf("no confirmation link in email text:\n%s", e.Text)
	}
	return l
}

var seq atomic.Int64

// uniqueEmail is an address no other test uses (tests share the emulator's inbox).
func uniqueEmail(prefix string) string {
	return fmt.Sprintf("%s-%d-%d@example.org", prefix, time.Now().UnixNano(), seq.Add(1))
}

func quietLog() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }
