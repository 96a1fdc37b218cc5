package mail

import (
	"errors"
	"fmt"
	htmltemplate "html/template"
)

// MaxContentIDLen bounds an inline part's ContentID.
const MaxContentIDLen = 100

// CIDURL is the URL by which an HTML body shows the inline part whose ContentID is id:
// "cid:" + id (RFC 2392), typed so that html/template keeps it in an src attribute (it
// replaces URLs of other schemes than http, https and mailto). id must be a valid ContentID
// (see [Attachment]); anything else gives "", which shows no image rather than a foreign one.
func CIDURL(id string) htmltemplate.URL {
	if validateContentID(id) != nil {
		return ""
	}
	return htmltemplate.URL("cid:" + id)
}

// validateInline checks the content ids: an inline part has one, each is well formed, and no
// two parts share one (a cid: URL would show either).
func validateInline(as []Attachment) []error {
	var errs []error
	seen := map[string]bool{}
	for i, a := range as {
		if a.ContentID == "" {
			if a.Inline {
				errs = append(errs, fmt.Errorf("attachment %d is inline without a content id", i+1))
			}
			continue
		}
		if err := validateContentID(a.ContentID); err != nil {
			errs = append(errs, fmt.Errorf("attachment %d: content id %v", i+1, err))
			continue
		}
		if seen[a.ContentID] {
			errs = append(errs, fmt.Errorf("attachment %d: content id used by an earlier attachment", i+1))
		}
		seen[a.ContentID] = true
	}
	return errs
}

// validateContentID accepts ids made of ASCII letters, digits and ".-_@", which need no
// quoting in a Content-ID header and no escaping in a cid: URL.
func validateContentID(id string) error {
	switch {
	case id == "":
		return errors.New("is empty")
	case len(id) > MaxContentIDLen:
		return fmt.Errorf("is longer than %d bytes", MaxContentIDLen)
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_', r == '@':
		default:
			return errors.New("holds a character other than a letter, digit, '.', '-', '_' or '@'")
		}
	}
	return nil
}
