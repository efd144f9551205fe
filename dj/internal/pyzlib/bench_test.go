package pyzlib

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	kzlib "github.com/klauspost/compress/zlib"
)

// benchInputs are 1e6 normally distributed float64 (8 MB, as a DataJoint
// trace; nearly incompressible) and 1e6 rounded 16-bit samples stored as
// float64 (compressible).
func benchInputs() map[string][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	normal := make([]byte, 0, 8e6)
	signal := make([]byte, 0, 8e6)
	for i := range 1000000 {
		normal = binary.LittleEndian.AppendUint64(normal, math.Float64bits(r.NormFloat64()))
		s := math.Round(1000*math.Sin(float64(i)/500) + 50*r.NormFloat64())
		signal = binary.LittleEndian.AppendUint64(signal, math.Float64bits(s))
	}
	return map[string][]byte{"normal": normal, "signal": signal}
}

// BenchmarkCompress measures pyzlib, klauspost/compress zlib and the
// standard library's compress/flate, all at level 6, interleaved in one
// run; it reports MB/s of input (by wall time and by the CPU time of the
// benchmark's thread, which a loaded machine disturbs less) and the
// compression ratio of each.
func BenchmarkCompress(b *testing.B) {
	for _, name := range []string{"normal", "signal"} {
		src := benchInputs()[name]
		b.Run(name, func(b *testing.B) {
			var out []byte
			kbuf, sbuf := new(bytes.Buffer), new(bytes.Buffer)
			kw, _ := kzlib.NewWriterLevel(kbuf, 6)
			sw, _ := flate.NewWriter(sbuf, 6)
			defer lockThread()()
			var t, cpu [3]time.Duration
			var size [3]int
			run := []func(){
				func() { out = Compress(out[:0], src); size[0] = len(out) },
				func() {
					kbuf.Reset()
					kw.Reset(kbuf)
					kw.Write(src)
					kw.Close()
					size[1] = kbuf.Len()
				},
				func() {
					sbuf.Reset()
					sw.Reset(sbuf)
					sw.Write(src)
					sw.Close()
					size[2] = sbuf.Len()
				},
			}
			for i := 0; b.Loop(); i++ {
				for k := range 3 {
					j := (i + k) % 3
					start, c := time.Now(), threadCPU()
					run[j]()
					t[j] += time.Since(start)
					cpu[j] += threadCPU() - c
				}
			}
			mb := float64(b.N) * float64(len(src)) / 1e6
			for j, label := range []string{"pyzlib", "klauspost", "stdflate"} {
				b.ReportMetric(mb/t[j].Seconds(), label+"_MB/s")
				b.ReportMetric(mb/cpu[j].Seconds(), label+"_cpuMB/s")
				b.ReportMetric(float64(size[j])/float64(len(src)), label+"_ratio")
			}
		})
	}
}
