package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"html"
	"image/png"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/chromedp/chromedp"

	"github.com/pairup/pairup/shared/demo"
	"github.com/pairup/pairup/shared/iso"
	"github.com/pairup/pairup/shared/localenv"
	"github.com/pairup/pairup/shared/matchrun"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/report"
	"github.com/pairup/pairup/shared/roundclose"
)

// Reports (issue 12's done-when), end to end through the local stack: the 40-person iln round
// run to its close with known survey answers and choices, the report emailed to the
// coordinators at finalise and on demand through the SES emulator, its figures checked against
// the seeded answers, its charts inline, its CSVs read back, and its HTML drawn in Chromium.

// reportNames are names that test the CSV exports: Chinese (the byte-order mark), cells a
// spreadsheet would run as a formula, quotes and a comma (CSV quoting), markup. The rest of
// the 40 are "Librarian NN".
var reportNames = map[int]string{
	0: "陳大文", 1: "=SUM(A1:A9)", 2: "+61 Ada", 3: "-Minus Librarian", 4: "@Handle Librarian",
	10: `Zoë "Zed" O'Brien, Jr.`, 11: "<b>Bold</b> Librarian", 12: "李小龍",
}

// committedILNNamed is committedILN with reportNames: 40 people through the hosted form (a
// quarter from AU, over the 20% cap; every country its own time zone), the matching committed.
func committedILNNamed(t *testing.T, s *stack) []person {
	s.ownCoordinators(demo.ILN)
	others := []string{"GB", "KE", "BR", "IN", "CA", "NZ", "ZA", "DE", "JP", "MX", "NG", "PH", "US", "FR", "SG"}
	var people []person
	for i := range 40 {
		country := "AU"
		if i >= 10 {
			country = others[(i-10)%len(others)]
		}
		name := reportNames[i]
		if name == "" {
			name = fmt.Sprintf("Librarian %02d", i)
		}
		email := uniqueEmail(fmt.Sprintf("report%02d", i))
		form := s.ilnForm(email)
		form.Set("name", name)
		form.Set("country", country)
		form.Set("timeZone", zones[country])
		people = append(people, person{name: name, email: email, country: country, form: form})
	}
	s.signUpAndConfirm(demo.ILN, people)
	h := s.matchRun()
	s.run(h, matchrun.Event{Action: matchrun.ActionCloseSignup, Programme: demo.ILN, Round: demo.ILNRound})
	if res := s.run(h, matchrun.Event{Action: matchrun.ActionMatch, Programme: demo.ILN, Round: demo.ILNRound, DryRun: dry(false)}); res.State != string(pairup.RoundActive) {
		t.Fatalf("commit: %+v", res)
	}
	s.drain()
	return people
}

// tally counts answers by value.
type tally map[string]int

