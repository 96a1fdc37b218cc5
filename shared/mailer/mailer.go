package mailer

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"golang.org/x/time/rate"

	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
)

// Outbox is what the mailer needs of the store (package store implements it).
type Outbox interface {
	// ClaimMessage leases a pending (or lease-expired) message for lease; ok false if it is not
	// claimable.
	ClaimMessage(ctx context.Context, key string, lease time.Duration) (q *mail.Queued, ok bool, err error)
	MarkSent(ctx context.Context, key, providerID string) error
	MarkFailed(ctx context.Context, key, leaseID, code string) error
	MarkSkipped(ctx context.Context, key, leaseID, reason string) error
	// ReleaseMessage makes a leased message pending again, claimable by a sweep from due on.
	ReleaseMessage(ctx context.Context, key, leaseID string, due time.Time) error
	// DueMessages lists up to limit messages a sweep may claim now.
	DueMessages(ctx context.Context, limit int) ([]string, error)
	// Suppressed returns why mail to email is suppressed, by its own suppression or one kept
	// under a keyed hash of it (hashes) once it was erased; ENOTFOUND if it is not.
	Suppressed(ctx context.Context, email string, hashes []string) (pairup.SuppressionReason, error)
}

// KindConfirm is the kind of a signup's double opt-in confirmation email (package signup). An
// unsubscribe does not stop it — signing up again is how the address's owner asks for mail, and
// confirming lifts the unsubscribe — but a bounce or a complaint does, as it stops all mail.
const KindConfirm = "confirm"

// Defaults for Mailer's settings.
const (
	DefaultLease       = 2 * time.Minute
	DefaultSendTimeout = 20 * time.Second
	DefaultMaxAttempts = 10
	DefaultWorkers     = 4
	// sweepBatch is how many due messages a sweep reads at a time.
	sweepBatch = 200
)

// Mailer sends queued messages. Zero durations and counts take the defaults above. It is safe
// for concurrent use; one Mailer per process keeps its rate across invocations.
type Mailer struct {
	Outbox Outbox
	Sender mail.Sender
	Clock  pairup.Clock
	Log    *slog.Logger
	// Limiter paces sends: this invocation's share of the account's rate.
	Limiter *rate.Limiter
	// Hashes returns the keyed hashes under which an erased address's suppression is kept
	// (store.SuppressionHashes with the link key); New sets it. Nil checks the address alone.
	Hashes func(ctx context.Context, email string) ([]string, error)

	Lease       time.Duration // how long a claim holds a message
	SendTimeout time.Duration // one SES call, well under Lease
	MaxAttempts int           // claims before a message is failed as undeliverable
	Workers     int           // messages in flight at once within an invocation
}

// NewLimiter returns the token bucket for one of concurrency invocations sharing perSecond.
func NewLimiter(perSecond float64, concurrency int) *rate.Limiter {
	return rate.NewLimiter(rate.Limit(perSecond/float64(max(concurrency, 1))), 1)
}

// Outcome is what became of one message in one invocation.
type Outcome string

// Outcomes.
const (
	Sent      Outcome = "sent"
	Failed    Outcome = "failed"    // permanent error; not retried
	Skipped   Outcome = "skipped"   // address suppressed; SES not called
	Deferred  Outcome = "deferred"  // throttled or outcome unknown: a sweep retries it
	Unclaimed Outcome = "unclaimed" // not pending (sent, or another sender has it): nothing to do
	Paused    Outcome = "paused"    // SES paused sending for the account: left for later
)

// Result is one invocation's account, as the Lambda console shows it: counts first.
type Result struct {
	Source    string `json:"source"` // "stream" or "sweep"
	Messages  int    `json:"messages"`
	Sent      int    `json:"sent"`
	Failed    int    `json:"failed"`
	Skipped   int    `json:"skipped"`
	Deferred  int    `json:"deferred"`
	Unclaimed int    `json:"unclaimed"`
	Paused    bool   `json:"paused,omitempty"`
	// Errors counts messages whose processing failed on the store side (retried by the stream
	// or the next sweep).
	Errors int `json:"errors,omitempty"`
}

// Add adds another invocation's counts to r.
func (r *Result) Add(o Result) {
	r.Messages += o.Messages
	r.Sent += o.Sent
	r.Failed += o.Failed
	r.Skipped += o.Skipped
	r.Deferred += o.Deferred
	r.Unclaimed += o.Unclaimed
	r.Errors += o.Errors
	r.Paused = r.Paused || o.Paused
}

func (r *Result) add(o Outcome) {
	switch o {
	case Sent:
		r.Sent++
	case Failed:
		r.Failed++
	case Skipped:
		r.Skipped++
	case Deferred:
		r.Deferred++
	case Unclaimed:
		r.Unclaimed++
	case Paused:
		r.Paused = true
	}
}

