package faulthttp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Response is a synthetic response to req.
func Response(req *http.Request, status int, contentType string, body []byte) *http.Response {
	h := http.Header{}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Amzn-Requestid", fmt.Sprintf("fault-%d", time.Now().UnixNano()))
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	return &http.Response{
		Status: fmt.Sprintf("%d %s", status, http.StatusText(status)), StatusCode: status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h,
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: req,
	}
}

// errorResponse is a synthetic AWS error response: errType in X-Amzn-Errortype, and body.
func errorResponse(req *http.Request, status int, contentType, errType string, body []byte) *http.Response {
	resp := Response(req, status, contentType, body)
	resp.Header.Set("X-Amzn-Errortype", errType)
	return resp
}

// DynamoDB speaks JSON 1.0.
const dynamoDBJSON = "application/x-amz-json-1.0"

// DynamoDBResponse is a synthetic DynamoDB response (status 200) with body.
func DynamoDBResponse(req *http.Request, body []byte) *http.Response {
	return Response(req, http.StatusOK, dynamoDBJSON, body)
}

// DynamoDBError is a DynamoDB error response (400) of the given type, such as
// ProvisionedThroughputExceededException.
func DynamoDBError(req *http.Request, typ, message string) *http.Response {
	body, _ := json.Marshal(map[string]string{"__type": "com.amazonaws.dynamodb.v20120810#" + typ, "message": message})
	return errorResponse(req, http.StatusBadRequest, dynamoDBJSON, typ, body)
}

// DynamoDBThrottled answers with DynamoDB's throttling error.
func DynamoDBThrottled(r *Request) (*http.Response, error) {
	return DynamoDBError(r.Req, "ProvisionedThroughputExceededException",
		"The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API."), nil
}

// DynamoDBConflict is DynamoDB's answer to a write on an item another transaction has in
// flight: a TransactionConflictException for a single-item write, a
// TransactionCanceledException with a TransactionConflict reason (the last item's) for a
// TransactWriteItems.
func DynamoDBConflict(r *Request) (*http.Response, error) {
	if r.Op != "TransactWriteItems" {
		return DynamoDBError(r.Req, "TransactionConflictException", "Transaction is ongoing for the item"), nil
	}
	var in struct{ TransactItems []json.RawMessage }
	if err := json.Unmarshal(r.Body, &in); err != nil {
		return nil, fmt.Errorf("faulthttp: a TransactWriteItems body: %w", err)
	}
	type reason struct{ Code, Message string }
	reasons := make([]reason, len(in.TransactItems))
	codes := make([]string, len(reasons))
	for i := range reasons {
		reasons[i], codes[i] = reason{Code: "None"}, "None"
	}
	if n := len(reasons); n > 0 {
		reasons[n-1], codes[n-1] = reason{"TransactionConflict", "Transaction is ongoing for the item"}, "TransactionConflict"
	}
	body, _ := json.Marshal(map[string]any{
		"__type":              "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
		"Message":             fmt.Sprintf("Transaction cancelled, please refer cancellation reasons for specific reasons [%s]", strings.Join(codes, ", ")),
		"CancellationReasons": reasons,
	})
	return errorResponse(r.Req, http.StatusBadRequest, dynamoDBJSON, "TransactionCanceledException", body), nil
}

// DynamoDBUnprocessed answers a BatchWriteItem with every item unprocessed (nothing written),
// as DynamoDB may when the table's partitions are throttled.
func DynamoDBUnprocessed(r *Request) (*http.Response, error) {
	var in struct{ RequestItems json.RawMessage }
	if err := json.Unmarshal(r.Body, &in); err != nil {
		return nil, fmt.Errorf("faulthttp: a BatchWriteItem body: %w", err)
	}
	body, _ := json.Marshal(map[string]any{"UnprocessedItems": in.RequestItems})
	return DynamoDBResponse(r.Req, body), nil
}

// LostResponse passes the request on to the service (which applies it) and answers it with an
// internal error (500) instead of the service's answer, as when a response is lost on its way
// back: the SDK retries a request that has already been applied. The error is DynamoDB's
// (JSON 1.0).
func LostResponse(r *Request) (*http.Response, error) {
	resp, err := r.Next.Do(r.Req)
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	body := []byte(`{"__type":"com.amazon.coral.service#InternalFailure","message":"The server encountered an internal error trying to fulfill the request."}`)
	return errorResponse(r.Req, http.StatusInternalServerError, dynamoDBJSON, "InternalFailure", body), nil
}

// SESError is an SES v2 (REST-JSON) error response of the given type and status.
func SESError(req *http.Request, status int, typ, message string) *http.Response {
	body, _ := json.Marshal(map[string]string{"message": message})
	return errorResponse(req, status, "application/json", typ, body)
}

// SESThrottled answers with SES's throttling error (429 TooManyRequestsException).
func SESThrottled(r *Request) (*http.Response, error) {
	return SESError(r.Req, http.StatusTooManyRequests, "TooManyRequestsException", "Maximum sending rate exceeded."), nil
}

// SESRejected answers with SES's MessageRejected (400), as for an unverified sender in the
// sandbox (the message names the request's sender).
func SESRejected(r *Request) (*http.Response, error) {
	var in struct{ FromEmailAddress string }
	_ = json.Unmarshal(r.Body, &in) // no sender named if the body is not SendEmail's
	return SESError(r.Req, http.StatusBadRequest, "MessageRejected",
		"Email address is not verified. The following identities failed the check in region US-EAST-1: "+in.FromEmailAddress), nil
}

// SESPaused answers with SES's AccountSendingPausedException (400): sending is paused for the
// account.
func SESPaused(r *Request) (*http.Response, error) {
	return SESError(r.Req, http.StatusBadRequest, "AccountSendingPausedException", "Sending is paused for this account."), nil
}
