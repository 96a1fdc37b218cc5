package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/pairup/pairup/shared/pairup"
)

const (
	prefixSuppression = "SUPPRESS#"
	skSuppression     = "SUPPRESS"
	typeSuppression   = "suppression"
	attrReason        = "reason"
)

type suppressionItem struct {
	PK       string    `json:"PK"`
	SK       string    `json:"SK"`
	ItemType string    `json:"itemType"`
	Email    string    `json:"email"`
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
}

// Suppress records that no more email goes to address, and why (item SUPPRESS#<email>,
// SUPPRESS; a later reason replaces an earlier one). EINVALID for an empty address.
func (s *Store) Suppress(ctx context.Context, email string, reason pairup.SuppressionReason, at time.Time) error {
	const op = "suppress %s"
	if email == "" || reason == "" {
		return wrap(pairup.Errorf(pairup.EINVALID, "A suppression needs an address and a reason."), op, reason)
	}
	item, err := marshal(suppressionItem{PK: prefixSuppression + email, SK: skSuppression, ItemType: typeSuppression, Email: email, Reason: string(reason), At: at})
	if err != nil {
		return wrap(err, op, reason)
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}, retryConflicts); err != nil {
		return wrap(err, op, reason)
	}
	return nil
}

// Suppression returns why mail to address is suppressed; ENOTFOUND if it is not.
func (s *Store) Suppression(ctx context.Context, email string) (pairup.SuppressionReason, error) {
	var it suppressionItem
	found, err := s.get(ctx, prefixSuppression+email, skSuppression, &it)
	if err != nil {
		return "", wrap(err, "get suppression")
	}
	if !found {
		return "", wrap(notFound("Mail to this address is not suppressed."), "get suppression")
	}
	return pairup.SuppressionReason(it.Reason), nil
}

// Unsuppress lifts a suppression, but only one with the given reason (a delete on that
// condition): a new signup lifts an unsubscribe, never a bounce or a complaint. Lifting a
// suppression that is absent is a no-op; ECONFLICT if it has another reason.
func (s *Store) Unsuppress(ctx context.Context, email string, reason pairup.SuppressionReason) error {
	const op = "unsuppress %s"
	cond, err := condition(expression.Or(
		expression.AttributeNotExists(expression.Name(attrPK)),
		expression.Name(attrReason).Equal(expression.Value(string(reason)))))
	if err != nil {
		return wrap(err, op, reason)
	}
	_, err = s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.table), Key: key(prefixSuppression+email, skSuppression),
		ConditionExpression: cond.Condition(), ExpressionAttributeNames: cond.Names(), ExpressionAttributeValues: cond.Values(),
	}, retryConflicts)
	if _, ok := conditionFailed(err); ok {
		err = pairup.Errorf(pairup.ECONFLICT, "Mail to this address is suppressed for another reason.")
	}
	if err != nil {
		return wrap(err, op, reason)
	}
	return nil
}
