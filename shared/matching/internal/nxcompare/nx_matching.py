"""Read a weighted graph on stdin, run networkx.max_weight_matching, print JSON.

Input: first line "n maxcard" (maxcard 0 or 1), then one "u v w" line per edge.
Output: {"total": int, "pairs": int, "seconds": float, "version": str}
"""
import json
import sys
import time

import networkx as nx


def main():
    data = sys.stdin.buffer.read().split()
    n, maxcard = int(data[0]), data[1] == b"1"
    g = nx.Graph()
    g.add_nodes_from(range(n))
    it = iter(data[2:])
    for u, v, w in zip(it, it, it):
        g.add_edge(int(u), int(v), weight=int(w))
    start = time.perf_counter()
    m = nx.max_weight_matching(g, maxcardinality=maxcard)
    secs = time.perf_counter() - start
    total = sum(g[u][v]["weight"] for u, v in m)
    print(json.dumps({"total": total, "pairs": len(m), "seconds": secs, "version": nx.__version__}))


main()
