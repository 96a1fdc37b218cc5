package web_test

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/web"
)

// testPages are a handler package's pages as the kit sees them: one page, "hello", with a
// string of its own translated, a template function, and a script that needs the nonce.
var testPages = web.Pages{
	FS: fstest.MapFS{"templates/hello.html": {Data: []byte(`{{define "content"}}<h1>{{.T "Hello"}}</h1>
<p>{{shout .Name}} {{.Tf "on %s" (.Date .When)}}</p>
<script nonce="{{.Nonce}}">/**/</script>{{end}}`)}},
	Names:   []string{"hello"},
	Funcs:   map[string]any{"shout": strings.ToUpper},
	Strings: web.Catalogue{"zh-Hant": {"Hello": "你好", "on %s": "於%s"}},
}

// zhProgramme is a programme whose pages are in Traditional Chinese by default (and English).
var zhProgramme = &pairup.Programme{ID: "hkla", Name: "HKLA", Locale: "zh-Hant"}

// enProgramme is a programme whose pages are in English only.
var enProgramme = &pairup.Programme{ID: "iln", Name: "ILN", Locale: "en", Languages: []string{"en", "fr"}}

// testServer is the kit serving test routes behind Protect; logs collects what it logged.
type testServer struct {
	kit  *web.Kit
	h    http.Handler
	logs *bytes.Buffer
}

// newTestServer serves:
//
//	GET  /hello?p=hkla|iln   the hello page (about that programme, if any)
//	GET  /error?code=…&as=…  a domain error with that code, titled by the titles named by as
//	POST /token              ReadForm (4 KiB), then "read x=<x>"
//	POST /filled             ReadFilledForm (4 KiB, back to /filled), then "read x=<x>"
//	POST /oneclick?t=…       "done"; exempt from the cross-origin check when its body holds
//	                         go=yes (read with ReadForm, 4 KiB)
func newTestServer(t *testing.T) *testServer {
	t.Helper()
	logs := &bytes.Buffer{}
	kit, err := web.NewKit(slog.New(slog.NewJSONHandler(logs, nil)), testPages)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("p") {
		case "hkla":
			web.About(r, zhProgramme)
		case "iln":
			web.About(r, enProgramme)
		}
		kit.Render(w, r, http.StatusOK, "hello", struct {
			web.Page
			Name string
			When time.Time
		}{kit.Page(r, "Hello"), "ada", time.Date(2027, 3, 1, 23, 0, 0, 0, time.UTC)})
	})
	mux.HandleFunc("GET /error", func(w http.ResponseWriter, r *http.Request) {
		code := r.URL.Query().Get("code")
		err := error(pairup.Errorf(code, "The message of %s.", code))
		if code == pairup.EINTERNAL {
			err = fmt.Errorf("store: get: %w", errors.New("secret detail of a bad day"))
		}
		kit.Error(w, r, err, titlesByName[r.URL.Query().Get("as")])
	})
	read := func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, "read x=%s", r.PostForm.Get("x")) }
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		if kit.ReadForm(w, r, 4<<10) {
			read(w, r)
		}
	})
	mux.HandleFunc("POST /filled", func(w http.ResponseWriter, r *http.Request) {
		if kit.ReadFilledForm(w, r, 4<<10, "/filled") {
			read(w, r)
		}
	})
	mux.HandleFunc("POST /oneclick", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "done") })
	h := kit.Protect(mux, &web.Exemption{
		Match: func(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Path == "/oneclick" },
		Limit: 4 << 10,
		Allow: func(r *http.Request) bool { return r.PostForm.Get("go") == "yes" },
	})
	return &testServer{kit: kit, h: h, logs: logs}
}

var titlesByName = map[string]web.Titles{
	"":       {},
	"link":   web.LinkTitles,
	"form":   web.FormTitles,
	"survey": web.Titles{Closed: "This survey is closed", Invalid: "This survey link is not valid"}.Or(web.LinkTitles),
}

// serve answers req, and returns the status, the body and the headers.
func (s *testServer) serve(req *http.Request) (int, string, http.Header) {
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, req)
	return w.Code, w.Body.String(), w.Header()
}

func (s *testServer) get(target string, header http.Header) (int, string, http.Header) {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	return s.serve(req)
}

var (
	titleRE = regexp.MustCompile(`<title>(.*) · pairup</title>`)
	h1RE    = regexp.MustCompile(`<h1[^>]*>(.*)</h1>`)
	langRE  = regexp.MustCompile(`<html lang="([^"]+)">`)
)

