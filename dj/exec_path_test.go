package dj_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"strings"
	"sync"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// statementLog records what a statement hook sees.
type statementLog struct {
	mu  sync.Mutex
	all []string
}

func (l *statementLog) add(q string) {
	l.mu.Lock()
	l.all = append(l.all, q)
	l.mu.Unlock()
}

func (l *statementLog) count(prefix string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, q := range l.all {
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(q)), prefix) {
			n++
		}
	}
	return n
}

// TestEveryStatementPassesOneHook runs declaration and binding (DDL and
// catalog reads), inserts, a transaction, populate with reservations on
// two workers (~jobs), a cascading delete and a catalog lookup as an
// account of its own, and requires the statement hook to have seen exactly the statements
// the server's general log received from that account.
func TestEveryStatementPassesOneHook(t *testing.T) {
	ctx := context.Background()
	srv := testenv.MySQL(t)
	root := testenv.DB(t)
	db := testenv.Database(t)
	var b [4]byte
	_, _ = rand.Read(b[:])
	user := "djhook_" + hex.EncodeToString(b[:])
	for _, stmt := range []string{
		"CREATE USER '" + user + "'@'%' IDENTIFIED BY 'hook'",
		"GRANT ALL ON `" + db + "`.* TO '" + user + "'@'%'",
	} {
		if _, err := root.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { root.ExecContext(context.Background(), "DROP USER '"+user+"'@'%'") })
	var logOutput string
	var logOn int
	must(t, root.QueryRowContext(ctx, "SELECT @@global.log_output, @@global.general_log").Scan(&logOutput, &logOn))
	must(t, execAll(ctx, root, "SET GLOBAL log_output='TABLE'", "SET GLOBAL general_log=1"))
	t.Cleanup(func() {
		_ = execAll(context.Background(), root, "SET GLOBAL general_log="+map[int]string{0: "0", 1: "1"}[logOn], "SET GLOBAL log_output='"+logOutput+"'")
	})

	seen := &statementLog{}
	c, err := dj.ConnectHooked(ctx, dj.Config{Host: srv.Host, User: user, Password: "hook"}, seen.add)
	must(t, err)
	defer c.Close()
	s, err := c.Schema(ctx, db)
	must(t, err)
	must(t, s.Declare(ctx, PopSource{}, PopCube{}))
	must(t, s.Bind(ctx, PopSource{}, PopCube{}))
	must(t, dj.Insert(ctx, c, []PopSource{{ID: 1}, {ID: 2}, {ID: 3}, {ID: 4}}))
	must(t, c.Tx(ctx, func(ctx context.Context, tx *dj.Tx) error {
		return dj.Insert1(ctx, tx, PopSource{ID: 5})
	}))
	res, err := dj.Populate[PopCube](ctx, c, dj.ReserveJobs(), dj.Workers(2))
	must(t, err)
	if res.Made != 5 {
		t.Fatalf("populate made %d, want 5", res.Made)
	}
	_, err = dj.Delete(ctx, c, dj.From[PopSource](c).Restrict(dj.Match(dj.Key{"id": 1})))
	must(t, err)
	_, err = s.Table(ctx, "PopCube")
	must(t, err)
	c.Close()

	var logged int
	must(t, root.QueryRowContext(ctx, `SELECT COUNT(*) FROM mysql.general_log
		WHERE user_host LIKE ? AND command_type IN ('Query', 'Execute')
		AND argument NOT LIKE 'SET sql_mode%' AND argument NOT LIKE 'SET time_zone%'`, user+"[%").Scan(&logged))
	if logged != len(seen.all) {
		rows, _ := root.QueryContext(ctx, "SELECT argument FROM mysql.general_log WHERE user_host LIKE ? AND command_type IN ('Query','Execute')", user+"[%")
		for rows.Next() {
			var a string
			rows.Scan(&a)
			t.Log("server: ", a)
		}
		for _, q := range seen.all {
			t.Log("hook: ", q)
		}
		t.Errorf("the server received %d statements from the account, the hook saw %d", logged, len(seen.all))
	}
	for _, kind := range []string{"CREATE TABLE", "SELECT", "INSERT INTO", "START TRANSACTION", "COMMIT", "DELETE"} {
		if seen.count(kind) == 0 {
			t.Errorf("the hook saw no %s statement", kind)
		}
	}
	jobs, catalog := 0, 0
	for _, q := range seen.all {
		if strings.Contains(q, "~jobs") {
			jobs++
		}
		if strings.Contains(strings.ToLower(q), "information_schema") {
			catalog++
		}
	}
	if jobs == 0 || catalog == 0 {
		t.Errorf("the hook saw %d ~jobs and %d catalog statements", jobs, catalog)
	}
}

func execAll(ctx context.Context, db *sql.DB, stmts ...string) error {
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
