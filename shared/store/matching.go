package store

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"golang.org/x/sync/errgroup"

	"github.com/pairup/pairup/shared/pairup"
)

const (
	prefixPair     = "PAIR#"
	prefixOutcome  = "OUTCOME#"
	prefixDeferred = "DEFERRED#"
	typePair       = "pair"
	typeOutcome    = "outcome"

	// batchSize is BatchWriteItem's limit of items per request.
	batchSize = 25
	// batchWorkers bounds the BatchWriteItem requests of one WritePlan in flight at once.
	batchWorkers = 4
	// batchAttempts bounds how often one batch is sent while DynamoDB leaves items unprocessed.
	batchAttempts = 12
	// partnerWorkers bounds the rounds PreviousPartners queries at once.
	partnerWorkers = 4
)

// Round and pair attribute names used in expressions.
const (
	attrPins          = "pins"
	attrForbids       = "forbids"
	attrMatchingSince = "matchingSince"
	attrCommitOwner   = "commitOwner"
	attrCommitUntil   = "commitUntil"
	attrMatching      = "matching"
	attrCommittedBy   = "committedBy"
	attrMembers       = "members"
)

type pairItem struct {
	PK       string `json:"PK"`
	SK       string `json:"SK"`
	ItemType string `json:"itemType"`
	pairup.Pair
}

type outcomeItem struct {
	PK       string `json:"PK"`
	SK       string `json:"SK"`
	GSI1PK   string `json:"GSI1PK,omitempty"`
	GSI1SK   string `json:"GSI1SK,omitempty"`
	ItemType string `json:"itemType"`
	pairup.Outcome
}

func pairSK(id string) string                { return prefixPair + id }
func outcomeSK(registrationID string) string { return prefixOutcome + registrationID }
func deferredPK(programmeID string) string   { return prefixDeferred + programmeID }
func deferredSK(signedUpAt time.Time, registrationID string) string {
	return formatTime(signedUpAt) + "#" + registrationID
}

// marshalValue encodes one value as marshal does (json tags, fixed-width times), for expression
// values: the expression builder's own encoder would use Go field names and RFC3339 times.
func marshalValue(v any) (types.AttributeValue, error) {
	return attributevalue.MarshalWithOptions(v, func(o *attributevalue.EncoderOptions) {
		o.TagKey = "json"
		o.EncodeTime = encodeTime
	})
}

func fmtTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// updateRound applies one conditional update to a round item and returns the new round. On a
// failed condition it returns failed true and the round as it was (nil if there is none).
func (s *Store) updateRound(ctx context.Context, programmeID, roundID string, update expression.UpdateBuilder, cond expression.ConditionBuilder) (round *roundItem, failed bool, err error) {
	expr, err := expression.NewBuilder().WithUpdate(update).WithCondition(cond).Build()
	if err != nil {
		return nil, false, err
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
		ReturnConsumedCapacity:              types.ReturnConsumedCapacityTotal,
	}, retryConflicts)
	if old, ok := conditionFailed(err); ok {
		var it roundItem
		if old == nil {
			// The item is absent, or this DynamoDB did not return it: read to tell which.
			found, gerr := s.get(ctx, programmePK(programmeID), roundSK(roundID), &it)
			if gerr != nil || !found {
				return nil, true, gerr
			}
			return &it, true, nil
		}
		if err := unmarshal(old, &it); err != nil {
			return nil, true, err
		}
		return &it, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	var it roundItem
	if err := unmarshal(out.Attributes, &it); err != nil {
		return nil, false, err
	}
	return &it, false, nil
}

func noRound(programmeID, roundID string) error {
	return notFound("There is no round %q in programme %q.", roundID, programmeID)
}

// notMatching is the ECONFLICT for a commit step on a round that is not in matching.
func notMatching(r *pairup.Round) error {
	if r.State == pairup.RoundActive {
		at := r.UpdatedAt
		if r.Matching != nil && !r.Matching.CommittedAt.IsZero() {
			at = r.Matching.CommittedAt
		}
		return pairup.Errorf(pairup.ECONFLICT, "The round is already active: committed at %s.", fmtTime(at))
	}
	return pairup.Errorf(pairup.ECONFLICT, "The round is %s, not matching: only a round in matching can be committed.", r.State)
}

