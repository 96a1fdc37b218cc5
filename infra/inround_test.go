package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"

	"github.com/pairup/pairup/shared/config"
	"github.com/pairup/pairup/shared/surveyweb"
)

// The functions of a round in progress (issue 10): round-tick, which sends the round's emails
// hourly on a schedule, and survey, the check-in and survey forms behind the HTTP API. Their
// memory, timeout, reservation, environment, log group and error alarm are in TestFunctions,
// the schedule's expression, timezone and target in TestScheduledFunctions.

// routes returns, sorted, the route keys whose integration invokes the named function, and
// checks that the function has exactly one integration: a Lambda proxy with payload 2.0.
func (fx *fixture) routes(t *testing.T, name string) []string {
	t.Helper()
	fn, _ := fx.function(t, name)
	var integrations []string
	for id, r := range fx.resources("AWS::ApiGatewayV2::Integration") {
		p := props(r)
		if uri, _ := json.Marshal(p["IntegrationUri"]); string(uri) != getAtt(fn, "Arn") {
			continue
		}
		integrations = append(integrations, id)
		if p["PayloadFormatVersion"] != "2.0" || p["IntegrationType"] != "AWS_PROXY" {
			t.Errorf("%s integration %s: payload %v, type %v; want 2.0, AWS_PROXY", name, id, p["PayloadFormatVersion"], p["IntegrationType"])
		}
	}
	if len(integrations) != 1 {
		t.Fatalf("%s: %d integrations, want 1", name, len(integrations))
	}
	var out []string
	for _, r := range fx.resources("AWS::ApiGatewayV2::Route") {
		p := props(r)
		if target, _ := json.Marshal(p["Target"]); strings.Contains(string(target), ref(integrations[0])) {
			out = append(out, p["RouteKey"].(string))
		}
	}
	sort.Strings(out)
	return out
}

// surveyRoutes are the survey function's routes: the check-in answer, the survey form and the
// choice to continue or conclude at the round's close, each shown (GET) and submitted (POST).
var surveyRoutes = []string{"GET /checkin", "GET /continue", "GET /survey", "POST /checkin", "POST /continue", "POST /survey"}

// TestSurveyRoutes: the survey function serves exactly its six routes on the HTTP API, the
// ones its handler (surveyweb.Routes) answers, and API Gateway may invoke it for each.
func TestSurveyRoutes(t *testing.T) {
	handler := slices.Sorted(slices.Values(surveyweb.Routes))
	if !reflect.DeepEqual(handler, surveyRoutes) {
		t.Errorf("surveyweb.Routes %q, want %q", handler, surveyRoutes)
	}
	for _, f := range Functions {
		if f.Name == "survey" && !reflect.DeepEqual(f.Routes, surveyweb.Routes) {
			t.Errorf("survey's routes %q, want surveyweb.Routes %q", f.Routes, surveyweb.Routes)
		}
	}
	for _, name := range []string{"default", "full"} {
		t.Run(name, func(t *testing.T) {
			fx := synth(t, name)
			if got := fx.routes(t, "survey"); !reflect.DeepEqual(got, surveyRoutes) {
				t.Errorf("survey routes %q, want %q", got, surveyRoutes)
			}
			survey, _ := fx.function(t, "survey")
			fx.propsCount(t, "AWS::Lambda::Permission", map[string]any{
				"Action":       "lambda:InvokeFunction",
				"Principal":    "apigateway.amazonaws.com",
				"FunctionName": map[string]any{"Fn::GetAtt": []any{survey, "Arn"}},
			}, len(surveyRoutes))
		})
	}
}

// TestRoundTickSchedule: one schedule, overridable by context roundTickSchedule, invokes
// round-tick (with {}), through a role that may invoke round-tick only.
func TestRoundTickSchedule(t *testing.T) {
	fx := synth(t, "default")
	fn, _ := fx.function(t, "round-tick")
	n := 0
	for id, r := range fx.resources("AWS::Scheduler::Schedule") {
		p := props(r)
		if arn, _ := json.Marshal(p["Target"].(map[string]any)["Arn"]); string(arn) != getAtt(fn, "Arn") {
			continue
		}
		n++
		if d, _ := p["Description"].(string); !strings.Contains(d, "roundTickSchedule") {
			t.Errorf("schedule %s: description %q does not name its context key roundTickSchedule", id, d)
		}
	}
	if n != 1 {
		t.Errorf("%d schedules invoke round-tick, want 1", n)
	}
}

