package blob

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestCharDecodesAsPython decodes the golden MATLAB char arrays into *any
// and []string and compares with what DataJoint for Python 0.14.9 unpacked
// ("expect"): a one-row or 1-D char array is one string (Python: a shape (1,)
// text array holding it); any other shape is a text array of one character
// per element, read column-major (in Go an object array of strings).
func TestCharDecodesAsPython(t *testing.T) {
	n := 0
	for _, v := range loadVectors(t) {
		if v.Kind != "char" {
			continue
		}
		n++
		t.Run(v.Name, func(t *testing.T) {
			var want struct {
				DType string   `json:"dtype"`
				Shape []int    `json:"shape"`
				Data  []string `json:"data"`
			}
			if err := json.Unmarshal(v.Expect, &want); err != nil || want.DType != "unicode" {
				t.Fatalf("expect %s: %v", v.Expect, err)
			}
			var got any
			if err := Unmarshal(v.blob(t), &got); err != nil {
				t.Fatal(err)
			}
			if reflect.DeepEqual(want.Shape, []int{1}) {
				if got != want.Data[0] {
					t.Errorf("got %#v, want the string %q", got, want.Data[0])
				}
			} else {
				a, ok := got.(*Array)
				if !ok || a.Class != ClassObject || !reflect.DeepEqual(a.Shape, want.Shape) {
					t.Fatalf("got %#v, want a text array of shape %v", got, want.Shape)
				}
				for i, s := range want.Data {
					if a.Data.([]any)[i] != s {
						t.Errorf("element %d (column-major) = %#v, want %q", i, a.Data.([]any)[i], s)
					}
				}
			}
			// []string: the rows of the text array, each joined.
			var rows []string
			if err := Unmarshal(v.blob(t), &rows); err != nil {
				t.Fatal(err)
			}
			var wantRows []string
			if len(want.Shape) == 2 {
				r, c := want.Shape[0], want.Shape[1]
				for i := 0; i < r; i++ {
					var sb strings.Builder
					for j := 0; j < c; j++ {
						sb.WriteString(want.Data[j*r+i])
					}
					wantRows = append(wantRows, sb.String())
				}
			} else {
				wantRows = want.Data
			}
			if !reflect.DeepEqual(rows, wantRows) {
				t.Errorf("[]string = %q, want %q", rows, wantRows)
			}
		})
	}
	if n < 3 {
		t.Fatalf("%d char vectors", n)
	}
}

// TestCharMatlabLayout checks the asymmetry of 2-D char arrays: the encoder
// writes a MATLAB char matrix column-major, as MATLAB does, so MATLAB's
// ['abc';'def'] has the data a d b e c f and decodes to the rows "abc" and
// "def"; DataJoint for Python writes the same 2×3 array row-major (a b c d
// e f), so its own blob decodes transposed (rows "ace", "bdf"), and
// re-encoding that decoded blob reproduces Python's bytes exactly.
func TestCharMatlabLayout(t *testing.T) {
	// mYm, 'A', ndim 2, shape 2×3, class 4 (char), real, u16 data.
	matlab, _ := hex.DecodeString("6d596d00" + "41" + "0200000000000000" + "0200000000000000" + "0300000000000000" +
		"04000000" + "00000000" + "6100" + "6400" + "6200" + "6500" + "6300" + "6600")
	a := &Array{Class: ClassChar, Shape: []int{2, 3}, Data: []uint16{'a', 'd', 'b', 'e', 'c', 'f'}}
	b, err := Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, matlab) {
		t.Errorf("MATLAB ['abc';'def'] encodes as %x, want %x", b, matlab)
	}
	var rows []string
	if err := Unmarshal(matlab, &rows); err != nil || !reflect.DeepEqual(rows, []string{"abc", "def"}) {
		t.Errorf("rows %q, %v", rows, err)
	}
	// The 2×3 char matrix described by the golden vector's input, encoded
	// MATLAB's way, differs from the row-major bytes Python wrote.
	for _, v := range loadVectors(t) {
		if v.Name != "char_2d" {
			continue
		}
		in, err := ParseDescription(v.Input)
		if err != nil {
			t.Fatal(err)
		}
		enc, err := Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(enc, matlab) || bytes.Equal(enc, v.blob(t)) {
			t.Errorf("input encodes as %x; MATLAB layout %x, Python wrote %s", enc, matlab, v.Hex)
		}
		var pyRows []string
		if err := Unmarshal(v.blob(t), &pyRows); err != nil || !reflect.DeepEqual(pyRows, []string{"ace", "bdf"}) {
			t.Errorf("Python's char_2d rows %q, %v", pyRows, err)
		}
		dec, err := Decode(v.blob(t))
		if err != nil {
			t.Fatal(err)
		}
		re, err := Marshal(dec)
		if err != nil || !bytes.Equal(re, v.blob(t)) {
			t.Errorf("re-encoded Python char_2d %x (%v), want %s", re, err, v.Hex)
		}
	}
	// UTF-16: MATLAB chars beyond Latin-1 and surrogate pairs decode whole.
	u := &Array{Class: ClassChar, Shape: []int{1, 3}, Data: []uint16{0x3bc, 0xd83d, 0xde00}}
	ub, err := Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	var s string
	if err := Unmarshal(ub, &s); err != nil || s != "μ😀" {
		t.Errorf("UTF-16 char row: %q, %v", s, err)
	}
}
