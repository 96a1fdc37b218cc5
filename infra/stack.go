package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdadestinations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsses"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// Names of the table's keys and index, shared with shared/store.
const (
	tableTTLAttribute = "ExpiresAt"
	gsiName           = "GSI1"
)

// Environment variables the functions read. Values are names and ARNs only:
// the link key itself stays in Secrets Manager.
const (
	envTable     = "PAIRUP_TABLE"
	envMailFrom  = "PAIRUP_MAIL_FROM"
	envConfigSet = "PAIRUP_SES_CONFIGURATION_SET"
	envBaseURL   = "PAIRUP_BASE_URL"
	envLinkKey   = "PAIRUP_LINK_KEY_SECRET"
	envLogLevel  = "PAIRUP_LOG_LEVEL"
)

// Asynchronous invocation policy of scheduled and event-driven functions:
// Lambda retries a failed event this many times, then sends it to the
// dead-letter queue; events older than asyncMaxEventAge go there unprocessed.
const (
	asyncRetries         = 2
	asyncMaxEventAgeSecs = 6 * 3600
	// schedulerRetries and schedulerMaxEventAgeSecs govern EventBridge
	// Scheduler's delivery to Lambda (throttling, service errors).
	schedulerRetries         = 3
	schedulerMaxEventAgeSecs = 3600
)

// StackProps configures [NewPairupStack].
type StackProps struct {
	awscdk.StackProps
	// Config is the loaded deployment configuration.
	Config *Config
	// Functions is the function list; nil means [Functions].
	Functions []Function
}

// PairupStack is the whole deployment: table, functions, HTTP API,
// schedules, SES, secret, alarms. Its fields give tests and outputs access
// to the main resources. Where the CDK expects a construct, pass s.Stack,
// not s: jsii cannot take a Go struct that embeds a proxy.
type PairupStack struct {
	awscdk.Stack

	Config      *Config
	Table       awsdynamodb.Table
	API         awsapigatewayv2.HttpApi
	Functions   map[string]awslambda.Function
	LinkKey     awssecretsmanager.Secret
	Identity    awsses.EmailIdentity
	ConfigSet   awsses.ConfigurationSet
	EventsTopic awssns.Topic
	AlarmTopic  awssns.Topic

	topicKey    awskms.Key
	dlq         awssqs.Queue
	identityArn *string
	configArn   *string
	baseURL     *string
}

// NewPairupStack builds the stack. It fails before creating anything if the
// function list is invalid or a function's bootstrap has not been built.
func NewPairupStack(scope constructs.Construct, id string, props *StackProps) (*PairupStack, error) {
	if props == nil || props.Config == nil {
		return nil, errors.New("pairup stack: no configuration")
	}
	cfg := props.Config
	fns := props.Functions
	if fns == nil {
		fns = Functions
	}
	if err := validateFunctions(fns); err != nil {
		return nil, fmt.Errorf("pairup stack: %w", err)
	}
	if err := checkAssets(cfg.AssetDir, fns); err != nil {
		return nil, fmt.Errorf("pairup stack: %w", err)
	}
	for _, f := range fns {
		for _, sc := range f.Schedules {
			if _, err := cfg.scheduleExpression(sc); err != nil {
				return nil, fmt.Errorf("pairup stack: function %q: %w", f.Name, err)
			}
		}
	}

	sp := props.StackProps
	if sp.Description == nil {
		sp.Description = jsii.String("pairup: mentoring programmes (signup, matching, notifications, surveys)")
	}
	s := &PairupStack{
		Stack:     awscdk.NewStack(scope, jsii.String(id), &sp),
		Config:    cfg,
		Functions: map[string]awslambda.Function{},
	}
	awscdk.Tags_Of(s.Stack).Add(jsii.String("project"), jsii.String("pairup"), nil)

	s.addAlarmTopic()
	s.addTable()
	s.addLinkKey()
	s.addEmail()
	s.addAPI()
	for _, f := range fns {
		s.addFunction(f)
	}
	s.addOutputs()
	return s, nil
}

// checkAssets makes sure every function's bootstrap exists, so a deploy
// never ships an empty or stale folder.
func checkAssets(dir string, fns []Function) error {
	var missing []string
	for _, f := range fns {
		p := filepath.Join(dir, f.Name, "bootstrap")
		if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing function binaries %s: run `make build` first (or set context assetDir)", strings.Join(missing, ", "))
	}
	return nil
}

