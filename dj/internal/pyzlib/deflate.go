package pyzlib

import (
	"encoding/binary"
	"math/bits"
)

// config is one row of zlib's level table.
type config struct {
	good  int // quarter the chain search when the previous match is this long
	nice  int // stop the search at a match this long
	chain int // longest hash chain to follow
	// lazy: with lazy evaluation, no better match is sought after a
	// match this long; with greedy matching, the longest match whose
	// strings all enter the hash chains.
	lazy int
	fast bool // greedy matching (levels 1-3) instead of lazy evaluation
}

// configs are zlib's parameters for levels 1 to 9.
var configs = [10]config{
	1: {good: 4, lazy: 4, nice: 8, chain: 4, fast: true},
	2: {good: 4, lazy: 5, nice: 16, chain: 8, fast: true},
	3: {good: 4, lazy: 6, nice: 32, chain: 32, fast: true},
	4: {good: 4, lazy: 4, nice: 16, chain: 16, fast: false},
	5: {good: 8, lazy: 16, nice: 32, chain: 32, fast: false},
	6: {good: 8, lazy: 16, nice: 128, chain: 128, fast: false},
	7: {good: 8, lazy: 32, nice: 128, chain: 256, fast: false},
	8: {good: 32, lazy: 128, nice: 258, chain: 1024, fast: false},
	9: {good: 32, lazy: 258, nice: 258, chain: 4096, fast: false},
}

// deflater is the state of one compression: zlib's sliding window, hash
// chains, pending symbols and Huffman statistics.
type deflater struct {
	// window holds windowSize bytes of input (two windows); the rest is
	// slack that lets the matcher index with a mask and read words past
	// the last byte it compares.
	window [2 * windowSize]byte
	prev   [wSize]uint16
	head   [hashSize]uint16

	src []byte // input not yet copied into window
	cfg config

	strstart   int // position of the current string in window
	lookahead  int // valid bytes from strstart on
	blockStart int // window position of the current block; negative once slid out
	highWater  int // window bytes initialised so far

	matchStart     int
	prevMatch      int
	matchLength    int
	prevLength     int
	matchAvailable bool

	syms  [symEnd]uint32 // dist<<8 | (length-3 or literal)
	nsyms int

	huffman
	bw bitWriter
}

// reset prepares d for a new stream, as deflateInit does.
func (d *deflater) reset(src []byte, cfg config, out []byte) {
	clear(d.head[:])
	d.src = src
	d.cfg = cfg
	d.strstart, d.lookahead, d.blockStart, d.highWater = 0, 0, 0, 0
	d.matchStart, d.prevMatch = 0, 0
	d.matchLength, d.prevLength = minMatch-1, minMatch-1
	d.matchAvailable = false
	d.nsyms = 0
	d.huffman.init()
	d.bw = bitWriter{out: out}
}

// hash of the three bytes at p: zlib's rolling hash with shift 5 over 15
// bits depends on exactly the last three bytes.
func (d *deflater) hash(p int) int {
	return (int(d.window[p])<<(2*hashShift) ^ int(d.window[p+1])<<hashShift ^ int(d.window[p+2])) & hashMask
}

// insert links the string at p into its hash chain and returns the previous
// head of the chain (0 means none).
func (d *deflater) insert(p int) int {
	h := d.hash(p)
	head := d.head[h]
	d.prev[p&wMask] = head
	d.head[h] = uint16(p)
	return int(head)
}

// fill reads input into the window until the lookahead is at least
// minLookahead or the input is exhausted, sliding the window by wSize when
// strstart nears its end.
func (d *deflater) fill() {
	for {
		more := windowSize - d.lookahead - d.strstart
		if d.strstart >= wSize+maxDist {
			copy(d.window[:], d.window[wSize:wSize+wSize-more])
			d.matchStart -= wSize
			d.strstart -= wSize
			d.blockStart -= wSize
			d.slideHash()
			more += wSize
		}
		if len(d.src) == 0 {
			break
		}
		at := d.strstart + d.lookahead
		n := copy(d.window[at:at+more], d.src)
		d.src = d.src[n:]
		d.lookahead += n
		if d.lookahead >= minLookahead || len(d.src) == 0 {
			break
		}
	}
	// Bytes just past the data read so far are zero when first exposed to
	// the matcher, which may compare up to maxMatch bytes beyond them.
	if d.highWater < windowSize {
		curr := d.strstart + d.lookahead
		if d.highWater < curr {
			init := min(windowSize-curr, winInit)
			clear(d.window[curr : curr+init])
			d.highWater = curr + init
		} else if d.highWater < curr+winInit {
			init := min(curr+winInit-d.highWater, windowSize-d.highWater)
			clear(d.window[d.highWater : d.highWater+init])
			d.highWater += init
		}
	}
}

