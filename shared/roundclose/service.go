package roundclose

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/survey"
)

// Store is what the round close needs of the store (package store implements it).
type Store interface {
	ListProgrammes(ctx context.Context) ([]pairup.Programme, error)
	GetProgramme(ctx context.Context, id string) (*pairup.Programme, error)
	ListRounds(ctx context.Context, programmeID string) ([]pairup.Round, error)
	GetRound(ctx context.Context, programmeID, roundID string) (*pairup.Round, error)
	TransitionRound(ctx context.Context, programmeID, roundID string, from, to pairup.RoundState, at time.Time) (*pairup.Round, error)
	FinishRound(ctx context.Context, programmeID, roundID string, stats pairup.RoundStats) (*pairup.Round, error)
	ListPairs(ctx context.Context, programmeID, roundID string) ([]pairup.Pair, error)
	ListOutcomes(ctx context.Context, programmeID, roundID string) ([]pairup.Outcome, error)
	ListRegistrations(ctx context.Context, programmeID, roundID string, status pairup.Status) ([]pairup.Registration, error)
	ListCheckIns(ctx context.Context, programmeID, roundID string) ([]pairup.CheckIn, error)
	ListContinues(ctx context.Context, programmeID, roundID string) ([]pairup.ContinueAnswer, error)
	ListSurveyResponses(ctx context.Context, programmeID, roundID string, kind pairup.SurveyKind) ([]pairup.SurveyResponse, error)
	GetMessage(ctx context.Context, key string) (*mail.Queued, error)
	Enqueue(ctx context.Context, msgs []mail.Message) (int, error)
}

// Service closes and finalises rounds. All fields but AllowNow are required.
type Service struct {
	Store     Store
	Templates *mail.Templates
	Links     *links.Signer
	Clock     pairup.Clock
	Log       *slog.Logger
	// BaseURL is the public root of the hosted pages (continue, survey and unsubscribe links).
	BaseURL string
	// AllowNow lets an event's "now" replace the clock (local and test stacks only).
	AllowNow bool
}

// Handle runs one event. Bad input is an EINVALID, ENOTFOUND or ECONFLICT error naming the
// problem, and nothing is written.
func (s *Service) Handle(ctx context.Context, ev Event) (Result, error) {
	now := s.Clock.Now()
	if ev.Now != nil {
		if !s.AllowNow {
			return Result{}, pairup.Errorf(pairup.EINVALID, `"now" is only honoured by local and test deployments.`)
		}
		now = ev.Now.UTC()
	}
	switch ev.Action {
	case ActionClose, "":
		p, r, err := s.load(ctx, ev)
		if err != nil {
			return Result{}, err
		}
		return s.close(ctx, p, r, now)
	case ActionFinalise:
		p, r, err := s.load(ctx, ev)
		if err != nil {
			return Result{}, err
		}
		return s.finalise(ctx, p, r, now)
	case ActionScheduled:
		return s.scheduled(ctx, now)
	case ActionReport:
		p, r, err := s.load(ctx, ev)
		if err != nil {
			return Result{}, err
		}
		return s.reportNow(ctx, p, r, requestRun(ctx), now)
	}
	return Result{}, pairup.Errorf(pairup.EINVALID, "Unknown action %q: use one of %s.", ev.Action,
		strings.Join([]string{ActionClose, ActionFinalise, ActionScheduled, ActionReport}, ", "))
}

func (s *Service) load(ctx context.Context, ev Event) (*pairup.Programme, *pairup.Round, error) {
	if ev.Programme == "" || ev.Round == "" {
		return nil, nil, pairup.Errorf(pairup.EINVALID, `This action needs "programme" and "round".`)
	}
	p, err := s.Store.GetProgramme(ctx, ev.Programme)
	if err != nil {
		return nil, nil, err
	}
	r, err := s.Store.GetRound(ctx, ev.Programme, ev.Round)
	if err != nil {
		return nil, nil, err
	}
	return p, r, nil
}

// CloseKey is the outbox key of the close email to registration reg.
func CloseKey(programmeID, roundID, reg string) string {
	return fmt.Sprintf("close/%s/%s/%s", programmeID, roundID, reg)
}

