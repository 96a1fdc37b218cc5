package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net/mail"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Config is the deployment's configuration, read from CDK context (cdk.json
// defaults and `-c key=value`) and, for keys not in the context, from
// PAIRUP_<KEY> environment variables (senderEmail → PAIRUP_SENDER_EMAIL).
type Config struct {
	// StackName is the CloudFormation stack name (context stackName).
	StackName string
	// AssetDir holds <function>/bootstrap for each function (context assetDir).
	AssetDir string
	// SenderEmail is the From address of all mail (context senderEmail).
	SenderEmail string
	// SenderDomain, if set, is verified instead of the single address, with
	// Easy DKIM and a custom MAIL FROM domain; SenderEmail must be in it
	// (context senderDomain). Required in production.
	SenderDomain string
	// MailFromDomain is the custom MAIL FROM (envelope sender) domain, a
	// subdomain of SenderDomain: with it SPF passes for SenderDomain too, so
	// mail is DMARC-aligned by SPF as well as DKIM (context mailFromDomain;
	// default mail.<SenderDomain>; empty without SenderDomain).
	MailFromDomain string
	// Production marks a production deployment (context production): it
	// must send from a verified domain (SenderDomain) with DKIM and MAIL
	// FROM, and SES refuses to send while the MAIL FROM MX record is missing
	// instead of falling back to amazonses.com.
	Production bool
	// SandboxRecipients are verified recipient addresses the functions may
	// also send to while the account is in the SES sandbox.
	SandboxRecipients []string
	// CoordinatorEmails are subscribed to the alarm topic.
	CoordinatorEmails []string
	// Domain is the public host name of the forms; links use https://Domain.
	Domain string
	// CertificateArn is an ACM certificate for Domain (same region). With it
	// the stack creates the API custom domain; without it Domain is only
	// used for links (for a domain fronted elsewhere).
	CertificateArn string
	// LogRetentionDays applies to every log group.
	LogRetentionDays int
	// LogLevel is passed to functions as PAIRUP_LOG_LEVEL.
	LogLevel string
	// ThrottleRate and ThrottleBurst are the HTTP API default-stage limits
	// (requests per second, bucket size).
	ThrottleRate  float64
	ThrottleBurst int
	// ScheduleTimezone is the IANA zone cron schedules are evaluated in.
	ScheduleTimezone string
	// MailRate is the most emails per second all mailer invocations together
	// send; keep it at or under the account's SES maximum send rate. Passed
	// to the mailer as PAIRUP_MAIL_RATE.
	MailRate float64
	// ProgrammesFile is an optional JSON file of programme definitions. It is
	// validated (must be a JSON document) but not yet passed to functions.
	ProgrammesFile string

	lookup lookupFunc
}

// lookupFunc returns a raw configuration value and whether it was set.
type lookupFunc func(key string) (string, bool)

// Context keys and their built-in defaults. cdk.json repeats the defaults
// so they are visible; these apply when the app runs without it (tests,
// `go run ./infra`).
const (
	keyStackName         = "stackName"
	keyAssetDir          = "assetDir"
	keySenderEmail       = "senderEmail"
	keySenderDomain      = "senderDomain"
	keyMailFromDomain    = "mailFromDomain"
	keyProduction        = "production"
	keySandboxRecipients = "sandboxRecipients"
	keyCoordinatorEmails = "coordinatorEmails"
	keyDomain            = "domain"
	keyCertificateArn    = "certificateArn"
	keyLogRetentionDays  = "logRetentionDays"
	keyLogLevel          = "logLevel"
	keyThrottleRate      = "throttleRate"
	keyThrottleBurst     = "throttleBurst"
	keyScheduleTimezone  = "scheduleTimezone"
	keyProgrammesFile    = "programmesFile"
	keyMailRate          = "mailRate"
)

var defaults = map[string]string{
	keyStackName:        "Pairup",
	keyAssetDir:         "bin",
	keyLogRetentionDays: "30",
	keyLogLevel:         "info",
	keyThrottleRate:     "25",
	keyThrottleBurst:    "50",
	keyScheduleTimezone: "UTC",
	// 14: the SES maximum send rate of a new production account.
	keyMailRate: "14",
}

// functionSettings are the configuration keys a [Function] may receive
// through ConfigEnv, with the value passed: the validated setting, not the
// raw text.
var functionSettings = map[string]func(*Config) string{
	keyMailRate: func(c *Config) string { return strconv.FormatFloat(c.MailRate, 'f', -1, 64) },
}

// functionSetting is the value passed to functions for key.
func (c *Config) functionSetting(key string) (string, bool) {
	if f := functionSettings[key]; f != nil {
		return f(c), true
	}
	return "", false
}

