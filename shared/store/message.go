package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pairup/pairup/shared/pairup"
)

const (
	prefixMessage = "MSG#"
	skMessage     = "MSG"
	// messageTTL is how long a message record is kept: a retry or re-run within it cannot send
	// the message again.
	messageTTL = 400 * 24 * time.Hour
)

// Message states.
const (
	messageClaimed = "claimed"
	messageSent    = "sent"
)

type messageItem struct {
	PK         string    `json:"PK"`
	SK         string    `json:"SK"`
	ExpiresAt  int64     `json:"ExpiresAt"`
	ItemType   string    `json:"itemType"`
	Key        string    `json:"key"`
	Status     string    `json:"status"`
	ClaimedAt  time.Time `json:"claimedAt"`
	ProviderID string    `json:"providerId,omitempty"`
	SentAt     time.Time `json:"sentAt,omitzero"`
}

func messagePK(k string) string { return prefixMessage + k }

// ClaimMessage claims the right to send the logical message with key: a put on condition that
// no record exists. True the first time, false ever after (for 400 days, the record's TTL).
// EINVALID for an empty key.
func (s *Store) ClaimMessage(ctx context.Context, k string, at time.Time) (bool, error) {
	const op = "claim message %s"
	if k == "" {
		return false, wrap(pairup.Errorf(pairup.EINVALID, "A message needs a key."), op, k)
	}
	item, err := marshal(messageItem{
		PK: messagePK(k), SK: skMessage, ExpiresAt: at.Add(messageTTL).Unix(), ItemType: typeMessage,
		Key: k, Status: messageClaimed, ClaimedAt: at,
	})
	if err != nil {
		return false, wrap(err, op, k)
	}
	cond, err := condition(expression.AttributeNotExists(expression.Name(attrPK)))
	if err != nil {
		return false, wrap(err, op, k)
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(s.table),
		Item:                      item,
		ConditionExpression:       cond.Condition(),
		ExpressionAttributeNames:  cond.Names(),
		ExpressionAttributeValues: cond.Values(),
	}, retryConflicts)
	if _, ok := conditionFailed(err); ok {
		return false, nil
	}
	if err != nil {
		return false, wrap(err, op, k)
	}
	return true, nil
}

// MarkMessageSent records the provider's id for a claimed message: status sent, providerId,
// sentAt, and a fresh 400-day expiry from at. Marking a sent message again overwrites the
// provider id (a retried call). ENOTFOUND if the message was never claimed (or was released).
func (s *Store) MarkMessageSent(ctx context.Context, k, providerID string, at time.Time) error {
	const op = "mark message sent %s"
	update := expression.Set(expression.Name(attrStatus), expression.Value(messageSent)).
		Set(expression.Name(attrProviderID), expression.Value(providerID)).
		Set(expression.Name(attrSentAt), expression.Value(formatTime(at))).
		Set(expression.Name(attrExpiresAt), expression.Value(at.Add(messageTTL).Unix()))
	expr, err := expression.NewBuilder().WithUpdate(update).WithCondition(exists()).Build()
	if err != nil {
		return wrap(err, op, k)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       key(messagePK(k), skMessage),
		UpdateExpression:          expr.Update(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}, retryConflicts)
	if _, ok := conditionFailed(err); ok {
		err = notFound("There is no claimed message %q.", k)
	}
	if err != nil {
		return wrap(err, op, k)
	}
	return nil
}

// ReleaseMessage deletes a claim that was not sent: a delete on condition the status is still
// claimed, so a sent message is never deleted (and so never sent twice). Releasing a message
// that has no record is a no-op (a retried release); ECONFLICT if the message was sent.
func (s *Store) ReleaseMessage(ctx context.Context, k string) error {
	const op = "release message %s"
	cond, err := condition(expression.Name(attrStatus).Equal(expression.Value(messageClaimed)))
	if err != nil {
		return wrap(err, op, k)
	}
	_, err = s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                           aws.String(s.table),
		Key:                                 key(messagePK(k), skMessage),
		ConditionExpression:                 cond.Condition(),
		ExpressionAttributeNames:            cond.Names(),
		ExpressionAttributeValues:           cond.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}, retryConflicts)
	if old, ok := conditionFailed(err); ok {
		var it messageItem
		found := len(old) > 0
		if found {
			err = unmarshal(old, &it)
		} else {
			found, err = s.get(ctx, messagePK(k), skMessage, &it)
		}
		switch {
		case err != nil:
		case !found:
			return nil
		default:
			err = pairup.Errorf(pairup.ECONFLICT, "Message %q was %s and cannot be released.", k, it.Status)
		}
	}
	if err != nil {
		return wrap(err, op, k)
	}
	return nil
}
