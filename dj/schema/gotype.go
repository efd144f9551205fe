package schema

import (
	"encoding/json"
	"reflect"
	"strings"
	"time"
)

var (
	timeType       = reflect.TypeFor[time.Time]()
	rawMessageType = reflect.TypeFor[json.RawMessage]()
	bytesType      = reflect.TypeFor[[]byte]()
)

// gonumPrefix is the package path prefix of gonum, whose matrix and vector
// types are stored as blobs through a pointer (*mat.Dense) without making
// the attribute nullable.
const gonumPrefix = "gonum.org/v1/gonum/"

// NullableGoType reports whether a Go field type makes its attribute
// nullable, and returns the type of the non-NULL value: *T gives T (except
// pointers to gonum types, which are blob values themselves), sql.Null[T]
// gives T, and sql.NullString, sql.NullInt64, ... give their value type.
func NullableGoType(t reflect.Type) (reflect.Type, bool) {
	if t.Kind() == reflect.Pointer {
		if strings.HasPrefix(t.Elem().PkgPath(), gonumPrefix) {
			return t, false
		}
		return t.Elem(), true
	}
	if t.Kind() == reflect.Struct && t.PkgPath() == "database/sql" && strings.HasPrefix(t.Name(), "Null") &&
		t.NumField() == 2 && t.Field(1).Name == "Valid" && t.Field(1).Type.Kind() == reflect.Bool {
		return t.Field(0).Type, true
	}
	return t, false
}

// isUUIDType reports whether t is a 16-byte array (uuid.UUID and similar).
func isUUIDType(t reflect.Type) bool {
	return t.Kind() == reflect.Array && t.Len() == 16 && t.Elem().Kind() == reflect.Uint8
}

// isBlobKind reports whether values of t are stored as DataJoint blobs when
// no type is given.
func isBlobKind(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map, reflect.Struct, reflect.Interface,
		reflect.Complex64, reflect.Complex128:
		return true
	case reflect.Pointer:
		return strings.HasPrefix(t.Elem().PkgPath(), gonumPrefix)
	}
	return false
}

// inferType returns the DataJoint type of a Go value type (already
// unwrapped from its nullable wrapper), or a message explaining what to
// write instead.
func inferType(t reflect.Type) (string, string) {
	switch {
	case t == timeType:
		return "datetime", ""
	case t == rawMessageType:
		return "json", ""
	case isUUIDType(t):
		return "uuid", ""
	}
	switch t.Kind() {
	case reflect.Bool:
		return "bool", ""
	case reflect.Int8:
		return "tinyint", ""
	case reflect.Int16:
		return "smallint", ""
	case reflect.Int32:
		return "int", ""
	case reflect.Int64:
		return "bigint", ""
	case reflect.Uint8:
		return "tinyint unsigned", ""
	case reflect.Uint16:
		return "smallint unsigned", ""
	case reflect.Uint32:
		return "int unsigned", ""
	case reflect.Uint64:
		return "bigint unsigned", ""
	case reflect.Float32:
		return "float", ""
	case reflect.Float64:
		return "double", ""
	case reflect.Int, reflect.Uint, reflect.Uintptr:
		return "", "its size depends on the platform: use int32 or int64 (uint32 or uint64), or give type=<integer type>"
	case reflect.String:
		return "", `a string needs an explicit type: add dj:"type=varchar(255)" (or char(n), enum('a','b'), date, datetime, decimal(p,s))`
	case reflect.Pointer:
		if isBlobKind(t) {
			return "longblob", ""
		}
		return "", "a pointer to a pointer cannot be stored; use *T for a nullable attribute"
	case reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return "", "channels, functions and unsafe pointers cannot be stored; exclude the field with dj:\"-\""
	}
	if isBlobKind(t) {
		return "longblob", ""
	}
	return "", "type " + t.String() + " cannot be stored"
}