var (
	stackNameRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,127}$`)
	domainRe    = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	acmArnRe    = regexp.MustCompile(`^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]+$`)
)

// envName maps a context key to its environment variable:
// "senderEmail" → "PAIRUP_SENDER_EMAIL".
func envName(key string) string {
	var b strings.Builder
	b.WriteString("PAIRUP_")
	for i, r := range key {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// chain returns the value from the first lookup that has a non-blank one,
// so an empty `-c key=` or cdk.json entry leaves the key to the next source.
func chain(lookups ...lookupFunc) lookupFunc {
	return func(key string) (string, bool) {
		for _, l := range lookups {
			if v, ok := l(key); ok && strings.TrimSpace(v) != "" {
				return v, true
			}
		}
		return "", false
	}
}

// envLookup reads PAIRUP_<KEY> from the process environment.
func envLookup(key string) (string, bool) {
	v, ok := os.LookupEnv(envName(key))
	return v, ok && v != ""
}

// contextValue renders a CDK context value as a string: -c values arrive as
// strings, cdk.json values keep their JSON type; lists become comma lists.
func contextValue(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", false
	case string:
		return v, true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	case []any:
		parts := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := contextValue(e); ok {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ","), true
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprint(v), true
		}
		return string(b), true
	}
}

// value returns the configured value for key, or def.
func (c *Config) value(key, def string) string {
	if c.lookup != nil {
		if v, ok := c.lookup(key); ok {
			if v = strings.TrimSpace(v); v != "" {
				return v
			}
		}
	}
	return def
}

// loadConfig reads and validates the configuration. Every problem is
// reported at once so one failed synth shows everything to fix.
func loadConfig(lookup lookupFunc) (*Config, error) {
	c := &Config{lookup: lookup}
	get := func(key string) string { return c.value(key, defaults[key]) }
	var errs []string
	fail := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }

	c.StackName = get(keyStackName)
	if !stackNameRe.MatchString(c.StackName) {
		fail("%s %q: letters, digits and dashes, starting with a letter", keyStackName, c.StackName)
	}
	c.AssetDir = get(keyAssetDir)

	c.SenderEmail = get(keySenderEmail)
	switch {
	case c.SenderEmail == "":
		fail("%s is required: the From address of all mail, e.g. -c %s=mentoring@example.org (or %s)",
			keySenderEmail, keySenderEmail, envName(keySenderEmail))
	case !isPlainAddress(c.SenderEmail):
		fail("%s %q is not a plain email address", keySenderEmail, c.SenderEmail)
	}
	var err error
	// production has no entry in defaults (nor in cdk.json): a context
	// default there would hide PAIRUP_PRODUCTION.
	production := c.value(keyProduction, "false")
	if c.Production, err = strconv.ParseBool(production); err != nil {
		fail("%s %q: true or false", keyProduction, production)
	}
	c.SenderDomain = strings.ToLower(get(keySenderDomain))
	c.MailFromDomain = strings.ToLower(get(keyMailFromDomain))
	switch {
	case c.SenderDomain == "":
		if c.Production {
			fail("%s is required when %s=true: production mail is sent from a verified domain with DKIM and a custom MAIL FROM "+
				"domain (DMARC alignment), e.g. -c %s=example.org (or %s)",
				keySenderDomain, keyProduction, keySenderDomain, envName(keySenderDomain))
		}
		if c.MailFromDomain != "" {
			fail("%s needs %s (the MAIL FROM domain is a subdomain of it)", keyMailFromDomain, keySenderDomain)
		}
	case !domainRe.MatchString(c.SenderDomain):
		fail("%s %q is not a domain name", keySenderDomain, c.SenderDomain)
	default:
		if !strings.HasSuffix(strings.ToLower(c.SenderEmail), "@"+c.SenderDomain) {
			fail("%s %q is not in %s %q", keySenderEmail, c.SenderEmail, keySenderDomain, c.SenderDomain)
		}
		if c.MailFromDomain == "" {
			c.MailFromDomain = "mail." + c.SenderDomain
		} else if !domainRe.MatchString(c.MailFromDomain) || !strings.HasSuffix(c.MailFromDomain, "."+c.SenderDomain) {
			fail("%s %q: a subdomain of %s %q (not the domain itself), e.g. mail.%s",
				keyMailFromDomain, c.MailFromDomain, keySenderDomain, c.SenderDomain, c.SenderDomain)
		}
	}
	if c.SandboxRecipients, err = emailList(get(keySandboxRecipients)); err != nil {
		fail("%s: %v", keySandboxRecipients, err)
	}
	if c.CoordinatorEmails, err = emailList(get(keyCoordinatorEmails)); err != nil {
		fail("%s: %v", keyCoordinatorEmails, err)
	}

	c.Domain = strings.ToLower(get(keyDomain))
	if c.Domain != "" && !domainRe.MatchString(c.Domain) {
		fail("%s %q is not a host name (no scheme, no path)", keyDomain, c.Domain)
	}
	if c.Domain != "" && c.Domain == c.MailFromDomain {
		// The forms host is a CNAME (or alias); the MAIL FROM domain needs
		// MX and TXT records, which cannot sit beside a CNAME.
		fail("%s %q is also %s: the MAIL FROM domain must be a name of its own (it holds MX and TXT records)",
			keyMailFromDomain, c.MailFromDomain, keyDomain)
	}
	c.CertificateArn = get(keyCertificateArn)
	if c.CertificateArn != "" {
		if c.Domain == "" {
			fail("%s needs %s", keyCertificateArn, keyDomain)
		}
		if !acmArnRe.MatchString(c.CertificateArn) {
			fail("%s %q is not an ACM certificate ARN", keyCertificateArn, c.CertificateArn)
		}
	}

	if c.LogRetentionDays, err = strconv.Atoi(get(keyLogRetentionDays)); err != nil || retentionByDays[c.LogRetentionDays] == "" {
		fail("%s %q: one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (0 = never expire)",
			keyLogRetentionDays, get(keyLogRetentionDays))
	}
	c.LogLevel = strings.ToLower(get(keyLogLevel))
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		fail("%s %q: one of debug, info, warn, error", keyLogLevel, c.LogLevel)
	}
	var ok bool
	if c.ThrottleRate, ok = positiveNumber(get(keyThrottleRate)); !ok {
		fail("%s %q: a positive number of requests per second", keyThrottleRate, get(keyThrottleRate))
	}
	if c.ThrottleBurst, err = strconv.Atoi(get(keyThrottleBurst)); err != nil || c.ThrottleBurst <= 0 {
		fail("%s %q: a positive whole number of requests", keyThrottleBurst, get(keyThrottleBurst))
	}
	c.ScheduleTimezone = get(keyScheduleTimezone)
	if c.MailRate, ok = positiveNumber(get(keyMailRate)); !ok {
		fail("%s %q: a positive number of emails per second (all mailer invocations together; at most the account's SES maximum send rate)",
			keyMailRate, get(keyMailRate))
	}

	c.ProgrammesFile = get(keyProgrammesFile)
	if c.ProgrammesFile != "" {
		if b, err := os.ReadFile(c.ProgrammesFile); err != nil {
			fail("%s: %v", keyProgrammesFile, err)
		} else if !json.Valid(b) {
			fail("%s %q is not valid JSON", keyProgrammesFile, c.ProgrammesFile)
		}
	}

	if len(errs) > 0 {
		return nil, fmt.Errorf("pairup configuration:\n  %s", strings.Join(errs, "\n  "))
	}
	return c, nil
}

// scheduleExpression is the expression for s: its context key's value, or
// the default from the function list.
func (c *Config) scheduleExpression(s Schedule) (string, error) {
	e := c.value(s.ContextKey, s.Expression)
	if err := validateScheduleExpression(e); err != nil {
		return "", fmt.Errorf("%s: %w", s.ContextKey, err)
	}
	return e, nil
}

// dmarcReportAddress is where the recommended DMARC record sends aggregate
// reports: the first coordinator, or the sender.
func (c *Config) dmarcReportAddress() string {
	if len(c.CoordinatorEmails) > 0 {
		return c.CoordinatorEmails[0]
	}
	return c.SenderEmail
}

// baseURL is the public base URL functions put in links, when a domain is
// configured; otherwise the stack uses the HTTP API's own endpoint.
func (c *Config) baseURL() string {
	if c.Domain == "" {
		return ""
	}
	return "https://" + c.Domain
}

// positiveNumber parses a finite number greater than zero.
func positiveNumber(s string) (float64, bool) {
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil && v > 0 && !math.IsInf(v, 0)
}

// emailList parses a comma (or space) separated list of plain addresses.
func emailList(s string) ([]string, error) {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || unicode.IsSpace(r) }) {
		if !isPlainAddress(f) {
			return nil, fmt.Errorf("%q is not a plain email address", f)
		}
		out = append(out, f)
	}
	return out, nil
}

// isPlainAddress reports whether s is a bare address (no display name).
func isPlainAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s && strings.Contains(s[strings.LastIndex(s, "@")+1:], ".")
}
