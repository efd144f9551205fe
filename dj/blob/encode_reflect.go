package blob

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"

	"gonum.org/v1/gonum/mat"

	"github.com/datajoint-go/datajoint/dj/internal/names"
)

// reflectValue encodes the Go values that the type switch in value does not
// name: other gonum matrices, named types, pointers, slices and arrays of
// any element type, maps and structs. Types that encodable refuses give an
// error wrapping ErrType that names the type.
func (e *encoder) reflectValue(v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && rv.IsNil() {
		return e.value(nil)
	}
	if m, ok := v.(mat.Matrix); ok && !embedsMatrix(rv.Type()) {
		e.matrix(m)
		return nil
	}
	if err := encodable(rv.Type()); err != nil {
		return err
	}
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return e.value(nil)
		}
		return e.value(rv.Elem().Interface())
	case reflect.Bool:
		return e.value(rv.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.int64(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.uint64(rv.Uint())
	case reflect.Float32, reflect.Float64:
		e.float(rv.Float())
	case reflect.Complex64, reflect.Complex128:
		e.complex(rv.Complex())
	case reflect.String:
		e.dj0 = true
		e.str(0x05, rv.String())
	case reflect.Slice, reflect.Array:
		return e.sliceValue(rv)
	case reflect.Map:
		return e.mapValue(rv)
	case reflect.Struct:
		if encodedByPointer(rv.Type()) {
			p := reflect.New(rv.Type())
			p.Elem().Set(rv)
			return e.item(p.Interface())
		}
		if e.opts.matlabStruct {
			return e.structsAsMatlab(rv, []int{1, 1})
		}
		return e.structAsDict(rv)
	}
	return nil
}

// kindClass maps basic element kinds to array classes.
var kindClass = map[reflect.Kind]Class{
	reflect.Bool: ClassLogical, reflect.Float64: ClassDouble, reflect.Float32: ClassSingle,
	reflect.Int8: ClassInt8, reflect.Uint8: ClassUint8, reflect.Int16: ClassInt16,
	reflect.Uint16: ClassUint16, reflect.Int32: ClassInt32, reflect.Uint32: ClassUint32,
	reflect.Int64: ClassInt64, reflect.Uint64: ClassUint64,
	reflect.Int: ClassInt64, reflect.Uint: ClassUint64, reflect.Uintptr: ClassUint64,
	reflect.Complex128: ClassDouble, reflect.Complex64: ClassSingle,
}

