package matchrun

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pairup/pairup/shared/iso"
	"github.com/pairup/pairup/shared/mail"
	"github.com/pairup/pairup/shared/pairup"
	"github.com/pairup/pairup/shared/sheet"
)

// participantKey is the outbox key of the one email a commit sends a participant.
func participantKey(p, r, regID string) string { return "match/" + p + "/" + r + "/" + regID }

// proposalKey is the outbox key of a proposal email to coordinator i; run says which run ("commit"
// for a commit: one per round, whatever the retries; "scheduled"; "dry-<request id>").
func proposalKey(p, r, run string, i int) string {
	return fmt.Sprintf("proposal/%s/%s/%s/%d", p, r, run, i)
}

// participantEmails renders every participant's one email of a commit: an introduction naming
// all their partners, or the reason they were not matched and what happens next.
func (s *Service) participantEmails(pl *plan) ([]mail.Message, error) {
	p, r := pl.programme, pl.round
	pairsByID := map[string]*pairup.Pair{}
	for i := range pl.pairs {
		pairsByID[pl.pairs[i].ID] = &pl.pairs[i]
	}
	coordinator := ""
	if len(p.Coordinators) > 0 {
		coordinator = p.Coordinators[0]
	}
	msgs := make([]mail.Message, 0, len(pl.outcomes))
	for _, o := range pl.outcomes {
		reg := pl.byID[o.RegistrationID]
		locale := reg.Locale
		if locale == "" {
			locale = p.Locale
		}
		key := participantKey(p.ID, r.ID, reg.ID)
		unsub := s.unsubscribeURL(key, pl.at)
		withdraw := s.withdrawURL(r, reg.ID, pl.at)
		var (
			msg   mail.Message
			err   error
			about []string // the partners an introduction names (package erasure finds it by them)
		)
		switch o.Kind {
		case pairup.OutcomePaired:
			d := mail.IntroData{
				Name: reg.Name, ProgrammeName: p.Name, RoundName: r.Name, Mode: string(p.Mode), Role: string(reg.Role),
				Icebreakers: p.Icebreakers, ReplyWithin: aWeek(locale),
				CoordinatorEmail: coordinator, UnsubscribeURL: unsub, WithdrawURL: withdraw,
			}
			if len(p.Topics) > 0 {
				d.FirstTopic = p.Topics[0]
			}
			for _, id := range o.PairIDs {
				pr := pairsByID[id]
				for _, m := range pr.Members {
					if m.RegistrationID == reg.ID {
						continue
					}
					d.Partners = append(d.Partners, pl.partner(pl.byID[m.RegistrationID], pr.Reasons, locale))
					about = append(about, m.RegistrationID)
				}
			}
			msg, err = s.Templates.Render("intro", locale, d)
		default:
			msg, err = s.Templates.Render(string(o.Kind), locale, mail.OutcomeData{
				Name: reg.Name, ProgrammeName: p.Name, RoundName: r.Name, Reason: o.Reason, Position: o.Position,
				CapPercent: p.Rules.CountryCapPercent, CoordinatorEmail: coordinator, UnsubscribeURL: unsub, WithdrawURL: withdraw,
			})
		}
		if err != nil {
			return nil, fmt.Errorf("matchrun: render the %s email: %w", o.Kind, err)
		}
		msg.Key = key
		msg.To = reg.Email
		msg.Tags = map[string]string{"kind": string(o.Kind), "programme": p.ID}
		msg.About = about
		msgs = append(msgs, msg)
	}
	return msgs, nil
}

// aWeek is "a week" in the recipient's language.
func aWeek(locale string) string {
	if locale == mail.TraditionalChinese {
		return "一星期"
	}
	return "a week"
}

// partner is how an introduction presents a partner, with the programme's labels.
func (pl *plan) partner(reg *pairup.Registration, reasons []string, locale string) mail.IntroPartner {
	p := pl.programme
	interests := make([]string, len(reg.Interests))
	for i, v := range reg.Interests {
		interests[i] = pairup.OptionLabel(p.Interests, v)
	}
	return mail.IntroPartner{
		Name: reg.Name, Email: reg.Email, Country: iso.CountryName(reg.Country, locale),
		Sector: pairup.OptionLabel(p.Sectors, reg.Sector), CareerStage: pairup.OptionLabel(p.Stages, reg.CareerStage),
		Interests: interests, Reasons: reasons,
	}
}

// maxProposalPairs and maxProposalLeftOut bound the rows the proposal email shows, so that it
// stays well inside an outbox item (and under mail clients' clipping) for a round of thousands;
// the attached CSV and the function's result have them all.
const (
	maxProposalPairs   = 100
	maxProposalLeftOut = 100
)