// addAlarmTopic creates the KMS key shared by the stack's topics and the
// alarm topic, with the coordinators' addresses subscribed.
func (s *PairupStack) addAlarmTopic() {
	s.topicKey = awskms.NewKey(s.Stack, jsii.String("TopicKey"), &awskms.KeyProps{
		Description:       jsii.String("pairup: encrypts the alarm and SES event topics"),
		EnableKeyRotation: jsii.Bool(true),
	})
	// CloudWatch (alarm actions) and SES (event destinations) publish to the
	// encrypted topics, so they need the data key; only for this account.
	for _, svc := range []string{"cloudwatch.amazonaws.com", "ses.amazonaws.com"} {
		s.topicKey.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("Allow" + strings.Split(svc, ".")[0] + "ToPublishEncrypted"),
			Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(svc), nil)},
			Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
			Resources:  jsii.Strings("*"),
			Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": s.Account()}},
		}), nil)
	}

	s.AlarmTopic = awssns.NewTopic(s.Stack, jsii.String("AlarmTopic"), &awssns.TopicProps{
		DisplayName: jsii.String("pairup alarms"),
		MasterKey:   s.topicKey,
		EnforceSSL:  jsii.Bool(true),
	})
	s.AlarmTopic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchAlarms"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  &[]*string{s.AlarmTopic.TopicArn()},
		Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": s.Account()}},
	}))
	for _, addr := range s.Config.CoordinatorEmails {
		s.AlarmTopic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(addr), nil))
	}
}

// alarm creates an alarm that fires when metric (whose statistic and period
// it carries) reaches threshold in one period, and notifies the alarm topic.
// Missing data (nothing happened) is not a breach.
func (s *PairupStack) alarm(id, description string, metric awscloudwatch.IMetric, threshold float64) {
	a := awscloudwatch.NewAlarm(s.Stack, jsii.String(id), &awscloudwatch.AlarmProps{
		Metric:             metric,
		Threshold:          jsii.Number(threshold),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		AlarmDescription:   jsii.String(description),
	})
	a.AddAlarmAction(awscloudwatchactions.NewSnsAction(s.AlarmTopic))
}

// fiveMinutes is the alarm period. (A function, not a package variable:
// jsii calls must not run during package initialisation.)
func fiveMinutes() awscdk.Duration { return awscdk.Duration_Minutes(jsii.Number(5)) }

// SES account reputation thresholds (fractions). SES puts an account under
// review at a 5% bounce or 0.1% complaint rate and may pause its sending
// at 10% or 0.5%; the alarms fire at the review level.
const (
	bounceRateAlarm    = 0.05
	complaintRateAlarm = 0.001
)

// logMetricsNamespace holds the metrics of the functions' [LogAlarm]s.
const logMetricsNamespace = "Pairup"

// addTable creates the single table shared by all functions.
func (s *PairupStack) addTable() {
	str := awsdynamodb.AttributeType_STRING
	s.Table = awsdynamodb.NewTable(s.Stack, jsii.String("Table"), &awsdynamodb.TableProps{
		PartitionKey:        &awsdynamodb.Attribute{Name: jsii.String("PK"), Type: str},
		SortKey:             &awsdynamodb.Attribute{Name: jsii.String("SK"), Type: str},
		BillingMode:         awsdynamodb.BillingMode_PAY_PER_REQUEST,
		TimeToLiveAttribute: jsii.String(tableTTLAttribute),
		// New images feed the functions with a TableStream (the mailer reads
		// new outbox items); 24-hour retention, no extra cost to write.
		Stream:             awsdynamodb.StreamViewType_NEW_IMAGE,
		DeletionProtection: jsii.Bool(true),
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	s.Table.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
		IndexName:      jsii.String(gsiName),
		PartitionKey:   &awsdynamodb.Attribute{Name: jsii.String("GSI1PK"), Type: str},
		SortKey:        &awsdynamodb.Attribute{Name: jsii.String("GSI1SK"), Type: str},
		ProjectionType: awsdynamodb.ProjectionType_ALL,
	})
}

