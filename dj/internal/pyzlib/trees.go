package pyzlib

// staticDesc describes one of deflate's three alphabets.
type staticDesc struct {
	lens      []uint16 // fixed-code lengths, nil for the code-length alphabet
	extra     []uint8  // extra bits of the symbols from extraBase on
	extraBase int
	elems     int
	maxLength int
}

var (
	lDesc  = staticDesc{lens: staticLLen[:], extra: extraLBits[:], extraBase: literals + 1, elems: lCodes, maxLength: maxBits}
	dDesc  = staticDesc{lens: staticDLen[:], extra: extraDBits[:], extraBase: 0, elems: dCodes, maxLength: maxBits}
	blDesc = staticDesc{extra: extraBLBits[:], extraBase: 0, elems: blCodes, maxLength: maxBLBits}
)

// tree is a dynamic Huffman tree: leaves 0..elems-1, then internal nodes.
type tree struct {
	freq    [heapSize]uint16
	dad     [heapSize]uint16
	blen    [heapSize]uint16
	code    [heapSize]uint16
	maxCode int // largest symbol with non-zero frequency
	desc    *staticDesc
}

// huffman holds the per-block statistics and the scratch space of tree
// construction.
type huffman struct {
	ltree, dtree, bltree tree

	heap    [heapSize]int
	heapLen int
	heapMax int
	depth   [heapSize]uint8
	blCount [maxBits + 1]uint16

	optLen    int // bits of the block with dynamic trees
	staticLen int // bits of the block with the fixed trees
}

func (h *huffman) init() {
	h.ltree.desc = &lDesc
	h.dtree.desc = &dDesc
	h.bltree.desc = &blDesc
	h.initBlock()
}

// initBlock clears the statistics for a new block.
func (h *huffman) initBlock() {
	clear(h.ltree.freq[:lCodes])
	clear(h.dtree.freq[:dCodes])
	clear(h.bltree.freq[:blCodes])
	h.ltree.freq[endBlock] = 1
	h.optLen, h.staticLen = 0, 0
}

// smaller orders heap nodes by frequency, then by subtree depth.
func (h *huffman) smaller(t *tree, n, m int) bool {
	return t.freq[n] < t.freq[m] || (t.freq[n] == t.freq[m] && h.depth[n] <= h.depth[m])
}

// siftDown restores the heap property from position k down.
func (h *huffman) siftDown(t *tree, k int) {
	v := h.heap[k]
	j := k << 1
	for j <= h.heapLen {
		if j < h.heapLen && h.smaller(t, h.heap[j+1], h.heap[j]) {
			j++
		}
		if h.smaller(t, v, h.heap[j]) {
			break
		}
		h.heap[k] = h.heap[j]
		k = j
		j <<= 1
	}
	h.heap[k] = v
}

// buildTree computes the code lengths and codes of t from its frequencies
// and adds the block's cost under t (and under the fixed code) to optLen
// and staticLen.
func (h *huffman) buildTree(t *tree) {
	d := t.desc
	h.heapLen, h.heapMax = 0, heapSize
	maxCode := -1
	for n := 0; n < d.elems; n++ {
		if t.freq[n] != 0 {
			h.heapLen++
			h.heap[h.heapLen] = n
			maxCode = n
			h.depth[n] = 0
		} else {
			t.blen[n] = 0
		}
	}
	// Deflate needs at least two codes in a tree: add symbols 0 or 1.
	for h.heapLen < 2 {
		node := 0
		if maxCode < 2 {
			maxCode++
			node = maxCode
		}
		h.heapLen++
		h.heap[h.heapLen] = node
		t.freq[node] = 1
		h.depth[node] = 0
		h.optLen--
		if d.lens != nil {
			h.staticLen -= int(d.lens[node])
		}
	}
	t.maxCode = maxCode
	for n := h.heapLen / 2; n >= 1; n-- {
		h.siftDown(t, n)
	}
	node := d.elems
	for {
		n := h.heap[1]
		h.heap[1] = h.heap[h.heapLen]
		h.heapLen--
		h.siftDown(t, 1)
		m := h.heap[1]

		h.heapMax--
		h.heap[h.heapMax] = n
		h.heapMax--
		h.heap[h.heapMax] = m

		t.freq[node] = t.freq[n] + t.freq[m]
		h.depth[node] = max(h.depth[n], h.depth[m]) + 1
		t.dad[n], t.dad[m] = uint16(node), uint16(node)
		h.heap[1] = node
		node++
		h.siftDown(t, 1)
		if h.heapLen < 2 {
			break
		}
	}
	h.heapMax--
	h.heap[h.heapMax] = h.heap[1]
	h.genBitLen(t)
	h.genCodes(t)
}

