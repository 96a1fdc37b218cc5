package localenv_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/pairup/pairup/shared/localenv"
)

func TestDynamoDB(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the local services (not under -short)")
	}
	if testing.Short() {
		t.Skip("starts DynamoDB Local")
	}
	ctx := context.Background()
	begun := time.Now()
	svc, err := localenv.StartDynamoDB(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Stop)
	t.Logf("DynamoDB Local answered at %s after %s", svc.Endpoint, time.Since(begun).Round(time.Millisecond))

	db := localenv.DynamoDBClient(svc.Endpoint)
	_, err = db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String("pairup-test"),
		BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: ddbtypes.ScalarAttributeTypeS},
		},
		KeySchema: []ddbtypes.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: ddbtypes.KeyTypeRange},
		},
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	out, err := db.ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatalf("ListTables: %v", err)
	}
	if len(out.TableNames) != 1 || out.TableNames[0] != "pairup-test" {
		t.Fatalf("ListTables = %v, want [pairup-test]", out.TableNames)
	}

	// -sharedDb: a client with other credentials and region sees the same table.
	other := dynamodb.New(dynamodb.Options{
		Region:       "ap-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("other", "other", ""),
		BaseEndpoint: aws.String(svc.Endpoint),
	})
	if out, err := other.ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil || len(out.TableNames) != 1 {
		t.Errorf("ListTables with other credentials = %v, %v; want the shared table", out, err)
	}

	svc.Stop()
	if _, err := db.ListTables(ctx, &dynamodb.ListTablesInput{}, func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 }); err == nil {
		t.Fatal("DynamoDB Local still answers after Stop")
	}
}

func TestSES(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the local services (not under -short)")
	}
	if testing.Short() {
		t.Skip("starts the SES emulator")
	}
	ctx := context.Background()
	svc, err := localenv.StartSES(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Stop)

	ses := localenv.SESClient(svc.Endpoint)
	inbox := localenv.NewInbox(svc.Endpoint)
	out, err := ses.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String("pairup <noreply@example.org>"),
		Destination:      &sestypes.Destination{ToAddresses: []string{"ada@example.org"}},
		Content: &sestypes.EmailContent{Simple: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String("Hello 你好"), Charset: aws.String("UTF-8")},
			Body: &sestypes.Body{
				Text: &sestypes.Content{Data: aws.String("plain body"), Charset: aws.String("UTF-8")},
				Html: &sestypes.Content{Data: aws.String("<p>html body</p>"), Charset: aws.String("UTF-8")},
			},
			Headers: []sestypes.MessageHeader{{Name: aws.String("X-Pairup-Test"), Value: aws.String("yes")}},
		}},
	})
	if err != nil {
		t.Fatalf("SendEmail: %v", err)
	}
	got, err := inbox.WaitFor(ctx, "ADA@example.org", 1)
	if err != nil {
		t.Fatal(err)
	}
	e := got[0]
	if e.MessageID != aws.ToString(out.MessageId) {
		t.Errorf("MessageID = %q, want %q", e.MessageID, aws.ToString(out.MessageId))
	}
	if e.From != "pairup <noreply@example.org>" || e.Subject != "Hello 你好" ||
		e.Text != "plain body" || e.HTML != "<p>html body</p>" {
		t.Errorf("email = %+v", e)
	}
	if v, ok := e.Header("x-pairup-test"); !ok || v != "yes" {
		t.Errorf("header X-Pairup-Test = %q, %v; headers %v", v, ok, e.Headers)
	}
	if d := time.Since(e.At); d < -2*time.Second || d > time.Minute {
		t.Errorf("At = %v, not about now", e.At)
	}
	if other, err := inbox.To(ctx, "bob@example.org"); err != nil || len(other) != 0 {
		t.Errorf("To(bob) = %v, %v; want none", other, err)
	}

	if err := inbox.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if all, err := inbox.Messages(ctx); err != nil || len(all) != 0 {
		t.Errorf("after Clear: %d emails, %v", len(all), err)
	}
}

func TestFixedPortTaken(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the local services (not under -short)")
	}
	if testing.Short() {
		t.Skip("starts the SES emulator")
	}
	ctx := context.Background()
	a, err := localenv.StartSES(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Stop)
	_, err = localenv.StartSES(ctx, a.Port)
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second start on a busy port: err = %v, want a port-in-use error", err)
	}
}

func TestMissingNodeModules(t *testing.T) {
	t.Setenv(localenv.NodeModulesEnv, "")
	t.Chdir(t.TempDir())
	_, err := localenv.StartSES(context.Background(), 0)
	if err == nil || !strings.Contains(err.Error(), localenv.NodeModulesEnv) {
		t.Fatalf("outside the repository: err = %v", err)
	}

	t.Setenv(localenv.NodeModulesEnv, t.TempDir())
	_, err = localenv.StartSES(context.Background(), 0)
	if err == nil || !strings.Contains(err.Error(), "make tools") {
		t.Fatalf("empty node_modules: err = %v, want advice to run make tools", err)
	}
	_, err = localenv.StartDynamoDB(context.Background(), 0)
	if err == nil || !(strings.Contains(err.Error(), "make tools") || strings.Contains(err.Error(), "java")) {
		t.Fatalf("empty node_modules: err = %v, want advice to run make tools", err)
	}
}
