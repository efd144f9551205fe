package dj_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
)

// leftJoinRow is a row of Obs left-joined with the light groups: the
// group's attributes are NULL for observations of heavy groups.
type leftJoinRow struct {
	RowID   int32
	GrpID   int32
	X       float64
	Label   string
	GrpName *string
	Weight  *float64
}

// BenchmarkLeftJoinFetch: Obs (100k rows) left-joined with the groups of
// weight < 0.5 (of 1k), fetched into structs with pointer fields, beside
// the same SQL through database/sql with rows.Scan into the same struct.
func BenchmarkLeftJoinFetch(b *testing.B) {
	c := setupJoin(b)
	ctx := context.Background()
	e := dj.From[Obs](c).Proj("grp_id", "x", "label").LeftJoin(dj.From[Grp](c).Restrict(dj.Where("weight < 0.5")))
	query, _, err := e.SQL()
	must(b, err)
	want, nulls := 0, 0
	versus(b, 100_000, nil, func() {
		rows, err := c.DB().QueryContext(ctx, query)
		must(b, err)
		var out []leftJoinRow
		for rows.Next() {
			var r leftJoinRow
			must(b, rows.Scan(&r.RowID, &r.GrpID, &r.X, &r.Label, &r.GrpName, &r.Weight))
			out = append(out, r)
		}
		must(b, rows.Err())
		rows.Close()
		want = len(out)
	}, func() {
		out, err := dj.Fetch[leftJoinRow](ctx, c, e)
		must(b, err)
		if len(out) != 100_000 || (want != 0 && len(out) != want) {
			b.Fatalf("rows = %d, plain %d", len(out), want)
		}
		nulls = 0
		for _, r := range out {
			if r.GrpName == nil {
				nulls++
			}
		}
	})
	if nulls == 0 || nulls == want {
		b.Fatalf("%d of %d rows without a group: the left join is not exercised", nulls, want)
	}
}

// BenchCopy receives copies of BenchRow rows.
type BenchCopy struct {
	dj.Manual
	RowID int32 `dj:"pk"`
	Grp   int32
	X     float64
	Label string `dj:"type=varchar(32)"`
	TS    time.Time
}

// insertFromSizes are the row counts of BenchmarkInsertFrom; the largest
// runs only without -short.
var insertFromSizes = []int{10_000, 100_000, 1_000_000}

// BenchmarkInsertFrom copies n rows with dj.InsertFrom, with the plain
// INSERT … SELECT it runs, and by fetching the rows into structs and
// inserting them through the client (dj.Fetch then dj.Insert), into an
// emptied table; the three run in rotating order in each round. It reports
// each rate and the median over rounds of the ratios dj/plain (target
// ≥ 0.9) and dj/client (target ≥ 20), which a load change on the shared
// server affects less than a ratio of totals.
func BenchmarkInsertFrom(b *testing.B) {
	c, s, src := benchSetup(b)
	ctx := context.Background()
	must(b, s.Declare(ctx, BenchCopy{}))
	dst, err := dj.TableOf[BenchCopy](c)
	must(b, err)
	const cols = "`row_id`,`grp`,`x`,`label`,`ts`"
	plainSQL := "INSERT INTO " + dst.FullName() + " (" + cols + ") SELECT " + cols + " FROM " + src.FullName()
	for _, n := range insertFromSizes {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			if n > 100_000 && skipLarge() {
				b.Skip("1M rows only without -short")
			}
			_, err := c.DB().ExecContext(ctx, "TRUNCATE TABLE "+src.FullName())
			must(b, err)
			must(b, plainInsert(ctx, c.DB(), src.FullName(), benchData(n)))
			stmt, _, err := dst.InsertFromSQL(src.Expr())
			must(b, err)
			if stmt != plainSQL {
				b.Fatalf("InsertFrom runs\n%s\nnot\n%s", stmt, plainSQL)
			}
			runs := []struct {
				name string
				f    func()
				t    time.Duration
			}{
				{name: "plain", f: func() {
					_, err := c.DB().ExecContext(ctx, plainSQL)
					must(b, err)
				}},
				{name: "dj", f: func() { must(b, dj.InsertFrom[BenchCopy](ctx, c, src.Expr())) }},
				{name: "client", f: func() {
					rows, err := dj.Fetch[BenchCopy](ctx, c, src.Expr())
					must(b, err)
					must(b, dj.Insert(ctx, c, rows))
				}},
			}
			var vsPlain, vsClient []float64
			for i := 0; b.Loop(); i++ {
				var round [3]time.Duration
				for k := range runs {
					j := (k + i) % len(runs)
					r := &runs[j]
					b.StopTimer()
					_, err := c.DB().ExecContext(ctx, "TRUNCATE TABLE "+dst.FullName())
					must(b, err)
					b.StartTimer()
					start := time.Now()
					r.f()
					round[j] = time.Since(start)
					r.t += round[j]
					var got int64
					must(b, c.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM "+dst.FullName()).Scan(&got))
					if got != int64(n) {
						b.Fatalf("%s copied %d rows, want %d", r.name, got, n)
					}
				}
				vsPlain = append(vsPlain, round[0].Seconds()/round[1].Seconds())
				vsClient = append(vsClient, round[2].Seconds()/round[1].Seconds())
			}
			rows := float64(b.N) * float64(n)
			for _, r := range runs {
				b.ReportMetric(rows/r.t.Seconds(), r.name+"_rows/s")
			}
			b.ReportMetric(median(vsPlain), "dj/plain")
			b.ReportMetric(median(vsClient), "dj/client")
		})
	}
}

// median returns the median of v (0 for none).
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
