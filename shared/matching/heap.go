package matching

// hentry is a priority-queue entry: an object id (edge, vertex or blossom) with an invariant
// key (see solver). Entries are validated lazily when they reach the top.
type hentry struct {
	key int64
	id  int32
}

func hless(a, b hentry) bool {
	return a.key < b.key || (a.key == b.key && a.id < b.id)
}

// minHeap is a 4-ary min-heap of hentry ordered by (key, id), so ties are broken
// deterministically by id.
type minHeap []hentry

func (h *minHeap) push(key int64, id int) {
	*h = append(*h, hentry{key, int32(id)})
	a := *h
	i := len(a) - 1
	e := a[i]
	for i > 0 {
		p := (i - 1) >> 2
		if !hless(e, a[p]) {
			break
		}
		a[i] = a[p]
		i = p
	}
	a[i] = e
}

func (h *minHeap) pop() {
	a := *h
	last := len(a) - 1
	e := a[last]
	a = a[:last]
	*h = a
	if last > 0 {
		a.down(0, e)
	}
}

// down places e at position i (which is a hole) and sifts it down.
func (a minHeap) down(i int, e hentry) {
	n := len(a)
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		end := c + 4
		if end > n {
			end = n
		}
		for j := c + 1; j < end; j++ {
			if hless(a[j], a[m]) {
				m = j
			}
		}
		if !hless(a[m], e) {
			break
		}
		a[i] = a[m]
		i = m
	}
	a[i] = e
}

// heapify establishes the heap order over the whole slice.
func (a minHeap) heapify() {
	if len(a) < 2 {
		return
	}
	for i := (len(a) - 2) >> 2; i >= 0; i-- {
		a.down(i, a[i])
	}
}

// compact removes the entries for which valid is false and restores the heap order.
func (h *minHeap) compact(valid func(hentry) bool) {
	a := *h
	kept := a[:0]
	for _, e := range a {
		if valid(e) {
			kept = append(kept, e)
		}
	}
	kept.heapify()
	*h = kept
}

// asgEntry is an entry of the assignment searches' binary heap (asgSolver.heap), ordered by
// distance d, then index k.
type asgEntry struct {
	d int64
	k int32
}

func asgLess(a, b asgEntry) bool { return a.d < b.d || (a.d == b.d && a.k < b.k) }

func (s *asgSolver) push(e asgEntry) {
	h := append(s.heap, e)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !asgLess(e, h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = e
	s.heap = h
}

func (s *asgSolver) pop() {
	h := s.heap
	n := len(h) - 1
	e := h[n]
	h = h[:n]
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && asgLess(h[c+1], h[c]) {
			c++
		}
		if !asgLess(h[c], e) {
			break
		}
		h[i] = h[c]
		i = c
	}
	if n > 0 {
		h[i] = e
	}
	s.heap = h
}
