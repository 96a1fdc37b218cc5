package sesevents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
)

// Store is what the handler needs of the store.
type Store interface {
	// Suppress records that no more email goes to email (normalised), and why.
	Suppress(ctx context.Context, email string, reason pairup.SuppressionReason, at time.Time) error
	// MarkMessageFeedback records on the outbox message with key that its recipient bounced or
	// complained. ENOTFOUND (pairup.ErrorCode) if there is no such message.
	MarkMessageFeedback(ctx context.Context, key string, feedback pairup.SuppressionReason, at time.Time) error
}

// Handler handles the SNS events that carry SES bounce and complaint notifications.
type Handler struct {
	Store Store
	Clock pairup.Clock // nil means pairup.SystemClock
	Log   *slog.Logger // nil means slog.Default()
}

// Result counts what one invocation did; the Lambda console shows it as the function's result.
type Result struct {
	// Records is the number of SNS records in the event.
	Records int `json:"records"`
	// Bounces and Complaints count the bounce notifications (of any bounce type) and the
	// complaint notifications read.
	Bounces    int `json:"bounces"`
	Complaints int `json:"complaints"`
	// Suppressed counts the addresses suppressed.
	Suppressed int `json:"suppressed"`
	// Marked counts the outbox messages marked as bounced or complained about.
	Marked int `json:"marked"`
	// Ignored counts the records that suppressed nothing: transient and undetermined bounces,
	// other event types, and messages that are not SES notifications.
	Ignored int `json:"ignored"`
	// InvalidAddresses counts bounced or complained recipients whose address does not
	// normalise (see pairup.NormaliseEmail); they are skipped.
	InvalidAddresses int `json:"invalidAddresses"`
}

// SES notification types and bounce types.
const (
	typeBounce    = "Bounce"
	typeComplaint = "Complaint"

	bouncePermanent = "Permanent"
)

// notification is the part of an SES event-publishing notification (or an older identity
// feedback notification, which names its type notificationType) that Handler reads.
type notification struct {
	EventType        string     `json:"eventType"`
	NotificationType string     `json:"notificationType"`
	Mail             mailObject `json:"mail"`
	Bounce           *bounce    `json:"bounce"`
	Complaint        *complaint `json:"complaint"`
}

func (n *notification) kind() string {
	if n.EventType != "" {
		return n.EventType
	}
	return n.NotificationType
}

type mailObject struct {
	MessageID string              `json:"messageId"`
	Tags      map[string][]string `json:"tags"`
}

type bounce struct {
	BounceType        string      `json:"bounceType"`
	BounceSubType     string      `json:"bounceSubType"`
	BouncedRecipients []recipient `json:"bouncedRecipients"`
	FeedbackID        string      `json:"feedbackId"`
}

type complaint struct {
	ComplainedRecipients  []recipient `json:"complainedRecipients"`
	ComplaintFeedbackType string      `json:"complaintFeedbackType"`
	FeedbackID            string      `json:"feedbackId"`
}

type recipient struct {
	EmailAddress string `json:"emailAddress"`
}

// Handle suppresses the recipients of the permanent bounces and complaints in ev and marks
// their outbox messages. It returns an error only when the store fails, so Lambda retries the
// event; everything it does is safe to repeat.
func (h *Handler) Handle(ctx context.Context, ev events.SNSEvent) (Result, error) {
	log := h.Log
	if log == nil {
		log = slog.Default()
	}
	var clock pairup.Clock = pairup.SystemClock{}
	if h.Clock != nil {
		clock = h.Clock
	}
	now := clock.Now()
	res := Result{Records: len(ev.Records)}
	for _, rec := range ev.Records {
		if err := h.record(ctx, log, rec.SNS, now, &res); err != nil {
			log.ErrorContext(ctx, "ses event failed; the event will be retried", "snsMessageId", rec.SNS.MessageID, "code", errorCode(err))
			return res, err
		}
	}
	log.InfoContext(ctx, "ses events handled", "records", res.Records, "bounces", res.Bounces,
		"complaints", res.Complaints, "suppressed", res.Suppressed, "marked", res.Marked,
		"ignored", res.Ignored, "invalidAddresses", res.InvalidAddresses)
	return res, nil
}

