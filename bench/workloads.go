package main

import "fmt"

// pythonNote cites the source of the Python column.
const pythonNote = "DataJoint for Python 0.14.9, docs/python-baseline.md (measured 2026-11-23, AMD EPYC, 2 cores, " +
	"MariaDB 10.11, durable commits; median of 5): insert() of a list of dicts, fetch() as dicts, populate(reserve_jobs=True); " +
	"— where that document has no comparable figure. Compare ratios, not absolute figures, across machines."

// plainNote says what the plain column measures.
const plainNote = "the same work without dj, in the same run: go-sql-driver/mysql statements (delete: one multi-table " +
	"DELETE … JOIN per table in one transaction; populate: INSERT ~jobs, then BEGIN, INSERT result, DELETE ~jobs, COMMIT per key; " +
	"insert: 1000-row INSERTs in one transaction; fetch: SELECT and Scan), a memory copy (blob decode) or minio-go GetObject " +
	"on 8 goroutines into new buffers, each decoded into a []float64 (external fetch); mariadb-dump piped into mariadb between " +
	"two servers (export + import through a release archive; clone to a second server), INSERT … SELECT (clone within a " +
	"server), the store API's GetMany and PutMany on as many transfers at once (clone of objects). " +
	"Job queue rows: dj is 32 examples/worker processes with -queue on a private server, plain the same processes without it " +
	"(each evaluates the key source); make = 2 ms sleep + insert; keys/s until the last key is made; queries = the server's Questions."

// Python figures, copied from docs/python-baseline.md.
const (
	pyInsert100k   = "21675" // (b) insert 100000 rows, list_of_dicts
	pyFetch100k    = "50838" // (c) fetch 100000 rows, dicts
	pyPopulateJobs = "310"   // (e) populate 2000 keys, reserve_jobs=True
	pyNone         = "—"
)

