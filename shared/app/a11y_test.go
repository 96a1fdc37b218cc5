package app_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/pairup/pairup/shared/demo"
	"github.com/pairup/pairup/shared/iso"
	"github.com/pairup/pairup/shared/links"
	"github.com/pairup/pairup/shared/pairup"
)

var (
	languageInput = regexp.MustCompile(`<label><input type="checkbox" name="languages" value="([a-z]+)"[^>]*> ([^<]+)</label>`)
	htmlLang      = regexp.MustCompile(`<html lang="([^"]+)">`)
)

// TestLanguagesQuestion: the languages question lists each language once (by code and by
// name), the programme's common languages first in its order (English first), and the rest
// once, behind "More languages"; a programme that restricts its languages lists just those.
func TestLanguagesQuestion(t *testing.T) {
	s := newStack(t)
	status, body := s.get("/p/iln/signup")
	if status != http.StatusOK {
		t.Fatalf("iln form %d", status)
	}
	var codes, names []string
	for _, m := range languageInput.FindAllStringSubmatch(body, -1) {
		codes = append(codes, m[1])
		names = append(names, html.UnescapeString(m[2]))
	}
	if want := iso.LanguageCodes(); len(codes) != len(want) {
		t.Errorf("%d language checkboxes, want %d (every ISO 639-1 code once)", len(codes), len(want))
	}
	for _, list := range [][]string{codes, names} {
		seen := map[string]bool{}
		for _, v := range list {
			if seen[v] {
				t.Errorf("%q is on the page twice", v)
			}
			seen[v] = true
		}
	}
	common := []string{"en", "es", "fr", "zh", "ar", "pt", "de", "ru", "hi", "ja"}
	if len(codes) < len(common) || !slices.Equal(codes[:len(common)], common) {
		t.Errorf("first languages %v, want the common ones %v", codes[:min(len(codes), len(common))], common)
	}
	more := strings.Index(body, `<details class="more" id="more-languages"`)
	if more < 0 || strings.Index(body, `value="en"`) > more || !strings.Contains(body[more:], `value="mi"`) || strings.Contains(body[more:], `name="languages" value="en"`) {
		t.Error(`want the common languages before the "More languages" details and the rest inside it`)
	}
	// A re-shown form opens "More languages" when one of its languages was chosen.
	form := s.ilnForm(uniqueEmail("lang"))
	form.Set("languages", "mi")
	form.Set("name", "")
	if _, body := s.post("/p/iln/signup", form, nil); !strings.Contains(body, `id="more-languages" open`) || !regexp.MustCompile(`value="mi" checked`).MatchString(body) {
		t.Error("re-shown form: More languages closed, or Māori not kept")
	}

	_, body = s.get("/p/hkla/signup")
	codes = codes[:0]
	for _, m := range languageInput.FindAllStringSubmatch(body, -1) {
		codes = append(codes, m[1])
	}
	if !slices.Equal(codes, []string{"en", "zh"}) || strings.Contains(body, `id="more-languages"`) {
		t.Errorf("hkla languages %v (want en, zh and no More languages)", codes)
	}
}

