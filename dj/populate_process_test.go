package dj_test

import (
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

var (
	workerOnce sync.Once
	workerBin  string
	workerErr  error
	workerOut  []byte
)

// buildWorker builds examples/worker once per test binary.
func popBuildWorker(t testing.TB) string {
	t.Helper()
	workerOnce.Do(func() {
		dir, err := os.MkdirTemp("", "djworker")
		if err != nil {
			workerErr = err
			return
		}
		workerBin = filepath.Join(dir, "worker")
		cmd := exec.Command("go", "build", "-o", workerBin, "../examples/worker")
		workerOut, workerErr = cmd.CombinedOutput()
	})
	if workerErr != nil {
		t.Fatalf("build worker: %v\n%s", workerErr, workerOut)
	}
	return workerBin
}

// workerCmd returns a command running the worker binary against host.
func popWorkerCmd(t *testing.T, host string, args ...string) *exec.Cmd {
	t.Helper()
	srv := testenv.MySQL(t)
	cmd := exec.Command(popBuildWorker(t), args...)
	cmd.Env = append(os.Environ(), "DJ_HOST="+host, "DJ_USER="+srv.User, "DJ_PASS="+srv.Pass)
	cmd.Stderr = &strings.Builder{}
	return cmd
}

func popRunWorker(t *testing.T, host string, args ...string) {
	t.Helper()
	cmd := popWorkerCmd(t, host, args...)
	if err := cmd.Run(); err != nil {
		t.Fatalf("worker %v: %v\n%s", args, err, cmd.Stderr)
	}
}

func popScalar(t *testing.T, db *sql.DB, q string) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// partTable returns the name of the part table of the worker's Square.
func popPartTable(t *testing.T, db *sql.DB, schema string) string {
	t.Helper()
	var name string
	if err := db.QueryRow("SELECT table_name FROM information_schema.tables WHERE table_schema=? AND table_name LIKE '\\_\\_square\\_\\_%'", schema).Scan(&name); err != nil {
		t.Fatalf("part table: %v", err)
	}
	return "`" + schema + "`.`" + name + "`"
}

// TestPopulateExactlyOnceProcesses runs 4 worker processes over the same
// 5,000 keys and checks that each key was made exactly once.
func TestPopulateExactlyOnceProcesses(t *testing.T) {
	t.Parallel() // owns its database and store location; the longest tests overlap
	const n = 5000
	srv := testenv.MySQL(t)
	schema := testenv.Database(t)
	db := testenv.DB(t)
	popRunWorker(t, srv.Host, "-schema", schema, "-seed", "5000")
	start := time.Now()
	var cmds []*exec.Cmd
	for range 4 {
		cmd := popWorkerCmd(t, srv.Host, "-schema", schema, "-audit", "-workers", "1")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("worker: %v\n%s", err, cmd.Stderr)
		}
	}
	t.Logf("4 processes made %d keys in %v", n, time.Since(start))
	q := "`" + schema + "`."
	if got := popScalar(t, db, "SELECT COUNT(*) FROM "+q+"`__square`"); got != n {
		t.Errorf("%d rows, want %d", got, n)
	}
	if got := popScalar(t, db, "SELECT COUNT(*) FROM "+q+"`call`"); got != n {
		t.Errorf("%d make calls, want %d", got, n)
	}
	if got := popScalar(t, db, "SELECT COUNT(DISTINCT id) FROM "+q+"`call`"); got != n {
		t.Errorf("%d distinct keys made, want %d", got, n)
	}
	if got := popScalar(t, db, "SELECT COUNT(DISTINCT pid) FROM "+q+"`call`"); got < 2 {
		t.Errorf("only %d processes made keys", got)
	}
	if got := popScalar(t, db, "SELECT COUNT(*) FROM "+q+"`~jobs`"); got != 0 {
		t.Errorf("%d jobs left", got)
	}
}

// popStartSleepingWorker seeds three keys, starts a worker process whose
// make sleeps for a minute after inserting, and returns once a make has
// begun.
func popStartSleepingWorker(t *testing.T, host string, db *sql.DB, schema string) *exec.Cmd {
	t.Helper()
	popRunWorker(t, host, "-schema", schema, "-seed", "3")
	q := "`" + schema + "`."
	cmd := popWorkerCmd(t, host, "-schema", schema, "-audit", "-sleep", "1m")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for popScalar(t, db, "SELECT COUNT(*) FROM "+q+"`call`") == 0 {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the worker never started a make\n%s", cmd.Stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return cmd
}

// TestPopulateCrash kills a worker with SIGKILL in the middle of a make:
// nothing of the key is left, and the next worker reclaims the
// reservation and makes the key.
func TestPopulateCrash(t *testing.T) {
	srv := testenv.MySQL(t)
	schema := testenv.Database(t)
	db := testenv.DB(t)
	q := "`" + schema + "`."
	cmd := popStartSleepingWorker(t, srv.Host, db, schema)
	// The make has inserted its master and part rows and is sleeping.
	time.Sleep(100 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if got := popScalar(t, db, "SELECT COUNT(*) FROM "+q+"`__square`"); got != 0 {
		t.Fatalf("%d rows after the crash", got)
	}
	if got := popScalar(t, db, "SELECT COUNT(*) FROM "+popPartTable(t, db, schema)); got != 0 {
		t.Fatalf("%d part rows after the crash", got)
	}
	if got := popScalar(t, db, "SELECT COUNT(*) FROM "+q+"`~jobs` WHERE status='reserved'"); got != 1 {
		t.Fatalf("%d reservations after the crash, want the dead worker's 1", got)
	}
	// The server notices the dead connection quickly; the next worker
	// then reclaims the reservation.
	deadline := time.Now().Add(10 * time.Second)
	for popScalar(t, db, "SELECT COUNT(*) FROM information_schema.processlist p JOIN "+q+"`~jobs` j ON p.id = j.connection_id") != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the killed worker's connection is still open")
		}
		time.Sleep(20 * time.Millisecond)
	}
	popRunWorker(t, srv.Host, "-schema", schema)
	if got := popScalar(t, db, "SELECT COUNT(*) FROM "+q+"`__square`"); got != 3 {
		t.Fatalf("%d rows after the rerun, want 3", got)
	}
	if got := popScalar(t, db, "SELECT COUNT(*) FROM "+q+"`~jobs`"); got != 0 {
		t.Fatalf("%d jobs left", got)
	}
}

// TestPopulateSIGTERM stops a worker with SIGTERM in the middle of a make:
// it rolls the key back, releases its reservation and exits with status 0.
func TestPopulateSIGTERM(t *testing.T) {
	srv := testenv.MySQL(t)
	schema := testenv.Database(t)
	db := testenv.DB(t)
	q := "`" + schema + "`."
	cmd := popStartSleepingWorker(t, srv.Host, db, schema)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("worker exited with %v\n%s", err, cmd.Stderr)
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the worker did not stop on SIGTERM")
	}
	if got := popScalar(t, db, "SELECT COUNT(*) FROM "+q+"`__square`"); got != 0 {
		t.Fatalf("%d rows after SIGTERM", got)
	}
	if got := popScalar(t, db, "SELECT COUNT(*) FROM "+q+"`~jobs`"); got != 0 {
		t.Fatalf("%d jobs after SIGTERM, want the reservation released", got)
	}
}
