package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/pairup"
)

func TestSuppression(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	const addr = "ada@example.org"

	_, err := s.Suppression(ctx, addr)
	wantCode(t, err, pairup.ENOTFOUND)
	wantCode(t, s.Suppress(ctx, "", pairup.SuppressBounce, at), pairup.EINVALID)
	mustOK(t, s.Unsuppress(ctx, addr, pairup.SuppressUnsubscribe)) // absent: no-op

	mustOK(t, s.Suppress(ctx, addr, pairup.SuppressUnsubscribe, at))
	r, err := s.Suppression(ctx, addr)
	mustOK(t, err)
	mustEqual(t, r, pairup.SuppressUnsubscribe)
	mustOK(t, s.Unsuppress(ctx, addr, pairup.SuppressUnsubscribe))
	_, err = s.Suppression(ctx, addr)
	wantCode(t, err, pairup.ENOTFOUND)

	t.Run("BounceStays", func(t *testing.T) {
		mustOK(t, s.Suppress(ctx, addr, pairup.SuppressBounce, at))
		wantCode(t, s.Unsuppress(ctx, addr, pairup.SuppressUnsubscribe), pairup.ECONFLICT)
		r, err := s.Suppression(ctx, addr)
		mustOK(t, err)
		mustEqual(t, r, pairup.SuppressBounce)
	})
}