// TestLocale: the HKLA pages follow the browser's Accept-Language among the locales they exist
// in (en, zh-Hant), ?lang= switches, the switch links both ways, a POST keeps the choice, and a
// programme without Chinese stays in English.
func TestLocale(t *testing.T) {
	s := newStack(t)
	get := func(path, accept string) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, s.srv.URL+path, nil)
		if accept != "" {
			req.Header.Set("Accept-Language", accept)
		}
		status, body := s.do(req)
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, status)
		}
		return body
	}
	lang := func(body string) string {
		if m := htmlLang.FindStringSubmatch(body); m != nil {
			return m[1]
		}
		return ""
	}
	zh := get("/p/hkla/signup", "zh-HK,zh;q=0.9")
	if lang(zh) != "zh-Hant" || !strings.Contains(zh, "電郵地址") || !strings.Contains(zh, ">報名</button>") || !strings.Contains(zh, "> 中文</label>") {
		t.Errorf("hkla for zh-HK: lang %q\n%s", lang(zh), zh)
	}
	if !strings.Contains(zh, `href="/p/hkla/signup?lang=en" lang="en" hreflang="en">English</a>`) {
		t.Error("zh-Hant page: no switch to English")
	}
	for _, accept := range []string{"en-GB", "", "fr-FR"} {
		en := get("/p/hkla/signup", accept)
		if lang(en) != "en" || !strings.Contains(en, "Email address") || !strings.Contains(en, `href="/p/hkla/signup?lang=zh-Hant" lang="zh-Hant" hreflang="zh-Hant">繁體中文</a>`) {
			t.Errorf("hkla for %q: lang %q, or no switch to 繁體中文", accept, lang(en))
		}
	}
	if en := get("/p/hkla/signup?lang=en", "zh-HK,zh;q=0.9"); lang(en) != "en" || !strings.Contains(en, `name="lang" value="en"`) {
		t.Errorf("?lang=en under zh-HK: lang %q", lang(en))
	}
	if zh := get("/p/hkla/signup?lang=zh-Hant", "en-GB"); lang(zh) != "zh-Hant" {
		t.Errorf("?lang=zh-Hant under en-GB: lang %q", lang(zh))
	}
	if iln := get("/p/iln/signup", "zh-HK,zh;q=0.9"); lang(iln) != "en" || strings.Contains(iln, "繁體中文") {
		t.Errorf("iln (no Chinese pages) for zh-HK: lang %q", lang(iln))
	}
	// The form's hidden lang keeps the choice through the POST, and its messages are translated.
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/p/hkla/signup", strings.NewReader(url.Values{"ft": {s.formToken(demo.HKLA)}, "lang": {"zh-Hant"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "en-GB")
	if status, body := s.do(req); status != http.StatusBadRequest || lang(body) != "zh-Hant" || !strings.Contains(body, "請輸入姓名。") {
		t.Errorf("re-shown zh-Hant form: %d lang %q", status, lang(body))
	}
	// Pages of no programme follow the browser too.
	if body := get("/", "zh-TW"); lang(body) != "zh-Hant" || !strings.Contains(body, "師友計劃") {
		t.Errorf("index for zh-TW: lang %q", lang(body))
	}
}

// axeSource is axe-core, from infra's node_modules (npm ci in infra installs it).
var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile(filepath.Join("..", "..", "infra", "node_modules", "axe-core", "axe.min.js"))
	return string(b), err
})

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// checkAxe runs axe-core's WCAG 2.1 A and AA rules on the browser's page and reports each
// violation with the nodes it found.
func checkAxe(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		t.Fatalf("axe-core is needed for the accessibility tests: cd infra && npm ci (%v)", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
		t.Fatalf("%s: inject axe: %v", name, err)
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa']}}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help, nodes: v.nodes.map(n => n.target.join(" ") + " — " + (n.failureSummary || ""))})))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe.run: %v", name, err)
	}
	for _, v := range vs {
		t.Errorf("%s: axe %s (%s): %s\n\t%s", name, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
	}
}

// fillILN fills the iln form open in the browser with a valid signup for email.
func fillILN(email string) chromedp.Action[chromedp.Void] {
	type c = chromedp.CSS
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		return chromedp.Do(ctx,
			chromedp.SendKeys(c(`#f-name`), "Ada Lovelace"),
			chromedp.SendKeys(c(`#f-email`), email),
			chromedp.SetValue(c(`#f-country`), "NZ"),
			chromedp.SetValue(c(`#f-timeZone`), "Pacific/Auckland"),
			chromedp.SetValue(c(`#f-sector`), "public"),
			chromedp.SetValue(c(`#f-careerStage`), "mid-career"),
			chromedp.Click(c(`input[name=languages][value=en]`)),
			chromedp.Click(c(`#f-consent`)),
		)
	})
}

