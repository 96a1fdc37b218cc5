package store

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
)

const (
	prefixRoundPartition = "ROUND#"
	prefixRegistration   = "REG#"
	prefixEmail          = "EMAIL#"
	prefixPerson         = "PERSON#"
	skPerson             = "PERSON"
	prefixParticipant    = "PARTICIPANT#"
)

type registrationItem struct {
	PK        string `json:"PK"`
	SK        string `json:"SK"`
	GSI1PK    string `json:"GSI1PK,omitempty"`
	GSI1SK    string `json:"GSI1SK,omitempty"`
	ExpiresAt int64  `json:"ExpiresAt,omitempty"`
	ItemType  string `json:"itemType"`
	pairup.Registration
}

// emailClaimItem reserves an email in a round for one registration.
type emailClaimItem struct {
	PK             string `json:"PK"`
	SK             string `json:"SK"`
	ExpiresAt      int64  `json:"ExpiresAt,omitempty"`
	ItemType       string `json:"itemType"`
	RegistrationID string `json:"registrationId"`
}

// personItem is a participant across rounds, keyed by email.
type personItem struct {
	PK            string    `json:"PK"`
	SK            string    `json:"SK"`
	ItemType      string    `json:"itemType"`
	ParticipantID string    `json:"participantId"`
	Email         string    `json:"email"`
	FirstSeen     time.Time `json:"firstSeen"`
	// FirstProgrammeID and FirstRoundID name the round whose confirmation created the person;
	// a registration in any other round is a returning one.
	FirstProgrammeID string `json:"firstProgrammeId"`
	FirstRoundID     string `json:"firstRoundId"`
}

func roundPK(programmeID, roundID string) string {
	return prefixRoundPartition + programmeID + "#" + roundID
}
func registrationSK(id string) string { return prefixRegistration + id }
func emailSK(email string) string     { return prefixEmail + email }
func personPK(email string) string    { return prefixPerson + email }
func participantPK(pid string) string { return prefixParticipant + pid }
func participantSK(programmeID, roundID string) string {
	return prefixRegistration + programmeID + "#" + roundID
}

// Register stores a new pending registration, claims its email for the round and queues its
// confirmation email in the outbox, in one transaction: one registration per email per round,
// and the email exists exactly when the registration does. Both items carry ExpiresAt = expires, so a registration never
// confirmed disappears, and an expired claim TTL has not yet deleted may be taken over. If the
// email is already claimed it stores nothing and returns the claim's registration, created
// false. A transaction cancelled by a concurrent one on the same items is retried with backoff,
// so identical concurrent calls yield exactly one created registration. EINVALID if r lacks a
// valid programme, round or id, its email is not normalised (pairup.NormaliseEmail), it is not
// pending, or expires is not after Now; ECONFLICT if another registration in the round has r's
// id. The confirmation must be queueable (mail.Message.ValidateQueued), else EINVALID.
func (s *Store) Register(ctx context.Context, r *pairup.Registration, expires time.Time, confirm mail.Message) (*pairup.Registration, bool, error) {
	return s.register(ctx, r, expires, confirm, 0)
}

// RegisterCapped is Register under a cap on the confirmation emails r's programme queues a day
// (UTC): the transaction also adds 1 to the programme's counter for the day on condition it is
// under perDay (0: no cap). ELIMIT, and nothing stored, if the cap is reached; the counting is
// exact, as the count and the email are written together.
func (s *Store) RegisterCapped(ctx context.Context, r *pairup.Registration, expires time.Time, confirm mail.Message, perDay int) (*pairup.Registration, bool, error) {
	return s.register(ctx, r, expires, confirm, perDay)
}

