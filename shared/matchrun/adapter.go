package matchrun

import (
	"github.com/pairup/pairup/shared/pairing"
	"github.com/pairup/pairup/shared/pairup"
)

// matcherInput maps a round's confirmed registrations onto the matcher's input: the one adapter
// between the programme's vocabulary (signup) and the matcher. Each person is their registration
// id; previous partners (participant ids from earlier rounds) become the registration ids those
// participants have in this round; the round's pins and forbids pass through.
func matcherInput(p *pairup.Programme, r *pairup.Round, regs []pairup.Registration, previous map[string][]string) pairing.Input {
	regOf := make(map[string]string, len(regs)) // participant id → registration id in this round
	for _, reg := range regs {
		if reg.ParticipantID != "" {
			regOf[reg.ParticipantID] = reg.ID
		}
	}
	in := pairing.Input{Rules: pairing.RulesFor(p), RoundStart: r.Starts, People: make([]pairing.Person, 0, len(regs))}
	for _, reg := range regs {
		in.People = append(in.People, person(p, reg, previous[reg.ParticipantID], regOf))
	}
	// A pin or forbid naming someone no longer in the matching (they withdrew) is dropped.
	in.Pins, in.Forbids = knownRefs(r.Pins, regs), knownRefs(r.Forbids, regs)
	return in
}

// knownRefs keeps the refs whose two registrations are both among regs.
func knownRefs(refs []pairup.PairRef, regs []pairup.Registration) []pairup.PairRef {
	in := make(map[string]bool, len(regs))
	for _, reg := range regs {
		in[reg.ID] = true
	}
	var out []pairup.PairRef
	for _, x := range refs {
		if in[x.A] && in[x.B] {
			out = append(out, x)
		}
	}
	return out
}

func person(p *pairup.Programme, reg pairup.Registration, previous []string, regOf map[string]string) pairing.Person {
	country := reg.Country
	if country == "" {
		country = p.Country // a single-country programme does not ask
	}
	x := pairing.Person{
		ID: reg.ID, Country: country, Languages: reg.Languages, TimeZone: reg.TimeZone,
		Sector: reg.Sector, CareerStage: reg.CareerStage, Interests: reg.Interests,
		Preference: reg.Preference, SignedUpAt: reg.CreatedAt,
	}
	for _, pid := range previous {
		if id, ok := regOf[pid]; ok {
			x.PreviousPartners = append(x.PreviousPartners, id)
		}
	}
	if p.Mode == pairup.ModeMentor {
		x.Role = reg.Role
		x.Capacity = reg.Capacity
		if reg.Role == pairup.RoleMentee {
			x.Eligible = true
			for _, q := range p.Eligibility {
				x.Eligible = x.Eligible && reg.Eligibility[q.ID]
			}
			if reg.Priority {
				x.Priority = 1
			}
		}
	}
	return x
}
