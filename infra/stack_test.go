package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
)

// Synthesis is slow (jsii drives the CDK in node), so each fixture is
// synthesised once per test binary and shared by every subtest.

// fixture is one synthesised app.
type fixture struct {
	stack    *PairupStack
	template assertions.Template
	all      map[string]map[string]any // Resources, by logical ID
	//lint:ignore SA1019 cdk-nag's findings still arrive as cxapi.SynthesisMessage (CDK v2)
	errors []*cxapi.SynthesisMessage // unsuppressed cdk-nag errors
	//lint:ignore SA1019 as above
	warnings []*cxapi.SynthesisMessage // unsuppressed cdk-nag warnings
	took     time.Duration
}

// fixtureSpec describes how to build a fixture: [Functions] plus extra,
// or only the functions named in only.
type fixtureSpec struct {
	context map[string]string
	extra   []Function
	only    []string
}

var (
	assetRoot string // temp dir with a dummy bootstrap per function
	fixtures  = map[string]*struct {
		once sync.Once
		fx   *fixture
		err  error
	}{"default": {}, "full": {}, "http-only": {}, "trial-domain": {}}
)

// tick is a scheduled test function: it proves the scheduling path
// (schedule, scheduler role, reserved concurrency, on-failure destination,
// DLQ alarm) before match-run and round-close exist.
var tick = Function{
	Name:                "tick",
	Description:         "test: scheduled function",
	MemoryMB:            512,
	Timeout:             2 * time.Minute,
	ReservedConcurrency: 1,
	Schedules: []Schedule{
		{ID: "Tick", ContextKey: "tickSchedule", Expression: "rate(5 minutes)", Input: `{"action":"tick"}`},
		{ID: "TickNightly", ContextKey: "tickNightlySchedule", Expression: "cron(0 3 * * ? *)"},
	},
	TableActions: []string{"dynamodb:GetItem", "dynamodb:Query"},
	SendEmail:    true,
}

var specs = map[string]fixtureSpec{
	"default": {context: map[string]string{
		keySenderEmail:       "mentoring@example.org",
		keyCoordinatorEmails: "coordinator@example.org, ops@example.org",
	}},
	"full": {
		context: map[string]string{
			keySenderEmail:        "mentoring@lib.example.org",
			keySenderDomain:       "lib.example.org",
			keyProduction:         "true",
			keySandboxRecipients:  "tester@example.net",
			keyCoordinatorEmails:  "coordinator@example.org",
			keyDomain:             "forms.example.org",
			keyCertificateArn:     "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666",
			keyLogRetentionDays:   "90",
			keyLogLevel:           "debug",
			keyThrottleRate:       "5",
			keyThrottleBurst:      "10",
			keyScheduleTimezone:   "Asia/Hong_Kong",
			"tickSchedule":        "rate(10 minutes)",
			"tickNightlySchedule": "off",
			"roundTickSchedule":   "cron(5 * * * ? *)",
			keyMailRate:           "50",
		},
		extra: []Function{tick},
	},
	"http-only": {
		context: map[string]string{keySenderEmail: "mentoring@example.org"},
		only:    []string{"signup"},
	},
	// A trial sending from a domain: MAIL FROM is set up but falls back to
	// amazonses.com until its MX record exists.
	"trial-domain": {
		context: map[string]string{
			keySenderEmail:    "mentoring@trial.example.org",
			keySenderDomain:   "trial.example.org",
			keyMailFromDomain: "bounce.trial.example.org",
		},
		only: []string{"signup"},
	},
}

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() { // make test-short: unit tests only
		fmt.Println("infra: integration tests skipped under -short (they need Node and the CDK (synthesis))")
		os.Exit(0)
	}
	var err error
	if assetRoot, err = os.MkdirTemp("", "pairup-infra-assets-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, f := range append(slices.Clone(Functions), tick) {
		dir := filepath.Join(assetRoot, f.Name)
		err := os.MkdirAll(dir, 0o755)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, "bootstrap"), []byte("dummy "+f.Name), 0o755)
		}
		if err == nil { // what the Makefile also leaves there; must not be deployed
			err = os.WriteFile(filepath.Join(dir, "function.zip"), []byte("zip"), 0o644)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(assetRoot)
	jsii.Close()
	os.Exit(code)
}

// cdkJSON is the repository's cdk.json.
type cdkJSON struct {
	App     string         `json:"app"`
	Context map[string]any `json:"context"`
}

func readCDKJSON(t testing.TB) cdkJSON {
	t.Helper()
	b, err := os.ReadFile("../cdk.json")
	if err != nil {
		t.Fatal(err)
	}
	var c cdkJSON
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("cdk.json: %v", err)
	}
	return c
}

// synth returns the named fixture, synthesising it on first use. The app
// gets cdk.json's context (feature flags and defaults, as under the CLI),
// then the fixture's context, with assetDir pointing at dummy binaries.
func synth(t *testing.T, name string) *fixture {
	t.Helper()
	entry := fixtures[name]
	entry.once.Do(func() { entry.fx, entry.err = synthFixture(t, name) })
	if entry.err != nil {
		t.Fatalf("fixture %q: %v", name, entry.err)
	}
	return entry.fx
}

// synthFixture builds and synthesises one fixture. A panic raised through
// jsii (a failed synthesis) becomes its error.
func synthFixture(t *testing.T, name string) (fx *fixture, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("synthesis failed: %v", r)
		}
	}()
	start := time.Now()
	spec := specs[name]
	ctx := readCDKJSON(t).Context
	for k, v := range spec.context {
		ctx[k] = v
	}
	ctx[keyAssetDir] = assetRoot
	// Report cdk-nag errors as annotations the tests can list one by one,
	// instead of failing the whole synthesis (as the CLI rightly does).
	ctx["@aws-cdk/core:annotationsInValidationReport"] = false
	app := awscdk.NewApp(&awscdk.AppProps{
		Context: &ctx,
		Outdir:  jsii.String(filepath.Join(assetRoot, "cdk.out."+name)),
	})
	noEnv := func(string) (string, bool) { return "", false }
	fns := append(slices.Clone(Functions), spec.extra...)
	if spec.only != nil {
		fns = slices.DeleteFunc(fns, func(f Function) bool { return !slices.Contains(spec.only, f.Name) })
	}
	stack, err := build(app, fns, noEnv)
	if err != nil {
		return nil, err
	}
	// One forced synthesis for the annotations; Template_FromStack then
	// reuses the cached assembly.
	ann := assertions.Annotations_FromStack(stack.Stack)
	nag := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))
	fx = &fixture{
		stack:    stack,
		errors:   *ann.FindError(jsii.String("*"), nag),
		warnings: *ann.FindWarning(jsii.String("*"), nag),
		template: assertions.Template_FromStack(stack.Stack, nil),
		all:      map[string]map[string]any{},
	}
	for id, r := range (*fx.template.ToJSON())["Resources"].(map[string]any) {
		fx.all[id] = r.(map[string]any)
	}
	fx.took = time.Since(start)
	t.Logf("synthesised fixture %q in %v", name, fx.took.Round(time.Millisecond))
	return fx, nil
}

// resources returns the template's resources of a type, by logical ID.
func (fx *fixture) resources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range fx.all {
		if r["Type"] == typ {
			out[id] = r
		}
	}
	return out
}

// check runs template assertions, turning their failure (a panic raised
// through jsii) into a test error so one failure does not end the run.
func check(t *testing.T, assert func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Helper()
			t.Errorf("%v", r)
		}
	}()
	assert()
}

