package blob

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package wraps one of them,
// so callers test with errors.Is.
var (
	// ErrMalformed: the bytes are not a valid blob (bad header, truncated
	// item, length that does not match, unknown item code, …).
	ErrMalformed = errors.New("blob: malformed")
	// ErrType: a value cannot be encoded, or a blob value cannot be decoded
	// into the destination's Go type without loss.
	ErrType = errors.New("blob: type mismatch")
	// ErrUnsupported: a valid blob uses a feature this package does not
	// decode (MATLAB sparse arrays, as in DataJoint for Python).
	ErrUnsupported = errors.New("blob: unsupported")
	// ErrTooLarge: a compressed blob declares more bytes than the
	// decompression limit allows (see MaxDecompressed).
	ErrTooLarge = errors.New("blob: too large")
)

// DefaultMaxDecompressed is the default limit on the uncompressed size of a
// compressed blob: 4 GiB, the largest MySQL LONGBLOB.
const DefaultMaxDecompressed = 4 << 30

// maxDepth bounds the nesting of items (Python's own recursion limit is
// about 1000, so DataJoint cannot write deeper blobs).
const maxDepth = 1000

// compressThreshold: DataJoint compresses only payloads longer than this.
const compressThreshold = 1000

// Option configures Marshal, Unmarshal and Decode.
type Option func(*options)

type options struct {
	compress        bool
	legacy32        bool
	matlabStruct    bool
	msgpack         bool
	maxDecompressed int64
	level           int
}

func newOptions(opts []Option) options {
	o := options{compress: true, maxDecompressed: DefaultMaxDecompressed, level: 6}
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	return o
}

// Compress sets whether Marshal may compress (default true, as DataJoint's
// inserts): payloads over 1000 bytes are written in the ZL123 envelope when
// the zlib stream makes them strictly shorter.
func Compress(on bool) Option { return func(o *options) { o.compress = on } }

// CompressionLevel sets the zlib level used by Marshal (1 fastest … 9 best;
// default 6, as Python's zlib.compress). Any level yields a standard zlib
// stream that every DataJoint reader decompresses.
func CompressionLevel(level int) Option {
	return func(o *options) {
		if level >= 1 && level <= 9 {
			o.level = level
		}
	}
}

// Legacy32Bit makes Unmarshal and Decode read every length, count and
// dimension field as a uint32 instead of a uint64, for blobs written by the
// 32-bit mYm library (DataJoint for Python's blob.use_32bit_dims). It has no
// effect on Marshal.
func Legacy32Bit() Option { return func(o *options) { o.legacy32 = true } }

// MatlabStruct makes Marshal write Go structs (and slices of structs) as
// MATLAB struct arrays (code S, 1×1 or 1×n) instead of dicts, so MATLAB reads
// them as structs and Python as dj.MatStruct.
func MatlabStruct() Option { return func(o *options) { o.matlabStruct = true } }

// MsgpackProtocol makes Marshal write the value in the Go-native msgpack protocol
// (header "djgo-msgpack1\0") instead of a DataJoint protocol. Use it for values
// that have no DataJoint encoding; only Go readers decode it, and DataJoint for
// Python reports an unknown protocol. Unmarshal and Decode recognise the
// header without this option.
func MsgpackProtocol() Option { return func(o *options) { o.msgpack = true } }

// MaxDecompressed sets the largest uncompressed size Unmarshal and Decode
// accept for a compressed blob (default DefaultMaxDecompressed). Larger
// declared sizes fail with ErrTooLarge before any allocation.
func MaxDecompressed(n int64) Option {
	return func(o *options) {
		if n > 0 {
			o.maxDecompressed = n
		}
	}
}

// malformed returns an error wrapping ErrMalformed.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}
