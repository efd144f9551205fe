package dj_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// The replica tests run against the primary and replicas of
// docker/mariadb-replica.sh (DJ_REPLICA_DIR, default /tmp/dj-replica),
// started or reused by each test.

// replicaPair is a primary and its replicas.
type replicaPair struct {
	cfg         dj.Config // the primary, without replicas
	replicas    []string  // host:port of each replica
	replicaDirs []string  // their DJ_DB_DIR
	env         []string
	primary     *sql.DB   // plain connections as the test account
	repls       []*sql.DB // to each replica

	// The first replica, for the tests that use one.
	replica    string
	replicaDir string
	repl       *sql.DB
}

func startReplicaPair(t *testing.T) *replicaPair { return startReplicas(t, 1) }

// startReplicas starts (or reuses) the primary and n replicas.
func startReplicas(t *testing.T, n int) *replicaPair {
	t.Helper()
	testenv.MySQL(t) // honours -short and DJ_TEST_ALLOW_SKIP like every server test
	dir := os.Getenv("DJ_REPLICA_DIR")
	if dir == "" {
		dir = "/tmp/dj-replica"
	}
	p := &replicaPair{env: append(os.Environ(), "DJ_REPLICA_DIR="+dir, "DJ_USER=root", "DJ_PASS=simple", fmt.Sprintf("DJ_REPLICA_COUNT=%d", n))}
	out := p.script(t, "mariadb-replica.sh")
	get := func(name string) string {
		m := regexp.MustCompile(name + `=(\S+)`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("mariadb-replica.sh printed no %s: %q", name, out)
		}
		return m[1]
	}
	p.cfg = dj.Config{Host: get("DJ_HOST"), User: "root", Password: "simple", TLS: dj.TLSDisabled}
	p.replicas, p.replicaDirs = strings.Split(get("DJ_REPLICAS"), ","), strings.Split(get("DJ_REPLICA_DB_DIRS"), ",")
	if len(p.replicas) != n || len(p.replicaDirs) != n {
		t.Fatalf("mariadb-replica.sh started %v in %v, want %d", p.replicas, p.replicaDirs, n)
	}
	p.primary = openPlain(t, p.cfg.Host)
	for _, r := range p.replicas {
		p.repls = append(p.repls, openPlain(t, r))
	}
	p.replica, p.replicaDir, p.repl = p.replicas[0], p.replicaDirs[0], p.repls[0]
	return p
}

func openPlain(t *testing.T, addr string) *sql.DB {
	t.Helper()
	mc := mysql.NewConfig()
	mc.Net, mc.Addr, mc.User, mc.Passwd = "tcp", addr, "root", "simple"
	c, err := mysql.NewConnector(mc)
	must(t, err)
	db := sql.OpenDB(c)
	t.Cleanup(func() { db.Close() })
	return db
}

// script runs a script of docker/ with the pair's environment and
// returns its standard output.
func (p *replicaPair) script(t *testing.T, name string, env ...string) string {
	t.Helper()
	cmd := exec.Command("bash", "../docker/"+name)
	cmd.Env = append(append([]string{}, p.env...), env...)
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("%s: %v\n%s", name, err, stderr)
	}
	return string(out)
}

// stopReplica stops the first replica's server process.
func (p *replicaPair) stopReplica(t *testing.T) { p.stopReplicaN(t, 0) }

// stopReplicaN stops the server process of replica i.
func (p *replicaPair) stopReplicaN(t *testing.T, i int) {
	p.script(t, "mariadb-down.sh", "DJ_DB_DIR="+p.replicaDirs[i])
}

// restartReplica starts the first replica again and waits until it
// follows the primary.
func (p *replicaPair) restartReplica(t *testing.T) { p.restartReplicaN(t, 0) }

// restartReplicaN starts replica i again (mariadb-up.sh remembers its
// arguments) and waits until the replicas follow the primary.
func (p *replicaPair) restartReplicaN(t *testing.T, i int) {
	p.script(t, "mariadb-up.sh", "DJ_DB_DIR="+p.replicaDirs[i], "DJ_DB_PORT=")
	p.script(t, "mariadb-replica.sh")
	p.sync(t)
}

// sync waits until the replicas have applied everything the primary has
// written so far.
func (p *replicaPair) sync(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	var pos string
	must(t, p.primary.QueryRowContext(ctx, "SELECT @@gtid_binlog_pos").Scan(&pos))
	for i, r := range p.repls {
		var res int
		must(t, r.QueryRowContext(ctx, "SELECT MASTER_GTID_WAIT(?, 30)", pos).Scan(&res))
		if res != 0 {
			t.Fatalf("replica %s did not reach %s within 30 s", p.replicas[i], pos)
		}
	}
}

// database names a fresh database of the test, dropped on the primary at
// the end.
func (p *replicaPair) database(t *testing.T) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	prefix := os.Getenv("DJ_TEST_DB_PREFIX")
	if prefix == "" {
		prefix = "djtest_"
	}
	name := prefix + "repl_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		if _, err := p.primary.ExecContext(context.Background(), "DROP DATABASE IF EXISTS `"+name+"`"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	return name
}

// connect opens a dj connection to the primary with the replica and a
// statement log.
func (p *replicaPair) connect(t *testing.T, edit func(*dj.Config)) (*dj.Conn, *serverLog) {
	t.Helper()
	log := &serverLog{}
	cfg := p.cfg
	cfg.Replicas = p.replicas
	cfg.ReplicaCheckInterval = 100 * time.Millisecond
	cfg.Tracer = log
	if edit != nil {
		edit(&cfg)
	}
	c, err := dj.Connect(context.Background(), cfg)
	must(t, err)
	t.Cleanup(func() { c.Close() })
	return c, log
}

// serverLog is a Tracer that records where each statement went.
type serverLog struct {
	mu      sync.Mutex
	entries []serverEntry
	onStart func(q dj.QueryStart)
}

type serverEntry struct{ server, sql string }

func (l *serverLog) QueryStart(ctx context.Context, q dj.QueryStart) context.Context {
	l.mu.Lock()
	l.entries = append(l.entries, serverEntry{q.Server, q.SQL})
	f := l.onStart
	l.mu.Unlock()
	if f != nil {
		f(q)
	}
	return ctx
}

func (l *serverLog) QueryEnd(context.Context, dj.QueryEnd) {}

func (l *serverLog) reset() {
	l.mu.Lock()
	l.entries = nil
	l.mu.Unlock()
}

// count returns how many statements went to server, leaving out the
// replication status reads; with contains, only statements containing it.
func (l *serverLog) count(server, contains string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, e := range l.entries {
		if e.server == server && strings.Contains(e.sql, contains) && !strings.Contains(e.sql, "REPLICA STATUS") {
			n++
		}
	}
	return n
}

func (l *serverLog) dump() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for _, e := range l.entries {
		fmt.Fprintf(&b, "  %s: %.90s\n", e.server, e.sql)
	}
	return b.String()
}
