package blob

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/datajoint-go/datajoint/dj/internal/pyfmt"
)

// Value descriptions are the JSON objects of the DataJoint blob golden
// vectors (blob-vectors/README.md): every value is an object with a "type"
// ("none", "bool", "int", "float", "complex", "str", "bytes", "decimal",
// "uuid", "date", "time", "datetime", "list", "tuple", "set", "dict",
// "ndarray", "scalar", "recarray", "structured", "struct", "cell"). Numbers
// are exact; non-finite floats are the strings "NaN", "Infinity" and
// "-Infinity"; array data are column-major. Two additions cover what the
// vectors do not: MATLAB char arrays are ndarrays of dtype "bytes1" whose data
// are the hex of each code unit (as the vectors' inputs write numpy S1
// arrays), and a msgpack-protocol blob is {"type": "msgpack", "hex": …}.

// summaryThreshold: Describe summarises arrays with more elements than this.
const summaryThreshold = 10000

// Describe returns the JSON value description of a model value (as returned
// by Decode). Numeric arrays of more than 10,000 elements are summarised by
// "data_sha256" (of their little-endian column-major bytes, real parts then
// imaginary parts, as in the blob) and "data_head" (the first 8 elements),
// as in the golden vectors; DescribeFull writes all data.
func Describe(v any) ([]byte, error) {
	w := describer{}
	if err := w.value(v, false); err != nil {
		return nil, err
	}
	return w.buf, nil
}

// DescribeFull is Describe without summaries: every array element is
// written, so ParseDescription can rebuild the value.
func DescribeFull(v any) ([]byte, error) {
	w := describer{full: true}
	if err := w.value(v, false); err != nil {
		return nil, err
	}
	return w.buf, nil
}

type describer struct {
	buf  []byte
	full bool
}

func (w *describer) raw(s string) { w.buf = append(w.buf, s...) }

func (w *describer) str(s string) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // encoding a string cannot fail
	w.buf = append(w.buf, bytes.TrimRight(b.Bytes(), "\n")...)
}

func (w *describer) head(typ string) { w.raw(`{"type": `); w.str(typ) }

func (w *describer) key(k string) { w.raw(", "); w.str(k); w.raw(": ") }

func (w *describer) ints(shape []int) {
	w.raw("[")
	for i, d := range shape {
		if i > 0 {
			w.raw(", ")
		}
		w.raw(strconv.Itoa(d))
	}
	w.raw("]")
}

// pyFloat formats f as Python's repr does (shortest round-trip digits,
// "1.0", "1e+16", "-0.0"); non-finite values are the JSON strings "NaN",
// "Infinity" and "-Infinity" of the value descriptions.
func pyFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return `"NaN"`
	case math.IsInf(f, 1):
		return `"Infinity"`
	case math.IsInf(f, -1):
		return `"-Infinity"`
	}
	return pyfmt.Float(f)
}

