package main

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
)

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
