package dj_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
)

// privateServer starts a MariaDB of the test's own (docker/mariadb-up.sh
// with its own datadir and port) and returns its address, user, password
// and a function that restarts it. env adds or overrides variables of
// the scripts (DJ_DB_ARGS, DJ_DB_FLUSH).
func popPrivateServer(t testing.TB, env ...string) (dj.Config, func()) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a private MariaDB server")
	}
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	env = append(append(os.Environ(), "DJ_DB_DIR="+dir, "DJ_DB_PORT="+strconv.Itoa(port), "DJ_USER=djrestart", "DJ_PASS=restart", "DJ_DB_FLUSH=1"), env...)
	script := func(name string) string {
		cmd := exec.Command("bash", "../docker/"+name)
		cmd.Env = env
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
	out := script("mariadb-up.sh")
	t.Cleanup(func() { script("mariadb-down.sh") })
	m := regexp.MustCompile(`DJ_HOST=(\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("mariadb-up.sh printed %q", out)
	}
	return dj.Config{Host: m[1], User: "djrestart", Password: "restart", TLS: dj.TLSDisabled}, func() { script("mariadb-restart.sh") }
}

// TestPopulateServerRestart restarts the database server in the middle of
// a populate: the workers reconnect and finish, and every key is made
// once, with no result lost.
func TestPopulateServerRestart(t *testing.T) {
	const n = 1500
	cfg, restart := popPrivateServer(t)
	ctx := context.Background()
	c, err := dj.Connect(ctx, cfg)
	must(t, err)
	defer c.Close()
	s, err := c.Schema(ctx, "djtest_restart")
	must(t, err)
	must(t, s.Declare(ctx, PopSource{}, PopSquare{}, PopSquarePart{}))
	rows := make([]PopSource, n)
	for i := range rows {
		rows[i] = PopSource{ID: int32(i)}
	}
	must(t, dj.Insert(ctx, c, rows))
	var started, after atomic.Int64
	restarted := make(chan struct{})
	done := make(chan struct{})
	var res dj.PopulateResult
	var perr error
	go func() {
		defer close(done)
		res, perr = dj.PopulateFunc(ctx, c, func(ctx context.Context, tx *dj.Tx, row *PopSquare) error {
			if started.Add(1) == n/3 {
				go func() {
					restart()
					close(restarted)
				}()
			}
			select {
			case <-restarted:
				after.Add(1)
			default:
				// Slow the makes down so that the populate outlasts the
				// restart.
				time.Sleep(2 * time.Millisecond)
			}
			return squareMake(nil, nil)(ctx, tx, row)
		}, dj.ReserveJobs(), dj.Workers(2), dj.SuppressErrors())
	}()
	<-done
	select {
	case <-restarted:
	case <-time.After(2 * time.Minute):
		t.Fatal("the restart did not finish")
	}
	must(t, perr)
	t.Logf("result: made %d, skipped %d, %d errors, %d make calls, %d after the restart", res.Made, res.Skipped, len(res.Errors), started.Load(), after.Load())
	if after.Load() == 0 {
		t.Error("the populate ended before the server was back: the restart did not interrupt it")
	}
	for _, e := range res.Errors {
		t.Errorf("key error: %v", e)
	}
	// Keys interrupted by the restart are retried; a second populate finds
	// nothing left, and nothing is duplicated (the rows' keys are unique,
	// and parts match masters).
	res2, err := dj.PopulateFunc(ctx, c, squareMake(nil, nil), dj.ReserveJobs())
	must(t, err)
	if res2.Made != 0 {
		t.Errorf("a second populate made %d keys the first left", res2.Made)
	}
	if got := popCount(t, c, dj.From[PopSquare](c)); got != n {
		t.Errorf("%d rows, want %d", got, n)
	}
	if got := popCount(t, c, dj.From[PopSquarePart](c)); got != n {
		t.Errorf("%d part rows, want %d", got, n)
	}
	left, err := s.Jobs().List(ctx, dj.JobFilter{})
	must(t, err)
	if len(left) != 0 {
		t.Errorf("%d jobs left: %+v", len(left), left)
	}
}
