// Package web is the kit for pairup's hosted pages, shared by every function that serves
// them: the layout every page is drawn in, the security headers with a per-request CSP
// nonce, cross-origin (CSRF) protection, reading a form body within a size limit, the
// language of a page and its strings' translations, message pages, the 404 page, and error
// pages for domain errors. It holds no page of its own beyond those; a handler package (the
// signup forms in signupweb, for one) embeds its own page templates, registers its routes on a
// mux and calls the kit:
//
//	//go:embed templates/*.html
//	var templateFS embed.FS // templates/<name>.html, each defining "content"
//
//	kit, err := web.NewKit(log, web.Pages{FS: templateFS, Names: []string{"form"},
//		Strings: web.Catalogue{"zh-Hant": zhHant}}) // its strings' translations
//	mux := http.NewServeMux()
//	mux.HandleFunc("GET /p/{programme}/form", func(w http.ResponseWriter, r *http.Request) {
//		p, err := svc.Programme(r.Context(), r.PathValue("programme"))
//		if err != nil {
//			kit.Error(w, r, err, web.LinkTitles) // 404, 400, 410… with a title per code
//			return
//		}
//		web.About(r, p) // the page speaks p's languages
//		kit.Render(w, r, http.StatusOK, "form", struct {
//			web.Page // Title, Lang, Nonce, Switch; T, Tf and Date for the templates
//			Programme *pairup.Programme
//		}{kit.Page(r, "A title"), p})
//	})
//	handler := kit.Protect(mux, nil) // headers, nonce, cross-origin check, 404 page
//
// The kit's API:
//
//   - [NewKit] parses the layout with a handler package's [Pages] (templates, template
//     functions, and its strings' translations, merged into the kit's own [Catalogue]).
//   - [Kit.Protect] wraps the mux: security headers and the request's CSP nonce, Go's
//     cross-origin protection (403 page) with an optional [Exemption], and the 404 page.
//   - [About] records the programme a page is about; its languages choose the page's locale
//     ([Kit.Locale]: ?lang=, the form's lang field, Accept-Language, the programme's default).
//   - [Kit.Page] is the data every page embeds ([Page]); [Kit.Render] draws a handler's page
//     in the layout; [Kit.Message] draws a message page; [Kit.T], [Kit.Tf] and [Kit.Date]
//     translate and format in the request's locale.
//   - [Kit.Error] shows a domain error as a page, with a status per pairup error code and a
//     title the caller may choose per code ([Titles], [LinkTitles], [FormTitles]).
//   - [Kit.ReadForm] and [Kit.ReadFilledForm] read a form body within a limit: 413 or 400
//     pages when they cannot.
//   - [ErrorCode] is what a log may say of an error.
//
// Every handler runs behind API Gateway (the Lambda HTTP adapter sets the request's RemoteAddr
// to the event's requestContext.http.sourceIp) and on a laptop alike. Users never see internal
// error text, and logs carry error codes and ids, never an error's text.
package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/pairup/pairup/shared/pairup"
)

//go:embed templates/*.html
var kitFS embed.FS

// messageName is the kit's own page; no handler page may take its name.
const messageName = "message"

// Kit draws and guards a handler package's pages. It is safe for concurrent use; everything in
// it is fixed by NewKit.
type Kit struct {
	log     *slog.Logger
	pages   map[string]*template.Template
	strings Catalogue
}

// Pages are a handler package's own pages.
type Pages struct {
	// FS holds templates/<name>.html for each name in Names (an embed.FS of templates/*.html).
	// Each defines "content", the page inside the layout, and any templates it alone uses.
	FS fs.FS
	// Names are the pages, each rendered by Kit.Render under its name; "message" is the kit's.
	Names []string
	// Funcs are template functions the pages call (may be nil).
	Funcs template.FuncMap
	// Strings translate the pages' own strings (and the messages they show), keyed by locale
	// and then by the English text; they are added to the kit's own (layout, errors).
	Strings Catalogue
}

// Link is a link on a page: where it goes and what it says (in English; the page translates).
// The zero Link is no link.
type Link struct{ Href, Text string }

// Home is the link most pages end with: the programmes' index, the site's home.
var Home = Link{Href: "/", Text: "See the programmes"}

