// Package links signs and verifies the expiring tokens carried by the links pairup emails
// (confirm a signup, answer a survey, unsubscribe) and by its forms (when a form was served).
// A token binds a purpose and a subject to an expiry with HMAC-SHA256; nothing is stored, so a
// token cannot be forged, altered or reused for another purpose, and it dies on its own.
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
	PurposeConfirm     = "confirm"
	PurposeUnsubscribe = "unsubscribe"
	PurposeForm        = "form"
)

// MinKeyLen is the shortest key Signer accepts: 32 bytes, the HMAC-SHA256 block's half.
const MinKeyLen = 32

// Signer signs and verifies tokens with one secret key.
type Signer struct {
	key []byte
}

// NewSigner returns a Signer for key, which must be at least MinKeyLen bytes.
func NewSigner(key []byte) (*Signer, error) {
	if len(key) < MinKeyLen {
		return nil, fmt.Errorf("links: key is %d bytes, need at least %d", len(key), MinKeyLen)
	}
	return &Signer{key: append([]byte(nil), key...)}, nil
}

var enc = base64.RawURLEncoding

// Sign returns a URL-safe token binding purpose and subject until expires. Any subject works,
// including one containing '|' (an email address may): purpose (a constant, never with '|')
// and the expiry (digits) sit at either end of the payload, so Verify splits at the first and
// the last '|'.
func (s *Signer) Sign(purpose, subject string, expires time.Time) string {
	payload := purpose + "|" + subject + "|" + strconv.FormatInt(expires.Unix(), 10)
	return enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(s.mac(payload))
}

// Verify checks token for purpose at time now and returns its subject and expiry. A malformed,
// forged or altered token, or one for another purpose, is EINVALID; an expired one EEXPIRED.
func (s *Signer) Verify(purpose, token string, now time.Time) (subject string, expires time.Time, err error) {
	invalid := pairup.Errorf(pairup.EINVALID, "This link is not valid. Please use the link exactly as it appears in the email.")
	p64, m64, ok := strings.Cut(token, ".")
	if !ok {
		return "", time.Time{}, invalid
	}
	payload, err1 := enc.DecodeString(p64)
	mac, err2 := enc.DecodeString(m64)
	if err := errors.Join(err1, err2); err != nil {
		return "", time.Time{}, invalid
	}
	if !hmac.Equal(mac, s.mac(string(payload))) {
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

func (s *Signer) mac(payload string) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(payload))
	return h.Sum(nil)
}