// SetRoundPairing replaces a round's pins and forbids (registration ids; an empty list removes
// them) and returns the updated round: one update on condition that the round is open or
// matching and no commit has begun (no commit lease), so a commit always sees the pins and
// forbids it started with. The caller checks the people named. ENOTFOUND if the round is
// absent; ECONFLICT if a commit has begun or the round is in another state.
func (s *Store) SetRoundPairing(ctx context.Context, programmeID, roundID string, pins, forbids []pairup.PairRef) (*pairup.Round, error) {
	const op = "set round pairing %s/%s"
	update := expression.UpdateBuilder{}
	for _, f := range []struct {
		name string
		refs []pairup.PairRef
	}{{attrPins, pins}, {attrForbids, forbids}} {
		if len(f.refs) == 0 {
			update = update.Remove(expression.Name(f.name))
			continue
		}
		av, err := marshalValue(f.refs)
		if err != nil {
			return nil, wrap(err, op, programmeID, roundID)
		}
		update = update.Set(expression.Name(f.name), expression.Value(av))
	}
	cond := exists().
		And(expression.Name(attrState).In(expression.Value(pairup.RoundOpen), expression.Value(pairup.RoundMatching))).
		And(expression.AttributeNotExists(expression.Name(attrCommitOwner)))
	it, failed, err := s.updateRound(ctx, programmeID, roundID, update, cond)
	switch {
	case err != nil:
		return nil, wrap(err, op, programmeID, roundID)
	case failed && it == nil:
		return nil, wrap(noRound(programmeID, roundID), op, programmeID, roundID)
	case failed && it.CommitOwner != "":
		return nil, wrap(pairup.Errorf(pairup.ECONFLICT, "A commit has begun; pins and forbids can no longer change."), op, programmeID, roundID)
	case failed:
		return nil, wrap(pairup.Errorf(pairup.ECONFLICT, "The round is %s; pins and forbids can only change while it is open or matching.", it.State), op, programmeID, roundID)
	}
	return &it.Round, nil
}

// BeginCommit takes the commit lease of a round in matching for owner, until now + lease, and
// returns the round: one update on condition that the round is in matching and nobody else
// holds an unexpired lease (no owner, owner itself, which renews, or a lease run out, which is
// taken over). ENOTFOUND if the round is absent; ECONFLICT if another run holds the lease (the
// message says until when) or the round is not in matching (it names the state); EINVALID for
// an empty owner or a lease that is not positive.
func (s *Store) BeginCommit(ctx context.Context, programmeID, roundID, owner string, lease time.Duration) (*pairup.Round, error) {
	const op = "begin commit %s/%s"
	if owner == "" || lease <= 0 {
		return nil, wrap(pairup.Errorf(pairup.EINVALID, "A commit needs an owner and a positive lease."), op, programmeID, roundID)
	}
	now := s.now()
	update := expression.Set(expression.Name(attrCommitOwner), expression.Value(owner)).
		Set(expression.Name(attrCommitUntil), expression.Value(formatTime(now.Add(lease))))
	cond := expression.Name(attrState).Equal(expression.Value(pairup.RoundMatching)).And(expression.Or(
		expression.AttributeNotExists(expression.Name(attrCommitOwner)),
		expression.Name(attrCommitOwner).Equal(expression.Value(owner)),
		expression.Name(attrCommitUntil).LessThanEqual(expression.Value(formatTime(now))),
	))
	it, failed, err := s.updateRound(ctx, programmeID, roundID, update, cond)
	switch {
	case err != nil:
		return nil, wrap(err, op, programmeID, roundID)
	case failed && it == nil:
		return nil, wrap(noRound(programmeID, roundID), op, programmeID, roundID)
	case failed && it.State != pairup.RoundMatching:
		return nil, wrap(notMatching(&it.Round), op, programmeID, roundID)
	case failed:
		return nil, wrap(pairup.Errorf(pairup.ECONFLICT, "Another matching run (%s) is committing this round until %s.", it.CommitOwner, fmtTime(it.CommitUntil)), op, programmeID, roundID)
	}
	return &it.Round, nil
}

