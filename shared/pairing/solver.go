package pairing

import "github.com/pairup/pairup/shared/matching"

// edge is a weighted undirected edge for the general matching solver (also
// used for a violated pair, with w holding its negative doubled slack).
type edge struct {
	u, v int
	w    int64
}

// dualSol is the solver's dual certificate, in doubled units: for every
// edge, Y[u] + Y[v] + Σ{Z_B : u, v ∈ B} − 2w ≥ 0.
type dualSol struct {
	y []int64
	d *matching.Dual
}

// objective returns the doubled dual objective ΣY + Σ Z_B·⌊|B|/2⌋; half of
// it bounds every matching's weight from above when the dual is feasible.
func (d dualSol) objective() int64 {
	var s int64
	for _, y := range d.y {
		s += y
	}
	for _, b := range d.d.Blossoms {
		s += b.Z * int64(len(b.Members)/2)
	}
	return s
}

// slack returns the doubled slack of the pair {u, v} at weight w.
func (d dualSol) slack(u, v int, w int64) int64 { return d.d.Slack(u, v, w) }

// warmSolver is a general matching that is re-optimised from its previous
// solution when edges are added (weights already carry the cardinality
// constant).
type warmSolver struct{ x *matching.Solver }

func toMatchingEdges(edges []edge) []matching.Edge {
	es := make([]matching.Edge, len(edges))
	for i, e := range edges {
		es[i] = matching.Edge{U: e.u, V: e.v, W: e.w}
	}
	return es
}

// newWarmSolver solves the graph from scratch.
func newWarmSolver(n int, edges []edge) *warmSolver {
	return &warmSolver{matching.NewSolver(n, toMatchingEdges(edges))}
}

// add adds edges and re-optimises from the current solution.
func (ws *warmSolver) add(edges []edge) { ws.x.AddEdges(toMatchingEdges(edges)) }

// result returns the current optimum and its dual.
func (ws *warmSolver) result() ([]int, int64, dualSol) {
	mate, total, d := ws.x.Result()
	return mate, total, dualSol{y: d.Y, d: &d}
}
