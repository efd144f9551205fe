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
	// ErrTooLarge: decoding the blob would exceed the decoded-size limit
	// (see MaxDecodedSize). The error message names the limit.
	ErrTooLarge = errors.New("blob: too large")
)

// DefaultMaxDecodedSize is the default limit of MaxDecodedSize: 1 GiB. It is
// the largest value MySQL's max_allowed_packet can take, so every blob that
// was inserted uncompressed decodes under it; only a compressed blob that
// expands beyond 1 GiB (or a hostile one) reaches it. Callers that store
// larger arrays raise the limit.
const DefaultMaxDecodedSize = 1 << 30

// maxDepth bounds the nesting of items (Python's own recursion limit is
// about 1000, so DataJoint cannot write deeper blobs).
const maxDepth = 1000

// compressThreshold: DataJoint compresses only payloads longer than this.
const compressThreshold = 1000

// Option configures Marshal, Unmarshal and Decode.
type Option func(*options)

type options struct {
	compress     bool
	legacy32     bool
	matlabStruct bool
	msgpack      bool
	maxDecoded   int64
	level        int
	fast         bool
}

// defaultOptions are the options when none are given.
var defaultOptions = options{compress: true, maxDecoded: DefaultMaxDecodedSize, level: 6}

func newOptions(opts []Option) options {
	if len(opts) == 0 {
		return defaultOptions
	}
	return applyOptions(opts)
}

// applyOptions applies opts to the defaults. It is separate from newOptions
// because passing &o to the option functions moves o to the heap, a cost
// that calls without options do not pay.
func applyOptions(opts []Option) options {
	o := defaultOptions
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

// FastCompression compresses with a faster deflate implementation
// (github.com/klauspost/compress) instead of the one that reproduces
// Python's zlib byte for byte. The blobs are standard zlib streams that
// every DataJoint reader decompresses, but their bytes — and so the content
// hash of an external object — differ from what DataJoint for Python writes
// for the same value: an object stored from Go and from Python is then kept
// twice. Use it for large inline arrays where encode speed matters more than
// identical bytes.
func FastCompression() Option { return func(o *options) { o.fast = true } }

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

// MaxDecodedSize bounds the memory that Unmarshal and Decode spend on one
// blob, in bytes (default DefaultMaxDecodedSize; n ≤ 0 keeps the default).
// It applies twice: to the uncompressed payload of a compressed blob (a
// declared size above n fails before anything is allocated, and inflating
// stops as soon as the output passes n), and to the decoded value, the sum
// of what its elements, strings, slices and maps occupy in Go. Either
// failure returns an error wrapping ErrTooLarge that names the limit.
func MaxDecodedSize(n int64) Option {
	return func(o *options) {
		if n > 0 {
			o.maxDecoded = n
		}
	}
}

// tooLarge returns the error for a blob whose decoded value exceeds limit bytes.
func tooLarge(what string, limit int64) error {
	return fmt.Errorf("%w: %s exceeds the decoded-size limit of %d bytes (MaxDecodedSize)", ErrTooLarge, what, limit)
}

// malformed returns an error wrapping ErrMalformed.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}
