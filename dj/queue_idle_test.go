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
	server0, hook0, rounds0 := logged(), sent.Load(), rounds.Load()
	time.Sleep(window)
	server1, hook1, rounds1 := logged(), sent.Load(), rounds.Load()
	stop()
	wg.Wait()
	queries := server1 - server0
	perSecond := float64(queries) / window.Seconds()
	bound := float64(workers) / (0.75 * maxPoll.Seconds())
	t.Logf("%d idle workers: %d rounds, %d queries in %v at the server = %.1f queries/s (bound %.1f/s)",
		workers, rounds1-rounds0, queries, window, perSecond, bound)
	// A statement the hook saw may still be on its way at a snapshot:
	// at most one per worker.
	if abs64(hook1-hook0-queries) > workers {
		t.Fatalf("the server logged %d statements from the workers' account, their hooks saw %d (was the general log switched off meanwhile?)", queries, hook1-hook0)
	}
	if queries == 0 || rounds1-rounds0 == 0 {
		t.Fatalf("the idle workers sent nothing: the test measured nothing")
	}
	if abs64(queries-(rounds1-rounds0)) > workers {
		t.Errorf("%d queries for %d idle rounds, want one per round", queries, rounds1-rounds0)
	}
	if perSecond > bound {
		t.Errorf("%d idle workers sent %.1f queries/s, over the stated bound %.1f/s", workers, perSecond, bound)
	}
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
