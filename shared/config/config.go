// Package config reads a function's configuration from its environment and builds the AWS
// clients it needs. The same variables drive Lambda (set by the CDK stack), `make dev` and the
// tests; the *_ENDPOINT variables point the SDK at DynamoDB Local and the SES emulator.
package config

import (
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Environment variables.
const (
	EnvTable            = "PAIRUP_TABLE"                 // DynamoDB table name (required)
	EnvMailFrom         = "PAIRUP_MAIL_FROM"             // sender address (required)
	EnvConfigSet        = "PAIRUP_SES_CONFIGURATION_SET" // SES configuration set (optional)
	EnvBaseURL          = "PAIRUP_BASE_URL"              // public root of the forms, for links (required)
	EnvLinkKey          = "PAIRUP_LINK_KEY"              // link-signing keys, hex, comma-separated, newest first (local only)
	EnvLinkKeySecret    = "PAIRUP_LINK_KEY_SECRET"       // Secrets Manager secret holding the keys (AWS)
	EnvDynamoDBEndpoint = "PAIRUP_DYNAMODB_ENDPOINT"     // e.g. http://127.0.0.1:8000 (local only)
	EnvSESEndpoint      = "PAIRUP_SES_ENDPOINT"          // e.g. http://127.0.0.1:8005 (local only)
	EnvLogLevel         = "PAIRUP_LOG_LEVEL"             // debug, info (default), warn, error
	EnvMinFillSeconds   = "PAIRUP_MIN_FILL_SECONDS"      // a form posted faster is a bot's (default 3)
	EnvMailRate         = "PAIRUP_MAIL_RATE"             // emails per second across the mailer (default 14)
	EnvMailConcurrency  = "PAIRUP_MAIL_CONCURRENCY"      // mailer invocations at once (default 1)
	EnvAllowNow         = "PAIRUP_ALLOW_NOW"             // "true": events may carry "now" (local and test stacks only)
	// Signup limits; 0 means no limit.
	EnvSignupsPerSourceHour         = "PAIRUP_SIGNUPS_PER_SOURCE_HOUR"         // signups from one source address an hour (default 60)
	EnvConfirmationsPerProgrammeDay = "PAIRUP_CONFIRMATIONS_PER_PROGRAMME_DAY" // confirmation emails one programme queues a day (default 2000)
)

// Default signup limits: generous enough for a conference booth where dozens sign up within
// minutes behind one venue's address, low enough that the form is no use for sending spam.
const (
	DefaultSignupsPerSourceHour         = 60
	DefaultConfirmationsPerProgrammeDay = 2000
)

// Need is a capability a function uses; FromEnv requires the variables of exactly the needs it
// is given, so a function that sends no email needs no mail settings.
type Need int

// Capabilities.
const (
	NeedTable Need = iota // the DynamoDB table: PAIRUP_TABLE
	NeedMail              // sending through SES: PAIRUP_MAIL_FROM (rate and set optional)
	NeedLinks             // signing links: PAIRUP_BASE_URL and PAIRUP_LINK_KEY or PAIRUP_LINK_KEY_SECRET
)

// DefaultMailRate is SES's default sending quota for a new production account, per second.
const DefaultMailRate = 14

// Config is a function's configuration.
type Config struct {
	Table     string
	MailFrom  string
	ConfigSet string
	BaseURL   string
	// LinkKeys is the local key ring, newest first (PAIRUP_LINK_KEY); LinkKey is its newest.
	LinkKeys         [][]byte
	LinkKey          []byte
	LinkKeySecret    string
	DynamoDBEndpoint string
	SESEndpoint      string
	LogLevel         slog.Level
	MinFill          time.Duration
	// MailRate is the emails per second all mailer invocations together may send; each
	// invocation takes MailRate / MailConcurrency.
	MailRate        float64
	MailConcurrency int
	// AllowNow lets coordinator and schedule events carry a "now" that replaces the clock, to
	// rehearse a round; only local and test stacks set it.
	AllowNow bool
	// SignupsPerSourceHour caps the signups one source address makes an hour;
	// ConfirmationsPerProgrammeDay caps the confirmation emails one programme queues a day
	// (UTC). 0 is no limit.
	SignupsPerSourceHour         int
	ConfirmationsPerProgrammeDay int
}

// FromEnv reads the configuration with getenv (os.Getenv in production), requiring the
// variables of the given needs. The error names every missing or malformed variable.
func FromEnv(getenv func(string) string, needs ...Need) (Config, error) {
	c := Config{
		Table:            getenv(EnvTable),
		MailFrom:         getenv(EnvMailFrom),
		ConfigSet:        getenv(EnvConfigSet),
		BaseURL:          strings.TrimRight(getenv(EnvBaseURL), "/"),
		LinkKeySecret:    getenv(EnvLinkKeySecret),
		DynamoDBEndpoint: getenv(EnvDynamoDBEndpoint),
		SESEndpoint:      getenv(EnvSESEndpoint),
	}
	var problems []string
	required := func(name, v string) {
		if v == "" {
			problems = append(problems, name+" is required")
		}
	}
	for _, n := range needs {
		switch n {
		case NeedTable:
			required(EnvTable, c.Table)
		case NeedMail:
			required(EnvMailFrom, c.MailFrom)
		case NeedLinks:
			required(EnvBaseURL, c.BaseURL)
			if getenv(EnvLinkKey) == "" && c.LinkKeySecret == "" {
				problems = append(problems, "one of "+EnvLinkKey+" or "+EnvLinkKeySecret+" is required")
			}
		}
	}
	if v := getenv(EnvLinkKey); v != "" {
		for _, k := range strings.Split(v, ",") {
			b, err := hex.DecodeString(strings.TrimSpace(k))
			if err != nil || len(b) < 32 {
				problems = append(problems, EnvLinkKey+" must be keys of at least 32 bytes, hex-encoded, separated by commas")
				break
			}
			c.LinkKeys = append(c.LinkKeys, b)
		}
		if len(c.LinkKeys) > 0 {
			c.LinkKey = c.LinkKeys[0]
		}
	}
	limit := func(name string, def int) int {
		v := getenv(name)
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			problems = append(problems, name+" must be a whole number, 0 for no limit")
		}
		return n
	}
	c.SignupsPerSourceHour = limit(EnvSignupsPerSourceHour, DefaultSignupsPerSourceHour)
	c.ConfirmationsPerProgrammeDay = limit(EnvConfirmationsPerProgrammeDay, DefaultConfirmationsPerProgrammeDay)
	c.MailRate = DefaultMailRate
	if v := getenv(EnvMailRate); v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || !(r > 0) || r > 1e6 {
			problems = append(problems, EnvMailRate+" must be a positive number of emails per second")
		}
		c.MailRate = r
	}
	switch v := getenv(EnvAllowNow); v {
	case "", "false":
	case "true":
		c.AllowNow = true
	default:
		problems = append(problems, EnvAllowNow+` must be "true" or "false"`)
	}
	c.MailConcurrency = 1
	if v := getenv(EnvMailConcurrency); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			problems = append(problems, EnvMailConcurrency+" must be a whole number of at least 1")
		}
		c.MailConcurrency = n
	}
	if err := c.LogLevel.UnmarshalText([]byte(orDefault(getenv(EnvLogLevel), "info"))); err != nil {
		problems = append(problems, EnvLogLevel+" must be debug, info, warn or error")
	}
	if v := getenv(EnvMinFillSeconds); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			problems = append(problems, EnvMinFillSeconds+" must be a whole number of seconds")
		}
		c.MinFill = time.Duration(n) * time.Second
		if n == 0 {
			c.MinFill = time.Nanosecond // 0 would mean "default"
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return c, fmt.Errorf("config: %s", strings.Join(problems, "; "))
	}
	return c, nil
}

