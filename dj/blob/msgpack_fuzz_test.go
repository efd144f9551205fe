package blob

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// msgpackHugeArray is a msgpack-protocol blob whose array32 header declares
// 2³²−1 elements and holds none.
var msgpackHugeArray = append([]byte(headerMsgpack), 0xdd, 0xff, 0xff, 0xff, 0xff)

// msgpackDeepBlob returns a compressed msgpack-protocol blob of depth arrays
// nested in one another (fixarray of one element each), ending in nil.
func msgpackDeepBlob(t testing.TB, depth int) []byte {
	t.Helper()
	payload := []byte(headerMsgpack)
	payload = append(payload, bytes.Repeat([]byte{0x91}, depth)...)
	payload = append(payload, 0xc0)
	return zlibEnvelope(t, payload, uint64(len(payload)))
}

// zlibEnvelope wraps payload in a ZL123 envelope that declares size bytes.
func zlibEnvelope(t testing.TB, payload []byte, size uint64) []byte {
	t.Helper()
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	if _, err := w.Write(payload); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b := binary.LittleEndian.AppendUint64([]byte(headerZL), size)
	return append(b, z.Bytes()...)
}

// msgpackTarget is a typed destination of FuzzMsgpack.
type msgpackTarget struct {
	Name  string
	Vals  []float64
	Items []msgpackTarget
	Big   [][64]byte
	Attrs map[string]*msgpackTarget
}

// FuzzMsgpack feeds arbitrary payloads in the msgpack protocol to Unmarshal,
// Decode and Msgpack.Decode. They must return a value or an error wrapping
// one of the package's sentinels, never crash (out of memory and stack
// overflow are crashes the fuzzer reports); a payload that decodes into
// *any must re-encode and decode to the same bytes.
func FuzzMsgpack(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if !bytes.HasPrefix(data, []byte(headerMsgpack)) && !bytes.HasPrefix(data, []byte(headerZL)) {
			data = append([]byte(headerMsgpack), data...)
		}
		opts := []Option{MaxDecodedSize(1 << 24)}
		sentinel := func(what string, err error) {
			if err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrType) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("%s: error wraps no sentinel: %v", what, err)
			}
		}
		var typed msgpackTarget
		sentinel("Unmarshal into struct", Unmarshal(data, &typed, opts...))
		var list []any
		sentinel("Unmarshal into []any", Unmarshal(data, &list, opts...))
		g, err := Decode(data, opts...)
		sentinel("Decode", err)
		if m, ok := g.(Msgpack); ok {
			var x map[string]any
			sentinel("Msgpack.Decode", m.Decode(&x, opts...))
		}
		var v any
		if err := Unmarshal(data, &v, opts...); err != nil {
			sentinel("Unmarshal into *any", err)
			return
		}
		b1, err := Marshal(v, MsgpackProtocol(), Compress(false))
		if err != nil {
			return // msgpack extension values without a Go encoding
		}
		var v2 any
		if err := Unmarshal(b1, &v2); err != nil {
			t.Fatalf("Unmarshal of re-encoded value: %v", err)
		}
		b2, err := Marshal(v2, MsgpackProtocol(), Compress(false))
		if err != nil || !bytes.Equal(b1, b2) {
			t.Fatalf("msgpack decode→encode is not stable (%v):\n%x\n%x", err, b1, b2)
		}
	})
}

// TestMsgpackFuzzSeeds checks that the seed corpus of FuzzMsgpack holds the
// two crashers of the unbounded msgpack decoder; with -update-fuzz-corpus it
// writes them.
func TestMsgpackFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzMsgpack")
	seeds := map[string][]byte{
		"huge_array32":        msgpackHugeArray,
		"deep_nested_arrays":  msgpackDeepBlob(t, 5_000_000),
		"nested_map":          append([]byte(headerMsgpack), 0x81, 0xa1, 'a', 0x92, 0x01, 0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0),
		"huge_str32":          append([]byte(headerMsgpack), 0xdb, 0x7f, 0xff, 0xff, 0xff, 'x'),
		"huge_map32":          append([]byte(headerMsgpack), 0xdf, 0xff, 0xff, 0xff, 0xff, 0xc0),
		"array_of_nil_struct": append(append([]byte(headerMsgpack), 0x81, 0xa3, 'b', 'i', 'g', 0xdc, 0x10, 0x00), bytes.Repeat([]byte{0xc0}, 4096)...),
	}
	if *updateCorpus {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, b := range seeds {
			writeSeed(t, filepath.Join(dir, name), fmt.Sprintf("[]byte(%s)", strconv.Quote(string(b))))
		}
	}
	for name, b := range seeds {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("seed %s: %v (run go test -run TestMsgpackFuzzSeeds -update-fuzz-corpus)", name, err)
		}
		want := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(b)))
		if string(got) != want {
			t.Errorf("seed %s differs from the blob it should hold", name)
		}
	}
}
