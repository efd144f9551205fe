package dj

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"

	"github.com/datajoint-go/datajoint/dj/blob"
)

// assignValue stores v, a non-NULL column value as the driver or FetchMaps
// delivers it (int64, uint64, float32, float64, bool, decimal or other text
// as []byte or string, or any other Go value), into dst, a settable value.
// It is the one conversion every fetch path uses, and it never changes a
// number silently: an integer out of dst's range, a fraction into an
// integer, NaN or infinity into an integer, a negative number into an
// unsigned integer, a float beyond float32's range, and an integer that
// dst's float type cannot hold exactly are all ErrType. A float64 into a
// float32 rounds to the nearest float32, and decimal text into a float to
// the nearest float, as choosing a float type asks for.
func assignValue(dst reflect.Value, v any) error {
	switch x := v.(type) {
	case []byte:
		if dst.Type() == bytesType {
			dst.SetBytes(bytes.Clone(x))
			return nil
		}
	case time.Time:
		if dst.Type() == dateGoType {
			dst.Set(reflect.ValueOf(blob.DateOf(x)))
			return nil
		}
	}
	if reflect.TypeOf(v) == dst.Type() {
		dst.Set(reflect.ValueOf(v))
		return nil
	}
	k := dst.Kind()
	switch {
	case k >= reflect.Int && k <= reflect.Int64:
		n, err := toInt64(v)
		if err != nil {
			return convErr(v, dst.Type(), err)
		}
		if dst.OverflowInt(n) {
			return convErr(v, dst.Type(), errOutOfRange)
		}
		dst.SetInt(n)
		return nil
	case k >= reflect.Uint && k <= reflect.Uintptr:
		n, err := toUint64(v)
		if err != nil {
			return convErr(v, dst.Type(), err)
		}
		if dst.OverflowUint(n) {
			return convErr(v, dst.Type(), errOutOfRange)
		}
		dst.SetUint(n)
		return nil
	case k == reflect.Float64 || k == reflect.Float32:
		f, err := toFloat(v, k == reflect.Float32)
		if err != nil {
			return convErr(v, dst.Type(), err)
		}
		dst.SetFloat(f)
		return nil
	case k == reflect.Bool:
		n, err := toInt64(v)
		if err != nil || (n != 0 && n != 1) {
			return convErr(v, dst.Type(), errNotBool)
		}
		dst.SetBool(n == 1)
		return nil
	case k == reflect.String:
		switch x := v.(type) {
		case string:
			dst.SetString(x)
			return nil
		case []byte:
			dst.SetString(string(x))
			return nil
		case int64:
			dst.SetString(strconv.FormatInt(x, 10))
			return nil
		case uint64:
			dst.SetString(strconv.FormatUint(x, 10))
			return nil
		case float64:
			dst.SetString(strconv.FormatFloat(x, 'g', -1, 64))
			return nil
		case float32:
			dst.SetString(strconv.FormatFloat(float64(x), 'g', -1, 32))
			return nil
		}
	}
	rv := reflect.ValueOf(v)
	if rv.Type().AssignableTo(dst.Type()) {
		if b, ok := v.([]byte); ok {
			rv = reflect.ValueOf(bytes.Clone(b))
		}
		dst.Set(rv)
		return nil
	}
	if rv.Kind() == reflect.Pointer && !rv.IsNil() && rv.Type().Elem().AssignableTo(dst.Type()) {
		dst.Set(rv.Elem())
		return nil
	}
	if b, ok := v.([]byte); ok && k == reflect.Slice && dst.Type().Elem().Kind() == reflect.Uint8 {
		dst.SetBytes(bytes.Clone(b))
		return nil
	}
	return fmt.Errorf("%w: cannot convert %T to %s", ErrType, v, dst.Type())
}

var (
	bytesType  = reflect.TypeFor[[]byte]()
	dateGoType = reflect.TypeFor[blob.Date]()
)

var (
	errOutOfRange = errors.New("out of range")
	errFraction   = errors.New("has a fraction")
	errNotFinite  = errors.New("is not finite")
	errNegative   = errors.New("is negative")
	errInexact    = errors.New("has no exact float representation")
	errNotBool    = errors.New("is neither 0 nor 1")
	errNotNumber  = errors.New("is not a number")
)

// convErr describes a failed conversion of v to typ.
func convErr(v any, typ reflect.Type, why error) error {
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	return fmt.Errorf("%w: %v (%T) does not fit %s: %w", ErrType, v, v, typ, why)
}

// twoTo63 is 2^63 as a float64, the first float above math.MaxInt64.
const twoTo63 = float64(1 << 63)

// toInt64 converts a numeric column value to an int64 without change.
func toInt64(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case uint64:
		if x > math.MaxInt64 {
			return 0, errOutOfRange
		}
		return int64(x), nil
	case float64:
		return floatToInt64(x)
	case float32:
		return floatToInt64(float64(x))
	case []byte:
		return textToInt64(string(x))
	case string:
		return textToInt64(x)
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	case uint:
		return toInt64(uint64(x))
	}
	return 0, errNotNumber
}

func floatToInt64(f float64) (int64, error) {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return 0, errNotFinite
	case f != math.Trunc(f):
		return 0, errFraction
	case f >= twoTo63 || f < -twoTo63:
		return 0, errOutOfRange
	}
	return int64(f), nil
}

