package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/sync/errgroup"

	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
)

// Erasure: the store's steps of erasing a person's personal data (package erasure composes
// them; the package doc's "Personal data and erasure" says which items hold what and in which
// order they are visited). Every step is idempotent: it changes an item only if the item still
// holds what the step removes, so an erasure interrupted and run again converges, and reports
// only what it changed.

const (
	// prefixHashed marks a suppression kept under a keyed hash, not an address: no address
	// begins with "h:" and holds no '@' after it.
	prefixHashed = "h:"
	// erasedError is the error of a message an erasure cancelled (status skipped).
	erasedError = "erased"
	// erasureWorkers bounds the concurrent requests of one erasure step.
	erasureWorkers = 8
)

// profileAttrs are the attributes an erased registration loses: who the person is and what
// they told the programme about themselves. It keeps its ids, status, role, country, sector,
// career stage, capacity, priority and times: what the round's statistics and the matching
// history (pairs, outcomes, previous partners) are made of, none of which names anyone.
var profileAttrs = []string{
	"name", "email", "languages", "timeZone", "interests", "preference", "eligibility", "locale",
}

// SuppressionHashes returns the keyed hashes of a normalised address under every key of the
// link-key ring, newest first: where an erased address's suppression is kept (the newest) and
// looked for (all of them, so a key rotation does not lift it while the old key is in the ring).
func SuppressionHashes(signer *links.Signer, email string) []string {
	return signer.Pseudonyms(pairup.SuppressionLabel, email)
}

func hashedSuppressionPK(hash string) string { return prefixSuppression + prefixHashed + hash }

// zeroTime is how a zero time.Time is stored (the encoder has no omitzero): an item written
// with an unset ErasedAt holds it.
var zeroTime = formatTime(time.Time{})

// notErased is the condition "the item has no erasedAt, or a zero one".
func notErased() expression.ConditionBuilder {
	return expression.Or(
		expression.AttributeNotExists(expression.Name(attrErasedAt)),
		expression.Name(attrErasedAt).Equal(expression.Value(zeroTime)))
}

// GetPerson returns the participant id of the person with a normalised address. ENOTFOUND if
// there is none (never confirmed, or erased).
func (s *Store) GetPerson(ctx context.Context, email string) (string, error) {
	var it personItem
	found, err := s.get(ctx, personPK(email), skPerson, &it)
	switch {
	case err != nil:
		return "", wrap(err, "get person")
	case !found:
		return "", wrap(notFound("There is no person with this address."), "get person")
	}
	return it.ParticipantID, nil
}

