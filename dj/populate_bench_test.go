package dj_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// PopTriv is the target of the populate benchmark: a trivial make of one
// insert.
type PopTriv struct {
	dj.Computed `comment:"trivial make"`
	Src         dj.Ref[PopSource] `dj:"pk"`
	ID          int32             `dj:"pk"`
	Value       int64
}

func trivMake(ctx context.Context, tx *dj.Tx, row *PopTriv) error {
	row.Value = int64(row.ID) + 1
	return dj.Insert1(ctx, tx, *row)
}

// BenchmarkPopulate populates 2,000 keys with a trivial make, with 1 and 4
// workers, with and without ReserveJobs, and in the same run, alternating
// with it, the plain-driver loop of the same protocol: with ReserveJobs the
// job-queue loop of engine-limits §5 (INSERT ~jobs; BEGIN; INSERT result;
// DELETE ~jobs; COMMIT), without it one transaction per key (BEGIN; INSERT
// result; COMMIT). Each reports plain_keys/s, dj_keys/s and their ratio. The
// commit-rate sub-benchmark measures the server's single-row autocommit
// rate, the ceiling of anything that commits per key.
func BenchmarkPopulate(b *testing.B) {
	const nkeys = 2000
	ctx := context.Background()
	c, s := popSetup(b, nkeys)
	must(b, s.Declare(ctx, PopTriv{}))
	db := testenv.DB(b)
	q := "`" + s.Name() + "`."
	reset := func() {
		for _, stmt := range []string{"DELETE FROM " + q + "`__pop_triv`", "CREATE TABLE IF NOT EXISTS " + q + "`plain_jobs` (table_name varchar(255) NOT NULL, key_hash char(32) NOT NULL, status enum('reserved','error','ignore') NOT NULL, `key` blob, host varchar(255) NOT NULL DEFAULT '', pid int unsigned NOT NULL DEFAULT 0, connection_id bigint unsigned NOT NULL DEFAULT 0, timestamp timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (table_name, key_hash))",
			"CREATE TABLE IF NOT EXISTS " + q + "`plain_triv` (k int NOT NULL PRIMARY KEY, v bigint NOT NULL)",
			"CREATE TABLE IF NOT EXISTS " + q + "`commit_rate` (k int NOT NULL PRIMARY KEY)",
			"TRUNCATE " + q + "`plain_jobs`", "TRUNCATE " + q + "`plain_triv`", "TRUNCATE " + q + "`commit_rate`"} {
			if _, err := db.Exec(stmt); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("commit-rate", func(b *testing.B) {
		var elapsed time.Duration
		for range b.N {
			b.StopTimer()
			reset()
			b.StartTimer()
			start := time.Now()
			for k := range nkeys {
				if _, err := db.Exec("INSERT INTO "+q+"`commit_rate` VALUES (?)", k); err != nil {
					b.Fatal(err)
				}
			}
			elapsed += time.Since(start)
		}
		b.ReportMetric(float64(nkeys*b.N)/elapsed.Seconds(), "commits/s")
		b.ReportMetric(0, "ns/op")
	})
	for _, workers := range []int{1, 4} {
		for _, reserve := range []bool{false, true} {
			b.Run(fmt.Sprintf("workers=%d/reserve=%v", workers, reserve), func(b *testing.B) {
				opts := []dj.PopulateOption{dj.Workers(workers)}
				if reserve {
					opts = append(opts, dj.ReserveJobs())
				}
				versusKeys(b, nkeys, reset, func() {
					plainJobQueue(b, db, q, nkeys, workers, reserve)
				}, func() {
					res, err := dj.PopulateFunc(ctx, c, trivMake, opts...)
					if err != nil || res.Made != nkeys {
						b.Fatalf("%+v %v", res, err)
					}
				})
			})
		}
	}
}

// versusKeys is versus for populate: it reports keys/s.
func versusKeys(b *testing.B, keys int, setup func(), plain, dj func()) {
	b.Helper()
	versusUnit(b, "keys", keys, setup, plain, dj)
}

// plainJobQueue is the populate loop on the plain driver. With reserve,
// per key: INSERT the reservation (autocommit), then BEGIN; INSERT the
// result; DELETE the reservation; COMMIT. Without: BEGIN; INSERT the
// result; COMMIT.
func plainJobQueue(b *testing.B, db *sql.DB, q string, nkeys, workers int, reserve bool) {
	var next atomic.Int64
	var wg sync.WaitGroup
	ctx := context.Background()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := db.Conn(ctx)
			if err != nil {
				b.Error(err)
				return
			}
			defer conn.Close()
			for {
				k := next.Add(1) - 1
				if k >= int64(nkeys) {
					return
				}
				hash := fmt.Sprintf("%032x", k)
				if reserve {
					if _, err := conn.ExecContext(ctx, "INSERT INTO "+q+"`plain_jobs` (table_name, key_hash, status, host, pid, connection_id) VALUES ('triv', ?, 'reserved', 'h', 1, 1)", hash); err != nil {
						b.Error(err)
						return
					}
				}
				tx, err := conn.BeginTx(ctx, nil)
				if err != nil {
					b.Error(err)
					return
				}
				if _, err := tx.Exec("INSERT INTO "+q+"`plain_triv` VALUES (?, ?)", k, k+1); err != nil {
					b.Error(err)
					return
				}
				if reserve {
					if _, err := tx.Exec("DELETE FROM "+q+"`plain_jobs` WHERE table_name='triv' AND key_hash=?", hash); err != nil {
						b.Error(err)
						return
					}
				}
				if err := tx.Commit(); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