// close moves an active round to closing and queues the close emails; a round already closing
// has them queued again (the keys make it a no-op for those queued before).
func (s *Service) close(ctx context.Context, p *pairup.Programme, r *pairup.Round, now time.Time) (Result, error) {
	switch r.State {
	case pairup.RoundActive:
		moved, err := s.Store.TransitionRound(ctx, p.ID, r.ID, pairup.RoundActive, pairup.RoundClosing, now)
		if pairup.ErrorCode(err) == pairup.ECONFLICT {
			// Another close got there first (or this one's answer was lost): a closing round is
			// what was asked, and its emails are queued below either way.
			if again, gerr := s.Store.GetRound(ctx, p.ID, r.ID); gerr == nil && again.State == pairup.RoundClosing {
				moved, err = again, nil
			}
		}
		if err != nil {
			return Result{}, err
		}
		r = moved
		s.Log.InfoContext(ctx, "round closing", "programme", p.ID, "round", r.ID)
	case pairup.RoundClosing:
	case pairup.RoundClosed:
		return Result{}, pairup.Errorf(pairup.ECONFLICT, "%s (%s) closed on %s: its close emails went out then, and its statistics are frozen.", r.Name, p.Name, day(r.UpdatedAt))
	default:
		return Result{}, pairup.Errorf(pairup.ECONFLICT, "%s (%s) is %s: only an active round can be closed.", r.Name, p.Name, r.State)
	}
	msgs, pairs, err := s.closeEmails(ctx, p, r, now)
	if err != nil {
		return Result{}, err
	}
	queued, err := s.Store.Enqueue(ctx, msgs)
	if err != nil {
		return Result{}, fmt.Errorf("roundclose: queue the close emails of %s/%s: %w", p.ID, r.ID, err)
	}
	w, _ := p.SurveyWindow(r, pairup.SurveyEnd)
	s.Log.InfoContext(ctx, "close emails queued", "programme", p.ID, "round", r.ID, "pairs", pairs, "participants", len(msgs), "queued", queued)
	res := Result{Action: ActionClose, Programme: p.ID, Round: r.ID, State: string(r.State), Now: now,
		Counts: &Counts{Pairs: pairs, Participants: len(msgs), Queued: queued}}
	res.Summary = fmt.Sprintf("%s (%s) is closing: %d pairs are asked to continue on their own or conclude; %d close emails newly queued for %d participants",
		r.Name, p.Name, pairs, queued, len(msgs))
	if queued < len(msgs) {
		res.Summary += fmt.Sprintf(" (%d were queued before)", len(msgs)-queued)
	}
	res.Summary += fmt.Sprintf(". The end-of-round survey takes answers until %s; then the schedule freezes the statistics (or finalise the round now).", day(w.Closes.Add(-time.Second)))
	return res, nil
}