// TestBrowserAccessibility runs axe-core on every hosted page: the index, both forms (the HKLA
// one in English and in Traditional Chinese, reached by its language switch), the form re-shown
// with errors, "Check your inbox", the confirm page and the confirmed page, the unsubscribe
// pages, the 404 and the error pages (a bad link, a form sent twice).
func TestBrowserAccessibility(t *testing.T) {
	s := newStack(t)
	ctx := browser(t)
	type c = chromedp.CSS
	later := chromedp.Func(func(context.Context, *chromedp.Target) error { s.clock.Advance(20 * time.Second); return nil })
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkAxe(t, ctx, name)
	}
	step("index", chromedp.Navigate(s.srv.URL+"/"), chromedp.WaitVisible(c(`h1`)))
	step("iln form", chromedp.Navigate(s.srv.URL+"/p/iln/signup"), chromedp.WaitVisible(c(`#f-name`)))
	step("iln form, More languages open", chromedp.Click(c(`#more-languages summary`)), chromedp.WaitVisible(c(`#lang-filter`)))
	step("hkla form (en)", chromedp.Navigate(s.srv.URL+"/p/hkla/signup?lang=en"), chromedp.WaitVisible(c(`#f-name`)))
	step("hkla form (zh-Hant)", chromedp.Click(c(`a[hreflang="zh-Hant"]`)), chromedp.WaitVisible(c(`a[hreflang="en"]`)))
	if l := run(t, ctx, chromedp.Evaluate[string](`document.documentElement.lang`)); l != "zh-Hant" {
		t.Errorf("after the switch: lang %q", l)
	}
	if err := chromedp.Do(ctx, chromedp.Click(c(`a[hreflang="en"]`)), chromedp.WaitVisible(c(`a[hreflang="zh-Hant"]`))); err != nil {
		t.Fatal(err)
	}
	if l := run(t, ctx, chromedp.Evaluate[string](`document.documentElement.lang`)); l != "en" {
		t.Errorf("after switching back: lang %q", l)
	}
	step("hkla form (zh-Hant) with errors", chromedp.Navigate(s.srv.URL+"/p/hkla/signup?lang=zh-Hant"), chromedp.WaitVisible(c(`#f-name`)), later,
		chromedp.Click(c(`button[type=submit]`)), chromedp.WaitVisible(c(`#summary`)))
	step("iln form with errors", chromedp.Navigate(s.srv.URL+"/p/iln/signup"), chromedp.WaitVisible(c(`#f-name`)), later,
		chromedp.SendKeys(c(`#f-email`), "ada@"), chromedp.Click(c(`button[type=submit]`)), chromedp.WaitVisible(c(`#summary`)))

	email := uniqueEmail("axe")
	if err := chromedp.Do(ctx, chromedp.Navigate(s.srv.URL+"/p/iln/signup"), chromedp.WaitVisible(c(`#f-name`)), fillILN(email)); err != nil {
		t.Fatal(err)
	}
	ft := run(t, ctx, chromedp.Value(c(`input[name=ft]`)))
	step("check your inbox", later, chromedp.Click(c(`button[type=submit]`)), chromedp.WaitVisible(c(`h1.message`)))
	step("form sent twice", chromedp.Navigate(s.srv.URL+"/p/iln/signup"), chromedp.WaitVisible(c(`#f-name`)), fillILN(uniqueEmail("axe2")),
		chromedp.SetValue(c(`input[name=ft]`), ft), later, chromedp.Click(c(`button[type=submit]`)), chromedp.WaitVisible(c(`h1.message`)))
	if h := run(t, ctx, chromedp.Text(c(`h1`))); h != "This form was already sent" {
		t.Errorf("form sent twice: %q", h)
	}
	m := waitMails(t, email, 1)[0]
	step("confirm page", chromedp.Navigate(link(t, m)), chromedp.WaitVisible(c(`form[action="/confirm"] button`)))
	step("confirmed page", chromedp.Click(c(`form[action="/confirm"] button`)), chromedp.WaitVisible(c(`h1.message`)))
	if h := run(t, ctx, chromedp.Text(c(`h1`))); h != "Signup confirmed" {
		t.Errorf("confirmed page: %q", h)
	}
	step("bad link", chromedp.Navigate(s.srv.URL+"/confirm?t=not-a-token"), chromedp.WaitVisible(c(`h1.message`)))
	step("404", chromedp.Navigate(s.srv.URL+"/no/such/page"), chromedp.WaitVisible(c(`h1.message`)))
	tok := s.signer.Sign(links.PurposeUnsubscribe, email, s.clock.Now().Add(time.Hour))
	step("unsubscribe page", chromedp.Navigate(s.srv.URL+"/unsubscribe?t="+url.QueryEscape(tok)), chromedp.WaitVisible(c(`form[action="/unsubscribe"] button`)))
	step("unsubscribe page (zh-Hant)", chromedp.Click(c(`a[hreflang="zh-Hant"]`)), chromedp.WaitVisible(c(`a[hreflang="en"]`)))
	step("unsubscribed page", chromedp.Click(c(`form[action="/unsubscribe"] button`)), chromedp.WaitVisible(c(`h1.message`)))
	if h := run(t, ctx, chromedp.Text(c(`h1`))); h != "已取消訂閱" {
		t.Errorf("unsubscribed page: %q", h)
	}
}

