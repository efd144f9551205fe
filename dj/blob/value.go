package blob

import (
	"fmt"
	"math"
	"time"
)

// Class is the class_id of an `A` array item: the element type of a numeric,
// logical, char, object or datetime64 array. The numbers are MATLAB's
// mxClassID values, extended by DataJoint for numpy datetime64 units.
type Class uint32

// Array classes. ClassCell, ClassStruct, ClassFunction and ClassUnknown are
// defined by MATLAB but never appear in an `A` item; the decoder rejects them.
const (
	ClassUnknown  Class = 0
	ClassCell     Class = 1
	ClassStruct   Class = 2
	ClassLogical  Class = 3 // bool, 1 byte
	ClassChar     Class = 4 // MATLAB char, one uint16 code unit per element
	ClassObject   Class = 5 // VOID: every element is a nested item (numpy object arrays)
	ClassDouble   Class = 6
	ClassSingle   Class = 7
	ClassInt8     Class = 8
	ClassUint8    Class = 9
	ClassInt16    Class = 10
	ClassUint16   Class = 11
	ClassInt32    Class = 12
	ClassUint32   Class = 13
	ClassInt64    Class = 14
	ClassUint64   Class = 15
	ClassFunction Class = 16

	// ClassDatetime64Y .. ClassDatetime64As are numpy datetime64 arrays
	// (int64 counts of the unit since 1970-01-01T00:00; NaT is math.MinInt64).
	ClassDatetime64Y  Class = 65536
	ClassDatetime64M  Class = 65537
	ClassDatetime64W  Class = 65538
	ClassDatetime64D  Class = 65539
	ClassDatetime64h  Class = 65540
	ClassDatetime64m  Class = 65541
	ClassDatetime64s  Class = 65542
	ClassDatetime64ms Class = 65543
	ClassDatetime64us Class = 65544
	ClassDatetime64ns Class = 65545
	ClassDatetime64ps Class = 65546
	ClassDatetime64fs Class = 65547
	ClassDatetime64As Class = 65548
)

// NaT is the datetime64 "not a time" count.
const NaT = math.MinInt64

var datetimeUnits = [...]string{"Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as"}

var classNames = [...]string{
	ClassLogical: "bool", ClassChar: "bytes1", ClassObject: "object",
	ClassDouble: "float64", ClassSingle: "float32",
	ClassInt8: "int8", ClassUint8: "uint8", ClassInt16: "int16", ClassUint16: "uint16",
	ClassInt32: "int32", ClassUint32: "uint32", ClassInt64: "int64", ClassUint64: "uint64",
}

// IsDatetime64 reports whether c is one of the datetime64 classes.
func (c Class) IsDatetime64() bool { return c >= ClassDatetime64Y && c <= ClassDatetime64As }

// IsNumeric reports whether c is a real numeric class (double … uint64).
func (c Class) IsNumeric() bool { return c >= ClassDouble && c <= ClassUint64 }

// Unit returns the datetime64 unit ("D", "ms", …) of a datetime64 class, or "".
func (c Class) Unit() string {
	if !c.IsDatetime64() {
		return ""
	}
	return datetimeUnits[c-ClassDatetime64Y]
}

// ElemSize returns the size in bytes of one element (one part of a complex
// element) in the blob, or 0 for object arrays and unknown classes.
func (c Class) ElemSize() int {
	switch {
	case c == ClassLogical, c == ClassInt8, c == ClassUint8:
		return 1
	case c == ClassChar, c == ClassInt16, c == ClassUint16:
		return 2
	case c == ClassSingle, c == ClassInt32, c == ClassUint32:
		return 4
	case c == ClassDouble, c == ClassInt64, c == ClassUint64, c.IsDatetime64():
		return 8
	}
	return 0
}

// String returns the numpy dtype name of the class ("float64", "bool",
// "bytes1" for MATLAB char, "object", "datetime64[ms]", …).
func (c Class) String() string {
	if c.IsDatetime64() {
		return "datetime64[" + c.Unit() + "]"
	}
	if int(c) < len(classNames) && classNames[c] != "" {
		return classNames[c]
	}
	return fmt.Sprintf("class(%d)", uint32(c))
}

