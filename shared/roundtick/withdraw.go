package roundtick

import (
	"time"

	"github.com/pairup/pairup/shared/membership"
	"github.com/pairup/pairup/shared/pairup"
)

// withdrawURL is the withdraw link a participant's email carries while the round runs; a
// closing round's emails carry none (withdrawing is over once the round closes).
func (s *Service) withdrawURL(r *pairup.Round, reg *pairup.Registration, now time.Time) string {
	if r.State != pairup.RoundActive {
		return ""
	}
	return membership.WithdrawURL(s.Links, s.BaseURL, membership.Withdraw{ProgrammeID: r.ProgrammeID, RoundID: r.ID, RegistrationID: reg.ID}, now)
}
