package erasure_test

import (
	"context"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/erasure"
	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/pairup"
)

// TestFreeText: the answers an erasure removes are the ones that may hold anyone's words.
func TestFreeText(t *testing.T) {
	form := pairup.DefaultSurvey(pairup.SurveyEnd) // satisfaction (scale), heard (choice), impact (multi), again (choice), comments (text)
	for _, tc := range []struct {
		name    string
		answers pairup.SurveyAnswers
		want    []string
	}{
		{"Fixed", pairup.SurveyAnswers{"satisfaction": {"4"}, "heard": {"friend"}, "impact": {"ideas", "contacts"}, "again": {"yes"}}, nil},
		{"Text", pairup.SurveyAnswers{"satisfaction": {"4"}, "comments": {"My partner Ada…"}}, []string{"comments"}},
		{"UnknownQuestion", pairup.SurveyAnswers{"old-question": {"5"}}, []string{"old-question"}},
		{"NotAnOption", pairup.SurveyAnswers{"heard": {"Ada told me"}, "impact": {"ideas", "free text"}}, []string{"heard", "impact"}},
		{"OutOfScale", pairup.SurveyAnswers{"satisfaction": {"Ada"}}, []string{"satisfaction"}},
		{"None", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := erasure.FreeText(form, tc.answers); !slices.Equal(got, tc.want) {
				t.Errorf("FreeText = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestHandleRefusesBadEvents: a malformed console event is refused with a message that says what
// to send, before anything is read (the service has no store).
func TestHandleRefusesBadEvents(t *testing.T) {
	signer, err := links.NewSigner(testKey)
	if err != nil {
		t.Fatal(err)
	}
	s := &erasure.Service{Links: signer, Clock: pairup.NewManualClock(now), Log: slog.New(slog.DiscardHandler)}
	for _, tc := range []struct {
		name string
		ev   erasure.Event
		want string
	}{
		{"NoAction", erasure.Event{}, `Unknown action ""`},
		{"UnknownAction", erasure.Event{Action: "delete", Email: ada}, `Unknown action "delete"`},
		{"NobodyNamed", erasure.Event{Action: "erase"}, "names one person"},
		{"BothNamed", erasure.Event{Action: "erase", Email: ada, Registration: "iln/r/x"}, "not both"},
		{"BadAddress", erasure.Event{Action: "erase", Email: "not an address"}, "name@example.org"},
		{"BadRegistration", erasure.Event{Action: "erase", Registration: "iln/x"}, `"<programme>/<round>/<registration id>"`},
		{"BadRegistrationIDs", erasure.Event{Action: "erase", Registration: "ILN!/r/x"}, "as the coordinators' emails"},
		{"RetentionWithPerson", erasure.Event{Action: "retention", Email: ada}, "takes no"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Handle(context.Background(), tc.ev)
			if pairup.ErrorCode(err) != pairup.EINVALID || !strings.Contains(pairup.ErrorMessage(err), tc.want) {
				t.Errorf("Handle(%+v) = %v; want EINVALID saying %q", tc.ev, err, tc.want)
			}
		})
	}
}

// TestLinks: an erase link names a registration or an email, verifies only for its purpose and
// until it expires, and cannot be altered.
func TestLinks(t *testing.T) {
	signer, err := links.NewSigner(testKey)
	if err != nil {
		t.Fatal(err)
	}
	reg := erasure.Target{ProgrammeID: "iln", RoundID: "2027-1", RegistrationID: "abc"}
	msg := erasure.Target{MessageKey: "match/iln/2027-1/abc"}
	for _, want := range []erasure.Target{reg, msg} {
		u := erasure.URL(signer, "https://pairup.test", want, now.Add(time.Hour))
		tok, err := url.QueryUnescape(strings.TrimPrefix(u, "https://pairup.test/erase?t="))
		if err != nil {
			t.Fatal(err)
		}
		got, err := erasure.Read(signer, tok, now)
		if err != nil || got != want {
			t.Errorf("Read(URL(%+v)) = %+v, %v", want, got, err)
		}
		if _, err := erasure.Read(signer, tok, now.Add(time.Hour)); pairup.ErrorCode(err) != pairup.EEXPIRED {
			t.Errorf("expired link: %v, want EEXPIRED", err)
		}
		if _, err := erasure.Read(signer, tok[:len(tok)-2]+"xx", now); pairup.ErrorCode(err) != pairup.EINVALID {
			t.Errorf("altered link: %v, want EINVALID", err)
		}
	}
	other := signer.Sign(links.PurposeWithdraw, "registration|iln|2027-1|abc", now.Add(time.Hour))
	if _, err := erasure.Read(signer, other, now); pairup.ErrorCode(err) != pairup.EINVALID {
		t.Errorf("a withdraw token as an erase link: %v, want EINVALID", err)
	}
	for _, subject := range []string{"registration|iln|2027-1", "registration|iln||abc", "outbox|", "other|x", "iln|2027-1|abc"} {
		if _, err := erasure.Read(signer, signer.Sign(links.PurposeErase, subject, now.Add(time.Hour)), now); pairup.ErrorCode(err) != pairup.EINVALID {
			t.Errorf("subject %q: %v, want EINVALID", subject, err)
		}
	}
}
