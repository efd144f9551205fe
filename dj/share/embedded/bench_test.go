package embedded_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
	"github.com/datajoint-go/datajoint/dj/share"
	"github.com/datajoint-go/datajoint/dj/share/embedded"
)

// BenchTrace is the table of BenchmarkOpen.
type BenchTrace struct {
	dj.Manual `comment:"traces"`
	ID        int32 `dj:"pk"`
	Channel   int16 `dj:"pk"`
	Value     float64
	Label     string `dj:"type=varchar(32)"`
}

// BenchmarkOpen opens a release of a table of benchOpenRows rows without a server
// (rows/s of the load), then runs, on the release and on MariaDB, one
// aggregation over the whole table (dj.U("channel").Aggr, rows/s
// scanned).
func BenchmarkOpen(b *testing.B) {
	n := benchOpenRows
	srv := testenv.MySQL(b)
	ctx := context.Background()
	c, err := dj.Connect(ctx, dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass})
	must(b, err)
	defer c.Close()
	db := testenv.Database(b)
	s, err := c.Schema(ctx, db)
	must(b, err)
	must(b, s.Declare(ctx, BenchTrace{}))
	_, err = c.ExecContext(ctx, fmt.Sprintf("INSERT INTO `%s`.`bench_trace` SELECT seq DIV 4, seq MOD 4, seq * 0.5, CONCAT('label ', seq) FROM `%s`.seq_0_to_%d", db, db, n-1))
	must(b, err)
	path := filepath.Join(b.TempDir(), "r.tar")
	_, err = share.Export(ctx, c, path, share.ExportOptions{Version: "1", Databases: []string{db}})
	must(b, err)
	var rel *embedded.Release
	b.Run("open", func(b *testing.B) {
		for b.Loop() {
			if rel != nil {
				rel.Close()
			}
			if rel, err = embedded.Open(ctx, path); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	defer rel.Close()
	rs, err := rel.Conn.Schema(ctx, db, dj.NoCreate())
	must(b, err)
	must(b, rs.Declare(ctx, BenchTrace{}))
	for _, side := range []struct {
		name string
		c    *dj.Conn
	}{{"aggr/embedded", rel.Conn}, {"aggr/mariadb", c}} {
		b.Run(side.name, func(b *testing.B) {
			for b.Loop() {
				rows, err := dj.FetchMaps(ctx, side.c, dj.U("channel").Aggr(dj.From[BenchTrace](side.c), "n=count(*)", "s=sum(value)"))
				if err != nil || len(rows) != 4 {
					b.Fatal(err, len(rows))
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// benchOpenRows is the size of the table of BenchmarkOpen.
var benchOpenRows = 10_000