func (s *Store) register(ctx context.Context, r *pairup.Registration, expires time.Time, confirm mail.Message, perDay int) (*pairup.Registration, bool, error) {
	const op = "register %s/%s %s"
	if r == nil {
		return nil, false, wrap(pairup.Errorf(pairup.EINVALID, "No registration."), "register")
	}
	fe := pairup.FieldErrors{}
	if !pairup.ValidID(r.ProgrammeID) {
		fe.Add("programmeId", "must be a valid programme id")
	}
	if !pairup.ValidID(r.RoundID) {
		fe.Add("roundId", "must be a valid round id")
	}
	if r.ID == "" {
		fe.Add("id", "is required")
	}
	if e, msg := pairup.NormaliseEmail(r.Email); msg != "" || e != r.Email {
		// The claim's key is the address as given: it must be the normalised one, or
		// "Ada@x.org" and "ada@x.org" would hold two claims.
		fe.Add("email", "must be a valid, normalised address")
	}
	if r.Status != pairup.StatusPending {
		fe.Add("status", "must be pending")
	}
	if !expires.After(s.now()) {
		fe.Add("expires", "must be in the future")
	}
	if err := fe.Err(); err != nil {
		return nil, false, wrap(err, op, r.ProgrammeID, r.RoundID, r.ID)
	}
	msg, err := s.outboxPut(confirm, s.now())
	if err != nil {
		return nil, false, wrap(err, op, r.ProgrammeID, r.RoundID, r.ID)
	}

	pk := roundPK(r.ProgrammeID, r.RoundID)
	reg, err := marshal(registrationItem{PK: pk, SK: registrationSK(r.ID), ExpiresAt: expires.Unix(), ItemType: typeRegistration, Registration: *r})
	if err != nil {
		return nil, false, wrap(err, op, r.ProgrammeID, r.RoundID, r.ID)
	}
	claim, err := marshal(emailClaimItem{PK: pk, SK: emailSK(r.Email), ExpiresAt: expires.Unix(), ItemType: typeEmailClaim, RegistrationID: r.ID})
	if err != nil {
		return nil, false, wrap(err, op, r.ProgrammeID, r.RoundID, r.ID)
	}

	for attempt := 0; ; attempt++ {
		cond, err := condition(absentOrExpired(s.now()))
		if err != nil {
			return nil, false, wrap(err, op, r.ProgrammeID, r.RoundID, r.ID)
		}
		put := func(item map[string]types.AttributeValue) types.TransactWriteItem {
			return types.TransactWriteItem{Put: &types.Put{
				TableName:                           aws.String(s.table),
				Item:                                item,
				ConditionExpression:                 cond.Condition(),
				ExpressionAttributeNames:            cond.Names(),
				ExpressionAttributeValues:           cond.Values(),
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
			}}
		}
		items := []types.TransactWriteItem{put(reg), put(claim), {Put: msg}}
		if perDay > 0 {
			count, err := s.confirmationCount(r.ProgrammeID, perDay)
			if err != nil {
				return nil, false, wrap(err, op, r.ProgrammeID, r.RoundID, r.ID)
			}
			items = append(items, types.TransactWriteItem{Update: count})
		}
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil {
			out := *r
			return &out, true, nil
		}
		reasons, ok := cancelled(err)
		switch {
		case !ok:
			return nil, false, wrap(err, op, r.ProgrammeID, r.RoundID, r.ID)
		case reasonCode(reasons, 1) == reasonConditionFailed:
			// The email is claimed (whatever happened to the registration put).
			existing, err := s.claimedRegistration(ctx, r.ProgrammeID, r.RoundID, r.Email, reasons[1].Item)
			if err != nil {
				return nil, false, wrap(err, op, r.ProgrammeID, r.RoundID, r.ID)
			}
			return existing, false, nil
		case reasonCode(reasons, 0) == reasonConditionFailed:
			err = pairup.Errorf(pairup.ECONFLICT, "Round %q already has a registration %q.", r.RoundID, r.ID)
			return nil, false, wrap(err, op, r.ProgrammeID, r.RoundID, r.ID)
		case reasonCode(reasons, 2) == reasonConditionFailed:
			err = pairup.Errorf(pairup.ECONFLICT, "Message %q is already queued.", confirm.Key)
			return nil, false, wrap(err, op, r.ProgrammeID, r.RoundID, r.ID)
		case reasonCode(reasons, 3) == reasonConditionFailed:
			return nil, false, wrap(programmeCapReached(), op, r.ProgrammeID, r.RoundID, r.ID)
		case anyReason(reasons, reasonConflict) && attempt < conflictRetries:
			// Another transaction on these items is in flight: once it commits, the retry
			// finds the claim; if it was cancelled too, the retry may win.
			if err := backoff(ctx, attempt); err != nil {
				return nil, false, wrap(err, op, r.ProgrammeID, r.RoundID, r.ID)
			}
		default:
			return nil, false, wrap(err, op, r.ProgrammeID, r.RoundID, r.ID)
		}
	}
}

