package blob

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/mat"
)

var updateCorpus = flag.Bool("update-fuzz-corpus", false, "rewrite testdata/fuzz from the golden vectors")

// maxSeedBlob keeps large golden blobs out of the checked-in seed corpus.
const maxSeedBlob = 2048

// FuzzDecode feeds arbitrary bytes to the decoder. It must return a value or
// an error wrapping one of the package's sentinels, never panic; a decoded
// value must re-encode, and the re-encoded bytes must be stable under
// decode→encode. Typed destinations must not panic either.
func FuzzDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := []Option{MaxDecodedSize(1 << 24)}
		v, err := Decode(data, opts...)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Decode error wraps no sentinel: %v", err)
			}
		}
		var (
			anyv   any
			fs     []float64
			dense  mat.Dense
			vec    mat.VecDense
			m      map[string]any
			s      struct{ A, B any }
			strs   []string
			ints   []int8
			cdense mat.CDense
		)
		for _, dst := range []any{&anyv, &fs, &dense, &vec, &m, &s, &strs, &ints, &cdense} {
			_ = Unmarshal(data, dst, opts...)
		}
		_, _ = Decode(data, Legacy32Bit(), MaxDecodedSize(1<<24))
		if err != nil {
			return
		}
		if _, err := Describe(v); err != nil {
			t.Fatalf("Describe: %v", err)
		}
		b1, err := Marshal(v, Compress(false))
		if err != nil {
			t.Fatalf("Marshal of a decoded %s: %v", typeName(v), err)
		}
		v2, err := Decode(b1)
		if err != nil {
			t.Fatalf("Decode of re-encoded blob: %v", err)
		}
		b2, err := Marshal(v2, Compress(false))
		if err != nil || !bytes.Equal(b1, b2) {
			t.Fatalf("decode→encode is not stable (%v):\n%x\n%x", err, b1, b2)
		}
	})
}

// roundTrip is the Go value built by FuzzRoundTrip.
type roundTrip struct {
	Bytes  []byte
	Str    string
	Int    int64
	Float  float64
	Trace  []float64
	Counts []int16
	Matrix *mat.Dense
	Items  []any
	Tup    Tuple
	Keys   map[string]int32
	Nested *roundTrip
}

// FuzzRoundTrip encodes Go values built from the fuzz input (with and
// without compression, as dicts and as MATLAB structs), decodes them into
// the same Go type and checks that nothing changed: re-encoding the decoded
// value gives the same bytes.
func FuzzRoundTrip(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, s string, i int64, x float64) {
		floats := make([]float64, len(data)/8)
		for k := range floats {
			floats[k] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*k:]))
		}
		counts := make([]int16, len(data)/2)
		for k := range counts {
			counts[k] = int16(binary.LittleEndian.Uint16(data[2*k:]))
		}
		in := roundTrip{
			Bytes: data, Str: s, Int: i, Float: x, Trace: floats, Counts: counts,
			Items:  []any{s, i, x, nil, []any{data}, true},
			Tup:    Tuple{true, s},
			Keys:   map[string]int32{s: int32(i), "x": 1},
			Nested: &roundTrip{Str: s, Int: -i},
		}
		if r := int(uint64(i) % 7); r > 0 && len(floats) >= r && len(floats)/r > 0 {
			c := len(floats) / r
			full := mat.NewDense(r, c, floats[:r*c])
			in.Matrix = full
			if r > 1 && c > 1 {
				in.Matrix = full.Slice(1, r, 1, c).(*mat.Dense)
			}
		}
		for _, opts := range [][]Option{nil, {Compress(false)}, {MatlabStruct()}} {
			b, err := Marshal(in, opts...)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			var out roundTrip
			if err := Unmarshal(b, &out); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			want, _ := Marshal(in, Compress(false))
			got, err := Marshal(out, Compress(false))
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("round trip with %d options changed the value (%v):\n in %+v\nout %+v", len(opts), err, in, out)
			}
			v, err := Decode(b)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			re, err := Marshal(v, opts...)
			if err != nil {
				t.Fatalf("Marshal(Decode): %v", err)
			}
			p1, err1 := decompress(re, &options{maxDecoded: DefaultMaxDecodedSize})
			p2, err2 := decompress(b, &options{maxDecoded: DefaultMaxDecodedSize})
			if err1 != nil || err2 != nil || !bytes.Equal(p1, p2) {
				t.Fatalf("generic decode/encode changed the payload (%v, %v)", err1, err2)
			}
		}
	})
}

// TestFuzzCorpus checks that the seed corpus built from the golden vectors is
// present; with -update-fuzz-corpus it rewrites it.
func TestFuzzCorpus(t *testing.T) {
	vecs := loadVectors(t)
	decodeDir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	roundDir := filepath.Join("testdata", "fuzz", "FuzzRoundTrip")
	if *updateCorpus {
		for _, dir := range []string{decodeDir, roundDir} {
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		for k, v := range vecs {
			data := v.blob(t)
			if len(data) > maxSeedBlob {
				continue
			}
			writeSeed(t, filepath.Join(decodeDir, v.Name), fmt.Sprintf("[]byte(%s)", strconv.Quote(string(data))))
			payload := v.payload(t)
			if payload == nil {
				payload = data
			}
			writeSeed(t, filepath.Join(roundDir, v.Name),
				fmt.Sprintf("[]byte(%s)", strconv.Quote(string(payload))),
				fmt.Sprintf("string(%s)", strconv.Quote(v.Name)),
				fmt.Sprintf("int64(%d)", k-len(vecs)/2),
				fmt.Sprintf("float64(%s)", strconv.FormatFloat(float64(k)/7, 'g', -1, 64)))
		}
	}
	for _, dir := range []string{decodeDir, roundDir} {
		entries, err := os.ReadDir(dir)
		if err != nil || len(entries) < 100 {
			t.Fatalf("seed corpus %s: %d files, %v (run go test -run TestFuzzCorpus -update-fuzz-corpus)", dir, len(entries), err)
		}
	}
}

func writeSeed(t *testing.T, path string, lines ...string) {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("go test fuzz v1\n")
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
