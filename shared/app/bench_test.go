package app_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/pairup/pairup/shared/app"
	"github.com/pairup/pairup/shared/config"
	"github.com/pairup/pairup/shared/demo"
)

// BenchmarkSignupPost measures the signup function's POST handler — Lambda adapter, form
// parsing, validation, the DynamoDB Local transaction, the message claim and the send to the SES
// emulator — one new signup per iteration, and reports the median and 95th percentile.
func BenchmarkSignupPost(b *testing.B) {
	// Every signup comes from one address, far more of them than the limits allow: lift them.
	s := newStackWith(b, stackOptions{env: map[string]string{config.EnvSignupsPerSourceHour: "0", config.EnvConfirmationsPerProgrammeDay: "0"}})
	h, err := app.SignupLambda(context.Background(), s.cfg, app.Deps{Clock: s.clock, Log: quietLog()})
	if err != nil {
		b.Fatal(err)
	}
	handler := h.(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error))
	event := func(i int) events.APIGatewayV2HTTPRequest {
		form := s.ilnForm(fmt.Sprintf("bench-%d-%d@example.org", time.Now().UnixNano(), i))
		return events.APIGatewayV2HTTPRequest{
			Version: "2.0", RouteKey: "POST /p/{programme}/signup", RawPath: "/p/iln/signup",
			Headers:         map[string]string{"content-type": "application/x-www-form-urlencoded", "host": "127.0.0.1"},
			PathParameters:  map[string]string{"programme": demo.ILN},
			Body:            base64.StdEncoding.EncodeToString([]byte(url.Values(form).Encode())),
			IsBase64Encoded: true,
			RequestContext: events.APIGatewayV2HTTPRequestContext{
				HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/p/iln/signup", SourceIP: "127.0.0.1"},
			},
		}
	}
	// Warm up: the first request builds the handler (link key, templates), and DynamoDB Local's
	// JVM needs a few hundred requests before its JIT settles (it then answers in ~2 ms).
	for i := 0; i < 300; i++ {
		if resp, err := handler(context.Background(), event(-1-i)); err != nil || resp.StatusCode != 200 {
			b.Fatalf("warm-up: %d %v", resp.StatusCode, err)
		}
	}
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ev := event(i)
		start := time.Now()
		resp, err := handler(context.Background(), ev)
		times = append(times, time.Since(start))
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("signup %d: %d %v", i, resp.StatusCode, err)
		}
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "ms-p95")
}

// BenchmarkInit measures what a cold start does before lambda.Start: read the configuration and
// build the handler. It makes no network call (the link key is read on the first request).
func BenchmarkInit(b *testing.B) {
	env := map[string]string{
		config.EnvTable: "t", config.EnvMailFrom: "noreply@pairup.test", config.EnvBaseURL: "https://forms.example.org",
		config.EnvLinkKeySecret: "arn:aws:secretsmanager:eu-west-2:123456789012:secret:pairup-link-key",
	}
	b.Setenv("AWS_REGION", "eu-west-2")
	b.Setenv("AWS_ACCESS_KEY_ID", "x")
	b.Setenv("AWS_SECRET_ACCESS_KEY", "x")
	for i := 0; i < b.N; i++ {
		cfg, err := config.FromEnv(func(k string) string { return env[k] })
		if err != nil {
			b.Fatal(err)
		}
		if _, err := app.SignupLambda(context.Background(), cfg, app.Deps{Log: quietLog()}); err != nil {
			b.Fatal(err)
		}
	}
}
