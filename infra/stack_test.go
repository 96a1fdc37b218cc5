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
