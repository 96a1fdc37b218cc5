package app_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pairup/pairup/shared/demo"
	"github.com/pairup/pairup/shared/erasure"
	"github.com/pairup/pairup/shared/localenv"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/roundtick"
	"github.com/pairup/pairup/shared/store"
	"github.com/pairup/pairup/shared/survey"
)

// Erasure and retention (issue 11 points 4 and 5), end to end through the local stack: a
// participant of the committed 40-person iln round, with prompts, check-ins and survey answers
// behind them, unsubscribes and erases their data through the link the unsubscribe page offers;
// a coordinator erases two more people with the console event; retention erases a round closed
// three years ago and leaves a recent one. After each, a Scan of the whole table finds no trace
// of the people erased.

// scanTable reads the whole table (a test may Scan; the product never does), each item as JSON
// with binary attributes gunzipped (attachments are stored gzip-compressed), sorted.
func (s *stack) scanTable() []string {
	s.t.Helper()
	var out []string
	p := dynamodb.NewScanPaginator(localenv.DynamoDBClient(ddb.Endpoint), &dynamodb.ScanInput{TableName: aws.String(s.cfg.Table), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			s.t.Fatal(err)
		}
		for _, item := range page.Items {
			out = append(out, renderItem(item))
		}
	}
	slices.Sort(out)
	return out
}

