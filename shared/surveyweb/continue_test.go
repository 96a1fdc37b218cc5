package surveyweb

import (
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
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/localenv"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/store"
	"github.com/pairup/pairup/shared/survey"
)

// The pages run against DynamoDB Local, started once for the package.
var ddbEndpoint string

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() { // make test-short: the tests that need DynamoDB Local skip
		os.Exit(m.Run())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	svc, err := localenv.StartDynamoDB(ctx, 0)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "surveyweb tests need DynamoDB Local:", err)
		os.Exit(1)
	}
	ddbEndpoint = svc.Endpoint
	code := m.Run()
	svc.Stop()
	os.Exit(code)
}

type pages struct {
	srv    *Server
	st     *store.Store
	clock  *pairup.ManualClock
	signer *links.Signer
}

// newPages serves the survey pages over a table holding a bilingual programme "hk" whose
// round r1 is closing, with the pair a+b (Ada, 陳大文) running.
func newPages(t *testing.T) *pages {
	t.Helper()
	if ddbEndpoint == "" {
		t.Skip("needs DynamoDB Local (not under -short)")
	}
	ctx := context.Background()
	client := localenv.DynamoDBClient(ddbEndpoint)
	table := fmt.Sprintf("surveyweb-%d", time.Now().UnixNano())
	if err := store.CreateTable(ctx, client, table); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2027, 5, 3, 9, 0, 0, 0, time.UTC)
	clock := pairup.NewManualClock(now)
	st := store.New(client, table, clock)
	p := &pairup.Programme{ID: "hk", Name: "HK Librarians", Mode: pairup.ModePeer, Locale: "en", Languages: []string{"en", "zh"},
		Sectors: []pairup.Option{{Value: "academic", Label: "Academic"}}, Stages: []pairup.Option{{Value: "student", Label: "Student"}},
		Interests: []pairup.Option{{Value: "cataloguing", Label: "Cataloguing"}}}
	mustOK(t, st.PutProgramme(ctx, p))
	mustOK(t, st.CreateRound(ctx, &pairup.Round{ProgrammeID: "hk", ID: "r1", Name: "Round 1", State: pairup.RoundClosing,
		SignupOpens: now.AddDate(0, -6, 0), SignupCloses: now.AddDate(0, -5, 0), Starts: now.AddDate(0, -5, 0), Ends: now, UpdatedAt: now}))
	for id, name := range map[string]string{"a": "Ada <b>Lovelace</b>", "b": "陳大文"} {
		reg := &pairup.Registration{ID: id, ProgrammeID: "hk", RoundID: "r1", Name: name, Email: id + "@example.org",
			Country: "HK", Languages: []string{"en"}, TimeZone: "Asia/Hong_Kong", Sector: "academic", CareerStage: "student",
			Preference: pairup.PreferAny, Role: pairup.RolePeer, Locale: "en", Status: pairup.StatusPending, ConsentAt: now, CreatedAt: now}
		_, _, err := st.Register(ctx, reg, now.Add(time.Hour), mail.Message{Key: "confirm/" + id, To: reg.Email, Subject: "s", Text: "t", ListUnsubscribe: "https://x"})
		mustOK(t, err)
		_, err = st.ConfirmRegistration(ctx, "hk", "r1", id, now)
		mustOK(t, err)
	}
	mustOK(t, st.WritePlan(ctx, "hk", "r1", []pairup.Pair{{ID: "a+b", Members: []pairup.PairMember{{RegistrationID: "a"}, {RegistrationID: "b"}},
		Reasons: []string{"x"}, CreatedAt: now.AddDate(0, -4, 0)}}, nil))
	signer, err := links.NewSigner([]byte("0123456789abcdef0123456789abcdef-surveyweb"))
	mustOK(t, err)
	tpl, err := mail.NewTemplates()
	mustOK(t, err)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	srv, err := New(&survey.Service{Store: st, Templates: tpl, Links: signer, Clock: clock, Log: log, BaseURL: "https://forms.example.org"}, log)
	mustOK(t, err)
	return &pages{srv: srv, st: st, clock: clock, signer: signer}
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// link is the path and query of member reg's link for choice c.
func (p *pages) link(reg string, c pairup.ContinueChoice) string {
	l := survey.ContinueLink(p.signer, "", survey.ContinueRef{ProgrammeID: "hk", RoundID: "r1", PairID: "a+b", RegistrationID: reg, Choice: c}, p.clock.Now().Add(60*24*time.Hour))
	return l
}

func (p *pages) do(method, target string, form url.Values, header http.Header) (int, string) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	w := httptest.NewRecorder()
	p.srv.ServeHTTP(w, req)
	return w.Code, w.Body.String()
}

var buttonForm = regexp.MustCompile(`<form method="post" action="/continue">\s*<input type="hidden" name="t" value="([^"]*)">`)

// press opens a link's page and presses its button; it returns the page and the answer.
func (p *pages) press(t *testing.T, link string) (page string, status int, answer string) {
	t.Helper()
	st, page := p.do(http.MethodGet, link, nil, nil)
	m := buttonForm.FindStringSubmatch(page)
	if st != http.StatusOK || m == nil {
		return page, st, ""
	}
	status, answer = p.do(http.MethodPost, "/continue", url.Values{"t": {html.UnescapeString(m[1])}}, nil)
	return page, status, answer
}

func TestContinueRoutes(t *testing.T) {
	for _, r := range []string{"GET /continue", "POST /continue"} {
		if !slices.Contains(Routes, r) {
			t.Errorf("Routes lacks %q", r)
		}
	}
}

