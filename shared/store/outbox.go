package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"golang.org/x/sync/errgroup"

	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
)

const (
	prefixOutbox = "OUTBOX#"
	skOutbox     = "OUTBOX"
	typeOutbox   = "outbox"
	// gsiUnsent is the GSI1 partition of messages not yet sent (pending or sending): the sparse
	// index the sweep reads. GSI1SK is "<due time>#<key>", the time from which a sweep may
	// claim the message.
	gsiUnsent = "OUTBOX"
	// outboxTTL is how long a message record is kept: a retry or re-run within it queues and
	// sends nothing new.
	outboxTTL = 400 * 24 * time.Hour
	// SweepGrace is how long a new pending message is left to the stream before a sweep may
	// claim it too (the claim is conditional either way; this only saves work).
	SweepGrace = time.Minute
	// enqueueWorkers bounds the concurrent conditional puts of one Enqueue.
	enqueueWorkers = 8
)

// Outbox item attribute names used in expressions.
const (
	attrLeaseID     = "leaseId"
	attrLeaseUntil  = "leaseUntil"
	attrAttempts    = "attempts"
	attrError       = "error"
	attrFeedback    = "feedback"
	attrFeedbackAt  = "feedbackAt"
	attrSubject     = "subject"
	attrText        = "text"
	attrHTML        = "html"
	attrAttachments = "attachments"
	attrAbout       = "about"
	attrErasedAt    = "erasedAt"
)

type outboxItem struct {
	PK              string            `json:"PK"`
	SK              string            `json:"SK"`
	GSI1PK          string            `json:"GSI1PK,omitempty"`
	GSI1SK          string            `json:"GSI1SK,omitempty"`
	ExpiresAt       int64             `json:"ExpiresAt"`
	ItemType        string            `json:"itemType"`
	Key             string            `json:"key"`
	Status          mail.Status       `json:"status"`
	To              string            `json:"to"`
	Subject         string            `json:"subject"`
	Text            string            `json:"text,omitempty"`
	HTML            string            `json:"html,omitempty"`
	ListUnsubscribe string            `json:"listUnsubscribe"`
	Tags            map[string]string `json:"tags,omitempty"`
	CreatedAt       time.Time         `json:"createdAt"`
	Attempts        int               `json:"attempts"`
	LeaseID         string            `json:"leaseId,omitempty"`
	LeaseUntil      time.Time         `json:"leaseUntil,omitzero"`
	ProviderID      string            `json:"providerId,omitempty"`
	SentAt          time.Time         `json:"sentAt,omitzero"`
	Error           string            `json:"error,omitempty"`
	Feedback        string            `json:"feedback,omitempty"`
	FeedbackAt      time.Time         `json:"feedbackAt,omitzero"`
	// Attachments are the message's attachments, each one's data gzip-compressed (a binary
	// attribute), so that a CSV of a few hundred rows fits the item easily.
	Attachments []storedAttachment `json:"attachments,omitempty"`
	// About names whom the message speaks of beyond its key (mail.Message.About).
	About []string `json:"about,omitempty"`
	// An erasure that cancels the message or takes its address sets erasedAt (erasure.go); it
	// is not a field, as the encoder would store a zero time on every message.
}

type storedAttachment struct {
	FileName    string `json:"fileName"`
	ContentType string `json:"contentType"`
	Gzip        []byte `json:"gzip"`
	Inline      bool   `json:"inline,omitempty"`    // shown in the HTML body (mail.Attachment.Inline)
	ContentID   string `json:"contentId,omitempty"` // its cid: name
}

func storeAttachments(as []mail.Attachment) ([]storedAttachment, error) {
	if len(as) == 0 {
		return nil, nil
	}
	out := make([]storedAttachment, len(as))
	for i, a := range as {
		var b bytes.Buffer
		zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
		if err != nil {
			return nil, err
		}
		if _, err := zw.Write(a.Data); err != nil {
			return nil, err
		}
		if err := zw.Close(); err != nil {
			return nil, err
		}
		out[i] = storedAttachment{FileName: a.FileName, ContentType: a.ContentType, Gzip: b.Bytes(), Inline: a.Inline, ContentID: a.ContentID}
	}
	return out, nil
}

