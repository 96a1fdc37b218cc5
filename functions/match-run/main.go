// Command match-run is the coordinators' matching function: open a round, close signup, pin or
// forbid pairs, preview (dry run) or commit a matching — invoked from the Lambda console with
// the events in events/ — and, on a schedule, the matching of rounds whose signup has closed.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/pairup/pairup/shared/config"
	"github.com/pairup/pairup/shared/matchrun"
)

func main() {
	ctx := context.Background()
	cfg, err := config.FromEnv(os.Getenv, matchrun.Needs...)
	if err != nil {
		slog.Error("match-run: configuration", "err", err)
		os.Exit(1)
	}
	h, err := matchrun.NewLambda(ctx, cfg, matchrun.Deps{})
	if err != nil {
		cfg.Logger().Error("match-run: start", "err", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
