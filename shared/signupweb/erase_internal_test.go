package signupweb

import (
	"regexp"
	"strconv"
	"testing"
)

// TestErasePagesTranslated: every string the erase page and the unsubscribe page's offer
// translate has its Traditional Chinese, with the same verbs.
func TestErasePagesTranslated(t *testing.T) {
	call := regexp.MustCompile(`\.Tf? ("(?:[^"\\]|\\.)*")`)
	verbs := regexp.MustCompile(`%(\[\d\])?s`)
	all := joinStrings(zhHant, withdrawZhHant, eraseZhHant)
	for name, least := range map[string]int{"erase": 7, "unsubscribe": 5} {
		b, err := templateFS.ReadFile("templates/" + name + ".html")
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, m := range call.FindAllStringSubmatch(string(b), -1) {
			s, err := strconv.Unquote(m[1])
			if err != nil {
				t.Fatal(err)
			}
			found++
			zh, ok := all[s]
			if !ok {
				t.Errorf("%s: %q has no zh-Hant translation", name, s)
				continue
			}
			if got, want := len(verbs.FindAllString(zh, -1)), len(verbs.FindAllString(s, -1)); got != want {
				t.Errorf("%s: %q has %d verbs in zh-Hant, want %d", name, s, got, want)
			}
		}
		if found < least {
			t.Errorf("%s: found %d strings, want at least %d; the pattern no longer matches the template", name, found, least)
		}
	}
	for _, s := range []string{nothingLeft, "Your data is erased", "Erase my data", "You can also have all your personal data erased:",
		"You will get no more emails from us. You can sign up again later as a new participant."} {
		if _, ok := all[s]; !ok {
			t.Errorf("%q has no zh-Hant translation", s)
		}
	}
}