// addLinkKey creates the HMAC key that signs confirmation and survey links.
// Its value is generated by Secrets Manager and never leaves it except to
// the functions granted read.
func (s *PairupStack) addLinkKey() {
	s.LinkKey = awssecretsmanager.NewSecret(s.Stack, jsii.String("LinkKey"), &awssecretsmanager.SecretProps{
		Description: jsii.String("pairup: HMAC key for signed links (confirmation, surveys, continue/conclude)"),
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			PasswordLength:     jsii.Number(64),
			ExcludePunctuation: jsii.Bool(true),
		},
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	cdknag.NagSuppressions_AddResourceSuppressions(s.LinkKey, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-SMG4"),
		Reason: jsii.String("The link-signing key is not rotated automatically: rotation would invalidate every " +
			"confirmation and survey link already emailed. Rotate it by hand between rounds (README)."),
	}}, jsii.Bool(true))
}

// Mail DNS records the operator adds for a sender domain (see
// [PairupStack.mailDNSRecords]).
const (
	mailFromMXPriority = 10
	mailFromSPF        = "v=spf1 include:amazonses.com ~all"
)

// addEmail creates the SES configuration set (bounce and complaint events
// to an encrypted SNS topic, account suppression list, TLS required) and the
// sender identity that uses it by default: the sender's address, or its
// whole domain with Easy DKIM (2048-bit) and a custom MAIL FROM domain, so
// that both DKIM and SPF align with the From domain (DMARC).
func (s *PairupStack) addEmail() {
	s.EventsTopic = awssns.NewTopic(s.Stack, jsii.String("EmailEventsTopic"), &awssns.TopicProps{
		DisplayName: jsii.String("pairup SES bounces and complaints"),
		MasterKey:   s.topicKey,
		EnforceSSL:  jsii.Bool(true),
	})
	s.ConfigSet = awsses.NewConfigurationSet(s.Stack, jsii.String("ConfigurationSet"), &awsses.ConfigurationSetProps{
		ReputationMetrics:  jsii.Bool(true),
		SendingEnabled:     jsii.Bool(true),
		SuppressionReasons: awsses.SuppressionReasons_BOUNCES_AND_COMPLAINTS,
		TlsPolicy:          awsses.ConfigurationSetTlsPolicy_REQUIRE,
	})
	s.ConfigSet.AddEventDestination(jsii.String("BouncesAndComplaints"), &awsses.ConfigurationSetEventDestinationOptions{
		Destination: awsses.EventDestination_SnsTopic(s.EventsTopic),
		Events:      &[]awsses.EmailSendingEvent{awsses.EmailSendingEvent_BOUNCE, awsses.EmailSendingEvent_COMPLAINT},
	})

	identity := &awsses.EmailIdentityProps{
		Identity:         awsses.Identity_Email(jsii.String(s.Config.SenderEmail)),
		ConfigurationSet: s.ConfigSet,
	}
	if s.Config.SenderDomain != "" {
		identity.Identity = awsses.Identity_Domain(jsii.String(s.Config.SenderDomain))
		identity.DkimSigning = jsii.Bool(true)
		identity.DkimIdentity = awsses.DkimIdentity_EasyDkim(awsses.EasyDkimSigningKeyLength_RSA_2048_BIT)
		identity.MailFromDomain = jsii.String(s.Config.MailFromDomain)
		// In production SES refuses to send while the MAIL FROM MX record
		// is missing, rather than sending unaligned mail from
		// amazonses.com; a trial falls back so it works before DNS does.
		identity.MailFromBehaviorOnMxFailure = awsses.MailFromBehaviorOnMxFailure_USE_DEFAULT_VALUE
		if s.Config.Production {
			identity.MailFromBehaviorOnMxFailure = awsses.MailFromBehaviorOnMxFailure_REJECT_MESSAGE
		}
	}
	s.Identity = awsses.NewEmailIdentity(s.Stack, jsii.String("SenderIdentity"), identity)
	s.identityArn = s.Identity.EmailIdentityArn()
	s.configArn = s.FormatArn(&awscdk.ArnComponents{
		Service:      jsii.String("ses"),
		Resource:     jsii.String("configuration-set"),
		ResourceName: s.ConfigSet.ConfigurationSetName(),
	})

	// The account's reputation, as SES itself judges it (account-wide
	// metrics, updated a few times an hour).
	reputation := func(name string) awscloudwatch.Metric {
		return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace:  jsii.String("AWS/SES"),
			MetricName: jsii.String(name),
			Statistic:  jsii.String("Maximum"),
			Period:     awscdk.Duration_Minutes(jsii.Number(15)),
		})
	}
	s.alarm("SesBounceRateAlarm", "The SES account's bounce rate reached 5%: SES reviews an account at 5% and may "+
		"pause its sending at 10%. Look for bad addresses (the suppression list, recent signups) before sending more.",
		reputation("Reputation.BounceRate"), bounceRateAlarm)
	s.alarm("SesComplaintRateAlarm", "The SES account's complaint rate reached 0.1%: SES reviews an account at 0.1% "+
		"and may pause its sending at 0.5%. Check what was sent recently and to whom.",
		reputation("Reputation.ComplaintRate"), complaintRateAlarm)
}