// Array is an `A` item: an n-dimensional array with a shape and its elements
// in column-major (Fortran, MATLAB) order, as they are stored in the blob.
//
// Data holds the elements (the real parts of a complex array) as a typed
// slice matching Class:
//
//	ClassLogical   []bool        ClassChar      []uint16 (UTF-16 code units)
//	ClassDouble    []float64     ClassSingle    []float32
//	ClassInt8      []int8        ClassUint8     []uint8
//	ClassInt16     []int16       ClassUint16    []uint16
//	ClassInt32     []int32       ClassUint32    []uint32
//	ClassInt64     []int64       ClassUint64    []uint64
//	ClassObject    []any         (model values, one per element)
//	datetime64     []int64       (counts of the unit; NaT is math.MinInt64)
//
// Imag is nil for a real array; for a complex array it holds the imaginary
// parts with the same type and length as Data (only numeric classes can be
// complex). len(Shape) is the number of dimensions: 0 for a numpy scalar (one
// element), 1 for a 1-D numpy array, ≥ 2 for MATLAB arrays. The number of
// elements is the product of Shape.
type Array struct {
	Class Class
	Shape []int
	Data  any
	Imag  any
}

// NewArray returns an array of the given shape (column-major data) whose class
// is inferred from the element type of data: []float64 → ClassDouble, []int32
// → ClassInt32, []bool → ClassLogical, []any → ClassObject, []complex128 →
// complex ClassDouble, []complex64 → complex ClassSingle. ([]uint16 gives
// ClassUint16; set Class to ClassChar for MATLAB char.) It returns an error
// when the type is not an array element type or len(data) does not match shape.
func NewArray(data any, shape ...int) (*Array, error) {
	a := &Array{Shape: append([]int(nil), shape...)}
	switch x := data.(type) {
	case []complex128:
		re, im := make([]float64, len(x)), make([]float64, len(x))
		for i, c := range x {
			re[i], im[i] = real(c), imag(c)
		}
		a.Class, a.Data, a.Imag = ClassDouble, re, im
	case []complex64:
		re, im := make([]float32, len(x)), make([]float32, len(x))
		for i, c := range x {
			re[i], im[i] = real(c), imag(c)
		}
		a.Class, a.Data, a.Imag = ClassSingle, re, im
	default:
		c, ok := classOfSlice(data)
		if !ok {
			return nil, fmt.Errorf("%w: %T is not an array element slice", ErrType, data)
		}
		a.Class, a.Data = c, data
	}
	if err := a.check(); err != nil {
		return nil, err
	}
	return a, nil
}

// classOfSlice maps a typed element slice to its default class.
func classOfSlice(data any) (Class, bool) {
	switch data.(type) {
	case []bool:
		return ClassLogical, true
	case []float64:
		return ClassDouble, true
	case []float32:
		return ClassSingle, true
	case []int8:
		return ClassInt8, true
	case []uint8:
		return ClassUint8, true
	case []int16:
		return ClassInt16, true
	case []uint16:
		return ClassUint16, true
	case []int32:
		return ClassInt32, true
	case []uint32:
		return ClassUint32, true
	case []int64:
		return ClassInt64, true
	case []uint64:
		return ClassUint64, true
	case []any:
		return ClassObject, true
	}
	return 0, false
}

// Len returns the number of elements: the product of Shape (1 for ndim 0),
// or -1 if the product overflows int.
func (a *Array) Len() int { return shapeProduct(a.Shape) }

// IsComplex reports whether the array has imaginary parts.
func (a *Array) IsComplex() bool { return a.Imag != nil }

// DType returns the numpy dtype name of the array: the class name, or
// "complex128"/"complex64" for complex double/single arrays.
func (a *Array) DType() string {
	if a.Imag != nil {
		switch a.Class {
		case ClassDouble:
			return "complex128"
		case ClassSingle:
			return "complex64"
		}
		return "complex(" + a.Class.String() + ")"
	}
	return a.Class.String()
}

// check verifies that Data (and Imag) have the Go type that Class requires
// and as many elements as Shape describes.
func (a *Array) check() error {
	n := a.Len()
	if n < 0 {
		return fmt.Errorf("%w: array shape %v overflows", ErrType, a.Shape)
	}
	for _, d := range a.Shape {
		if d < 0 {
			return fmt.Errorf("%w: negative dimension in array shape %v", ErrType, a.Shape)
		}
	}
	var want Class
	switch a.Data.(type) {
	case []uint16:
		want = ClassUint16
		if a.Class == ClassChar {
			want = ClassChar
		}
	case []int64:
		want = ClassInt64
		if a.Class.IsDatetime64() {
			want = a.Class
		}
	default:
		var ok bool
		if want, ok = classOfSlice(a.Data); !ok {
			return fmt.Errorf("%w: array data of type %T", ErrType, a.Data)
		}
	}
	if want != a.Class {
		return fmt.Errorf("%w: array class %v with data of type %T", ErrType, a.Class, a.Data)
	}
	if l := sliceLen(a.Data); l != n {
		return fmt.Errorf("%w: array of shape %v has %d elements", ErrType, a.Shape, l)
	}
	if a.Imag != nil {
		if !a.Class.IsNumeric() {
			return fmt.Errorf("%w: %v array cannot be complex", ErrType, a.Class)
		}
		if fmt.Sprintf("%T", a.Imag) != fmt.Sprintf("%T", a.Data) || sliceLen(a.Imag) != n {
			return fmt.Errorf("%w: imaginary parts (%T) do not match real parts (%T)", ErrType, a.Imag, a.Data)
		}
	}
	return nil
}

