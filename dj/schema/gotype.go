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

// compatible reports whether a Go value type (unwrapped from its nullable
// wrapper) can hold values of an attribute of the given type; when not, it
// returns the list of types that would fit.
func compatible(t reflect.Type, ti TypeInfo) (bool, string) {
	cat := ti.Category
	in := func(cats ...Category) bool {
		for _, c := range cats {
			if c == cat {
				return true
			}
		}
		return false
	}
	switch {
	case t.Kind() == reflect.Interface:
		return true, ""
	case t == timeType:
		base := strings.SplitN(ti.Type, "(", 2)[0]
		return cat == CatTemporal && (base == "date" || base == "datetime" || base == "timestamp"), "date, datetime, timestamp"
	case t == rawMessageType:
		return in(CatJSON, CatBlob, CatExternalBlob), "json, longblob, blob@store"
	case isUUIDType(t):
		return in(CatUUID, CatBlob, CatExternalBlob), "uuid"
	case t == bytesType || (t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8):
		return in(CatBlob, CatExternalBlob, CatAttach, CatExternalAttach), "longblob, blob, blob@store, attach, attach@store"
	}
	switch t.Kind() {
	case reflect.Bool:
		return in(CatBool, CatInteger), "bool, tinyint"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return in(CatInteger, CatBool, CatDecimal), "integer types, decimal(p,0)"
	case reflect.Float32, reflect.Float64:
		return in(CatFloat, CatDecimal), "float, double, decimal(p,s)"
	case reflect.String:
		return in(CatString, CatEnum, CatTemporal, CatDecimal, CatJSON, CatAttach, CatExternalAttach, CatFilepath),
			"varchar(n), char(n), enum(...), date, datetime, time, timestamp, decimal(p,s), json, attach, filepath@store"
	}
	if t.Kind() == reflect.Struct && in(CatAttach, CatExternalAttach) {
		// An attachment value: a name and its contents (dj.Attachment).
		return true, ""
	}
	if isBlobKind(t) {
		return in(CatBlob, CatExternalBlob, CatJSON), "longblob, mediumblob, blob, blob@store, json"
	}
	return false, "no DataJoint type"
}
