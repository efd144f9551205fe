package dj

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// fakeClock is a settable clock for replica health. Its mutex also
// guards the maps of testReplicaSet, which background checks read.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeClock) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) add(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

// set runs fn (which changes the scripted statuses) under the lock.
func (f *fakeClock) set(fn func()) {
	f.mu.Lock()
	fn()
	f.mu.Unlock()
}
func str(s string) *string { return &s }
func okStatus(lag time.Duration) replicaStatus {
	return replicaStatus{channels: 1, io: "Yes", sql: "Yes", lag: lag}
}

// testReplicaSet builds a set of replicas named r0, r1, ... whose status
// probe returns status[addr] (or err[addr]) and counts its calls.
func testReplicaSet(n int, clock *fakeClock, status map[string]replicaStatus, errs map[string]error, probes map[string]int) *replicaSet {
	s := &replicaSet{maxLag: 5 * time.Second, every: 2 * time.Second, now: clock.now,
		log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	s.probe = func(_ context.Context, r *replica) (replicaStatus, error) {
		clock.mu.Lock()
		defer clock.mu.Unlock()
		probes[r.addr]++
		return status[r.addr], errs[r.addr]
	}
	for i := range n {
		s.list = append(s.list, &replica{addr: fmt.Sprintf("r%d", i), lag: -1})
	}
	return s
}

// TestReplicaHealthCaching: the status is read once per interval, a
// failing replica is left out until the interval has passed, and the
// state changes as the status does.
func TestReplicaHealthCaching(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{t: time.Unix(1000, 0)}
	status := map[string]replicaStatus{"r0": okStatus(0)}
	probes := map[string]int{}
	s := testReplicaSet(1, clock, status, map[string]error{}, probes)
	r := s.list[0]
	if !s.usable(ctx, r) || probes["r0"] != 1 {
		t.Fatalf("first check: usable %v after %d probes", r.healthy, probes["r0"])
	}
	clock.add(time.Second)
	clock.set(func() { status["r0"] = replicaStatus{channels: 1, io: "Yes", sql: "No", lag: -1} })
	if !s.usable(ctx, r) || probes["r0"] != 1 {
		t.Fatalf("within the interval the status must not be read again (%d probes)", probes["r0"])
	}
	clock.add(time.Second)
	if s.usable(ctx, r) || probes["r0"] != 2 {
		t.Fatalf("after the interval: a stopped SQL thread must leave the replica out (%d probes)", probes["r0"])
	}
	if st := r.state(); st.Healthy || !strings.Contains(st.Reason, "SQL thread is No") || st.Lag != -1 {
		t.Fatalf("state %+v", st)
	}
	// A replica left out is checked again in the background: the read
	// that finds it due does not wait, later ones see the result.
	clock.set(func() { status["r0"] = okStatus(time.Second) })
	clock.add(2 * time.Second)
	if s.usable(ctx, r) {
		t.Fatal("the read that starts the background check must not use the replica")
	}
	waitChecked(t, r)
	if !s.usable(ctx, r) || probes["r0"] != 3 {
		t.Fatalf("a replica whose threads run again must take reads (%d probes)", probes["r0"])
	}
	s.markDown(ctx, r, errors.New("boom"))
	if s.usable(ctx, r) || probes["r0"] != 3 {
		t.Fatalf("a replica marked down must stay out without a probe until the interval ends (%d probes)", probes["r0"])
	}
	clock.add(2 * time.Second)
	s.usable(ctx, r)
	waitChecked(t, r)
	if !s.usable(ctx, r) || probes["r0"] != 4 {
		t.Fatalf("after the interval a healthy status brings it back (%d probes)", probes["r0"])
	}
	// Conn.Replicas checks due replicas before it answers.
	clock.set(func() { status["r0"] = replicaStatus{channels: 1, io: "No", sql: "Yes", lag: -1} })
	clock.add(2 * time.Second)
	if st := s.states(ctx); st[0].Healthy || !strings.Contains(st[0].Reason, "I/O thread is No") || probes["r0"] != 5 {
		t.Fatalf("states: %+v after %d probes", st, probes["r0"])
	}
	// While one goroutine reads the status, others use the last state.
	clock.set(func() { status["r0"] = okStatus(0) })
	clock.add(2 * time.Second)
	s.states(ctx)
	r.checking = true
	clock.add(time.Hour)
	if !s.usable(ctx, r) || probes["r0"] != 6 {
		t.Fatalf("a check in progress must not be repeated (%d probes)", probes["r0"])
	}
	r.checking = false
	// A cancelled caller learns nothing about the replica.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if s.usable(cctx, r) {
		t.Error("a cancelled check reported the replica usable")
	}
	if st := r.state(); !st.Healthy {
		t.Errorf("a cancelled check changed the state: %+v", st)
	}
}

