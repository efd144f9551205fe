package blob

import (
	"fmt"
	"math/big"
	"reflect"
	"time"
	"unicode/utf16"

	"github.com/google/uuid"
	"gonum.org/v1/gonum/mat"
)

// Unmarshal decodes a blob into the value pointed to by v.
//
// Into *any it stores natural Go values: those of Decode, except that 0-d
// arrays become Go scalars (float64, int32, complex128, …), 1-D numeric and
// logical arrays become typed slices ([]float64, []bool, …), 1-D object
// arrays and tuples/sets become []any, MATLAB char rows become strings and
// other char arrays text arrays (object *Array of one-character strings, as
// DataJoint for Python reads them), and dicts whose keys are all strings
// become map[string]any. Other arrays stay *Array. Typed destinations (see the package documentation) receive a
// value when the conversion is lossless: an int blob into an int8 if it
// fits, a 1×1 MATLAB double into a float64, an int32 array into []float64.
// Otherwise Unmarshal returns an error wrapping ErrType that names the blob
// type and the Go type. Malformed blobs give errors wrapping ErrMalformed;
// blobs that need more memory than MaxDecodedSize allows (1 GiB by default),
// errors wrapping ErrTooLarge.
//
// Slices and *mat.Dense destinations reuse their existing storage when it is
// large enough, so decoding repeatedly into the same destination does not
// allocate.
func Unmarshal(data []byte, v any, opts ...Option) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("%w: Unmarshal needs a non-nil pointer, not %T", ErrType, v)
	}
	o := newOptions(opts)
	payload, err := decompress(data, &o)
	if err != nil {
		return err
	}
	proto, body, err := splitProtocol(payload)
	if err != nil {
		return err
	}
	if proto == headerMsgpack {
		return decodeMsgpack(body, v, &o)
	}
	if done, err := unmarshalFast(body, v, &o); done {
		return err
	}
	d := newDecoder(body, &o)
	val, err := d.item()
	if err != nil {
		return err
	}
	if d.pos != len(d.b) {
		return malformed("blob length check failed: %d bytes after the top-level item", len(d.b)-d.pos)
	}
	return newAssigner(&o).assign(rv.Elem(), val)
}

// unmarshalFast decodes a top-level real array straight into a []float64,
// []float32, []int64, []int32, *mat.Dense or *mat.VecDense destination of
// the same element type, without building the generic value. It reports
// false when the blob or destination does not qualify.
func unmarshalFast(body []byte, v any, o *options) (bool, error) {
	if len(body) == 0 || body[0] != 'A' {
		return false, nil
	}
	switch v.(type) {
	case *[]float64, *[]float32, *[]int64, *[]int32, *mat.Dense, *mat.VecDense:
	default:
		return false, nil
	}
	d := newDecoder(body, o)
	d.pos = 1
	// The shape of a vector or matrix is read into a buffer on the stack.
	var dims [2]int
	ndim, err := d.count(d.lenSize())
	if err != nil {
		return true, err
	}
	if ndim > len(dims) {
		return false, nil
	}
	for i := range ndim {
		if dims[i], err = d.length(); err != nil {
			return true, err
		}
	}
	h, err := d.arrayClass(dims[:ndim])
	if err != nil {
		return true, err
	}
	if h.complex || h.class == ClassObject || d.rem() != h.n*h.class.ElemSize() {
		return false, nil
	}
	if int64(d.rem()) > o.maxDecoded {
		return true, tooLarge(fmt.Sprintf("%v array of %d elements", h.class, h.n), o.maxDecoded)
	}
	src := d.b[d.pos:]
	switch dst := v.(type) {
	case *[]float64:
		return fastSlice(dst, h, ClassDouble, src)
	case *[]float32:
		return fastSlice(dst, h, ClassSingle, src)
	case *[]int64:
		return fastSlice(dst, h, ClassInt64, src)
	case *[]int32:
		return fastSlice(dst, h, ClassInt32, src)
	case *mat.Dense:
		r, c, ok := matrixDims(h.shape)
		if !ok || h.class != ClassDouble {
			return false, nil
		}
		setDense(dst, r, c, src)
		return true, nil
	case *mat.VecDense:
		if h.class != ClassDouble || !isVector(h.shape) {
			return false, nil
		}
		raw := dst.RawVector()
		dst.Reset()
		if h.n == 0 {
			return true, nil
		}
		buf := raw.Data[:cap(raw.Data)]
		if len(buf) < h.n {
			buf = make([]float64, h.n)
		}
		buf = buf[:h.n]
		readElems(buf, src)
		dst.SetRawVector(vector(buf))
		return true, nil
	}
	return false, nil
}

