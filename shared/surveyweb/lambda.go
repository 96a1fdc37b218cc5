package surveyweb

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/pairup/pairup/shared/config"
	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/store"
	"github.com/pairup/pairup/shared/survey"
	"github.com/pairup/pairup/shared/web"
)

// Needs are the configuration the survey function requires: the table and signed links (it
// queues the coordinators' alerts in the outbox; the mailer sends them).
var Needs = []config.Need{config.NeedTable, config.NeedLinks}

// Deps are the parts Handler builds from the configuration unless given.
type Deps struct {
	Clock pairup.Clock
	Log   *slog.Logger
}

// Handler returns the survey function's HTTP handler. It makes no network call: the
// link-signing key ring is read on the first request and kept (a failed read is retried by the
// next request).
func Handler(ctx context.Context, cfg config.Config, d Deps) (http.Handler, error) {
	awsCfg, err := cfg.AWS(ctx)
	if err != nil {
		return nil, fmt.Errorf("surveyweb: %w", err)
	}
	if d.Log == nil {
		d.Log = cfg.Logger()
	}
	if d.Clock == nil {
		d.Clock = pairup.SystemClock{}
	}
	tpl, err := mail.NewTemplates()
	if err != nil {
		return nil, fmt.Errorf("surveyweb: %w", err)
	}
	st := store.New(cfg.DynamoDB(awsCfg), cfg.Table, d.Clock)
	build := func(ctx context.Context) (http.Handler, error) {
		keys, err := cfg.LoadLinkKeys(ctx, awsCfg)
		if err != nil {
			return nil, err
		}
		signer, err := links.NewSigner(keys...)
		if err != nil {
			return nil, fmt.Errorf("surveyweb: %w", err)
		}
		return New(&survey.Service{Store: st, Templates: tpl, Links: signer, Clock: d.Clock, Log: d.Log, BaseURL: cfg.BaseURL}, d.Log)
	}
	return web.Lazy(build, d.Log), nil
}

// NewLambda is the survey function's Lambda handler: Handler behind the HTTP API payload 2.0
// adapter.
func NewLambda(ctx context.Context, cfg config.Config, d Deps) (any, error) {
	h, err := Handler(ctx, cfg, d)
	if err != nil {
		return nil, err
	}
	return httpadapter.NewV2(h).ProxyWithContext, nil
}
