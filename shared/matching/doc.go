// Package matching provides exact combinatorial optimisation cores for pairup's matching
// runs: maximum-weight matching in general (non-bipartite) graphs, solved with a
// primal–dual blossom algorithm that also returns its optimal dual solution as a checkable
// certificate (used by callers for column-generation style pricing over sparse candidate
// graphs), and bipartite assignment for mentor mode. For such pricing loops, Solver keeps a
// solved instance and re-optimises it after edges are added, starting from the previous
// matching, dual and blossoms (a warm start) instead of from scratch. The functions are
// pure, deterministic and allocation-bounded; they know nothing about people, rounds or
// constraints.
package matching
