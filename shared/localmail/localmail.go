// Package localmail runs the mailer on this machine as AWS runs it, for `make dev` and the
// tests: a DynamoDB Streams poller delivers the table's stream to the mailer's handler in
// process, filtered by the same pattern as the event source mapping (mailer.StreamFilter), and
// a ticker plays the sweep schedule. Nothing here is linked into a Lambda function.
package localmail

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/pairup/pairup/shared/localenv"
	"github.com/pairup/pairup/shared/mailer"
)

// Options tune a Pipeline; zero values take defaults.
type Options struct {
	// SweepEvery is how often the sweep runs (AWS: once a minute); default 5 s. Negative: never.
	SweepEvery time.Duration
	// Poll is the stream poller's idle interval; default 100 ms.
	Poll time.Duration
	Log  *slog.Logger
}

// Pipeline is a running local mailer: stream poller plus sweep.
type Pipeline struct {
	poller *localenv.StreamPoller
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Start feeds m from the stream of table on the DynamoDB Local at endpoint, and sweeps on a
// ticker, until ctx ends or Stop.
func Start(ctx context.Context, endpoint, table string, m *mailer.Mailer, opt Options) (*Pipeline, error) {
	if opt.Log == nil {
		opt.Log = m.Log
	}
	if opt.SweepEvery == 0 {
		opt.SweepEvery = 5 * time.Second
	}
	if opt.Poll == 0 {
		opt.Poll = 100 * time.Millisecond
	}
	ctx, cancel := context.WithCancel(ctx)
	poller, err := localenv.PollStream(ctx, localenv.StreamsClient(endpoint), table, mailer.StreamFilter, m.StreamHandler,
		localenv.StreamOptions{BatchSize: 50, Interval: opt.Poll, MaxRetries: 5, Log: opt.Log})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("localmail: %w", err)
	}
	p := &Pipeline{poller: poller, cancel: cancel}
	if opt.SweepEvery > 0 {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			t := time.NewTicker(opt.SweepEvery)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					if _, err := m.Sweep(ctx); err != nil && ctx.Err() == nil {
						opt.Log.ErrorContext(ctx, "local sweep", "err", err)
					}
				}
			}
		}()
	}
	return p, nil
}

// Delivered returns how many stream records the poller has delivered to the mailer.
func (p *Pipeline) Delivered() int { return p.poller.Delivered() }

// Stop stops the poller and the sweep and waits for them.
func (p *Pipeline) Stop() {
	p.cancel()
	p.poller.Stop()
	p.wg.Wait()
}
