package pairing

import (
	"fmt"
	"strings"
)

// InputError is one problem with the input: which participant (ID, or
// "#i" for a record without ID, or empty for the rules and round), which
// field, and why.
type InputError struct {
	Person string
	Field  string
	Reason string
}

// Error implements error, e.g.
// `participant "p17": Country: unknown code "XX" (want ISO 3166-1 alpha-2)`.
func (e InputError) Error() string {
	if e.Person == "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("participant %q: %s: %s", e.Person, e.Field, e.Reason)
}

// InputErrors is every problem found in an input; Match returns it (as an
// error) instead of stopping at the first. Use errors.As to get it.
type InputErrors []InputError

// Error lists all problems, one per line after a count.
func (es InputErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "pairing: %d input problem(s)", len(es))
	for _, e := range es {
		b.WriteString("\n  ")
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap returns the individual problems, so errors.As can find an
// InputError.
func (es InputErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}