// waitChecked waits for a background check of r to end.
func waitChecked(t *testing.T, r *replica) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		r.mu.Lock()
		busy := r.checking
		r.mu.Unlock()
		if !busy {
			return
		}
	}
	t.Fatal("the background check did not end")
}

func TestJudgeReplica(t *testing.T) {
	access := fmt.Errorf("%w: %w", ErrAccess, &mysql.MySQLError{Number: 1227, Message: "Access denied; you need the REPLICA MONITOR privilege"})
	for _, c := range []struct {
		name   string
		st     replicaStatus
		err    error
		maxLag time.Duration
		ok     bool
		reason string
	}{
		{"healthy", okStatus(3 * time.Second), nil, 5 * time.Second, true, ""},
		{"at the bound", okStatus(5 * time.Second), nil, 5 * time.Second, true, ""},
		{"lagging", okStatus(6 * time.Second), nil, 5 * time.Second, false, "6s behind, more than the bound of 5s"},
		{"no bound", okStatus(time.Hour), nil, -1, true, ""},
		{"lag unknown", okStatus(-1), nil, -1, false, "lag unknown"},
		{"io stopped", replicaStatus{channels: 1, io: "No", sql: "Yes"}, nil, -1, false, "I/O thread is No"},
		{"io connecting", replicaStatus{channels: 1, io: "Connecting", sql: "Yes"}, nil, -1, false, "I/O thread is Connecting"},
		{"sql stopped", replicaStatus{channels: 1, io: "Yes", sql: "No", lag: -1}, nil, 5 * time.Second, false, "SQL thread is No"},
		{"not a replica", replicaStatus{}, nil, 5 * time.Second, false, "not a replica"},
		{"no privilege", replicaStatus{}, access, 5 * time.Second, false, "REPLICA MONITOR privilege on MariaDB"},
		{"unreachable", replicaStatus{}, errors.New("dial tcp: connection refused"), 5 * time.Second, false, "status unreadable: dial tcp"},
	} {
		ok, reason := judgeReplica(c.st, c.err, c.maxLag)
		if ok != c.ok || !strings.Contains(reason, c.reason) || (c.ok && reason != "") {
			t.Errorf("%s: %v %q, want %v %q", c.name, ok, reason, c.ok, c.reason)
		}
	}
}

