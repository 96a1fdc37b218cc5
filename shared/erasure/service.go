package erasure

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/store"
)

// Store is what erasure needs of the store (package store implements it).
type Store interface {
	ListProgrammes(ctx context.Context) ([]pairup.Programme, error)
	GetProgramme(ctx context.Context, id string) (*pairup.Programme, error)
	ListRounds(ctx context.Context, programmeID string) ([]pairup.Round, error)
	GetRound(ctx context.Context, programmeID, roundID string) (*pairup.Round, error)
	GetPerson(ctx context.Context, email string) (string, error)
	ClaimedRegistrations(ctx context.Context, email string, rounds []pairup.Round) ([]pairup.Registration, error)
	RegistrationsByEmail(ctx context.Context, programmeID, roundID, email string) ([]pairup.Registration, error)
	ParticipantRegistrations(ctx context.Context, participantID string) ([]pairup.Registration, error)
	AllRegistrations(ctx context.Context, programmeID, roundID string) ([]pairup.Registration, error)
	GetRegistrationAny(ctx context.Context, programmeID, roundID, id string) (*pairup.Registration, error)
	WithdrawForErasure(ctx context.Context, programmeID, roundID, id string, at time.Time) (bool, error)
	AnonymiseRegistration(ctx context.Context, programmeID, roundID, id string, at time.Time) (bool, error)
	CancelMessages(ctx context.Context, e store.Erasing, at time.Time) (int, error)
	EraseSentMessages(ctx context.Context, e store.Erasing, at time.Time) (int, error)
	GetSurveyResponse(ctx context.Context, programmeID, roundID string, kind pairup.SurveyKind, registrationID string) (*pairup.SurveyResponse, error)
	EraseSurveyAnswers(ctx context.Context, programmeID, roundID string, kind pairup.SurveyKind, registrationID string, questions []string, at time.Time) (bool, error)
	LeaveDeferred(ctx context.Context, programmeID, roundID, registrationID string) (bool, error)
	DeleteEmailClaim(ctx context.Context, programmeID, roundID, email string) (bool, error)
	DeleteRoundEmailClaims(ctx context.Context, programmeID, roundID string) (int, error)
	HashSuppression(ctx context.Context, email, hash string) (bool, error)
	DeletePerson(ctx context.Context, email string) (bool, error)
	RoundErasedAt(ctx context.Context, programmeID, roundID string) (time.Time, error)
	MarkRoundErased(ctx context.Context, programmeID, roundID string, at time.Time) error
	MessageRecipient(ctx context.Context, messageKey string) (string, error)
}

// Service erases. Store, Links, Clock and Log are required.
type Service struct {
	Store Store
	// Links signs and reads erase links, and keys the hash an erased address's suppression is
	// kept under (store.SuppressionHashes).
	Links *links.Signer
	Clock pairup.Clock
	Log   *slog.Logger
	// BaseURL is the public root of the hosted pages: the erase page's withdraw link for someone
	// still in a running round. Optional.
	BaseURL string
}

// Report is what an erasure changed, in counts (never a name or an address), with a summary in
// plain language first.
type Report struct {
	Summary string `json:"summary"`
	// Registrations anonymised: name, address and profile answers removed.
	Registrations int `json:"registrations"`
	// Withdrawn: of them, taken out of a round that had not closed.
	Withdrawn int `json:"withdrawn"`
	// MessagesCancelled: unsent emails that spoke of the person, cancelled.
	MessagesCancelled int `json:"messagesCancelled"`
	// MessagesRedacted: emails that went to the address, which lost it.
	MessagesRedacted int `json:"messagesRedacted"`
	// SurveyResponses that lost their free-text answers.
	SurveyResponses int `json:"surveyResponses"`
	// Deferred: outcomes taken off the next round's invitation list.
	Deferred int `json:"deferred"`
	// EmailClaims deleted.
	EmailClaims int `json:"emailClaims"`
	// Suppressions kept as a keyed hash instead of the address.
	Suppressions int `json:"suppressions"`
	// People: person records deleted.
	People int `json:"people"`
	// Rounds (retention): rounds whose personal data was erased.
	Rounds int `json:"rounds,omitempty"`
}

func (r *Report) add(o Report) {
	r.Registrations += o.Registrations
	r.Withdrawn += o.Withdrawn
	r.MessagesCancelled += o.MessagesCancelled
	r.MessagesRedacted += o.MessagesRedacted
	r.SurveyResponses += o.SurveyResponses
	r.Deferred += o.Deferred
	r.EmailClaims += o.EmailClaims
	r.Suppressions += o.Suppressions
	r.People += o.People
	r.Rounds += o.Rounds
}