func fastSlice[T fixed](dst *[]T, h arrayHeader, want Class, src []byte) (bool, error) {
	if h.class != want || !isVector(h.shape) {
		return false, nil
	}
	s := *dst
	if cap(s) >= h.n {
		s = s[:h.n]
	} else {
		s = make([]T, h.n)
	}
	readElems(s, src)
	*dst = s
	return true, nil
}

// isVector reports whether at most one dimension exceeds 1, so the
// column-major data are the vector's elements in order.
func isVector(shape []int) bool {
	big := 0
	for _, d := range shape {
		if d > 1 {
			big++
		}
	}
	return big <= 1
}

var (
	anyType       = reflect.TypeFor[any]()
	denseType     = reflect.TypeFor[mat.Dense]()
	vecDenseType  = reflect.TypeFor[mat.VecDense]()
	cdenseType    = reflect.TypeFor[mat.CDense]()
	bigIntType    = reflect.TypeFor[big.Int]()
	timeType      = reflect.TypeFor[time.Time]()
	uuidType      = reflect.TypeFor[uuid.UUID]()
	arrayType     = reflect.TypeFor[Array]()
	matStructType = reflect.TypeFor[MatStruct]()
	matCellType   = reflect.TypeFor[MatCell]()
	recordType    = reflect.TypeFor[Record]()
	dictType      = reflect.TypeFor[Dict]()
	tupleType     = reflect.TypeFor[Tuple]()
	setType       = reflect.TypeFor[Set]()
	decimalType   = reflect.TypeFor[Decimal]()
	dateType      = reflect.TypeFor[Date]()
	todType       = reflect.TypeFor[TimeOfDay]()
	msgpackType   = reflect.TypeFor[Msgpack]()
)

// typeErr is the error for a blob value that cannot go into a Go type.
func typeErr(src any, goType any) error {
	return fmt.Errorf("%w: cannot decode blob %s into Go %v", ErrType, typeName(src), goType)
}

// typeName names a model value for error messages.
func typeName(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		return "bool"
	case int64, *big.Int:
		return "int"
	case float64:
		return "float"
	case complex128:
		return "complex"
	case string:
		return "str"
	case []byte:
		return "bytes"
	case Decimal:
		return "Decimal"
	case uuid.UUID:
		return "UUID"
	case time.Time:
		return "datetime"
	case Date:
		return "date"
	case TimeOfDay:
		return "time"
	case []any:
		return "list"
	case Tuple:
		return "tuple"
	case Set:
		return "set"
	case Dict:
		return "dict"
	case *Array:
		return fmt.Sprintf("%s array %v", x.DType(), x.Shape)
	case *MatStruct:
		return fmt.Sprintf("MATLAB struct %v", x.Shape)
	case *MatCell:
		return fmt.Sprintf("MATLAB cell %v", x.Shape)
	case *Record:
		return fmt.Sprintf("record array %v", x.Shape())
	case Msgpack:
		return "msgpack"
	}
	return fmt.Sprintf("%T", v)
}