// loadAttachments decompresses stored attachments. One that does not decompress (which only a
// corrupted item can hold) comes back with no data, which mail.Message.Validate refuses, so the
// mailer fails the message rather than retrying it until its attempts run out.
func loadAttachments(stored []storedAttachment) []mail.Attachment {
	if len(stored) == 0 {
		return nil
	}
	out := make([]mail.Attachment, len(stored))
	for i, a := range stored {
		out[i] = mail.Attachment{FileName: a.FileName, ContentType: a.ContentType, Data: gunzip(a.Gzip), Inline: a.Inline, ContentID: a.ContentID}
	}
	return out
}

// gunzip returns the data compressed in z, or nil if z is not gzip data of at most
// mail.MaxAttachmentBytes.
func gunzip(z []byte) []byte {
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(zr, mail.MaxAttachmentBytes+1))
	if err != nil || len(data) > mail.MaxAttachmentBytes {
		return nil
	}
	return data
}

// itemSize returns the size DynamoDB counts for an item: each attribute's name and value (a
// number counted at its largest, 21 bytes, which is more than any the outbox stores).
func itemSize(item map[string]types.AttributeValue) int {
	n := 0
	for k, v := range item {
		n += len(k) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return 21
	case *types.AttributeValueMemberM:
		return 3 + itemSize(v.Value)
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range v.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberSS:
		n := 0
		for _, e := range v.Value {
			n += len(e)
		}
		return n
	default: // BOOL, NULL; the outbox stores no other sets
		return 1
	}
}

func outboxPK(k string) string { return prefixOutbox + k }

func outboxKey(k string) map[string]types.AttributeValue { return key(outboxPK(k), skOutbox) }

func dueKey(due time.Time, k string) string { return formatTime(due) + "#" + k }

func (it *outboxItem) queued() *mail.Queued {
	return &mail.Queued{
		Message: mail.Message{
			Key: it.Key, To: it.To, Subject: it.Subject, Text: it.Text, HTML: it.HTML,
			ListUnsubscribe: it.ListUnsubscribe, Tags: it.Tags, Attachments: loadAttachments(it.Attachments),
			About: it.About,
		},
		Status: it.Status, CreatedAt: it.CreatedAt, Attempts: it.Attempts,
		LeaseID: it.LeaseID, LeaseUntil: it.LeaseUntil, ProviderID: it.ProviderID, SentAt: it.SentAt,
		Error: it.Error, Feedback: it.Feedback,
	}
}

// outboxPut is the conditional put that queues m as pending at now: it applies only if no
// message with m's key exists, so queuing is idempotent. EINVALID if m is not queueable or its
// item, attachments compressed, would be larger than mail.MaxQueuedBytes.
func (s *Store) outboxPut(m mail.Message, now time.Time) (*types.Put, error) {
	if err := m.ValidateQueued(); err != nil {
		return nil, pairup.Errorf(pairup.EINVALID, "Message %q cannot be queued: %v.", m.Key, err)
	}
	attachments, err := storeAttachments(m.Attachments)
	if err != nil {
		return nil, err
	}
	item, err := marshal(outboxItem{
		PK: outboxPK(m.Key), SK: skOutbox, GSI1PK: gsiUnsent, GSI1SK: dueKey(now.Add(SweepGrace), m.Key),
		ExpiresAt: now.Add(outboxTTL).Unix(), ItemType: typeOutbox,
		Key: m.Key, Status: mail.StatusPending, To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML,
		ListUnsubscribe: m.ListUnsubscribe, Tags: m.Tags, CreatedAt: now, Attachments: attachments,
		About: m.About,
	})
	if err != nil {
		return nil, err
	}
	if n := itemSize(item); n > mail.MaxQueuedBytes {
		return nil, pairup.Errorf(pairup.EINVALID,
			"Message %q cannot be queued: it would be stored in %d bytes (attachments compressed), more than %d.",
			m.Key, n, mail.MaxQueuedBytes)
	}
	cond, err := condition(expression.AttributeNotExists(expression.Name(attrPK)))
	if err != nil {
		return nil, err
	}
	return &types.Put{
		TableName:                 aws.String(s.table),
		Item:                      item,
		ConditionExpression:       cond.Condition(),
		ExpressionAttributeNames:  cond.Names(),
		ExpressionAttributeValues: cond.Values(),
	}, nil
}

