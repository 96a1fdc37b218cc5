package mail

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
)

// Log is a Sender for development and unit tests: it delivers nothing, logs
// that a message was sent (its id, kind and programme tags only — never the
// address, subject or body) and keeps every message in memory.
type Log struct {
	logger *slog.Logger

	mu   sync.Mutex
	n    int // messages ever sent, for ids
	sent []Sent
}

var _ Sender = (*Log)(nil)

// Sent is a message a Log sender accepted, with the id it returned.
type Sent struct {
	ID      string
	Message Message
}

// NewLog returns a Log sender that logs to logger (nil means
// slog.Default()).
func NewLog(logger *slog.Logger) *Log {
	if logger == nil {
		logger = slog.Default()
	}
	return &Log{logger: logger}
}

// Send validates m, stores it and returns an id of the form "log-N".
func (l *Log) Send(ctx context.Context, m Message) (string, error) {
	if err := m.Validate(); err != nil {
		return "", fmt.Errorf("mail: send %s: %w", m.Describe(), err)
	}
	l.mu.Lock()
	l.n++
	id := fmt.Sprintf("log-%d", l.n)
	l.sent = append(l.sent, Sent{ID: id, Message: cloneMessage(m)})
	l.mu.Unlock()
	l.logger.InfoContext(ctx, "mail sent", "id", id, "kind", m.Tags["kind"], "programme", m.Tags["programme"])
	return id, nil
}

// Sent returns a copy of the messages sent so far, oldest first.
func (l *Log) Sent() []Sent {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Sent, len(l.sent))
	for i, s := range l.sent {
		out[i] = Sent{ID: s.ID, Message: cloneMessage(s.Message)}
	}
	return out
}

// To returns the messages sent so far to the address to (compared exactly).
func (l *Log) To(to string) []Message {
	var out []Message
	for _, s := range l.Sent() {
		if s.Message.To == to {
			out = append(out, s.Message)
		}
	}
	return out
}

// Reset forgets the messages sent so far; ids continue to count up.
func (l *Log) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sent = nil
}

func cloneMessage(m Message) Message {
	if m.Tags != nil {
		tags := make(map[string]string, len(m.Tags))
		for k, v := range m.Tags {
			tags[k] = v
		}
		m.Tags = tags
	}
	if m.Attachments != nil {
		as := make([]Attachment, len(m.Attachments))
		for i, a := range m.Attachments {
			a.Data = append([]byte(nil), a.Data...)
			as[i] = a
		}
		m.Attachments = as
	}
	return m
}
