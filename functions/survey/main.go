// Command survey serves the pages participants reach from a round's emails: the check-in answer
// and the survey forms (package surveyweb), behind the HTTP API.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/pairup/pairup/shared/config"
	"github.com/pairup/pairup/shared/surveyweb"
)

func main() {
	ctx := context.Background()
	cfg, err := config.FromEnv(os.Getenv, surveyweb.Needs...)
	if err != nil {
		slog.Error("survey: configuration", "err", err)
		os.Exit(1)
	}
	h, err := surveyweb.NewLambda(ctx, cfg, surveyweb.Deps{})
	if err != nil {
		cfg.Logger().Error("survey: start", "err", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