// TestReportILN runs the 40-person iln round to its close — the mid-round survey answered by
// most through their links (how they heard, what it gave them), choices to continue or
// conclude, the end-of-round survey (satisfaction) — then finalises it and asks for the report:
// the coordinators get the final report and the one asked for (once, though the request is
// retried), with statistics and chart counts that match what was done, the three survey charts
// and the country chart as inline images, and the three CSVs, which read back with every name
// intact. The report's HTML is drawn in headless Chromium to a PNG kept as the test's artefact.
func TestReportILN(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	committedILNNamed(t, s)
	s.serveAll()
	tick, closeRound := s.roundTick(), s.roundClose()
	p, err := s.store.GetProgramme(ctx, demo.ILN)
	if err != nil {
		t.Fatal(err)
	}
	coordinator := p.Coordinators[0]
	round, err := s.store.GetRound(ctx, demo.ILN, demo.ILNRound)
	if err != nil {
		t.Fatal(err)
	}
	regs := map[string]pairup.Registration{}
	for _, r := range s.registrations(demo.ILN, demo.ILNRound) {
		regs[r.ID] = r
	}
	pairs, err := s.store.ListPairs(ctx, demo.ILN, demo.ILNRound)
	if err != nil {
		t.Fatal(err)
	}
	// Two-person pairs first: the choices below count pairs by their two members' answers.
	slices.SortStableFunc(pairs, func(a, b pairup.Pair) int { return len(a.Members) - len(b.Members) })
	var members []string // everyone in a pair, in pair order
	byCountry := tally{} // the matched, by country name
	for _, pr := range pairs {
		for _, m := range pr.Members {
			members = append(members, m.RegistrationID)
			byCountry[iso.CountryName(regs[m.RegistrationID].Country, "en")]++
		}
	}
	if len(regs) != 40 || len(pairs) < 6 || len(members) >= len(regs) {
		t.Fatalf("%d pairs of %d people among %d registrations: the round needs pairs and people left out", len(pairs), len(members), len(regs))
	}

	// The mid-round survey: everyone in a pair is invited; all but every tenth answer, with
	// known answers to how they heard and what it gave them.
	w, _ := p.SurveyWindow(round, pairup.SurveyMid)
	if n := s.tickHours(tick, w.Opens.Add(-14*time.Hour), 48); n < len(members) {
		t.Fatalf("the mid-round survey's opening queued %d emails, want at least %d invitations", n, len(members))
	}
	heard, impact := tally{}, tally{}
	midAnswered := 0
	for i, id := range members {
		inv := emailsWith(t, regs[id].Email, "survey")
		if len(inv) != 1 {
			t.Fatalf("%s has %d survey emails, want 1", regs[id].Name, len(inv))
		}
		if i%10 == 9 {
			continue
		}
		h := pairup.HeardOptions[i%len(pairup.HeardOptions)]
		got := []pairup.Option{pairup.ImpactOptions[i%4]}
		if i%2 == 0 {
			got = append(got, pairup.ImpactOptions[4])
		}
		answer := url.Values{"q.satisfaction": {"3"}, "q.heard": {h.Value}, "q.comments": {"=1+2 said \"hello\", and more"}}
		heard[h.Label]++
		for _, o := range got {
			answer.Add("q.impact", o.Value)
			impact[o.Label]++
		}
		if _, st, page := s.press(anyLink("/survey").FindString(inv[0]), answer); st != 200 || !strings.Contains(page, "Thank") {
			t.Fatalf("%s's mid-round survey: %d\n%.800s", regs[id].Name, st, page)
		}
		midAnswered++
	}

	// The close, an hour after the round ends: one close email per member.
	s.clock.Set(round.Ends.Add(time.Hour))
	if _, err := closeRound(ctx, roundclose.Event{Action: roundclose.ActionClose, Programme: demo.ILN, Round: demo.ILNRound}); err != nil {
		t.Fatal(err)
	}
	s.drain()
	closeEmail := map[string]string{}
	for _, id := range members {
		got := emailsWith(t, regs[id].Email, closeSubject)
		if len(got) != 1 {
			t.Fatalf("%s has %d close emails", regs[id].Name, len(got))
		}
		closeEmail[id] = got[0]
	}
	// Choices: pair 0 both continue; pair 1 one continues, one concludes; pair 2 one continues,
	// the other says nothing; pair 3 one concludes; the others say nothing.
	for _, pk := range []struct {
		pair, member int
		conclude     bool
	}{{0, 0, false}, {0, 1, false}, {1, 0, false}, {1, 1, true}, {2, 0, false}, {3, 1, true}} {
		id := pairs[pk.pair].Members[pk.member].RegistrationID
		ls := anyLink("/continue").FindAllString(closeEmail[id], -1)
		link := ls[0]
		if pk.conclude {
			link = ls[1]
		}
		if _, st, page := s.press(link, nil); st != 200 || !strings.Contains(page, "Choice recorded") {
			t.Fatalf("%s's choice: %d\n%.800s", regs[id].Name, st, page)
		}
	}
	// The end-of-round survey, through the close email's link: three in four answer, with known
	// satisfaction (and nothing on how they heard or what it gave them, which the mid-round
	// survey's answers then show).
	satisfaction := tally{}
	endAnswered := 0
	for j, id := range members {
		if j%4 == 3 {
			continue
		}
		v := strconv.Itoa(5 - j%3)
		if j == 0 {
			v = "1"
		}
		satisfaction[v]++
		answer := url.Values{"q.satisfaction": {v}, "q.again": {"yes"}}
		if _, st, page := s.press(anyLink("/survey").FindString(closeEmail[id]), answer); st != 200 || !strings.Contains(page, "Thank") {
			t.Fatalf("%s's end survey: %d\n%.800s", regs[id].Name, st, page)
		}
		endAnswered++
	}

	// Finalise: the final report to the coordinators.
	we, _ := p.SurveyWindow(round, pairup.SurveyEnd)
	s.clock.Set(we.Closes.Add(time.Hour))
	fin, err := closeRound(ctx, roundclose.Event{Action: roundclose.ActionFinalise, Programme: demo.ILN, Round: demo.ILNRound})
	if err != nil {
		t.Fatal(err)
	}
	if fin.Report == nil || !fin.Report.Final || fin.Report.Queued != 1 {
		t.Fatalf("finalise: %s\n%+v", fin.Summary, fin.Report)
	}
	s.drain()

	// The report event, retried by Lambda with the same request id: one email.
	s.clock.Advance(time.Hour)
	req := lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "3f1c0a52-report-iln"})
	ev := roundclose.Event{Action: roundclose.ActionReport, Programme: demo.ILN, Round: demo.ILNRound}
	res, err := closeRound(req, ev)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := closeRound(req, ev); err != nil || again.Report.Queued != 0 {
		t.Fatalf("the retried request: %+v, %v", again.Report, err)
	}
	s.drain()
	rep := res.Report
	if rep == nil || rep.Final || rep.Emails != 1 || rep.Queued != 1 || res.Stats == nil {
		t.Fatalf("report: %s\n%+v", res.Summary, rep)
	}

	// The statistics match what was done.
	want := pairup.RoundStats{
		Registrations: 40, Confirmed: 40, Participants: len(members), Countries: len(byCountry), Pairs: len(pairs),
		Trios: round.Matching.Trios, Deferred: 40 - len(members), Waitlisted: 0, Unmatched: round.Matching.Unmatched,
		CheckIns:     pairup.CheckInCounts{None: len(members)}, // nobody answered a check-in in this test
		PairsAtClose: len(pairs), ContinuedPairs: 1, ConcludedPairs: 2, PartialPairs: 1, NoChoicePairs: len(pairs) - 4,
		Surveys: map[pairup.SurveyKind]pairup.SurveyRate{
			pairup.SurveyMid: {Invited: len(members), Responded: midAnswered},
			pairup.SurveyEnd: {Invited: len(members), Responded: endAnswered},
		},
		ClosedAt: fin.Now,
	}
	if !reflect.DeepEqual(*res.Stats, want) {
		t.Errorf("the report's figures:\n%+v\nwant\n%+v", *res.Stats, want)
	}
	rows := map[string]string{}
	for _, r := range rep.Stats {
		rows[r.Label] = r.Value
	}
	for label, n := range map[string]int{
		"Registrations": 40, "Participants matched": len(members), "Countries (of those matched)": len(byCountry),
		"Pairs (a trio counts once)": len(pairs), "Deferred to the next round (country cap)": 40 - len(members),
		"Continued pairs (every member chose to continue)": 1, "Concluded pairs (a member chose to conclude)": 2,
		"Check-in: no answer": len(members),
	} {
		if rows[label] != strconv.Itoa(n) {
			t.Errorf("row %q = %q, want %d", label, rows[label], n)
		}
	}
	for label, rate := range map[string][2]int{"Mid-round survey: responses": {midAnswered, len(members)}, "End-of-round survey: responses": {endAnswered, len(members)}} {
		if !strings.HasPrefix(rows[label], fmt.Sprintf("%d of %d invited", rate[0], rate[1])) {
			t.Errorf("row %q = %q, want %d of %d", label, rows[label], rate[0], rate[1])
		}
	}

	// The charts count the seeded answers.
	charts := map[string]report.Chart{}
	for _, c := range rep.Charts {
		charts[c.ID] = c
	}
	bars := func(id string) tally {
		out := tally{}
		for _, b := range charts[id].Bars {
			out[b.Label] = b.Count
		}
		return out
	}
	satBars := tally{}
	for _, b := range charts[report.ChartSatisfaction].Bars {
		satBars[b.Label[:1]] = b.Count // "5 – Very satisfied" is 5
	}
	for _, tc := range []struct {
		id        string
		got, want tally
	}{
		{report.ChartSatisfaction, satBars, satisfaction},
		{report.ChartHeard, bars(report.ChartHeard), heard},
		{report.ChartImpact, bars(report.ChartImpact), impact},
	} {
		for k, v := range tc.got {
			if v != tc.want[k] {
				t.Errorf("chart %s: %q counts %d, want %d", tc.id, k, v, tc.want[k])
			}
		}
		if sum(tc.got) != sum(tc.want) || len(tc.want) == 0 {
			t.Errorf("chart %s counts %d answers, want %d: %v", tc.id, sum(tc.got), sum(tc.want), tc.got)
		}
	}
	countries := bars(report.ChartCountries)
	for name, n := range countries {
		if !strings.HasPrefix(name, "Other (") && n != byCountry[name] {
			t.Errorf("chart countries: %s counts %d, want %d", name, n, byCountry[name])
		}
	}
	if sum(countries) != len(members) {
		t.Errorf("the country chart counts %d people, want %d", sum(countries), len(members))
	}

	// The emails: the final report and the one asked for, nothing more.
	var final, asked []localenv.Email
	for _, m := range mails(t, coordinator) {
		switch {
		case strings.HasPrefix(m.Subject, "Final report: "):
			final = append(final, m)
		case strings.HasPrefix(m.Subject, "Report: "):
			asked = append(asked, m)
		}
	}
	if len(final) != 1 || len(asked) != 1 {
		t.Fatalf("the coordinators have %d final reports and %d reports, want 1 and 1", len(final), len(asked))
	}
	e := asked[0]
	for _, r := range rep.Stats {
		if !strings.Contains(e.Text, r.Label) || !strings.Contains(e.Text, r.Value) || !strings.Contains(e.HTML, html.EscapeString(r.Label)) {
			t.Errorf("the email lacks the row %q: %q", r.Label, r.Value)
		}
	}
	parts, err := inbox.Parts(ctx, e.MessageID)
	if err != nil {
		t.Fatal(err)
	}
	images := map[string][]byte{} // content id → PNG
	files := map[string][]byte{}
	for _, pt := range parts {
		switch pt.Disposition {
		case "INLINE":
			images[pt.ContentID] = pt.Data
		case "ATTACHMENT":
			files[pt.FileName] = pt.Data
		default:
			t.Errorf("part %s has disposition %q", pt.FileName, pt.Disposition)
		}
	}
	for _, id := range []string{report.ChartSatisfaction, report.ChartHeard, report.ChartImpact, report.ChartCountries, report.ChartSurveyResponse} {
		cid := "chart-" + id + "@pairup"
		img, err := png.DecodeConfig(bytes.NewReader(images[cid]))
		if err != nil || img.Width > 600 || img.Width < 300 {
			t.Errorf("chart %s: inline PNG of %d bytes, %d px wide: %v", id, len(images[cid]), img.Width, err)
		}
		if !strings.Contains(e.HTML, `src="cid:`+cid+`"`) {
			t.Errorf("the HTML does not show chart %s", id)
		}
		// The alt text and the text part give every count.
		for _, b := range charts[id].Bars {
			line := html.EscapeString(b.Label) + ": " + strconv.Itoa(b.Count)
			if !strings.Contains(e.HTML, line) || !strings.Contains(e.Text, b.Label) {
				t.Errorf("chart %s: the email does not give %q", id, line)
			}
		}
	}

	// The CSVs: UTF-8 with a byte-order mark; every name intact (a formula-like one behind an
	// apostrophe, which spreadsheets show and do not run).
	wantFiles := []string{"registrations-iln-2027-1.csv", "pairs-iln-2027-1.csv", "survey-responses-iln-2027-1.csv"}
	if got := slices.Sorted(maps.Keys(files)); !slices.Equal(got, slices.Sorted(slices.Values(wantFiles))) {
		t.Fatalf("attached %v, want %v", got, wantFiles)
	}
	sheets := map[string][][]string{}
	for name, data := range files {
		if !bytes.HasPrefix(data, []byte("\ufeff")) {
			t.Errorf("%s has no byte-order mark", name)
		}
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff")))).ReadAll()
		if err != nil || len(recs) < 2 {
			t.Fatalf("%s: %d records, %v", name, len(recs), err)
		}
		sheets[name] = recs
		for _, rec := range recs {
			for _, cell := range rec {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("%s: a cell a spreadsheet would run: %q", name, cell)
				}
			}
		}
	}
	regSheet := sheets["registrations-iln-2027-1.csv"]
	if len(regSheet) != 41 {
		t.Errorf("the registrations CSV has %d rows, want 40 and a header", len(regSheet)-1)
	}
	for _, r := range regs {
		if !sheetHolds(regSheet, r.Name) || !sheetHolds(regSheet, r.Email) {
			t.Errorf("the registrations CSV lacks %q or their address", r.Name)
		}
	}
	for _, id := range members {
		if !sheetHolds(sheets["pairs-iln-2027-1.csv"], regs[id].Name) {
			t.Errorf("the pairs CSV lacks %q", regs[id].Name)
		}
	}
	if responses := sheets["survey-responses-iln-2027-1.csv"]; len(responses) != 1+midAnswered+endAnswered || !sheetHolds(responses, `=1+2 said "hello", and more`) {
		t.Errorf("the survey responses CSV has %d rows, want %d and a header, with the comments", len(responses)-1, midAnswered+endAnswered)
	}

	// The final report has the same charts and files.
	if fp, err := inbox.Parts(ctx, final[0].MessageID); err != nil || len(fp) != len(parts) {
		t.Errorf("the final report has %d parts, the report %d (%v)", len(fp), len(parts), err)
	}

	renderReport(t, e, images)
}

