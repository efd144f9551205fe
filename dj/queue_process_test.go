package dj_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// TestQueueReclaimsKilledWorker kills a queue worker process (SIGKILL)
// in the middle of a make. A second worker process reclaims the key once
// its heartbeat is older than the timeout, releases the dead worker's
// ~jobs reservation, and makes every key exactly once.
func TestQueueReclaimsKilledWorker(t *testing.T) {
	t.Parallel()
	const n = 20
	srv := testenv.MySQL(t)
	schema := testenv.Database(t)
	db := testenv.DB(t)
	q := "`" + schema + "`."
	popRunWorker(t, srv.Host, "-schema", schema, "-seed", "20")
	popRunWorker(t, srv.Host, "-schema", schema, "-refresh")
	if got := popScalar(t, db, "SELECT COUNT(*) FROM "+q+"`~queue` WHERE status='pending'"); got != n {
		t.Fatalf("-refresh queued %d keys, want %d", got, n)
	}
	beat := []string{"-queue", "-heartbeat", "100ms", "-heartbeat-timeout", "4s"}
	victim := popWorkerCmd(t, srv.Host, append([]string{"-schema", schema, "-audit", "-sleep", "1m"}, beat...)...)
	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for popScalar(t, db, "SELECT COUNT(*) FROM "+q+"`call`") == 0 {
		if time.Now().After(deadline) {
			victim.Process.Kill()
			t.Fatalf("the worker never started a make\n%s", victim.Stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Heartbeats arrive while the make sleeps.
	time.Sleep(600 * time.Millisecond)
	if got := popScalar(t, db, "SELECT COUNT(*) FROM "+q+"`~queue` WHERE status='reserved' AND heartbeat > reserved_at"); got != 1 {
		t.Fatalf("%d reserved rows with a heartbeat after the reservation, want 1", got)
	}
	if err := victim.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = victim.Wait()
	if got := popScalar(t, db, "SELECT COUNT(*) FROM "+q+"`~jobs` WHERE status='reserved'"); got != 1 {
		t.Fatalf("the killed worker left %d ~jobs reservations, want 1", got)
	}
	// Within the timeout the key stays reserved: a worker started now
	// makes the other keys only.
	popRunWorker(t, srv.Host, append([]string{"-schema", schema, "-audit"}, beat...)...)
	if got := popScalar(t, db, "SELECT COUNT(*) FROM "+q+"`__square`"); got != n-1 {
		t.Fatalf("%d squares made beside a fresh reservation, want %d", got, n-1)
	}
	time.Sleep(4100 * time.Millisecond)
	popRunWorker(t, srv.Host, append([]string{"-schema", schema, "-audit"}, beat...)...)
	if got := popScalar(t, db, "SELECT COUNT(*) FROM "+q+"`__square`"); got != n {
		t.Errorf("%d squares, want %d", got, n)
	}
	if got := popScalar(t, db, "SELECT COUNT(DISTINCT id) FROM "+q+"`__square`"); got != n {
		t.Errorf("%d distinct squares, want %d", got, n)
	}
	// The killed make was called once, rolled back, and made again.
	if got := popScalar(t, db, "SELECT COUNT(*) FROM "+q+"`call`"); got != n+1 {
		t.Errorf("%d make calls, want %d", got, n+1)
	}
	if got := popScalar(t, db, "SELECT COUNT(*) FROM "+q+"`~queue` WHERE status='done'"); got != n {
		t.Errorf("%d done rows, want %d", got, n)
	}
	if got := popScalar(t, db, "SELECT MAX(attempts) FROM "+q+"`~queue`"); got != 2 {
		t.Errorf("max attempts %d, want 2 (the reclaimed key)", got)
	}
	if got := popScalar(t, db, "SELECT COUNT(*) FROM "+q+"`~jobs`"); got != 0 {
		t.Errorf("%d ~jobs rows left", got)
	}
}

// TestQueueReclaimsSilentWorkerWithLiveConnection: a worker that stops
// heartbeating while its connection stays open (as behind a connection
// pooler, where the connection id says nothing about the worker) loses
// its key after the timeout; another worker makes it, and the first
// one's late make is rolled back, so the key is made once.
func TestQueueReclaimsSilentWorkerWithLiveConnection(t *testing.T) {
	ctx := context.Background()
	c, s := popSetup(t, 1)
	tbl, err := dj.TableOf[PopSquare](c)
	must(t, err)
	calls := &popCalls{}
	started := make(chan struct{})
	silent := make(chan dj.PopulateResult, 1)
	go func() {
		// Heartbeats every hour: none arrive during the make.
		r, err := dj.PopulateFunc(ctx, c, func(ctx context.Context, tx *dj.Tx, row *PopSquare) error {
			close(started)
			time.Sleep(4 * time.Second)
			return squareMake(calls, nil)(ctx, tx, row)
		}, dj.UseQueue(), dj.Heartbeat(time.Hour, time.Second))
		if err != nil {
			t.Error(err)
		}
		silent <- r
	}()
	<-started
	// The reservation and its connection are alive: the connection-id
	// check of ReserveJobs keeps it.
	reclaimed, err := s.Jobs().ReclaimStale(ctx, tbl.Name())
	must(t, err)
	if len(reclaimed) != 0 {
		t.Fatalf("ReclaimStale took a live connection's reservation")
	}
	time.Sleep(1100 * time.Millisecond)
	r, err := dj.PopulateFunc(ctx, c, squareMake(calls, nil), dj.UseQueue(), dj.Heartbeat(100*time.Millisecond, time.Second))
	must(t, err)
	if r.Made != 1 {
		t.Fatalf("the second worker made %d keys, want the reclaimed one", r.Made)
	}
	first := <-silent
	if first.Made != 0 {
		t.Fatalf("the silent worker committed its make too: %+v", first)
	}
	if n := popCount(t, c, dj.From[PopSquare](c)); n != 1 {
		t.Fatalf("%d rows", n)
	}
	list, err := s.Queue().List(ctx, dj.QueueFilter{})
	must(t, err)
	if len(list) != 1 || list[0].Status != dj.QueueDone || list[0].Attempts != 2 {
		t.Fatalf("queue: %+v", list)
	}
	if j, _ := s.Jobs().List(ctx, dj.JobFilter{}); len(j) != 0 {
		t.Fatalf("~jobs keeps %+v", j)
	}
}
