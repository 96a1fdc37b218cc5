package store

import (
	"slices"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/pairup"
)

// TestAnswerAttributes checks that answerAttrs are the json names of a registration's answers,
// and that every attribute of a registration is either an answer (a later signup replaces it)
// or one of the registration's own (it never does): a field added to the domain must be put in
// one or the other.
func TestAnswerAttributes(t *testing.T) {
	at := time.Unix(1, 0)
	full := pairup.Registration{
		ID: "r", ProgrammeID: "p", RoundID: "o", ParticipantID: "x", Returning: true,
		Name: "n", Email: "e@example.org", Country: "HK", Languages: []string{"en"}, TimeZone: "UTC",
		Sector: "s", CareerStage: "c", Interests: []string{"i"}, Preference: pairup.PreferAny, Role: pairup.RoleMentor,
		Capacity: 1, Eligibility: map[string]bool{"q": true}, Priority: true, Locale: "en",
		Status: pairup.StatusPending, ConsentAt: at, CreatedAt: at, ConfirmedAt: at, ConfirmSends: 1, LastSentAt: at,
	}
	m, err := marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	own := []string{"id", "programmeId", "roundId", "participantId", "returning", "email", "status", "createdAt",
		attrConfirmedAt, attrConfirmSends, attrLastSentAt, "withdrawnAt", attrErasedAt}
	for _, a := range answerAttrs {
		if _, ok := m[a]; !ok {
			t.Errorf("answer attribute %q is not a registration attribute (%v)", a, keys(m))
		}
	}
	for a := range m {
		if !slices.Contains(answerAttrs, a) && !slices.Contains(own, a) {
			t.Errorf("registration attribute %q is neither an answer nor the registration's own", a)
		}
	}
}