// FinishCommit completes owner's commit: the round becomes active, with the matching's stats
// (CommittedAt now if zero) and updatedAt now, and the lease is removed; one update on
// condition that the round is in matching and owner holds the lease (expired or not: nobody
// took it over). A retry by the same owner after success returns the round and changes
// nothing. ENOTFOUND if the round is absent; ECONFLICT if owner does not hold the lease or the
// round is in another state.
func (s *Store) FinishCommit(ctx context.Context, programmeID, roundID, owner string, stats pairup.MatchStats) (*pairup.Round, error) {
	const op = "finish commit %s/%s"
	if owner == "" {
		return nil, wrap(pairup.Errorf(pairup.EINVALID, "A commit needs an owner."), op, programmeID, roundID)
	}
	now := s.now()
	if stats.CommittedAt.IsZero() {
		stats.CommittedAt = now
	}
	av, err := marshalValue(stats)
	if err != nil {
		return nil, wrap(err, op, programmeID, roundID)
	}
	update := expression.Set(expression.Name(attrState), expression.Value(pairup.RoundActive)).
		Set(expression.Name(attrUpdatedAt), expression.Value(formatTime(now))).
		Set(expression.Name(attrMatching), expression.Value(av)).
		Set(expression.Name(attrCommittedBy), expression.Value(owner)).
		Remove(expression.Name(attrCommitOwner)).
		Remove(expression.Name(attrCommitUntil))
	cond := expression.Name(attrState).Equal(expression.Value(pairup.RoundMatching)).
		And(expression.Name(attrCommitOwner).Equal(expression.Value(owner)))
	it, failed, err := s.updateRound(ctx, programmeID, roundID, update, cond)
	switch {
	case err != nil:
		return nil, wrap(err, op, programmeID, roundID)
	case failed && it == nil:
		return nil, wrap(noRound(programmeID, roundID), op, programmeID, roundID)
	case failed && it.State == pairup.RoundActive && it.CommittedBy == owner && it.Matching != nil:
		return &it.Round, nil // a retry of this owner's successful commit
	case failed && it.State != pairup.RoundMatching:
		return nil, wrap(notMatching(&it.Round), op, programmeID, roundID)
	case failed && it.CommitOwner == "":
		return nil, wrap(pairup.Errorf(pairup.ECONFLICT, "No commit has begun on this round (the commit lease is not held)."), op, programmeID, roundID)
	case failed:
		return nil, wrap(pairup.Errorf(pairup.ECONFLICT, "This run no longer holds the commit lease: %s holds it until %s.", it.CommitOwner, fmtTime(it.CommitUntil)), op, programmeID, roundID)
	}
	return &it.Round, nil
}

