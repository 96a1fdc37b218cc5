package pairing

// Oracle exposes the validated round's hard constraints and score to the
// external tests (brute force and full-graph checks), by person ID.
type Oracle struct {
	rd *round
}

// NewOracle validates in and returns its oracle.
func NewOracle(in Input) (*Oracle, error) {
	rd, err := prepare(in)
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

// SetDebug routes the package's progress lines to f (nil: off).
func SetDebug(f func(format string, args ...any)) {
	if f == nil {
		f = func(string, ...any) {}
	}
	debugf = f
}

// SetDenseLimit changes the mentor-mode dense threshold (cells) and returns
// the old one.
func SetDenseLimit(n int) int { old := denseLimit; denseLimit = n; return old }

// SetVerifyPricing turns on the exhaustive pricing check.
// It returns the number of missed violators seen since the last call.
func SetVerifyPricing(on bool) int {
	verifyPricing = on
	m := verifyMissed
	verifyMissed = 0
	return m
}

// IncrementalCertificates returns how many solve–price loops were certified
// by an exact incremental scan since the last call.
func IncrementalCertificates() int {
	n := incrementalCertificates
	incrementalCertificates = 0
	return n
}

// SetMaxFound sets the per-person violator cap of a pricing scan and
// returns the old one.
func SetMaxFound(n int) int { old := maxFoundPerVertex; maxFoundPerVertex = uint8(n); return int(old) }

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
