package pairing

import (
	"fmt"
	"math/bits"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // IANA zones even where the OS has none (Lambda)

	"github.com/pairup/pairup/shared/iso"
	"github.com/pairup/pairup/shared/pairup"
)

// person is a validated participant in canonical (ID) order.
type person struct {
	id        string
	country   string
	countryID int32 // round-local, dense
	langs     langSet
	tzMin     int32 // UTC offset in minutes at RoundStart
	sector    int8  // index into Rules.Sectors, -1 when not given
	stage     int8  // index into Rules.Stages, -1 when not given
	pref      int8  // prefAny..prefSector
	mentor    bool  // mentor mode: a mentor
	capacity  int
	eligible  bool
	priority  int
	signedUp  time.Time
	interests []uint64 // bit set over round.interestNames, round.words words
	nInterest int
	blocked   []int32 // sorted: previous partners and forbids present in the round
}

const (
	prefAny int8 = iota
	prefStage
	prefInterest
	prefSector
)

type langSet [3]uint64

func (a langSet) and(b langSet) langSet { return langSet{a[0] & b[0], a[1] & b[1], a[2] & b[2]} }
func (a langSet) or(b langSet) langSet  { return langSet{a[0] | b[0], a[1] | b[1], a[2] | b[2]} }
func (a langSet) empty() bool           { return a[0]|a[1]|a[2] == 0 }

func (a langSet) names() []string {
	var out []string
	for w := 0; w < 3; w++ {
		for x := a[w]; x != 0; x &= x - 1 {
			i := w*64 + bits.TrailingZeros64(x)
			out = append(out, iso.LanguageName(languageByIndex[i], "en"))
		}
	}
	return out
}

// block kinds, stored per unordered pair.
const (
	blockPrevious uint8 = 1 << iota
	blockForbid
)

// round is the validated input in canonical form.
type round struct {
	// cb caches classBound for every pair of the peer classes (see
	// matchPeers), or is empty.
	cb            classBoundCache
	tune          *tuning
	rules         Rules
	w             Weights
	sectorLabels  []string // sector index → label
	stageLabels   []string // stage index → label
	people        []person // sorted by ID
	index         map[string]int
	countries     []string // countryID → code
	interestNames []string // bit → display name (first spelling seen in ID order)
	words         int      // uint64 words per interest set
	blocks        map[uint64]uint8
	pins          [][2]int // canonical: a < b (mentor mode: mentor, mentee)
}

func pairKey(a, b int) uint64 {
	if a > b {
		a, b = b, a
	}
	return uint64(a)<<32 | uint64(uint32(b))
}

