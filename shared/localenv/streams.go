package localenv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// StreamsClient returns a DynamoDB Streams client for a local endpoint (the
// DynamoDB Local [Service] Endpoint), with dummy credentials and region
// us-east-1, like [DynamoDBClient].
//
// The client also corrects a fault of DynamoDB Local: its GetRecords writes
// an empty map attribute as {} instead of {"M":{}}, which the SDK (v1.47.0)
// then decodes as a copy of the attribute decoded before it. The client
// rewrites such values to {"M":{}} before the SDK reads them.
func StreamsClient(endpoint string) *dynamodbstreams.Client {
	return dynamodbstreams.New(dynamodbstreams.Options{
		Region:       Region,
		Credentials:  dummyCredentials,
		BaseEndpoint: aws.String(endpoint),
		HTTPClient:   &http.Client{Transport: emptyMapFixer{base: http.DefaultTransport}},
	})
}

// emptyMapFixer rewrites the empty map attributes of GetRecords responses;
// see [StreamsClient].
type emptyMapFixer struct{ base http.RoundTripper }

func (t emptyMapFixer) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "" ||
		!strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".GetRecords") {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if fixed, ok := fixEmptyMaps(body); ok {
		body = fixed
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// fixEmptyMaps replaces every {} attribute value in the records of a
// GetRecords response body with {"M":{}}, reporting whether it changed any.
func fixEmptyMaps(body []byte) ([]byte, bool) {
	if !bytes.Contains(body, []byte("{}")) {
		return body, false
	}
	v, err := decodeJSON(body)
	if err != nil {
		return body, false
	}
	doc, _ := v.(map[string]any)
	recs, _ := doc["Records"].([]any)
	changed := false
	var fix func(av any) any
	fix = func(av any) any {
		m, ok := av.(map[string]any)
		if !ok {
			return av
		}
		if len(m) == 0 {
			changed = true
			return map[string]any{"M": map[string]any{}}
		}
		if inner, ok := m["M"].(map[string]any); ok {
			for k, e := range inner {
				inner[k] = fix(e)
			}
		}
		if list, ok := m["L"].([]any); ok {
			for i, e := range list {
				list[i] = fix(e)
			}
		}
		return m
	}
	for _, r := range recs {
		rec, _ := r.(map[string]any)
		d, _ := rec["dynamodb"].(map[string]any)
		for _, part := range []string{"Keys", "NewImage", "OldImage"} {
			if item, ok := d[part].(map[string]any); ok {
				for k, av := range item {
					item[k] = fix(av)
				}
			}
		}
	}
	if !changed {
		return body, false
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return body, false
	}
	return buf.Bytes(), true
}

// StreamsAPI is the part of the DynamoDB Streams API that [PollStream] uses;
// *dynamodbstreams.Client implements it.
type StreamsAPI interface {
	ListStreams(context.Context, *dynamodbstreams.ListStreamsInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.ListStreamsOutput, error)
	DescribeStream(context.Context, *dynamodbstreams.DescribeStreamInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error)
	GetShardIterator(context.Context, *dynamodbstreams.GetShardIteratorInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error)
	GetRecords(context.Context, *dynamodbstreams.GetRecordsInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error)
}

var _ StreamsAPI = (*dynamodbstreams.Client)(nil)

// StreamHandler handles one batch as a Lambda function fed by a DynamoDB
// stream would.
type StreamHandler func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error)

// StreamOptions tune a poller; zero values take defaults.
type StreamOptions struct {
	// BatchSize is the most records per batch, default 50 (like the event
	// source mapping's BatchSize).
	BatchSize int
	// Interval is the pause between polls of an idle shard and before a
	// failed batch is retried, default 200ms.
	Interval time.Duration
	// MaxRetries is how often a failing batch is retried before it is
	// dropped (the mapping's MaximumRetryAttempts), default 5. As 0 means
	// the default, a negative value means no retries (the mapping's 0);
	// there is no retrying forever (the mapping's -1).
	MaxRetries int
	// Log receives the poller's messages, which carry ids (shard ids,
	// sequence numbers, event ids), never item contents. Default: discard.
	Log *slog.Logger
}

// StreamPoller delivers a DynamoDB stream to a [StreamHandler]; see
// [PollStream].
type StreamPoller struct {
	client     StreamsAPI
	arn        string
	filter     *filter
	handler    StreamHandler
	batchSize  int
	interval   time.Duration
	maxRetries int
	log        *slog.Logger

	cancel    context.CancelFunc
	wg        sync.WaitGroup
	delivered atomic.Int64
	// shardDone wakes the discovery loop when a shard has ended, so its
	// children are found at once.
	shardDone chan struct{}
}

// shard is the discovery loop's record of one shard; done is closed when the
// shard's goroutine has finished with it.
type shard struct {
	id, parent string
	done       chan struct{}
}

// PollStream starts delivering the DynamoDB stream of a table to h, as
// Lambda's event source mapping would: source is a table name (its latest
// stream is looked up with ListStreams) or a stream ARN ("arn:…").
//
// Every shard is read from its oldest record (TRIM_HORIZON), a parent shard
// before its children, and the shards are polled for new records and
// rediscovered until ctx ends or Stop is called. Records are converted to
// [events.DynamoDBEventRecord] and kept only if they match pattern, a Lambda
// event-filter pattern in JSON ("" keeps all) matched against the record's
// JSON as the function would receive it (eventName, dynamodb.NewImage.x.S, …);
// records that do not match are skipped, never delivered. The kept records of
// a shard are delivered in order, in batches of at most opt.BatchSize. Shards
// are read concurrently, so h may run concurrently for different shards
// (DynamoDB Local keeps one shard per stream, so there it never does).
//
// A handler error retries the whole batch after opt.Interval; a response
// with BatchItemFailures retries from the failed record earliest in the
// batch (records before it count as processed), and an ItemIdentifier not
// in the batch fails the whole batch, as with ReportBatchItemFailures. After
// opt.MaxRetries retries the rest of the batch is dropped with an error log
// (AWS would send it to the on-failure destination). A handler panic counts
// as an error. The handler's context is cancelled by Stop.
//
// Supported pattern syntax: objects whose every key must match, nested
// objects, and arrays of alternatives: string, number, boolean and null
// literals, {"exists": bool}, {"prefix": "…"} and {"anything-but": …} (a
// literal, an array of literals, or {"prefix": "…"}). Any other operator, or
// a malformed pattern, is an error.
//
// PollStream returns once the stream is found and described (an error if the
// table has no stream). Use a client from [StreamsClient] with DynamoDB
// Local: it corrects Local's encoding of empty maps.
func PollStream(ctx context.Context, client StreamsAPI, source, pattern string, h StreamHandler, opt StreamOptions) (*StreamPoller, error) {
	if h == nil {
		return nil, errors.New("localenv: PollStream: nil handler")
	}
	f, err := compileFilter(pattern)
	if err != nil {
		return nil, err
	}
	arn, err := findStream(ctx, client, source)
	if err != nil {
		return nil, err
	}
	p := &StreamPoller{
		client:     client,
		arn:        arn,
		filter:     f,
		handler:    h,
		batchSize:  opt.BatchSize,
		interval:   opt.Interval,
		maxRetries: opt.MaxRetries,
		log:        opt.Log,
		shardDone:  make(chan struct{}, 1),
	}
	if p.batchSize <= 0 {
		p.batchSize = 50
	}
	if p.interval <= 0 {
		p.interval = 200 * time.Millisecond
	}
	switch {
	case p.maxRetries == 0:
		p.maxRetries = 5
	case p.maxRetries < 0:
		p.maxRetries = 0
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	p.log = p.log.With("stream", arn)

	// The first DescribeStream checks the stream is readable before
	// PollStream returns.
	shards, err := p.describe(ctx)
	if err != nil {
		return nil, err
	}
	ctx, p.cancel = context.WithCancel(ctx)
	p.wg.Add(1)
	go p.run(ctx, shards)
	return p, nil
}

// StreamARN returns the ARN of the stream being polled.
func (p *StreamPoller) StreamARN() string { return p.arn }

// Stop stops the poller, cancelling the context of a handler call in
// progress, and waits for its goroutines to end. It may be called more than
// once.
func (p *StreamPoller) Stop() {
	p.cancel()
	p.wg.Wait()
}

// Delivered returns how many records the handler has been given so far,
// counted when each handler call returns; a record delivered again by a
// retry counts again.
func (p *StreamPoller) Delivered() int { return int(p.delivered.Load()) }

// findStream resolves source to a stream ARN.
func findStream(ctx context.Context, client StreamsAPI, source string) (string, error) {
	if source == "" {
		return "", errors.New("localenv: PollStream: no table or stream ARN")
	}
	if strings.HasPrefix(source, "arn:") {
		return source, nil
	}
	var best types.Stream
	in := &dynamodbstreams.ListStreamsInput{TableName: aws.String(source)}
	for {
		out, err := client.ListStreams(ctx, in)
		if err != nil {
			return "", fmt.Errorf("localenv: list the streams of table %s: %w", source, err)
		}
		for _, s := range out.Streams {
			if aws.ToString(s.TableName) != source {
				continue
			}
			// Labels are creation timestamps; the newest stream is the
			// table's current one.
			if best.StreamArn == nil || aws.ToString(s.StreamLabel) > aws.ToString(best.StreamLabel) {
				best = s
			}
		}
		if out.LastEvaluatedStreamArn == nil {
			break
		}
		in.ExclusiveStartStreamArn = out.LastEvaluatedStreamArn
	}
	if best.StreamArn == nil {
		return "", fmt.Errorf("localenv: table %s has no stream (create it with a StreamSpecification)", source)
	}
	return aws.ToString(best.StreamArn), nil
}

// describe lists every shard of the stream.
func (p *StreamPoller) describe(ctx context.Context) ([]types.Shard, error) {
	var shards []types.Shard
	in := &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(p.arn)}
	for {
		out, err := p.client.DescribeStream(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("localenv: describe stream %s: %w", p.arn, err)
		}
		if out.StreamDescription == nil {
			return nil, fmt.Errorf("localenv: describe stream %s: no description", p.arn)
		}
		shards = append(shards, out.StreamDescription.Shards...)
		last := out.StreamDescription.LastEvaluatedShardId
		if last == nil || *last == "" {
			return shards, nil
		}
		in.ExclusiveStartShardId = last
	}
}

// discoverEvery is how often the shard list is refreshed.
func (p *StreamPoller) discoverEvery() time.Duration {
	return max(time.Second, p.interval)
}

// run is the discovery loop: it starts a goroutine for every new shard, which
// waits for the shard's parent, if the parent is still listed.
func (p *StreamPoller) run(ctx context.Context, initial []types.Shard) {
	defer p.wg.Done()
	known := map[string]*shard{}
	add := func(list []types.Shard) {
		var fresh []*shard
		for _, s := range list {
			id := aws.ToString(s.ShardId)
			if id == "" || known[id] != nil {
				continue
			}
			sh := &shard{id: id, parent: aws.ToString(s.ParentShardId), done: make(chan struct{})}
			known[id] = sh
			fresh = append(fresh, sh)
		}
		for _, sh := range fresh {
			var parent *shard
			if sh.parent != "" {
				parent = known[sh.parent]
			}
			p.log.Debug("stream shard found", "shard", sh.id, "parent", sh.parent)
			p.wg.Add(1)
			go p.readShard(ctx, sh, parent)
		}
	}
	add(initial)
	t := time.NewTicker(p.discoverEvery())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-p.shardDone:
		}
		shards, err := p.describe(ctx)
		if err != nil {
			if ctx.Err() == nil {
				p.log.Warn("stream shard discovery failed", "err", err)
			}
			continue
		}
		add(shards)
	}
}

