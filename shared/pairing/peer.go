package pairing

import (
	"errors"
	"math"
	"math/bits"
	"slices"
	"sort"
)

// peerOutcome is the optimum of the peer sub-problem on the pool.
type peerOutcome struct {
	mate  []int   // pool index → pool index, or -1
	score []int64 // pool index → score with mate
	stats Stats
}

// errOverflow is returned when the cardinality-first weight transform
// would not fit in int64 (far beyond any real round).
var errOverflow = errors.New("pairing: round too large for the cardinality-first weight transform")

// cardinalityConstant returns C for the weight transform w' = C + score:
// C exceeds the largest possible total score of any matching, so one more
// pair always beats any score difference (maximum cardinality first, then
// maximum score). It checks that doubled duals stay far from overflow.
func cardinalityConstant(nPairs int, maxS int64) (int64, error) {
	hi, lo := bits.Mul64(uint64(nPairs+1), uint64(maxS+1))
	if hi != 0 || lo > math.MaxInt64/8 {
		return 0, errOverflow
	}
	C := int64(lo) + 1
	hi, lo = bits.Mul64(uint64(nPairs+1), uint64(C+maxS))
	if hi != 0 || lo > math.MaxInt64/8 {
		return 0, errOverflow
	}
	return C, nil
}

// roundMaxScore is an upper bound on any pair's score in this round.
func (rd *round) roundMaxScore() int64 {
	maxI := 0
	for i := range rd.people {
		maxI = max(maxI, rd.people[i].nInterest)
	}
	w := rd.w
	return int64(w.CareerStage) + int64(w.Sector) + int64(w.Interest)*int64(maxI) +
		int64(w.TimeZone)*maxTZHoursDiff + 2*int64(w.Preference)
}

// matchPeers finds a maximum-cardinality, then maximum-score matching of the
// pool over all feasible pairs without building them: it solves on each
// person's K best feasible candidates, prices every other pair against the
// dual solution (class bounds rule out almost all of them without an exact
// check), adds the violators and re-solves until none remain.
func (rd *round) matchPeers(pool []int) (*peerOutcome, error) {
	n := len(pool)
	out := &peerOutcome{mate: make([]int, n), score: make([]int64, n)}
	for i := range out.mate {
		out.mate[i] = -1
	}
	st := &out.stats
	st.CandidateK = rd.rules.CandidateK
	if n < 2 {
		st.Exact = true
		return out, nil
	}
	maxS := rd.roundMaxScore()
	C, err := cardinalityConstant(n/2, maxS)
	if err != nil {
		return nil, err
	}
	classes := rd.buildClasses(pool)

	// Initial sparse graph: each person's K best feasible candidates.
	K := rd.rules.CandidateK
	lists := make([][]cand, n)
	parallel(n, func(lo, hi int) {
		type cb struct {
			c *class
			b int64
		}
		order := make([]cb, 0, len(classes))
		for u := lo; u < hi; u++ {
			pu := pool[u]
			order = order[:0]
			for _, c := range classes {
				if b := rd.bound(pu, c, false); b >= 0 {
					order = append(order, cb{c, b})
				}
			}
			sort.SliceStable(order, func(i, j int) bool { return order[i].b > order[j].b })
			t := topK{k: K}
			for _, o := range order {
				if t.full() && o.b <= t.worst() {
					break
				}
				for _, v := range o.c.members {
					if int(v) == u {
						continue
					}
					pv := pool[v]
					if !rd.feasible(pu, pv) {
						continue
					}
					t.push(cand{v, rd.score(pu, pv)})
				}
			}
			lists[u] = t.list
		}
	})
	edgeSet := map[uint64]int64{}
	for u, l := range lists {
		for _, c := range l {
			edgeSet[pairKey(u, int(c.v))] = c.s
		}
	}
	lists = nil
	keys := make([]uint64, 0, len(edgeSet))
	for k := range edgeSet {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	edges := make([]edge, len(keys))
	for i, k := range keys {
		edges[i] = edge{int(k >> 32), int(uint32(k)), C + edgeSet[k]}
	}
	edgeSet = nil

	for {
		st.PricingRounds++
		st.EdgesUsed = len(edges)
		mate, total, dual := solveGeneral(n, edges)
		viol, checked := rd.pricePeers(pool, classes, dual, C)
		st.PairsChecked += checked
		dualObj := dual.objective()
		if len(viol) == 0 || st.PricingRounds >= rd.rules.MaxPricingRounds {
			// Certified gap: make the dual feasible on the full graph by
			// raising one endpoint of every violated pair, then compare.
			raise := map[int]int64{}
			for _, e := range viol {
				if d := -e.w; d > raise[e.u] {
					raise[e.u] = d
				}
			}
			for _, d := range raise {
				dualObj += d // doubled units
			}
			st.Gap = dualObj/2 - total
			if st.Gap < 0 {
				st.Gap = 0
			}
			st.Exact = len(viol) == 0 && st.Gap == 0
			for u, v := range mate {
				out.mate[u] = v
				if v >= 0 {
					out.score[u] = rd.score(pool[u], pool[v])
				}
			}
			return out, nil
		}
		for _, e := range viol {
			edges = append(edges, edge{e.u, e.v, C + rd.score(pool[e.u], pool[e.v])})
		}
	}
}

// pricePeers returns every feasible pair {u, v} (u < v, pool indices) whose
// reduced cost under the dual is negative (edge.w holds the doubled slack),
// and how many pairs needed an exact check.
func (rd *round) pricePeers(pool []int, classes []*class, d dualSol, C int64) ([]edge, int64) {
	n := len(pool)
	for _, c := range classes {
		c.byDual = append(c.byDual[:0], c.members...)
		sort.Slice(c.byDual, func(i, j int) bool {
			a, b := c.byDual[i], c.byDual[j]
			if d.y[a] != d.y[b] {
				return d.y[a] < d.y[b]
			}
			return a < b
		})
	}
	found := make([][]edge, n)
	checked := make([]int64, n)
	parallel(n, func(lo, hi int) {
		for u := lo; u < hi; u++ {
			pu := pool[u]
			yu := d.y[u]
			for _, c := range classes {
				b := rd.bound(pu, c, false)
				if b < 0 {
					continue
				}
				t := 2*C + 2*b - yu
				for _, v := range c.byDual {
					if d.y[v] >= t {
						break
					}
					if int(v) <= u {
						continue
					}
					pv := pool[v]
					checked[u]++
					if !rd.feasible(pu, pv) {
						continue
					}
					w := C + rd.score(pu, pv)
					sl := yu + d.y[v] - 2*w
					if sl >= 0 {
						continue
					}
					if sl = d.slack(u, int(v), w); sl < 0 {
						found[u] = append(found[u], edge{u, int(v), sl})
					}
				}
			}
		}
	})
	var all []edge
	var total int64
	for u := range found {
		all = append(all, found[u]...)
		total += checked[u]
	}
	return all, total
}