// claimedRegistration returns the registration that holds email's claim in a round. claim is
// the claim item if the cancelled transaction returned it; otherwise the claim is read. The
// claim and its registration are written in one transaction, so the registration exists; the
// reads are retried briefly all the same in case a read races the commit.
func (s *Store) claimedRegistration(ctx context.Context, programmeID, roundID, email string, claim map[string]types.AttributeValue) (*pairup.Registration, error) {
	pk := roundPK(programmeID, roundID)
	var c emailClaimItem
	if len(claim) > 0 {
		if err := unmarshal(claim, &c); err != nil {
			return nil, err
		}
	}
	for attempt := 0; ; attempt++ {
		if c.RegistrationID == "" {
			if _, err := s.getProjected(ctx, pk, emailSK(email), &c, attrRegistrationID); err != nil {
				return nil, err
			}
		}
		if c.RegistrationID != "" {
			var it registrationItem
			found, err := s.get(ctx, pk, registrationSK(c.RegistrationID), &it)
			if err != nil {
				return nil, err
			}
			if found {
				return &it.Registration, nil
			}
		}
		if attempt == conflictRetries {
			return nil, fmt.Errorf("the email is claimed by registration %q, which cannot be read", c.RegistrationID)
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
	}
}

// getProjected is get with a projection expression naming attrs.
func (s *Store) getProjected(ctx context.Context, pk, sk string, v any, attrs ...string) (found bool, err error) {
	names := make([]expression.NameBuilder, len(attrs))
	for i, a := range attrs {
		names[i] = expression.Name(a)
	}
	proj := expression.NamesList(names[0], names[1:]...)
	expr, err := expression.NewBuilder().WithProjection(proj).Build()
	if err != nil {
		return false, err
	}
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                aws.String(s.table),
		Key:                      key(pk, sk),
		ConsistentRead:           aws.Bool(true),
		ProjectionExpression:     expr.Projection(),
		ExpressionAttributeNames: expr.Names(),
	})
	if err != nil || len(out.Item) == 0 {
		return false, err
	}
	return true, unmarshal(out.Item, v)
}

// getRegistration reads a registration item; an expired pending one counts as absent.
func (s *Store) getRegistration(ctx context.Context, programmeID, roundID, id string) (*registrationItem, error) {
	var it registrationItem
	found, err := s.get(ctx, roundPK(programmeID, roundID), registrationSK(id), &it)
	if err != nil {
		return nil, err
	}
	if !found || expired(it.ExpiresAt, s.now()) {
		return nil, notFound("There is no registration %q in round %q.", id, roundID)
	}
	return &it, nil
}

// GetRegistration returns a registration. ENOTFOUND if absent, or pending and expired.
func (s *Store) GetRegistration(ctx context.Context, programmeID, roundID, id string) (*pairup.Registration, error) {
	it, err := s.getRegistration(ctx, programmeID, roundID, id)
	if err != nil {
		return nil, wrap(err, "get registration %s/%s/%s", programmeID, roundID, id)
	}
	return &it.Registration, nil
}

