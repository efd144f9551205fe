package dj_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// ReadOnlyNew is a table nobody declares before the read-only test tries.
type ReadOnlyNew struct {
	dj.Manual `comment:"never created"`
	ID        int32 `dj:"pk"`
}

// TestReadOnlyRefusesWrites: on a read-only connection every write path
// fails with ErrReadOnly naming its operation, sends no write (most send
// nothing at all), and changes nothing; reads work, and the server's
// session refuses a write sent around the package.
func TestReadOnlyRefusesWrites(t *testing.T) {
	ctx := context.Background()
	w, ws := connect(t)
	db := ws.Name()
	must(t, ws.Declare(ctx, ReplItem{}, ReplSquare{}))
	must(t, dj.Insert(ctx, w, []ReplItem{{ID: 1, Val: 1}, {ID: 2, Val: 2}, {ID: 3, Val: 3}}))
	wItems, err := dj.TableOf[ReplItem](w)
	must(t, err)
	if _, err := ws.Jobs().Ignore(ctx, wItems, dj.Key{"id": int32(3)}); err != nil {
		t.Fatal(err)
	}

	srv := testenv.MySQL(t)
	log := &serverLog{}      // statements sent
	tried := &statementLog{} // statements attempted, refused ones included
	ro, err := dj.ConnectHooked(ctx, dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass, ReadOnly: true, Tracer: log}, tried.add)
	must(t, err)
	defer ro.Close()

	// Reads.
	rs, err := ro.Schema(ctx, db)
	must(t, err)
	must(t, rs.Declare(ctx, ReplItem{}, ReplSquare{})) // existing tables bind
	items, err := dj.TableOf[ReplItem](ro)
	must(t, err)
	all := dj.From[ReplItem](ro)
	rows, err := dj.Fetch[ReplItem](ctx, ro, all)
	must(t, err)
	n, err := dj.Count(ctx, ro, all)
	must(t, err)
	maps, err := dj.FetchMaps(ctx, ro, all.Restrict(dj.Where("val > ?", 1)))
	must(t, err)
	jobs, err := rs.Jobs().List(ctx, dj.JobFilter{})
	must(t, err)
	remaining, total, err := dj.Progress[ReplSquare](ctx, ro)
	must(t, err)
	tables, err := rs.Tables(ctx)
	must(t, err)
	must(t, ro.Tx(ctx, func(ctx context.Context, tx *dj.Tx) error {
		n, err := dj.Count(ctx, tx, all)
		if n != 3 {
			t.Errorf("Count in a read-only Tx: %d", n)
		}
		return err
	}))
	if len(rows) != 3 || n != 3 || len(maps) != 2 || len(jobs) != 1 || remaining != 3 || total != 3 || len(tables) < 2 {
		t.Fatalf("reads on a read-only connection: %d %d %d %d %d/%d %d", len(rows), n, len(maps), len(jobs), remaining, total, len(tables))
	}

	square := func(ctx context.Context, tx *dj.Tx, row *ReplSquare) error {
		row.Sq = float64(row.ID * row.ID)
		return dj.Insert1(ctx, tx, *row)
	}
	rawInsert := "INSERT INTO `" + db + "`.`repl_item` VALUES (9, 9)"
	for _, c := range []struct {
		name string
		op   string // the operation the error names
		// reads: the operation may read before it refuses (catalog reads,
		// or a transaction's START and ROLLBACK); otherwise it sends
		// nothing at all.
		reads bool
		run   func() error
		// funnel: the write is a statement of the caller's, refused by
		// the statement funnel rather than an operation's own check.
		funnel bool
	}{
		{"Insert", "insert", false, func() error { return dj.Insert(ctx, ro, []ReplItem{{ID: 9}}) }, false},
		{"Insert1", "insert", false, func() error { return dj.Insert1(ctx, ro, ReplItem{ID: 9}) }, false},
		{"Table.Insert maps", "insert", false, func() error {
			return items.Insert(ctx, ro, []map[string]any{{"id": 9, "val": 9.0}})
		}, false},
		{"InsertFrom", "insert", false, func() error { return dj.InsertFrom[ReplItem](ctx, ro, all) }, false},
		{"Update1", "update", false, func() error { return dj.Update1(ctx, ro, ReplItem{ID: 1, Val: 10}) }, false},
		{"Delete", "delete", false, func() error {
			_, err := dj.Delete(ctx, ro, all.Restrict(dj.Match(dj.Key{"id": 1})))
			return err
		}, false},
		{"DeleteQuick", "delete", false, func() error { _, err := dj.DeleteQuick(ctx, ro, all); return err }, false},
		{"Table.Drop", "drop", false, func() error { return items.Drop(ctx) }, false},
		{"Schema.Drop", "drop", false, func() error { return rs.Drop(ctx) }, false},
		{"Declare a new table", "declare", true, func() error { return rs.Declare(ctx, ReadOnlyNew{}) }, false},
		{"Schema of a new database", "create schema", true, func() error { _, err := ro.Schema(ctx, db+"_new"); return err }, false},
		{"Populate", "populate", false, func() error { _, err := dj.PopulateFunc(ctx, ro, square); return err }, false},
		{"Populate with jobs", "populate", false, func() error {
			_, err := dj.PopulateFunc(ctx, ro, square, dj.ReserveJobs(), dj.Workers(2))
			return err
		}, false},
		{"Insert in a Tx", "insert", true, func() error {
			return ro.Tx(ctx, func(ctx context.Context, tx *dj.Tx) error { return dj.Insert1(ctx, tx, ReplItem{ID: 9}) })
		}, false},
		{"raw write in a Tx", "INSERT statements", true, func() error {
			return ro.Tx(ctx, func(ctx context.Context, tx *dj.Tx) error { _, err := tx.ExecContext(ctx, rawInsert); return err })
		}, true},
		{"Conn.ExecContext", "UPDATE statements", false, func() error {
			_, err := ro.ExecContext(ctx, "UPDATE `"+db+"`.`repl_item` SET val = 0")
			return err
		}, true},
		{"Session write", "DELETE statements", false, func() error {
			return ro.Session(ctx, func(ctx context.Context, q dj.Querier) error {
				_, err := q.ExecContext(ctx, "DELETE FROM `"+db+"`.`repl_item`")
				return err
			})
		}, true},
		{"jobs Clear", "jobs", false, func() error { _, err := rs.Jobs().Clear(ctx, dj.JobFilter{}); return err }, false},
		{"jobs Ignore", "ignore", false, func() error { _, err := rs.Jobs().Ignore(ctx, items, dj.Key{"id": int32(1)}); return err }, false},
		{"jobs ReclaimStale", "jobs", false, func() error { _, err := rs.Jobs().ReclaimStale(ctx, ""); return err }, false},
		{"Populate with the queue", "populate", false, func() error {
			_, err := dj.PopulateFunc(ctx, ro, square, dj.UseQueue())
			return err
		}, false},
		{"queue Refresh", "queue", false, func() error { _, err := rs.Queue().Refresh(ctx, dj.RefreshOptions{}); return err }, false},
		{"queue Requeue", "queue", false, func() error { _, err := rs.Queue().Requeue(ctx, dj.QueueFilter{}); return err }, false},
		{"queue SetPriority", "queue", false, func() error { _, err := rs.Queue().SetPriority(ctx, dj.QueueFilter{}, 1); return err }, false},
		{"queue Purge", "queue", false, func() error { _, err := rs.Queue().Purge(ctx, "", 0); return err }, false},
		{"queue ReclaimExpired", "queue", false, func() error { _, err := rs.Queue().ReclaimExpired(ctx, "", time.Minute); return err }, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			log.reset()
			tried.mu.Lock()
			tried.all = nil
			tried.mu.Unlock()
			err := c.run()
			if !errors.Is(err, dj.ErrReadOnly) {
				t.Fatalf("want ErrReadOnly, got %v", err)
			}
			if msg := err.Error(); !strings.Contains(msg, c.op) || !strings.Contains(msg, "read-only connection") {
				t.Errorf("the message does not name %q: %s", c.op, msg)
			}
			log.mu.Lock()
			defer log.mu.Unlock()
			for _, e := range log.entries {
				if !isRead(e.sql) {
					t.Errorf("sent a write: %s", e.sql)
				}
			}
			tried.mu.Lock()
			defer tried.mu.Unlock()
			attempts := 0
			for _, q := range tried.all {
				if !isRead(q) {
					attempts++
				}
			}
			switch {
			case c.funnel && attempts != 1:
				t.Errorf("the caller's write should be the one write attempted: %v", tried.all)
			case !c.funnel && attempts != 0:
				t.Errorf("the operation tried writes before refusing: %v", tried.all)
			case !c.reads && len(tried.all) > attempts:
				t.Errorf("the operation read before refusing: %v", tried.all)
			}
		})
	}

	// Around the package, the server's read-only session refuses.
	_, err = ro.DB().ExecContext(ctx, rawInsert)
	var me *mysql.MySQLError
	if !errors.As(err, &me) || me.Number != 1792 {
		t.Fatalf("a write through DB() on a read-only connection: %v", err)
	}

	// Nothing changed.
	if n, err := dj.Count(ctx, w, dj.From[ReplItem](w)); err != nil || n != 3 {
		t.Errorf("items: %d %v", n, err)
	}
	if n, err := dj.Count(ctx, w, dj.From[ReplSquare](w)); err != nil || n != 0 {
		t.Errorf("squares: %d %v", n, err)
	}
	if got, err := dj.FetchOne[ReplItem](ctx, w, dj.From[ReplItem](w).Restrict(dj.Match(dj.Key{"id": 1}))); err != nil || got.Val != 1 {
		t.Errorf("item 1: %+v %v", got, err)
	}
	if j, err := ws.Jobs().List(ctx, dj.JobFilter{}); err != nil || len(j) != 1 {
		t.Errorf("jobs: %d %v", len(j), err)
	}
	if tl, err := ws.Tables(ctx); err != nil || len(tl) != len(tables) {
		t.Errorf("tables: %d (was %d) %v", len(tl), len(tables), err)
	}
	var dbs int
	must(t, testenv.DB(t).QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", db+"_new").Scan(&dbs))
	if dbs != 0 {
		t.Error("a read-only connection created a database")
	}
}

// isRead reports whether a statement of the package only reads.
func isRead(q string) bool {
	switch strings.ToUpper(strings.Fields(q)[0]) {
	case "SELECT", "SHOW", "START", "ROLLBACK":
		return true
	}
	return false
}