func renderItem(item map[string]types.AttributeValue) string {
	var walk func(v types.AttributeValue) types.AttributeValue
	walk = func(v types.AttributeValue) types.AttributeValue {
		switch v := v.(type) {
		case *types.AttributeValueMemberB:
			if zr, err := gzip.NewReader(bytes.NewReader(v.Value)); err == nil {
				if d, err := io.ReadAll(zr); err == nil {
					return &types.AttributeValueMemberS{Value: "gunzipped:" + string(d)}
				}
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

// naming returns the items that hold any of what, case-insensitively.
func naming(items []string, what ...string) []string {
	var out []string
	for _, it := range items {
		for _, w := range what {
			if strings.Contains(strings.ToLower(it), strings.ToLower(w)) {
				out = append(out, it)
				break
			}
		}
	}
	return out
}

// eraseFn returns the erase function's handler on the stack.
func (s *stack) eraseFn() func(context.Context, erasure.Event) (*erasure.Report, error) {
	s.t.Helper()
	h, err := erasure.NewLambda(context.Background(), s.cfg, erasure.Deps{Clock: s.clock, Log: quietLog()})
	if err != nil {
		s.t.Fatal(err)
	}
	return h
}

// frozenStats is a round's frozen statistics, as JSON.
func (s *stack) frozenStats(programme, round string) string {
	s.t.Helper()
	r, err := s.store.GetRound(context.Background(), programme, round)
	if err != nil {
		s.t.Fatal(err)
	}
	b, _ := json.Marshal(struct {
		M *pairup.MatchStats
		S any
	}{r.Matching, r.Stats})
	return string(b)
}

// TestEraseILN: a participant erases their data through the link (opening it changes nothing;
// the button erases), the coordinators erase two others by the console event; nothing in the
// table names any of them afterwards, the frozen statistics are unchanged, the partner's data is
// intact, and the participant's unsubscribe stays in force as a keyed hash until they sign up
// again and confirm.
func TestEraseILN(t *testing.T) {
	s := newStackWith(t, stackOptions{env: map[string]string{"PAIRUP_ALLOW_NOW": "true"}})
	ctx := context.Background()
	committedILN(t, s)
	s.serveAll()
	tick := s.roundTick()
	regs := map[string]pairup.Registration{}
	for _, r := range s.registrations(demo.ILN, demo.ILNRound) {
		regs[r.ID] = r
	}
	pairs, err := s.store.ListPairs(ctx, demo.ILN, demo.ILNRound)
	if err != nil {
		t.Fatal(err)
	}
	var duos []pairup.Pair
	for _, pr := range pairs {
		if len(pr.Members) == 2 {
			duos = append(duos, pr)
		}
	}
	if len(duos) < 3 {
		t.Fatalf("%d pairs of two, want at least 3", len(duos))
	}
	v, partner := regs[duos[0].Members[0].RegistrationID], regs[duos[0].Members[1].RegistrationID]
	w, x := regs[duos[1].Members[0].RegistrationID], regs[duos[2].Members[1].RegistrationID]
	p, err := s.store.GetProgramme(ctx, demo.ILN)
	if err != nil {
		t.Fatal(err)
	}
	coordinator := p.Coordinators[0]
	// The introductions name the partners in About (their keys name only the recipient), and
	// the proposal the whole round: an erasure finds such emails while they are unsent.
	if q, err := s.store.GetMessage(ctx, "match/"+demo.ILN+"/"+demo.ILNRound+"/"+partner.ID); err != nil || !slices.Equal(q.About, []string{v.ID}) {
		t.Errorf("the partner's introduction is about %v (%v), want V", q.About, err)
	}
	if q, err := s.store.GetMessage(ctx, "proposal/"+demo.ILN+"/"+demo.ILNRound+"/commit/0"); err != nil || !slices.Equal(q.About, []string{mail.AboutRound(demo.ILN, demo.ILNRound)}) {
		t.Errorf("the proposal is about %v (%v), want the round", q, err)
	}

	// Day 14: a prompt naming the partner and a check-in for everyone. V answers "no": the
	// coordinators' alert names V and the partner.
	if _, err := tick(ctx, roundtick.Event{Programme: demo.ILN, Round: demo.ILNRound, RehearseDay: 14}); err != nil {
		t.Fatal(err)
	}
	s.drain()
	checkIn := emailsWith(t, v.Email, "heard from")
	if len(checkIn) != 1 {
		t.Fatalf("V has %d check-ins", len(checkIn))
	}
	var no string
	for _, l := range anyLink("/checkin").FindAllString(checkIn[0], -1) {
		if i := strings.Index(checkIn[0], l); strings.Contains(checkIn[0][max(0, i-40):i], "No") {
			no = l
		}
	}
	before := len(mails(t, coordinator))
	if _, st, page := s.press(no, nil); st != http.StatusOK {
		t.Fatalf("check-in no: %d\n%.600s", st, page)
	}
	if alert := waitMails(t, coordinator, before+1)[before]; !strings.Contains(alert.Text, v.Name) || !strings.Contains(alert.Text, v.Email) {
		t.Fatalf("the alert does not name V:\n%s", alert.Text)
	}
	s.drain()

	// The mid-round survey: V's and the partner's answers, each in their own words.
	round, err := s.store.GetRound(ctx, demo.ILN, demo.ILNRound)
	if err != nil {
		t.Fatal(err)
	}
	win, _ := p.SurveyWindow(round, pairup.SurveyMid)
	s.clock.Set(win.Opens.Add(time.Hour))
	words := map[string]string{v.ID: "I am " + v.Name + " (" + v.Email + "), thank you", partner.ID: "The partner's own words", w.ID: "Signed, " + w.Name}
	surveyLinks := map[string]string{}
	for _, reg := range []pairup.Registration{v, partner, w} {
		l := survey.SurveyLink(s.signer, s.srv.URL, survey.SurveyRef{ProgrammeID: demo.ILN, RoundID: demo.ILNRound, Kind: pairup.SurveyMid, RegistrationID: reg.ID}, win.Closes)
		surveyLinks[reg.ID] = l
		if _, st, page := s.press(l, url.Values{"q.satisfaction": {"5"}, "q.impact": {"contacts"}, "q.comments": {words[reg.ID]}}); st != http.StatusOK {
			t.Fatalf("%s's survey: %d\n%.600s", reg.Name, st, page)
		}
	}
	frozen := s.frozenStats(demo.ILN, demo.ILNRound)
	tableBefore := s.scanTable()
	if n := len(naming(tableBefore, v.Email, v.Name)); n < 8 {
		t.Fatalf("only %d items name V before the erasure: the test would prove little", n)
	}

	// V unsubscribes; the unsubscribe page offers erasure.
	intro := mails(t, v.Email)
	hdr, _ := intro[len(intro)-1].Header("List-Unsubscribe")
	unsub := strings.Trim(hdr, "<>")
	unsubPage, st, page := s.press(unsub, nil)
	if st != http.StatusOK || !strings.Contains(page, "You are unsubscribed") {
		t.Fatalf("unsubscribe: %d\n%.600s", st, page)
	}
	eraseLink := anyLink("/erase").FindString(unsubPage)
	if eraseLink == "" {
		t.Fatalf("the unsubscribe page offers no erase link:\n%s", unsubPage)
	}
	eraseLink = strings.ReplaceAll(eraseLink, "&amp;", "&")

	// Opening the erase link changes nothing; the button erases.
	afterUnsub := s.scanTable()
	u, _ := url.Parse(eraseLink)
	if st, page := s.get(u.RequestURI()); st != http.StatusOK || !strings.Contains(page, "Erase my data") {
		t.Fatalf("erase page: %d\n%.1500s", st, page)
	}
	if !slices.Equal(s.scanTable(), afterUnsub) {
		t.Fatal("opening the erase link changed the table")
	}
	if _, st, page := s.press(eraseLink, nil); st != http.StatusOK || !strings.Contains(page, "Your data is erased") || !strings.Contains(page, "taken out of the round") {
		t.Fatalf("erase: %d\n%.1500s", st, page)
	}
	s.drain()
	tableAfter := s.scanTable()
	if left := naming(tableAfter, v.Email, v.Name); len(left) > 0 {
		t.Errorf("%d items still name V:\n%s", len(left), strings.Join(left, "\n"))
	}
	if got := s.frozenStats(demo.ILN, demo.ILNRound); got != frozen {
		t.Errorf("the round's frozen statistics changed:\n got %s\nwant %s", got, frozen)
	}
	if got, want := len(naming(tableAfter, partner.Email)), len(naming(tableBefore, partner.Email)); got != want {
		t.Errorf("%d items name the partner's address after, %d before", got, want)
	}
	pr, err := s.store.GetRegistration(ctx, demo.ILN, demo.ILNRound, partner.ID)
	if err != nil || pr.Name != partner.Name || pr.Email != partner.Email || pr.Status != pairup.StatusConfirmed {
		t.Errorf("the partner's registration: %+v, %v", pr, err)
	}
	if resp, err := s.store.GetSurveyResponse(ctx, demo.ILN, demo.ILNRound, pairup.SurveyMid, partner.ID); err != nil || resp.Answers["comments"][0] != words[partner.ID] {
		t.Errorf("the partner's survey response: %+v, %v", resp, err)
	}
	if resp, err := s.store.GetSurveyResponse(ctx, demo.ILN, demo.ILNRound, pairup.SurveyMid, v.ID); err != nil || resp.Answers["satisfaction"][0] != "5" || resp.Answers["comments"] != nil {
		t.Errorf("V's survey response keeps %+v, %v; want the scale without the words", resp, err)
	}
	// Her survey link takes no more answers.
	if getPage, st, _ := s.press(surveyLinks[v.ID], url.Values{"q.satisfaction": {"1"}, "q.comments": {v.Name}}); st != http.StatusNotFound || !strings.Contains(getPage, "no longer exists") {
		t.Errorf("V's survey link after the erasure: %d\n%.600s", st, getPage)
	}
	// The link again: nothing left.
	if getPage, st, _ := s.press(eraseLink, nil); !strings.Contains(getPage, "Nothing left to erase") {
		t.Errorf("the erase link again: %d\n%.600s", st, getPage)
	}

	// A new email to V's address is still suppressed (the unsubscribe kept as a keyed hash).
	sent := len(mails(t, v.Email))
	late := mail.Message{Key: "test/erased/late", To: v.Email, Subject: "Late news", Text: "Hello.",
		ListUnsubscribe: s.srv.URL + "/unsubscribe?t=x", Tags: map[string]string{"kind": "prompt"}}
	if _, err := s.store.Enqueue(ctx, []mail.Message{late}); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, s, late.Key, mail.StatusSkipped)
	if q, _ := s.store.GetMessage(ctx, late.Key); q.Error != string(pairup.SuppressUnsubscribe) {
		t.Errorf("the late email to V: skipped for %q, want unsubscribe", q.Error)
	}
	if n := len(mails(t, v.Email)); n != sent {
		t.Errorf("V received %d more emails after the erasure", n-sent)
	}

	// An erase link that names a registration still in the running round suggests withdrawing
	// first (which tells the partner), by the withdraw link.
	xLink := erasure.RegistrationURL(s.signer, s.srv.URL, demo.ILN, demo.ILNRound, x.ID, s.clock.Now().Add(time.Hour))
	u, _ = url.Parse(xLink)
	if st, page := s.get(u.RequestURI()); st != http.StatusOK || !strings.Contains(page, "withdraw first") || !strings.Contains(page, "/withdraw?t=") {
		t.Fatalf("X's erase page: %d\n%.3000s", st, page)
	}

	// The coordinators erase W by address and X by registration (the console event).
	h := s.eraseFn()
	for _, ev := range []erasure.Event{
		{Action: erasure.ActionErase, Email: strings.ToUpper(w.Email)},
		{Action: erasure.ActionErase, Registration: demo.ILN + "/" + demo.ILNRound + "/" + x.ID},
	} {
		rep, err := h(ctx, ev)
		if err != nil || rep.Registrations != 1 || rep.People != 1 || rep.Withdrawn != 1 || rep.EmailClaims != 1 {
			t.Fatalf("console erase %+v: %+v, %v", ev, rep, err)
		}
		if strings.Contains(rep.Summary, "@") || strings.Contains(rep.Summary, "Librarian") {
			t.Errorf("the report names someone: %q", rep.Summary)
		}
	}
	rep, err := h(ctx, erasure.Event{Action: erasure.ActionErase, Email: w.Email})
	if err != nil || !strings.HasPrefix(rep.Summary, "Nothing to erase") {
		t.Errorf("erasing W again: %+v, %v", rep, err)
	}
	s.drain()
	tableAfter = slices.DeleteFunc(s.scanTable(), func(it string) bool {
		return strings.Contains(it, late.Key) // queued to V's address after her erasure, on purpose
	})
	for _, reg := range []pairup.Registration{v, w, x} {
		if left := naming(tableAfter, reg.Email, reg.Name); len(left) > 0 {
			t.Errorf("%d items still name %s:\n%s", len(left), reg.ID, strings.Join(left, "\n"))
		}
	}
	if got := s.frozenStats(demo.ILN, demo.ILNRound); got != frozen {
		t.Errorf("the round's frozen statistics changed after the console erasures")
	}
	if logs := s.logs.String(); strings.Contains(logs, v.Email) || strings.Contains(logs, v.Name) {
		t.Error("the logs name V")
	}

	// V signs up again (hkla's round is open): the confirmation goes despite the unsubscribe,
	// and confirming lifts it.
	hashes := store.SuppressionHashes(s.signer, v.Email)
	if r, err := s.store.Suppressed(ctx, v.Email, hashes); err != nil || r != pairup.SuppressUnsubscribe {
		t.Fatalf("V's suppression before signing up again: %q, %v", r, err)
	}
	s.clock.Set(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	form := s.hklaMentee(v.Email)
	if st, body := s.post("/p/hkla/signup", form, nil); st != http.StatusOK {
		t.Fatalf("V's new signup: %d\n%.800s", st, body)
	}
	confirm := waitMails(t, v.Email, sent+1)[sent]
	if st, body := s.confirm(link(t, confirm)); st != http.StatusOK || !strings.Contains(body, "Signup confirmed") {
		t.Fatalf("V confirms the new signup: %d\n%.600s", st, body)
	}
	if _, err := s.store.Suppressed(ctx, v.Email, hashes); pairup.ErrorCode(err) != pairup.ENOTFOUND {
		t.Errorf("V's unsubscribe after confirming a new signup: %v, want lifted", err)
	}
}

// hklaMentee is a valid hkla mentee signup for email.
func (s *stack) hklaMentee(email string) url.Values {
	return url.Values{
		"ft": {s.formToken(demo.HKLA)}, "website": {""},
		"name": {"Returning Person"}, "email": {email}, "timeZone": {"Asia/Hong_Kong"},
		"sector": {"student"}, "careerStage": {"student"}, "languages": {"en"}, "interests": {"cataloguing"},
		"role": {"mentee"}, "eligibility.member": {"yes"}, "eligibility.programme": {"yes"}, "preference": {"any"}, "consent": {"yes"},
	}
}

// TestRetentionAndEraseSamples runs events/erase-*.json through the erase function's real Lambda
// handler: each decodes strictly; erasing ada@example.org erases her; retention erases the round
// closed three years ago and leaves the one closed a month ago.
func TestRetentionAndEraseSamples(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	now := s.clock.Now()
	mkRound := func(id string, closed time.Time) {
		r := pairup.Round{ProgrammeID: demo.ILN, ID: id, Name: "Round " + id, State: pairup.RoundClosed,
			SignupOpens: closed.AddDate(0, -7, 0), SignupCloses: closed.AddDate(0, -6, 0), Starts: closed.AddDate(0, -6, 0), Ends: closed.AddDate(0, -2, 0),
			UpdatedAt: closed, Matching: &pairup.MatchStats{Registrations: 2, Confirmed: 2, Matched: 2, Pairs: 1, Countries: 2, CommittedAt: closed.AddDate(0, -6, 0)}}
		if err := s.store.CreateRound(ctx, &r); err != nil {
			t.Fatal(err)
		}
	}
	mkRound("2023-1", now.AddDate(-3, 0, 0))
	mkRound("2026-2", now.AddDate(0, -1, 0))
	old, recent := uniqueEmail("old-round"), uniqueEmail("recent-round")
	sink := uniqueEmail("sink") // the rounds' confirmation emails went long ago: to nobody who counts mail
	for _, r := range []struct{ round, id, email, name string }{
		{"2023-1", "old-ada", "ada@example.org", "Ada Lovelace"},
		{"2023-1", "old-one", old, "Olive Oldround"},
		{"2026-2", "recent-one", recent, "Rita Recent"},
	} {
		reg := &pairup.Registration{ID: r.id, ProgrammeID: demo.ILN, RoundID: r.round, Name: r.name, Email: r.email, Country: "AU",
			Languages: []string{"en"}, TimeZone: "Australia/Sydney", Sector: "academic", CareerStage: "student", Preference: pairup.PreferAny,
			Role: pairup.RolePeer, Locale: "en", Status: pairup.StatusPending, ConsentAt: now, CreatedAt: now}
		msg := mail.Message{Key: "confirm/" + r.id + "/1", To: sink, Subject: "Confirm", Text: "Confirm.", ListUnsubscribe: s.srv.URL + "/unsubscribe?t=x", Tags: map[string]string{"kind": "confirm"}}
		if _, _, err := s.store.Register(ctx, reg, now.Add(time.Hour), msg); err != nil {
			t.Fatal(err)
		}
		if _, err := s.store.ConfirmRegistration(ctx, demo.ILN, r.round, r.id, now); err != nil {
			t.Fatal(err)
		}
	}
	s.drain()
	frozen := s.frozenStats(demo.ILN, "2023-1")
	handler := lambda.NewHandler(s.eraseFn())
	for _, tc := range []struct{ file, want string }{
		{"erase-person-iln.json", "Erased: 1 registration anonymised"},
		{"erase-person-iln.json", "Nothing to erase"},
		{"erase-retention.json", "Erased the personal data of 1 round closed longer ago than their programme's retention: 1 registration anonymised"},
		{"erase-retention.json", "No round is due"},
	} {
		raw, err := os.ReadFile("../../events/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		var ev erasure.Event
		if err := dec.Decode(&ev); err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		out, err := handler.Invoke(ctx, raw)
		if err != nil || !strings.Contains(string(out), tc.want) {
			t.Errorf("%s: %s, %v; want %q", tc.file, out, err, tc.want)
		}
	}
	files, _ := filepath.Glob("../../events/erase-*.json")
	if len(files) != 2 {
		t.Errorf("%d erase samples, the test knows 2: %v", len(files), files)
	}
	items := s.scanTable()
	if left := naming(items, "ada@example.org", "Ada Lovelace", old, "Olive Oldround"); len(left) > 0 {
		t.Errorf("%d items still name the old round's people:\n%s", len(left), strings.Join(left, "\n"))
	}
	if n := len(naming(items, recent, "Rita Recent")); n < 3 {
		t.Errorf("the recent round's person is named by %d items, want registration, claim and person", n)
	}
	if got := s.frozenStats(demo.ILN, "2023-1"); got != frozen {
		t.Errorf("the old round's frozen statistics changed:\n got %s\nwant %s", got, frozen)
	}
}
