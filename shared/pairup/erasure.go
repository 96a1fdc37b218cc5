package pairup

import (
	"fmt"
	"time"
)

// SuppressionLabel is the pseudonym label (links.Signer.Pseudonyms) of the keyed hash under
// which an erased address's suppression is kept, so that it stays suppressed without the table
// holding the address.
const SuppressionLabel = "suppress"

// DefaultRetentionDays is how long a closed round's personal data is kept when the programme
// says nothing: two years.
const DefaultRetentionDays = 730

// MaxRetentionDays bounds RetentionDays: ten years.
const MaxRetentionDays = 3650

// Retention is how long after a round closes its personal data is kept: RetentionDays, or
// DefaultRetentionDays.
func (p *Programme) Retention() time.Duration {
	days := p.RetentionDays
	if days <= 0 {
		days = DefaultRetentionDays
	}
	return time.Duration(days) * 24 * time.Hour
}

// RetentionDue reports whether the personal data of round r is due for erasure at now: the round
// is closed, and it closed (its UpdatedAt, the time of its last state change) longer ago than
// the programme's Retention.
func (p *Programme) RetentionDue(r *Round, now time.Time) bool {
	return r.State == RoundClosed && !r.UpdatedAt.IsZero() && !now.Before(r.UpdatedAt.Add(p.Retention()))
}

func validateRetention(fe FieldErrors, days int) {
	if days < 0 || days > MaxRetentionDays {
		fe.Add("retentionDays", fmt.Sprintf("must be between 0 (the default, %d) and %d days", DefaultRetentionDays, MaxRetentionDays))
	}
}
