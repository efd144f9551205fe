package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/web"
)

// synthetic declares groups×10 tables in s with DataJoint 0.14's DDL: per
// group two Lookup tables, three Manual tables, an Imported table, three
// Computed tables and a part; each group's first Manual table references
// the previous group's. Group 0's subject, session, imported and computed
// tables get rows big rows each (filled with INSERT ... SELECT from
// MariaDB's sequence engine), the other groups 20 rows each.
func synthetic(tb testing.TB, s *dj.Schema, groups, big int) {
	tb.Helper()
	ctx := context.Background()
	db := s.Name()
	q := func(n string) string { return "`" + db + "`.`" + n + "`" }
	fk := func(cols, parent string) string {
		return fmt.Sprintf("FOREIGN KEY (%s) REFERENCES %s (%s) ON UPDATE CASCADE ON DELETE RESTRICT", cols, q(parent), cols)
	}
	for g := 0; g < groups; g++ {
		n := 20
		if g == 0 {
			n = big
		}
		a, b := fmt.Sprintf("m%da", g), fmt.Sprintf("m%db", g)
		lk, lkb := fmt.Sprintf("#lk%d", g), fmt.Sprintf("#lk%db", g)
		imp, c, part := fmt.Sprintf("_imp%d", g), fmt.Sprintf("__c%d", g), fmt.Sprintf("__c%d__part", g)
		d, e, pair := fmt.Sprintf("__d%d", g), fmt.Sprintf("__e%d", g), fmt.Sprintf("m%dpair", g)
		stmts := []string{
			fmt.Sprintf("CREATE TABLE %s (`lk_id` smallint NOT NULL, `value` float NOT NULL, PRIMARY KEY (`lk_id`)) ENGINE=InnoDB COMMENT='parameters'", q(lk)),
			fmt.Sprintf("CREATE TABLE %s (`lkb_id` smallint NOT NULL, PRIMARY KEY (`lkb_id`)) ENGINE=InnoDB COMMENT=''", q(lkb)),
			fmt.Sprintf("CREATE TABLE %s (`a_id` int NOT NULL, `name` varchar(32) NOT NULL DEFAULT '', PRIMARY KEY (`a_id`)) ENGINE=InnoDB COMMENT='subjects'", q(a)),
			fmt.Sprintf("CREATE TABLE %s (`a_id` int NOT NULL, `b_idx` smallint NOT NULL, `start` datetime NOT NULL, PRIMARY KEY (`a_id`,`b_idx`), %s) ENGINE=InnoDB COMMENT='sessions'", q(b), fk("`a_id`", a)),
			fmt.Sprintf("CREATE TABLE %s (`a_id` int NOT NULL, `b_idx` smallint NOT NULL, `data` longblob NOT NULL, PRIMARY KEY (`a_id`,`b_idx`), %s) ENGINE=InnoDB COMMENT=''", q(imp), fk("`a_id`,`b_idx`", b)),
			fmt.Sprintf("CREATE TABLE %s (`a_id` int NOT NULL, `b_idx` smallint NOT NULL, `lk_id` smallint NOT NULL, `val` double NOT NULL, PRIMARY KEY (`a_id`,`b_idx`,`lk_id`), %s, %s) ENGINE=InnoDB COMMENT=''", q(c), fk("`a_id`,`b_idx`", imp), fk("`lk_id`", lk)),
			fmt.Sprintf("CREATE TABLE %s (`a_id` int NOT NULL, `b_idx` smallint NOT NULL, `lk_id` smallint NOT NULL, `unit` int NOT NULL, `x` float NOT NULL, PRIMARY KEY (`a_id`,`b_idx`,`lk_id`,`unit`), %s) ENGINE=InnoDB COMMENT=''", q(part), fk("`a_id`,`b_idx`,`lk_id`", c)),
			fmt.Sprintf("CREATE TABLE %s (`a_id` int NOT NULL, `b_idx` smallint NOT NULL, `lk_id` smallint NOT NULL, `y` double NOT NULL, PRIMARY KEY (`a_id`,`b_idx`,`lk_id`), %s) ENGINE=InnoDB COMMENT=''", q(d), fk("`a_id`,`b_idx`,`lk_id`", c)),
			fmt.Sprintf("CREATE TABLE %s (`a_id` int NOT NULL, `b_idx` smallint NOT NULL, `lk_id` smallint NOT NULL, `lkb_id` smallint NOT NULL, `z` double NOT NULL, PRIMARY KEY (`a_id`,`b_idx`,`lk_id`,`lkb_id`), %s, %s) ENGINE=InnoDB COMMENT=''", q(e), fk("`a_id`,`b_idx`,`lk_id`", d), fk("`lkb_id`", lkb)),
			fmt.Sprintf("CREATE TABLE %s (`a_id` int NOT NULL, `b_idx` smallint NOT NULL, `score` float NOT NULL, PRIMARY KEY (`a_id`,`b_idx`), %s) ENGINE=InnoDB COMMENT='pairs'", q(pair), fk("`a_id`,`b_idx`", b)),
			fmt.Sprintf("INSERT INTO %s VALUES (1, 0.5), (2, 1.5)", q(lk)),
			fmt.Sprintf("INSERT INTO %s VALUES (1)", q(lkb)),
			fmt.Sprintf("INSERT INTO %s SELECT seq, 'x' FROM %s", q(a), q(fmt.Sprintf("seq_1_to_%d", n))),
			fmt.Sprintf("INSERT INTO %s SELECT seq, 1, '2024-01-01' FROM %s", q(b), q(fmt.Sprintf("seq_1_to_%d", n))),
			fmt.Sprintf("INSERT INTO %s SELECT seq, 1, '' FROM %s", q(imp), q(fmt.Sprintf("seq_1_to_%d", n))),
			fmt.Sprintf("INSERT INTO %s SELECT seq, 1, 1, seq FROM %s", q(c), q(fmt.Sprintf("seq_1_to_%d", n))),
		}
		for _, st := range stmts {
			if _, err := s.Conn().ExecContext(ctx, st); err != nil {
				tb.Fatalf("%s: %v", st, err)
			}
		}
	}
	if _, err := s.Conn().ExecContext(ctx, fmt.Sprintf("ANALYZE TABLE %s, %s, %s, %s", q("m0a"), q("m0b"), q("_imp0"), q("__c0"))); err != nil {
		tb.Fatal(err)
	}
}

