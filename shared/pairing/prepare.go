package pairing

import (
	"fmt"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // IANA zones even where the OS has none (Lambda)

	"github.com/pairup/pairup/shared/iso"
	"github.com/pairup/pairup/shared/pairup"
)

// problemFunc records one input problem: the participant (or "" for the
// rules), the field and the reason.
type problemFunc func(person, field, format string, a ...any)

// prepare validates the input and builds the canonical round, which
// carries t. It collects every problem rather than stopping at the first,
// in input order: rules, IDs, each person's fields (by ID), forbids, pins.
func prepare(in Input, t *tuning) (*round, error) {
	var errs InputErrors
	add := func(p, f, format string, a ...any) {
		errs = append(errs, InputError{Person: p, Field: f, Reason: fmt.Sprintf(format, a...)})
	}
	r := in.Rules
	voc := checkRules(&r, in.RoundStart, add)
	rd := &round{tune: t, rules: r, w: r.Weights, sectorLabels: voc.sectors.labels, stageLabels: voc.stages.labels,
		index: make(map[string]int, len(in.People)), blocks: map[uint64]uint8{}}
	order := canonicalOrder(in.People, add)
	rd.readPeople(in, order, voc, add)
	rd.addPreviousPartners(in.People, order)
	rd.addForbids(in.Forbids, add)
	rd.addPins(in.Pins, add)
	rd.indexBlocks()
	if len(errs) > 0 {
		return nil, errs
	}
	return rd, nil
}

// roundVocabularies are the programme's validated option lists;
// interests is nil when interests are free text.
type roundVocabularies struct {
	sectors, stages, interests *vocabulary
}

// checkRules validates the rules and fills in the defaults of OddPolicy,
// CandidateK and MaxPricingRounds.
func checkRules(r *Rules, roundStart time.Time, add problemFunc) roundVocabularies {
	switch r.Mode {
	case pairup.ModePeer, pairup.ModeMentor:
	case "":
		add("", "Rules.Mode", "missing (want %q or %q)", pairup.ModePeer, pairup.ModeMentor)
	default:
		add("", "Rules.Mode", "unknown mode %q (want %q or %q)", r.Mode, pairup.ModePeer, pairup.ModeMentor)
	}
	for _, wf := range []struct {
		name string
		v    int
	}{{"CareerStage", r.Weights.CareerStage}, {"Sector", r.Weights.Sector}, {"Interest", r.Weights.Interest},
		{"TimeZone", r.Weights.TimeZone}, {"Preference", r.Weights.Preference}} {
		if wf.v < 0 || wf.v > MaxWeight {
			add("", "Rules.Weights."+wf.name, "%d out of range 0..%d", wf.v, MaxWeight)
		}
	}
	if cp := r.Programme.CountryCapPercent; cp < 0 || cp > 100 {
		add("", "Rules.Programme.CountryCapPercent", "%d out of range 0..100", cp)
	} else if cp != 0 && r.Mode == pairup.ModeMentor {
		add("", "Rules.Programme.CountryCapPercent", "the country cap applies in peer mode only (got %d%% in mentor mode)", cp)
	}
	voc := roundVocabularies{
		sectors: newVocabulary("Rules.Sectors", r.Sectors, add),
		stages:  newVocabulary("Rules.Stages", r.Stages, add),
	}
	if len(r.Interests) > 0 {
		voc.interests = newVocabulary("Rules.Interests", r.Interests, add)
	}
	switch r.OddPolicy {
	case "":
		r.OddPolicy = OddTrio
	case OddTrio, OddLeave:
	default:
		add("", "Rules.OddPolicy", "unknown policy %q (want %q or %q)", r.OddPolicy, OddTrio, OddLeave)
	}
	if r.CandidateK == 0 {
		r.CandidateK = DefaultK
	} else if r.CandidateK < 1 || r.CandidateK > MaxCandidateK {
		add("", "Rules.CandidateK", "%d out of range 1..%d", r.CandidateK, MaxCandidateK)
	}
	if r.MaxPricingRounds == 0 {
		r.MaxPricingRounds = 100
	} else if r.MaxPricingRounds < 1 {
		add("", "Rules.MaxPricingRounds", "%d must be positive", r.MaxPricingRounds)
	}
	if roundStart.IsZero() {
		add("", "RoundStart", "missing (needed for time-zone offsets)")
	}
	return voc
}

