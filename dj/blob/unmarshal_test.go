package blob

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gonum.org/v1/gonum/mat"
)

func TestUnmarshalScalars(t *testing.T) {
	var (
		i8  int8
		u   uint
		f32 float32
		f   float64
		c   complex64
		b   bool
		s   string
		bi  big.Int
		dec Decimal
		id  uuid.UUID
		tm  time.Time
		d   Date
		tod TimeOfDay
	)
	u1 := uuid.New()
	now := time.Date(2020, 1, 2, 3, 4, 5, 6000, time.UTC)
	huge, _ := new(big.Int).SetString("-1267650600228229401496703205383", 10)
	for _, c := range []struct {
		v, dst, want any
	}{
		{int64(-5), &i8, int8(-5)},
		{300, &u, uint(300)},
		{1.5, &f32, float32(1.5)},
		{7, &f, 7.0},
		{float32(2), &i8, int8(2)},
		{complex(1, 2), &c, complex64(complex(1, 2))},
		{true, &b, true},
		{"héllo", &s, "héllo"},
		{huge, &bi, *huge},
		{Decimal("1E+10"), &dec, Decimal("1E+10")},
		{u1, &id, u1},
		{now, &tm, now},
		{Date{2020, 1, 2}, &d, Date{2020, 1, 2}},
		{Date{2020, 1, 2}, &tm, time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)},
		{TimeOfDay(time.Hour), &tod, TimeOfDay(time.Hour)},
		{mat.NewDense(1, 1, []float64{4}), &f, 4.0}, // MATLAB scalar (1×1)
		{[]int32{9}, &u, uint(9)},
		{&Array{Class: ClassChar, Shape: []int{1, 2}, Data: []uint16{'h', 'i'}}, &s, "hi"},
	} {
		if err := Unmarshal(mustMarshal(t, c.v), c.dst); err != nil {
			t.Errorf("%T into %T: %v", c.v, c.dst, err)
			continue
		}
		if got := reflect.ValueOf(c.dst).Elem().Interface(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%T into %T: got %v, want %v", c.v, c.dst, got, c.want)
		}
	}
}

func TestUnmarshalTypeErrors(t *testing.T) {
	var (
		i8  int8
		u   uint
		f32 float32
		s   string
		m   map[string]int
		fs  []float64
		arr [2]int
	)
	for _, c := range []struct {
		v    any
		dst  any
		want string
	}{
		{300, &i8, "blob int into Go int8"},
		{-1, &u, "blob int into Go uint"},
		{0.1, &f32, "blob float into Go float32"},
		{2.5, &i8, "blob float into Go int8"},
		{"x", &i8, "blob str into Go int8"},
		{1, &s, "blob int into Go string"},
		{[]any{1}, &m, "blob list into Go map[string]int"},
		{mat.NewDense(2, 2, nil), &fs, "blob float64 array [2 2] into Go []float64"},
		{[]float64{1, 2, 3}, &arr, "blob float64 array [3] has 3 elements, Go [2]int has 2"},
		{[]float64{0.5, 1}, &arr, "element 0"},
	} {
		err := Unmarshal(mustMarshal(t, c.v), c.dst)
		if !errors.Is(err, ErrType) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%T into %T: err = %v, want ErrType mentioning %q", c.v, c.dst, err, c.want)
		}
	}
	if err := Unmarshal(mustMarshal(t, 1), nil); !errors.Is(err, ErrType) {
		t.Errorf("nil destination: %v", err)
	}
}

