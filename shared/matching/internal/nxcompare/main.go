// Command nxcompare cross-checks and times the matching solver against NetworkX on ILN-like
// instances (roundgen.ILNGraph). For each size it runs matching.MaxWeightMatching and, if
// `/usr/bin/python3 -c 'import networkx'` works, networkx.max_weight_matching on the same
// graph, verifies that the optimal totals agree, and prints both times and the speed ratio.
// It exits with status 1 if a total disagrees.
//
//	go run ./shared/matching/internal/nxcompare -sizes 200,500 -maxcard both
package main

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/pairup/pairup/shared/matching"
	"github.com/pairup/pairup/shared/pairing/roundgen"
)

//go:embed nx_matching.py
var nxScript string

type nxResult struct {
	Total   int64   `json:"total"`
	Pairs   int     `json:"pairs"`
	Seconds float64 `json:"seconds"`
	Version string  `json:"version"`
}

func main() {
	sizes := flag.String("sizes", "200,500", "comma-separated instance sizes (people)")
	seed := flag.Uint64("seed", 1, "instance seed")
	mode := flag.String("maxcard", "both", "maxCardinality mode: true, false or both")
	python := flag.String("python", "/usr/bin/python3", "Python interpreter with networkx")
	noNX := flag.Bool("nonx", false, "skip NetworkX even if available")
	flag.Parse()

	var modes []bool
	switch *mode {
	case "true":
		modes = []bool{true}
	case "false":
		modes = []bool{false}
	case "both":
		modes = []bool{false, true}
	default:
		fmt.Fprintln(os.Stderr, "nxcompare: -maxcard must be true, false or both")
		os.Exit(2)
	}
	haveNX := !*noNX && exec.Command(*python, "-c", "import networkx").Run() == nil
	if !haveNX {
		fmt.Printf("networkx not available via %s (apt-get install python3-networkx); timing pairup only\n", *python)
	}
	failed := false
	fmt.Printf("%6s %9s %7s %10s %6s %12s %12s %9s\n", "n", "edges", "maxcard", "total", "pairs", "pairup", "networkx", "speedup")
	for _, f := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 0 {
			fmt.Fprintf(os.Stderr, "nxcompare: bad size %q\n", f)
			os.Exit(2)
		}
		edges := roundgen.ILNGraph(n, *seed)
		for _, maxCard := range modes {
			start := time.Now()
			mate, total := matching.MaxWeightMatching(n, edges, maxCard)
			ours := time.Since(start)
			pairs := 0
			for v, u := range mate {
				if u > v {
					pairs++
				}
			}
			nxCol, ratio := "-", "-"
			if haveNX {
				res, err := runNX(*python, n, edges, maxCard)
				if err != nil {
					fmt.Fprintf(os.Stderr, "nxcompare: networkx failed: %v\n", err)
					os.Exit(1)
				}
				nxCol = fmt.Sprintf("%.3fs", res.Seconds)
				ratio = fmt.Sprintf("%.0fx", res.Seconds/ours.Seconds())
				if res.Total != total || (maxCard && res.Pairs != pairs) {
					failed = true
					fmt.Printf("MISMATCH n=%d maxcard=%v: pairup total %d pairs %d, networkx total %d pairs %d\n",
						n, maxCard, total, pairs, res.Total, res.Pairs)
				}
			}
			fmt.Printf("%6d %9d %7v %10d %6d %11.3fs %12s %9s\n", n, len(edges), maxCard, total, pairs, ours.Seconds(), nxCol, ratio)
		}
	}
	if failed {
		os.Exit(1)
	}
	if haveNX {
		fmt.Println("all totals agree with networkx")
	}
}

func runNX(python string, n int, edges []matching.Edge, maxCard bool) (nxResult, error) {
	var in bytes.Buffer
	mc := 0
	if maxCard {
		mc = 1
	}
	fmt.Fprintf(&in, "%d %d\n", n, mc)
	for _, e := range edges {
		fmt.Fprintf(&in, "%d %d %d\n", e.U, e.V, e.W)
	}
	cmd := exec.Command(python, "-c", nxScript)
	cmd.Stdin = &in
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nxResult{}, err
	}
	var r nxResult
	if err := json.Unmarshal(out, &r); err != nil {
		return nxResult{}, fmt.Errorf("parsing %q: %w", out, err)
	}
	return r, nil
}
