package blob

import (
	"fmt"
	"math/big"
	"reflect"
	"sync"
	"time"

	"gonum.org/v1/gonum/mat"
)

// A Go value is encoded only when the blob can hold all of it. Types that
// carry state the encoder cannot see (unexported fields, as in sync.Mutex,
// time.Location or most library types) are refused rather than written as
// an incomplete dict; so are channels, functions and unsafe pointers. A few
// struct types with unexported state have their own encoding: gonum
// matrices, big.Int and time.Time.

var (
	matrixType = reflect.TypeFor[mat.Matrix]()
	// byPointer lists struct types whose encoding is defined on their
	// pointer; a value of one of them is encoded as a pointer to a copy.
	byPointer = map[reflect.Type]bool{
		reflect.TypeFor[big.Int]():    true,
		reflect.TypeFor[mat.CDense](): true,
		reflect.TypeFor[Array]():      true,
		reflect.TypeFor[MatStruct]():  true,
		reflect.TypeFor[MatCell]():    true,
		reflect.TypeFor[Record]():     true,
	}
	// ownEncoding lists struct types the encoder writes as values.
	ownEncoding = map[reflect.Type]bool{
		reflect.TypeFor[time.Time](): true,
		reflect.TypeFor[Date]():      true,
	}
)

// encodedByPointer reports whether values of struct type t are encoded
// through a pointer: gonum matrices (whose methods have pointer receivers)
// and the package's own model types.
func encodedByPointer(t reflect.Type) bool {
	return byPointer[t] || (t.Kind() == reflect.Struct && !t.Implements(matrixType) &&
		reflect.PointerTo(t).Implements(matrixType) && !embedsMatrix(t))
}

// isMatrix reports whether values of type t are encoded as a matrix through
// mat.Matrix: t implements it with its own methods.
func isMatrix(t reflect.Type) bool {
	return t.Implements(matrixType) && !embedsMatrix(t)
}

// embedsMatrix reports whether struct type t (or the struct t points to)
// implements mat.Matrix only because it embeds a matrix. Such a struct is
// encoded as a struct, its matrix as one field, so that its other fields
// are kept.
func embedsMatrix(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return false
	}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if sf.Anonymous && (sf.Type.Implements(matrixType) || reflect.PointerTo(sf.Type).Implements(matrixType)) {
			return true
		}
	}
	return false
}

// encodableCache maps reflect.Type to the error of encodable (nil when the
// type can be encoded).
var encodableCache sync.Map

// encodable returns nil when values of type t can be encoded faithfully,
// and otherwise an error wrapping ErrType that names the type and why.
// Interface types are checked at encoding time, against their dynamic value.
func encodable(t reflect.Type) error {
	if err, ok := encodableCache.Load(t); ok {
		if err == nil {
			return nil
		}
		return err.(error)
	}
	err := checkEncodable(t, map[reflect.Type]bool{})
	if err != nil {
		err = fmt.Errorf("%w: cannot encode Go %v: %w", ErrType, t, err)
		encodableCache.Store(t, err)
		return err
	}
	encodableCache.Store(t, nil)
	return nil
}

// checkEncodable explains why t cannot be encoded, or returns nil. Types in
// visiting are being checked further up (recursive types) and count as
// encodable there.
func checkEncodable(t reflect.Type, visiting map[reflect.Type]bool) error {
	if visiting[t] {
		return nil
	}
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128,
		reflect.String, reflect.Interface:
		return nil
	case reflect.Pointer, reflect.Slice, reflect.Array:
		visiting[t] = true
		defer delete(visiting, t)
		if err := checkEncodable(t.Elem(), visiting); err != nil {
			return fmt.Errorf("element %v: %w", t.Elem(), err)
		}
		return nil
	case reflect.Map:
		visiting[t] = true
		defer delete(visiting, t)
		if err := checkEncodable(t.Key(), visiting); err != nil {
			return fmt.Errorf("key %v: %w", t.Key(), err)
		}
		if err := checkEncodable(t.Elem(), visiting); err != nil {
			return fmt.Errorf("value %v: %w", t.Elem(), err)
		}
		return nil
	case reflect.Struct:
		if ownEncoding[t] || encodedByPointer(t) || isMatrix(t) {
			return nil
		}
		visiting[t] = true
		defer delete(visiting, t)
		return checkStructFields(t, visiting)
	}
	return fmt.Errorf("%v values have no blob encoding", t.Kind())
}

// checkStructFields requires every field of struct t to be encoded (exported,
// or an embedded struct whose fields are promoted) or skipped with
// `blob:"-"`, and every encoded field's type to be encodable.
func checkStructFields(t reflect.Type, visiting map[reflect.Type]bool) error {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag, hasTag := sf.Tag.Lookup("blob")
		if tag == "-" {
			continue
		}
		if sf.Anonymous && !hasTag && sf.Type.Kind() == reflect.Struct &&
			!ownEncoding[sf.Type] && !encodedByPointer(sf.Type) && !isMatrix(sf.Type) {
			if err := checkStructFields(sf.Type, visiting); err != nil {
				return err
			}
			continue
		}
		if !sf.IsExported() {
			return fmt.Errorf("unexported field %s holds state a blob cannot carry (tag it `blob:\"-\"` to leave it out)", sf.Name)
		}
		if err := checkEncodable(sf.Type, visiting); err != nil {
			return fmt.Errorf("field %s: %w", sf.Name, err)
		}
	}
	return nil
}