// canonicalOrder returns the positions in people of the records to match,
// sorted by ID. Records without ID, or repeating an earlier ID, are
// reported and skipped.
func canonicalOrder(people []Person, add problemFunc) []int {
	order := make([]int, 0, len(people))
	seen := make(map[string]int, len(people))
	for i, p := range people {
		if strings.TrimSpace(p.ID) == "" {
			add(fmt.Sprintf("#%d", i), "ID", "missing")
			continue
		}
		if p.ID != strings.TrimSpace(p.ID) {
			add(p.ID, "ID", "leading or trailing spaces")
		}
		if j, dup := seen[p.ID]; dup {
			add(p.ID, "ID", "duplicate (records #%d and #%d)", j, i)
			continue
		}
		seen[p.ID] = i
		order = append(order, i)
	}
	sort.Slice(order, func(a, b int) bool { return people[order[a]].ID < people[order[b]].ID })
	return order
}

// personReader validates Input.People into round.people, numbering
// countries and interests in order of first appearance (by ID).
type personReader struct {
	rd         *round
	voc        roundVocabularies
	roundStart time.Time
	add        problemFunc
	locs       map[string]*time.Location
	countryID  map[string]int32
	interestID map[string]int
}

// readPeople fills rd.people, rd.index, rd.countries, rd.interestNames and
// the interest bit sets from the records at order.
func (rd *round) readPeople(in Input, order []int, voc roundVocabularies, add problemFunc) {
	pr := &personReader{rd: rd, voc: voc, roundStart: in.RoundStart, add: add,
		locs: map[string]*time.Location{}, countryID: map[string]int32{}, interestID: map[string]int{}}
	interests := make([][]int, len(order))
	rd.people = make([]person, len(order))
	for k, i := range order {
		p := &in.People[i]
		rd.index[p.ID] = k
		interests[k] = pr.read(&rd.people[k], p)
	}
	rd.setInterests(interests)
}

// read validates p into q and returns p's interest numbers.
func (pr *personReader) read(q *person, p *Person) []int {
	q.id = p.ID
	pr.country(q, p)
	pr.languages(q, p)
	pr.timeZone(q, p)
	q.sector = pr.voc.sectors.lookup(p.ID, "Sector", "sector", p.Sector, pr.add)
	q.stage = pr.voc.stages.lookup(p.ID, "CareerStage", "career stage", p.CareerStage, pr.add)
	ids := pr.interests(p)
	pr.preference(q, p)
	q.priority = p.Priority
	q.signedUp = p.SignedUpAt
	if pr.rd.rules.Mode == pairup.ModeMentor {
		pr.role(q, p)
	}
	return ids
}

func (pr *personReader) country(q *person, p *Person) {
	c := strings.ToUpper(strings.TrimSpace(p.Country))
	switch {
	case c == "":
		pr.add(p.ID, "Country", "missing")
	case !iso.IsCountry(c):
		pr.add(p.ID, "Country", "unknown country code %q (want ISO 3166-1 alpha-2, e.g. \"AU\")", p.Country)
	default:
		q.country = c
		id, ok := pr.countryID[c]
		if !ok {
			id = int32(len(pr.rd.countries))
			pr.countryID[c] = id
			pr.rd.countries = append(pr.rd.countries, c)
		}
		q.countryID = id
	}
}

func (pr *personReader) languages(q *person, p *Person) {
	if len(p.Languages) == 0 {
		pr.add(p.ID, "Languages", "missing (at least one ISO 639-1 code)")
	}
	for _, l := range p.Languages {
		lc := strings.ToLower(strings.TrimSpace(l))
		bit, ok := languageIndex[lc]
		if !ok {
			pr.add(p.ID, "Languages", "unknown language code %q (want ISO 639-1, e.g. \"en\")", l)
			continue
		}
		q.langs[bit/64] |= 1 << (bit % 64)
	}
}

