package blob

import (
	"bytes"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"gonum.org/v1/gonum/mat"
)

// TestValueMatricesEncodeLikePointers checks that gonum matrices and Arrays
// encode to the same bytes whether they are held by value, by pointer, in an
// interface, in a slice, in a map or in a struct field, and that those bytes
// are the array (never an empty dict).
func TestValueMatricesEncodeLikePointers(t *testing.T) {
	dense := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})
	vec := mat.NewVecDense(3, []float64{7, 8, 9})
	cd := mat.NewCDense(2, 2, []complex128{1 + 2i, 3, 4i, 5})
	sym := mat.NewSymDense(2, []float64{1, 2, 2, 3})
	diag := mat.NewDiagDense(2, []float64{4, 5})
	tri := mat.NewTriDense(2, mat.Upper, []float64{1, 2, 0, 3})
	arr, err := NewArray([]int16{1, 2, 3, 4}, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		ptr, value any
		wantHeader []byte // the item code and ndim of the expected array
	}{
		{"Dense", dense, *dense, []byte{'A', 2}},
		{"VecDense", vec, *vec, []byte{'A', 1}},
		{"CDense", cd, *cd, []byte{'A', 2}},
		{"SymDense", sym, *sym, []byte{'A', 2}},
		{"DiagDense", diag, *diag, []byte{'A', 2}},
		{"TriDense", tri, *tri, []byte{'A', 2}},
		{"Array", arr, *arr, []byte{'A', 2}},
		{"empty Dense", &mat.Dense{}, mat.Dense{}, []byte{'A', 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want, err := Marshal(c.ptr, Compress(false))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(want[4:], c.wantHeader) {
				t.Fatalf("pointer encodes as %x, not an array", want)
			}
			var asMatrix mat.Matrix
			if m, ok := c.ptr.(mat.Matrix); ok {
				asMatrix = m
			}
			holders := map[string]any{
				"value":          c.value,
				"any holding it": any(c.value),
			}
			if asMatrix != nil {
				holders["mat.Matrix"] = asMatrix
			}
			for how, v := range holders {
				got, err := Marshal(v, Compress(false))
				if err != nil {
					t.Fatalf("%s: %v", how, err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s encodes as\n%x\nwant\n%x", how, got, want)
				}
			}
			// Containers: the value and the pointer give the same bytes.
			for _, pair := range [][2]any{
				{[]any{c.value}, []any{c.ptr}},
				{map[string]any{"m": c.value}, map[string]any{"m": c.ptr}},
				{struct{ M any }{c.value}, struct{ M any }{c.ptr}},
			} {
				got, err1 := Marshal(pair[0], Compress(false))
				ref, err2 := Marshal(pair[1], Compress(false))
				if err1 != nil || err2 != nil || !bytes.Equal(got, ref) {
					t.Errorf("%T by value: %x (%v); by pointer: %x (%v)", pair[0], got, err1, ref, err2)
				}
			}
		})
	}
	// Typed containers of values and of pointers.
	got1, err1 := Marshal([]mat.Dense{*dense, *dense}, Compress(false))
	ref1, err2 := Marshal([]*mat.Dense{dense, dense}, Compress(false))
	if err1 != nil || err2 != nil || !bytes.Equal(got1, ref1) {
		t.Errorf("[]mat.Dense %x (%v) vs []*mat.Dense %x (%v)", got1, err1, ref1, err2)
	}
	got2, err1 := Marshal(map[string]mat.VecDense{"v": *vec}, Compress(false))
	ref2, err2 := Marshal(map[string]*mat.VecDense{"v": vec}, Compress(false))
	if err1 != nil || err2 != nil || !bytes.Equal(got2, ref2) {
		t.Errorf("map of VecDense %x (%v) vs map of *VecDense %x (%v)", got2, err1, ref2, err2)
	}
	type byValue struct {
		M mat.Dense
		A Array
		N big.Int
	}
	type byPtr struct {
		M *mat.Dense
		A *Array
		N *big.Int
	}
	n := new(big.Int).Lsh(big.NewInt(3), 70)
	got3, err1 := Marshal(byValue{*dense, *arr, *n}, Compress(false))
	ref3, err2 := Marshal(byPtr{dense, arr, n}, Compress(false))
	if err1 != nil || err2 != nil || !bytes.Equal(got3, ref3) {
		t.Errorf("struct of values %x (%v) vs struct of pointers %x (%v)", got3, err1, ref3, err2)
	}
	// Embedded matrices are fields, not promoted (they have no exported fields).
	type withEmbedded struct {
		mat.Dense
		X int
	}
	got4, err := Marshal(withEmbedded{*dense, 1}, Compress(false))
	if err != nil {
		t.Fatal(err)
	}
	if viaPtr, err := Marshal(&withEmbedded{*dense, 1}, Compress(false)); err != nil || !bytes.Equal(viaPtr, got4) {
		t.Errorf("*withEmbedded encodes as %x (%v), withEmbedded as %x", viaPtr, err, got4)
	}
	var back struct {
		Dense mat.Dense
		X     int
	}
	if err := Unmarshal(got4, &back); err != nil || !mat.Equal(&back.Dense, dense) || back.X != 1 {
		t.Errorf("embedded Dense: %v, %v", err, back)
	}
}

