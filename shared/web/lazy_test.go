package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Lazy answers 503 while its handler cannot be built, builds it on the first request that can,
// and never builds it again.
func TestLazy(t *testing.T) {
	builds, fail := 0, true
	h := Lazy(func(context.Context) (http.Handler, error) {
		builds++
		if fail {
			return nil, errors.New("secret unavailable")
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") }), nil
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	get := func() (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		return rec.Code, rec.Body.String()
	}
	if code, _ := get(); code != http.StatusServiceUnavailable {
		t.Fatalf("a failed build: %d, want 503", code)
	}
	fail = false
	for range 3 {
		if code, body := get(); code != http.StatusOK || body != "ok" {
			t.Fatalf("after a build: %d %q", code, body)
		}
	}
	if builds != 2 {
		t.Errorf("%d builds, want 2 (one failed, one kept)", builds)
	}
}
