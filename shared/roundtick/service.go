package roundtick

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/survey"
)

// MorningWindow is how long after MorningHour an email of the day may still be queued: three
// hourly ticks, so one or two missed ticks delay it rather than lose it.
const MorningWindow = 3 * time.Hour

// Store is what a tick needs of the store (package store implements it).
type Store interface {
	ListProgrammes(ctx context.Context) ([]pairup.Programme, error)
	GetProgramme(ctx context.Context, id string) (*pairup.Programme, error)
	ListRounds(ctx context.Context, programmeID string) ([]pairup.Round, error)
	GetRound(ctx context.Context, programmeID, roundID string) (*pairup.Round, error)
	ListPairs(ctx context.Context, programmeID, roundID string) ([]pairup.Pair, error)
	ListRegistrations(ctx context.Context, programmeID, roundID string, status pairup.Status) ([]pairup.Registration, error)
	ListSurveyResponses(ctx context.Context, programmeID, roundID string, kind pairup.SurveyKind) ([]pairup.SurveyResponse, error)
	Enqueue(ctx context.Context, msgs []mail.Message) (int, error)
}

// Service runs ticks. All fields but AllowNow are required.
type Service struct {
	Store     Store
	Templates *mail.Templates
	Links     *links.Signer
	Clock     pairup.Clock
	Log       *slog.Logger
	// BaseURL is the public root of the hosted pages (check-in, survey and unsubscribe links).
	BaseURL string
	// AllowNow lets an event's "now" replace the clock (local and test stacks only).
	AllowNow bool
}

// Handle runs one tick over every active round, or the one the event names (or a rehearsal:
// Event.RehearseDay, RehearseSurvey).
func (s *Service) Handle(ctx context.Context, ev Event) (Result, error) {
	if ev.RehearseDay != 0 || ev.RehearseSurvey != "" {
		return s.rehearse(ctx, ev)
	}
	now := s.Clock.Now()
	if ev.Now != nil {
		if !s.AllowNow {
			return Result{}, pairup.Errorf(pairup.EINVALID, `"now" is only honoured by local and test deployments.`)
		}
		now = ev.Now.UTC()
	}
	if ev.Round != "" && ev.Programme == "" {
		return Result{}, pairup.Errorf(pairup.EINVALID, `"round" needs "programme" too.`)
	}
	var rounds []target
	if ev.Programme != "" {
		p, err := s.Store.GetProgramme(ctx, ev.Programme)
		if err != nil {
			return Result{}, err
		}
		rs, err := s.roundsOf(ctx, p, ev.Round)
		if err != nil {
			return Result{}, err
		}
		rounds = rs
	} else {
		ps, err := s.Store.ListProgrammes(ctx)
		if err != nil {
			return Result{}, fmt.Errorf("roundtick: %w", err)
		}
		for i := range ps {
			rs, err := s.roundsOf(ctx, &ps[i], "")
			if err != nil {
				return Result{}, err
			}
			rounds = append(rounds, rs...)
		}
	}
	res := Result{Now: now, Rounds: []RoundResult{}}
	for _, t := range rounds {
		rr, err := s.tick(ctx, t.programme, t.round, now)
		if err != nil {
			return res, fmt.Errorf("roundtick: %s/%s: %w", t.programme.ID, t.round.ID, err)
		}
		res.Rounds = append(res.Rounds, rr)
		res.Queued += rr.total()
	}
	closing := 0
	for _, t := range rounds {
		if t.round.State == pairup.RoundClosing {
			closing++
		}
	}
	res.Summary = fmt.Sprintf("%d emails queued for %d active rounds at %s.", res.Queued, len(res.Rounds)-closing, now.Format(time.RFC3339))
	if closing > 0 {
		res.Summary = fmt.Sprintf("%d emails queued for %d active and %d closing rounds at %s.", res.Queued, len(res.Rounds)-closing, closing, now.Format(time.RFC3339))
	}
	s.Log.InfoContext(ctx, "tick", "rounds", len(res.Rounds), "queued", res.Queued)
	return res, nil
}