// accessLogFormat is the HTTP API access log line: JSON, no source IP, no
// user agent, no query string (links carry tokens), so no personal data.
const accessLogFormat = `{"requestId":"$context.requestId","time":"$context.requestTime",` +
	`"route":"$context.routeKey","status":"$context.status","protocol":"$context.protocol",` +
	`"responseLength":"$context.responseLength","latencyMs":"$context.responseLatency",` +
	`"integrationStatus":"$context.integrationStatus","integrationLatencyMs":"$context.integrationLatency",` +
	`"integrationError":"$context.integrationErrorMessage","error":"$context.error.message"}`

// addAPI creates the HTTP API with a throttled, access-logged $default
// stage, the optional custom domain and the 5xx alarm.
func (s *PairupStack) addAPI() {
	cfg := s.Config
	s.API = awsapigatewayv2.NewHttpApi(s.Stack, jsii.String("Api"), &awsapigatewayv2.HttpApiProps{
		Description:        jsii.String("pairup hosted forms"),
		CreateDefaultStage: jsii.Bool(false),
	})
	accessLogs := awslogs.NewLogGroup(s.Stack, jsii.String("ApiAccessLogs"), &awslogs.LogGroupProps{
		Retention: retention(cfg.LogRetentionDays),
	})
	stageProps := &awsapigatewayv2.HttpStageProps{
		HttpApi:    s.API,
		StageName:  jsii.String("$default"),
		AutoDeploy: jsii.Bool(true),
		Throttle: &awsapigatewayv2.ThrottleSettings{
			RateLimit:  jsii.Number(cfg.ThrottleRate),
			BurstLimit: jsii.Number(float64(cfg.ThrottleBurst)),
		},
	}
	if cfg.CertificateArn != "" {
		domain := awsapigatewayv2.NewDomainName(s.Stack, jsii.String("Domain"), &awsapigatewayv2.DomainNameProps{
			DomainName:  jsii.String(cfg.Domain),
			Certificate: awscertificatemanager.Certificate_FromCertificateArn(s.Stack, jsii.String("Certificate"), jsii.String(cfg.CertificateArn)),
		})
		stageProps.DomainMapping = &awsapigatewayv2.DomainMappingOptions{DomainName: domain}
		awscdk.NewCfnOutput(s.Stack, jsii.String("DomainTarget"), &awscdk.CfnOutputProps{
			Description: jsii.String("Point a CNAME (or alias) for the domain at this name"),
			Value:       domain.RegionalDomainName(),
		})
	}
	stage := awsapigatewayv2.NewHttpStage(s.Stack, jsii.String("ApiDefaultStage"), stageProps)
	stage.Node().DefaultChild().(awsapigatewayv2.CfnStage).SetAccessLogSettings(&awsapigatewayv2.CfnStage_AccessLogSettingsProperty{
		DestinationArn: accessLogs.LogGroupArn(),
		Format:         jsii.String(accessLogFormat),
	})

	s.baseURL = s.API.ApiEndpoint()
	if u := cfg.baseURL(); u != "" {
		s.baseURL = jsii.String(u)
	}

	s.alarm("Api5xxAlarm", "The HTTP API returned 5xx responses",
		s.API.MetricServerError(&awscloudwatch.MetricOptions{Period: fiveMinutes(), Statistic: jsii.String("Sum")}), 1)
}

