package config

import (
	"strings"
	"testing"
	"time"
)

func TestFromEnv(t *testing.T) {
	key := strings.Repeat("ab", 32)
	base := map[string]string{EnvTable: "t", EnvMailFrom: "a@b.org", EnvBaseURL: "https://x.org/", EnvLinkKey: key}
	with := func(kv ...string) func(string) string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, tc := range []struct {
		name string
		env  func(string) string
		errs []string // variables the error must name
	}{
		{"OK", with(), nil},
		{"OKSecret", with(EnvLinkKey, "", EnvLinkKeySecret, "arn:aws:secretsmanager:eu-west-2:1:secret:k"), nil},
		{"ErrMissing", func(string) string { return "" }, []string{EnvTable, EnvMailFrom, EnvBaseURL, EnvLinkKey}},
		{"ErrMailRate", with(EnvMailRate, "0"), []string{EnvMailRate}},
		{"ErrMailRateNaN", with(EnvMailRate, "NaN"), []string{EnvMailRate}},
		{"ErrMailConcurrency", with(EnvMailConcurrency, "0"), []string{EnvMailConcurrency}},
		{"ErrShortKey", with(EnvLinkKey, "abcd"), []string{EnvLinkKey}},
		{"ErrKeyNotHex", with(EnvLinkKey, strings.Repeat("zz", 32)), []string{EnvLinkKey}},
		{"ErrLogLevel", with(EnvLogLevel, "loud"), []string{EnvLogLevel}},
		{"ErrMinFill", with(EnvMinFillSeconds, "-1"), []string{EnvMinFillSeconds}},
		{"OKKeyRing", with(EnvLinkKey, key+", "+strings.Repeat("cd", 32)), nil},
		{"ErrKeyRingShortKey", with(EnvLinkKey, key+",abcd"), []string{EnvLinkKey}},
		{"ErrKeyRingEmptyKey", with(EnvLinkKey, key+","), []string{EnvLinkKey}},
		{"OKNoLimits", with(EnvSignupsPerSourceHour, "0", EnvConfirmationsPerProgrammeDay, "0"), nil},
		{"ErrSourceLimit", with(EnvSignupsPerSourceHour, "-1"), []string{EnvSignupsPerSourceHour}},
		{"ErrProgrammeLimit", with(EnvConfirmationsPerProgrammeDay, "lots"), []string{EnvConfirmationsPerProgrammeDay}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := FromEnv(tc.env, NeedTable, NeedMail, NeedLinks)
			if len(tc.errs) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if c.BaseURL != "https://x.org" {
					t.Errorf("BaseURL %q: trailing slash kept", c.BaseURL)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, v := range tc.errs {
				if !strings.Contains(err.Error(), v) {
					t.Errorf("error %q does not name %s", err, v)
				}
			}
		})
	}
	c, err := FromEnv(with(EnvMinFillSeconds, "7", EnvMailRate, "2.5", EnvMailConcurrency, "2"))
	if err != nil || c.MinFill != 7*time.Second || c.MailRate != 2.5 || c.MailConcurrency != 2 {
		t.Fatalf("MinFill %v, MailRate %v, MailConcurrency %d: %v", c.MinFill, c.MailRate, c.MailConcurrency, err)
	}
	if c, err := FromEnv(func(string) string { return "" }); err != nil || c.MailRate != DefaultMailRate || c.MailConcurrency != 1 ||
		c.SignupsPerSourceHour != DefaultSignupsPerSourceHour || c.ConfirmationsPerProgrammeDay != DefaultConfirmationsPerProgrammeDay {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	c, err = FromEnv(with(EnvSignupsPerSourceHour, "0", EnvConfirmationsPerProgrammeDay, "5", EnvLinkKey, strings.Repeat("cd", 32)+","+key))
	if err != nil || c.SignupsPerSourceHour != 0 || c.ConfirmationsPerProgrammeDay != 5 ||
		len(c.LinkKeys) != 2 || c.LinkKeys[0][0] != 0xcd || c.LinkKeys[1][0] != 0xab || &c.LinkKey[0] != &c.LinkKeys[0][0] {
		t.Fatalf("limits %d %d, keys %x (newest %x): %v", c.SignupsPerSourceHour, c.ConfirmationsPerProgrammeDay, c.LinkKeys, c.LinkKey, err)
	}
}

// TestParseKeyRing: the Secrets Manager secret holds one key or several, newest first; each key
// is the text itself, as the stack's generated secret is used.
func TestParseKeyRing(t *testing.T) {
	a, b := strings.Repeat("A", 64), strings.Repeat("b", 32)
	for _, tc := range []struct {
		name, secret string
		want         []string
	}{
		{"OKOne", a, []string{a}},
		{"OKTwo", a + "," + b, []string{a, b}},
		{"OKSpaces", " " + a + " ,\n" + b + "\n", []string{a, b}},
		{"ErrShort", a + ",short", nil},
		{"ErrEmpty", "", nil},
		{"ErrTrailingComma", a + ",", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys, err := ParseKeyRing(tc.secret)
			if tc.want == nil {
				if err == nil {
					t.Fatalf("accepted: %q", keys)
				}
				return
			}
			if err != nil || len(keys) != len(tc.want) {
				t.Fatalf("%q, %v", keys, err)
			}
			for i := range keys {
				if string(keys[i]) != tc.want[i] {
					t.Errorf("key %d = %q, want %q", i, keys[i], tc.want[i])
				}
			}
		})
	}
}

// TestNeeds checks that a function is asked only for the settings of what it uses.
func TestNeeds(t *testing.T) {
	for _, tc := range []struct {
		name  string
		needs []Need
		env   map[string]string
		want  []string // variables the error must name; none: no error
		never []string // variables the error must not name
	}{
		{"MailerWithoutLinks", []Need{NeedTable, NeedMail}, map[string]string{EnvTable: "t", EnvMailFrom: "a@b.org"}, nil, nil},
		{"SESEventsTableOnly", []Need{NeedTable}, map[string]string{EnvTable: "t"}, nil, nil},
		{"SignupWithoutMail", []Need{NeedTable, NeedLinks}, map[string]string{EnvTable: "t", EnvBaseURL: "https://x.org", EnvLinkKeySecret: "arn"}, nil, nil},
		{"ErrMailerNoFrom", []Need{NeedTable, NeedMail}, map[string]string{EnvTable: "t"}, []string{EnvMailFrom}, []string{EnvBaseURL, EnvLinkKey}},
		{"ErrSignupNoLinks", []Need{NeedTable, NeedLinks}, map[string]string{EnvTable: "t"}, []string{EnvBaseURL, EnvLinkKey}, []string{EnvMailFrom}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FromEnv(func(k string) string { return tc.env[k] }, tc.needs...)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, v := range tc.want {
				if !strings.Contains(err.Error(), v) {
					t.Errorf("error %q does not name %s", err, v)
				}
			}
			for _, v := range tc.never {
				if strings.Contains(err.Error(), v) {
					t.Errorf("error %q names %s, which this function does not use", err, v)
				}
			}
		})
	}
}