var workloads = func() []workload {
	var ws []workload
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		ws = append(ws, workload{
			name: fmt.Sprintf("delete cascade, %s trials (+%s sessions, %s subjects)", short(n), short(n/10), short(n/100)),
			unit: "rows/s", pkg: "./dj", bench: "^BenchmarkDeleteCascade$", benchtime: "2x", large: n > 100_000,
			djBench:  fmt.Sprintf("BenchmarkDeleteCascade/trials=%d", n),
			djMetric: "dj_rows/s", plainMetric: "plain_rows/s", ratioMetric: "dj/plain",
			python: pyNone,
		})
	}
	ws = append(ws, workload{
		name: "populate 2000 keys, 1 worker, ReserveJobs",
		unit: "keys/s", pkg: "./dj", bench: "^BenchmarkPopulate$/^workers=1$/^reserve=true$", benchtime: "1x",
		djBench:  "BenchmarkPopulate/workers=1/reserve=true",
		djMetric: "dj_keys/s", plainMetric: "plain_keys/s", ratioMetric: "dj/plain",
		python: pyPopulateJobs,
	})
	for _, n := range []int{5_000, 20_000} {
		bench := fmt.Sprintf("BenchmarkPopulateQueue/keys=%d", n)
		pattern := fmt.Sprintf("^BenchmarkPopulateQueue$/^keys=%d$", n)
		ws = append(ws, workload{
			name: fmt.Sprintf("populate %s keys, 32 worker processes: job queue (dj) vs none (plain)", short(n)),
			unit: "keys/s", pkg: "./dj", bench: pattern, benchtime: "1x", large: n > 5_000,
			djBench: bench, djMetric: "queue_keys/s", plainMetric: "off_keys/s", ratioMetric: "queue/off",
			python: pyNone,
		}, workload{
			name: fmt.Sprintf("populate %s keys, 32 worker processes: server queries per key, queue (dj) vs none (plain)", short(n)),
			unit: "queries/key", pkg: "./dj", bench: pattern, benchtime: "1x", large: n > 5_000,
			djBench: bench, djMetric: "queue_queries/key", plainMetric: "off_queries/key", ratioMetric: "queue/off_queries",
			python: pyNone,
		})
	}
	for _, n := range []int{1_000, 10_000, 100_000, 1_000_000} {
		py := pyNone
		if n == 100_000 {
			py = pyInsert100k
		}
		ws = append(ws, workload{
			name: fmt.Sprintf("insert %s rows", short(n)),
			unit: "rows/s", pkg: "./dj", bench: "^BenchmarkInsert$", benchtime: "2x", large: n > 100_000,
			djBench:  fmt.Sprintf("BenchmarkInsert/rows=%d", n),
			djMetric: "dj_rows/s", plainMetric: "plain_rows/s", ratioMetric: "dj/plain",
			python: py,
		})
	}
	for _, n := range []int{1_000, 10_000, 100_000, 1_000_000} {
		py := pyNone
		if n == 100_000 {
			py = pyFetch100k
		}
		ws = append(ws, workload{
			name: fmt.Sprintf("fetch %s rows into structs", short(n)),
			unit: "rows/s", pkg: "./dj", bench: "^BenchmarkFetch$", benchtime: "2x", large: n > 100_000,
			djBench:  fmt.Sprintf("BenchmarkFetch/rows=%d", n),
			djMetric: "dj_rows/s", plainMetric: "plain_rows/s", ratioMetric: "dj/plain",
			python: py,
		})
	}
	for _, n := range []int{10_000, 100_000} {
		ws = append(ws, workload{
			name: fmt.Sprintf("blob decode, %s float64", short(n)),
			unit: "MB/s", pkg: "./dj/blob", bench: "^BenchmarkDecodeReuseVsCopy$", benchtime: "1s",
			djBench:  fmt.Sprintf("BenchmarkDecodeReuseVsCopy/n=%d", n),
			djMetric: "dj_MB/s", plainMetric: "copy_MB/s", ratioMetric: "dj/copy",
			python: pyNone,
		})
	}
	ws = append(ws, workload{
		name: "external fetch, 100 × 1 MB float64 arrays (MinIO)",
		unit: "MB/s", pkg: "./dj", bench: "^BenchmarkExternalFetch$", benchtime: "5x",
		djBench: "BenchmarkExternalFetch", djMetric: "dj_MB/s", plainMetric: "plain_MB/s", ratioMetric: "dj/plain",
		python: pyNone,
	})
	for _, n := range []int{100_000, 1_000_000} {
		ws = append(ws, workload{
			name: fmt.Sprintf("export + import %s rows to a second server", short(n)),
			unit: "rows/s", pkg: "./dj/share", bench: "^BenchmarkExportImport$", benchtime: "1x", large: n > 100_000,
			djBench:  fmt.Sprintf("BenchmarkExportImport/rows=%d/dj", n),
			djMetric: "rows/s", plainName: fmt.Sprintf("BenchmarkExportImport/rows=%d/plain", n), plainMetric: "rows/s",
			python: pyNone,
		})
	}
	ws = append(ws, workload{
		name: "clone 1M rows into another database of the same server (plain: INSERT … SELECT)",
		unit: "rows/s", pkg: "./dj/share", bench: "^BenchmarkCloneSameServer$", benchtime: "1x", large: true,
		djBench: "BenchmarkCloneSameServer/share.Clone", djMetric: "rows/s",
		plainName: "BenchmarkCloneSameServer/INSERT...SELECT", plainMetric: "rows/s",
		python: pyNone,
	}, workload{
		name: "clone 1M rows to a second server (plain: mariadb-dump piped into mariadb)",
		unit: "rows/s", pkg: "./dj/share", bench: "^BenchmarkCloneOtherServer$", benchtime: "1x", large: true,
		djBench: "BenchmarkCloneOtherServer/share.Clone", djMetric: "rows/s",
		plainName: "BenchmarkCloneOtherServer/mariadb-dump|mariadb", plainMetric: "rows/s",
		python: pyNone,
	}, workload{
		name: "clone 200 × 64 KiB external objects to another bucket location (MinIO)",
		unit: "MB/s", pkg: "./dj/share", bench: "^BenchmarkCloneObjects$", benchtime: "3x",
		djBench: "BenchmarkCloneObjects/share.Clone", djMetric: "MB/s",
		plainName: "BenchmarkCloneObjects/GetMany+PutMany", plainMetric: "MB/s",
		python: pyNone,
	})
	return ws
}()

// short writes 10000 as 10k and 1000000 as 1M.
func short(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1_000 && n%1_000 == 0:
		return fmt.Sprintf("%dk", n/1_000)
	}
	return fmt.Sprint(n)
}