// TestInRoundPermissions: round-tick and survey get exactly what they use. Neither may scan,
// delete, batch-write or send mail (the mailer sends what they queue in the outbox).
func TestInRoundPermissions(t *testing.T) {
	fx := synth(t, "full")
	table := getAtt(fx.logicalID(t, "AWS::DynamoDB::Table"), "Arn")
	index := fmt.Sprintf(`{"Fn::Join":["",[%s,"/index/GSI1"]]}`, table)
	secret := ref(fx.logicalID(t, "AWS::SecretsManager::Secret"))
	dlq := getAtt(fx.logicalID(t, "AWS::SQS::Queue"), "Arn")
	logsOf := func(fn string) string {
		_, p := fx.function(t, fn)
		return getAtt(p["LoggingConfig"].(map[string]any)["LogGroup"].(map[string]any)["Ref"].(string), "Arn")
	}
	roundTick, _ := fx.function(t, "round-tick")
	query := []string{table, index}
	sort.Strings(query)

	cases := []struct {
		role string
		want map[string][]string
	}{
		{"pairup round-tick function", map[string][]string{
			"logs:CreateLogStream":          {logsOf("round-tick")},
			"logs:PutLogEvents":             {logsOf("round-tick")},
			"dynamodb:GetItem":              {table},
			"dynamodb:PutItem":              {table},
			"dynamodb:Query":                query,
			"secretsmanager:GetSecretValue": {secret},
			// on-failure destination of the scheduled invocations
			"sqs:SendMessage":        {dlq},
			"sqs:GetQueueAttributes": {dlq},
			"sqs:GetQueueUrl":        {dlq},
		}},
		{"EventBridge Scheduler: invoke pairup round-tick", map[string][]string{
			"lambda:InvokeFunction": {getAtt(roundTick, "Arn")},
			"sqs:SendMessage":       {dlq},
		}},
		// Single-item reads only; a check-in answer is a transaction of puts (TransactWriteItems
		// is authorised item by item), a survey response an update.
		{"pairup survey function", map[string][]string{
			"logs:CreateLogStream":          {logsOf("survey")},
			"logs:PutLogEvents":             {logsOf("survey")},
			"dynamodb:GetItem":              {table},
			"dynamodb:PutItem":              {table},
			"dynamodb:UpdateItem":           {table},
			"secretsmanager:GetSecretValue": {secret},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.role, func(t *testing.T) {
			id, _ := fx.role(t, tc.role)
			got := fx.grants(id)
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
		})
	}

	for _, name := range []string{"default", "full"} {
		t.Run(name+"/NeverGranted", func(t *testing.T) {
			fx := synth(t, name)
			for _, fn := range []string{"round-tick", "survey"} {
				id, _ := fx.role(t, "pairup "+fn+" function")
				got := fx.grants(id)
				for _, a := range []string{"dynamodb:Scan", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
					"dynamodb:ConditionCheckItem", "ses:SendEmail"} {
					if _, ok := got[a]; ok {
						t.Errorf("%s may %s", fn, a)
					}
				}
			}
		})
	}
}

// TestAllowNowNeverDeployed: no deployed function lets its events move "now"
// (PAIRUP_ALLOW_NOW is for local and test setups).
func TestAllowNowNeverDeployed(t *testing.T) {
	for _, name := range []string{"default", "full"} {
		t.Run(name, func(t *testing.T) {
			for id, r := range synth(t, name).resources("AWS::Lambda::Function") {
				vars, _ := props(r)["Environment"].(map[string]any)["Variables"].(map[string]any)
				if v, ok := vars[config.EnvAllowNow]; ok {
					t.Errorf("function %s: %s = %v", id, config.EnvAllowNow, v)
				}
			}
		})
	}
}

func TestInRoundOutputs(t *testing.T) {
	fx := synth(t, "default")
	for _, name := range []string{"RoundTickFunctionName", "SurveyFunctionName"} {
		fx.hasOutput(t, name, map[string]any{"Value": assertions.Match_AnyValue()})
	}
}
