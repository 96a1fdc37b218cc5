package iso

import "testing"

func TestCodes(t *testing.T) {
	for _, tc := range []struct {
		code    string
		country bool
	}{
		{"HK", true}, {"AU", true}, {"GB", true}, {"US", true}, {"ZW", true},
		{"UK", false}, {"XK", false}, {"EU", false}, {"ZZ", false}, {"hk", false}, {"", false}, {"HKG", false},
	} {
		if got := IsCountry(tc.code); got != tc.country {
			t.Errorf("IsCountry(%q) = %v, want %v", tc.code, got, tc.country)
		}
	}
	for _, tc := range []struct {
		code string
		ok   bool
	}{{"en", true}, {"zh", true}, {"es", true}, {"yue", false}, {"iw", false}, {"he", true}, {"sh", false}, {"EN", false}, {"xx", false}, {"", false}} {
		if got := IsLanguage(tc.code); got != tc.ok {
			t.Errorf("IsLanguage(%q) = %v, want %v", tc.code, got, tc.ok)
		}
	}
	if n := len(Countries("en")); n != 249 {
		t.Errorf("Countries: %d, want the 249 ISO 3166-1 codes", n)
	}
	if n := len(Languages("en")); n != 183 {
		t.Errorf("Languages: %d, want the 183 ISO 639-1 codes", n)
	}
	if n := len(CountryCodes()); n != 249 || CountryCodes()[0] != "AD" {
		t.Errorf("CountryCodes: %d starting %q", n, CountryCodes()[0])
	}
	if n := len(LanguageCodes()); n != 183 || LanguageCodes()[0] != "aa" {
		t.Errorf("LanguageCodes: %d", n)
	}
}

func TestNames(t *testing.T) {
	if got := CountryName("HK", "en"); got != "Hong Kong SAR China" {
		t.Errorf("CountryName(HK, en) = %q", got)
	}
	if got := CountryName("HK", "zh-Hant"); got == "HK" || got == CountryName("HK", "en") {
		t.Errorf("CountryName(HK, zh-Hant) = %q, want a Chinese name", got)
	}
	langs := Languages("en", "zh", "en", "bogus")
	if len(langs) != 2 || langs[0].Code != "zh" || langs[1].Code != "en" {
		t.Errorf("Languages(en, zh, en) = %v, want Chinese then English (sorted by name, bogus dropped)", langs)
	}
	cs := Countries("en")
	if cs[0].Code != "AF" {
		t.Errorf("first country %v, want Afghanistan (Åland sorts with A)", cs[0])
	}
}

// TestLanguageNamesUnique: each language is listed once under its own name, in both locales
// (CLDR's display tables name "no" and "tw" after "nb" and "ak").
func TestLanguageNamesUnique(t *testing.T) {
	for _, loc := range []string{"en", "zh-Hant"} {
		seen := map[string]string{}
		for _, o := range Languages(loc) {
			if c, ok := seen[o.Name]; ok {
				t.Errorf("%s: %q names both %s and %s", loc, o.Name, c, o.Code)
			}
			seen[o.Name] = o.Code
		}
	}
	if LanguageName("no", "en") != "Norwegian" || LanguageName("tw", "en") != "Twi" || LanguageName("nb", "en") != "Norwegian Bokmål" {
		t.Errorf("no %q tw %q nb %q", LanguageName("no", "en"), LanguageName("tw", "en"), LanguageName("nb", "en"))
	}
}
