package survey

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/pairup"
)

func token(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("t")
}

// A link names its purpose and expires: a check-in link is not a survey link, a tampered or
// expired one is refused, and what it names comes back intact.
func TestLinks(t *testing.T) {
	signer, err := links.NewSigner([]byte("0123456789abcdef0123456789abcdef-survey"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	ci := CheckInRef{ProgrammeID: "iln", RoundID: "2027-1", PairID: "a+b", RegistrationID: "a", Answer: pairup.CheckInNo}
	sv := SurveyRef{ProgrammeID: "hkla", RoundID: "2027", Kind: pairup.SurveyReport, RegistrationID: "m1"}
	ciTok := token(t, CheckInLink(signer, "https://x", ci, now.Add(time.Hour)))
	svTok := token(t, SurveyLink(signer, "https://x", sv, now.Add(time.Hour)))
	unsub := signer.Sign(links.PurposeUnsubscribe, "iln|2027-1|a+b|a|no", now.Add(time.Hour))
	bad := signer.Sign(links.PurposeCheckIn, "iln|2027-1|a+b|a|maybe", now.Add(time.Hour))
	if got, err := readCheckIn(signer, ciTok, now); err != nil || got != ci {
		t.Errorf("check-in round trip: %+v, %v", got, err)
	}
	if got, err := readSurvey(signer, svTok, now); err != nil || got != sv {
		t.Errorf("survey round trip: %+v, %v", got, err)
	}
	cases := []struct {
		name, tok string
		survey    bool
		code      string
	}{
		{"a survey link used as a check-in", svTok, false, pairup.EINVALID},
		{"a check-in link used as a survey", ciTok, true, pairup.EINVALID},
		{"an unsubscribe token", unsub, false, pairup.EINVALID},
		{"an answer that is neither yes nor no", bad, false, pairup.EINVALID},
		{"tampered", strings.Replace(ciTok, ".", ".x", 1), false, pairup.EINVALID},
		{"empty", "", true, pairup.EINVALID},
	}
	for _, c := range cases {
		var err error
		if c.survey {
			_, err = readSurvey(signer, c.tok, now)
		} else {
			_, err = readCheckIn(signer, c.tok, now)
		}
		if pairup.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if _, err := readCheckIn(signer, ciTok, now.Add(2*time.Hour)); pairup.ErrorCode(err) != pairup.EEXPIRED {
		t.Errorf("an expired link: %v", err)
	}
}
