package mail

// The data of the emails a matching run sends: "intro" to each matched participant,
// "waitlisted", "deferred" and "unmatched" (OutcomeData) to those left out, and "proposal" to
// the coordinators. Every field is plain text, shown as given: the caller localises labels
// (country and sector names, career stages, reasons) into the email's language. The HTML
// escapes every field (names and interests come from a public form).

// Matching modes and roles, as IntroData.Mode and IntroData.Role spell them (the same strings
// as pairup.Mode and pairup.Role).
const (
	ModePeer   = "peer"
	ModeMentor = "mentor"

	RolePeer   = "peer"
	RoleMentor = "mentor"
	RoleMentee = "mentee"
)

// IntroData is the data of the "intro" template: one matched participant's introduction to
// their partner or partners (a peer-mode pair or trio), their mentor (a mentee), or all their
// mentees at once (a mentor).
type IntroData struct {
	Name          string // the recipient's name
	ProgrammeName string
	RoundName     string
	Mode          string // ModePeer or ModeMentor
	Role          string // the recipient's: RolePeer, RoleMentor or RoleMentee
	Partners      []IntroPartner
	Icebreakers   []string // questions to start the conversation
	FirstTopic    string   // the first discussion topic; optional
	// ReplyWithin is how soon participants are asked to reply to their partner, in the email's
	// language, e.g. "a week", "一星期".
	ReplyWithin      string
	CoordinatorEmail string // where to write with questions
	UnsubscribeURL   string // one-click unsubscribe link, also sent as List-Unsubscribe
	WithdrawURL      string // the recipient's link to withdraw from the round (Withdrawer)
	// Repaired marks a re-pair: the recipient's earlier partner did not respond, or the
	// coordinators re-paired them; this introduces a new partner. The email opens
	// differently ("Your new partner: …"); the rest is the same.
	Repaired bool
}

// IntroPartner is one person the recipient of an intro is matched with.
type IntroPartner struct {
	Name        string
	Email       string // shown so that the recipient can write to them
	Country     string // the country's name
	Sector      string // the sector's label
	CareerStage string // the career stage's label
	Interests   []string
	Reasons     []string // why they were matched, one reason a line
}

// ListUnsubscribeURL returns d.UnsubscribeURL, so Render sets the List-Unsubscribe header.
func (d IntroData) ListUnsubscribeURL() string { return d.UnsubscribeURL }

// IsMentor reports whether the recipient is a mentor, introduced to their mentees.
func (d IntroData) IsMentor() bool { return d.Role == RoleMentor }

// IsMentee reports whether the recipient is a mentee, introduced to their mentor.
func (d IntroData) IsMentee() bool { return d.Role == RoleMentee }

// Several reports whether the recipient has more than one partner: a trio, or a mentor with
// several mentees.
func (d IntroData) Several() bool { return len(d.Partners) > 1 }

// OutcomeData is the data of the templates for a person the matching left out:
//
//   - "waitlisted" (mentor mode: no mentor place this time): Position is their place on the
//     waitlist (0: not shown);
//   - "deferred" (over the country cap): CapPercent is the cap, the share of a round's
//     applicants one country may have (0: not shown);
//   - "unmatched" (nobody they could be paired with): Reason says why, in the email's language.
//
// Reason, if set, is shown in all three.
type OutcomeData struct {
	Name             string
	ProgrammeName    string
	RoundName        string
	Reason           string
	Position         int
	CapPercent       int
	CoordinatorEmail string
	UnsubscribeURL   string
	WithdrawURL      string // the recipient's link to withdraw (Withdrawer)
}

// ListUnsubscribeURL returns d.UnsubscribeURL, so Render sets the List-Unsubscribe header.
func (d OutcomeData) ListUnsubscribeURL() string { return d.UnsubscribeURL }

// MaxProposalPairs is how many pairs the "proposal" email lists at most; the rest are in its
// CSV attachment (ProposalData.MorePairs counts them). It keeps the email readable, its HTML
// under about 100 KB (beyond which Gmail cuts a message short) and the message well within an
// outbox item (MaxQueuedBytes) with its compressed CSV.
const MaxProposalPairs = 300

// ProposalData is the data of the "proposal" template: a matching run's result, emailed to the
// coordinators with the full list as a CSV attachment (which the caller attaches). It is in
// English only.
type ProposalData struct {
	ProgrammeName string
	RoundName     string
	DryRun        bool    // a dry run (nothing saved or sent) rather than a committed matching
	Counts        []Count // the summary, in order: registrations, confirmed, matched, …
	Pairs         []ProposalPair
	LeftOut       []ProposalLeftOut // waitlisted, deferred and unmatched people
	ByCountry     []Count           // coverage: matched people by country
	BySector      []Count           // and by sector
	// MorePairs is how many pairs Pairs leaves out (the caller shows at most MaxProposalPairs).
	MorePairs int
	// HowToCommit tells the coordinators how to adjust and commit a dry run, in a sentence or
	// two shown as given under the dry-run notice; optional, shown only for a dry run.
	HowToCommit    string
	UnsubscribeURL string
}

// Count is a labelled value in a proposal's tables, e.g. {"Confirmed", "212"} or
// {"Optimum certified", "yes"}.
type Count struct {
	Label string
	Value string
}

// ProposalPair is one pair (or trio) of a proposal.
type ProposalPair struct {
	Members []ProposalPerson // in mentor mode, the mentor first
	Score   int64
	Reasons []string
	Pinned  bool // a coordinator pinned it
}

// ProposalPerson is a member of a proposed pair.
type ProposalPerson struct {
	Name    string
	Country string
	Sector  string // shown in the text part only: the HTML table keeps to names and countries
}

// ProposalLeftOut is a person the proposal does not pair, with why.
type ProposalLeftOut struct {
	Name     string
	Country  string
	Outcome  string // "waitlisted", "deferred" or "unmatched"
	Reason   string
	Position int // waitlisted or deferred: their place (0: none)
}

// ListUnsubscribeURL returns d.UnsubscribeURL, so Render sets the List-Unsubscribe header.
func (d ProposalData) ListUnsubscribeURL() string { return d.UnsubscribeURL }

// TotalPairs returns how many pairs the proposal has: those listed and MorePairs.
func (d ProposalData) TotalPairs() int { return len(d.Pairs) + d.MorePairs }
