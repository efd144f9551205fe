package dj

import (
	"context"
	"database/sql/driver"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/datajoint-go/datajoint/dj/blob"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// djJobsColumns are the columns of DataJoint 0.14's ~jobs table;
// matlabJobsColumns those of MATLAB's, which lacks connection_id.
var (
	djJobsColumns     = []string{"table_name", "key_hash", "status", "key", "error_message", "error_stack", "user", "host", "pid", "connection_id", "timestamp"}
	matlabJobsColumns = []string{"table_name", "key_hash", "status", "key", "error_message", "error_stack", "user", "host", "pid", "timestamp"}
)

func colSet(cols []string) map[string]bool {
	m := map[string]bool{}
	for _, c := range cols {
		m[c] = true
	}
	return m
}

func TestJobsWriteSQL(t *testing.T) {
	w := jobWorker{host: "h1", pid: 42, user: "u@%"}
	full := "`db`.`~jobs`"
	q, args := jobsWriteSQL(full, "INSERT", colSet(djJobsColumns), w, jobRow{table: "__t", hash: "abc", status: JobReserved, key: []byte{1}, connID: 7})
	if want := "INSERT INTO `db`.`~jobs` (`table_name`,`key_hash`,`status`,`key`,`host`,`pid`,`connection_id`,`user`) VALUES (?,?,?,?,?,?,?,?)"; q != want {
		t.Errorf("reserve:\n got %s\nwant %s", q, want)
	}
	if want := []any{"__t", "abc", JobReserved, []byte{1}, "h1", 42, int64(7), "u@%"}; !reflect.DeepEqual(args, want) {
		t.Errorf("reserve args %#v", args)
	}

	// An error row on MATLAB's table: no connection_id, message cut at 1023.
	long := strings.Repeat("m", 1500)
	q, args = jobsWriteSQL(full, "REPLACE", colSet(matlabJobsColumns), w, jobRow{table: "__t", hash: "abc", status: JobError, message: long, stack: []byte{9}, connID: 7})
	if want := "REPLACE INTO `db`.`~jobs` (`table_name`,`key_hash`,`status`,`error_message`,`error_stack`,`host`,`pid`,`user`) VALUES (?,?,?,?,?,?,?,?)"; q != want {
		t.Errorf("error row:\n got %s\nwant %s", q, want)
	}
	if msg := args[3].(string); len(msg) != 1023 || !strings.HasSuffix(msg, truncationSuffix) {
		t.Errorf("message of %d characters, suffix %q", len(msg), msg[len(msg)-12:])
	}
	if jobsMessageLimit(colSet(djJobsColumns)) != 2047 || jobsMessageLimit(colSet(matlabJobsColumns)) != 1023 {
		t.Error("message limits")
	}
	// Only the three key columns exist: nothing else is written.
	q, args = jobsWriteSQL(full, "INSERT", colSet([]string{"table_name", "key_hash", "status"}), w, jobRow{table: "t", hash: "h", status: JobIgnore, key: []byte{1}})
	if q != "INSERT INTO `db`.`~jobs` (`table_name`,`key_hash`,`status`) VALUES (?,?,?)" || len(args) != 3 {
		t.Errorf("narrow table: %s %v", q, args)
	}
}

func TestJobsStatementText(t *testing.T) {
	full := "`db`.`~jobs`"
	ins := "INSERT INTO `db`.`~jobs` (`table_name`,`key_hash`,`status`) VALUES (?,?,?)"
	cases := []struct{ got, want string }{
		{reserveUnlessMadeSQL(ins, 3, "SELECT 1 FROM `db`.`t` WHERE `id`=?"),
			"INSERT INTO `db`.`~jobs` (`table_name`,`key_hash`,`status`) SELECT ?,?,? FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM `db`.`t` WHERE `id`=?)"},
		{jobsCompleteSQL(full), "DELETE FROM `db`.`~jobs` WHERE `table_name`=? AND `key_hash`=?"},
		{jobsReleaseSQL(full, true), "DELETE FROM `db`.`~jobs` WHERE `table_name`=? AND `key_hash`=? AND `status`='reserved' AND `connection_id`=?"},
		{jobsReleaseSQL(full, false), "DELETE FROM `db`.`~jobs` WHERE `table_name`=? AND `key_hash`=? AND `status`='reserved' AND ?>=0"},
		{jobsListSQL(full, colSet(matlabJobsColumns), " WHERE `status`=?"),
			"SELECT `table_name`,`key_hash`,`status`,`key`,`error_message`,`error_stack`,`user`,`host`,`pid`,NULL,`timestamp` FROM `db`.`~jobs` WHERE `status`=? ORDER BY `timestamp`, `table_name`, `key_hash`"},
		{jobsClearSQL(full, ""), "DELETE FROM `db`.`~jobs`"},
		{jobsSummarySQL(full), "SELECT `table_name`, SUM(`status`='reserved'), SUM(`status`='error'), SUM(`status`='ignore') FROM `db`.`~jobs` GROUP BY `table_name` ORDER BY `table_name`"},
		{jobsStaleCandidatesSQL(full, false), "SELECT `table_name`, `key_hash`, `connection_id`, `user`, `timestamp` < NOW() - INTERVAL (? + 1) SECOND FROM `db`.`~jobs` WHERE `status`='reserved' AND `connection_id`<>0"},
		{jobsStaleCandidatesSQL(full, true), "SELECT `table_name`, `key_hash`, `connection_id`, `user`, `timestamp` < NOW() - INTERVAL (? + 1) SECOND FROM `db`.`~jobs` WHERE `status`='reserved' AND `connection_id`<>0 AND `table_name`=?"},
		{jobsExcludedSQL(full), "SELECT `key_hash` FROM `db`.`~jobs` WHERE `table_name`=? AND `status` IN ('error','ignore','reserved')"},
		{placeholders(0), ""},
		{placeholders(3), "?,?,?"},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d:\n got %s\nwant %s", i, c.got, c.want)
		}
	}
}

