package blob

import (
	"fmt"
	"math"
	"math/big"
	"reflect"
)

// assigner stores model values in Go destinations, charging what it
// allocates to budget, the bytes that remain under the decoded-size limit.
type assigner struct {
	budget, limit int64
}

// newAssigner returns an assigner with the decoded-size limit of o.
func newAssigner(o *options) *assigner {
	return &assigner{budget: o.maxDecoded, limit: o.maxDecoded}
}

// charge records n elements of size bytes and fails once the total passes
// the decoded-size limit.
func (as *assigner) charge(n int, size uintptr) error {
	if n > 0 && int64(size) > as.budget/int64(n) {
		as.budget = -1
		return tooLarge("decoded value", as.limit)
	}
	as.budget -= int64(n) * int64(size)
	return nil
}

// assignScalar stores a number or bool blob value (a Python scalar, or an
// array with exactly one element) in a bool, integer, float or complex dst.
func assignScalar(dst reflect.Value, src any) error {
	var err error
	switch x := src.(type) {
	case bool:
		if dst.Kind() != reflect.Bool {
			return typeErr(src, dst.Type())
		}
		dst.SetBool(x)
		return nil
	case int64:
		err = setInt(dst, x)
	case *big.Int:
		switch {
		case x.IsInt64():
			err = setInt(dst, x.Int64())
		case x.IsUint64():
			err = setUint(dst, x.Uint64())
		default:
			err = errLossy
		}
	case float64:
		err = setFloat(dst, x)
	case complex128:
		err = setComplex(dst, x)
	case *Array:
		if x.Len() != 1 || x.Class == ClassObject || x.Class == ClassChar || x.Class.IsDatetime64() {
			return typeErr(src, dst.Type())
		}
		if x.Imag != nil {
			re, ok1 := elemFloat(x.Data, 0)
			im, ok2 := elemFloat(x.Imag, 0)
			if !ok1 || !ok2 {
				return typeErr(src, dst.Type())
			}
			err = setComplex(dst, complex(re, im))
		} else {
			err = setElem(dst, x.Data, 0)
		}
	default:
		return typeErr(src, dst.Type())
	}
	if err != nil {
		return fmt.Errorf("%w (%v)", typeErr(src, dst.Type()), err)
	}
	return nil
}

// errLossy explains a failed numeric conversion.
var errLossy = fmt.Errorf("value not representable")

func setInt(dst reflect.Value, v int64) error {
	switch dst.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if dst.OverflowInt(v) {
			return errLossy
		}
		dst.SetInt(v)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if v < 0 || dst.OverflowUint(uint64(v)) {
			return errLossy
		}
		dst.SetUint(uint64(v))
	case reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		f := float64(v)
		if f >= 0x1p63 || int64(f) != v {
			return errLossy
		}
		return setFloat(dst, f)
	default:
		return errLossy
	}
	return nil
}

func setUint(dst reflect.Value, v uint64) error {
	if v <= math.MaxInt64 {
		return setInt(dst, int64(v))
	}
	switch dst.Kind() {
	case reflect.Uint, reflect.Uint64, reflect.Uintptr:
		if dst.OverflowUint(v) {
			return errLossy
		}
		dst.SetUint(v)
	case reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		f := float64(v)
		if f >= 0x1p64 || uint64(f) != v {
			return errLossy
		}
		return setFloat(dst, f)
	default:
		return errLossy
	}
	return nil
}

func setFloat(dst reflect.Value, f float64) error {
	switch dst.Kind() {
	case reflect.Float64:
		dst.SetFloat(f)
	case reflect.Float32:
		if float64(float32(f)) != f && !math.IsNaN(f) {
			return errLossy
		}
		dst.SetFloat(f)
	case reflect.Complex64, reflect.Complex128:
		return setComplex(dst, complex(f, 0))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if f != math.Trunc(f) || f < -0x1p63 || f >= 0x1p63 {
			return errLossy
		}
		return setInt(dst, int64(f))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if f != math.Trunc(f) || f < 0 || f >= 0x1p64 {
			return errLossy
		}
		return setUint(dst, uint64(f))
	default:
		return errLossy
	}
	return nil
}