// has, hasProps, count, propsCount and hasOutput are the template
// assertions of the same names, reported with check.
func (fx *fixture) has(t *testing.T, typ string, want any) {
	t.Helper()
	check(t, func() { fx.template.HasResource(jsii.String(typ), want) })
}

func (fx *fixture) hasProps(t *testing.T, typ string, want any) {
	t.Helper()
	check(t, func() { fx.template.HasResourceProperties(jsii.String(typ), want) })
}

func (fx *fixture) count(t *testing.T, typ string, n int) {
	t.Helper()
	if got := len(fx.resources(typ)); got != n {
		t.Errorf("%d resources of type %s, want %d", got, typ, n)
	}
}

func (fx *fixture) propsCount(t *testing.T, typ string, want any, n int) {
	t.Helper()
	check(t, func() { fx.template.ResourcePropertiesCountIs(jsii.String(typ), want, jsii.Number(n)) })
}

func (fx *fixture) hasOutput(t *testing.T, id string, want any) {
	t.Helper()
	check(t, func() { fx.template.HasOutput(jsii.String(id), want) })
}

// props returns a resource's Properties.
func props(r map[string]any) map[string]any {
	p, _ := r["Properties"].(map[string]any)
	return p
}

// functionByName finds a function's resource by its "pairup <name>: "
// description.
func (fx *fixture) function(t *testing.T, name string) (string, map[string]any) {
	t.Helper()
	for id, r := range fx.resources("AWS::Lambda::Function") {
		if d, _ := props(r)["Description"].(string); strings.HasPrefix(d, "pairup "+name+": ") {
			return id, props(r)
		}
	}
	t.Fatalf("no function %q", name)
	return "", nil
}

// roleByDescription finds an IAM role by its description.
func (fx *fixture) role(t *testing.T, description string) (string, map[string]any) {
	t.Helper()
	for id, r := range fx.resources("AWS::IAM::Role") {
		if props(r)["Description"] == description {
			return id, props(r)
		}
	}
	t.Fatalf("no role %q", description)
	return "", nil
}

// policyStatement is an IAM statement flattened for comparison.
type policyStatement struct {
	owner     string // logical ID of the role or policy
	effect    string
	actions   []string
	resources []string // JSON of each resource
}

// statements returns every identity-policy statement in the template: role
// inline policies and AWS::IAM::Policy documents.
func (fx *fixture) statements() []policyStatement {
	var docs []struct {
		owner string
		doc   any
	}
	for id, r := range fx.resources("AWS::IAM::Role") {
		pols, _ := props(r)["Policies"].([]any)
		for _, p := range pols {
			docs = append(docs, struct {
				owner string
				doc   any
			}{id, p.(map[string]any)["PolicyDocument"]})
		}
	}
	for _, r := range fx.resources("AWS::IAM::Policy") {
		roles, _ := props(r)["Roles"].([]any)
		owner := ""
		if len(roles) == 1 {
			if ref, ok := roles[0].(map[string]any)["Ref"].(string); ok {
				owner = ref
			}
		}
		docs = append(docs, struct {
			owner string
			doc   any
		}{owner, props(r)["PolicyDocument"]})
	}
	var out []policyStatement
	for _, d := range docs {
		for _, s := range d.doc.(map[string]any)["Statement"].([]any) {
			m := s.(map[string]any)
			ps := policyStatement{owner: d.owner, effect: m["Effect"].(string)}
			ps.actions = stringsOf(m["Action"])
			rs, ok := m["Resource"].([]any)
			if !ok {
				rs = []any{m["Resource"]}
			}
			for _, r := range rs {
				b, _ := json.Marshal(r)
				ps.resources = append(ps.resources, string(b))
			}
			out = append(out, ps)
		}
	}
	return out
}

func stringsOf(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, e.(string))
		}
		return out
	}
	return nil
}

// grants returns, for one role, action → resources (JSON), over all its
// statements.
func (fx *fixture) grants(roleID string) map[string][]string {
	out := map[string][]string{}
	for _, s := range fx.statements() {
		if s.owner != roleID || s.effect != "Allow" {
			continue
		}
		for _, a := range s.actions {
			out[a] = append(out[a], s.resources...)
		}
	}
	for a := range out {
		// The same grant from two statements (the mailer's own stream
		// on-failure statement and the CDK's async destination) counts once.
		sort.Strings(out[a])
		out[a] = slices.Compact(out[a])
	}
	return out
}

func ref(id string) string { return fmt.Sprintf(`{"Ref":%q}`, id) }
func getAtt(id, attr string) string {
	return fmt.Sprintf(`{"Fn::GetAtt":[%q,%q]}`, id, attr)
}

// topic returns the logical ID of the SNS topic with a display name.
func (fx *fixture) topic(t *testing.T, displayName string) string {
	t.Helper()
	for id, r := range fx.resources("AWS::SNS::Topic") {
		if props(r)["DisplayName"] == displayName {
			return id
		}
	}
	t.Fatalf("no topic %q", displayName)
	return ""
}

// logicalID returns the single resource of typ, failing otherwise.
func (fx *fixture) logicalID(t *testing.T, typ string) string {
	t.Helper()
	rs := fx.resources(typ)
	if len(rs) != 1 {
		t.Fatalf("%d resources of type %s, want 1", len(rs), typ)
	}
	for id := range rs {
		return id
	}
	return ""
}

func TestStackCompliesWithAwsSolutions(t *testing.T) {
	for _, name := range []string{"default", "full", "trial-domain"} {
		t.Run(name, func(t *testing.T) {
			fx := synth(t, name)
			for _, m := range fx.errors {
				//lint:ignore SA1019 see fixture.errors
				t.Errorf("cdk-nag error at %s: %v", *m.Id, m.Entry.Data)
			}
			for _, m := range fx.warnings {
				//lint:ignore SA1019 see fixture.errors
				t.Errorf("cdk-nag warning at %s: %v", *m.Id, m.Entry.Data)
			}
		})
	}
}

func TestStackSuppressionsHaveReasons(t *testing.T) {
	for _, name := range []string{"default", "full"} {
		t.Run(name, func(t *testing.T) {
			fx := synth(t, name)
			n := 0
			for id, r := range *fx.template.ToJSON() {
				if id != "Resources" {
					continue
				}
				for logical, res := range r.(map[string]any) {
					md, _ := res.(map[string]any)["Metadata"].(map[string]any)
					nag, _ := md["cdk_nag"].(map[string]any)
					rules, _ := nag["rules_to_suppress"].([]any)
					for _, rule := range rules {
						m := rule.(map[string]any)
						n++
						if reason, _ := m["reason"].(string); len(reason) < 40 {
							t.Errorf("%s: suppression of %v has no real reason: %q", logical, m["id"], reason)
						}
					}
				}
			}
			if n == 0 {
				t.Error("no suppressions found; expected APIG4 and SMG4 at least")
			}
		})
	}
}