func (h *Handler) record(ctx context.Context, log *slog.Logger, msg events.SNSEntity, now time.Time, res *Result) error {
	var n notification
	if err := json.Unmarshal([]byte(msg.Message), &n); err != nil {
		res.Ignored++
		log.WarnContext(ctx, "ses event ignored: message is not an SES notification", "snsMessageId", msg.MessageID)
		return nil
	}
	log = log.With("sesMessageId", n.Mail.MessageID, "eventType", n.kind())

	var reason pairup.SuppressionReason
	var recipients []recipient
	switch n.kind() {
	case typeBounce:
		res.Bounces++
		if n.Bounce == nil {
			res.Ignored++
			log.WarnContext(ctx, "ses event ignored: bounce notification without a bounce object")
			return nil
		}
		log = log.With("bounceType", n.Bounce.BounceType, "bounceSubType", n.Bounce.BounceSubType)
		if n.Bounce.BounceType != bouncePermanent {
			res.Ignored++
			log.InfoContext(ctx, "ses event ignored: bounce is not permanent", "recipients", len(n.Bounce.BouncedRecipients))
			return nil
		}
		reason, recipients = pairup.SuppressBounce, n.Bounce.BouncedRecipients
	case typeComplaint:
		res.Complaints++
		if n.Complaint == nil {
			res.Ignored++
			log.WarnContext(ctx, "ses event ignored: complaint notification without a complaint object")
			return nil
		}
		log = log.With("complaintFeedbackType", n.Complaint.ComplaintFeedbackType)
		reason, recipients = pairup.SuppressComplaint, n.Complaint.ComplainedRecipients
	default:
		res.Ignored++
		log.InfoContext(ctx, "ses event ignored: not a bounce or complaint")
		return nil
	}

	suppressed := 0
	for i, r := range recipients {
		email, msg := pairup.NormaliseEmail(r.EmailAddress)
		if msg != "" {
			res.InvalidAddresses++
			log.WarnContext(ctx, "ses event: recipient address skipped, it does not normalise", "recipient", i, "problem", msg)
			continue
		}
		if err := h.Store.Suppress(ctx, email, reason, now); err != nil {
			return fmt.Errorf("sesevents: suppress recipient %d of SES message %s (%s): %w", i, n.Mail.MessageID, reason, err)
		}
		suppressed++
	}
	res.Suppressed += suppressed
	log.InfoContext(ctx, "ses event: recipients suppressed", "reason", string(reason), "suppressed", suppressed, "recipients", len(recipients))

	key, ok := outboxKey(n.Mail.Tags)
	if !ok {
		log.WarnContext(ctx, "ses event: no outbox message to mark: the outbox tag is missing or not base64url")
		return nil
	}
	log = log.With("outbox", key)
	err := h.Store.MarkMessageFeedback(ctx, key, reason, now)
	switch {
	case pairup.ErrorCode(err) == pairup.ENOTFOUND:
		log.WarnContext(ctx, "ses event: no such outbox message to mark")
		return nil
	case err != nil:
		return fmt.Errorf("sesevents: mark outbox message %s (%s) of SES message %s: %w", key, reason, n.Mail.MessageID, err)
	}
	res.Marked++
	log.InfoContext(ctx, "ses event: outbox message marked", "feedback", string(reason))
	return nil
}

// outboxKey returns the outbox key carried by tags, or false if the outbox tag is missing or
// does not decode to a key.
func outboxKey(tags map[string][]string) (string, bool) {
	vals := tags[mail.TagOutbox]
	if len(vals) == 0 {
		return "", false
	}
	return mail.KeyFromOutboxTag(vals[0])
}

// errorCode is what a log may say of err: the AWS API's error code (smithy's APIError), else
// the domain's code. Never the error's text, which can hold the request's data.
func errorCode(err error) string {
	var api interface{ ErrorCode() string }
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return pairup.ErrorCode(err)
}