// slideHash rebases the hash chains after the window moved by wSize;
// entries that fall out of the window become 0 (no entry).
func (d *deflater) slideHash() {
	// wSize is the top bit of a position: m-wSize is m's low bits.
	for i, m := range d.head {
		d.head[i] = m & -(m >> (wBits)) & wMask
	}
	for i, m := range d.prev {
		d.prev[i] = m & -(m >> (wBits)) & wMask
	}
}

// longestMatch follows the hash chain from cur and returns the length of
// the longest match longer than prevLength, setting matchStart, or
// prevLength when there is none; the result never exceeds lookahead.
func (d *deflater) longestMatch(cur int) int {
	const m = 2*windowSize - 1 // index mask: every index is below windowSize+maxMatch
	win := &d.window
	chain := d.cfg.chain
	scan := d.strstart
	bestLen := d.prevLength
	nice := d.cfg.nice
	limit := 0
	if scan > maxDist {
		limit = scan - maxDist
	}
	scanEnd1 := win[(scan+bestLen-1)&m]
	scanEnd := win[(scan+bestLen)&m]
	if d.prevLength >= d.cfg.good {
		chain >>= 2
	}
	if nice > d.lookahead {
		nice = d.lookahead
	}
	s01 := binary.LittleEndian.Uint16(win[scan&m:])
	for {
		if win[(cur+bestLen)&m] == scanEnd && win[(cur+bestLen-1)&m] == scanEnd1 &&
			binary.LittleEndian.Uint16(win[cur&m:]) == s01 {
			// Byte 2 matches too: equal hashes and equal first two
			// bytes imply an equal third byte.
			n := 3 + matchLen(win[(scan+3)&m:], win[(cur+3)&m:])
			if n > bestLen {
				d.matchStart = cur
				bestLen = n
				if n >= nice {
					break
				}
				scanEnd1 = win[(scan+bestLen-1)&m]
				scanEnd = win[(scan+bestLen)&m]
			}
		}
		cur = int(d.prev[cur&wMask])
		if cur <= limit {
			break
		}
		chain--
		if chain == 0 {
			break
		}
	}
	return min(bestLen, d.lookahead)
}

// matchLen returns the number of equal leading bytes of a and b, at most
// maxMatch-3; both have at least maxMatch-3+8 bytes.
func matchLen(a, b []byte) int {
	const limit = maxMatch - 3
	a, b = a[:limit+8], b[:limit+8]
	for n := 0; n < limit; n += 8 {
		x := binary.LittleEndian.Uint64(a[n:]) ^ binary.LittleEndian.Uint64(b[n:])
		if x != 0 {
			return min(n+bits.TrailingZeros64(x)>>3, limit)
		}
	}
	return limit
}

// tally records a literal (dist 0) or a match (dist ≥ 1, lc = length-3)
// and reports whether the symbol buffer is full.
func (d *deflater) tally(dist, lc int) bool {
	d.syms[d.nsyms] = uint32(dist)<<8 | uint32(lc)
	d.nsyms++
	if dist == 0 {
		d.ltree.freq[lc]++
	} else {
		d.ltree.freq[int(lengthCode[lc])+literals+1]++
		d.dtree.freq[dCode(dist-1)]++
	}
	return d.nsyms == symEnd
}

// deflateSlow compresses all of d.src with lazy match evaluation and
// finishes the stream's last block.
func (d *deflater) deflateSlow() {
	for {
		if d.lookahead < minLookahead {
			d.fill()
			if d.lookahead == 0 {
				break
			}
		}
		hashHead := 0
		if d.lookahead >= minMatch {
			hashHead = d.insert(d.strstart)
		}
		d.prevLength, d.prevMatch = d.matchLength, d.matchStart
		d.matchLength = minMatch - 1
		if hashHead != 0 && d.prevLength < d.cfg.lazy && d.strstart-hashHead <= maxDist {
			d.matchLength = d.longestMatch(hashHead)
			if d.matchLength == minMatch && d.strstart-d.matchStart > tooFar {
				d.matchLength = minMatch - 1
			}
		}
		switch {
		case d.prevLength >= minMatch && d.matchLength <= d.prevLength:
			maxInsert := d.strstart + d.lookahead - minMatch
			full := d.tally(d.strstart-1-d.prevMatch, d.prevLength-minMatch)
			d.lookahead -= d.prevLength - 1
			for i := d.prevLength - 2; i > 0; i-- {
				d.strstart++
				if d.strstart <= maxInsert {
					d.insert(d.strstart)
				}
			}
			d.matchAvailable = false
			d.matchLength = minMatch - 1
			d.prevLength = 0
			d.strstart++
			if full {
				d.flushBlock(false)
			}
		case d.matchAvailable:
			if d.tally(0, int(d.window[d.strstart-1])) {
				d.flushBlock(false)
			}
			d.strstart++
			d.lookahead--
		default:
			d.matchAvailable = true
			d.strstart++
			d.lookahead--
		}
	}
	if d.matchAvailable {
		d.tally(0, int(d.window[d.strstart-1]))
		d.matchAvailable = false
	}
	d.flushBlock(true)
}

