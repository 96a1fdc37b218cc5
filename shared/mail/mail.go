package mail

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
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
}

// Sender delivers messages.
type Sender interface {
	// Send delivers m and returns the id the delivery service gave it.
	Send(ctx context.Context, m Message) (messageID string, err error)
}

// Kind returns the message's "kind" tag, or "" if it has none.
func (m Message) Kind() string { return m.Tags["kind"] }

// Validate reports what makes m unsendable: no recipient or subject, no body,
// a line break where a header value goes, or a List-Unsubscribe value that is
// not an absolute http(s) URL.
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
	if m.ListUnsubscribe != "" {
		u, err := url.Parse(m.ListUnsubscribe)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			strings.ContainsAny(m.ListUnsubscribe, "\r\n<> ") {
			errs = append(errs, errors.New("ListUnsubscribe is not an absolute http(s) URL"))
		}
	}
	return errors.Join(errs...)
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
