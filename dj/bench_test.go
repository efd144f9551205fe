package dj_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
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

const benchRows = 100_000

func benchData() []BenchRow {
	rows := make([]BenchRow, benchRows)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		rows[i] = BenchRow{RowID: int32(i), Grp: int32(i % 1000), X: float64(i) * 0.5, Label: fmt.Sprintf("label-%d", i%977), TS: t0.Add(time.Duration(i) * time.Second)}
	}
	return rows
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

func BenchmarkInsert100k(b *testing.B) {
	c, _, t := benchSetup(b)
	ctx := context.Background()
	data := benchData()
	truncate := func() {
		_, err := c.DB().ExecContext(ctx, "TRUNCATE TABLE "+t.FullName())
		must(b, err)
	}
	versus(b, benchRows, truncate,
		func() { must(b, plainInsert(ctx, c.DB(), t.FullName(), data)) },
		func() { must(b, dj.Insert(ctx, c, data)) })
}

func BenchmarkFetch100k(b *testing.B) {
	c, _, t := benchSetup(b)
	ctx := context.Background()
	must(b, dj.Insert(ctx, c, benchData()))
	versus(b, benchRows, nil, func() {
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
		if len(out) != benchRows {
			b.Fatalf("rows = %d", len(out))
		}
	}, func() {
		out, err := dj.Fetch[BenchRow](ctx, c, t.Expr())
		must(b, err)
		if len(out) != benchRows {
			b.Fatalf("rows = %d", len(out))
		}
	})
}
