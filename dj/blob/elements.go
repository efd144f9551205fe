package blob

import (
	"encoding/binary"
	"unsafe"
)

// littleEndian reports whether the host stores integers little-endian, as
// the blob does. On such hosts numeric arrays move between the blob and Go
// slices with a single memory copy; elsewhere the bytes are swapped.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// fixed is the set of element types with a fixed little-endian encoding.
type fixed interface {
	~int8 | ~uint8 | ~int16 | ~uint16 | ~int32 | ~uint32 | ~int64 | ~uint64 | ~float32 | ~float64
}

// rawBytes returns the memory of s as bytes (a view, not a copy). Converting
// an element pointer to a byte pointer is valid for any alignment.
func rawBytes[T fixed](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(s[0])))
}

// appendElems appends the little-endian bytes of s to buf.
func appendElems[T fixed](buf []byte, s []T) []byte {
	start := len(buf)
	buf = append(buf, rawBytes(s)...)
	if !littleEndian && len(s) > 0 {
		swapBytes(buf[start:], int(unsafe.Sizeof(s[0])))
	}
	return buf
}

// readElems fills dst from the little-endian bytes src (len(src) must be
// len(dst) times the element size).
func readElems[T fixed](dst []T, src []byte) {
	b := rawBytes(dst)
	copy(b, src)
	if !littleEndian && len(dst) > 0 {
		swapBytes(b, int(unsafe.Sizeof(dst[0])))
	}
}

// swapBytes reverses the byte order of every size-byte group of b.
func swapBytes(b []byte, size int) {
	if size == 1 {
		return
	}
	for i := 0; i+size <= len(b); i += size {
		for l, r := i, i+size-1; l < r; l, r = l+1, r-1 {
			b[l], b[r] = b[r], b[l]
		}
	}
}

// appendBools appends one byte (0 or 1) per element.
func appendBools(buf []byte, s []bool) []byte {
	for _, v := range s {
		if v {
			buf = append(buf, 1)
		} else {
			buf = append(buf, 0)
		}
	}
	return buf
}

// sliceLen returns the length of a typed element slice, or -1 for other types.
func sliceLen(data any) int {
	switch x := data.(type) {
	case []bool:
		return len(x)
	case []float64:
		return len(x)
	case []float32:
		return len(x)
	case []int8:
		return len(x)
	case []uint8:
		return len(x)
	case []int16:
		return len(x)
	case []uint16:
		return len(x)
	case []int32:
		return len(x)
	case []uint32:
		return len(x)
	case []int64:
		return len(x)
	case []uint64:
		return len(x)
	case []any:
		return len(x)
	}
	return -1
}

// appendData appends the elements of a typed numeric, logical or char slice.
// It reports false for other types.
func appendData(buf []byte, data any) ([]byte, bool) {
	switch x := data.(type) {
	case []bool:
		return appendBools(buf, x), true
	case []float64:
		return appendElems(buf, x), true
	case []float32:
		return appendElems(buf, x), true
	case []int8:
		return appendElems(buf, x), true
	case []uint8:
		return append(buf, x...), true
	case []int16:
		return appendElems(buf, x), true
	case []uint16:
		return appendElems(buf, x), true
	case []int32:
		return appendElems(buf, x), true
	case []uint32:
		return appendElems(buf, x), true
	case []int64:
		return appendElems(buf, x), true
	case []uint64:
		return appendElems(buf, x), true
	}
	return buf, false
}

// makeData returns a new typed slice of n elements of class c, filled from
// the little-endian bytes src (n × c.ElemSize() bytes). It returns nil for
// object arrays and unknown classes.
func makeData(c Class, n int, src []byte) any {
	switch c {
	case ClassLogical:
		s := make([]bool, n)
		for i := range s {
			s[i] = src[i] != 0
		}
		return s
	case ClassChar, ClassUint16:
		return fill(make([]uint16, n), src)
	case ClassDouble:
		return fill(make([]float64, n), src)
	case ClassSingle:
		return fill(make([]float32, n), src)
	case ClassInt8:
		return fill(make([]int8, n), src)
	case ClassUint8:
		return fill(make([]uint8, n), src)
	case ClassInt16:
		return fill(make([]int16, n), src)
	case ClassInt32:
		return fill(make([]int32, n), src)
	case ClassUint32:
		return fill(make([]uint32, n), src)
	case ClassInt64:
		return fill(make([]int64, n), src)
	case ClassUint64:
		return fill(make([]uint64, n), src)
	}
	if c.IsDatetime64() {
		return fill(make([]int64, n), src)
	}
	return nil
}

func fill[T fixed](dst []T, src []byte) []T {
	readElems(dst, src)
	return dst
}