// assign stores the model value src in the settable dst.
func (as *assigner) assign(dst reflect.Value, src any) error {
	t := dst.Type()
	if t == anyType {
		if n := natural(src); n != nil {
			dst.Set(reflect.ValueOf(n))
		} else {
			dst.SetZero()
		}
		return nil
	}
	if t.Kind() == reflect.Pointer {
		if src == nil {
			dst.SetZero()
			return nil
		}
		if dst.IsNil() {
			dst.Set(reflect.New(t.Elem()))
		}
		return as.assign(dst.Elem(), src)
	}
	if done, err := as.assignSpecial(dst, src); done {
		return err
	}
	switch t.Kind() {
	case reflect.Interface:
		if src == nil {
			dst.SetZero()
			return nil
		}
		n := reflect.ValueOf(natural(src))
		if n.IsValid() && n.Type().Implements(t) {
			dst.Set(n)
			return nil
		}
		if a, ok := src.(*Array); ok {
			// An interface that a gonum matrix satisfies (mat.Matrix,
			// mat.Vector, …) receives a *mat.Dense, *mat.VecDense or
			// *mat.CDense.
			for _, mt := range [...]reflect.Type{denseType, vecDenseType, cdenseType} {
				if reflect.PointerTo(mt).Implements(t) {
					p := reflect.New(mt)
					if err := as.assign(p.Elem(), a); err != nil {
						return err
					}
					dst.Set(p)
					return nil
				}
			}
		}
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return assignScalar(dst, src)
	case reflect.String:
		switch x := src.(type) {
		case string:
			dst.SetString(x)
			return nil
		case *Array:
			if s, ok := charString(x); ok {
				dst.SetString(s)
				return nil
			}
		}
	case reflect.Slice, reflect.Array:
		return as.assignSequence(dst, src)
	case reflect.Map:
		return as.assignMap(dst, src)
	case reflect.Struct:
		return as.assignStruct(dst, src)
	}
	return typeErr(src, t)
}

// assignSpecial handles the Go types with a dedicated blob mapping.
func (as *assigner) assignSpecial(dst reflect.Value, src any) (bool, error) {
	t := dst.Type()
	if t.PkgPath() == "" {
		return false, nil // unnamed types ([]float64, map[string]any, …) are never special
	}
	fail := func() (bool, error) { return true, typeErr(src, t) }
	switch t {
	case denseType, vecDenseType, cdenseType:
		a, ok := src.(*Array)
		if !ok {
			return fail()
		}
		switch m := dst.Addr().Interface().(type) {
		case *mat.Dense:
			return true, as.arrayToDense(m, a)
		case *mat.VecDense:
			return true, as.arrayToVecDense(m, a)
		case *mat.CDense:
			return true, as.arrayToCDense(m, a)
		}
	case bigIntType:
		switch x := src.(type) {
		case int64:
			dst.Set(reflect.ValueOf(*big.NewInt(x)))
		case *big.Int:
			dst.Set(reflect.ValueOf(*new(big.Int).Set(x)))
		default:
			return fail()
		}
		return true, nil
	case timeType:
		switch x := src.(type) {
		case time.Time:
			dst.Set(reflect.ValueOf(x))
		case Date:
			dst.Set(reflect.ValueOf(time.Date(x.Year, x.Month, x.Day, 0, 0, 0, 0, time.UTC)))
		default:
			return fail()
		}
		return true, nil
	case dateType:
		switch x := src.(type) {
		case Date:
			dst.Set(reflect.ValueOf(x))
		case time.Time:
			if x.Hour() != 0 || x.Minute() != 0 || x.Second() != 0 || x.Nanosecond() != 0 {
				return fail()
			}
			dst.Set(reflect.ValueOf(DateOf(x)))
		default:
			return fail()
		}
		return true, nil
	case uuidType, todType, decimalType, arrayType, matStructType, matCellType, recordType, msgpackType:
		sv := reflect.ValueOf(src)
		if sv.Kind() == reflect.Pointer && !sv.IsNil() {
			sv = sv.Elem()
		}
		if !sv.IsValid() || sv.Type() != t {
			return fail()
		}
		dst.Set(sv)
		return true, nil
	case dictType:
		switch x := src.(type) {
		case Dict:
			dst.Set(reflect.ValueOf(x))
		default:
			return fail()
		}
		return true, nil
	case tupleType, setType:
		items, ok := seqItems(src)
		if !ok {
			return fail()
		}
		dst.Set(reflect.ValueOf(items).Convert(t))
		return true, nil
	}
	return false, nil
}