func TestTable(t *testing.T) {
	fx := synth(t, "default")
	fx.count(t, "AWS::DynamoDB::Table", 1)
	fx.has(t, "AWS::DynamoDB::Table", map[string]any{
		"DeletionPolicy":      "Retain",
		"UpdateReplacePolicy": "Retain",
		"Properties": map[string]any{
			"BillingMode":                      "PAY_PER_REQUEST",
			"DeletionProtectionEnabled":        true,
			"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true},
			"TimeToLiveSpecification":          map[string]any{"AttributeName": "ExpiresAt", "Enabled": true},
			"StreamSpecification":              map[string]any{"StreamViewType": "NEW_IMAGE"},
			"KeySchema": []any{
				map[string]any{"AttributeName": "PK", "KeyType": "HASH"},
				map[string]any{"AttributeName": "SK", "KeyType": "RANGE"},
			},
			"AttributeDefinitions": assertions.Match_ArrayWith(&[]any{
				map[string]any{"AttributeName": "PK", "AttributeType": "S"},
				map[string]any{"AttributeName": "SK", "AttributeType": "S"},
				map[string]any{"AttributeName": "GSI1PK", "AttributeType": "S"},
				map[string]any{"AttributeName": "GSI1SK", "AttributeType": "S"},
			}),
			"GlobalSecondaryIndexes": []any{map[string]any{
				"IndexName": "GSI1",
				"KeySchema": []any{
					map[string]any{"AttributeName": "GSI1PK", "KeyType": "HASH"},
					map[string]any{"AttributeName": "GSI1SK", "KeyType": "RANGE"},
				},
				"Projection": map[string]any{"ProjectionType": "ALL"},
			}},
			"TableName": assertions.Match_Absent(),
		},
	})
}