func TestUnmarshalContainers(t *testing.T) {
	type rec struct {
		Name   string
		Trace  []float64
		Scores map[string]int
		Opt    *int
		Any    any
	}
	in := rec{"a", []float64{1, 2}, map[string]int{"x": 1}, nil, []any{1, "b"}}
	var out rec
	if err := Unmarshal(mustMarshal(t, in), &out); err != nil {
		t.Fatal(err)
	}
	if out.Name != "a" || !reflect.DeepEqual(out.Trace, in.Trace) || out.Scores["x"] != 1 || out.Opt != nil ||
		!reflect.DeepEqual(out.Any, []any{int64(1), "b"}) {
		t.Fatalf("got %+v", out)
	}
	var anyv any
	if err := Unmarshal(mustMarshal(t, map[string]any{"a": []float64{1}, "b": Tuple{1.5}}), &anyv); err != nil {
		t.Fatal(err)
	}
	if want := map[string]any{"a": []float64{1}, "b": []any{1.5}}; !reflect.DeepEqual(anyv, want) {
		t.Fatalf("natural: %#v", anyv)
	}
	if err := Unmarshal(mustMarshal(t, map[int]string{1: "a"}), &anyv); err != nil {
		t.Fatal(err)
	}
	if want := (Dict{{int64(1), "a"}}); !reflect.DeepEqual(anyv, want) {
		t.Fatalf("non-string keys: %#v", anyv)
	}
	var ints map[int]string
	if err := Unmarshal(mustMarshal(t, map[int]string{1: "a", 2: "b"}), &ints); err != nil || ints[2] != "b" {
		t.Fatalf("map[int]string: %v %v", err, ints)
	}
	var tup Tuple
	if err := Unmarshal(mustMarshal(t, []any{1, nil}), &tup); err != nil || len(tup) != 2 || tup[1] != nil {
		t.Fatalf("Tuple: %v %v", err, tup)
	}
	var strs []string
	if err := Unmarshal(mustMarshal(t, []string{"a", "b"}), &strs); err != nil || strs[1] != "b" {
		t.Fatalf("[]string: %v %v", err, strs)
	}
	var conv []float32
	if err := Unmarshal(mustMarshal(t, []int16{1, -2}), &conv); err != nil || conv[1] != -2 {
		t.Fatalf("int16 → float32: %v %v", err, conv)
	}
	var cx []complex128
	if err := Unmarshal(mustMarshal(t, []complex128{complex(1, 2)}), &cx); err != nil || cx[0] != complex(1, 2) {
		t.Fatalf("complex: %v %v", err, cx)
	}
	var raw []byte
	if err := Unmarshal(mustMarshal(t, []byte("xyz")), &raw); err != nil || string(raw) != "xyz" {
		t.Fatalf("bytes: %v %q", err, raw)
	}
	var a *Array
	if err := Unmarshal(mustMarshal(t, mat.NewDense(2, 3, nil)), &a); err != nil || !reflect.DeepEqual(a.Shape, []int{2, 3}) {
		t.Fatalf("*Array: %v %+v", err, a)
	}
}

func TestDense(t *testing.T) {
	big := mat.NewDense(130, 70, nil)
	for i := 0; i < 130; i++ {
		for j := 0; j < 70; j++ {
			big.Set(i, j, float64(i*1000+j))
		}
	}
	views := map[string]*mat.Dense{
		"full":  big,
		"view":  big.Slice(3, 129, 5, 69).(*mat.Dense),
		"small": mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6}),
	}
	for name, m := range views {
		b := mustMarshal(t, m, Compress(false))
		var got mat.Dense
		if err := Unmarshal(b, &got); err != nil {
			t.Fatal(name, err)
		}
		if !mat.Equal(&got, m) {
			t.Fatalf("%s: round trip differs", name)
		}
		// The generic path (via *Array) agrees with the fast path.
		var viaAny struct{ M *mat.Dense }
		if err := Unmarshal(mustMarshal(t, map[string]any{"m": m}), &viaAny); err != nil || !mat.Equal(viaAny.M, m) {
			t.Fatalf("%s: nested: %v", name, err)
		}
		// Reusing the destination keeps working with other shapes.
		if err := Unmarshal(mustMarshal(t, mat.NewDense(1, 2, []float64{7, 8})), &got); err != nil || got.At(0, 1) != 8 {
			t.Fatalf("%s: reuse: %v", name, err)
		}
	}
	// Zero rows or columns decode to an empty, usable Dense.
	for _, shape := range [][]int{{0, 3}, {2, 0}, {0}} {
		b := mustMarshal(t, &Array{Class: ClassDouble, Shape: shape, Data: []float64{}})
		got := mat.NewDense(1, 1, []float64{5})
		if err := Unmarshal(b, got); err != nil || !got.IsEmpty() {
			t.Fatalf("%v: %v empty=%v", shape, err, got.IsEmpty())
		}
		var s struct{ M mat.Dense }
		if err := Unmarshal(mustMarshal(t, Dict{{"m", &Array{Class: ClassDouble, Shape: shape, Data: []float64{}}}}), &s); err != nil || !s.M.IsEmpty() {
			t.Fatalf("%v nested: %v", shape, err)
		}
	}
	var empty mat.Dense
	if b := mustMarshal(t, &empty); len(b) != 4+1+8+16+8 {
		t.Fatalf("empty Dense: %x", b)
	}
	// A 1-D array is a column; int arrays convert exactly.
	var col mat.Dense
	if err := Unmarshal(mustMarshal(t, []int32{1, 2}), &col); err != nil || col.At(1, 0) != 2 {
		t.Fatalf("column: %v", err)
	}
	var v mat.VecDense
	if err := Unmarshal(mustMarshal(t, mat.NewDense(1, 3, []float64{1, 2, 3})), &v); err != nil || v.Len() != 3 || v.AtVec(2) != 3 {
		t.Fatalf("VecDense from row: %v", err)
	}
	var cd mat.CDense
	in := mat.NewCDense(2, 2, []complex128{1, 2i, 3, complex(4, -4)})
	if err := Unmarshal(mustMarshal(t, in), &cd); err != nil || cd.At(1, 1) != complex(4, -4) || cd.At(0, 1) != 2i {
		t.Fatalf("CDense: %v", err)
	}
	var wrong mat.Dense
	if err := Unmarshal(mustMarshal(t, "x"), &wrong); !errors.Is(err, ErrType) {
		t.Fatalf("str into Dense: %v", err)
	}
	// Other mat.Matrix implementations encode through At.
	sym := mat.NewSymDense(2, []float64{1, 2, 2, 3})
	var back mat.Dense
	if err := Unmarshal(mustMarshal(t, sym), &back); err != nil || !mat.Equal(&back, sym) {
		t.Fatalf("SymDense: %v", err)
	}
}