// deflateFast compresses all of d.src taking each match as found (zlib's
// levels 1 to 3) and finishes the stream's last block.
func (d *deflater) deflateFast() {
	for {
		if d.lookahead < minLookahead {
			d.fill()
			if d.lookahead == 0 {
				break
			}
		}
		hashHead := 0
		if d.lookahead >= minMatch {
			hashHead = d.insert(d.strstart)
		}
		// prevLength stays minMatch-1: the search looks for any match.
		if hashHead != 0 && d.strstart-hashHead <= maxDist {
			d.matchLength = d.longestMatch(hashHead)
		}
		var full bool
		if d.matchLength >= minMatch {
			full = d.tally(d.strstart-d.matchStart, d.matchLength-minMatch)
			d.lookahead -= d.matchLength
			if d.matchLength <= d.cfg.lazy && d.lookahead >= minMatch {
				for i := d.matchLength - 1; i > 0; i-- {
					d.strstart++
					d.insert(d.strstart)
				}
				d.strstart++
			} else {
				d.strstart += d.matchLength
			}
			d.matchLength = 0
		} else {
			full = d.tally(0, int(d.window[d.strstart]))
			d.lookahead--
			d.strstart++
		}
		if full {
			d.flushBlock(false)
		}
	}
	d.flushBlock(true)
}

// flushBlock emits the pending symbols as one block covering the window
// from blockStart to strstart.
func (d *deflater) flushBlock(last bool) {
	var stored []byte
	haveStored := d.blockStart >= 0
	if haveStored {
		stored = d.window[d.blockStart:d.strstart]
	}
	d.emitBlock(stored, haveStored, d.strstart-d.blockStart, last)
	d.blockStart = d.strstart
}

// emitBlock chooses between a stored, a fixed-code and a dynamic-code
// block by their exact sizes and writes it.
func (d *deflater) emitBlock(stored []byte, haveStored bool, storedLen int, last bool) {
	h := &d.huffman
	h.buildTree(&h.ltree)
	h.buildTree(&h.dtree)
	maxBLIndex := h.buildBLTree()
	optLenB := (h.optLen + 3 + 7) >> 3
	staticLenB := (h.staticLen + 3 + 7) >> 3
	if staticLenB <= optLenB {
		optLenB = staticLenB
	}
	lastBit := uint64(0)
	if last {
		lastBit = 1
	}
	w := &d.bw
	switch {
	case storedLen+4 <= optLenB && haveStored:
		w.send(0<<1|lastBit, 3)
		w.align()
		w.out = binary.LittleEndian.AppendUint16(w.out, uint16(storedLen))
		w.out = binary.LittleEndian.AppendUint16(w.out, ^uint16(storedLen))
		w.out = append(w.out, stored...)
	case staticLenB == optLenB:
		w.send(1<<1|lastBit, 3)
		d.compressBlock(staticLCode[:], staticLLen[:], staticDCode[:], staticDLen[:])
	default:
		w.send(2<<1|lastBit, 3)
		h.sendAllTrees(w, h.ltree.maxCode+1, h.dtree.maxCode+1, maxBLIndex+1)
		d.compressBlock(h.ltree.code[:], h.ltree.blen[:], h.dtree.code[:], h.dtree.blen[:])
	}
	h.initBlock()
	d.nsyms = 0
	if last {
		w.align()
	}
}

// compressBlock writes the pending symbols and the end-of-block code.
func (d *deflater) compressBlock(lcode, llen, dcode, dlen []uint16) {
	w := &d.bw
	for _, s := range d.syms[:d.nsyms] {
		lc := int(s & 0xff)
		dist := int(s >> 8)
		if dist == 0 {
			w.send(uint64(lcode[lc]), uint(llen[lc]))
			continue
		}
		code := int(lengthCode[lc])
		sym := code + literals + 1
		v, n := uint64(lcode[sym]), uint(llen[sym])
		if x := extraLBits[code]; x != 0 {
			v |= uint64(lc-int(baseLength[code])) << n
			n += uint(x)
		}
		w.send(v, n)
		dist--
		dc := dCode(dist)
		v, n = uint64(dcode[dc]), uint(dlen[dc])
		if x := extraDBits[dc]; x != 0 {
			v |= uint64(dist-int(baseDist[dc])) << n
			n += uint(x)
		}
		w.send(v, n)
	}
	w.send(uint64(lcode[endBlock]), uint(llen[endBlock]))
}
