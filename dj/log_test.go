package dj_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// logVector is one line of testdata/log-vectors.jsonl, written by
// DataJoint for Python 0.14.9 (see /work/shared/golden-meta/README.md):
// the first line holds SHOW CREATE TABLE of ~log, the others its rows.
type logVector struct {
	ShowCreate string `json:"show_create"`
	ID         int    `json:"id"`
	Version    string `json:"version"`
	User       string `json:"user"`
	Host       string `json:"host"`
	Event      string `json:"event"`
}

// goldenLogDB is the schema name the vectors were written in.
const goldenLogDB = "golden_meta_log"

func loadLogVectors(t *testing.T) (showCreate string, rows []logVector) {
	t.Helper()
	f, err := os.Open("testdata/log-vectors.jsonl")
	must(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v logVector
		must(t, json.Unmarshal(sc.Bytes(), &v))
		if v.ShowCreate != "" {
			showCreate = v.ShowCreate
			continue
		}
		rows = append(rows, v)
	}
	must(t, sc.Err())
	if showCreate == "" || len(rows) < 6 {
		t.Fatalf("testdata/log-vectors.jsonl: %d rows and show_create %q", len(rows), showCreate)
	}
	return showCreate, rows
}

// The golden schema has tables `parent` and `child`; these are their Go
// twins (named log_parent and log_child here).
type LogParent struct {
	dj.Manual `comment:"parent"`
	Pid       int32 `dj:"pk"`
}

type LogChild struct {
	dj.Manual `comment:"child"`
	Parent    dj.Ref[LogParent] `dj:"pk"`
	Pid       int32             `dj:"pk"`
	Cid       int32             `dj:"pk"`
}

// goldenEvent turns an event of the golden log into the same event on db,
// where the tables are log_parent and log_child.
func goldenEvent(ev, db string) string {
	ev = strings.ReplaceAll(ev, "`"+goldenLogDB+"`", "`"+db+"`")
	ev = strings.ReplaceAll(ev, "`parent`", "`log_parent`")
	return strings.ReplaceAll(ev, "`child`", "`log_child`")
}

type logRow struct {
	ID                         int
	Version, User, Host, Event string
}

func readLog(t *testing.T, db *sql.DB, name string) []logRow {
	t.Helper()
	rows, err := db.Query("SELECT id, version, user, host, event FROM `" + name + "`.`~log` ORDER BY id")
	must(t, err)
	defer rows.Close()
	var out []logRow
	for rows.Next() {
		var r logRow
		must(t, rows.Scan(&r.ID, &r.Version, &r.User, &r.Host, &r.Event))
		out = append(out, r)
	}
	must(t, rows.Err())
	return out
}

