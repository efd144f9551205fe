package blob

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestDecodedSizeLimit checks MaxDecodedSize: on the declared size of a
// compressed blob, while inflating, on the generic value, on the fast paths
// and on the conversions into typed destinations; the error wraps
// ErrTooLarge and names the limit.
func TestDecodedSizeLimit(t *testing.T) {
	tooLargeErr := func(t *testing.T, err error, limit int64) {
		t.Helper()
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), fmt.Sprint(limit)) {
			t.Errorf("error %v: want ErrTooLarge naming the limit %d", err, limit)
		}
	}
	// Default: a 2 MiB compressed blob that declares 2 GiB fails before
	// inflating, naming the 1 GiB default.
	noise := make([]byte, 2<<20)
	r := rand.New(rand.NewPCG(5, 6))
	for i := range noise {
		noise[i] = byte(r.Uint32())
	}
	declared2G := cat([]byte(headerZL), u64s(2<<30), deflate(t, noise))
	var v any
	tooLargeErr(t, Unmarshal(declared2G, &v), DefaultMaxDecodedSize)
	// While inflating: 64 MiB of zeros under a 1 MiB limit.
	bomb := cat([]byte(headerZL), u64s(64<<20+4), zerosStream(t, []byte(headerMYM), 64<<20))
	_, err := Decode(bomb, MaxDecodedSize(1<<20))
	tooLargeErr(t, err, 1<<20)
	// An honest blob at the limit decodes; one byte less fails.
	x := normals(1 << 16)
	b, err := Marshal(x, Compress(false))
	if err != nil {
		t.Fatal(err)
	}
	var got []float64
	if err := Unmarshal(b, &got, MaxDecodedSize(int64(len(b)))); err != nil || len(got) != len(x) {
		t.Fatalf("at the limit: %v", err)
	}
	tooLargeErr(t, Unmarshal(b, &got, MaxDecodedSize(1<<19-1)), 1<<19-1)
	// The generic value: 2^16 Nones take 9 bytes each in the blob and an
	// interface each (16 bytes) in Go.
	nones := make([]any, 1<<16)
	nb, err := Marshal(nones, Compress(false))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Decode(nb, MaxDecodedSize(1<<20-1))
	tooLargeErr(t, err, 1<<20-1)
	if _, err := Decode(nb, MaxDecodedSize(2<<20)); err != nil {
		t.Errorf("2 MiB limit: %v", err)
	}
	// Conversions: an int8 array of 2^20 elements (1 MiB) into []complex128
	// (16 MiB) under a 4 MiB limit.
	i8, err := Marshal(make([]int8, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	var cs []complex128
	tooLargeErr(t, Unmarshal(i8, &cs, MaxDecodedSize(4<<20)), 4<<20)
	if err := Unmarshal(i8, &cs, MaxDecodedSize(32<<20)); err != nil || len(cs) != 1<<20 {
		t.Errorf("32 MiB limit: %v", err)
	}
	// msgpack: 2^16 nils decoded into slices of 1 KiB elements.
	mp := cat([]byte(headerMsgpack), []byte{0xdc, 0xff, 0xff}, make([]byte, 0xffff))
	for i := len(headerMsgpack) + 3; i < len(mp); i++ {
		mp[i] = 0xc0
	}
	var large [][1024]byte
	tooLargeErr(t, Unmarshal(mp, &large, MaxDecodedSize(32<<20)), 32<<20)
	if err := Unmarshal(mp, &large, MaxDecodedSize(128<<20)); err != nil || len(large) != 0xffff {
		t.Errorf("msgpack within the limit: %v (%d)", err, len(large))
	}
}
