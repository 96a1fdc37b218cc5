// Package console wires the functions coordinators invoke from the console and the schedule
// triggers — match-run, round-tick, round-close: each builds its service from the
// configuration (the store over the table, the email templates, the clock, the logger) and
// reads the link-signing key on its first invocation (again after a failed read), so starting
// makes no network call. Every invocation's failure is logged by its code and ids, never by what
// the coordinator typed, and is returned as the error the console shows (UserError).
package console

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

// Needs are the configuration these functions require: the table, and signed links (the
// emails' links). They queue email in the outbox; the mailer sends it.
var Needs = []config.Need{config.NeedTable, config.NeedLinks}

// Deps are the parts New builds from the configuration unless given.
type Deps struct {
	Clock    pairup.Clock
	Log      *slog.Logger
	DynamoDB []func(*dynamodb.Options) // extra client options (tests inject faults through them)
}

// Parts are what a function's service is built from.
type Parts struct {
	Config    config.Config
	Store     *store.Store
	Templates *mail.Templates
	Links     *links.Signer
	Clock     pairup.Clock
	Log       *slog.Logger
}

// Function describes one console function to New.
type Function[E, R any] struct {
	// Name is the function's name in logs ("match-run").
	Name string
	// Build makes the function's handler from its parts, once.
	Build func(Parts) func(context.Context, E) (R, error)
	// Describe is what a log line may say of an event: ids only (action, programme, round).
	Describe func(E) []any
	// Internal is what the console shows for a failure on our side, without its detail: what
	// happened to the work and what to do.
	Internal string
}

// New returns f's Lambda handler.
func New[E, R any](ctx context.Context, cfg config.Config, d Deps, f Function[E, R]) (func(context.Context, E) (R, error), error) {
	awsCfg, err := cfg.AWS(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	if d.Log == nil {
		d.Log = cfg.Logger()
	}
	if d.Clock == nil {
		d.Clock = pairup.SystemClock{}
	}
	tpl, err := mail.NewTemplates()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	parts := Parts{Config: cfg, Store: store.New(cfg.DynamoDB(awsCfg, d.DynamoDB...), cfg.Table, d.Clock), Templates: tpl, Clock: d.Clock, Log: d.Log}
	var (
		mu sync.Mutex
		h  func(context.Context, E) (R, error)
	)
	return func(ctx context.Context, ev E) (R, error) {
		var zero R
		mu.Lock()
		if h == nil {
			key, err := cfg.LoadLinkKey(ctx, awsCfg)
			if err != nil {
				mu.Unlock()
				return zero, err
			}
			if parts.Links, err = links.NewSigner(key); err != nil {
				mu.Unlock()
				return zero, fmt.Errorf("%s: %w", f.Name, err)
			}
			h = f.Build(parts)
		}
		handle := h
		mu.Unlock()
		res, err := handle(ctx, ev)
		if err != nil {
			code := pairup.ErrorCode(err)
			if code == pairup.EINTERNAL {
				// Internal errors carry ids and SDK codes, never personal data.
				d.Log.ErrorContext(ctx, f.Name+" failed", append(f.Describe(ev), "err", err)...)
			} else {
				// A coordinator's mistake: the message may quote what they typed (an address).
				d.Log.WarnContext(ctx, f.Name+" refused", append(f.Describe(ev), "code", code)...)
			}
			return res, UserError(err, f.Internal)
		}
		return res, nil
	}, nil
}

// UserError is what the console shows for err: a domain error's own message naming the problem
// (with each bad field), anything else as internal, without detail.
func UserError(err error, internal string) error {
	if pairup.ErrorCode(err) == pairup.EINTERNAL {
		return fmt.Errorf("%s", internal)
	}
	msg := pairup.ErrorMessage(err)
	if f := pairup.Fields(err); len(f) > 0 {
		msg = "The event has problems: " + f.Error()
	}
	return fmt.Errorf("%s: %s", pairup.ErrorCode(err), msg)
}
