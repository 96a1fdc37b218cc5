package roundclose

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/report"
)

// RunFinal is the run of the report sent when a round is finalised: one per round.
const RunFinal = "final"

// ReportKey is the outbox key of a round's report to coordinator i (by their place in the
// programme's list). run is RunFinal for the report sent at finalise, else the request's id:
// each request for a report sends it once, and a retry of the same request sends nothing new.
func ReportKey(programmeID, roundID, run string, i int) string {
	return fmt.Sprintf("report/%s/%s/%s/%d", programmeID, roundID, run, i)
}

// reportWidth is the width, in CSS pixels, a chart takes in the email: the layout's 600-pixel
// column less its padding. A wider image is shown at this width; a phone narrows it further.
const reportWidth = 552

// ReportResult is a round's report in the function's result: the statistics table and each
// chart's bars, as the email shows them, and what was queued.
type ReportResult struct {
	Final  bool           `json:"final"` // the report of the round's close
	Run    string         `json:"run"`   // RunFinal, or the request's id (in the outbox keys)
	Stats  []report.Row   `json:"stats"`
	Charts []report.Chart `json:"charts"`
	// Across is the programme's matched rounds side by side, this one included, then the
	// totals (report.AcrossRounds); absent when this is the only one.
	Across []report.Row `json:"across,omitempty"`
	// Files names the CSV files attached to the emails.
	Files []string `json:"files,omitempty"`
	// Emails is how many report emails the round's coordinators get (one each); Queued, how
	// many were newly queued (a repeated request queues none).
	Emails int `json:"emails"`
	Queued int `json:"queued"`
}

// report builds the round's report from what the store holds and queues it to each of the
// programme's coordinators under ReportKey(…, run, i). The result carries the same figures.
func (s *Service) report(ctx context.Context, p *pairup.Programme, r *pairup.Round, run string, now time.Time) (*ReportResult, *pairup.RoundStats, error) {
	rec, err := s.record(ctx, p, r)
	if err != nil {
		return nil, nil, err
	}
	return s.reportOf(ctx, p, r, rec, run, now)
}

// reportOf is report from what the round left, read before (rec); r is the round as it is now.
func (s *Service) reportOf(ctx context.Context, p *pairup.Programme, r *pairup.Round, rec pairup.RoundRecord, run string, now time.Time) (*ReportResult, *pairup.RoundStats, error) {
	in := report.Input{
		Programme: p, Round: r, Registrations: rec.Registrations, Pairs: rec.Pairs, Outcomes: rec.Outcomes,
		CheckIns: rec.CheckIns, Continues: rec.Continues, Responses: rec.Responses, Invited: rec.Invited, At: now,
	}
	rep, err := report.Build(in)
	if err != nil {
		return nil, nil, fmt.Errorf("roundclose: build the report of %s/%s: %w", p.ID, r.ID, err)
	}
	final := run == RunFinal
	res := &ReportResult{Final: final, Run: run, Stats: rep.Stats, Charts: rep.Charts, Emails: len(p.Coordinators)}
	if res.Across, err = s.across(ctx, p, r, rep, now); err != nil {
		return nil, nil, err
	}
	if len(p.Coordinators) == 0 {
		return res, &rep.Raw, nil
	}
	msgs, files, err := s.reportEmails(p, r, rep, res.Across, in, run, now)
	if err != nil {
		return nil, nil, err
	}
	res.Files = files
	if res.Queued, err = s.Store.Enqueue(ctx, msgs); err != nil {
		return nil, nil, fmt.Errorf("roundclose: queue the report of %s/%s: %w", p.ID, r.ID, err)
	}
	s.Log.InfoContext(ctx, "report queued", "programme", p.ID, "round", r.ID, "run", run, "coordinators", len(msgs), "queued", res.Queued)
	return res, &rep.Raw, nil
}

