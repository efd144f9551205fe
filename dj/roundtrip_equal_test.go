package dj_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/datajoint-go/datajoint/dj/blob"
)

// sameValue reports whether got, read back from the database, equals want,
// the value written: NaN equals NaN (bit for bit, so -0.0 differs from
// +0.0), matrices compare by shape and elements, times by instant, big
// integers by value, JSON by its compact form, and a nil slice or map
// equals an empty one (the blob format does not tell them apart).
func sameValue(want, got any) bool {
	return sameReflect(reflect.ValueOf(want), reflect.ValueOf(got))
}

var (
	timeType = reflect.TypeFor[time.Time]()
	bigType  = reflect.TypeFor[*big.Int]()
	jsonType = reflect.TypeFor[json.RawMessage]()
	matType  = reflect.TypeFor[mat.Matrix]()
	cmatType = reflect.TypeFor[mat.CMatrix]()
)

func sameReflect(w, g reflect.Value) bool {
	if !w.IsValid() || !g.IsValid() {
		return isNilish(w) && isNilish(g)
	}
	// Interfaces: compare what they hold.
	for w.Kind() == reflect.Interface {
		if w.IsNil() {
			return isNilish(g)
		}
		w = w.Elem()
	}
	for g.Kind() == reflect.Interface {
		if g.IsNil() {
			return isNilish(w)
		}
		g = g.Elem()
	}
	if w.Type() == bigType && g.Type() == bigType {
		if w.IsNil() || g.IsNil() {
			return w.IsNil() == g.IsNil()
		}
		return w.Interface().(*big.Int).Cmp(g.Interface().(*big.Int)) == 0
	}
	if m, ok := asMatrix(w); ok {
		n, ok := asMatrix(g)
		return ok && sameMatrix(m, n)
	}
	if m, ok := asCMatrix(w); ok {
		n, ok := asCMatrix(g)
		return ok && sameCMatrix(m, n)
	}
	if w.Type() != g.Type() {
		return false
	}
	switch {
	case w.Type() == timeType:
		return w.Interface().(time.Time).Equal(g.Interface().(time.Time))
	case w.Type() == jsonType:
		return sameJSON(w.Bytes(), g.Bytes())
	}
	switch w.Kind() {
	case reflect.Float32, reflect.Float64:
		return sameFloat(w.Float(), g.Float())
	case reflect.Complex64, reflect.Complex128:
		a, b := w.Complex(), g.Complex()
		return sameFloat(real(a), real(b)) && sameFloat(imag(a), imag(b))
	case reflect.Pointer:
		if w.IsNil() || g.IsNil() {
			return w.IsNil() == g.IsNil()
		}
		return sameReflect(w.Elem(), g.Elem())
	case reflect.Slice:
		if w.Len() != g.Len() {
			return false
		}
		fallthrough
	case reflect.Array:
		for i := 0; i < w.Len(); i++ {
			if !sameReflect(w.Index(i), g.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if w.Len() != g.Len() {
			return false
		}
		for _, k := range w.MapKeys() {
			gv := g.MapIndex(k)
			if !gv.IsValid() || !sameReflect(w.MapIndex(k), gv) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := 0; i < w.NumField(); i++ {
			if !w.Type().Field(i).IsExported() {
				if !reflect.DeepEqual(valueOrNil(w.Field(i)), valueOrNil(g.Field(i))) {
					return false
				}
				continue
			}
			if !sameReflect(w.Field(i), g.Field(i)) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(w.Interface(), g.Interface())
}

func valueOrNil(v reflect.Value) any {
	if v.CanInterface() {
		return v.Interface()
	}
	return v.String()
}

func isNilish(v reflect.Value) bool {
	if !v.IsValid() {
		return true
	}
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer, reflect.Map, reflect.Slice:
		return v.IsNil() || ((v.Kind() == reflect.Slice || v.Kind() == reflect.Map) && v.Len() == 0)
	}
	return false
}

// sameFloat compares bit patterns, treating every NaN as equal.
func sameFloat(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Float64bits(a) == math.Float64bits(b)
}

func asMatrix(v reflect.Value) (mat.Matrix, bool) {
	if !v.IsValid() || !v.CanInterface() {
		return nil, false
	}
	if v.Kind() != reflect.Pointer && v.CanAddr() {
		v = v.Addr()
	} else if v.Kind() != reflect.Pointer && reflect.PointerTo(v.Type()).Implements(matType) {
		p := reflect.New(v.Type())
		p.Elem().Set(v)
		v = p
	}
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, false
	}
	m, ok := v.Interface().(mat.Matrix)
	return m, ok
}

func asCMatrix(v reflect.Value) (mat.CMatrix, bool) {
	if !v.IsValid() || !v.CanInterface() {
		return nil, false
	}
	if v.Kind() != reflect.Pointer && reflect.PointerTo(v.Type()).Implements(cmatType) {
		p := reflect.New(v.Type())
		p.Elem().Set(v)
		v = p
	}
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, false
	}
	m, ok := v.Interface().(mat.CMatrix)
	return m, ok
}

func sameMatrix(a, b mat.Matrix) bool {
	ar, ac := a.Dims()
	br, bc := b.Dims()
	if ar != br || ac != bc {
		return false
	}
	for i := 0; i < ar; i++ {
		for j := 0; j < ac; j++ {
			if !sameFloat(a.At(i, j), b.At(i, j)) {
				return false
			}
		}
	}
	return true
}

func sameCMatrix(a, b mat.CMatrix) bool {
	ar, ac := a.Dims()
	br, bc := b.Dims()
	if ar != br || ac != bc {
		return false
	}
	for i := 0; i < ar; i++ {
		for j := 0; j < ac; j++ {
			x, y := a.At(i, j), b.At(i, j)
			if !sameFloat(real(x), real(y)) || !sameFloat(imag(x), imag(y)) {
				return false
			}
		}
	}
	return true
}

func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return bytes.Equal(a, b)
	}
	return reflect.DeepEqual(x, y)
}

