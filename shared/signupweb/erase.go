package signupweb

import (
	"net/http"

	"github.com/pairup/pairup/shared/erasure"
	"github.com/pairup/pairup/shared/web"
)

// The erase page: a participant's request to have their personal data erased (package erasure).
// GET shows what erasing means and one button (opening the link changes nothing: mail scanners
// open links); POST erases and says what was done. The link comes from the withdraw pages, the
// unsubscribe pages, or an email.

// WithErasure serves /erase with e, and has the unsubscribe pages offer erasure. Without it the
// page answers 404 and the unsubscribe pages offer nothing more.
func WithErasure(e *erasure.Service) Option { return func(s *Server) { s.erasure = e } }

// eraseRoutes are the routes of this file, with their handlers.
func (s *Server) eraseRoutes() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"GET /erase":  s.handleErasePage,
		"POST /erase": s.handleErase,
	}
}

// eraseTitles are the titles of the erase pages' refusals.
var eraseTitles = web.LinkTitles.Or(web.Titles{Conflict: "Please try again in a few minutes"})

func (s *Server) handleErasePage(w http.ResponseWriter, r *http.Request) {
	if s.erasure == nil {
		s.unavailable(w, r)
		return
	}
	token := r.URL.Query().Get("t")
	v, err := s.erasure.Page(r.Context(), token)
	if err != nil {
		s.kit.Error(w, r, err, eraseTitles)
		return
	}
	if v.Programme != nil {
		web.About(r, v.Programme)
	}
	if v.Nothing {
		s.kit.Message(w, r, http.StatusOK, "Nothing left to erase", []string{nothingLeft}, web.Home)
		return
	}
	s.kit.Render(w, r, http.StatusOK, "erase", struct {
		web.Page
		View  *erasure.LinkView
		Token string
	}{s.kit.Page(r, "Erase your personal data?"), v, token})
}

func (s *Server) handleErase(w http.ResponseWriter, r *http.Request) {
	if s.erasure == nil {
		s.unavailable(w, r)
		return
	}
	if !s.kit.ReadForm(w, r, MaxTokenBodyBytes) {
		return
	}
	v, err := s.erasure.EraseByLink(r.Context(), linkToken(r))
	if err != nil {
		s.kit.Error(w, r, err, eraseTitles)
		return
	}
	if v.Programme != nil {
		web.About(r, v.Programme)
	}
	rep := v.Report
	if v.Nothing || rep.Registrations+rep.People+rep.EmailClaims+rep.Suppressions+rep.MessagesRedacted == 0 {
		s.kit.Message(w, r, http.StatusOK, "Nothing left to erase", []string{nothingLeft}, web.Home)
		return
	}
	paras := []string{
		"Your personal data is erased: your name, your email address, your signup answers and what you wrote in surveys are gone from every programme and round, and so is the address on every email we sent you.",
	}
	if rep.Withdrawn > 0 {
		paras = append(paras, "You have also been taken out of the round you were taking part in.")
	}
	if rep.Suppressions > 0 {
		paras = append(paras, "You had asked for no more emails, or your address could not receive them: we keep only a note that cannot be read back into your address, so that it stays that way.")
	}
	paras = append(paras, "You will get no more emails from us. You can sign up again later as a new participant.")
	s.kit.Message(w, r, http.StatusOK, "Your data is erased", paras, web.Home)
}

// nothingLeft is the erase pages' message when nothing is held any more.
const nothingLeft = "We hold no personal data for this link any more: it was erased before. There is nothing more to do."

// eraseOffer is the link by which the address of an unsubscribe link's email can also be erased
// ("" when the page offers none).
func (s *Server) eraseOffer(unsubscribeToken string) string {
	if s.erasure == nil {
		return ""
	}
	return s.erasure.UnsubscribeOffer(unsubscribeToken)
}

// eraseZhHant holds the erase pages' strings in Traditional Chinese.
var eraseZhHant = map[string]string{
	"Erase your personal data?": "刪除你的個人資料？",
	"Press the button to erase what we hold about you, in every programme and round: your name, your email address, your signup answers and what you wrote in surveys. We keep only counts that name no one (how many took part, from which countries), and a note that your address does not want our emails if you unsubscribed, kept so that nobody can read the address from it.": "請按下按鈕，刪除我們在所有計劃及各期持有的你的資料：你的姓名、電郵地址、報名答案及你在問卷中填寫的文字。我們只會保留不指明任何人的統計數字（參加人數、來自哪些國家），以及（如你曾取消訂閱）一項無法還原成你電郵地址的記錄，以確保不再向你發送電郵。",
	"You are still taking part in a round. Erasing your data takes you out of it without telling your partner.": "你仍在參加一期計劃。刪除資料會令你退出該期，但不會通知你的配對夥伴。",
	"To let your partner know, withdraw first":                                    "如要通知你的配對夥伴，請先退出",
	", then come back here.":                                                      "，然後再回到此頁。",
	"Erasing cannot be undone. You can sign up again later as a new participant.": "刪除後無法復原。你日後可以新參加者身份再次報名。",
	"Erase my data": "刪除我的資料",
	"If you did not mean to erase your data, close this page: nothing has changed.": "如你無意刪除資料，請關閉此頁面，一切維持不變。",
	"Nothing left to erase": "沒有需要刪除的資料",
	nothingLeft:             "我們已不再持有此連結的任何個人資料：資料早前已被刪除，毋須再作任何操作。",
	"Your data is erased":   "你的資料已刪除",
	"Your personal data is erased: your name, your email address, your signup answers and what you wrote in surveys are gone from every programme and round, and so is the address on every email we sent you.": "你的個人資料已刪除：你的姓名、電郵地址、報名答案及你在問卷中填寫的文字已從所有計劃及各期移除，我們寄給你的電郵上的地址亦已刪除。",
	"You have also been taken out of the round you were taking part in.":                                                                                                   "你亦已退出正在參加的一期計劃。",
	"You had asked for no more emails, or your address could not receive them: we keep only a note that cannot be read back into your address, so that it stays that way.": "你曾要求不再收到電郵，或你的地址無法接收電郵：我們只保留一項無法還原成你電郵地址的記錄，以確保情況維持不變。",
	"You will get no more emails from us. You can sign up again later as a new participant.":                                                                               "你不會再收到我們的電郵。你日後可以新參加者身份再次報名。",
	"Please try again in a few minutes":                "請在數分鐘後再試",
	"Erase my data instead":                            "改為刪除我的資料",
	"You can also have all your personal data erased:": "你亦可以要求刪除你的所有個人資料：",
}
