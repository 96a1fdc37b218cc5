// Command round-tick sends what a round in progress sends on its own, hourly on a schedule:
// discussion topics, check-ins, survey invitations and reminders, each on its recipient's local
// morning (package roundtick). From the console it takes events/round-tick-*.json.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/pairup/pairup/shared/config"
	"github.com/pairup/pairup/shared/roundtick"
)

func main() {
	ctx := context.Background()
	cfg, err := config.FromEnv(os.Getenv, roundtick.Needs...)
	if err != nil {
		slog.Error("round-tick: configuration", "err", err)
		os.Exit(1)
	}
	h, err := roundtick.NewLambda(ctx, cfg, roundtick.Deps{})
	if err != nil {
		cfg.Logger().Error("round-tick: start", "err", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
