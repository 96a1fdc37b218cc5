package erasure_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pairup/pairup/shared/demo"
	"github.com/pairup/pairup/shared/erasure"
	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/localenv"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/store"
)

// client talks to the DynamoDB Local that TestMain starts for the package.
var client *dynamodb.Client

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() { // make test-short: unit tests only
		fmt.Println("erasure: integration tests skipped under -short (they need DynamoDB Local)")
		os.Exit(0)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	svc, err := localenv.StartDynamoDB(ctx, 0)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "erasure tests need DynamoDB Local:", err)
		os.Exit(1)
	}
	client = localenv.DynamoDBClient(svc.Endpoint)
	code := m.Run()
	svc.Stop()
	os.Exit(code)
}

var tableSeq atomic.Int64

// now is the tests' clock: a round closed three years before it is due for retention.
var now = time.Date(2029, 6, 1, 9, 0, 0, 0, time.UTC)

var testKey = []byte("0123456789abcdef0123456789abcdef-erasure-test")

// world is a table with two rounds of the demo iln programme: "old", closed three years ago, and
// "cur", active; Ada in both (paired with Zoe in old, with Pat in cur), Pat and Zoe, emails sent
// and unsent that speak of Ada, her survey answers with her name in the text, her unsubscribe.
type world struct {
	t      *testing.T
	table  string
	st     *store.Store
	clock  *pairup.ManualClock
	svc    *erasure.Service
	signer *links.Signer
	pids   map[string]string // address → participant id
	frozen map[string]string // round → its frozen statistics, as JSON
}

