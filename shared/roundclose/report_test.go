package roundclose

import (
	"bytes"
	"context"
	"encoding/csv"
	"image/png"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/report"
)

// request is the context of a Lambda invocation with request id id.
func request(id string) context.Context {
	return lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: id})
}

// reportRound is an active round of three pairs, two of whose members answered the mid-round
// survey; a name begins with '=' (a formula to a spreadsheet) and another is Chinese.
func reportRound(f *fixture, coordinators ...string) (*pairup.Programme, *pairup.Round) {
	ctx := context.Background()
	p := f.programme("iln", pairup.ModePeer)
	p.Coordinators = coordinators
	f.ok(f.st.PutProgramme(ctx, p))
	r := f.round(p, "r1", pairup.RoundActive, ends, &pairup.MatchStats{Registrations: 6, Confirmed: 6, Matched: 6, Pairs: 3, Countries: 1})
	f.people(r, nil, "c", "d", "e", "g")
	for id, name := range map[string]string{"a": "=HYPERLINK(\"http://evil.example\")", "b": "陳大文"} {
		reg := &pairup.Registration{ID: id, ProgrammeID: "iln", RoundID: "r1", Name: name, Email: id + "-r1@example.org",
			Country: "HK", Languages: []string{"en"}, TimeZone: "Asia/Hong_Kong", Sector: "academic", CareerStage: "student",
			Preference: pairup.PreferAny, Role: pairup.RolePeer, Locale: "en", Status: pairup.StatusPending, ConsentAt: r.SignupOpens, CreatedAt: r.SignupOpens}
		_, _, err := f.st.Register(ctx, reg, f.clock.Now().Add(time.Hour), mail.Message{Key: "confirm/r1/" + id, To: reg.Email,
			Subject: "s", Text: "t", ListUnsubscribe: "https://x"})
		f.ok(err)
		_, err = f.st.ConfirmRegistration(ctx, "iln", "r1", id, r.SignupOpens)
		f.ok(err)
	}
	f.pairs(r, []string{"a", "b"}, []string{"c", "d"}, []string{"e", "g"})
	for _, resp := range []pairup.SurveyResponse{{RegistrationID: "a", Answers: pairup.SurveyAnswers{"satisfaction": {"5"}, "heard": {"friend"}}},
		{RegistrationID: "b", Answers: pairup.SurveyAnswers{"satisfaction": {"4"}, "heard": {"website"}, "impact": {"ideas"}}}} {
		resp.ProgrammeID, resp.RoundID, resp.Kind, resp.SubmittedAt = "iln", "r1", pairup.SurveyMid, f.clock.Now()
		_, err := f.st.SaveSurveyResponse(ctx, resp)
		f.ok(err)
	}
	return p, r
}

