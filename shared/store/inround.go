package store

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
)

// The round in progress: check-in answers, survey responses and re-pairs.

const (
	prefixCheckIn = "CHECKIN#"
	prefixSurvey  = "SURVEY#"
	typeCheckIn   = "checkin"
	typeSurvey    = "survey"

	attrEndedAt     = "endedAt"
	attrEndReason   = "endReason"
	attrAnswers     = "answers"
	attrSubmittedAt = "submittedAt"
	attrFirstAt     = "firstAt"
	attrSubmissions = "submissions"

	// maxTransactItems is TransactWriteItems' limit.
	maxTransactItems = 100
)

func checkInSK(pairID, registrationID string) string {
	return prefixCheckIn + pairID + "#" + registrationID
}

func surveySK(kind pairup.SurveyKind, registrationID string) string {
	return prefixSurvey + string(kind) + "#" + registrationID
}

type checkInItem struct {
	PK       string `json:"PK"`
	SK       string `json:"SK"`
	ItemType string `json:"itemType"`
	pairup.CheckIn
}

type surveyItem struct {
	PK       string `json:"PK"`
	SK       string `json:"SK"`
	ItemType string `json:"itemType"`
	pairup.SurveyResponse
}

// RecordCheckIn records a member's check-in answer, once: a transaction of the conditional put
// of the answer and of the messages it causes (the coordinators' alert after a "no"), so the
// alert goes if and only if the answer is recorded. A second answer for the same member and
// pair is ECONFLICT, and the answer recorded first is returned with it.
func (s *Store) RecordCheckIn(ctx context.Context, c pairup.CheckIn, msgs []mail.Message) (*pairup.CheckIn, error) {
	const op = "record check-in %s/%s %s"
	item, err := marshal(checkInItem{PK: roundPK(c.ProgrammeID, c.RoundID), SK: checkInSK(c.PairID, c.RegistrationID), ItemType: typeCheckIn, CheckIn: c})
	if err != nil {
		return nil, wrap(err, op, c.ProgrammeID, c.RoundID, c.RegistrationID)
	}
	cond, err := condition(expression.AttributeNotExists(expression.Name(attrPK)))
	if err != nil {
		return nil, wrap(err, op, c.ProgrammeID, c.RoundID, c.RegistrationID)
	}
	items := []types.TransactWriteItem{{Put: &types.Put{
		TableName: aws.String(s.table), Item: item, ConditionExpression: cond.Condition(),
		ExpressionAttributeNames: cond.Names(), ExpressionAttributeValues: cond.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}}
	now := s.now()
	for _, m := range msgs {
		put, err := s.outboxPut(m, now)
		if err != nil {
			return nil, wrap(err, op, c.ProgrammeID, c.RoundID, c.RegistrationID)
		}
		items = append(items, types.TransactWriteItem{Put: put})
	}
	for attempt := 0; ; attempt++ {
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		reasons, isCancel := cancelled(err)
		switch {
		case err == nil:
			return &c, nil
		case !isCancel:
			return nil, wrap(err, op, c.ProgrammeID, c.RoundID, c.RegistrationID)
		case reasonCode(reasons, 0) == reasonConditionFailed:
			var prev checkInItem
			if len(reasons[0].Item) > 0 {
				err = unmarshal(reasons[0].Item, &prev)
			} else {
				_, err = s.get(ctx, roundPK(c.ProgrammeID, c.RoundID), checkInSK(c.PairID, c.RegistrationID), &prev)
			}
			if err != nil {
				return nil, wrap(err, op, c.ProgrammeID, c.RoundID, c.RegistrationID)
			}
			return &prev.CheckIn, wrap(pairup.Errorf(pairup.ECONFLICT, "You already answered this check-in."), op, c.ProgrammeID, c.RoundID, c.RegistrationID)
		case anyReason(reasons, reasonConditionFailed):
			// A message of this answer is queued already (a retry after a lost reply): record the
			// answer without it.
			kept := items[:1]
			for i := 1; i < len(items); i++ {
				if reasonCode(reasons, i) != reasonConditionFailed {
					kept = append(kept, items[i])
				}
			}
			items = kept
		case anyReason(reasons, reasonConflict) && attempt < conflictRetries:
			if err := backoff(ctx, attempt); err != nil {
				return nil, wrap(err, op, c.ProgrammeID, c.RoundID, c.RegistrationID)
			}
		default:
			return nil, wrap(err, op, c.ProgrammeID, c.RoundID, c.RegistrationID)
		}
	}
}

// ListCheckIns returns a round's check-in answers, ordered by pair, then registration.
func (s *Store) ListCheckIns(ctx context.Context, programmeID, roundID string) ([]pairup.CheckIn, error) {
	const op = "list check-ins %s/%s"
	items, err := s.roundQuery(ctx, programmeID, roundID, prefixCheckIn)
	if err != nil {
		return nil, wrap(err, op, programmeID, roundID)
	}
	out := make([]pairup.CheckIn, len(items))
	for i, m := range items {
		var it checkInItem
		if err := unmarshal(m, &it); err != nil {
			return nil, wrap(err, op, programmeID, roundID)
		}
		out[i] = it.CheckIn
	}
	return out, nil
}

// SaveSurveyResponse stores a participant's answers to a survey: the first submission creates
// the response, a later one replaces its answers (one UpdateItem: answers and submittedAt set,
// firstAt kept, submissions counted). Whether the survey still takes answers is the caller's
// decision, made with its clock. It returns the response as stored.
func (s *Store) SaveSurveyResponse(ctx context.Context, r pairup.SurveyResponse) (*pairup.SurveyResponse, error) {
	const op = "save survey response %s/%s %s %s"
	answers, err := marshalValue(r.Answers)
	if err != nil {
		return nil, wrap(err, op, r.ProgrammeID, r.RoundID, r.Kind, r.RegistrationID)
	}
	at, err := marshalValue(r.SubmittedAt)
	if err != nil {
		return nil, wrap(err, op, r.ProgrammeID, r.RoundID, r.Kind, r.RegistrationID)
	}
	upd := expression.Set(expression.Name(attrAnswers), expression.Value(answers)).
		Set(expression.Name(attrSubmittedAt), expression.Value(at)).
		Set(expression.Name(attrFirstAt), expression.IfNotExists(expression.Name(attrFirstAt), expression.Value(at))).
		Set(expression.Name("programmeId"), expression.Value(r.ProgrammeID)).
		Set(expression.Name("roundId"), expression.Value(r.RoundID)).
		Set(expression.Name("kind"), expression.Value(string(r.Kind))).
		Set(expression.Name("registrationId"), expression.Value(r.RegistrationID)).
		Set(expression.Name(attrItemType), expression.Value(typeSurvey)).
		Add(expression.Name(attrSubmissions), expression.Value(1))
	if r.ParticipantID != "" {
		upd = upd.Set(expression.Name("participantId"), expression.Value(r.ParticipantID))
	}
	if r.Role != "" {
		upd = upd.Set(expression.Name("role"), expression.Value(string(r.Role)))
	}
	expr, err := expression.NewBuilder().WithUpdate(upd).Build()
	if err != nil {
		return nil, wrap(err, op, r.ProgrammeID, r.RoundID, r.Kind, r.RegistrationID)
	}
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table), Key: key(roundPK(r.ProgrammeID, r.RoundID), surveySK(r.Kind, r.RegistrationID)),
		UpdateExpression: expr.Update(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ReturnValues: types.ReturnValueAllNew,
	}, retryConflicts)
	if err != nil {
		return nil, wrap(err, op, r.ProgrammeID, r.RoundID, r.Kind, r.RegistrationID)
	}
	var it surveyItem
	if err := unmarshal(out.Attributes, &it); err != nil {
		return nil, wrap(err, op, r.ProgrammeID, r.RoundID, r.Kind, r.RegistrationID)
	}
	return &it.SurveyResponse, nil
}

