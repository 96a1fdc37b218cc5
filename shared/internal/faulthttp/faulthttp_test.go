package faulthttp_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"github.com/pairup/pairup/shared/internal/faulthttp"
)

// service is a stand-in for DynamoDB and SES: it answers every request with an empty JSON
// object and counts what reached it.
func service(t *testing.T) (string, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		io.WriteString(w, `{"MessageId":"m-1"}`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &n
}

func dynamoDB(endpoint string, c *faulthttp.Client, attempts int) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region: "eu-west-2", BaseEndpoint: aws.String(endpoint), HTTPClient: c,
		Credentials: credentials.NewStaticCredentialsProvider("x", "x", ""),
		Retryer:     retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = attempts; o.MaxBackoff = 0 }),
	})
}

// The canned DynamoDB faults reach the SDK as the errors DynamoDB would send, and the client
// counts requests by operation and the faults it answered.
func TestDynamoDBFaults(t *testing.T) {
	endpoint, reached := service(t)
	c := faulthttp.New(nil)
	db := dynamoDB(endpoint, c, 1)
	ctx := context.Background()
	key := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "a"}}
	get := &dynamodb.GetItemInput{TableName: aws.String("t"), Key: key}
	for _, tc := range []struct {
		fault faulthttp.Hook
		code  string
	}{
		{faulthttp.DynamoDBThrottled, "ProvisionedThroughputExceededException"},
		{faulthttp.DynamoDBConflict, "TransactionConflictException"},
	} {
		c.SetHook(tc.fault)
		_, err := db.GetItem(ctx, get)
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != tc.code {
			t.Errorf("GetItem = %v, want %s", err, tc.code)
		}
	}
	c.SetHook(faulthttp.DynamoDBConflict)
	_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("t"), Item: key}}, {Delete: &types.Delete{TableName: aws.String("t"), Key: key}},
	}})
	var canceled *types.TransactionCanceledException
	if !errors.As(err, &canceled) || len(canceled.CancellationReasons) != 2 || aws.ToString(canceled.CancellationReasons[1].Code) != "TransactionConflict" {
		t.Errorf("TransactWriteItems = %v, want TransactionCanceledException", err)
	}
	c.SetHook(nil)
	if _, err := db.GetItem(ctx, get); err != nil {
		t.Fatal(err)
	}
	if got := c.Ops(); got["GetItem"] != 3 || got["TransactWriteItems"] != 1 || c.Calls() != 4 || c.Faults() != 3 || reached.Load() != 1 {
		t.Errorf("ops %v, %d calls, %d faults, %d reached the service; want 3 GetItem and 1 TransactWriteItems, 4, 3, 1",
			got, c.Calls(), c.Faults(), reached.Load())
	}
	if recs := c.Records(); len(recs) != 4 || !recs[0].Fault || recs[0].Status != http.StatusBadRequest || recs[3].Fault || recs[3].Status != http.StatusOK || recs[3].OpN != 3 {
		t.Errorf("records %+v", recs)
	}
	c.Reset()
	if c.Calls() != 0 || c.Faults() != 0 || len(c.Records()) != 0 || len(c.Ops()) != 0 {
		t.Error("Reset kept counts")
	}
}

// A lost response reaches the service, and the SDK, told it failed, sends it again.
func TestLostResponse(t *testing.T) {
	endpoint, reached := service(t)
	c := faulthttp.New(nil)
	c.SetHook(faulthttp.EveryNth(1, func(r *faulthttp.Request) bool { return r.Op == "PutItem" }, faulthttp.LostResponse))
	if _, err := dynamoDB(endpoint, c, 3).PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("t"),
		Item: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "a"}}}); err != nil {
		t.Fatal(err)
	}
	if reached.Load() != 2 || c.Calls() != 2 || c.Faults() != 1 {
		t.Errorf("%d requests reached the service, %d the client, %d answered; want 2, 2, 1", reached.Load(), c.Calls(), c.Faults())
	}
}

