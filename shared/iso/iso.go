// Package iso validates and lists the standard codes the forms and the matcher use: ISO 3166-1
// alpha-2 country codes and ISO 639-1 language codes, with their display names in English and
// Traditional Chinese. The code tables come from golang.org/x/text (CLDR); this package only
// narrows them to the two standards and sorts them for people.
package iso

import (
	"sort"
	"strings"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Option is a code with its display name, for a select list.
type Option struct {
	Code string
	Name string
}

// notISO are codes CLDR treats as countries that ISO 3166-1 does not assign (exceptional or
// transitional reservations, withdrawn codes, and user-assigned XK).
var notISO = map[string]bool{
	"AC": true, "AN": true, "BU": true, "CP": true, "CQ": true, "CS": true, "CT": true, "DD": true,
	"DG": true, "DY": true, "EA": true, "EZ": true, "FQ": true, "FX": true, "HV": true, "IC": true,
	"JT": true, "MI": true, "NH": true, "NQ": true, "NT": true, "PC": true, "PU": true, "PZ": true,
	"RH": true, "SU": true, "TA": true, "TP": true, "UK": true, "UN": true, "VD": true, "WK": true,
	"YD": true, "YU": true, "ZR": true, "XK": true,
}

// notISO639 are two-letter codes CLDR still parses that ISO 639-1 has withdrawn (iw → he, in →
// id, ji → yi, jw → jv, mo → ro, sh, bh).
var notISO639 = map[string]bool{"bh": true, "in": true, "iw": true, "ji": true, "jw": true, "mo": true, "sh": true}

var (
	once      sync.Once
	countries map[string]language.Region
	languages map[string]language.Base
	listMu    sync.Mutex
	lists     = map[string][]Option{}
)

func load() {
	countries = make(map[string]language.Region, 249)
	languages = make(map[string]language.Base, 190)
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			c := string([]rune{a, b})
			if r, err := language.ParseRegion(c); err == nil && r.IsCountry() && r.String() == c && !notISO[c] {
				countries[c] = r
			}
			l := strings.ToLower(c)
			if base, err := language.ParseBase(l); err == nil && base.String() == l && !notISO639[l] {
				languages[l] = base
			}
		}
	}
}

// IsCountry reports whether code is an assigned ISO 3166-1 alpha-2 code (upper case).
func IsCountry(code string) bool {
	once.Do(load)
	_, ok := countries[code]
	return ok
}

// IsLanguage reports whether code is an ISO 639-1 two-letter language code (lower case).
func IsLanguage(code string) bool {
	once.Do(load)
	_, ok := languages[code]
	return ok
}

// CountryCodes returns every ISO 3166-1 alpha-2 code, sorted.
func CountryCodes() []string {
	once.Do(load)
	return sortedKeys(countries)
}

// LanguageCodes returns every ISO 639-1 code, sorted.
func LanguageCodes() []string {
	once.Do(load)
	return sortedKeys(languages)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// CountryName is the display name of a country code in the locale ("en" or "zh-Hant"), or the
// code itself when it is not a country.
func CountryName(code, locale string) string {
	once.Do(load)
	r, ok := countries[code]
	if !ok {
		return code
	}
	if n := display.Regions(tag(locale)).Name(r); n != "" {
		return n
	}
	return code
}

// languageNames are display names for codes CLDR's display tables name after another code:
// golang.org/x/text/language/display canonicalises "no" to "nb" (Norwegian Bokmål) and "tw" to
// "ak" (Akan), so a full list would show those two names twice.
var languageNames = map[string]map[string]string{
	"en":      {"no": "Norwegian", "tw": "Twi"},
	"zh-Hant": {"no": "挪威文", "tw": "契維文"},
}

// LanguageName is the display name of a language code in the locale, or the code itself.
func LanguageName(code, locale string) string {
	once.Do(load)
	b, ok := languages[code]
	if !ok {
		return code
	}
	if n, ok := languageNames[locale][code]; ok {
		return n
	}
	if n := display.Languages(tag(locale)).Name(b); n != "" {
		return n
	}
	return code
}

// Countries lists every ISO 3166-1 country, sorted by name in the locale.
func Countries(locale string) []Option {
	return list("c:"+locale, locale, func() map[string]string {
		m := make(map[string]string, len(countries))
		for c := range countries {
			m[c] = CountryName(c, locale)
		}
		return m
	})
}

// Languages lists the given ISO 639-1 codes (all of them when codes is empty), sorted by name
// in the locale. Unknown codes are left out.
func Languages(locale string, codes ...string) []Option {
	key := "l:" + locale + ":" + strings.Join(codes, ",")
	return list(key, locale, func() map[string]string {
		m := make(map[string]string)
		if len(codes) == 0 {
			for c := range languages {
				m[c] = LanguageName(c, locale)
			}
		}
		for _, c := range codes {
			if IsLanguage(c) {
				m[c] = LanguageName(c, locale)
			}
		}
		return m
	})
}

func list(key, locale string, build func() map[string]string) []Option {
	once.Do(load)
	listMu.Lock()
	defer listMu.Unlock()
	if l, ok := lists[key]; ok {
		return l
	}
	m := build()
	out := make([]Option, 0, len(m))
	for c, n := range m {
		out = append(out, Option{Code: c, Name: n})
	}
	col := collate.New(tag(locale))
	sort.Slice(out, func(i, j int) bool {
		if d := col.CompareString(out[i].Name, out[j].Name); d != 0 {
			return d < 0
		}
		return out[i].Code < out[j].Code
	})
	lists[key] = out
	return out
}

func tag(locale string) language.Tag {
	if t, err := language.Parse(locale); err == nil {
		return t
	}
	return language.English
}