// GetSurveyResponse returns a participant's response to a survey. ENOTFOUND if they have not
// answered.
func (s *Store) GetSurveyResponse(ctx context.Context, programmeID, roundID string, kind pairup.SurveyKind, registrationID string) (*pairup.SurveyResponse, error) {
	const op = "get survey response %s/%s %s %s"
	var it surveyItem
	found, err := s.get(ctx, roundPK(programmeID, roundID), surveySK(kind, registrationID), &it)
	if err != nil {
		return nil, wrap(err, op, programmeID, roundID, kind, registrationID)
	}
	if !found {
		return nil, wrap(notFound("No response."), op, programmeID, roundID, kind, registrationID)
	}
	return &it.SurveyResponse, nil
}

// ListSurveyResponses returns a round's responses to a survey kind ("" for every kind), ordered
// by kind, then registration id.
func (s *Store) ListSurveyResponses(ctx context.Context, programmeID, roundID string, kind pairup.SurveyKind) ([]pairup.SurveyResponse, error) {
	const op = "list survey responses %s/%s %s"
	prefix := prefixSurvey
	if kind != "" {
		prefix = surveySK(kind, "")
	}
	items, err := s.roundQuery(ctx, programmeID, roundID, prefix)
	if err != nil {
		return nil, wrap(err, op, programmeID, roundID, kind)
	}
	out := make([]pairup.SurveyResponse, len(items))
	for i, m := range items {
		var it surveyItem
		if err := unmarshal(m, &it); err != nil {
			return nil, wrap(err, op, programmeID, roundID, kind)
		}
		out[i] = it.SurveyResponse
	}
	slices.SortFunc(out, func(a, b pairup.SurveyResponse) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.RegistrationID, b.RegistrationID))
	})
	return out, nil
}

