package blob

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/zlib"
)

// maxInflateRatio bounds how much a deflate stream can expand (the format's
// limit is about 1032:1); a declared length beyond it cannot be honest, so it
// is rejected before the output buffer is allocated.
const maxInflateRatio = 1040

// writerPools holds zlib writers per compression level (index 1..9).
var writerPools [10]sync.Pool

// bufPool holds scratch buffers for compressed output.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// compressTail replaces the payload buf[start:] with its ZL123 envelope when
// compression is on, the payload is over 1000 bytes and the envelope is
// strictly shorter, as DataJoint for Python does.
func compressTail(buf []byte, start int, o *options) ([]byte, error) {
	payload := buf[start:]
	if !o.compress || len(payload) <= compressThreshold {
		return buf, nil
	}
	out := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(out)
	out.Reset()
	w, _ := writerPools[o.level].Get().(*zlib.Writer)
	if w == nil {
		var err error
		if w, err = zlib.NewWriterLevel(out, o.level); err != nil {
			return buf, fmt.Errorf("blob: zlib writer: %w", err)
		}
	} else {
		w.Reset(out)
	}
	defer writerPools[o.level].Put(w)
	if _, err := w.Write(payload); err != nil {
		return buf, fmt.Errorf("blob: compress: %w", err)
	}
	if err := w.Close(); err != nil {
		return buf, fmt.Errorf("blob: compress: %w", err)
	}
	if len(headerZL)+8+out.Len() >= len(payload) {
		return buf, nil
	}
	n := len(payload)
	buf = append(buf[:start], headerZL...)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(n))
	return append(buf, out.Bytes()...), nil
}

// decompress returns the payload of a blob: the bytes after the ZL123
// envelope, decompressed and length-checked, or data itself when it is not
// compressed. Bytes after the end of the zlib stream are ignored, as
// Python's zlib.decompress ignores them.
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
	if size > uint64(o.maxDecompressed) {
		return nil, fmt.Errorf("%w: compressed blob declares %d bytes, limit is %d", ErrTooLarge, size, o.maxDecompressed)
	}
	if size > uint64(len(rest))*maxInflateRatio+64 {
		return nil, malformed("compressed blob of %d bytes cannot expand to the declared %d bytes", len(rest), size)
	}
	zr, err := zlib.NewReader(bytes.NewReader(rest))
	if err != nil {
		return nil, malformed("zlib: %v", err)
	}
	defer zr.Close()
	out := make([]byte, size)
	if _, err := io.ReadFull(zr, out); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, malformed("decompressed length is shorter than the declared %d bytes", size)
		}
		return nil, malformed("zlib: %v", err)
	}
	extra, err := io.ReadAll(io.LimitReader(zr, 1))
	if err != nil {
		return nil, malformed("zlib: %v", err)
	}
	if len(extra) > 0 {
		return nil, malformed("decompressed length exceeds the declared %d bytes", size)
	}
	return out, nil
}
