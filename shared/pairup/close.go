package pairup

import "time"

// ContinueChoice is what a pair member chooses when the round closes.
type ContinueChoice string

// Continue choices.
const (
	ChoiceContinue ContinueChoice = "continue" // keep in touch on their own after the round
	ChoiceConclude ContinueChoice = "conclude" // the partnership ends with the round
)

// ValidContinueChoice reports whether c is one of the two choices.
func ValidContinueChoice(c ContinueChoice) bool { return c == ChoiceContinue || c == ChoiceConclude }

// ContinueAnswer is one member's choice for one pair at the round's close. Each member answers
// once per pair (a mentor once for each mentee).
type ContinueAnswer struct {
	ProgrammeID    string         `json:"programmeId"`
	RoundID        string         `json:"roundId"`
	PairID         string         `json:"pairId"`
	RegistrationID string         `json:"registrationId"`
	Choice         ContinueChoice `json:"choice"`
	At             time.Time      `json:"at"`
}

// CheckInCounts are a round's check-in answers: yes, no, and the members who were asked (their
// pair ran to its check-in day) and did not answer.
type CheckInCounts struct {
	Yes  int `json:"yes"`
	No   int `json:"no"`
	None int `json:"none"`
}

// SurveyRate is one survey's response rate: how many were invited (the invitations queued) and
// how many answered.
type SurveyRate struct {
	Invited   int `json:"invited"`
	Responded int `json:"responded"`
}

// RoundStats are a round's statistics, frozen on the round when it closes: what the matching
// did (from MatchStats, frozen at commit), what happened during the round and how it ended.
// Erasing people later changes none of it.
type RoundStats struct {
	// From the committed matching (MatchStats).
	Registrations int            `json:"registrations"` // signups in the round, any status
	Confirmed     int            `json:"confirmed"`
	Participants  int            `json:"participants"` // people matched into a pair
	Countries     int            `json:"countries"`    // among the matched
	Pairs         int            `json:"pairs"`        // trios count once
	Trios         int            `json:"trios"`
	Deferred      int            `json:"deferred"` // over the country cap, carried to the next round
	Waitlisted    int            `json:"waitlisted"`
	Unmatched     map[string]int `json:"unmatched,omitempty"` // by reason
	// During the round.
	RePaired  int           `json:"rePaired"`  // people moved from a pair that ended (re-pair, withdrawal) into another
	Withdrawn int           `json:"withdrawn"` // registrations withdrawn by the close
	CheckIns  CheckInCounts `json:"checkIns"`
	// At the close: the pairs still running, and what their members chose. Every pair at close
	// is in exactly one of the four counts.
	PairsAtClose   int `json:"pairsAtClose"`
	ContinuedPairs int `json:"continuedPairs"` // every member chose to continue
	ConcludedPairs int `json:"concludedPairs"` // a member chose to conclude
	PartialPairs   int `json:"partialPairs"`   // some chose to continue, the others did not answer
	NoChoicePairs  int `json:"noChoicePairs"`  // nobody answered
	// Surveys are the response rates by survey kind (the kinds the round has).
	Surveys  map[SurveyKind]SurveyRate `json:"surveys,omitempty"`
	ClosedAt time.Time                 `json:"closedAt"`
}

// RoundRecord is what a round holds when it is finalised, from which its statistics are
// computed.
type RoundRecord struct {
	Round         *Round
	Schedule      Schedule // the programme's (for the check-in day)
	Registrations []Registration
	Outcomes      []Outcome
	Pairs         []Pair
	CheckIns      []CheckIn
	Continues     []ContinueAnswer
	Responses     []SurveyResponse
	// Invited counts the invitations queued for each survey kind the round has.
	Invited map[SurveyKind]int
}

