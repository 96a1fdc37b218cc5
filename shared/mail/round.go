package mail

// The data of the emails sent while a round is in progress: "prompt" (the next discussion
// topic), "checkin" (have you heard from your partner?) and "survey" (an invitation or a
// reminder to fill in a survey or the mentee report) to the participants, in English and
// Traditional Chinese; and "checkin-alert" and "report-missing" to the coordinators, in
// English only. As for the matching emails, every field is plain text shown as given (the
// caller formats dates and localises labels into the email's language), and the HTML escapes
// every field.

// PromptData is "prompt": the next discussion topic, sent to each member of a pair every few weeks.
type PromptData struct {
	Name, ProgrammeName, RoundName string
	Number                         int // 1-based: the first prompt after the introduction is 1
	Topic                          string
	Partners                       []string // the partners' names
	CoordinatorEmail               string
	UnsubscribeURL                 string
	WithdrawURL                    string // the recipient's link to withdraw from the round (Withdrawer)
}

// ListUnsubscribeURL returns d.UnsubscribeURL, so Render sets the List-Unsubscribe header.
func (d PromptData) ListUnsubscribeURL() string { return d.UnsubscribeURL }

// CheckInData is "checkin": two weeks after the introduction, "have you heard from your partner?", answered with one of two links.
type CheckInData struct {
	Name, ProgrammeName, RoundName string
	Partners                       []string
	YesURL, NoURL                  string // each opens a page with one button that records the answer
	CoordinatorEmail               string
	UnsubscribeURL                 string
	WithdrawURL                    string // the recipient's link to withdraw from the round (Withdrawer)
}

// ListUnsubscribeURL returns d.UnsubscribeURL, so Render sets the List-Unsubscribe header.
func (d CheckInData) ListUnsubscribeURL() string { return d.UnsubscribeURL }

// Survey kinds, as SurveyData.Kind spells them.
const (
	SurveyMid    = "mid"    // mid-round survey
	SurveyEnd    = "end"    // end-of-round survey
	SurveyReport = "report" // mentor mode: the mentee's report, mandatory
)

// SurveyData is "survey": an invitation (Reminder 0) or a reminder (1, 2, …) to fill in a survey.
type SurveyData struct {
	Name, ProgrammeName, RoundName string
	Kind                           string // SurveyMid, SurveyEnd or SurveyReport
	Reminder                       int
	SurveyURL                      string
	Closes                         string // the deadline, already formatted in the email's language
	CoordinatorEmail               string
	UnsubscribeURL                 string
	WithdrawURL                    string // the recipient's link to withdraw from the round (Withdrawer)
}

// ListUnsubscribeURL returns d.UnsubscribeURL, so Render sets the List-Unsubscribe header.
func (d SurveyData) ListUnsubscribeURL() string { return d.UnsubscribeURL }

// IsMid reports whether the survey is the mid-round survey.
func (d SurveyData) IsMid() bool { return d.Kind == SurveyMid }

// IsEnd reports whether the survey is the end-of-round survey.
func (d SurveyData) IsEnd() bool { return d.Kind == SurveyEnd }

// IsReport reports whether the survey is the mandatory mentee report.
func (d SurveyData) IsReport() bool { return d.Kind == SurveyReport }

// IsReminder reports whether the email is a reminder rather than the first invitation.
func (d SurveyData) IsReminder() bool { return d.Reminder > 0 }

// AlertPerson is a participant as the coordinators' emails show them.
type AlertPerson struct {
	Name, Email, Country, RegistrationID string
}

// CheckInAlertData is "checkin-alert" (English only), to the coordinators: a participant answered that they have not heard from their partner.
type CheckInAlertData struct {
	ProgrammeName, RoundName string
	Person                   AlertPerson   // who answered "no"
	Partners                 []AlertPerson // their partner(s) in the pair
	RepairEvent              string        // the console event (JSON) that re-pairs them; shown preformatted, copyable
	UnsubscribeURL           string
}

// ListUnsubscribeURL returns d.UnsubscribeURL, so Render sets the List-Unsubscribe header.
func (d CheckInAlertData) ListUnsubscribeURL() string { return d.UnsubscribeURL }

// ReportMissingData is "report-missing" (English only), to the coordinators: mentees who have not yet sent the mandatory mentee report.
type ReportMissingData struct {
	ProgrammeName, RoundName string
	Due                      string // the deadline, formatted
	Missing                  []AlertPerson
	Submitted                int
	Total                    int
	UnsubscribeURL           string
}

// ListUnsubscribeURL returns d.UnsubscribeURL, so Render sets the List-Unsubscribe header.
func (d ReportMissingData) ListUnsubscribeURL() string { return d.UnsubscribeURL }
