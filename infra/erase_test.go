package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// erase (issue 11): a person's erasure on a coordinator's request, and the retention schedule;
// and the mailer, which now holds the link key (an erased address's suppression is kept under a
// hash keyed with it).

// TestEraseFunction: its size, its one-at-a-time reservation, its environment (the table, the
// links' base and key; no mail settings: it sends nothing), its log group, error alarm, the
// dead-letter queue of its scheduled invocations and its name as an output.
func TestEraseFunction(t *testing.T) {
	for _, tc := range []struct {
		fixture, baseURL, level string
	}{
		{"default", "api", "info"},
		{"full", `"https://forms.example.org"`, "debug"},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			fx := synth(t, tc.fixture)
			id, p := fx.function(t, "erase")
			if p["MemorySize"] != float64(256) || p["Timeout"] != float64(300) || p["ReservedConcurrentExecutions"] != float64(1) {
				t.Errorf("memory %v, timeout %v, reserved %v; want 256, 300, 1", p["MemorySize"], p["Timeout"], p["ReservedConcurrentExecutions"])
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
			fx.hasOutput(t, "EraseFunctionName", map[string]any{"Value": map[string]any{"Ref": id}})
		})
	}
}

// TestRetentionSchedule: one schedule, daily by default and overridable by context
// retentionSchedule, invokes erase with {"action":"retention"}.
func TestRetentionSchedule(t *testing.T) {
	fx := synth(t, "default")
	fn, _ := fx.function(t, "erase")
	n := 0
	for id, r := range fx.resources("AWS::Scheduler::Schedule") {
		p := props(r)
		target := p["Target"].(map[string]any)
		if arn, _ := json.Marshal(target["Arn"]); string(arn) != getAtt(fn, "Arn") {
			continue
		}
		n++
		if d, _ := p["Description"].(string); !strings.Contains(d, "retentionSchedule") {
			t.Errorf("schedule %s: description %q does not name its context key retentionSchedule", id, d)
		}
		if p["ScheduleExpression"] != "cron(30 3 * * ? *)" {
			t.Errorf("schedule %s: expression %v, want daily cron(30 3 * * ? *)", id, p["ScheduleExpression"])
		}
		if target["Input"] != `{"action":"retention"}` {
			t.Errorf("schedule %s: input %v", id, target["Input"])
		}
	}
	if n != 1 {
		t.Errorf("%d schedules invoke erase, want 1", n)
	}
}

// TestErasePermissions: erase gets exactly what it uses — reads, conditional updates and
// deletes on the table, Query on the table and GSI1, the link key — and never Scan, batch
// writes or mail; the mailer now reads the link key and batch-gets suppressions, and still may
// not delete.
func TestErasePermissions(t *testing.T) {
	fx := synth(t, "full")
	table := getAtt(fx.logicalID(t, "AWS::DynamoDB::Table"), "Arn")
	index := fmt.Sprintf(`{"Fn::Join":["",[%s,"/index/GSI1"]]}`, table)
	secret := ref(fx.logicalID(t, "AWS::SecretsManager::Secret"))
	dlq := getAtt(fx.logicalID(t, "AWS::SQS::Queue"), "Arn")
	fn, p := fx.function(t, "erase")
	logs := getAtt(p["LoggingConfig"].(map[string]any)["LogGroup"].(map[string]any)["Ref"].(string), "Arn")
	query := []string{table, index}
	sort.Strings(query)
	for _, tc := range []struct {
		role string
		want map[string][]string
	}{
		{"pairup erase function", map[string][]string{
			"logs:CreateLogStream":          {logs},
			"logs:PutLogEvents":             {logs},
			"dynamodb:ConditionCheckItem":   {table},
			"dynamodb:DeleteItem":           {table},
			"dynamodb:GetItem":              {table},
			"dynamodb:PutItem":              {table},
			"dynamodb:Query":                query,
			"dynamodb:UpdateItem":           {table},
			"secretsmanager:GetSecretValue": {secret},
			"sqs:SendMessage":               {dlq},
			"sqs:GetQueueAttributes":        {dlq},
			"sqs:GetQueueUrl":               {dlq},
		}},
		{"EventBridge Scheduler: invoke pairup erase", map[string][]string{
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
		id, _ := fx.role(t, "pairup erase function")
		got := fx.grants(id)
		for _, a := range []string{"dynamodb:Scan", "dynamodb:BatchWriteItem", "ses:SendEmail"} {
			if _, ok := got[a]; ok {
				t.Errorf("erase may %s", a)
			}
		}
	})
	t.Run("Mailer", func(t *testing.T) {
		id, _ := fx.role(t, "pairup mailer function")
		got := fx.grants(id)
		if !reflect.DeepEqual(got["secretsmanager:GetSecretValue"], []string{secret}) {
			t.Errorf("mailer reads the link key on %v, want %v", got["secretsmanager:GetSecretValue"], []string{secret})
		}
		if !reflect.DeepEqual(got["dynamodb:BatchGetItem"], []string{table}) {
			t.Errorf("mailer BatchGetItem on %v, want the table", got["dynamodb:BatchGetItem"])
		}
		for _, a := range []string{"dynamodb:DeleteItem", "dynamodb:Scan"} {
			if _, ok := got[a]; ok {
				t.Errorf("mailer may %s", a)
			}
		}
	})
}
