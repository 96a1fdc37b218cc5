package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// mapLookup is a lookupFunc over a map.
func mapLookup(m map[string]string) lookupFunc {
	return func(key string) (string, bool) {
		v, ok := m[key]
		return v, ok
	}
}

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	goodJSON := filepath.Join(dir, "programmes.json")
	badJSON := filepath.Join(dir, "bad.json")
	os.WriteFile(goodJSON, []byte(`{"programmes":[]}`), 0o644)
	os.WriteFile(badJSON, []byte(`{programmes`), 0o644)

	base := func(extra map[string]string) map[string]string {
		m := map[string]string{keySenderEmail: "mentoring@example.org"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}

	t.Run("Defaults", func(t *testing.T) {
		c, err := loadConfig(mapLookup(base(nil)))
		if err != nil {
			t.Fatal(err)
		}
		want := Config{StackName: "Pairup", AssetDir: "bin", SenderEmail: "mentoring@example.org",
			LogRetentionDays: 30, LogLevel: "info", ThrottleRate: 25, ThrottleBurst: 50, ScheduleTimezone: "UTC",
			MailRate: 14}
		c.lookup = nil
		if !reflect.DeepEqual(*c, want) {
			t.Errorf("got %+v\nwant %+v", *c, want)
		}
	})

	t.Run("Everything", func(t *testing.T) {
		c, err := loadConfig(mapLookup(base(map[string]string{
			keySenderEmail:       "mentoring@lib.example.org",
			keySenderDomain:      "Lib.Example.org",
			keyCoordinatorEmails: "a@example.org, b@example.org;c@example.org",
			keySandboxRecipients: "t@example.net",
			keyDomain:            "forms.example.org",
			keyCertificateArn:    "arn:aws:acm:eu-west-1:123456789012:certificate/abc-123",
			keyLogRetentionDays:  "0",
			keyLogLevel:          "DEBUG",
			keyThrottleRate:      "2.5",
			keyThrottleBurst:     "5",
			keyProgrammesFile:    goodJSON,
			keyStackName:         "PairupStaging",
			keyMailRate:          "50",
		})))
		if err != nil {
			t.Fatal(err)
		}
		if c.SenderDomain != "lib.example.org" || c.MailFromDomain != "mail.lib.example.org" || c.Production || c.LogLevel != "debug" || c.ThrottleRate != 2.5 ||
			c.LogRetentionDays != 0 || c.StackName != "PairupStaging" || c.baseURL() != "https://forms.example.org" ||
			c.MailRate != 50 {
			t.Errorf("got %+v", *c)
		}
		if v, ok := c.functionSetting(keyMailRate); v != "50" || !ok {
			t.Errorf("mailRate passed to functions as %q, %v; want \"50\"", v, ok)
		}
		if want := []string{"a@example.org", "b@example.org", "c@example.org"}; !reflect.DeepEqual(c.CoordinatorEmails, want) {
			t.Errorf("coordinators %q, want %q", c.CoordinatorEmails, want)
		}
		if got := c.dmarcReportAddress(); got != "a@example.org" {
			t.Errorf("DMARC reports to %q, want the first coordinator", got)
		}
	})

	// Sender domain, MAIL FROM and production: valid combinations.
	senderCases := []struct {
		name                   string
		context                map[string]string
		production             bool
		senderDomain, mailFrom string
		dmarcReports           string
	}{
		{"TrialAddress", base(nil), false, "", "", "mentoring@example.org"},
		{"TrialDomain", base(map[string]string{keySenderDomain: "example.org"}), false, "example.org", "mail.example.org", "mentoring@example.org"},
		{"ProductionFalse", base(map[string]string{keyProduction: "false"}), false, "", "", "mentoring@example.org"},
		{"Production", base(map[string]string{keyProduction: "true", keySenderDomain: "example.org"}),
			true, "example.org", "mail.example.org", "mentoring@example.org"},
		{"ProductionMailFrom", base(map[string]string{keyProduction: "TRUE", keySenderDomain: "example.org",
			keyMailFromDomain: "Bounce.Mentoring.Example.org", keyCoordinatorEmails: "chair@example.net"}),
			true, "example.org", "bounce.mentoring.example.org", "chair@example.net"},
	}
	for _, tc := range senderCases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := loadConfig(mapLookup(tc.context))
			if err != nil {
				t.Fatal(err)
			}
			if c.Production != tc.production || c.SenderDomain != tc.senderDomain || c.MailFromDomain != tc.mailFrom ||
				c.dmarcReportAddress() != tc.dmarcReports {
				t.Errorf("production %v, senderDomain %q, mailFromDomain %q, DMARC reports to %q; want %v, %q, %q, %q",
					c.Production, c.SenderDomain, c.MailFromDomain, c.dmarcReportAddress(),
					tc.production, tc.senderDomain, tc.mailFrom, tc.dmarcReports)
			}
		})
	}

	errCases := []struct {
		name    string
		context map[string]string
		want    string
	}{
		{"MissingSender", map[string]string{}, "senderEmail is required"},
		{"SenderWithName", map[string]string{keySenderEmail: "Pairup <p@example.org>"}, "not a plain email address"},
		{"SenderOutsideDomain", base(map[string]string{keySenderDomain: "example.com"}), `not in senderDomain "example.com"`},
		{"SenderInSubdomain", base(map[string]string{keySenderDomain: "mail.example.org"}), `not in senderDomain "mail.example.org"`},
		{"ProductionWithoutDomain", base(map[string]string{keyProduction: "true"}),
			"senderDomain is required when production=true"},
		{"ProductionWithoutDomainHint", base(map[string]string{keyProduction: "1"}), "PAIRUP_SENDER_DOMAIN"},
		{"ProductionNotBool", base(map[string]string{keyProduction: "yes"}), `production "yes": true or false`},
		{"MailFromWithoutDomain", base(map[string]string{keyMailFromDomain: "mail.example.org"}), "mailFromDomain needs senderDomain"},
		{"MailFromIsDomain", base(map[string]string{keySenderDomain: "example.org", keyMailFromDomain: "example.org"}),
			`mailFromDomain "example.org": a subdomain of senderDomain "example.org"`},
		{"MailFromOutsideDomain", base(map[string]string{keySenderDomain: "example.org", keyMailFromDomain: "mail.example.com"}),
			`mailFromDomain "mail.example.com": a subdomain of senderDomain`},
		{"MailFromSuffixOnly", base(map[string]string{keySenderDomain: "example.org", keyMailFromDomain: "badexample.org"}),
			`mailFromDomain "badexample.org": a subdomain`},
		{"MailFromNotDomain", base(map[string]string{keySenderDomain: "example.org", keyMailFromDomain: "mail_from.example.org"}),
			`mailFromDomain "mail_from.example.org": a subdomain`},
		{"MailFromIsFormsHost", base(map[string]string{keySenderDomain: "example.org", keyDomain: "mail.example.org"}),
			`mailFromDomain "mail.example.org" is also domain`},
		{"BadCoordinator", base(map[string]string{keyCoordinatorEmails: "a@example.org,nobody"}), `coordinatorEmails: "nobody"`},
		{"DomainWithScheme", base(map[string]string{keyDomain: "https://forms.example.org"}), "not a host name"},
		{"CertificateWithoutDomain", base(map[string]string{keyCertificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc"}), "certificateArn needs domain"},
		{"BadCertificate", base(map[string]string{keyDomain: "f.example.org", keyCertificateArn: "arn:aws:iam::1:x"}), "not an ACM certificate ARN"},
		{"Retention", base(map[string]string{keyLogRetentionDays: "31"}), `logRetentionDays "31"`},
		{"LogLevel", base(map[string]string{keyLogLevel: "verbose"}), `logLevel "verbose"`},
		{"ThrottleRate", base(map[string]string{keyThrottleRate: "-1"}), "throttleRate"},
		{"ThrottleRateInfinite", base(map[string]string{keyThrottleRate: "Inf"}), "throttleRate"},
		{"MailRateZero", base(map[string]string{keyMailRate: "0"}), `mailRate "0": a positive number`},
		{"MailRateNegative", base(map[string]string{keyMailRate: "-1"}), `mailRate "-1": a positive number`},
		{"MailRateNotANumber", base(map[string]string{keyMailRate: "abc"}), `mailRate "abc": a positive number`},
		{"MailRateNaN", base(map[string]string{keyMailRate: "NaN"}), `mailRate "NaN": a positive number`},
		{"ThrottleBurst", base(map[string]string{keyThrottleBurst: "1.5"}), "throttleBurst"},
		{"StackName", base(map[string]string{keyStackName: "pairup_prod"}), "stackName"},
		{"ProgrammesMissing", base(map[string]string{keyProgrammesFile: filepath.Join(dir, "none.json")}), "programmesFile"},
		{"ProgrammesNotJSON", base(map[string]string{keyProgrammesFile: badJSON}), "is not valid JSON"},
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadConfig(mapLookup(tc.context))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}

	t.Run("AllErrorsAtOnce", func(t *testing.T) {
		_, err := loadConfig(mapLookup(map[string]string{keyLogLevel: "loud", keyThrottleRate: "x"}))
		if err == nil || strings.Count(err.Error(), "\n") != 3 {
			t.Errorf("want three problems reported together, got %v", err)
		}
	})
}

func TestConfigSources(t *testing.T) {
	ctx := mapLookup(map[string]string{keySenderEmail: "ctx@example.org", keyLogLevel: " "})
	env := mapLookup(map[string]string{keySenderEmail: "env@example.org", keyLogLevel: "warn", keyDomain: "env.example.org",
		keyProduction: "true", keySenderDomain: "example.org"})
	c, err := loadConfig(chain(ctx, env))
	if err != nil {
		t.Fatal(err)
	}
	// Context wins; a blank context value leaves the key to the environment.
	if c.SenderEmail != "ctx@example.org" || c.Domain != "env.example.org" || c.LogLevel != "warn" || !c.Production {
		t.Errorf("sender %q, domain %q, log level %q, production %v", c.SenderEmail, c.Domain, c.LogLevel, c.Production)
	}
}

func TestEnvName(t *testing.T) {
	for key, want := range map[string]string{
		"senderEmail":         "PAIRUP_SENDER_EMAIL",
		"coordinatorEmails":   "PAIRUP_COORDINATOR_EMAILS",
		"logRetentionDays":    "PAIRUP_LOG_RETENTION_DAYS",
		"domain":              "PAIRUP_DOMAIN",
		"tickSchedule":        "PAIRUP_TICK_SCHEDULE",
		"mailRate":            "PAIRUP_MAIL_RATE",
		"mailerSweepSchedule": "PAIRUP_MAILER_SWEEP_SCHEDULE",
		"production":          "PAIRUP_PRODUCTION",
		"mailFromDomain":      "PAIRUP_MAIL_FROM_DOMAIN",
	} {
		if got := envName(key); got != want {
			t.Errorf("envName(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestContextValue(t *testing.T) {
	cases := []struct {
		in   any
		want string
		ok   bool
	}{
		{nil, "", false},
		{"x", "x", true},
		{float64(30), "30", true},
		{2.5, "2.5", true},
		{true, "true", true},
		{[]any{"a@example.org", "b@example.org"}, "a@example.org,b@example.org", true},
		{map[string]any{"a": 1.0}, `{"a":1}`, true},
	}
	for _, tc := range cases {
		if got, ok := contextValue(tc.in); got != tc.want || ok != tc.ok {
			t.Errorf("contextValue(%#v) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestScheduleExpression(t *testing.T) {
	s := Schedule{ID: "Tick", ContextKey: "tickSchedule", Expression: "rate(5 minutes)"}
	cases := []struct {
		context map[string]string
		want    string
		wantErr bool
	}{
		{nil, "rate(5 minutes)", false},
		{map[string]string{"tickSchedule": "cron(0 6 * * ? *)"}, "cron(0 6 * * ? *)", false},
		{map[string]string{"tickSchedule": "off"}, "off", false},
		{map[string]string{"tickSchedule": "every day"}, "", true},
	}
	for _, tc := range cases {
		c, err := loadConfig(mapLookup(merge(tc.context, map[string]string{keySenderEmail: "m@example.org"})))
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.scheduleExpression(s)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("%v: %q, %v; want %q, error %v", tc.context, got, err, tc.want, tc.wantErr)
		}
	}
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func TestValidateFunctions(t *testing.T) {
	ok := Function{Name: "survey", MemoryMB: 256, Timeout: 10 * time.Second, Routes: []string{"GET /s/{survey}"}}
	with := func(change func(*Function)) []Function {
		f := ok
		change(&f)
		return []Function{f}
	}
	cases := []struct {
		name string
		fns  []Function
		want string // "" = valid
	}{
		{"Pairup", Functions, ""},
		{"OK", []Function{ok}, ""},
		{"Duplicate", []Function{ok, ok}, "declared twice"},
		{"BadName", with(func(f *Function) { f.Name = "Survey_Form" }), "name must be"},
		{"Memory", with(func(f *Function) { f.MemoryMB = 64 }), "MemoryMB"},
		{"FractionalTimeout", with(func(f *Function) { f.Timeout = 1500 * time.Millisecond }), "whole seconds"},
		{"HTTPTimeout", with(func(f *Function) { f.Timeout = time.Minute }), "30s"},
		{"NegativeConcurrency", with(func(f *Function) { f.ReservedConcurrency = -1 }), "negative"},
		{"BadMethod", with(func(f *Function) { f.Routes = []string{"FETCH /s"} }), "METHOD"},
		{"BadPath", with(func(f *Function) { f.Routes = []string{"GET s/{survey}"} }), "METHOD"},
		{"RouteTaken", []Function{ok, {Name: "other", MemoryMB: 128, Timeout: time.Second, Routes: []string{"GET /s/{survey}"}}}, "already served"},
		{"ScheduleKey", with(func(f *Function) { f.Schedules = []Schedule{{ID: "T", Expression: "rate(1 hour)"}} }), "ContextKey"},
		{"ScheduleID", with(func(f *Function) { f.Schedules = []Schedule{{ID: "t", ContextKey: "k", Expression: "rate(1 hour)"}} }), "PascalCase"},
		{"ScheduleExpression", with(func(f *Function) { f.Schedules = []Schedule{{ID: "T", ContextKey: "k", Expression: "hourly"}} }), "want rate"},
		{"ScheduleOffByDefault", with(func(f *Function) { f.Schedules = []Schedule{{ID: "T", ContextKey: "k", Expression: "off"}} }), "real expression"},
		{"WildcardAction", with(func(f *Function) { f.TableActions = []string{"dynamodb:*"} }), "explicit"},
		{"OtherServiceAction", with(func(f *Function) { f.TableActions = []string{"s3:GetObject"} }), "explicit"},
		{"Stream", with(func(f *Function) {
			f.TableStream = &StreamSource{FilterPattern: `{"eventName":["INSERT"]}`, BatchSize: 10}
		}), ""},
		{"StreamUnfiltered", with(func(f *Function) { f.TableStream = &StreamSource{BatchSize: 1, MaxRetries: 2} }), ""},
		{"StreamBatchSize", with(func(f *Function) { f.TableStream = &StreamSource{} }), "BatchSize 0"},
		{"StreamBatchTooBig", with(func(f *Function) { f.TableStream = &StreamSource{BatchSize: 10001} }), "BatchSize 10001"},
		{"StreamRetries", with(func(f *Function) { f.TableStream = &StreamSource{BatchSize: 1, MaxRetries: -1} }), "MaxRetries -1"},
		{"StreamFilterNotJSON", with(func(f *Function) { f.TableStream = &StreamSource{BatchSize: 1, FilterPattern: "INSERT"} }), "FilterPattern"},
		{"StreamFilterNotObject", with(func(f *Function) { f.TableStream = &StreamSource{BatchSize: 1, FilterPattern: `["INSERT"]`} }), "FilterPattern"},
		{"ThreeStreamReaders", []Function{streamReader("one"), streamReader("two"), streamReader("three")}, "at most 2"},
		{"Env", with(func(f *Function) { f.Env = map[string]string{"PAIRUP_SURVEY_LIMIT": "3"} }), ""},
		{"EnvName", with(func(f *Function) { f.Env = map[string]string{"SURVEY_LIMIT": "3"} }), "want PAIRUP_"},
		{"EnvLowerCase", with(func(f *Function) { f.Env = map[string]string{"PAIRUP_limit": "3"} }), "want PAIRUP_"},
		{"EnvSetByStack", with(func(f *Function) { f.Env = map[string]string{envTable: "other"} }), "set by the stack"},
		{"EnvAllowNow", with(func(f *Function) { f.Env = map[string]string{"PAIRUP_ALLOW_NOW": "true"} }), "never in the deployed stack"},
		{"EnvSetByConfig", with(func(f *Function) {
			f.ConfigEnv = []string{keyMailRate}
			f.Env = map[string]string{"PAIRUP_MAIL_RATE": "1"}
		}), "also set by ConfigEnv mailRate"},
		{"ConfigEnv", with(func(f *Function) { f.ConfigEnv = []string{keyMailRate} }), ""},
		{"ConfigEnvUnknown", with(func(f *Function) { f.ConfigEnv = []string{keyCertificateArn} }), "not a configuration key"},
		{"LogAlarm", with(func(f *Function) {
			f.LogAlarms = []LogAlarm{{Event: "survey.failed", Metric: "SurveyFailed", Description: "d"}}
		}), ""},
		{"LogAlarmEvent", with(func(f *Function) { f.LogAlarms = []LogAlarm{{Event: `x" || 1`, Metric: "X", Description: "d"}} }), "log alarm event"},
		{"LogAlarmMetric", with(func(f *Function) { f.LogAlarms = []LogAlarm{{Event: "x", Metric: "mail-failed", Description: "d"}} }), "PascalCase"},
		{"LogAlarmDescription", with(func(f *Function) { f.LogAlarms = []LogAlarm{{Event: "x", Metric: "X"}} }), "Description"},
		{"LogAlarmMetricTwice", []Function{
			{Name: "first", MemoryMB: 128, Timeout: time.Second, LogAlarms: []LogAlarm{{Event: "x", Metric: "X", Description: "d"}}},
			{Name: "second", MemoryMB: 128, Timeout: time.Second, LogAlarms: []LogAlarm{{Event: "y", Metric: "X", Description: "d"}}},
		}, `already used by "first"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := validateFunctions(tc.fns)
			if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// streamReader is a minimal function fed by the table stream.
func streamReader(name string) Function {
	return Function{Name: name, MemoryMB: 128, Timeout: time.Second, TableStream: &StreamSource{BatchSize: 1}}
}

func TestLogAlarmPattern(t *testing.T) {
	if got, want := logAlarmPattern("mail.failed"), `{ $.event = "mail.failed" }`; got != want {
		t.Errorf("logAlarmPattern = %s, want %s", got, want)
	}
}

func TestNewPairupStackNeedsBinaries(t *testing.T) {
	c, err := loadConfig(mapLookup(map[string]string{keySenderEmail: "m@example.org", keyAssetDir: t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	// Fails before touching the CDK, so no scope is needed.
	_, err = NewPairupStack(nil, "Pairup", &StackProps{Config: c})
	if err == nil || !strings.Contains(err.Error(), "signup/bootstrap") || !strings.Contains(err.Error(), "make build") {
		t.Errorf("error %v, want a missing signup/bootstrap and a hint to build", err)
	}
}

func TestPascal(t *testing.T) {
	for in, want := range map[string]string{"signup": "Signup", "match-run": "MatchRun", "round-close": "RoundClose"} {
		if got := pascal(in); got != want {
			t.Errorf("pascal(%q) = %q, want %q", in, got, want)
		}
	}
}
