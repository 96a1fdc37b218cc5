package pairing

import (
	"math/bits"
	"sort"
	"strings"
	"time"

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