func (r *Report) changed() bool {
	o := *r
	o.Summary, o.Rounds = "", 0
	return o != Report{}
}

// details says what r changed, as a sentence part: "2 registrations anonymised (1 withdrawn
// from a running round), 3 emails …".
func (r *Report) details() string {
	var parts []string
	count := func(n int, one, many string) {
		switch {
		case n == 1:
			parts = append(parts, "1 "+one)
		case n > 1:
			parts = append(parts, fmt.Sprintf("%d %s", n, many))
		}
	}
	count(r.Registrations, "registration anonymised", "registrations anonymised")
	if r.Withdrawn > 0 {
		parts[len(parts)-1] += fmt.Sprintf(" (%d taken out of a round still running)", r.Withdrawn)
	}
	count(r.MessagesCancelled, "unsent email cancelled", "unsent emails cancelled")
	count(r.MessagesRedacted, "sent email stripped of the address", "sent emails stripped of the address")
	count(r.SurveyResponses, "survey response stripped of its written answers", "survey responses stripped of their written answers")
	count(r.Deferred, "place on a next round's invitation list given up", "places on next rounds' invitation lists given up")
	count(r.EmailClaims, "email claim deleted", "email claims deleted")
	count(r.People, "person record deleted", "person records deleted")
	count(r.Suppressions, "suppression kept as a keyed hash only", "suppressions kept as keyed hashes only")
	return strings.Join(parts, ", ")
}

// ErasePerson erases everything the table holds about the person with an address, across every
// round and programme, in the order of the package doc, and reports what it changed. Erasing
// again changes nothing more (the report says there was nothing left). EINVALID for a malformed
// address; ECONFLICT, nothing changed, while a matching run is committing one of the person's
// rounds (try again once it has finished, within minutes).
func (s *Service) ErasePerson(ctx context.Context, email string) (*Report, error) {
	addr, msg := pairup.NormaliseEmail(email)
	if msg != "" {
		return nil, pairup.Errorf(pairup.EINVALID, "%s", msg)
	}
	rounds, err := s.allRounds(ctx)
	if err != nil {
		return nil, err
	}
	regs, err := s.registrationsOf(ctx, addr, rounds)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	byRound := map[string]*pairup.Round{}
	for i := range rounds {
		byRound[roundKey(rounds[i].ProgrammeID, rounds[i].ID)] = &rounds[i]
	}
	for _, reg := range regs {
		if r := byRound[roundKey(reg.ProgrammeID, reg.RoundID)]; r != nil && committing(r, now) {
			return nil, pairup.Errorf(pairup.ECONFLICT, "A matching run is committing round %s/%s, which this person is in; nothing was erased. Try again in a few minutes, once it has finished.", r.ProgrammeID, r.ID)
		}
	}
	rep := &Report{}
	e := store.Erasing{Email: addr, Everything: true}
	for i := range regs {
		reg := &regs[i]
		e.Registrations = append(e.Registrations, reg.ID)
		if r := byRound[roundKey(reg.ProgrammeID, reg.RoundID)]; r != nil {
			e.Rounds = append(e.Rounds, mail.AboutRound(r.ProgrammeID, r.ID))
			if err := s.takeOut(ctx, r, reg, now, rep); err != nil {
				return nil, err
			}
		}
		if err := s.count(&rep.Registrations)(s.Store.AnonymiseRegistration(ctx, reg.ProgrammeID, reg.RoundID, reg.ID, now)); err != nil {
			return nil, err
		}
	}
	n, err := s.Store.CancelMessages(ctx, e, now)
	rep.MessagesCancelled += n
	if err != nil {
		return nil, err
	}
	for i := range regs {
		if err := s.eraseAnswers(ctx, &regs[i], now, rep); err != nil {
			return nil, err
		}
		if err := s.count(&rep.EmailClaims)(s.Store.DeleteEmailClaim(ctx, regs[i].ProgrammeID, regs[i].RoundID, addr)); err != nil {
			return nil, err
		}
	}
	if err := s.forget(ctx, addr, e, now, rep); err != nil {
		return nil, err
	}
	rep.Summary = summary(rep, "this address")
	s.Log.InfoContext(ctx, "person erased", "registrations", len(regs), "anonymised", rep.Registrations, "cancelled", rep.MessagesCancelled,
		"redacted", rep.MessagesRedacted, "claims", rep.EmailClaims, "people", rep.People, "suppressions", rep.Suppressions)
	return rep, nil
}

