package web

import (
	"errors"
	"mime"
	"mime/multipart"
	"net/http"
)

// ReadForm reads the form body of a request a person did not fill in — a page's button
// carrying a token, a mail client's one-click unsubscribe — of at most limit bytes,
// URL-encoded or multipart (RFC 8058 allows both), into r.PostForm (and r.Form). If it cannot,
// it sends a 413 ("Request too large") or 400 ("Request not readable") page ending with the
// Home link and returns false. Reading it again is a no-op.
func (k *Kit) ReadForm(w http.ResponseWriter, r *http.Request, limit int64) bool {
	return k.readForm(w, r, limit, formRefusal{
		tooLarge: "Request too large", tooLargeText: "What you sent is larger than %d KiB, so we did not accept it.",
		unreadable: "Request not readable", unreadableText: "We could not read what you sent. Please try again.",
		link: Home, multipart: true,
	})
}

// ReadFilledForm is ReadForm for a form a person filled in on one of our pages: URL-encoded
// only (the pages' forms have no file fields, so a multipart body is not parsed and the form
// reads as empty), and its refusals say "Form too large" (413) or "Form not readable" (400)
// and end with a link back to the form, back.
func (k *Kit) ReadFilledForm(w http.ResponseWriter, r *http.Request, limit int64, back string) bool {
	return k.readForm(w, r, limit, formRefusal{
		tooLarge: "Form too large", tooLargeText: "The form you sent is larger than %d KiB, so we did not accept it.",
		unreadable: "Form not readable", unreadableText: "We could not read the form you sent. Please try again.",
		link: Link{Href: back, Text: "Back to the form"},
	})
}

// formRefusal is what the pages refusing a form body say.
type formRefusal struct {
	tooLarge, tooLargeText     string // the text formats the limit in KiB
	unreadable, unreadableText string
	link                       Link
	multipart                  bool // whether a multipart/form-data body is parsed
}

func (k *Kit) readForm(w http.ResponseWriter, r *http.Request, limit int64, say formRefusal) bool {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	var err error
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); say.multipart && ct == "multipart/form-data" {
		err = r.ParseMultipartForm(limit)
	} else {
		err = r.ParseForm()
	}
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return true
	case errors.As(err, &tooBig) || errors.Is(err, multipart.ErrMessageTooLarge):
		k.Message(w, r, http.StatusRequestEntityTooLarge, say.tooLarge, []string{k.Tf(r, say.tooLargeText, max(limit>>10, 1))}, say.link)
	default:
		k.Message(w, r, http.StatusBadRequest, say.unreadable, []string{say.unreadableText}, say.link)
	}
	return false
}
