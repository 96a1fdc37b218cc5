package web

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
)

// Lazy returns a handler that builds its real handler on the first request that succeeds in
// building it (a function reads its link-signing key ring then, so starting makes no network
// call); until then each request tries again, and a failed build answers 503 and logs its code.
func Lazy(build func(context.Context) (http.Handler, error), log *slog.Logger) http.Handler {
	return &lazy{build: build, log: log}
}

type lazy struct {
	mu    sync.Mutex
	h     http.Handler
	build func(context.Context) (http.Handler, error)
	log   *slog.Logger
}

func (l *lazy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	if l.h == nil {
		h, err := l.build(r.Context())
		if err != nil {
			l.mu.Unlock()
			l.log.ErrorContext(r.Context(), "start handler", "code", ErrorCode(err))
			http.Error(w, "The service is starting up. Please try again in a moment.", http.StatusServiceUnavailable)
			return
		}
		l.h = h
	}
	h := l.h
	l.mu.Unlock()
	h.ServeHTTP(w, r)
}