// EraseRegistration erases the person a registration belongs to: everything ErasePerson erases
// for its address. A registration erased before (its address gone) is finished off on its own:
// its survey answers and deferred place, again, idempotently. ENOTFOUND if there is no such
// registration; ECONFLICT as ErasePerson.
func (s *Service) EraseRegistration(ctx context.Context, programmeID, roundID, id string) (*Report, error) {
	if !pairup.ValidID(programmeID) || !pairup.ValidID(roundID) || id == "" {
		return nil, pairup.Errorf(pairup.EINVALID, `A registration is named "<programme>/<round>/<registration id>", as the coordinators' emails and the CSV give it.`)
	}
	reg, err := s.Store.GetRegistrationAny(ctx, programmeID, roundID, id)
	if err != nil {
		return nil, err
	}
	if reg.Email != "" {
		return s.ErasePerson(ctx, reg.Email)
	}
	now := s.Clock.Now()
	rep := &Report{}
	if err := s.eraseAnswers(ctx, reg, now, rep); err != nil {
		return nil, err
	}
	if err := s.count(&rep.Registrations)(s.Store.AnonymiseRegistration(ctx, programmeID, roundID, id, now)); err != nil {
		return nil, err
	}
	rep.Summary = summary(rep, "this registration")
	s.Log.InfoContext(ctx, "registration erased again", "programme", programmeID, "round", roundID, "registration", id)
	return rep, nil
}

// Retention erases the personal data of every round closed longer ago than its programme's
// retention (pairup.Programme.RetentionDue at now), by the same steps as a person's erasure but
// confined to that round's registrations: a person who is also in a later round keeps that
// round's data, their person record and their suppression; one who is in no other round is
// forgotten entirely. A round done is marked (store.MarkRoundErased) and passed by later;
// a run interrupted in a round starts it again and converges.
func (s *Service) Retention(ctx context.Context, now time.Time) (*Report, error) {
	ps, err := s.Store.ListProgrammes(ctx)
	if err != nil {
		return nil, fmt.Errorf("erasure: retention: %w", err)
	}
	total := &Report{}
	for i := range ps {
		p := &ps[i]
		rounds, err := s.Store.ListRounds(ctx, p.ID)
		if err != nil {
			return nil, fmt.Errorf("erasure: retention: %w", err)
		}
		for j := range rounds {
			r := &rounds[j]
			if !p.RetentionDue(r, now) {
				continue
			}
			done, err := s.Store.RoundErasedAt(ctx, p.ID, r.ID)
			if err != nil {
				return nil, fmt.Errorf("erasure: retention: %w", err)
			}
			if !done.IsZero() {
				continue
			}
			rep, err := s.retainRound(ctx, p, r, now)
			if err != nil {
				return nil, fmt.Errorf("erasure: retention of %s/%s: %w", p.ID, r.ID, err)
			}
			rep.Rounds = 1
			total.add(*rep)
			s.Log.InfoContext(ctx, "round erased by retention", "programme", p.ID, "round", r.ID, "anonymised", rep.Registrations,
				"people", rep.People, "claims", rep.EmailClaims, "redacted", rep.MessagesRedacted)
		}
	}
	switch {
	case total.Rounds == 0:
		total.Summary = "No round is due for erasure: every closed round is within its programme's retention, or was erased before."
	default:
		total.Summary = fmt.Sprintf("Erased the personal data of %d %s closed longer ago than their programme's retention: %s.",
			total.Rounds, plural(total.Rounds, "round", "rounds"), cmp.Or(total.details(), "nothing was left to erase"))
	}
	return total, nil
}

