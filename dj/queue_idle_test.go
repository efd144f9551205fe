package dj_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// TestQueueIdlePollingBound runs 64 idle queue workers (RunWorker with
// UseQueue, Poll 100ms, MaxPoll 1s) as an account of their own and counts
// the statements the server receives from that account in its general
// log over five seconds, once the workers have backed off. The stated
// bound: an idle round with UseQueue is one query, and a backed-off
// worker waits at least 0.75*MaxPoll between rounds, so N idle workers
// send at most N/(0.75*MaxPoll) queries per second: 85.3/s for 64
// workers at MaxPoll 1s (2.8/s at MaxPoll 30s).
func TestQueueIdlePollingBound(t *testing.T) {
	const (
		workers = 64
		poll    = 100 * time.Millisecond
		maxPoll = time.Second
		window  = 5 * time.Second
	)
	ctx := context.Background()
	srv := testenv.MySQL(t)
	root := testenv.DB(t)
	c, s := popSetup(t, 5)
	// The queue is filled and made empty before the workers start.
	if _, err := dj.PopulateFunc(ctx, c, squareMake(nil, nil), dj.UseQueue()); err != nil {
		t.Fatal(err)
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	user := "djidle_" + hex.EncodeToString(b[:])
	must(t, execAll(ctx, root, "CREATE USER '"+user+"'@'%' IDENTIFIED BY 'idle'", "GRANT ALL ON `"+s.Name()+"`.* TO '"+user+"'@'%'"))
	t.Cleanup(func() { root.ExecContext(context.Background(), "DROP USER '"+user+"'@'%'") })
	var logOutput string
	var logOn int
	must(t, root.QueryRowContext(ctx, "SELECT @@global.log_output, @@global.general_log").Scan(&logOutput, &logOn))
	must(t, execAll(ctx, root, "SET GLOBAL log_output='TABLE'", "SET GLOBAL general_log=1"))
	t.Cleanup(func() {
		_ = execAll(context.Background(), root, "SET GLOBAL general_log="+map[int]string{0: "0", 1: "1"}[logOn], "SET GLOBAL log_output='"+logOutput+"'")
	})

	var sent atomic.Int64 // statements the workers' hooks saw
	conns := make([]*dj.Conn, workers)
	for i := range conns {
		wc, err := dj.ConnectHooked(ctx, dj.Config{Host: srv.Host, User: user, Password: "idle"}, func(string) { sent.Add(1) })
		must(t, err)
		defer wc.Close()
		ws, err := wc.Schema(ctx, s.Name())
		must(t, err)
		must(t, ws.Bind(ctx, PopSource{}, PopSquare{}, PopSquarePart{}))
		conns[i] = wc
	}
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var rounds atomic.Int64
	for _, wc := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := dj.RunWorker(wctx, dj.WorkerOptions{Poll: poll, MaxPoll: maxPoll}, func(ctx context.Context) (int, error) {
				rounds.Add(1)
				r, err := dj.PopulateFunc(ctx, wc, squareMake(nil, nil), dj.UseQueue())
				return r.Made, err
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	// Backing off from 100ms to 1s takes about 1.5s of waits.
	time.Sleep(3 * time.Second)
	logged := func() int64 {
		var n int64
		must(t, root.QueryRowContext(ctx, `SELECT COUNT(*) FROM mysql.general_log
			WHERE user_host LIKE ? AND command_type IN ('Query', 'Execute')`, user+"[%").Scan(&n))
		return n
	}
	// The server's count is taken at some moment inside the COUNT query,
	// which takes a while on a busy server with a long general log; the
	// workers go on meanwhile. So the hooks and rounds are read just before
	// and just after each count: every statement the server had logged was
	// hooked before the count ended, and every statement hooked before the
	// count began had reached the server, but for one in flight per worker.
	type snapshot struct{ server, hookBefore, hookAfter, roundsBefore, roundsAfter int64 }
	snap := func() snapshot {
		hb, rb := sent.Load(), rounds.Load()
		n := logged()
		return snapshot{n, hb, sent.Load(), rb, rounds.Load()}
	}
	s0 := snap()
	time.Sleep(window)
	s1 := snap()
	stop()
	wg.Wait()
	queries := s1.server - s0.server
	perSecond := float64(queries) / window.Seconds()
	bound := float64(workers) / (0.75 * maxPoll.Seconds())
	t.Logf("%d idle workers: %d–%d rounds, %d queries in %v at the server = %.1f queries/s (bound %.1f/s)",
		workers, s1.roundsBefore-s0.roundsAfter, s1.roundsAfter-s0.roundsBefore, queries, window, perSecond, bound)
	// within reports whether the server's count lies in what the counter
	// (hooks or rounds) allows between the two snapshots.
	within := func(before0, after0, before1, after1 int64) bool {
		return queries >= before1-after0-workers && queries <= after1-before0+workers
	}
	if !within(s0.hookBefore, s0.hookAfter, s1.hookBefore, s1.hookAfter) {
		t.Fatalf("the server logged %d statements from the workers' account, their hooks saw %d–%d (was the general log switched off meanwhile?)",
			queries, s1.hookBefore-s0.hookAfter, s1.hookAfter-s0.hookBefore)
	}
	if queries == 0 || s1.roundsAfter-s0.roundsBefore == 0 {
		t.Fatalf("the idle workers sent nothing: the test measured nothing")
	}
	if !within(s0.roundsBefore, s0.roundsAfter, s1.roundsBefore, s1.roundsAfter) {
		t.Errorf("%d queries for %d–%d idle rounds, want one per round", queries, s1.roundsBefore-s0.roundsAfter, s1.roundsAfter-s0.roundsBefore)
	}
	if perSecond > bound {
		t.Errorf("%d idle workers sent %.1f queries/s, over the stated bound %.1f/s", workers, perSecond, bound)
	}
}