func TestFunctions(t *testing.T) {
	cases := []struct {
		fixture, name    string
		memory, timeout  float64
		reserved         any
		wantEnv          map[string]any
		wantAsyncFailure bool
	}{
		// signup writes mail into the outbox: no SES settings.
		{fixture: "default", name: "signup", memory: 256, timeout: 10, reserved: nil, wantEnv: map[string]any{
			"PAIRUP_TABLE":           "table",
			"PAIRUP_BASE_URL":        "api",
			"PAIRUP_LINK_KEY_SECRET": "secret",
			"PAIRUP_LOG_LEVEL":       "info",
		}},
		{fixture: "full", name: "signup", memory: 256, timeout: 10, reserved: nil, wantEnv: map[string]any{
			"PAIRUP_TABLE":           "table",
			"PAIRUP_BASE_URL":        "https://forms.example.org",
			"PAIRUP_LINK_KEY_SECRET": "secret",
			"PAIRUP_LOG_LEVEL":       "debug",
		}},
		{fixture: "default", name: "mailer", memory: 256, timeout: 300, reserved: float64(2), wantAsyncFailure: true, wantEnv: map[string]any{
			"PAIRUP_TABLE":                 "table",
			"PAIRUP_MAIL_FROM":             "mentoring@example.org",
			"PAIRUP_SES_CONFIGURATION_SET": "configset",
			"PAIRUP_BASE_URL":              "api",
			"PAIRUP_LINK_KEY_SECRET":       "secret", // keys the hashes erased addresses' suppressions are kept under
			"PAIRUP_LOG_LEVEL":             "info",
			"PAIRUP_MAIL_RATE":             "14",
			"PAIRUP_MAIL_CONCURRENCY":      "2",
		}},
		{fixture: "full", name: "mailer", memory: 256, timeout: 300, reserved: float64(2), wantAsyncFailure: true, wantEnv: map[string]any{
			"PAIRUP_TABLE":                 "table",
			"PAIRUP_MAIL_FROM":             "mentoring@lib.example.org",
			"PAIRUP_SES_CONFIGURATION_SET": "configset",
			"PAIRUP_BASE_URL":              "https://forms.example.org",
			"PAIRUP_LINK_KEY_SECRET":       "secret",
			"PAIRUP_LOG_LEVEL":             "debug",
			"PAIRUP_MAIL_RATE":             "50", // context mailRate
			"PAIRUP_MAIL_CONCURRENCY":      "2",
		}},
		{fixture: "default", name: "ses-events", memory: 128, timeout: 30, reserved: nil, wantAsyncFailure: true, wantEnv: map[string]any{
			"PAIRUP_TABLE":     "table",
			"PAIRUP_BASE_URL":  "api",
			"PAIRUP_LOG_LEVEL": "info",
		}},
		// round-tick and survey queue mail in the outbox and sign links.
		{fixture: "default", name: "round-tick", memory: 512, timeout: 300, reserved: float64(1), wantAsyncFailure: true, wantEnv: map[string]any{
			"PAIRUP_TABLE":           "table",
			"PAIRUP_BASE_URL":        "api",
			"PAIRUP_LINK_KEY_SECRET": "secret",
			"PAIRUP_LOG_LEVEL":       "info",
		}},
		{fixture: "full", name: "round-tick", memory: 512, timeout: 300, reserved: float64(1), wantAsyncFailure: true, wantEnv: map[string]any{
			"PAIRUP_TABLE":           "table",
			"PAIRUP_BASE_URL":        "https://forms.example.org",
			"PAIRUP_LINK_KEY_SECRET": "secret",
			"PAIRUP_LOG_LEVEL":       "debug",
		}},
		{fixture: "default", name: "survey", memory: 256, timeout: 10, reserved: nil, wantEnv: map[string]any{
			"PAIRUP_TABLE":           "table",
			"PAIRUP_BASE_URL":        "api",
			"PAIRUP_LINK_KEY_SECRET": "secret",
			"PAIRUP_LOG_LEVEL":       "info",
		}},
		{fixture: "full", name: "survey", memory: 256, timeout: 10, reserved: nil, wantEnv: map[string]any{
			"PAIRUP_TABLE":           "table",
			"PAIRUP_BASE_URL":        "https://forms.example.org",
			"PAIRUP_LINK_KEY_SECRET": "secret",
			"PAIRUP_LOG_LEVEL":       "debug",
		}},
		{fixture: "full", name: "tick", memory: 512, timeout: 120, reserved: float64(1), wantAsyncFailure: true, wantEnv: map[string]any{
			"PAIRUP_TABLE":                 "table",
			"PAIRUP_MAIL_FROM":             "mentoring@lib.example.org",
			"PAIRUP_SES_CONFIGURATION_SET": "configset",
			"PAIRUP_BASE_URL":              "https://forms.example.org",
			"PAIRUP_LOG_LEVEL":             "debug",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.fixture+"/"+tc.name, func(t *testing.T) {
			fx := synth(t, tc.fixture)
			table := fx.logicalID(t, "AWS::DynamoDB::Table")
			configSet := fx.logicalID(t, "AWS::SES::ConfigurationSet")
			secret := fx.logicalID(t, "AWS::SecretsManager::Secret")
			api := fx.logicalID(t, "AWS::ApiGatewayV2::Api")
			symbolic := map[string]string{
				"table":     ref(table),
				"configset": ref(configSet),
				"secret":    ref(secret),
				"api":       getAtt(api, "ApiEndpoint"),
			}

			id, p := fx.function(t, tc.name)
			if p["Runtime"] != "provided.al2023" || p["Handler"] != "bootstrap" ||
				!reflect.DeepEqual(p["Architectures"], []any{"arm64"}) {
				t.Errorf("runtime %v, handler %v, architectures %v; want provided.al2023, bootstrap, [arm64]",
					p["Runtime"], p["Handler"], p["Architectures"])
			}
			if p["MemorySize"] != tc.memory || p["Timeout"] != tc.timeout {
				t.Errorf("memory %v, timeout %v; want %v, %v", p["MemorySize"], p["Timeout"], tc.memory, tc.timeout)
			}
			if p["ReservedConcurrentExecutions"] != tc.reserved {
				t.Errorf("reserved concurrency %v, want %v", p["ReservedConcurrentExecutions"], tc.reserved)
			}

			vars := p["Environment"].(map[string]any)["Variables"].(map[string]any)
			for k, want := range tc.wantEnv {
				got, _ := json.Marshal(vars[k])
				w, ok := symbolic[want.(string)]
				if !ok {
					b, _ := json.Marshal(want)
					w = string(b)
				}
				if string(got) != w {
					t.Errorf("env %s = %s, want %s", k, got, w)
				}
			}
			for k := range vars {
				if _, ok := tc.wantEnv[k]; !ok {
					t.Errorf("unexpected env %s", k)
				}
			}

			// Its own log group, with the configured retention.
			lg, _ := p["LoggingConfig"].(map[string]any)["LogGroup"].(map[string]any)["Ref"].(string)
			wantRetention := map[string]float64{"default": 30, "full": 90}[tc.fixture]
			if got := props(fx.resources("AWS::Logs::LogGroup")[lg])["RetentionInDays"]; got != wantRetention {
				t.Errorf("log group %q retention %v, want %v", lg, got, wantRetention)
			}

			// An error alarm on this function, notifying the alarm topic.
			fx.hasProps(t, "AWS::CloudWatch::Alarm", map[string]any{
				"MetricName":   "Errors",
				"Namespace":    "AWS/Lambda",
				"Dimensions":   []any{map[string]any{"Name": "FunctionName", "Value": map[string]any{"Ref": id}}},
				"AlarmActions": []any{map[string]any{"Ref": fx.topic(t, "pairup alarms")}},
			})

			var cfgs []map[string]any
			for _, c := range fx.resources("AWS::Lambda::EventInvokeConfig") {
				if fn, _ := json.Marshal(props(c)["FunctionName"]); string(fn) == ref(id) {
					cfgs = append(cfgs, c)
				}
			}
			if got := len(cfgs) == 1; got != tc.wantAsyncFailure {
				t.Fatalf("has event invoke config: %v, want %v", got, tc.wantAsyncFailure)
			}
			if tc.wantAsyncFailure {
				for _, c := range cfgs {
					cp := props(c)
					dest, _ := json.Marshal(cp["DestinationConfig"])
					want := fmt.Sprintf(`{"OnFailure":{"Destination":%s}}`, getAtt(fx.logicalID(t, "AWS::SQS::Queue"), "Arn"))
					if string(dest) != want || cp["MaximumRetryAttempts"] != float64(asyncRetries) {
						t.Errorf("event invoke config %s, retries %v; want %s, %d", dest, cp["MaximumRetryAttempts"], want, asyncRetries)
					}
				}
			}
		})
	}
}

func TestHTTPAPI(t *testing.T) {
	fx := synth(t, "default")
	fx.count(t, "AWS::ApiGatewayV2::Api", 1)
	fx.hasProps(t, "AWS::ApiGatewayV2::Api", map[string]any{"ProtocolType": "HTTP"})

	signup, _ := fx.function(t, "signup")
	// One integration per HTTP function (signup, survey), each route to one
	// of them; survey's routes are checked in inround_test.go.
	if n := len(fx.resources("AWS::ApiGatewayV2::Integration")); n != 2 {
		t.Errorf("%d integrations, want 2 (one per HTTP function)", n)
	}
	if n, want := len(fx.resources("AWS::ApiGatewayV2::Route")), len(fx.routes(t, "signup"))+len(fx.routes(t, "survey")); n != want {
		t.Errorf("%d routes, want %d (signup's and survey's)", n, want)
	}
	routes := fx.routes(t, "signup")
	want := []string{"GET /", "GET /confirm", "GET /erase", "GET /new-partner", "GET /p/{programme}/signup", "GET /rejoin", "GET /unsubscribe", "GET /withdraw",
		"POST /confirm", "POST /erase", "POST /new-partner", "POST /p/{programme}/signup", "POST /rejoin", "POST /unsubscribe", "POST /withdraw"}
	if !reflect.DeepEqual(routes, want) {
		t.Errorf("routes %q, want %q", routes, want)
	}
	// API Gateway may invoke signup, per route.
	fx.propsCount(t, "AWS::Lambda::Permission", map[string]any{
		"Action":       "lambda:InvokeFunction",
		"Principal":    "apigateway.amazonaws.com",
		"FunctionName": map[string]any{"Fn::GetAtt": []any{signup, "Arn"}},
	}, len(want))

	t.Run("Stage", func(t *testing.T) {
		for _, tc := range []struct {
			fixture      string
			rate, burst  float64
			logRetention float64
		}{
			{"default", 25, 50, 30},
			{"full", 5, 10, 90},
		} {
			fx := synth(t, tc.fixture)
			stages := fx.resources("AWS::ApiGatewayV2::Stage")
			if len(stages) != 1 {
				t.Fatalf("%s: %d stages, want 1", tc.fixture, len(stages))
			}
			for _, r := range stages {
				p := props(r)
				if p["StageName"] != "$default" || p["AutoDeploy"] != true {
					t.Errorf("%s: stage %v auto-deploy %v", tc.fixture, p["StageName"], p["AutoDeploy"])
				}
				rs := p["DefaultRouteSettings"].(map[string]any)
				if rs["ThrottlingRateLimit"] != tc.rate || rs["ThrottlingBurstLimit"] != tc.burst {
					t.Errorf("%s: throttling %v/%v, want %v/%v", tc.fixture, rs["ThrottlingRateLimit"], rs["ThrottlingBurstLimit"], tc.rate, tc.burst)
				}
				als := p["AccessLogSettings"].(map[string]any)
				lg := als["DestinationArn"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
				if got := props(fx.resources("AWS::Logs::LogGroup")[lg])["RetentionInDays"]; got != tc.logRetention {
					t.Errorf("%s: access log retention %v, want %v", tc.fixture, got, tc.logRetention)
				}
				format := als["Format"].(string)
				if !json.Valid([]byte(format)) || strings.Contains(format, "sourceIp") || strings.Contains(format, "userAgent") {
					t.Errorf("%s: access log format must be JSON without personal data: %s", tc.fixture, format)
				}
			}
		}
	})

	t.Run("FiveXXAlarm", func(t *testing.T) {
		fx.hasProps(t, "AWS::CloudWatch::Alarm", map[string]any{
			"MetricName":   "5xx",
			"Namespace":    "AWS/ApiGateway",
			"Dimensions":   []any{map[string]any{"Name": "ApiId", "Value": map[string]any{"Ref": fx.logicalID(t, "AWS::ApiGatewayV2::Api")}}},
			"AlarmActions": []any{map[string]any{"Ref": fx.topic(t, "pairup alarms")}},
		})
	})
}

// TestLeastPrivilege checks every identity policy in both fixtures: no
// managed policies, no wildcard actions, no wildcard resources, and each
// function's data-plane grants exactly as declared.
func TestLeastPrivilege(t *testing.T) {
	for _, name := range []string{"default", "full"} {
		fx := synth(t, name)
		t.Run(name+"/NoManagedPolicies", func(t *testing.T) {
			for id, r := range fx.resources("AWS::IAM::Role") {
				if mp, ok := props(r)["ManagedPolicyArns"]; ok {
					t.Errorf("role %s has managed policies %v", id, mp)
				}
			}
			fx.count(t, "AWS::IAM::ManagedPolicy", 0)
		})
		t.Run(name+"/NoWildcards", func(t *testing.T) {
			for _, s := range fx.statements() {
				if s.effect != "Allow" {
					continue
				}
				for _, a := range s.actions {
					if strings.Contains(a, "*") {
						t.Errorf("%s: wildcard action %q", s.owner, a)
					}
				}
				for _, r := range s.resources {
					if strings.Contains(r, "*") {
						t.Errorf("%s: wildcard resource %s for %v", s.owner, r, s.actions)
					}
				}
			}
		})
	}

	fx := synth(t, "full")
	table := getAtt(fx.logicalID(t, "AWS::DynamoDB::Table"), "Arn")
	index := fmt.Sprintf(`{"Fn::Join":["",[%s,"/index/GSI1"]]}`, table)
	stream := getAtt(fx.logicalID(t, "AWS::DynamoDB::Table"), "StreamArn")
	secret := ref(fx.logicalID(t, "AWS::SecretsManager::Secret"))
	dlq := getAtt(fx.logicalID(t, "AWS::SQS::Queue"), "Arn")
	sesArn := func(kind, name string) string {
		return fmt.Sprintf(`{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":ses:",{"Ref":"AWS::Region"},":",{"Ref":"AWS::AccountId"},":%s/",%s]]}`, kind, name)
	}
	identity := sesArn("identity", ref(fx.logicalID(t, "AWS::SES::EmailIdentity")))
	configSet := sesArn("configuration-set", ref(fx.logicalID(t, "AWS::SES::ConfigurationSet")))
	sandbox := `{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":ses:",{"Ref":"AWS::Region"},":",{"Ref":"AWS::AccountId"},":identity/tester@example.net"]]}`
	logsOf := func(fn string) string {
		_, p := fx.function(t, fn)
		return getAtt(p["LoggingConfig"].(map[string]any)["LogGroup"].(map[string]any)["Ref"].(string), "Arn")
	}
	fnArn := func(fn string) string {
		id, _ := fx.function(t, fn)
		return getAtt(id, "Arn")
	}
	sorted := func(s ...string) []string { sort.Strings(s); return s }

	cases := []struct {
		role string
		want map[string][]string
	}{
		// signup writes mail to the outbox; it cannot send.
		{"pairup signup function", map[string][]string{
			"logs:CreateLogStream":          {logsOf("signup")},
			"logs:PutLogEvents":             {logsOf("signup")},
			"dynamodb:ConditionCheckItem":   {table},
			"dynamodb:DeleteItem":           {table},
			"dynamodb:GetItem":              {table},
			"dynamodb:PutItem":              {table},
			"dynamodb:Query":                sorted(table, index),
			"dynamodb:UpdateItem":           {table},
			"secretsmanager:GetSecretValue": {secret},
		}},
		{"pairup mailer function", map[string][]string{
			"logs:CreateLogStream": {logsOf("mailer")},
			"logs:PutLogEvents":    {logsOf("mailer")},
			// the suppression check: the address's own and those kept under
			// hashes of an erased address, keyed with the link key
			"dynamodb:BatchGetItem":         {table},
			"secretsmanager:GetSecretValue": {secret},
			"dynamodb:GetItem":              {table},
			"dynamodb:PutItem":              {table},
			"dynamodb:Query":                sorted(table, index),
			"dynamodb:UpdateItem":           {table},
			"ses:SendEmail":                 sorted(identity, configSet, sandbox),
			// the table stream, and nothing but it
			"dynamodb:DescribeStream":   {stream},
			"dynamodb:GetRecords":       {stream},
			"dynamodb:GetShardIterator": {stream},
			"dynamodb:ListStreams":      {stream},
			// stream and async on-failure destinations
			"sqs:SendMessage":        {dlq},
			"sqs:GetQueueAttributes": {dlq},
			"sqs:GetQueueUrl":        {dlq},
		}},
		{"pairup ses-events function", map[string][]string{
			"logs:CreateLogStream":   {logsOf("ses-events")},
			"logs:PutLogEvents":      {logsOf("ses-events")},
			"dynamodb:GetItem":       {table},
			"dynamodb:PutItem":       {table},
			"dynamodb:UpdateItem":    {table},
			"sqs:SendMessage":        {dlq},
			"sqs:GetQueueAttributes": {dlq},
			"sqs:GetQueueUrl":        {dlq},
		}},
		{"pairup tick function", map[string][]string{
			"logs:CreateLogStream": {logsOf("tick")},
			"logs:PutLogEvents":    {logsOf("tick")},
			"dynamodb:GetItem":     {table},
			"dynamodb:Query":       sorted(table, index),
			"ses:SendEmail":        sorted(identity, configSet, sandbox),
			// on-failure destination (granted by the Lambda destination)
			"sqs:SendMessage":        {dlq},
			"sqs:GetQueueAttributes": {dlq},
			"sqs:GetQueueUrl":        {dlq},
		}},
		{"EventBridge Scheduler: invoke pairup tick", map[string][]string{
			"lambda:InvokeFunction": {fnArn("tick")},
			"sqs:SendMessage":       {dlq},
		}},
		{"EventBridge Scheduler: invoke pairup mailer", map[string][]string{
			"lambda:InvokeFunction": {fnArn("mailer")},
			"sqs:SendMessage":       {dlq},
		}},
	}
	for _, tc := range cases {
		t.Run("full/"+tc.role, func(t *testing.T) {
			id, _ := fx.role(t, tc.role)
			got := fx.grants(id)
			if !reflect.DeepEqual(got, tc.want) {
				for a, rs := range got {
					if !reflect.DeepEqual(rs, tc.want[a]) {
						t.Errorf("%s on %v, want %v", a, rs, tc.want[a])
					}
				}
				for a := range tc.want {
					if _, ok := got[a]; !ok {
						t.Errorf("%s not granted", a)
					}
				}
			}
		})
	}

	t.Run("default/OnlyTheMailerSends", func(t *testing.T) {
		fx := synth(t, "default")
		mailer, _ := fx.role(t, "pairup mailer function")
		for _, s := range fx.statements() {
			if slices.Contains(s.actions, "ses:SendEmail") && s.owner != mailer {
				t.Errorf("%s may send email; only the mailer should", s.owner)
			}
		}
		if got := len(fx.grants(mailer)["ses:SendEmail"]); got != 2 {
			t.Errorf("mailer: ses:SendEmail on %d resources, want 2 (identity, configuration set)", got)
		}
	})
}

func TestEmail(t *testing.T) {
	region := "${AWS::Region}" // how renderValue shows an environment-agnostic stack's region
	if r := synth(t, "full").stack.Region(); !*awscdk.Token_IsUnresolved(r) {
		region = *r
	}
	cases := []struct {
		fixture, identity string
		dkimOutputs       int
		// mailFrom is the identity's MailFromAttributes; nil = none.
		mailFrom map[string]any
		// records are the DNS record outputs beside the DKIM CNAMEs, by ID.
		records map[string]string
	}{
		{fixture: "default", identity: "mentoring@example.org"},
		{
			fixture: "full", identity: "lib.example.org", dkimOutputs: 3,
			mailFrom: map[string]any{"MailFromDomain": "mail.lib.example.org", "BehaviorOnMxFailure": "REJECT_MESSAGE"},
			records: map[string]string{
				"MailFromMx":  "mail.lib.example.org MX 10 feedback-smtp." + region + ".amazonses.com",
				"MailFromSpf": `mail.lib.example.org TXT "v=spf1 include:amazonses.com ~all"`,
				"DmarcTxt":    `_dmarc.lib.example.org TXT "v=DMARC1; p=quarantine; rua=mailto:coordinator@example.org"`,
			},
		},
		{
			fixture: "trial-domain", identity: "trial.example.org", dkimOutputs: 3,
			mailFrom: map[string]any{"MailFromDomain": "bounce.trial.example.org", "BehaviorOnMxFailure": "USE_DEFAULT_VALUE"},
			records: map[string]string{
				"MailFromMx":  "bounce.trial.example.org MX 10 feedback-smtp." + region + ".amazonses.com",
				"MailFromSpf": `bounce.trial.example.org TXT "v=spf1 include:amazonses.com ~all"`,
				"DmarcTxt":    `_dmarc.trial.example.org TXT "v=DMARC1; p=quarantine; rua=mailto:mentoring@trial.example.org"`,
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.fixture, func(t *testing.T) {
			fx := synth(t, tc.fixture)
			configSet := fx.logicalID(t, "AWS::SES::ConfigurationSet")
			fx.hasProps(t, "AWS::SES::EmailIdentity", map[string]any{
				"EmailIdentity":              tc.identity,
				"ConfigurationSetAttributes": map[string]any{"ConfigurationSetName": map[string]any{"Ref": configSet}},
			})
			if tc.mailFrom == nil {
				fx.hasProps(t, "AWS::SES::EmailIdentity", map[string]any{
					"MailFromAttributes":    assertions.Match_Absent(),
					"DkimSigningAttributes": assertions.Match_Absent(),
				})
			} else {
				fx.hasProps(t, "AWS::SES::EmailIdentity", map[string]any{
					"DkimAttributes":        map[string]any{"SigningEnabled": true},
					"DkimSigningAttributes": map[string]any{"NextSigningKeyLength": "RSA_2048_BIT"},
					"MailFromAttributes":    tc.mailFrom,
				})
			}
			fx.hasProps(t, "AWS::SES::ConfigurationSet", map[string]any{
				"DeliveryOptions":    map[string]any{"TlsPolicy": "REQUIRE"},
				"SuppressionOptions": map[string]any{"SuppressedReasons": []any{"BOUNCE", "COMPLAINT"}},
			})
			events := fx.topic(t, "pairup SES bounces and complaints")
			fx.hasProps(t, "AWS::SES::ConfigurationSetEventDestination", map[string]any{
				"ConfigurationSetName": map[string]any{"Ref": configSet},
				"EventDestination": map[string]any{
					"Enabled":            true,
					"MatchingEventTypes": []any{"bounce", "complaint"},
					"SnsDestination":     map[string]any{"TopicARN": map[string]any{"Ref": events}},
				},
			})
			outputs := *fx.template.FindOutputs(jsii.String("*"), nil)
			n := 0
			for k := range outputs {
				if strings.HasPrefix(k, "DkimCname") {
					n++
				}
			}
			if n != tc.dkimOutputs {
				t.Errorf("%d DKIM outputs, want %d", n, tc.dkimOutputs)
			}
			for _, id := range []string{"MailFromMx", "MailFromSpf", "DmarcTxt"} {
				var o map[string]any
				if p := outputs[id]; p != nil {
					o = *p
				}
				ok := o != nil
				want, wantOK := tc.records[id]
				switch {
				case !ok && wantOK:
					t.Errorf("no output %s, want %q", id, want)
				case ok && !wantOK:
					t.Errorf("output %s = %v, want none", id, o["Value"])
				case ok:
					if got := renderValue(t, o["Value"]); got != want {
						t.Errorf("output %s = %q, want %q", id, got, want)
					}
				}
			}
		})
	}
}

// renderValue renders a template value made of strings, Fn::Join and
// Ref AWS::Region (shown as ${AWS::Region}) as the string it deploys as.
func renderValue(t *testing.T, v any) string {
	t.Helper()
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		if v["Ref"] == "AWS::Region" {
			return "${AWS::Region}"
		}
		if j, ok := v["Fn::Join"].([]any); ok && len(j) == 2 {
			sep, _ := j[0].(string)
			parts, _ := j[1].([]any)
			out := make([]string, len(parts))
			for i, p := range parts {
				out[i] = renderValue(t, p)
			}
			return strings.Join(out, sep)
		}
	}
	t.Errorf("cannot render template value %v", v)
	return ""
}

func TestTopicsAreEncryptedAndTLSOnly(t *testing.T) {
	fx := synth(t, "default")
	key := fx.logicalID(t, "AWS::KMS::Key")
	fx.hasProps(t, "AWS::KMS::Key", map[string]any{"EnableKeyRotation": true})
	for _, name := range []string{"pairup alarms", "pairup SES bounces and complaints"} {
		id := fx.topic(t, name)
		fx.hasProps(t, "AWS::SNS::Topic", map[string]any{
			"DisplayName":    name,
			"KmsMasterKeyId": map[string]any{"Fn::GetAtt": []any{key, "Arn"}},
		})
		fx.hasProps(t, "AWS::SNS::TopicPolicy", map[string]any{
			"Topics": []any{map[string]any{"Ref": id}},
			"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{map[string]any{
				"Effect":    "Deny",
				"Action":    "sns:Publish",
				"Principal": "*",
				"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
				"Resource":  map[string]any{"Ref": id},
				"Sid":       assertions.Match_AnyValue(),
			}})},
		})
	}
	// The services that publish to the encrypted topics may use the key.
	fx.hasProps(t, "AWS::KMS::Key", map[string]any{
		"KeyPolicy": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{"Principal": map[string]any{"Service": "cloudwatch.amazonaws.com"}}),
			assertions.Match_ObjectLike(&map[string]any{"Principal": map[string]any{"Service": "ses.amazonaws.com"}}),
		})},
	})
}