// ClaimedRegistrations returns the registrations that hold email's claim in the given rounds:
// for each round a consistent GetItem of its EMAIL#<email> claim and then of the registration
// it names, erasureWorkers rounds at a time. Pending and expired registrations are included
// (they hold the address until DynamoDB's TTL deletes them), and so are erased ones.
func (s *Store) ClaimedRegistrations(ctx context.Context, email string, rounds []pairup.Round) ([]pairup.Registration, error) {
	const op = "claimed registrations"
	out := make([]*pairup.Registration, len(rounds))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(erasureWorkers)
	for i, r := range rounds {
		g.Go(func() error {
			pk := roundPK(r.ProgrammeID, r.ID)
			var c emailClaimItem
			found, err := s.getProjected(gctx, pk, emailSK(email), &c, attrRegistrationID)
			if err != nil || !found || c.RegistrationID == "" {
				return err
			}
			var it registrationItem
			if found, err = s.get(gctx, pk, registrationSK(c.RegistrationID), &it); err != nil || !found {
				return err
			}
			out[i] = &it.Registration
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, wrap(err, op)
	}
	var regs []pairup.Registration
	for _, r := range out {
		if r != nil {
			regs = append(regs, *r)
		}
	}
	return regs, nil
}

// AllRegistrations returns every registration item of a round, expired pending ones included
// (ListRegistrations leaves those out, but they hold personal data until TTL deletes them):
// a consistent query of the round's REG# items, every page.
func (s *Store) AllRegistrations(ctx context.Context, programmeID, roundID string) ([]pairup.Registration, error) {
	const op = "all registrations %s/%s"
	items, err := s.roundQuery(ctx, programmeID, roundID, prefixRegistration)
	if err != nil {
		return nil, wrap(err, op, programmeID, roundID)
	}
	regs := make([]pairup.Registration, len(items))
	for i, m := range items {
		var it registrationItem
		if err := unmarshal(m, &it); err != nil {
			return nil, wrap(err, op, programmeID, roundID)
		}
		regs[i] = it.Registration
	}
	return regs, nil
}

// RegistrationsByEmail returns a round's registrations of a normalised address, expired and
// withdrawn ones included: a consistent query of the round's REG# items filtered by email on the
// server. It finds what the address's claim no longer leads to (a withdrawn pending signup loses
// its claim; an expired one's claim may have been taken over by a new signup).
func (s *Store) RegistrationsByEmail(ctx context.Context, programmeID, roundID, email string) ([]pairup.Registration, error) {
	const op = "registrations by email %s/%s"
	kc := expression.Key(attrPK).Equal(expression.Value(roundPK(programmeID, roundID))).
		And(expression.Key(attrSK).BeginsWith(prefixRegistration))
	f := expression.Name("email").Equal(expression.Value(email))
	in, err := s.queryInput("", kc, &f)
	if err != nil {
		return nil, wrap(err, op, programmeID, roundID)
	}
	in.ConsistentRead = aws.Bool(true)
	items, err := s.query(ctx, in)
	if err != nil {
		return nil, wrap(err, op, programmeID, roundID)
	}
	regs := make([]pairup.Registration, len(items))
	for i, m := range items {
		var it registrationItem
		if err := unmarshal(m, &it); err != nil {
			return nil, wrap(err, op, programmeID, roundID)
		}
		regs[i] = it.Registration
	}
	return regs, nil
}

// GetRegistrationAny returns a registration as stored, even pending and expired or erased
// (GetRegistration hides an expired one). ENOTFOUND if absent.
func (s *Store) GetRegistrationAny(ctx context.Context, programmeID, roundID, id string) (*pairup.Registration, error) {
	const op = "get registration %s/%s/%s"
	var it registrationItem
	found, err := s.get(ctx, roundPK(programmeID, roundID), registrationSK(id), &it)
	switch {
	case err != nil:
		return nil, wrap(err, op, programmeID, roundID, id)
	case !found:
		return nil, wrap(notFound("There is no registration %q in round %q.", id, roundID), op, programmeID, roundID, id)
	}
	return &it.Registration, nil
}

// WithdrawForErasure takes an erased person out of a round that has not closed: status
// withdrawn and withdrawnAt = at, on condition the registration is pending or confirmed (a
// withdrawn one stays as it is). It reports whether it changed the registration. It ends no
// pair and tells nobody: that is withdrawal's (the withdraw page offers erasure after it).
func (s *Store) WithdrawForErasure(ctx context.Context, programmeID, roundID, id string, at time.Time) (bool, error) {
	const op = "withdraw for erasure %s/%s/%s"
	update := expression.Set(expression.Name(attrStatus), expression.Value(pairup.StatusWithdrawn)).
		Set(expression.Name("withdrawnAt"), expression.Value(formatTime(at)))
	cond := exists().And(expression.Name(attrStatus).In(
		expression.Value(pairup.StatusPending), expression.Value(pairup.StatusConfirmed)))
	changed, err := s.updateIf(ctx, key(roundPK(programmeID, roundID), registrationSK(id)), update, cond)
	if err != nil {
		return false, wrap(err, op, programmeID, roundID, id)
	}
	return changed, nil
}

// AnonymiseRegistration erases a registration's personal data in place: it removes the name,
// the address and the profile answers (profileAttrs) and sets erasedAt = at, on condition it
// still holds an address or has not been erased. The item stays, with what the round's
// statistics and matching history need. It reports whether it changed the registration.
func (s *Store) AnonymiseRegistration(ctx context.Context, programmeID, roundID, id string, at time.Time) (bool, error) {
	const op = "anonymise registration %s/%s/%s"
	update := expression.Set(expression.Name(attrErasedAt), expression.Value(formatTime(at)))
	for _, a := range profileAttrs {
		update = update.Remove(expression.Name(a))
	}
	cond := exists().And(expression.Or(expression.AttributeExists(expression.Name("email")), notErased()))
	changed, err := s.updateIf(ctx, key(roundPK(programmeID, roundID), registrationSK(id)), update, cond)
	if err != nil {
		return false, wrap(err, op, programmeID, roundID, id)
	}
	return changed, nil
}

// EraseSurveyAnswers removes the given answers (question ids: the free-text ones, which may
// name anyone) from a participant's survey response and sets erasedAt = at; the other answers
// (scales and choices: the survey's statistics) stay. It reports whether the response exists
// and lost an answer. No questions is a no-op.
func (s *Store) EraseSurveyAnswers(ctx context.Context, programmeID, roundID string, kind pairup.SurveyKind, registrationID string, questions []string, at time.Time) (bool, error) {
	const op = "erase survey answers %s/%s %s"
	if len(questions) == 0 {
		return false, nil
	}
	update := expression.Set(expression.Name(attrErasedAt), expression.Value(formatTime(at)))
	var held []expression.ConditionBuilder
	for _, q := range questions {
		if !pairup.ValidID(q) {
			// Question ids are plain (pairup.ValidID): anything else cannot be an answer's key.
			return false, wrap(pairup.Errorf(pairup.EINVALID, "%q is not a question id.", q), op, programmeID, roundID, kind)
		}
		path := attrAnswers + "." + q
		update = update.Remove(expression.Name(path))
		held = append(held, expression.AttributeExists(expression.Name(path)))
	}
	cond := exists()
	if len(held) == 1 {
		cond = cond.And(held[0])
	} else {
		cond = cond.And(expression.Or(held[0], held[1], held[2:]...))
	}
	changed, err := s.updateIf(ctx, key(roundPK(programmeID, roundID), surveySK(kind, registrationID)), update, cond)
	if err != nil {
		return false, wrap(err, op, programmeID, roundID, kind)
	}
	return changed, nil
}

// LeaveDeferred takes a registration's deferred outcome out of the programme's deferred list
// (GSI1 DEFERRED#<programme>), so that an erased person is not invited to the next round; the
// outcome itself stays (the round's history). It reports whether the outcome was in the list.
func (s *Store) LeaveDeferred(ctx context.Context, programmeID, roundID, registrationID string) (bool, error) {
	const op = "leave deferred %s/%s"
	update := expression.Remove(expression.Name(attrGSI1PK)).Remove(expression.Name(attrGSI1SK))
	cond := expression.AttributeExists(expression.Name(attrGSI1PK))
	changed, err := s.updateIf(ctx, key(roundPK(programmeID, roundID), outcomeSK(registrationID)), update, cond)
	if err != nil {
		return false, wrap(err, op, programmeID, roundID)
	}
	return changed, nil
}

// DeleteEmailClaim deletes an address's claim in a round (its key holds the address). It
// reports whether there was one.
func (s *Store) DeleteEmailClaim(ctx context.Context, programmeID, roundID, email string) (bool, error) {
	const op = "delete email claim %s/%s"
	ok, err := s.deleteIf(ctx, key(roundPK(programmeID, roundID), emailSK(email)), exists())
	if err != nil {
		return false, wrap(err, op, programmeID, roundID)
	}
	return ok, nil
}

// DeleteRoundEmailClaims deletes every email claim of a round: a consistent query of its EMAIL#
// items (keys only), then a delete of each, erasureWorkers at a time. Retention's last step in a
// round, so that no claim outlives its registration's erasure (a claim taken over from an
// expired registration included). Returns how many it deleted.
func (s *Store) DeleteRoundEmailClaims(ctx context.Context, programmeID, roundID string) (int, error) {
	const op = "delete round email claims %s/%s"
	items, err := s.roundQuery(ctx, programmeID, roundID, prefixEmail, attrPK, attrSK)
	if err != nil {
		return 0, wrap(err, op, programmeID, roundID)
	}
	n, err := s.each(ctx, items, func(ctx context.Context, item map[string]types.AttributeValue) (bool, error) {
		return s.deleteIf(ctx, map[string]types.AttributeValue{attrPK: item[attrPK], attrSK: item[attrSK]}, exists())
	})
	if err != nil {
		return n, wrap(err, op, programmeID, roundID)
	}
	return n, nil
}

// DeletePerson deletes the person item of an address (PERSON#<email>: the address, the
// participant id, when and where they were first seen). It reports whether there was one.
// Erasure deletes it last: until then, an interrupted erasure finds the person's registrations
// again through it.
func (s *Store) DeletePerson(ctx context.Context, email string) (bool, error) {
	ok, err := s.deleteIf(ctx, key(personPK(email), skPerson), exists())
	if err != nil {
		return false, wrap(err, "delete person")
	}
	return ok, nil
}

// HashSuppression replaces the suppression of an address, if there is one, by the same
// suppression kept under hash (SuppressionHashes' newest), so that an erased address stays
// unsubscribed, bounced or complained without the table holding it: a put of
// SUPPRESS#h:<hash> (which never replaces a bounce or complaint by an unsubscribe), then the
// delete of SUPPRESS#<email> on condition its reason is unchanged. It reports whether it moved
// a suppression.
func (s *Store) HashSuppression(ctx context.Context, email, hash string) (bool, error) {
	const op = "hash suppression"
	if hash == "" {
		return false, wrap(pairup.Errorf(pairup.EINVALID, "A hashed suppression needs a hash."), op)
	}
	var it suppressionItem
	found, err := s.get(ctx, prefixSuppression+email, skSuppression, &it)
	if err != nil || !found {
		return false, wrapNil(err, op)
	}
	item, err := marshal(hashedSuppressionItem{PK: hashedSuppressionPK(hash), SK: skSuppression, ItemType: typeSuppression, Reason: it.Reason, At: it.At})
	if err != nil {
		return false, wrap(err, op)
	}
	put := &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}
	if pairup.SuppressionReason(it.Reason) == pairup.SuppressUnsubscribe {
		cond, err := condition(expression.Or(
			expression.AttributeNotExists(expression.Name(attrPK)),
			expression.Name(attrReason).Equal(expression.Value(it.Reason))))
		if err != nil {
			return false, wrap(err, op)
		}
		put.ConditionExpression, put.ExpressionAttributeNames, put.ExpressionAttributeValues = cond.Condition(), cond.Names(), cond.Values()
	}
	_, err = s.db.PutItem(ctx, put, retryConflicts)
	if _, stronger := conditionFailed(err); err != nil && !stronger {
		return false, wrap(err, op)
	}
	_, err = s.deleteIf(ctx, key(prefixSuppression+email, skSuppression), expression.Name(attrReason).Equal(expression.Value(it.Reason)))
	if err != nil {
		return false, wrap(err, op)
	}
	return true, nil
}

// hashedSuppressionItem is a suppression kept under a keyed hash of its address: no address.
type hashedSuppressionItem struct {
	PK       string    `json:"PK"`
	SK       string    `json:"SK"`
	ItemType string    `json:"itemType"`
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
}

// reasonRank orders suppression reasons by strength: a complaint or a bounce stops every email,
// an unsubscribe all but the confirmation its owner asks for.
func reasonRank(r pairup.SuppressionReason) int {
	switch r {
	case pairup.SuppressComplaint:
		return 3
	case pairup.SuppressBounce:
		return 2
	case pairup.SuppressUnsubscribe:
		return 1
	}
	return 0
}

// Suppressed returns why mail to a normalised address is suppressed: by its own suppression
// (SUPPRESS#<email>) or, once the address was erased, by the one kept under a keyed hash of it
// (hashes: SuppressionHashes of the address; SUPPRESS#h:<hash>), the strongest reason if both.
// One consistent BatchGetItem (keys left unprocessed are asked again with backoff). ENOTFOUND if
// none exists.
func (s *Store) Suppressed(ctx context.Context, email string, hashes []string) (pairup.SuppressionReason, error) {
	const op = "suppressed"
	keys := []map[string]types.AttributeValue{key(prefixSuppression+email, skSuppression)}
	for _, h := range hashes {
		keys = append(keys, key(hashedSuppressionPK(h), skSuppression))
	}
	var best pairup.SuppressionReason
	req := map[string]types.KeysAndAttributes{s.table: {
		Keys: keys, ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String("#r"),
		ExpressionAttributeNames: map[string]string{"#r": attrReason},
	}}
	for attempt := 0; len(req) > 0; attempt++ {
		if attempt > 0 {
			if attempt == batchAttempts {
				return "", wrap(fmt.Errorf("keys still unprocessed after %d attempts", attempt), op)
			}
			if err := backoff(ctx, attempt-1); err != nil {
				return "", wrap(err, op)
			}
		}
		out, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
		if err != nil {
			return "", wrap(err, op)
		}
		for _, m := range out.Responses[s.table] {
			var it hashedSuppressionItem
			if err := unmarshal(m, &it); err != nil {
				return "", wrap(err, op)
			}
			if r := pairup.SuppressionReason(it.Reason); reasonRank(r) > reasonRank(best) {
				best = r
			}
		}
		req = out.UnprocessedKeys
	}
	if best == "" {
		return "", wrap(notFound("Mail to this address is not suppressed."), op)
	}
	return best, nil
}

// UnsuppressHashed lifts the suppressions kept under the given keyed hashes, each only if its
// reason is reason (a delete on that condition): confirming a new signup lifts an erased
// address's unsubscribe, never its bounce or complaint. Absent ones are no-ops; ECONFLICT if one
// has another reason (the others are lifted).
func (s *Store) UnsuppressHashed(ctx context.Context, hashes []string, reason pairup.SuppressionReason) error {
	const op = "unsuppress hashed %s"
	cond := expression.Or(
		expression.AttributeNotExists(expression.Name(attrPK)),
		expression.Name(attrReason).Equal(expression.Value(string(reason))))
	var conflict bool
	for _, h := range hashes {
		_, err := s.deleteIf(ctx, key(hashedSuppressionPK(h), skSuppression), cond)
		if pairup.ErrorCode(err) == pairup.ECONFLICT {
			conflict = true
			continue
		}
		if err != nil {
			return wrap(err, op, reason)
		}
	}
	if conflict {
		return wrap(pairup.Errorf(pairup.ECONFLICT, "Mail to this address is suppressed for another reason."), op, reason)
	}
	return nil
}

// Erasing says whose messages an erasure looks for in the outbox.
type Erasing struct {
	// Email is the erased address: a message to it loses its address (to).
	Email string
	// Everything is set when the whole person is erased: every message to Email is theirs.
	// Otherwise (retention erasing one old registration) only the messages about Registrations
	// are, and the person's other messages stay.
	Everything bool
	// Registrations are the erased registration ids: a message whose key names one (among its
	// '/'- and '+'-separated parts) or whose About lists one speaks of the person.
	Registrations []string
	// Rounds are the AboutRound entries (mail.AboutRound) of the rounds the registrations are
	// in: a message listing a whole round (a matching proposal) speaks of the person too.
	Rounds []string
}

// about reports whether a message with key, recipient to and About about speaks of e's person.
func (e Erasing) about(key, to string, about []string) bool {
	if e.Everything && e.Email != "" && to == e.Email {
		return true
	}
	if e.names(key) {
		return true
	}
	for _, a := range about {
		if slices.Contains(e.Registrations, a) || slices.Contains(e.Rounds, a) {
			return true
		}
	}
	return false
}

// names reports whether a message key names one of e's registrations among its parts.
func (e Erasing) names(key string) bool {
	for _, part := range strings.FieldsFunc(key, func(r rune) bool { return r == '/' || r == '+' }) {
		if slices.Contains(e.Registrations, part) {
			return true
		}
	}
	return false
}

// CancelMessages cancels every unsent message (pending or sending) that speaks of e's person,
// so that nothing naming them goes out after their erasure: a query of GSI1's unsent partition
// (OUTBOX, eventually consistent; projected to key, to, about), filtered in Go by Erasing, and
// an update of each on condition it is still unsent: status skipped, error "erased", erasedAt,
// its subject, bodies, attachments and lease removed. A message to e.Email also loses its
// address and leaves the index; one to someone else (a partner's introduction, the
// coordinators' alert) moves to its recipient's partition, as a sent one does (retire). A
// message being sent meanwhile is cancelled all the same: MarkSent then leaves it erased.
// Returns how many it cancelled.
func (s *Store) CancelMessages(ctx context.Context, e Erasing, at time.Time) (int, error) {
	const op = "cancel messages"
	in, err := s.queryInput(indexGSI1, expression.Key(attrGSI1PK).Equal(expression.Value(gsiUnsent)), nil)
	if err != nil {
		return 0, wrap(err, op)
	}
	in.ProjectionExpression = aws.String("#k, #t, #a")
	in.ExpressionAttributeNames["#k"], in.ExpressionAttributeNames["#t"], in.ExpressionAttributeNames["#a"] = "key", attrTo, attrAbout
	items, err := s.query(ctx, in)
	if err != nil {
		return 0, wrap(err, op)
	}
	var found []map[string]types.AttributeValue
	for _, m := range items {
		var it struct {
			Key   string   `json:"key"`
			To    string   `json:"to"`
			About []string `json:"about"`
		}
		if err := unmarshal(m, &it); err != nil {
			return 0, wrap(err, op)
		}
		if e.about(it.Key, it.To, it.About) {
			found = append(found, m)
		}
	}
	n, err := s.each(ctx, found, func(ctx context.Context, m map[string]types.AttributeValue) (bool, error) {
		var it struct {
			Key string `json:"key"`
			To  string `json:"to"`
		}
		if err := unmarshal(m, &it); err != nil {
			return false, err
		}
		update := expression.Set(expression.Name(attrStatus), expression.Value(mail.StatusSkipped)).
			Set(expression.Name(attrError), expression.Value(erasedError)).
			Set(expression.Name(attrErasedAt), expression.Value(formatTime(at))).
			Remove(expression.Name(attrLeaseID)).Remove(expression.Name(attrLeaseUntil))
		for _, a := range bodyAttrs {
			update = update.Remove(expression.Name(a))
		}
		if e.Email != "" && it.To == e.Email {
			update = update.Remove(expression.Name(attrTo)).Remove(expression.Name(attrGSI1PK)).Remove(expression.Name(attrGSI1SK))
		} else {
			update = update.Set(expression.Name(attrGSI1PK), expression.Name(attrTo)).
				Set(expression.Name(attrGSI1SK), expression.Value(dueKey(at, it.Key)))
		}
		cond := expression.Name(attrStatus).In(expression.Value(mail.StatusPending), expression.Value(mail.StatusSending))
		return s.updateIf(ctx, outboxKey(it.Key), update, cond)
	})
	if err != nil {
		return n, wrap(err, op)
	}
	return n, nil
}

// EraseSentMessages takes e.Email from the messages that went to it (sent, failed, skipped,
// or cancelled for someone else's erasure: GSI1 partition <email>, eventually consistent; with
// e.Everything all of them, else those whose key names one of e.Registrations): to and the
// index keys are removed and erasedAt set, on condition the message is still in that
// partition. Their subjects and bodies went when they were sent (retire). An unsubscribe link
// from such a message then finds no address. Returns how many it changed.
func (s *Store) EraseSentMessages(ctx context.Context, e Erasing, at time.Time) (int, error) {
	const op = "erase sent messages"
	if e.Email == "" {
		return 0, nil
	}
	in, err := s.queryInput(indexGSI1, expression.Key(attrGSI1PK).Equal(expression.Value(e.Email)), nil)
	if err != nil {
		return 0, wrap(err, op)
	}
	in.ProjectionExpression = aws.String("#k")
	in.ExpressionAttributeNames["#k"] = "key"
	items, err := s.query(ctx, in)
	if err != nil {
		return 0, wrap(err, op)
	}
	var keys []map[string]types.AttributeValue
	for _, m := range items {
		var it struct {
			Key string `json:"key"`
		}
		if err := unmarshal(m, &it); err != nil {
			return 0, wrap(err, op)
		}
		if e.Everything || e.names(it.Key) {
			keys = append(keys, m)
		}
	}
	n, err := s.each(ctx, keys, func(ctx context.Context, m map[string]types.AttributeValue) (bool, error) {
		var it struct {
			Key string `json:"key"`
		}
		if err := unmarshal(m, &it); err != nil {
			return false, err
		}
		update := expression.Set(expression.Name(attrErasedAt), expression.Value(formatTime(at))).
			Remove(expression.Name(attrTo)).Remove(expression.Name(attrGSI1PK)).Remove(expression.Name(attrGSI1SK))
		return s.updateIf(ctx, outboxKey(it.Key), update, expression.Name(attrGSI1PK).Equal(expression.Value(e.Email)))
	})
	if err != nil {
		return n, wrap(err, op)
	}
	return n, nil
}

// RoundErasedAt returns when retention erased a round's personal data (the round item's
// store-only erasedAt), the zero time if it has not. ENOTFOUND if the round is absent.
func (s *Store) RoundErasedAt(ctx context.Context, programmeID, roundID string) (time.Time, error) {
	const op = "round erased at %s/%s"
	var it struct {
		PK       string `json:"PK"`
		ErasedAt string `json:"erasedAt"`
	}
	found, err := s.getProjected(ctx, programmePK(programmeID), roundSK(roundID), &it, attrPK, attrErasedAt)
	switch {
	case err != nil:
		return time.Time{}, wrap(err, op, programmeID, roundID)
	case !found:
		return time.Time{}, wrap(noRound(programmeID, roundID), op, programmeID, roundID)
	case it.ErasedAt == "":
		return time.Time{}, nil
	}
	t, err := decodeTime(it.ErasedAt)
	if err != nil {
		return time.Time{}, wrap(err, op, programmeID, roundID)
	}
	return t, nil
}

// MarkRoundErased records on a round that retention has erased its personal data (erasedAt =
// at, kept if set before), so later runs pass it by. Nothing else of the round changes: its
// frozen statistics stay as they are. ENOTFOUND if the round is absent.
func (s *Store) MarkRoundErased(ctx context.Context, programmeID, roundID string, at time.Time) error {
	const op = "mark round erased %s/%s"
	update := expression.Set(expression.Name(attrErasedAt),
		expression.IfNotExists(expression.Name(attrErasedAt), expression.Value(formatTime(at))))
	changed, err := s.updateIf(ctx, key(programmePK(programmeID), roundSK(roundID)), update, exists())
	switch {
	case err != nil:
		return wrap(err, op, programmeID, roundID)
	case !changed:
		return wrap(noRound(programmeID, roundID), op, programmeID, roundID)
	}
	return nil
}

// updateIf applies update to the item at k on condition cond and reports whether it applied
// (false: the condition failed).
func (s *Store) updateIf(ctx context.Context, k map[string]types.AttributeValue, update expression.UpdateBuilder, cond expression.ConditionBuilder) (bool, error) {
	expr, err := expression.NewBuilder().WithUpdate(update).WithCondition(cond).Build()
	if err != nil {
		return false, err
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table), Key: k,
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	}, retryConflicts)
	if _, failed := conditionFailed(err); failed {
		return false, nil
	}
	return err == nil, err
}