// retainRound erases one round's registrations for retention.
func (s *Service) retainRound(ctx context.Context, p *pairup.Programme, r *pairup.Round, now time.Time) (*Report, error) {
	regs, err := s.Store.AllRegistrations(ctx, p.ID, r.ID)
	if err != nil {
		return nil, err
	}
	rep := &Report{}
	for i := range regs {
		reg := &regs[i]
		if reg.Email == "" {
			continue // anonymised before: its other steps came first
		}
		e := store.Erasing{Email: reg.Email, Registrations: []string{reg.ID}, Rounds: []string{mail.AboutRound(p.ID, r.ID)}}
		n, err := s.Store.CancelMessages(ctx, e, now)
		rep.MessagesCancelled += n
		if err != nil {
			return nil, err
		}
		if err := s.eraseAnswers(ctx, reg, now, rep); err != nil {
			return nil, err
		}
		if err := s.count(&rep.EmailClaims)(s.Store.DeleteEmailClaim(ctx, p.ID, r.ID, reg.Email)); err != nil {
			return nil, err
		}
		elsewhere, err := s.keptElsewhere(ctx, reg)
		if err != nil {
			return nil, err
		}
		if elsewhere {
			n, err := s.Store.EraseSentMessages(ctx, e, now)
			rep.MessagesRedacted += n
			if err != nil {
				return nil, err
			}
		} else {
			e.Everything = true
			if err := s.forget(ctx, reg.Email, e, now, rep); err != nil {
				return nil, err
			}
		}
		// Last: the address is what every step above finds the person's items by.
		if err := s.count(&rep.Registrations)(s.Store.AnonymiseRegistration(ctx, p.ID, r.ID, reg.ID, now)); err != nil {
			return nil, err
		}
	}
	n, err := s.Store.DeleteRoundEmailClaims(ctx, p.ID, r.ID)
	rep.EmailClaims += n
	if err != nil {
		return nil, err
	}
	if err := s.Store.MarkRoundErased(ctx, p.ID, r.ID, now); err != nil {
		return nil, err
	}
	return rep, nil
}

// keptElsewhere reports whether reg's person has a registration, in another round, that
// retention is not erasing now (not erased, and not in a round due for it): then their person
// record, suppression and other emails stay.
func (s *Service) keptElsewhere(ctx context.Context, reg *pairup.Registration) (bool, error) {
	pid := reg.ParticipantID
	if pid == "" {
		var err error
		if pid, err = s.Store.GetPerson(ctx, reg.Email); pairup.ErrorCode(err) == pairup.ENOTFOUND {
			return false, nil
		} else if err != nil {
			return false, err
		}
	}
	others, err := s.Store.ParticipantRegistrations(ctx, pid)
	if err != nil {
		return false, err
	}
	for _, o := range others {
		if o.ProgrammeID == reg.ProgrammeID && o.RoundID == reg.RoundID || o.Email == "" {
			continue
		}
		return true, nil
	}
	return false, nil
}

// forget erases what belongs to the address itself rather than to a registration: its
// suppression (kept as a keyed hash), the emails that went to it (e.Everything), and, last, the
// person record.
func (s *Service) forget(ctx context.Context, addr string, e store.Erasing, now time.Time, rep *Report) error {
	if err := s.count(&rep.Suppressions)(s.Store.HashSuppression(ctx, addr, store.SuppressionHashes(s.Links, addr)[0])); err != nil {
		return err
	}
	n, err := s.Store.EraseSentMessages(ctx, e, now)
	rep.MessagesRedacted += n
	if err != nil {
		return err
	}
	return s.count(&rep.People)(s.Store.DeletePerson(ctx, addr))
}

// takeOut withdraws reg from round r if the round has not closed and reg is still in it: no
// email goes to or names them from now on (the senders read confirmed registrations), and a
// matching leaves them out. Their pairs are left as they are and nobody is told: that is what
// withdrawing does (the withdraw page, which offers erasure after it; the erase page offers it
// first), and a coordinator can re-pair the partner (match-run's repair).
func (s *Service) takeOut(ctx context.Context, r *pairup.Round, reg *pairup.Registration, now time.Time, rep *Report) error {
	if r.State == pairup.RoundClosed || (reg.Status != pairup.StatusPending && reg.Status != pairup.StatusConfirmed) {
		return nil
	}
	return s.count(&rep.Withdrawn)(s.Store.WithdrawForErasure(ctx, reg.ProgrammeID, reg.RoundID, reg.ID, now))
}

// eraseAnswers removes the free-text answers of reg's survey responses and takes its deferred
// outcome off the invitation list.
func (s *Service) eraseAnswers(ctx context.Context, reg *pairup.Registration, now time.Time, rep *Report) error {
	p, err := s.Store.GetProgramme(ctx, reg.ProgrammeID)
	if err != nil {
		return err
	}
	for _, kind := range []pairup.SurveyKind{pairup.SurveyMid, pairup.SurveyEnd, pairup.SurveyReport} {
		resp, err := s.Store.GetSurveyResponse(ctx, reg.ProgrammeID, reg.RoundID, kind, reg.ID)
		if pairup.ErrorCode(err) == pairup.ENOTFOUND {
			continue
		}
		if err != nil {
			return err
		}
		drop := FreeText(p.Survey(kind), resp.Answers)
		if err := s.count(&rep.SurveyResponses)(s.Store.EraseSurveyAnswers(ctx, reg.ProgrammeID, reg.RoundID, kind, reg.ID, drop, now)); err != nil {
			return err
		}
	}
	return s.count(&rep.Deferred)(s.Store.LeaveDeferred(ctx, reg.ProgrammeID, reg.RoundID, reg.ID))
}

