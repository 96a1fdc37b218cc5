// Command ses-events is the Lambda function subscribed to the SES configuration set's SNS topic:
// it records permanent bounces and complaints as suppressions and marks the outbox message.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/pairup/pairup/shared/config"
	"github.com/pairup/pairup/shared/sesevents"
)

func main() {
	ctx := context.Background()
	cfg, err := config.FromEnv(os.Getenv, sesevents.Needs...)
	if err != nil {
		slog.Error("ses-events: configuration", "err", err)
		os.Exit(1)
	}
	h, err := sesevents.NewLambda(ctx, cfg, sesevents.Deps{})
	if err != nil {
		cfg.Logger().Error("ses-events: start", "err", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
