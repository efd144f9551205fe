package pyzlib

// Format constants of deflate (RFC 1951) and the sizes zlib 1.2.13 uses for
// windowBits 15 and memLevel 8.
const (
	wBits      = 15
	wSize      = 1 << wBits
	wMask      = wSize - 1
	windowSize = 2 * wSize

	hashBits  = 15 // memLevel + 7
	hashSize  = 1 << hashBits
	hashMask  = hashSize - 1
	hashShift = (hashBits + minMatch - 1) / minMatch

	minMatch     = 3
	maxMatch     = 258
	minLookahead = maxMatch + minMatch + 1
	maxDist      = wSize - minLookahead
	tooFar       = 4096
	winInit      = maxMatch

	litBufSize = 1 << 14 // 1 << (memLevel + 6)
	symEnd     = litBufSize - 1

	lengthCodes = 29
	literals    = 256
	endBlock    = 256
	lCodes      = literals + 1 + lengthCodes
	dCodes      = 30
	blCodes     = 19
	heapSize    = 2*lCodes + 1
	maxBits     = 15
	maxBLBits   = 7

	rep3to6     = 16
	repz3to10   = 17
	repz11to138 = 18
)

var extraLBits = [lengthCodes]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}

var extraDBits = [dCodes]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}

var extraBLBits = [blCodes]uint8{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7}

// blOrder is the order in which code-length code lengths are sent.
var blOrder = [blCodes]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

var (
	lengthCode [256]uint8 // match length - 3 → length code index (0..28)
	baseLength [lengthCodes]uint16
	distCode   [512]uint8 // see dCode
	baseDist   [dCodes]uint16

	staticLLen  [lCodes + 2]uint16 // fixed literal/length code
	staticLCode [lCodes + 2]uint16
	staticDLen  [dCodes]uint16 // fixed distance code
	staticDCode [dCodes]uint16
)

func init() {
	n := 0
	for code := 0; code < lengthCodes-1; code++ {
		baseLength[code] = uint16(n)
		for i := 0; i < 1<<extraLBits[code]; i++ {
			lengthCode[n] = uint8(code)
			n++
		}
	}
	// Length 258 has its own code (285) with no extra bits; it replaces
	// the last value of code 284's range.
	baseLength[lengthCodes-1] = 255
	lengthCode[255] = lengthCodes - 1

	dist := 0
	for code := 0; code < 16; code++ {
		baseDist[code] = uint16(dist)
		for i := 0; i < 1<<extraDBits[code]; i++ {
			distCode[dist] = uint8(code)
			dist++
		}
	}
	dist >>= 7
	for code := 16; code < dCodes; code++ {
		baseDist[code] = uint16(dist << 7)
		for i := 0; i < 1<<(extraDBits[code]-7); i++ {
			distCode[256+dist] = uint8(code)
			dist++
		}
	}

	var count [maxBits + 1]uint16
	for i := range staticLLen {
		switch {
		case i < 144:
			staticLLen[i] = 8
		case i < 256:
			staticLLen[i] = 9
		case i < 280:
			staticLLen[i] = 7
		default:
			staticLLen[i] = 8
		}
		count[staticLLen[i]]++
	}
	canonicalCodes(staticLCode[:], staticLLen[:], count[:])
	for i := range staticDCode {
		staticDLen[i] = 5
		staticDCode[i] = reverseBits(uint16(i), 5)
	}
}

// dCode maps a match distance minus one to its distance code.
func dCode(dist int) uint8 {
	if dist < 256 {
		return distCode[dist]
	}
	return distCode[256+(dist>>7)]
}

// reverseBits returns the low n bits of v in reverse order.
func reverseBits(v, n uint16) uint16 {
	var r uint16
	for ; n > 0; n-- {
		r = r<<1 | v&1
		v >>= 1
	}
	return r
}

// canonicalCodes assigns the canonical Huffman codes (bit-reversed, as they
// are sent least significant bit first) to the symbols with non-zero length
// in lens, given count[b] = number of symbols of length b.
func canonicalCodes(codes, lens, count []uint16) {
	var next [maxBits + 1]uint16
	code := uint16(0)
	for b := 1; b <= maxBits; b++ {
		code = (code + count[b-1]) << 1
		next[b] = code
	}
	for n, l := range lens {
		if l == 0 {
			continue
		}
		codes[n] = reverseBits(next[l], l)
		next[l]++
	}
}
