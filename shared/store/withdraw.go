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

// Withdrawal and the next round: a participant leaves a round (Withdraw), and a person deferred
// by the country cap takes their place in a new round (Rejoin).

const attrWithdrawnAt = "withdrawnAt"

// Withdraw applies a participant's withdrawal in one transaction: a condition on the round
// (w.Active: still active; otherwise still open or matching with no commit begun, so a commit
// never pairs someone who has withdrawn), the registration's status set to withdrawn with
// withdrawnAt IF it is still w.From (and, pending, unexpired); a pending registration's email
// claim deleted IF it names the registration; each of w.Plan's ended pairs given endedAt and
// endReason withdrawn IF it exists and is running; each pair it makes put IF absent; each
// outcome it changes put; and msgs queued IF absent. At most 100 items (EINVALID beyond).
// ECONFLICT, nothing written, if anything changed since the caller read it (the round's state,
// a commit begun, the registration's status, a pair): the caller reads again and decides.
// EINVALID for a withdrawal without ids, or From other than pending or confirmed.
func (s *Store) Withdraw(ctx context.Context, w pairup.Withdrawal, msgs []mail.Message) error {
	const op = "withdraw %s/%s/%s"
	fail := func(err error) error { return wrap(err, op, w.ProgrammeID, w.RoundID, w.RegistrationID) }
	switch {
	case !pairup.ValidID(w.ProgrammeID) || !pairup.ValidID(w.RoundID) || w.RegistrationID == "":
		return fail(pairup.Errorf(pairup.EINVALID, "A withdrawal needs a programme, round and registration."))
	case w.From != pairup.StatusPending && w.From != pairup.StatusConfirmed:
		return fail(pairup.Errorf(pairup.EINVALID, "Only a pending or confirmed registration can be withdrawn, not a %q one.", w.From))
	case w.From == pairup.StatusPending && w.Email == "":
		return fail(pairup.Errorf(pairup.EINVALID, "A pending registration's withdrawal needs its email, to release its claim."))
	case !w.Active && (len(w.Plan.Ended) > 0 || len(w.Plan.Made) > 0 || len(w.Plan.Outcomes) > 0):
		return fail(pairup.Errorf(pairup.EINVALID, "Only a withdrawal from an active round ends pairs."))
	}
	if n := 3 + len(w.Plan.Ended) + len(w.Plan.Made) + len(w.Plan.Outcomes) + len(msgs); n > maxTransactItems {
		return fail(pairup.Errorf(pairup.EINVALID, "A withdrawal may change at most %d items; this one changes %d.", maxTransactItems, n))
	}
	now := s.now()
	pk := roundPK(w.ProgrammeID, w.RoundID)
	var items []types.TransactWriteItem

	// The round.
	roundCond := expression.Name(attrState).Equal(expression.Value(pairup.RoundActive))
	if !w.Active {
		roundCond = expression.Name(attrState).In(expression.Value(pairup.RoundOpen), expression.Value(pairup.RoundMatching)).
			And(expression.AttributeNotExists(expression.Name(attrCommitOwner)))
	}
	rc, err := condition(exists().And(roundCond))
	if err != nil {
		return fail(err)
	}
	items = append(items, types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName: aws.String(s.table), Key: key(programmePK(w.ProgrammeID), roundSK(w.RoundID)),
		ConditionExpression: rc.Condition(), ExpressionAttributeNames: rc.Names(), ExpressionAttributeValues: rc.Values(),
	}})

	// The registration.
	regCond := expression.Name(attrStatus).Equal(expression.Value(w.From))
	if w.From == pairup.StatusPending {
		regCond = regCond.And(notExpired(now))
	}
	re, err := expression.NewBuilder().
		WithUpdate(expression.Set(expression.Name(attrStatus), expression.Value(pairup.StatusWithdrawn)).
			Set(expression.Name(attrWithdrawnAt), expression.Value(formatTime(w.At)))).
		WithCondition(exists().And(regCond)).Build()
	if err != nil {
		return fail(err)
	}
	items = append(items, types.TransactWriteItem{Update: &types.Update{
		TableName: aws.String(s.table), Key: key(pk, registrationSK(w.RegistrationID)),
		UpdateExpression: re.Update(), ConditionExpression: re.Condition(),
		ExpressionAttributeNames: re.Names(), ExpressionAttributeValues: re.Values(),
	}})
	if w.From == pairup.StatusPending {
		cc, err := condition(expression.Name(attrRegistrationID).Equal(expression.Value(w.RegistrationID)))
		if err != nil {
			return fail(err)
		}
		items = append(items, types.TransactWriteItem{Delete: &types.Delete{
			TableName: aws.String(s.table), Key: key(pk, emailSK(w.Email)),
			ConditionExpression: cc.Condition(), ExpressionAttributeNames: cc.Names(), ExpressionAttributeValues: cc.Values(),
		}})
	}

	// The pairs, outcomes and emails of a withdrawal after matching.
	atValue, err := marshalValue(w.At)
	if err != nil {
		return fail(err)
	}
	zero, err := marshalValue(time.Time{}) // a running pair's endedAt is stored as the zero time
	if err != nil {
		return fail(err)
	}
	running := exists().And(expression.Or(expression.AttributeNotExists(expression.Name(attrEndedAt)), expression.Name(attrEndedAt).Equal(expression.Value(zero))))
	for _, id := range w.Plan.Ended {
		pe, err := expression.NewBuilder().
			WithUpdate(expression.Set(expression.Name(attrEndedAt), expression.Value(atValue)).Set(expression.Name(attrEndReason), expression.Value(pairup.PairEndWithdrawn))).
			WithCondition(running).Build()
		if err != nil {
			return fail(err)
		}
		items = append(items, types.TransactWriteItem{Update: &types.Update{
			TableName: aws.String(s.table), Key: key(pk, pairSK(id)),
			UpdateExpression: pe.Update(), ConditionExpression: pe.Condition(),
			ExpressionAttributeNames: pe.Names(), ExpressionAttributeValues: pe.Values(),
		}})
	}
	absent, err := condition(expression.AttributeNotExists(expression.Name(attrPK)))
	if err != nil {
		return fail(err)
	}
	for _, p := range w.Plan.Made {
		item, err := marshal(pairItem{PK: pk, SK: pairSK(p.ID), ItemType: typePair, Pair: p})
		if err != nil {
			return fail(err)
		}
		items = append(items, types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(s.table), Item: item, ConditionExpression: absent.Condition(),
			ExpressionAttributeNames: absent.Names(), ExpressionAttributeValues: absent.Values(),
		}})
	}
	for _, o := range w.Plan.Outcomes {
		it := outcomeItem{PK: pk, SK: outcomeSK(o.RegistrationID), ItemType: typeOutcome, Outcome: o}
		if o.Kind == pairup.OutcomeDeferred {
			it.GSI1PK, it.GSI1SK = deferredPK(w.ProgrammeID), deferredSK(o.SignedUpAt, o.RegistrationID)
		}
		item, err := marshal(it)
		if err != nil {
			return fail(err)
		}
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.table), Item: item}})
	}
	for _, m := range msgs {
		put, err := s.outboxPut(m, now)
		if err != nil {
			return fail(err)
		}
		items = append(items, types.TransactWriteItem{Put: put})
	}

	for attempt := 0; ; attempt++ {
		_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		reasons, isCancel := cancelled(err)
		switch {
		case err == nil:
			return nil
		case isCancel && anyReason(reasons, reasonConditionFailed):
			return fail(pairup.Errorf(pairup.ECONFLICT, "The round or the registration changed while withdrawing; nothing was changed."))
		case isCancel && anyReason(reasons, reasonConflict) && attempt < conflictRetries:
			if err := backoff(ctx, attempt); err != nil {
				return fail(err)
			}
		default:
			return fail(err)
		}
	}
}