// Enqueue queues messages as pending, each with a conditional put on its key, so that a retry
// or re-run queues nothing twice. It is for runs larger than a transaction (introductions to a
// whole round), written in idempotent batches after the state change that causes them; a
// single message that belongs to a state change goes in that change's transaction instead (as
// Register does). Returns how many were new. EINVALID (nothing queued) if a message is not
// queueable (mail.Message.ValidateQueued) or two share a key.
func (s *Store) Enqueue(ctx context.Context, msgs []mail.Message) (queued int, err error) {
	const op = "enqueue %d messages"
	now := s.now()
	puts := make([]*types.Put, len(msgs))
	seen := make(map[string]bool, len(msgs))
	for i, m := range msgs {
		if seen[m.Key] {
			return 0, wrap(pairup.Errorf(pairup.EINVALID, "Message key %q appears twice.", m.Key), op, len(msgs))
		}
		seen[m.Key] = true
		if puts[i], err = s.outboxPut(m, now); err != nil {
			return 0, wrap(err, op, len(msgs))
		}
	}
	var n atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(enqueueWorkers)
	for _, p := range puts {
		g.Go(func() error {
			_, err := s.db.PutItem(gctx, &dynamodb.PutItemInput{
				TableName: p.TableName, Item: p.Item, ConditionExpression: p.ConditionExpression,
				ExpressionAttributeNames: p.ExpressionAttributeNames, ExpressionAttributeValues: p.ExpressionAttributeValues,
			}, retryConflicts)
			if _, exists := conditionFailed(err); exists {
				return nil // queued before: a re-run
			}
			if err == nil {
				n.Add(1)
			}
			return err
		})
	}
	err = g.Wait()
	queued = int(n.Load())
	if err != nil {
		return queued, wrap(err, op, len(msgs))
	}
	return queued, nil
}

// GetMessage returns a queued message. ENOTFOUND if there is none with key.
func (s *Store) GetMessage(ctx context.Context, key string) (*mail.Queued, error) {
	var it outboxItem
	found, err := s.get(ctx, outboxPK(key), skOutbox, &it)
	if err != nil {
		return nil, wrap(err, "get message %s", key)
	}
	if !found {
		return nil, wrap(notFound("There is no message %q.", key), "get message %s", key)
	}
	return it.queued(), nil
}

// ClaimMessage takes a lease on a message so that only this caller sends it: one conditional
// update that sets status sending, a new lease id, leaseUntil = now + lease and counts the
// attempt, if the message is pending or its lease has expired. The message's sweep position
// moves to the lease's end, so a sweep finds it again only if the lease runs out. Returns the
// claimed message, or ok false if it is not claimable (absent, sent, failed, skipped, or leased
// to someone else).
func (s *Store) ClaimMessage(ctx context.Context, key string, lease time.Duration) (q *mail.Queued, ok bool, err error) {
	const op = "claim message %s"
	now := s.now()
	until := now.Add(lease)
	leaseID, err := newLeaseID()
	if err != nil {
		return nil, false, wrap(err, op, key)
	}
	update := expression.Set(expression.Name(attrStatus), expression.Value(mail.StatusSending)).
		Set(expression.Name(attrLeaseID), expression.Value(leaseID)).
		Set(expression.Name(attrLeaseUntil), expression.Value(formatTime(until))).
		Set(expression.Name(attrGSI1SK), expression.Value(dueKey(until, key))).
		Add(expression.Name(attrAttempts), expression.Value(1))
	cond := expression.Or(
		expression.Name(attrStatus).Equal(expression.Value(mail.StatusPending)),
		expression.Name(attrStatus).Equal(expression.Value(mail.StatusSending)).
			And(expression.Name(attrLeaseUntil).LessThanEqual(expression.Value(formatTime(now)))),
	)
	expr, err := expression.NewBuilder().WithUpdate(update).WithCondition(cond).Build()
	if err != nil {
		return nil, false, wrap(err, op, key)
	}
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       outboxKey(key),
		UpdateExpression:          expr.Update(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ReturnValues:              types.ReturnValueAllNew,
	}, retryConflicts)
	if _, failed := conditionFailed(err); failed {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, wrap(err, op, key)
	}
	var it outboxItem
	if err := unmarshal(out.Attributes, &it); err != nil {
		return nil, false, wrap(err, op, key)
	}
	return it.queued(), true, nil
}

