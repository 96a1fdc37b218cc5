package matchrun_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/pairup/pairup/shared/internal/faulthttp"
)

// capacityMeter stands between the function's faulthttp.Client and DynamoDB Local: it counts
// the requests that reach DynamoDB by operation and, when measuring, sums the ConsumedCapacity
// the responses report (the commit benchmark's costs; bench_test.go).
type capacityMeter struct {
	next faulthttp.Doer

	mu      sync.Mutex
	measure bool
	// askAll (when measuring) adds "ReturnConsumedCapacity":"TOTAL" to the requests that do
	// not ask for it (the outbox's PutItem, GetItem), so that every request's cost is reported;
	// asked counts them by operation.
	askAll bool
	asked  map[string]int
	// first and last are when the first request of each operation went out and when the last
	// one's answer came back.
	first, last map[string]time.Time
	n           int
	ops         map[string]int
	// capacity is the sum of the responses' ConsumedCapacity (CapacityUnits of each entry);
	// capacityBy breaks it down by operation; unreported counts the successful responses that
	// carried none, by operation.
	capacity   float64
	capacityBy map[string]float64
	// askedCapacity is the part of capacity reported because the meter asked (askAll).
	askedCapacity float64
	unreported    map[string]int
}

// arm resets the counters and sets whether to measure capacity.
func (d *capacityMeter) arm(measure bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.measure = measure
	d.reset()
}

func (d *capacityMeter) reset() {
	d.n, d.capacity, d.askedCapacity = 0, 0, 0
	d.ops, d.capacityBy, d.unreported, d.asked = map[string]int{}, map[string]float64{}, map[string]int{}, map[string]int{}
	d.first, d.last = map[string]time.Time{}, map[string]time.Time{}
}

func (d *capacityMeter) Do(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	op := req.Header.Get("X-Amz-Target")
	if i := strings.LastIndexByte(op, '.'); i >= 0 {
		op = op[i+1:]
	}
	d.mu.Lock()
	if d.ops == nil {
		d.reset()
	}
	if _, ok := d.first[op]; !ok {
		d.first[op] = time.Now()
	}
	d.n++
	d.ops[op]++
	measure := d.measure
	asked := measure && d.askAll && reportsCapacity[op] && bytes.HasPrefix(body, []byte("{")) && !bytes.Contains(body, []byte(`"ReturnConsumedCapacity"`))
	if asked {
		d.asked[op]++
		b := append([]byte(`{"ReturnConsumedCapacity":"TOTAL",`), body[1:]...)
		req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	d.mu.Unlock()
	resp, err := d.next.Do(req)
	if err == nil && measure && resp.StatusCode == http.StatusOK {
		if err := d.account(op, resp, asked); err != nil {
			return nil, err
		}
	}
	d.mu.Lock()
	d.last[op] = time.Now()
	d.mu.Unlock()
	return resp, err
}

// account adds up the ConsumedCapacity a successful response reports (an object, or a list of
// them for the batch operations) and puts the body back for the SDK.
func (d *capacityMeter) account(op string, resp *http.Response, asked bool) error {
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	plain := raw
	if strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return err
		}
		if plain, err = io.ReadAll(zr); err != nil {
			return err
		}
	}
	var out struct{ ConsumedCapacity json.RawMessage }
	if err := json.Unmarshal(plain, &out); err != nil {
		return fmt.Errorf("capacityMeter: %s response: %w", op, err)
	}
	type consumed struct{ CapacityUnits, ReadCapacityUnits, WriteCapacityUnits float64 }
	var list []consumed
	switch cc := bytes.TrimSpace(out.ConsumedCapacity); {
	case len(cc) == 0 || string(cc) == "null":
	case cc[0] == '[':
		if err := json.Unmarshal(cc, &list); err != nil {
			return err
		}
	default:
		var one consumed
		if err := json.Unmarshal(cc, &one); err != nil {
			return err
		}
		list = []consumed{one}
	}
	units := 0.0
	for _, c := range list {
		if c.CapacityUnits > 0 {
			units += c.CapacityUnits
		} else {
			units += c.ReadCapacityUnits + c.WriteCapacityUnits
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(list) == 0 {
		d.unreported[op]++
	}
	d.capacity += units
	d.capacityBy[op] += units
	if asked {
		d.askedCapacity += units
	}
	return nil
}

// reportsCapacity are the operations that take ReturnConsumedCapacity.
var reportsCapacity = map[string]bool{
	"GetItem": true, "PutItem": true, "UpdateItem": true, "DeleteItem": true, "Query": true, "Scan": true,
	"BatchGetItem": true, "BatchWriteItem": true, "TransactGetItems": true, "TransactWriteItems": true,
}

type meterStats struct {
	Requests                int
	Ops, Asked              map[string]int
	First, Last             map[string]time.Time
	Capacity, AskedCapacity float64
	CapacityBy              map[string]float64
	Unreported              map[string]int
}

func (d *capacityMeter) stats() meterStats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return meterStats{Requests: d.n, Ops: clone(d.ops), Asked: clone(d.asked),
		First: clone(d.first), Last: clone(d.last), Capacity: d.capacity, AskedCapacity: d.askedCapacity,
		CapacityBy: clone(d.capacityBy), Unreported: clone(d.unreported)}
}

func clone[V any](m map[string]V) map[string]V {
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
