package dj_test

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkPopulateQueue runs 32 worker processes of examples/worker over
// 5,000 and 20,000 keys with a trivial make (a 2 ms sleep and an insert)
// on a private server, without the job queue and with it, alternating
// which goes first, and reports for each the keys made per second until
// the last key was made (off_keys/s, queue_keys/s, their ratio
// queue/off) and the statements the server received per key
// (off_queries/key, queue_queries/key). Without the queue each worker
// evaluates the key source and walks all its keys; the workers are
// stopped (SIGTERM) once every key is made, so their remaining walk
// counts in neither figure. With the queue the first worker fills it and
// the workers exit when it is empty.
func BenchmarkPopulateQueue(b *testing.B) {
	srv := newScaleServer(b, false)
	for _, keys := range []int{5000, 20000} {
		b.Run(fmt.Sprintf("keys=%d", keys), func(b *testing.B) {
			var offRate, onRate, offQ, onQ float64
			for i := range b.N {
				modes := []bool{false, true}
				if i%2 == 1 {
					modes = []bool{true, false}
				}
				for _, queue := range modes {
					o := scaleOptions{keys: keys, procs: 32, sleep: 2 * time.Millisecond, queue: queue, stopWhenDone: true, timeout: 10 * time.Minute}
					schema := fmt.Sprintf("q17b_bench_%d_%d_%v", keys, i, queue)
					r := scaleRun(b, srv, schema, o)
					if _, err := srv.db.Exec("DROP DATABASE `" + schema + "`"); err != nil {
						b.Fatal(err)
					}
					if len(r.badExits) > 0 {
						b.Fatalf("a worker failed: %s", r.badExits[0])
					}
					if queue {
						onRate += scaleRate(o, r)
						onQ += scalePerKey(o, r)
					} else {
						offRate += scaleRate(o, r)
						offQ += scalePerKey(o, r)
					}
				}
			}
			n := float64(b.N)
			b.ReportMetric(offRate/n, "off_keys/s")
			b.ReportMetric(onRate/n, "queue_keys/s")
			b.ReportMetric(onRate/offRate, "queue/off")
			b.ReportMetric(offQ/n, "off_queries/key")
			b.ReportMetric(onQ/n, "queue_queries/key")
			b.ReportMetric(onQ/offQ, "queue/off_queries")
			b.ReportMetric(0, "ns/op")
		})
	}
}