// MarkSent records that SES accepted a message: status sent, the provider's id, sentAt. The
// message leaves the unsent index for its recipient's (retire): its subject, bodies and
// attachments are dropped, as nothing needs them once sent. It applies unless the message is
// already sent (a lease that expired while SES was slow may have let another sender send and
// mark it; the first mark stays) or an erasure cancelled it meanwhile (the record stays erased).
func (s *Store) MarkSent(ctx context.Context, key, providerID string) error {
	now := s.now()
	update := retire(expression.Set(expression.Name(attrStatus), expression.Value(mail.StatusSent)).
		Set(expression.Name(attrProviderID), expression.Value(providerID)).
		Set(expression.Name(attrSentAt), expression.Value(formatTime(now))), key, now)
	cond := exists().And(expression.Name(attrStatus).NotEqual(expression.Value(mail.StatusSent))).
		And(expression.AttributeNotExists(expression.Name(attrErasedAt)))
	err := s.updateMessage(ctx, key, update, cond)
	if _, failed := conditionFailed(err); failed {
		return nil
	}
	if err != nil {
		return wrap(err, "mark message sent %s", key)
	}
	return nil
}

// MarkFailed ends a message the provider refused for good (status failed, with the error
// code), if the caller still holds the lease leaseID. ECONFLICT if it does not.
func (s *Store) MarkFailed(ctx context.Context, key, leaseID, code string) error {
	return s.finish(ctx, "mark message failed %s", key, leaseID, mail.StatusFailed, code)
}

// MarkSkipped ends a message that must not go (status skipped: the address is suppressed, with
// the reason), if the caller still holds the lease leaseID. ECONFLICT if it does not.
func (s *Store) MarkSkipped(ctx context.Context, key, leaseID, reason string) error {
	return s.finish(ctx, "mark message skipped %s", key, leaseID, mail.StatusSkipped, reason)
}

func (s *Store) finish(ctx context.Context, op, key, leaseID string, status mail.Status, why string) error {
	update := retire(expression.Set(expression.Name(attrStatus), expression.Value(status)).
		Set(expression.Name(attrError), expression.Value(why)), key, s.now())
	err := s.updateMessage(ctx, key, update, holds(leaseID))
	if _, failed := conditionFailed(err); failed {
		err = pairup.Errorf(pairup.ECONFLICT, "Message %q is no longer leased by this sender.", key)
	}
	if err != nil {
		return wrap(err, op, key)
	}
	return nil
}

// ReleaseMessage gives a leased message back (status pending) to be claimed from due on, by a
// sweep: after throttling, or when SES paused sending. The claim's attempt is given back too
// (attempts − 1): SES refused the message for the account's sake, not the message's, so an hours-
// long pause never uses up a message's attempts. ECONFLICT if the caller no longer holds the
// lease leaseID.
func (s *Store) ReleaseMessage(ctx context.Context, key, leaseID string, due time.Time) error {
	update := expression.Set(expression.Name(attrStatus), expression.Value(mail.StatusPending)).
		Set(expression.Name(attrGSI1SK), expression.Value(dueKey(due, key))).
		Add(expression.Name(attrAttempts), expression.Value(-1)).
		Remove(expression.Name(attrLeaseID)).Remove(expression.Name(attrLeaseUntil))
	err := s.updateMessage(ctx, key, update, holds(leaseID))
	if _, failed := conditionFailed(err); failed {
		err = pairup.Errorf(pairup.ECONFLICT, "Message %q is no longer leased by this sender.", key)
	}
	if err != nil {
		return wrap(err, "release message %s", key)
	}
	return nil
}

// MarkMessageFeedback records on a message that its recipient bounced or complained (from SES's
// event). ENOTFOUND if there is no such message.
func (s *Store) MarkMessageFeedback(ctx context.Context, key string, feedback pairup.SuppressionReason, at time.Time) error {
	update := expression.Set(expression.Name(attrFeedback), expression.Value(string(feedback))).
		Set(expression.Name(attrFeedbackAt), expression.Value(formatTime(at)))
	err := s.updateMessage(ctx, key, update, exists())
	if _, failed := conditionFailed(err); failed {
		err = notFound("There is no message %q.", key)
	}
	if err != nil {
		return wrap(err, "mark message feedback %s", key)
	}
	return nil
}