// Repair applies a re-pair in one transaction: each ended pair gets endedAt and endReason IF it
// exists and has not ended (endedAt absent or the zero time) (else the whole re-pair is ECONFLICT: it was applied before, or the
// pair changed), each new pair is put IF absent, each outcome is put (replacing the old), and the
// introductions are queued IF absent. At most 100 items in all (EINVALID beyond).
func (s *Store) Repair(ctx context.Context, programmeID, roundID string, ended []string, reason string, at time.Time, made []pairup.Pair, outcomes []pairup.Outcome, msgs []mail.Message) error {
	const op = "re-pair in %s/%s"
	if n := len(ended) + len(made) + len(outcomes) + len(msgs); n > maxTransactItems {
		return wrap(pairup.Errorf(pairup.EINVALID, "A re-pair may change at most %d items; this one changes %d. Re-pair fewer people at once.", maxTransactItems, n), op, programmeID, roundID)
	}
	pk := roundPK(programmeID, roundID)
	atValue, err := marshalValue(at)
	if err != nil {
		return wrap(err, op, programmeID, roundID)
	}
	// A pair's zero endedAt is stored like any other time (the encoder has no omitzero).
	zero, err := marshalValue(time.Time{})
	if err != nil {
		return wrap(err, op, programmeID, roundID)
	}
	running := exists().And(expression.Or(expression.AttributeNotExists(expression.Name(attrEndedAt)), expression.Name(attrEndedAt).Equal(expression.Value(zero))))
	var items []types.TransactWriteItem
	for _, id := range ended {
		expr, err := expression.NewBuilder().
			WithUpdate(expression.Set(expression.Name(attrEndedAt), expression.Value(atValue)).Set(expression.Name(attrEndReason), expression.Value(reason))).
			WithCondition(running).Build()
		if err != nil {
			return wrap(err, op, programmeID, roundID)
		}
		items = append(items, types.TransactWriteItem{Update: &types.Update{
			TableName: aws.String(s.table), Key: key(pk, pairSK(id)),
			UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		}})
	}
	absent, err := condition(expression.AttributeNotExists(expression.Name(attrPK)))
	if err != nil {
		return wrap(err, op, programmeID, roundID)
	}
	for _, p := range made {
		item, err := marshal(pairItem{PK: pk, SK: pairSK(p.ID), ItemType: typePair, Pair: p})
		if err != nil {
			return wrap(err, op, programmeID, roundID)
		}
		items = append(items, types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(s.table), Item: item, ConditionExpression: absent.Condition(),
			ExpressionAttributeNames: absent.Names(), ExpressionAttributeValues: absent.Values(),
		}})
	}
	for _, o := range outcomes {
		it := outcomeItem{PK: pk, SK: outcomeSK(o.RegistrationID), ItemType: typeOutcome, Outcome: o}
		if o.Kind == pairup.OutcomeDeferred {
			it.GSI1PK, it.GSI1SK = deferredPK(programmeID), deferredSK(o.SignedUpAt, o.RegistrationID)
		}
		item, err := marshal(it)
		if err != nil {
			return wrap(err, op, programmeID, roundID)
		}
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.table), Item: item}})
	}
	now := s.now()
	for _, m := range msgs {
		put, err := s.outboxPut(m, now)
		if err != nil {
			return wrap(err, op, programmeID, roundID)
		}
		items = append(items, types.TransactWriteItem{Put: put})
	}
	for attempt := 0; ; attempt++ {
		_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		reasons, isCancel := cancelled(err)
		switch {
		case err == nil:
			return nil
		case isCancel && anyReason(reasons[:min(len(reasons), len(ended)+len(made))], reasonConditionFailed):
			return wrap(pairup.Errorf(pairup.ECONFLICT, "This re-pair was made before, or the pairs have changed since: list the round's pairs and try again."), op, programmeID, roundID)
		case isCancel && anyReason(reasons, reasonConflict) && attempt < conflictRetries:
			if err := backoff(ctx, attempt); err != nil {
				return wrap(err, op, programmeID, roundID)
			}
		default:
			return wrap(err, op, programmeID, roundID)
		}
	}
}

// GetPair returns one pair of a round. ENOTFOUND if absent.
func (s *Store) GetPair(ctx context.Context, programmeID, roundID, pairID string) (*pairup.Pair, error) {
	const op = "get pair %s/%s %s"
	var it pairItem
	found, err := s.get(ctx, roundPK(programmeID, roundID), pairSK(pairID), &it)
	if err != nil {
		return nil, wrap(err, op, programmeID, roundID, pairID)
	}
	if !found {
		return nil, wrap(notFound("No such pair."), op, programmeID, roundID, pairID)
	}
	return &it.Pair, nil
}

// GetCheckIn returns a member's check-in answer. ENOTFOUND if they have not answered.
func (s *Store) GetCheckIn(ctx context.Context, programmeID, roundID, pairID, registrationID string) (*pairup.CheckIn, error) {
	const op = "get check-in %s/%s %s"
	var it checkInItem
	found, err := s.get(ctx, roundPK(programmeID, roundID), checkInSK(pairID, registrationID), &it)
	if err != nil {
		return nil, wrap(err, op, programmeID, roundID, registrationID)
	}
	if !found {
		return nil, wrap(notFound("No answer."), op, programmeID, roundID, registrationID)
	}
	return &it.CheckIn, nil
}