type target struct {
	programme *pairup.Programme
	round     *pairup.Round
}

// roundsOf lists the programme's active and closing rounds (only roundID if given: ENOTFOUND
// if absent, ECONFLICT if neither).
func (s *Service) roundsOf(ctx context.Context, p *pairup.Programme, roundID string) ([]target, error) {
	if roundID != "" {
		r, err := s.Store.GetRound(ctx, p.ID, roundID)
		if err != nil {
			return nil, err
		}
		if !ticked(r) {
			return nil, pairup.Errorf(pairup.ECONFLICT, "Round %s/%s is %s; only an active round has prompts, check-ins and surveys (and a closing one survey reminders).", p.ID, roundID, r.State)
		}
		return []target{{p, r}}, nil
	}
	rs, err := s.Store.ListRounds(ctx, p.ID)
	if err != nil {
		return nil, fmt.Errorf("roundtick: %w", err)
	}
	var out []target
	for i := range rs {
		if ticked(&rs[i]) {
			out = append(out, target{p, &rs[i]})
		}
	}
	return out, nil
}

// ticked reports whether a tick sends anything for r: an active round its prompts, check-ins
// and surveys; a closing one the reminders of its end-of-round survey (the close email was
// the invitation) and of a mentee report still open.
func ticked(r *pairup.Round) bool {
	return r.State == pairup.RoundActive || r.State == pairup.RoundClosing
}

// member is a participant of an active pair, with their time zone and this tick's morning.
type member struct {
	reg     *pairup.Registration
	loc     *time.Location
	morning time.Time // today's MorningHour in their zone
	inSlot  bool      // now is in [morning, morning+MorningWindow)
}

