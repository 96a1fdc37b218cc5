package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

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
