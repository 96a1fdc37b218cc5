package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"path"
	"sort"
	"strings"
	texttemplate "text/template"
	"time"
)

// Locales pairup writes emails in.
const (
	English            = "en"
	TraditionalChinese = "zh-Hant"
	// DefaultLocale is used when a template has no version in the locale
	// asked for.
	DefaultLocale = English
)

//go:embed templates/*
var embedded embed.FS

// Templates renders pairup's emails. Each email has a name (such as
// "confirm") and, per locale, two files in the templates directory:
//
//   - <name>.<locale>.txt, a text/template defining "subject" and "text";
//   - <name>.<locale>.html, an html/template defining "title", "preheader",
//     "content" and "footer", placed into the shared layout.html.
//
// The HTML is escaped by html/template according to context (so a name or a
// javascript: URL cannot inject markup or script); subject and text are plain
// text and are not escaped. Inside both, the function lang returns the
// locale being rendered, and withdrawLink the data's withdraw link (see
// [Withdrawer]) or "".
type Templates struct {
	// sets[locale][name]
	sets map[string]map[string]*templateSet
}

type templateSet struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// NewTemplates returns the templates embedded in this package.
func NewTemplates() (*Templates, error) {
	sub, err := fs.Sub(embedded, "templates")
	if err != nil {
		return nil, fmt.Errorf("mail: templates: %w", err)
	}
	return ParseTemplates(sub)
}

// ParseTemplates reads templates laid out as described at [Templates] from
// the root of fsys, which must also hold layout.html. Every template must
// exist in DefaultLocale.
func ParseTemplates(fsys fs.FS) (*Templates, error) {
	layout, err := fs.ReadFile(fsys, "layout.html")
	if err != nil {
		return nil, fmt.Errorf("mail: templates: %w", err)
	}
	files, err := fs.Glob(fsys, "*.*.*")
	if err != nil {
		return nil, fmt.Errorf("mail: templates: %w", err)
	}
	type key struct{ name, locale string }
	found := map[key]map[string]string{} // key → ext → file
	for _, f := range files {
		ext := path.Ext(f)
		base := strings.TrimSuffix(f, ext)
		name, locale, ok := strings.Cut(base, ".")
		if !ok || (ext != ".txt" && ext != ".html") {
			continue
		}
		k := key{name, locale}
		if found[k] == nil {
			found[k] = map[string]string{}
		}
		found[k][ext] = f
	}
	t := &Templates{sets: map[string]map[string]*templateSet{}}
	for k, exts := range found {
		if exts[".txt"] == "" || exts[".html"] == "" {
			return nil, fmt.Errorf("mail: template %s.%s needs both a .txt and an .html file", k.name, k.locale)
		}
		funcs := map[string]any{"lang": func() string { return k.locale }, "withdrawLink": withdrawLink}
		txt, err := texttemplate.New(k.name).Option("missingkey=error").Funcs(funcs).ParseFS(fsys, exts[".txt"])
		if err != nil {
			return nil, fmt.Errorf("mail: template %s.%s: %w", k.name, k.locale, err)
		}
		for _, need := range []string{"subject", "text"} {
			if txt.Lookup(need) == nil {
				return nil, fmt.Errorf("mail: template %s: no {{define %q}}", exts[".txt"], need)
			}
		}
		html, err := htmltemplate.New("layout.html").Option("missingkey=error").Funcs(funcs).Parse(string(layout))
		if err != nil {
			return nil, fmt.Errorf("mail: template layout.html: %w", err)
		}
		if html, err = html.ParseFS(fsys, exts[".html"]); err != nil {
			return nil, fmt.Errorf("mail: template %s.%s: %w", k.name, k.locale, err)
		}
		for _, need := range []string{"title", "preheader", "content", "footer"} {
			if html.Lookup(need) == nil {
				return nil, fmt.Errorf("mail: template %s: no {{define %q}}", exts[".html"], need)
			}
		}
		if t.sets[k.locale] == nil {
			t.sets[k.locale] = map[string]*templateSet{}
		}
		t.sets[k.locale][k.name] = &templateSet{text: txt, html: html}
	}
	for locale, names := range t.sets {
		for name := range names {
			if t.sets[DefaultLocale][name] == nil {
				return nil, fmt.Errorf("mail: template %s.%s has no %s version", name, locale, DefaultLocale)
			}
		}
	}
	return t, nil
}