// ListRegistrations returns a round's registrations in the given status ("" for all), ordered
// by CreatedAt then id: a query of the round's partition for sort keys beginning REG#, filtered
// by status on the server, read to the last page. Expired pending registrations are left out.
func (s *Store) ListRegistrations(ctx context.Context, programmeID, roundID string, status pairup.Status) ([]pairup.Registration, error) {
	const op = "list registrations %s/%s %s"
	kc := expression.Key(attrPK).Equal(expression.Value(roundPK(programmeID, roundID))).
		And(expression.Key(attrSK).BeginsWith(prefixRegistration))
	var filter *expression.ConditionBuilder
	if status != "" {
		f := expression.Name(attrStatus).Equal(expression.Value(status))
		filter = &f
	}
	in, err := s.queryInput("", kc, filter)
	if err != nil {
		return nil, wrap(err, op, programmeID, roundID, status)
	}
	in.ConsistentRead = aws.Bool(true)
	items, err := s.query(ctx, in)
	if err != nil {
		return nil, wrap(err, op, programmeID, roundID, status)
	}
	return s.registrations(items)
}

// registrations decodes registration items, drops expired ones and sorts the rest by
// CreatedAt then id.
func (s *Store) registrations(items []map[string]types.AttributeValue) ([]pairup.Registration, error) {
	now := s.now()
	regs := make([]pairup.Registration, 0, len(items))
	for _, m := range items {
		var it registrationItem
		if err := unmarshal(m, &it); err != nil {
			return nil, wrap(err, "decode registration")
		}
		if !expired(it.ExpiresAt, now) {
			regs = append(regs, it.Registration)
		}
	}
	slices.SortFunc(regs, func(a, b pairup.Registration) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return regs, nil
}

// ParticipantRegistrations returns a participant's confirmed registrations across every round
// and programme, ordered by CreatedAt then id: a query of GSI1 for GSI1PK =
// PARTICIPANT#<participant id> (eventually consistent). An unknown participant has none.
func (s *Store) ParticipantRegistrations(ctx context.Context, participantID string) ([]pairup.Registration, error) {
	const op = "participant registrations %s"
	kc := expression.Key(attrGSI1PK).Equal(expression.Value(participantPK(participantID)))
	in, err := s.queryInput(indexGSI1, kc, nil)
	if err != nil {
		return nil, wrap(err, op, participantID)
	}
	items, err := s.query(ctx, in)
	if err != nil {
		return nil, wrap(err, op, participantID)
	}
	regs, err := s.registrations(items)
	if err != nil {
		return nil, wrap(err, op, participantID)
	}
	return regs, nil
}

// QueueConfirmation queues another confirmation email for a pending registration, as signing
// up again asks: in one transaction, it adds 1 to confirmSends and sets lastSentAt to now, on
// condition that the registration is pending and unexpired, confirmSends is still prevSends
// (no concurrent request queued one meanwhile) and under maxSends, and the last send was at or
// before notAfter (a cool-down); and it puts msg in the outbox if its key is new. Returns the
// updated registration; ELIMIT if the cap, the cool-down or a concurrent request stopped it;
// ENOTFOUND if absent or expired; EINVALID if msg is not queueable.
func (s *Store) QueueConfirmation(ctx context.Context, programmeID, roundID, id string, prevSends, maxSends int, notAfter time.Time, msg mail.Message) (*pairup.Registration, error) {
	const op = "queue confirmation %s/%s/%s"
	now := s.now()
	put, err := s.outboxPut(msg, now)
	if err != nil {
		return nil, wrap(err, op, programmeID, roundID, id)
	}
	update := expression.Set(expression.Name(attrConfirmSends), expression.Value(prevSends+1)).
		Set(expression.Name(attrLastSentAt), expression.Value(formatTime(now)))
	sends := expression.Name(attrConfirmSends).Equal(expression.Value(prevSends))
	if prevSends == 0 {
		sends = expression.Or(sends, expression.AttributeNotExists(expression.Name(attrConfirmSends)))
	}
	cond := expression.And(
		expression.Name(attrStatus).Equal(expression.Value(pairup.StatusPending)),
		notExpired(now),
		sends,
		expression.Or(
			expression.AttributeNotExists(expression.Name(attrLastSentAt)),
			expression.Name(attrLastSentAt).LessThanEqual(expression.Value(formatTime(notAfter))),
		),
	)
	if prevSends >= maxSends {
		return nil, wrap(capReached(prevSends), op, programmeID, roundID, id)
	}
	expr, err := expression.NewBuilder().WithUpdate(update).WithCondition(cond).Build()
	if err != nil {
		return nil, wrap(err, op, programmeID, roundID, id)
	}
	pk := roundPK(programmeID, roundID)
	for attempt := 0; ; attempt++ {
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{Update: &types.Update{
				TableName:                 aws.String(s.table),
				Key:                       key(pk, registrationSK(id)),
				UpdateExpression:          expr.Update(),
				ConditionExpression:       expr.Condition(),
				ExpressionAttributeNames:  expr.Names(),
				ExpressionAttributeValues: expr.Values(),
			}},
			{Put: put},
		}})
		reasons, ok := cancelled(err)
		if !ok {
			break
		}
		switch {
		case reasonCode(reasons, 0) == reasonConditionFailed:
			it, rerr := s.getRegistration(ctx, programmeID, roundID, id)
			switch {
			case rerr != nil:
				err = rerr
			case it.Status != pairup.StatusPending:
				err = pairup.Errorf(pairup.ELIMIT, "This signup is %s; no confirmation is needed.", it.Status)
			default:
				err = capReached(it.ConfirmSends)
			}
			return nil, wrap(err, op, programmeID, roundID, id)
		case reasonCode(reasons, 1) == reasonConditionFailed:
			return nil, wrap(capReached(prevSends), op, programmeID, roundID, id)
		case anyReason(reasons, reasonConflict) && attempt < conflictRetries:
			if err := backoff(ctx, attempt); err != nil {
				return nil, wrap(err, op, programmeID, roundID, id)
			}
			continue
		}
		break
	}
	if err != nil {
		return nil, wrap(err, op, programmeID, roundID, id)
	}
	it, err := s.getRegistration(ctx, programmeID, roundID, id)
	if err != nil {
		return nil, wrap(err, op, programmeID, roundID, id)
	}
	return &it.Registration, nil
}