func setComplex(dst reflect.Value, c complex128) error {
	switch dst.Kind() {
	case reflect.Complex128:
		dst.SetComplex(c)
	case reflect.Complex64:
		r, i := real(c), imag(c)
		if (float64(float32(r)) != r && !math.IsNaN(r)) || (float64(float32(i)) != i && !math.IsNaN(i)) {
			return errLossy
		}
		dst.SetComplex(c)
	default:
		if imag(c) != 0 {
			return errLossy
		}
		return setFloat(dst, real(c))
	}
	return nil
}

// setElem stores element i of a typed data slice in dst.
func setElem(dst reflect.Value, data any, i int) error {
	switch x := data.(type) {
	case []bool:
		if dst.Kind() != reflect.Bool {
			return errLossy
		}
		dst.SetBool(x[i])
		return nil
	case []float64:
		return setFloat(dst, x[i])
	case []float32:
		return setFloat(dst, float64(x[i]))
	case []int8:
		return setInt(dst, int64(x[i]))
	case []uint8:
		return setInt(dst, int64(x[i]))
	case []int16:
		return setInt(dst, int64(x[i]))
	case []uint16:
		return setInt(dst, int64(x[i]))
	case []int32:
		return setInt(dst, int64(x[i]))
	case []uint32:
		return setInt(dst, int64(x[i]))
	case []int64:
		return setInt(dst, x[i])
	case []uint64:
		return setUint(dst, x[i])
	}
	return errLossy
}

// elemFloat returns element i of a numeric data slice as an exact float64.
func elemFloat(data any, i int) (float64, bool) {
	switch x := data.(type) {
	case []float64:
		return x[i], true
	case []float32:
		return float64(x[i]), true
	}
	var f float64
	return f, setElem(reflect.ValueOf(&f).Elem(), data, i) == nil
}

// assignSequence stores a list, tuple, set, array, cell or struct array in a
// slice or Go array dst.
func (as *assigner) assignSequence(dst reflect.Value, src any) error {
	t := dst.Type()
	et := t.Elem()
	if src == nil && t.Kind() == reflect.Slice {
		dst.SetZero()
		return nil
	}
	var n int
	var get func(i int, d reflect.Value) error
	switch x := src.(type) {
	case []byte:
		if et.Kind() != reflect.Uint8 {
			return typeErr(src, t)
		}
		n = len(x)
		if t.Kind() == reflect.Slice {
			// Decoded bytes are a fresh copy that nothing else holds.
			dst.SetBytes(x)
			return nil
		}
		get = func(i int, d reflect.Value) error { d.SetUint(uint64(x[i])); return nil }
	case []any, Tuple, Set:
		items, _ := seqItems(x)
		n = len(items)
		get = func(i int, d reflect.Value) error { return as.assign(d, items[i]) }
	case *MatCell:
		if !isVector(x.Shape) {
			return typeErr(src, t)
		}
		n = len(x.Items)
		get = func(i int, d reflect.Value) error { return as.assign(d, x.Items[i]) }
	case *MatStruct:
		if !isVector(x.Shape) {
			return typeErr(src, t)
		}
		n = len(x.Elems)
		get = func(i int, d reflect.Value) error { return as.assign(d, structElemDict(x, i)) }
	case *Array:
		if x.Class == ClassChar && et.Kind() == reflect.String {
			rows, ok := charRows(x)
			if !ok {
				return typeErr(src, t)
			}
			n = len(rows)
			get = func(i int, d reflect.Value) error { d.SetString(rows[i]); return nil }
			break
		}
		if !isVector(x.Shape) || x.Class == ClassChar || x.Class.IsDatetime64() && et.Kind() != reflect.Int64 {
			return typeErr(src, t)
		}
		n = x.Len()
		if x.Imag == nil && t.Kind() == reflect.Slice && reflect.TypeOf(x.Data) == t {
			dst.Set(reflect.ValueOf(x.Data))
			return nil
		}
		get = func(i int, d reflect.Value) error {
			if x.Imag != nil {
				re, ok1 := elemFloat(x.Data, i)
				im, ok2 := elemFloat(x.Imag, i)
				if !ok1 || !ok2 {
					return errLossy
				}
				return setComplex(d, complex(re, im))
			}
			if items, ok := x.Data.([]any); ok {
				return as.assign(d, items[i])
			}
			return setElem(d, x.Data, i)
		}
	default:
		return typeErr(src, t)
	}
	if err := as.charge(n, et.Size()); err != nil {
		return err
	}
	if t.Kind() == reflect.Array {
		if n != t.Len() {
			return fmt.Errorf("%w: blob %s has %d elements, Go %v has %d", ErrType, typeName(src), n, t, t.Len())
		}
	} else {
		if dst.Cap() >= n {
			dst.SetLen(n)
		} else {
			dst.Set(reflect.MakeSlice(t, n, n))
		}
	}
	for i := 0; i < n; i++ {
		if err := get(i, dst.Index(i)); err != nil {
			return fmt.Errorf("%w: element %d of blob %s into Go %v: %w", ErrType, i, typeName(src), et, err)
		}
	}
	return nil
}

