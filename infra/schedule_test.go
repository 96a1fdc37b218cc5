package main

import (
	"encoding/json"
	"reflect"
	"sort"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
)

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
