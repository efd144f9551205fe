package pyzlib

import (
	"bytes"
	"compress/zlib"
	"io"
	"math/rand/v2"
	"testing"
)

// inflate decompresses a zlib stream with the standard library.
func inflate(t testing.TB, z []byte) []byte {
	t.Helper()
	zr, err := zlib.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatalf("zlib header: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("inflate: %v", err)
	}
	return out
}

// randomInput returns n bytes of a kind chosen by r: random, few-symbol,
// runs, repeated phrases or a mixture, so that every block type and both
// matchers' paths occur.
func randomInput(r *rand.Rand, n int) []byte {
	b := make([]byte, 0, n)
	kind := r.IntN(5)
	for len(b) < n {
		k := kind
		if k == 4 {
			k = r.IntN(4)
		}
		switch k {
		case 0:
			for range 1 + r.IntN(2000) {
				b = append(b, byte(r.Uint32()))
			}
		case 1:
			for range 1 + r.IntN(2000) {
				b = append(b, 'a'+byte(r.IntN(4)))
			}
		case 2:
			c := byte(r.Uint32())
			for range 1 + r.IntN(600) {
				b = append(b, c)
			}
		case 3:
			if len(b) > 10 {
				start := r.IntN(len(b))
				end := min(len(b), start+3+r.IntN(300))
				b = append(b, b[start:end]...)
			} else {
				b = append(b, "phrase"...)
			}
		}
	}
	return b[:n]
}

// TestRoundTrip compresses inputs of random sizes and kinds at every level
// and checks that the standard library inflates them to the input.
func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	var out []byte
	for i := range 120 {
		n := r.IntN(1 << uint(4+r.IntN(15))) // up to 512 KiB, mostly small
		src := randomInput(r, n)
		level := 1 + i%9
		var err error
		out, err = CompressLevel(out[:0], src, level)
		if err != nil {
			t.Fatal(err)
		}
		if got := inflate(t, out); !bytes.Equal(got, src) {
			t.Fatalf("level %d, %d bytes: round trip differs", level, n)
		}
	}
}

// TestAppends checks that Compress appends to dst and keeps its contents.
func TestAppends(t *testing.T) {
	dst := []byte("prefix")
	out := Compress(dst, []byte("hello, hello, hello"))
	if string(out[:6]) != "prefix" {
		t.Fatalf("dst overwritten: %q", out[:6])
	}
	if got := inflate(t, out[6:]); string(got) != "hello, hello, hello" {
		t.Fatalf("round trip: %q", got)
	}
	if _, err := CompressLevel(nil, nil, 0); err == nil {
		t.Fatal("level 0 accepted")
	}
	if _, err := CompressLevel(nil, nil, 10); err == nil {
		t.Fatal("level 10 accepted")
	}
}

// FuzzCompress checks that every input at every level compresses to a
// stream that inflates to the input.
func FuzzCompress(f *testing.F) {
	f.Add([]byte(""), uint8(6))
	f.Add([]byte("hello, hello, hello"), uint8(1))
	f.Add(bytes.Repeat([]byte("abcd"), 1000), uint8(9))
	f.Add(randomInput(rand.New(rand.NewPCG(1, 1)), 3000), uint8(4))
	f.Fuzz(func(t *testing.T, src []byte, level uint8) {
		lv := 1 + int(level)%9
		out, err := CompressLevel(nil, src, lv)
		if err != nil {
			t.Fatal(err)
		}
		if got := inflate(t, out); !bytes.Equal(got, src) {
			t.Fatalf("level %d, %d bytes: round trip differs", lv, len(src))
		}
	})
}

// TestAllocations checks that compressing into a large enough dst does not
// allocate beyond, at most, a new compressor state.
func TestAllocations(t *testing.T) {
	src := randomInput(rand.New(rand.NewPCG(3, 4)), 1<<20)
	out := Compress(nil, src)
	allocs := testing.AllocsPerRun(5, func() { out = Compress(out[:0], src) })
	if allocs > 1 {
		t.Fatalf("%.1f allocations per call", allocs)
	}
}