// DueMessages returns the keys of up to limit unsent messages a sweep may claim now — pending
// ones past their due time and sending ones whose lease has expired — oldest due first: a query
// of GSI1's sparse OUTBOX partition for GSI1SK before now (eventually consistent; the claim
// decides).
func (s *Store) DueMessages(ctx context.Context, limit int) ([]string, error) {
	// GSI1SK is "<fixed-width time>#<key>"; '$' sorts just after '#', so every due time up to
	// and including now sorts before formatTime(now)+"$".
	return s.unsent(ctx, "due messages", limit, expression.Key(attrGSI1PK).Equal(expression.Value(gsiUnsent)).
		And(expression.Key(attrGSI1SK).LessThan(expression.Value(formatTime(s.now())+"$"))))
}

// UnsentMessages returns the keys of up to limit messages not yet sent (pending or sending),
// whenever they are due, oldest due first: the outbox's backlog (GSI1's OUTBOX partition;
// eventually consistent).
func (s *Store) UnsentMessages(ctx context.Context, limit int) ([]string, error) {
	return s.unsent(ctx, "unsent messages", limit, expression.Key(attrGSI1PK).Equal(expression.Value(gsiUnsent)))
}

func (s *Store) unsent(ctx context.Context, op string, limit int, kc expression.KeyConditionBuilder) ([]string, error) {
	in, err := s.queryInput(indexGSI1, kc, nil)
	if err != nil {
		return nil, wrap(err, op)
	}
	in.ProjectionExpression = aws.String("#k")
	in.ExpressionAttributeNames["#k"] = "key"
	var keys []string
	p := dynamodb.NewQueryPaginator(s.db, in)
	for p.HasMorePages() && len(keys) < limit {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, wrap(err, op)
		}
		for _, m := range out.Items {
			var it struct {
				Key string `json:"key"`
			}
			if err := unmarshal(m, &it); err != nil {
				return nil, wrap(err, op)
			}
			if len(keys) < limit {
				keys = append(keys, it.Key)
			}
		}
	}
	return keys, nil
}

// retire adds to update what every message that leaves the unsent states (sent, failed,
// skipped) goes through: its subject, bodies and attachments are dropped (the mailer and
// ses-events need only the key, the recipient and the delivery state after sending), its lease
// is removed, and it moves from the unsent index to its recipient's: GSI1PK becomes the address
// itself, copied from to by the update (every address holds '@', which no other GSI1 partition
// does), GSI1SK "<at>#<key>". Erasing a person finds their messages there (EraseSentMessages).
func retire(update expression.UpdateBuilder, key string, at time.Time) expression.UpdateBuilder {
	for _, a := range bodyAttrs {
		update = update.Remove(expression.Name(a))
	}
	return update.Set(expression.Name(attrGSI1PK), expression.Name(attrTo)).
		Set(expression.Name(attrGSI1SK), expression.Value(dueKey(at, key))).
		Remove(expression.Name(attrLeaseID)).Remove(expression.Name(attrLeaseUntil))
}

// bodyAttrs are what a message says: dropped once it leaves the unsent states.
var bodyAttrs = []string{attrSubject, attrText, attrHTML, attrAttachments}

// holds is the condition "the message is sending under lease leaseID".
func holds(leaseID string) expression.ConditionBuilder {
	return expression.Name(attrStatus).Equal(expression.Value(mail.StatusSending)).
		And(expression.Name(attrLeaseID).Equal(expression.Value(leaseID)))
}

func (s *Store) updateMessage(ctx context.Context, key string, update expression.UpdateBuilder, cond expression.ConditionBuilder) error {
	expr, err := expression.NewBuilder().WithUpdate(update).WithCondition(cond).Build()
	if err != nil {
		return err
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       outboxKey(key),
		UpdateExpression:          expr.Update(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}, retryConflicts)
	return err
}

func newLeaseID() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("lease id: %w", err)
	}
	return hex.EncodeToString(b), nil
}
