package pairing

import (
	"cmp"
	"slices"
	"time"
)

// peerSolve is one run of the solve–price loop with a given cardinality
// constant.
type peerSolve struct {
	out *peerOutcome
	// perfect: every matchable person is matched (to a person or to their
	// component's dummy). Every odd component leaves at least one person
	// exposed in any matching and a dummy takes at most one, so the
	// matching then has maximum cardinality; every maximum-cardinality
	// matching extends to a perfect one of the graph with dummies of the
	// same C-weight, so an optimum for w = C + score that is perfect is
	// also the best-scoring maximum-cardinality matching, whatever C is.
	perfect bool
}

// solvePeers runs the solve–price loop on sp with edge weights C + score
// (dummy edges C) until no violator is left or the round cap is reached.
func (rd *round) solvePeers(sp *sparseProblem, C int64) peerSolve {
	pool := sp.pool
	n := len(pool)
	st := Stats{CandidateK: rd.rules.CandidateK}
	edges := make([]edge, len(sp.edges))
	inGraph := make(map[uint64]bool, len(sp.edges))
	for i, e := range sp.edges {
		inGraph[pairKey(e.u, e.v)] = true
		edges[i] = edge{e.u, e.v, C + e.w}
	}
	dummyEdges := make([]edge, len(sp.dummyEdges))
	for i, e := range sp.dummyEdges {
		dummyEdges[i] = edge{e.u, e.v, C + e.w}
	}

	// The first solve is cold; later rounds add the new edges to the solver,
	// which re-optimises from the previous matching and dual (warm start).
	var ws *warmSolver
	var added []edge
	pr := &roundPricer{rd: rd, sp: sp, C: C}
	for {
		st.PricingRounds++
		st.EdgesUsed = len(edges)
		t0 := time.Now()
		if ws == nil {
			ws = newWarmSolver(n+sp.dummies, append(edges, dummyEdges...))
		} else {
			ws.add(added)
		}
		mate, total, dual := ws.result()
		t1 := time.Now()
		near, viol, checked := pr.price(dual, st.PricingRounds)
		exposed := 0
		for u := 0; u < n; u++ {
			if mate[u] < 0 && sp.matchable[u] {
				exposed++
			}
		}
		rd.tune.logf("peer: round %d: solve %d edges in %v (%d matchable left exposed), pricing checked %d pairs in %v, %d violators",
			st.PricingRounds, len(edges), t1.Sub(t0), exposed, checked, time.Since(t1), len(viol))
		st.PairsChecked += checked
		if rd.tune.verifyPricing && len(viol) == 0 {
			rd.countMissedViolators(pool, dual, C)
		}
		if len(viol) == 0 || st.PricingRounds >= rd.rules.MaxPricingRounds {
			return rd.peerResult(sp, C, st, mate, total, dual, len(viol) > 0)
		}
		added = added[:0]
		for _, e := range partialPricing(near, n, maxViolatorsPerVertex) {
			if k := pairKey(e.u, e.v); !inGraph[k] {
				inGraph[k] = true
				e := edge{e.u, e.v, C + rd.score(pool[e.u], pool[e.v])}
				edges = append(edges, e)
				added = append(added, e)
			}
		}
	}
}

// roundPricer decides, round by round, which pairs solvePeers prices.
//
// After a warm re-solve most duals are unchanged, so a round first scans
// only the pairs with a "dirty" end: its Y fell by more than dirtyDrop or
// its blossom cover fell since the last round, or it had violators then (a
// heuristic: it finds most new violators cheaply). When that finds nothing,
// an exact scan decides: a pair priced by the last complete scan with its
// ends in different outermost blossoms had slack Y[u] + Y[v] − 2w ≥ 0 then,
// and blossom duals are never negative, so it can only be violated now if
// Y[u] or Y[v] fell below its value at that scan. Scanning every person
// whose Y fell, who had violators at that scan (their scan may have stopped
// early) or who was inside a non-trivial outermost blossom then, therefore
// covers every possible violator; a complete scan runs when that set is too
// large.
type roundPricer struct {
	rd *round
	sp *sparseProblem
	C  int64

	prevY, prevSig []int64 // the last round's Y and cover sums
	prevViol       []bool  // had violators in the last round
	refY           []int64 // Y at the last complete scan
	refBad         []bool  // had violators or was in a blossom at the last complete scan
}

