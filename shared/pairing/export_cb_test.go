package pairing

// CheckClassBoundCache fills the class-pair bound matrix as matchPeers does
// and compares every cell read through the cache with classBound; a class
// from another buildClasses call must fall back to classBound. It returns
// how many disagree.
func (o *Oracle) CheckClassBoundCache() (bad, total int) {
	rd := o.rd
	pool := make([]int, len(rd.people))
	for i := range pool {
		pool[i] = i
	}
	classes := rd.buildClasses(pool)
	nc := len(classes)
	c := classBoundCache{classes: classes, m: make([]int32, nc*nc)}
	for i, a := range classes {
		for j, b := range classes {
			c.m[i*nc+j] = int32(rd.classBound(a, b))
		}
	}
	other := rd.buildClasses(pool[:len(pool)/2])
	for _, a := range classes {
		for _, b := range append(classes[:nc:nc], other...) {
			if c.bound(rd, a, b) != rd.classBound(a, b) || c.bound(rd, b, a) != rd.classBound(b, a) {
				bad++
			}
			total++
		}
	}
	return bad, total
}

// CheckClassScores compares score with scoreOf computed from the classes
// and the class's parallel interest array (as the candidate search does)
// for every pair of people, and returns how many disagree.
func (o *Oracle) CheckClassScores() (bad, total int) {
	rd := o.rd
	pool := make([]int, len(rd.people))
	for i := range pool {
		pool[i] = i
	}
	W := rd.words
	classes := rd.buildClasses(pool)
	for _, a := range classes {
		for _, u := range a.members {
			ui := rd.people[pool[u]].interests
			for _, b := range classes {
				for j, v := range b.members {
					s := rd.scoreOf(a.stage, a.sector, a.pref, a.tz, b.stage, b.sector, b.pref, b.tz,
						sharedCount(ui, b.mInterests[j*W:(j+1)*W]))
					if s != rd.score(pool[u], pool[v]) {
						bad++
					}
					total++
				}
			}
		}
	}
	return bad, total
}