// seqItems returns the items of a list, tuple or set.
func seqItems(src any) ([]any, bool) {
	switch x := src.(type) {
	case []any:
		return x, true
	case Tuple:
		return x, true
	case Set:
		return x, true
	}
	return nil, false
}

// charString returns a MATLAB char array with one row (or 1-D) as a string,
// as DataJoint for Python does (it reads a 1×n or 1-D char array as str).
func charString(a *Array) (string, bool) {
	if a.Class != ClassChar || !isCharRow(a.Shape) {
		return "", false
	}
	return string(utf16.Decode(a.Data.([]uint16))), true
}

// isCharRow reports whether a char array of this shape is one string for
// DataJoint for Python: 1-D, or 2-D with one row.
func isCharRow(shape []int) bool {
	return len(shape) == 1 || len(shape) == 2 && shape[0] == 1
}

// charText returns a char array of any other shape as DataJoint for Python
// decodes it: a text array of the same shape, one character per element, in
// the blob's column-major order (an object array of strings).
func charText(a *Array) *Array {
	units := a.Data.([]uint16)
	items := make([]any, len(units))
	for i := range units {
		items[i] = string(utf16.Decode(units[i : i+1]))
	}
	return &Array{Class: ClassObject, Shape: append([]int(nil), a.Shape...), Data: items}
}

// charRows returns the rows of a char array as strings: one string for a
// char row or 1-D array, r strings for an r×c array (row i holds the
// elements (i, 0), (i, 1), … of the column-major data).
func charRows(a *Array) ([]string, bool) {
	if a.Class != ClassChar {
		return nil, false
	}
	if s, ok := charString(a); ok {
		return []string{s}, true
	}
	if len(a.Shape) != 2 {
		return nil, false
	}
	r, c := a.Shape[0], a.Shape[1]
	units := a.Data.([]uint16)
	rows := make([]string, r)
	row := make([]uint16, c)
	for i := range rows {
		for j := range row {
			row[j] = units[j*r+i]
		}
		rows[i] = string(utf16.Decode(row))
	}
	return rows, true
}

// natural converts a model value into the natural Go value Unmarshal stores
// in an *any.
func natural(v any) any {
	switch x := v.(type) {
	case *Array:
		if x.Class == ClassChar {
			if s, ok := charString(x); ok {
				return s
			}
			return charText(x)
		}
		if x.Class.IsDatetime64() || len(x.Shape) > 1 {
			return x
		}
		if x.Class == ClassObject {
			items := x.Data.([]any)
			out := make([]any, len(items))
			for i, it := range items {
				out[i] = natural(it)
			}
			if len(x.Shape) == 0 {
				return out[0]
			}
			return out
		}
		data := x.Data
		if x.Imag != nil {
			switch re := x.Data.(type) {
			case []float64:
				im := x.Imag.([]float64)
				c := make([]complex128, len(re))
				for i := range re {
					c[i] = complex(re[i], im[i])
				}
				data = c
			case []float32:
				im := x.Imag.([]float32)
				c := make([]complex64, len(re))
				for i := range re {
					c[i] = complex(re[i], im[i])
				}
				data = c
			default:
				return x
			}
		}
		if len(x.Shape) == 0 {
			return reflect.ValueOf(data).Index(0).Interface()
		}
		return data
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = natural(it)
		}
		return out
	case Tuple:
		return natural([]any(x))
	case Set:
		return natural([]any(x))
	case Dict:
		m := make(map[string]any, len(x))
		for _, it := range x {
			k, ok := it.Key.(string)
			if !ok {
				out := make(Dict, len(x))
				for i, it := range x {
					out[i] = Item{it.Key, natural(it.Value)}
				}
				return out
			}
			m[k] = natural(it.Value)
		}
		return m
	}
	return v
}
