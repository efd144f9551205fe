package dj_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
)

// BenchRow is the 5-column row of the insert and fetch benchmarks (the
// shape of the engine-limits measurements: int key, int, double, varchar,
// datetime).
type BenchRow struct {
	dj.Manual
	RowID int32 `dj:"pk"`
	Grp   int32
	X     float64
	Label string `dj:"type=varchar(32)"`
	TS    time.Time
}

// benchSizes are the row counts of the insert and fetch benchmarks; the
// largest runs only without -short.
var benchSizes = []int{1_000, 10_000, 100_000, 1_000_000}

func benchData(n int) []BenchRow {
	rows := make([]BenchRow, n)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		rows[i] = BenchRow{RowID: int32(i), Grp: int32(i % 1000), X: float64(i) * 0.5, Label: fmt.Sprintf("label-%d", i%977), TS: t0.Add(time.Duration(i) * time.Second)}
	}
	return rows
}

// eachSize runs f as a sub-benchmark per size of benchSizes.
func eachSize(b *testing.B, f func(b *testing.B, n int)) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			if n > 100_000 && skipLarge() {
				b.Skip("1M rows only without -short")
			}
			f(b, n)
		})
	}
}

func benchSetup(b *testing.B) (*dj.Conn, *dj.Schema, *dj.Table) {
	c, s := connect(b)
	must(b, s.Declare(context.Background(), BenchRow{}))
	t, err := dj.TableOf[BenchRow](c)
	must(b, err)
	return c, s, t
}

// plainInsert is the go-sql-driver equivalent: 1000-row INSERT statements
// with interpolated parameters, in one transaction.
func plainInsert(ctx context.Context, db *sql.DB, table string, rows []BenchRow) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for start := 0; start < len(rows); start += 1000 {
		end := min(start+1000, len(rows))
		var sb strings.Builder
		sb.WriteString("INSERT INTO " + table + " (`row_id`,`grp`,`x`,`label`,`ts`) VALUES ")
		args := make([]any, 0, 5*(end-start))
		for i, r := range rows[start:end] {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("(?,?,?,?,?)")
			args = append(args, r.RowID, r.Grp, r.X, r.Label, r.TS)
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// cpuTimed wraps f to add the process CPU time (user and system, all
// threads, garbage collection included) it takes to *total, so benchmarks
// report the client-side cost apart from the server's.
func cpuTimed(total *time.Duration, f func()) func() {
	return func() {
		before := processCPU()
		f()
		*total += processCPU() - before
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the client CPU per row of both sides and their ratio.
func reportCPU(b *testing.B, n int, plain, dj time.Duration) {
	rows := float64(b.N) * float64(n)
	b.ReportMetric(float64(plain.Nanoseconds())/rows, "plain_cpu_ns/row")
	b.ReportMetric(float64(dj.Nanoseconds())/rows, "dj_cpu_ns/row")
}

// BenchmarkInsert inserts n rows with dj.Insert and with plainInsert into
// an emptied table.
func BenchmarkInsert(b *testing.B) {
	c, _, t := benchSetup(b)
	ctx := context.Background()
	eachSize(b, func(b *testing.B, n int) {
		data := benchData(n)
		truncate := func() {
			_, err := c.DB().ExecContext(ctx, "TRUNCATE TABLE "+t.FullName())
			must(b, err)
		}
		var plainCPU, djCPU time.Duration
		versus(b, n, truncate,
			cpuTimed(&plainCPU, func() { must(b, plainInsert(ctx, c.DB(), t.FullName(), data)) }),
			cpuTimed(&djCPU, func() { must(b, dj.Insert(ctx, c, data)) }))
		reportCPU(b, n, plainCPU, djCPU)
	})
}

// BenchmarkFetch reads n rows into structs with dj.Fetch and with a plain
// query and Scan.
func BenchmarkFetch(b *testing.B) {
	c, _, t := benchSetup(b)
	ctx := context.Background()
	eachSize(b, func(b *testing.B, n int) {
		_, err := c.DB().ExecContext(ctx, "TRUNCATE TABLE "+t.FullName())
		must(b, err)
		must(b, dj.Insert(ctx, c, benchData(n)))
		var plainCPU, djCPU time.Duration
		versus(b, n, nil, cpuTimed(&plainCPU, func() {
			rows, err := c.DB().QueryContext(ctx, "SELECT `row_id`,`grp`,`x`,`label`,`ts` FROM "+t.FullName())
			must(b, err)
			var out []BenchRow
			for rows.Next() {
				var r BenchRow
				must(b, rows.Scan(&r.RowID, &r.Grp, &r.X, &r.Label, &r.TS))
				out = append(out, r)
			}
			must(b, rows.Err())
			rows.Close()
			if len(out) != n {
				b.Fatalf("rows = %d", len(out))
			}
		}), cpuTimed(&djCPU, func() {
			out, err := dj.Fetch[BenchRow](ctx, c, t.Expr())
			must(b, err)
			if len(out) != n {
				b.Fatalf("rows = %d", len(out))
			}
		}))
		reportCPU(b, n, plainCPU, djCPU)
	})
}
