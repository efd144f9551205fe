package blob

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gonum.org/v1/gonum/mat"
)

// Protocol headers (zero-terminated) that start every uncompressed blob.
const (
	headerMYM     = "mYm\x00"
	headerDJ0     = "dj0\x00"
	headerMsgpack = "djgo-msgpack1\x00" // "1" is Version
	headerZL      = "ZL123\x00"
)

// Marshal returns the blob of v: the bytes DataJoint stores in a longblob
// column. The protocol is mYm when v is in the MATLAB subset (numeric, logical
// and char arrays with at least one dimension, MATLAB structs and cells of
// such values) and dj0 otherwise, as DataJoint for Python chooses. By default
// a payload over 1000 bytes is compressed when that makes it shorter
// (Compress(false) turns this off). The package documentation lists how Go
// types are encoded; Marshal returns an error wrapping ErrType for values
// that have no encoding.
func Marshal(v any, opts ...Option) ([]byte, error) {
	return Append(nil, v, opts...)
}

// Append is Marshal appending to dst; it reuses dst's capacity, which makes
// encoding large arrays into a recycled buffer as fast as copying them. On
// error it returns dst unchanged.
func Append(dst []byte, v any, opts ...Option) ([]byte, error) {
	o := newOptions(opts)
	start := len(dst)
	if m, ok := v.(Msgpack); ok {
		buf := append(append(dst, headerMsgpack...), m...)
		return compressTail(buf, start, &o)
	}
	if o.msgpack {
		buf, err := appendMsgpack(append(dst, headerMsgpack...), v)
		if err != nil {
			return dst, err
		}
		return compressTail(buf, start, &o)
	}
	e := encoder{buf: append(dst, headerMYM...), opts: &o}
	if err := e.value(v); err != nil {
		return dst[:start], err
	}
	if e.dj0 {
		copy(e.buf[start:], headerDJ0)
	}
	return compressTail(e.buf, start, &o)
}

// encoder appends items to buf and records whether a dj0-only feature was used.
type encoder struct {
	buf   []byte
	dj0   bool
	opts  *options
	depth int
}

func (e *encoder) u8(b byte)     { e.buf = append(e.buf, b) }
func (e *encoder) u32(n uint32)  { e.buf = binary.LittleEndian.AppendUint32(e.buf, n) }
func (e *encoder) u64(n uint64)  { e.buf = binary.LittleEndian.AppendUint64(e.buf, n) }
func (e *encoder) length(n int)  { e.u64(uint64(n)) }
func (e *encoder) f64(f float64) { e.u64(math.Float64bits(f)) }
func (e *encoder) str(c byte, s string) {
	e.u8(c)
	e.length(len(s))
	e.buf = append(e.buf, s...)
}

// sub writes a length-prefixed nested item.
func (e *encoder) sub(v any) error {
	pos := len(e.buf)
	e.u64(0)
	if err := e.value(v); err != nil {
		return err
	}
	binary.LittleEndian.PutUint64(e.buf[pos:], uint64(len(e.buf)-pos-8))
	return nil
}

// value writes one item. Types of the generic model and common Go types are
// handled here; everything else goes through reflection.
func (e *encoder) value(v any) error {
	if e.depth >= maxDepth {
		return fmt.Errorf("%w: values nested more than %d deep", ErrType, maxDepth)
	}
	e.depth++
	err := e.item(v)
	e.depth--
	return err
}

