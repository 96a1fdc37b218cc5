package pairing

import "github.com/pairup/pairup/shared/iso"

// languageByIndex lists the ISO 639-1 codes in sorted order; languageIndex maps each to its bit
// position in the language bit sets.
var languageByIndex = iso.LanguageCodes()

var languageIndex = func() map[string]int {
	idx := make(map[string]int, len(languageByIndex))
	for i, c := range languageByIndex {
		idx[c] = i
	}
	return idx
}()

// countryName is the English name of an ISO 3166-1 alpha-2 code, for reasons.
func countryName(code string) string { return iso.CountryName(code, "en") }