func TestSchemaLogTableMatchesPython(t *testing.T) {
	showCreate, golden := loadLogVectors(t)
	srv := testenv.MySQL(t)
	db := testenv.DB(t)
	ctx := context.Background()
	// A database that does not exist yet, so that Conn.Schema creates it.
	name := testenv.Database(t)
	_, err := db.Exec("DROP DATABASE `" + name + "`")
	must(t, err)
	c, err := dj.Connect(ctx, dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass})
	must(t, err)
	defer c.Close()
	s, err := c.Schema(ctx, name)
	must(t, err)

	// The DDL is DataJoint's, byte for byte as the server shows it.
	var tbl, ddl string
	must(t, db.QueryRow("SHOW CREATE TABLE `"+name+"`.`~log`").Scan(&tbl, &ddl))
	autoInc := regexp.MustCompile(` AUTO_INCREMENT=\d+`)
	got := autoInc.ReplaceAllString(strings.ReplaceAll(ddl, "`"+name+"`", "`"+goldenLogDB+"`"), "")
	if want := autoInc.ReplaceAllString(showCreate, ""); got != want {
		t.Fatalf("SHOW CREATE TABLE ~log:\n%s\nwant (DataJoint for Python 0.14):\n%s", got, want)
	}

	must(t, s.Declare(ctx, LogParent{}, LogChild{}))
	must(t, s.Declare(ctx, LogParent{}, LogChild{})) // already declared: no entry
	_, err = c.Schema(ctx, name)                     // activated again: no entry
	must(t, err)

	user, err := c.ServerUser(ctx)
	must(t, err)
	host, err := os.Hostname()
	must(t, err)
	rows := readLog(t, db, name)
	if len(rows) != 3 {
		t.Fatalf("~log has %d rows, want 3 (created and two declarations): %+v", len(rows), rows)
	}
	// Python's version is "<version>py"; Go's is "<Version>go" in the same column.
	if !strings.HasSuffix(golden[0].Version, "py") {
		t.Fatalf("golden version %q", golden[0].Version)
	}
	goVersion := regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+go$`)
	for i, r := range rows {
		want := goldenEvent(golden[i].Event, name)
		if r.Event != want {
			t.Errorf("~log row %d: event %q, want %q (Python wrote %q)", i+1, r.Event, want, golden[i].Event)
		}
		if r.Version != dj.Version+"go" || len(r.Version) > 12 || !goVersion.MatchString(r.Version) {
			t.Errorf("~log row %d: version %q, want %q (at most 12 characters)", i+1, r.Version, dj.Version+"go")
		}
		if r.User != user || !strings.Contains(r.User, "@") {
			t.Errorf("~log row %d: user %q, want SELECT user() = %q", i+1, r.User, user)
		}
		if r.Host != host {
			t.Errorf("~log row %d: host %q, want %q", i+1, r.Host, host)
		}
		if r.ID != golden[i].ID {
			t.Errorf("~log row %d: id %d, want %d", i+1, r.ID, golden[i].ID)
		}
	}
}

// TestLogPythonDeleteOnGoSchema replays, on a schema Go created, the
// statements DataJoint for Python 0.14 runs for a cascading delete of one
// parent: it tries the parent, fails on the foreign key, deletes the
// children and then the parent, and logs each DELETE in ~log. Python
// declares ~log when SHOW TABLES does not find it, and that declaration is
// refused inside the transaction ("Cannot declare new tables inside a
// transaction"): the table must already exist.
func TestLogPythonDeleteOnGoSchema(t *testing.T) {
	_, golden := loadLogVectors(t)
	c, s := connect(t)
	ctx := context.Background()
	must(t, s.Declare(ctx, LogParent{}, LogChild{}))
	must(t, dj.Insert(ctx, c, []LogParent{{Pid: 1}, {Pid: 2}}))
	must(t, dj.Insert(ctx, c, []LogChild{{Pid: 1, Cid: 1}, {Pid: 1, Cid: 2}, {Pid: 2, Cid: 1}}))
	name := s.Name()

	// The golden cascade from the parent: the child's DELETE, then the parent's.
	var deletes []string
	for _, r := range golden {
		if strings.HasPrefix(r.Event, "DELETE") && strings.Contains(r.Event, "pid=1") {
			deletes = append(deletes, goldenEvent(r.Event, name))
		}
	}
	if len(deletes) != 2 || !strings.Contains(deletes[0], "`log_child`") || !strings.Contains(deletes[1], "`log_parent`") {
		t.Fatalf("golden cascade: %q", deletes)
	}

	sc, err := testenv.DB(t).Conn(ctx)
	must(t, err)
	defer sc.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := sc.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var pyUser string
	must(t, sc.QueryRowContext(ctx, "SELECT user()").Scan(&pyUser))
	exec("START TRANSACTION WITH CONSISTENT SNAPSHOT")
	// Python tries the parent first and cascades on error 1451.
	_, err = sc.ExecContext(ctx, deletes[1])
	var me *mysql.MySQLError
	if !errors.As(err, &me) || me.Number != 1451 {
		t.Fatalf("first DELETE of the parent: %v, want error 1451", err)
	}
	for _, del := range deletes {
		exec(del)
		var n int
		must(t, sc.QueryRowContext(ctx, "SELECT ROW_COUNT()").Scan(&n))
		// Log.__init__: is_declared, else declare (refused in a transaction).
		rows, err := sc.QueryContext(ctx, "SHOW TABLES in `"+name+"` LIKE \"~log\"")
		must(t, err)
		found := rows.Next()
		rows.Close()
		if !found {
			exec("ROLLBACK")
			t.Fatalf("~log does not exist in the Go schema %s: DataJoint for Python would declare it inside the delete's transaction and fail", name)
		}
		exec("INSERT INTO `"+name+"`.`~log` (`version`,`user`,`host`,`event`) VALUES (?,?,?,?) ON DUPLICATE KEY UPDATE `id`=`id`",
			golden[0].Version, pyUser, "python-host", del[:min(len(del), 255)])
	}
	exec("COMMIT")

	var parents, children int
	db := testenv.DB(t)
	must(t, db.QueryRow("SELECT COUNT(*) FROM `"+name+"`.`log_parent`").Scan(&parents))
	must(t, db.QueryRow("SELECT COUNT(*) FROM `"+name+"`.`log_child`").Scan(&children))
	if parents != 1 || children != 1 {
		t.Fatalf("after the delete: %d parents and %d children, want 1 and 1", parents, children)
	}
	rows := readLog(t, db, name)
	if len(rows) < 2 || rows[len(rows)-2].Event != deletes[0] || rows[len(rows)-1].Event != deletes[1] {
		t.Fatalf("~log after the delete: %+v", rows)
	}
}
