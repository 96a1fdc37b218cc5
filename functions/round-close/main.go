// Command round-close ends rounds (package roundclose): at a round's end it asks each pair to
// continue on their own or conclude and sends the end-of-round survey (active → closing); when
// the survey has closed it freezes the round's statistics (closing → closed). Daily on a
// schedule; from the console it takes events/round-close-*.json.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/pairup/pairup/shared/config"
	"github.com/pairup/pairup/shared/roundclose"
)

func main() {
	ctx := context.Background()
	cfg, err := config.FromEnv(os.Getenv, roundclose.Needs...)
	if err != nil {
		slog.Error("round-close: configuration", "err", err)
		os.Exit(1)
	}
	h, err := roundclose.NewLambda(ctx, cfg, roundclose.Deps{})
	if err != nil {
		cfg.Logger().Error("round-close: start", "err", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
