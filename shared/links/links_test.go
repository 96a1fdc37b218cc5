package links

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pairup/pairup/shared/pairup"
)

func TestVerify(t *testing.T) {
	key := []byte(strings.Repeat("k", 32))
	s, err := NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewSigner([]byte(strings.Repeat("x", 32)))
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	good := s.Sign(PurposeConfirm, "iln/2027-1/abc", now.Add(time.Hour))
	payload, mac, _ := strings.Cut(good, ".")
	altered := enc.EncodeToString([]byte("confirm|iln/2027-1/abd|"+"9999999999")) + "." + mac

	for _, tc := range []struct {
		name    string
		purpose string
		token   string
		at      time.Time
		code    string
	}{
		{"OK", PurposeConfirm, good, now, ""},
		{"ErrExpired", PurposeConfirm, good, now.Add(time.Hour), pairup.EEXPIRED},
		{"ErrOtherPurpose", PurposeUnsubscribe, good, now, pairup.EINVALID},
		{"ErrForged", PurposeConfirm, other.Sign(PurposeConfirm, "iln/2027-1/abc", now.Add(time.Hour)), now, pairup.EINVALID},
		{"ErrAltered", PurposeConfirm, altered, now, pairup.EINVALID},
		{"ErrTruncated", PurposeConfirm, payload, now, pairup.EINVALID},
		{"ErrGarbage", PurposeConfirm, "%%%.###", now, pairup.EINVALID},
		{"ErrEmpty", PurposeConfirm, "", now, pairup.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub, _, err := s.Verify(tc.purpose, tc.token, tc.at)
			if got := pairup.ErrorCode(err); got != tc.code {
				t.Fatalf("code %q, want %q (err %v)", got, tc.code, err)
			}
			if tc.code == "" && sub != "iln/2027-1/abc" {
				t.Fatalf("subject %q", sub)
			}
		})
	}
	if _, err := NewSigner([]byte("short")); err == nil {
		t.Fatal("short key accepted")
	}
}

func TestVerifySubjects(t *testing.T) {
	s, err := NewSigner([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	exp := now.Add(time.Hour)
	for _, subject := range []string{"a|b@example.org", "|", "x||y", "", "ada@example.org", "iln/2027-1/abc"} {
		t.Run("OK/"+subject, func(t *testing.T) {
			sub, gotExp, err := s.Verify(PurposeUnsubscribe, s.Sign(PurposeUnsubscribe, subject, exp), now)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if sub != subject || !gotExp.Equal(exp) {
				t.Fatalf("got %q %v, want %q %v", sub, gotExp, subject, exp)
			}
		})
	}

	good := s.Sign(PurposeUnsubscribe, "a|b@example.org", exp)
	_, mac, _ := strings.Cut(good, ".")
	alter := func(payload string) string { return enc.EncodeToString([]byte(payload)) + "." + mac }
	for _, tc := range []struct {
		name    string
		purpose string
		token   string
	}{
		{"ErrOtherPurpose", PurposeConfirm, good},
		{"ErrOtherPurposePipe", PurposeUnsubscribe, s.Sign(PurposeConfirm, "a|b@example.org", exp)},
		{"ErrAlteredSubject", PurposeUnsubscribe, alter("unsubscribe|a|c@example.org|" + strconv.FormatInt(exp.Unix(), 10))},
		{"ErrAlteredSplit", PurposeUnsubscribe, alter("unsubscribe|a|b@example.org|x|" + strconv.FormatInt(exp.Unix(), 10))},
		{"ErrAlteredExpiry", PurposeUnsubscribe, alter("unsubscribe|a|b@example.org|9999999999")},
		{"ErrAlteredPurpose", PurposeConfirm, alter("confirm|a|b@example.org|" + strconv.FormatInt(exp.Unix(), 10))},
		{"ErrNoPipe", PurposeUnsubscribe, alter("unsubscribe")},
		{"ErrOnePipe", PurposeUnsubscribe, alter("unsubscribe|" + strconv.FormatInt(exp.Unix(), 10))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := s.Verify(tc.purpose, tc.token, now); pairup.ErrorCode(err) != pairup.EINVALID {
				t.Fatalf("err %v, want %s", err, pairup.EINVALID)
			}
		})
	}
}