// item writes one item at the current depth.
func (e *encoder) item(v any) error {
	switch x := v.(type) {
	case nil:
		e.dj0 = true
		e.u8(0xFF)
	case bool:
		e.dj0 = true
		e.u8(0x0B)
		if x {
			e.u8(1)
		} else {
			e.u8(0)
		}
	case int:
		e.int64(int64(x))
	case int8:
		e.int64(int64(x))
	case int16:
		e.int64(int64(x))
	case int32:
		e.int64(int64(x))
	case int64:
		e.int64(x)
	case uint:
		e.uint64(uint64(x))
	case uint8:
		e.uint64(uint64(x))
	case uint16:
		e.uint64(uint64(x))
	case uint32:
		e.uint64(uint64(x))
	case uint64:
		e.uint64(x)
	case *big.Int:
		if x == nil {
			return e.value(nil)
		}
		e.bigInt(x)
	case float64:
		e.float(x)
	case float32:
		e.float(float64(x))
	case complex128:
		e.complex(x)
	case complex64:
		e.complex(complex128(x))
	case string:
		e.dj0 = true
		e.str(0x05, x)
	case []byte:
		e.dj0 = true
		e.u8(0x06)
		e.length(len(x))
		e.buf = append(e.buf, x...)
	case Decimal:
		e.dj0 = true
		e.str('d', string(x))
	case uuid.UUID:
		e.dj0 = true
		e.u8('u')
		e.buf = append(e.buf, x[:]...)
	case time.Time:
		return e.datetime(x)
	case Date:
		return e.date(x)
	case TimeOfDay:
		return e.timeOfDay(x)
	case []any:
		return e.sequence(0x02, x)
	case Tuple:
		return e.sequence(0x01, x)
	case Set:
		return e.sequence(0x03, x)
	case Dict:
		return e.dict(x)
	case *Array:
		if x == nil {
			return e.value(nil)
		}
		return e.array(x)
	case *MatStruct:
		if x == nil {
			return e.value(nil)
		}
		return e.matStruct(x)
	case *MatCell:
		if x == nil {
			return e.value(nil)
		}
		return e.matCell(x)
	case *Record:
		if x == nil {
			return e.value(nil)
		}
		return e.record(x)
	case []float64:
		e.vector(ClassDouble, len(x))
		e.buf = appendElems(e.buf, x)
	case []float32:
		e.vector(ClassSingle, len(x))
		e.buf = appendElems(e.buf, x)
	case []int32:
		e.vector(ClassInt32, len(x))
		e.buf = appendElems(e.buf, x)
	case []int64:
		e.vector(ClassInt64, len(x))
		e.buf = appendElems(e.buf, x)
	case []complex128:
		return e.array(complexArray(x))
	case *mat.Dense:
		if x == nil {
			return e.value(nil)
		}
		e.dense(x)
	case *mat.VecDense:
		if x == nil {
			return e.value(nil)
		}
		e.vecDense(x)
	case *mat.CDense:
		if x == nil {
			return e.value(nil)
		}
		e.cdense(x)
	case map[string]any:
		return stringMapOf(e, x, e.item)
	case map[string][]float64:
		return stringMapOf(e, x, func(v []float64) error {
			e.vector(ClassDouble, len(v))
			e.buf = appendElems(e.buf, v)
			return nil
		})
	case map[string]float64:
		return stringMapOf(e, x, func(v float64) error { e.float(v); return nil })
	case map[string]string:
		return stringMapOf(e, x, func(v string) error { e.str(0x05, v); return nil })
	case Msgpack:
		return fmt.Errorf("%w: a msgpack payload can only be a whole blob", ErrType)
	default:
		return e.reflectValue(v)
	}
	return nil
}

// stringMapOf writes a map with string keys as a dict sorted by key; put
// writes one value item. It serves the common map types without reflection.
func stringMapOf[V any](e *encoder, m map[string]V, put func(V) error) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	e.dj0 = true
	e.u8(0x04)
	e.length(len(keys))
	for _, k := range keys {
		e.length(1 + 8 + len(k))
		e.str(0x05, k)
		pos := len(e.buf)
		e.u64(0)
		if e.depth >= maxDepth {
			return fmt.Errorf("%w: values nested more than %d deep", ErrType, maxDepth)
		}
		e.depth++
		err := put(m[k])
		e.depth--
		if err != nil {
			return fmt.Errorf("dict value for key %q: %w", k, err)
		}
		binary.LittleEndian.PutUint64(e.buf[pos:], uint64(len(e.buf)-pos-8))
	}
	return nil
}

// int64 writes a Python int (code 0x0A) with bit_length//8+1 bytes.
func (e *encoder) int64(v int64) {
	e.dj0 = true
	abs := uint64(v)
	if v < 0 {
		abs = -abs
	}
	n := bits.Len64(abs)/8 + 1
	e.u8(0x0A)
	e.buf = binary.LittleEndian.AppendUint16(e.buf, uint16(n))
	for i := 0; i < n; i++ {
		if i < 8 {
			e.u8(byte(v >> (8 * i)))
		} else {
			e.u8(byte(v >> 63))
		}
	}
}

func (e *encoder) uint64(v uint64) {
	if v <= math.MaxInt64 {
		e.int64(int64(v))
		return
	}
	e.bigInt(new(big.Int).SetUint64(v))
}

// bigInt writes an arbitrary-precision int in two's complement.
func (e *encoder) bigInt(x *big.Int) {
	if x.IsInt64() {
		e.int64(x.Int64())
		return
	}
	e.dj0 = true
	n := x.BitLen()/8 + 1
	if n > 0xFFFF {
		n = 0xFFFF // unreachable for values Python can write; keeps the length field valid
	}
	mag := x
	if x.Sign() < 0 {
		// two's complement: 2^(8n) + x
		mag = new(big.Int).Lsh(big.NewInt(1), uint(8*n))
		mag.Add(mag, x)
	}
	be := mag.FillBytes(make([]byte, n))
	e.u8(0x0A)
	e.buf = binary.LittleEndian.AppendUint16(e.buf, uint16(n))
	for i := n - 1; i >= 0; i-- {
		e.u8(be[i])
	}
}

func (e *encoder) float(f float64) {
	e.dj0 = true
	e.u8(0x0D)
	e.f64(f)
}

func (e *encoder) complex(c complex128) {
	e.dj0 = true
	e.u8(0x0C)
	e.f64(real(c))
	e.f64(imag(c))
}

// dateTime writes code 't' with the date (YYYYMMDD or -1) and time
// (HHMMSSffffff or -1).
func (e *encoder) dateTime(date int32, tod int64) {
	e.dj0 = true
	e.u8('t')
	e.u32(uint32(date))
	e.u64(uint64(tod))
}

