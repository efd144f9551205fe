package blob

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"testing"

	"github.com/datajoint-go/datajoint/dj/internal/vectors"
)

// TestCompressMatchesPython checks that compressed blobs are the bytes
// DataJoint for Python writes: the payload of every compressed golden case,
// compressed again, and the decoded value, marshalled again, both give the
// golden blob exactly.
func TestCompressMatchesPython(t *testing.T) {
	cases, err := vectors.LoadBlobs("testdata/python-0.14.9.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range cases {
		if !v.Compressed {
			continue
		}
		n++
		t.Run(v.Name, func(t *testing.T) {
			want, err := hex.DecodeString(v.Hex)
			if err != nil {
				t.Fatal(err)
			}
			payload := inflateGolden(t, want)
			if sum := sha256.Sum256(payload); hex.EncodeToString(sum[:]) != v.PayloadSHA256 {
				t.Fatalf("payload digest differs from the case's")
			}
			o := newOptions(nil)
			got, err := compressTail(append([]byte(nil), payload...), 0, &o)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("compressed payload: %d bytes, Python wrote %d (or the bytes differ)", len(got), len(want))
			}
			val, err := Decode(want)
			if err != nil {
				t.Fatal(err)
			}
			enc, err := Marshal(val)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(enc, want) {
				t.Errorf("Marshal(Decode(blob)): %d bytes, Python wrote %d (or the bytes differ)", len(enc), len(want))
			}
		})
	}
	if n != 6 {
		t.Fatalf("%d compressed cases, want 6", n)
	}
}

// inflateGolden returns the payload of a ZL123 blob, read with the
// standard library's zlib.
func inflateGolden(t *testing.T, b []byte) []byte {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("ZL123\x00")) || len(b) < 14 {
		t.Fatalf("not a compressed blob")
	}
	size := binary.LittleEndian.Uint64(b[6:14])
	zr, err := zlib.NewReader(bytes.NewReader(b[14:]))
	if err != nil {
		t.Fatal(err)
	}
	p, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if uint64(len(p)) != size {
		t.Fatalf("inflated %d bytes, header says %d", len(p), size)
	}
	return p
}

// FastCompression writes a different but valid zlib stream of the same payload.
func TestFastCompressionRoundTrips(t *testing.T) {
	v := make([]float64, 5000)
	for i := range v {
		v[i] = float64(i%97) * 0.5
	}
	exact, err := Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	fast, err := Marshal(v, FastCompression())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(fast, []byte(headerZL)) || bytes.Equal(fast, exact) {
		t.Fatalf("fast blob: compressed %v, identical to the Python-exact blob %v", bytes.HasPrefix(fast, []byte(headerZL)), bytes.Equal(fast, exact))
	}
	var back []float64
	if err := Unmarshal(fast, &back); err != nil || len(back) != len(v) || back[4999] != v[4999] {
		t.Fatalf("decode of the fast blob: %v", err)
	}
}