// deleteIf deletes the item at k on condition cond and reports whether it did; a failed
// condition on an item that exists is ECONFLICT, on an absent one false.
func (s *Store) deleteIf(ctx context.Context, k map[string]types.AttributeValue, cond expression.ConditionBuilder) (bool, error) {
	expr, err := condition(cond)
	if err != nil {
		return false, err
	}
	_, err = s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.table), Key: k,
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}, retryConflicts)
	if old, failed := conditionFailed(err); failed {
		if len(old) > 0 {
			return false, pairup.Errorf(pairup.ECONFLICT, "The item has changed.")
		}
		return false, nil
	}
	return err == nil, err
}

// each runs step on every item, erasureWorkers at a time, and counts the items it changed.
func (s *Store) each(ctx context.Context, items []map[string]types.AttributeValue, step func(context.Context, map[string]types.AttributeValue) (bool, error)) (int, error) {
	changed := make([]bool, len(items))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(erasureWorkers)
	for i, m := range items {
		g.Go(func() error {
			ok, err := step(gctx, m)
			changed[i] = ok
			return err
		})
	}
	err := g.Wait()
	n := 0
	for _, ok := range changed {
		if ok {
			n++
		}
	}
	return n, err
}

// wrapNil is wrap for an error that may be nil.
func wrapNil(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return wrap(err, format, args...)
}