const (
	ada = "ada.lovelace@example.org"
	pat = "pat@example.org"
	zoe = "zoe@example.org"
)

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{t: t, table: fmt.Sprintf("erasure-%d-%d", time.Now().UnixNano(), tableSeq.Add(1)), clock: pairup.NewManualClock(now), pids: map[string]string{}}
	if err := store.CreateTable(ctx, client, w.table); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(w.table)})
	})
	w.st = store.New(client, w.table, w.clock)
	var err error
	if w.signer, err = links.NewSigner(testKey); err != nil {
		t.Fatal(err)
	}
	w.svc = &erasure.Service{Store: w.st, Links: w.signer, Clock: w.clock, Log: slog.New(slog.DiscardHandler), BaseURL: "https://pairup.test"}
	p := demo.Programmes()[0]
	w.must(w.st.PutProgramme(ctx, &p))
	stats := func(n int) *pairup.MatchStats {
		return &pairup.MatchStats{Registrations: n, Confirmed: n, Matched: n, Pairs: n / 2, Countries: 2, MeanScore: 41.5, CommittedAt: now.AddDate(-3, -5, 0)}
	}
	old := pairup.Round{ProgrammeID: "iln", ID: "old", Name: "Old round", State: pairup.RoundClosed,
		SignupOpens: now.AddDate(-3, -7, 0), SignupCloses: now.AddDate(-3, -6, 0), Starts: now.AddDate(-3, -5, 0), Ends: now.AddDate(-3, -1, 0),
		UpdatedAt: now.AddDate(-3, 0, 0), Matching: stats(2)}
	cur := pairup.Round{ProgrammeID: "iln", ID: "cur", Name: "Current round", State: pairup.RoundActive,
		SignupOpens: now.AddDate(0, -2, 0), SignupCloses: now.AddDate(0, -1, 0), Starts: now.AddDate(0, -1, 0), Ends: now.AddDate(0, 3, 0),
		UpdatedAt: now.AddDate(0, -1, 0), Matching: stats(2)}
	for _, r := range []pairup.Round{old, cur} {
		w.must(w.st.CreateRound(ctx, &r))
	}
	w.register("old", "ada-old", ada, "Ada Lovelace", now.AddDate(-3, -7, 0))
	w.register("old", "zoe-old", zoe, "Zoe Zhang", now.AddDate(-3, -7, 0))
	w.register("cur", "ada-cur", ada, "Ada Lovelace", now.AddDate(0, -2, 0))
	w.register("cur", "pat-cur", pat, "Pat Partner", now.AddDate(0, -2, 0))
	w.plan("old", "ada-old", "zoe-old")
	w.plan("cur", "ada-cur", "pat-cur")

	// Survey answers: Ada's own words name her; Pat's are Pat's.
	for _, r := range []pairup.SurveyResponse{
		{ProgrammeID: "iln", RoundID: "cur", Kind: pairup.SurveyMid, RegistrationID: "ada-cur", Role: pairup.RolePeer,
			Answers: pairup.SurveyAnswers{"satisfaction": {"5"}, "impact": {"contacts", "ideas"}, "comments": {"Ada Lovelace here: I loved it"}}, SubmittedAt: now.AddDate(0, 0, -3)},
		{ProgrammeID: "iln", RoundID: "old", Kind: pairup.SurveyEnd, RegistrationID: "ada-old", Role: pairup.RolePeer,
			Answers: pairup.SurveyAnswers{"satisfaction": {"4"}, "again": {"yes"}, "comments": {"— ada lovelace"}, "retired-question": {"Ada"}}, SubmittedAt: now.AddDate(-3, -1, 0)},
		{ProgrammeID: "iln", RoundID: "cur", Kind: pairup.SurveyMid, RegistrationID: "pat-cur", Role: pairup.RolePeer,
			Answers: pairup.SurveyAnswers{"satisfaction": {"3"}, "comments": {"Pat's own comments"}}, SubmittedAt: now.AddDate(0, 0, -3)},
	} {
		_, err := w.st.SaveSurveyResponse(ctx, r)
		w.must(err)
	}
	w.must(w.st.Suppress(ctx, ada, pairup.SuppressUnsubscribe, now.AddDate(0, 0, -1)))

	// Emails: sent and unsent, to Ada and to others about her.
	csv := gz("registration,name,email\nada-cur,Ada Lovelace," + ada + "\npat-cur,Pat Partner," + pat + "\n")
	sent := []mail.Message{
		w.msg("confirm/ada-cur/1", ada),
		w.msg("match/iln/cur/ada-cur", ada, "pat-cur"),
		w.msg("match/iln/cur/pat-cur", pat, "ada-cur"),
		w.msg("match/iln/old/ada-old", ada, "zoe-old"),
		w.msg("match/iln/old/zoe-old", zoe, "ada-old"),
	}
	proposal := w.msg("proposal/iln/cur/commit/0", "coordinators@iln.example.org", mail.AboutRound("iln", "cur"))
	proposal.Attachments = []mail.Attachment{{FileName: "matching-iln-cur.csv", ContentType: "text/csv; charset=utf-8", Data: gunzipped(csv)}}
	unsent := []mail.Message{
		w.msg("prompt/iln/cur/ada-cur+pat-cur/1/pat-cur", pat),
		w.msg("prompt/iln/cur/ada-cur+pat-cur/1/ada-cur", ada),
		proposal,
		w.msg("prompt/iln/other/x+y/1/x", "x@example.org"),
	}
	_, err = w.st.Enqueue(ctx, append(slices.Clone(sent), unsent...))
	w.must(err)
	for _, m := range sent {
		_, ok, err := w.st.ClaimMessage(ctx, m.Key, time.Minute)
		w.must(err)
		if !ok {
			t.Fatalf("claim %s", m.Key)
		}
		w.must(w.st.MarkSent(ctx, m.Key, "ses-"+m.Key))
	}
	w.frozen = map[string]string{}
	for _, r := range []string{"old", "cur"} {
		w.frozen[r] = w.roundStats(r)
	}
	return w
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) register(round, id, email, name string, at time.Time) {
	w.t.Helper()
	ctx := context.Background()
	r := &pairup.Registration{ID: id, ProgrammeID: "iln", RoundID: round, Name: name, Email: email, Country: "AU",
		Languages: []string{"en"}, TimeZone: "Australia/Sydney", Sector: "academic", CareerStage: "student",
		Interests: []string{"cataloguing"}, Preference: pairup.PreferAny, Role: pairup.RolePeer, Locale: "en",
		Status: pairup.StatusPending, ConsentAt: at, CreatedAt: at}
	w.clock.Set(at)
	_, _, err := w.st.Register(ctx, r, at.Add(72*time.Hour), w.msg("confirm/"+id+"/0", email))
	w.must(err)
	reg, err := w.st.ConfirmRegistration(ctx, "iln", round, id, at.Add(time.Minute))
	w.must(err)
	w.pids[email] = reg.ParticipantID
	w.clock.Set(now)
	// The confirmation email went long ago.
	_, _, err = w.st.ClaimMessage(ctx, "confirm/"+id+"/0", time.Minute)
	w.must(err)
	w.must(w.st.MarkSent(ctx, "confirm/"+id+"/0", "ses"))
}

