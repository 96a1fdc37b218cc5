package localenv

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// Region is the region the local clients claim; the local services accept
// any.
const Region = "us-east-1"

// dummyCredentials satisfy the SDK's signer; the local services check only
// that a request is signed, not by whom.
var dummyCredentials = credentials.NewStaticCredentialsProvider("local", "local", "")

// DynamoDBClient returns a DynamoDB client for a local endpoint (such as a
// [Service] Endpoint from StartDynamoDB), with dummy credentials and region
// us-east-1. It reads no environment or shared AWS config.
func DynamoDBClient(endpoint string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       Region,
		Credentials:  dummyCredentials,
		BaseEndpoint: aws.String(endpoint),
	})
}

// SESClient returns an SES v2 client for a local endpoint (such as a
// [Service] Endpoint from StartSES), with dummy credentials and region
// us-east-1. It reads no environment or shared AWS config.
func SESClient(endpoint string) *sesv2.Client {
	return sesv2.New(sesv2.Options{
		Region:       Region,
		Credentials:  dummyCredentials,
		BaseEndpoint: aws.String(endpoint),
	})
}