// timeZone sets q's UTC offset at the round start.
func (pr *personReader) timeZone(q *person, p *Person) {
	if p.TimeZone == "" {
		pr.add(p.ID, "TimeZone", "missing (IANA name, e.g. \"Europe/London\")")
		return
	}
	loc, ok := pr.locs[p.TimeZone]
	if !ok {
		var err error
		loc, err = time.LoadLocation(p.TimeZone)
		if err != nil || p.TimeZone == "Local" {
			loc = nil
		}
		pr.locs[p.TimeZone] = loc
	}
	if loc == nil {
		pr.add(p.ID, "TimeZone", "unknown time zone %q (want an IANA name, e.g. \"Asia/Hong_Kong\")", p.TimeZone)
	} else if !pr.roundStart.IsZero() {
		_, off := pr.roundStart.In(loc).Zone()
		q.tzMin = int32(off / 60)
	}
}

// interests returns the numbers of p's interests: options of
// Rules.Interests, or free text compared case-insensitively with spaces
// collapsed (shown as first spelled).
func (pr *personReader) interests(p *Person) []int {
	if len(p.Interests) > MaxInterests {
		pr.add(p.ID, "Interests", "%d interests, at most %d allowed", len(p.Interests), MaxInterests)
	}
	var ids []int
	for _, s := range p.Interests {
		name := strings.Join(strings.Fields(s), " ")
		key := strings.ToLower(name)
		if key == "" {
			pr.add(p.ID, "Interests", "empty interest")
			continue
		}
		if pr.voc.interests != nil {
			if pr.voc.interests.lookup(p.ID, "Interests", "interest", s, pr.add) < 0 {
				continue
			}
			key, name = s, pr.voc.interests.label(s)
		}
		id, ok := pr.interestID[key]
		if !ok {
			id = len(pr.rd.interestNames)
			pr.interestID[key] = id
			pr.rd.interestNames = append(pr.rd.interestNames, name)
		}
		ids = append(ids, id)
	}
	return ids
}

func (pr *personReader) preference(q *person, p *Person) {
	switch p.Preference {
	case "", pairup.PreferAny:
		q.pref = prefAny
	case pairup.PreferCareerStage:
		q.pref = prefStage
		if p.CareerStage == "" {
			pr.add(p.ID, "Preference", "asks for a partner by career stage but gives no CareerStage")
		}
	case pairup.PreferInterest:
		q.pref = prefInterest
		if len(p.Interests) == 0 {
			pr.add(p.ID, "Preference", "asks for a partner by interest but gives no Interests")
		}
	case pairup.PreferSector:
		q.pref = prefSector
		if p.Sector == "" {
			pr.add(p.ID, "Preference", "asks for a partner by sector but gives no Sector")
		}
	default:
		pr.add(p.ID, "Preference", "unknown preference %q (want %q, %q, %q or %q)", p.Preference,
			pairup.PreferAny, pairup.PreferCareerStage, pairup.PreferInterest, pairup.PreferSector)
	}
}

// role reads the mentor-mode fields.
func (pr *personReader) role(q *person, p *Person) {
	switch p.Role {
	case pairup.RoleMentor:
		q.mentor = true
		q.capacity = p.Capacity
		if p.Capacity < 1 || p.Capacity > MaxCapacity {
			pr.add(p.ID, "Capacity", "%d out of range 1..%d for a mentor", p.Capacity, MaxCapacity)
		}
	case pairup.RoleMentee:
		q.eligible = p.Eligible
	case "":
		pr.add(p.ID, "Role", "missing (want %q or %q in mentor mode)", pairup.RoleMentor, pairup.RoleMentee)
	default:
		pr.add(p.ID, "Role", "unknown role %q (want %q or %q in mentor mode)", p.Role, pairup.RoleMentor, pairup.RoleMentee)
	}
}

// setInterests gives every person their interest bit set over
// rd.interestNames (rd.words words each, from one shared array).
func (rd *round) setInterests(ids [][]int) {
	rd.words = (len(rd.interestNames) + 63) / 64
	if rd.words == 0 {
		rd.words = 1
	}
	pool := make([]uint64, len(rd.people)*rd.words)
	for k := range rd.people {
		set := pool[k*rd.words : (k+1)*rd.words : (k+1)*rd.words]
		for _, id := range ids[k] {
			set[id/64] |= 1 << (id % 64)
		}
		rd.people[k].interests = set
		rd.people[k].nInterest = popcount(set)
	}
}

// addPreviousPartners blocks every pair one side lists as previous
// partners (symmetric; IDs not in the round are ignored).
func (rd *round) addPreviousPartners(people []Person, order []int) {
	for k, i := range order {
		for _, pid := range people[i].PreviousPartners {
			if j, ok := rd.index[pid]; ok && j != k {
				rd.blocks[pairKey(k, j)] |= blockPrevious
			}
		}
	}
}

