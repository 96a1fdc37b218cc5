package roundgen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/pairup/pairup/shared/pairing"
	"github.com/pairup/pairup/shared/pairup"
)

type country struct {
	code  string
	zones []string
	langs []string // local languages; "en" is added for most others
}

// countries in descending expected size (Zipf rank order).
var countries = []country{
	{"AU", []string{"Australia/Sydney", "Australia/Melbourne", "Australia/Brisbane", "Australia/Perth", "Australia/Adelaide"}, []string{"en"}},
	{"US", []string{"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"}, []string{"en", "es"}},
	{"GB", []string{"Europe/London"}, []string{"en"}},
	{"CA", []string{"America/Toronto", "America/Vancouver", "America/Halifax"}, []string{"en", "fr"}},
	{"NZ", []string{"Pacific/Auckland"}, []string{"en", "mi"}},
	{"IN", []string{"Asia/Kolkata"}, []string{"en", "hi"}},
	{"ZA", []string{"Africa/Johannesburg"}, []string{"en", "af", "zu"}},
	{"NG", []string{"Africa/Lagos"}, []string{"en", "yo", "ha"}},
	{"PH", []string{"Asia/Manila"}, []string{"en", "tl"}},
	{"KE", []string{"Africa/Nairobi"}, []string{"en", "sw"}},
	{"SG", []string{"Asia/Singapore"}, []string{"en", "zh", "ms"}},
	{"MY", []string{"Asia/Kuala_Lumpur"}, []string{"ms", "en"}},
	{"HK", []string{"Asia/Hong_Kong"}, []string{"zh", "en"}},
	{"IE", []string{"Europe/Dublin"}, []string{"en", "ga"}},
	{"DE", []string{"Europe/Berlin"}, []string{"de"}},
	{"FR", []string{"Europe/Paris"}, []string{"fr"}},
	{"ES", []string{"Europe/Madrid"}, []string{"es", "ca"}},
	{"IT", []string{"Europe/Rome"}, []string{"it"}},
	{"NL", []string{"Europe/Amsterdam"}, []string{"nl"}},
	{"BR", []string{"America/Sao_Paulo", "America/Manaus"}, []string{"pt"}},
	{"MX", []string{"America/Mexico_City"}, []string{"es"}},
	{"GH", []string{"Africa/Accra"}, []string{"en"}},
	{"UG", []string{"Africa/Kampala"}, []string{"en", "sw"}},
	{"PK", []string{"Asia/Karachi"}, []string{"ur", "en"}},
	{"BD", []string{"Asia/Dhaka"}, []string{"bn"}},
	{"LK", []string{"Asia/Colombo"}, []string{"si", "ta"}},
	{"NP", []string{"Asia/Kathmandu"}, []string{"ne"}},
	{"JP", []string{"Asia/Tokyo"}, []string{"ja"}},
	{"KR", []string{"Asia/Seoul"}, []string{"ko"}},
	{"CN", []string{"Asia/Shanghai"}, []string{"zh"}},
	{"TW", []string{"Asia/Taipei"}, []string{"zh"}},
	{"TH", []string{"Asia/Bangkok"}, []string{"th"}},
	{"VN", []string{"Asia/Ho_Chi_Minh"}, []string{"vi"}},
	{"ID", []string{"Asia/Jakarta", "Asia/Makassar"}, []string{"id"}},
	{"SE", []string{"Europe/Stockholm"}, []string{"sv"}},
	{"NO", []string{"Europe/Oslo"}, []string{"no"}},
	{"DK", []string{"Europe/Copenhagen"}, []string{"da"}},
	{"FI", []string{"Europe/Helsinki"}, []string{"fi", "sv"}},
	{"BE", []string{"Europe/Brussels"}, []string{"nl", "fr"}},
	{"PL", []string{"Europe/Warsaw"}, []string{"pl"}},
	{"CZ", []string{"Europe/Prague"}, []string{"cs"}},
	{"HU", []string{"Europe/Budapest"}, []string{"hu"}},
	{"RO", []string{"Europe/Bucharest"}, []string{"ro"}},
	{"GR", []string{"Europe/Athens"}, []string{"el"}},
	{"PT", []string{"Europe/Lisbon"}, []string{"pt"}},
	{"AR", []string{"America/Argentina/Buenos_Aires"}, []string{"es"}},
	{"CL", []string{"America/Santiago"}, []string{"es"}},
	{"CO", []string{"America/Bogota"}, []string{"es"}},
	{"PE", []string{"America/Lima"}, []string{"es", "qu"}},
	{"AE", []string{"Asia/Dubai"}, []string{"ar"}},
	{"SA", []string{"Asia/Riyadh"}, []string{"ar"}},
	{"EG", []string{"Africa/Cairo"}, []string{"ar"}},
	{"MA", []string{"Africa/Casablanca"}, []string{"ar", "fr"}},
	{"TN", []string{"Africa/Tunis"}, []string{"ar", "fr"}},
	{"TZ", []string{"Africa/Dar_es_Salaam"}, []string{"sw"}},
	{"ZW", []string{"Africa/Harare"}, []string{"en", "sn"}},
	{"ZM", []string{"Africa/Lusaka"}, []string{"en"}},
	{"BW", []string{"Africa/Gaborone"}, []string{"en", "tn"}},
	{"ET", []string{"Africa/Addis_Ababa"}, []string{"am"}},
	{"CM", []string{"Africa/Douala"}, []string{"fr", "en"}},
	{"SN", []string{"Africa/Dakar"}, []string{"fr", "wo"}},
	{"IL", []string{"Asia/Jerusalem"}, []string{"he"}},
	{"TR", []string{"Europe/Istanbul"}, []string{"tr"}},
	{"RU", []string{"Europe/Moscow", "Asia/Yekaterinburg", "Asia/Vladivostok"}, []string{"ru"}},
	{"UA", []string{"Europe/Kyiv"}, []string{"uk", "ru"}},
	{"EE", []string{"Europe/Tallinn"}, []string{"et"}},
	{"LV", []string{"Europe/Riga"}, []string{"lv"}},
	{"LT", []string{"Europe/Vilnius"}, []string{"lt"}},
	{"HR", []string{"Europe/Zagreb"}, []string{"hr"}},
	{"RS", []string{"Europe/Belgrade"}, []string{"sr"}},
	{"SI", []string{"Europe/Ljubljana"}, []string{"sl"}},
	{"SK", []string{"Europe/Bratislava"}, []string{"sk"}},
	{"BG", []string{"Europe/Sofia"}, []string{"bg"}},
	{"AT", []string{"Europe/Vienna"}, []string{"de"}},
	{"CH", []string{"Europe/Zurich"}, []string{"de", "fr", "it"}},
	{"IS", []string{"Atlantic/Reykjavik"}, []string{"is"}},
	{"JM", []string{"America/Jamaica"}, []string{"en"}},
	{"TT", []string{"America/Port_of_Spain"}, []string{"en"}},
	{"FJ", []string{"Pacific/Fiji"}, []string{"en", "fj"}},
	{"PG", []string{"Pacific/Port_Moresby"}, []string{"en"}},
	{"IR", []string{"Asia/Tehran"}, []string{"fa"}},
	{"JO", []string{"Asia/Amman"}, []string{"ar"}},
	{"LB", []string{"Asia/Beirut"}, []string{"ar", "fr"}},
	{"QA", []string{"Asia/Qatar"}, []string{"ar"}},
	{"KZ", []string{"Asia/Almaty"}, []string{"kk", "ru"}},
	{"UY", []string{"America/Montevideo"}, []string{"es"}},
	{"EC", []string{"America/Guayaquil"}, []string{"es"}},
	{"CR", []string{"America/Costa_Rica"}, []string{"es"}},
}