// reportEmails renders the report email to each coordinator: the statistics, each chart as an
// inline PNG, and the CSV exports attached. It returns the attached files' names.
func (s *Service) reportEmails(p *pairup.Programme, r *pairup.Round, rep *report.Report, across []report.Row, in report.Input, run string, now time.Time) ([]mail.Message, []string, error) {
	d := mail.ReportData{ProgrammeName: p.Name, RoundName: r.Name, Final: run == RunFinal, State: string(r.State), AsOf: asOf(rep)}
	for _, row := range rep.Stats {
		d.Stats = append(d.Stats, mail.Count{Label: row.Label, Value: row.Value})
	}
	for _, row := range across {
		d.Across = append(d.Across, mail.Count{Label: row.Label, Value: row.Value})
	}
	var parts []mail.Attachment
	names := map[string]bool{}
	for i, c := range rep.Charts {
		img, err := c.PNG()
		if err != nil {
			return nil, nil, fmt.Errorf("roundclose: draw the %s chart: %w", c.ID, err)
		}
		size, err := png.DecodeConfig(bytes.NewReader(img))
		if err != nil || size.Width == 0 {
			return nil, nil, fmt.Errorf("roundclose: the %s chart is not a PNG: %v", c.ID, err)
		}
		name := fileSafe(c.ID)
		if names[name] {
			name = fmt.Sprintf("%s-%d", name, i+1)
		}
		names[name] = true
		// The chart's bars are horizontal: YLabel names the categories, XLabel the counts.
		mc := mail.ReportChart{Title: c.Title, Note: c.Note, Categories: c.YLabel, Counts: c.XLabel, ContentID: "chart-" + name + "@pairup",
			Width: min(size.Width, reportWidth)}
		mc.Height = size.Height * mc.Width / size.Width
		for _, b := range c.Bars {
			mc.Bars = append(mc.Bars, mail.ReportBar{Label: b.Label, Count: b.Count, Of: b.Of})
		}
		d.Charts = append(d.Charts, mc)
		parts = append(parts, mail.Attachment{FileName: name + ".png", ContentType: "image/png", Data: img, Inline: true, ContentID: mc.ContentID})
	}
	for _, f := range []struct {
		what string
		data []byte
	}{
		{"registrations", report.RegistrationsCSV(in)},
		{"pairs", report.PairsCSV(in)},
		{"survey-responses", report.ResponsesCSV(in)},
	} {
		name := fmt.Sprintf("%s-%s-%s.csv", f.what, p.ID, r.ID)
		d.Files = append(d.Files, name)
		parts = append(parts, mail.Attachment{FileName: name, ContentType: "text/csv; charset=utf-8", Data: f.data})
	}
	msgs := make([]mail.Message, 0, len(p.Coordinators))
	for i, to := range p.Coordinators {
		key := ReportKey(p.ID, r.ID, run, i)
		d.UnsubscribeURL = s.unsubscribeURL(key, now)
		msg, err := s.Templates.Render("report", p.Locale, d)
		if err != nil {
			return nil, nil, fmt.Errorf("roundclose: render the report: %w", err)
		}
		msg.Key, msg.To = key, to
		msg.Tags = map[string]string{"kind": "report", "programme": p.ID}
		msg.About = []string{mail.AboutRound(p.ID, r.ID)} // its CSVs list everyone in the round
		msg.Attachments = parts
		msgs = append(msgs, msg)
	}
	return msgs, d.Files, nil
}

// asOf is when a report's figures were taken: the day a closed round's were frozen, else the
// time of the report.
func asOf(rep *report.Report) string {
	if rep.Frozen {
		return day(rep.At)
	}
	return rep.At.UTC().Format("2 January 2006, 15:04 UTC")
}

// fileSafe keeps the letters, digits and '-' of a chart's id (each other character becomes
// '-'; at most 40 of them), so that it can name a file and an inline part.
func fileSafe(id string) string {
	if len(id) > 40 {
		id = id[:40]
	}
	out := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, id)
	if out == "" {
		return "chart"
	}
	return out
}

// reportNow answers the report action: the round's report, emailed to the coordinators, and
// its figures in the result.
func (s *Service) reportNow(ctx context.Context, p *pairup.Programme, r *pairup.Round, run string, now time.Time) (Result, error) {
	res := Result{Action: ActionReport, Programme: p.ID, Round: r.ID, State: string(r.State), Now: now}
	rep, raw, err := s.report(ctx, p, r, run, now)
	if err != nil {
		return res, err
	}
	res.Report, res.Stats = rep, raw
	res.Summary = fmt.Sprintf("The report of %s (%s), which is %s: %s. %s", r.Name, p.Name, r.State, digest(raw), reportSentence(rep))
	return res, nil
}

// reportSentence says where a report went.
func reportSentence(rep *ReportResult) string {
	switch {
	case rep.Emails == 0:
		return "The programme has no coordinators' address, so no report was emailed; its figures are below."
	case rep.Queued == 0:
		return fmt.Sprintf("Its email to the %d coordinators' addresses was queued before; nothing new was sent.", rep.Emails)
	}
	return fmt.Sprintf("The report, with its charts and the CSV exports (%s), is queued to the %d coordinators' addresses.", strings.Join(rep.Files, ", "), rep.Emails)
}

// requestRun names this request for the report's outbox keys: Lambda's request id, which a
// retried invocation keeps (so a retry sends nothing twice), or a random id outside Lambda.
func requestRun(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		return lc.AwsRequestID
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "local-" + hex.EncodeToString(b)
}

// across is the statistics across the programme's rounds that were matched (active, closing,
// closed), this one's report among them (report.AcrossRounds); nil when this is the only one.
// Each other round is read as finalise reads it.
func (s *Service) across(ctx context.Context, p *pairup.Programme, r *pairup.Round, rep *report.Report, now time.Time) ([]report.Row, error) {
	rounds, err := s.Store.ListRounds(ctx, p.ID)
	if err != nil {
		return nil, fmt.Errorf("roundclose: the rounds of %s: %w", p.ID, err)
	}
	reports := []*report.Report{rep}
	for i := range rounds {
		o := &rounds[i]
		if o.ID == r.ID || o.Matching == nil {
			continue
		}
		switch o.State {
		case pairup.RoundActive, pairup.RoundClosing, pairup.RoundClosed:
		default:
			continue
		}
		rec, err := s.record(ctx, p, o)
		if err != nil {
			return nil, err
		}
		other, err := report.Build(report.Input{Programme: p, Round: o, Registrations: rec.Registrations, Pairs: rec.Pairs, Outcomes: rec.Outcomes,
			CheckIns: rec.CheckIns, Continues: rec.Continues, Responses: rec.Responses, Invited: rec.Invited, At: now})
		if err != nil {
			return nil, fmt.Errorf("roundclose: build the report of %s/%s: %w", p.ID, o.ID, err)
		}
		reports = append(reports, other)
	}
	if len(reports) < 2 {
		return nil, nil
	}
	return report.AcrossRounds(reports), nil
}