// sliceValue encodes a Go slice or array: bytes for byte elements, a 1-D
// array for bool, number and complex elements, a MATLAB struct array for
// structs under MatlabStruct, and a list otherwise.
func (e *encoder) sliceValue(rv reflect.Value) error {
	et := rv.Type().Elem()
	n := rv.Len()
	if rv.Kind() == reflect.Array && !rv.CanAddr() {
		c := reflect.New(rv.Type()).Elem()
		c.Set(rv)
		rv = c
	}
	if rv.Kind() == reflect.Array {
		rv = rv.Slice(0, n)
	}
	if et.Kind() == reflect.Uint8 {
		e.dj0 = true
		e.u8(0x06)
		e.length(n)
		e.buf = append(e.buf, rv.Bytes()...)
		return nil
	}
	if c, ok := kindClass[et.Kind()]; ok {
		// A slice of a basic type (possibly a named slice type) converts to
		// its basic slice and takes the fast path.
		if et.PkgPath() == "" {
			switch s := rv.Convert(reflect.SliceOf(et)).Interface().(type) {
			case []complex128:
				return e.array(complexArray(s))
			case []complex64:
				return e.array(complex64Array(s))
			default:
				if sc, ok := classOfSlice(s); ok && sc != ClassObject {
					e.vector(sc, n)
					e.buf, _ = appendData(e.buf, s)
					return nil
				}
			}
		}
		cplx := et.Kind() == reflect.Complex64 || et.Kind() == reflect.Complex128
		e.arrayHeader(c, []int{n}, cplx)
		elem := func(i int, imag bool) {
			v := rv.Index(i)
			switch et.Kind() {
			case reflect.Bool:
				if v.Bool() {
					e.u8(1)
				} else {
					e.u8(0)
				}
			case reflect.Float64:
				e.f64(v.Float())
			case reflect.Float32:
				e.u32(f32bits(v.Float()))
			case reflect.Complex128:
				if imag {
					e.f64(imagPart(v.Complex()))
				} else {
					e.f64(realPart(v.Complex()))
				}
			case reflect.Complex64:
				if imag {
					e.u32(f32bits(imagPart(v.Complex())))
				} else {
					e.u32(f32bits(realPart(v.Complex())))
				}
			case reflect.Int8, reflect.Uint8:
				e.u8(byte(intBits(v)))
			case reflect.Int16, reflect.Uint16:
				e.buf = append(e.buf, byte(intBits(v)), byte(intBits(v)>>8))
			case reflect.Int32, reflect.Uint32:
				e.u32(uint32(intBits(v)))
			default:
				e.u64(intBits(v))
			}
		}
		for i := 0; i < n; i++ {
			elem(i, false)
		}
		if cplx {
			for i := 0; i < n; i++ {
				elem(i, true)
			}
		}
		return nil
	}
	if e.opts.matlabStruct && (et.Kind() == reflect.Struct || et.Kind() == reflect.Pointer && et.Elem().Kind() == reflect.Struct) {
		return e.structsAsMatlab(rv, []int{1, n})
	}
	e.dj0 = true
	e.u8(0x02)
	e.length(n)
	for i := 0; i < n; i++ {
		if err := e.sub(rv.Index(i).Interface()); err != nil {
			return fmt.Errorf("item %d: %w", i, err)
		}
	}
	return nil
}

// mapValue encodes a Go map as a dict with its keys in a deterministic
// order: strings, integers, floats and bools by value, other key types by
// their encoded bytes.
func (e *encoder) mapValue(rv reflect.Value) error {
	kt := rv.Type().Key()
	if kt.Kind() == reflect.String {
		return e.stringMap(rv)
	}
	keys := rv.MapKeys()
	switch kt.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		slices.SortFunc(keys, func(a, b reflect.Value) int { return cmp.Compare(a.Int(), b.Int()) })
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		slices.SortFunc(keys, func(a, b reflect.Value) int { return cmp.Compare(a.Uint(), b.Uint()) })
	case reflect.Float32, reflect.Float64:
		slices.SortFunc(keys, func(a, b reflect.Value) int { return cmp.Compare(a.Float(), b.Float()) })
	case reflect.Bool:
		slices.SortFunc(keys, func(a, b reflect.Value) int {
			return cmp.Compare(boolInt(a.Bool()), boolInt(b.Bool()))
		})
	default:
		enc := make([][]byte, len(keys))
		for i, k := range keys {
			sub := encoder{opts: e.opts, depth: e.depth}
			if err := sub.value(k.Interface()); err != nil {
				return fmt.Errorf("dict key %v: %w", k, err)
			}
			enc[i] = sub.buf
		}
		idx := make([]int, len(keys))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return bytes.Compare(enc[a], enc[b]) })
		sorted := make([]reflect.Value, len(keys))
		for i, j := range idx {
			sorted[i] = keys[j]
		}
		keys = sorted
	}
	e.dj0 = true
	e.u8(0x04)
	e.length(len(keys))
	for _, k := range keys {
		if err := e.sub(k.Interface()); err != nil {
			return fmt.Errorf("dict key %v: %w", k, err)
		}
		if err := e.sub(rv.MapIndex(k).Interface()); err != nil {
			return fmt.Errorf("dict value for key %v: %w", k, err)
		}
	}
	return nil
}

