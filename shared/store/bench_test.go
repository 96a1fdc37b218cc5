package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func BenchmarkRegister(b *testing.B) {
	ctx := context.Background()
	s := newStore(b)
	mustOK(b, s.PutProgramme(ctx, newProgramme("iln")))
	mustOK(b, s.CreateRound(ctx, newRound("iln", "r1", t0)))
	expires := time.Now().Add(time.Hour)
	for i := 0; b.Loop(); i++ {
		id := fmt.Sprintf("bench-%d", i)
		_, created, err := register(s, ctx, newRegistration("iln", "r1", id, id+"@example.org", t0), expires)
		if err != nil || !created {
			b.Fatal(created, err)
		}
	}
}

func BenchmarkGetProgramme(b *testing.B) {
	ctx := context.Background()
	s := newStore(b)
	mustOK(b, s.PutProgramme(ctx, newProgramme("iln")))
	for b.Loop() {
		if _, err := s.GetProgramme(ctx, "iln"); err != nil {
			b.Fatal(err)
		}
	}
}
