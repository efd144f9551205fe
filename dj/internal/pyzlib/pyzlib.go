// Package pyzlib produces the zlib streams that zlib 1.2.13 writes when it
// compresses a whole input in one call (compress2, or Python's
// zlib.compress) at levels 1 to 9, byte for byte: the same match search,
// block splitting, block type choice and Huffman codes, so that equal input
// yields equal bytes whichever of the two wrote them.
//
// A call uses about 350 KB of state, taken from and returned to a pool,
// and allocates nothing else when dst has room for the output.
package pyzlib

import (
	"encoding/binary"
	"fmt"
	"hash/adler32"
	"sync"
)

// DefaultLevel is zlib's default level, the one zlib.compress uses.
const DefaultLevel = 6

var pool = sync.Pool{New: func() any { return new(deflater) }}

// Compress appends to dst the zlib stream that zlib 1.2.13 produces for src
// at level 6 (Python's zlib.compress(src)) and returns the extended slice.
func Compress(dst, src []byte) []byte {
	out, _ := CompressLevel(dst, src, DefaultLevel)
	return out
}

// Supported reports whether CompressLevel reproduces zlib at level.
func Supported(level int) bool { return level >= 1 && level <= 9 }

// CompressLevel appends to dst the zlib stream that zlib 1.2.13 produces
// for src at level (zlib.compress(src, level)); levels 1 to 9 are supported.
func CompressLevel(dst, src []byte, level int) ([]byte, error) {
	if !Supported(level) {
		return dst, fmt.Errorf("pyzlib: level %d is not supported (1 to 9)", level)
	}
	flags := byte(3) // levels 7-9
	switch {
	case level < 2:
		flags = 0
	case level < 6:
		flags = 1
	case level == 6:
		flags = 2
	}
	hdr := uint16(0x78)<<8 | uint16(flags)<<6
	hdr += 31 - hdr%31
	dst = binary.BigEndian.AppendUint16(dst, hdr)

	d := pool.Get().(*deflater)
	d.reset(src, configs[level], dst)
	if d.cfg.fast {
		d.deflateFast()
	} else {
		d.deflateSlow()
	}
	dst = d.bw.out
	d.bw.out, d.src = nil, nil
	pool.Put(d)
	return binary.BigEndian.AppendUint32(dst, adler32.Checksum(src)), nil
}
