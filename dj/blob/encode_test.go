package blob

import (
	"encoding/hex"
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gonum.org/v1/gonum/mat"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type session struct {
	SessionID int
	HTTPName  string
	Renamed   float64 `blob:"rate"`
	Skipped   string  `blob:"-"`
	//lint:ignore U1000 an unexported field must be skipped by the encoder, so nothing reads it
	private int `blob:"-"`
}

type embedded struct {
	session
	Extra bool
}

// TestMarshalGolden checks Go values against the byte layouts of the
// DataJoint reference (§3.4) and the golden vectors (date, datetime, time).
func TestMarshalGolden(t *testing.T) {
	dense := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})
	u := uuid.MustParse("f47ac10b-58cc-4372-a567-0e02b2c3d479")
	cases := []struct {
		name string
		v    any
		hex  string
	}{
		{"int 5", 5, "646a3000 0a 0100 05"},
		{"int -1", int8(-1), "646a3000 0a 0100 ff"},
		{"int 300", uint16(300), "646a3000 0a 0200 2c01"},
		{"int 128", int64(128), "646a3000 0a 0200 8000"},
		{"int -128", -128, "646a3000 0a 0200 80ff"},
		{"uint64 max", uint64(math.MaxUint64), "646a3000 0a 0900 ffffffffffffffff00"},
		{"int64 min", int64(math.MinInt64), "646a3000 0a 0900 0000000000000080ff"},
		{"big", new(big.Int).Lsh(big.NewInt(1), 64), "646a3000 0a 0900 000000000000000001"},
		{"float 1.5", 1.5, "646a3000 0d 000000000000f83f"},
		{"float32", float32(1.5), "646a3000 0d 000000000000f83f"},
		{"string", "ab", "646a3000 05 0200000000000000 6162"},
		{"bytes", []byte{1, 2}, "646a3000 06 0200000000000000 0102"},
		{"true", true, "646a3000 0b 01"},
		{"nil", nil, "646a3000 ff"},
		{"nil pointer", (*int)(nil), "646a3000 ff"},
		{"complex", complex(1.5, -2.25), "646a3000 0c 000000000000f83f 00000000000002c0"},
		{"map", map[string]int{"a": 1}, "646a3000 04 0100000000000000 0a00000000000000 05 0100000000000000 61 0400000000000000 0a 0100 01"},
		{"dict", Dict{{"a", 1}}, "646a3000 04 0100000000000000 0a00000000000000 05 0100000000000000 61 0400000000000000 0a 0100 01"},
		{"dense 2x3", dense, "6d596d00 41 0200000000000000 0200000000000000 0300000000000000 06000000 00000000" +
			"000000000000f03f 0000000000001040 0000000000000040 0000000000001440 0000000000000840 0000000000001840"},
		{"dense view", mat.NewDense(3, 4, []float64{1, 2, 3, 0, 4, 5, 6, 0, 0, 0, 0, 0}).Slice(0, 2, 0, 3), "6d596d00 41 0200000000000000 0200000000000000 0300000000000000 06000000 00000000" +
			"000000000000f03f 0000000000001040 0000000000000040 0000000000001440 0000000000000840 0000000000001840"},
		{"[]float64", []float64{1, 2}, "6d596d00 41 0100000000000000 0200000000000000 06000000 00000000 000000000000f03f 0000000000000040"},
		{"vecdense", mat.NewVecDense(2, []float64{1, 2}), "6d596d00 41 0100000000000000 0200000000000000 06000000 00000000 000000000000f03f 0000000000000040"},
		{"[]int", []int{-1}, "6d596d00 41 0100000000000000 0100000000000000 0e000000 00000000 ffffffffffffffff"},
		{"[]bool", []bool{true, false}, "6d596d00 41 0100000000000000 0200000000000000 03000000 00000000 0100"},
		{"[2]int16", [2]int16{1, -1}, "6d596d00 41 0100000000000000 0200000000000000 0a000000 00000000 0100 ffff"},
		{"[]complex128", []complex128{complex(1, 2)}, "6d596d00 41 0100000000000000 0100000000000000 06000000 01000000 000000000000f03f 0000000000000040"},
		{"cdense", mat.NewCDense(1, 1, []complex128{complex(1, 2)}), "6d596d00 41 0200000000000000 0100000000000000 0100000000000000 06000000 01000000 000000000000f03f 0000000000000040"},
		{"[]any", []any{1}, "646a3000 02 0100000000000000 0400000000000000 0a 0100 01"},
		{"tuple", Tuple{}, "646a3000 01 0000000000000000"},
		{"set", Set{}, "646a3000 03 0000000000000000"},
		{"[]string", []string{"a"}, "646a3000 02 0100000000000000 0a00000000000000 05 0100000000000000 61"},
		{"decimal", Decimal("3.14"), "646a3000 64 0400000000000000 332e3134"},
		{"uuid", u, "646a3000 75 f47ac10b58cc4372a5670e02b2c3d479"},
		{"datetime", time.Date(2024, 2, 29, 13, 45, 7, 123456000, time.UTC), "646a3000 74 65d73401 00d33f511f000000"},
		{"date", Date{2024, 2, 29}, "646a3000 74 65d73401 ffffffffffffffff"},
		{"time of day", TimeOfDay(23*time.Hour + 59*time.Minute + 59*time.Second + 999999*time.Microsecond), "646a3000 74 ffffffff ffdd4ff036000000"},
		{"scalar array", &Array{Class: ClassDouble, Shape: []int{}, Data: []float64{3}}, "646a3000 41 0000000000000000 06000000 00000000 0000000000000840"},
		{"struct", session{SessionID: 1, HTTPName: "x", Renamed: 0.5, Skipped: "no"},
			"646a3000 04 0300000000000000" +
				" 1300000000000000 05 0a00000000000000 73657373696f6e5f6964 0400000000000000 0a 0100 01" +
				" 1200000000000000 05 0900000000000000 687474705f6e616d65 0a00000000000000 05 0100000000000000 78" +
				" 0d00000000000000 05 0400000000000000 72617465 0900000000000000 0d 000000000000e03f"},
		{"struct pointer", &struct{ A int }{1}, "646a3000 04 0100000000000000 0a00000000000000 05 0100000000000000 61 0400000000000000 0a 0100 01"},
		{"sorted int keys", map[int]bool{2: true, 1: false}, "646a3000 04 0200000000000000" +
			" 0400000000000000 0a 0100 01 0200000000000000 0b 00" +
			" 0400000000000000 0a 0100 02 0200000000000000 0b 01"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Marshal(c.v)
			if err != nil {
				t.Fatal(err)
			}
			if want := mustHex(t, c.hex); string(got) != string(want) {
				t.Fatalf("got  %x\nwant %x", got, want)
			}
		})
	}
}