// readShard reads one shard to its end, delivering its matching records.
func (p *StreamPoller) readShard(ctx context.Context, sh *shard, parent *shard) {
	defer p.wg.Done()
	defer close(sh.done)
	log := p.log.With("shard", sh.id)
	if parent != nil {
		select {
		case <-parent.done:
		case <-ctx.Done():
			return
		}
	}
	var (
		iter    string
		lastSeq string // the last record read from the shard, delivered or skipped
	)
	for ctx.Err() == nil {
		if iter == "" {
			in := &dynamodbstreams.GetShardIteratorInput{
				StreamArn:         aws.String(p.arn),
				ShardId:           aws.String(sh.id),
				ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
			}
			if lastSeq != "" {
				in.ShardIteratorType = types.ShardIteratorTypeAfterSequenceNumber
				in.SequenceNumber = aws.String(lastSeq)
			}
			out, err := p.client.GetShardIterator(ctx, in)
			var notFound *types.ResourceNotFoundException
			switch {
			case ctx.Err() != nil:
				return
			case errors.As(err, &notFound):
				log.Warn("stream shard is gone", "err", err)
				p.wakeDiscovery()
				return
			case err != nil:
				log.Warn("stream GetShardIterator failed", "err", err)
				p.sleep(ctx, p.interval)
				continue
			case out.ShardIterator == nil:
				log.Debug("stream shard has no iterator: ended")
				p.wakeDiscovery()
				return
			}
			iter = *out.ShardIterator
		}

		out, err := p.client.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: aws.String(iter)})
		if err != nil {
			var expired *types.ExpiredIteratorException
			var trimmed *types.TrimmedDataAccessException
			switch {
			case ctx.Err() != nil:
				return
			case errors.As(err, &expired):
				log.Debug("stream iterator expired; getting a new one", "after", lastSeq)
				iter = ""
			case errors.As(err, &trimmed):
				log.Warn("stream records were trimmed before they were read; restarting at the oldest", "after", lastSeq)
				iter, lastSeq = "", ""
			default:
				log.Warn("stream GetRecords failed", "err", err)
				p.sleep(ctx, p.interval)
			}
			continue
		}

		var batch []events.DynamoDBEventRecord
		for _, r := range out.Records {
			rec, err := toEventRecord(r, p.arn)
			seq := ""
			if r.Dynamodb != nil {
				seq = aws.ToString(r.Dynamodb.SequenceNumber)
			}
			if err != nil {
				log.Error("stream record skipped: cannot convert it", "event_id", aws.ToString(r.EventID), "seq", seq, "err", err)
			} else if ok, err := p.matches(rec); err != nil {
				log.Error("stream record skipped: cannot filter it", "event_id", rec.EventID, "seq", seq, "err", err)
			} else if ok {
				batch = append(batch, rec)
			} else {
				log.Debug("stream record filtered out", "event_id", rec.EventID, "seq", seq)
			}
			if len(batch) == p.batchSize {
				if !p.deliver(ctx, log, batch) {
					return
				}
				batch = nil
			}
			if seq != "" {
				lastSeq = seq
			}
		}
		if len(batch) > 0 && !p.deliver(ctx, log, batch) {
			return
		}

		if out.NextShardIterator == nil {
			log.Debug("stream shard ended")
			p.wakeDiscovery()
			return
		}
		iter = *out.NextShardIterator
		if len(out.Records) == 0 {
			p.sleep(ctx, p.interval)
		}
	}
}

