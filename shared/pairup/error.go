package pairup

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error codes, after WTF Dial's: each maps to one HTTP status and one kind of page.
const (
	ECONFLICT = "conflict"  // state does not allow it (a round not in the expected state, a duplicate)
	EINTERNAL = "internal"  // our fault; details only in logs
	EINVALID  = "invalid"   // bad input; the message says what to fix
	ENOTFOUND = "not_found" // no such programme, round or registration
	ECLOSED   = "closed"    // a round not open for signup
	EEXPIRED  = "expired"   // a signed link past its expiry
	ELIMIT    = "limit"     // a cap reached (e.g. confirmation emails for one address)
)

// Error is a domain error: a code, a message safe to show a user, and, for invalid input, the
// message for each bad field.
type Error struct {
	Code    string
	Message string
	Fields  FieldErrors
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("pairup %s: %s (%s)", e.Code, e.Message, e.Fields.Error())
	}
	return fmt.Sprintf("pairup %s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any other error,
// and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the user-facing message of err: the *Error's message, or a generic one
// for internal errors (whose text may hold details users must not see).
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	default:
		return "Something went wrong on our side. Please try again in a few minutes."
	}
}

// FieldErrors maps a form field's name to what is wrong with it.
type FieldErrors map[string]string

// Add records msg for field unless the field already has a message (the first problem is the
// one to fix first).
func (f FieldErrors) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns nil when there are no field errors, else an EINVALID *Error carrying them.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "Please correct the highlighted fields.", Fields: f}
}

func (f FieldErrors) Error() string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + f[k]
	}
	return strings.Join(parts, "; ")
}

// Fields returns the field errors of err's *Error, or nil.
func Fields(err error) FieldErrors {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