// renderReport draws a report email's HTML, its cid: images inlined as data: URIs, in headless
// Chromium at phone width, and keeps the page's PNG as the test's artefact (PAIRUP_ARTEFACTS,
// else the test's artefact directory: go test -artifacts -outputdir DIR keeps it).
func renderReport(t *testing.T, e localenv.Email, images map[string][]byte) {
	dir := os.Getenv("PAIRUP_ARTEFACTS")
	if dir == "" {
		dir = t.ArtifactDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	page := e.HTML
	for cid, data := range images {
		page = strings.ReplaceAll(page, `"cid:`+cid+`"`, `"data:image/png;base64,`+base64.StdEncoding.EncodeToString(data)+`"`)
	}
	if strings.Contains(page, "cid:") {
		t.Fatal("the HTML shows an image the email does not carry")
	}
	htmlFile := filepath.Join(dir, "report.html")
	if err := os.WriteFile(htmlFile, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	bctx := browser(t)
	if err := chromedp.Do(bctx, chromedp.Navigate("file://"+htmlFile)); err != nil {
		t.Fatal(err)
	}
	loaded := run(t, bctx, chromedp.Evaluate[int](`Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().width > 0).length`))
	if loaded != len(images) {
		t.Errorf("%d of %d chart images drawn", loaded, len(images))
	}
	if overflow := run(t, bctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); overflow {
		t.Error("the report is wider than a phone's screen")
	}
	shot := run(t, bctx, chromedp.FullScreenshot(100))
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil || img.Bounds().Dx() < 300 || img.Bounds().Dy() < 1000 {
		t.Fatalf("the screenshot: %v, %v", img.Bounds(), err)
	}
	out := filepath.Join(dir, "report.png")
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("the report as Chromium draws it at phone width: %s (%dx%d px), its HTML: %s", out, img.Bounds().Dx(), img.Bounds().Dy(), htmlFile)
}

func sum(t tally) int {
	n := 0
	for _, v := range t {
		n += v
	}
	return n
}

// sheetHolds reports whether a cell of recs is v, or v neutralised (a leading apostrophe).
func sheetHolds(recs [][]string, v string) bool {
	for _, rec := range recs {
		for _, cell := range rec {
			if cell == v || cell == "'"+v {
				return true
			}
		}
	}
	return false
}
