package mailer

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/pairup/pairup/shared/config"
	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/store"
)

// StreamFilter is the Lambda event-filter pattern of the mailer's stream source: only INSERTs of
// pending outbox items. The CDK stack gives it to the event source mapping; the local stream
// poller applies the same pattern.
const StreamFilter = `{"eventName":["INSERT"],"dynamodb":{"NewImage":{"itemType":{"S":["outbox"]},"status":{"S":["pending"]}}}}`

// Needs are the configuration the mailer function requires: the table, mail, and the link key
// (an erased address's suppression is kept under a hash keyed with it: store.SuppressionHashes).
var Needs = []config.Need{config.NeedTable, config.NeedMail, config.NeedLinks}

// Event is what the mailer function accepts: a DynamoDB stream batch (Records), or the sweep
// schedule's {"action":"sweep"}.
type Event struct {
	Records []events.DynamoDBEventRecord `json:"Records"`
	Action  string                       `json:"action"`
}

// StreamResult is the answer to a stream batch: Lambda reads batchItemFailures (the event source
// mapping reports batch item failures), the console shows the counts.
type StreamResult struct {
	Result
	BatchItemFailures []events.DynamoDBBatchItemFailure `json:"batchItemFailures"`
}

// Handle is the mailer function's handler.
func (m *Mailer) Handle(ctx context.Context, ev Event) (StreamResult, error) {
	switch {
	case len(ev.Records) > 0:
		return m.HandleStream(ctx, events.DynamoDBEvent{Records: ev.Records})
	case ev.Action == "sweep":
		res, err := m.Sweep(ctx)
		m.Log.InfoContext(ctx, "sweep done", "sent", res.Sent, "failed", res.Failed, "skipped", res.Skipped, "deferred", res.Deferred, "errors", res.Errors)
		return StreamResult{Result: res, BatchItemFailures: []events.DynamoDBBatchItemFailure{}}, err
	default:
		return StreamResult{}, pairup.Errorf(pairup.EINVALID, `The mailer takes a DynamoDB stream batch ("Records") or {"action":"sweep"}; got action %q.`, ev.Action)
	}
}

// HandleStream sends the pending outbox items of a stream batch. A record whose processing
// failed on the store side is reported as a batch item failure, so Lambda delivers it (and the
// records after it) again; what was sent is not sent twice, as claims are conditional.
func (m *Mailer) HandleStream(ctx context.Context, ev events.DynamoDBEvent) (StreamResult, error) {
	keys := make([]string, 0, len(ev.Records))
	seq := map[string]string{}
	for _, r := range ev.Records {
		k, ok := r.Change.NewImage["key"]
		if !ok || k.DataType() != events.DataTypeString {
			m.Log.WarnContext(ctx, "stream record without an outbox key", "eventId", r.EventID)
			continue
		}
		if _, dup := seq[k.String()]; !dup {
			keys = append(keys, k.String())
		}
		seq[k.String()] = r.Change.SequenceNumber
	}
	res, errs := m.ProcessAll(ctx, keys)
	res.Source = "stream"
	out := StreamResult{Result: res, BatchItemFailures: []events.DynamoDBBatchItemFailure{}}
	for _, k := range keys {
		if errs[k] != nil {
			out.BatchItemFailures = append(out.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: seq[k]})
		}
	}
	m.Log.InfoContext(ctx, "stream batch done", "records", len(ev.Records), "sent", res.Sent, "failed", res.Failed, "skipped", res.Skipped, "deferred", res.Deferred, "unclaimed", res.Unclaimed, "errors", res.Errors)
	return out, nil
}

// StreamHandler adapts HandleStream to the plain stream-handler shape (the local stream poller
// takes it): the same batch item failures, without the counts.
func (m *Mailer) StreamHandler(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	res, err := m.HandleStream(ctx, ev)
	return events.DynamoDBEventResponse{BatchItemFailures: res.BatchItemFailures}, err
}

// Deps are the parts NewLambda builds from the configuration unless given.
type Deps struct {
	Clock  pairup.Clock
	Log    *slog.Logger
	Sender mail.Sender
	// DynamoDB and SES are extra client options (tests inject faults through them).
	DynamoDB []func(*dynamodb.Options)
	SES      []func(*sesv2.Options)
}

// New builds the mailer from its configuration: the store over the table, the SES sender from
// the configured address and configuration set, and a rate limiter for this invocation's share
// (MailRate / MailConcurrency). It makes no network call.
func New(ctx context.Context, cfg config.Config, d Deps) (*Mailer, error) {
	awsCfg, err := cfg.AWS(ctx)
	if err != nil {
		return nil, err
	}
	if d.Log == nil {
		d.Log = cfg.Logger()
	}
	if d.Clock == nil {
		d.Clock = pairup.SystemClock{}
	}
	if d.Sender == nil {
		ses, err := NewSES(sesClient(cfg, awsCfg, d.SES...), cfg.MailFrom, cfg.ConfigSet)
		if err != nil {
			return nil, err
		}
		d.Sender = ses
	}
	st := store.New(cfg.DynamoDB(awsCfg, d.DynamoDB...), cfg.Table, d.Clock)
	return &Mailer{
		Outbox: st, Sender: d.Sender, Clock: d.Clock, Log: d.Log,
		Limiter: NewLimiter(cfg.MailRate, cfg.MailConcurrency),
		Hashes:  suppressionHashes(cfg, awsCfg),
	}, nil
}

// suppressionHashes returns the Mailer's Hashes: the link key ring is read on first use (in
// Lambda a Secrets Manager call, never at init) and kept; a failed read is tried again next time.
func suppressionHashes(cfg config.Config, awsCfg aws.Config) func(context.Context, string) ([]string, error) {
	var (
		mu     sync.Mutex
		signer *links.Signer
	)
	return func(ctx context.Context, email string) ([]string, error) {
		mu.Lock()
		defer mu.Unlock()
		if signer == nil {
			keys, err := cfg.LoadLinkKeys(ctx, awsCfg)
			if err != nil {
				return nil, err
			}
			if signer, err = links.NewSigner(keys...); err != nil {
				return nil, fmt.Errorf("mailer: %w", err)
			}
		}
		return store.SuppressionHashes(signer, email), nil
	}
}

// NewLambda returns the mailer function's Lambda handler.
func NewLambda(ctx context.Context, cfg config.Config, d Deps) (any, error) {
	m, err := New(ctx, cfg, d)
	if err != nil {
		return nil, fmt.Errorf("mailer: %w", err)
	}
	return m.Handle, nil
}

// sesClient returns an SES v2 client, pointed at the local emulator if one is configured.
// opts apply last.
func sesClient(c config.Config, cfg aws.Config, opts ...func(*sesv2.Options)) *sesv2.Client {
	return sesv2.NewFromConfig(cfg, append([]func(*sesv2.Options){func(o *sesv2.Options) {
		if c.SESEndpoint != "" {
			o.BaseEndpoint = aws.String(c.SESEndpoint)
		}
	}}, opts...)...)
}