func (w *describer) value(v any, inRecord bool) error {
	switch x := v.(type) {
	case nil:
		w.head("none")
	case bool:
		w.head("bool")
		w.key("value")
		w.raw(strconv.FormatBool(x))
	case int64:
		w.head("int")
		w.key("value")
		w.raw(strconv.FormatInt(x, 10))
	case *big.Int:
		w.head("int")
		w.key("value")
		w.raw(x.String())
	case float64:
		w.head("float")
		w.key("value")
		w.raw(pyFloat(x))
	case complex128:
		w.head("complex")
		w.key("value")
		w.raw("[" + pyFloat(real(x)) + ", " + pyFloat(imag(x)) + "]")
	case string:
		w.head("str")
		w.key("value")
		w.str(x)
	case []byte:
		w.head("bytes")
		w.key("hex")
		w.str(hex.EncodeToString(x))
	case Msgpack:
		w.head("msgpack")
		w.key("hex")
		w.str(hex.EncodeToString(x))
	case Decimal:
		w.head("decimal")
		w.key("value")
		w.str(string(x))
	case uuid.UUID:
		w.head("uuid")
		w.key("value")
		w.str(x.String())
	case Date:
		w.head("date")
		w.key("value")
		w.str(x.String())
	case TimeOfDay:
		w.head("time")
		w.key("value")
		w.str(x.String())
	case time.Time:
		w.head("datetime")
		w.key("value")
		tod := time.Duration(x.Hour())*time.Hour + time.Duration(x.Minute())*time.Minute +
			time.Duration(x.Second())*time.Second + time.Duration(x.Nanosecond())
		w.str(DateOf(x).String() + "T" + TimeOfDay(tod).String())
	case []any:
		return w.seq("list", x)
	case Tuple:
		return w.seq("tuple", x)
	case Set:
		return w.seq("set", x)
	case Dict:
		w.head("dict")
		w.key("items")
		w.raw("[")
		for i, it := range x {
			if i > 0 {
				w.raw(", ")
			}
			w.raw("[")
			if err := w.value(it.Key, false); err != nil {
				return err
			}
			w.raw(", ")
			if err := w.value(it.Value, false); err != nil {
				return err
			}
			w.raw("]")
		}
		w.raw("]")
	case *Array:
		return w.array(x)
	case *Record:
		if inRecord {
			w.head("structured")
		} else {
			w.head("recarray")
		}
		w.key("shape")
		w.ints(x.Shape())
		w.key("fields")
		w.raw("[")
		for i, f := range x.Fields {
			if i > 0 {
				w.raw(", ")
			}
			w.raw(`{"name": `)
			w.str(f.Name)
			w.key("value")
			if err := w.value(f.Value, true); err != nil {
				return err
			}
			w.raw("}")
		}
		w.raw("]")
	case *MatStruct:
		w.head("struct")
		w.key("shape")
		w.ints(x.Shape)
		w.key("fields")
		w.raw("[")
		for i, f := range x.Fields {
			if i > 0 {
				w.raw(", ")
			}
			w.str(f)
		}
		w.raw("]")
		w.key("items")
		w.raw("[")
		for i, el := range x.Elems {
			if i > 0 {
				w.raw(", ")
			}
			if err := w.list(el); err != nil {
				return err
			}
		}
		w.raw("]")
	case *MatCell:
		w.head("cell")
		w.key("shape")
		w.ints(x.Shape)
		w.key("dtype")
		w.str("object")
		w.key("items")
		return w.finish(w.list(x.Items))
	default:
		return fmt.Errorf("%w: %T is not a blob model value", ErrType, v)
	}
	w.raw("}")
	return nil
}

// finish closes an object after a final member written by f.
func (w *describer) finish(err error) error {
	if err != nil {
		return err
	}
	w.raw("}")
	return nil
}

func (w *describer) list(items []any) error {
	w.raw("[")
	for i, it := range items {
		if i > 0 {
			w.raw(", ")
		}
		if err := w.value(it, false); err != nil {
			return err
		}
	}
	w.raw("]")
	return nil
}

func (w *describer) seq(typ string, items []any) error {
	w.head(typ)
	w.key("items")
	return w.finish(w.list(items))
}

// elem returns the JSON of element i of an array.
func elemJSON(a *Array, i int) string {
	if a.Imag != nil {
		re, _ := elemFloat(a.Data, i)
		im, _ := elemFloat(a.Imag, i)
		return "[" + pyFloat(re) + ", " + pyFloat(im) + "]"
	}
	switch x := a.Data.(type) {
	case []bool:
		return strconv.FormatBool(x[i])
	case []float64:
		return pyFloat(x[i])
	case []float32:
		return pyFloat(float64(x[i]))
	case []uint16:
		if a.Class == ClassChar {
			if x[i] < 256 {
				return fmt.Sprintf(`"%02x"`, x[i])
			}
			return fmt.Sprintf(`"%04x"`, x[i])
		}
		return strconv.Itoa(int(x[i]))
	case []int8:
		return strconv.Itoa(int(x[i]))
	case []uint8:
		return strconv.Itoa(int(x[i]))
	case []int16:
		return strconv.Itoa(int(x[i]))
	case []int32:
		return strconv.Itoa(int(x[i]))
	case []uint32:
		return strconv.FormatUint(uint64(x[i]), 10)
	case []int64:
		return strconv.FormatInt(x[i], 10)
	case []uint64:
		return strconv.FormatUint(x[i], 10)
	}
	return "null"
}

