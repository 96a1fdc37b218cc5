package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pairup/pairup/shared/pairup"
)

// Store is the DynamoDB implementation of pairup.Store over one table (see the package doc for
// the key design). It is safe for concurrent use.
type Store struct {
	db    *dynamodb.Client
	table string
	// clock tells the time used to decide whether a record has expired (DynamoDB's TTL deletes
	// expired items only eventually, so reads hide them themselves) and when a lease runs out.
	// It is the functions' one injected clock: the store never reads time.Now behind it.
	clock pairup.Clock
}

var _ pairup.Store = (*Store)(nil)

// New returns a Store over table, which must have the schema CreateTable creates, telling the
// time by clock (nil means pairup.SystemClock).
func New(client *dynamodb.Client, table string, clock pairup.Clock) *Store {
	if clock == nil {
		clock = pairup.SystemClock{}
	}
	return &Store{db: client, table: table, clock: clock}
}

// Now returns the store's clock's time.
func (s *Store) Now() time.Time { return s.clock.Now() }

func (s *Store) now() time.Time { return s.clock.Now() }

// Key and index attribute names, fixed by the table schema (CreateTable and the CDK stack).
const (
	attrPK        = "PK"
	attrSK        = "SK"
	attrGSI1PK    = "GSI1PK"
	attrGSI1SK    = "GSI1SK"
	attrExpiresAt = "ExpiresAt"
	indexGSI1     = "GSI1"
)

// Item attribute names used in expressions. Domain attributes are stored under their json names
// (TestAttributeNames checks these still match the domain's tags).
const (
	attrState          = "state"
	attrUpdatedAt      = "updatedAt"
	attrStatus         = "status"
	attrConfirmedAt    = "confirmedAt"
	attrParticipantID  = "participantId"
	attrReturning      = "returning"
	attrConfirmSends   = "confirmSends"
	attrLastSentAt     = "lastSentAt"
	attrRegistrationID = "registrationId"
	attrProviderID     = "providerId"
	attrSentAt         = "sentAt"
)

// Item types, stored in every item's itemType attribute so a table export reads plainly.
const (
	typeProgramme    = "programme"
	typeRound        = "round"
	typeRegistration = "registration"
	typeEmailClaim   = "emailClaim"
	typePerson       = "person"
	typeMessage      = "message"
)

// timeLayout is how every time.Time is stored: UTC, nanoseconds always written out, so stored
// times have one width and compare correctly as strings in condition expressions (RFC3339Nano
// trims trailing zeros, which breaks string order). The zero time is stored as
// "0001-01-01T00:00:00.000000000Z" and reads back as the zero time.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func encodeTime(t time.Time) (types.AttributeValue, error) {
	return &types.AttributeValueMemberS{Value: formatTime(t)}, nil
}

func decodeTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// marshal and unmarshal use the domain's json tags, so the domain needs no dynamodbav tags,
// and the fixed-width time format above.
func marshal(v any) (map[string]types.AttributeValue, error) {
	return attributevalue.MarshalMapWithOptions(v, func(o *attributevalue.EncoderOptions) {
		o.TagKey = "json"
		o.EncodeTime = encodeTime
	})
}

func unmarshal(m map[string]types.AttributeValue, v any) error {
	return attributevalue.UnmarshalMapWithOptions(m, v, func(o *attributevalue.DecoderOptions) {
		o.TagKey = "json"
		o.DecodeTime.S = decodeTime
	})
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: pk},
		attrSK: &types.AttributeValueMemberS{Value: sk},
	}
}

// retryConflicts is an option for single-item writes: DynamoDB rejects a PutItem, UpdateItem or
// DeleteItem on an item an in-flight transaction is writing with TransactionConflictException,
// which the SDK does not retry by default; the write is safe to retry (it is conditional, and
// rejected writes do not apply).
func retryConflicts(o *dynamodb.Options) {
	o.Retryer = retry.AddWithErrorCodes(o.Retryer, (&types.TransactionConflictException{}).ErrorCode())
}

// get reads one item with a strongly consistent read into v; found is false if there is none.
func (s *Store) get(ctx context.Context, pk, sk string, v any) (found bool, err error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            key(pk, sk),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return false, err
	}
	if len(out.Item) == 0 {
		return false, nil
	}
	return true, unmarshal(out.Item, v)
}

