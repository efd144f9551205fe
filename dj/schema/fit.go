package schema

import (
	"reflect"
	"strconv"
	"strings"
	"time"
)

// The fit table of the package documentation ("Go types that fit a
// column") is implemented here.

var (
	durationType = reflect.TypeFor[time.Duration]()
)

// colRange is what the fit check needs to know of a column type.
type colRange struct {
	ti       TypeInfo
	base     string // canonical type name without arguments: "int", "decimal", "datetime"
	bits     int    // integer width (8, 16, 24, 32, 64), for integer and bool columns
	unsigned bool
	prec     int  // decimal precision
	scale    int  // decimal scale
	boolish  bool // tinyint(1): what MySQL makes of bool
}

// rangeOf describes the column type ti. sqlType is the column type as the
// server reports it (it tells tinyint(1) apart), or "".
func rangeOf(ti TypeInfo, sqlType string) colRange {
	r := colRange{ti: ti, unsigned: ti.Unsigned}
	canon := CanonicalType(ti.Type)
	r.base = strings.Fields(strings.SplitN(canon, "(", 2)[0] + " ")[0]
	switch ti.Category {
	case CatInteger:
		r.bits = map[string]int{"tinyint": 8, "smallint": 16, "mediumint": 24, "int": 32, "bigint": 64}[r.base]
		r.boolish = normalizeType(sqlType) == "tinyint(1)"
	case CatBool:
		r.bits, r.boolish = 8, true
	case CatDecimal:
		r.prec, r.scale = 10, 0
		if m := decimalPrecRE.FindStringSubmatch(canon); m != nil && m[3] != "" {
			r.prec, _ = strconv.Atoi(m[3])
			if m[4] != "" {
				r.scale, _ = strconv.Atoi(m[4])
			}
		}
	}
	return r
}

// decimalDigits is the number of decimal digits every number of which a
// Go integer kind holds.
func decimalDigits(k reflect.Kind, bits int) int {
	signed := k >= reflect.Int && k <= reflect.Int64
	switch {
	case bits == 8:
		return 2
	case bits == 16:
		return 4
	case bits == 32:
		return 9
	case signed:
		return 18
	}
	return 19
}

func isIntKind(k reflect.Kind) bool   { return k >= reflect.Int && k <= reflect.Int64 }
func isUintKind(k reflect.Kind) bool  { return k >= reflect.Uint && k <= reflect.Uint64 }
func isFloatKind(k reflect.Kind) bool { return k == reflect.Float32 || k == reflect.Float64 }

// fitsInteger reports whether a Go integer type holds every value of an
// integer column of the given width and signedness.
func fitsInteger(t reflect.Type, bits int, unsigned bool) bool {
	switch {
	case isIntKind(t.Kind()):
		if unsigned {
			return bits < t.Bits()
		}
		return bits <= t.Bits()
	case isUintKind(t.Kind()):
		return unsigned && bits <= t.Bits()
	}
	return false
}

// fits reports whether a Go value type (unwrapped from its nullable
// wrapper) holds every value of a column of type ti; sqlType is the
// column type as the server reports it, or "".
func fits(t reflect.Type, ti TypeInfo, sqlType string) bool {
	return fitsRange(t, rangeOf(ti, sqlType))
}

func fitsRange(t reflect.Type, r colRange) bool {
	k := t.Kind()
	if k == reflect.Interface {
		return true
	}
	str := k == reflect.String
	isBytes := k == reflect.Slice && t.Elem().Kind() == reflect.Uint8
	switch r.ti.Category {
	case CatInteger:
		if k == reflect.Bool {
			return r.boolish
		}
		return t != durationType && fitsInteger(t, r.bits, r.unsigned)
	case CatBool:
		return k == reflect.Bool || (isIntKind(k) && t != durationType)
	case CatDecimal:
		switch {
		case str:
			return true
		case k == reflect.Float64:
			return r.prec <= 15
		case k == reflect.Float32:
			return r.prec <= 6
		case isIntKind(k) || isUintKind(k):
			return t != durationType && r.scale == 0 && (isIntKind(k) || r.unsigned) &&
				r.prec <= decimalDigits(k, t.Bits())
		}
		return false
	case CatFloat:
		if r.base == "float" {
			return isFloatKind(k)
		}
		return k == reflect.Float64
	case CatString, CatEnum:
		return str || isBytes
	case CatTemporal:
		switch r.base {
		case "time":
			return t == durationType || str
		case "year":
			return str || (isIntKind(k) && t.Bits() >= 16 && t != durationType)
		}
		return t == timeType || str
	case CatJSON:
		switch k {
		case reflect.String, reflect.Slice, reflect.Array, reflect.Map, reflect.Struct:
			return t != timeType && !isUUIDType(t)
		}
		return false
	case CatBlob, CatExternalBlob:
		switch k {
		case reflect.Chan, reflect.Func, reflect.UnsafePointer, reflect.Uintptr:
			return false
		case reflect.Pointer:
			return isBlobKind(t)
		}
		return true
	case CatUUID:
		return isUUIDType(t) || str || isBytes
	case CatAttach, CatExternalAttach:
		return (k == reflect.Struct && t != timeType) || str
	case CatFilepath:
		return str
	}
	return false
}

// fitCandidates are the Go types listed, in this order, as the ones that
// fit a column.
var fitCandidates = []struct {
	name string
	typ  reflect.Type
}{
	{"bool", reflect.TypeFor[bool]()},
	{"int8", reflect.TypeFor[int8]()},
	{"int16", reflect.TypeFor[int16]()},
	{"int32", reflect.TypeFor[int32]()},
	{"int64", reflect.TypeFor[int64]()},
	{"int", reflect.TypeFor[int]()},
	{"uint8", reflect.TypeFor[uint8]()},
	{"uint16", reflect.TypeFor[uint16]()},
	{"uint32", reflect.TypeFor[uint32]()},
	{"uint64", reflect.TypeFor[uint64]()},
	{"uint", reflect.TypeFor[uint]()},
	{"float32", reflect.TypeFor[float32]()},
	{"float64", reflect.TypeFor[float64]()},
	{"time.Time", timeType},
	{"time.Duration", durationType},
	{"uuid.UUID", reflect.TypeFor[[16]byte]()},
	{"json.RawMessage", rawMessageType},
	{"string", reflect.TypeFor[string]()},
	{"[]byte", bytesType},
}

// fittingGoTypes lists the Go types that fit a column type, for messages.
func fittingGoTypes(ti TypeInfo, sqlType string) string {
	r := rangeOf(ti, sqlType)
	switch ti.Category {
	case CatBlob, CatExternalBlob:
		return "any Go value with a blob encoding (numbers, bool, string, []byte, slices, arrays, maps, structs, time.Time, uuid.UUID, gonum matrices, any)"
	case CatAttach, CatExternalAttach:
		return "dj.Attachment, string (a file path)"
	}
	var names []string
	for _, c := range fitCandidates {
		if c.typ == rawMessageType && ti.Category != CatJSON {
			continue
		}
		if c.typ == bytesType && ti.Category == CatJSON {
			continue
		}
		if fitsRange(c.typ, r) {
			names = append(names, c.name)
		}
	}
	switch ti.Category {
	case CatDecimal:
		names = append(names, "blob.Decimal")
	case CatJSON:
		names = append(names, "[]byte", "slices, arrays, maps and structs (as JSON)")
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
