package signupweb

import (
	"regexp"
	"strconv"
	"testing"
)

// TestWithdrawPagesTranslated: every string the withdraw, new-partner and rejoin templates
// translate has its Traditional Chinese, and a format keeps its verbs.
func TestWithdrawPagesTranslated(t *testing.T) {
	call := regexp.MustCompile(`\.Tf? ("(?:[^"\\]|\\.)*")`)
	verbs := regexp.MustCompile(`%(\[\d\])?s`)
	for _, name := range []string{"withdraw", "new-partner", "rejoin"} {
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
			if s == "%s · %s" {
				continue // the kit's own
			}
			found++
			zh, ok := joinStrings(zhHant, withdrawZhHant)[s]
			if !ok {
				t.Errorf("%s: %q has no zh-Hant translation", name, s)
				continue
			}
			if got, want := len(verbs.FindAllString(zh, -1)), len(verbs.FindAllString(s, -1)); got != want {
				t.Errorf("%s: %q has %d verbs in zh-Hant, want %d", name, s, got, want)
			}
		}
		if found < 4 {
			t.Errorf("%s: found %d strings; the pattern no longer matches the template", name, found)
		}
	}
}
