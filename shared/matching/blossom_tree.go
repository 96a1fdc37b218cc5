package matching

// assignLabel labels the top-level blossom containing w with t, reached through endpoint p
// (endpoint[p] is the vertex on the parent's side; -1 for roots). A T-blossom's mate is
// labelled S in turn.
func (s *solver) assignLabel(w int, t int8, p int) {
	b := s.inBlossom[w]
	s.label[b] = t
	s.labelEnd[b] = p
	r := s.tree[s.inBlossom[s.endpoint[p]]]
	s.tree[b] = r
	dir := int8(1)
	if t == labelS {
		dir = -1
	}
	s.lbuf = s.appendLeaves(s.lbuf[:0], b)
	for _, v := range s.lbuf {
		s.setYDir(v, dir)
		s.members[r] = append(s.members[r], int32(v))
	}
	if b >= s.n {
		s.setZDir(b, -dir)
	}
	if t == labelS {
		s.queue = append(s.queue, s.lbuf...)
		return
	}
	if b >= s.n {
		s.hBlossom.push(s.zOf(b)+s.delta, b)
	}
	mp := s.mate[s.base[b]]
	s.assignLabel(int(s.endpoint[mp]), labelS, mp^1)
}

// scanBlossom traces back from S-vertices v and w to discover either a new blossom (its base
// vertex is returned) or an augmenting path (-1 is returned).
func (s *solver) scanBlossom(v, w int) int {
	path := s.buf[:0]
	base := -1
	for v != -1 || w != -1 {
		b := s.inBlossom[v]
		if s.label[b]&mark != 0 {
			base = s.base[b]
			break
		}
		path = append(path, b)
		s.label[b] = labelS | mark
		if s.labelEnd[b] == -1 {
			v = -1
		} else {
			v = int(s.endpoint[s.labelEnd[b]])
			b = s.inBlossom[v]
			v = int(s.endpoint[s.labelEnd[b]])
		}
		if w != -1 {
			v, w = w, v
		}
	}
	for _, b := range path {
		s.label[b] = labelS
	}
	s.buf = path
	return base
}

// addBlossom builds a new S-blossom with the given base through the S–S edge k.
func (s *solver) addBlossom(base, k int) {
	v := int(s.endpoint[2*k])
	w := int(s.endpoint[2*k+1])
	bb := s.inBlossom[base]
	bv := s.inBlossom[v]
	bw := s.inBlossom[w]
	b := s.unused[len(s.unused)-1]
	s.unused = s.unused[:len(s.unused)-1]
	s.base[b] = base
	s.parent[b] = -1
	s.parent[bb] = b
	var path, endps []int
	for bv != bb {
		s.parent[bv] = b
		if bv >= s.n {
			s.setZDir(bv, 0)
		}
		path = append(path, bv)
		endps = append(endps, s.labelEnd[bv])
		v = int(s.endpoint[s.labelEnd[bv]])
		bv = s.inBlossom[v]
	}
	path = append(path, bb)
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	for i, j := 0, len(endps)-1; i < j; i, j = i+1, j-1 {
		endps[i], endps[j] = endps[j], endps[i]
	}
	endps = append(endps, 2*k)
	for bw != bb {
		s.parent[bw] = b
		if bw >= s.n {
			s.setZDir(bw, 0)
		}
		path = append(path, bw)
		endps = append(endps, s.labelEnd[bw]^1)
		w = int(s.endpoint[s.labelEnd[bw]])
		bw = s.inBlossom[w]
	}
	s.childs[b] = path
	s.endps[b] = endps
	s.linkLeaves(b)
	s.label[b] = labelS
	s.labelEnd[b] = s.labelEnd[bb]
	s.tree[b] = s.tree[bb]
	if bb >= s.n {
		s.setZDir(bb, 0)
	}
	s.zdir[b] = 1
	s.z[b] = -s.delta // z(b) = 0 now, growing with Δ
	leaves := s.appendLeaves(s.buf[:0], b)
	for _, x := range leaves {
		if s.label[s.inBlossom[x]] == labelT {
			s.queue = append(s.queue, x)
			s.setYDir(x, -1)
		}
		s.inBlossom[x] = b
	}
	s.buf = leaves
}

func wrap(i, n int) int {
	i %= n
	if i < 0 {
		i += n
	}
	return i
}

