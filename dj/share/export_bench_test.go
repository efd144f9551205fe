package share_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/datajoint-go/datajoint/dj/internal/testenv"
	"github.com/datajoint-go/datajoint/dj/share"
)

// BenchmarkExportImport moves a table of rows (a composite key, a
// double and a varchar) from one server to a second (see secondServer)
// through a release archive: share.Export to a tar file, then
// share.Import; and, in the same run, through mariadb-dump piped into
// mariadb. The 1M-row size is skipped with DJ_BENCH_SHORT=1.
func BenchmarkExportImport(b *testing.B) {
	host2 := secondServer(b)
	srv := testenv.MySQL(b)
	c := connectTo(b, srv.Host, s3Store(b, "bench"))
	c2 := connectTo(b, host2, s3Store(b, "bench2"))
	ctx := context.Background()
	for _, n := range []int{100_000, benchRows} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			if n > 100_000 && os.Getenv("DJ_BENCH_SHORT") == "1" {
				b.Skip("DJ_BENCH_SHORT=1")
			}
			src := benchSourceN(b, c, n)
			fresh := func() string {
				b.StopTimer()
				dst := "djbench_share_" + randomHex(4)
				b.Cleanup(func() { _, _ = c2.ExecContext(context.Background(), "DROP DATABASE IF EXISTS `"+dst+"`") })
				b.StartTimer()
				return dst
			}
			b.Run("dj", func(b *testing.B) {
				var size int64
				for b.Loop() {
					dst := fresh()
					path := filepath.Join(b.TempDir(), "r.tar")
					if _, err := share.Export(ctx, c, path, share.ExportOptions{Version: "1", Databases: []string{src}}); err != nil {
						b.Fatal(err)
					}
					if _, err := share.Import(ctx, c2, path, share.ImportOptions{Rename: map[string]string{src: dst}}); err != nil {
						b.Fatal(err)
					}
					st, err := os.Stat(path)
					must(b, err)
					size = st.Size()
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
				b.ReportMetric(float64(size)/1e6, "archive_MB")
			})
			b.Run("plain", func(b *testing.B) {
				dump, err := exec.LookPath("mariadb-dump")
				if err != nil {
					if dump, err = exec.LookPath("mysqldump"); err != nil {
						b.Skip("no mariadb-dump or mysqldump")
					}
				}
				client, err := exec.LookPath("mariadb")
				if err != nil {
					if client, err = exec.LookPath("mysql"); err != nil {
						b.Skip("no mariadb or mysql client")
					}
				}
				for b.Loop() {
					dst := fresh()
					_, err := c2.ExecContext(ctx, "CREATE DATABASE `"+dst+"`")
					must(b, err)
					h1, p1, _ := net.SplitHostPort(srv.Host)
					h2, p2, _ := net.SplitHostPort(host2)
					script := fmt.Sprintf("%s -h%s -P%s -u%s -p%s --single-transaction %s trace | %s -h%s -P%s -u%s -p%s %s",
						dump, h1, p1, srv.User, srv.Pass, src, client, h2, p2, srv.User, srv.Pass, dst)
					if out, err := exec.Command("bash", "-o", "pipefail", "-c", script).CombinedOutput(); err != nil {
						b.Fatalf("%v: %s", err, out)
					}
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			})
		})
	}
}
