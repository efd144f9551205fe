package pyzlib

import "encoding/binary"

// bitWriter appends bits least significant first, as deflate packs them.
type bitWriter struct {
	out []byte
	acc uint64
	n   uint // bits held in acc, below 32 between calls
}

// send appends the low nbits bits of v; nbits + pending bits stays ≤ 64.
func (w *bitWriter) send(v uint64, nbits uint) {
	w.acc |= v << w.n
	w.n += nbits
	if w.n >= 32 {
		w.out = binary.LittleEndian.AppendUint32(w.out, uint32(w.acc))
		w.acc >>= 32
		w.n -= 32
	}
}

// align pads with zero bits to a byte boundary and writes out every
// pending byte.
func (w *bitWriter) align() {
	for w.n > 0 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
		if w.n >= 8 {
			w.n -= 8
		} else {
			w.n = 0
		}
	}
	w.acc = 0
}