func capReached(sends int) error {
	return pairup.Errorf(pairup.ELIMIT, "We have already sent you %d confirmation emails; please check your inbox or try again later.", sends)
}

// ConfirmRegistration confirms a pending registration at time at (see pairup.Store). It reads
// the registration and the person with its email (PERSON#<email>), then, in one transaction:
// creates the person if there was none (put if absent), updates the registration (status
// confirmed, confirmedAt, participantId, returning, GSI1 keys for the participant's index,
// ExpiresAt removed) on condition it is still pending and unexpired, and removes the email
// claim's ExpiresAt on condition it still names this registration. A transaction cancelled by a
// concurrent one (or by a person created meanwhile) is retried from the reads. Confirming a
// confirmed registration returns it unchanged. ENOTFOUND if absent or expired; ECONFLICT if
// withdrawn or if its email claim names another registration.
func (s *Store) ConfirmRegistration(ctx context.Context, programmeID, roundID, id string, at time.Time) (*pairup.Registration, error) {
	const op = "confirm registration %s/%s/%s"
	for attempt := 0; ; attempt++ {
		reg, retry, err := s.confirm(ctx, programmeID, roundID, id, at)
		if err == nil && !retry {
			return reg, nil
		}
		if err != nil {
			return nil, wrap(err, op, programmeID, roundID, id)
		}
		if attempt == conflictRetries {
			return nil, wrap(fmt.Errorf("still conflicting after %d attempts", attempt+1), op, programmeID, roundID, id)
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, wrap(err, op, programmeID, roundID, id)
		}
	}
}