// failureQueue returns the dead-letter queue for failed asynchronous
// invocations and undeliverable scheduler or SNS events, creating it (and
// its alarm) on first use.
func (s *PairupStack) failureQueue() awssqs.Queue {
	if s.dlq != nil {
		return s.dlq
	}
	s.dlq = awssqs.NewQueue(s.Stack, jsii.String("DeadLetterQueue"), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
	})
	cdknag.NagSuppressions_AddResourceSuppressions(s.dlq, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-SQS3"),
		Reason: jsii.String("This queue is itself the dead-letter queue (Lambda on-failure destination, " +
			"EventBridge Scheduler, SNS subscription and table-stream DLQ); it is alarmed on visible messages."),
	}}, jsii.Bool(true))
	s.alarm("DeadLetterQueueAlarm", "Failed scheduled or event-driven invocations (or table-stream batches) are waiting in the dead-letter queue",
		s.dlq.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Period: fiveMinutes(), Statistic: jsii.String("Maximum")}), 1)
	return s.dlq
}

// addFunction builds one function from its spec: log group, role with only
// the declared permissions, the function, its routes, schedules,
// subscriptions, table-stream mapping, error alarm and log alarms.
func (s *PairupStack) addFunction(f Function) {
	cfg := s.Config
	id := pascal(f.Name)
	async := len(f.Schedules) > 0 || f.SESEvents

	logs := awslogs.NewLogGroup(s.Stack, jsii.String(id+"Logs"), &awslogs.LogGroupProps{
		Retention: retention(cfg.LogRetentionDays),
	})

	statements := []awsiam.PolicyStatement{
		// Explicit, instead of AWSLambdaBasicExecutionRole: write to this
		// function's own log group only.
		statement([]string{"logs:CreateLogStream", "logs:PutLogEvents"}, logs.LogGroupArn()),
	}
	env := map[string]*string{
		envLogLevel: jsii.String(cfg.LogLevel),
		envBaseURL:  s.baseURL,
	}
	if len(f.TableActions) > 0 {
		actions := append([]string(nil), f.TableActions...)
		sort.Strings(actions)
		statements = append(statements, statement(actions, s.Table.TableArn()))
		for _, a := range actions {
			if a == "dynamodb:Query" {
				statements = append(statements, statement([]string{"dynamodb:Query"},
					awscdk.Fn_Join(jsii.String(""), &[]*string{s.Table.TableArn(), jsii.String("/index/" + gsiName)})))
			}
		}
		env[envTable] = s.Table.TableName()
	}
	if f.SendEmail {
		resources := []*string{s.identityArn, s.configArn}
		for _, r := range cfg.SandboxRecipients {
			resources = append(resources, s.FormatArn(&awscdk.ArnComponents{
				Service: jsii.String("ses"), Resource: jsii.String("identity"), ResourceName: jsii.String(r),
			}))
		}
		statements = append(statements, statement([]string{"ses:SendEmail"}, resources...))
		env[envMailFrom] = jsii.String(cfg.SenderEmail)
		env[envConfigSet] = s.ConfigSet.ConfigurationSetName()
	}
	if f.LinkKey {
		statements = append(statements, statement([]string{"secretsmanager:GetSecretValue"}, s.LinkKey.SecretArn()))
		env[envLinkKey] = s.LinkKey.SecretArn()
	}
	if f.TableStream != nil {
		// What Lambda's stream poller needs (AWS's documented set for a
		// stream reader), on this table's stream only. Written here rather
		// than through the CDK's grantStreamRead, which puts
		// dynamodb:ListStreams on "*".
		statements = append(statements,
			statement([]string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"},
				s.Table.TableStreamArn()),
			// The poller sends the description of a batch that kept failing
			// to the dead-letter queue as the function's role.
			statement([]string{"sqs:SendMessage"}, s.failureQueue().QueueArn()))
	}
	for _, k := range f.ConfigEnv {
		v, _ := cfg.functionSetting(k) // validateFunctions checked the key
		env[envName(k)] = jsii.String(v)
	}
	for k, v := range f.Env {
		env[k] = jsii.String(v)
	}

	role := awsiam.NewRole(s.Stack, jsii.String(id+"Role"), &awsiam.RoleProps{
		Description: jsii.String("pairup " + f.Name + " function"),
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"pairup": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &statements}),
		},
	})

	props := &awslambda.FunctionProps{
		Description:  jsii.String("pairup " + f.Name + ": " + f.Description),
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		// Only the bootstrap: the folder may also hold the Makefile's function.zip.
		Code: awslambda.Code_FromAsset(jsii.String(filepath.Join(cfg.AssetDir, f.Name)), &awss3assets.AssetOptions{
			Exclude: jsii.Strings("*", "!bootstrap"),
		}),
		MemorySize:  jsii.Number(float64(f.MemoryMB)),
		Timeout:     awscdk.Duration_Seconds(jsii.Number(f.Timeout.Seconds())),
		Role:        role,
		LogGroup:    logs,
		Environment: &env,
	}
	if f.ReservedConcurrency > 0 {
		props.ReservedConcurrentExecutions = jsii.Number(float64(f.ReservedConcurrency))
	}
	if async {
		props.OnFailure = awslambdadestinations.NewSqsDestination(s.failureQueue())
		props.RetryAttempts = jsii.Number(asyncRetries)
		props.MaxEventAge = awscdk.Duration_Seconds(jsii.Number(asyncMaxEventAgeSecs))
	}
	fn := awslambda.NewFunction(s.Stack, jsii.String(id), props)
	s.Functions[f.Name] = fn

	if len(f.Routes) > 0 {
		integration := awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String(id+"Integration"), fn,
			&awsapigatewayv2integrations.HttpLambdaIntegrationProps{
				PayloadFormatVersion: awsapigatewayv2.PayloadFormatVersion_VERSION_2_0(),
			})
		for _, r := range f.Routes {
			method, path, _ := parseRoute(r) // validated in NewPairupStack
			routes := s.API.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
				Path:        jsii.String(path),
				Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod(method)},
				Integration: integration,
			})
			for _, route := range *routes {
				cdknag.NagSuppressions_AddResourceSuppressions(route, &[]*cdknag.NagPackSuppression{{
					Id: jsii.String("AwsSolutions-APIG4"),
					Reason: jsii.String("Public participant form (" + r + "): participants have no accounts. The " +
						"function authorises what needs it with HMAC-signed links and signed form tokens, refuses " +
						"cross-origin posts, and the stage is throttled."),
				}}, jsii.Bool(true))
			}
		}
	}
	if len(f.Schedules) > 0 {
		s.addSchedules(f, id, fn)
	}
	if f.SESEvents {
		s.EventsTopic.AddSubscription(awssnssubscriptions.NewLambdaSubscription(fn,
			&awssnssubscriptions.LambdaSubscriptionProps{DeadLetterQueue: s.failureQueue()}))
	}
	if f.TableStream != nil {
		s.addTableStream(f, id, fn)
	}

	s.alarm(id+"ErrorsAlarm", "The "+f.Name+" function reported errors",
		fn.MetricErrors(&awscloudwatch.MetricOptions{Period: fiveMinutes(), Statistic: jsii.String("Sum")}), 1)
	for _, la := range f.LogAlarms {
		filter := logs.AddMetricFilter(jsii.String(la.Metric+"Filter"), &awslogs.MetricFilterOptions{
			FilterPattern:   awslogs.FilterPattern_Literal(jsii.String(logAlarmPattern(la.Event))),
			MetricNamespace: jsii.String(logMetricsNamespace),
			MetricName:      jsii.String(la.Metric),
			MetricValue:     jsii.String("1"),
		})
		s.alarm(id+la.Metric+"Alarm", la.Description,
			filter.Metric(&awscloudwatch.MetricOptions{Period: fiveMinutes(), Statistic: jsii.String("Sum")}), 1)
	}
}