func TestMarshalMatlabStruct(t *testing.T) {
	type pt struct{ X, Y float64 }
	got, err := Marshal(pt{1, 2}, MatlabStruct())
	if err != nil {
		t.Fatal(err)
	}
	v, err := Decode(got)
	if err != nil {
		t.Fatal(err)
	}
	s, ok := v.(*MatStruct)
	if !ok || len(s.Elems) != 1 || s.Fields[0] != "x" || s.Elems[0][1] != 2.0 {
		t.Fatalf("decoded %#v", v)
	}
	if string(got[:4]) != headerDJ0 { // float scalars are dj0 items
		t.Fatalf("header %q", got[:4])
	}
	type arr struct{ A []float64 }
	got, err = Marshal([]arr{{[]float64{1}}, {[]float64{2, 3}}}, MatlabStruct())
	if err != nil {
		t.Fatal(err)
	}
	if string(got[:4]) != headerMYM {
		t.Fatalf("struct array of arrays should be mYm, got %q", got[:4])
	}
	var back []arr
	if err := Unmarshal(got, &back); err != nil || len(back) != 2 || back[1].A[1] != 3 {
		t.Fatalf("Unmarshal: %v %+v", err, back)
	}
	var one embedded
	if err := Unmarshal(mustMarshal(t, embedded{session{SessionID: 7}, true}), &one); err != nil || one.SessionID != 7 || !one.Extra {
		t.Fatalf("embedded: %v %+v", err, one)
	}
}