func TestParseReplicaStatus(t *testing.T) {
	maria := []string{"Slave_IO_State", "Master_Host", "Slave_IO_Running", "Slave_SQL_Running", "Seconds_Behind_Master"}
	mysql8 := []string{"Replica_IO_State", "Source_Host", "Replica_IO_Running", "Replica_SQL_Running", "Seconds_Behind_Source"}
	for _, c := range []struct {
		name string
		cols []string
		rows [][]*string
		want replicaStatus
	}{
		{"mariadb", maria, [][]*string{{str("Waiting"), str("127.0.0.1"), str("Yes"), str("Yes"), str("4")}}, okStatus(4 * time.Second)},
		{"mysql 8", mysql8, [][]*string{{str("Waiting"), str("h"), str("Yes"), str("Yes"), str("0")}}, okStatus(0)},
		{"sql stopped", maria, [][]*string{{str(""), str("h"), str("Yes"), str("No"), nil}}, replicaStatus{channels: 1, io: "Yes", sql: "No", lag: -1}},
		{"two channels, worst wins", maria, [][]*string{
			{str(""), str("a"), str("Yes"), str("Yes"), str("2")},
			{str(""), str("b"), str("Connecting"), str("Yes"), str("9")},
		}, replicaStatus{channels: 2, io: "Connecting", sql: "Yes", lag: 9 * time.Second}},
		{"one channel NULL", maria, [][]*string{
			{str(""), str("a"), str("Yes"), str("Yes"), nil},
			{str(""), str("b"), str("Yes"), str("Yes"), str("1")},
		}, replicaStatus{channels: 2, io: "Yes", sql: "Yes", lag: -1}},
		{"empty", maria, nil, replicaStatus{io: "Yes", sql: "Yes"}},
	} {
		if got := parseReplicaStatus(c.cols, c.rows); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

// TestReplicaReadRouting drives replicaSet.read with reads that succeed or
// fail on given servers: round-robin among healthy replicas, failover to
// the next one and then to the server, replicas left out after failing,
// no failover for errors of the query itself or after rows were handed.
func TestReplicaReadRouting(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{t: time.Unix(1000, 0)}
	status := map[string]replicaStatus{"r0": okStatus(0), "r1": okStatus(0), "r2": okStatus(time.Minute)}
	probes := map[string]int{}
	s := testReplicaSet(3, clock, status, map[string]error{}, probes)
	c := &Conn{cfg: &Config{}, log: s.log, replicas: s}
	var tried []string
	fail := map[string]error{}
	handAt := ""
	read := func(q Querier, h *handOver) error {
		name := "primary"
		if rq, ok := q.(replicaQuerier); ok {
			name = rq.r.addr
			if rq.c != c {
				t.Fatal("the replica querier lost its Conn")
			}
		} else if q != c {
			t.Fatalf("read on %T", q)
		}
		tried = append(tried, name)
		if name == handAt {
			h.handed = true
		}
		return fail[name]
	}
	run := func() []string {
		tried = nil
		if err := readData(ctx, c, read); err != nil {
			t.Fatalf("read: %v", err)
		}
		return tried
	}
	// r2 lags a minute behind (bound 5 s): reads alternate r0, r1.
	var got []string
	for range 4 {
		got = append(got, run()...)
	}
	if strings.Join(got, ",") != "r0,r1,r0,r1" {
		t.Fatalf("round-robin: %v", got)
	}
	// A lost connection on r0 moves the read to r1 and leaves r0 out.
	fail["r0"] = fmt.Errorf("%w: %w", ErrLostConnection, mysql.ErrInvalidConn)
	s.next.Store(0)
	if got := run(); strings.Join(got, ",") != "r0,r1" {
		t.Fatalf("failover: %v", got)
	}
	if st := s.list[0].state(); st.Healthy || !strings.Contains(st.Reason, "a read failed") {
		t.Fatalf("r0 after failing: %+v", st)
	}
	for range 3 {
		if got := run(); strings.Join(got, ",") != "r1" {
			t.Fatalf("r0 must be left out: %v", got)
		}
	}
	// Every replica failing: the server answers.
	fail["r1"] = &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	if got := run(); strings.Join(got, ",") != "r1,primary" {
		t.Fatalf("to the server: %v", got)
	}
	if got := run(); strings.Join(got, ",") != "primary" {
		t.Fatalf("no replica left: %v", got)
	}
	// After the interval, the replicas are checked again (in the
	// background: this read still goes to the server) and come back.
	delete(fail, "r0")
	delete(fail, "r1")
	clock.add(3 * time.Second)
	if got := run(); strings.Join(got, ",") != "primary" {
		t.Fatalf("while the replicas are checked: %v", got)
	}
	waitChecked(t, s.list[0])
	waitChecked(t, s.list[1])
	if got := run(); got[0] == "primary" {
		t.Fatalf("replicas must come back after the interval: %v", got)
	}
	// A table the replica does not have yet: the read goes on, the
	// replica stays in.
	s.next.Store(0)
	fail["r0"] = fmt.Errorf("%w: %w", ErrMissingTable, &mysql.MySQLError{Number: 1146, Message: "Table doesn't exist"})
	if got := run(); strings.Join(got, ",") != "r0,r1" {
		t.Fatalf("missing table: %v", got)
	}
	if !s.list[0].state().Healthy {
		t.Fatal("a missing table must not leave the replica out")
	}
	// An error of the query itself is returned, not retried.
	s.next.Store(0)
	fail["r0"] = &Error{Op: "fetch", Err: fmt.Errorf("%w: bad value", ErrType)}
	tried = nil
	if err := readData(ctx, c, read); !errors.Is(err, ErrType) || len(tried) != 1 {
		t.Fatalf("query error: %v after %v", err, tried)
	}
	// Rows handed over: the failure is returned, not repeated elsewhere.
	s.next.Store(0)
	fail["r0"] = &Error{Op: "fetch", Table: "`db`.`t`", Err: fmt.Errorf("%w: %w", ErrLostConnection, io.ErrUnexpectedEOF)}
	handAt = "r0"
	tried = nil
	err := readData(ctx, c, read)
	if !errors.Is(err, ErrLostConnection) || len(tried) != 1 || !strings.Contains(err.Error(), "replica r0 failed after rows were handed over") ||
		strings.Count(err.Error(), "dj: ") != 1 || strings.Count(err.Error(), ErrLostConnection.Error()) != 1 {
		t.Fatalf("handed: %v after %v", err, tried)
	}
	handAt = ""
	// A context from UsePrimary, a Tx-like Querier: the server only.
	delete(fail, "r0")
	tried = nil
	if err := readData(UsePrimary(ctx), c, read); err != nil || strings.Join(tried, ",") != "primary" {
		t.Fatalf("UsePrimary: %v %v", err, tried)
	}
	if !onPrimary(UsePrimary(UsePrimary(ctx))) || onPrimary(ctx) {
		t.Fatal("onPrimary")
	}
}

func TestReplicaFailureClasses(t *testing.T) {
	for _, c := range []struct {
		err         error
		retry, down bool
	}{
		{&mysql.MySQLError{Number: 1053, Message: "Server shutdown in progress"}, true, true},
		{&mysql.MySQLError{Number: 1927}, true, true},
		{&mysql.MySQLError{Number: 1045}, true, true},
		{&mysql.MySQLError{Number: 1146}, true, false},
		{&mysql.MySQLError{Number: 1054}, true, false},
		{&mysql.MySQLError{Number: 1142}, true, false},
		{&mysql.MySQLError{Number: 1064}, false, false},
		{&mysql.MySQLError{Number: 1366}, false, false},
		{mysql.ErrInvalidConn, true, true},
		{fmt.Errorf("x: %w", io.ErrUnexpectedEOF), true, true},
		{&net.OpError{Op: "dial", Err: errors.New("refused")}, true, true},
		{classify(errors.New("plain")), false, false},
		{context.Canceled, false, false},
	} {
		retry, down := replicaFailure(c.err)
		if retry != c.retry || down != c.down {
			t.Errorf("%v: retry %v down %v, want %v %v", c.err, retry, down, c.retry, c.down)
		}
	}
}

func TestReadStatement(t *testing.T) {
	for q, want := range map[string]bool{
		"SELECT 1":                                   true,
		"  select * from t":                          true,
		"(SELECT 1) UNION (SELECT 2)":                true,
		"/* hint */ SELECT 1":                        true,
		"-- c\nSHOW TABLES":                          true,
		"# c\nDESCRIBE t":                            true,
		"WITH x AS (SELECT 1) SELECT * FROM x":       true,
		"SHOW REPLICA STATUS":                        true,
		"START TRANSACTION WITH CONSISTENT SNAPSHOT": true,
		"COMMIT":                             true,
		"ROLLBACK":                           true,
		"DO SLEEP(?)":                        true,
		"SET @x = 1":                         true,
		"SET SESSION sql_mode = ''":          true,
		"EXPLAIN SELECT 1":                   true,
		"INSERT INTO t VALUES (1)":           false,
		"insert into t values (1)":           false,
		"REPLACE INTO t VALUES (1)":          false,
		"UPDATE t SET a=1":                   false,
		"DELETE FROM t":                      false,
		"CREATE TABLE t (a int)":             false,
		"CREATE TEMPORARY TABLE t (a int)":   false,
		"CREATE DATABASE x":                  false,
		"DROP TABLE t":                       false,
		"ALTER TABLE t ADD b int":            false,
		"TRUNCATE t":                         false,
		"RENAME TABLE a TO b":                false,
		"GRANT ALL ON *.* TO x":              false,
		"LOAD DATA INFILE 'f' INTO TABLE t":  false,
		"LOCK TABLES t WRITE":                false,
		"CALL p()":                           false,
		"/* SELECT */ DELETE FROM t":         false,
		"SET PASSWORD = 'x'":                 false,
		"SET GLOBAL read_only = 0":           false,
		"SET @@global.read_only = 0":         false,
		"SET SESSION TRANSACTION READ WRITE": false,
		"SET SESSION tx_read_only = 0":       false,
		"SET transaction_read_only = 0":      false,
		"START TRANSACTION READ WRITE":       false,
		"":                                   false,
		"/* unterminated":                    false,
	} {
		if got := readStatement(q); got != want {
			t.Errorf("readStatement(%q) = %v, want %v", q, got, want)
		}
	}
	err := refusedStatement("  insert into t values (1)")
	if !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), "INSERT statements are refused") {
		t.Errorf("refusedStatement: %v", err)
	}
}