// price prices round number round's dual and returns the pairs found (see
// pricePeers), the violators among them and how many pairs it checked.
func (pr *roundPricer) price(dual dualSol, round int) (near, viol []edge, checked int64) {
	rd, pool, classes, C := pr.rd, pr.sp.pool, pr.sp.classes, pr.C
	n := len(pool)
	sig := coverSig(dual, n)
	var scanned []bool // people whose pairs were all priced this round
	if pr.prevY != nil {
		dirty := make([]bool, n)
		cnt := 0
		for v := range n {
			if dual.y[v] < pr.prevY[v]-dirtyDrop || sig[v] < pr.prevSig[v] || pr.prevViol[v] {
				dirty[v] = true
				cnt++
			}
		}
		if cnt <= n/2 {
			near, checked = rd.pricePeersDirty(pool, classes, dual, C, lookahead, dirty)
			scanned = dirty
		}
		rd.tune.logf("peer: round %d: %d dirty people", round, cnt)
	}
	viol = violators(near)
	certified := false // no violator is left (without a complete scan)
	if len(viol) == 0 && pr.refY != nil {
		// The exact scan, skipping the people just scanned (no
		// violator was found, so their scans were complete).
		must := make([]bool, n)
		cnt := 0
		for v := range n {
			if (dual.y[v] < pr.refY[v] || pr.refBad[v]) && (scanned == nil || !scanned[v]) {
				must[v] = true
				cnt++
			}
		}
		rd.tune.logf("peer: round %d: %d people to price exactly", round, cnt)
		if cnt <= n/2 {
			var c2 int64
			near, c2 = rd.pricePeersDirty(pool, classes, dual, C, lookahead, must)
			checked += c2
			viol = violators(near)
			certified = len(viol) == 0
			if certified {
				rd.tune.incrementalCertificates++
			}
		}
	}
	if len(viol) == 0 && !certified {
		var c2 int64
		near, c2 = rd.pricePeers(pool, classes, dual, C, lookahead)
		checked += c2
		viol = violators(near)
		pr.refY = slices.Clone(dual.y[:n])
		pr.refBad = make([]bool, n)
		for _, e := range viol {
			pr.refBad[e.u], pr.refBad[e.v] = true, true
		}
		for v, o := range dual.d.Outer[:n] {
			if o >= 0 {
				pr.refBad[v] = true
			}
		}
	}
	pr.prevY, pr.prevSig = dual.y[:n], sig
	pr.prevViol = make([]bool, n)
	for _, e := range viol {
		pr.prevViol[e.u], pr.prevViol[e.v] = true, true
	}
	return near, viol, checked
}

// countMissedViolators checks every feasible pair of the pool against a
// dual that pricing found no violator of (tuning.verifyPricing, tests
// only) and adds the violated ones to tuning.verifyMissed.
func (rd *round) countMissedViolators(pool []int, dual dualSol, C int64) {
	n := len(pool)
	missed := 0
	for u := 0; u < n; u++ {
		for v := u + 1; v < n; v++ {
			if rd.feasible(pool[u], pool[v]) && dual.slack(u, v, C+rd.score(pool[u], pool[v])) < 0 {
				missed++
			}
		}
	}
	rd.tune.logf("verify: %d violators missed by pricing", missed)
	rd.tune.verifyMissed += missed
}

// peerResult ends the loop: it certifies the gap of the last solve and
// returns its matching on the pool (dummies dropped). With violators left
// (the round cap was reached), the dual is first made feasible on the full
// graph by raising one endpoint of every violated pair (a complete,
// uncapped scan).
func (rd *round) peerResult(sp *sparseProblem, C int64, st Stats, mate []int, total int64, dual dualSol, violated bool) peerSolve {
	pool := sp.pool
	n := len(pool)
	dualObj := dual.objective()
	if violated {
		raise := make([]int64, n)
		rd.pricePeersScan(pool, sp.classes, dual, C, 0, raise, nil)
		for _, d := range raise {
			dualObj += d // doubled units
		}
	}
	st.Gap = max(0, dualObj/2-total)
	st.Exact = !violated && st.Gap == 0
	out := &peerOutcome{mate: make([]int, n), score: make([]int64, n), stats: st}
	perfect := true
	for u, v := range mate[:n] {
		if v < 0 && sp.matchable[u] {
			perfect = false
		}
		if v >= n { // a dummy
			v = -1
		}
		out.mate[u] = v
		if v >= 0 {
			out.score[u] = rd.score(pool[u], pool[v])
		}
	}
	return peerSolve{out: out, perfect: perfect}
}

// maxViolatorsPerVertex limits how many violated pairs each person brings
// into the next solve (partial pricing): coarse integer scores tie a lot,
// so the first pricing round can find tens of violators per person of
// which the optimum needs few; adding all of them mostly makes the solves
// slower. Exactness is unaffected: the loop only stops when no violator
// remains.
const maxViolatorsPerVertex = 4

// dirtyDrop is how far (doubled units) a person's Y must fall in a round
// for the heuristic scan of the next round to include them. Falls of one
// score point or less can only break pairs that were that close to tight,
// which the lookahead pairs mostly cover, and after a warm re-solve tens of
// thousands of people move by that little; skipping them halves the late
// rounds' scans. The exact incremental scan (which ignores this) still
// decides when the heuristic finds nothing. On BenchmarkPeer100000, 2 and 4
// are about 10% faster than 0 (every fall), 1 or 8.
const dirtyDrop = 2

// lookahead (doubled slack units) also brings pairs that are tight or
// nearly so into the next solve when there are violators, since the next
// duals tend to violate them.
const lookahead = 1

// partialPricing keeps the violators that are among the most violated
// (most negative slack; ties by pair) of at least one endpoint.
func partialPricing(viol []edge, n, per int) []edge {
	if len(viol) <= per {
		return viol
	}
	sorted := slices.Clone(viol)
	slices.SortFunc(sorted, func(a, b edge) int {
		if a.w != b.w {
			return cmp.Compare(a.w, b.w)
		}
		if a.u != b.u {
			return cmp.Compare(a.u, b.u)
		}
		return cmp.Compare(a.v, b.v)
	})
	cnt := make([]uint8, n)
	out := sorted[:0]
	for _, e := range sorted {
		if int(cnt[e.u]) < per || int(cnt[e.v]) < per {
			out = append(out, e)
			cnt[e.u]++
			cnt[e.v]++
		}
	}
	return out
}

// violators returns the pairs with negative slack.
func violators(near []edge) []edge {
	var viol []edge
	for _, e := range near {
		if e.w < 0 {
			viol = append(viol, e)
		}
	}
	return viol
}

// coverSig returns, per person, the sum of Z over the blossoms covering
// them: a decrease marks the person dirty for incremental pricing.
func coverSig(d dualSol, n int) []int64 { return d.d.CoverSums()[:n] }
