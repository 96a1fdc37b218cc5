package sesevents

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/pairup/pairup/shared/config"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/store"
)

// Needs are the configuration the ses-events function requires: only the table.
var Needs = []config.Need{config.NeedTable}

// Deps are the parts NewLambda builds from the configuration unless given.
type Deps struct {
	Clock    pairup.Clock
	Log      *slog.Logger
	DynamoDB []func(*dynamodb.Options)
}

// NewLambda returns the ses-events function's Lambda handler over the configured table. It
// makes no network call.
func NewLambda(ctx context.Context, cfg config.Config, d Deps) (any, error) {
	awsCfg, err := cfg.AWS(ctx)
	if err != nil {
		return nil, fmt.Errorf("sesevents: %w", err)
	}
	if d.Log == nil {
		d.Log = cfg.Logger()
	}
	if d.Clock == nil {
		d.Clock = pairup.SystemClock{}
	}
	h := &Handler{Store: store.New(cfg.DynamoDB(awsCfg, d.DynamoDB...), cfg.Table, d.Clock), Clock: d.Clock, Log: d.Log}
	return h.Handle, nil
}