// genBitLen sets the code lengths from the tree shape, limiting them to the
// alphabet's maximum length, and accumulates the block costs.
func (h *huffman) genBitLen(t *tree) {
	d := t.desc
	clear(h.blCount[:])
	t.blen[h.heap[h.heapMax]] = 0 // root
	overflow := 0
	hi := h.heapMax + 1
	for ; hi < heapSize; hi++ {
		n := h.heap[hi]
		bits := int(t.blen[t.dad[n]]) + 1
		if bits > d.maxLength {
			bits = d.maxLength
			overflow++
		}
		t.blen[n] = uint16(bits)
		if n > t.maxCode {
			continue // internal node
		}
		h.blCount[bits]++
		xbits := 0
		if n >= d.extraBase {
			xbits = int(d.extra[n-d.extraBase])
		}
		f := int(t.freq[n])
		h.optLen += f * (bits + xbits)
		if d.lens != nil {
			h.staticLen += f * (int(d.lens[n]) + xbits)
		}
	}
	if overflow == 0 {
		return
	}
	// Move overflowed leaves up: each step takes a leaf from the deepest
	// non-full level and makes it the parent of itself and an overflowed
	// leaf.
	for overflow > 0 {
		bits := d.maxLength - 1
		for h.blCount[bits] == 0 {
			bits--
		}
		h.blCount[bits]--
		h.blCount[bits+1] += 2
		h.blCount[d.maxLength]--
		overflow -= 2
	}
	// Reassign lengths to leaves in order of increasing frequency.
	for bits := d.maxLength; bits != 0; bits-- {
		n := int(h.blCount[bits])
		for n != 0 {
			hi--
			m := h.heap[hi]
			if m > t.maxCode {
				continue
			}
			if int(t.blen[m]) != bits {
				h.optLen += (bits - int(t.blen[m])) * int(t.freq[m])
				t.blen[m] = uint16(bits)
			}
			n--
		}
	}
}

// genCodes assigns canonical codes to the symbols 0..maxCode of t.
func (h *huffman) genCodes(t *tree) {
	var next [maxBits + 1]uint16
	code := uint16(0)
	for b := 1; b <= maxBits; b++ {
		code = (code + h.blCount[b-1]) << 1
		next[b] = code
	}
	for n := 0; n <= t.maxCode; n++ {
		l := t.blen[n]
		if l == 0 {
			continue
		}
		t.code[n] = reverseBits(next[l], l)
		next[l]++
	}
}

// scanTree counts the code-length symbols that sendTree will emit for t.
func (h *huffman) scanTree(t *tree) {
	prevLen := -1
	nextLen := int(t.blen[0])
	count := 0
	maxCount, minCount := 7, 4
	if nextLen == 0 {
		maxCount, minCount = 138, 3
	}
	t.blen[t.maxCode+1] = 0xffff // guard
	bl := &h.bltree
	for n := 0; n <= t.maxCode; n++ {
		curLen := nextLen
		nextLen = int(t.blen[n+1])
		count++
		if count < maxCount && curLen == nextLen {
			continue
		}
		switch {
		case count < minCount:
			bl.freq[curLen] += uint16(count)
		case curLen != 0:
			if curLen != prevLen {
				bl.freq[curLen]++
			}
			bl.freq[rep3to6]++
		case count <= 10:
			bl.freq[repz3to10]++
		default:
			bl.freq[repz11to138]++
		}
		count = 0
		prevLen = curLen
		switch {
		case nextLen == 0:
			maxCount, minCount = 138, 3
		case curLen == nextLen:
			maxCount, minCount = 6, 3
		default:
			maxCount, minCount = 7, 4
		}
	}
}

// sendTree writes the code lengths of t with the code-length code; the
// guard set by scanTree must still be in place.
func (h *huffman) sendTree(w *bitWriter, t *tree) {
	bl := &h.bltree
	send := func(c int) { w.send(uint64(bl.code[c]), uint(bl.blen[c])) }
	prevLen := -1
	nextLen := int(t.blen[0])
	count := 0
	maxCount, minCount := 7, 4
	if nextLen == 0 {
		maxCount, minCount = 138, 3
	}
	for n := 0; n <= t.maxCode; n++ {
		curLen := nextLen
		nextLen = int(t.blen[n+1])
		count++
		if count < maxCount && curLen == nextLen {
			continue
		}
		switch {
		case count < minCount:
			for ; count > 0; count-- {
				send(curLen)
			}
		case curLen != 0:
			if curLen != prevLen {
				send(curLen)
				count--
			}
			send(rep3to6)
			w.send(uint64(count-3), 2)
		case count <= 10:
			send(repz3to10)
			w.send(uint64(count-3), 3)
		default:
			send(repz11to138)
			w.send(uint64(count-11), 7)
		}
		count = 0
		prevLen = curLen
		switch {
		case nextLen == 0:
			maxCount, minCount = 138, 3
		case curLen == nextLen:
			maxCount, minCount = 6, 3
		default:
			maxCount, minCount = 7, 4
		}
	}
}

// buildBLTree builds the code-length tree and returns the index in blOrder
// of the last code-length code to send.
func (h *huffman) buildBLTree() int {
	h.scanTree(&h.ltree)
	h.scanTree(&h.dtree)
	h.buildTree(&h.bltree)
	maxIndex := blCodes - 1
	for ; maxIndex >= 3; maxIndex-- {
		if h.bltree.blen[blOrder[maxIndex]] != 0 {
			break
		}
	}
	h.optLen += 3*(maxIndex+1) + 5 + 5 + 4
	return maxIndex
}

// sendAllTrees writes the header of a dynamic block after its type bits.
func (h *huffman) sendAllTrees(w *bitWriter, lcodes, dcodes, blcodes int) {
	w.send(uint64(lcodes-257), 5)
	w.send(uint64(dcodes-1), 5)
	w.send(uint64(blcodes-4), 4)
	for r := 0; r < blcodes; r++ {
		w.send(uint64(h.bltree.blen[blOrder[r]]), 3)
	}
	h.sendTree(w, &h.ltree)
	h.sendTree(w, &h.dtree)
}
