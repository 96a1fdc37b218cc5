package signupweb

import (
	"net/http"
	"strings"

	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/signup"
	"github.com/pairup/pairup/shared/web"
)

// The withdraw pages (GET shows what withdrawing means and one button; POST withdraws), the
// page by which someone whose partner withdrew asks for a new partner, and the page by which a
// person deferred from an earlier round takes their place in a new one (rejoin.go). Opening a
// link changes nothing: mail scanners open links.

// Option gives the pages a service beyond signup itself.
type Option func(*Server)

// WithWithdrawals serves /withdraw and /new-partner with w. Without it those pages answer 404.
func WithWithdrawals(w *signup.Withdrawals) Option { return func(s *Server) { s.withdrawals = w } }

// WithRejoins serves /rejoin with j. Without it the page answers 404.
func WithRejoins(j *signup.Rejoins) Option { return func(s *Server) { s.rejoins = j } }

// withdrawRoutes are the routes of this file and rejoin.go, with their handlers.
func (s *Server) withdrawRoutes() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"GET /withdraw":     s.handleWithdrawPage,
		"POST /withdraw":    s.handleWithdraw,
		"GET /new-partner":  s.handleNewPartnerPage,
		"POST /new-partner": s.handleNewPartner,
		"GET /rejoin":       s.handleRejoinPage,
		"POST /rejoin":      s.handleRejoin,
	}
}

// withdrawTitles are the titles of the withdraw pages' refusals.
var withdrawTitles = web.LinkTitles.Or(web.Titles{Conflict: "Nothing to change", Closed: "The round has ended"})

// unavailable answers a page whose service the function was not given.
func (s *Server) unavailable(w http.ResponseWriter, r *http.Request) {
	s.kit.Message(w, r, http.StatusNotFound, "Page not found", []string{"There is no page at this address."}, web.Home)
}

// linkToken is the token a link page's button posts (or, on a GET, the link's).
func linkToken(r *http.Request) string {
	if t := r.PostForm.Get("t"); t != "" {
		return t
	}
	return r.URL.Query().Get("t")
}

// refusal shows a refusal that has a view as a message page about the view's programme
// (its languages), else as the kit's error page.
func (s *Server) refusal(w http.ResponseWriter, r *http.Request, p *pairup.Programme, err error, titles web.Titles) {
	if p != nil {
		web.About(r, p)
	}
	s.kit.Error(w, r, err, titles)
}

func (s *Server) handleWithdrawPage(w http.ResponseWriter, r *http.Request) {
	if s.withdrawals == nil {
		s.unavailable(w, r)
		return
	}
	token := r.URL.Query().Get("t")
	v, err := s.withdrawals.WithdrawPage(r.Context(), token)
	if err != nil {
		s.refusal(w, r, programmeOf(v), err, withdrawTitles)
		return
	}
	web.About(r, v.Programme)
	s.kit.Render(w, r, http.StatusOK, "withdraw", struct {
		web.Page
		View     *signup.WithdrawView
		Partners string
		Token    string
	}{s.kit.Page(r, "Withdraw from the round?"), v, s.names(r, v.Partners), token})
}

func (s *Server) handleWithdraw(w http.ResponseWriter, r *http.Request) {
	if s.withdrawals == nil {
		s.unavailable(w, r)
		return
	}
	if !s.kit.ReadForm(w, r, MaxTokenBodyBytes) {
		return
	}
	v, err := s.withdrawals.Withdraw(r.Context(), linkToken(r))
	if err != nil {
		s.refusal(w, r, programmeOf(v), err, withdrawTitles)
		return
	}
	web.About(r, v.Programme)
	paras := []string{s.kit.Tf(r, "You have withdrawn from %s (%s). Thank you for letting us know.", v.Programme.Name, v.Round.Name)}
	if v.Matched {
		paras = append(paras, s.kit.Tf(r, "We have told %s, kindly, and offered them a new partner. You will get no more emails about this round.", s.names(r, v.Partners)))
	} else {
		paras = append(paras, "You will not be matched in this round, and you will get no more emails about it.")
	}
	link := web.Home
	if v.EraseURL != "" {
		paras = append(paras, "Withdrawing does not delete your details. If you would also like your personal data erased, you can ask for that here:")
		link = web.Link{Href: v.EraseURL, Text: "Ask for my data to be erased"}
	} else {
		paras = append(paras, "Withdrawing does not delete your details. If you would also like your personal data erased, write to the coordinators.")
	}
	s.kit.Message(w, r, http.StatusOK, "You have withdrawn", paras, link)
}