func match(re *regexp.Regexp, body string) string {
	if m := re.FindStringSubmatch(body); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}

func TestErrorPages(t *testing.T) {
	s := newTestServer(t)
	for _, tc := range []struct {
		name, code, as, lang string
		status               int
		title                string
	}{
		{"NotFound", pairup.ENOTFOUND, "", "", http.StatusNotFound, "Not found"},
		{"InvalidDefault", pairup.EINVALID, "", "", http.StatusBadRequest, "This request is not valid"},
		{"InvalidLink", pairup.EINVALID, "link", "", http.StatusBadRequest, "This link is not valid"},
		{"InvalidForm", pairup.EINVALID, "form", "", http.StatusBadRequest, "This form is not valid"},
		{"InvalidCallerTitle", pairup.EINVALID, "survey", "", http.StatusBadRequest, "This survey link is not valid"},
		{"ExpiredDefault", pairup.EEXPIRED, "", "", http.StatusGone, "This has expired"},
		{"ExpiredLink", pairup.EEXPIRED, "link", "", http.StatusGone, "This link has expired"},
		{"ExpiredForm", pairup.EEXPIRED, "form", "", http.StatusGone, "This form has expired"},
		{"ExpiredFromOr", pairup.EEXPIRED, "survey", "", http.StatusGone, "This link has expired"},
		{"ClosedDefault", pairup.ECLOSED, "", "", http.StatusOK, "No longer open"},
		{"ClosedCallerTitle", pairup.ECLOSED, "survey", "", http.StatusOK, "This survey is closed"},
		{"Conflict", pairup.ECONFLICT, "", "", http.StatusConflict, "This cannot be done now"},
		{"Limit", pairup.ELIMIT, "link", "", http.StatusTooManyRequests, "Please try again later"},
		{"Internal", pairup.EINTERNAL, "survey", "", http.StatusInternalServerError, "Something went wrong"},
		{"InvalidLinkZH", pairup.EINVALID, "link", "zh-Hant", http.StatusBadRequest, "此連結無效"},
		{"InvalidFormZH", pairup.EINVALID, "form", "zh-Hant", http.StatusBadRequest, "此表格無效"},
		{"CallerTitleUntranslated", pairup.ECLOSED, "survey", "zh-Hant", http.StatusOK, "This survey is closed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{"code": {tc.code}, "as": {tc.as}}
			if tc.lang != "" {
				q.Set("lang", tc.lang)
			}
			status, body, _ := s.get("/error?"+q.Encode(), nil)
			if status != tc.status || match(titleRE, body) != tc.title || match(h1RE, body) != tc.title {
				t.Fatalf("got %d %q (h1 %q), want %d %q\n%s", status, match(titleRE, body), match(h1RE, body), tc.status, tc.title, body)
			}
			want := fmt.Sprintf("The message of %s.", tc.code)
			if tc.code == pairup.EINTERNAL {
				want = pairup.ErrorMessage(errors.New("any"))
				if tc.lang == "zh-Hant" {
					want = "我們的系統出現問題，請於數分鐘後再試。"
				}
			}
			if !strings.Contains(body, want) || !strings.Contains(body, `<a href="/">`) {
				t.Errorf("body lacks %q or the home link:\n%s", want, body)
			}
		})
	}
	// An internal error's text reaches neither the page nor the log; its code is logged.
	_, body, _ := s.get("/error?code=internal", nil)
	if strings.Contains(body, "secret") || strings.Contains(s.logs.String(), "secret") || !strings.Contains(s.logs.String(), `"code":"internal"`) {
		t.Errorf("internal error leaked or not logged:\npage %s\nlog %s", body, s.logs)
	}
}

func TestTitlesOr(t *testing.T) {
	got := web.Titles{Closed: "Survey closed", Invalid: "Bad survey link"}.Or(web.LinkTitles)
	want := web.Titles{Closed: "Survey closed", Invalid: "Bad survey link", Expired: "This link has expired"}
	if got != want {
		t.Errorf("Or: %+v, want %+v", got, want)
	}
}

// multipartBody is a multipart/form-data body with x=v and a pad field of n bytes.
func multipartBody(t *testing.T, v string, n int) (io.Reader, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if err := mw.WriteField("x", v); err != nil {
		t.Fatal(err)
	}
	if err := mw.WriteField("pad", strings.Repeat("p", n)); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &b, mw.FormDataContentType()
}

