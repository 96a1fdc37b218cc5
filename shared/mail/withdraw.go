package mail

// Withdrawal and the next round: every participant email carries a link to withdraw from the
// round (WithdrawURL, shown in the footer of the HTML by the shared layout and in the text by
// each template); "partner-withdrew" tells a participant, kindly, that their partner has had
// to withdraw and offers a new partner in one click (en, zh-Hant); "withdrawal" and
// "repair-request" alert the coordinators (en); "invite-rejoin" invites a person deferred by
// the country cap into the next round, keeping their place (en, zh-Hant). As for the other
// emails, every field is plain text shown as given, and the HTML escapes every field.

// Withdrawer is implemented by the data of a participant's email that carries a withdraw link:
// the layout's footer (and each participant template's text footer) shows the link when it is
// set. The method is not named WithdrawURL because the data types hold the link in a field of
// that name.
type Withdrawer interface {
	WithdrawLink() string
}

// withdrawLink is the template function behind the footers: data's withdraw link, or "".
func withdrawLink(data any) string {
	if w, ok := data.(Withdrawer); ok {
		return w.WithdrawLink()
	}
	return ""
}

// WithdrawLink returns d.WithdrawURL, so the footer shows it.
func (d IntroData) WithdrawLink() string { return d.WithdrawURL }

// WithdrawLink returns d.WithdrawURL, so the footer shows it.
func (d OutcomeData) WithdrawLink() string { return d.WithdrawURL }

// WithdrawLink returns d.WithdrawURL, so the footer shows it.
func (d PromptData) WithdrawLink() string { return d.WithdrawURL }

// WithdrawLink returns d.WithdrawURL, so the footer shows it.
func (d CheckInData) WithdrawLink() string { return d.WithdrawURL }

// WithdrawLink returns d.WithdrawURL, so the footer shows it.
func (d SurveyData) WithdrawLink() string { return d.WithdrawURL }

// PartnerWithdrewData is "partner-withdrew": the recipient's partner (in mentor mode, their
// mentor or one of their mentees) has had to withdraw from the round.
type PartnerWithdrewData struct {
	Name, ProgrammeName, RoundName string
	// Role is the recipient's (RolePeer, RoleMentor, RoleMentee): a mentor hears that a mentee
	// withdrew, a mentee that their mentor did, a peer that their partner did.
	Role string
	// Withdrawn is the name of the person who withdrew.
	Withdrawn string
	// Continuing, for a trio, names the partner(s) the recipient goes on with as a pair; no
	// new partner is offered then.
	Continuing []string
	// NewPartnerURL opens a page with one button that asks the coordinators for a new partner.
	NewPartnerURL    string
	CoordinatorEmail string
	UnsubscribeURL   string
	WithdrawURL      string
}

// ListUnsubscribeURL returns d.UnsubscribeURL, so Render sets the List-Unsubscribe header.
func (d PartnerWithdrewData) ListUnsubscribeURL() string { return d.UnsubscribeURL }

// WithdrawLink returns d.WithdrawURL, so the footer shows it.
func (d PartnerWithdrewData) WithdrawLink() string { return d.WithdrawURL }

// IsMentor reports whether the recipient is a mentor (a mentee withdrew).
func (d PartnerWithdrewData) IsMentor() bool { return d.Role == RoleMentor }

// IsMentee reports whether the recipient is a mentee (their mentor withdrew).
func (d PartnerWithdrewData) IsMentee() bool { return d.Role == RoleMentee }

// WithdrawalAlertData is "withdrawal" (English only), to the coordinators: a participant
// withdrew from an active round.
type WithdrawalAlertData struct {
	ProgrammeName, RoundName string
	Person                   AlertPerson   // who withdrew
	Partners                 []AlertPerson // partners left without a partner: told, and offered a new one
	Continuing               []AlertPerson // a trio's other two, who go on as a pair
	// RepairEvents are the console events (JSON) that re-pair each partner left alone, in the
	// order of Partners; shown preformatted, copyable.
	RepairEvents   []string
	UnsubscribeURL string
}

// ListUnsubscribeURL returns d.UnsubscribeURL, so Render sets the List-Unsubscribe header.
func (d WithdrawalAlertData) ListUnsubscribeURL() string { return d.UnsubscribeURL }

// RepairRequestData is "repair-request" (English only), to the coordinators: a participant
// whose partner withdrew asks for a new partner.
type RepairRequestData struct {
	ProgrammeName, RoundName string
	Person                   AlertPerson // who asks
	Withdrawn                string      // the name of the partner who withdrew
	RepairEvent              string      // the console event (JSON) that re-pairs them
	UnsubscribeURL           string
}

// ListUnsubscribeURL returns d.UnsubscribeURL, so Render sets the List-Unsubscribe header.
func (d RepairRequestData) ListUnsubscribeURL() string { return d.UnsubscribeURL }

// InviteRejoinData is "invite-rejoin": a person deferred by the country cap in an earlier
// round is invited into the new one, first and with their place kept. It carries no withdraw
// link: the person is not in the new round until they accept.
type InviteRejoinData struct {
	Name, ProgrammeName string
	RoundName           string // the new round
	EarlierRound        string // the round they were deferred from
	RejoinURL           string // opens a page with one button that takes the place
	SignupCloses        string // when the invitation ends, formatted in the email's language
	CoordinatorEmail    string
	UnsubscribeURL      string
}

// ListUnsubscribeURL returns d.UnsubscribeURL, so Render sets the List-Unsubscribe header.
func (d InviteRejoinData) ListUnsubscribeURL() string { return d.UnsubscribeURL }
