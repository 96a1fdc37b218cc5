package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"golang.org/x/text/language"

	"github.com/pairup/pairup/shared/pairup"
)

// The locales the pages exist in. Emails are not translated here.
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

type switchLink struct{ Href, Lang, Label string }

// switchLinks are the links to the same page in the other locales: GET pages only (a POST's
// result cannot be fetched again), keeping the query (a confirm or unsubscribe link's token).
func switchLinks(r *http.Request, locales []string, current string) []switchLink {
	if r.Method != http.MethodGet || len(locales) < 2 {
		return nil
	}
	var out []switchLink
	for _, l := range locales {
		if l == current {
			continue
		}
		q := url.Values{}
		for k, v := range r.URL.Query() {
			q[k] = v
		}
		q.Set("lang", l)
		out = append(out, switchLink{Href: r.URL.Path + "?" + q.Encode(), Lang: l, Label: localeNames[l]})
	}
	return out
}

// tr is s in locale: the Traditional Chinese text for a page string, or s itself (English, or a
// string with no translation, such as a programme's own text).
func tr(locale, s string) string {
	if locale == localeZHHant {
		if t, ok := zhHant[s]; ok {
			return t
		}
	}
	return s
}

// trf formats the translated format.
func trf(locale, format string, args ...any) string {
	return fmt.Sprintf(tr(locale, format), args...)
}

func formatDate(locale string, t time.Time) string {
	if locale == localeZHHant {
		return t.UTC().Format("2006年1月2日")
	}
	return t.UTC().Format("2 January 2006")
}

// T, Tf and Date are the page's strings in its locale, for the templates.
func (p page) T(s string) string                    { return tr(p.Lang, s) }
func (p page) Tf(format string, args ...any) string { return trf(p.Lang, format, args...) }
func (p page) Date(t time.Time) string              { return formatDate(p.Lang, t) }