// FreeText returns the ids of the answers that may hold free text, sorted: answers to the
// form's text questions, to questions the form no longer has (their kind is unknown), and any
// answer that is not one of its question's fixed values. Scale and choice answers with valid
// values stay: they are the surveys' statistics and say nothing about who gave them.
func FreeText(f pairup.SurveyForm, answers pairup.SurveyAnswers) []string {
	var out []string
	for id, vals := range answers {
		i := slices.IndexFunc(f.Questions, func(q pairup.SurveyQuestion) bool { return q.ID == id })
		if i < 0 || !fixed(f.Questions[i], vals) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// fixed reports whether vals are all fixed values of q: a scale's 1–5, a choice's options.
func fixed(q pairup.SurveyQuestion, vals []string) bool {
	for _, v := range vals {
		switch q.Kind {
		case pairup.QuestionScale:
			if !slices.Contains(pairup.Scale, v) {
				return false
			}
		case pairup.QuestionChoice, pairup.QuestionMulti:
			if !slices.ContainsFunc(q.Options, func(o pairup.Option) bool { return o.Value == v }) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// registrationsOf finds an address's registrations: by its claims in every round (consistent),
// by the registrations of recent rounds filtered by address (consistent: a pending signup that
// withdrew has lost its claim, and an expired one's claim may have been taken over; pending
// signups exist only in rounds whose signup closed less than recentSignup ago), and by its
// person's participant id (GSI1, eventually consistent), each once.
func (s *Service) registrationsOf(ctx context.Context, addr string, rounds []pairup.Round) ([]pairup.Registration, error) {
	regs, err := s.Store.ClaimedRegistrations(ctx, addr, rounds)
	if err != nil {
		return nil, err
	}
	since := s.Clock.Now().Add(-recentSignup)
	for _, r := range rounds {
		if r.SignupCloses.Before(since) && r.State != pairup.RoundOpen && r.State != pairup.RoundDraft {
			continue
		}
		more, err := s.Store.RegistrationsByEmail(ctx, r.ProgrammeID, r.ID, addr)
		if err != nil {
			return nil, err
		}
		regs = append(regs, more...)
	}
	pid, err := s.Store.GetPerson(ctx, addr)
	switch {
	case pairup.ErrorCode(err) == pairup.ENOTFOUND:
	case err != nil:
		return nil, err
	default:
		more, err := s.Store.ParticipantRegistrations(ctx, pid)
		if err != nil {
			return nil, err
		}
		regs = append(regs, more...)
	}
	seen := map[string]bool{}
	out := regs[:0]
	for _, r := range regs {
		k := roundKey(r.ProgrammeID, r.RoundID) + "/" + r.ID
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b pairup.Registration) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// allRounds lists every round of every programme.
func (s *Service) allRounds(ctx context.Context) ([]pairup.Round, error) {
	ps, err := s.Store.ListProgrammes(ctx)
	if err != nil {
		return nil, fmt.Errorf("erasure: %w", err)
	}
	var out []pairup.Round
	for _, p := range ps {
		rs, err := s.Store.ListRounds(ctx, p.ID)
		if err != nil {
			return nil, fmt.Errorf("erasure: %w", err)
		}
		out = append(out, rs...)
	}
	return out, nil
}

// committing reports whether a matching run holds round r's commit lease at now: its pairs and
// outcomes are being written from the registrations it read.
func committing(r *pairup.Round, now time.Time) bool {
	return r.State == pairup.RoundMatching && r.CommitOwner != "" && now.Before(r.CommitUntil)
}

// recentSignup bounds how long after a round's signup closes it may still hold pending signups
// (they expire 14 days after they were made; DynamoDB's TTL deletes them within days more).
const recentSignup = 60 * 24 * time.Hour

func roundKey(programmeID, roundID string) string { return programmeID + "/" + roundID }

// count returns a function that counts a step's change into n and passes its error on.
func (s *Service) count(n *int) func(bool, error) error {
	return func(changed bool, err error) error {
		if err != nil {
			return fmt.Errorf("erasure: %w", err)
		}
		if changed {
			*n++
		}
		return nil
	}
}

func summary(rep *Report, what string) string {
	if !rep.changed() {
		return fmt.Sprintf("Nothing to erase: the table holds no personal data for %s (it was erased before, or never signed up).", what)
	}
	return "Erased: " + rep.details() + "."
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
