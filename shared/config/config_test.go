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
		{"ErrShortKey", with(EnvLinkKey, "abcd"), []string{EnvLinkKey}},
		{"ErrKeyNotHex", with(EnvLinkKey, strings.Repeat("zz", 32)), []string{EnvLinkKey}},
		{"ErrLogLevel", with(EnvLogLevel, "loud"), []string{EnvLogLevel}},
		{"ErrMinFill", with(EnvMinFillSeconds, "-1"), []string{EnvMinFillSeconds}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := FromEnv(tc.env)
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
	c, err := FromEnv(with(EnvMinFillSeconds, "7"))
	if err != nil || c.MinFill != 7*time.Second {
		t.Fatalf("MinFill %v %v", c.MinFill, err)
	}
}
