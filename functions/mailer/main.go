// Command mailer is the Lambda function that sends queued emails (the outbox) through SES: fed
// by the table's DynamoDB Stream, and by a schedule that sweeps expired leases.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/pairup/pairup/shared/config"
	"github.com/pairup/pairup/shared/mailer"
)

func main() {
	ctx := context.Background()
	cfg, err := config.FromEnv(os.Getenv, mailer.Needs...)
	if err != nil {
		slog.Error("mailer: configuration", "err", err)
		os.Exit(1)
	}
	h, err := mailer.NewLambda(ctx, cfg, mailer.Deps{})
	if err != nil {
		cfg.Logger().Error("mailer: start", "err", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
