package survey

import (
	"net/url"
	"strings"
	"time"

	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/pairup"
)

// Link lifetimes: a check-in link works for CheckInLinkTTL after it is sent; a survey link until
// SurveyLinkGrace after the survey closes, so that a late answer gets the "closed" page rather
// than an expired link.
const (
	CheckInLinkTTL  = 60 * 24 * time.Hour
	SurveyLinkGrace = 90 * 24 * time.Hour
)

// Paths of the pages the links open.
const (
	CheckInPath = "/checkin"
	SurveyPath  = "/survey"
)

// CheckInRef is what a check-in link names: one member of one pair, and the answer it gives.
type CheckInRef struct {
	ProgrammeID, RoundID, PairID, RegistrationID string
	Answer                                       pairup.CheckInAnswer
}

// SurveyRef is what a survey link names: one participant's survey of one round.
type SurveyRef struct {
	ProgrammeID, RoundID string
	Kind                 pairup.SurveyKind
	RegistrationID       string
}

// CheckInLink returns the URL under base that records c's answer (after one click).
func CheckInLink(signer *links.Signer, base string, c CheckInRef, expires time.Time) string {
	subject := strings.Join([]string{c.ProgrammeID, c.RoundID, c.PairID, c.RegistrationID, string(c.Answer)}, "|")
	return base + CheckInPath + "?t=" + url.QueryEscape(signer.Sign(links.PurposeCheckIn, subject, expires))
}

// SurveyLink returns the URL under base of s's survey form.
func SurveyLink(signer *links.Signer, base string, s SurveyRef, expires time.Time) string {
	subject := strings.Join([]string{s.ProgrammeID, s.RoundID, string(s.Kind), s.RegistrationID}, "|")
	return base + SurveyPath + "?t=" + url.QueryEscape(signer.Sign(links.PurposeSurvey, subject, expires))
}

func invalidLink() error {
	return pairup.Errorf(pairup.EINVALID, "This link is not valid. Please use the link exactly as it appears in the email.")
}

func readCheckIn(signer *links.Signer, token string, now time.Time) (CheckInRef, error) {
	subject, _, err := signer.Verify(links.PurposeCheckIn, token, now)
	if err != nil {
		return CheckInRef{}, err
	}
	parts := strings.Split(subject, "|")
	if len(parts) != 5 {
		return CheckInRef{}, invalidLink()
	}
	c := CheckInRef{parts[0], parts[1], parts[2], parts[3], pairup.CheckInAnswer(parts[4])}
	if c.Answer != pairup.CheckInYes && c.Answer != pairup.CheckInNo {
		return CheckInRef{}, invalidLink()
	}
	return c, nil
}

func readSurvey(signer *links.Signer, token string, now time.Time) (SurveyRef, error) {
	subject, _, err := signer.Verify(links.PurposeSurvey, token, now)
	if err != nil {
		return SurveyRef{}, err
	}
	parts := strings.Split(subject, "|")
	if len(parts) != 4 || !pairup.ValidSurveyKind(pairup.SurveyKind(parts[2])) {
		return SurveyRef{}, invalidLink()
	}
	return SurveyRef{parts[0], parts[1], pairup.SurveyKind(parts[2]), parts[3]}, nil
}
