// Package app wires the signup function from its configuration: store, link signer, clock,
// templates, service, HTTP handler. The signup main, `make dev`, `make invoke` and the
// end-to-end tests build through it, so what runs locally is what runs in Lambda. (Each other
// function wires itself in its own package's NewLambda, so no binary links another's code.)
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/pairup/pairup/shared/config"
	"github.com/pairup/pairup/shared/erasure"
	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/signup"
	"github.com/pairup/pairup/shared/signupweb"
	"github.com/pairup/pairup/shared/store"
	"github.com/pairup/pairup/shared/web"
)

// Needs are the configuration the signup function requires: the table and signed links (it
// queues its email in the outbox; the mailer sends it).
var Needs = []config.Need{config.NeedTable, config.NeedLinks}

// Deps are the parts a handler is built from; zero fields are built from the configuration.
type Deps struct {
	Clock pairup.Clock
	Log   *slog.Logger
}

// Signup returns the hosted-forms handler. It makes no network call: the link-signing key ring
// (in Lambda, a Secrets Manager secret) is read on the first request and kept; a failed read is
// retried by the next request.
func Signup(ctx context.Context, cfg config.Config, d Deps) (http.Handler, error) {
	awsCfg, err := cfg.AWS(ctx)
	if err != nil {
		return nil, err
	}
	if d.Log == nil {
		d.Log = cfg.Logger()
	}
	if d.Clock == nil {
		d.Clock = pairup.SystemClock{}
	}
	tpl, err := mail.NewTemplates()
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	st := store.New(cfg.DynamoDB(awsCfg), cfg.Table, d.Clock)
	build := func(ctx context.Context) (http.Handler, error) {
		keys, err := cfg.LoadLinkKeys(ctx, awsCfg)
		if err != nil {
			return nil, err
		}
		signer, err := links.NewSigner(keys...)
		if err != nil {
			return nil, fmt.Errorf("app: %w", err)
		}
		svc := &signup.Service{
			Store: st, Templates: tpl, Links: signer, Clock: d.Clock,
			BaseURL: cfg.BaseURL, Log: d.Log, MinFill: cfg.MinFill,
			SignupsPerSourceHour:         cfg.SignupsPerSourceHour,
			ConfirmationsPerProgrammeDay: cfg.ConfirmationsPerProgrammeDay,
		}
		withdrawals := &signup.Withdrawals{Store: st, Templates: tpl, Links: signer, Clock: d.Clock, Log: d.Log, BaseURL: cfg.BaseURL}
		rejoins := &signup.Rejoins{Store: st, Links: signer, Clock: d.Clock, Log: d.Log}
		eraser := &erasure.Service{Store: st, Links: signer, Clock: d.Clock, Log: d.Log, BaseURL: cfg.BaseURL}
		withdrawals.EraseURL = func(programmeID, roundID, registrationID string, now time.Time) string {
			return erasure.RegistrationURL(signer, cfg.BaseURL, programmeID, roundID, registrationID, now.Add(erasure.LinkTTL))
		}
		return signupweb.New(svc, d.Log, signupweb.WithWithdrawals(withdrawals), signupweb.WithRejoins(rejoins), signupweb.WithErasure(eraser))
	}
	return web.Lazy(build, d.Log), nil
}