// TestBrowserKeyboardSignup: a signup with the keyboard alone — Tab from the top of the page
// through every field, typing into text fields and selects, Space on checkboxes, Enter on the
// submit button — reaches "Check your inbox" and stores what was typed.
func TestBrowserKeyboardSignup(t *testing.T) {
	s := newStack(t)
	ctx := browser(t)
	type c = chromedp.CSS
	email := uniqueEmail("keyboard")
	if err := chromedp.Do(ctx, chromedp.Navigate(s.srv.URL+"/p/iln/signup"), chromedp.WaitVisible(c(`#f-name`))); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(20 * time.Second)
	type focus struct{ ID, Name, Type, Value, Tag string }
	var visited []string
	submitted := false
	for i := 0; i < 100 && !submitted; i++ {
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
			t.Fatal(err)
		}
		f := run(t, ctx, chromedp.Evaluate[focus](`(e => ({ID: e.id, Name: e.name || "", Type: e.type || "", Value: e.value || "", Tag: e.tagName}))(document.activeElement)`))
		visited = append(visited, fmt.Sprintf("%s#%s[%s=%s]", f.Tag, f.ID, f.Name, f.Value))
		var keys string
		switch {
		case f.ID == "f-name":
			keys = "Ada Keyboard"
		case f.ID == "f-email":
			keys = email
		case f.ID == "f-country":
			keys = "Japan" // type-ahead in the closed select
		case f.ID == "f-timeZone":
			keys = strings.Repeat(kb.Backspace, len(f.Value)) + "Asia/Tokyo"
		case f.ID == "f-sector":
			keys = "Public"
		case f.ID == "f-careerStage":
			keys = "Mid"
		case f.Name == "languages" && (f.Value == "en" || f.Value == "ja"),
			f.Name == "interests" && f.Value == "outreach",
			f.ID == "f-consent":
			keys = " "
		case f.Tag == "BUTTON":
			keys = kb.Enter
			submitted = true
		}
		if keys != "" {
			if err := chromedp.Do(ctx, chromedp.KeyEvent(keys)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !submitted {
		t.Fatalf("Tab never reached the submit button; focus went %v", visited)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(c(`h1.message`))); err != nil {
		t.Fatal(err)
	}
	if h := run(t, ctx, chromedp.Text(c(`h1`))); h != "Check your inbox" {
		body := run(t, ctx, chromedp.Text(c(`main`)))
		t.Fatalf("after Enter on the button: %q\n%s\nfocus went %v", h, body, visited)
	}
	regs := s.registrations(demo.ILN, demo.ILNRound)
	if len(regs) != 1 {
		t.Fatalf("%d registrations", len(regs))
	}
	r := regs[0]
	if r.Name != "Ada Keyboard" || r.Country != "JP" || r.TimeZone != "Asia/Tokyo" || r.Sector != "public" || r.CareerStage != "mid-career" ||
		strings.Join(r.Languages, ",") != "en,ja" || strings.Join(r.Interests, ",") != "outreach" || r.Preference != pairup.PreferAny {
		t.Errorf("stored %+v", r)
	}
}