// prepare validates the input and builds the canonical round, which
// carries t. It collects every problem rather than stopping at the first.
func prepare(in Input, t *tuning) (*round, error) {
	var errs InputErrors
	add := func(p, f, format string, a ...any) {
		errs = append(errs, InputError{Person: p, Field: f, Reason: fmt.Sprintf(format, a...)})
	}
	r := in.Rules
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
	sectors := newVocabulary("Rules.Sectors", r.Sectors, add)
	stages := newVocabulary("Rules.Stages", r.Stages, add)
	var interestVocab *vocabulary
	if len(r.Interests) > 0 {
		interestVocab = newVocabulary("Rules.Interests", r.Interests, add)
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
	if in.RoundStart.IsZero() {
		add("", "RoundStart", "missing (needed for time-zone offsets)")
	}

	rd := &round{tune: t, rules: r, w: r.Weights, sectorLabels: sectors.labels, stageLabels: stages.labels,
		index: make(map[string]int, len(in.People)), blocks: map[uint64]uint8{}}

	// Canonical order: by ID. Records without ID are reported and skipped.
	order := make([]int, 0, len(in.People))
	seen := make(map[string]int, len(in.People))
	for i, p := range in.People {
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
	sort.Slice(order, func(a, b int) bool { return in.People[order[a]].ID < in.People[order[b]].ID })

	locs := map[string]*time.Location{}
	countryID := map[string]int32{}
	interestID := map[string]int{}
	type rawInterests struct{ ids []int }
	raw := make([]rawInterests, len(order))
	rd.people = make([]person, len(order))
	for k, i := range order {
		p := in.People[i]
		q := &rd.people[k]
		q.id = p.ID
		rd.index[p.ID] = k
		// Country.
		c := strings.ToUpper(strings.TrimSpace(p.Country))
		if c == "" {
			add(p.ID, "Country", "missing")
		} else if !iso.IsCountry(c) {
			add(p.ID, "Country", "unknown country code %q (want ISO 3166-1 alpha-2, e.g. \"AU\")", p.Country)
		} else {
			q.country = c
			id, ok := countryID[c]
			if !ok {
				id = int32(len(rd.countries))
				countryID[c] = id
				rd.countries = append(rd.countries, c)
			}
			q.countryID = id
		}
		// Languages.
		if len(p.Languages) == 0 {
			add(p.ID, "Languages", "missing (at least one ISO 639-1 code)")
		}
		for _, l := range p.Languages {
			lc := strings.ToLower(strings.TrimSpace(l))
			bit, ok := languageIndex[lc]
			if !ok {
				add(p.ID, "Languages", "unknown language code %q (want ISO 639-1, e.g. \"en\")", l)
				continue
			}
			q.langs[bit/64] |= 1 << (bit % 64)
		}
		// Time zone.
		if p.TimeZone == "" {
			add(p.ID, "TimeZone", "missing (IANA name, e.g. \"Europe/London\")")
		} else {
			loc, ok := locs[p.TimeZone]
			if !ok {
				var err error
				loc, err = time.LoadLocation(p.TimeZone)
				if err != nil || p.TimeZone == "Local" {
					loc = nil
				}
				locs[p.TimeZone] = loc
			}
			if loc == nil {
				add(p.ID, "TimeZone", "unknown time zone %q (want an IANA name, e.g. \"Asia/Hong_Kong\")", p.TimeZone)
			} else if !in.RoundStart.IsZero() {
				_, off := in.RoundStart.In(loc).Zone()
				q.tzMin = int32(off / 60)
			}
		}
		q.sector = sectors.lookup(p.ID, "Sector", "sector", p.Sector, add)
		q.stage = stages.lookup(p.ID, "CareerStage", "career stage", p.CareerStage, add)
		// Interests.
		if len(p.Interests) > MaxInterests {
			add(p.ID, "Interests", "%d interests, at most %d allowed", len(p.Interests), MaxInterests)
		}
		for _, s := range p.Interests {
			name := strings.Join(strings.Fields(s), " ")
			key := strings.ToLower(name)
			if key == "" {
				add(p.ID, "Interests", "empty interest")
				continue
			}
			if interestVocab != nil {
				if interestVocab.lookup(p.ID, "Interests", "interest", s, add) < 0 {
					continue
				}
				key, name = s, interestVocab.label(s)
			}
			id, ok := interestID[key]
			if !ok {
				id = len(rd.interestNames)
				interestID[key] = id
				rd.interestNames = append(rd.interestNames, name)
			}
			raw[k].ids = append(raw[k].ids, id)
		}
		// Preference.
		switch p.Preference {
		case "", pairup.PreferAny:
			q.pref = prefAny
		case pairup.PreferCareerStage:
			q.pref = prefStage
			if p.CareerStage == "" {
				add(p.ID, "Preference", "asks for a partner by career stage but gives no CareerStage")
			}
		case pairup.PreferInterest:
			q.pref = prefInterest
			if len(p.Interests) == 0 {
				add(p.ID, "Preference", "asks for a partner by interest but gives no Interests")
			}
		case pairup.PreferSector:
			q.pref = prefSector
			if p.Sector == "" {
				add(p.ID, "Preference", "asks for a partner by sector but gives no Sector")
			}
		default:
			add(p.ID, "Preference", "unknown preference %q (want %q, %q, %q or %q)", p.Preference,
				pairup.PreferAny, pairup.PreferCareerStage, pairup.PreferInterest, pairup.PreferSector)
		}
		q.priority = p.Priority
		q.signedUp = p.SignedUpAt
		if r.Mode == pairup.ModeMentor {
			switch p.Role {
			case pairup.RoleMentor:
				q.mentor = true
				q.capacity = p.Capacity
				if p.Capacity < 1 || p.Capacity > MaxCapacity {
					add(p.ID, "Capacity", "%d out of range 1..%d for a mentor", p.Capacity, MaxCapacity)
				}
			case pairup.RoleMentee:
				q.eligible = p.Eligible
			case "":
				add(p.ID, "Role", "missing (want %q or %q in mentor mode)", pairup.RoleMentor, pairup.RoleMentee)
			default:
				add(p.ID, "Role", "unknown role %q (want %q or %q in mentor mode)", p.Role, pairup.RoleMentor, pairup.RoleMentee)
			}
		}
	}
	// Interest bit sets.
	rd.words = (len(rd.interestNames) + 63) / 64
	if rd.words == 0 {
		rd.words = 1
	}
	pool := make([]uint64, len(rd.people)*rd.words)
	for k := range rd.people {
		set := pool[k*rd.words : (k+1)*rd.words : (k+1)*rd.words]
		for _, id := range raw[k].ids {
			set[id/64] |= 1 << (id % 64)
		}
		rd.people[k].interests = set
		rd.people[k].nInterest = popcount(set)
	}
	// Previous partners (symmetric).
	for k, i := range order {
		for _, pid := range in.People[i].PreviousPartners {
			if j, ok := rd.index[pid]; ok && j != k {
				rd.blocks[pairKey(k, j)] |= blockPrevious
			}
		}
	}
	// Forbids.
	for fi, f := range in.Forbids {
		field := fmt.Sprintf("Forbids[%d]", fi)
		a, okA := rd.index[f.A]
		b, okB := rd.index[f.B]
		if !okA {
			add(f.A, field, "forbid names an unknown participant %q", f.A)
		}
		if !okB {
			add(f.B, field, "forbid names an unknown participant %q", f.B)
		}
		if okA && okB {
			if a == b {
				add(f.A, field, "forbids a participant from being paired with themselves")
				continue
			}
			rd.blocks[pairKey(a, b)] |= blockForbid
		}
	}
	// Pins.
	pinned := map[int]int{} // person → number of pins
	pinSeen := map[uint64]bool{}
	for pi, p := range in.Pins {
		field := fmt.Sprintf("Pins[%d]", pi)
		a, okA := rd.index[p.A]
		b, okB := rd.index[p.B]
		if !okA {
			add(p.A, field, "pin names an unknown participant %q", p.A)
		}
		if !okB {
			add(p.B, field, "pin names an unknown participant %q", p.B)
		}
		if !okA || !okB {
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
		if r.Mode == pairup.ModeMentor {
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
		if r.Mode == pairup.ModeMentor && q.mentor {
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
	// Blocked lists per person (sorted) for fast feasibility checks.
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
	if len(errs) > 0 {
		return nil, errs
	}
	return rd, nil
}

// vocabulary is a validated option list (Rules.Sectors, Rules.Stages,
// Rules.Interests): value → index, index → label.
type vocabulary struct {
	index  map[string]int8
	values []string
	labels []string // the option's label, or its value when it has none
}

// newVocabulary validates opts (field names the list in errors): at most
// MaxOptions, each with a value, none twice.
func newVocabulary(field string, opts []pairup.Option, add func(p, f, format string, a ...any)) *vocabulary {
	v := &vocabulary{index: make(map[string]int8, len(opts))}
	if len(opts) > MaxOptions {
		add("", field, "%d options, at most %d allowed", len(opts), MaxOptions)
		return v
	}
	for i, o := range opts {
		if o.Value == "" {
			add("", field, "option %d has no value", i)
			continue
		}
		if _, dup := v.index[o.Value]; dup {
			add("", field, "option %q appears twice", o.Value)
			continue
		}
		v.index[o.Value] = int8(len(v.values))
		v.values = append(v.values, o.Value)
		label := o.Label
		if label == "" {
			label = o.Value
		}
		v.labels = append(v.labels, label)
	}
	return v
}

// lookup returns the index of value (-1 when empty, meaning not given); an
// unknown value is reported against person and field.
func (v *vocabulary) lookup(person, field, what, value string, add func(p, f, format string, a ...any)) int8 {
	if value == "" {
		return -1
	}
	i, ok := v.index[value]
	if !ok {
		if len(v.values) == 0 {
			add(person, field, "unknown %s %q (the programme offers none)", what, value)
		} else {
			add(person, field, "unknown %s %q (want one of %s)", what, value, strings.Join(v.values, ", "))
		}
		return -1
	}
	return i
}

// label returns the label of a known value.
func (v *vocabulary) label(value string) string { return v.labels[v.index[value]] }

func sortedKeys(m map[int]int) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

func popcount(s []uint64) int {
	n := 0
	for _, x := range s {
		n += bits.OnesCount64(x)
	}
	return n
}

func sharedCount(a, b []uint64) int {
	n := 0
	for i := range a {
		n += bits.OnesCount64(a[i] & b[i])
	}
	return n
}

// isBlocked reports whether u and v are previous partners or forbidden.
func (rd *round) isBlocked(u, v int) bool {
	bl := rd.people[u].blocked
	if len(bl) == 0 {
		return false
	}
	if len(bl) < 16 {
		for _, x := range bl {
			if int(x) == v {
				return true
			}
		}
		return false
	}
	i := sort.Search(len(bl), func(i int) bool { return int(bl[i]) >= v })
	return i < len(bl) && int(bl[i]) == v
}

// feasible reports whether u and v may be paired under the hard
// constraints (mentor mode: u is the mentor, v the mentee).
func (rd *round) feasible(u, v int) bool {
	a, b := &rd.people[u], &rd.people[v]
	if !rd.rules.Programme.SameCountryAllowed && a.countryID == b.countryID {
		return false
	}
	if rd.rules.Programme.RequireSharedLanguage && a.langs.and(b.langs).empty() {
		return false
	}
	if rd.rules.Mode == pairup.ModeMentor && (!a.mentor || b.mentor || !b.eligible) {
		return false
	}
	return !rd.isBlocked(u, v)
}

// infeasible returns why u and v may not be paired, or "".
func (rd *round) infeasible(u, v int) string {
	a, b := &rd.people[u], &rd.people[v]
	var why []string
	if !rd.rules.Programme.SameCountryAllowed && a.country == b.country {
		why = append(why, "both from "+a.country+" and the rules never pair two people from the same country")
	}
	if rd.rules.Programme.RequireSharedLanguage && a.langs.and(b.langs).empty() {
		why = append(why, "no shared language")
	}
	if rd.rules.Mode == pairup.ModeMentor && a.mentor && !b.mentor && !b.eligible {
		why = append(why, b.id+" is not an eligible mentee")
	}
	k := rd.blocks[pairKey(u, v)]
	if k&blockPrevious != 0 {
		why = append(why, "previous partners")
	}
	if k&blockForbid != 0 {
		why = append(why, "forbidden by the coordinator")
	}
	return strings.Join(why, "; ")
}
