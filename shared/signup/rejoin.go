package signup

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/membership"
	"github.com/pairup/pairup/shared/pairup"
)

// RejoinStore is what rejoining needs of the store.
type RejoinStore interface {
	GetProgramme(ctx context.Context, id string) (*pairup.Programme, error)
	GetRound(ctx context.Context, programmeID, roundID string) (*pairup.Round, error)
	GetRegistration(ctx context.Context, programmeID, roundID, id string) (*pairup.Registration, error)
	// Rejoin stores a confirmed registration in an open round with its address claimed, once:
	// ECLOSED if the round is not open, ECONFLICT if it was stored before or the address has
	// signed up to the round.
	Rejoin(ctx context.Context, r *pairup.Registration) error
}

// Rejoins takes up the invitations match-run sends, when a round opens, to the people deferred
// by the country cap in the programme's earlier rounds: one click (the invitation's link, then
// the page's button) puts them in the new round, confirmed — the link itself proves the address
// — with the answers they gave, their place in the queue (the old registration's CreatedAt, by
// which the country cap orders people) and their participant id, so they are the same person
// (no second person record) and are never paired with a previous partner. All fields are
// required.
type Rejoins struct {
	Store RejoinStore
	Links *links.Signer
	Clock pairup.Clock
	Log   *slog.Logger
}

// RejoinView is what a rejoin page shows.
type RejoinView struct {
	Programme *pairup.Programme
	Round     *pairup.Round // the new round
	Earlier   *pairup.Round // the round they were deferred from
	// Registration is the earlier registration on the page; after Rejoin, the new one.
	Registration *pairup.Registration
}

func (j *Rejoins) load(ctx context.Context, token string) (*RejoinView, error) {
	now := j.Clock.Now()
	ref, err := membership.ReadRejoin(j.Links, token, now)
	if pairup.ErrorCode(err) == pairup.EEXPIRED {
		return nil, pairup.Errorf(pairup.EEXPIRED, "This invitation has expired: signup for the round has closed. Look out for the next round's invitation.")
	}
	if err != nil {
		return nil, err
	}
	p, err := j.Store.GetProgramme(ctx, ref.ProgrammeID)
	if err != nil {
		return nil, gone(err)
	}
	r, err := j.Store.GetRound(ctx, ref.ProgrammeID, ref.NewRoundID)
	if err != nil {
		return nil, gone(err)
	}
	earlier, err := j.Store.GetRound(ctx, ref.ProgrammeID, ref.OldRoundID)
	if err != nil {
		return nil, gone(err)
	}
	old, err := j.Store.GetRegistration(ctx, ref.ProgrammeID, ref.OldRoundID, ref.OldRegistrationID)
	if err != nil {
		return nil, gone(err)
	}
	v := &RejoinView{Programme: p, Round: r, Earlier: earlier, Registration: old}
	if taken, err := j.Store.GetRegistration(ctx, p.ID, r.ID, old.ID); err == nil && taken.ParticipantID == old.ParticipantID {
		v.Registration = taken
		return v, pairup.Errorf(pairup.ECONFLICT, "You have already taken your place in %s: nothing more to do. We will email you when the matching is done.", r.Name)
	} else if err != nil && pairup.ErrorCode(err) != pairup.ENOTFOUND {
		return nil, fmt.Errorf("signup: rejoin: %w", err)
	}
	switch {
	case old.Status != pairup.StatusConfirmed || old.ParticipantID == "":
		return v, pairup.Errorf(pairup.ECONFLICT, "This invitation no longer applies: your signup to %s was withdrawn.", earlier.Name)
	case r.State != pairup.RoundOpen || !now.Before(r.SignupCloses):
		return v, pairup.Errorf(pairup.ECLOSED, "Signup for %s has closed, so the place can no longer be taken. Look out for the next round's invitation.", r.Name)
	}
	return v, nil
}

// RejoinPage reads an invitation's link for its page (a GET): one button. Nothing changes.
// ECONFLICT (with the view) if the place was taken before; ECLOSED if the round's signup has
// closed; EEXPIRED, EINVALID, ENOTFOUND for a bad link.
func (j *Rejoins) RejoinPage(ctx context.Context, token string) (*RejoinView, error) {
	return j.load(ctx, token)
}

// Rejoin takes the place an invitation offers (the page's button): the new round gets a
// registration with the earlier one's id, answers, CreatedAt and participant id, confirmed now,
// Returning, with the address claimed (store.Rejoin, conditional). A second click, an address
// that has signed up to the round itself, or a round whose signup has closed is refused, and
// nothing changes.
func (j *Rejoins) Rejoin(ctx context.Context, token string) (*RejoinView, error) {
	v, err := j.load(ctx, token)
	if err != nil {
		return v, err
	}
	now := j.Clock.Now()
	reg := *v.Registration
	reg.RoundID = v.Round.ID
	reg.Status, reg.Returning = pairup.StatusConfirmed, true
	reg.ConfirmedAt, reg.ConsentAt = now, now
	reg.WithdrawnAt, reg.ConfirmSends, reg.LastSentAt = time.Time{}, 0, time.Time{}
	if err := j.Store.Rejoin(ctx, &reg); err != nil {
		if pairup.ErrorCode(err) == pairup.EINTERNAL {
			return nil, fmt.Errorf("signup: rejoin: %w", err)
		}
		return v, err
	}
	j.Log.InfoContext(ctx, "rejoined", "programme", v.Programme.ID, "round", v.Round.ID, "from_round", v.Earlier.ID, "registration", reg.ID)
	v.Registration = &reg
	return v, nil
}
