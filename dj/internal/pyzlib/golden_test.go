package pyzlib

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"testing"
)

// goldenRow is one line of testdata/golden.jsonl (see gen_golden.py).
type goldenRow struct {
	Name        string `json:"name"`
	Gen         string `json:"gen"`
	N           int    `json:"n"`
	Seed        uint64 `json:"seed"`
	MYm         bool   `json:"mym"`
	Level       int    `json:"level"`
	InputLen    int    `json:"input_len"`
	InputSHA256 string `json:"input_sha256"`
	Len         int    `json:"len"`
	SHA256      string `json:"sha256"`
}

// splitMix64 is the generator gen_golden.py uses.
type splitMix64 struct{ s uint64 }

func (r *splitMix64) next() uint64 {
	r.s += 0x9E3779B97F4A7C15
	z := r.s
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}

func genBytes(n int, r *splitMix64) []byte {
	out := make([]byte, 0, n+8)
	for len(out) < n {
		out = binary.LittleEndian.AppendUint64(out, r.next())
	}
	return out[:n]
}

func genF64(n int, f func(i int) float64) []byte {
	out := make([]byte, 0, 8*n)
	for i := range n {
		out = binary.LittleEndian.AppendUint64(out, math.Float64bits(f(i)))
	}
	return out
}

// goldenInput rebuilds the input of a golden row, as gen_golden.py does.
func goldenInput(t testing.TB, g goldenRow) []byte {
	r := &splitMix64{g.Seed}
	n := g.N
	var data []byte
	switch g.Gen {
	case "bytes":
		data = genBytes(n, r)
	case "alpha16":
		data = make([]byte, n)
		for i := range data {
			data[i] = 'a' + byte(r.next()%16)
		}
	case "text":
		words := make([][]byte, 200)
		for i := range words {
			w := make([]byte, 1+r.next()%8)
			for j := range w {
				w[j] = 'a' + byte(r.next()%26)
			}
			words[i] = w
		}
		for len(data) < n {
			data = append(data, words[r.next()%uint64(len(words))]...)
			if r.next()%10 != 0 {
				data = append(data, ' ')
			} else {
				data = append(data, '.', '\n')
			}
		}
		data = data[:n]
	case "repeat":
		for len(data) < n {
			data = append(data, "abc"...)
		}
		data = data[:n]
	case "zeros":
		data = make([]byte, n)
	case "runs", "mixed":
		for len(data) < n {
			if g.Gen == "mixed" && r.next()%10 < 3 {
				data = append(data, genBytes(int(1+r.next()%3000), r)...)
				continue
			}
			b := byte(r.next() % 256)
			span := 300
			if g.Gen == "mixed" {
				span = 5000
			}
			for k := 1 + r.next()%uint64(span); k > 0; k-- {
				data = append(data, b)
			}
		}
		data = data[:n]
	case "f64uniform":
		data = genF64(n, func(int) float64 {
			return float64(float64(r.next()>>11)*0x1p-53*2) - 1
		})
	case "f64smooth":
		data = genF64(n, func(i int) float64 {
			x := float64(float64(i) * 0.001)
			return float64(float64(float64(x*x)*x)-float64(2*x)) + 0.5
		})
	case "f64int":
		data = genF64(n, func(int) float64 { return float64(r.next() % 1000) })
	case "f64zeros":
		data = genF64(n, func(int) float64 { return 0 })
	case "f64walk":
		v := 0.0
		data = genF64(n, func(int) float64 {
			v += float64(int(r.next()%201)-100) / 64
			return v
		})
	default:
		t.Fatalf("%s: unknown generator %q", g.Name, g.Gen)
	}
	if g.MYm {
		hdr := []byte("mYm\x00A")
		for _, v := range []uint64{2, 1, uint64(n)} {
			hdr = binary.LittleEndian.AppendUint64(hdr, v)
		}
		hdr = binary.LittleEndian.AppendUint32(hdr, 6)
		hdr = binary.LittleEndian.AppendUint32(hdr, 0)
		data = append(hdr, data...)
	}
	if sum := sha256.Sum256(data); len(data) != g.InputLen || hex.EncodeToString(sum[:]) != g.InputSHA256 {
		t.Fatalf("%s: regenerated input differs from the generator's (%d bytes, want %d)", g.Name, len(data), g.InputLen)
	}
	return data
}

func loadGolden(t testing.TB) []goldenRow {
	f, err := os.Open("testdata/golden.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []goldenRow
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var g goldenRow
		if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, g)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestGolden compares with the digests of Python's zlib.compress output.
func TestGolden(t *testing.T) {
	rows := loadGolden(t)
	if len(rows) < 50 {
		t.Fatalf("only %d golden rows", len(rows))
	}
	inputs := map[string][]byte{}
	for _, g := range rows {
		src, ok := inputs[g.Name]
		if !ok {
			src = goldenInput(t, g)
			inputs[g.Name] = src
		}
		got, err := CompressLevel(nil, src, g.Level)
		if err != nil {
			t.Fatalf("%s level %d: %v", g.Name, g.Level, err)
		}
		sum := sha256.Sum256(got)
		if len(got) != g.Len || hex.EncodeToString(sum[:]) != g.SHA256 {
			t.Errorf("%s level %d: %d bytes, zlib writes %d (or the bytes differ)", g.Name, g.Level, len(got), g.Len)
		}
	}
}