func (p *StreamPoller) matches(rec events.DynamoDBEventRecord) (bool, error) {
	if p.filter.root == nil {
		return true, nil
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return false, err
	}
	return p.filter.match(b)
}

func (p *StreamPoller) wakeDiscovery() {
	select {
	case p.shardDone <- struct{}{}:
	default:
	}
}

// sleep waits for d or until ctx ends.
func (p *StreamPoller) sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// deliver hands batch to the handler, retrying as the event source mapping
// does, and reports false if ctx ended first.
func (p *StreamPoller) deliver(ctx context.Context, log *slog.Logger, batch []events.DynamoDBEventRecord) bool {
	for retries := 0; ; retries++ {
		if ctx.Err() != nil {
			return false
		}
		resp, err := p.invoke(ctx, batch)
		p.delivered.Add(int64(len(batch)))
		if ctx.Err() != nil {
			return false // stopping: the handler saw its context cancelled
		}
		from := 0
		switch {
		case err != nil:
			log.Warn("stream handler failed", "records", len(batch),
				"first_seq", batch[0].Change.SequenceNumber, "last_seq", batch[len(batch)-1].Change.SequenceNumber,
				"attempt", retries+1, "err", err)
		case len(resp.BatchItemFailures) > 0:
			from = failedFrom(batch, resp.BatchItemFailures)
			if from < 0 {
				log.Warn("stream handler reported a batch item failure that is not in the batch: the whole batch failed",
					"records", len(batch), "first_seq", batch[0].Change.SequenceNumber, "attempt", retries+1)
				from = 0
			} else {
				log.Warn("stream handler reported batch item failures", "records", len(batch),
					"failures", len(resp.BatchItemFailures), "retry_from_seq", batch[from].Change.SequenceNumber,
					"attempt", retries+1)
			}
		default:
			log.Debug("stream batch delivered", "records", len(batch),
				"first_seq", batch[0].Change.SequenceNumber, "last_seq", batch[len(batch)-1].Change.SequenceNumber)
			return true
		}
		batch = batch[from:]
		if retries >= p.maxRetries {
			ids := make([]string, len(batch))
			for i, r := range batch {
				ids[i] = r.EventID
			}
			log.Error("stream batch dropped after its retries", "retries", retries, "records", len(batch),
				"first_seq", batch[0].Change.SequenceNumber, "last_seq", batch[len(batch)-1].Change.SequenceNumber,
				"event_ids", ids)
			return true
		}
		p.sleep(ctx, p.interval)
	}
}