func TestSliceReuse(t *testing.T) {
	b := mustMarshal(t, []float64{1, 2, 3}, Compress(false))
	dst := make([]float64, 0, 10)
	if err := Unmarshal(b, &dst); err != nil || len(dst) != 3 || cap(dst) != 10 {
		t.Fatalf("%v len=%d cap=%d", err, len(dst), cap(dst))
	}
	// MATLAB row and column vectors decode into slices too.
	var f []float64
	if err := Unmarshal(mustMarshal(t, mat.NewDense(1, 3, []float64{1, 2, 3})), &f); err != nil || f[2] != 3 {
		t.Fatalf("row vector: %v", err)
	}
}

// TestMalformed truncates and corrupts valid blobs: every result is an error
// wrapping ErrMalformed (or ErrUnsupported), never a panic.
func TestMalformed(t *testing.T) {
	for _, v := range loadVectors(t) {
		data := v.blob(t)
		if len(data) > 4096 {
			continue
		}
		for n := 0; n < len(data); n++ {
			_, err := Decode(data[:n])
			if err == nil {
				t.Fatalf("%s: prefix of %d bytes decoded", v.Name, n)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("%s: prefix %d: %v", v.Name, n, err)
			}
		}
		// Bytes after the zlib stream are ignored, as Python's zlib.decompress
		// does; after an uncompressed item they fail the length check.
		if _, err := Decode(append(append([]byte(nil), data...), 0)); !v.Compressed && !errors.Is(err, ErrMalformed) {
			t.Fatalf("%s: trailing byte: %v", v.Name, err)
		}
	}
	for name, hexs := range map[string]string{
		"unknown protocol": "6162630041",
		"no header":        "6d596d",
		"unknown code":     "646a300099",
		"sparse":           "6d596d0050",
		"huge ndim":        "6d596d0041ffffffffffffff7f",
		"huge dim":         "6d596d004101000000000000000000000000000010 06000000 00000000",
		"overflow shape":   "6d596d004102000000000000000000000000000040 0000000000000040 06000000 00000000",
		"bad class":        "6d596d0041010000000000000000000000000000 00 63000000 00000000",
		"complex object":   "646a30004101000000000000000000000000000000 05000000 01000000",
		"huge list":        "646a300002ffffffffffffff00",
		"bad date":         "646a30007400000000ffffffffffffffff",
		"bad hour":         "646a300074ffffffff0010a5d4e8000000",
		"unterminated":     "6d596d0053010000000000000001000000000000000100000061",
		"record of str":    "646a30004601000000610005000000000000000000",
		"nested length":    "646a3000020100000000000000020000000000000005",
		"deep":             hex.EncodeToString(deepList(2000)),
	} {
		b := mustHex(t, hexs)
		_, err := Decode(b)
		if !errors.Is(err, ErrMalformed) && !(name == "sparse" && errors.Is(err, ErrUnsupported)) {
			t.Errorf("%s: %v", name, err)
		}
		var anyv any
		if err := Unmarshal(b, &anyv); err == nil {
			t.Errorf("%s: Unmarshal succeeded", name)
		}
	}
}

