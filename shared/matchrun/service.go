package matchrun

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
)

// Store is what the matching run needs of the store (package store implements it).
type Store interface {
	GetProgramme(ctx context.Context, id string) (*pairup.Programme, error)
	ListProgrammes(ctx context.Context) ([]pairup.Programme, error)
	CreateRound(ctx context.Context, r *pairup.Round) error
	GetRound(ctx context.Context, programmeID, roundID string) (*pairup.Round, error)
	ListRounds(ctx context.Context, programmeID string) ([]pairup.Round, error)
	TransitionRound(ctx context.Context, programmeID, roundID string, from, to pairup.RoundState, at time.Time) (*pairup.Round, error)
	ListRegistrations(ctx context.Context, programmeID, roundID string, status pairup.Status) ([]pairup.Registration, error)
	SetRoundPairing(ctx context.Context, programmeID, roundID string, pins, forbids []pairup.PairRef) (*pairup.Round, error)
	BeginCommit(ctx context.Context, programmeID, roundID, owner string, lease time.Duration) (*pairup.Round, error)
	WritePlan(ctx context.Context, programmeID, roundID string, pairs []pairup.Pair, outcomes []pairup.Outcome) error
	FinishCommit(ctx context.Context, programmeID, roundID, owner string, stats pairup.MatchStats) (*pairup.Round, error)
	PreviousPartners(ctx context.Context, programmeID string, rounds []string) (map[string][]string, error)
	ListPairs(ctx context.Context, programmeID, roundID string) ([]pairup.Pair, error)
	ListOutcomes(ctx context.Context, programmeID, roundID string) ([]pairup.Outcome, error)
	Repair(ctx context.Context, programmeID, roundID string, ended []string, reason string, at time.Time, made []pairup.Pair, outcomes []pairup.Outcome, msgs []mail.Message) error
	Enqueue(ctx context.Context, msgs []mail.Message) (int, error)
	// The next round's invitations (nextround.go).
	ListDeferred(ctx context.Context, programmeID string) ([]pairup.Outcome, error)
	GetRegistration(ctx context.Context, programmeID, roundID, id string) (*pairup.Registration, error)
	ParticipantRegistrations(ctx context.Context, participantID string) ([]pairup.Registration, error)
}

// DefaultCommitLease is how long a commit holds its round: far longer than a commit of a few
// thousand people takes, short enough that a crashed run is taken over the same day.
const DefaultCommitLease = 10 * time.Minute

// Service runs coordinators' matching actions. All fields but CommitLease and AllowNow are
// required.
type Service struct {
	Store     Store
	Templates *mail.Templates
	Links     *links.Signer
	Clock     pairup.Clock
	Log       *slog.Logger
	// BaseURL is the public root of the hosted forms, for unsubscribe links in emails.
	BaseURL string
	// AllowNow lets an event's "now" replace the clock (local and test stacks only).
	AllowNow    bool
	CommitLease time.Duration
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
	case ActionOpenRound:
		return s.openRound(ctx, ev)
	case ActionCloseSignup:
		return s.closeSignup(ctx, ev, now)
	case ActionPin, ActionForbid, ActionUnpin, ActionUnforbid:
		return s.adjust(ctx, ev, now)
	case ActionMatch, "":
		if ev.Action == "" && ev.Programme == "" {
			break
		}
		dry := ev.DryRun == nil || *ev.DryRun
		return s.match(ctx, ev.Programme, ev.Round, dry, runID(ctx), now)
	case ActionScheduled:
		return s.scheduled(ctx, runID(ctx), now)
	case ActionRepair:
		return s.repair(ctx, ev, ev.DryRun == nil || *ev.DryRun, now)
	}
	return Result{}, pairup.Errorf(pairup.EINVALID, "Unknown action %q: use one of %s.", ev.Action,
		strings.Join([]string{ActionOpenRound, ActionCloseSignup, ActionPin, ActionForbid, ActionUnpin, ActionUnforbid, ActionMatch, ActionScheduled, ActionRepair}, ", "))
}

// runID names this invocation: Lambda's request id, which a retried invocation keeps (so it
// resumes its own commit), or a random id outside Lambda.
func runID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		return lc.AwsRequestID
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "local-" + hex.EncodeToString(b)
}

func (s *Service) lease() time.Duration {
	if s.CommitLease > 0 {
		return s.CommitLease
	}
	return DefaultCommitLease
}

