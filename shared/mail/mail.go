package mail

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Message is one email to one recipient.
type Message struct {
	// Key names the logical message in the outbox, deterministically: purpose, round,
	// recipient, sequence (e.g. "confirm/<registration>/2", "intro/iln/2026-1/<pair>/<person>").
	// Queuing a key twice queues it once, so a retried or re-run function sends nothing new.
	Key string

	To      string // the recipient's address
	Subject string
	Text    string // plain-text body
	HTML    string // HTML body; optional, but every pairup template has one

	// ListUnsubscribe, if set, is the http(s) URL that unsubscribes the
	// recipient. It is sent as the List-Unsubscribe header together with
	// List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058), so the
	// URL must accept a POST and unsubscribe without further questions.
	ListUnsubscribe string

	// Tags label the message for logs and SES event metrics, e.g. kind
	// ("confirm") and programme id. They must hold no personal data.
	Tags map[string]string

	// Attachments are files sent with the message (such as a matching
	// proposal's CSV), in order. Together they hold at most
	// MaxAttachmentBytes.
	Attachments []Attachment

	// About names the people the message speaks of whom its Key does not
	// name: registration ids (an introduction's partners, the mentees a
	// coordinators' digest lists), or AboutRound for a message that lists
	// a whole round (a matching proposal). A key names the registrations
	// among its '/'- and '+'-separated parts (the recipient's, a pair's
	// members). Erasing a person cancels the unsent messages that are
	// about them, found by both (package erasure).
	About []string
}

// AboutRound is the About entry of a message that lists everyone in a
// round.
func AboutRound(programmeID, roundID string) string {
	return "round:" + programmeID + "/" + roundID
}

// Attachment is a file attached to a Message.
type Attachment struct {
	// FileName is the name the recipient sees: a plain file name such as
	// "proposal-2026-1.csv", with no directory, no line break or other
	// control character, at most MaxFileNameLen bytes.
	FileName string
	// ContentType is the file's MIME type with its parameters, e.g.
	// "text/csv; charset=utf-8".
	ContentType string
	// Data is the file's content, not encoded.
	Data []byte
	// Inline marks a part the HTML body shows (an image it references as "cid:" + ContentID)
	// rather than a file to save: it is sent with disposition inline. See [CIDURL].
	Inline bool
	// ContentID names an inline part for the HTML body's cid: URLs: required when Inline,
	// unique within the message, at most MaxContentIDLen bytes of letters, digits and
	// '.', '-', '_', '@' (no angle brackets: the sender adds them).
	ContentID string
}

// Attachment limits. SES accepts a message of at most 10 MB after encoding,
// and base64 makes an attachment a third larger again (plus line breaks), so
// the attachments of one message hold at most 7 MB before encoding. A queued
// message is limited much further by the outbox (MaxQueuedBytes).
const (
	MaxAttachmentBytes = 7_000_000
	MaxFileNameLen     = 255
)

// Sender delivers messages.
type Sender interface {
	// Send delivers m and returns the id the delivery service gave it.
	Send(ctx context.Context, m Message) (messageID string, err error)
}

// Kind returns the message's "kind" tag, or "" if it has none.
func (m Message) Kind() string { return m.Tags["kind"] }

// Validate reports what makes m unsendable: no recipient or subject, no body,
// a line break where a header value goes, a List-Unsubscribe value that is
// not an absolute http(s) URL, or an attachment that is empty, has no plain
// file name or no valid content type, an inline part without a valid and unique
// content id, or attachments larger than MaxAttachmentBytes together.
func (m Message) Validate() error {
	var errs []error
	switch {
	case strings.TrimSpace(m.To) == "":
		errs = append(errs, errors.New("no recipient"))
	case strings.ContainsAny(m.To, "\r\n,;"):
		errs = append(errs, errors.New("recipient is not a single address"))
	}
	if strings.TrimSpace(m.Subject) == "" {
		errs = append(errs, errors.New("no subject"))
	} else if strings.ContainsAny(m.Subject, "\r\n") {
		errs = append(errs, errors.New("subject has a line break"))
	}
	if m.Text == "" && m.HTML == "" {
		errs = append(errs, errors.New("no body"))
	}
	errs = append(errs, validateAttachments(m.Attachments)...)
	if m.ListUnsubscribe != "" {
		u, err := url.Parse(m.ListUnsubscribe)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			strings.ContainsAny(m.ListUnsubscribe, "\r\n<> ") {
			errs = append(errs, errors.New("ListUnsubscribe is not an absolute http(s) URL"))
		}
	}
	return errors.Join(errs...)
}

func validateAttachments(as []Attachment) []error {
	var errs []error
	total := 0
	for i, a := range as {
		// The file name may be personal (it names no one in pairup, but it
		// is the caller's), so errors name the attachment by position.
		if err := validateFileName(a.FileName); err != nil {
			errs = append(errs, fmt.Errorf("attachment %d: file name %v", i+1, err))
		}
		if err := validateContentType(a.ContentType); err != nil {
			errs = append(errs, fmt.Errorf("attachment %d: content type %v", i+1, err))
		}
		if len(a.Data) == 0 {
			errs = append(errs, fmt.Errorf("attachment %d is empty", i+1))
		}
		total += len(a.Data)
	}
	errs = append(errs, validateInline(as)...)
	if total > MaxAttachmentBytes {
		errs = append(errs, fmt.Errorf("attachments hold %d bytes, more than %d", total, MaxAttachmentBytes))
	}
	return errs
}

func validateFileName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return errors.New("is empty")
	case len(name) > MaxFileNameLen:
		return fmt.Errorf("is longer than %d bytes", MaxFileNameLen)
	case !utf8.ValidString(name):
		return errors.New("is not UTF-8")
	case strings.ContainsAny(name, `/\`) || name == "." || name == "..":
		return errors.New("is a path, not a plain file name")
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return errors.New("has a line break or control character")
	case strings.ContainsAny(name, `"`):
		return errors.New("has a quotation mark")
	}
	return nil
}

func validateContentType(ct string) error {
	if strings.IndexFunc(ct, unicode.IsControl) >= 0 {
		return errors.New("has a line break or control character")
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("is not a MIME type: %v", err)
	}
	if typ, sub, ok := strings.Cut(mt, "/"); !ok || typ == "" || sub == "" || typ == "multipart" {
		return fmt.Errorf("%q is not a type/subtype of a single part", mt)
	}
	return nil
}

// Headers returns the extra headers m asks for, in a fixed order.
func (m Message) Headers() [][2]string {
	if m.ListUnsubscribe == "" {
		return nil
	}
	return [][2]string{
		{"List-Unsubscribe", "<" + m.ListUnsubscribe + ">"},
		{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
	}
}

// Describe names m in errors and logs without personal data: its kind and
// other tags.
func (m Message) Describe() string {
	if len(m.Tags) == 0 {
		return "message"
	}
	keys := make([]string, 0, len(m.Tags))
	for k := range m.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("message")
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%s", k, m.Tags[k])
	}
	return b.String()
}