func TestJobFilterWhere(t *testing.T) {
	for _, c := range []struct {
		f    JobFilter
		sql  string
		args []any
	}{
		{JobFilter{}, "", nil},
		{JobFilter{Table: "__t"}, " WHERE `table_name`=?", []any{"__t"}},
		{JobFilter{Table: "__t", Status: JobError, Hash: "h"}, " WHERE `table_name`=? AND `status`=? AND `key_hash`=?", []any{"__t", JobError, "h"}},
		{JobFilter{Hash: "h"}, " WHERE `key_hash`=?", []any{"h"}},
	} {
		sql, args := c.f.where()
		if sql != c.sql || !reflect.DeepEqual(args, c.args) {
			t.Errorf("%+v: %q %v", c.f, sql, args)
		}
	}
}

type JbSession struct {
	Manual
	SessionID int32 `dj:"pk"`
}

type JbFiltered struct {
	Computed
	Session   Ref[JbSession] `dj:"pk"`
	SessionID int32          `dj:"pk"`
	Value     float64
}

// jobsScript answers the statements of the ~jobs code: the table's
// columns (cols), the session user, and rows or counts given per
// statement prefix.
func jobsScript(cols []string, answers map[string]scriptAnswer) *scriptDB {
	return &scriptDB{answer: func(q string, _ []any) scriptAnswer {
		switch {
		case q == jobsColumnsSQL:
			a := scriptAnswer{cols: []string{"column_name"}}
			for _, c := range cols {
				a.rows = append(a.rows, []driver.Value{strings.ToUpper(c)})
			}
			return a
		case q == sessionUserSQL:
			return scriptAnswer{cols: []string{"user()"}, rows: [][]driver.Value{{"me@host"}}}
		}
		for prefix, a := range answers {
			if strings.HasPrefix(q, prefix) {
				return a
			}
		}
		return scriptAnswer{affected: 1}
	}}
}