// The report action emails the round's report to each coordinator, once per request: the
// statistics and charts of report.Build, each chart an inline PNG that the HTML shows by its
// cid, the three CSV exports attached; the result carries the same figures.
func TestReport(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p, r := reportRound(f, "coord@example.org", "second@example.org")

	res, err := f.svc.Handle(request("req-1"), Event{Action: ActionReport, Programme: "iln", Round: "r1"})
	f.ok(err)
	rep := res.Report
	if res.Action != ActionReport || rep == nil || rep.Final || rep.Run != "req-1" || rep.Emails != 2 || rep.Queued != 2 || res.Stats == nil ||
		!strings.Contains(res.Summary, "is queued to the 2 coordinators' addresses") {
		t.Fatalf("report: %s\n%+v", res.Summary, rep)
	}
	// The figures are report.Build's on what the store holds.
	rec, err := f.svc.record(ctx, p, r)
	f.ok(err)
	in := report.Input{Programme: p, Round: r, Registrations: rec.Registrations, Pairs: rec.Pairs, Outcomes: rec.Outcomes,
		CheckIns: rec.CheckIns, Continues: rec.Continues, Responses: rec.Responses, Invited: rec.Invited, At: f.clock.Now()}
	built, err := report.Build(in)
	f.ok(err)
	if len(rep.Stats) == 0 || !reflect.DeepEqual(rep.Stats, built.Stats) || !reflect.DeepEqual(rep.Charts, built.Charts) {
		t.Errorf("the result's figures are not report.Build's:\n%+v\n%+v\nwant\n%+v\n%+v", rep.Stats, rep.Charts, built.Stats, built.Charts)
	}
	if !reflect.DeepEqual(*res.Stats, built.Raw) {
		t.Errorf("result stats %+v, want %+v", *res.Stats, built.Raw)
	}

	for i, to := range p.Coordinators {
		m := f.message(ReportKey("iln", "r1", "req-1", i))
		if m.To != to || m.Kind() != "report" || m.Tags["programme"] != "iln" || !slices.Equal(m.About, []string{mail.AboutRound("iln", "r1")}) ||
			!strings.HasPrefix(m.Subject, "Report: Programme iln Round r1") || m.ListUnsubscribe == "" {
			t.Errorf("coordinator %d's report: to %s, subject %q, tags %v, about %v", i, m.To, m.Subject, m.Tags, m.About)
		}
		var inline, files []string
		for _, a := range m.Attachments {
			switch {
			case a.Inline:
				inline = append(inline, a.ContentID)
				img, err := png.DecodeConfig(bytes.NewReader(a.Data))
				if err != nil || a.ContentType != "image/png" || img.Width > 600 || !strings.Contains(m.HTML, `src="cid:`+a.ContentID+`"`) {
					t.Errorf("inline part %s: %s, %v, %d px wide; shown by the HTML: %v", a.FileName, a.ContentType, err, img.Width, strings.Contains(m.HTML, "cid:"+a.ContentID))
				}
			default:
				files = append(files, a.FileName)
				if a.ContentType != "text/csv; charset=utf-8" || !bytes.HasPrefix(a.Data, []byte("\ufeff")) {
					t.Errorf("attachment %s: %s, starts %q", a.FileName, a.ContentType, a.Data[:min(len(a.Data), 8)])
				}
				if _, err := csv.NewReader(bytes.NewReader(a.Data)).ReadAll(); err != nil {
					t.Errorf("attachment %s does not read as CSV: %v", a.FileName, err)
				}
			}
		}
		if len(inline) != len(built.Charts) || strings.Count(m.HTML, `src="cid:`) != len(built.Charts) {
			t.Errorf("%d inline charts and %d images in the HTML, want %d", len(inline), strings.Count(m.HTML, `src="cid:`), len(built.Charts))
		}
		if want := []string{"registrations-iln-r1.csv", "pairs-iln-r1.csv", "survey-responses-iln-r1.csv"}; !slices.Equal(files, want) || !slices.Equal(rep.Files, want) {
			t.Errorf("attached %v (result %v), want %v", files, rep.Files, want)
		}
		for _, row := range built.Stats {
			if !strings.Contains(m.Text, row.Label) || !strings.Contains(m.Text, row.Value) {
				t.Errorf("the text part lacks %+v", row)
			}
		}
	}

	t.Run("SameRequestAgain", func(t *testing.T) {
		first := f.message(ReportKey("iln", "r1", "req-1", 0))
		f.clock.Advance(time.Minute)
		res, err := f.svc.Handle(request("req-1"), Event{Action: ActionReport, Programme: "iln", Round: "r1"})
		f.ok(err)
		if res.Report.Queued != 0 || !strings.Contains(res.Summary, "queued before; nothing new was sent") {
			t.Errorf("a retried request: %s", res.Summary)
		}
		if again := f.message(ReportKey("iln", "r1", "req-1", 0)); !again.CreatedAt.Equal(first.CreatedAt) {
			t.Error("a retried request replaced the email")
		}
	})
	t.Run("AnotherRequest", func(t *testing.T) {
		res, err := f.svc.Handle(request("req-2"), Event{Action: ActionReport, Programme: "iln", Round: "r1"})
		f.ok(err)
		if res.Report.Queued != 2 {
			t.Errorf("a second request queued %d", res.Report.Queued)
		}
		f.message(ReportKey("iln", "r1", "req-2", 1))
	})
	t.Run("OutsideLambda", func(t *testing.T) {
		a, err := f.handle(Event{Action: ActionReport, Programme: "iln", Round: "r1"})
		f.ok(err)
		b, err := f.handle(Event{Action: ActionReport, Programme: "iln", Round: "r1"})
		f.ok(err)
		if a.Report.Run == b.Report.Run || !strings.HasPrefix(a.Report.Run, "local-") || a.Report.Queued != 2 || b.Report.Queued != 2 {
			t.Errorf("two invocations outside Lambda: runs %s and %s, queued %d and %d", a.Report.Run, b.Report.Run, a.Report.Queued, b.Report.Queued)
		}
	})
}

// A programme without coordinators' addresses gets the figures in the result and no email.
func TestReportNoCoordinators(t *testing.T) {
	f := newFixture(t)
	reportRound(f)
	res, err := f.svc.Handle(request("req-1"), Event{Action: ActionReport, Programme: "iln", Round: "r1"})
	f.ok(err)
	if res.Report.Emails != 0 || res.Report.Queued != 0 || len(res.Report.Stats) == 0 || !strings.Contains(res.Summary, "no report was emailed") {
		t.Errorf("report: %s %+v", res.Summary, res.Report)
	}
	if _, err := f.st.GetMessage(context.Background(), ReportKey("iln", "r1", "req-1", 0)); pairup.ErrorCode(err) != pairup.ENOTFOUND {
		t.Errorf("an email was queued (%v)", err)
	}
}

