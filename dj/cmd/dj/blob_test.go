package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj/internal/vectors"
)

// goldenCase is one case of the DataJoint for Python blob golden vectors
// (dj/blob/testdata).
type goldenCase struct{ vectors.Blob }

func loadCases(t *testing.T) []goldenCase {
	t.Helper()
	blobs, err := vectors.LoadBlobs("../../blob/testdata/python-0.14.9.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	cases := make([]goldenCase, len(blobs))
	for i, b := range blobs {
		cases[i] = goldenCase{b}
	}
	return cases
}

// runCmd runs dj in-process and returns its stdout.
func runCmd(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb); code != 0 {
		t.Fatalf("dj %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
	}
	return out.String()
}

// quirk reports the cases where the blob package decodes the value that was
// written instead of DataJoint for Python's lossy decoding (see
// dj/blob/vectors_test.go: complex special values, complex64 scalars, MATLAB
// cells, char arrays).
func (c goldenCase) quirk() bool {
	return c.Name == "arr_complex_special" || c.Name == "scalar_np_complex64" ||
		strings.HasPrefix(c.Name, "matcell_") || c.Kind == "char"
}

// payloadOK reports whether hexBlob (uncompressed) is the case's payload.
func (c goldenCase) payloadOK(hexBlob string) bool {
	if !c.Compressed {
		return hexBlob == c.Hex
	}
	if c.PayloadHex != "" {
		return hexBlob == c.PayloadHex
	}
	b, _ := hex.DecodeString(hexBlob)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]) == c.PayloadSHA256
}

// TestBlobCommandVectors runs "dj blob decode" and "dj blob encode" on every
// golden vector: decoding gives the expected description, and encoding the
// decoded (or expected) description gives the blob back.
func TestBlobCommandVectors(t *testing.T) {
	for _, c := range loadCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			desc := strings.TrimSpace(runCmd(t, c.Hex+"\n", "blob", "decode", "--hex"))
			if !c.quirk() && !jsonEqual(t, desc, string(c.Expect)) {
				t.Errorf("decode:\n got %s\nwant %s", clip(desc), clip(string(c.Expect)))
			}
			if c.quirk() && c.Name != "char_2d" && !jsonEqual(t, desc, string(c.Input)) {
				t.Errorf("decode (written value):\n got %s\nwant %s", clip(desc), clip(string(c.Input)))
			}
			full := runCmd(t, c.Hex, "blob", "decode", "--hex", "--full")
			raw := strings.TrimSpace(runCmd(t, full, "blob", "encode", "--compress=false"))
			if !c.payloadOK(raw) {
				t.Errorf("encode(decode --full) = %s, want the vector's payload", clip(raw))
			}
			got := strings.TrimSpace(runCmd(t, full, "blob", "encode", "--compress="+strconv.FormatBool(c.PackArgs.Compress)))
			if !c.Compressed && got != c.Hex {
				t.Errorf("encode = %s\nwant %s", clip(got), clip(c.Hex))
			}
			if c.Compressed {
				// Our zlib stream differs from Python's: decode it again.
				again := runCmd(t, got, "blob", "decode", "--hex", "--full")
				if !jsonEqual(t, again, full) {
					t.Errorf("compressed blob decodes to %s", clip(again))
				}
			}
			// The expected description itself encodes to the blob when
			// DataJoint re-packs its own decoding identically.
			if c.RepackSame && !c.quirk() && !bytes.Contains(c.Expect, []byte("data_sha256")) {
				raw := strings.TrimSpace(runCmd(t, string(c.Expect), "blob", "encode", "--compress=false"))
				if !c.payloadOK(raw) {
					t.Errorf("encode(expect) = %s, want the vector's payload", clip(raw))
				}
			}
		})
	}
}

func TestHelpAndErrors(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"help"}, nil, &out, &errb); code != 0 || !strings.Contains(out.String(), "blob") {
		t.Fatalf("dj help: %d %q", code, out.String())
	}
	for _, args := range [][]string{{"nope"}, {"blob"}, {"blob", "x"}, {"blob", "decode", "extra"}} {
		if code := run(context.Background(), args, strings.NewReader(""), &out, &errb); code != 2 {
			t.Errorf("dj %v: exit %d, want 2", args, code)
		}
	}
	if code := run(context.Background(), []string{"blob", "decode", "--hex"}, strings.NewReader("zz"), &out, &errb); code != 1 {
		t.Errorf("bad hex: exit %d, want 1", code)
	}
	if code := run(context.Background(), []string{"blob", "decode"}, strings.NewReader("mYm\x00A"), &out, &errb); code != 1 {
		t.Errorf("truncated blob: exit %d, want 1", code)
	}
	if code := run(context.Background(), []string{"blob", "encode"}, strings.NewReader(`{"type":"nope"}`), &out, &errb); code != 1 {
		t.Errorf("bad description: exit %d, want 1", code)
	}
}

func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// jsonEqual compares two JSON documents; numbers compare by text, or by
// float64 value when both are written as floats.
func jsonEqual(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	for i, s := range []string{a, b} {
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber()
		p := &x
		if i == 1 {
			p = &y
		}
		if err := d.Decode(p); err != nil {
			t.Fatalf("invalid JSON %q: %v", clip(s), err)
		}
	}
	return equalJSON(x, y)
}

func equalJSON(x, y any) bool {
	switch a := x.(type) {
	case map[string]any:
		b, ok := y.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			if w, ok := b[k]; !ok || !equalJSON(v, w) {
				return false
			}
		}
		return true
	case []any:
		b, ok := y.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !equalJSON(a[i], b[i]) {
				return false
			}
		}
		return true
	case json.Number:
		b, ok := y.(json.Number)
		if !ok {
			return false
		}
		if a == b {
			return true
		}
		isFloat := func(n json.Number) bool { return strings.ContainsAny(string(n), ".eE") }
		fa, err1 := strconv.ParseFloat(string(a), 64)
		fb, err2 := strconv.ParseFloat(string(b), 64)
		return err1 == nil && err2 == nil && isFloat(a) == isFloat(b) && math.Float64bits(fa) == math.Float64bits(fb)
	}
	return reflect.DeepEqual(x, y)
}