func TestLinkKeySecret(t *testing.T) {
	fx := synth(t, "default")
	fx.count(t, "AWS::SecretsManager::Secret", 1)
	fx.has(t, "AWS::SecretsManager::Secret", map[string]any{
		"DeletionPolicy": "Retain",
		"Properties": map[string]any{
			"GenerateSecretString": map[string]any{"PasswordLength": 64, "ExcludePunctuation": true},
			"SecretString":         assertions.Match_Absent(),
		},
	})
}

func TestAlarms(t *testing.T) {
	cases := []struct {
		fixture     string
		alarms      int // function errors + API 5xx + DLQ + SES reputation + log alarms
		subscribers []string
	}{
		{"default", len(Functions) + 1 + 1 + 2 + 2, []string{"coordinator@example.org", "ops@example.org"}},
		{"full", len(Functions) + 1 + 1 + 1 + 2 + 2, []string{"coordinator@example.org"}}, // and tick's
	}
	for _, tc := range cases {
		t.Run(tc.fixture, func(t *testing.T) {
			fx := synth(t, tc.fixture)
			alarmTopic := fx.topic(t, "pairup alarms")
			alarms := fx.resources("AWS::CloudWatch::Alarm")
			if len(alarms) != tc.alarms {
				t.Errorf("%d alarms, want %d", len(alarms), tc.alarms)
			}
			for id, r := range alarms {
				actions, _ := json.Marshal(props(r)["AlarmActions"])
				if string(actions) != "["+ref(alarmTopic)+"]" {
					t.Errorf("alarm %s actions %s, want the alarm topic", id, actions)
				}
			}
			var subs []string
			for _, r := range fx.resources("AWS::SNS::Subscription") {
				p := props(r)
				if p["Protocol"] == "email" {
					if tgt, _ := json.Marshal(p["TopicArn"]); string(tgt) != ref(alarmTopic) {
						t.Errorf("email subscription to %s, want the alarm topic", tgt)
					}
					subs = append(subs, p["Endpoint"].(string))
				}
			}
			sort.Strings(subs)
			if !reflect.DeepEqual(subs, tc.subscribers) {
				t.Errorf("alarm subscribers %q, want %q", subs, tc.subscribers)
			}
		})
	}
}