// confirm makes one attempt at ConfirmRegistration; retry reports a transaction conflict.
func (s *Store) confirm(ctx context.Context, programmeID, roundID, id string, at time.Time) (reg *pairup.Registration, retry bool, err error) {
	it, err := s.getRegistration(ctx, programmeID, roundID, id)
	if err != nil {
		return nil, false, err
	}
	switch it.Status {
	case pairup.StatusConfirmed:
		return &it.Registration, false, nil
	case pairup.StatusPending:
	default:
		return nil, false, pairup.Errorf(pairup.ECONFLICT, "This registration was %s and cannot be confirmed.", it.Status)
	}

	var person personItem
	havePerson, err := s.get(ctx, personPK(it.Email), skPerson, &person)
	if err != nil {
		return nil, false, err
	}
	if !havePerson {
		pid, err := newParticipantID()
		if err != nil {
			return nil, false, err
		}
		person = personItem{
			PK: personPK(it.Email), SK: skPerson, ItemType: typePerson,
			ParticipantID: pid, Email: it.Email, FirstSeen: at,
			FirstProgrammeID: programmeID, FirstRoundID: roundID,
		}
	}
	returning := person.FirstProgrammeID != programmeID || person.FirstRoundID != roundID

	now := s.now()
	pk := roundPK(programmeID, roundID)
	regUpdate := expression.Set(expression.Name(attrStatus), expression.Value(pairup.StatusConfirmed)).
		Set(expression.Name(attrConfirmedAt), expression.Value(formatTime(at))).
		Set(expression.Name(attrParticipantID), expression.Value(person.ParticipantID)).
		Set(expression.Name(attrReturning), expression.Value(returning)).
		Set(expression.Name(attrGSI1PK), expression.Value(participantPK(person.ParticipantID))).
		Set(expression.Name(attrGSI1SK), expression.Value(participantSK(programmeID, roundID))).
		Remove(expression.Name(attrExpiresAt))
	regCond := expression.Name(attrStatus).Equal(expression.Value(pairup.StatusPending)).And(notExpired(now))
	regExpr, err := expression.NewBuilder().WithUpdate(regUpdate).WithCondition(regCond).Build()
	if err != nil {
		return nil, false, err
	}
	claimExpr, err := expression.NewBuilder().
		WithUpdate(expression.Remove(expression.Name(attrExpiresAt))).
		WithCondition(expression.Name(attrRegistrationID).Equal(expression.Value(id))).
		Build()
	if err != nil {
		return nil, false, err
	}
	items := []types.TransactWriteItem{
		{Update: &types.Update{
			TableName:                 aws.String(s.table),
			Key:                       key(pk, registrationSK(id)),
			UpdateExpression:          regExpr.Update(),
			ConditionExpression:       regExpr.Condition(),
			ExpressionAttributeNames:  regExpr.Names(),
			ExpressionAttributeValues: regExpr.Values(),
		}},
		{Update: &types.Update{
			TableName:                 aws.String(s.table),
			Key:                       key(pk, emailSK(it.Email)),
			UpdateExpression:          claimExpr.Update(),
			ConditionExpression:       claimExpr.Condition(),
			ExpressionAttributeNames:  claimExpr.Names(),
			ExpressionAttributeValues: claimExpr.Values(),
		}},
	}
	if !havePerson {
		pm, err := marshal(person)
		if err != nil {
			return nil, false, err
		}
		absent, err := condition(expression.AttributeNotExists(expression.Name(attrPK)))
		if err != nil {
			return nil, false, err
		}
		items = append(items, types.TransactWriteItem{Put: &types.Put{
			TableName:                 aws.String(s.table),
			Item:                      pm,
			ConditionExpression:       absent.Condition(),
			ExpressionAttributeNames:  absent.Names(),
			ExpressionAttributeValues: absent.Values(),
		}})
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if reasons, ok := cancelled(err); ok {
		switch {
		case reasonCode(reasons, 0) == reasonConditionFailed:
			// No longer pending (confirmed or withdrawn meanwhile) or expired: the next
			// attempt's read says which.
			return nil, true, nil
		case reasonCode(reasons, 1) == reasonConditionFailed:
			return nil, false, pairup.Errorf(pairup.ECONFLICT, "This email address is registered for the round under another registration.")
		case reasonCode(reasons, 2) == reasonConditionFailed:
			// The person was created meanwhile (another round confirmed at the same time).
			return nil, true, nil
		case anyReason(reasons, reasonConflict):
			return nil, true, nil
		}
	}
	if err != nil {
		return nil, false, err
	}
	out := it.Registration
	out.Status = pairup.StatusConfirmed
	out.ConfirmedAt = at.UTC()
	out.ParticipantID = person.ParticipantID
	out.Returning = returning
	return &out, false, nil
}

func newParticipantID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