// names joins names for a sentence in r's locale ("your partner" without any).
func (s *Server) names(r *http.Request, ns []string) string {
	switch len(ns) {
	case 0:
		return s.kit.T(r, "your partner")
	case 1:
		return ns[0]
	}
	and := s.kit.T(r, " and ")
	return strings.Join(ns[:len(ns)-1], ", ") + and + ns[len(ns)-1]
}

func programmeOf(v any) *pairup.Programme {
	switch v := v.(type) {
	case *signup.WithdrawView:
		if v != nil {
			return v.Programme
		}
	case *signup.NewPartnerView:
		if v != nil {
			return v.Programme
		}
	case *signup.RejoinView:
		if v != nil {
			return v.Programme
		}
	}
	return nil
}

var newPartnerTitles = web.LinkTitles.Or(web.Titles{Conflict: "Already asked", Closed: "The round has ended"})

func (s *Server) handleNewPartnerPage(w http.ResponseWriter, r *http.Request) {
	if s.withdrawals == nil {
		s.unavailable(w, r)
		return
	}
	token := r.URL.Query().Get("t")
	v, err := s.withdrawals.NewPartnerPage(r.Context(), token)
	if err != nil {
		s.refusal(w, r, programmeOf(v), err, newPartnerTitles)
		return
	}
	web.About(r, v.Programme)
	s.kit.Render(w, r, http.StatusOK, "new-partner", struct {
		web.Page
		View  *signup.NewPartnerView
		Token string
	}{s.kit.Page(r, "Ask for a new partner"), v, token})
}

func (s *Server) handleNewPartner(w http.ResponseWriter, r *http.Request) {
	if s.withdrawals == nil {
		s.unavailable(w, r)
		return
	}
	if !s.kit.ReadForm(w, r, MaxTokenBodyBytes) {
		return
	}
	v, err := s.withdrawals.RequestNewPartner(r.Context(), linkToken(r))
	if err != nil {
		s.refusal(w, r, programmeOf(v), err, newPartnerTitles)
		return
	}
	web.About(r, v.Programme)
	s.kit.Message(w, r, http.StatusOK, "Your request is on its way", []string{
		s.kit.Tf(r, "Thank you, %s. The coordinators of %s have your request for a new partner.", v.Name, v.Programme.Name),
		"When they have found someone, you will get an email introducing your new partner.",
	}, web.Home)
}

