// Package faulthttp injects faults into an AWS SDK client's requests, for tests.
//
// A [Client] is the HTTP client of an SDK client (o.HTTPClient of dynamodb.Options or
// sesv2.Options): it stands between the SDK and the service (DynamoDB Local, the SES emulator),
// records every request, and lets a [Hook] answer a chosen request itself — with a synthetic
// response in the service's wire format, or an error — so that the SDK's deserializers and
// retryer see exactly what the service would send. DynamoDB Local never throttles and never
// reports a transaction conflict, and the SES emulator never throttles, rejects or pauses, so
// this is the only way to see how the code handles them.
//
// The canned faults ([DynamoDBThrottled], [DynamoDBConflict], [DynamoDBUnprocessed],
// [LostResponse], [SESThrottled], [SESRejected], [SESPaused]) are hooks that answer every
// request they are given; [EveryNth] spreads one over a client's requests as a transient fault.
package faulthttp

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// Doer is the SDK's HTTP client interface (dynamodb.HTTPClient, sesv2.HTTPClient).
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Request is one request that reached a [Client].
type Request struct {
	// Next is the client's next Doer (the service), for a hook that passes the request on
	// itself (as [LostResponse] does).
	Next Doer
	N    int    // 1-based, in arrival order since the client was made or last [Client.Reset]
	Op   string // the operation: X-Amz-Target's without the service prefix (DynamoDB), or SendEmail (SES v2)
	OpN  int    // 1-based among the requests of Op since the client was made or last reset
	// Req is the request; a hook that passes it on may replace it (to pass on another request,
	// e.g. one with a context of its own).
	Req  *http.Request
	Body []byte // Req's body, read (Req's body is rewound for the service)
	// SES SendEmail only: the first recipient, the number of requests to it so far (this one
	// included) and the email's tags.
	To   string
	ToN  int
	Tags map[string]string
}

// Hook answers a request itself (a response, or an error) or returns nil, nil to pass it on.
type Hook func(r *Request) (*http.Response, error)

// Record is what became of a request.
type Record struct {
	Request
	Status int       // the HTTP status answered (synthetic or real); 0 for an error
	Fault  bool      // the hook answered it
	At     time.Time // when the answer came back
}

// Client passes requests on to the next Doer unless its hook answers them, and records every
// request. It is safe for concurrent use.
type Client struct {
	next Doer

	mu     sync.Mutex
	hook   Hook
	n      int
	faults int
	ops    map[string]int
	toN    map[string]int
	recs   []Record
}

// New returns a Client in front of next (nil: the SDK's default HTTP client), without a hook.
func New(next Doer) *Client {
	if next == nil {
		next = awshttp.NewBuildableClient()
	}
	return &Client{next: next, ops: map[string]int{}, toN: map[string]int{}}
}

// SetHook sets the hook that may answer the requests from now on (nil: none).
func (c *Client) SetHook(h Hook) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hook = h
}

// Reset forgets every request the client has seen (records and counts).
func (c *Client) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n, c.faults = 0, 0
	c.ops, c.toN, c.recs = map[string]int{}, map[string]int{}, nil
}

// Do sends req, or lets the hook answer it.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	r := &Request{Next: c.next, Req: req, Op: operation(req)}
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		r.Body = b
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	if r.Op == "SendEmail" {
		var in struct {
			Destination struct{ ToAddresses []string }
			EmailTags   []struct{ Name, Value string }
		}
		if err := json.Unmarshal(r.Body, &in); err == nil {
			if len(in.Destination.ToAddresses) > 0 {
				r.To = in.Destination.ToAddresses[0]
			}
			r.Tags = map[string]string{}
			for _, t := range in.EmailTags {
				r.Tags[t.Name] = t.Value
			}
		}
	}
	c.mu.Lock()
	c.n++
	c.ops[r.Op]++
	r.N, r.OpN = c.n, c.ops[r.Op]
	if r.To != "" {
		c.toN[r.To]++
		r.ToN = c.toN[r.To]
	}
	hook := c.hook
	c.mu.Unlock()

	var (
		resp  *http.Response
		err   error
		fault bool
	)
	if hook != nil {
		resp, err = hook(r)
		fault = resp != nil || err != nil
	}
	if !fault {
		resp, err = c.next.Do(r.Req)
	}
	rec := Record{Request: *r, Fault: fault, At: time.Now()}
	if resp != nil {
		rec.Status = resp.StatusCode
	}
	c.mu.Lock()
	if fault {
		c.faults++
	}
	c.recs = append(c.recs, rec)
	c.mu.Unlock()
	return resp, err
}

// operation names the AWS operation of req: X-Amz-Target's operation for the JSON protocols
// (DynamoDB: "DynamoDB_20120810.PutItem" is PutItem); SendEmail for SES v2's; "" otherwise.
func operation(req *http.Request) string {
	if op := req.Header.Get("X-Amz-Target"); op != "" {
		if i := strings.LastIndexByte(op, '.'); i >= 0 {
			op = op[i+1:]
		}
		return op
	}
	if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/v2/email/outbound-emails") {
		return "SendEmail"
	}
	return ""
}

// Records returns a copy of what the client has seen since it was made or last reset.
func (c *Client) Records() []Record {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Record(nil), c.recs...)
}

// Calls returns how many requests reached the client.
func (c *Client) Calls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// CallsTo returns how many SES SendEmail requests to addr reached the client.
func (c *Client) CallsTo(addr string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.toN[addr]
}

// Ops returns how many requests of each operation reached the client.
func (c *Client) Ops() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.ops))
	for k, v := range c.ops {
		out[k] = v
	}
	return out
}

// Faults returns how many requests the hook answered.
func (c *Client) Faults() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.faults
}

// EveryNth answers every nth request that match accepts with fault, but never the same request
// (operation and body) twice in a row: every call gets through on its next attempt, as a
// transient fault does (with the faults chosen by arrival order alone, concurrent calls could
// see their own retries answered each time and run out of attempts). With n = 1, every call's
// first attempt is answered.
func EveryNth(n int, match func(*Request) bool, fault Hook) Hook {
	var (
		mu   sync.Mutex
		seen int
		last = map[string]bool{}
	)
	return func(r *Request) (*http.Response, error) {
		if !match(r) {
			return nil, nil
		}
		k := r.Op + "\x00" + string(r.Body)
		mu.Lock()
		seen++
		hit := seen%n == 0 && !last[k]
		if hit {
			last[k] = true
		} else {
			delete(last, k)
		}
		mu.Unlock()
		if hit {
			return fault(r)
		}
		return nil, nil
	}
}