// TestNoSchedulingWithoutScheduledFunctions: a stack of HTTP functions only
// has no schedules, no stream mapping, no dead-letter queue and no async
// invocation settings.
func TestNoSchedulingWithoutScheduledFunctions(t *testing.T) {
	fx := synth(t, "http-only")
	for _, typ := range []string{"AWS::Scheduler::Schedule", "AWS::SQS::Queue", "AWS::Lambda::EventInvokeConfig",
		"AWS::Lambda::EventSourceMapping", "AWS::SNS::Subscription"} {
		fx.count(t, typ, 0)
	}
	fx.count(t, "AWS::Lambda::Function", 1)
}

// TestScheduledFunctions checks the mailer's sweep and proves the path
// match-run and round-close will take: a schedule per entry (context
// override, "off" = disabled), a role that can invoke only that function,
// retries, and the dead-letter queue.
func TestScheduledFunctions(t *testing.T) {
	cases := []struct {
		fixture, id, function              string
		expression, timezone, state, input string
	}{
		{"default", "MailerSweep", "mailer", "rate(1 minute)", "UTC", "ENABLED", `{"action":"sweep"}`},
		{"default", "MatchRun", "match-run", "cron(0 * * * ? *)", "UTC", "ENABLED", `{"action":"scheduled"}`},
		{"full", "MailerSweep", "mailer", "rate(1 minute)", "Asia/Hong_Kong", "ENABLED", `{"action":"sweep"}`},
		{"full", "MatchRun", "match-run", "cron(0 * * * ? *)", "Asia/Hong_Kong", "ENABLED", `{"action":"scheduled"}`},
		{"default", "RoundTick", "round-tick", "rate(1 hour)", "UTC", "ENABLED", "{}"},
		{"full", "RoundTick", "round-tick", "cron(5 * * * ? *)", "Asia/Hong_Kong", "ENABLED", "{}"}, // context roundTickSchedule
		{"default", "RoundClose", "round-close", "cron(0 6 * * ? *)", "UTC", "ENABLED", `{"action":"scheduled"}`},
		{"full", "RoundClose", "round-close", "cron(0 6 * * ? *)", "Asia/Hong_Kong", "ENABLED", `{"action":"scheduled"}`},
		{"default", "Retention", "erase", "cron(30 3 * * ? *)", "UTC", "ENABLED", `{"action":"retention"}`},
		{"full", "Retention", "erase", "cron(30 3 * * ? *)", "Asia/Hong_Kong", "ENABLED", `{"action":"retention"}`},
		{"full", "Tick", "tick", "rate(10 minutes)", "Asia/Hong_Kong", "ENABLED", `{"action":"tick"}`}, // context override
		{"full", "TickNightly", "tick", "cron(0 3 * * ? *)", "Asia/Hong_Kong", "DISABLED", "{}"},       // "off"
	}
	perFixture := map[string]int{}
	for _, tc := range cases {
		perFixture[tc.fixture]++
	}
	for name, n := range perFixture {
		synth(t, name).count(t, "AWS::Scheduler::Schedule", n)
	}
	for _, tc := range cases {
		t.Run(tc.fixture+"/"+tc.id, func(t *testing.T) {
			fx := synth(t, tc.fixture)
			fn, _ := fx.function(t, tc.function)
			role, _ := fx.role(t, "EventBridge Scheduler: invoke pairup "+tc.function)
			dlq := fx.logicalID(t, "AWS::SQS::Queue")
			fx.hasProps(t, "AWS::Scheduler::Schedule", map[string]any{
				"ScheduleExpression":         tc.expression,
				"ScheduleExpressionTimezone": tc.timezone,
				"State":                      tc.state,
				"FlexibleTimeWindow":         map[string]any{"Mode": "OFF"},
				"Target": map[string]any{
					"Arn":              map[string]any{"Fn::GetAtt": []any{fn, "Arn"}},
					"RoleArn":          map[string]any{"Fn::GetAtt": []any{role, "Arn"}},
					"Input":            tc.input,
					"DeadLetterConfig": map[string]any{"Arn": map[string]any{"Fn::GetAtt": []any{dlq, "Arn"}}},
					"RetryPolicy": map[string]any{
						"MaximumRetryAttempts":     schedulerRetries,
						"MaximumEventAgeInSeconds": schedulerMaxEventAgeSecs,
					},
				},
			})
		})
	}

	fx := synth(t, "full")
	dlq := fx.logicalID(t, "AWS::SQS::Queue")
	t.Run("SchedulerRoleTrust", func(t *testing.T) {
		fx.hasProps(t, "AWS::IAM::Role", map[string]any{
			"Description": "EventBridge Scheduler: invoke pairup tick",
			"AssumeRolePolicyDocument": map[string]any{"Statement": []any{map[string]any{
				"Action":    "sts:AssumeRole",
				"Effect":    "Allow",
				"Principal": map[string]any{"Service": "scheduler.amazonaws.com"},
				"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": map[string]any{"Ref": "AWS::AccountId"}}},
			}}},
		})
	})

	t.Run("DeadLetterQueue", func(t *testing.T) {
		fx.hasProps(t, "AWS::SQS::Queue", map[string]any{
			"SqsManagedSseEnabled":   true,
			"MessageRetentionPeriod": 14 * 24 * 3600,
		})
		fx.hasProps(t, "AWS::SQS::QueuePolicy", map[string]any{
			"Queues": []any{map[string]any{"Ref": dlq}},
			"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
				assertions.Match_ObjectLike(&map[string]any{
					"Effect":    "Deny",
					"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
				}),
			})},
		})
		fx.hasProps(t, "AWS::CloudWatch::Alarm", map[string]any{
			"MetricName": "ApproximateNumberOfMessagesVisible",
			"Namespace":  "AWS/SQS",
			"Dimensions": []any{map[string]any{"Name": "QueueName", "Value": map[string]any{"Fn::GetAtt": []any{dlq, "QueueName"}}}},
		})
	})
}