// expandT expands the top-level T-blossom b whose dual reached zero, relabelling the
// sub-blossoms on the even-length path from its entry child to its base.
func (s *solver) expandT(b int) {
	ch := s.childs[b]
	L := len(ch)
	s.setZDir(b, 0)
	s.freeChildren(b)
	entry := s.inBlossom[s.endpoint[s.labelEnd[b]^1]]
	j := 0
	for ch[j] != entry {
		j++
	}
	var jstep, endptrick int
	if j&1 != 0 {
		j -= L
		jstep = 1
		endptrick = 0
	} else {
		jstep = -1
		endptrick = 1
	}
	ep := s.endps[b]
	p := s.labelEnd[b]
	for j != 0 {
		s.assignLabel(int(s.endpoint[p^1]), labelT, p)
		j += jstep
		p = ep[wrap(j-endptrick, L)] ^ endptrick
		j += jstep
	}
	bv := ch[wrap(j, L)]
	s.label[bv] = labelT
	s.labelEnd[bv] = p
	s.tree[bv] = s.tree[b]
	s.buf = s.appendLeaves(s.buf[:0], bv)
	for _, v := range s.buf {
		s.setYDir(v, 1)
	}
	if bv >= s.n {
		s.setZDir(bv, -1)
		s.hBlossom.push(s.zOf(bv)+s.delta, bv)
	}
	j += jstep
	for ch[wrap(j, L)] != entry {
		c := ch[wrap(j, L)]
		if s.label[c] == free {
			s.buf = s.appendLeaves(s.buf[:0], c)
			for _, v := range s.buf {
				s.rescanFree(v)
			}
		}
		j += jstep
	}
	s.releaseBlossom(b)
}

// freeChildren makes the sub-blossoms of blossom b top-level and free: outside every tree,
// with their vertices' duals no longer moving with Δ. b itself is left for releaseBlossom.
func (s *solver) freeChildren(b int) {
	for _, c := range s.childs[b] {
		s.parent[c] = -1
		s.label[c] = free
		s.labelEnd[c] = -1
		s.tree[c] = -1
		s.buf = s.appendLeaves(s.buf[:0], c)
		for _, v := range s.buf {
			s.inBlossom[v] = c
			s.setYDir(v, 0)
		}
	}
}

// releaseBlossom clears blossom b, whose children are top-level again, and returns its id to
// the pool of unused ids.
func (s *solver) releaseBlossom(b int) {
	s.label[b] = free
	s.labelEnd[b] = -1
	s.tree[b] = -1
	s.childs[b] = nil
	s.endps[b] = nil
	s.base[b] = -1
	s.unused = append(s.unused, b)
}

// augmentBlossom swaps matched and unmatched edges inside blossom b along the even path from
// vertex v to the base, making v the new base.
func (s *solver) augmentBlossom(b, v int) {
	t := v
	for s.parent[t] != b {
		t = s.parent[t]
	}
	if t >= s.n {
		s.augmentBlossom(t, v)
	}
	ch := s.childs[b]
	ep := s.endps[b]
	L := len(ch)
	i := 0
	for ch[i] != t {
		i++
	}
	j := i
	var jstep, endptrick int
	if i&1 != 0 {
		j -= L
		jstep = 1
		endptrick = 0
	} else {
		jstep = -1
		endptrick = 1
	}
	for j != 0 {
		j += jstep
		t = ch[wrap(j, L)]
		p := ep[wrap(j-endptrick, L)] ^ endptrick
		if t >= s.n {
			s.augmentBlossom(t, int(s.endpoint[p]))
		}
		j += jstep
		t = ch[wrap(j, L)]
		if t >= s.n {
			s.augmentBlossom(t, int(s.endpoint[p^1]))
		}
		s.mate[s.endpoint[p]] = p ^ 1
		s.mate[s.endpoint[p^1]] = p
	}
	// Rotate so that the new base's sub-blossom comes first.
	nc := make([]int, 0, L)
	nc = append(append(nc, ch[i:]...), ch[:i]...)
	ne := make([]int, 0, L)
	ne = append(append(ne, ep[i:]...), ep[:i]...)
	s.childs[b] = nc
	s.endps[b] = ne
	s.base[b] = s.base[nc[0]]
	s.linkLeaves(b)
}

// augmentHalf matches vertex sv to endpoint p (p = -1 leaves it exposed) and alternates the
// tree path from sv's blossom up to the root of its tree.
func (s *solver) augmentHalf(sv, p int) {
	for {
		bs := s.inBlossom[sv]
		if bs >= s.n {
			s.augmentBlossom(bs, sv)
		}
		s.mate[sv] = p
		if s.labelEnd[bs] == -1 {
			return
		}
		t := int(s.endpoint[s.labelEnd[bs]])
		bt := s.inBlossom[t]
		sv = int(s.endpoint[s.labelEnd[bt]])
		j := int(s.endpoint[s.labelEnd[bt]^1])
		if bt >= s.n {
			s.augmentBlossom(bt, j)
		}
		s.mate[j] = s.labelEnd[bt]
		p = s.labelEnd[bt] ^ 1
	}
}
