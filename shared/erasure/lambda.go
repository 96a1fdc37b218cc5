package erasure

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/pairup/pairup/shared/config"
	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/store"
)

// Actions the erase function takes.
const (
	// ActionErase erases one person on request: by "email", or by "registration"
	// ("<programme>/<round>/<registration id>").
	ActionErase = "erase"
	// ActionRetention erases the personal data of rounds closed longer ago than their
	// programme's retention: what the daily schedule sends.
	ActionRetention = "retention"
)

// Event is the erase function's input. Examples are in events/erase-*.json.
type Event struct {
	Action       string `json:"action"`
	Email        string `json:"email,omitempty"`
	Registration string `json:"registration,omitempty"`
}

// Needs are the configuration the erase function requires: the table, and the link key (an
// erased address's suppression is kept under a hash keyed with it).
var Needs = []config.Need{config.NeedTable, config.NeedLinks}

// Deps are the parts NewLambda builds from the configuration unless given.
type Deps struct {
	Clock    pairup.Clock
	Log      *slog.Logger
	DynamoDB []func(*dynamodb.Options) // extra client options (tests inject faults through them)
}

// Handle runs one event.
func (s *Service) Handle(ctx context.Context, ev Event) (*Report, error) {
	switch ev.Action {
	case ActionErase:
		switch {
		case (ev.Email == "") == (ev.Registration == ""):
			return nil, pairup.Errorf(pairup.EINVALID, `An erase event names one person: "email" (their address) or "registration" ("<programme>/<round>/<registration id>"), not both.`)
		case ev.Email != "":
			return s.ErasePerson(ctx, ev.Email)
		}
		ps := strings.Split(ev.Registration, "/")
		if len(ps) != 3 {
			return nil, pairup.Errorf(pairup.EINVALID, `"registration" is "<programme>/<round>/<registration id>", e.g. "iln/2027-1/abcd…".`)
		}
		return s.EraseRegistration(ctx, ps[0], ps[1], ps[2])
	case ActionRetention:
		if ev.Email != "" || ev.Registration != "" {
			return nil, pairup.Errorf(pairup.EINVALID, `"retention" erases whatever is due and takes no "email" or "registration"; to erase one person use "action": "erase".`)
		}
		return s.Retention(ctx, s.Clock.Now())
	default:
		return nil, pairup.Errorf(pairup.EINVALID, `Unknown action %q: the erase function takes "erase" (with "email" or "registration") or "retention".`, ev.Action)
	}
}

// NewLambda returns the erase function's handler. It makes no network call: the link key is read
// on the first invocation (and again after a failed read).
func NewLambda(ctx context.Context, cfg config.Config, d Deps) (func(context.Context, Event) (*Report, error), error) {
	awsCfg, err := cfg.AWS(ctx)
	if err != nil {
		return nil, fmt.Errorf("erasure: %w", err)
	}
	if d.Log == nil {
		d.Log = cfg.Logger()
	}
	if d.Clock == nil {
		d.Clock = pairup.SystemClock{}
	}
	st := store.New(cfg.DynamoDB(awsCfg, d.DynamoDB...), cfg.Table, d.Clock)
	var (
		mu  sync.Mutex
		svc *Service
	)
	return func(ctx context.Context, ev Event) (*Report, error) {
		mu.Lock()
		if svc == nil {
			keys, err := cfg.LoadLinkKeys(ctx, awsCfg)
			if err != nil {
				mu.Unlock()
				return nil, err
			}
			signer, err := links.NewSigner(keys...)
			if err != nil {
				mu.Unlock()
				return nil, fmt.Errorf("erasure: %w", err)
			}
			svc = &Service{Store: st, Links: signer, Clock: d.Clock, Log: d.Log}
		}
		s := svc
		mu.Unlock()
		rep, err := s.Handle(ctx, ev)
		if err != nil {
			code := pairup.ErrorCode(err)
			if code == pairup.EINTERNAL {
				// Internal errors carry ids and SDK codes, never personal data.
				d.Log.ErrorContext(ctx, "erase failed", "action", ev.Action, "err", err)
			} else {
				// A coordinator's mistake: the message may quote what they typed (an address).
				d.Log.WarnContext(ctx, "erase refused", "action", ev.Action, "code", code)
			}
			return nil, UserError(err)
		}
		return rep, nil
	}, nil
}

// UserError is what the console shows for err: a domain error's own message, anything else as
// an internal error without detail.
func UserError(err error) error {
	if pairup.ErrorCode(err) == pairup.EINTERNAL {
		return fmt.Errorf("the erasure failed on our side; the logs say why. Run the same event again: it finishes what is left")
	}
	return fmt.Errorf("%s: %s", pairup.ErrorCode(err), pairup.ErrorMessage(err))
}