// Logger returns a JSON slog logger at the configured level, writing to stderr.
func (c Config) Logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: c.LogLevel}))
}

// AWS loads the SDK configuration. With local endpoints it uses fixed dummy credentials and
// region, so nothing looks for an AWS account. It makes no network call.
func (c Config) AWS(ctx context.Context) (aws.Config, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if c.DynamoDBEndpoint != "" || c.SESEndpoint != "" {
		opts = append(opts,
			awsconfig.WithRegion("us-east-1"),
			awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("config: load AWS config: %w", err)
	}
	return cfg, nil
}

// DynamoDB returns a DynamoDB client, pointed at the local endpoint if one is set. Throttled and
// failed calls are retried up to DynamoDBAttempts times with the SDK's jittered backoff and
// without its client-side retry quota: under a burst of throttling the quota would turn
// retryable calls into failures, and every write here is conditional, so a retry is safe.
// opts apply last (tests inject faults through them).
func (c Config) DynamoDB(cfg aws.Config, opts ...func(*dynamodb.Options)) *dynamodb.Client {
	return dynamodb.NewFromConfig(cfg, append([]func(*dynamodb.Options){func(o *dynamodb.Options) {
		if c.DynamoDBEndpoint != "" {
			o.BaseEndpoint = aws.String(c.DynamoDBEndpoint)
		}
		// The SDK's CRC32 check of DynamoDB responses warns on every error response whose body
		// it does not read to the end (conditional-check failures, cancelled transactions: the
		// normal path of every conditional write here); TLS already guards the bytes.
		o.DisableValidateResponseChecksum = true
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = DynamoDBAttempts
			so.RateLimiter = ratelimit.None
		})
	}}, opts...)...)
}

// DynamoDBAttempts is how often a DynamoDB call is tried in all before its error is returned.
const DynamoDBAttempts = 8

// LoadLinkKey returns the newest link-signing key, the one to sign with (see LoadLinkKeys).
func (c Config) LoadLinkKey(ctx context.Context, cfg aws.Config) ([]byte, error) {
	keys, err := c.LoadLinkKeys(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return keys[0], nil
}

// LoadLinkKeys returns the link-signing key ring, newest first: the local keys, or the keys in
// the Secrets Manager secret (one network call; callers make it on first use, not at init).
// The secret holds one key, or several separated by commas, newest first; each key is the text
// itself (at least 32 characters), as the stack's generated secret and `openssl rand -hex 32`
// give it.
func (c Config) LoadLinkKeys(ctx context.Context, cfg aws.Config) ([][]byte, error) {
	if len(c.LinkKeys) > 0 {
		return c.LinkKeys, nil
	}
	out, err := secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(c.LinkKeySecret)})
	if err != nil {
		return nil, fmt.Errorf("config: read link key secret: %w", err)
	}
	if out.SecretString == nil {
		return nil, fmt.Errorf("config: link key secret has no string value")
	}
	return ParseKeyRing(*out.SecretString)
}

// ParseKeyRing splits a link key secret's value into its keys, newest first: comma-separated,
// surrounding space ignored, each at least 32 characters.
func ParseKeyRing(secret string) ([][]byte, error) {
	var keys [][]byte
	for i, k := range strings.Split(secret, ",") {
		k = strings.TrimSpace(k)
		if len(k) < 32 {
			return nil, fmt.Errorf("config: link key secret: key %d is shorter than 32 characters", i+1)
		}
		keys = append(keys, []byte(k))
	}
	return keys, nil
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}