// TestRefuseUnrepresentable checks that values the blob cannot hold in full
// are refused with an error wrapping ErrType that names the Go type, at any
// depth, instead of being written as an empty or partial dict.
func TestRefuseUnrepresentable(t *testing.T) {
	type hidden struct{ x int }
	type partlyHidden struct {
		A int
		b string
	}
	type inner struct{ y int }
	type embedsPointer struct {
		*inner
		Z int
	}
	var mu sync.Mutex
	ch := make(chan int)
	loc, err := time.LoadLocation("UTC")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		v     any
		names string // text the error must contain
	}{
		{"struct without exported fields", hidden{1}, "blob.hidden"},
		{"struct with an unexported field", partlyHidden{1, "x"}, "blob.partlyHidden"},
		{"pointer to it", &partlyHidden{1, "x"}, "partlyHidden"},
		{"embedded unexported pointer", embedsPointer{&inner{1}, 2}, "embedsPointer"},
		{"sync.Mutex", &mu, "sync.Mutex"},
		{"time.Location", loc, "time.Location"},
		{"time.Location value", *loc, "time.Location"},
		{"big.Float", big.NewFloat(1.5), "big.Float"},
		{"mat.SVD", &mat.SVD{}, "mat.SVD"},
		{"channel", ch, "chan int"},
		{"func", func() {}, "func()"},
		{"unsafe pointer", unsafe.Pointer(&mu), "unsafe.Pointer"},
		{"error value", errors.New("x"), "errors.errorString"},
		{"empty slice of mutexes", []sync.Mutex{}, "sync.Mutex"},
		{"map of funcs", map[string]func(){}, "func()"},
		{"in []any", []any{1, hidden{2}}, "blob.hidden"},
		{"in map[string]any", map[string]any{"a": &mu}, "sync.Mutex"},
		{"in an any field", struct{ V any }{hidden{}}, "blob.hidden"},
		{"in a typed field", struct{ L *time.Location }{loc}, "time.Location"},
		{"map key", map[hidden]int{{1}: 1}, "blob.hidden"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, opts := range [][]Option{nil, {MatlabStruct()}} {
				b, err := Marshal(c.v, opts...)
				if !errors.Is(err, ErrType) {
					t.Fatalf("Marshal = %x, %v; want an error wrapping ErrType", b, err)
				}
				if !strings.Contains(err.Error(), c.names) {
					t.Errorf("error %q does not name %s", err, c.names)
				}
			}
		})
	}
	// Skipping unexported state with `blob:"-"` makes a struct encodable, and
	// struct{} (no state at all) is an empty dict.
	type skipped struct {
		A int
		b int `blob:"-"`
	}
	if _, err := Marshal(skipped{1, 2}); err != nil {
		t.Errorf("struct with skipped unexported field: %v", err)
	}
	if _, err := Marshal(struct{}{}); err != nil {
		t.Errorf("struct{}: %v", err)
	}
}

// TestDecodeNeverTruncates checks that numeric conversions into Go
// destinations fail instead of rounding or wrapping.
func TestDecodeNeverTruncates(t *testing.T) {
	enc := func(v any) []byte {
		t.Helper()
		b, err := Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var i int
	if err := Unmarshal(enc(2.5), &i); !errors.Is(err, ErrType) {
		t.Errorf("2.5 into int: %v (%d)", err, i)
	}
	var st struct{ N int8 }
	if err := Unmarshal(enc(map[string]any{"n": 300}), &st); !errors.Is(err, ErrType) {
		t.Errorf("300 into int8 field: %v (%d)", err, st.N)
	}
	var u uint
	if err := Unmarshal(enc(-1), &u); !errors.Is(err, ErrType) {
		t.Errorf("-1 into uint: %v (%d)", err, u)
	}
	var f32 float32
	if err := Unmarshal(enc(0.1), &f32); !errors.Is(err, ErrType) {
		t.Errorf("0.1 into float32: %v (%v)", err, f32)
	}
	var ints []int32
	if err := Unmarshal(enc([]float64{1, 2.25}), &ints); !errors.Is(err, ErrType) {
		t.Errorf("[1 2.25] into []int32: %v (%v)", err, ints)
	}
	var big64 int64
	if err := Unmarshal(enc(uint64(1<<63)), &big64); !errors.Is(err, ErrType) {
		t.Errorf("2^63 into int64: %v (%d)", err, big64)
	}
	var f float64
	if err := Unmarshal(enc(int64(1<<53+1)), &f); !errors.Is(err, ErrType) {
		t.Errorf("2^53+1 into float64: %v (%v)", err, f)
	}
	var c complex64
	if err := Unmarshal(enc(complex(0.1, 0)), &c); !errors.Is(err, ErrType) {
		t.Errorf("0.1+0i into complex64: %v (%v)", err, c)
	}
	// A matrix decodes into a mat.Matrix interface as a *mat.Dense.
	var m mat.Matrix
	dense := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	if err := Unmarshal(enc(dense), &m); err != nil || !mat.Equal(m, dense) {
		t.Errorf("into mat.Matrix: %v, %v", err, m)
	}
}