// resolvePair returns the people a pin or forbid (what) names, reporting
// unknown ones against field; ok is false unless both are known.
func (rd *round) resolvePair(what, field string, ref pairup.PairRef, add problemFunc) (a, b int, ok bool) {
	a, okA := rd.index[ref.A]
	b, okB := rd.index[ref.B]
	if !okA {
		add(ref.A, field, "%s names an unknown participant %q", what, ref.A)
	}
	if !okB {
		add(ref.B, field, "%s names an unknown participant %q", what, ref.B)
	}
	return a, b, okA && okB
}

func (rd *round) addForbids(forbids []pairup.PairRef, add problemFunc) {
	for fi, f := range forbids {
		field := fmt.Sprintf("Forbids[%d]", fi)
		a, b, ok := rd.resolvePair("forbid", field, f, add)
		if !ok {
			continue
		}
		if a == b {
			add(f.A, field, "forbids a participant from being paired with themselves")
			continue
		}
		rd.blocks[pairKey(a, b)] |= blockForbid
	}
}

// addPins validates the pins into rd.pins (canonical: a < b, or mentor
// first): two different people, not pinned twice, not forbidden, feasible,
// and nobody pinned more often than once (a mentor: than their capacity).
func (rd *round) addPins(pins []pairup.PairRef, add problemFunc) {
	pinned := map[int]int{} // person → number of pins
	pinSeen := map[uint64]bool{}
	mentorMode := rd.rules.Mode == pairup.ModeMentor
	for pi, p := range pins {
		field := fmt.Sprintf("Pins[%d]", pi)
		a, b, ok := rd.resolvePair("pin", field, p, add)
		if !ok {
			continue
		}
		if a == b {
			add(p.A, field, "pins a participant to themselves")
			continue
		}
		if pinSeen[pairKey(a, b)] {
			add(p.A, field, "pair %s–%s is pinned twice", p.A, p.B)
			continue
		}
		pinSeen[pairKey(a, b)] = true
		if rd.blocks[pairKey(a, b)]&blockForbid != 0 {
			add(p.A, field, "pair %s–%s is both pinned and forbidden", p.A, p.B)
			continue
		}
		if mentorMode {
			pa, pb := &rd.people[a], &rd.people[b]
			if pa.mentor == pb.mentor {
				add(p.A, field, "pin %s–%s must join one mentor and one mentee", p.A, p.B)
				continue
			}
			if !pa.mentor {
				a, b = b, a
			}
		} else if a > b {
			a, b = b, a
		}
		if why := rd.infeasible(a, b); why != "" {
			add(rd.people[a].id, field, "pin %s–%s breaks a hard constraint: %s", rd.people[a].id, rd.people[b].id, why)
			continue
		}
		rd.pins = append(rd.pins, [2]int{a, b})
		pinned[a]++
		pinned[b]++
	}
	for _, k := range sortedKeys(pinned) {
		q := &rd.people[k]
		limit := 1
		if mentorMode && q.mentor {
			limit = q.capacity
		}
		if pinned[k] > limit {
			if limit == 1 {
				add(q.id, "Pins", "pinned %d times (a participant can be pinned once)", pinned[k])
			} else {
				add(q.id, "Pins", "pinned to %d mentees but capacity is %d", pinned[k], limit)
			}
		}
	}
}

// indexBlocks builds each person's sorted blocked list, for fast
// feasibility checks, and sorts the pins.
func (rd *round) indexBlocks() {
	for key := range rd.blocks {
		a, b := int(key>>32), int(uint32(key))
		rd.people[a].blocked = append(rd.people[a].blocked, int32(b))
		rd.people[b].blocked = append(rd.people[b].blocked, int32(a))
	}
	for k := range rd.people {
		bl := rd.people[k].blocked
		sort.Slice(bl, func(i, j int) bool { return bl[i] < bl[j] })
	}
	sort.Slice(rd.pins, func(i, j int) bool {
		if rd.pins[i][0] != rd.pins[j][0] {
			return rd.pins[i][0] < rd.pins[j][0]
		}
		return rd.pins[i][1] < rd.pins[j][1]
	})
}