// shapeProduct returns the product of the dimensions (1 for no dimensions),
// 0 if any is 0, or -1 on overflow or negative dimensions.
func shapeProduct(shape []int) int {
	n := 1
	for _, d := range shape {
		if d == 0 {
			return 0
		}
	}
	for _, d := range shape {
		if d < 0 || (d > 0 && n > math.MaxInt/d) {
			return -1
		}
		n *= d
	}
	return n
}

// MatStruct is a MATLAB struct array (code `S`, DataJoint's dj.MatStruct).
// Elems holds one slice of field values (in Fields order) per element, with
// the elements in column-major order; len(Elems) is the product of Shape.
type MatStruct struct {
	Shape  []int
	Fields []string
	Elems  [][]any
}

// MatCell is a MATLAB cell array (code `C`, DataJoint's dj.MatCell): one
// value per element, column-major; len(Items) is the product of Shape.
type MatCell struct {
	Shape []int
	Items []any
}

// Record is a numpy structured (record) array (code `F`): one array per
// field, each holding that field for every element. A field value is an
// *Array, or a *Record for a nested structured field.
type Record struct {
	Fields []RecordField
}

// RecordField is one named field of a Record.
type RecordField struct {
	Name  string
	Value any
}

// Shape returns the shape of the record array: the shape of its first field
// (nil when it has no fields).
func (r *Record) Shape() []int {
	if len(r.Fields) == 0 {
		return nil
	}
	switch f := r.Fields[0].Value.(type) {
	case *Array:
		return f.Shape
	case *Record:
		return f.Shape()
	}
	return nil
}

// Item is one key/value pair of a Dict.
type Item struct {
	Key   any
	Value any
}

// Dict is an ordered dictionary (code 0x04). Keys may be any encodable value;
// the pairs are written and read in slice order, which is how DataJoint keeps
// the order of key attributes (the ~jobs table stores each key as a Dict).
type Dict []Item

// Get returns the value of the first item whose key is the string key.
func (d Dict) Get(key string) (any, bool) {
	for _, it := range d {
		if s, ok := it.Key.(string); ok && s == key {
			return it.Value, true
		}
	}
	return nil, false
}

// Tuple is a Python tuple (code 0x01). A plain []any is a list (code 0x02).
type Tuple []any

// Set is a Python set (code 0x03), in the order of the blob.
type Set []any

// Decimal is a decimal number in Python's str(Decimal) notation ("3.14",
// "-0.000100", "1E+10"), code 'd'. It is stored as text, so no digit is lost.
type Decimal string

// Date is a calendar date without a time of day: a MySQL DATE, Python
// datetime.date (code 't' with no time part).
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// String returns the date as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// DateOf returns the date of t in t's location.
func DateOf(t time.Time) Date { return Date{t.Year(), t.Month(), t.Day()} }

// TimeOfDay is a time of day without a date, as the time since midnight: a
// Python datetime.time (code 't' with no date part). Valid values are in
// [0, 24h); the blob stores microseconds, so finer precision is truncated.
type TimeOfDay time.Duration

// String returns the time as HH:MM:SS or HH:MM:SS.ffffff, as Python's isoformat.
func (t TimeOfDay) String() string {
	us := time.Duration(t) / time.Microsecond
	h, m, s, f := us/3600e6, us/60e6%60, us/1e6%60, us%1e6
	if f != 0 {
		return fmt.Sprintf("%02d:%02d:%02d.%06d", h, m, s, f)
	}
	return fmt.Sprintf("%02d:%02d:%02d", h, m, s)
}

// Msgpack holds the payload of a blob in the Go-native msgpack protocol, as
// returned by Decode: the msgpack bytes after the protocol header. Marshal of a
// Msgpack value writes it back unchanged; Unmarshal decodes it into typed
// destinations.
type Msgpack []byte
