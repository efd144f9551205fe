package dj

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"testing"
)

// columnValue is a value as the driver delivers it for one column kind,
// with the exact number it stands for.
type columnValue struct {
	kind  string // the column type it comes from
	v     any
	exact string // the exact decimal value
}

func columnValues() []columnValue {
	var out []columnValue
	ints := []int64{0, 1, -1, 44, 127, 128, -128, -129, 255, 256, 300, 32767, 32768, -32769, 65535, 65536,
		math.MaxInt32, math.MaxInt32 + 1, math.MinInt32 - 1, math.MaxUint32, math.MaxUint32 + 1,
		1 << 24, 1<<24 + 1, 1 << 53, 1<<53 + 1, -(1<<53 + 1), math.MaxInt64, math.MinInt64}
	for _, n := range ints {
		// tinyint … bigint and bool arrive as int64.
		out = append(out, columnValue{"bigint", n, strconv.FormatInt(n, 10)})
	}
	for _, n := range []uint64{0, 1, 255, 1<<53 + 1, math.MaxInt64, math.MaxInt64 + 1, math.MaxUint64} {
		out = append(out, columnValue{"bigint unsigned", n, strconv.FormatUint(n, 10)})
	}
	for _, f := range []float64{0, 1, 1.5, -1, -1.5, 300, 1e20, -1e20, 1e300, 0.1, 3.4e38, 3.5e38, 1 << 53, 1<<53 + 2, 9.3e18, 1.8e19, 1.9e19} {
		out = append(out, columnValue{"double", f, new(big.Rat).SetFloat64(f).RatString()})
	}
	for _, f := range []float32{0, 1, 1.5, -2, 0.1, 3e38, 16777217} {
		// A FLOAT column stands for the number its shortest text shows.
		text := strconv.FormatFloat(float64(f), 'g', -1, 32)
		r, _ := new(big.Rat).SetString(text)
		out = append(out, columnValue{"float", f, r.RatString()})
	}
	for _, d := range []string{"0.00", "3.00", "3.50", "-2.000", "-0.5", "300", "99999999999999999999.00", "0.10"} {
		r, _ := new(big.Rat).SetString(d)
		out = append(out, columnValue{"decimal", []byte(d), r.RatString()})
	}
	return out
}

// want is the oracle: whether exact fits typ, computed with math/big.
func want(typ reflect.Type, cv columnValue) (ok bool) {
	r, _ := new(big.Rat).SetString(cv.exact)
	k := typ.Kind()
	switch {
	case k >= reflect.Int && k <= reflect.Int64:
		lo := new(big.Int).Lsh(big.NewInt(1), uint(typ.Bits()-1))
		hi := new(big.Int).Sub(lo, big.NewInt(1))
		lo.Neg(lo)
		return r.IsInt() && r.Num().Cmp(lo) >= 0 && r.Num().Cmp(hi) <= 0
	case k >= reflect.Uint && k <= reflect.Uint64:
		hi := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(typ.Bits())), big.NewInt(1))
		return r.IsInt() && r.Sign() >= 0 && r.Num().Cmp(hi) <= 0
	case k == reflect.Float32 || k == reflect.Float64:
		prec := uint(53)
		limit := math.MaxFloat64
		if k == reflect.Float32 {
			prec, limit = 24, math.MaxFloat32
		}
		f, _ := r.Float64()
		if math.Abs(f) > limit {
			return false
		}
		if cv.kind == "bigint" || cv.kind == "bigint unsigned" {
			// Integers must survive exactly.
			bf := new(big.Float).SetPrec(prec).SetRat(r)
			back, _ := bf.Rat(nil)
			return back.Cmp(r) == 0
		}
		return true
	case k == reflect.Bool:
		return r.Cmp(big.NewRat(0, 1)) == 0 || r.Cmp(big.NewRat(1, 1)) == 0
	case k == reflect.String:
		return true
	}
	return false
}

// TestAssignValueEveryKind converts every column kind into every Go kind
// and checks the result against exact arithmetic: either the same number
// or an ErrType.
func TestAssignValueEveryKind(t *testing.T) {
	type named int16
	types := []reflect.Type{
		reflect.TypeFor[int](), reflect.TypeFor[int8](), reflect.TypeFor[int16](), reflect.TypeFor[int32](), reflect.TypeFor[int64](),
		reflect.TypeFor[uint](), reflect.TypeFor[uint8](), reflect.TypeFor[uint16](), reflect.TypeFor[uint32](), reflect.TypeFor[uint64](),
		reflect.TypeFor[float32](), reflect.TypeFor[float64](), reflect.TypeFor[bool](), reflect.TypeFor[string](), reflect.TypeFor[named](),
	}
	for _, typ := range types {
		for _, cv := range columnValues() {
			name := fmt.Sprintf("%s/%s=%v", typ, cv.kind, cv.v)
			dst := reflect.New(typ).Elem()
			err := assignValue(dst, cv.v)
			ok := want(typ, cv)
			if !ok {
				if err == nil {
					t.Errorf("%s: got %v, want an error", name, dst.Interface())
				} else if !errors.Is(err, ErrType) {
					t.Errorf("%s: error %v does not wrap ErrType", name, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			r, _ := new(big.Rat).SetString(cv.exact)
			var got *big.Rat
			switch k := typ.Kind(); {
			case k >= reflect.Int && k <= reflect.Int64:
				got = new(big.Rat).SetInt64(dst.Int())
			case k >= reflect.Uint && k <= reflect.Uint64:
				got = new(big.Rat).SetInt(new(big.Int).SetUint64(dst.Uint()))
			case k == reflect.Float64 || k == reflect.Float32:
				f := dst.Float()
				nearest, _ := r.Float64()
				if k == reflect.Float32 {
					n32, _ := r.Float32()
					nearest = float64(n32)
				}
				if f != nearest {
					t.Errorf("%s: got %v, want the nearest float %v", name, f, nearest)
				}
				continue
			case k == reflect.Bool:
				got = big.NewRat(0, 1)
				if dst.Bool() {
					got = big.NewRat(1, 1)
				}
			case k == reflect.String:
				switch x := cv.v.(type) {
				case float64:
					if f, err := strconv.ParseFloat(dst.String(), 64); err != nil || f != x {
						t.Errorf("%s: got %q", name, dst.String())
					}
					continue
				case float32:
					if f, err := strconv.ParseFloat(dst.String(), 32); err != nil || float32(f) != x {
						t.Errorf("%s: got %q", name, dst.String())
					}
					continue
				}
				got, _ = new(big.Rat).SetString(dst.String())
			}
			if got == nil || got.Cmp(r) != 0 {
				t.Errorf("%s: got %v, want %s", name, dst.Interface(), cv.exact)
			}
		}
	}
}

func TestAssignValueNotFinite(t *testing.T) {
	for _, v := range []any{math.NaN(), math.Inf(1), float32(math.Inf(-1))} {
		for _, dst := range []any{new(int), new(uint8), new(int64), new(bool)} {
			err := assignValue(reflect.ValueOf(dst).Elem(), v)
			if !errors.Is(err, ErrType) {
				t.Errorf("%v into %T: err = %v, want ErrType", v, dst, err)
			}
		}
	}
	// NULL is a float's NaN and another type's zero.
	f, err := convertTo(nil, reflect.TypeFor[float32]())
	if err != nil || !math.IsNaN(f.Float()) {
		t.Errorf("NULL into float32 = %v, %v", f, err)
	}
}
