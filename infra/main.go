// Command infra is pairup's AWS CDK app: one stack with the DynamoDB table,
// the Lambda functions declared in [Functions], their HTTP API routes and
// EventBridge Scheduler schedules, SES sending (identity, configuration set,
// bounce and complaint topic), the link-signing secret, and CloudWatch
// alarms to the coordinators.
//
// Run it through the CDK CLI from the repository root (cdk.json there says
// `go run ./infra`):
//
//	infra/node_modules/.bin/cdk synth -c senderEmail=mentoring@example.org
//	infra/node_modules/.bin/cdk deploy -c senderEmail=mentoring@example.org
//
// Configuration comes from CDK context and PAIRUP_* environment variables;
// see [Config] and the README's "Deploying to AWS" section. Every synth runs the cdk-nag
// AwsSolutions checks; an unsuppressed finding fails it.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	if _, err := build(app, nil, envLookup); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	app.Synth(nil)
}

// build adds the pairup stack to app, configured from app's context and
// then env, with the cdk-nag AwsSolutions checks applied. fns nil means
// [Functions].
func build(app awscdk.App, fns []Function, env lookupFunc) (*PairupStack, error) {
	cfg, err := loadConfig(chain(contextLookup(app), env))
	if err != nil {
		return nil, err
	}
	stack, err := NewPairupStack(app, cfg.StackName, &StackProps{
		StackProps: awscdk.StackProps{Env: deployEnv()},
		Config:     cfg,
		Functions:  fns,
	})
	if err != nil {
		return nil, err
	}
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	return stack, nil
}

// contextLookup reads CDK context (cdk.json and -c) from scope.
func contextLookup(scope constructs.Construct) lookupFunc {
	return func(key string) (string, bool) {
		return contextValue(scope.Node().TryGetContext(jsii.String(key)))
	}
}

// deployEnv pins the stack to the CLI's account and region when the CLI
// knows them; otherwise the stack is environment-agnostic (offline synth).
func deployEnv() *awscdk.Environment {
	account, region := os.Getenv("CDK_DEFAULT_ACCOUNT"), os.Getenv("CDK_DEFAULT_REGION")
	if account == "" || region == "" {
		return nil
	}
	return &awscdk.Environment{Account: jsii.String(account), Region: jsii.String(region)}
}
