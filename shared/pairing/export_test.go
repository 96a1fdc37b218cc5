package pairing

// Oracle exposes the validated round's hard constraints and score to the
// external tests (brute force and full-graph checks), by person ID.
type Oracle struct {
	rd *round
}

// NewOracle validates in and returns its oracle.
func NewOracle(in Input) (*Oracle, error) {
	rd, err := prepare(in, defaultTuning())
	if err != nil {
		return nil, err
	}
	return &Oracle{rd}, nil
}

// IDs returns the IDs in canonical order.
func (o *Oracle) IDs() []string {
	out := make([]string, len(o.rd.people))
	for i := range o.rd.people {
		out[i] = o.rd.people[i].id
	}
	return out
}

// Feasible reports whether a and b may be paired (mentor mode: a mentor).
func (o *Oracle) Feasible(a, b string) bool {
	return o.rd.feasible(o.rd.index[a], o.rd.index[b])
}

// Score returns the pair's score (mentor mode: a mentor).
func (o *Oracle) Score(a, b string) int64 { return o.rd.score(o.rd.index[a], o.rd.index[b]) }

// MaxScore is the round's score bound.
func (o *Oracle) MaxScore() int64 { return o.rd.roundMaxScore() }

// Knobs change a test's Match call's internal settings (see tuning); the
// zero value changes nothing.
type Knobs struct {
	Debug              func(format string, args ...any) // progress lines
	SparseMentor       bool                             // mentor mode: the sparse, priced phase 2 whatever the size
	NoClassBoundMatrix bool                             // peer mode: no class-pair bound matrix
	MaxFound           int                              // per-person violator cap of a pricing scan (0: default)
	VerifyPricing      bool                             // check every pair after a pricing round that found nothing
}

// Counters are what a MatchWith call counted.
type Counters struct {
	VerifyMissed            int // violators the exhaustive check found (VerifyPricing)
	IncrementalCertificates int // loops certified by an exact incremental scan
}

// MatchWith is Match with the knobs applied, and what it counted.
func MatchWith(in Input, k Knobs) (*Result, Counters, error) {
	t := defaultTuning()
	t.debugf = k.Debug
	if k.SparseMentor {
		t.denseLimit = 0
	}
	if k.NoClassBoundMatrix {
		t.classBoundCells = 0
	}
	if k.MaxFound > 0 {
		t.maxFound = uint8(k.MaxFound)
	}
	t.verifyPricing = k.VerifyPricing
	res, err := match(in, t)
	return res, Counters{VerifyMissed: t.verifyMissed, IncrementalCertificates: t.incrementalCertificates}, err
}

// CheckBounds checks pairBounds, which the peer candidate search and
// pricing use for a whole class pair at once, against bound for every
// person and class of the whole round, and against the exact score of every
// pair; it returns how many of the checks disagree.
func (o *Oracle) CheckBounds() (bad, total int) {
	rd := o.rd
	pool := make([]int, len(rd.people))
	for i := range pool {
		pool[i] = i
	}
	classes := rd.buildClasses(pool)
	for _, ca := range classes {
		for _, cb := range classes {
			pb := rd.newPairBounds(ca, cb)
			for _, m := range ca.members {
				u := int(m)
				if b := rd.bound(u, cb, false); b >= 0 {
					if b != pb.at(min(sharedCount(rd.people[u].interests, cb.union), cb.maxN)) ||
						rd.scoreWithClass(u, cb, false, 0) != pb.at(0) {
						bad++
					}
					total++
				}
				for _, m2 := range cb.members {
					if v := int(m2); v != u {
						if rd.score(u, v) != pb.at(sharedCount(rd.people[u].interests, rd.people[v].interests)) {
							bad++
						}
						total++
					}
				}
			}
		}
	}
	return bad, total
}
