package dj_test

import (
	"os"
	"testing"
	"time"
)

// versus runs the plain-driver and the dj version of an operation
// alternately, b.N times each, and reports both rates and their ratio, so
// that a load change on a shared machine affects both alike. units is the
// number of rows (or keys) one call handles; setup runs untimed before
// each call.
func versus(b *testing.B, units int, setup func(), plain, dj func()) {
	b.Helper()
	versusUnit(b, "rows", units, setup, plain, dj)
}

// versusUnit is versus reporting "<unit>/s" (rows, keys).
func versusUnit(b *testing.B, unit string, units int, setup func(), plain, dj func()) {
	b.Helper()
	var tPlain, tDJ time.Duration
	for i := 0; b.Loop(); i++ {
		for _, k := range [2]int{i % 2, 1 - i%2} {
			b.StopTimer()
			if setup != nil {
				setup()
			}
			b.StartTimer()
			start := time.Now()
			if k == 0 {
				plain()
				tPlain += time.Since(start)
			} else {
				dj()
				tDJ += time.Since(start)
			}
		}
	}
	n := float64(b.N) * float64(units)
	b.ReportMetric(n/tPlain.Seconds(), "plain_"+unit+"/s")
	b.ReportMetric(n/tDJ.Seconds(), "dj_"+unit+"/s")
	b.ReportMetric(tPlain.Seconds()/tDJ.Seconds(), "dj/plain")
}

// skipLarge reports whether benchmarks leave out their 1M-row sizes: under
// go test -short (which runs no server test at all) and when go run ./bench
// -short sets DJ_BENCH_SHORT=1.
func skipLarge() bool { return testing.Short() || os.Getenv("DJ_BENCH_SHORT") == "1" }
