package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
)

// The signup form's defences against being used to send mail: single-use form tokens, a
// signup counter per source address and hour, a confirmation-email counter per programme and
// day; and a later signup's answers replacing a pending registration's.

const (
	prefixForm    = "FORM#"
	skForm        = "FORM"
	typeFormNonce = "formNonce"
	prefixLimit   = "LIMIT#"
	typeCounter   = "counter"
	attrCount     = "count"
	attrItemType  = "itemType"
	attrTo        = "to"
)

type formNonceItem struct {
	PK        string `json:"PK"`
	SK        string `json:"SK"`
	ExpiresAt int64  `json:"ExpiresAt"`
	ItemType  string `json:"itemType"`
}

// UseFormNonce records that the form whose token carries nonce has been sent: a put of FORM#
// <nonce> on condition there is none (or only an expired one), kept until expires (the token's
// expiry; after it the token is refused anyway). ECONFLICT if the nonce was used before;
// EINVALID for an empty nonce or an expiry not after now.
func (s *Store) UseFormNonce(ctx context.Context, nonce string, expires time.Time) error {
	const op = "use form nonce"
	now := s.now()
	if nonce == "" || !expires.After(now) {
		return wrap(pairup.Errorf(pairup.EINVALID, "A form nonce needs a value and an expiry in the future."), op)
	}
	item, err := marshal(formNonceItem{PK: prefixForm + nonce, SK: skForm, ExpiresAt: expires.Unix(), ItemType: typeFormNonce})
	if err != nil {
		return wrap(err, op)
	}
	cond, err := condition(absentOrExpired(now))
	if err != nil {
		return wrap(err, op)
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table), Item: item,
		ConditionExpression: cond.Condition(), ExpressionAttributeNames: cond.Names(), ExpressionAttributeValues: cond.Values(),
	}, retryConflicts)
	if _, ok := conditionFailed(err); ok {
		err = pairup.Errorf(pairup.ECONFLICT, "This form has already been sent.")
	}
	if err != nil {
		return wrap(err, op)
	}
	return nil
}

// CountSourceSignup counts a signup from source (an opaque id of the address it came from; the
// store never holds the address) in the current hour, UTC: an UpdateItem that adds 1 to
// LIMIT#source#<source>, HOUR#<yyyy-mm-ddThh> on condition the count is under perHour, the
// item expiring at the hour's end. ELIMIT, nothing counted, once the hour's count has reached
// perHour; perHour 0 counts nothing and never refuses.
func (s *Store) CountSourceSignup(ctx context.Context, source string, perHour int) error {
	const op = "count source signup"
	if perHour <= 0 {
		return nil
	}
	if source == "" {
		return wrap(pairup.Errorf(pairup.EINVALID, "A signup's source is required."), op)
	}
	hour := s.now().UTC().Truncate(time.Hour)
	u, err := s.counter(prefixLimit+"source#"+source, "HOUR#"+hour.Format("2006-01-02T15"), perHour, hour.Add(time.Hour))
	if err != nil {
		return wrap(err, op)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: u.TableName, Key: u.Key, UpdateExpression: u.UpdateExpression, ConditionExpression: u.ConditionExpression,
		ExpressionAttributeNames: u.ExpressionAttributeNames, ExpressionAttributeValues: u.ExpressionAttributeValues,
	}, retryConflicts)
	if _, ok := conditionFailed(err); ok {
		err = pairup.Errorf(pairup.ELIMIT, "Many people have signed up from your network in the last hour, so we are not taking more signups from it for now. Please try again in an hour.")
	}
	if err != nil {
		return wrap(err, op)
	}
	return nil
}

// confirmationCount is the transaction item that counts one confirmation email against
// programmeID's cap for the day (UTC): LIMIT#confirm#<programme>, DAY#<yyyy-mm-dd>.
func (s *Store) confirmationCount(programmeID string, perDay int) (*types.Update, error) {
	now := s.now().UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	return s.counter(prefixLimit+"confirm#"+programmeID, "DAY#"+day.Format("2006-01-02"), perDay, day.AddDate(0, 0, 1))
}

func programmeCapReached() error {
	return pairup.Errorf(pairup.ELIMIT, "The programme has sent an unusual number of confirmation emails today, so it is not taking more signups until tomorrow (UTC).")
}

// counter is the update that adds 1 to the counter pk/sk if it is under limit (or new),
// expiring at expires: its window is in its key, so the expiry only clears it away.
func (s *Store) counter(pk, sk string, limit int, expires time.Time) (*types.Update, error) {
	update := expression.Add(expression.Name(attrCount), expression.Value(1)).
		Set(expression.Name(attrExpiresAt), expression.Value(expires.Unix())).
		Set(expression.Name(attrItemType), expression.Value(typeCounter))
	cond := expression.Or(
		expression.AttributeNotExists(expression.Name(attrPK)),
		expression.Name(attrCount).LessThan(expression.Value(limit)))
	expr, err := expression.NewBuilder().WithUpdate(update).WithCondition(cond).Build()
	if err != nil {
		return nil, err
	}
	return &types.Update{
		TableName: aws.String(s.table), Key: key(pk, sk),
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	}, nil
}

// answerAttrs are the attributes of a registration that a later signup of the same address
// replaces while the registration is pending: the form's answers and the time of consent
// (TestAnswerAttributes checks them against the domain's json names).
var answerAttrs = []string{
	"name", "country", "languages", "timeZone", "sector", "careerStage", "interests", "preference",
	"role", "capacity", "eligibility", "priority", "locale", "consentAt",
}

