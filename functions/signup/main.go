// Command signup is the Lambda function behind the hosted forms (HTTP API, payload 2.0):
// programme index, signup form and submission, and the confirmation link.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/pairup/pairup/shared/app"
	"github.com/pairup/pairup/shared/config"
)

func main() {
	ctx := context.Background()
	cfg, err := config.FromEnv(os.Getenv, app.Needs...)
	if err != nil {
		slog.Error("signup: configuration", "err", err)
		os.Exit(1)
	}
	h, err := app.SignupLambda(ctx, cfg, app.Deps{})
	if err != nil {
		cfg.Logger().Error("signup: start", "err", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