// textToInt64 reads integer or decimal text ("12", "-3.000").
func textToInt64(s string) (int64, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	} else if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
		return 0, errOutOfRange
	}
	ip, ok := integralPart(s)
	if !ok {
		return 0, textErr(s)
	}
	n, err := strconv.ParseInt(ip, 10, 64)
	if err != nil {
		return 0, errOutOfRange
	}
	return n, nil
}

// integralPart returns the integer part of decimal text whose fraction is
// all zeros.
func integralPart(s string) (string, bool) {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == start || i == len(s) || s[i] != '.' {
		return "", false
	}
	ip := s[:i]
	for i++; i < len(s); i++ {
		if s[i] != '0' {
			return "", false
		}
	}
	return ip, true
}

// textErr explains why decimal text is not an integer.
func textErr(s string) error {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return errNotFinite
		}
		return errFraction
	}
	return errNotNumber
}

// toUint64 converts a numeric column value to a uint64 without change.
func toUint64(v any) (uint64, error) {
	switch x := v.(type) {
	case uint64:
		return x, nil
	case float64:
		return floatToUint64(x)
	case float32:
		return floatToUint64(float64(x))
	case []byte:
		return textToUint64(string(x))
	case string:
		return textToUint64(x)
	case uint:
		return uint64(x), nil
	}
	n, err := toInt64(v)
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, errNegative
	}
	return uint64(n), nil
}

func floatToUint64(f float64) (uint64, error) {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return 0, errNotFinite
	case f != math.Trunc(f):
		return 0, errFraction
	case f < 0:
		return 0, errNegative
	case f >= 2*twoTo63:
		return 0, errOutOfRange
	}
	return uint64(f), nil
}

func textToUint64(s string) (uint64, error) {
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		return n, nil
	}
	if len(s) > 0 && s[0] == '-' {
		if n, err := textToInt64(s); err == nil && n == 0 {
			return 0, nil
		} else if err == nil || err == errOutOfRange {
			return 0, errNegative
		}
	}
	ip, ok := integralPart(s)
	if !ok {
		return 0, textErr(s)
	}
	n, err := strconv.ParseUint(ip, 10, 64)
	if err != nil {
		return 0, errOutOfRange
	}
	return n, nil
}

// maxExact is 2^53, beyond which float64 does not hold every integer;
// maxExact32 is 2^24, the same bound for float32.
const (
	maxExact   = 1 << 53
	maxExact32 = 1 << 24
)

// toFloat converts a numeric column value to a float64 (a float32 value
// when f32 is set). Integers must be exactly representable.
func toFloat(v any, f32 bool) (float64, error) {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case float32:
		if f32 {
			return float64(x), nil
		}
		// A FLOAT column reads as the number its text shows, as in
		// DataJoint for Python.
		f = float32To64(x)
	case []byte, string:
		s, _ := x.(string)
		if b, ok := x.([]byte); ok {
			s = string(b)
		}
		var err error
		f, err = strconv.ParseFloat(s, 64)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return 0, errOutOfRange
			}
			return 0, errNotNumber
		}
	case uint64:
		lim := uint64(maxExact)
		if f32 {
			lim = maxExact32
		}
		if x > lim && !exactUint(x, f32) {
			return 0, errInexact
		}
		return float64(x), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	default:
		n, err := toInt64(v)
		if err != nil {
			return 0, err
		}
		lim := int64(maxExact)
		if f32 {
			lim = maxExact32
		}
		if (n > lim || n < -lim) && !exactInt(n, f32) {
			return 0, errInexact
		}
		return float64(n), nil
	}
	if f32 && !math.IsInf(f, 0) && !math.IsNaN(f) && math.Abs(f) > math.MaxFloat32 {
		return 0, errOutOfRange
	}
	return f, nil
}

// exactInt reports whether n survives a round trip through the float type.
func exactInt(n int64, f32 bool) bool {
	if f32 {
		g := float32(n)
		return float64(g) < twoTo63 && float64(g) >= -twoTo63 && int64(g) == n
	}
	g := float64(n)
	return g < twoTo63 && int64(g) == n
}

func exactUint(n uint64, f32 bool) bool {
	if f32 {
		g := float32(n)
		return float64(g) < 2*twoTo63 && uint64(g) == n
	}
	g := float64(n)
	return g < 2*twoTo63 && uint64(g) == n
}

// convertTo converts a natural value (as FetchMaps returns it) to typ. NULL
// gives typ's zero value (nil for a pointer), or NaN for a float type; a
// pointer type receives a pointer to the converted value.
func convertTo(v any, typ reflect.Type) (reflect.Value, error) {
	if typ.Kind() == reflect.Pointer && v != nil && reflect.TypeOf(v) != typ {
		elem, err := convertTo(v, typ.Elem())
		if err != nil {
			return reflect.Value{}, err
		}
		p := reflect.New(typ.Elem())
		p.Elem().Set(elem)
		return p, nil
	}
	z := reflect.New(typ).Elem()
	if v == nil {
		if typ.Kind() == reflect.Float32 || typ.Kind() == reflect.Float64 {
			z.SetFloat(math.NaN())
		}
		return z, nil
	}
	if err := assignValue(z, v); err != nil {
		return reflect.Value{}, err
	}
	return z, nil
}
