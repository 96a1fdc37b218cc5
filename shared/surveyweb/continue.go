package surveyweb

import (
	"net/http"

	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/survey"
	"github.com/pairup/pairup/shared/web"
)

// The continue page: at the round's close, a member of a pair continues on their own or
// concludes. The link opens a page with one button; the POST records the choice (package
// survey's ContinuePage and AnswerContinue).

var continueTitles = web.LinkTitles.Or(web.Titles{Conflict: "Already chosen", Closed: "This choice is closed"})

func (s *Server) continuePage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	v, err := s.svc.ContinuePage(r.Context(), token)
	if v != nil {
		web.About(r, v.Programme)
	}
	if err != nil {
		s.kit.Error(w, r, err, continueTitles)
		return
	}
	if v.Answered != nil {
		s.kit.Message(w, r, http.StatusOK, "Already chosen", []string{
			s.kit.Tf(r, choseOn(v.Answered.Choice), s.kit.Date(r, v.Answered.At)),
			"Each choice is made once; if something has changed, write to the coordinators.",
		}, web.Link{})
		return
	}
	s.kit.Render(w, r, http.StatusOK, "continue", struct {
		web.Page
		View     *survey.ContinueView
		Partners string
		Token    string
	}{s.kit.Page(r, continueTitle(v.Choice)), v, names(v.Partners), token})
}

func (s *Server) answerContinue(w http.ResponseWriter, r *http.Request) {
	if !s.kit.ReadForm(w, r, MaxTokenBodyBytes) {
		return
	}
	v, err := s.svc.AnswerContinue(r.Context(), r.PostForm.Get("t"))
	if v != nil {
		web.About(r, v.Programme)
	}
	if err != nil {
		s.kit.Error(w, r, err, continueTitles)
		return
	}
	msg := "Thank you: we have noted that you will keep in touch on your own. We hope the conversations go on."
	if v.Choice == pairup.ChoiceConclude {
		msg = "Thank you: we have noted that your partnership concludes with the round. Thank you for the time you gave to it."
	}
	s.kit.Message(w, r, http.StatusOK, "Choice recorded", []string{msg, "If you have not yet filled in the end-of-round survey, its link is in the same email."}, web.Link{})
}

func continueTitle(c pairup.ContinueChoice) string {
	if c == pairup.ChoiceConclude {
		return "Conclude your partnership"
	}
	return "Continue on your own"
}

// choseOn is the format of "you chose … on <date>".
func choseOn(c pairup.ContinueChoice) string {
	if c == pairup.ChoiceConclude {
		return "You chose on %s to conclude your partnership with the round."
	}
	return "You chose on %s to continue on your own."
}
