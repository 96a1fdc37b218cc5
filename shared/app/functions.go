package app

import (
	"context"

	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/pairup/pairup/shared/config"
)

// SignupLambda is the signup function's Lambda handler: the hosted-forms handler behind the
// HTTP API payload 2.0 adapter (which also decodes base64-encoded form bodies).
func SignupLambda(ctx context.Context, cfg config.Config, d Deps) (any, error) {
	h, err := Signup(ctx, cfg, d)
	if err != nil {
		return nil, err
	}
	return httpadapter.NewV2(h).ProxyWithContext, nil
}
