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
	parts := strings.Split(good, ".")
	kid, payload, mac := parts[0], parts[1], parts[2]
	altered := kid + "." + enc.EncodeToString([]byte("confirm|iln/2027-1/abd|"+"9999999999")) + "." + mac

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
		{"ErrTruncated", PurposeConfirm, kid + "." + payload, now, pairup.EINVALID},
		{"ErrTooManyParts", PurposeConfirm, good + ".x", now, pairup.EINVALID},
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
	parts := strings.Split(good, ".")
	alter := func(payload string) string {
		return parts[0] + "." + enc.EncodeToString([]byte(payload)) + "." + parts[2]
	}
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

// TestKeyRing: tokens name their key; a ring verifies with any of its keys and signs with the
// newest, so rotating keeps links signed with an older key working while it stays in the ring.
// Tokens from before key ids (no id) verify against every key.
func TestKeyRing(t *testing.T) {
	oldKey, newKey, otherKey := []byte(strings.Repeat("o", 32)), []byte(strings.Repeat("n", 32)), []byte(strings.Repeat("x", 32))
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	exp := now.Add(365 * 24 * time.Hour)
	mustSigner := func(keys ...[]byte) *Signer {
		t.Helper()
		s, err := NewSigner(keys...)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	old, ring, fresh := mustSigner(oldKey), mustSigner(newKey, oldKey), mustSigner(newKey)
	byOld := old.Sign(PurposeUnsubscribe, "confirm/reg/1", exp)
	byRing := ring.Sign(PurposeUnsubscribe, "confirm/reg/1", exp)
	// A token as signed before key ids: payload.mac under the old key.
	payload := PurposeUnsubscribe + "|ada@example.org|" + strconv.FormatInt(exp.Unix(), 10)
	legacy := enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(mac(oldKey, payload))
	// A token whose key id was swapped for the other key's.
	parts := strings.Split(byOld, ".")
	swapped := KeyID(newKey) + "." + parts[1] + "." + parts[2]

	for _, tc := range []struct {
		name   string
		signer *Signer
		token  string
		code   string
	}{
		{"OldKeyInRing", ring, byOld, ""},
		{"NewestSigns", fresh, byRing, ""},
		{"LegacyInRing", ring, legacy, ""},
		{"LegacyOneKey", old, legacy, ""},
		{"ErrOldKeyDropped", fresh, byOld, pairup.EINVALID},
		{"ErrLegacyKeyDropped", fresh, legacy, pairup.EINVALID},
		{"ErrKeyIDSwapped", ring, swapped, pairup.EINVALID},
		{"ErrUnknownKey", mustSigner(otherKey), byRing, pairup.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := tc.signer.Verify(PurposeUnsubscribe, tc.token, now)
			if got := pairup.ErrorCode(err); got != tc.code {
				t.Fatalf("code %q, want %q (err %v)", got, tc.code, err)
			}
		})
	}
	if !strings.HasPrefix(byRing, KeyID(newKey)+".") || KeyID(newKey) == KeyID(oldKey) {
		t.Errorf("ring token %q does not name the newest key %s", byRing, KeyID(newKey))
	}
	if _, err := NewSigner(); err == nil {
		t.Error("empty ring accepted")
	}
	if _, err := NewSigner(newKey, []byte("short")); err == nil {
		t.Error("short older key accepted")
	}
	if a, b := ring.Opaque("source", "192.0.2.1"), fresh.Opaque("source", "192.0.2.1"); a != b || a == old.Opaque("source", "192.0.2.1") ||
		a == ring.Opaque("source", "192.0.2.2") || a == ring.Opaque("other", "192.0.2.1") || strings.Contains(a, "192") {
		t.Errorf("Opaque: not a stable keyed pseudonym: %q %q", a, b)
	}
}
