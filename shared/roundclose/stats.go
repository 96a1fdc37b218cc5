package roundclose

import (
	"context"
	"fmt"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/roundtick"
)

// lookups bounds the outbox reads in flight while counting a survey's invitations.
const lookups = 8

// record reads what a round left in the store, for its statistics: registrations, outcomes,
// pairs, check-ins, continue answers, survey responses, and the invitations each survey kind
// queued (counted by their outbox keys: the mid-round survey's and the mentee report's first
// email, round-tick's; the end-of-round survey's, the close email).
func (s *Service) record(ctx context.Context, p *pairup.Programme, r *pairup.Round) (pairup.RoundRecord, error) {
	rec := pairup.RoundRecord{Round: r, Schedule: p.Schedule}
	var err error
	if rec.Registrations, err = s.Store.ListRegistrations(ctx, p.ID, r.ID, ""); err != nil {
		return rec, err
	}
	if rec.Outcomes, err = s.Store.ListOutcomes(ctx, p.ID, r.ID); err != nil {
		return rec, err
	}
	if rec.Pairs, err = s.Store.ListPairs(ctx, p.ID, r.ID); err != nil {
		return rec, err
	}
	if rec.CheckIns, err = s.Store.ListCheckIns(ctx, p.ID, r.ID); err != nil {
		return rec, err
	}
	if rec.Continues, err = s.Store.ListContinues(ctx, p.ID, r.ID); err != nil {
		return rec, err
	}
	if rec.Responses, err = s.Store.ListSurveyResponses(ctx, p.ID, r.ID, ""); err != nil {
		return rec, err
	}
	role := map[string]pairup.Role{}
	for _, reg := range rec.Registrations {
		role[reg.ID] = reg.Role
	}
	var members []string // everyone who was ever in a pair of the round
	seen := map[string]bool{}
	for _, pr := range rec.Pairs {
		for _, m := range pr.Members {
			if !seen[m.RegistrationID] {
				seen[m.RegistrationID] = true
				members = append(members, m.RegistrationID)
			}
		}
	}
	rec.Invited = map[pairup.SurveyKind]int{}
	for _, kind := range []pairup.SurveyKind{pairup.SurveyMid, pairup.SurveyEnd, pairup.SurveyReport} {
		if _, ok := p.SurveyWindow(r, kind); !ok {
			continue
		}
		var keys []string
		for _, id := range members {
			switch kind {
			case pairup.SurveyEnd:
				keys = append(keys, CloseKey(p.ID, r.ID, id))
			case pairup.SurveyReport:
				if role[id] == pairup.RoleMentee {
					keys = append(keys, roundtick.SurveyKey(kind, p.ID, r.ID, id, 0))
				}
			default:
				keys = append(keys, roundtick.SurveyKey(kind, p.ID, r.ID, id, 0))
			}
		}
		if rec.Invited[kind], err = s.queued(ctx, keys); err != nil {
			return rec, err
		}
	}
	return rec, nil
}

// queued counts the outbox messages among keys.
func (s *Service) queued(ctx context.Context, keys []string) (int, error) {
	var n atomic.Int64
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(lookups)
	for _, k := range keys {
		g.Go(func() error {
			_, err := s.Store.GetMessage(ctx, k)
			switch pairup.ErrorCode(err) {
			case "":
				n.Add(1)
			case pairup.ENOTFOUND:
			default:
				return fmt.Errorf("roundclose: count invitations: %w", err)
			}
			return nil
		})
	}
	err := g.Wait()
	return int(n.Load()), err
}