func (w *world) plan(round, a, b string) {
	w.t.Helper()
	ra, err := w.st.GetRegistration(context.Background(), "iln", round, a)
	w.must(err)
	rb, err := w.st.GetRegistration(context.Background(), "iln", round, b)
	w.must(err)
	id := pairup.PairID(a, b)
	members := []pairup.PairMember{{RegistrationID: a, ParticipantID: ra.ParticipantID}, {RegistrationID: b, ParticipantID: rb.ParticipantID}}
	slices.SortFunc(members, func(x, y pairup.PairMember) int { return strings.Compare(x.RegistrationID, y.RegistrationID) })
	w.must(w.st.WritePlan(context.Background(), "iln", round,
		[]pairup.Pair{{ID: id, Members: members, Score: 40, Reasons: []string{"across countries: Australia and Japan", "shared interest: Cataloguing and metadata"}, CreatedAt: now}},
		[]pairup.Outcome{
			{RegistrationID: a, ParticipantID: ra.ParticipantID, Kind: pairup.OutcomePaired, PairIDs: []string{id}, SignedUpAt: ra.CreatedAt},
			{RegistrationID: b, ParticipantID: rb.ParticipantID, Kind: pairup.OutcomePaired, PairIDs: []string{id}, SignedUpAt: rb.CreatedAt},
		}))
}

// msg is an email to to with key, whose subject and bodies name whoever it is about.
func (w *world) msg(key, to string, about ...string) mail.Message {
	names := map[string]string{ada: "Ada Lovelace", pat: "Pat Partner", zoe: "Zoe Zhang"}
	text := "Hello " + names[to] + "."
	for _, a := range about {
		switch {
		case strings.HasPrefix(a, "ada"):
			text += " Your partner is Ada Lovelace <" + ada + ">."
		case strings.HasPrefix(a, "pat"):
			text += " Your partner is Pat Partner <" + pat + ">."
		case strings.HasPrefix(a, "zoe"):
			text += " Your partner is Zoe Zhang <" + zoe + ">."
		}
	}
	if strings.Contains(key, "ada-cur+pat-cur") {
		text += " Topic for Ada Lovelace and Pat Partner."
	}
	return mail.Message{Key: key, To: to, Subject: "pairup: " + key, Text: text, HTML: "<p>" + text + "</p>",
		ListUnsubscribe: "https://pairup.test/unsubscribe?t=x", Tags: map[string]string{"kind": "test"}, About: about}
}

func gz(s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.Bytes()
}

func gunzipped(z []byte) []byte {
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil
	}
	b, _ := io.ReadAll(zr)
	return b
}