// closeEmails renders the close email of each confirmed member of each running pair: one per
// registration, with a choice for each of their pairs (a mentor: one per mentee).
func (s *Service) closeEmails(ctx context.Context, p *pairup.Programme, r *pairup.Round, now time.Time) ([]mail.Message, int, error) {
	pairs, err := s.Store.ListPairs(ctx, p.ID, r.ID)
	if err != nil {
		return nil, 0, err
	}
	regs, err := s.Store.ListRegistrations(ctx, p.ID, r.ID, pairup.StatusConfirmed)
	if err != nil {
		return nil, 0, err
	}
	byID := make(map[string]*pairup.Registration, len(regs))
	for i := range regs {
		byID[regs[i].ID] = &regs[i]
	}
	w, _ := p.SurveyWindow(r, pairup.SurveyEnd)
	expires := w.Closes.Add(survey.SurveyLinkGrace)
	choices := map[string][]mail.ClosePair{}
	var order []string
	running := 0
	for _, pr := range pairs {
		if !pr.Active() {
			continue
		}
		running++
		for _, m := range pr.Members {
			if byID[m.RegistrationID] == nil {
				continue // withdrawn or erased since the pair was made
			}
			var names []string
			for _, o := range pr.Members {
				if reg := byID[o.RegistrationID]; o.RegistrationID != m.RegistrationID && reg != nil {
					names = append(names, reg.Name)
				}
			}
			ref := survey.ContinueRef{ProgrammeID: p.ID, RoundID: r.ID, PairID: pr.ID, RegistrationID: m.RegistrationID}
			cont, conc := ref, ref
			cont.Choice, conc.Choice = pairup.ChoiceContinue, pairup.ChoiceConclude
			if _, ok := choices[m.RegistrationID]; !ok {
				order = append(order, m.RegistrationID)
			}
			choices[m.RegistrationID] = append(choices[m.RegistrationID], mail.ClosePair{Partners: names,
				ContinueURL: survey.ContinueLink(s.Links, s.BaseURL, cont, expires), ConcludeURL: survey.ContinueLink(s.Links, s.BaseURL, conc, expires)})
		}
	}
	slices.Sort(order)
	msgs := make([]mail.Message, 0, len(order))
	for _, id := range order {
		reg := byID[id]
		key := CloseKey(p.ID, r.ID, id)
		loc := localeOf(p, reg)
		msg, err := s.Templates.Render("close", loc, mail.CloseData{
			Name: reg.Name, ProgrammeName: p.Name, RoundName: r.Name, Pairs: choices[id],
			SurveyURL:        survey.SurveyLink(s.Links, s.BaseURL, survey.SurveyRef{ProgrammeID: p.ID, RoundID: r.ID, Kind: pairup.SurveyEnd, RegistrationID: id}, expires),
			SurveyCloses:     formatDate(loc, w.Closes.Add(-time.Second).In(pairup.Location(reg.TimeZone))),
			CoordinatorEmail: coordinator(p), UnsubscribeURL: s.unsubscribeURL(key, now),
		})
		if err != nil {
			return nil, 0, fmt.Errorf("roundclose: render the close email: %w", err)
		}
		msg.Key, msg.To = key, reg.Email
		msg.Tags = map[string]string{"kind": "close", "programme": p.ID}
		msgs = append(msgs, msg)
	}
	return msgs, running, nil
}

// finalise freezes a closing round's statistics and closes it. A round closed before is
// ECONFLICT, returned with the statistics frozen then.
func (s *Service) finalise(ctx context.Context, p *pairup.Programme, r *pairup.Round, now time.Time) (Result, error) {
	res := Result{Action: ActionFinalise, Programme: p.ID, Round: r.ID, State: string(r.State), Now: now}
	switch r.State {
	case pairup.RoundClosing:
	case pairup.RoundClosed:
		// The final report's keys queue nothing new, and heal a finalise that stopped between
		// the close and its report.
		if _, _, err := s.report(ctx, p, r, RunFinal, now); err != nil {
			return res, err
		}
		return alreadyClosed(res, p, r)
	default:
		return res, pairup.Errorf(pairup.ECONFLICT, "%s (%s) is %s: only a closing round can be finalised; close it first.", r.Name, p.Name, r.State)
	}
	rec, err := s.record(ctx, p, r)
	if err != nil {
		return res, err
	}
	stats := rec.Stats(now)
	closed, err := s.Store.FinishRound(ctx, p.ID, r.ID, stats)
	if pairup.ErrorCode(err) == pairup.ECONFLICT && closed != nil {
		return alreadyClosed(res, p, closed) // finalised meanwhile by another run
	}
	if err != nil {
		return res, err
	}
	s.Log.InfoContext(ctx, "round closed", "programme", p.ID, "round", r.ID, "pairsAtClose", stats.PairsAtClose,
		"continued", stats.ContinuedPairs, "concluded", stats.ConcludedPairs)
	res.State, res.Stats = string(closed.State), closed.Stats
	res.Summary = fmt.Sprintf("%s (%s) is closed; its statistics are frozen: %s.", r.Name, p.Name, digest(closed.Stats))
	if res.Report, _, err = s.reportOf(ctx, p, closed, rec, RunFinal, now); err != nil {
		return res, err
	}
	res.Summary += " " + reportSentence(res.Report)
	return res, nil
}

