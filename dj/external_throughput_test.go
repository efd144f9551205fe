package dj_test

import (
	"os"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestExternalThroughput runs the measurements of BenchmarkExternalS3 in
// interleaved rounds, so that load from other processes affects all of
// them alike, and reports median MB/s and the ratios the external-storage
// issue targets. It runs only with DJ_EXT_BENCH=1 (rounds:
// DJ_EXT_BENCH_ROUNDS, default 7).
func TestExternalThroughput(t *testing.T) {
	if os.Getenv("DJ_EXT_BENCH") != "1" {
		t.Skip("set DJ_EXT_BENCH=1 to measure external-storage throughput")
	}
	rounds := 7
	if n, err := strconv.Atoi(os.Getenv("DJ_EXT_BENCH_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	x := newExtBench(t)
	results := map[string][]float64{}
	ms := x.measurements()
	for range rounds {
		for _, m := range ms {
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
		t.Logf("%-24s median %7.1f MB/s  (min %.1f, max %.1f, %d rounds)", m.name, med[m.name], v[0], v[len(v)-1], len(v))
	}
	t.Logf("insert: %.2fx parallel PutObject, %.2fx serial PutObject", med["dj_insert"]/med["minio_put_parallel"], med["dj_insert"]/med["minio_put_serial"])
	t.Logf("fetch:  %.2fx parallel GetObject, %.2fx serial GetObject", med["dj_fetch"]/med["minio_get_parallel"], med["dj_fetch"]/med["minio_get_serial"])
	t.Logf("fetch:  %.2fx parallel GetObject into new buffers (io.ReadAll)", med["dj_fetch"]/med["minio_get_parallel_alloc"])
	t.Logf("float64 arrays: insert %.2fx / %.2fx, fetch %.2fx / %.2fx (parallel / serial)",
		med["dj_insert_float64"]/med["minio_put_parallel"], med["dj_insert_float64"]/med["minio_put_serial"],
		med["dj_fetch_float64"]/med["minio_get_parallel"], med["dj_fetch_float64"]/med["minio_get_serial"])
}