// TestReadOnlyFunnel: a read-only Conn refuses a write at the funnel
// without calling the runner, and lets reads through.
func TestReadOnlyFunnel(t *testing.T) {
	ctx := context.Background()
	var seen []string
	c := &Conn{cfg: &Config{ReadOnly: true}, hook: func(q string) { seen = append(seen, q) }}
	r := &countingRunner{}
	if _, err := c.exec(ctx, r, "INSERT INTO `db`.`t` VALUES (1)"); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("exec: %v", err)
	}
	if _, err := c.query(ctx, r, "DELETE FROM t RETURNING *"); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("query: %v", err)
	}
	if r.n != 0 {
		t.Fatalf("%d refused statements reached the runner", r.n)
	}
	if _, err := c.exec(ctx, r, "SELECT 1"); err != nil || r.n != 1 {
		t.Fatalf("a read: %v, %d sent", err, r.n)
	}
	if len(seen) != 3 {
		t.Errorf("the hook saw %v", seen)
	}
	if err := c.refuseWrite("insert", "`db`.`t`"); !errors.Is(err, ErrReadOnly) || err.Error() != "dj: insert `db`.`t`: read-only connection: writes are refused (Config.ReadOnly, DJ_READ_ONLY)" {
		t.Errorf("refuseWrite: %v", err)
	}
	if err := (&Conn{cfg: &Config{}}).refuseWrite("insert", "t"); err != nil {
		t.Errorf("a writable Conn refused: %v", err)
	}
	if err := classify(&mysql.MySQLError{Number: 1290, Message: "The MariaDB server is running with the --read-only option so it cannot execute this statement"}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("1290 read-only: %v", err)
	}
	if err := classify(&mysql.MySQLError{Number: 1290, Message: "The MariaDB server is running with the --secure-file-priv option"}); errors.Is(err, ErrReadOnly) {
		t.Errorf("1290 other option: %v", err)
	}
}

