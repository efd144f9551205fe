package dj_test

import (
	"slices"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
)

// BenchmarkExternalVerify measures the content-hash check of fetched
// objects: dj's fetch of 100 x 1 MB blobs from MinIO with and without the
// check, and plain parallel GetObject into new buffers, in interleaved
// rounds (one round per iteration). It reports the median MB/s of each and
// the ratios:
//
//	go test -run '^$' -bench ExternalVerify -benchtime 9x -v ./dj/
func BenchmarkExternalVerify(b *testing.B) {
	x := newExtBench(b)
	unverified := func(f func()) func() {
		return func() {
			restore := dj.SkipHashCheck(true)
			defer restore()
			f()
		}
	}
	ms := []struct {
		name string
		run  func()
	}{
		{"dj_fetch_verified", x.fetch},
		{"dj_fetch_unverified", unverified(x.fetch)},
		{"dj_fetch_float64_verified", x.fetchFloats},
		{"dj_fetch_float64_unverified", unverified(x.fetchFloats)},
		{"minio_get_parallel_alloc", x.getParallelAlloc},
		{"minio_get_decode_float64", x.getDecodeFloats},
	}
	results := map[string][]float64{}
	for i := 0; b.Loop(); i++ {
		// Alternate the order so that neither side always runs first.
		order := slices.Clone(ms)
		if i%2 == 1 {
			slices.Reverse(order)
		}
		for _, m := range order {
			x.tb = b
			start := time.Now()
			m.run()
			results[m.name] = append(results[m.name], extBenchBytes/1e6/time.Since(start).Seconds())
		}
	}
	med := map[string]float64{}
	for _, m := range ms {
		v := slices.Clone(results[m.name])
		slices.Sort(v)
		med[m.name] = v[len(v)/2]
		b.Logf("%-28s median %7.1f MB/s  (min %.1f, max %.1f, %d rounds)", m.name, med[m.name], v[0], v[len(v)-1], len(v))
	}
	b.ReportMetric(med["dj_fetch_verified"]/med["dj_fetch_unverified"], "verified/unverified")
	b.ReportMetric(med["dj_fetch_float64_verified"]/med["dj_fetch_float64_unverified"], "f64_verified/unverified")
	b.ReportMetric(med["dj_fetch_verified"]/med["minio_get_parallel_alloc"], "verified/plain")
	b.ReportMetric(med["dj_fetch_float64_verified"]/med["minio_get_decode_float64"], "f64_verified/get+decode")
}
