package localenv

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"strings"
	"time"
)

// Inbox reads the emails the SES emulator has accepted.
type Inbox struct {
	// Endpoint is the emulator's base URL, as in [Service] Endpoint.
	Endpoint string
	// Client is used for requests; nil means http.DefaultClient.
	Client *http.Client
}

// NewInbox returns an Inbox for the SES emulator at endpoint.
func NewInbox(endpoint string) *Inbox { return &Inbox{Endpoint: strings.TrimRight(endpoint, "/")} }

// Email is one email as the emulator recorded it.
type Email struct {
	MessageID string // the emulator's id, as returned to SendEmail
	From      string
	ReplyTo   []string
	To        []string
	CC        []string
	BCC       []string
	Subject   string
	Text      string
	HTML      string
	// Headers holds the custom headers of a Simple or Template send, in the
	// order given. The emulator does not record headers of Raw sends.
	Headers []Header
	// At is when the emulator received it, to the second.
	At time.Time
}

// Header is a custom email header.
type Header struct {
	Name, Value string
}

// Header returns the value of the first header named name (case-insensitive)
// and whether there was one.
func (e Email) Header(name string) (string, bool) {
	for _, h := range e.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value, true
		}
	}
	return "", false
}

// storeEmail is the emulator's JSON for one email in GET /store.
type storeEmail struct {
	MessageID   string   `json:"messageId"`
	From        string   `json:"from"`
	ReplyTo     []string `json:"replyTo"`
	Destination struct {
		To  []string `json:"to"`
		CC  []string `json:"cc"`
		BCC []string `json:"bcc"`
	} `json:"destination"`
	Subject string `json:"subject"`
	Body    struct {
		HTML string `json:"html"`
		Text string `json:"text"`
	} `json:"body"`
	Headers []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"headers"`
	At int64 `json:"at"` // Unix seconds
}

func (in *Inbox) client() *http.Client {
	if in.Client != nil {
		return in.Client
	}
	return http.DefaultClient
}

// Messages returns every email the emulator holds, oldest first.
func (in *Inbox) Messages(ctx context.Context) ([]Email, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, in.Endpoint+"/store", nil)
	if err != nil {
		return nil, fmt.Errorf("localenv: inbox: %w", err)
	}
	resp, err := in.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("localenv: inbox: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		return nil, fmt.Errorf("localenv: inbox: GET /store: %s: %s", resp.Status, b)
	}
	var store struct {
		Emails []storeEmail `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&store); err != nil {
		return nil, fmt.Errorf("localenv: inbox: decode /store: %w", err)
	}
	out := make([]Email, 0, len(store.Emails))
	for _, se := range store.Emails {
		e := Email{
			MessageID: se.MessageID,
			From:      se.From,
			ReplyTo:   se.ReplyTo,
			To:        se.Destination.To,
			CC:        se.Destination.CC,
			BCC:       se.Destination.BCC,
			Subject:   se.Subject,
			Text:      se.Body.Text,
			HTML:      se.Body.HTML,
			At:        time.Unix(se.At, 0),
		}
		for _, h := range se.Headers {
			e.Headers = append(e.Headers, Header{Name: h.Name, Value: h.Value})
		}
		out = append(out, e)
	}
	return out, nil
}

// To returns the emails the emulator holds that are addressed to addr (in To,
// Cc or Bcc; compared case-insensitively, display names ignored).
func (in *Inbox) To(ctx context.Context, addr string) ([]Email, error) {
	all, err := in.Messages(ctx)
	if err != nil {
		return nil, err
	}
	var out []Email
	for _, e := range all {
		if addressedTo(e, addr) {
			out = append(out, e)
		}
	}
	return out, nil
}

// WaitFor polls until at least n emails addressed to addr have arrived and
// returns all emails addressed to addr. If ctx has no deadline, it gives up
// after 10 seconds.
func (in *Inbox) WaitFor(ctx context.Context, addr string, n int) ([]Email, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
	}
	for {
		got, err := in.To(ctx, addr)
		if err == nil && len(got) >= n {
			return got, nil
		}
		select {
		case <-ctx.Done():
			if err != nil {
				return nil, err
			}
			return got, fmt.Errorf("localenv: inbox: waited for %d emails to one address, got %d: %w", n, len(got), ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Clear deletes every email (and template) the emulator holds.
func (in *Inbox) Clear(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, in.Endpoint+"/clear-store", nil)
	if err != nil {
		return fmt.Errorf("localenv: inbox: %w", err)
	}
	resp, err := in.client().Do(req)
	if err != nil {
		return fmt.Errorf("localenv: inbox: clear: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("localenv: inbox: POST /clear-store: %s", resp.Status)
	}
	return nil
}

func addressedTo(e Email, addr string) bool {
	want := bareAddress(addr)
	for _, list := range [][]string{e.To, e.CC, e.BCC} {
		for _, a := range list {
			if strings.EqualFold(bareAddress(a), want) {
				return true
			}
		}
	}
	return false
}

func bareAddress(s string) string {
	if a, err := mail.ParseAddress(s); err == nil {
		return a.Address
	}
	return strings.TrimSpace(s)
}
