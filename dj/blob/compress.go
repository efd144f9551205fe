package blob

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/datajoint-go/datajoint/dj/internal/pyzlib"
	"github.com/klauspost/compress/zlib"
)

// maxInflateRatio bounds how much a deflate stream can expand (the format's
// limit is about 1032:1); a declared length beyond it cannot be honest, so it
// is rejected before the output buffer is allocated.
const maxInflateRatio = 1040

// zlibOutPool holds buffers for compressed output; buffers larger than
// maxPooledZlibOut are left to the garbage collector.
var zlibOutPool = sync.Pool{New: func() any { return new([]byte) }}

const maxPooledZlibOut = 64 << 20

// compressTail replaces the payload buf[start:] with its ZL123 envelope when
// compression is on, the payload is over 1000 bytes and the envelope is
// strictly shorter, as DataJoint for Python does. The zlib stream is the one
// zlib 1.2.13 writes at the same level (Python's zlib.compress), byte for
// byte, so equal values give equal blobs and equal content hashes.
func compressTail(buf []byte, start int, o *options) ([]byte, error) {
	payload := buf[start:]
	if !o.compress || len(payload) <= compressThreshold {
		return buf, nil
	}
	scratch := zlibOutPool.Get().(*[]byte)
	defer func() {
		if cap(*scratch) <= maxPooledZlibOut {
			zlibOutPool.Put(scratch)
		}
	}()
	var out []byte
	var err error
	if o.fast {
		out, err = fastCompress((*scratch)[:0], payload, o.level)
	} else {
		out, err = pyzlib.CompressLevel((*scratch)[:0], payload, o.level)
	}
	*scratch = out
	if err != nil {
		return buf, fmt.Errorf("blob: compress: %w", err)
	}
	if len(headerZL)+8+len(out) >= len(payload) {
		return buf, nil
	}
	n := len(payload)
	buf = append(buf[:start], headerZL...)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(n))
	return append(buf, out...), nil
}

// fastWriters holds klauspost zlib writers per level (index 1..9).
var fastWriters [10]sync.Pool

// fastCompress appends the zlib stream of src at level to dst with the
// klauspost deflate (see FastCompression).
func fastCompress(dst, src []byte, level int) ([]byte, error) {
	b := bytes.NewBuffer(dst)
	w, _ := fastWriters[level].Get().(*zlib.Writer)
	if w == nil {
		var err error
		if w, err = zlib.NewWriterLevel(b, level); err != nil {
			return dst, err
		}
	} else {
		w.Reset(b)
	}
	defer fastWriters[level].Put(w)
	if _, err := w.Write(src); err != nil {
		return dst, err
	}
	if err := w.Close(); err != nil {
		return dst, err
	}
	return b.Bytes(), nil
}

// decompress returns the payload of a blob: the bytes after the ZL123
// envelope, decompressed and length-checked, or data itself when it is not
// compressed. Bytes after the end of the zlib stream are ignored, as
// Python's zlib.decompress ignores them.
//
// The output grows with what the stream actually yields (starting from a
// small multiple of the compressed size), never beyond the declared size or
// the decoded-size limit, so a stream that lies about its size costs no more
// memory than it expands to.
func decompress(data []byte, o *options) ([]byte, error) {
	if !bytes.HasPrefix(data, []byte(headerZL)) {
		return data, nil
	}
	rest := data[len(headerZL):]
	var size uint64
	if o.legacy32 {
		if len(rest) < 4 {
			return nil, malformed("truncated compression header")
		}
		size, rest = uint64(binary.LittleEndian.Uint32(rest)), rest[4:]
	} else {
		if len(rest) < 8 {
			return nil, malformed("truncated compression header")
		}
		size, rest = binary.LittleEndian.Uint64(rest), rest[8:]
	}
	if size > uint64(o.maxDecoded) {
		return nil, fmt.Errorf("%w: compressed blob declares %d bytes, more than the decoded-size limit of %d bytes (MaxDecodedSize)", ErrTooLarge, size, o.maxDecoded)
	}
	if size > uint64(len(rest))*maxInflateRatio+64 {
		return nil, malformed("compressed blob of %d bytes cannot expand to the declared %d bytes", len(rest), size)
	}
	zr, err := zlib.NewReader(bytes.NewReader(rest))
	if err != nil {
		return nil, malformed("zlib: %v", err)
	}
	defer zr.Close()
	n := int(size)
	out := make([]byte, 0, min(n, max(initialInflate, 8*len(rest))))
	for len(out) < n {
		if len(out) == cap(out) {
			out = append(out, make([]byte, min(cap(out), n-len(out)))...)[:len(out)]
		}
		k, err := zr.Read(out[len(out):cap(out)])
		out = out[:len(out)+k]
		if err != nil {
			if errors.Is(err, io.EOF) && len(out) == n {
				break
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, malformed("decompressed length %d is shorter than the declared %d bytes", len(out), size)
			}
			return nil, malformed("zlib: %v", err)
		}
	}
	var one [1]byte
	for {
		k, err := zr.Read(one[:])
		if k > 0 {
			return nil, malformed("decompressed length exceeds the declared %d bytes", size)
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, malformed("zlib: %v", err)
		}
	}
}

// initialInflate is the smallest output buffer decompress starts with.
const initialInflate = 64 << 10