func reflectValue(v any) reflect.Value { return reflect.ValueOf(v) }

// derefAny follows pointers: a *T written is a T read from a map.
func derefAny(v any) any {
	rv := reflect.ValueOf(v)
	for rv.IsValid() && rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return nil
	}
	return rv.Interface()
}

func sameJSONValue(want, got any) bool { return reflect.DeepEqual(want, got) }

// sameScalar compares a scalar written with the natural value FetchMaps
// returns for a native column (int64, uint64, float64, string, time).
func sameScalar(want, got any) bool {
	switch w := want.(type) {
	case bool:
		var g int64
		switch x := got.(type) {
		case bool:
			return x == w
		case int64:
			g = x
		case string:
			g, _ = strconv.ParseInt(x, 10, 64)
		default:
			return false
		}
		return (g != 0) == w
	case int8, int16, int32, int64, int, uint8, uint16, uint32, uint64, uint:
		return fmt.Sprint(w) == fmt.Sprint(got)
	case float32:
		switch x := got.(type) {
		case float64:
			return sameFloat(float64(w), float64(float32(x))) && float64(float32(x)) == x
		case float32:
			return sameFloat(float64(w), float64(x))
		case string:
			f, err := strconv.ParseFloat(x, 32)
			return err == nil && sameFloat(float64(w), f)
		}
	case float64:
		switch x := got.(type) {
		case float64:
			return sameFloat(w, x)
		case string:
			f, err := strconv.ParseFloat(x, 64)
			return err == nil && sameFloat(w, f)
		}
	case string:
		return got == w
	case blob.Decimal:
		return got == string(w)
	case time.Time:
		if g, ok := got.(time.Time); ok {
			return g.Equal(w)
		}
	case blob.Date:
		if g, ok := got.(time.Time); ok {
			return blob.DateOf(g.UTC()) == w
		}
	case time.Duration:
		return got == w
	}
	return false
}