// addTableStream maps the table stream to f (see [StreamSource]). The L1
// resource, so the filter pattern reaches the template exactly as written
// and the permissions stay the ones addFunction put in the role.
func (s *PairupStack) addTableStream(f Function, id string, fn awslambda.Function) {
	st := f.TableStream
	props := &awslambda.CfnEventSourceMappingProps{
		FunctionName:                   fn.FunctionName(),
		EventSourceArn:                 s.Table.TableStreamArn(),
		StartingPosition:               jsii.String("TRIM_HORIZON"),
		BatchSize:                      jsii.Number(float64(st.BatchSize)),
		MaximumBatchingWindowInSeconds: jsii.Number(0),
		FunctionResponseTypes:          jsii.Strings("ReportBatchItemFailures"),
		BisectBatchOnFunctionError:     jsii.Bool(true),
		MaximumRetryAttempts:           jsii.Number(float64(st.MaxRetries)),
		DestinationConfig: &awslambda.CfnEventSourceMapping_DestinationConfigProperty{
			OnFailure: &awslambda.CfnEventSourceMapping_OnFailureProperty{Destination: s.failureQueue().QueueArn()},
		},
	}
	if st.FilterPattern != "" {
		props.FilterCriteria = &awslambda.CfnEventSourceMapping_FilterCriteriaProperty{
			Filters: &[]any{&awslambda.CfnEventSourceMapping_FilterProperty{Pattern: jsii.String(st.FilterPattern)}},
		}
	}
	awslambda.NewCfnEventSourceMapping(s.Stack, jsii.String(id+"TableStream"), props)
}