// withdrawZhHant holds the withdraw, new-partner and rejoin pages' strings in Traditional
// Chinese.
var withdrawZhHant = map[string]string{
	"Withdraw from the round?":                                "退出本期計劃？",
	"Hello %s. Press the button to withdraw from this round.": "%s，你好。請按下按鈕退出本期計劃。",
	"We will tell %s, kindly, and offer them a new partner. You will get no more emails about this round.":                   "我們會婉轉地通知%s，並為對方另行安排配對。你不會再收到本期計劃的電郵。",
	"The matching has not been made yet: you will simply not be matched in this round.":                                      "配對尚未進行：你將不會在本期獲得配對。",
	"You are not in a pair at the moment, so no one else is affected. You will get no more emails about this round.":         "你目前沒有配對，因此不會影響其他人。你不會再收到本期計劃的電郵。",
	"Withdrawing cannot be undone for this round. It does not delete your details.":                                          "退出後不能在本期恢復參加。退出不會刪除你的資料。",
	"To have your personal data erased as well, write to the coordinators.":                                                  "如你亦希望刪除個人資料，請聯絡計劃統籌人員。",
	"To have your personal data erased as well, ask for it here":                                                             "如你亦希望刪除個人資料，請按此提出要求",
	"Withdrawing does not delete your details. If you would also like your personal data erased, you can ask for that here:": "退出不會刪除你的資料。如你亦希望刪除個人資料，可在此提出要求：",
	"Withdrawing does not delete your details. If you would also like your personal data erased, write to the coordinators.": "退出不會刪除你的資料。如你亦希望刪除個人資料，請聯絡計劃統籌人員。",
	"Ask for my data to be erased": "要求刪除我的資料",
	"Withdraw from this round":     "退出本期計劃",
	"If you did not mean to withdraw, close this page: nothing has changed.": "如你無意退出，請關閉此頁面，一切維持不變。",
	"You have withdrawn": "你已退出",
	"You have withdrawn from %s (%s). Thank you for letting us know.":                                        "你已退出%s（%s）。謝謝你通知我們。",
	"We have told %s, kindly, and offered them a new partner. You will get no more emails about this round.": "我們已婉轉地通知%s，並為對方另行安排配對。你不會再收到本期計劃的電郵。",
	"You will not be matched in this round, and you will get no more emails about it.":                       "你將不會在本期獲得配對，亦不會再收到本期計劃的電郵。",
	"your partner":        "你的配對夥伴",
	" and ":               "和",
	"Nothing to change":   "毋須再作更改",
	"The round has ended": "本期計劃已結束",

	"Ask for a new partner": "要求新的配對夥伴",
	"Hello %s. %s has had to withdraw from the round. Press the button and the coordinators will look for a new partner for you.":           "%s，你好。%s因事已退出本期計劃。請按下按鈕，計劃統籌人員便會為你物色新的配對夥伴。",
	"Hello %s. Your partner has had to withdraw from the round. Press the button and the coordinators will look for a new partner for you.": "%s，你好。你的配對夥伴因事已退出本期計劃。請按下按鈕，計劃統籌人員便會為你物色新的配對夥伴。",
	"Please find me a new partner": "請為我安排新的配對夥伴",
	"If you would rather not be re-paired, close this page: nothing will be sent.": "如你不希望重新配對，請關閉此頁面，我們不會發出任何要求。",
	"Your request is on its way": "你的要求已送出",
	"Thank you, %s. The coordinators of %s have your request for a new partner.":        "謝謝你，%s。%s的計劃統籌人員已收到你要求新配對夥伴的請求。",
	"When they have found someone, you will get an email introducing your new partner.": "他們找到合適人選後，你會收到介紹新配對夥伴的電郵。",
	"Already asked": "已經提出要求",

	"Take your place in %s": "在%s使用你的名額",
	"Hello %s. You were offered a place in %s because you could not be matched in %s.":                                                                                              "%[1]s，你好。由於你在%[3]s未能獲得配對，我們為你在%[2]s保留了名額。",
	"Press the button to take it. You keep your place in the queue and the answers you gave when you signed up; we will not pair you with anyone you have been paired with before.": "請按下按鈕確認。你會保留原來的排隊次序及報名時填寫的資料；我們不會把你與以往的配對夥伴再次配對。",
	"Take my place": "使用我的名額",
	"If you would rather not take part this time, close this page: nothing will change.": "如你這次不打算參加，請關閉此頁面，一切維持不變。",
	"You are in": "你已成功參加",
	"Welcome back, %s. Your place in %s (%s) is confirmed, with your original place in the queue.": "歡迎回來，%s。你在%s（%s）的名額已確認，並保留原來的排隊次序。",
	"Already taken":     "名額已確認",
	"Signup has closed": "報名已截止",
	"Changed your mind? Withdraw from this round": "改變主意？退出本期計劃",
}

// joinStrings merges string maps into one (a later map's entry wins).
func joinStrings(maps ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