// failedFrom returns the position in batch of the earliest record named by
// failures, or -1 if one of them names no record of the batch.
func failedFrom(batch []events.DynamoDBEventRecord, failures []events.DynamoDBBatchItemFailure) int {
	pos := make(map[string]int, len(batch))
	for i, r := range batch {
		pos[r.Change.SequenceNumber] = i
	}
	from := len(batch)
	for _, f := range failures {
		i, ok := pos[f.ItemIdentifier]
		if !ok || f.ItemIdentifier == "" {
			return -1
		}
		from = min(from, i)
	}
	return from
}

// invoke calls the handler with a copy of batch, turning a panic into an
// error.
func (p *StreamPoller) invoke(ctx context.Context, batch []events.DynamoDBEventRecord) (resp events.DynamoDBEventResponse, err error) {
	defer func() {
		if v := recover(); v != nil {
			p.log.Error("stream handler panicked", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			err = fmt.Errorf("localenv: stream handler panicked: %v", v)
		}
	}()
	return p.handler(ctx, events.DynamoDBEvent{Records: append([]events.DynamoDBEventRecord(nil), batch...)})
}

// toEventRecord converts a stream record from the SDK to the record Lambda
// delivers, with EventSourceArn set to streamARN.
func toEventRecord(r types.Record, streamARN string) (events.DynamoDBEventRecord, error) {
	out := events.DynamoDBEventRecord{
		AWSRegion:      aws.ToString(r.AwsRegion),
		EventID:        aws.ToString(r.EventID),
		EventName:      string(r.EventName),
		EventSource:    aws.ToString(r.EventSource),
		EventVersion:   aws.ToString(r.EventVersion),
		EventSourceArn: streamARN,
	}
	if out.EventSource == "" {
		out.EventSource = "aws:dynamodb"
	}
	if out.AWSRegion == "" {
		out.AWSRegion = Region
	}
	if r.UserIdentity != nil {
		out.UserIdentity = &events.DynamoDBUserIdentity{
			Type:        aws.ToString(r.UserIdentity.Type),
			PrincipalID: aws.ToString(r.UserIdentity.PrincipalId),
		}
	}
	if d := r.Dynamodb; d != nil {
		var err error
		c := &out.Change
		if d.ApproximateCreationDateTime != nil {
			c.ApproximateCreationDateTime = events.SecondsEpochTime{Time: *d.ApproximateCreationDateTime}
		}
		if c.Keys, err = toEventItem(d.Keys); err != nil {
			return out, fmt.Errorf("stream record keys: %w", err)
		}
		if c.NewImage, err = toEventItem(d.NewImage); err != nil {
			return out, fmt.Errorf("stream record new image: %w", err)
		}
		if c.OldImage, err = toEventItem(d.OldImage); err != nil {
			return out, fmt.Errorf("stream record old image: %w", err)
		}
		c.SequenceNumber = aws.ToString(d.SequenceNumber)
		c.SizeBytes = aws.ToInt64(d.SizeBytes)
		c.StreamViewType = string(d.StreamViewType)
	}
	return out, nil
}

func toEventItem(item map[string]types.AttributeValue) (map[string]events.DynamoDBAttributeValue, error) {
	if item == nil {
		return nil, nil
	}
	out := make(map[string]events.DynamoDBAttributeValue, len(item))
	for k, v := range item {
		ev, err := toEventValue(v)
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", k, err)
		}
		out[k] = ev
	}
	return out, nil
}

