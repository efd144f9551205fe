package blob

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj/internal/vectors"
)

// goldenCase is one golden case written by DataJoint for Python 0.14.9.
type goldenCase struct{ vectors.Blob }

func loadVectors(t testing.TB) []goldenCase {
	t.Helper()
	blobs, err := vectors.LoadBlobs("testdata/python-0.14.9.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	out := make([]goldenCase, len(blobs))
	for i, b := range blobs {
		out[i] = goldenCase{b}
	}
	return out
}

func (v goldenCase) blob(t testing.TB) []byte {
	b, err := hex.DecodeString(v.Hex)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantDecoded returns the description this package decodes the goldenCase to.
// It is the goldenCase's "expect" (what DataJoint for Python's unpack returns)
// except where Python's decoding loses what was written; there the value
// that was written ("input") is decoded, so it re-encodes to the same bytes:
//
//   - QUIRK arr_complex_special: Python computes real + 1j*imag, turning the
//     real part of an infinite/NaN imaginary part into NaN and -0.0 into 0.0.
//   - QUIRK scalar_np_complex64: Python promotes a 0-d complex64 to complex128.
//   - QUIRK matcell_*: Python builds cells with np.array(list), collapsing
//     equal-shaped elements into a numeric array and failing on ragged cells.
//   - char_*: Python turns MATLAB char arrays into unicode strings, losing the
//     char class and shape (an empty char array decodes as [""]); this package
//     keeps them as char arrays (dtype "bytes1", as the inputs describe them).
//
// DataJoint for Python also writes 2-D char arrays in C order (tobytes()
// without order="F"), unlike every other array, so the column-major elements
// in the blob are the input's elements in row-major order; the decoded array
// follows the blob (char_2d).
func (v goldenCase) wantDecoded() json.RawMessage {
	if v.Name == "arr_complex_special" || v.Name == "scalar_np_complex64" ||
		strings.HasPrefix(v.Name, "matcell_") {
		return v.Input
	}
	if v.Kind == "char" {
		var in struct {
			Type  string   `json:"type"`
			DType string   `json:"dtype"`
			Shape []int    `json:"shape"`
			Data  []string `json:"data"`
		}
		if err := json.Unmarshal(v.Input, &in); err != nil || len(in.Shape) != 2 {
			return v.Input
		}
		r, c := in.Shape[0], in.Shape[1]
		rowMajor := make([]string, 0, len(in.Data))
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				rowMajor = append(rowMajor, in.Data[j*r+i])
			}
		}
		in.Data = rowMajor
		b, _ := json.Marshal(in)
		return b
	}
	return v.Expect
}

// payload returns the uncompressed serialized bytes of the goldenCase, when known.
func (v goldenCase) payload(t testing.TB) []byte {
	if !v.Compressed {
		return v.blob(t)
	}
	if v.PayloadHex == "" {
		return nil
	}
	b, err := hex.DecodeString(v.PayloadHex)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkPayload compares encoded uncompressed bytes with the goldenCase's payload.
func (v goldenCase) checkPayload(t *testing.T, what string, got []byte) {
	t.Helper()
	if want := v.payload(t); want != nil {
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", what, clip(hex.EncodeToString(got)), clip(hex.EncodeToString(want)))
		}
		return
	}
	sum := sha256.Sum256(got)
	if hex.EncodeToString(sum[:]) != v.PayloadSHA256 || len(got) != v.PayloadLen {
		t.Errorf("%s: payload of %d bytes, sha256 %x; want %d bytes, %s", what, len(got), sum, v.PayloadLen, v.PayloadSHA256)
	}
}

func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// TestVectors decodes every golden blob, compares its description with the
// expected value and re-encodes it to the same bytes.
func TestVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			data := v.blob(t)
			got, err := Decode(data)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			desc, err := Describe(got)
			if err != nil {
				t.Fatalf("Describe: %v", err)
			}
			if err := jsonEqual(desc, v.wantDecoded()); err != nil {
				t.Errorf("description: %v\n got %s\nwant %s", err, clip(string(desc)), clip(string(v.wantDecoded())))
			}
			// Re-encode the decoded value: the exact payload.
			enc, err := Marshal(got, Compress(false))
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			v.checkPayload(t, "re-encoded payload", enc)
			// With DataJoint's compression setting: the bytes Python wrote,
			// compressed or not.
			full, err := Marshal(got, Compress(v.PackArgs.Compress))
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if !bytes.Equal(full, data) {
				t.Errorf("re-encoded blob differs:\n got %s\nwant %s", clip(hex.EncodeToString(full)), clip(v.Hex))
			}
			// Encode the described input, as Python packed it (except the
			// 2-D char array that Python writes in C order, see wantDecoded).
			if v.Name == "char_2d" {
				return
			}
			in, err := ParseDescription(v.Input)
			if err != nil {
				if strings.Contains(err.Error(), "summarised") {
					return
				}
				t.Fatalf("ParseDescription(input): %v", err)
			}
			enc, err = Marshal(in, Compress(false))
			if err != nil {
				t.Fatalf("Marshal(input): %v", err)
			}
			v.checkPayload(t, "encoded input", enc)
		})
	}
}

// jsonEqual compares two JSON documents structurally. Numbers are equal when
// their text is equal or they denote the same float64 (sign of zero included).
func jsonEqual(a, b []byte) error {
	var x, y any
	for i, src := range [][]byte{a, b} {
		d := json.NewDecoder(bytes.NewReader(src))
		d.UseNumber()
		p := &x
		if i == 1 {
			p = &y
		}
		if err := d.Decode(p); err != nil {
			return err
		}
	}
	return valueEqual("$", x, y)
}

func valueEqual(path string, x, y any) error {
	switch a := x.(type) {
	case map[string]any:
		b, ok := y.(map[string]any)
		if !ok || len(a) != len(b) {
			return fmt.Errorf("%s: %v vs %v", path, keys(a), y)
		}
		for k, va := range a {
			vb, ok := b[k]
			if !ok {
				return fmt.Errorf("%s: unexpected key %q", path, k)
			}
			if err := valueEqual(path+"."+k, va, vb); err != nil {
				return err
			}
		}
		return nil
	case []any:
		b, ok := y.([]any)
		if !ok || len(a) != len(b) {
			return fmt.Errorf("%s: list of %d vs %v", path, len(a), y)
		}
		for i := range a {
			if err := valueEqual(fmt.Sprintf("%s[%d]", path, i), a[i], b[i]); err != nil {
				return err
			}
		}
		return nil
	case json.Number:
		b, ok := y.(json.Number)
		if !ok {
			return fmt.Errorf("%s: %v vs %v", path, a, y)
		}
		if a == b {
			return nil
		}
		fa, err1 := strconv.ParseFloat(string(a), 64)
		fb, err2 := strconv.ParseFloat(string(b), 64)
		if err1 == nil && err2 == nil && math.Float64bits(fa) == math.Float64bits(fb) &&
			!(strings.ContainsAny(string(a), ".eE") != strings.ContainsAny(string(b), ".eE")) {
			return nil
		}
		return fmt.Errorf("%s: %v vs %v", path, a, b)
	}
	if x != y {
		return fmt.Errorf("%s: %v vs %v", path, x, y)
	}
	return nil
}

func keys(m map[string]any) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	return k
}