// NewKit parses the layout with each of pages' templates, once, at start-up, and merges
// pages.Strings into the kit's catalogue. It fails on a template that does not parse or
// defines no "content", a page named "message", a locale the pages do not come in, or a string
// translated twice differently.
func NewKit(log *slog.Logger, pages Pages) (*Kit, error) {
	strs, err := kitStrings.merge(pages.Strings)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	k := &Kit{log: log, pages: map[string]*template.Template{}, strings: strs}
	if k.pages[messageName], err = parsePage(messageName, kitFS, nil); err != nil {
		return nil, err
	}
	for _, name := range pages.Names {
		if _, dup := k.pages[name]; dup {
			return nil, fmt.Errorf("web: page %q: the name is taken", name)
		}
		if pages.FS == nil {
			return nil, fmt.Errorf("web: page %q: no templates (Pages.FS is nil)", name)
		}
		if k.pages[name], err = parsePage(name, pages.FS, pages.Funcs); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// parsePage parses the kit's layout and fsys's templates/<name>.html into one template.
func parsePage(name string, fsys fs.FS, funcs template.FuncMap) (*template.Template, error) {
	t, err := template.New(name).Funcs(funcs).ParseFS(kitFS, "templates/layout.html")
	if err == nil {
		t, err = t.ParseFS(fsys, "templates/"+name+".html")
	}
	if err != nil {
		return nil, fmt.Errorf("web: parse %s template: %w", name, err)
	}
	if t.Lookup("content") == nil {
		return nil, fmt.Errorf("web: parse %s template: it defines no \"content\"", name)
	}
	return t, nil
}

// Page is the data every page has, for the layout: the title (translated), the page's locale,
// the request's CSP nonce (for a page's <script nonce="{{.Nonce}}">) and the links to the same
// page in its other locales. A page's data embeds it; its methods T, Tf and Date translate and
// format in the page's locale, for the templates.
type Page struct {
	Title  string
	Lang   string
	Nonce  string
	Switch []SwitchLink

	strings Catalogue
}

// T is s in the page's locale.
func (p Page) T(s string) string { return p.strings.tr(p.Lang, s) }

// Tf formats the translation of format.
func (p Page) Tf(format string, args ...any) string { return p.strings.trf(p.Lang, format, args...) }

// Date is t's day (UTC) as the page's locale writes it.
func (p Page) Date(t time.Time) string { return formatDate(p.Lang, t) }

// Page is the Page for r: title translated (unless already), locale, nonce and the language
// switch. Call it after About, which chooses the locales.
func (k *Kit) Page(r *http.Request, title string) Page {
	st := state(r)
	locales := pageLocales(st.programme)
	loc := chooseLocale(r, locales)
	return Page{Title: k.strings.tr(loc, title), Lang: loc, Nonce: st.nonce, Switch: switchLinks(r, locales, loc), strings: k.strings}
}

// T is s in r's page locale (Kit.Locale).
func (k *Kit) T(r *http.Request, s string) string { return k.strings.tr(k.Locale(r), s) }

// Tf formats the translation of format in r's page locale.
func (k *Kit) Tf(r *http.Request, format string, args ...any) string {
	return k.strings.trf(k.Locale(r), format, args...)
}

// Date is t's day (UTC) as r's page locale writes it.
func (k *Kit) Date(r *http.Request, t time.Time) string { return formatDate(k.Locale(r), t) }

// Render draws the page name (one of the Pages' Names) with data, which embeds a Page, in the
// layout, and sends it with status. If the template fails, nothing of it is sent: the failure
// is logged and the answer is a plain 500.
func (k *Kit) Render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t, ok := k.pages[name]
	var buf bytes.Buffer
	err := fmt.Errorf("web: no page %q", name)
	if ok {
		err = t.ExecuteTemplate(&buf, "layout", data)
	}
	if err != nil {
		k.log.ErrorContext(r.Context(), "render page", "page", name, "code", ErrorCode(err))
		http.Error(w, "Something went wrong on our side.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

type messagePage struct {
	Page
	Paragraphs []string
	Link       string
	LinkText   string
}

// Message sends a page of a heading (title) and paragraphs, ending with link if it is not
// zero. The title, each paragraph and the link's text are translated when the catalogue has
// them; text already formatted in the page's locale (Kit.Tf) passes as it is.
func (k *Kit) Message(w http.ResponseWriter, r *http.Request, status int, title string, paras []string, link Link) {
	pg := k.Page(r, title)
	out := make([]string, len(paras))
	for i, p := range paras {
		out[i] = pg.T(p)
	}
	k.Render(w, r, status, messageName, messagePage{Page: pg, Paragraphs: out, Link: link.Href, LinkText: pg.T(link.Text)})
}

// notFound is the page of a path no route answers.
func (k *Kit) notFound(w http.ResponseWriter, r *http.Request) {
	k.Message(w, r, http.StatusNotFound, "Page not found", []string{"There is no page at this address."}, Home)
}

// Titles are the titles of error pages, one per pairup error code; a field left empty takes
// the kit's default (Not found, This request is not valid, This has expired, No longer open,
// This cannot be done now, Please try again later, Something went wrong). A caller picks them for what went wrong: a link, a form, a
// closed survey.
type Titles struct {
	NotFound string // ENOTFOUND, 404
	Invalid  string // EINVALID, 400
	Expired  string // EEXPIRED, 410
	Closed   string // ECLOSED, 200: a page saying so, not a failure
	Conflict string // ECONFLICT, 409
	Limit    string // ELIMIT, 429
	Internal string // EINTERNAL (any error without a code), 500
}

// defaultTitles are the titles of error pages whose caller chose none.
var defaultTitles = Titles{
	NotFound: "Not found",
	Invalid:  "This request is not valid",
	Expired:  "This has expired",
	Closed:   "No longer open",
	Conflict: "This cannot be done now",
	Limit:    "Please try again later",
	Internal: "Something went wrong",
}

// LinkTitles are for a page a signed link opened (a confirm, unsubscribe or survey link).
var LinkTitles = Titles{Invalid: "This link is not valid", Expired: "This link has expired"}

// FormTitles are for a filled-in form that was sent (its token, its answers as a whole).
var FormTitles = Titles{Invalid: "This form is not valid", Expired: "This form has expired"}

// Or is t with each empty title taken from d.
func (t Titles) Or(d Titles) Titles {
	pick := func(a, b string) string {
		if a != "" {
			return a
		}
		return b
	}
	return Titles{
		NotFound: pick(t.NotFound, d.NotFound), Invalid: pick(t.Invalid, d.Invalid), Expired: pick(t.Expired, d.Expired),
		Closed: pick(t.Closed, d.Closed), Conflict: pick(t.Conflict, d.Conflict), Limit: pick(t.Limit, d.Limit),
		Internal: pick(t.Internal, d.Internal),
	}
}

// errorPage is the status and title of a page for a pairup error code.
func (t Titles) errorPage(code string) (int, string) {
	t = t.Or(defaultTitles)
	switch code {
	case pairup.ENOTFOUND:
		return http.StatusNotFound, t.NotFound
	case pairup.EINVALID:
		return http.StatusBadRequest, t.Invalid
	case pairup.EEXPIRED:
		return http.StatusGone, t.Expired
	case pairup.ECLOSED:
		return http.StatusOK, t.Closed
	case pairup.ECONFLICT:
		return http.StatusConflict, t.Conflict
	case pairup.ELIMIT:
		return http.StatusTooManyRequests, t.Limit
	}
	return http.StatusInternalServerError, t.Internal
}

// Error shows err, a domain error, as a message page: the status its code maps to (ENOTFOUND
// 404, EINVALID 400, EEXPIRED 410, ECLOSED 200, ECONFLICT 409, ELIMIT 429, anything else 500),
// the title titles gives that code (else the default), the error's user-facing message
// (pairup.ErrorMessage: never an internal error's text) and the Home link. An internal error
// is logged, by its code (ErrorCode), with the request's method and route.
func (k *Kit) Error(w http.ResponseWriter, r *http.Request, err error, titles Titles) {
	code := pairup.ErrorCode(err)
	status, title := titles.errorPage(code)
	if code == pairup.EINTERNAL {
		k.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "route", r.Pattern, "code", ErrorCode(err))
	}
	k.Message(w, r, status, title, []string{pairup.ErrorMessage(err)}, Home)
}

// ErrorCode is what a log may say of err: the AWS API's error code if err carries one (smithy's
// APIError, e.g. "MessageRejected"), "Timeout" or "Canceled" for an ended context, else the
// domain's code (pairup.ErrorCode). Never the error's text: an AWS error's message can hold the
// request's data (SES's MessageRejected names the recipient in the sandbox).
func ErrorCode(err error) string {
	var api interface{ ErrorCode() string }
	switch {
	case errors.As(err, &api):
		return api.ErrorCode()
	case errors.Is(err, context.DeadlineExceeded):
		return "Timeout"
	case errors.Is(err, context.Canceled):
		return "Canceled"
	}
	return pairup.ErrorCode(err)
}