// proposals renders the proposal email to each of the programme's coordinators.
func (s *Service) proposals(pl *plan, dry bool, run string) []mail.Message {
	p, r := pl.programme, pl.round
	if len(p.Coordinators) == 0 {
		return nil
	}
	c := pl.counts
	d := mail.ProposalData{
		ProgrammeName: p.Name, RoundName: r.Name, DryRun: dry,
		Counts: []mail.Count{
			{Label: "Registrations", Value: strconv.Itoa(c.Registrations)},
			{Label: "Confirmed", Value: strconv.Itoa(c.Confirmed)},
			{Label: "Matched", Value: strconv.Itoa(c.Matched)},
			{Label: "Pairs", Value: strconv.Itoa(c.Pairs)},
			{Label: "Trios", Value: strconv.Itoa(c.Trios)},
			{Label: "Deferred by the country cap", Value: strconv.Itoa(c.DeferredByCountryCap)},
			{Label: "Waitlisted", Value: strconv.Itoa(c.Waitlisted)},
			{Label: "Unmatched", Value: strconv.Itoa(c.Unmatched)},
			{Label: "Countries", Value: strconv.Itoa(c.Countries)},
			{Label: "Mean score", Value: fmt.Sprintf("%.1f", c.MeanScore)},
			{Label: "Optimum certified", Value: yesNo(c.OptimumCertified)},
		},
	}
	for reason, n := range c.UnmatchedByReason {
		d.Counts = append(d.Counts, mail.Count{Label: "Unmatched: " + reason, Value: strconv.Itoa(n)})
	}
	for i, pr := range pl.pairs {
		if i == maxProposalPairs {
			d.MorePairs = len(pl.pairs) - i
			break
		}
		pp := mail.ProposalPair{Score: pr.Score, Reasons: pr.Reasons, Pinned: pr.Pinned}
		for _, m := range pr.Members {
			reg := pl.byID[m.RegistrationID]
			pp.Members = append(pp.Members, mail.ProposalPerson{Name: reg.Name, Country: reg.Country, Sector: pairup.OptionLabel(p.Sectors, reg.Sector)})
		}
		d.Pairs = append(d.Pairs, pp)
	}
	more := 0
	for _, o := range pl.outcomes {
		if o.Kind == pairup.OutcomePaired {
			continue
		}
		if len(d.LeftOut) == maxProposalLeftOut {
			more++
			continue
		}
		reg := pl.byID[o.RegistrationID]
		d.LeftOut = append(d.LeftOut, mail.ProposalLeftOut{Name: reg.Name, Country: reg.Country, Outcome: string(o.Kind), Reason: o.Reason, Position: o.Position})
	}
	if more > 0 {
		d.LeftOut = append(d.LeftOut, mail.ProposalLeftOut{Name: fmt.Sprintf("… and %d more", more), Reason: "see the attached CSV"})
	}
	byCountry, bySector := pl.coverage()
	for _, t := range byCountry {
		d.ByCountry = append(d.ByCountry, mail.Count{Label: t.Label, Value: strconv.Itoa(t.Count)})
	}
	for _, t := range bySector {
		d.BySector = append(d.BySector, mail.Count{Label: t.Label, Value: strconv.Itoa(t.Count)})
	}
	if dry {
		d.HowToCommit = fmt.Sprintf(`To adjust, invoke match-run with {"action":"pin"} or {"action":"forbid"} and the pairs; to commit, {"action":"match","programme":"%s","round":"%s","dryRun":false}.`, p.ID, r.ID)
	}
	csvData := pl.csv()
	var out []mail.Message
	for i, to := range p.Coordinators {
		key := proposalKey(p.ID, r.ID, run, i)
		d.UnsubscribeURL = s.unsubscribeURL(key, pl.at)
		msg, err := s.Templates.Render("proposal", p.Locale, d)
		if err != nil {
			s.Log.Error("render the proposal", "programme", p.ID, "round", r.ID, "err", err)
			return nil
		}
		msg.Key = key
		msg.To = to
		msg.Tags = map[string]string{"kind": "proposal", "programme": p.ID}
		msg.About = []string{mail.AboutRound(p.ID, r.ID)} // it lists everyone in the round
		msg.Attachments = []mail.Attachment{{
			FileName: fmt.Sprintf("matching-%s-%s.csv", p.ID, r.ID), ContentType: "text/csv; charset=utf-8", Data: csvData,
		}}
		out = append(out, msg)
	}
	return out
}

// csv is the whole proposal as a spreadsheet (package sheet: a byte-order mark, formula-like
// cells neutralised): one row per person, with their pair.
func (pl *plan) csv() []byte {
	header := []string{"registration", "name", "email", "country", "sector", "career stage", "role", "outcome", "pair", "partners", "score", "reasons / reason", "position"}
	var rows [][]string
	pairsByID := map[string]pairup.Pair{}
	for _, pr := range pl.pairs {
		pairsByID[pr.ID] = pr
	}
	for _, o := range pl.outcomes {
		reg := pl.byID[o.RegistrationID]
		row := []string{reg.ID, reg.Name, reg.Email, reg.Country, pairup.OptionLabel(pl.programme.Sectors, reg.Sector),
			pairup.OptionLabel(pl.programme.Stages, reg.CareerStage), string(reg.Role), string(o.Kind)}
		var partners, scores, reasons []string
		for _, id := range o.PairIDs {
			pr := pairsByID[id]
			for _, m := range pr.Members {
				if m.RegistrationID != reg.ID {
					partners = append(partners, pl.byID[m.RegistrationID].Name)
				}
			}
			scores = append(scores, strconv.FormatInt(pr.Score, 10))
			reasons = append(reasons, strings.Join(pr.Reasons, "; "))
		}
		if o.Kind != pairup.OutcomePaired {
			reasons = []string{o.Reason}
		}
		pos := ""
		if o.Position > 0 {
			pos = strconv.Itoa(o.Position)
		}
		row = append(row, strings.Join(o.PairIDs, " "), strings.Join(partners, " | "), strings.Join(scores, " "), strings.Join(reasons, " | "), pos)
		rows = append(rows, row)
	}
	return sheet.CSV(header, rows)
}
