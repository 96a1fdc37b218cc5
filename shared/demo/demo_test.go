package demo

import (
	"testing"
	"time"
)

func TestDemoDataValid(t *testing.T) {
	for _, p := range Programmes() {
		if err := p.Validate(); err != nil {
			t.Errorf("programme %s: %v", p.ID, err)
		}
	}
	now := time.Date(2026, 11, 26, 17, 0, 0, 0, time.UTC)
	for _, r := range Rounds(now) {
		if err := r.Validate(); err != nil {
			t.Errorf("round %s/%s: %v", r.ProgrammeID, r.ID, err)
		}
		if !r.AcceptingSignups(now) {
			t.Errorf("round %s/%s not open at %v", r.ProgrammeID, r.ID, now)
		}
	}
}