func TestSESEventsSubscriber(t *testing.T) {
	fx := synth(t, "default")
	sesEvents, _ := fx.function(t, "ses-events")
	fx.propsCount(t, "AWS::SNS::Subscription", map[string]any{"Protocol": "lambda"}, 1)
	fx.hasProps(t, "AWS::SNS::Subscription", map[string]any{
		"Protocol":      "lambda",
		"TopicArn":      map[string]any{"Ref": fx.topic(t, "pairup SES bounces and complaints")},
		"Endpoint":      map[string]any{"Fn::GetAtt": []any{sesEvents, "Arn"}},
		"RedrivePolicy": map[string]any{"deadLetterTargetArn": map[string]any{"Fn::GetAtt": []any{fx.logicalID(t, "AWS::SQS::Queue"), "Arn"}}},
	})
}

// TestTableStream: the mailer, and only it, is fed pending outbox inserts
// from the table stream, with partial-batch failures, bisection, bounded
// retries and the dead-letter queue.
func TestTableStream(t *testing.T) {
	for _, name := range []string{"default", "full"} {
		t.Run(name, func(t *testing.T) {
			fx := synth(t, name)
			mailer, _ := fx.function(t, "mailer")
			fx.count(t, "AWS::Lambda::EventSourceMapping", 1)
			fx.hasProps(t, "AWS::Lambda::EventSourceMapping", map[string]any{
				"FunctionName":                   map[string]any{"Ref": mailer},
				"EventSourceArn":                 map[string]any{"Fn::GetAtt": []any{fx.logicalID(t, "AWS::DynamoDB::Table"), "StreamArn"}},
				"StartingPosition":               "TRIM_HORIZON",
				"BatchSize":                      50,
				"MaximumBatchingWindowInSeconds": 0,
				"FunctionResponseTypes":          []any{"ReportBatchItemFailures"},
				"BisectBatchOnFunctionError":     true,
				"MaximumRetryAttempts":           5,
				"FilterCriteria": map[string]any{"Filters": []any{map[string]any{
					"Pattern": `{"eventName":["INSERT"],"dynamodb":{"NewImage":{"itemType":{"S":["outbox"]},"status":{"S":["pending"]}}}}`,
				}}},
				"DestinationConfig": map[string]any{"OnFailure": map[string]any{
					"Destination": map[string]any{"Fn::GetAtt": []any{fx.logicalID(t, "AWS::SQS::Queue"), "Arn"}},
				}},
			})
		})
	}
}