// Countries returns the number of countries the generator draws from.
func Countries() int { return len(countries) }

// Topics are the LIS interests participants choose from, most popular first.
var Topics = []string{
	"digital scholarship", "information literacy", "open access", "research data management",
	"reference services", "cataloguing and metadata", "library leadership", "community outreach",
	"children's services", "collection development", "digital preservation", "user experience",
	"copyright", "archives and special collections", "instruction design", "library technology systems",
	"scholarly communication", "advocacy", "diversity and inclusion", "marketing libraries",
	"makerspaces", "health librarianship", "law librarianship", "indigenous knowledge",
	"school libraries", "reading promotion", "data visualisation", "artificial intelligence",
	"professional development", "library buildings",
}

// Sectors are the sector options of the generated programmes, as the demo
// programmes (shared/demo) offer them, in form order.
func Sectors() []pairup.Option {
	return []pairup.Option{
		{Value: "academic", Label: "Academic library"}, {Value: "public", Label: "Public library"},
		{Value: "school", Label: "School library"}, {Value: "special", Label: "Special library (law, health, corporate…)"},
		{Value: "government", Label: "Government library"}, {Value: "national", Label: "National library"},
		{Value: "student", Label: "LIS student"}, {Value: "other", Label: "Other"},
	}
}

// Stages are the career-stage options of the generated programmes, as the
// demo programmes offer them, from least to most experienced.
func Stages() []pairup.Option {
	return []pairup.Option{
		{Value: "student", Label: "Student"}, {Value: "new-professional", Label: "New professional (under 5 years)"},
		{Value: "mid-career", Label: "Mid-career (5–15 years)"}, {Value: "senior", Label: "Senior (over 15 years)"},
	}
}