func mustMarshal(t *testing.T, v any, opts ...Option) []byte {
	t.Helper()
	b, err := Marshal(v, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMarshalErrors(t *testing.T) {
	for name, v := range map[string]any{
		"chan":            make(chan int),
		"func":            func() {},
		"bad date":        Date{2023, 2, 29},
		"year 0":          time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		"time of day 25h": TimeOfDay(25 * time.Hour),
		"array mismatch":  &Array{Class: ClassDouble, Shape: []int{3}, Data: []float64{1}},
		"array class":     &Array{Class: ClassInt8, Shape: []int{1}, Data: []float64{1}},
		"complex logical": &Array{Class: ClassLogical, Shape: []int{1}, Data: []bool{true}, Imag: []bool{true}},
		"nul field":       &MatStruct{Shape: []int{1, 1}, Fields: []string{"a\x00"}, Elems: [][]any{{1.0}}},
		"record field":    &Record{Fields: []RecordField{{"a", 1}}},
		"msgpack inside":  []any{Msgpack{0x90}},
	} {
		if _, err := Marshal(v); !errors.Is(err, ErrType) {
			t.Errorf("%s: err = %v, want ErrType", name, err)
		}
	}
}

func TestCompression(t *testing.T) {
	zeros := make([]float64, 1000)
	b := mustMarshal(t, zeros)
	if !strings.HasPrefix(string(b), headerZL) || len(b) > 200 {
		t.Fatalf("1000 zeros: %d bytes, prefix %q", len(b), b[:6])
	}
	var back []float64
	if err := Unmarshal(b, &back); err != nil || len(back) != 1000 {
		t.Fatalf("Unmarshal: %v", err)
	}
	if raw := mustMarshal(t, zeros, Compress(false)); len(raw) != 4+25+8000 {
		t.Fatalf("uncompressed length %d", len(raw))
	}
	for level := 1; level <= 9; level++ {
		if _, err := Decode(mustMarshal(t, zeros, CompressionLevel(level))); err != nil {
			t.Fatalf("level %d: %v", level, err)
		}
	}
	// A declared size beyond the limit fails before allocating.
	if _, err := Decode(b, MaxDecodedSize(100)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("limit: %v", err)
	}
	// Length mismatches are malformed.
	bad := append([]byte(nil), b...)
	bad[6]++
	if _, err := Decode(bad); !errors.Is(err, ErrMalformed) {
		t.Fatalf("longer declared length: %v", err)
	}
	bad[6] -= 2
	if _, err := Decode(bad); !errors.Is(err, ErrMalformed) {
		t.Fatalf("shorter declared length: %v", err)
	}
	huge := append([]byte(headerZL), 0, 0, 0, 0, 1, 0, 0, 0, 0x78, 0x9c)
	if _, err := Decode(huge, MaxDecodedSize(8<<30)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("impossible ratio: %v", err)
	}
}

// TestMapFastPaths checks that the reflection-free map encoders write the
// same bytes as a Dict with the keys sorted.
func TestMapFastPaths(t *testing.T) {
	dict := func(vals ...any) Dict {
		return Dict{{"a", vals[0]}, {"b", vals[1]}}
	}
	for _, c := range []struct {
		m    any
		want Dict
	}{
		{map[string]any{"b": 1, "a": nil}, dict(nil, 1)},
		{map[string][]float64{"b": {1}, "a": {}}, dict([]float64{}, []float64{1})},
		{map[string]float64{"b": 1, "a": 2}, dict(2.0, 1.0)},
		{map[string]string{"b": "x", "a": "y"}, dict("y", "x")},
		{map[string]int32{"b": 1, "a": 2}, dict(2, 1)},
	} {
		if got, want := mustMarshal(t, c.m), mustMarshal(t, c.want); string(got) != string(want) {
			t.Errorf("%T: got %x\nwant %x", c.m, got, want)
		}
	}
}