// query runs a query to the end, page by page, and returns every item.
func (s *Store) query(ctx context.Context, in *dynamodb.QueryInput) ([]map[string]types.AttributeValue, error) {
	var items []map[string]types.AttributeValue
	p := dynamodb.NewQueryPaginator(s.db, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		items = append(items, out.Items...)
	}
	return items, nil
}

// queryInput builds a query from a key condition and an optional filter.
func (s *Store) queryInput(index string, kc expression.KeyConditionBuilder, filter *expression.ConditionBuilder) (*dynamodb.QueryInput, error) {
	b := expression.NewBuilder().WithKeyCondition(kc)
	if filter != nil {
		b = b.WithFilter(*filter)
	}
	expr, err := b.Build()
	if err != nil {
		return nil, err
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    expr.KeyCondition(),
		FilterExpression:          expr.Filter(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}
	if index != "" {
		in.IndexName = aws.String(index)
	}
	return in, nil
}

// conditionFailed reports whether err is a ConditionalCheckFailedException and returns the item
// it carries (present when the request asked for ALL_OLD and the item exists).
func conditionFailed(err error) (item map[string]types.AttributeValue, ok bool) {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ccf.Item, true
	}
	return nil, false
}

// Cancellation reason codes of a TransactionCanceledException.
const (
	reasonConditionFailed = "ConditionalCheckFailed"
	reasonConflict        = "TransactionConflict"
)

// cancelled returns the per-item cancellation reasons of a cancelled transaction, in the order
// of its items, and whether err is one.
func cancelled(err error) ([]types.CancellationReason, bool) {
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		return tce.CancellationReasons, true
	}
	return nil, false
}

func reasonCode(reasons []types.CancellationReason, i int) string {
	if i < len(reasons) && reasons[i].Code != nil {
		return *reasons[i].Code
	}
	return ""
}

func anyReason(reasons []types.CancellationReason, code string) bool {
	for i := range reasons {
		if reasonCode(reasons, i) == code {
			return true
		}
	}
	return false
}

// conflictRetries bounds how often a transaction cancelled by a TransactionConflict (another
// transaction on the same items in flight) is tried again.
const conflictRetries = 8

// backoff sleeps before retry attempt n (0-based): about 10ms, 20ms, 40ms … capped at 320ms,
// with full jitter so that retrying callers spread out.
func backoff(ctx context.Context, n int) error {
	d := 10 * time.Millisecond << min(n, 5)
	d = d/2 + rand.N(d/2+1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func notFound(format string, args ...any) error {
	return pairup.Errorf(pairup.ENOTFOUND, format, args...)
}

// expired reports whether a record with TTL attribute expiresAt (epoch seconds, 0 for none) has
// expired at now. DynamoDB deletes expired items only eventually (typically within days), so
// every read treats an expired item as gone.
func expired(expiresAt int64, now time.Time) bool {
	return expiresAt != 0 && expiresAt <= now.Unix()
}

// notExpired is the condition "the item has no expiry or has not expired at now".
func notExpired(now time.Time) expression.ConditionBuilder {
	return expression.Or(
		expression.AttributeNotExists(expression.Name(attrExpiresAt)),
		expression.Name(attrExpiresAt).GreaterThan(expression.Value(now.Unix())),
	)
}

// absentOrExpired is the condition "no such item, or it has expired at now": a put under it may
// replace an expired record TTL has not deleted yet.
func absentOrExpired(now time.Time) expression.ConditionBuilder {
	return expression.Or(
		expression.AttributeNotExists(expression.Name(attrPK)),
		expression.Name(attrExpiresAt).LessThanEqual(expression.Value(now.Unix())),
	)
}

func exists() expression.ConditionBuilder {
	return expression.AttributeExists(expression.Name(attrPK))
}

func condition(c expression.ConditionBuilder) (expression.Expression, error) {
	return expression.NewBuilder().WithCondition(c).Build()
}

func wrap(err error, format string, args ...any) error {
	return fmt.Errorf("store: "+format+": %w", append(args, err)...)
}
