package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// round-close (issue 11): closes rounds at their end and freezes their statistics, daily on a
// schedule (the schedule's expression, timezone, input and target are in
// TestScheduledFunctions).

// TestRoundCloseFunction: its size, its one-at-a-time reservation, its environment (the table,
// the links' base and key; no mail settings: the mailer sends what it queues), its log group,
// error alarm and the dead-letter queue of its scheduled invocations.
func TestRoundCloseFunction(t *testing.T) {
	for _, tc := range []struct {
		fixture, baseURL, level string
	}{
		{"default", "api", "info"},
		{"full", `"https://forms.example.org"`, "debug"},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			fx := synth(t, tc.fixture)
			id, p := fx.function(t, "round-close")
			if p["MemorySize"] != float64(512) || p["Timeout"] != float64(300) || p["ReservedConcurrentExecutions"] != float64(1) {
				t.Errorf("memory %v, timeout %v, reserved %v; want 512, 300, 1", p["MemorySize"], p["Timeout"], p["ReservedConcurrentExecutions"])
			}
			vars := p["Environment"].(map[string]any)["Variables"].(map[string]any)
			want := map[string]string{
				"PAIRUP_TABLE":           ref(fx.logicalID(t, "AWS::DynamoDB::Table")),
				"PAIRUP_LINK_KEY_SECRET": ref(fx.logicalID(t, "AWS::SecretsManager::Secret")),
				"PAIRUP_BASE_URL":        tc.baseURL,
				"PAIRUP_LOG_LEVEL":       `"` + tc.level + `"`,
			}
			if tc.baseURL == "api" {
				want["PAIRUP_BASE_URL"] = getAtt(fx.logicalID(t, "AWS::ApiGatewayV2::Api"), "ApiEndpoint")
			}
			for k, w := range want {
				if got, _ := json.Marshal(vars[k]); string(got) != w {
					t.Errorf("env %s = %s, want %s", k, got, w)
				}
			}
			if len(vars) != len(want) {
				t.Errorf("env %v, want exactly %v", vars, want)
			}
			fx.hasProps(t, "AWS::CloudWatch::Alarm", map[string]any{
				"MetricName": "Errors",
				"Namespace":  "AWS/Lambda",
				"Dimensions": []any{map[string]any{"Name": "FunctionName", "Value": map[string]any{"Ref": id}}},
			})
			fx.hasProps(t, "AWS::Lambda::EventInvokeConfig", map[string]any{
				"FunctionName": map[string]any{"Ref": id},
				"DestinationConfig": map[string]any{"OnFailure": map[string]any{
					"Destination": map[string]any{"Fn::GetAtt": []any{fx.logicalID(t, "AWS::SQS::Queue"), "Arn"}}}},
			})
			fx.hasOutput(t, "RoundCloseFunctionName", map[string]any{"Value": map[string]any{"Ref": id}})
		})
	}
}

// TestRoundCloseSchedule: one schedule, overridable by context roundCloseSchedule, invokes
// round-close with {"action":"scheduled"}.
func TestRoundCloseSchedule(t *testing.T) {
	fx := synth(t, "default")
	fn, _ := fx.function(t, "round-close")
	n := 0
	for id, r := range fx.resources("AWS::Scheduler::Schedule") {
		p := props(r)
		target := p["Target"].(map[string]any)
		if arn, _ := json.Marshal(target["Arn"]); string(arn) != getAtt(fn, "Arn") {
			continue
		}
		n++
		if d, _ := p["Description"].(string); !strings.Contains(d, "roundCloseSchedule") {
			t.Errorf("schedule %s: description %q does not name its context key roundCloseSchedule", id, d)
		}
		if target["Input"] != `{"action":"scheduled"}` {
			t.Errorf("schedule %s: input %v", id, target["Input"])
		}
	}
	if n != 1 {
		t.Errorf("%d schedules invoke round-close, want 1", n)
	}
}

// TestRoundClosePermissions: round-close gets exactly what it uses. It may not scan, delete,
// batch-write, run condition checks or send mail (the mailer sends what it queues).
func TestRoundClosePermissions(t *testing.T) {
	fx := synth(t, "full")
	table := getAtt(fx.logicalID(t, "AWS::DynamoDB::Table"), "Arn")
	index := fmt.Sprintf(`{"Fn::Join":["",[%s,"/index/GSI1"]]}`, table)
	secret := ref(fx.logicalID(t, "AWS::SecretsManager::Secret"))
	dlq := getAtt(fx.logicalID(t, "AWS::SQS::Queue"), "Arn")
	fn, p := fx.function(t, "round-close")
	logs := getAtt(p["LoggingConfig"].(map[string]any)["LogGroup"].(map[string]any)["Ref"].(string), "Arn")
	query := []string{table, index}
	sort.Strings(query)
	for _, tc := range []struct {
		role string
		want map[string][]string
	}{
		{"pairup round-close function", map[string][]string{
			"logs:CreateLogStream":          {logs},
			"logs:PutLogEvents":             {logs},
			"dynamodb:GetItem":              {table},
			"dynamodb:PutItem":              {table},
			"dynamodb:Query":                query,
			"dynamodb:UpdateItem":           {table},
			"secretsmanager:GetSecretValue": {secret},
			// on-failure destination of the scheduled invocations
			"sqs:SendMessage":        {dlq},
			"sqs:GetQueueAttributes": {dlq},
			"sqs:GetQueueUrl":        {dlq},
		}},
		{"EventBridge Scheduler: invoke pairup round-close", map[string][]string{
			"lambda:InvokeFunction": {getAtt(fn, "Arn")},
			"sqs:SendMessage":       {dlq},
		}},
	} {
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
	t.Run("NeverGranted", func(t *testing.T) {
		id, _ := fx.role(t, "pairup round-close function")
		got := fx.grants(id)
		for _, a := range []string{"dynamodb:Scan", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "ses:SendEmail"} {
			if _, ok := got[a]; ok {
				t.Errorf("round-close may %s", a)
			}
		}
	})
}
