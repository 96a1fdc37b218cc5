// Package links signs and verifies the expiring tokens carried by the links pairup emails
// (confirm a signup, unsubscribe, answer a check-in, open a survey) and by its forms (when a form was served, and which one).
// A token binds a purpose and a subject to an expiry with HMAC-SHA256; a token cannot be
// forged, altered or reused for another purpose, and it dies on its own. Whether a token may
// be used twice is for its user to decide (a form token is single-use: package signup records
// its nonce).
//
// # Key ring
//
// A Signer holds a ring of keys, newest first: it signs with the newest and verifies with any,
// so a key can be rotated without breaking the year-long unsubscribe links already sent — keep
// the old key in the ring until they have expired. A token names its key by a key id, a short
// hash of the key itself, so two Signers given the same key agree on it without configuration.
// Tokens signed before key ids existed (two parts, no id) are verified against every key.
package links

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pairup/pairup/shared/pairup"
)

// Purposes of tokens. A token signed for one purpose never verifies for another.
const (
	PurposeConfirm = "confirm"
	// PurposeUnsubscribe tokens name the outbox key of the email that carried the link (an
	// opaque id the store looks the address up by); tokens signed before that name the address
	// itself, and still verify until they expire.
	PurposeUnsubscribe = "unsubscribe"
	PurposeForm        = "form"
	// PurposeCheckIn tokens name a pair member's answer to a check-in (package survey); the
	// answer is single-use, recorded once.
	PurposeCheckIn = "checkin"
	// PurposeSurvey tokens name a participant's survey of a round (package survey).
	PurposeSurvey = "survey"
	// PurposeContinue tokens name a pair member's choice at round close: continue on their own
	// or conclude (recorded once).
	PurposeContinue = "continue"
	// PurposeWithdraw tokens name a registration whose participant may withdraw from its round.
	PurposeWithdraw = "withdraw"
	// PurposeRejoin tokens invite a person deferred from an earlier round into a new round,
	// keeping their place.
	PurposeRejoin = "rejoin"
	// PurposeErase tokens let a participant ask for their personal data to be erased.
	PurposeErase = "erase"
	// PurposeNewPartner tokens let a participant whose partner withdrew ask the coordinators
	// for a new partner (package membership).
	PurposeNewPartner = "new-partner"
)

// UnsubscribeTTL is how long an unsubscribe link works. The outbox keeps the email a link names
// for longer (400 days), so the link finds its address as long as it works.
const UnsubscribeTTL = 365 * 24 * time.Hour

// MinKeyLen is the shortest key Signer accepts: 32 bytes, the HMAC-SHA256 block's half.
const MinKeyLen = 32

type key struct {
	id     string
	secret []byte
}

// Signer signs with the newest key of its ring and verifies with any of them.
type Signer struct {
	keys []key
}

// NewSigner returns a Signer for a key ring, newest key first. It needs at least one key, each
// at least MinKeyLen bytes.
func NewSigner(keys ...[]byte) (*Signer, error) {
	if len(keys) == 0 {
		return nil, errors.New("links: no key")
	}
	s := &Signer{}
	for i, k := range keys {
		if len(k) < MinKeyLen {
			return nil, fmt.Errorf("links: key %d of %d is %d bytes, need at least %d", i+1, len(keys), len(k), MinKeyLen)
		}
		s.keys = append(s.keys, key{id: KeyID(k), secret: append([]byte(nil), k...)})
	}
	return s, nil
}

// KeyID is the id a token signed with k carries: 48 bits of SHA-256 over a label and the key,
// in base64url (8 characters). It identifies the key without revealing it.
func KeyID(k []byte) string {
	sum := sha256.Sum256(append([]byte("pairup link key id\x00"), k...))
	return enc.EncodeToString(sum[:6])
}

var enc = base64.RawURLEncoding

// Sign returns a URL-safe token binding purpose and subject until expires, signed with the
// newest key: "<key id>.<payload>.<mac>", base64url parts (base64url has no '.'). Any subject
// works, including one containing '|' (an email address may): purpose (a constant, never with
// '|') and the expiry (digits) sit at either end of the payload, so Verify splits at the first
// and the last '|'.
func (s *Signer) Sign(purpose, subject string, expires time.Time) string {
	k := s.keys[0]
	payload := purpose + "|" + subject + "|" + strconv.FormatInt(expires.Unix(), 10)
	return k.id + "." + enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(mac(k.secret, payload))
}

// Verify checks token for purpose at time now and returns its subject and expiry. A malformed,
// forged or altered token, one for another purpose, or one signed with a key no longer in the
// ring, is EINVALID; an expired one EEXPIRED.
func (s *Signer) Verify(purpose, token string, now time.Time) (subject string, expires time.Time, err error) {
	invalid := pairup.Errorf(pairup.EINVALID, "This link is not valid. Please use the link exactly as it appears in the email.")
	parts := strings.Split(token, ".")
	var kid, p64, m64 string
	switch len(parts) {
	case 3:
		kid, p64, m64 = parts[0], parts[1], parts[2]
	case 2: // signed before key ids: any key of the ring may have signed it
		p64, m64 = parts[0], parts[1]
	default:
		return "", time.Time{}, invalid
	}
	payload, err1 := enc.DecodeString(p64)
	sum, err2 := enc.DecodeString(m64)
	if err := errors.Join(err1, err2); err != nil {
		return "", time.Time{}, invalid
	}
	signed := false
	for _, k := range s.keys {
		if (len(parts) == 2 || k.id == kid) && hmac.Equal(sum, mac(k.secret, string(payload))) {
			signed = true
			break
		}
	}
	if !signed {
		return "", time.Time{}, invalid
	}
	// purpose|subject|expiry: purpose has no '|' and expiry is digits, so the subject is
	// everything between the first and the last '|' and may itself contain '|'.
	p := string(payload)
	first, last := strings.IndexByte(p, '|'), strings.LastIndexByte(p, '|')
	if first < 0 || first == last || p[:first] != purpose {
		return "", time.Time{}, invalid
	}
	subject = p[first+1 : last]
	exp, err := strconv.ParseInt(p[last+1:], 10, 64)
	if err != nil {
		return "", time.Time{}, invalid
	}
	expires = time.Unix(exp, 0).UTC()
	if !now.Before(expires) {
		return subject, expires, pairup.Errorf(pairup.EEXPIRED, "This link has expired.")
	}
	return subject, expires, nil
}

// Opaque returns a stable pseudonym for value within label: 128 bits of HMAC-SHA256 under the
// newest key, base64url (22 characters). It lets the store count by a value (a source address)
// without holding it; a new key gives new pseudonyms.
func (s *Signer) Opaque(label, value string) string {
	return enc.EncodeToString(mac(s.keys[0].secret, "opaque|"+label+"|"+value)[:16])
}

// Pseudonyms returns value's pseudonyms within label (as Opaque) under every key of the ring,
// newest first: what a lookup by pseudonym tries, so that a value recorded under an older key is
// still found after a rotation (for as long as that key stays in the ring).
func (s *Signer) Pseudonyms(label, value string) []string {
	out := make([]string, len(s.keys))
	for i, k := range s.keys {
		out[i] = enc.EncodeToString(mac(k.secret, "opaque|"+label+"|"+value)[:16])
	}
	return out
}

func mac(secret []byte, payload string) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(payload))
	return h.Sum(nil)
}