func dateNumber(y int, m time.Month, d int) (int32, error) {
	if y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, fmt.Errorf("%w: date %04d-%02d-%02d is outside 0001-01-01 … 9999-12-31 or invalid", ErrType, y, int(m), d)
	}
	return int32(y*10000 + int(m)*100 + d), nil
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func (e *encoder) datetime(t time.Time) error {
	d, err := dateNumber(t.Year(), t.Month(), t.Day())
	if err != nil {
		return err
	}
	tod := ((int64(t.Hour())*100+int64(t.Minute()))*100+int64(t.Second()))*1000000 + int64(t.Nanosecond()/1000)
	e.dateTime(d, tod)
	return nil
}

func (e *encoder) date(x Date) error {
	d, err := dateNumber(x.Year, x.Month, x.Day)
	if err != nil {
		return err
	}
	e.dateTime(d, -1)
	return nil
}

func (e *encoder) timeOfDay(x TimeOfDay) error {
	if x < 0 || time.Duration(x) >= 24*time.Hour {
		return fmt.Errorf("%w: time of day %v is outside [0, 24h)", ErrType, time.Duration(x))
	}
	us := int64(time.Duration(x) / time.Microsecond)
	h, m, s, f := us/3600e6, us/60e6%60, us/1e6%60, us%1e6
	e.dateTime(-1, ((h*100+m)*100+s)*1000000+f)
	return nil
}

// sequence writes a tuple (0x01), list (0x02) or set (0x03).
func (e *encoder) sequence(code byte, items []any) error {
	e.dj0 = true
	e.u8(code)
	e.length(len(items))
	for i, it := range items {
		if err := e.sub(it); err != nil {
			return fmt.Errorf("item %d: %w", i, err)
		}
	}
	return nil
}

func (e *encoder) dict(d Dict) error {
	e.dj0 = true
	e.u8(0x04)
	e.length(len(d))
	for _, it := range d {
		if err := e.sub(it.Key); err != nil {
			return fmt.Errorf("dict key %v: %w", it.Key, err)
		}
		if err := e.sub(it.Value); err != nil {
			return fmt.Errorf("dict value for key %v: %w", it.Key, err)
		}
	}
	return nil
}

// names writes field names joined and terminated by NUL.
func (e *encoder) names(names []string) error {
	for _, n := range names {
		if strings.IndexByte(n, 0) >= 0 {
			return fmt.Errorf("%w: field name %q contains NUL", ErrType, n)
		}
		e.buf = append(e.buf, n...)
		e.u8(0)
	}
	return nil
}

func (e *encoder) shape(shape []int) {
	e.length(len(shape))
	for _, d := range shape {
		e.length(d)
	}
}

func (e *encoder) matStruct(s *MatStruct) error {
	n := shapeProduct(s.Shape)
	if n < 0 || len(s.Elems) != n && len(s.Fields) > 0 {
		return fmt.Errorf("%w: MATLAB struct of shape %v has %d elements", ErrType, s.Shape, len(s.Elems))
	}
	e.u8('S')
	e.shape(s.Shape)
	e.u32(uint32(len(s.Fields)))
	if len(s.Fields) == 0 {
		return nil
	}
	if err := e.names(s.Fields); err != nil {
		return err
	}
	for i, el := range s.Elems {
		if len(el) != len(s.Fields) {
			return fmt.Errorf("%w: MATLAB struct element %d has %d values for %d fields", ErrType, i, len(el), len(s.Fields))
		}
		for f, v := range el {
			if err := e.sub(v); err != nil {
				return fmt.Errorf("struct field %s: %w", s.Fields[f], err)
			}
		}
	}
	return nil
}

func (e *encoder) matCell(c *MatCell) error {
	n := shapeProduct(c.Shape)
	if n < 0 || len(c.Items) != n {
		return fmt.Errorf("%w: MATLAB cell of shape %v has %d elements", ErrType, c.Shape, len(c.Items))
	}
	e.u8('C')
	e.shape(c.Shape)
	for i, it := range c.Items {
		if err := e.sub(it); err != nil {
			return fmt.Errorf("cell element %d: %w", i, err)
		}
	}
	return nil
}

func (e *encoder) record(r *Record) error {
	e.dj0 = true
	e.u8('F')
	e.u32(uint32(len(r.Fields)))
	names := make([]string, len(r.Fields))
	for i, f := range r.Fields {
		names[i] = f.Name
	}
	if len(names) == 0 {
		return nil
	}
	if err := e.names(names); err != nil {
		return err
	}
	for _, f := range r.Fields {
		var err error
		switch x := f.Value.(type) {
		case *Array:
			err = e.array(x)
		case *Record:
			err = e.record(x)
		default:
			err = fmt.Errorf("%w: record field value must be *Array or *Record, not %T", ErrType, f.Value)
		}
		if err != nil {
			return fmt.Errorf("record field %s: %w", f.Name, err)
		}
	}
	return nil
}