// zhHant holds the pages' strings in Traditional Chinese, keyed by the English.
var zhHant = map[string]string{
	// Layout and index.
	"pairup · mentoring programmes run by volunteers": "pairup · 由義工營運的師友計劃",
	"Language":             "語言",
	"Mentoring programmes": "師友計劃",
	"Choose a programme to sign up for its next round.": "選擇一個計劃，報名參加下一期。",
	"Signup open":                "接受報名",
	"for %s until %s.":           "：%s，截止日期為%s。",
	"Sign up":                    "報名",
	"Signup for %s opens on %s.": "%s將於%s開始接受報名。",
	"No round is open for signup at the moment.": "目前沒有開放報名的計劃期。",
	"No programmes yet.":                         "暫時未有計劃。",

	// The signup form.
	"Sign up: %s":               "報名：%s",
	"%s · signup closes %s":     "%s · 報名截止日期：%s",
	"Please correct %d answer":  "請更正 %d 項答案",
	"Please correct %d answers": "請更正 %d 項答案",
	"Leave this empty":          "請留空",
	"About you":                 "關於你",
	"Your name":                 "姓名",
	"Email address":             "電郵地址",
	"We send a link to confirm it. We only use it for this programme.": "我們會寄出連結以確認電郵地址，並只會在本計劃中使用。",
	"Country you work or study in":                                     "你工作或就讀的國家或地區",
	"Choose a country":                                                 "選擇國家或地區",
	"Time zone":                                                        "時區",
	"For example Asia/Hong_Kong or Europe/London. We use it to send messages at a sensible hour.": "例如 Asia/Hong_Kong 或 Europe/London。我們會據此在合適的時間發送訊息。",
	"How you take part": "參與身份",
	"I am joining as":   "我以此身份參加",
	"a mentee":          "學員",
	"a mentor":          "導師",
	"Mentors: how many mentees can you take?": "導師：你可以指導多少位學員？",
	"Choose":                               "請選擇",
	"Mentees: please confirm":              "學員：請確認",
	"Your work":                            "你的工作",
	"Sector":                               "界別",
	"Career stage":                         "職業階段",
	"Languages you can use with a partner": "你可以與配對夥伴使用的語言",
	"Choose all that apply.":               "可選擇多項。",
	"More languages":                       "更多語言",
	"Filter the languages":                 "篩選語言",
	"Interests":                            "興趣",
	"Choose up to %d.":                     "最多選擇 %d 項。",
	"Your partner":                         "你的配對夥伴",
	"I would prefer a partner":             "我希望配對夥伴",
	"I am open to any match":               "任何配對均可",
	"at the same career stage as me":       "與我處於相同職業階段",
	"who shares one of my interests":       "與我有共同興趣",
	"from the same sector as me":           "與我來自相同界別",
	"I agree that the programme's coordinators store these details to match me and to email me about this round. I can withdraw and have my details deleted at any time.": "我同意計劃統籌人員儲存以上資料，用於為我配對及就本期計劃以電郵聯絡我。我可隨時退出並要求刪除我的資料。",

	// The form's messages (pairup's validation).
	"Please correct the highlighted fields.":                             "請更正標示的欄位。",
	"Please enter your name.":                                            "請輸入姓名。",
	"Please enter your email address.":                                   "請輸入電郵地址。",
	"That email address is too long.":                                    "電郵地址過長。",
	"Please choose at least one language you can mentor in.":             "請選擇最少一種你可以使用的語言。",
	"Please choose languages from the list.":                             "請從清單中選擇語言。",
	"Please choose your time zone.":                                      "請選擇時區。",
	"Please choose a time zone such as Asia/Hong_Kong or Europe/London.": "請選擇時區，例如 Asia/Hong_Kong 或 Europe/London。",
	"Please choose your sector.":                                         "請選擇界別。",
	"Please choose your career stage.":                                   "請選擇職業階段。",
	"Please choose interests from the list.":                             "請從清單中選擇興趣。",
	"Please choose what kind of partner you would prefer.":               "請選擇你希望的配對夥伴類型。",
	"Please choose whether you are joining as a mentor or a mentee.":     "請選擇你以導師還是學員身份參加。",
	"Mentees must meet this requirement to join the programme.":          "學員必須符合此要求才可參加計劃。",
	"Please agree to how we use your details so we can match you.":       "請同意我們使用你資料的方式，以便為你配對。",

	// Message pages.
	"Check your inbox": "請查看你的電郵",
	"We have sent an email to %s. Follow the link in it to confirm your signup to %s.":                                               "我們已發送電郵至 %s。請按電郵內的連結，確認報名參加%s。",
	"If it does not arrive within a few minutes, check your spam folder. Signing up again with the same address re-sends the email.": "如數分鐘內仍未收到，請查看垃圾郵件資料夾。以同一電郵地址再次報名，會重新發送該電郵。",
	"Confirm your signup": "確認報名",
	"Press the button to confirm your signup to %s (%s).": "請按下按鈕，確認報名參加%s（%s）。",
	"Confirm my signup": "確認報名",
	"If you did not sign up, close this page: nothing will be kept.": "如你沒有報名，請關閉此頁面，我們不會保留任何資料。",
	"Signup confirmed": "報名已確認",
	"Thank you, %s. Your place in %s (%s) is confirmed.":                                         "謝謝你，%s。你在%s（%s）的名額已確認。",
	"Matching happens after signup closes on %s; we will email you your partner's details then.": "配對會在報名於%s截止後進行，屆時我們會以電郵通知你配對夥伴的資料。",
	"Welcome back: we will not pair you with a previous partner.":                                "歡迎回來：我們不會再把你與以往的配對夥伴配對。",
	"Stop emails?": "停止接收電郵？",
	"Press the button to stop all email from pairup to this address, including emails about a programme you signed up for.": "請按下按鈕，停止 pairup 向此地址發送所有電郵，包括你已報名計劃的電郵。",
	"Stop emails":          "停止接收電郵",
	"You are unsubscribed": "已取消訂閱",
	"We will send no more email to this address. If you sign up for a programme again, we will send you the email to confirm that signup, and once you confirm it, email you about it.": "我們不會再向此地址發送電郵。如你再次報名參加計劃，我們會寄出確認報名的電郵；你確認後，我們會就該計劃以電郵聯絡你。",

	// Errors.
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
	"Back to the form":           "返回表格",
	"This form was already sent": "此表格已經發送",
	"Open the form again":        "重新開啟表格",
	"Please try again later":     "請稍後再試",
	"We are sorry for the inconvenience: the limit stops the form being used to send email to people who did not ask for it.": "不便之處，敬請原諒：此限制是為了防止有人利用表格向沒有要求的人發送電郵。",
	"Something went wrong":    "發生錯誤",
	"Not found":               "找不到",
	"This link is not valid":  "此連結無效",
	"This link has expired":   "此連結已過期",
	"Signup is closed":        "報名已截止",
	"This cannot be done now": "目前無法進行此操作",
	"Something went wrong on our side. Please try again in a few minutes.": "我們的系統出現問題，請於數分鐘後再試。",
}