func (w *describer) array(a *Array) error {
	if err := a.check(); err != nil {
		return err
	}
	n := a.Len()
	if a.Class == ClassObject {
		w.head("ndarray")
		w.key("dtype")
		w.str("object")
		w.key("shape")
		w.ints(a.Shape)
		w.key("items")
		return w.finish(w.list(a.Data.([]any)))
	}
	dt := a.Class.IsDatetime64()
	if len(a.Shape) == 0 && a.Class != ClassChar {
		w.head("scalar")
		w.key("dtype")
		w.str(a.DType())
		if dt {
			w.key("unit")
			w.str(a.Class.Unit())
			w.key("iso")
			w.str(datetime64ISO(a.Data.([]int64)[0], a.Class))
		}
		w.key("value")
		w.raw(elemJSON(a, 0))
		w.raw("}")
		return nil
	}
	w.head("ndarray")
	w.key("dtype")
	w.str(a.DType())
	w.key("shape")
	w.ints(a.Shape)
	if dt {
		w.key("unit")
		w.str(a.Class.Unit())
	}
	limit := n
	if n > summaryThreshold && !w.full {
		limit = min(n, 8)
		h := sha256.New()
		buf, _ := appendData(nil, a.Data)
		h.Write(buf)
		if a.Imag != nil {
			buf, _ = appendData(buf[:0], a.Imag)
			h.Write(buf)
		}
		w.key("data_sha256")
		w.str(hex.EncodeToString(h.Sum(nil)))
		w.key("data_head")
	} else {
		w.key("data")
	}
	w.elems(a, limit)
	if dt {
		w.key("iso")
		w.raw("[")
		for i, c := range a.Data.([]int64)[:limit] {
			if i > 0 {
				w.raw(", ")
			}
			w.str(datetime64ISO(c, a.Class))
		}
		w.raw("]")
	}
	w.raw("}")
	return nil
}

func (w *describer) elems(a *Array, n int) {
	w.raw("[")
	for i := 0; i < n && i < a.Len(); i++ {
		if i > 0 {
			w.raw(", ")
		}
		w.raw(elemJSON(a, i))
	}
	w.raw("]")
}

// datetime64ISO formats a datetime64 count as numpy prints it.
func datetime64ISO(c int64, cl Class) string {
	if c == NaT {
		return "NaT"
	}
	unit := cl.Unit()
	switch unit {
	case "Y":
		return fmt.Sprintf("%04d", 1970+c)
	case "M":
		y, m := floorDiv(c, 12)
		return fmt.Sprintf("%04d-%02d", 1970+y, m+1)
	case "W", "D":
		days := c
		if unit == "W" {
			days = c * 7
		}
		return civil(days, 0, "D")
	}
	var perDay, sub int64
	digits := 0
	switch unit {
	case "h":
		perDay = 24
	case "m":
		perDay = 24 * 60
	case "s":
		perDay = 86400
	case "ms":
		perDay, digits = 86400e3, 3
	case "us":
		perDay, digits = 86400e6, 6
	case "ns":
		perDay, digits = 86400e9, 9
	default: // ps, fs, as: all representable counts lie within a day of the epoch
		perDay = 0
		digits = map[string]int{"ps": 12, "fs": 15, "as": 18}[unit]
	}
	if perDay == 0 {
		scale := int64(math.Pow10(digits))
		secs, frac := floorDiv(c, scale)
		days, s := floorDiv(secs, 86400)
		return civil(days, s, "s") + fmt.Sprintf(".%0*d", digits, frac)
	}
	days, rest := floorDiv(c, perDay)
	switch unit {
	case "h":
		return civil(days, rest*3600, "h")
	case "m":
		return civil(days, rest*60, "m")
	case "s":
		return civil(days, rest, "s")
	}
	scale := int64(math.Pow10(digits))
	sub = rest % scale
	return civil(days, rest/scale, "s") + fmt.Sprintf(".%0*d", digits, sub)
}

// civil formats days since the epoch plus seconds into the day, to the unit.
func civil(days, secs int64, unit string) string {
	t := time.Unix(days*86400+secs, 0).UTC()
	d := fmt.Sprintf("%04d-%02d-%02d", t.Year(), int(t.Month()), t.Day())
	switch unit {
	case "h":
		return d + fmt.Sprintf("T%02d", t.Hour())
	case "m":
		return d + fmt.Sprintf("T%02d:%02d", t.Hour(), t.Minute())
	case "s":
		return d + fmt.Sprintf("T%02d:%02d:%02d", t.Hour(), t.Minute(), t.Second())
	}
	return d
}

func floorDiv(a, b int64) (q, r int64) {
	q, r = a/b, a%b
	if r < 0 {
		q--
		r += b
	}
	return q, r
}