// WritePlan writes a matching's pairs and outcomes to the round's partition: PAIR#<pair id>
// and OUTCOME#<registration id>, a deferred outcome also in GSI1 under DEFERRED#<programme>.
// The items are deterministic, so writing the same plan again (a retry, or a re-run after a
// crash) writes the same items. BatchWriteItem, 25 items a request, batchWorkers requests in
// flight; items DynamoDB leaves unprocessed are sent again with backoff, up to batchAttempts
// times per batch, then it fails. Empty ProgrammeID or RoundID fields are filled in.
// EINVALID (nothing written) if a pair's id is not the PairID of its 2–3 members, an outcome
// has no registration id, ids repeat, or an item names another round.
func (s *Store) WritePlan(ctx context.Context, programmeID, roundID string, pairs []pairup.Pair, outcomes []pairup.Outcome) error {
	const op = "write plan %s/%s"
	reqs, err := s.planRequests(programmeID, roundID, pairs, outcomes)
	if err != nil {
		return wrap(err, op, programmeID, roundID)
	}
	var batches [][]types.WriteRequest
	for b := range slices.Chunk(reqs, batchSize) {
		batches = append(batches, b)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(batchWorkers)
	for _, b := range batches {
		g.Go(func() error { return s.batchWrite(gctx, b) })
	}
	if err := g.Wait(); err != nil {
		return wrap(err, op, programmeID, roundID)
	}
	return nil
}

// planRequests validates a plan and encodes its items as put requests.
func (s *Store) planRequests(programmeID, roundID string, pairs []pairup.Pair, outcomes []pairup.Outcome) ([]types.WriteRequest, error) {
	if !pairup.ValidID(programmeID) || !pairup.ValidID(roundID) {
		return nil, pairup.Errorf(pairup.EINVALID, "A plan needs a valid programme and round id.")
	}
	pk := roundPK(programmeID, roundID)
	reqs := make([]types.WriteRequest, 0, len(pairs)+len(outcomes))
	seen := make(map[string]bool, len(pairs)+len(outcomes))
	sameRound := func(p, r *string) bool {
		if *p == "" {
			*p = programmeID
		}
		if *r == "" {
			*r = roundID
		}
		return *p == programmeID && *r == roundID
	}
	put := func(item any) error {
		m, err := marshal(item)
		if err == nil {
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: m}})
		}
		return err
	}
	for _, p := range pairs {
		ids := make([]string, len(p.Members))
		for i, m := range p.Members {
			ids[i] = m.RegistrationID
		}
		switch id := pairup.PairID(ids...); {
		case len(ids) < 2 || len(ids) > 3 || slices.Contains(ids, ""):
			return nil, pairup.Errorf(pairup.EINVALID, "Pair %q must have two or three members with registration ids.", p.ID)
		case p.ID != id:
			return nil, pairup.Errorf(pairup.EINVALID, "Pair %q must have id %q (PairID of its members).", p.ID, id)
		case !sameRound(&p.ProgrammeID, &p.RoundID):
			return nil, pairup.Errorf(pairup.EINVALID, "Pair %q belongs to round %s/%s.", p.ID, p.ProgrammeID, p.RoundID)
		case seen[pairSK(id)]:
			return nil, pairup.Errorf(pairup.EINVALID, "Pair %q appears twice.", id)
		}
		seen[pairSK(p.ID)] = true
		if err := put(pairItem{PK: pk, SK: pairSK(p.ID), ItemType: typePair, Pair: p}); err != nil {
			return nil, err
		}
	}
	for _, o := range outcomes {
		switch {
		case o.RegistrationID == "":
			return nil, pairup.Errorf(pairup.EINVALID, "An outcome has no registration id.")
		case !sameRound(&o.ProgrammeID, &o.RoundID):
			return nil, pairup.Errorf(pairup.EINVALID, "The outcome of %q belongs to round %s/%s.", o.RegistrationID, o.ProgrammeID, o.RoundID)
		case seen[outcomeSK(o.RegistrationID)]:
			return nil, pairup.Errorf(pairup.EINVALID, "Registration %q has two outcomes.", o.RegistrationID)
		}
		seen[outcomeSK(o.RegistrationID)] = true
		it := outcomeItem{PK: pk, SK: outcomeSK(o.RegistrationID), ItemType: typeOutcome, Outcome: o}
		if o.Kind == pairup.OutcomeDeferred {
			it.GSI1PK, it.GSI1SK = deferredPK(programmeID), deferredSK(o.SignedUpAt, o.RegistrationID)
		}
		if err := put(it); err != nil {
			return nil, err
		}
	}
	return reqs, nil
}

// batchWrite writes up to 25 items, sending what DynamoDB leaves unprocessed again with
// backoff until nothing is left or batchAttempts requests have been sent.
func (s *Store) batchWrite(ctx context.Context, reqs []types.WriteRequest) error {
	pending := map[string][]types.WriteRequest{s.table: reqs}
	for attempt := 0; ; attempt++ {
		out, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
			RequestItems:           pending,
			ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal,
		})
		if err != nil {
			return err
		}
		left := 0
		for _, r := range out.UnprocessedItems {
			left += len(r)
		}
		if left == 0 {
			return nil
		}
		if attempt+1 == batchAttempts {
			return fmt.Errorf("%d of %d items still unprocessed after %d attempts", left, len(reqs), batchAttempts)
		}
		pending = out.UnprocessedItems
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
	}
}

// roundQuery returns every item of a round's partition whose sort key begins with prefix, by a
// consistent query read to the last page; proj, if given, names the attributes to return.
func (s *Store) roundQuery(ctx context.Context, programmeID, roundID, prefix string, proj ...string) ([]map[string]types.AttributeValue, error) {
	b := expression.NewBuilder().WithKeyCondition(
		expression.Key(attrPK).Equal(expression.Value(roundPK(programmeID, roundID))).
			And(expression.Key(attrSK).BeginsWith(prefix)))
	if len(proj) > 0 {
		names := make([]expression.NameBuilder, len(proj))
		for i, a := range proj {
			names[i] = expression.Name(a)
		}
		b = b.WithProjection(expression.NamesList(names[0], names[1:]...))
	}
	expr, err := b.Build()
	if err != nil {
		return nil, err
	}
	return s.query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    expr.KeyCondition(),
		ProjectionExpression:      expr.Projection(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ConsistentRead:            aws.Bool(true),
		ReturnConsumedCapacity:    types.ReturnConsumedCapacityTotal,
	})
}

