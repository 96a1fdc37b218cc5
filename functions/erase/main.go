// Command erase erases personal data: a person on a coordinator's request (a console event, by
// address or registration) and, daily on a schedule, the personal data of rounds closed longer
// ago than their programme's retention (package erasure). From the console it takes
// events/erase-*.json.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/pairup/pairup/shared/config"
	"github.com/pairup/pairup/shared/erasure"
)

func main() {
	ctx := context.Background()
	cfg, err := config.FromEnv(os.Getenv, erasure.Needs...)
	if err != nil {
		slog.Error("erase: configuration", "err", err)
		os.Exit(1)
	}
	h, err := erasure.NewLambda(ctx, cfg, erasure.Deps{})
	if err != nil {
		cfg.Logger().Error("erase: start", "err", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