// countingRunner counts the statements that reach it.
type countingRunner struct {
	instantRunner
	n int
}

func (r *countingRunner) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	r.n++
	return r.instantRunner.ExecContext(ctx, q, args...)
}

func (r *countingRunner) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	r.n++
	return r.instantRunner.QueryContext(ctx, q, args...)
}

func TestReplicaConfig(t *testing.T) {
	var c Config
	if err := c.applyFile([]byte(`{"database.host": "db", "database.port": 3310, "database.replicas": ["r1:3311", "r2"],
		"database.replica_max_lag": 2.5, "database.read_only": true}`)); err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Replicas, ",") != "r1:3311,r2" || c.ReplicaMaxLag != 2500*time.Millisecond || !c.ReadOnly {
		t.Fatalf("file: %+v", c)
	}
	if a, b := c.replicaAddr(c.Replicas[0]), c.replicaAddr(c.Replicas[1]); a != "r1:3311" || b != "r2:3310" {
		t.Fatalf("replica addresses %s %s", a, b)
	}
	if err := c.applyFile([]byte(`{"database": {"replicas": "a:1, b:2,"}}`)); err != nil || strings.Join(c.Replicas, ",") != "a:1,b:2" {
		t.Fatalf("nested, comma-separated: %v %v", err, c.Replicas)
	}
	for _, bad := range []string{`{"database.replicas": 3}`, `{"database.replicas": ["a:x"]}`, `{"database.replicas": [1]}`,
		`{"database.replica_max_lag": "soon"}`, `{"database.read_only": "yes"}`, `{"database.replicas": "u@h:1"}`} {
		var c Config
		if err := c.applyFile([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	env := map[string]string{"DJ_REPLICAS": "x:1, y:2", "DJ_REPLICA_MAX_LAG": "5s", "DJ_READ_ONLY": "true"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	c = Config{}
	if err := c.applyEnv(lookup); err != nil || strings.Join(c.Replicas, ",") != "x:1,y:2" || c.ReplicaMaxLag != 5*time.Second || !c.ReadOnly {
		t.Fatalf("env: %v %+v", err, c)
	}
	env["DJ_REPLICA_MAX_LAG"], env["DJ_READ_ONLY"] = "1.5", "0"
	if err := c.applyEnv(lookup); err != nil || c.ReplicaMaxLag != 1500*time.Millisecond || c.ReadOnly {
		t.Fatalf("env seconds: %v %+v", err, c)
	}
	for v, want := range map[string]TLSMode{"true": TLSRequired, "YES": TLSRequired, "1": TLSRequired, "false": TLSDisabled, "No": TLSDisabled, "0": TLSDisabled} {
		c := Config{}
		if err := c.applyEnv(func(k string) (string, bool) { return map[string]string{"DJ_USE_TLS": v}[k], k == "DJ_USE_TLS" }); err != nil || c.TLS != want {
			t.Errorf("DJ_USE_TLS=%s: %v, TLS %v, want %v", v, err, c.TLS, want)
		}
	}
	for k, v := range map[string]string{"DJ_REPLICAS": "a:0", "DJ_REPLICA_MAX_LAG": "later", "DJ_READ_ONLY": "maybe", "DJ_USE_TLS": "sometimes"} {
		c := Config{}
		bad := map[string]string{k: v}
		if err := c.applyEnv(func(k string) (string, bool) { v, ok := bad[k]; return v, ok }); !errors.Is(err, ErrConfig) {
			t.Errorf("%s=%s: %v", k, v, err)
		}
	}
	if (Config{}).maxLag() != DefaultReplicaMaxLag || (Config{ReplicaMaxLag: -1}).maxLag() >= 0 || (Config{}).checkInterval() != DefaultReplicaCheckInterval {
		t.Error("defaults")
	}
}