// scan reads the whole table (a test may Scan; the product never does), each item as JSON,
// with gzip-compressed attributes decompressed, sorted by key.
func (w *world) scan() []string {
	w.t.Helper()
	var out []string
	p := dynamodb.NewScanPaginator(client, &dynamodb.ScanInput{TableName: aws.String(w.table), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		w.must(err)
		for _, item := range page.Items {
			out = append(out, render(item))
		}
	}
	slices.Sort(out)
	return out
}

// render writes an item as JSON, binary attributes gunzipped (attachments are stored gzip-
// compressed: a name inside one must be found too).
func render(item map[string]types.AttributeValue) string {
	var walk func(v types.AttributeValue) types.AttributeValue
	walk = func(v types.AttributeValue) types.AttributeValue {
		switch v := v.(type) {
		case *types.AttributeValueMemberB:
			if d := gunzipped(v.Value); d != nil {
				return &types.AttributeValueMemberS{Value: "gunzipped:" + string(d)}
			}
		case *types.AttributeValueMemberM:
			m := map[string]types.AttributeValue{}
			for k, e := range v.Value {
				m[k] = walk(e)
			}
			return &types.AttributeValueMemberM{Value: m}
		case *types.AttributeValueMemberL:
			l := make([]types.AttributeValue, len(v.Value))
			for i, e := range v.Value {
				l[i] = walk(e)
			}
			return &types.AttributeValueMemberL{Value: l}
		}
		return v
	}
	m := map[string]types.AttributeValue{}
	for k, v := range item {
		m[k] = walk(v)
	}
	var plain map[string]any
	if err := attributevalue.UnmarshalMap(m, &plain); err != nil {
		panic(err)
	}
	b, _ := json.Marshal(plain)
	return string(b)
}

// traces returns the items that hold any of the strings, case-insensitively.
func traces(items []string, what ...string) []string {
	var out []string
	for _, it := range items {
		for _, s := range what {
			if strings.Contains(strings.ToLower(it), strings.ToLower(s)) {
				out = append(out, it)
				break
			}
		}
	}
	return out
}

func (w *world) roundStats(round string) string {
	w.t.Helper()
	r, err := w.st.GetRound(context.Background(), "iln", round)
	w.must(err)
	b, _ := json.Marshal(struct {
		M *pairup.MatchStats
		S any
	}{r.Matching, r.Stats})
	return string(b)
}

// checkAdaErased checks that nothing in the table names Ada, that Pat's and Zoe's data and the
// frozen statistics are intact, and that her address stays unsubscribed under a keyed hash.
func (w *world) checkAdaErased(items []string) {
	w.t.Helper()
	ctx := context.Background()
	if left := traces(items, ada, "Ada Lovelace", "lovelace"); len(left) > 0 {
		w.t.Errorf("%d items still name Ada:\n%s", len(left), strings.Join(left, "\n"))
	}
	if n := len(traces(items, "pat partner", pat)); n == 0 {
		w.t.Error("Pat's data is gone too")
	}
	reg, err := w.st.GetRegistration(ctx, "iln", "cur", "pat-cur")
	w.must(err)
	if reg.Name != "Pat Partner" || reg.Email != pat || reg.Status != pairup.StatusConfirmed || len(reg.Languages) == 0 {
		w.t.Errorf("Pat's registration changed: %+v", reg)
	}
	resp, err := w.st.GetSurveyResponse(ctx, "iln", "cur", pairup.SurveyMid, "pat-cur")
	w.must(err)
	if got := resp.Answers["comments"]; len(got) != 1 || got[0] != "Pat's own comments" {
		w.t.Errorf("Pat's comments: %q", got)
	}
	for r, want := range w.frozen {
		if got := w.roundStats(r); got != want {
			w.t.Errorf("round %s's frozen statistics changed:\n got %s\nwant %s", r, got, want)
		}
	}
	reason, err := w.st.Suppressed(ctx, ada, store.SuppressionHashes(w.signer, ada))
	if err != nil || reason != pairup.SuppressUnsubscribe {
		w.t.Errorf("Ada's address after erasure: suppressed %q, %v; want unsubscribe, kept as a hash", reason, err)
	}
	// Her registrations stay as the statistics need them.
	for _, id := range []string{"ada-old", "ada-cur"} {
		round := strings.TrimPrefix(id, "ada-")
		reg, err := w.st.GetRegistrationAny(ctx, "iln", round, id)
		w.must(err)
		if reg.Country != "AU" || reg.Sector != "academic" || reg.ErasedAt.IsZero() || reg.ParticipantID == "" {
			w.t.Errorf("erased %s keeps %+v", id, reg)
		}
	}
	// Her scale and choice answers stay; her words are gone.
	resp, err = w.st.GetSurveyResponse(ctx, "iln", "cur", pairup.SurveyMid, "ada-cur")
	w.must(err)
	if _, ok := resp.Answers["comments"]; ok || resp.Answers["satisfaction"][0] != "5" || len(resp.Answers["impact"]) != 2 {
		w.t.Errorf("Ada's survey answers after erasure: %v", resp.Answers)
	}
	// The unrelated unsent email is untouched.
	q, err := w.st.GetMessage(ctx, "prompt/iln/other/x+y/1/x")
	w.must(err)
	if q.Status != mail.StatusPending || q.Text == "" {
		w.t.Errorf("an unrelated email: %s, text %q", q.Status, q.Text)
	}
}

// TestErasePerson: erasing Ada by address leaves no item naming her (her address or her name,
// in any case, in gunzipped attachments too), Pat's data and the frozen statistics intact, her
// unsubscribe kept as a keyed hash, her current round left (withdrawn); a second erasure finds
// nothing to do and changes nothing.
func TestErasePerson(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	before := w.scan()
	if n := len(traces(before, ada, "ada lovelace")); n < 10 {
		t.Fatalf("the world names Ada in only %d items: the test would prove nothing", n)
	}
	rep, err := w.svc.ErasePerson(ctx, "  Ada.Lovelace@Example.org ")
	if err != nil {
		t.Fatal(err)
	}
	want := erasure.Report{Registrations: 2, Withdrawn: 1, MessagesCancelled: 3, MessagesRedacted: 5, SurveyResponses: 2,
		EmailClaims: 2, Suppressions: 1, People: 1}
	got := *rep
	got.Summary = ""
	if got != want {
		t.Errorf("report %+v\nwant   %+v", got, want)
	}
	if strings.Contains(strings.ToLower(rep.Summary), "ada") || !strings.HasPrefix(rep.Summary, "Erased: 2 registrations anonymised (1 taken out") {
		t.Errorf("summary %q", rep.Summary)
	}
	after := w.scan()
	w.checkAdaErased(after)
	reg, err := w.st.GetRegistrationAny(ctx, "iln", "cur", "ada-cur")
	w.must(err)
	if reg.Status != pairup.StatusWithdrawn {
		t.Errorf("Ada in the running round: %s, want withdrawn", reg.Status)
	}
	old, err := w.st.GetRegistrationAny(ctx, "iln", "old", "ada-old")
	w.must(err)
	if old.Status != pairup.StatusConfirmed {
		t.Errorf("Ada in the closed round: %s, want confirmed (the statistics count her)", old.Status)
	}

	again, err := w.svc.ErasePerson(ctx, ada)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(again.Summary, "Nothing to erase") {
		t.Errorf("second erasure: %+v", again)
	}
	if diff := slices.Compare(w.scan(), after); diff != 0 {
		t.Error("the second erasure changed the table")
	}
}

// crashing is the store with a crash after its n-th write: the write is applied, then the
// erasure fails as if the function had died before it heard back.
type crashing struct {
	*store.Store
	writes, at int
}

var errCrash = fmt.Errorf("crash after a write (test)")

func (c *crashing) after(err error) error {
	c.writes++
	if err == nil && c.writes == c.at {
		return errCrash
	}
	return err
}

func (c *crashing) WithdrawForErasure(ctx context.Context, p, r, id string, at time.Time) (bool, error) {
	ok, err := c.Store.WithdrawForErasure(ctx, p, r, id, at)
	return ok, c.after(err)
}

func (c *crashing) AnonymiseRegistration(ctx context.Context, p, r, id string, at time.Time) (bool, error) {
	ok, err := c.Store.AnonymiseRegistration(ctx, p, r, id, at)
	return ok, c.after(err)
}

func (c *crashing) CancelMessages(ctx context.Context, e store.Erasing, at time.Time) (int, error) {
	n, err := c.Store.CancelMessages(ctx, e, at)
	return n, c.after(err)
}

func (c *crashing) EraseSentMessages(ctx context.Context, e store.Erasing, at time.Time) (int, error) {
	n, err := c.Store.EraseSentMessages(ctx, e, at)
	return n, c.after(err)
}

func (c *crashing) EraseSurveyAnswers(ctx context.Context, p, r string, k pairup.SurveyKind, id string, qs []string, at time.Time) (bool, error) {
	ok, err := c.Store.EraseSurveyAnswers(ctx, p, r, k, id, qs, at)
	return ok, c.after(err)
}

func (c *crashing) LeaveDeferred(ctx context.Context, p, r, id string) (bool, error) {
	ok, err := c.Store.LeaveDeferred(ctx, p, r, id)
	return ok, c.after(err)
}

func (c *crashing) DeleteEmailClaim(ctx context.Context, p, r, email string) (bool, error) {
	ok, err := c.Store.DeleteEmailClaim(ctx, p, r, email)
	return ok, c.after(err)
}

func (c *crashing) DeleteRoundEmailClaims(ctx context.Context, p, r string) (int, error) {
	n, err := c.Store.DeleteRoundEmailClaims(ctx, p, r)
	return n, c.after(err)
}

func (c *crashing) HashSuppression(ctx context.Context, email, hash string) (bool, error) {
	ok, err := c.Store.HashSuppression(ctx, email, hash)
	return ok, c.after(err)
}

func (c *crashing) DeletePerson(ctx context.Context, email string) (bool, error) {
	ok, err := c.Store.DeletePerson(ctx, email)
	return ok, c.after(err)
}

func (c *crashing) MarkRoundErased(ctx context.Context, p, r string, at time.Time) error {
	return c.after(c.Store.MarkRoundErased(ctx, p, r, at))
}

// normalised is a scan with each participant id (random per world) replaced by a name.
func (w *world) normalised() []string {
	items := w.scan()
	for i := range items {
		for email, pid := range w.pids {
			items[i] = strings.ReplaceAll(items[i], pid, "pid:"+email)
		}
	}
	slices.Sort(items)
	return items
}

// TestEraseInterrupted: an erasure (of a person, or retention) that dies after any one of its
// writes and is run again leaves the table exactly as one that ran through, and a third run
// finds nothing to do.
func TestEraseInterrupted(t *testing.T) {
	ctx := context.Background()
	runs := map[string]func(*erasure.Service) (*erasure.Report, error){
		"person":    func(s *erasure.Service) (*erasure.Report, error) { return s.ErasePerson(ctx, ada) },
		"retention": func(s *erasure.Service) (*erasure.Report, error) { return s.Retention(ctx, now) },
	}
	for name, run := range runs {
		t.Run(name, func(t *testing.T) {
			ref := newWorld(t)
			counter := &crashing{Store: ref.st, at: -1}
			ref.svc.Store = counter
			if _, err := run(ref.svc); err != nil {
				t.Fatal(err)
			}
			want := ref.normalised()
			if counter.writes < 5 {
				t.Fatalf("a whole run made %d writes: the test would prove little", counter.writes)
			}
			for at := 1; at <= counter.writes; at++ {
				w := newWorld(t)
				w.svc.Store = &crashing{Store: w.st, at: at}
				if _, err := run(w.svc); !errors.Is(err, errCrash) {
					t.Fatalf("crash after write %d: %v, want the crash", at, err)
				}
				w.svc.Store = w.st
				if _, err := run(w.svc); err != nil {
					t.Fatalf("re-run after a crash after write %d: %v", at, err)
				}
				if got := w.normalised(); !slices.Equal(got, want) {
					t.Errorf("crash after write %d, then a re-run: the table differs from an uninterrupted run's (%d items, want %d)", at, len(got), len(want))
					for i := range min(len(got), len(want)) {
						if got[i] != want[i] {
							t.Logf("first difference:\n got %s\nwant %s", got[i], want[i])
							break
						}
					}
					for _, it := range got {
						if !slices.Contains(want, it) {
							t.Logf("extra: %s", it)
						}
					}
					for _, it := range want {
						if !slices.Contains(got, it) {
							t.Logf("missing: %s", it)
						}
					}
				}
				rep, err := run(w.svc)
				if err != nil || rep.Registrations+rep.People+rep.MessagesRedacted+rep.MessagesCancelled+rep.EmailClaims+rep.Rounds != 0 {
					t.Errorf("a third run after a crash after write %d: %+v, %v; want nothing done", at, rep, err)
				}
			}
		})
	}
}

// TestRetention: the round closed three years ago is erased (Zoe, in it alone, is forgotten
// entirely; Ada keeps her running round, her person record, her suppression and that round's
// emails), a round closed a month ago and the running round are left; a second run finds
// nothing due; a programme's shorter RetentionDays brings the recent round's turn forward.
func TestRetention(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	recent := pairup.Round{ProgrammeID: "iln", ID: "recent", Name: "Recent round", State: pairup.RoundClosed,
		SignupOpens: now.AddDate(0, -7, 0), SignupCloses: now.AddDate(0, -6, 0), Starts: now.AddDate(0, -6, 0), Ends: now.AddDate(0, -2, 0),
		UpdatedAt: now.AddDate(0, 0, -30)}
	w.must(w.st.CreateRound(ctx, &recent))
	w.register("recent", "ann-recent", "ann@example.org", "Ann Recent", now.AddDate(0, -7, 0))

	rep, err := w.svc.Retention(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	want := erasure.Report{Rounds: 1, Registrations: 2, SurveyResponses: 1, EmailClaims: 2, People: 1, MessagesRedacted: 4}
	got := *rep
	got.Summary = ""
	if got != want {
		t.Errorf("report %+v\nwant   %+v", got, want)
	}
	if !strings.HasPrefix(rep.Summary, "Erased the personal data of 1 round closed longer ago than their programme's retention: 2 registrations anonymised") {
		t.Errorf("summary %q", rep.Summary)
	}
	items := w.scan()
	if left := traces(items, zoe, "zoe zhang"); len(left) > 0 {
		t.Errorf("Zoe, only in the old round, is still named:\n%s", strings.Join(left, "\n"))
	}
	for _, id := range []string{"ada-old", "zoe-old"} {
		reg, err := w.st.GetRegistrationAny(ctx, "iln", "old", id)
		w.must(err)
		if reg.Email != "" || reg.Name != "" || reg.Status != pairup.StatusConfirmed || reg.ErasedAt.IsZero() {
			t.Errorf("%s after retention: %+v", id, reg)
		}
	}
	if got := w.roundStats("old"); got != w.frozen["old"] {
		t.Errorf("the old round's frozen statistics changed:\n got %s\nwant %s", got, w.frozen["old"])
	}
	// Ada keeps what is hers in the running round.
	if _, err := w.st.GetPerson(ctx, ada); err != nil {
		t.Errorf("Ada's person record: %v", err)
	}
	if reg, err := w.st.GetRegistration(ctx, "iln", "cur", "ada-cur"); err != nil || reg.Email != ada || reg.Status != pairup.StatusConfirmed {
		t.Errorf("Ada's running registration: %+v, %v", reg, err)
	}
	if r, err := w.st.Suppressed(ctx, ada, nil); err != nil || r != pairup.SuppressUnsubscribe {
		t.Errorf("Ada's own suppression: %q, %v", r, err)
	}
	for key, to := range map[string]string{"match/iln/old/ada-old": "", "confirm/ada-old/0": "", "match/iln/cur/ada-cur": ada, "confirm/ada-cur/1": ada, "match/iln/old/zoe-old": ""} {
		if got, err := w.st.MessageRecipient(ctx, key); got != to || (to != "" && err != nil) {
			t.Errorf("%s's recipient after retention: %q, %v; want %q", key, got, err, to)
		}
	}
	if q, err := w.st.GetMessage(ctx, "prompt/iln/cur/ada-cur+pat-cur/1/ada-cur"); err != nil || q.Status != mail.StatusPending {
		t.Errorf("the running round's unsent email: %+v, %v", q, err)
	}
	// The recent round is within its retention.
	if reg, err := w.st.GetRegistration(ctx, "iln", "recent", "ann-recent"); err != nil || reg.Email != "ann@example.org" {
		t.Errorf("the recent round's registration: %+v, %v", reg, err)
	}
	if at, err := w.st.RoundErasedAt(ctx, "iln", "old"); err != nil || !at.Equal(now) {
		t.Errorf("the old round's erasedAt: %v, %v", at, err)
	}

	again, err := w.svc.Retention(ctx, now.Add(24*time.Hour))
	if err != nil || again.Rounds != 0 || !strings.HasPrefix(again.Summary, "No round is due") {
		t.Errorf("the next day's run: %+v, %v", again, err)
	}

	// A programme that keeps data 20 days: the round closed 30 days ago is due.
	p, err := w.st.GetProgramme(ctx, "iln")
	w.must(err)
	p.RetentionDays = 20
	w.must(w.st.PutProgramme(ctx, p))
	rep, err = w.svc.Retention(ctx, now.Add(48*time.Hour))
	if err != nil || rep.Rounds != 1 || rep.People != 1 {
		t.Fatalf("with 20 days' retention: %+v, %v", rep, err)
	}
	if left := traces(w.scan(), "ann@example.org", "ann recent"); len(left) > 0 {
		t.Errorf("Ann is still named:\n%s", strings.Join(left, "\n"))
	}
}

// TestRetentionDays: a programme's retention defaults to two years, and bad values are refused.
func TestRetentionDays(t *testing.T) {
	p := demo.Programmes()[0]
	closed := &pairup.Round{State: pairup.RoundClosed, UpdatedAt: now}
	for _, tc := range []struct {
		days  int
		at    time.Time
		due   bool
		valid bool
	}{
		{0, now.AddDate(0, 0, 729), false, true},
		{0, now.AddDate(0, 0, 730), true, true},
		{30, now.AddDate(0, 0, 29), false, true},
		{30, now.AddDate(0, 0, 30), true, true},
		{-1, now, false, false},
		{pairup.MaxRetentionDays + 1, now, false, false},
	} {
		p.RetentionDays = tc.days
		if err := p.Validate(); (err == nil) != tc.valid {
			t.Errorf("RetentionDays %d: Validate %v, want valid %v", tc.days, err, tc.valid)
			continue
		}
		if tc.valid && p.RetentionDue(closed, tc.at) != tc.due {
			t.Errorf("RetentionDays %d at %s: due %v, want %v", tc.days, tc.at, !tc.due, tc.due)
		}
	}
	p.RetentionDays = 0
	active := &pairup.Round{State: pairup.RoundActive, UpdatedAt: now}
	if p.RetentionDue(active, now.AddDate(5, 0, 0)) {
		t.Error("an active round is due for retention")
	}
}

// TestEraseRefusedWhileCommitting: while a matching run holds the commit lease of one of the
// person's rounds, erasure refuses with a clear message and changes nothing; once the lease has
// run out it goes ahead. A registration erased before is finished off by its reference alone.
func TestEraseRefusedWhileCommitting(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	m := pairup.Round{ProgrammeID: "iln", ID: "matching", Name: "Matching round", State: pairup.RoundMatching,
		SignupOpens: now.AddDate(0, -1, 0), SignupCloses: now.AddDate(0, 0, -1), Starts: now.AddDate(0, 0, 7), Ends: now.AddDate(0, 4, 0), UpdatedAt: now}
	w.must(w.st.CreateRound(ctx, &m))
	w.register("matching", "ada-m", ada, "Ada Lovelace", now.AddDate(0, -1, 0))
	if _, err := w.st.BeginCommit(ctx, "iln", "matching", "run-1", 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	before := w.normalised()
	_, err := w.svc.ErasePerson(ctx, ada)
	if pairup.ErrorCode(err) != pairup.ECONFLICT || !strings.Contains(pairup.ErrorMessage(err), "committing round iln/matching") {
		t.Fatalf("erasure during a commit: %v, want ECONFLICT naming the round", err)
	}
	if !slices.Equal(w.normalised(), before) {
		t.Fatal("the refused erasure changed the table")
	}
	w.clock.Set(now.Add(6 * time.Minute))
	rep, err := w.svc.ErasePerson(ctx, ada)
	if err != nil || rep.Registrations != 3 || rep.Withdrawn != 2 {
		t.Fatalf("erasure after the lease ran out: %+v, %v", rep, err)
	}
	rep, err = w.svc.EraseRegistration(ctx, "iln", "cur", "ada-cur")
	if err != nil || !strings.HasPrefix(rep.Summary, "Nothing to erase: the table holds no personal data for this registration") {
		t.Errorf("erasing an erased registration: %+v, %v", rep, err)
	}
	_, err = w.svc.EraseRegistration(ctx, "iln", "cur", "nobody")
	if pairup.ErrorCode(err) != pairup.ENOTFOUND {
		t.Errorf("erasing an unknown registration: %v, want ENOTFOUND", err)
	}
}
