package mail

// The data of "close", the email each participant gets when their round closes, in English and
// Traditional Chinese: thanks, the choice for each of their pairs — continue on their own or
// conclude, each a link to a page with one button — and the end-of-round survey. As for the
// other emails, every field is plain text shown as given (the caller formats the date in the
// email's language), and the HTML escapes every field.

// ClosePair is one of the recipient's pairs at the close: their partners in it and the two
// links that record the choice (each opens a page with one button).
type ClosePair struct {
	Partners                 []string // the partners' names
	ContinueURL, ConcludeURL string
}

// CloseData is "close": the round has ended; thank you; continue or conclude (for each pair: a
// mentor with several mentees chooses for each); the end-of-round survey.
type CloseData struct {
	Name, ProgrammeName, RoundName string
	Pairs                          []ClosePair
	SurveyURL                      string
	SurveyCloses                   string // the survey's last day, already formatted in the email's language
	CoordinatorEmail               string
	UnsubscribeURL                 string
}

// ListUnsubscribeURL returns d.UnsubscribeURL, so Render sets the List-Unsubscribe header.
func (d CloseData) ListUnsubscribeURL() string { return d.UnsubscribeURL }

// Several reports whether the recipient chooses for more than one pair (a mentor of several
// mentees).
func (d CloseData) Several() bool { return len(d.Pairs) > 1 }

// Partners are the names of everyone the recipient was paired with, in order.
func (d CloseData) Partners() []string {
	var out []string
	for _, p := range d.Pairs {
		out = append(out, p.Partners...)
	}
	return out
}
