package store

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pairup/pairup/shared/pairup"
)

// TestAttributeNames checks that the attribute names the expressions use are the names the
// encoder writes (the domain's json tags), so a renamed tag cannot silently break a condition.
func TestAttributeNames(t *testing.T) {
	for _, tc := range []struct {
		name  string
		item  any
		attrs []string
	}{
		{"Round", roundItem{Round: pairup.Round{State: pairup.RoundDraft}}, []string{attrPK, attrSK, attrState, attrUpdatedAt}},
		{"Registration", registrationItem{GSI1PK: "x", GSI1SK: "y", ExpiresAt: 1, Registration: pairup.Registration{ParticipantID: "p", Returning: true}},
			[]string{attrPK, attrSK, attrGSI1PK, attrGSI1SK, attrExpiresAt, attrStatus, attrConfirmedAt, attrParticipantID, attrReturning, attrConfirmSends, attrLastSentAt}},
		{"RoundMatching", roundItem{CommittedBy: "o", Round: pairup.Round{
			Pins: []pairup.PairRef{{A: "a", B: "b"}}, Forbids: []pairup.PairRef{{A: "a", B: "c"}}, MatchingSince: time.Unix(1, 0),
			CommitOwner: "o", CommitUntil: time.Unix(1, 0), Matching: &pairup.MatchStats{}}},
			[]string{attrPins, attrForbids, attrMatchingSince, attrCommitOwner, attrCommitUntil, attrMatching, attrCommittedBy}},
		{"Pair", pairItem{Pair: pairup.Pair{Members: []pairup.PairMember{{RegistrationID: "a"}}}}, []string{attrPK, attrSK, attrMembers}},
		{"Outcome", outcomeItem{GSI1PK: "x", GSI1SK: "y"}, []string{attrPK, attrSK, attrGSI1PK, attrGSI1SK}},
		{"EmailClaim", emailClaimItem{ExpiresAt: 1}, []string{attrPK, attrSK, attrExpiresAt, attrRegistrationID}},
		{"Outbox", outboxItem{GSI1PK: "x", GSI1SK: "y", LeaseID: "l", LeaseUntil: time.Unix(1, 0), ProviderID: "x", SentAt: time.Unix(1, 0), Error: "e", Feedback: "f", FeedbackAt: time.Unix(1, 0)},
			[]string{attrPK, attrSK, attrGSI1PK, attrGSI1SK, attrExpiresAt, attrStatus, attrLeaseID, attrLeaseUntil, attrAttempts, attrProviderID, attrSentAt, attrError, attrFeedback, attrFeedbackAt}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := marshal(tc.item)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range tc.attrs {
				if _, ok := m[a]; !ok {
					t.Errorf("no attribute %q in %v", a, keys(m))
				}
			}
		})
	}
}

func keys(m map[string]types.AttributeValue) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func TestTimeEncoding(t *testing.T) {
	hk, err := time.LoadLocation("Asia/Hong_Kong")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("FixedWidthOrder", func(t *testing.T) {
		// RFC3339Nano would give "…00Z" and "…00.5Z", which sort the wrong way round.
		a := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		b := a.Add(500 * time.Millisecond)
		c := a.Add(time.Second)
		sa, sb, sc := formatTime(a), formatTime(b), formatTime(c)
		if !(sa < sb && sb < sc) || len(sa) != len(sb) || len(sb) != len(sc) {
			t.Fatalf("not fixed width and ordered: %q %q %q", sa, sb, sc)
		}
	})
	t.Run("RoundTrip", func(t *testing.T) {
		for _, in := range []time.Time{
			{},
			time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
			time.Date(2026, 3, 1, 18, 0, 0, 123456789, hk),
		} {
			m, err := marshal(struct {
				T time.Time `json:"t"`
			}{in})
			if err != nil {
				t.Fatal(err)
			}
			var out struct {
				T time.Time `json:"t"`
			}
			if err := unmarshal(m, &out); err != nil {
				t.Fatal(err)
			}
			if !out.T.Equal(in) || out.T.IsZero() != in.IsZero() || out.T.Location() != time.UTC {
				t.Errorf("%v came back as %v", in, out.T)
			}
			if in.IsZero() && !reflect.DeepEqual(out.T, time.Time{}) {
				t.Errorf("zero time came back as %#v", out.T)
			}
			if s := m["t"].(*types.AttributeValueMemberS).Value; !strings.HasSuffix(s, "Z") || len(s) != len(timeLayout) {
				t.Errorf("stored as %q", s)
			}
		}
	})
}