func toEventValue(av types.AttributeValue) (events.DynamoDBAttributeValue, error) {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value), nil
	case *types.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value), nil
	case *types.AttributeValueMemberB:
		return events.NewBinaryAttribute(v.Value), nil
	case *types.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(v.Value), nil
	case *types.AttributeValueMemberNULL:
		return events.NewNullAttribute(), nil
	case *types.AttributeValueMemberSS:
		return events.NewStringSetAttribute(v.Value), nil
	case *types.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(v.Value), nil
	case *types.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(v.Value), nil
	case *types.AttributeValueMemberM:
		m, err := toEventItem(v.Value)
		if err != nil {
			return events.DynamoDBAttributeValue{}, err
		}
		if m == nil {
			m = map[string]events.DynamoDBAttributeValue{}
		}
		return events.NewMapAttribute(m), nil
	case *types.AttributeValueMemberL:
		l := make([]events.DynamoDBAttributeValue, len(v.Value))
		for i, e := range v.Value {
			ev, err := toEventValue(e)
			if err != nil {
				return events.DynamoDBAttributeValue{}, fmt.Errorf("[%d]: %w", i, err)
			}
			l[i] = ev
		}
		return events.NewListAttribute(l), nil
	case nil:
		return events.DynamoDBAttributeValue{}, errors.New("nil attribute value")
	default:
		return events.DynamoDBAttributeValue{}, fmt.Errorf("unsupported attribute value type %T", av)
	}
}
