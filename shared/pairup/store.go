package pairup

import (
	"context"
	"time"
)

// Store is the persistence of programmes, rounds, confirmed registrations and suppressions that
// the functions share. Writes that queue email (registering, the outbox) take mail types and
// are declared by their callers (e.g. signup.Store). The DynamoDB implementation lives in
// package store; every method documents the error codes it returns (see Error). Methods that change
// state are conditional writes: a retried or concurrent call never applies a change twice.
type Store interface {
	// PutProgramme creates or replaces a programme's configuration. EINVALID if it does not
	// validate.
	PutProgramme(ctx context.Context, p *Programme) error
	// GetProgramme returns a programme. ENOTFOUND if there is none with that id.
	GetProgramme(ctx context.Context, id string) (*Programme, error)
	// ListProgrammes returns every programme, ordered by id.
	ListProgrammes(ctx context.Context) ([]Programme, error)

	// CreateRound stores a new round. EINVALID if it does not validate; ECONFLICT if the
	// programme already has a round with that id; ENOTFOUND if the programme does not exist.
	CreateRound(ctx context.Context, r *Round) error
	// GetRound returns one round. ENOTFOUND if absent.
	GetRound(ctx context.Context, programmeID, roundID string) (*Round, error)
	// ListRounds returns a programme's rounds ordered by SignupOpens, then id.
	ListRounds(ctx context.Context, programmeID string) ([]Round, error)
	// TransitionRound moves a round from one state to the next, as one conditional write on
	// the current state, and returns the updated round. ECONFLICT if the move is not allowed
	// (CanTransition) or the round is no longer in state from; ENOTFOUND if absent.
	TransitionRound(ctx context.Context, programmeID, roundID string, from, to RoundState, at time.Time) (*Round, error)

	// GetRegistration returns a registration. ENOTFOUND if absent.
	GetRegistration(ctx context.Context, programmeID, roundID, id string) (*Registration, error)
	// ListRegistrations returns a round's registrations in the given status ("" for all),
	// ordered by CreatedAt then id.
	ListRegistrations(ctx context.Context, programmeID, roundID string, status Status) ([]Registration, error)
	// ConfirmRegistration confirms a pending registration at time at: links it to the
	// participant with its email (creating one for a first-time participant, marking a
	// returning one), and clears the expiry of the pending records. Confirming an already
	// confirmed registration returns it unchanged. ENOTFOUND if absent (or expired and gone);
	// ECONFLICT if withdrawn.
	ConfirmRegistration(ctx context.Context, programmeID, roundID, id string, at time.Time) (*Registration, error)

	Suppressions
}

// SuppressionReason is why mail to an address is suppressed.
type SuppressionReason string

// Suppression reasons. A new signup lifts an unsubscribe; bounces and complaints stay.
const (
	SuppressUnsubscribe SuppressionReason = "unsubscribe"
	SuppressBounce      SuppressionReason = "bounce"
	SuppressComplaint   SuppressionReason = "complaint"
)

// Suppressions is the list of addresses no mail goes to (unsubscribes, bounces, complaints).
type Suppressions interface {
	// Suppress records that no more email goes to email, and why; a later reason replaces an
	// earlier one. EINVALID for an empty address or reason.
	Suppress(ctx context.Context, email string, reason SuppressionReason, at time.Time) error
	// Suppression returns why mail to email is suppressed; ENOTFOUND if it is not.
	Suppression(ctx context.Context, email string) (SuppressionReason, error)
	// Unsuppress lifts a suppression with the given reason only; absent is a no-op; ECONFLICT
	// if the suppression has another reason.
	Unsuppress(ctx context.Context, email string, reason SuppressionReason) error
}