func (s *Service) load(ctx context.Context, programmeID, roundID string) (*pairup.Programme, *pairup.Round, error) {
	if programmeID == "" || roundID == "" {
		return nil, nil, pairup.Errorf(pairup.EINVALID, `This action needs "programme" and "round".`)
	}
	p, err := s.Store.GetProgramme(ctx, programmeID)
	if err != nil {
		return nil, nil, err
	}
	r, err := s.Store.GetRound(ctx, programmeID, roundID)
	if err != nil {
		return nil, nil, err
	}
	return p, r, nil
}

func (s *Service) openRound(ctx context.Context, ev Event) (Result, error) {
	if ev.Programme == "" || ev.NewRound == nil {
		return Result{}, pairup.Errorf(pairup.EINVALID, `open-round needs "programme" and "newRound" (id, name, signupOpens, signupCloses, starts, ends).`)
	}
	p, err := s.Store.GetProgramme(ctx, ev.Programme)
	if err != nil {
		return Result{}, err
	}
	n := ev.NewRound
	r := &pairup.Round{
		ProgrammeID: p.ID, ID: n.ID, Name: n.Name, State: pairup.RoundOpen,
		SignupOpens: n.SignupOpens.UTC(), SignupCloses: n.SignupCloses.UTC(), Starts: n.Starts.UTC(), Ends: n.Ends.UTC(),
		MidSurvey: n.MidSurvey.UTC(), EndSurvey: n.EndSurvey.UTC(), UpdatedAt: s.Clock.Now(),
	}
	if err := r.Validate(); err != nil {
		return Result{}, err
	}
	if err := s.Store.CreateRound(ctx, r); pairup.ErrorCode(err) == pairup.ECONFLICT {
		// The same event again (a retry after a lost answer) goes on to the invitations, which
		// are queued once; a different round under the same id is refused.
		existing, gerr := s.Store.GetRound(ctx, p.ID, r.ID)
		if gerr != nil || !sameCalendar(existing, r) {
			return Result{}, pairup.Errorf(pairup.ECONFLICT, "Programme %s already has a round %q; choose another id.", p.ID, r.ID)
		}
		r = existing
	} else if err != nil {
		return Result{}, err
	}
	s.Log.InfoContext(ctx, "round opened", "programme", p.ID, "round", r.ID)
	return s.inviteDeferred(ctx, p, r, Result{
		Summary: fmt.Sprintf("Opened %s for %s: signup from %s until %s; the round runs %s to %s.", r.Name, p.Name,
			day(r.SignupOpens), day(r.SignupCloses), day(r.Starts), day(r.Ends)),
		Action: ev.Action, Programme: p.ID, Round: r.ID, State: string(r.State),
	})
}

func (s *Service) closeSignup(ctx context.Context, ev Event, now time.Time) (Result, error) {
	p, r, err := s.load(ctx, ev.Programme, ev.Round)
	if err != nil {
		return Result{}, err
	}
	if r.State != pairup.RoundOpen {
		return Result{}, pairup.Errorf(pairup.ECONFLICT, "Signup for %s is already closed: the round is %s.", r.Name, r.State)
	}
	moved, err := s.Store.TransitionRound(ctx, p.ID, r.ID, pairup.RoundOpen, pairup.RoundMatching, now)
	if pairup.ErrorCode(err) == pairup.ECONFLICT {
		// The move may have applied with its answer lost (the SDK retried it), or another run
		// closed signup meanwhile: either way, a round now in matching is what was asked.
		if again, gerr := s.Store.GetRound(ctx, p.ID, r.ID); gerr == nil && again.State == pairup.RoundMatching {
			moved, err = again, nil
		}
	}
	if err != nil {
		return Result{}, err
	}
	r = moved
	s.Log.InfoContext(ctx, "signup closed", "programme", p.ID, "round", r.ID)
	return Result{
		Summary: fmt.Sprintf("Signup for %s (%s) is closed; the round is ready for matching: run {\"action\":\"match\"} to preview it.", r.Name, p.Name),
		Action:  ev.Action, Programme: p.ID, Round: r.ID, State: string(r.State),
	}, nil
}

func day(t time.Time) string { return t.UTC().Format("2 January 2006") }

// unsubscribeURL is the one-click unsubscribe link of the email with outbox key key: the link
// names the email, not the address (the store finds the address from the key).
func (s *Service) unsubscribeURL(key string, now time.Time) string {
	tok := s.Links.Sign(links.PurposeUnsubscribe, key, now.Add(links.UnsubscribeTTL))
	return s.BaseURL + "/unsubscribe?t=" + url.QueryEscape(tok)
}