// The continue page: a GET shows one button and records nothing; the button records the
// choice; the same or the other link afterwards says it was chosen and changes nothing.
func TestContinuePages(t *testing.T) {
	ctx := context.Background()
	p := newPages(t)
	cont, conc := p.link("a", pairup.ChoiceContinue), p.link("a", pairup.ChoiceConclude)

	st, page := p.do(http.MethodGet, cont, nil, nil)
	if st != http.StatusOK || !strings.Contains(page, "<h1>Continue on your own</h1>") || !strings.Contains(page, "partnership with 陳大文:") ||
		!strings.Contains(page, "Hello Ada &lt;b&gt;Lovelace&lt;/b&gt;.") || !buttonForm.MatchString(page) {
		t.Fatalf("GET: %d\n%s", st, page)
	}
	if _, err := p.st.GetContinue(ctx, "hk", "r1", "a+b", "a"); pairup.ErrorCode(err) != pairup.ENOTFOUND {
		t.Fatalf("the GET recorded a choice (%v)", err)
	}
	if _, st, answer := p.press(t, cont); st != http.StatusOK || !strings.Contains(answer, "Choice recorded") || !strings.Contains(answer, "keep in touch on your own") {
		t.Fatalf("POST: %d\n%s", st, answer)
	}
	if a, err := p.st.GetContinue(ctx, "hk", "r1", "a+b", "a"); err != nil || a.Choice != pairup.ChoiceContinue {
		t.Fatalf("recorded %+v, %v", a, err)
	}
	for _, link := range []string{cont, conc} {
		page, _, answer := p.press(t, link)
		if answer != "" || !strings.Contains(page, "Already chosen") || !strings.Contains(page, "to continue on your own.") {
			t.Errorf("a used link's page:\n%s", page)
		}
		u, _ := url.Parse(link)
		if st, answer := p.do(http.MethodPost, "/continue", url.Values{"t": {u.Query().Get("t")}}, nil); st != http.StatusConflict || !strings.Contains(answer, "You chose to continue on your own") {
			t.Errorf("a used link's POST: %d\n%s", st, answer)
		}
	}
	if a, _ := p.st.GetContinue(ctx, "hk", "r1", "a+b", "a"); a.Choice != pairup.ChoiceContinue {
		t.Errorf("the choice changed: %+v", a)
	}

	// The partner concludes, on the Chinese page.
	st, page = p.do(http.MethodGet, p.link("b", pairup.ChoiceConclude)+"&lang=zh-Hant", nil, nil)
	if st != http.StatusOK || !strings.Contains(page, `lang="zh-Hant"`) || !strings.Contains(page, "<h1>結束配對</h1>") || !strings.Contains(page, "記錄這個選擇") {
		t.Fatalf("zh-Hant page: %d\n%s", st, page)
	}
	if _, st, answer := p.press(t, p.link("b", pairup.ChoiceConclude)); st != http.StatusOK || !strings.Contains(answer, "concludes with the round") {
		t.Fatalf("conclude: %d\n%s", st, answer)
	}
}

func TestContinuePagesRefused(t *testing.T) {
	ctx := context.Background()
	p := newPages(t)
	link := p.link("a", pairup.ChoiceContinue)
	u, _ := url.Parse(link)
	tok := u.Query().Get("t")
	for _, tc := range []struct {
		name   string
		method string
		target string
		form   url.Values
		header http.Header
		status int
		says   string
	}{
		{"Tampered", http.MethodGet, "/continue?t=x" + url.QueryEscape(tok), nil, nil, http.StatusBadRequest, "This link is not valid"},
		{"NoToken", http.MethodPost, "/continue", url.Values{}, nil, http.StatusBadRequest, "This link is not valid"},
		{"CrossSite", http.MethodPost, "/continue", url.Values{"t": {tok}}, http.Header{"Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden, "Form refused"},
		{"TooLarge", http.MethodPost, "/continue", url.Values{"t": {tok}, "x": {strings.Repeat("x", MaxTokenBodyBytes)}}, nil, http.StatusRequestEntityTooLarge, "Request too large"},
		{"Expired", http.MethodGet, survey.ContinueLink(p.signer, "", survey.ContinueRef{ProgrammeID: "hk", RoundID: "r1", PairID: "a+b", RegistrationID: "a", Choice: pairup.ChoiceContinue}, p.clock.Now().Add(-time.Second)), nil, nil, http.StatusGone, "This link has expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, page := p.do(tc.method, tc.target, tc.form, tc.header)
			if st != tc.status || !strings.Contains(page, tc.says) {
				t.Errorf("%d, want %d saying %q\n%s", st, tc.status, tc.says, page)
			}
		})
	}
	// After the round closes: a page saying so, no button, nothing recorded.
	if _, err := p.st.FinishRound(ctx, "hk", "r1", pairup.RoundStats{}); err != nil {
		t.Fatal(err)
	}
	page, st, answer := p.press(t, link)
	if answer != "" || st != http.StatusOK || !strings.Contains(page, "This choice is closed") || !strings.Contains(page, "has closed") {
		t.Errorf("after the close: %d\n%s", st, page)
	}
	if st, page := p.do(http.MethodPost, "/continue", url.Values{"t": {tok}}, nil); st != http.StatusOK || !strings.Contains(page, "This choice is closed") {
		t.Errorf("a POST after the close: %d\n%s", st, page)
	}
	if all, _ := p.st.ListContinues(ctx, "hk", "r1"); len(all) != 0 {
		t.Errorf("recorded %+v", all)
	}
}
