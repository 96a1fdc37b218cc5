package signupweb

import (
	"net/http"

	"github.com/pairup/pairup/shared/signup"
	"github.com/pairup/pairup/shared/web"
)

// The rejoin page: a person deferred by the country cap in an earlier round takes the place the
// next round's invitation offers (GET: one button; POST: takes it).

var rejoinTitles = web.LinkTitles.Or(web.Titles{Conflict: "Already taken", Closed: "Signup has closed"})

func (s *Server) handleRejoinPage(w http.ResponseWriter, r *http.Request) {
	if s.rejoins == nil {
		s.unavailable(w, r)
		return
	}
	token := r.URL.Query().Get("t")
	v, err := s.rejoins.RejoinPage(r.Context(), token)
	if err != nil {
		s.refusal(w, r, programmeOf(v), err, rejoinTitles)
		return
	}
	web.About(r, v.Programme)
	s.kit.Render(w, r, http.StatusOK, "rejoin", struct {
		web.Page
		View  *signup.RejoinView
		Token string
	}{s.kit.Page(r, s.kit.Tf(r, "Take your place in %s", v.Round.Name)), v, token})
}

func (s *Server) handleRejoin(w http.ResponseWriter, r *http.Request) {
	if s.rejoins == nil {
		s.unavailable(w, r)
		return
	}
	if !s.kit.ReadForm(w, r, MaxTokenBodyBytes) {
		return
	}
	v, err := s.rejoins.Rejoin(r.Context(), linkToken(r))
	if err != nil {
		s.refusal(w, r, programmeOf(v), err, rejoinTitles)
		return
	}
	web.About(r, v.Programme)
	s.kit.Message(w, r, http.StatusOK, "You are in", []string{
		s.kit.Tf(r, "Welcome back, %s. Your place in %s (%s) is confirmed, with your original place in the queue.", v.Registration.Name, v.Programme.Name, v.Round.Name),
		s.kit.Tf(r, "Matching happens after signup closes on %s; we will email you your partner's details then.", s.kit.Date(r, v.Round.SignupCloses)),
		"Welcome back: we will not pair you with a previous partner.",
	}, web.Home)
}
