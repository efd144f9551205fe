package share_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/external"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
	"github.com/datajoint-go/datajoint/dj/share"
)

const benchRows = 1_000_000

// benchSource makes a database with one table of benchRows rows.
func benchSource(b *testing.B, c *dj.Conn) string { return benchSourceN(b, c, benchRows) }

// benchSourceN makes a database with one table of n rows.
func benchSourceN(b *testing.B, c *dj.Conn, n int) string {
	b.Helper()
	ctx := context.Background()
	db := testenv.Database(b)
	_, err := c.ExecContext(ctx, "CREATE TABLE `"+db+"`.`trace` (id int NOT NULL, channel smallint NOT NULL, value double NOT NULL, label varchar(32) NOT NULL, PRIMARY KEY (id, channel)) ENGINE=InnoDB")
	must(b, err)
	_, err = c.ExecContext(ctx, fmt.Sprintf("INSERT INTO `%s`.`trace` SELECT seq DIV 4, seq MOD 4, seq * 0.5, CONCAT('label ', seq) FROM `%s`.seq_0_to_%d", db, db, n-1))
	must(b, err)
	return db
}

// BenchmarkCloneSameServer clones a table of benchRows rows into another
// database of the same server with share.Clone and, in the same run, with
// the plain statements (CREATE TABLE ... LIKE, INSERT ... SELECT).
func BenchmarkCloneSameServer(b *testing.B) {
	srv := testenv.MySQL(b)
	c := connectTo(b, srv.Host, s3Store(b, "bench"))
	src := benchSource(b, c)
	ctx := context.Background()
	sqlDB := testenv.DB(b)
	fresh := func() string {
		b.StopTimer()
		dst := "djbench_share_" + randomHex(4)
		b.Cleanup(func() { _, _ = sqlDB.Exec("DROP DATABASE IF EXISTS `" + dst + "`") })
		b.StartTimer()
		return dst
	}
	b.Run("share.Clone", func(b *testing.B) {
		for b.Loop() {
			dst := fresh()
			if _, err := share.Clone(ctx, c, c, share.CloneOptions{Rename: map[string]string{src: dst}}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("INSERT...SELECT", func(b *testing.B) {
		for b.Loop() {
			dst := fresh()
			for _, q := range []string{
				"CREATE DATABASE `" + dst + "`",
				"CREATE TABLE `" + dst + "`.`trace` LIKE `" + src + "`.`trace`",
				"INSERT INTO `" + dst + "`.`trace` SELECT * FROM `" + src + "`.`trace`",
			} {
				if _, err := sqlDB.Exec(q); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}

// BenchmarkCloneOtherServer clones the same table to a second server
// (see secondServer), streamed, with share.Clone, with a plain loop of the
// driver (SELECT on one server, INSERTs of 1000 rows on the other) and
// with mariadb-dump piped into mariadb.
func BenchmarkCloneOtherServer(b *testing.B) {
	host2 := secondServer(b)
	srv := testenv.MySQL(b)
	c := connectTo(b, srv.Host, s3Store(b, "bench"))
	c2 := connectTo(b, host2, s3Store(b, "bench2"))
	src := benchSource(b, c)
	ctx := context.Background()
	mc := mysql.NewConfig()
	mc.Net, mc.Addr, mc.User, mc.Passwd, mc.InterpolateParams = "tcp", host2, srv.User, srv.Pass, true
	conn2, err := mysql.NewConnector(mc)
	must(b, err)
	sql2 := sql.OpenDB(conn2)
	defer sql2.Close()
	sqlDB := testenv.DB(b)
	fresh := func() string {
		b.StopTimer()
		dst := "djbench_share_" + randomHex(4)
		b.Cleanup(func() { _, _ = sql2.Exec("DROP DATABASE IF EXISTS `" + dst + "`") })
		b.StartTimer()
		return dst
	}
	b.Run("share.Clone", func(b *testing.B) {
		for b.Loop() {
			dst := fresh()
			if _, err := share.Clone(ctx, c, c2, share.CloneOptions{Rename: map[string]string{src: dst}}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("plain", func(b *testing.B) {
		for b.Loop() {
			dst := fresh()
			var name, ddl string
			must(b, sqlDB.QueryRow("SHOW CREATE TABLE `"+src+"`.`trace`").Scan(&name, &ddl))
			_, err := sql2.Exec("CREATE DATABASE `" + dst + "`")
			must(b, err)
			_, err = sql2.Exec(strings.Replace(ddl, "CREATE TABLE `trace`", "CREATE TABLE `"+dst+"`.`trace`", 1))
			must(b, err)
			rows, err := sqlDB.Query("SELECT * FROM `" + src + "`.`trace`")
			must(b, err)
			var args []any
			flush := func() {
				if len(args) == 0 {
					return
				}
				n := len(args) / 4
				_, err := sql2.Exec("INSERT INTO `"+dst+"`.`trace` VALUES "+strings.TrimSuffix(strings.Repeat("(?,?,?,?),", n), ","), args...)
				must(b, err)
				args = args[:0]
			}
			for rows.Next() {
				var id, ch int64
				var v float64
				var label string
				must(b, rows.Scan(&id, &ch, &v, &label))
				args = append(args, id, ch, v, label)
				if len(args) >= 4000 {
					flush()
				}
			}
			must(b, rows.Err())
			rows.Close()
			flush()
		}
		b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("mariadb-dump|mariadb", func(b *testing.B) {
		dump, err := exec.LookPath("mariadb-dump")
		if err != nil {
			b.Skip("no mariadb-dump")
		}
		for b.Loop() {
			dst := fresh()
			_, err := sql2.Exec("CREATE DATABASE `" + dst + "`")
			must(b, err)
			h1, p1, _ := net.SplitHostPort(srv.Host)
			h2, p2, _ := net.SplitHostPort(host2)
			script := fmt.Sprintf("%s -h%s -P%s -u%s -p%s --single-transaction %s trace | mariadb -h%s -P%s -u%s -p%s %s",
				dump, h1, p1, srv.User, srv.Pass, src, h2, p2, srv.User, srv.Pass, dst)
			if out, err := exec.Command("bash", "-o", "pipefail", "-c", script).CombinedOutput(); err != nil {
				b.Fatalf("%v: %s", err, out)
			}
		}
		b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}

// BenchObject is the table of BenchmarkCloneObjects.
type BenchObject struct {
	dj.Manual `comment:"objects"`
	ID        int32  `dj:"pk"`
	Data      []byte `dj:"type=blob@shstore"`
}

// BenchmarkCloneObjects clones a table of 200 external blobs of 64 KiB to
// another location of the object store with share.Clone and, in the same
// run, copies the same objects with the store API alone (GetMany and
// PutMany, the same number of transfers at once).
func BenchmarkCloneObjects(b *testing.B) {
	const n, size = 200, 64 << 10
	srv := testenv.MySQL(b)
	ctx := context.Background()
	c := connectTo(b, srv.Host, s3Store(b, "bench-src-"+randomHex(4)))
	src := testenv.Database(b)
	s, err := c.Schema(ctx, src)
	must(b, err)
	must(b, s.Declare(ctx, BenchObject{}))
	rows := make([]BenchObject, n)
	for i := range rows {
		data := make([]byte, size)
		_, _ = rand.Read(data)
		rows[i] = BenchObject{ID: int32(i), Data: data}
	}
	must(b, dj.Insert(ctx, c, rows))
	from, err := c.Store(store)
	must(b, err)
	var keys []string
	for info, err := range from.List(ctx, src+"/") {
		must(b, err)
		keys = append(keys, info.Key)
	}
	if len(keys) != n {
		b.Fatalf("%d objects in the store, want %d", len(keys), n)
	}
	sqlDB := testenv.DB(b)
	b.Run("share.Clone", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			dst := connectTo(b, srv.Host, s3Store(b, "bench-dst-"+randomHex(4)))
			db := "djbench_share_" + randomHex(4)
			b.Cleanup(func() { _, _ = sqlDB.Exec("DROP DATABASE IF EXISTS `" + db + "`") })
			b.StartTimer()
			res, err := share.Clone(ctx, c, dst, share.CloneOptions{Rename: map[string]string{src: db}})
			if err != nil || res.Objects != n {
				b.Fatalf("clone: %v, %d objects", err, res.Objects)
			}
		}
		b.ReportMetric(float64(n*size)*float64(b.N)/b.Elapsed().Seconds()/1e6, "MB/s")
	})
	b.Run("GetMany+PutMany", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			cfg := s3Store(b, "bench-plain-"+randomHex(4))
			cfg.Name = store
			to, err := external.Open(cfg)
			must(b, err)
			b.StartTimer()
			data, err := external.GetMany(ctx, from, keys, dj.DefaultStoreTransfers)
			must(b, err)
			objs := make([]external.Object, len(keys))
			for i, k := range keys {
				objs[i] = external.Object{Key: k, Data: data[i]}
			}
			must(b, external.PutMany(ctx, to, objs, dj.DefaultStoreTransfers))
		}
		b.ReportMetric(float64(n*size)*float64(b.N)/b.Elapsed().Seconds()/1e6, "MB/s")
	})
}