// Finalise sends the final report, once; a finalise of a closed round whose report was never
// queued (a finalise that stopped after the close) queues it.
func TestFinaliseSendsReport(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p, _ := reportRound(f, "coord@example.org")
	_, err := f.handle(Event{Action: ActionClose, Programme: "iln", Round: "r1"})
	f.ok(err)
	res, err := f.handle(Event{Action: ActionFinalise, Programme: "iln", Round: "r1"})
	f.ok(err)
	if res.Report == nil || !res.Report.Final || res.Report.Run != RunFinal || res.Report.Queued != 1 || !strings.Contains(res.Summary, "The report, with its charts") {
		t.Fatalf("finalise: %s %+v", res.Summary, res.Report)
	}
	m := f.message(ReportKey("iln", "r1", RunFinal, 0))
	if !strings.HasPrefix(m.Subject, "Final report: ") || !strings.Contains(m.Text, "frozen at the close") {
		t.Errorf("the final report: %q\n%s", m.Subject, m.Text)
	}
	_, err = f.handle(Event{Action: ActionFinalise, Programme: "iln", Round: "r1"})
	if pairup.ErrorCode(err) != pairup.ECONFLICT {
		t.Errorf("a second finalise: %v", err)
	}
	if again := f.message(ReportKey("iln", "r1", RunFinal, 0)); !again.CreatedAt.Equal(m.CreatedAt) {
		t.Error("a second finalise replaced the final report")
	}

	// A round closed without its report: the next finalise queues it.
	healed := f.round(p, "healed", pairup.RoundClosed, ends, &pairup.MatchStats{})
	_, err = f.handle(Event{Action: ActionFinalise, Programme: "iln", Round: healed.ID})
	if pairup.ErrorCode(err) != pairup.ECONFLICT {
		t.Errorf("finalise of a closed round: %v", err)
	}
	f.message(ReportKey("iln", "healed", RunFinal, 0))
	if r, _ := f.st.GetRound(ctx, "iln", "healed"); r.State != pairup.RoundClosed || r.Stats != nil {
		t.Errorf("the closed round changed: %+v", r)
	}
}

// A report of an unknown round, or without one, is refused and sends nothing.
func TestReportRefused(t *testing.T) {
	f := newFixture(t)
	f.programme("iln", pairup.ModePeer)
	for _, tc := range []struct {
		name string
		ev   Event
		code string
	}{
		{"NoRound", Event{Action: ActionReport, Programme: "iln"}, pairup.EINVALID},
		{"UnknownRound", Event{Action: ActionReport, Programme: "iln", Round: "nope"}, pairup.ENOTFOUND},
		{"UnknownProgramme", Event{Action: ActionReport, Programme: "nope", Round: "r1"}, pairup.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.svc.Handle(request("req-x"), tc.ev); pairup.ErrorCode(err) != tc.code {
				t.Errorf("%v, want %s", err, tc.code)
			}
		})
	}
	if _, err := f.st.GetMessage(context.Background(), ReportKey("iln", "nope", "req-x", 0)); pairup.ErrorCode(err) != pairup.ENOTFOUND {
		t.Errorf("a refused report queued an email (%v)", err)
	}
}

// With a second matched round, the report carries the programme's rounds side by side (the
// figures of report.AcrossRounds over both), in the result and in the email; a draft round is
// not among them.
func TestReportAcrossRounds(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p, r := reportRound(f, "coord@example.org")
	res, err := f.svc.Handle(request("req-0"), Event{Action: ActionReport, Programme: "iln", Round: "r1"})
	f.ok(err)
	if res.Report.Across != nil {
		t.Fatalf("a programme's only round has rounds across: %+v", res.Report.Across)
	}
	r2 := f.round(p, "r2", pairup.RoundClosed, ends.AddDate(0, 6, 0), &pairup.MatchStats{Registrations: 2, Confirmed: 2, Matched: 2, Pairs: 1, Countries: 1})
	f.people(r2, nil, "x", "y")
	f.pairs(r2, []string{"x", "y"})
	f.round(p, "r3", pairup.RoundDraft, ends.AddDate(1, 0, 0), nil)

	res, err = f.svc.Handle(request("req-1"), Event{Action: ActionReport, Programme: "iln", Round: "r1"})
	f.ok(err)
	var reports []*report.Report
	for _, rd := range []*pairup.Round{r, r2} {
		rec, err := f.svc.record(ctx, p, rd)
		f.ok(err)
		rep, err := report.Build(report.Input{Programme: p, Round: rd, Registrations: rec.Registrations, Pairs: rec.Pairs, Outcomes: rec.Outcomes,
			CheckIns: rec.CheckIns, Continues: rec.Continues, Responses: rec.Responses, Invited: rec.Invited, At: f.clock.Now()})
		f.ok(err)
		reports = append(reports, rep)
	}
	want := report.AcrossRounds(reports)
	if len(want) < 3 || !reflect.DeepEqual(res.Report.Across, want) {
		t.Fatalf("across rounds:\n%+v\nwant\n%+v", res.Report.Across, want)
	}
	q := f.message(ReportKey("iln", "r1", "req-1", 0))
	for _, row := range want {
		if !strings.Contains(q.Text, row.Label) || !strings.Contains(q.HTML, row.Value) {
			t.Errorf("the email lacks the across-rounds row %q %q", row.Label, row.Value)
		}
	}
}
