package dj_test

import (
	"testing"

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
	ms := []extMeasurement{
		{"dj_fetch_verified", x.fetch},
		{"dj_fetch_unverified", unverified(x.fetch)},
		{"dj_fetch_float64_verified", x.fetchFloats},
		{"dj_fetch_float64_unverified", unverified(x.fetchFloats)},
		{"minio_get_parallel_alloc", x.getParallelAlloc},
		{"minio_get_decode_float64", x.getDecodeFloats},
	}
	med := x.medianRounds(b, ms)
	b.ReportMetric(med["dj_fetch_verified"]/med["dj_fetch_unverified"], "verified/unverified")
	b.ReportMetric(med["dj_fetch_float64_verified"]/med["dj_fetch_float64_unverified"], "f64_verified/unverified")
	b.ReportMetric(med["dj_fetch_verified"]/med["minio_get_parallel_alloc"], "verified/plain")
	b.ReportMetric(med["dj_fetch_float64_verified"]/med["minio_get_decode_float64"], "f64_verified/get+decode")
}

// BenchmarkExternalFetch compares dj's fetch of 100 x 1 MB float64 arrays
// from MinIO into structs (with the content-hash check users get) with
// plain parallel GetObject and blob decode of the same objects, in
// interleaved rounds whose order alternates, one round per iteration. It
// reports the median MB/s of each and their ratio (go run ./bench uses it).
func BenchmarkExternalFetch(b *testing.B) {
	x := newExtBench(b)
	med := x.medianRounds(b, []extMeasurement{
		{"dj_fetch_float64", x.fetchFloats},
		{"minio_get_decode_float64", x.getDecodeFloats},
	})
	b.ReportMetric(med["dj_fetch_float64"], "dj_MB/s")
	b.ReportMetric(med["minio_get_decode_float64"], "plain_MB/s")
	b.ReportMetric(med["dj_fetch_float64"]/med["minio_get_decode_float64"], "dj/plain")
}