// benchRows is the size of the big tables of BenchmarkPage:
// DJ_WEB_BENCH_ROWS, default 1 000 000.
func benchRows(b *testing.B) int {
	if v := os.Getenv("DJ_WEB_BENCH_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	return 1_000_000
}

// BenchmarkPage renders the pages of a 40-table schema whose four biggest
// tables have DJ_WEB_BENCH_ROWS rows, on one server as a browser visits
// them again and again ("pipeline-cold" on a new server each time);
// "plain" runs with the plain driver
// the two queries a table page cannot do without (the row estimates of
// the schema, the first rows of the table).
func BenchmarkPage(b *testing.B) {
	c, s := connect(b)
	rows := benchRows(b)
	synthetic(b, s, 4, rows)
	h, err := web.New(c, web.Options{})
	if err != nil {
		b.Fatal(err)
	}
	db := s.Name()
	for _, p := range []struct{ name, path string }{
		{"pipeline", "/schema/" + db + "/"},
		{"table-1M-manual", tablePath(db, "M0b")},
		{"table-1M-computed", tablePath(db, "C0")},
		{"table-small-computed", tablePath(db, "C2")},
		{"jobs", "/schema/" + db + "/jobs"},
	} {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, p.path, nil))
				if w.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", p.path, w.Code, w.Body)
				}
				_, _ = io.Copy(io.Discard, w.Body)
			}
		})
	}
	// A fresh server for every page: nothing read before is reused, and
	// Graphviz lays the diagram out every time.
	b.Run("pipeline-cold", func(b *testing.B) {
		for b.Loop() {
			h, err := web.New(c, web.Options{})
			if err != nil {
				b.Fatal(err)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/schema/"+db+"/", nil))
			if w.Code != http.StatusOK {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
		}
	})
	b.Run("plain", func(b *testing.B) {
		ctx := context.Background()
		sqlDB := c.DB()
		for b.Loop() {
			r, err := sqlDB.QueryContext(ctx, "SELECT table_name, table_rows FROM information_schema.tables WHERE table_schema = ?", db)
			if err != nil {
				b.Fatal(err)
			}
			for r.Next() {
				var n string
				var est *int64
				if err := r.Scan(&n, &est); err != nil {
					b.Fatal(err)
				}
			}
			r.Close()
			r, err = sqlDB.QueryContext(ctx, "SELECT `a_id`, `b_idx`, `start` FROM `"+db+"`.`m0b` ORDER BY `a_id`, `b_idx` LIMIT 26")
			if err != nil {
				b.Fatal(err)
			}
			for r.Next() {
				var a, i int
				var st []byte
				if err := r.Scan(&a, &i, &st); err != nil {
					b.Fatal(err)
				}
			}
			r.Close()
		}
	})
}