// addSchedules creates f's EventBridge Scheduler schedules, with one role
// that may invoke only this function and write to the dead-letter queue.
func (s *PairupStack) addSchedules(f Function, id string, fn awslambda.Function) {
	dlq := s.failureQueue()
	role := awsiam.NewRole(s.Stack, jsii.String(id+"SchedulerRole"), &awsiam.RoleProps{
		Description: jsii.String("EventBridge Scheduler: invoke pairup " + f.Name),
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("scheduler.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": s.Account()}},
		}),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"pairup": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &[]awsiam.PolicyStatement{
				statement([]string{"lambda:InvokeFunction"}, fn.FunctionArn()),
				statement([]string{"sqs:SendMessage"}, dlq.QueueArn()),
			}}),
		},
	})
	for _, sc := range f.Schedules {
		expr, _ := s.Config.scheduleExpression(sc) // validated in NewPairupStack
		state := "ENABLED"
		if expr == scheduleOff {
			expr, state = sc.Expression, "DISABLED"
		}
		input := sc.Input
		if input == "" {
			input = "{}"
		}
		awsscheduler.NewCfnSchedule(s.Stack, jsii.String(sc.ID+"Schedule"), &awsscheduler.CfnScheduleProps{
			Description:                jsii.String("pairup " + f.Name + " (" + sc.ContextKey + ")"),
			ScheduleExpression:         jsii.String(expr),
			ScheduleExpressionTimezone: jsii.String(s.Config.ScheduleTimezone),
			State:                      jsii.String(state),
			FlexibleTimeWindow:         &awsscheduler.CfnSchedule_FlexibleTimeWindowProperty{Mode: jsii.String("OFF")},
			Target: &awsscheduler.CfnSchedule_TargetProperty{
				Arn:     fn.FunctionArn(),
				RoleArn: role.RoleArn(),
				Input:   jsii.String(input),
				RetryPolicy: &awsscheduler.CfnSchedule_RetryPolicyProperty{
					MaximumRetryAttempts:     jsii.Number(schedulerRetries),
					MaximumEventAgeInSeconds: jsii.Number(schedulerMaxEventAgeSecs),
				},
				DeadLetterConfig: &awsscheduler.CfnSchedule_DeadLetterConfigProperty{Arn: dlq.QueueArn()},
			},
		})
	}
}

// addOutputs exports what coordinators and operators need: the form URL,
// function names to invoke from the console, and the resources to look at.
func (s *PairupStack) addOutputs() {
	out := func(id, desc string, v *string) {
		awscdk.NewCfnOutput(s.Stack, jsii.String(id), &awscdk.CfnOutputProps{Description: jsii.String(desc), Value: v})
	}
	out("BaseUrl", "Public base URL of the hosted forms", s.baseURL)
	out("ApiEndpoint", "HTTP API endpoint", s.API.ApiEndpoint())
	out("TableName", "DynamoDB table", s.Table.TableName())
	out("ConfigurationSetName", "SES configuration set", s.ConfigSet.ConfigurationSetName())
	out("SenderIdentityName", "SES identity to verify (check the inbox, or add the DKIM records)", s.Identity.EmailIdentityName())
	out("EmailEventsTopicArn", "SNS topic receiving SES bounces and complaints", s.EventsTopic.TopicArn())
	out("AlarmTopicArn", "SNS topic for alarms", s.AlarmTopic.TopicArn())
	out("LinkKeySecretArn", "Secrets Manager secret holding the link-signing key (ARN only)", s.LinkKey.SecretArn())
	names := make([]string, 0, len(s.Functions))
	for n := range s.Functions {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		out(pascal(n)+"FunctionName", "Lambda function "+n, s.Functions[n].FunctionName())
	}
	if s.Config.SenderDomain != "" {
		for i, rec := range []struct{ name, value *string }{
			{s.Identity.DkimDnsTokenName1(), s.Identity.DkimDnsTokenValue1()},
			{s.Identity.DkimDnsTokenName2(), s.Identity.DkimDnsTokenValue2()},
			{s.Identity.DkimDnsTokenName3(), s.Identity.DkimDnsTokenValue3()},
		} {
			out(fmt.Sprintf("DkimCname%d", i+1), "DKIM CNAME record to add to "+s.Config.SenderDomain,
				awscdk.Fn_Join(jsii.String(" CNAME "), &[]*string{rec.name, rec.value}))
		}
		for _, rec := range s.mailDNSRecords() {
			out(rec.id, rec.desc, rec.record)
		}
	}
}