// stringMap encodes a map with string keys as a dict sorted by key.
func (e *encoder) stringMap(rv reflect.Value) error {
	type entry struct {
		key string
		val reflect.Value
	}
	entries := make([]entry, 0, rv.Len())
	for it := rv.MapRange(); it.Next(); {
		entries = append(entries, entry{it.Key().String(), it.Value()})
	}
	slices.SortFunc(entries, func(a, b entry) int { return cmp.Compare(a.key, b.key) })
	e.dj0 = true
	e.u8(0x04)
	e.length(len(entries))
	for _, en := range entries {
		e.length(1 + 8 + len(en.key))
		e.str(0x05, en.key)
		if err := e.sub(en.val.Interface()); err != nil {
			return fmt.Errorf("dict value for key %q: %w", en.key, err)
		}
	}
	return nil
}

// structAsDict encodes a struct as a dict of its fields in declaration order.
func (e *encoder) structAsDict(rv reflect.Value) error {
	fields := structFields(rv.Type())
	e.dj0 = true
	e.u8(0x04)
	e.length(len(fields))
	for _, f := range fields {
		e.u64(uint64(1 + 8 + len(f.name)))
		e.str(0x05, f.name)
		if err := e.sub(rv.FieldByIndex(f.index).Interface()); err != nil {
			return fmt.Errorf("field %s of %v: %w", f.name, rv.Type(), err)
		}
	}
	return nil
}

// structsAsMatlab encodes a struct (shape 1×1) or a slice of structs (1×n)
// as a MATLAB struct array.
func (e *encoder) structsAsMatlab(rv reflect.Value, shape []int) error {
	elems := []reflect.Value{rv}
	t := rv.Type()
	if rv.Kind() == reflect.Slice {
		t = t.Elem()
		elems = make([]reflect.Value, rv.Len())
		for i := range elems {
			elems[i] = rv.Index(i)
		}
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
		for i, el := range elems {
			if el.IsNil() {
				return fmt.Errorf("%w: nil *%v in a MATLAB struct array", ErrType, t)
			}
			elems[i] = el.Elem()
		}
	}
	fields := structFields(t)
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	e.u8('S')
	e.shape(shape)
	e.u32(uint32(len(fields)))
	if len(fields) == 0 {
		return nil
	}
	if err := e.names(names); err != nil {
		return err
	}
	for _, el := range elems {
		for _, f := range fields {
			if err := e.sub(el.FieldByIndex(f.index).Interface()); err != nil {
				return fmt.Errorf("field %s of %v: %w", f.name, t, err)
			}
		}
	}
	return nil
}

func f32bits(f float64) uint32 { return math.Float32bits(float32(f)) }

func realPart(c complex128) float64 { return real(c) }

func imagPart(c complex128) float64 { return imag(c) }

// intBits returns the two's complement bits of an integer value.
func intBits(v reflect.Value) uint64 {
	if v.CanInt() {
		return uint64(v.Int())
	}
	return v.Uint()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// field is one exported struct field as it appears in a blob dict or MATLAB
// struct: its key and its index path (through embedded structs).
type field struct {
	name  string
	index []int
}

// fieldCache maps reflect.Type to []field; each struct type is reflected once.
var fieldCache sync.Map

// structFields returns the blob fields of struct type t in declaration order.
// The key of a field is its `blob:"name"` tag, or the snake_case of its Go
// name; `blob:"-"` skips the field. Exported fields of embedded structs
// without a tag are promoted, as encoding/json does.
func structFields(t reflect.Type) []field {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]field)
	}
	var out []field
	var walk func(t reflect.Type, index []int)
	walk = func(t reflect.Type, index []int) {
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			tag, hasTag := sf.Tag.Lookup("blob")
			name, _, _ := strings.Cut(tag, ",")
			if name == "-" {
				continue
			}
			idx := append(append([]int(nil), index...), i)
			if sf.Anonymous && !hasTag {
				ft := sf.Type
				if ft.Kind() == reflect.Struct && !ownEncoding[ft] && !encodedByPointer(ft) && !isMatrix(ft) {
					walk(ft, idx)
					continue
				}
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = names.Snake(sf.Name)
			}
			out = append(out, field{name: name, index: idx})
		}
	}
	walk(t, nil)
	f, _ := fieldCache.LoadOrStore(t, out)
	return f.([]field)
}
