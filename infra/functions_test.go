package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

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