// ListPairs returns a round's committed pairs ordered by id: a query of the round's partition
// for sort keys beginning PAIR#, every page.
func (s *Store) ListPairs(ctx context.Context, programmeID, roundID string) ([]pairup.Pair, error) {
	const op = "list pairs %s/%s"
	items, err := s.roundQuery(ctx, programmeID, roundID, prefixPair)
	if err != nil {
		return nil, wrap(err, op, programmeID, roundID)
	}
	pairs := make([]pairup.Pair, len(items))
	for i, m := range items {
		var it pairItem
		if err := unmarshal(m, &it); err != nil {
			return nil, wrap(err, op, programmeID, roundID)
		}
		pairs[i] = it.Pair
	}
	slices.SortFunc(pairs, func(a, b pairup.Pair) int { return cmp.Compare(a.ID, b.ID) })
	return pairs, nil
}

// ListOutcomes returns a round's outcomes ordered by registration id: a query of the round's
// partition for sort keys beginning OUTCOME#, every page.
func (s *Store) ListOutcomes(ctx context.Context, programmeID, roundID string) ([]pairup.Outcome, error) {
	const op = "list outcomes %s/%s"
	items, err := s.roundQuery(ctx, programmeID, roundID, prefixOutcome)
	if err != nil {
		return nil, wrap(err, op, programmeID, roundID)
	}
	out, err := decodeOutcomes(items)
	if err != nil {
		return nil, wrap(err, op, programmeID, roundID)
	}
	slices.SortFunc(out, func(a, b pairup.Outcome) int { return cmp.Compare(a.RegistrationID, b.RegistrationID) })
	return out, nil
}

func decodeOutcomes(items []map[string]types.AttributeValue) ([]pairup.Outcome, error) {
	out := make([]pairup.Outcome, len(items))
	for i, m := range items {
		var it outcomeItem
		if err := unmarshal(m, &it); err != nil {
			return nil, err
		}
		out[i] = it.Outcome
	}
	return out, nil
}

// ListDeferred returns a programme's deferred outcomes, across its rounds, in signup order
// (SignedUpAt, then registration id), oldest first: a query of GSI1 for GSI1PK =
// DEFERRED#<programme> (eventually consistent).
func (s *Store) ListDeferred(ctx context.Context, programmeID string) ([]pairup.Outcome, error) {
	const op = "list deferred %s"
	in, err := s.queryInput(indexGSI1, expression.Key(attrGSI1PK).Equal(expression.Value(deferredPK(programmeID))), nil)
	if err != nil {
		return nil, wrap(err, op, programmeID)
	}
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	items, err := s.query(ctx, in)
	if err != nil {
		return nil, wrap(err, op, programmeID)
	}
	out, err := decodeOutcomes(items) // in index order: GSI1SK is signedUpAt#registration id
	if err != nil {
		return nil, wrap(err, op, programmeID)
	}
	return out, nil
}

// PreviousPartners returns, for the given rounds of a programme, each participant's partners
// in them: participant id → the participant ids of everyone they were paired with (both ways;
// in a trio, the other two), sorted, each once. One query per round (and page) of its PAIR#
// items, projected to the members, partnerWorkers rounds at a time. Unknown rounds have no
// pairs.
func (s *Store) PreviousPartners(ctx context.Context, programmeID string, rounds []string) (map[string][]string, error) {
	const op = "previous partners %s"
	rounds = slices.Compact(slices.Sorted(slices.Values(rounds)))
	var (
		mu   sync.Mutex
		seen = map[string]map[string]bool{}
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(partnerWorkers)
	for _, r := range rounds {
		g.Go(func() error {
			items, err := s.roundQuery(gctx, programmeID, r, prefixPair, attrMembers)
			if err != nil {
				return fmt.Errorf("round %s: %w", r, err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, m := range items {
				var it pairItem
				if err := unmarshal(m, &it); err != nil {
					return fmt.Errorf("round %s: %w", r, err)
				}
				for _, a := range it.Members {
					for _, b := range it.Members {
						if a.ParticipantID == b.ParticipantID || a.ParticipantID == "" || b.ParticipantID == "" {
							continue
						}
						if seen[a.ParticipantID] == nil {
							seen[a.ParticipantID] = map[string]bool{}
						}
						seen[a.ParticipantID][b.ParticipantID] = true
					}
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, wrap(err, op, programmeID)
	}
	partners := make(map[string][]string, len(seen))
	for p, set := range seen {
		partners[p] = slices.Sorted(maps.Keys(set))
	}
	return partners, nil
}
