package pairup

import (
	"fmt"
	"strings"
	"time"
)

// RoundState is where a round is in its life.
type RoundState string

// A round moves draft → open → matching → active → closing → closed, one step at a time.
const (
	RoundDraft    RoundState = "draft"    // being set up; not visible
	RoundOpen     RoundState = "open"     // taking signups within its signup window
	RoundMatching RoundState = "matching" // signup closed; coordinators preview and commit a matching
	RoundActive   RoundState = "active"   // pairs introduced; prompts and check-ins go out
	RoundClosing  RoundState = "closing"  // end surveys and conclude/continue choices collected
	RoundClosed   RoundState = "closed"   // statistics frozen
)

var next = map[RoundState]RoundState{
	RoundDraft:    RoundOpen,
	RoundOpen:     RoundMatching,
	RoundMatching: RoundActive,
	RoundActive:   RoundClosing,
	RoundClosing:  RoundClosed,
}

// ValidRoundState reports whether s is one of the six states.
func ValidRoundState(s RoundState) bool {
	_, ok := next[s]
	return ok || s == RoundClosed
}

// CanTransition returns nil if a round in state from may move to state to, else an ECONFLICT
// error saying which move is allowed. The store applies the move as a conditional write on from,
// so a repeated or concurrent trigger can never apply it twice.
func CanTransition(from, to RoundState) error {
	if !ValidRoundState(to) {
		return Errorf(EINVALID, "unknown round state %q", to)
	}
	if next[from] != to {
		if n, ok := next[from]; ok {
			return Errorf(ECONFLICT, "a round in state %q can only move to %q, not %q", from, n, to)
		}
		return Errorf(ECONFLICT, "a round in state %q cannot move to %q", from, to)
	}
	return nil
}

// Round is one cohort of a programme: its calendar and its state.
type Round struct {
	ProgrammeID string     `json:"programmeId"`
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	State       RoundState `json:"state"`
	// SignupOpens and SignupCloses bound the signup window (closes is exclusive).
	SignupOpens  time.Time `json:"signupOpens"`
	SignupCloses time.Time `json:"signupCloses"`
	// Starts and Ends bound the mentoring period.
	Starts time.Time `json:"starts"`
	Ends   time.Time `json:"ends"`
	// MidSurvey and EndSurvey are when the surveys go out (zero: none).
	MidSurvey time.Time `json:"midSurvey,omitzero"`
	EndSurvey time.Time `json:"endSurvey,omitzero"`
	// UpdatedAt is when the round last changed state.
	UpdatedAt time.Time `json:"updatedAt"`

	// Pins and Forbids are the coordinators' adjustments for the next matching run (registration
	// ids): pinned people are paired together, forbidden pairs never are.
	Pins    []PairRef `json:"pins,omitempty"`
	Forbids []PairRef `json:"forbids,omitempty"`
	// MatchingSince is when signup closed and the round moved to matching: registrations
	// confirmed after it are not in the matching, so every run of a commit sees the same people.
	MatchingSince time.Time `json:"matchingSince,omitzero"`
	// CommitOwner and CommitUntil are the lease of the matching run committing the round: two
	// runs never commit at once, and a run that died is taken over once the lease expires.
	CommitOwner string    `json:"commitOwner,omitempty"`
	CommitUntil time.Time `json:"commitUntil,omitzero"`
	// Matching holds the committed matching's counts, set when the round becomes active.
	Matching *MatchStats `json:"matching,omitempty"`
	// Stats are the round's statistics, frozen when it closes (closing → closed).
	Stats *RoundStats `json:"stats,omitempty"`
}

// Validate checks a round's identity and calendar; the error names each bad field.
func (r *Round) Validate() error {
	fe := FieldErrors{}
	if !ValidID(r.ProgrammeID) {
		fe.Add("programmeId", "must be a valid programme id")
	}
	if !ValidID(r.ID) {
		fe.Add("id", "must be 1–40 characters of a–z, 0–9 and '-'")
	}
	if strings.TrimSpace(r.Name) == "" {
		fe.Add("name", "is required")
	}
	if !ValidRoundState(r.State) {
		fe.Add("state", fmt.Sprintf("unknown state %q", r.State))
	}
	if r.SignupOpens.IsZero() || r.SignupCloses.IsZero() || r.Starts.IsZero() || r.Ends.IsZero() {
		fe.Add("dates", "signupOpens, signupCloses, starts and ends are all required")
	} else {
		if !r.SignupOpens.Before(r.SignupCloses) {
			fe.Add("signupCloses", "must be after signupOpens")
		}
		if r.Starts.Before(r.SignupCloses) {
			fe.Add("starts", "must not be before signupCloses")
		}
		if !r.Starts.Before(r.Ends) {
			fe.Add("ends", "must be after starts")
		}
		for name, t := range map[string]time.Time{"midSurvey": r.MidSurvey, "endSurvey": r.EndSurvey} {
			if !t.IsZero() && (t.Before(r.Starts) || t.After(r.Ends.AddDate(0, 1, 0))) {
				fe.Add(name, "must fall between starts and a month after ends")
			}
		}
	}
	return fe.Err()
}

// AcceptingSignups reports whether the round takes signups at now: open, and inside its window.
func (r *Round) AcceptingSignups(now time.Time) bool {
	return r.State == RoundOpen && !now.Before(r.SignupOpens) && now.Before(r.SignupCloses)
}

// SignupRound picks the round of a programme that takes signups at now, if any; otherwise the
// round whose signup opens next (for "signup opens on …" pages), with ok false. Rounds may be in
// any order.
func SignupRound(rounds []Round, now time.Time) (r *Round, ok bool) {
	var upcoming *Round
	for i := range rounds {
		rd := &rounds[i]
		if rd.AcceptingSignups(now) {
			return rd, true
		}
		if (rd.State == RoundOpen || rd.State == RoundDraft) && rd.SignupOpens.After(now) {
			if upcoming == nil || rd.SignupOpens.Before(upcoming.SignupOpens) {
				upcoming = rd
			}
		}
	}
	return upcoming, false
}
