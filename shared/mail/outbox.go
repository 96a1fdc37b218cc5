package mail

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Status is where a queued message stands in the outbox:
//
//	pending ──claim──▶ sending ──SES accepted──▶ sent
//	   ▲                  │ ├──permanent error──▶ failed (with the error code)
//	   └──throttled, or───┘ └──address suppressed─▶ skipped (with the reason)
//	      lease expired
//
// A message in sending holds a lease until LeaseUntil; when it expires (the mailer died, or
// SES hung past the deadline) the message may be claimed again, so nothing is lost.
type Status string

// Outbox states.
const (
	StatusPending Status = "pending"
	StatusSending Status = "sending"
	StatusSent    Status = "sent"
	StatusFailed  Status = "failed"
	StatusSkipped Status = "skipped"
)

// Queued is a message in the outbox with its delivery state.
type Queued struct {
	Message
	Status     Status
	CreatedAt  time.Time
	Attempts   int       // claims so far
	LeaseID    string    // the current claim's id, while sending
	LeaseUntil time.Time // while sending
	ProviderID string    // SES message id, once sent
	SentAt     time.Time
	Error      string // failed: the SES error code; skipped: the suppression reason
	Feedback   string // "bounce" or "complaint", if SES reported one
}

// MaxKeyLen bounds a message key: the key travels base64url-encoded in an SES tag value, which
// holds at most 256 characters.
const MaxKeyLen = 192

// MaxQueuedBytes bounds the stored size of a queued message: a DynamoDB item holds at most
// 400 KB, and the outbox item needs room for its delivery state. The outbox stores the text
// and HTML bodies as they are and each attachment's data gzip-compressed; the store refuses
// (EINVALID) a message whose item would be larger. ValidateQueued checks what it can without
// compressing: that the message without its attachments fits.
const MaxQueuedBytes = 350 * 1024

// ValidateQueued reports what stops m from being queued: an invalid message (Validate), a
// missing or over-long key, no List-Unsubscribe link (every email pairup sends carries a
// working one-click unsubscribe for its recipient), or subject, bodies and headers larger
// than MaxQueuedBytes together.
func (m Message) ValidateQueued() error {
	var errs []error
	switch {
	case m.Key == "":
		errs = append(errs, errors.New("no key"))
	case len(m.Key) > MaxKeyLen:
		errs = append(errs, fmt.Errorf("key longer than %d bytes", MaxKeyLen))
	case strings.ContainsAny(m.Key, "\r\n"):
		errs = append(errs, errors.New("key has a line break"))
	}
	if m.ListUnsubscribe == "" {
		errs = append(errs, errors.New("no List-Unsubscribe link"))
	}
	if n := m.sizeWithoutAttachments(); n > MaxQueuedBytes {
		errs = append(errs, fmt.Errorf("message of %d bytes without attachments, more than an outbox item holds (%d)", n, MaxQueuedBytes))
	}
	if err := m.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (m Message) sizeWithoutAttachments() int {
	n := len(m.Key) + len(m.To) + len(m.Subject) + len(m.Text) + len(m.HTML) + len(m.ListUnsubscribe)
	for k, v := range m.Tags {
		n += len(k) + len(v)
	}
	return n
}

// TagOutbox is the SES email tag that carries a message's outbox key, so that SES's bounce and
// complaint events name the message. SES tag values allow only letters, digits, '_' and '-',
// so the key travels base64url-encoded (OutboxTagValue).
const TagOutbox = "outbox"

var tagEncoding = base64.RawURLEncoding

// OutboxTagValue returns the value of the TagOutbox tag for the message with key.
func OutboxTagValue(key string) string { return tagEncoding.EncodeToString([]byte(key)) }

// KeyFromOutboxTag decodes a TagOutbox value; false if it is not one.
func KeyFromOutboxTag(v string) (string, bool) {
	b, err := tagEncoding.Strict().DecodeString(v)
	if v == "" || err != nil || len(b) == 0 || !utf8.Valid(b) {
		return "", false
	}
	return string(b), true
}