// ILNProgramme is the ILN-like peer programme the ILN rounds belong to:
// never two people from the same country, a shared language, a 20% country
// cap. Its interests are free text (no interest options).
func ILNProgramme() *pairup.Programme {
	return &pairup.Programme{ID: "iln", Name: "ILN-like", Mode: pairup.ModePeer, Sectors: Sectors(), Stages: Stages(),
		Locale: "en", Rules: pairup.Rules{RequireSharedLanguage: true, CountryCapPercent: 20}}
}

// HKLAProgramme is the HKLA-like mentor programme the HKLA rounds belong
// to: everyone in Hong Kong, a shared language, up to 3 mentees a mentor.
func HKLAProgramme() *pairup.Programme {
	return &pairup.Programme{ID: "hkla", Name: "HKLA-like", Mode: pairup.ModeMentor, Country: "HK",
		Sectors: Sectors(), Stages: Stages(), Locale: "en",
		Rules: pairup.Rules{SameCountryAllowed: true, RequireSharedLanguage: true, MaxMentees: 3}}
}

// ILNRules are the matching rules of ILNProgramme (trios for the odd one
// out, default weights).
func ILNRules() pairing.Rules { return pairing.RulesFor(ILNProgramme()) }

// HKLARules are the matching rules of HKLAProgramme.
func HKLARules() pairing.Rules { return pairing.RulesFor(HKLAProgramme()) }

// Sector and stage values the generator treats specially.
const (
	sectorStudent = "student"
	stageStudent  = "student"
	stageMid      = "mid-career"
	stageSenior   = "senior"
)

var sectorW = []weighted[string]{
	{"academic", 40}, {"public", 22}, {"school", 10},
	{"special", 10}, {"government", 5}, {"national", 3},
	{sectorStudent, 8}, {"other", 2},
}
var stageW = []weighted[string]{
	{stageStudent, 12}, {"new-professional", 30},
	{stageMid, 38}, {stageSenior, 20},
}
var prefW = []weighted[pairup.Preference]{
	{pairup.PreferAny, 45}, {pairup.PreferCareerStage, 20},
	{pairup.PreferInterest, 25}, {pairup.PreferSector, 10},
}

type weighted[T any] struct {
	v T
	w int
}

func pick[T any](r *rand.Rand, list []weighted[T]) T {
	total := 0
	for _, x := range list {
		total += x.w
	}
	k := r.IntN(total)
	for _, x := range list {
		if k < x.w {
			return x.v
		}
		k -= x.w
	}
	return list[len(list)-1].v
}

// DefaultRoundStart is the reference round start used when a config leaves
// it zero (a March round, like the ILN's "A" rounds).
var DefaultRoundStart = time.Date(2026, time.March, 2, 0, 0, 0, 0, time.UTC)

// ILNConfig configures an ILN-like peer round.
type ILNConfig struct {
	Seed   uint64
	People int
	// Countries limits the draw to the first (largest) countries; 0 means all.
	Countries int
	// ZipfS is the country-size exponent (0 means 1.1).
	ZipfS float64
	// Returning is the share of returning participants (0 means 0.2;
	// negative means none).
	Returning  float64
	RoundStart time.Time
	Rules      *pairing.Rules // nil means ILNRules()
}