// Names returns the names of the templates, sorted.
func (t *Templates) Names() []string {
	var names []string
	for name := range t.sets[DefaultLocale] {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Unsubscriber is implemented by template data that carries an unsubscribe
// link; Render copies it into Message.ListUnsubscribe.
type Unsubscriber interface {
	ListUnsubscribeURL() string
}

// Render renders the template name in locale with data and returns a Message
// with Subject, Text and HTML set (and ListUnsubscribe, if data is an
// [Unsubscriber]); the caller sets To and Tags. A locale without this
// template falls back to a more general one ("zh-Hant-HK" → "zh-Hant"; also
// "zh-HK", "zh-TW" and "zh-MO" → "zh-Hant") and then to DefaultLocale.
// The subject's whitespace, line breaks included, is collapsed to single
// spaces.
func (t *Templates) Render(name, locale string, data any) (Message, error) {
	set, used := t.lookup(name, locale)
	if set == nil {
		return Message{}, fmt.Errorf("mail: no template %q", name)
	}
	var subject, text, html bytes.Buffer
	if err := set.text.ExecuteTemplate(&subject, "subject", data); err != nil {
		return Message{}, fmt.Errorf("mail: render %s.%s subject: %w", name, used, err)
	}
	if err := set.text.ExecuteTemplate(&text, "text", data); err != nil {
		return Message{}, fmt.Errorf("mail: render %s.%s text: %w", name, used, err)
	}
	if err := set.html.ExecuteTemplate(&html, "layout.html", data); err != nil {
		return Message{}, fmt.Errorf("mail: render %s.%s html: %w", name, used, err)
	}
	m := Message{
		Subject: strings.Join(strings.Fields(subject.String()), " "),
		Text:    strings.TrimSpace(text.String()) + "\n",
		HTML:    html.String(),
	}
	if u, ok := data.(Unsubscriber); ok {
		m.ListUnsubscribe = u.ListUnsubscribeURL()
	}
	return m, nil
}

// Locale returns the locale Render would use for name and locale, or "" if
// there is no template name.
func (t *Templates) Locale(name, locale string) string {
	_, used := t.lookup(name, locale)
	return used
}

func (t *Templates) lookup(name, locale string) (*templateSet, string) {
	for _, l := range fallbacks(locale) {
		if set := t.sets[l][name]; set != nil {
			return set, l
		}
	}
	return nil, ""
}

// fallbacks lists the locales to try for locale, most specific first, ending
// with DefaultLocale. Matching ignores case and accepts '_' for '-'.
func fallbacks(locale string) []string {
	var out []string
	tags := strings.Split(strings.ReplaceAll(locale, "_", "-"), "-")
	for i, s := range tags {
		switch {
		case i == 0:
			tags[i] = strings.ToLower(s)
		case len(s) == 4: // script
			tags[i] = strings.ToUpper(s[:1]) + strings.ToLower(s[1:])
		default: // region, variant
			tags[i] = strings.ToUpper(s)
		}
	}
	for n := len(tags); n > 0; n-- {
		l := strings.Join(tags[:n], "-")
		switch l {
		case "zh-HK", "zh-TW", "zh-MO":
			out = append(out, l, TraditionalChinese)
			continue
		}
		out = append(out, l)
	}
	return append(out, DefaultLocale)
}

// FormatDuration writes d for an email in locale, as whole hours ("72
// hours", "72 小時") or, below an hour or for a fraction of one, minutes. It
// is meant for values such as ConfirmData.ExpiresIn.
func FormatDuration(d time.Duration, locale string) string {
	zh := strings.HasPrefix(strings.ToLower(locale), "zh")
	if d >= time.Hour && d%time.Hour == 0 {
		h := int(d / time.Hour)
		switch {
		case zh:
			return fmt.Sprintf("%d 小時", h)
		case h == 1:
			return "1 hour"
		default:
			return fmt.Sprintf("%d hours", h)
		}
	}
	m := int((d + time.Minute - 1) / time.Minute)
	switch {
	case zh:
		return fmt.Sprintf("%d 分鐘", m)
	case m == 1:
		return "1 minute"
	default:
		return fmt.Sprintf("%d minutes", m)
	}
}

// ConfirmData is the data of the "confirm" template, the double opt-in email
// sent after a signup. All fields are plain text except the URLs; ExpiresIn
// is shown as given and should be in the email's language (see
// FormatDuration).
type ConfirmData struct {
	Name           string // the person's name, as entered
	ProgrammeName  string
	RoundName      string
	ConfirmURL     string // the signed confirmation link
	ExpiresIn      string // how long ConfirmURL works, e.g. "72 hours"
	UnsubscribeURL string // one-click unsubscribe link, also sent as List-Unsubscribe
}

// ListUnsubscribeURL returns d.UnsubscribeURL, so Render sets the
// List-Unsubscribe header from it.
func (d ConfirmData) ListUnsubscribeURL() string { return d.UnsubscribeURL }
