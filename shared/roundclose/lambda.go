package roundclose

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/pairup/pairup/shared/config"
	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/store"
)

// Needs are the configuration the round-close function requires: the table, and signed links
// (continue, survey and unsubscribe links). It queues email in the outbox; the mailer sends it.
var Needs = []config.Need{config.NeedTable, config.NeedLinks}

// Deps are the parts NewLambda builds from the configuration unless given.
type Deps struct {
	Clock    pairup.Clock
	Log      *slog.Logger
	DynamoDB []func(*dynamodb.Options) // extra client options (tests inject faults through them)
}

// NewLambda returns the round-close function's handler. It makes no network call: the
// link-signing key is read on the first invocation (and again after a failed read).
func NewLambda(ctx context.Context, cfg config.Config, d Deps) (func(context.Context, Event) (Result, error), error) {
	awsCfg, err := cfg.AWS(ctx)
	if err != nil {
		return nil, fmt.Errorf("roundclose: %w", err)
	}
	if d.Log == nil {
		d.Log = cfg.Logger()
	}
	if d.Clock == nil {
		d.Clock = pairup.SystemClock{}
	}
	tpl, err := mail.NewTemplates()
	if err != nil {
		return nil, fmt.Errorf("roundclose: %w", err)
	}
	st := store.New(cfg.DynamoDB(awsCfg, d.DynamoDB...), cfg.Table, d.Clock)
	var (
		mu  sync.Mutex
		svc *Service
	)
	return func(ctx context.Context, ev Event) (Result, error) {
		mu.Lock()
		if svc == nil {
			key, err := cfg.LoadLinkKey(ctx, awsCfg)
			if err != nil {
				mu.Unlock()
				return Result{}, err
			}
			signer, err := links.NewSigner(key)
			if err != nil {
				mu.Unlock()
				return Result{}, fmt.Errorf("roundclose: %w", err)
			}
			svc = &Service{Store: st, Templates: tpl, Links: signer, Clock: d.Clock, Log: d.Log, BaseURL: cfg.BaseURL, AllowNow: cfg.AllowNow}
		}
		s := svc
		mu.Unlock()
		res, err := s.Handle(ctx, ev)
		if err != nil {
			code := pairup.ErrorCode(err)
			if code == pairup.EINTERNAL {
				// Internal errors carry ids and SDK codes, never personal data.
				d.Log.ErrorContext(ctx, "round-close failed", "action", ev.Action, "programme", ev.Programme, "round", ev.Round, "err", err)
			} else {
				d.Log.WarnContext(ctx, "round-close refused", "action", ev.Action, "programme", ev.Programme, "round", ev.Round, "code", code)
			}
			return res, UserError(err)
		}
		return res, nil
	}, nil
}

// UserError is what the console shows for err: a domain error's own message naming the problem
// (with each bad field), anything else as an internal error without detail.
func UserError(err error) error {
	if pairup.ErrorCode(err) == pairup.EINTERNAL {
		return fmt.Errorf("the round close failed on our side; the logs say why (emails queued before the failure go out; running the same event again finishes the rest)")
	}
	msg := pairup.ErrorMessage(err)
	if f := pairup.Fields(err); len(f) > 0 {
		msg = "The event has problems: " + f.Error()
	}
	return fmt.Errorf("%s: %s", pairup.ErrorCode(err), msg)
}
