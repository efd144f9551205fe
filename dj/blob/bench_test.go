package blob

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"
)

// The benchmarks report MB/s of uncompressed serialized bytes (as
// docs/python-baseline.md does for DataJoint for Python) next to a plain copy
// of the same number of bytes, so the codec's cost is a ratio:
//
//	go test ./dj/blob/ -run X -bench . -benchtime 3x

func normals(n int) []float64 {
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, n)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	return x
}

// BenchmarkCopy8MB is the baseline: copy 8e6 bytes into a reused buffer.
func BenchmarkCopy8MB(b *testing.B) {
	src := make([]byte, 8e6)
	dst := make([]byte, 8e6)
	for i := range src {
		src[i] = byte(i)
	}
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		copy(dst, src)
	}
}

// BenchmarkCopy8MBFresh copies 8e6 bytes into a newly allocated buffer, the
// cost any API that returns a new slice pays.
func BenchmarkCopy8MBFresh(b *testing.B) {
	src := make([]byte, 8e6)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		dst := make([]byte, len(src))
		copy(dst, src)
	}
}

func BenchmarkEncodeFloat64_1e6(b *testing.B) {
	x := normals(1e6)
	buf, _ := Append(nil, x, Compress(false))
	n := int64(len(buf))
	b.Run("Append", func(b *testing.B) {
		b.SetBytes(n)
		for b.Loop() {
			buf, _ = Append(buf[:0], x, Compress(false))
		}
	})
	b.Run("Marshal", func(b *testing.B) {
		b.SetBytes(n)
		for b.Loop() {
			_, _ = Marshal(x, Compress(false))
		}
	})
}

func BenchmarkDecodeFloat64_1e6(b *testing.B) {
	data, _ := Marshal(normals(1e6), Compress(false))
	n := int64(len(data))
	b.Run("Reuse", func(b *testing.B) {
		b.SetBytes(n)
		var dst []float64
		for b.Loop() {
			if err := Unmarshal(data, &dst); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Fresh", func(b *testing.B) {
		b.SetBytes(n)
		for b.Loop() {
			var dst []float64
			if err := Unmarshal(data, &dst); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Decode", func(b *testing.B) {
		b.SetBytes(n)
		for b.Loop() {
			if _, err := Decode(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkEncodeDense1000(b *testing.B) {
	m := mat.NewDense(1000, 1000, normals(1e6))
	buf, _ := Append(nil, m, Compress(false))
	n := int64(len(buf))
	b.Run("Append", func(b *testing.B) {
		b.SetBytes(n)
		for b.Loop() {
			buf, _ = Append(buf[:0], m, Compress(false))
		}
	})
	b.Run("Marshal", func(b *testing.B) {
		b.SetBytes(n)
		for b.Loop() {
			_, _ = Marshal(m, Compress(false))
		}
	})
}

func BenchmarkDecodeDense1000(b *testing.B) {
	data, _ := Marshal(mat.NewDense(1000, 1000, normals(1e6)), Compress(false))
	n := int64(len(data))
	b.Run("Reuse", func(b *testing.B) {
		b.SetBytes(n)
		var dst mat.Dense
		for b.Loop() {
			if err := Unmarshal(data, &dst); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Fresh", func(b *testing.B) {
		b.SetBytes(n)
		for b.Loop() {
			var dst mat.Dense
			if err := Unmarshal(data, &dst); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// dict1000 is DataJoint's benchmark dict: 1000 keys, each a 16-element
// float64 array.
func dict1000() map[string][]float64 {
	x := normals(16000)
	m := make(map[string][]float64, 1000)
	for i := 0; i < 1000; i++ {
		m[fmt.Sprintf("key%04d", i)] = x[16*i : 16*i+16]
	}
	return m
}

// BenchmarkMap1000Arrays compares with DataJoint for Python's
// dict_1000_arrays_16xf64 (pack 21.6 MB/s, unpack 10.0 MB/s).
func BenchmarkMap1000Arrays(b *testing.B) {
	m := dict1000()
	data, _ := Marshal(m, Compress(false))
	b.Run("Encode", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		var buf []byte
		for b.Loop() {
			buf, _ = Append(buf[:0], m, Compress(false))
		}
	})
	b.Run("DecodeTyped", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var out map[string][]float64
			if err := Unmarshal(data, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("DecodeGeneric", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := Decode(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCompressed compares with DataJoint for Python's compressed
// float64_1e6 (pack 30.5 MB/s, unpack 251.8 MB/s). "normal" is random
// normal data (nearly incompressible); "signal" rounded 16-bit samples.
func BenchmarkCompressed(b *testing.B) {
	signal := make([]float64, 1e6)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range signal {
		signal[i] = math.Round(1000*math.Sin(float64(i)/50) + 30*r.NormFloat64())
	}
	for name, x := range map[string][]float64{"normal": normals(1e6), "signal": signal} {
		payload, _ := Marshal(x, Compress(false))
		blob, _ := Marshal(x)
		b.Run("Encode/"+name, func(b *testing.B) {
			b.SetBytes(int64(len(payload)))
			var buf []byte
			for b.Loop() {
				buf, _ = Append(buf[:0], x)
			}
			b.ReportMetric(float64(len(buf))/float64(len(payload)), "size-ratio")
		})
		b.Run("Decode/"+name, func(b *testing.B) {
			b.SetBytes(int64(len(payload)))
			var dst []float64
			for b.Loop() {
				if err := Unmarshal(blob, &dst); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// versus runs plain and codec alternately, b.N times each, and reports both
// rates (MB/s of n bytes) and their ratio, so that a load change on a shared
// machine affects both alike. The rates come from the median call of each,
// which a preempted call on a busy machine does not move.
func versus(b *testing.B, n int64, plain, codec func()) {
	b.Helper()
	var tPlain, tCodec []time.Duration
	for i := 0; b.Loop(); i++ {
		for _, k := range [2]int{i % 2, 1 - i%2} {
			start := time.Now()
			if k == 0 {
				plain()
				tPlain = append(tPlain, time.Since(start))
			} else {
				codec()
				tCodec = append(tCodec, time.Since(start))
			}
		}
	}
	median := func(d []time.Duration) float64 {
		slices.Sort(d)
		return d[len(d)/2].Seconds()
	}
	p, c := median(tPlain), median(tCodec)
	b.ReportMetric(float64(n)/1e6/p, "copy_MB/s")
	b.ReportMetric(float64(n)/1e6/c, "dj_MB/s")
	b.ReportMetric(p/c, "dj/copy")
}

// BenchmarkDecodeReuseVsCopy decodes n float64 into a reused slice and, in
// the same run, copies the same number of bytes into a reused buffer.
func BenchmarkDecodeReuseVsCopy(b *testing.B) {
	for _, n := range []int{1e4, 1e5, 1e6} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			data, _ := Marshal(normals(n), Compress(false))
			src, dst := make([]byte, 8*n), make([]byte, 8*n)
			copy(src, data[len(data)-8*n:])
			var out []float64
			versus(b, int64(8*n), func() { copy(dst, src) }, func() {
				if err := Unmarshal(data, &out); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}
