package dj_test

import (
	"slices"
	"testing"
	"time"
)

// BenchmarkExternalThroughput runs the measurements of BenchmarkExternalS3
// in interleaved rounds (one round per iteration), so that load from other
// processes affects all of them alike, and reports the median MB/s of each
// and the ratios the external-storage targets name:
//
//	go test -run '^$' -bench ExternalThroughput -benchtime 7x -v ./dj/
func BenchmarkExternalThroughput(b *testing.B) {
	x := newExtBench(b)
	med := x.medianRounds(b, x.measurements())
	b.ReportMetric(med["dj_insert"]/med["minio_put_parallel"], "insert/parallel")
	b.ReportMetric(med["dj_insert"]/med["minio_put_serial"], "insert/serial")
	b.ReportMetric(med["dj_fetch"]/med["minio_get_parallel"], "fetch/parallel")
	b.ReportMetric(med["dj_fetch"]/med["minio_get_parallel_alloc"], "fetch/parallel-alloc")
	b.ReportMetric(med["dj_fetch"]/med["minio_get_serial"], "fetch/serial")
	b.ReportMetric(med["dj_fetch_float64"]/med["minio_get_decode_float64"], "fetch_f64/get+decode")
	b.Logf("float64 arrays: insert %.2fx / %.2fx, fetch %.2fx / %.2fx (parallel / serial)",
		med["dj_insert_float64"]/med["minio_put_parallel"], med["dj_insert_float64"]/med["minio_put_serial"],
		med["dj_fetch_float64"]/med["minio_get_parallel"], med["dj_fetch_float64"]/med["minio_get_serial"])
}

// extMeasurement is one timed operation of the external-storage benchmarks.
type extMeasurement = struct {
	name string
	run  func()
}

// medianRounds runs ms in rounds, one per iteration of b.Loop, reversing
// the order every other round so that no measurement always runs first,
// logs the spread of each and returns the median MB/s of each by name.
func (x *extBench) medianRounds(b *testing.B, ms []extMeasurement) map[string]float64 {
	results := map[string][]float64{}
	for i := 0; b.Loop(); i++ {
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
	return med
}