// ILN generates an ILN-like peer round.
func ILN(cfg ILNConfig) pairing.Input {
	r := rand.New(rand.NewPCG(cfg.Seed, 0x1a2b3c4d))
	s := cfg.ZipfS
	if s == 0 {
		s = 1.1
	}
	nc := len(countries)
	if cfg.Countries > 0 && cfg.Countries < nc {
		nc = cfg.Countries
	}
	z := newZipf(nc, s)
	start := cfg.RoundStart
	if start.IsZero() {
		start = DefaultRoundStart
	}
	ret := cfg.Returning
	if ret == 0 {
		ret = 0.2
	}
	rules := ILNRules()
	if cfg.Rules != nil {
		rules = *cfg.Rules
	}
	in := pairing.Input{Rules: rules, RoundStart: start}
	in.People = make([]pairing.Person, cfg.People)
	var returning []int
	for i := range in.People {
		c := countries[z.draw(r)]
		p := pairing.Person{
			ID:         fmt.Sprintf("iln-%06d", i),
			Country:    c.code,
			TimeZone:   c.zones[r.IntN(len(c.zones))],
			Sector:     pick(r, sectorW),
			Preference: pick(r, prefW),
			SignedUpAt: start.Add(-42 * 24 * time.Hour).Add(time.Duration(r.Int64N(int64(28 * 24 * time.Hour)))),
		}
		p.Languages = append(p.Languages, c.langs[0])
		for _, l := range c.langs[1:] {
			if r.IntN(3) > 0 {
				p.Languages = append(p.Languages, l)
			}
		}
		if !contains(p.Languages, "en") && r.IntN(100) < 80 {
			p.Languages = append(p.Languages, "en")
		}
		if r.IntN(100) < 10 {
			extra := []string{"es", "fr", "de", "zh", "ar", "pt"}[r.IntN(6)]
			if !contains(p.Languages, extra) {
				p.Languages = append(p.Languages, extra)
			}
		}
		if p.Sector == sectorStudent {
			p.CareerStage = stageStudent
		} else {
			p.CareerStage = pick(r, stageW)
		}
		k := 1 + r.IntN(5)
		for len(p.Interests) < k {
			t := Topics[int(float64(len(Topics))*math.Pow(r.Float64(), 1.6))]
			if !contains(p.Interests, t) {
				p.Interests = append(p.Interests, t)
			}
		}
		in.People[i] = p
		if ret > 0 && r.Float64() < ret {
			returning = append(returning, i)
		}
	}
	// Previous partners among returning participants: one or two earlier
	// partners each, from another country; ~10% listed on one side only.
	for round := 0; round < 2; round++ {
		perm := r.Perm(len(returning))
		for k := 0; k+1 < len(perm); k += 2 {
			a, b := &in.People[returning[perm[k]]], &in.People[returning[perm[k+1]]]
			if a.Country == b.Country || (round == 1 && r.IntN(2) == 0) {
				continue
			}
			switch r.IntN(10) {
			case 0:
				a.PreviousPartners = append(a.PreviousPartners, b.ID)
			case 1:
				b.PreviousPartners = append(b.PreviousPartners, a.ID)
			default:
				a.PreviousPartners = append(a.PreviousPartners, b.ID)
				b.PreviousPartners = append(b.PreviousPartners, a.ID)
			}
		}
	}
	return in
}

// HKLAConfig configures an HKLA-like mentor round.
type HKLAConfig struct {
	Seed    uint64
	Mentees int
	Mentors int
	// MaxCapacity is the largest mentor capacity (0 means 3); capacities
	// are uniform in 1..MaxCapacity.
	MaxCapacity int
	RoundStart  time.Time
	Rules       *pairing.Rules // nil means HKLARules()
}

// HKLA generates an HKLA-like mentor round. Mentor IDs are "m-…", mentee
// IDs "s-…".
func HKLA(cfg HKLAConfig) pairing.Input {
	r := rand.New(rand.NewPCG(cfg.Seed, 0x5eed4b1a))
	start := cfg.RoundStart
	if start.IsZero() {
		start = DefaultRoundStart
	}
	maxCap := cfg.MaxCapacity
	if maxCap == 0 {
		maxCap = 3
	}
	rules := HKLARules()
	if cfg.Rules != nil {
		rules = *cfg.Rules
	}
	in := pairing.Input{Rules: rules, RoundStart: start}
	langs := func() []string {
		switch k := r.IntN(100); {
		case k < 88:
			return []string{"zh", "en"}
		case k < 94:
			return []string{"zh"}
		default:
			return []string{"en"}
		}
	}
	interests := func() []string {
		var out []string
		k := 1 + r.IntN(4)
		for len(out) < k {
			t := Topics[int(float64(len(Topics))*math.Pow(r.Float64(), 1.6))]
			if !contains(out, t) {
				out = append(out, t)
			}
		}
		return out
	}
	for i := 0; i < cfg.Mentors; i++ {
		sec := pick(r, sectorW)
		for sec == sectorStudent {
			sec = pick(r, sectorW)
		}
		st := stageSenior
		if r.IntN(2) == 0 {
			st = stageMid
		}
		in.People = append(in.People, pairing.Person{
			ID: fmt.Sprintf("m-%06d", i), Role: pairup.RoleMentor, Capacity: 1 + r.IntN(maxCap),
			Country: "HK", TimeZone: "Asia/Hong_Kong", Languages: langs(), Sector: sec, CareerStage: st,
			Interests: interests(), Preference: pick(r, prefW),
			SignedUpAt: start.Add(-30 * 24 * time.Hour).Add(time.Duration(r.Int64N(int64(20 * 24 * time.Hour)))),
		})
	}
	for i := 0; i < cfg.Mentees; i++ {
		pref := pick(r, prefW)
		in.People = append(in.People, pairing.Person{
			ID: fmt.Sprintf("s-%06d", i), Role: pairup.RoleMentee, Eligible: r.IntN(100) < 92,
			Country: "HK", TimeZone: "Asia/Hong_Kong", Languages: langs(),
			Sector: sectorStudent, CareerStage: stageStudent,
			Interests: interests(), Preference: pref,
			Priority:   map[bool]int{true: 1, false: 0}[r.IntN(100) < 35],
			SignedUpAt: start.Add(-30 * 24 * time.Hour).Add(time.Duration(r.Int64N(int64(20 * 24 * time.Hour)))),
		})
	}
	return in
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
