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

	"github.com/pairup/pairup/shared/pairup"
)

const (
	prefixProgramme = "PROG#"
	skProgramme     = "PROG"
	gsi1Programmes  = "PROGS"
	prefixRound     = "ROUND#"
)

type programmeItem struct {
	PK       string `json:"PK"`
	SK       string `json:"SK"`
	GSI1PK   string `json:"GSI1PK"`
	GSI1SK   string `json:"GSI1SK"`
	ItemType string `json:"itemType"`
	pairup.Programme
}

type roundItem struct {
	PK       string `json:"PK"`
	SK       string `json:"SK"`
	ItemType string `json:"itemType"`
	pairup.Round
	// CommittedBy is the owner of the commit lease that made the round active (FinishCommit), so
	// that a retry of FinishCommit by the same run is recognised. Store-only: not in pairup.Round.
	CommittedBy string `json:"committedBy,omitempty"`
}

func programmePK(id string) string           { return prefixProgramme + id }
func roundSK(roundID string) string          { return prefixRound + roundID }
func programmeKey(id string) (pk, sk string) { return programmePK(id), skProgramme }

// PutProgramme creates or replaces a programme's configuration. EINVALID if it does not
// validate.
func (s *Store) PutProgramme(ctx context.Context, p *pairup.Programme) error {
	if err := p.Validate(); err != nil {
		return wrap(err, "put programme %s", p.ID)
	}
	pk, sk := programmeKey(p.ID)
	item, err := marshal(programmeItem{PK: pk, SK: sk, GSI1PK: gsi1Programmes, GSI1SK: p.ID, ItemType: typeProgramme, Programme: *p})
	if err != nil {
		return wrap(err, "put programme %s", p.ID)
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}, retryConflicts); err != nil {
		return wrap(err, "put programme %s", p.ID)
	}
	return nil
}

// GetProgramme returns a programme. ENOTFOUND if there is none with that id.
func (s *Store) GetProgramme(ctx context.Context, id string) (*pairup.Programme, error) {
	var it programmeItem
	pk, sk := programmeKey(id)
	found, err := s.get(ctx, pk, sk, &it)
	switch {
	case err != nil:
		return nil, wrap(err, "get programme %s", id)
	case !found:
		return nil, wrap(notFound("There is no programme %q.", id), "get programme %s", id)
	}
	return &it.Programme, nil
}

// ListProgrammes returns every programme, ordered by id. It queries GSI1 (GSI1PK = PROGS), so a
// programme put a moment ago may be missing from the list (index reads are eventually
// consistent).
func (s *Store) ListProgrammes(ctx context.Context) ([]pairup.Programme, error) {
	in, err := s.queryInput(indexGSI1, expression.Key(attrGSI1PK).Equal(expression.Value(gsi1Programmes)), nil)
	if err != nil {
		return nil, wrap(err, "list programmes")
	}
	items, err := s.query(ctx, in)
	if err != nil {
		return nil, wrap(err, "list programmes")
	}
	ps := make([]pairup.Programme, 0, len(items))
	for _, m := range items {
		var it programmeItem
		if err := unmarshal(m, &it); err != nil {
			return nil, wrap(err, "list programmes")
		}
		ps = append(ps, it.Programme)
	}
	slices.SortFunc(ps, func(a, b pairup.Programme) int { return cmp.Compare(a.ID, b.ID) })
	return ps, nil
}

// CreateRound stores a new round. EINVALID if it does not validate; ECONFLICT if the programme
// already has a round with that id; ENOTFOUND if the programme does not exist. One transaction:
// a condition check that the programme exists and a put of the round if absent.
func (s *Store) CreateRound(ctx context.Context, r *pairup.Round) error {
	if err := r.Validate(); err != nil {
		return wrap(err, "create round %s/%s", r.ProgrammeID, r.ID)
	}
	item, err := marshal(roundItem{PK: programmePK(r.ProgrammeID), SK: roundSK(r.ID), ItemType: typeRound, Round: *r})
	if err != nil {
		return wrap(err, "create round %s/%s", r.ProgrammeID, r.ID)
	}
	progExists, err := condition(exists())
	if err != nil {
		return wrap(err, "create round %s/%s", r.ProgrammeID, r.ID)
	}
	absent, err := condition(expression.AttributeNotExists(expression.Name(attrPK)))
	if err != nil {
		return wrap(err, "create round %s/%s", r.ProgrammeID, r.ID)
	}
	pk, sk := programmeKey(r.ProgrammeID)
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{ConditionCheck: &types.ConditionCheck{
			TableName:                 aws.String(s.table),
			Key:                       key(pk, sk),
			ConditionExpression:       progExists.Condition(),
			ExpressionAttributeNames:  progExists.Names(),
			ExpressionAttributeValues: progExists.Values(),
		}},
		{Put: &types.Put{
			TableName:                 aws.String(s.table),
			Item:                      item,
			ConditionExpression:       absent.Condition(),
			ExpressionAttributeNames:  absent.Names(),
			ExpressionAttributeValues: absent.Values(),
		}},
	}})
	if reasons, ok := cancelled(err); ok {
		switch {
		case reasonCode(reasons, 0) == reasonConditionFailed:
			err = notFound("There is no programme %q.", r.ProgrammeID)
		case reasonCode(reasons, 1) == reasonConditionFailed:
			err = pairup.Errorf(pairup.ECONFLICT, "Programme %q already has a round %q.", r.ProgrammeID, r.ID)
		}
	}
	if err != nil {
		return wrap(err, "create round %s/%s", r.ProgrammeID, r.ID)
	}
	return nil
}

