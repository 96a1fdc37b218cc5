package store

import (
	"cmp"
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pairup/pairup/shared/pairup"
)

// The round's close: each pair member's choice to continue or conclude, and the round's
// statistics frozen as it moves closing → closed.

const (
	prefixContinue = "CONTINUE#"
	typeContinue   = "continue"
	attrStats      = "stats"
)

func continueSK(pairID, registrationID string) string {
	return prefixContinue + pairID + "#" + registrationID
}

type continueItem struct {
	PK       string `json:"PK"`
	SK       string `json:"SK"`
	ItemType string `json:"itemType"`
	pairup.ContinueAnswer
}

// RecordContinue records a pair member's choice to continue or conclude, once: a put on
// condition that the member has not answered for that pair. A second answer is ECONFLICT, and
// the answer recorded first is returned with it. EINVALID for an unknown choice or missing ids.
// Whether the round still takes answers is the caller's decision.
func (s *Store) RecordContinue(ctx context.Context, a pairup.ContinueAnswer) (*pairup.ContinueAnswer, error) {
	const op = "record continue %s/%s %s %s"
	if !pairup.ValidContinueChoice(a.Choice) || a.PairID == "" || a.RegistrationID == "" {
		return nil, wrap(pairup.Errorf(pairup.EINVALID, "A continue answer needs a pair, a registration and a choice (continue or conclude)."), op, a.ProgrammeID, a.RoundID, a.PairID, a.RegistrationID)
	}
	pk, sk := roundPK(a.ProgrammeID, a.RoundID), continueSK(a.PairID, a.RegistrationID)
	item, err := marshal(continueItem{PK: pk, SK: sk, ItemType: typeContinue, ContinueAnswer: a})
	if err != nil {
		return nil, wrap(err, op, a.ProgrammeID, a.RoundID, a.PairID, a.RegistrationID)
	}
	cond, err := condition(expression.AttributeNotExists(expression.Name(attrPK)))
	if err != nil {
		return nil, wrap(err, op, a.ProgrammeID, a.RoundID, a.PairID, a.RegistrationID)
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table), Item: item, ConditionExpression: cond.Condition(),
		ExpressionAttributeNames: cond.Names(), ExpressionAttributeValues: cond.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}, retryConflicts)
	if old, ok := conditionFailed(err); ok {
		var prev continueItem
		if len(old) > 0 {
			err = unmarshal(old, &prev)
		} else {
			_, err = s.get(ctx, pk, sk, &prev)
		}
		if err != nil {
			return nil, wrap(err, op, a.ProgrammeID, a.RoundID, a.PairID, a.RegistrationID)
		}
		return &prev.ContinueAnswer, wrap(pairup.Errorf(pairup.ECONFLICT, "You already chose to %s.", prev.Choice), op, a.ProgrammeID, a.RoundID, a.PairID, a.RegistrationID)
	}
	if err != nil {
		return nil, wrap(err, op, a.ProgrammeID, a.RoundID, a.PairID, a.RegistrationID)
	}
	return &a, nil
}

// GetContinue returns a member's continue answer for a pair. ENOTFOUND if they have not
// answered.
func (s *Store) GetContinue(ctx context.Context, programmeID, roundID, pairID, registrationID string) (*pairup.ContinueAnswer, error) {
	const op = "get continue %s/%s %s %s"
	var it continueItem
	found, err := s.get(ctx, roundPK(programmeID, roundID), continueSK(pairID, registrationID), &it)
	if err != nil {
		return nil, wrap(err, op, programmeID, roundID, pairID, registrationID)
	}
	if !found {
		return nil, wrap(notFound("No answer."), op, programmeID, roundID, pairID, registrationID)
	}
	return &it.ContinueAnswer, nil
}

// ListContinues returns a round's continue answers, ordered by pair, then registration.
func (s *Store) ListContinues(ctx context.Context, programmeID, roundID string) ([]pairup.ContinueAnswer, error) {
	const op = "list continues %s/%s"
	items, err := s.roundQuery(ctx, programmeID, roundID, prefixContinue)
	if err != nil {
		return nil, wrap(err, op, programmeID, roundID)
	}
	out := make([]pairup.ContinueAnswer, len(items))
	for i, m := range items {
		var it continueItem
		if err := unmarshal(m, &it); err != nil {
			return nil, wrap(err, op, programmeID, roundID)
		}
		out[i] = it.ContinueAnswer
	}
	slices.SortFunc(out, func(a, b pairup.ContinueAnswer) int {
		return cmp.Or(cmp.Compare(a.PairID, b.PairID), cmp.Compare(a.RegistrationID, b.RegistrationID))
	})
	return out, nil
}

// FinishRound closes a round: one update SET state = closed, stats, updatedAt (both the stats'
// ClosedAt) on condition that the round is closing, and returns the closed round. A round
// already closed is ECONFLICT, returned with the round (its stats frozen before, unchanged);
// another state is ECONFLICT naming it; ENOTFOUND if absent.
func (s *Store) FinishRound(ctx context.Context, programmeID, roundID string, stats pairup.RoundStats) (*pairup.Round, error) {
	const op = "finish round %s/%s"
	if stats.ClosedAt.IsZero() {
		stats.ClosedAt = s.now()
	}
	av, err := marshalValue(stats)
	if err != nil {
		return nil, wrap(err, op, programmeID, roundID)
	}
	update := expression.Set(expression.Name(attrState), expression.Value(pairup.RoundClosed)).
		Set(expression.Name(attrStats), expression.Value(av)).
		Set(expression.Name(attrUpdatedAt), expression.Value(formatTime(stats.ClosedAt)))
	cond := exists().And(expression.Name(attrState).Equal(expression.Value(pairup.RoundClosing)))
	it, failed, err := s.updateRound(ctx, programmeID, roundID, update, cond)
	switch {
	case err != nil:
		return nil, wrap(err, op, programmeID, roundID)
	case failed && it == nil:
		return nil, wrap(noRound(programmeID, roundID), op, programmeID, roundID)
	case failed && it.State == pairup.RoundClosed:
		return &it.Round, wrap(pairup.Errorf(pairup.ECONFLICT, "The round is already closed: its statistics were frozen on %s.", fmtTime(it.UpdatedAt)), op, programmeID, roundID)
	case failed:
		return nil, wrap(pairup.Errorf(pairup.ECONFLICT, "The round is in state %q, not %q: only a closing round can be closed.", it.State, pairup.RoundClosing), op, programmeID, roundID)
	}
	return &it.Round, nil
}
