package dj_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// countingTracer is a Tracer and KeyTracer that counts what it sees, as a
// real tracer's cheapest work.
type countingTracer struct{ queries, keys atomic.Int64 }

func (t *countingTracer) QueryStart(ctx context.Context, _ dj.QueryStart) context.Context { return ctx }
func (t *countingTracer) QueryEnd(context.Context, dj.QueryEnd)                           { t.queries.Add(1) }
func (t *countingTracer) KeyStart(ctx context.Context, _ dj.KeySpan) context.Context      { return ctx }
func (t *countingTracer) KeyEnd(context.Context, dj.KeySpan)                              { t.keys.Add(1) }

// BenchmarkPopulateObserved populates 2,000 keys (one worker, ReserveJobs,
// trivial make) in interleaved rounds of three, in rotating order: the
// plain-driver job-queue loop, dj without observation, and dj with a
// Tracer that sees every statement and key, an info-level logger and
// ShowProgress on a non-terminal writer. It reports the keys/s of each and
// observed_overhead_%, the median over the rounds of each round's
// (observed time / unobserved time - 1) × 100.
func BenchmarkPopulateObserved(b *testing.B) {
	const nkeys = 2000
	ctx := context.Background()
	c, s := popSetup(b, nkeys)
	must(b, s.Declare(ctx, PopTriv{}))
	srv := testenv.MySQL(b)
	tr := &countingTracer{}
	obs, err := dj.Connect(ctx, dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass, Tracer: tr,
		Logger: slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	must(b, err)
	defer obs.Close()
	obsSchema, err := obs.Schema(ctx, s.Name(), dj.NoCreate())
	must(b, err)
	must(b, obsSchema.Bind(ctx, PopSource{}, PopTriv{}))
	db := testenv.DB(b)
	q := "`" + s.Name() + "`."
	for _, stmt := range []string{"CREATE TABLE " + q + "`plain_jobs` (table_name varchar(255) NOT NULL, key_hash char(32) NOT NULL, status enum('reserved','error','ignore') NOT NULL, `key` blob, host varchar(255) NOT NULL DEFAULT '', pid int unsigned NOT NULL DEFAULT 0, connection_id bigint unsigned NOT NULL DEFAULT 0, timestamp timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (table_name, key_hash))",
		"CREATE TABLE " + q + "`plain_triv` (k int NOT NULL PRIMARY KEY, v bigint NOT NULL)"} {
		if _, err := db.Exec(stmt); err != nil {
			b.Fatal(err)
		}
	}
	reset := func() {
		for _, stmt := range []string{"DELETE FROM " + q + "`__pop_triv`", "TRUNCATE " + q + "`plain_jobs`", "TRUNCATE " + q + "`plain_triv`"} {
			if _, err := db.Exec(stmt); err != nil {
				b.Fatal(err)
			}
		}
	}
	populate := func(c *dj.Conn, opts ...dj.PopulateOption) func() {
		return func() {
			res, err := dj.PopulateFunc(ctx, c, trivMake, append(opts, dj.ReserveJobs())...)
			if err != nil || res.Made != nkeys {
				b.Fatalf("%+v %v", res, err)
			}
		}
	}
	arms := []func(){
		func() { plainJobQueue(b, db, q, nkeys, 1, true) },
		populate(c),
		populate(obs, dj.ShowProgress(io.Discard)),
	}
	var total [3]time.Duration
	var overhead []float64
	for i := 0; b.Loop(); i++ {
		var round [3]time.Duration
		for j := range 3 {
			k := (i + j) % 3
			b.StopTimer()
			reset()
			b.StartTimer()
			start := time.Now()
			arms[k]()
			round[k] = time.Since(start)
			total[k] += round[k]
		}
		overhead = append(overhead, (round[2].Seconds()/round[1].Seconds()-1)*100)
	}
	if tr.keys.Load() != int64(nkeys*b.N) || tr.queries.Load() < int64(3*nkeys*b.N) {
		b.Fatalf("the tracer saw %d keys and %d statements in %d rounds", tr.keys.Load(), tr.queries.Load(), b.N)
	}
	n := float64(b.N * nkeys)
	b.ReportMetric(n/total[0].Seconds(), "plain_keys/s")
	b.ReportMetric(n/total[1].Seconds(), "dj_keys/s")
	b.ReportMetric(n/total[2].Seconds(), "observed_keys/s")
	b.ReportMetric(float64(tr.queries.Load())/n, "statements/key")
	slices.Sort(overhead)
	b.ReportMetric(overhead[len(overhead)/2], "observed_overhead_%")
	b.ReportMetric(0, "ns/op")
}
