package share

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
)

// TestRowCodec round-trips rows with NULLs, empty values and every byte,
// and refuses a stream cut within a row.
func TestRowCodec(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	rows := [][][]byte{
		{[]byte("1"), nil, []byte{}},
		{[]byte("-0.30000000000000004"), all, []byte("2024-05-06 07:08:09.123456")},
		{bytes.Repeat([]byte("x"), 100_000), []byte("'\\\"`"), nil},
	}
	var buf bytes.Buffer
	w, err := newRowWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	read := func(data []byte) ([][]any, error) {
		r, err := newRowReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		defer r.close()
		var out [][]any
		for {
			vals := make([]any, 3)
			err := r.next(vals)
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			if err != nil {
				return out, err
			}
			out = append(out, vals)
		}
	}
	got, err := read(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) {
		t.Fatalf("%d rows, want %d", len(got), len(rows))
	}
	for i, r := range rows {
		for j, v := range r {
			if v == nil {
				if got[i][j] != nil {
					t.Errorf("row %d col %d = %v, want NULL", i, j, got[i][j])
				}
				continue
			}
			if b, ok := got[i][j].([]byte); !ok || !bytes.Equal(b, v) || b == nil {
				t.Errorf("row %d col %d = %#v, want %q", i, j, got[i][j], v)
			}
		}
	}
	// A stream that ends within a row: encode two values of a row of three.
	var cut bytes.Buffer
	w, _ = newRowWriter(&cut)
	_ = w.write([][]byte{[]byte("a"), []byte("b")})
	_ = w.close()
	if _, err := read(cut.Bytes()); !errors.Is(err, ErrCorruptArchive) {
		t.Errorf("cut stream: err = %v, want ErrCorruptArchive", err)
	}
}

// TestManifestChecks: the manifest must match its checksum, name the
// format and a format version this package reads.
func TestManifestChecks(t *testing.T) {
	m := &Manifest{Format: FormatName, FormatVersion: FormatVersion, Version: "1"}
	b, sum, err := encodeManifest(m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeManifest(b, sum)
	if err != nil || !reflect.DeepEqual(got, m) {
		t.Fatalf("decode: %+v, %v", got, err)
	}
	bad := bytes.Replace(b, []byte(`"1"`), []byte(`"2"`), 1)
	if _, err := decodeManifest(bad, sum); !errors.Is(err, ErrCorruptArchive) {
		t.Errorf("altered manifest: %v", err)
	}
	for _, m := range []*Manifest{
		{Format: "other", FormatVersion: 1},
		{Format: FormatName, FormatVersion: FormatVersion + 1},
	} {
		b, sum, _ := encodeManifest(m)
		if _, err := decodeManifest(b, sum); !errors.Is(err, ErrCorruptArchive) {
			t.Errorf("manifest %+v: err = %v", m, err)
		}
	}
}