// deepList returns a blob of n nested one-element lists.
func deepList(n int) []byte {
	inner := []byte{0xFF}
	for i := 0; i < n; i++ {
		b := []byte{0x02}
		b = binary.LittleEndian.AppendUint64(b, 1)
		b = binary.LittleEndian.AppendUint64(b, uint64(len(inner)))
		inner = append(b, inner...)
	}
	return append([]byte(headerDJ0), inner...)
}

// TestLegacy32 decodes a blob with 32-bit length fields, as the 32-bit mYm wrote.
func TestLegacy32(t *testing.T) {
	b := []byte("mYm\x00A")
	b = binary.LittleEndian.AppendUint32(b, 2)
	b = binary.LittleEndian.AppendUint32(b, 1)
	b = binary.LittleEndian.AppendUint32(b, 2)
	b = binary.LittleEndian.AppendUint32(b, uint32(ClassDouble))
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(1))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(2))
	var f []float64
	if err := Unmarshal(b, &f, Legacy32Bit()); err != nil || len(f) != 2 || f[1] != 2 {
		t.Fatalf("legacy: %v %v", err, f)
	}
	if _, err := Decode(b); err == nil {
		t.Fatal("64-bit reading of a 32-bit blob succeeded")
	}
	// Compressed legacy blobs carry a 32-bit length too.
	payload := append([]byte(nil), b...)
	for len(payload) <= 1000 {
		payload = append(payload, 0)
	}
	z, err := compressTail(append([]byte(nil), payload...), 0, &options{compress: true, level: 6})
	if err != nil {
		t.Fatal(err)
	}
	legacyZ := append([]byte(headerZL), z[6:10]...)
	legacyZ = append(legacyZ, z[14:]...)
	got, err := decompress(legacyZ, &options{legacy32: true, maxDecoded: DefaultMaxDecodedSize})
	if err != nil || string(got) != string(payload) {
		t.Fatalf("legacy envelope: %v", err)
	}
}

func TestMsgpackProtocol(t *testing.T) {
	type custom struct {
		Name  string
		Ratio float64
		Tags  map[string][]int
	}
	in := custom{"x", 0.5, map[string][]int{"a": {1, 2}}}
	b := mustMarshal(t, in, MsgpackProtocol())
	if !strings.HasPrefix(string(b), headerMsgpack) {
		t.Fatalf("header: %q", b)
	}
	var out custom
	if err := Unmarshal(b, &out); err != nil || !reflect.DeepEqual(in, out) {
		t.Fatalf("Unmarshal: %v %+v", err, out)
	}
	v, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := v.(Msgpack)
	if !ok {
		t.Fatalf("Decode: %T", v)
	}
	var again custom
	if err := m.Decode(&again); err != nil || !reflect.DeepEqual(in, again) {
		t.Fatalf("Msgpack.Decode: %v", err)
	}
	if re := mustMarshal(t, v); string(re) != string(b) {
		t.Fatal("re-encoding the msgpack payload changed it")
	}
	// Large payloads are compressed in the ZL123 envelope like any blob.
	big := mustMarshal(t, make([]int, 5000), MsgpackProtocol())
	if !strings.HasPrefix(string(big), headerZL) {
		t.Fatal("large msgpack blob not compressed")
	}
	var ints []int
	if err := Unmarshal(big, &ints); err != nil || len(ints) != 5000 {
		t.Fatalf("compressed msgpack: %v", err)
	}
	if _, err := Marshal(complex(1, 1), MsgpackProtocol()); !errors.Is(err, ErrType) {
		t.Fatalf("complex in msgpack: %v", err)
	}
}

func TestStructKeysAreSnakeCase(t *testing.T) {
	type row struct {
		SessionID     int32
		HTTPServer    int32
		X2Pos         int32
		A             int32
		Already_snake int32 // a snake_case field keeps its name
		TrialIdx      int32
	}
	b, err := Marshal(row{})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"session_id", "http_server", "x2_pos", "a", "already_snake", "trial_idx"} {
		if _, ok := m[want]; !ok {
			t.Errorf("struct key %q missing from %v", want, m)
		}
	}
	if len(m) != 6 {
		t.Errorf("keys %v, want 6", m)
	}
}