// Stats computes a round's statistics at closedAt. The matching's counts come from the
// round's MatchStats (from the outcomes and pairs if the round has none). Pairs at close are
// the pairs not ended by then; a check-in is "none" for a member of a pair that was still
// running on its check-in day (Schedule.CheckInAfterDays after the pair was made, before the
// pair ended and before closedAt) and has no answer.
func (rec RoundRecord) Stats(closedAt time.Time) RoundStats {
	st := RoundStats{ClosedAt: closedAt}
	if m := rec.Round.Matching; m != nil {
		st.Registrations, st.Confirmed, st.Participants, st.Countries = m.Registrations, m.Confirmed, m.Matched, m.Countries
		st.Pairs, st.Trios, st.Deferred, st.Waitlisted = m.Pairs, m.Trios, m.Deferred, m.Waitlisted
		if len(m.Unmatched) > 0 {
			st.Unmatched = make(map[string]int, len(m.Unmatched))
			for k, v := range m.Unmatched {
				st.Unmatched[k] = v
			}
		}
	} else {
		rec.matchingFromOutcomes(&st)
	}
	for _, r := range rec.Registrations {
		if r.Status == StatusWithdrawn {
			st.Withdrawn++
		}
	}

	// Re-pairs: members of a pair that ended (a re-pair, a partner's withdrawal) who are in
	// another pair of the round.
	pairsOf := map[string]int{}
	for _, p := range rec.Pairs {
		for _, m := range p.Members {
			pairsOf[m.RegistrationID]++
		}
	}
	moved := map[string]bool{}
	for _, p := range rec.Pairs {
		if p.Active() {
			continue
		}
		for _, m := range p.Members {
			if pairsOf[m.RegistrationID] > 1 {
				moved[m.RegistrationID] = true
			}
		}
	}
	st.RePaired = len(moved)

	// Check-ins.
	answered := map[string]bool{} // pair#registration
	for _, c := range rec.CheckIns {
		answered[c.PairID+"#"+c.RegistrationID] = true
		switch c.Answer {
		case CheckInYes:
			st.CheckIns.Yes++
		case CheckInNo:
			st.CheckIns.No++
		}
	}
	if days := rec.Schedule.Normalised().CheckInAfterDays; days > 0 {
		for _, p := range rec.Pairs {
			due := p.CreatedAt.Add(time.Duration(days) * 24 * time.Hour)
			if due.After(closedAt) || (!p.Active() && !due.Before(p.EndedAt)) {
				continue
			}
			for _, m := range p.Members {
				if !answered[p.ID+"#"+m.RegistrationID] {
					st.CheckIns.None++
				}
			}
		}
	}

	// Continue or conclude, for the pairs running at the close.
	choice := map[string]ContinueChoice{} // pair#registration
	for _, a := range rec.Continues {
		choice[a.PairID+"#"+a.RegistrationID] = a.Choice
	}
	for _, p := range rec.Pairs {
		if !p.Active() {
			continue
		}
		st.PairsAtClose++
		continued, concluded := 0, 0
		for _, m := range p.Members {
			switch choice[p.ID+"#"+m.RegistrationID] {
			case ChoiceContinue:
				continued++
			case ChoiceConclude:
				concluded++
			}
		}
		switch {
		case concluded > 0:
			st.ConcludedPairs++
		case continued == len(p.Members):
			st.ContinuedPairs++
		case continued > 0:
			st.PartialPairs++
		default:
			st.NoChoicePairs++
		}
	}

	// Surveys.
	if len(rec.Invited) > 0 {
		st.Surveys = map[SurveyKind]SurveyRate{}
		for kind, n := range rec.Invited {
			st.Surveys[kind] = SurveyRate{Invited: n}
		}
		for _, r := range rec.Responses {
			if rate, ok := st.Surveys[r.Kind]; ok {
				rate.Responded++
				st.Surveys[r.Kind] = rate
			}
		}
	}
	return st
}

// matchingFromOutcomes fills the matching's counts from the outcomes, and the pairs from every
// pair of the round (re-pairs included), for a round that has no MatchStats (every commit
// freezes them, so only a round made by hand lacks them).
func (rec RoundRecord) matchingFromOutcomes(st *RoundStats) {
	st.Registrations = len(rec.Registrations)
	country := map[string]string{}
	for _, r := range rec.Registrations {
		country[r.ID] = r.Country
	}
	countries := map[string]bool{}
	for _, o := range rec.Outcomes {
		st.Confirmed++
		switch o.Kind {
		case OutcomePaired:
			st.Participants++
			if c := country[o.RegistrationID]; c != "" {
				countries[c] = true
			}
		case OutcomeDeferred:
			st.Deferred++
		case OutcomeWaitlisted:
			st.Waitlisted++
		case OutcomeUnmatched:
			if st.Unmatched == nil {
				st.Unmatched = map[string]int{}
			}
			st.Unmatched[o.Reason]++
		}
	}
	st.Countries = len(countries)
	for _, p := range rec.Pairs {
		st.Pairs++
		if len(p.Members) == 3 {
			st.Trios++
		}
	}
}