// TestEmailAlarms: SES reputation at the levels where SES reviews the
// account, and the mailer's failed and paused log events.
func TestEmailAlarms(t *testing.T) {
	fx := synth(t, "default")
	alarmTopic := fx.topic(t, "pairup alarms")
	_, mailer := fx.function(t, "mailer")
	mailerLogs := mailer["LoggingConfig"].(map[string]any)["LogGroup"].(map[string]any)["Ref"].(string)

	cases := []struct {
		namespace, metric, statistic string
		period                       int
		threshold                    float64
		logEvent                     string   // metric filter pattern's event, if from logs
		description                  []string // the description mentions these
	}{
		{"AWS/SES", "Reputation.BounceRate", "Maximum", 900, 0.05, "", []string{"5%", "10%"}},
		{"AWS/SES", "Reputation.ComplaintRate", "Maximum", 900, 0.001, "", []string{"0.1%", "0.5%"}},
		{"Pairup", "MailFailed", "Sum", 300, 1, "mail.failed", []string{"failed"}},
		{"Pairup", "MailSendingPaused", "Sum", 300, 1, "mail.paused", []string{"paused", "retries later"}},
	}
	for _, tc := range cases {
		t.Run(tc.metric, func(t *testing.T) {
			var found []map[string]any
			for _, r := range fx.resources("AWS::CloudWatch::Alarm") {
				if p := props(r); p["Namespace"] == tc.namespace && p["MetricName"] == tc.metric {
					found = append(found, p)
				}
			}
			if len(found) != 1 {
				t.Fatalf("%d alarms on %s/%s, want 1", len(found), tc.namespace, tc.metric)
			}
			p := found[0]
			want := map[string]any{
				"Statistic":          tc.statistic,
				"Period":             float64(tc.period),
				"Threshold":          tc.threshold,
				"ComparisonOperator": "GreaterThanOrEqualToThreshold",
				"EvaluationPeriods":  float64(1),
				"TreatMissingData":   "notBreaching",
			}
			for k, v := range want {
				if p[k] != v {
					t.Errorf("%s = %v, want %v", k, p[k], v)
				}
			}
			if actions, _ := json.Marshal(p["AlarmActions"]); string(actions) != "["+ref(alarmTopic)+"]" {
				t.Errorf("actions %s, want the alarm topic", actions)
			}
			desc, _ := p["AlarmDescription"].(string)
			for _, w := range tc.description {
				if !strings.Contains(desc, w) {
					t.Errorf("description %q does not mention %q", desc, w)
				}
			}
			if tc.logEvent != "" {
				fx.hasProps(t, "AWS::Logs::MetricFilter", map[string]any{
					"LogGroupName":  map[string]any{"Ref": mailerLogs},
					"FilterPattern": `{ $.event = "` + tc.logEvent + `" }`,
					"MetricTransformations": []any{map[string]any{
						"MetricNamespace": "Pairup",
						"MetricName":      tc.metric,
						"MetricValue":     "1",
					}},
				})
			}
		})
	}
	fx.count(t, "AWS::Logs::MetricFilter", 2)
}

func TestCustomDomain(t *testing.T) {
	fx := synth(t, "full")
	fx.hasProps(t, "AWS::ApiGatewayV2::DomainName", map[string]any{
		"DomainName": "forms.example.org",
		"DomainNameConfigurations": []any{assertions.Match_ObjectLike(&map[string]any{
			"CertificateArn": specs["full"].context[keyCertificateArn],
		})},
	})
	fx.count(t, "AWS::ApiGatewayV2::ApiMapping", 1)
	fx.hasOutput(t, "BaseUrl", map[string]any{"Value": "https://forms.example.org"})

	synth(t, "default").count(t, "AWS::ApiGatewayV2::DomainName", 0)
}

func TestOutputs(t *testing.T) {
	fx := synth(t, "full")
	for _, name := range []string{"BaseUrl", "ApiEndpoint", "TableName", "ConfigurationSetName", "SenderIdentityName",
		"EmailEventsTopicArn", "AlarmTopicArn", "LinkKeySecretArn", "SignupFunctionName", "MailerFunctionName",
		"SesEventsFunctionName", "TickFunctionName", "DomainTarget"} {
		fx.hasOutput(t, name, map[string]any{"Value": assertions.Match_AnyValue()})
	}
}

// TestCDKJSON keeps cdk.json and the Go defaults in step and checks the app
// command runs from the repository root.
func TestCDKJSON(t *testing.T) {
	c := readCDKJSON(t)
	if c.App != "go run ./infra" {
		t.Errorf("app %q, want %q", c.App, "go run ./infra")
	}
	for key, def := range defaults {
		got, ok := contextValue(c.Context[key])
		if !ok {
			t.Errorf("cdk.json has no default for %s (Go default %q)", key, def)
		} else if got != def {
			t.Errorf("cdk.json %s = %q, Go default %q", key, got, def)
		}
	}
	// Per deployment; and a cdk.json value would hide PAIRUP_<KEY>.
	for _, key := range []string{keySenderEmail, keyProduction} {
		if _, ok := c.Context[key]; ok {
			t.Errorf("cdk.json must not set %s: it is per deployment", key)
		}
	}
}

// TestAssetsHoldOnlyBootstrap checks that each function's code asset is
// just its bootstrap, whatever else the build left in bin/<name>/.
func TestAssetsHoldOnlyBootstrap(t *testing.T) {
	fx := synth(t, "full")
	dir := filepath.Join(assetRoot, "cdk.out.full")
	assets, err := filepath.Glob(filepath.Join(dir, "asset.*"))
	if err != nil {
		t.Fatal(err)
	}
	if want := len(fx.resources("AWS::Lambda::Function")); len(assets) != want {
		t.Errorf("%d assets, want one per function (%d)", len(assets), want)
	}
	for _, a := range assets {
		entries, err := os.ReadDir(a)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		if !reflect.DeepEqual(names, []string{"bootstrap"}) {
			t.Errorf("%s holds %q, want only bootstrap", filepath.Base(a), names)
		}
	}
}