func (s *Service) tick(ctx context.Context, p *pairup.Programme, r *pairup.Round, now time.Time) (RoundResult, error) {
	rr := RoundResult{Programme: p.ID, Round: r.ID}
	sch := p.Schedule.Normalised()
	pairs, err := s.Store.ListPairs(ctx, p.ID, r.ID)
	if err != nil {
		return rr, err
	}
	regs, err := s.Store.ListRegistrations(ctx, p.ID, r.ID, pairup.StatusConfirmed)
	if err != nil {
		return rr, err
	}
	byID := make(map[string]*pairup.Registration, len(regs))
	for i := range regs {
		byID[regs[i].ID] = &regs[i]
	}
	members := map[string]*member{}
	memberOf := func(id string) *member {
		if m, ok := members[id]; ok {
			return m
		}
		reg := byID[id]
		if reg == nil {
			return nil // withdrawn or erased since the pair was made
		}
		loc := pairup.Location(reg.TimeZone)
		m := &member{reg: reg, loc: loc, morning: pairup.LocalMorning(now, loc, sch.MorningHour)}
		m.inSlot = !now.Before(m.morning) && now.Before(m.morning.Add(MorningWindow))
		members[id] = m
		return m
	}
	var prompts, checkIns []mail.Message
	var active []*pairup.Pair
	for i := range pairs {
		pr := &pairs[i]
		if !pr.Active() {
			continue
		}
		active = append(active, pr)
		for _, pm := range pr.Members {
			m := memberOf(pm.RegistrationID)
			if m == nil || !m.inSlot || !now.Before(r.Ends) || r.State != pairup.RoundActive {
				continue
			}
			days := pairup.DaysBetween(pr.CreatedAt, now, m.loc)
			if days <= 0 {
				continue
			}
			if days%sch.PromptEveryDays == 0 {
				if k := days / sch.PromptEveryDays; k < len(p.Topics) {
					msg, err := s.prompt(p, r, pr, m, k, byID, now)
					if err != nil {
						return rr, err
					}
					prompts = append(prompts, msg)
				}
			}
			if sch.CheckInAfterDays > 0 && days == sch.CheckInAfterDays {
				msg, err := s.checkIn(p, r, pr, m, byID, now)
				if err != nil {
					return rr, err
				}
				checkIns = append(checkIns, msg)
			}
		}
	}
	if rr.Prompts, err = s.Store.Enqueue(ctx, prompts); err != nil {
		return rr, err
	}
	if rr.CheckIns, err = s.Store.Enqueue(ctx, checkIns); err != nil {
		return rr, err
	}
	// Surveys go to everyone in an active pair (the report to mentees only).
	var people []*member
	seen := map[string]bool{}
	for _, pr := range active {
		for _, pm := range pr.Members {
			if m := memberOf(pm.RegistrationID); m != nil && !seen[m.reg.ID] {
				seen[m.reg.ID] = true
				people = append(people, m)
			}
		}
	}
	slices.SortFunc(people, func(a, b *member) int { return compareStrings(a.reg.ID, b.reg.ID) })
	kinds := []pairup.SurveyKind{pairup.SurveyMid, pairup.SurveyReport}
	if r.State == pairup.RoundClosing {
		kinds = []pairup.SurveyKind{pairup.SurveyEnd, pairup.SurveyReport}
	}
	for _, kind := range kinds {
		inv, rem, digest, err := s.surveys(ctx, p, r, kind, people, now, sch)
		if err != nil {
			return rr, err
		}
		n, err := s.Store.Enqueue(ctx, inv)
		if err != nil {
			return rr, err
		}
		rr.SurveyInvites += n
		if n, err = s.Store.Enqueue(ctx, rem); err != nil {
			return rr, err
		}
		rr.SurveyReminders += n
		if n, err = s.Store.Enqueue(ctx, digest); err != nil {
			return rr, err
		}
		rr.ReportMissing += n
	}
	return rr, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Outbox keys of a tick's emails.
func promptKey(p, r, pair string, k int, reg string) string {
	return fmt.Sprintf("prompt/%s/%s/%s/%d/%s", p, r, pair, k, reg)
}
func checkInKey(p, r, pair, reg string) string {
	return fmt.Sprintf("checkin/%s/%s/%s/%s", p, r, pair, reg)
}

// SurveyKey is the outbox key of the n-th email of a survey to registration reg: the
// invitation (0), then the reminders (round-close counts the invitations by it).
func SurveyKey(kind pairup.SurveyKind, p, r, reg string, n int) string {
	return fmt.Sprintf("survey/%s/%s/%s/%s/%d", kind, p, r, reg, n)
}

func reportMissingKey(p, r string, n, i int) string {
	return fmt.Sprintf("report-missing/%s/%s/%d/%d", p, r, n, i)
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

func locale(p *pairup.Programme, reg *pairup.Registration) string {
	if reg.Locale != "" {
		return reg.Locale
	}
	return p.Locale
}

func partners(pr *pairup.Pair, self string, byID map[string]*pairup.Registration) []string {
	var out []string
	for _, m := range pr.Members {
		if m.RegistrationID == self {
			continue
		}
		if reg := byID[m.RegistrationID]; reg != nil {
			out = append(out, reg.Name)
		}
	}
	return out
}

func (s *Service) finish(msg mail.Message, err error, key, to, kind, programmeID string) (mail.Message, error) {
	if err != nil {
		return mail.Message{}, fmt.Errorf("render the %s email: %w", kind, err)
	}
	msg.Key, msg.To = key, to
	msg.Tags = map[string]string{"kind": kind, "programme": programmeID}
	return msg, nil
}

func (s *Service) prompt(p *pairup.Programme, r *pairup.Round, pr *pairup.Pair, m *member, k int, byID map[string]*pairup.Registration, now time.Time) (mail.Message, error) {
	key := promptKey(p.ID, r.ID, pr.ID, k, m.reg.ID)
	msg, err := s.Templates.Render("prompt", locale(p, m.reg), mail.PromptData{
		Name: m.reg.Name, ProgrammeName: p.Name, RoundName: r.Name, Number: k, Topic: p.Topics[k],
		Partners: partners(pr, m.reg.ID, byID), CoordinatorEmail: coordinator(p), UnsubscribeURL: s.unsubscribeURL(key, now),
		WithdrawURL: s.withdrawURL(r, m.reg, now),
	})
	return s.finish(msg, err, key, m.reg.Email, "prompt", p.ID)
}

func (s *Service) checkIn(p *pairup.Programme, r *pairup.Round, pr *pairup.Pair, m *member, byID map[string]*pairup.Registration, now time.Time) (mail.Message, error) {
	key := checkInKey(p.ID, r.ID, pr.ID, m.reg.ID)
	ref := survey.CheckInRef{ProgrammeID: p.ID, RoundID: r.ID, PairID: pr.ID, RegistrationID: m.reg.ID}
	yes, no := ref, ref
	yes.Answer, no.Answer = pairup.CheckInYes, pairup.CheckInNo
	exp := now.Add(survey.CheckInLinkTTL)
	msg, err := s.Templates.Render("checkin", locale(p, m.reg), mail.CheckInData{
		Name: m.reg.Name, ProgrammeName: p.Name, RoundName: r.Name, Partners: partners(pr, m.reg.ID, byID),
		YesURL: survey.CheckInLink(s.Links, s.BaseURL, yes, exp), NoURL: survey.CheckInLink(s.Links, s.BaseURL, no, exp),
		CoordinatorEmail: coordinator(p), UnsubscribeURL: s.unsubscribeURL(key, now), WithdrawURL: s.withdrawURL(r, m.reg, now),
	})
	return s.finish(msg, err, key, m.reg.Email, "checkin", p.ID)
}

// surveys returns a survey kind's invitations and reminders due at now, and (the mentee report)
// the coordinators' "who is missing" emails. The n-th email of a survey goes on the n-th
// reminder day after the first local morning at or after the survey opens: n = 0 invites
// everyone; n ≥ 1 reminds those who have not answered, at most SurveyReminders times (the
// report: until it is sent or closes). The end-of-round survey has reminders only: round-close's
// email invites.
func (s *Service) surveys(ctx context.Context, p *pairup.Programme, r *pairup.Round, kind pairup.SurveyKind, people []*member, now time.Time, sch pairup.Schedule) (inv, rem, digest []mail.Message, err error) {
	w, ok := p.SurveyWindow(r, kind)
	if !ok || !w.Open(now) {
		return nil, nil, nil, nil
	}
	var responses []pairup.SurveyResponse
	loaded := false
	answered := func() (map[string]bool, error) {
		if !loaded {
			if responses, err = s.Store.ListSurveyResponses(ctx, p.ID, r.ID, kind); err != nil {
				return nil, err
			}
			loaded = true
		}
		out := make(map[string]bool, len(responses))
		for _, x := range responses {
			out[x.RegistrationID] = true
		}
		return out, nil
	}
	var done map[string]bool
	for _, m := range people {
		if kind == pairup.SurveyReport && m.reg.Role != pairup.RoleMentee {
			continue
		}
		if !m.inSlot {
			continue
		}
		first := pairup.LocalMorning(w.Opens, m.loc, sch.MorningHour)
		if first.Before(w.Opens) {
			y, mo, d := first.Date()
			first = time.Date(y, mo, d+1, sch.MorningHour, 0, 0, 0, m.loc)
		}
		days := pairup.DaysBetween(first, now, m.loc)
		if days < 0 || days%sch.ReminderEveryDays != 0 {
			continue
		}
		n := days / sch.ReminderEveryDays
		if kind != pairup.SurveyReport && n > sch.SurveyReminders {
			continue
		}
		if kind == pairup.SurveyEnd && n == 0 {
			continue // the close email (package roundclose) is the invitation
		}
		if n > 0 {
			if done == nil {
				if done, err = answered(); err != nil {
					return nil, nil, nil, err
				}
			}
			if done[m.reg.ID] {
				continue
			}
		}
		msg, err := s.surveyEmail(p, r, kind, m, n, w, now)
		if err != nil {
			return nil, nil, nil, err
		}
		if n == 0 {
			inv = append(inv, msg)
		} else {
			rem = append(rem, msg)
		}
	}
	if kind == pairup.SurveyReport {
		if digest, err = s.reportMissing(p, r, people, w, now, sch, answered); err != nil {
			return nil, nil, nil, err
		}
	}
	return inv, rem, digest, nil
}

func (s *Service) surveyEmail(p *pairup.Programme, r *pairup.Round, kind pairup.SurveyKind, m *member, n int, w pairup.SurveyWindow, now time.Time) (mail.Message, error) {
	key := SurveyKey(kind, p.ID, r.ID, m.reg.ID, n)
	loc := locale(p, m.reg)
	link := survey.SurveyLink(s.Links, s.BaseURL, survey.SurveyRef{ProgrammeID: p.ID, RoundID: r.ID, Kind: kind, RegistrationID: m.reg.ID},
		w.Closes.Add(survey.SurveyLinkGrace))
	msg, err := s.Templates.Render("survey", loc, mail.SurveyData{
		Name: m.reg.Name, ProgrammeName: p.Name, RoundName: r.Name, Kind: string(kind), Reminder: n,
		SurveyURL: link, Closes: formatDate(loc, w.Closes.Add(-time.Second).In(m.loc)),
		CoordinatorEmail: coordinator(p), UnsubscribeURL: s.unsubscribeURL(key, now), WithdrawURL: s.withdrawURL(r, m.reg, now),
	})
	return s.finish(msg, err, key, m.reg.Email, "survey-"+string(kind), p.ID)
}

// reportMissing returns, on each reminder day of the mentee report (by UTC, from MorningHour
// UTC for MorningWindow), an email to each coordinator listing the mentees who have not sent it.
func (s *Service) reportMissing(p *pairup.Programme, r *pairup.Round, people []*member, w pairup.SurveyWindow, now time.Time, sch pairup.Schedule, answered func() (map[string]bool, error)) ([]mail.Message, error) {
	morning := pairup.LocalMorning(now, time.UTC, sch.MorningHour)
	if now.Before(morning) || !now.Before(morning.Add(MorningWindow)) {
		return nil, nil
	}
	days := pairup.DaysBetween(w.Opens, now, time.UTC)
	if days <= 0 || days%sch.ReminderEveryDays != 0 || len(p.Coordinators) == 0 {
		return nil, nil
	}
	done, err := answered()
	if err != nil {
		return nil, err
	}
	d := mail.ReportMissingData{ProgrammeName: p.Name, RoundName: r.Name, Due: formatDate(mail.English, w.Closes.Add(-time.Second))}
	var about []string
	for _, m := range people {
		if m.reg.Role != pairup.RoleMentee {
			continue
		}
		d.Total++
		if done[m.reg.ID] {
			d.Submitted++
			continue
		}
		d.Missing = append(d.Missing, mail.AlertPerson{Name: m.reg.Name, Email: m.reg.Email, Country: m.reg.Country, RegistrationID: m.reg.ID})
		about = append(about, m.reg.ID)
	}
	if len(d.Missing) == 0 {
		return nil, nil
	}
	n := days / sch.ReminderEveryDays
	var out []mail.Message
	for i, to := range p.Coordinators {
		key := reportMissingKey(p.ID, r.ID, n, i)
		d.UnsubscribeURL = s.unsubscribeURL(key, now)
		msg, err := s.Templates.Render("report-missing", mail.English, d)
		if msg, err = s.finish(msg, err, key, to, "report-missing", p.ID); err != nil {
			return nil, err
		}
		msg.About = about // the mentees it lists (package erasure finds it by them)
		out = append(out, msg)
	}
	return out, nil
}

// formatDate writes a date as people read it in locale.
func formatDate(locale string, t time.Time) string {
	if locale == mail.TraditionalChinese {
		return strconv.Itoa(t.Year()) + "年" + strconv.Itoa(int(t.Month())) + "月" + strconv.Itoa(t.Day()) + "日"
	}
	return t.Format("2 January 2006")
}

// rehearse runs 48 hourly ticks over the round day an event names, starting 14 hours before
// it begins in UTC, so that every time zone's morning of that day is inside.
func (s *Service) rehearse(ctx context.Context, ev Event) (Result, error) {
	if !s.AllowNow {
		return Result{}, pairup.Errorf(pairup.EINVALID, "A rehearsal moves time, so only local and test deployments run one.")
	}
	if ev.Programme == "" || ev.Round == "" || ev.Now != nil {
		return Result{}, pairup.Errorf(pairup.EINVALID, `A rehearsal needs "programme" and "round", and no "now".`)
	}
	p, err := s.Store.GetProgramme(ctx, ev.Programme)
	if err != nil {
		return Result{}, err
	}
	r, err := s.Store.GetRound(ctx, ev.Programme, ev.Round)
	if err != nil {
		return Result{}, err
	}
	if r.State != pairup.RoundActive || r.Matching == nil {
		return Result{}, pairup.Errorf(pairup.ECONFLICT, "Round %s/%s is %s: commit its matching first (events/match-run-commit-%s.json).", p.ID, r.ID, r.State, p.ID)
	}
	sch := p.Schedule.Normalised()
	var day time.Time
	switch {
	case ev.RehearseDay < 0:
		return Result{}, pairup.Errorf(pairup.EINVALID, `"rehearseDay" must be a day after the introductions (1 or more).`)
	case ev.RehearseDay > 0:
		day = r.Matching.CommittedAt.AddDate(0, 0, ev.RehearseDay)
	default:
		w, ok := p.SurveyWindow(r, pairup.SurveyKind(ev.RehearseSurvey))
		if !ok || ev.RehearseSurvey == string(pairup.SurveyEnd) {
			return Result{}, pairup.Errorf(pairup.EINVALID, `"rehearseSurvey" must be "mid", or "report" in a mentor programme.`)
		}
		if ev.RehearseReminder < 0 {
			return Result{}, pairup.Errorf(pairup.EINVALID, `"rehearseReminder" cannot be negative.`)
		}
		day = w.Opens.AddDate(0, 0, ev.RehearseReminder*sch.ReminderEveryDays)
	}
	start := day.UTC().Truncate(24 * time.Hour).Add(-14 * time.Hour)
	res := Result{Rounds: []RoundResult{}}
	total := RoundResult{Programme: p.ID, Round: r.ID}
	for i := range 48 {
		now := start.Add(time.Duration(i) * time.Hour)
		one := ev
		one.RehearseDay, one.RehearseSurvey, one.RehearseReminder, one.Now = 0, "", 0, &now
		tr, err := s.Handle(ctx, one)
		if err != nil {
			return res, err
		}
		for _, rr := range tr.Rounds {
			total.Prompts += rr.Prompts
			total.CheckIns += rr.CheckIns
			total.SurveyInvites += rr.SurveyInvites
			total.SurveyReminders += rr.SurveyReminders
			total.ReportMissing += rr.ReportMissing
		}
		res.Ticks++
		res.Now = now
	}
	res.Rounds = append(res.Rounds, total)
	res.Queued = total.total()
	res.Summary = fmt.Sprintf("Rehearsed %s to %s UTC in %d hourly ticks: %d emails queued for %s (%s); the mailer sends them now, see the SES emulator's inbox.",
		start.Format("2 Jan 15:04"), res.Now.Format("2 Jan 15:04"), res.Ticks, res.Queued, r.Name, p.Name)
	return res, nil
}
