package matchrun

import (
	"context"

	"github.com/pairup/pairup/shared/config"
	"github.com/pairup/pairup/shared/console"
)

// Needs are the configuration the match-run function requires: the table, and signed links
// (the emails' unsubscribe links). It queues email in the outbox; the mailer sends it.
var Needs = console.Needs

// Deps are the parts NewLambda builds from the configuration unless given.
type Deps = console.Deps

// NewLambda returns the match-run function's handler. It makes no network call: the
// link-signing key is read on the first invocation (and again after a failed read).
func NewLambda(ctx context.Context, cfg config.Config, d Deps) (func(context.Context, Event) (Result, error), error) {
	return console.New(ctx, cfg, d, console.Function[Event, Result]{
		Name: "match-run",
		Build: func(p console.Parts) func(context.Context, Event) (Result, error) {
			s := &Service{Store: p.Store, Templates: p.Templates, Links: p.Links, Clock: p.Clock, Log: p.Log, BaseURL: p.Config.BaseURL, AllowNow: p.Config.AllowNow}
			return s.Handle
		},
		Describe: func(ev Event) []any { return []any{"action", ev.Action, "programme", ev.Programme, "round", ev.Round} },
		Internal: internalError,
	})
}

// internalError is what the console shows for a failure on our side.
const internalError = "the matching run failed on our side; the logs say why (nothing was committed unless the round is now active)"

// UserError is what the console shows for err (console.UserError).
func UserError(err error) error { return console.UserError(err, internalError) }