// GetRound returns one round. ENOTFOUND if absent.
func (s *Store) GetRound(ctx context.Context, programmeID, roundID string) (*pairup.Round, error) {
	var it roundItem
	found, err := s.get(ctx, programmePK(programmeID), roundSK(roundID), &it)
	switch {
	case err != nil:
		return nil, wrap(err, "get round %s/%s", programmeID, roundID)
	case !found:
		return nil, wrap(notFound("There is no round %q in programme %q.", roundID, programmeID), "get round %s/%s", programmeID, roundID)
	}
	return &it.Round, nil
}

// ListRounds returns a programme's rounds ordered by SignupOpens, then id: a query of the
// programme's partition for sort keys beginning ROUND#. An unknown programme has no rounds.
func (s *Store) ListRounds(ctx context.Context, programmeID string) ([]pairup.Round, error) {
	kc := expression.Key(attrPK).Equal(expression.Value(programmePK(programmeID))).
		And(expression.Key(attrSK).BeginsWith(prefixRound))
	in, err := s.queryInput("", kc, nil)
	if err != nil {
		return nil, wrap(err, "list rounds %s", programmeID)
	}
	in.ConsistentRead = aws.Bool(true)
	items, err := s.query(ctx, in)
	if err != nil {
		return nil, wrap(err, "list rounds %s", programmeID)
	}
	rs := make([]pairup.Round, 0, len(items))
	for _, m := range items {
		var it roundItem
		if err := unmarshal(m, &it); err != nil {
			return nil, wrap(err, "list rounds %s", programmeID)
		}
		rs = append(rs, it.Round)
	}
	slices.SortFunc(rs, func(a, b pairup.Round) int {
		return cmp.Or(a.SignupOpens.Compare(b.SignupOpens), cmp.Compare(a.ID, b.ID))
	})
	return rs, nil
}

// TransitionRound moves a round from one state to the next, as one conditional write on the
// current state, and returns the updated round. The move open → matching also sets
// MatchingSince to at, in the same write. ECONFLICT if the move is not allowed
// (pairup.CanTransition) or the round is no longer in state from; EINVALID for an unknown
// state; ENOTFOUND if absent.
func (s *Store) TransitionRound(ctx context.Context, programmeID, roundID string, from, to pairup.RoundState, at time.Time) (*pairup.Round, error) {
	op := "transition round %s/%s %s→%s"
	if err := pairup.CanTransition(from, to); err != nil {
		return nil, wrap(err, op, programmeID, roundID, from, to)
	}
	update := expression.Set(expression.Name(attrState), expression.Value(to)).
		Set(expression.Name(attrUpdatedAt), expression.Value(formatTime(at)))
	if to == pairup.RoundMatching {
		// Signup has closed: registrations confirmed from now on are not in the matching.
		update = update.Set(expression.Name(attrMatchingSince), expression.Value(formatTime(at)))
	}
	cond := exists().And(expression.Name(attrState).Equal(expression.Value(from)))
	expr, err := expression.NewBuilder().WithUpdate(update).WithCondition(cond).Build()
	if err != nil {
		return nil, wrap(err, op, programmeID, roundID, from, to)
	}
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                           aws.String(s.table),
		Key:                                 key(programmePK(programmeID), roundSK(roundID)),
		UpdateExpression:                    expr.Update(),
		ConditionExpression:                 expr.Condition(),
		ExpressionAttributeNames:            expr.Names(),
		ExpressionAttributeValues:           expr.Values(),
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}, retryConflicts)
	if old, ok := conditionFailed(err); ok {
		if old == nil {
			// The item is absent, or this DynamoDB did not return it: read to tell which.
			var it roundItem
			found, gerr := s.get(ctx, programmePK(programmeID), roundSK(roundID), &it)
			if gerr != nil {
				return nil, wrap(gerr, op, programmeID, roundID, from, to)
			}
			if found {
				return nil, wrap(pairup.Errorf(pairup.ECONFLICT, "The round is in state %q, not %q.", it.State, from), op, programmeID, roundID, from, to)
			}
			return nil, wrap(notFound("There is no round %q in programme %q.", roundID, programmeID), op, programmeID, roundID, from, to)
		}
		var it roundItem
		if uerr := unmarshal(old, &it); uerr != nil {
			return nil, wrap(uerr, op, programmeID, roundID, from, to)
		}
		return nil, wrap(pairup.Errorf(pairup.ECONFLICT, "The round is in state %q, not %q.", it.State, from), op, programmeID, roundID, from, to)
	}
	if err != nil {
		return nil, wrap(err, op, programmeID, roundID, from, to)
	}
	var it roundItem
	if err := unmarshal(out.Attributes, &it); err != nil {
		return nil, wrap(err, op, programmeID, roundID, from, to)
	}
	return &it.Round, nil
}