func TestReadForm(t *testing.T) {
	s := newTestServer(t)
	form := func(n int) (io.Reader, string) {
		return strings.NewReader(url.Values{"x": {"1"}, "pad": {strings.Repeat("p", n)}}.Encode()), "application/x-www-form-urlencoded"
	}
	mp := func(n int) (io.Reader, string) { return multipartBody(t, "1", n) }
	bad := func(int) (io.Reader, string) { return strings.NewReader("x=%zz"), "application/x-www-form-urlencoded" }
	for _, tc := range []struct {
		name, path string
		body       func(n int) (io.Reader, string)
		n          int
		status     int
		want       []string
	}{
		{"OK", "/token", form, 100, http.StatusOK, []string{"read x=1"}},
		{"OKMultipart", "/token", mp, 100, http.StatusOK, []string{"read x=1"}},
		{"TooLarge", "/token", form, 5 << 10, http.StatusRequestEntityTooLarge, []string{"<title>Request too large · pairup</title>", "larger than 4 KiB", `<a href="/">See the programmes</a>`}},
		{"TooLargeMultipart", "/token", mp, 5 << 10, http.StatusRequestEntityTooLarge, []string{"<title>Request too large · pairup</title>"}},
		{"NotReadable", "/token", bad, 0, http.StatusBadRequest, []string{"<title>Request not readable · pairup</title>"}},
		{"FilledOK", "/filled", form, 100, http.StatusOK, []string{"read x=1"}},
		{"FilledMultipartReadsEmpty", "/filled", mp, 100, http.StatusOK, []string{"read x="}},
		{"FilledTooLarge", "/filled", form, 5 << 10, http.StatusRequestEntityTooLarge, []string{"<title>Form too large · pairup</title>", "The form you sent is larger than 4 KiB", `<a href="/filled">Back to the form</a>`}},
		{"FilledNotReadable", "/filled", bad, 0, http.StatusBadRequest, []string{"<title>Form not readable · pairup</title>", `<a href="/filled">Back to the form</a>`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, ct := tc.body(tc.n)
			req := httptest.NewRequest(http.MethodPost, tc.path, body)
			req.Header.Set("Content-Type", ct)
			status, got, _ := s.serve(req)
			if status != tc.status {
				t.Fatalf("status %d, want %d\n%s", status, tc.status, got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("body lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

var nonceRE = regexp.MustCompile(`script-src 'nonce-([A-Za-z0-9+/=]+)'`)

func TestSecurityHeadersAndNonce(t *testing.T) {
	s := newTestServer(t)
	var nonces []string
	for range 2 {
		status, body, h := s.get("/hello", nil)
		if status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
		m := nonceRE.FindStringSubmatch(h.Get("Content-Security-Policy"))
		if m == nil || !strings.Contains(html.UnescapeString(body), `<script nonce="`+m[1]+`">`) { // the template escapes + as &#43;
			t.Fatalf("the page's script does not carry the CSP's nonce: %q\n%s", h.Get("Content-Security-Policy"), body)
		}
		nonces = append(nonces, m[1])
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "Content-Type": "text/html; charset=utf-8"} {
			if h.Get(k) != v {
				t.Errorf("%s: %q, want %q", k, h.Get(k), v)
			}
		}
	}
	if nonces[0] == nonces[1] {
		t.Errorf("two requests, one nonce %q", nonces[0])
	}
	// Every answer gets the headers: a refusal, a 404.
	for _, path := range []string{"/no/such/page", "/error?code=invalid"} {
		if _, _, h := s.get(path, nil); nonceRE.FindString(h.Get("Content-Security-Policy")) == "" || h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: headers %v", path, h)
		}
	}
}

func TestCrossOrigin(t *testing.T) {
	s := newTestServer(t)
	cross := http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://mail.example"}}
	same := http.Header{"Sec-Fetch-Site": {"same-origin"}}
	for _, tc := range []struct {
		name   string
		method string
		path   string
		form   url.Values
		header http.Header
		status int
		want   string
	}{
		{"SameOriginPost", http.MethodPost, "/token", url.Values{"x": {"1"}}, same, http.StatusOK, "read x=1"},
		{"NoFetchMetadataPost", http.MethodPost, "/token", url.Values{"x": {"1"}}, nil, http.StatusOK, "read x=1"},
		{"CrossSitePost", http.MethodPost, "/token", url.Values{"x": {"1"}}, cross, http.StatusForbidden, "<title>Form refused · pairup</title>"},
		{"CrossSiteOriginOnly", http.MethodPost, "/token", url.Values{"x": {"1"}}, http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden, "another site"},
		{"CrossSiteGet", http.MethodGet, "/hello", nil, cross, http.StatusOK, "<h1>Hello</h1>"},
		{"CrossSiteExempt", http.MethodPost, "/oneclick?t=x", url.Values{"go": {"yes"}}, cross, http.StatusOK, "done"},
		{"CrossSiteMatchedNotAllowed", http.MethodPost, "/oneclick?t=x", url.Values{"go": {"no"}}, cross, http.StatusForbidden, "Form refused"},
		{"CrossSiteMatchedTooLarge", http.MethodPost, "/oneclick?t=x", url.Values{"go": {"yes"}, "pad": {strings.Repeat("p", 5<<10)}}, cross, http.StatusRequestEntityTooLarge, "Request too large"},
		{"CrossSiteExemptBodyNotOtherRoute", http.MethodPost, "/token", url.Values{"go": {"yes"}}, cross, http.StatusForbidden, "Form refused"},
		{"CrossSiteUnknownPath", http.MethodPost, "/no/such", nil, cross, http.StatusForbidden, "Form refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader
			if tc.form != nil {
				body = strings.NewReader(tc.form.Encode())
			}
			req := httptest.NewRequest(tc.method, tc.path, body)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tc.header {
				req.Header[k] = v
			}
			status, got, _ := s.serve(req)
			if status != tc.status || !strings.Contains(got, tc.want) {
				t.Fatalf("got %d, want %d with %q\n%s", status, tc.status, tc.want, got)
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	s := newTestServer(t)
	for _, path := range []string{"/no/such/page", "/", "/hello/more"} {
		status, body, _ := s.get(path, nil)
		if status != http.StatusNotFound || match(titleRE, body) != "Page not found" || !strings.Contains(body, `<a href="/">See the programmes</a>`) {
			t.Errorf("%s: %d %q", path, status, match(titleRE, body))
		}
	}
	if _, body, _ := s.get("/no/such/page?lang=zh-Hant", nil); match(titleRE, body) != "找不到頁面" {
		t.Errorf("404 in zh-Hant: %q", match(titleRE, body))
	}
}

func TestLocale(t *testing.T) {
	s := newTestServer(t)
	zhAccept := http.Header{"Accept-Language": {"zh-HK,zh;q=0.9"}}
	for _, tc := range []struct {
		name   string
		target string
		header http.Header
		lang   string
		h1     string
		when   string // the date as the page writes it
		swtch  string // the language switch's link, if any
	}{
		{"NoProgrammeDefault", "/hello", nil, "en", "Hello", "on 1 March 2027", `href="/hello?lang=zh-Hant"`},
		{"NoProgrammeLangParam", "/hello?lang=zh-Hant", nil, "zh-Hant", "你好", "於2027年3月1日", `href="/hello?lang=en"`},
		{"NoProgrammeAcceptLanguage", "/hello", zhAccept, "zh-Hant", "你好", "於2027年3月1日", `hreflang="en"`},
		{"LangParamBeatsAcceptLanguage", "/hello?lang=en", zhAccept, "en", "Hello", "on 1 March 2027", `hreflang="zh-Hant"`},
		{"UnknownLangParam", "/hello?lang=fr", nil, "en", "Hello", "on 1 March 2027", `href="/hello?lang=zh-Hant"`},
		{"ProgrammeDefaultZH", "/hello?p=hkla", nil, "zh-Hant", "你好", "於2027年3月1日", `href="/hello?lang=en&amp;p=hkla"`},
		{"ProgrammeZHAskedEN", "/hello?p=hkla&lang=en", nil, "en", "Hello", "on 1 March 2027", `hreflang="zh-Hant"`},
		{"EnglishOnlyProgrammeIgnoresZH", "/hello?p=iln&lang=zh-Hant", zhAccept, "en", "Hello", "on 1 March 2027", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, body, _ := s.get(tc.target, tc.header)
			if got := match(langRE, body); got != tc.lang {
				t.Errorf("lang %q, want %q", got, tc.lang)
			}
			if got := match(h1RE, body); got != tc.h1 {
				t.Errorf("h1 %q, want %q", got, tc.h1)
			}
			if !strings.Contains(body, "ADA "+tc.when) {
				t.Errorf("body lacks %q", "ADA "+tc.when)
			}
			hasSwitch := strings.Contains(body, `class="lang-switch"`)
			if hasSwitch != (tc.swtch != "") || (tc.swtch != "" && !strings.Contains(body, tc.swtch)) {
				t.Errorf("language switch: want %q\n%s", tc.swtch, body)
			}
		})
	}
	// A POST's locale comes from its form's lang field once the form is read (or the URL's);
	// its page has no switch (a POST's answer cannot be fetched again).
	for _, tc := range []struct{ name, target, body, title string }{
		{"LangField", "/filled", "x=%zz&lang=zh-Hant", "無法讀取表格"},
		{"LangParamTooLarge", "/filled?lang=zh-Hant", url.Values{"pad": {strings.Repeat("p", 5<<10)}}.Encode(), "表格過大"},
		{"NoLang", "/filled", "x=%zz", "Form not readable"},
	} {
		t.Run("Post"+tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, tc.target, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if _, body, _ := s.serve(req); match(titleRE, body) != tc.title || strings.Contains(body, `class="lang-switch"`) {
				t.Errorf("title %q, want %q, and no switch\n%s", match(titleRE, body), tc.title, body)
			}
		})
	}
}

func TestKitLocaleAndTf(t *testing.T) {
	kit, err := web.NewKit(slog.New(slog.DiscardHandler), testPages)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	mux := http.NewServeMux()
	mux.HandleFunc("POST /x", func(w http.ResponseWriter, r *http.Request) {
		kit.ReadForm(w, r, 1<<10)
		web.About(r, zhProgramme)
		got = append(got, kit.Locale(r), kit.T(r, "Hello"), kit.Tf(r, "on %s", kit.Date(r, time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC))))
	})
	h := kit.Protect(mux, nil)
	for _, lang := range []string{"en", "zh-Hant", ""} {
		req := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader("lang="+lang))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	want := []string{"en", "Hello", "on 2 January 2027", "zh-Hant", "你好", "於2027年1月2日", "zh-Hant", "你好", "於2027年1月2日"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestRenderFailure(t *testing.T) {
	logs := &bytes.Buffer{}
	kit, err := web.NewKit(slog.New(slog.NewJSONHandler(logs, nil)), testPages)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, page string
		data       any
	}{
		{"UnknownPage", "nope", struct{ web.Page }{}},
		{"DataWithoutFields", "hello", struct{ web.Page }{}}, // no .Name: the template fails
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			kit.Render(w, httptest.NewRequest(http.MethodGet, "/", nil), http.StatusOK, tc.page, tc.data)
			if w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "<html") {
				t.Errorf("%d %q", w.Code, w.Body.String())
			}
		})
	}
	if !strings.Contains(logs.String(), `"msg":"render page"`) {
		t.Errorf("not logged: %s", logs)
	}
}

func TestNewKitRefuses(t *testing.T) {
	page := func(src string) fstest.MapFS {
		return fstest.MapFS{"templates/p.html": {Data: []byte(src)}, "templates/message.html": {Data: []byte(`{{define "content"}}{{end}}`)}}
	}
	ok := `{{define "content"}}x{{end}}`
	for _, tc := range []struct {
		name  string
		pages web.Pages
		want  string
	}{
		{"MessageTaken", web.Pages{FS: page(ok), Names: []string{"message"}}, "taken"},
		{"NoContent", web.Pages{FS: page(`{{define "other"}}x{{end}}`), Names: []string{"p"}}, `no "content"`},
		{"NotParsing", web.Pages{FS: page(`{{define "content"}}{{.X}`), Names: []string{"p"}}, "parse p template"},
		{"MissingFile", web.Pages{FS: page(ok), Names: []string{"q"}}, "parse q template"},
		{"NoFS", web.Pages{Names: []string{"p"}}, "no templates"},
		{"UnknownFunc", web.Pages{FS: page(`{{define "content"}}{{shout .}}{{end}}`), Names: []string{"p"}}, "shout"},
		{"UnknownLocale", web.Pages{FS: page(ok), Names: []string{"p"}, Strings: web.Catalogue{"fr": {"Hello": "Bonjour"}}}, `"fr"`},
		{"TranslatedTwice", web.Pages{FS: page(ok), Names: []string{"p"}, Strings: web.Catalogue{"zh-Hant": {"Not found": "沒有"}}}, "translated twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := web.NewKit(slog.New(slog.DiscardHandler), tc.pages)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want one saying %q", err, tc.want)
			}
		})
	}
	// The same translation given again is no conflict.
	if _, err := web.NewKit(slog.New(slog.DiscardHandler), web.Pages{FS: page(ok), Names: []string{"p"}, Strings: web.Catalogue{"zh-Hant": {"Not found": "找不到"}}}); err != nil {
		t.Errorf("a repeated identical translation: %v", err)
	}
}