func (m *Mailer) lease() time.Duration       { return or(m.Lease, DefaultLease) }
func (m *Mailer) sendTimeout() time.Duration { return or(m.SendTimeout, DefaultSendTimeout) }

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Process sends the message with key if it is claimable: claim, suppression check, rate wait,
// send, mark. A non-nil error is a store failure; the message is then left pending or leased,
// and a later delivery or sweep picks it up.
func (m *Mailer) Process(ctx context.Context, key string) (Outcome, error) {
	log := m.Log.With("message", key)
	q, ok, err := m.Outbox.ClaimMessage(ctx, key, m.lease())
	if err != nil || !ok {
		return Unclaimed, err
	}
	log = log.With("attempt", q.Attempts, "kind", q.Tags["kind"])
	if q.Attempts > or(m.MaxAttempts, DefaultMaxAttempts) {
		return m.fail(ctx, log, q, "TooManyAttempts")
	}
	if err := q.ValidateQueued(); err != nil {
		return m.fail(ctx, log, q, "InvalidMessage")
	}
	var hashes []string
	if m.Hashes != nil {
		if hashes, err = m.Hashes(ctx, q.To); err != nil {
			return m.release(ctx, log, q, m.Clock.Now(), err)
		}
	}
	reason, err := m.Outbox.Suppressed(ctx, q.To, hashes)
	switch {
	case err == nil && reason == pairup.SuppressUnsubscribe && q.Kind() == KindConfirm:
		// The owner asks for mail again by signing up; confirming lifts the unsubscribe.
		log.InfoContext(ctx, "mail to an unsubscribed address: a confirmation, sent")
	case err == nil:
		if err := m.Outbox.MarkSkipped(ctx, key, q.LeaseID, string(reason)); err != nil {
			return Deferred, err
		}
		log.InfoContext(ctx, "mail skipped: address suppressed", "reason", reason)
		return Skipped, nil
	case pairup.ErrorCode(err) != pairup.ENOTFOUND:
		return Deferred, err
	}
	if err := m.Limiter.Wait(ctx); err != nil {
		return m.release(ctx, log, q, m.Clock.Now(), err)
	}
	msg := q.Message
	msg.Tags = make(map[string]string, len(q.Tags)+1)
	for k, v := range q.Tags {
		msg.Tags[k] = v
	}
	msg.Tags[mail.TagOutbox] = mail.OutboxTagValue(key)
	sctx, cancel := context.WithTimeout(ctx, m.sendTimeout())
	id, err := m.Sender.Send(sctx, msg)
	cancel()
	if err == nil {
		if err := m.Outbox.MarkSent(ctx, key, id); err != nil {
			// The email went: this is the duplicate window (package doc). Report it so the
			// stream retries; the retry finds the lease held and sends nothing until it expires.
			log.ErrorContext(ctx, "mail sent but not marked", "event", "mail.unmarked", "code", logCode(err))
			return Sent, err
		}
		log.InfoContext(ctx, "mail sent", "event", "mail.sent", "providerId", id)
		return Sent, nil
	}
	code, status := errorCode(err)
	switch {
	case isThrottle(code, status):
		due := m.Clock.Now().Add(backoff(q.Attempts))
		log.WarnContext(ctx, "mail throttled by SES", "event", "mail.throttled", "code", code, "retryAt", due)
		return m.release(ctx, log, q, due, nil)
	case isPaused(code):
		log.ErrorContext(ctx, "SES paused sending for the account", "event", "mail.paused", "code", code)
		if _, err := m.release(ctx, log, q, m.Clock.Now().Add(5*time.Minute), nil); err != nil {
			return Paused, err
		}
		return Paused, nil
	case isPermanent(code):
		return m.fail(ctx, log, q, code)
	default:
		// Timeout, dropped connection, 5xx after the SDK's retries: SES may or may not have
		// taken it. The lease runs out and a sweep tries again.
		log.WarnContext(ctx, "mail send outcome unknown; retried after the lease", "event", "mail.retry", "code", code, "leaseUntil", q.LeaseUntil)
		return Deferred, nil
	}
}

func (m *Mailer) fail(ctx context.Context, log *slog.Logger, q *mail.Queued, code string) (Outcome, error) {
	if err := m.Outbox.MarkFailed(ctx, q.Key, q.LeaseID, code); err != nil {
		return Deferred, err
	}
	log.ErrorContext(ctx, "mail failed permanently", "event", "mail.failed", "code", code)
	return Failed, nil
}