// answers is the update that sets r's answers (and removes those r leaves out, as an omitempty
// field is absent from the item a Register writes).
func answers(r *pairup.Registration) (expression.UpdateBuilder, error) {
	var u expression.UpdateBuilder
	m, err := marshal(r)
	if err != nil {
		return u, err
	}
	for _, a := range answerAttrs {
		if v, ok := m[a]; ok {
			u = u.Set(expression.Name(a), expression.Value(v))
		} else {
			u = u.Remove(expression.Name(a))
		}
	}
	return u, nil
}

// Resubmit takes a later signup of a pending registration's address. r names the registration
// (ProgrammeID, RoundID, ID), holds ConfirmSends as the caller read it and the later signup's
// answers. In one transaction Resubmit replaces the answers, queues msg as confirmation email
// ConfirmSends+1 under the conditions of QueueConfirmation (fewer than maxSends, the last sent
// at or before notAfter, none queued meanwhile) and counts it against the programme's cap of
// perDay a day (as RegisterCapped; 0: none). If the registration's own cap, cool-down or a
// concurrent request stops the email, it replaces the answers alone, with an UpdateItem on
// condition the registration is still pending and unexpired, and queued is false. ECONFLICT,
// nothing changed, if the registration is no longer pending: a signup never changes a
// confirmed registration. ENOTFOUND if absent or expired; ELIMIT, nothing changed, if the
// programme's cap is reached; EINVALID if msg is not queueable.
func (s *Store) Resubmit(ctx context.Context, r *pairup.Registration, maxSends int, notAfter time.Time, msg mail.Message, perDay int) (queued bool, err error) {
	const op = "resubmit %s/%s/%s"
	fail := func(err error) (bool, error) { return false, wrap(err, op, r.ProgrammeID, r.RoundID, r.ID) }
	now := s.now()
	put, err := s.outboxPut(msg, now)
	if err != nil {
		return fail(err)
	}
	pk, sk := roundPK(r.ProgrammeID, r.RoundID), registrationSK(r.ID)
	pending := expression.Name(attrStatus).Equal(expression.Value(pairup.StatusPending)).And(notExpired(now))
	for attempt := 0; r.ConfirmSends < maxSends; attempt++ {
		prev := r.ConfirmSends
		// A fresh builder each time: UpdateBuilder's methods share their receiver's operations.
		set, err := answers(r)
		if err != nil {
			return fail(err)
		}
		update := set.Set(expression.Name(attrConfirmSends), expression.Value(prev+1)).
			Set(expression.Name(attrLastSentAt), expression.Value(formatTime(now)))
		sends := expression.Name(attrConfirmSends).Equal(expression.Value(prev))
		if prev == 0 {
			sends = expression.Or(sends, expression.AttributeNotExists(expression.Name(attrConfirmSends)))
		}
		cond := expression.And(pending, sends, expression.Or(
			expression.AttributeNotExists(expression.Name(attrLastSentAt)),
			expression.Name(attrLastSentAt).LessThanEqual(expression.Value(formatTime(notAfter)))))
		expr, err := expression.NewBuilder().WithUpdate(update).WithCondition(cond).Build()
		if err != nil {
			return fail(err)
		}
		items := []types.TransactWriteItem{
			{Update: &types.Update{
				TableName: aws.String(s.table), Key: key(pk, sk),
				UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
				ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
			}},
			{Put: put},
		}
		if perDay > 0 {
			count, err := s.confirmationCount(r.ProgrammeID, perDay)
			if err != nil {
				return fail(err)
			}
			items = append(items, types.TransactWriteItem{Update: count})
		}
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil {
			return true, nil
		}
		reasons, ok := cancelled(err)
		switch {
		case !ok:
			return fail(err)
		case reasonCode(reasons, 0) == reasonConditionFailed || reasonCode(reasons, 1) == reasonConditionFailed:
			// Not pending, expired, or the email is not due: the answers alone, below, say which.
		case reasonCode(reasons, 2) == reasonConditionFailed:
			return fail(programmeCapReached())
		case anyReason(reasons, reasonConflict) && attempt < conflictRetries:
			if err := backoff(ctx, attempt); err != nil {
				return fail(err)
			}
			continue
		default:
			return fail(err)
		}
		break
	}
	// No email: replace the answers alone, if the registration is still pending.
	set, err := answers(r)
	if err != nil {
		return fail(err)
	}
	expr, err := expression.NewBuilder().WithUpdate(set).WithCondition(pending).Build()
	if err != nil {
		return fail(err)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table), Key: key(pk, sk),
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}, retryConflicts)
	if old, ok := conditionFailed(err); ok {
		var it registrationItem
		if len(old) > 0 {
			if err := unmarshal(old, &it); err != nil {
				return fail(err)
			}
		}
		switch {
		case len(old) == 0 || expired(it.ExpiresAt, now):
			err = notFound("There is no registration %q in round %q.", r.ID, r.RoundID)
		default:
			err = pairup.Errorf(pairup.ECONFLICT, "This signup is %s; a new signup does not change it.", it.Status)
		}
	}
	if err != nil {
		return fail(err)
	}
	return false, nil
}

// MessageRecipient returns the address an outbox message was queued for: how an unsubscribe
// link, which names the message that carried it, finds its address (a projected GetItem of
// the message's to). The message outlives the link (outboxTTL is longer than a year).
// ENOTFOUND if there is no such message.
func (s *Store) MessageRecipient(ctx context.Context, messageKey string) (string, error) {
	var it struct {
		To string `json:"to"`
	}
	found, err := s.getProjected(ctx, outboxPK(messageKey), skOutbox, &it, attrTo)
	if err != nil {
		return "", wrap(err, "message recipient %s", messageKey)
	}
	if !found || it.To == "" {
		return "", wrap(notFound("There is no message %q.", messageKey), "message recipient %s", messageKey)
	}
	return it.To, nil
}
