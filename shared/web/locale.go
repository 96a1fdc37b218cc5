package web

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"

	"golang.org/x/text/language"

	"github.com/pairup/pairup/shared/pairup"
)

// The locales the pages exist in. Emails are not translated here (package mail has its own).
const (
	localeEN     = "en"
	localeZHHant = "zh-Hant"
)

// localeTags maps each page locale to its tag; localeNames is what the language switch says,
// in the locale itself.
var (
	localeTags  = map[string]language.Tag{localeEN: language.English, localeZHHant: language.TraditionalChinese}
	localeNames = map[string]string{localeEN: "English", localeZHHant: "繁體中文"}
)

// pageLocales are the locales a page may be shown in, the default first. A programme's pages
// follow its languages: its Locale is the default, English is always there, and Traditional
// Chinese is there when the programme's Locale is zh-Hant or it restricts its languages to a
// list holding "zh". Pages of no programme (the index, unsubscribing, errors) come in every
// locale, English by default.
func pageLocales(p *pairup.Programme) []string {
	if p == nil {
		return []string{localeEN, localeZHHant}
	}
	def := localeEN
	if p.Locale == localeZHHant {
		def = localeZHHant
	}
	out := []string{def}
	if def != localeEN {
		out = append(out, localeEN)
	}
	if def != localeZHHant && len(p.Languages) > 0 && slices.Contains(p.Languages, "zh") {
		out = append(out, localeZHHant)
	}
	return out
}

// chooseLocale picks the page's locale among locales: the lang parameter (?lang=, or the form's
// hidden lang field, which carries the choice through a POST) if it names one of them, else the
// best match for the browser's Accept-Language (golang.org/x/text/language's Matcher), else the
// default. It never parses the request body itself.
func chooseLocale(r *http.Request, locales []string) string {
	lang := r.URL.Query().Get("lang")
	if lang == "" && r.PostForm != nil {
		lang = r.PostForm.Get("lang")
	}
	if slices.Contains(locales, lang) {
		return lang
	}
	tags := make([]language.Tag, len(locales))
	for i, l := range locales {
		tags[i] = localeTags[l]
	}
	want, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(want) == 0 {
		return locales[0]
	}
	_, i, conf := language.NewMatcher(tags).Match(want...)
	if conf == language.No {
		return locales[0]
	}
	return locales[i]
}

// SwitchLink is a link to the same page in another locale: Label is the locale's name in
// itself ("繁體中文").
type SwitchLink struct{ Href, Lang, Label string }

// switchLinks are the links to the same page in the other locales: GET pages only (a POST's
// result cannot be fetched again), keeping the query (a confirm or unsubscribe link's token).
func switchLinks(r *http.Request, locales []string, current string) []SwitchLink {
	if r.Method != http.MethodGet || len(locales) < 2 {
		return nil
	}
	var out []SwitchLink
	for _, l := range locales {
		if l == current {
			continue
		}
		q := url.Values{}
		for k, v := range r.URL.Query() {
			q[k] = v
		}
		q.Set("lang", l)
		out = append(out, SwitchLink{Href: r.URL.Path + "?" + q.Encode(), Lang: l, Label: localeNames[l]})
	}
	return out
}

// Catalogue holds translations of page strings: by locale ("zh-Hant"), then by the English
// text. English needs none: a string with no translation (English, or a programme's own text)
// is shown as it is.
type Catalogue map[string]map[string]string

// merge returns c with more's strings added, in a new Catalogue. It fails on a locale the pages
// do not come in or a string translated differently in each.
func (c Catalogue) merge(more Catalogue) (Catalogue, error) {
	out := Catalogue{}
	for _, src := range []Catalogue{c, more} {
		for loc, m := range src {
			if _, ok := localeTags[loc]; !ok {
				return nil, fmt.Errorf("translations for %q: pages come in %v only", loc, slices.Sorted(maps.Keys(localeTags)))
			}
			if out[loc] == nil {
				out[loc] = map[string]string{}
			}
			for en, t := range m {
				if old, ok := out[loc][en]; ok && old != t {
					return nil, fmt.Errorf("%q translated twice into %s: %q and %q", en, loc, old, t)
				}
				out[loc][en] = t
			}
		}
	}
	return out, nil
}

// tr is s in locale: its translation, or s itself.
func (c Catalogue) tr(locale, s string) string {
	if t, ok := c[locale][s]; ok {
		return t
	}
	return s
}

// trf formats the translated format.
func (c Catalogue) trf(locale, format string, args ...any) string {
	return fmt.Sprintf(c.tr(locale, format), args...)
}

func formatDate(locale string, t time.Time) string {
	if locale == localeZHHant {
		return t.UTC().Format("2006年1月2日")
	}
	return t.UTC().Format("2 January 2006")
}

// kitStrings are the kit's own strings (the layout's, the message and error pages') in
// Traditional Chinese.
var kitStrings = Catalogue{localeZHHant: {
	// The layout.
	"pairup · mentoring programmes run by volunteers": "pairup · 由義工營運的師友計劃",
	"Language": "語言",

	// Refusals: the 404 page, a cross-origin form, a body too large or not readable.
	"Page not found":                    "找不到頁面",
	"There is no page at this address.": "此地址沒有頁面。",
	"See the programmes":                "查看各計劃",
	"Form refused":                      "表格不獲接受",
	"This form was sent from another site, so we did not accept it. Please open the form on this site and send it from there.": "此表格由其他網站發送，因此我們沒有接受。請在本網站開啟表格並從這裏發送。",
	"Request too large": "請求過大",
	"What you sent is larger than %d KiB, so we did not accept it.": "你發送的內容大於 %d KiB，因此我們沒有接受。",
	"Request not readable":                               "無法讀取請求",
	"We could not read what you sent. Please try again.": "我們無法讀取你發送的內容，請再試一次。",
	"Form too large":                                     "表格過大",
	"The form you sent is larger than %d KiB, so we did not accept it.": "你發送的表格大於 %d KiB，因此我們沒有接受。",
	"Form not readable": "無法讀取表格",
	"We could not read the form you sent. Please try again.": "我們無法讀取你發送的表格，請再試一次。",
	"Back to the form": "返回表格",

	// Error pages' titles, and an internal error's message (pairup.ErrorMessage).
	"Please try again later":  "請稍後再試",
	"Something went wrong":    "發生錯誤",
	"Not found":               "找不到",
	"This link is not valid":  "此連結無效",
	"This link has expired":   "此連結已過期",
	"This cannot be done now": "目前無法進行此操作",
	"Something went wrong on our side. Please try again in a few minutes.": "我們的系統出現問題，請於數分鐘後再試。",
	"This request is not valid": "此請求無效",
	"This has expired":          "已過期",
	"No longer open":            "已不再開放",
	"This form is not valid":    "此表格無效",
	"This form has expired":     "此表格已過期",
}}