func (m *Mailer) release(ctx context.Context, log *slog.Logger, q *mail.Queued, due time.Time, cause error) (Outcome, error) {
	// Release on a context of its own: the invocation's may be the one that ended.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := m.Outbox.ReleaseMessage(rctx, q.Key, q.LeaseID, due); err != nil {
		return Deferred, errors.Join(cause, err)
	}
	return Deferred, cause
}

// ProcessAll processes keys with the mailer's workers and returns the tally and, per key, the
// store error that left it unfinished. It stops claiming once SES pauses sending or ctx ends.
func (m *Mailer) ProcessAll(ctx context.Context, keys []string) (Result, map[string]error) {
	var (
		res    = Result{Messages: len(keys)}
		errs   = map[string]error{}
		mu     sync.Mutex
		wg     sync.WaitGroup
		next   = make(chan string)
		paused bool
	)
	for range min(or(m.Workers, DefaultWorkers), max(len(keys), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				mu.Lock()
				stop := paused
				mu.Unlock()
				if stop {
					continue // SES paused sending: leave the rest pending, unclaimed
				}
				o, err := m.Process(ctx, k)
				mu.Lock()
				res.add(o)
				if o == Paused {
					paused = true
				}
				if err != nil {
					res.Errors++
					errs[k] = err
					m.Log.ErrorContext(ctx, "mail processing failed", "message", k, "code", logCode(err))
				}
				mu.Unlock()
			}
		}()
	}
	for _, k := range keys {
		mu.Lock()
		stop := paused
		mu.Unlock()
		if stop || ctx.Err() != nil || !m.timeLeft(ctx) {
			break
		}
		next <- k
	}
	close(next)
	wg.Wait()
	return res, errs
}

// timeLeft reports whether ctx leaves time for one more send before its deadline.
func (m *Mailer) timeLeft(ctx context.Context) bool {
	d, ok := ctx.Deadline()
	return !ok || time.Until(d) > m.sendTimeout()+5*time.Second
}

// Sweep sends every message due now: pending ones the stream has not finished, released ones
// whose backoff is over, and expired leases.
func (m *Mailer) Sweep(ctx context.Context) (Result, error) {
	total := Result{Source: "sweep"}
	seen := map[string]bool{}
	for ctx.Err() == nil && m.timeLeft(ctx) {
		keys, err := m.Outbox.DueMessages(ctx, sweepBatch)
		if err != nil {
			return total, err
		}
		// The index is eventually consistent: a message just handled may still be listed.
		fresh := keys[:0]
		for _, k := range keys {
			if !seen[k] {
				seen[k] = true
				fresh = append(fresh, k)
			}
		}
		if len(fresh) == 0 {
			break
		}
		res, _ := m.ProcessAll(ctx, fresh)
		total.Add(res)
		if res.Paused {
			break
		}
	}
	return total, nil
}

// logCode is what a log may say of err: its API error code, else the domain's code. Never the
// error's text: an AWS error's message can hold the request's data (in the SES sandbox,
// MessageRejected names the recipient).
func logCode(err error) string {
	if code, _ := errorCode(err); code != "" {
		return code
	}
	return pairup.ErrorCode(err)
}

// errorCode returns the API error code and HTTP status of a send error, if it has them.
func errorCode(err error) (code string, status int) {
	var api smithy.APIError
	if errors.As(err, &api) {
		code = api.ErrorCode()
	}
	var resp *smithyhttp.ResponseError
	if errors.As(err, &resp) {
		status = resp.HTTPStatusCode()
	}
	if code == "" && errors.Is(err, context.DeadlineExceeded) {
		code = "Timeout"
	}
	return code, status
}

func isThrottle(code string, status int) bool {
	switch code {
	case "TooManyRequestsException", "Throttling", "ThrottlingException", "LimitExceededException":
		return true
	}
	return status == http.StatusTooManyRequests
}

func isPaused(code string) bool {
	return code == "AccountSendingPausedException" || code == "SendingPausedException"
}

// isPermanent reports SES errors that sending the same message again cannot fix. Anything else
// (an access or configuration error a deploy can fix included) is retried after the lease, up
// to MaxAttempts.
func isPermanent(code string) bool {
	switch code {
	case "MessageRejected", "MailFromDomainNotVerifiedException", "BadRequestException",
		"NotFoundException", "InvalidParameterValue":
		return true
	}
	return false
}

// backoff is how long a throttled message waits before a sweep retries it: 2^attempts seconds
// with jitter, capped at five minutes.
func backoff(attempts int) time.Duration {
	d := time.Second << min(max(attempts, 1), 8)
	d = min(d, 5*time.Minute)
	return d/2 + rand.N(d/2+1)
}
