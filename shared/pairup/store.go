package pairup

import (
	"context"
	"time"
)

// Store is the persistence the functions share. The DynamoDB implementation lives in package
// store; every method documents the error codes it returns (see Error). Methods that change
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

	// Register stores a new pending registration (its ID, RoundID and times set by the caller)
	// and claims its email for the round, both in one transaction: one registration per email
	// per round. If the email already has a registration in the round it stores nothing and
	// returns that registration with created false.
	Register(ctx context.Context, r *Registration, expires time.Time) (reg *Registration, created bool, err error)
	// GetRegistration returns a registration. ENOTFOUND if absent.
	GetRegistration(ctx context.Context, programmeID, roundID, id string) (*Registration, error)
	// ListRegistrations returns a round's registrations in the given status ("" for all),
	// ordered by CreatedAt then id.
	ListRegistrations(ctx context.Context, programmeID, roundID string, status Status) ([]Registration, error)
	// CountConfirmationSend records that a confirmation email is about to be sent: it increments
	// ConfirmSends and sets LastSentAt to at, but only if ConfirmSends < max and the last send
	// was at or before notAfter (a cool-down). Returns the updated registration; ELIMIT if
	// either condition fails; ENOTFOUND if absent.
	CountConfirmationSend(ctx context.Context, programmeID, roundID, id string, max int, notAfter, at time.Time) (*Registration, error)
	// ConfirmRegistration confirms a pending registration at time at: links it to the
	// participant with its email (creating one for a first-time participant, marking a
	// returning one), and clears the expiry of the pending records. Confirming an already
	// confirmed registration returns it unchanged. ENOTFOUND if absent (or expired and gone);
	// ECONFLICT if withdrawn.
	ConfirmRegistration(ctx context.Context, programmeID, roundID, id string, at time.Time) (*Registration, error)

	// ClaimMessage claims the right to send the logical message with key (e.g.
	// "confirm/<registration id>/<n>"): true the first time, false ever after. Callers send
	// only when they win the claim, so an email goes once per message even if a function is
	// retried. ReleaseMessage gives the claim back after a failed send so a retry can send.
	ClaimMessage(ctx context.Context, key string, at time.Time) (bool, error)
	// MarkMessageSent records the provider's id for a claimed message.
	MarkMessageSent(ctx context.Context, key, providerID string, at time.Time) error
	// ReleaseMessage deletes a claim that was not sent.
	ReleaseMessage(ctx context.Context, key string) error

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