func alreadyClosed(res Result, p *pairup.Programme, r *pairup.Round) (Result, error) {
	res.State, res.Stats = string(r.State), r.Stats
	what := "."
	if r.Stats != nil {
		what = fmt.Sprintf(": %s.", digest(r.Stats))
	}
	res.Summary = fmt.Sprintf("%s (%s) closed on %s; nothing was changed. Its statistics were frozen then%s", r.Name, p.Name, day(r.UpdatedAt), what)
	return res, pairup.Errorf(pairup.ECONFLICT, "%s (%s) is already closed (on %s), and its statistics were frozen then%s", r.Name, p.Name, day(r.UpdatedAt), what)
}

// digest says the headline statistics in a sentence's words.
func digest(st *pairup.RoundStats) string {
	if st == nil {
		return "none"
	}
	out := fmt.Sprintf("%d participants in %d pairs, %d pairs at the close: %d continue, %d concluded, %d partly answered, %d without a choice",
		st.Participants, st.Pairs, st.PairsAtClose, st.ContinuedPairs, st.ConcludedPairs, st.PartialPairs, st.NoChoicePairs)
	if end, ok := st.Surveys[pairup.SurveyEnd]; ok {
		out += fmt.Sprintf("; end-of-round survey %d of %d", end.Responded, end.Invited)
	}
	return out
}

// scheduled closes every active round whose end has passed and finalises every closing round
// whose end-of-round survey has closed.
func (s *Service) scheduled(ctx context.Context, now time.Time) (Result, error) {
	ps, err := s.Store.ListProgrammes(ctx)
	if err != nil {
		return Result{}, err
	}
	out := Result{Action: ActionScheduled, Now: now}
	closed, finalised := 0, 0
	for i := range ps {
		p := &ps[i]
		rounds, err := s.Store.ListRounds(ctx, p.ID)
		if err != nil {
			return out, err
		}
		for j := range rounds {
			r := &rounds[j]
			var res Result
			switch {
			case r.State == pairup.RoundActive && !now.Before(r.Ends):
				res, err = s.close(ctx, p, r, now)
				closed++
			case r.State == pairup.RoundClosing:
				if w, _ := p.SurveyWindow(r, pairup.SurveyEnd); now.Before(w.Closes) {
					continue
				}
				res, err = s.finalise(ctx, p, r, now)
				if pairup.ErrorCode(err) == pairup.ECONFLICT {
					continue // another delivery of this schedule got there first
				}
				finalised++
			default:
				continue
			}
			if err != nil {
				return out, fmt.Errorf("roundclose: scheduled %s of %s/%s: %w", res.Action, p.ID, r.ID, err)
			}
			res.Now = time.Time{}
			out.Rounds = append(out.Rounds, res)
		}
	}
	out.Summary = fmt.Sprintf("Scheduled round close at %s: %d round(s) closed, %d finalised.", now.Format(time.RFC3339), closed, finalised)
	if len(out.Rounds) == 0 {
		out.Summary = fmt.Sprintf("Scheduled round close at %s: no round has ended or finished its end-of-round survey; nothing to do.", now.Format(time.RFC3339))
	}
	return out, nil
}

func (s *Service) unsubscribeURL(key string, now time.Time) string {
	return s.BaseURL + "/unsubscribe?t=" + url.QueryEscape(s.Links.Sign(links.PurposeUnsubscribe, key, now.Add(links.UnsubscribeTTL)))
}

func coordinator(p *pairup.Programme) string {
	if len(p.Coordinators) > 0 {
		return p.Coordinators[0]
	}
	return ""
}

func localeOf(p *pairup.Programme, reg *pairup.Registration) string {
	if reg.Locale != "" {
		return reg.Locale
	}
	return p.Locale
}

// formatDate writes a date as people read it in locale.
func formatDate(locale string, t time.Time) string {
	if locale == mail.TraditionalChinese {
		return strconv.Itoa(t.Year()) + "年" + strconv.Itoa(int(t.Month())) + "月" + strconv.Itoa(t.Day()) + "日"
	}
	return t.Format("2 January 2006")
}

func day(t time.Time) string { return t.UTC().Format("2 January 2006") }