// EveryNth answers every nth matching request, but never the same one twice in a row.
func TestEveryNth(t *testing.T) {
	var answered []int
	h := faulthttp.EveryNth(2, func(r *faulthttp.Request) bool { return r.Op != "skip" },
		func(r *faulthttp.Request) (*http.Response, error) {
			answered = append(answered, r.N)
			return nil, errors.New("fault")
		})
	req := func(n int, op, body string) *faulthttp.Request {
		return &faulthttp.Request{N: n, Op: op, Body: []byte(body)}
	}
	for _, r := range []*faulthttp.Request{
		req(1, "a", "1"),   // the 1st matching
		req(2, "a", "2"),   // the 2nd: answered
		req(3, "skip", ""), // not matching: not counted
		req(4, "a", "3"),   // the 3rd
		req(5, "a", "2"),   // the 4th, but 2's retry: passed on
		req(6, "a", "4"),   // the 5th
		req(7, "a", "5"),   // the 6th: answered
	} {
		h(r)
	}
	if want := []int{2, 7}; !slices.Equal(answered, want) {
		t.Errorf("answered %v, want %v", answered, want)
	}
	// The same request twice in a row with n = 1: the retry goes through.
	answered = nil
	h = faulthttp.EveryNth(1, func(*faulthttp.Request) bool { return true },
		func(r *faulthttp.Request) (*http.Response, error) {
			answered = append(answered, r.N)
			return nil, errors.New("fault")
		})
	for n := 1; n <= 4; n++ {
		h(req(n, "a", "same"))
	}
	if want := []int{1, 3}; !slices.Equal(answered, want) {
		t.Errorf("n = 1, one request retried: answered %v, want %v", answered, want)
	}
}

// SES SendEmail requests are counted by recipient and their tags read; the canned SES faults
// reach the SDK as SES's errors.
func TestSES(t *testing.T) {
	endpoint, _ := service(t)
	c := faulthttp.New(nil)
	ses := sesv2.New(sesv2.Options{
		Region: "eu-west-2", BaseEndpoint: aws.String(endpoint), HTTPClient: c,
		Credentials: credentials.NewStaticCredentialsProvider("x", "x", ""), RetryMaxAttempts: 1,
	})
	send := func(to string) error {
		_, err := ses.SendEmail(context.Background(), &sesv2.SendEmailInput{
			FromEmailAddress: aws.String("noreply@example.org"),
			Destination:      &sestypes.Destination{ToAddresses: []string{to}},
			Content: &sestypes.EmailContent{Simple: &sestypes.Message{
				Subject: &sestypes.Content{Data: aws.String("s")}, Body: &sestypes.Body{Text: &sestypes.Content{Data: aws.String("b")}}}},
			EmailTags: []sestypes.MessageTag{{Name: aws.String("kind"), Value: aws.String("test")}},
		})
		return err
	}
	for _, tc := range []struct {
		fault faulthttp.Hook
		code  string
	}{
		{faulthttp.SESThrottled, "TooManyRequestsException"},
		{faulthttp.SESRejected, "MessageRejected"},
		{faulthttp.SESPaused, "AccountSendingPausedException"},
	} {
		c.SetHook(tc.fault)
		var ae smithy.APIError
		if err := send("a@example.org"); !errors.As(err, &ae) || ae.ErrorCode() != tc.code {
			t.Errorf("SendEmail = %v, want %s", err, tc.code)
		} else if tc.code == "MessageRejected" && !strings.Contains(ae.ErrorMessage(), "noreply@example.org") {
			t.Errorf("MessageRejected message %q does not name the sender", ae.ErrorMessage())
		}
	}
	c.SetHook(nil)
	if err := send("b@example.org"); err != nil {
		t.Fatal(err)
	}
	recs := c.Records()
	if c.CallsTo("a@example.org") != 3 || c.CallsTo("b@example.org") != 1 || len(recs) != 4 ||
		recs[2].ToN != 3 || recs[3].Op != "SendEmail" || recs[3].Tags["kind"] != "test" {
		t.Errorf("calls to a %d, to b %d; records %+v", c.CallsTo("a@example.org"), c.CallsTo("b@example.org"), recs)
	}
}
