// Package blob encodes and decodes DataJoint blobs: the bytes that DataJoint
// for Python (0.14) and MATLAB store in longblob columns and external objects.
// It writes bytes they read and reads every blob they write, byte for byte,
// and it is pure: no database, no I/O.
//
// # Overview
//
//	b, err := blob.Marshal(trace)            // []float64 → mYm 1-D double array
//	err = blob.Unmarshal(b, &trace)          // back into a []float64
//	err = blob.Unmarshal(b, &m)              // or a *mat.Dense, map, struct, any…
//	v, err := blob.Decode(b)                 // generic model: *Array, Dict, Tuple, …
//	b2, err := blob.Marshal(v)               // the same bytes again
//
// Marshal compresses by default, as DataJoint's inserts do. Unmarshal and
// Decode never panic on malformed input; they return errors wrapping
// ErrMalformed, and they never allocate more than the input can describe
// and MaxDecodedSize allows.
//
// # Limits on hostile input
//
// Every protocol, the Go-native msgpack one included, is decoded within the
// same bounds: a declared length, count or dimension is checked against the
// bytes that remain before anything is allocated for it; items nest at most
// 1000 deep (DataJoint for Python cannot write deeper blobs); and the
// memory spent on one blob is bounded by MaxDecodedSize (default
// DefaultMaxDecodedSize, 1 GiB). That limit applies to the uncompressed
// payload of a ZL123 envelope (checked against the declared size before
// inflating, and enforced while inflating, whose output grows with what the
// stream yields) and to the decoded value, the sum of the Go memory of its
// elements, strings, slices and maps. A msgpack payload is scanned before
// the msgpack decoder sees it (lengths, depth, and the value's size
// estimated from the destination's largest element type). Exceeding the
// limit is an error wrapping ErrTooLarge that names the limit. The package
// tests decode such inputs (2⁶²-element declarations in every protocol,
// nesting five million deep, 256 MiB compression bombs) in a child process
// whose peak resident memory must stay under 128 MiB.
//
// # Wire format
//
// A blob is an optional compression envelope, a zero-terminated protocol
// header and exactly one item. LEN is a little-endian uint64 (uint32 with
// Legacy32Bit); all numbers are little-endian.
//
//	envelope  "ZL123\0" LEN(uncompressed size) zlib-stream     only if > 1000 bytes and shorter
//	protocol  "mYm\0"   MATLAB subset (numeric/logical/char arrays with ndim ≥ 1, structs, cells)
//	          "dj0\0"   anything else (DataJoint for Python's extensions)
//	          "djgo-msgpack1\0" Go-native msgpack payload (opt-in, see MsgpackProtocol)
//
//	code  name        layout after the code byte                                  Go model
//	'A'   array       ndim:LEN shape:ndim×LEN class:u32 complex:u32 data           *Array
//	                  data: column-major elements; complex: all real parts, then all
//	                  imaginary parts; char: u16 per element; object (class 5):
//	                  LEN+item per element
//	'S'   struct      ndim:LEN shape:ndim×LEN nfields:u32 names ("a\0b\0")         *MatStruct
//	                  then per element (column-major), per field: LEN+item
//	'C'   cell        ndim:LEN shape:ndim×LEN, per element: LEN+item               *MatCell
//	'F'   record      nfields:u32 names, per field one 'A' (or 'F') item, no LEN   *Record
//	'P'   sparse      never written; reading it is ErrUnsupported (as in Python)
//	0xFF  None                                                                     nil
//	0x01  tuple       count:LEN, count × LEN+item                                 Tuple
//	0x02  list        count:LEN, count × LEN+item                                 []any
//	0x03  set         count:LEN, count × LEN+item                                 Set
//	0x04  dict        count:LEN, count × (LEN+key item, LEN+value item)           Dict
//	0x05  str         LEN + UTF-8                                                 string
//	0x06  bytes       LEN + bytes                                                 []byte
//	0x0A  int         nbytes:u16 + two's complement (nbytes = bit_length/8 + 1)   int64, *big.Int
//	0x0B  bool        1 byte                                                      bool
//	0x0C  complex     f64 real, f64 imag                                          complex128
//	0x0D  float       f64                                                         float64
//	'd'   Decimal     LEN + ASCII of str(Decimal)                                 Decimal
//	't'   date/time   date:i32 YYYYMMDD or -1, time:i64 HHMMSSffffff or -1        time.Time, Date, TimeOfDay
//	'u'   UUID        16 bytes                                                    uuid.UUID
//
// Array classes (Class) are MATLAB's mxClassID: 3 logical, 4 char, 5 object,
// 6 double, 7 single, 8–15 int8 … uint64, and 65536–65548 numpy datetime64
// units Y … as. A 0-d array (ndim 0) is a numpy scalar and makes the blob dj0.
//
// # Go mapping (Marshal)
//
//	Go value                                  blob item
//	nil, nil pointer/map/interface            None (0xFF)
//	bool                                      bool (0x0B)
//	int, int8…int64, uint…uint64, *big.Int    int (0x0A), as Python ints
//	float64, float32                          float (0x0D)
//	complex128, complex64                     complex (0x0C)
//	string                                    str (0x05)
//	[]byte, [N]byte                           bytes (0x06)
//	Decimal                                   Decimal ('d')
//	time.Time                                 datetime ('t'): its wall clock in its own location,
//	                                          microseconds (the zone is not stored)
//	Date, TimeOfDay                           date, time ('t')
//	uuid.UUID                                 UUID ('u')
//	[]T, [N]T of bool/ints/floats/complex     1-D array ('A', ndim 1, as numpy arrays from
//	                                          Python); int and uint elements are int64/uint64
//	mat.Dense                                 2-D double array (transposed to column-major;
//	                                          sliced views with stride > cols are handled)
//	mat.VecDense                              1-D double array, like []float64
//	mat.CDense                                2-D complex double array
//	other mat.Matrix (SymDense, TriDense,     2-D double array (through At)
//	DiagDense, BandDense, Transpose, …)
//	Array                                     array of any class and shape (N-d arrays,
//	                                          MATLAB matrices of any type, char, datetime64)
//	[]any, Tuple, Set                         list, tuple, set
//	[]T of other element types                list
//	map[K]V                                   dict, keys in sorted order: strings, numbers
//	                                          and bools by value, other keys by their bytes
//	Dict                                      dict in slice order (use it when order matters)
//	struct                                    dict of its exported fields in declaration order;
//	                                          key = `blob:"name"` tag or snake_case(field name),
//	                                          `blob:"-"` skips; embedded structs are promoted
//	struct, []struct with MatlabStruct()      MATLAB struct array 1×1 or 1×n ('S')
//	MatStruct, MatCell, Record                'S', 'C', 'F'
//	Msgpack                                   a msgpack-protocol blob, unchanged
//	pointers, interfaces                      the value pointed to or held
//
// Every type in the table encodes the same way whether it is held by value or
// by pointer, directly or in an interface (any, mat.Matrix), a slice, a map
// or a struct field: mat.Dense and *mat.Dense give the same bytes, and so do
// Array and *Array, big.Int and *big.Int. A struct that embeds a matrix is a
// struct (the matrix is one field, keyed by its type name), not a matrix.
//
// Marshal refuses, with an error wrapping ErrType that names the Go type, every
// value the blob cannot hold in full, wherever it occurs (also in an empty
// slice or map of that type, and in an interface holding it):
//
//	channels, functions, unsafe.Pointer
//	structs with an unexported field (other than `blob:"-"` ones) and not
//	    listed above: sync.Mutex, time.Location, big.Float, mat.SVD, errors, …
//	    (struct{} has no state and is an empty dict)
//	slices, arrays, maps and pointers of such types
//
// Scalars map as Python's writer maps Python scalars (so the blob is dj0);
// MATLAB reads arrays, so use a 1×1 *Array or mat.Dense for a MATLAB scalar.
//
// # Go mapping (Unmarshal)
//
// Unmarshal into a pointer to any type above converts when no information is
// lost: numbers between Go numeric types when the value is exactly
// representable (and from 1-element arrays, as MATLAB stores scalars), arrays
// of at most one non-singleton dimension into slices and Go arrays (element
// types converted exactly), 1-D and 2-D real arrays into *mat.Dense (1-D as a
// column), vectors into *mat.VecDense, numeric arrays into *mat.CDense,
// real arrays of rank ≤ 2 into an interface that a gonum matrix satisfies
// (mat.Matrix receives a *mat.Dense), MATLAB char arrays into strings (see
// below), dicts and 1-element MATLAB structs into maps
// and structs (keys matched as for Marshal; unknown keys ignored), lists,
// tuples, sets, cells and struct arrays into slices, date into time.Time
// (midnight UTC). Decoding into *any gives natural Go values (see Unmarshal).
// Every other combination is an error wrapping ErrType that names the blob
// type and the Go type; numbers are never rounded, truncated or wrapped (2.5
// into an int, 300 into an int8, 0.1 into a float32 are errors). Matrices
// with zero rows or columns decode into an empty mat.Dense (gonum cannot
// build 0×n matrices).
//
// # MATLAB char arrays
//
// A char array (class 4) decodes as DataJoint for Python 0.14 decodes it,
// read in column-major order like every other array: a 1-D or one-row array
// is a string (Python: the str in a shape (1,) text array); any other shape,
// in *any, is a text array of that shape with one character per element (an
// object *Array of strings, numpy's '<U1'). A []string destination receives
// the rows, each joined: ["abc", "def"] for MATLAB's ['abc';'def'] (one
// string for a row). Decode keeps the char array itself (class, shape, UTF-16
// code units), so that it re-encodes to the same bytes.
//
// Two differences from Python: the encoder writes a char *Array column-major
// as MATLAB does, while DataJoint for Python writes 2-D char arrays row-major
// (numpy tobytes without order="F") and reads them column-major, so a
// Python round trip of a 2×3 char array transposes it and Go decodes a
// Python-written one transposed, exactly as Python does; and Go reads each
// element as a UTF-16 code unit (surrogate pairs joined), where Python keeps
// only the low byte, so the two agree on Latin-1 text only.
//
// # The generic model
//
// Decode returns values that keep everything DataJoint distinguishes: dtype,
// shape, complexity, MATLAB struct vs dict vs record array, tuple vs list vs
// set, int vs float. Marshal of a decoded value reproduces the blob: the
// payload, and the ZL123 envelope of a blob DataJoint for Python compressed,
// since Marshal compresses exactly as Python does (see Compatibility notes;
// a compressed blob is re-compressed, not copied). Describe and
// ParseDescription convert model values to and from the JSON value
// descriptions of the DataJoint golden vectors; the dj command's "blob
// decode" and "blob encode" use them.
//
// Where DataJoint for Python's own decoding loses information, Decode keeps
// what was written: complex arrays with infinite or NaN imaginary parts and
// -0.0 real parts, 0-d complex64 arrays, MATLAB cells (Python 0.14 collapses
// or rejects them), and char arrays (Python turns them into text arrays;
// Unmarshal into *any does the same).
//
// # Compatibility notes
//
// Compressed output is, byte for byte, the zlib stream that the reference
// zlib (madler/zlib, verified against 1.2.13) writes for the same payload at
// the same level, so a value stored from Go and from Python has the same
// bytes and the same content hash in external storage. At the default level
// (6) it is what DataJoint for Python writes (zlib.compress at its default
// level); CompressionLevel(n) gives the bytes of Python's
// zlib.compress(payload, n), which DataJoint for Python reads but never
// writes. A Python linked against another deflate implementation (zlib-ng,
// which some Linux distributions ship as their zlib, or the Intel and
// Cloudflare forks) writes different, equally valid streams: its blobs
// decode alike but do not share content hashes with Go's. Compression runs
// at about the speed of C zlib (some 20–30 MB/s on float arrays);
// FastCompression trades the identical bytes for a deflate many times
// faster.
//
// The msgpack protocol is read only by Go; DataJoint for Python reports an
// unknown protocol for it.
package blob

// Version is the version of this codec's Go-native additions (the msgpack
// protocol header); the DataJoint protocols themselves are fixed.
const Version = 1