// structElemDict returns element i of a MATLAB struct as a Dict of its fields.
func structElemDict(s *MatStruct, i int) Dict {
	d := make(Dict, len(s.Fields))
	for f, name := range s.Fields {
		d[f] = Item{name, s.Elems[i][f]}
	}
	return d
}

// dictOf returns the key/value pairs of a dict, or of a single-element MATLAB struct.
func dictOf(src any) (Dict, bool) {
	switch x := src.(type) {
	case Dict:
		return x, true
	case *MatStruct:
		if len(x.Elems) == 1 {
			return structElemDict(x, 0), true
		}
	}
	return nil, false
}

// assignMap stores a dict (or 1-element MATLAB struct) in a map dst.
func (as *assigner) assignMap(dst reflect.Value, src any) error {
	t := dst.Type()
	if src == nil {
		dst.SetZero()
		return nil
	}
	d, ok := dictOf(src)
	if !ok {
		return typeErr(src, t)
	}
	if err := as.charge(len(d), t.Key().Size()+t.Elem().Size()+32); err != nil {
		return err
	}
	if dst.IsNil() {
		dst.Set(reflect.MakeMapWithSize(t, len(d)))
	}
	k := reflect.New(t.Key()).Elem()
	v := reflect.New(t.Elem()).Elem()
	for _, it := range d {
		// The temporaries are zeroed so that no storage is shared between
		// entries (assign reuses the capacity of slices it finds).
		k.SetZero()
		v.SetZero()
		if err := as.assign(k, it.Key); err != nil {
			return fmt.Errorf("dict key: %w", err)
		}
		if err := as.assign(v, it.Value); err != nil {
			return fmt.Errorf("dict value for key %v: %w", k, err)
		}
		dst.SetMapIndex(k, v)
	}
	return nil
}

// assignStruct stores a dict with string keys (or a 1-element MATLAB struct)
// in a struct dst, matching keys to field names (tag or snake_case). Keys
// without a matching field are ignored, as encoding/json does.
func (as *assigner) assignStruct(dst reflect.Value, src any) error {
	t := dst.Type()
	d, ok := dictOf(src)
	if !ok {
		return typeErr(src, t)
	}
	fields := structFields(t)
	for _, it := range d {
		k, ok := it.Key.(string)
		if !ok {
			continue
		}
		for _, f := range fields {
			if f.name != k {
				continue
			}
			fv, err := dst.FieldByIndexErr(f.index)
			if err != nil {
				return fmt.Errorf("%w: field %s of %v: %w", ErrType, k, t, err)
			}
			if err := as.assign(fv, it.Value); err != nil {
				return fmt.Errorf("field %s of %v: %w", k, t, err)
			}
			break
		}
	}
	return nil
}

// reflectIndex returns element i of a typed slice as a settable value.
func reflectIndex(data any, i int) reflect.Value {
	return reflect.ValueOf(data).Index(i)
}