// mailDNSRecord is a DNS record the operator adds, as a zone-file line
// ("name TYPE value").
type mailDNSRecord struct {
	id, desc string
	record   *string
}

// mailDNSRecords are the records, beside the DKIM CNAMEs, that make mail
// from the sender domain DMARC-aligned: the MAIL FROM domain's MX (SES's
// feedback endpoint in the stack's region) and SPF records, and a
// recommended DMARC policy for the sender domain.
func (s *PairupStack) mailDNSRecords() []mailDNSRecord {
	c := s.Config
	mx := awscdk.Fn_Join(jsii.String(""), &[]*string{
		jsii.String(fmt.Sprintf("%s MX %d feedback-smtp.", c.MailFromDomain, mailFromMXPriority)),
		s.Region(),
		jsii.String(".amazonses.com"),
	})
	return []mailDNSRecord{
		{"MailFromMx", "MAIL FROM MX record to add (SES bounce feedback)", mx},
		{"MailFromSpf", "MAIL FROM SPF record to add",
			jsii.String(fmt.Sprintf("%s TXT %q", c.MailFromDomain, mailFromSPF))},
		{"DmarcTxt", "Recommended DMARC record for " + c.SenderDomain + " (reports to " + c.dmarcReportAddress() + ")",
			jsii.String(fmt.Sprintf("_dmarc.%s TXT %q", c.SenderDomain, dmarcRecord(c.dmarcReportAddress())))},
	}
}

// dmarcRecord is the recommended DMARC policy: quarantine what fails, and
// send aggregate reports to rua.
func dmarcRecord(rua string) string {
	return "v=DMARC1; p=quarantine; rua=mailto:" + rua
}

// statement is an Allow statement for actions on resources.
func statement(actions []string, resources ...*string) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(actions...),
		Resources: &resources,
	})
}

// retentionByDays maps the values CloudWatch Logs accepts (0 = never
// expire) to the CDK enum.
var retentionByDays = map[int]awslogs.RetentionDays{
	0: awslogs.RetentionDays_INFINITE, 1: awslogs.RetentionDays_ONE_DAY, 3: awslogs.RetentionDays_THREE_DAYS,
	5: awslogs.RetentionDays_FIVE_DAYS, 7: awslogs.RetentionDays_ONE_WEEK, 14: awslogs.RetentionDays_TWO_WEEKS,
	30: awslogs.RetentionDays_ONE_MONTH, 60: awslogs.RetentionDays_TWO_MONTHS, 90: awslogs.RetentionDays_THREE_MONTHS,
	120: awslogs.RetentionDays_FOUR_MONTHS, 150: awslogs.RetentionDays_FIVE_MONTHS, 180: awslogs.RetentionDays_SIX_MONTHS,
	365: awslogs.RetentionDays_ONE_YEAR, 400: awslogs.RetentionDays_THIRTEEN_MONTHS, 545: awslogs.RetentionDays_EIGHTEEN_MONTHS,
	731: awslogs.RetentionDays_TWO_YEARS, 1096: awslogs.RetentionDays_THREE_YEARS, 1827: awslogs.RetentionDays_FIVE_YEARS,
	2192: awslogs.RetentionDays_SIX_YEARS, 2557: awslogs.RetentionDays_SEVEN_YEARS, 2922: awslogs.RetentionDays_EIGHT_YEARS,
	3288: awslogs.RetentionDays_NINE_YEARS, 3653: awslogs.RetentionDays_TEN_YEARS,
}

// retention maps days to the CDK enum; loadConfig has validated the value.
func retention(days int) awslogs.RetentionDays {
	if r, ok := retentionByDays[days]; ok {
		return r
	}
	return awslogs.RetentionDays_ONE_MONTH
}