func TestJobsThroughStatements(t *testing.T) {
	ctx := context.Background()
	keyBlobOf := func(id int64) []byte {
		b, err := blob.Marshal(blob.Dict{{Key: "session_id", Value: id}})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	stack, err := blob.Marshal("trace")
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	db := jobsScript(djJobsColumns, map[string]scriptAnswer{
		"SELECT `table_name`,`key_hash`": {cols: djJobsColumns, rows: [][]driver.Value{
			{"__jb_filtered", "h1", JobError, keyBlobOf(3), "boom", stack, "me@host", "box", int64(11), int64(5), ts},
			{"__jb_filtered", "h2", JobReserved, nil, nil, nil, nil, nil, nil, nil, nil},
		}},
		"SELECT `table_name`, SUM":                 {cols: []string{"t", "r", "e", "i"}, rows: [][]driver.Value{{"__jb_filtered", int64(1), int64(2), int64(0)}}},
		"DELETE FROM `lab`.`~jobs` WHERE `status`": {affected: 4},
	})
	c := scriptConnFor(t, db)
	s := declareFor(t, c, "lab", JbSession{}, JbFiltered{})
	jobs := s.Jobs()
	if jobs.Database() != "lab" || jobs.FullName() != "`lab`.`~jobs`" {
		t.Fatalf("jobs of %s: %s", jobs.Database(), jobs.FullName())
	}
	ft, err := TableOf[JbFiltered](c)
	if err != nil {
		t.Fatal(err)
	}

	ok, err := jobs.Ignore(ctx, ft, Key{"session_id": int32(3)})
	if err != nil || !ok {
		t.Fatalf("Ignore: %v %v", ok, err)
	}
	calls := db.calls
	if calls[0].query != schema.JobsTableSQL("lab") || calls[1].query != jobsColumnsSQL || calls[2].query != sessionUserSQL {
		t.Fatalf("init sent %q", db.queries()[:3])
	}
	ign := calls[3]
	if want := "INSERT INTO `lab`.`~jobs` (`table_name`,`key_hash`,`status`,`key`,`host`,`pid`,`connection_id`,`user`) VALUES (?,?,?,?,?,?,?,?)"; ign.query != want {
		t.Fatalf("ignore sent %s", ign.query)
	}
	wantHash := KeyHash(Key{"session_id": int64(3)})
	if ign.args[0] != "__jb_filtered" || ign.args[1] != wantHash || ign.args[2] != JobIgnore || !reflect.DeepEqual(ign.args[3], keyBlobOf(3)) || ign.args[7] != "me@host" {
		t.Fatalf("ignore args %#v", ign.args)
	}
	if h, err := jobs.KeyHash(ft, Key{"session_id": 3, "value": 1.0}); err != nil || h != wantHash {
		t.Errorf("KeyHash = %q, %v; want %q", h, err, wantHash)
	}
	if _, err := jobs.KeyHash(ft, Key{"value": 1.0}); !errors.Is(err, ErrMissingAttribute) {
		t.Errorf("KeyHash without the key: %v", err)
	}

	list, err := jobs.Errors(ctx, "__jb_filtered")
	if err != nil {
		t.Fatal(err)
	}
	want := []Job{
		{TableName: "__jb_filtered", KeyHash: "h1", Status: JobError, Key: Key{"session_id": int64(3)}, ErrorMessage: "boom", ErrorStack: "trace", User: "me@host", Host: "box", PID: 11, ConnectionID: 5, Timestamp: ts},
		{TableName: "__jb_filtered", KeyHash: "h2", Status: JobReserved},
	}
	if !reflect.DeepEqual(list, want) {
		t.Fatalf("List:\n got %#v\nwant %#v", list, want)
	}
	last := db.calls[len(db.calls)-1]
	if !reflect.DeepEqual(last.args, []any{"__jb_filtered", JobError}) {
		t.Errorf("Errors filter args %v", last.args)
	}

	sum, err := jobs.Summary(ctx)
	if err != nil || !reflect.DeepEqual(sum, []JobSummary{{Table: "__jb_filtered", Reserved: 1, Errors: 2}}) {
		t.Fatalf("Summary %#v %v", sum, err)
	}
	n, err := jobs.Clear(ctx, JobFilter{Status: JobError})
	if err != nil || n != 4 {
		t.Fatalf("Clear: %d %v", n, err)
	}
	if last := db.calls[len(db.calls)-1]; last.query != "DELETE FROM `lab`.`~jobs` WHERE `status`=?" {
		t.Errorf("Clear sent %s", last.query)
	}
}

func TestJobsIgnoreDuplicate(t *testing.T) {
	ctx := context.Background()
	dup := &mysql.MySQLError{Number: 1062, Message: "Duplicate entry '__jb_filtered-x' for key 'PRIMARY'"}
	db := jobsScript(djJobsColumns, map[string]scriptAnswer{"INSERT INTO `lab`.`~jobs`": {err: dup}})
	c := scriptConnFor(t, db)
	s := declareFor(t, c, "lab", JbSession{}, JbFiltered{})
	ft, _ := TableOf[JbFiltered](c)
	ok, err := s.Jobs().Ignore(ctx, ft, Key{"session_id": 1})
	if err != nil || ok {
		t.Fatalf("Ignore of a key with a row: %v %v", ok, err)
	}
}

func TestKeyProbeSQL(t *testing.T) {
	probe := keyProbeSQLFor("`lab`.`__t`", []string{"a", "b"})
	if probe != "SELECT 1 FROM `lab`.`__t` WHERE `a`=? AND `b`=?" {
		t.Errorf("probe %s", probe)
	}
	if got := existsSQLOf(probe); got != "SELECT EXISTS(SELECT 1 FROM `lab`.`__t` WHERE `a`=? AND `b`=?)" {
		t.Errorf("exists %s", got)
	}
}