// Rejoin stores a deferred person's registration in a new round, confirmed, in one
// transaction: a condition that the round is open, the registration put IF absent (with the
// participant index keys, and no expiry) and its email claim put IF absent or expired. r must
// be complete: ids, a normalised email, status confirmed, a participant id. ECLOSED if the
// round is no longer open; ECONFLICT, nothing written, if the round already has the
// registration (a second click) or the address has signed up to the round (pairup.Error
// messages say which: ErrRejoinedBefore's, or ErrSignedUpBefore's); EINVALID for an incomplete
// registration.
func (s *Store) Rejoin(ctx context.Context, r *pairup.Registration) error {
	const op = "rejoin %s/%s/%s"
	if r == nil {
		return wrap(pairup.Errorf(pairup.EINVALID, "No registration."), "rejoin")
	}
	fail := func(err error) error { return wrap(err, op, r.ProgrammeID, r.RoundID, r.ID) }
	if e, msg := pairup.NormaliseEmail(r.Email); msg != "" || e != r.Email || !pairup.ValidID(r.ProgrammeID) || !pairup.ValidID(r.RoundID) ||
		r.ID == "" || r.ParticipantID == "" || r.Status != pairup.StatusConfirmed {
		return fail(pairup.Errorf(pairup.EINVALID, "A rejoining registration needs its ids, a normalised email, a participant and status confirmed."))
	}
	now := s.now()
	pk := roundPK(r.ProgrammeID, r.RoundID)
	rc, err := condition(exists().And(expression.Name(attrState).Equal(expression.Value(pairup.RoundOpen))))
	if err != nil {
		return fail(err)
	}
	reg, err := marshal(registrationItem{PK: pk, SK: registrationSK(r.ID), ItemType: typeRegistration,
		GSI1PK: participantPK(r.ParticipantID), GSI1SK: participantSK(r.ProgrammeID, r.RoundID), Registration: *r})
	if err != nil {
		return fail(err)
	}
	claim, err := marshal(emailClaimItem{PK: pk, SK: emailSK(r.Email), ItemType: typeEmailClaim, RegistrationID: r.ID})
	if err != nil {
		return fail(err)
	}
	absent, err := condition(expression.AttributeNotExists(expression.Name(attrPK)))
	if err != nil {
		return fail(err)
	}
	free, err := condition(absentOrExpired(now))
	if err != nil {
		return fail(err)
	}
	items := []types.TransactWriteItem{
		{ConditionCheck: &types.ConditionCheck{
			TableName: aws.String(s.table), Key: key(programmePK(r.ProgrammeID), roundSK(r.RoundID)),
			ConditionExpression: rc.Condition(), ExpressionAttributeNames: rc.Names(), ExpressionAttributeValues: rc.Values(),
		}},
		{Put: &types.Put{TableName: aws.String(s.table), Item: reg, ConditionExpression: absent.Condition(),
			ExpressionAttributeNames: absent.Names(), ExpressionAttributeValues: absent.Values()}},
		{Put: &types.Put{TableName: aws.String(s.table), Item: claim, ConditionExpression: free.Condition(),
			ExpressionAttributeNames: free.Names(), ExpressionAttributeValues: free.Values()}},
	}
	for attempt := 0; ; attempt++ {
		_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		reasons, isCancel := cancelled(err)
		switch {
		case err == nil:
			return nil
		case isCancel && reasonCode(reasons, 0) == reasonConditionFailed:
			return fail(pairup.Errorf(pairup.ECLOSED, "Signup for this round has closed, so the place can no longer be taken."))
		case isCancel && reasonCode(reasons, 1) == reasonConditionFailed:
			return fail(ErrRejoinedBefore)
		case isCancel && reasonCode(reasons, 2) == reasonConditionFailed:
			return fail(ErrSignedUpBefore)
		case isCancel && anyReason(reasons, reasonConflict) && attempt < conflictRetries:
			if err := backoff(ctx, attempt); err != nil {
				return fail(err)
			}
		default:
			return fail(err)
		}
	}
}

// Rejoin's refusals (ECONFLICT): the place was taken before (a second click), or the address
// has a registration of its own in the round.
var (
	ErrRejoinedBefore = pairup.Errorf(pairup.ECONFLICT, "You have already taken your place in this round: nothing more to do. We will email you when the matching is done.")
	ErrSignedUpBefore = pairup.Errorf(pairup.ECONFLICT, "This email address has already signed up to this round, so nothing was changed. If that signup is not confirmed yet, use the link in its confirmation email.")
)
