package dj_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// queueRows lists the queue rows of one table (all statuses).
func queueRows(t *testing.T, q *dj.Queue, table string) map[string]dj.QueueJob {
	t.Helper()
	list, err := q.List(context.Background(), dj.QueueFilter{Table: table})
	must(t, err)
	out := map[string]dj.QueueJob{}
	for _, j := range list {
		out[j.KeyHash] = j
	}
	return out
}

// TestQueueRefreshAndPopulate fills the queue once, checks its key hashes
// against DataJoint's, and lets three concurrent populate calls with
// UseQueue make every key exactly once, recording each as done.
func TestQueueRefreshAndPopulate(t *testing.T) {
	ctx := context.Background()
	c, s := popSetup(t, 60)
	// Ten keys are made before the refresh: they are not queued.
	_, err := dj.PopulateFunc(ctx, c, squareMake(nil, nil), dj.RestrictKeys(dj.Where("id < 10")))
	must(t, err)
	res, err := dj.RefreshQueue[PopSquare](ctx, c, dj.RefreshOptions{})
	must(t, err)
	if res.Pending != 50 || res.Queued != 50 || res.Dropped != 0 {
		t.Fatalf("refresh: %+v, want 50 pending and queued", res)
	}
	tbl, err := dj.TableOf[PopSquare](c)
	must(t, err)
	q := s.Queue()
	rows := queueRows(t, q, tbl.Name())
	keys, err := dj.FetchKeys(ctx, c, dj.From[PopSource](c).Restrict(dj.Where("id >= 10")))
	must(t, err)
	for _, k := range keys {
		h, err := s.Jobs().KeyHash(tbl, k)
		must(t, err)
		j, ok := rows[h]
		if !ok {
			t.Fatalf("key %v (hash %s) is not queued with DataJoint's hash", k, h)
		}
		if j.Status != dj.QueuePending || j.Key != fmt.Sprintf(`{"id": %d}`, k["id"]) && j.Key != fmt.Sprintf(`{"id":%d}`, k["id"]) {
			t.Errorf("queued row %+v for key %v", j, k)
		}
	}
	// A second refresh changes nothing.
	res, err = dj.RefreshQueue[PopSquare](ctx, c, dj.RefreshOptions{})
	must(t, err)
	if res.Pending != 50 || res.Queued != 0 {
		t.Fatalf("second refresh: %+v", res)
	}

	calls := &popCalls{}
	var wg sync.WaitGroup
	var mu sync.Mutex
	made := 0
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := dj.PopulateFunc(ctx, c, squareMake(calls, nil), dj.UseQueue(), dj.Workers(2))
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			made += r.Made
			mu.Unlock()
		}()
	}
	wg.Wait()
	if made != 50 {
		t.Fatalf("made %d keys, want 50", made)
	}
	calls.check(t, 50)
	for h, j := range queueRows(t, q, tbl.Name()) {
		if j.Status != dj.QueueDone || j.Attempts != 1 || j.FinishedAt.IsZero() || j.Duration <= 0 || j.Host == "" || j.PID == 0 || j.ConnectionID == 0 {
			t.Errorf("row %s after populate: %+v", h, j)
		}
	}
	if n := popCount(t, c, dj.From[PopSquare](c)); n != 60 {
		t.Fatalf("%d squares, want 60", n)
	}
	jobs, err := s.Jobs().List(ctx, dj.JobFilter{})
	must(t, err)
	if len(jobs) != 0 {
		t.Fatalf("~jobs keeps %d rows: %+v", len(jobs), jobs)
	}
	// Deleting made rows and refreshing queues their keys again.
	_, err = dj.Delete(ctx, c, dj.From[PopSource](c).Restrict(dj.Where("id >= 55")))
	must(t, err)
	must(t, dj.Insert(ctx, c, []PopSource{{ID: 100}, {ID: 101}}))
	res, err = dj.RefreshQueue[PopSquare](ctx, c, dj.RefreshOptions{})
	must(t, err)
	if res.Pending != 2 || res.Queued != 2 {
		t.Fatalf("refresh after new rows: %+v", res)
	}
	// Done rows of keys gone upstream stay until the retention ends.
	st, err := q.Status(ctx, 0)
	must(t, err)
	if len(st) != 1 || st[0].Pending != 2 || st[0].Done != 50 || st[0].DoneRecent != 50 || st[0].Errors != 0 || st[0].PerSecond <= 0 || st[0].Mean <= 0 || st[0].P95 < st[0].Mean/10 || st[0].Refreshed < 0 {
		t.Fatalf("status: %+v", st)
	}
}

// TestQueueFirstWorkerRefreshes starts populate with UseQueue on an
// empty queue from several goroutines: one fills the queue under the
// lock, and the key source is evaluated once.
func TestQueueFirstWorkerRefreshes(t *testing.T) {
	ctx := context.Background()
	srv := testenv.MySQL(t)
	_, s := popSetup(t, 40)
	var mu sync.Mutex
	sourceReads := 0
	hooked, err := dj.ConnectHooked(ctx, dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass}, func(q string) {
		if containsAll(q, "pop_source", "SELECT") && !containsAll(q, "information_schema") {
			mu.Lock()
			sourceReads++
			mu.Unlock()
		}
	})
	must(t, err)
	defer hooked.Close()
	hs, err := hooked.Schema(ctx, s.Name())
	must(t, err)
	must(t, hs.Bind(ctx, PopSource{}, PopSquare{}, PopSquarePart{}))
	calls := &popCalls{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := dj.PopulateFunc(ctx, hooked, squareMake(calls, nil), dj.UseQueue(), dj.Workers(2)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	calls.check(t, 40)
	if sourceReads != 1 {
		t.Fatalf("the key source was read %d times by 4 populate calls, want once", sourceReads)
	}
	// Later calls find the queue filled and empty: no key source read.
	for range 3 {
		r, err := dj.PopulateFunc(ctx, hooked, squareMake(calls, nil), dj.UseQueue())
		must(t, err)
		if r.Made != 0 {
			t.Fatalf("idle populate made %d", r.Made)
		}
	}
	if sourceReads != 1 {
		t.Fatalf("idle populate calls read the key source (%d reads)", sourceReads)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !containsFold(s, p) {
			return false
		}
	}
	return true
}

func containsFold(s, sub string) bool {
	return len(sub) == 0 || indexFold(s, sub) >= 0
}

func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		match := true
		for j := 0; j < len(sub); j++ {
			a, b := s[i+j], sub[j]
			if 'A' <= a && a <= 'Z' {
				a += 'a' - 'A'
			}
			if 'A' <= b && b <= 'Z' {
				b += 'a' - 'A'
			}
			if a != b {
				match = false
				break
			}
		}
		if match {
			return i
		}
	}
	return -1
}

// TestQueueErrorsRequeueAndPriority records failed keys as errors (in the
// queue and in ~jobs), requeues them, and makes higher priorities first.
func TestQueueErrorsRequeueAndPriority(t *testing.T) {
	ctx := context.Background()
	c, s := popSetup(t, 10)
	q := s.Queue()
	tbl, err := dj.TableOf[PopSquare](c)
	must(t, err)
	_, err = q.Refresh(ctx, dj.RefreshOptions{Tables: []string{"PopSquare"}})
	must(t, err)
	// Key 3 first, then key 7, then the rest.
	h3, err := s.Jobs().KeyHash(tbl, dj.Key{"id": int32(3)})
	must(t, err)
	h7, err := s.Jobs().KeyHash(tbl, dj.Key{"id": int32(7)})
	must(t, err)
	n, err := q.SetPriority(ctx, dj.QueueFilter{Table: tbl.Name(), Hash: h3}, 10)
	must(t, err)
	if n != 1 {
		t.Fatalf("priority set on %d rows", n)
	}
	_, err = q.SetPriority(ctx, dj.QueueFilter{Table: tbl.Name(), Hash: h7}, 5)
	must(t, err)
	var order []int32
	fail := map[int32]string{4: "error", 8: "error"}
	res, err := dj.PopulateFunc(ctx, c, func(ctx context.Context, tx *dj.Tx, row *PopSquare) error {
		order = append(order, row.ID)
		return squareMake(nil, fail)(ctx, tx, row)
	}, dj.UseQueue(), dj.SuppressErrors())
	must(t, err)
	if res.Made != 8 || len(res.Errors) != 2 {
		t.Fatalf("populate: made %d, %d errors", res.Made, len(res.Errors))
	}
	if len(order) != 10 || order[0] != 3 || order[1] != 7 {
		t.Fatalf("make order %v, want 3 then 7 first", order)
	}
	errs, err := q.List(ctx, dj.QueueFilter{Status: dj.QueueError})
	must(t, err)
	if len(errs) != 2 || errs[0].ErrorMessage == "" {
		t.Fatalf("queue errors: %+v", errs)
	}
	jerrs, err := s.Jobs().Errors(ctx, "")
	must(t, err)
	if len(jerrs) != 2 {
		t.Fatalf("~jobs errors: %d", len(jerrs))
	}
	// Without a requeue the errors stay set aside.
	res, err = dj.PopulateFunc(ctx, c, squareMake(nil, nil), dj.UseQueue())
	must(t, err)
	if res.Made != 0 {
		t.Fatalf("populate made %d failed keys before requeue", res.Made)
	}
	n, err = q.Requeue(ctx, dj.QueueFilter{Table: tbl.Name()})
	must(t, err)
	if n != 2 {
		t.Fatalf("requeued %d", n)
	}
	if jerrs, _ := s.Jobs().Errors(ctx, ""); len(jerrs) != 0 {
		t.Fatalf("requeue left %d ~jobs errors", len(jerrs))
	}
	res, err = dj.PopulateFunc(ctx, c, squareMake(nil, nil), dj.UseQueue())
	must(t, err)
	if res.Made != 2 {
		t.Fatalf("populate after requeue made %d", res.Made)
	}
	st, err := q.Status(ctx, time.Hour)
	must(t, err)
	if st[0].Done != 10 || st[0].Errors != 0 || st[0].Pending != 0 {
		t.Fatalf("status %+v", st[0])
	}
	// UseQueue refuses the key options that it cannot honour.
	_, err = dj.PopulateFunc(ctx, c, squareMake(nil, nil), dj.UseQueue(), dj.RestrictKeys(dj.Where("id < 3")))
	wantErr(t, err, dj.ErrInvalidQuery)
}

// TestQueueRespectsPythonReservations: a key that a live DataJoint for
// Python worker reserved in ~jobs is not made by a queue worker; once the
// reservation ends and the row's heartbeat times out, it is. A key whose
// Python worker's connection is gone is reclaimed at once.
func TestQueueRespectsPythonReservations(t *testing.T) {
	ctx := context.Background()
	c, s := popSetup(t, 5)
	tbl, err := dj.TableOf[PopSquare](c)
	must(t, err)
	h2, err := s.Jobs().KeyHash(tbl, dj.Key{"id": int32(2)})
	must(t, err)
	h3, err := s.Jobs().KeyHash(tbl, dj.Key{"id": int32(3)})
	must(t, err)
	_, err = s.Jobs().List(ctx, dj.JobFilter{}) // creates ~jobs
	must(t, err)
	// The Python worker's connection, open for the whole test.
	py, err := testenv.DB(t).Conn(ctx)
	must(t, err)
	defer py.Close()
	// DataJoint 0.14's reserve: an INSERT of a reserved row; key 3's
	// worker has died (its connection id is not on the server).
	reserve := "INSERT INTO `" + s.Name() + "`.`~jobs` (table_name, key_hash, status, host, pid, connection_id, user) VALUES (?,?,'reserved','pyhost',1,?,'py@%')"
	var cid int64
	must(t, py.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&cid))
	_, err = py.ExecContext(ctx, reserve, tbl.Name(), h2, cid)
	must(t, err)
	_, err = py.ExecContext(ctx, reserve, tbl.Name(), h3, int64(4000000000))
	must(t, err)
	calls := &popCalls{}
	// Timeouts are in seconds, not milliseconds: a heartbeat delayed by a
	// loaded machine (CI, -race) must not look like a dead worker.
	opts := []dj.PopulateOption{dj.UseQueue(), dj.Heartbeat(100*time.Millisecond, time.Second)}
	res, err := dj.PopulateFunc(ctx, c, squareMake(calls, nil), opts...)
	must(t, err)
	if res.Made != 4 || res.Skipped != 2 {
		t.Fatalf("populate beside Python reservations: %+v", res)
	}
	rows := queueRows(t, s.Queue(), tbl.Name())
	if r := rows[h2]; r.Status != dj.QueueReserved || r.ErrorMessage == "" {
		t.Fatalf("the Python-held key's queue row: %+v", r)
	}
	// The Python worker completes without making it (as after its crash
	// was cleaned up): the row returns after the timeout and is made.
	_, err = py.ExecContext(ctx, "DELETE FROM `"+s.Name()+"`.`~jobs` WHERE key_hash=?", h2)
	must(t, err)
	time.Sleep(1100 * time.Millisecond)
	res, err = dj.PopulateFunc(ctx, c, squareMake(calls, nil), opts...)
	must(t, err)
	if res.Made != 1 {
		t.Fatalf("populate after the Python reservation ended: %+v", res)
	}
	calls.check(t, 5)
}

// TestQueueHeartbeatKeepsLongMake: a make running for many heartbeat
// timeouts keeps its reservation (reclaim finds nothing, no other worker
// takes the key), and is made once with one attempt.
func TestQueueHeartbeatKeepsLongMake(t *testing.T) {
	ctx := context.Background()
	c, s := popSetup(t, 1)
	q := s.Queue()
	tbl, err := dj.TableOf[PopSquare](c)
	must(t, err)
	_, err = dj.RefreshQueue[PopSquare](ctx, c, dj.RefreshOptions{})
	must(t, err)
	// The timeout is ten heartbeats long, so a heartbeat delayed by a
	// loaded machine does not end a live make; the make runs four timeouts.
	opts := []dj.PopulateOption{dj.UseQueue(), dj.Heartbeat(100*time.Millisecond, time.Second)}
	calls := &popCalls{}
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := dj.PopulateFunc(ctx, c, func(ctx context.Context, tx *dj.Tx, row *PopSquare) error {
			close(started)
			time.Sleep(4 * time.Second) // four timeouts
			return squareMake(calls, nil)(ctx, tx, row)
		}, opts...)
		done <- err
	}()
	<-started
	deadline := time.Now().Add(3500 * time.Millisecond)
	for time.Now().Before(deadline) {
		n, err := q.ReclaimExpired(ctx, tbl.Name(), time.Second)
		must(t, err)
		if n != 0 {
			t.Fatalf("a live make's reservation was reclaimed")
		}
		r, err := dj.PopulateFunc(ctx, c, squareMake(calls, nil), opts...)
		must(t, err)
		if r.Made != 0 {
			t.Fatalf("another worker made the key being made")
		}
		time.Sleep(100 * time.Millisecond)
	}
	must(t, <-done)
	calls.check(t, 1)
	for _, j := range queueRows(t, q, tbl.Name()) {
		if j.Status != dj.QueueDone || j.Attempts != 1 || j.Duration < 3900*time.Millisecond {
			t.Fatalf("long make's row: %+v", j)
		}
	}
}

// TestQueueCancelReleases: a cancelled populate returns its key to the
// queue and releases its ~jobs reservation.
func TestQueueCancelReleases(t *testing.T) {
	ctx := context.Background()
	c, s := popSetup(t, 1)
	cctx, cancel := context.WithCancel(ctx)
	_, err := dj.PopulateFunc(cctx, c, func(ctx context.Context, tx *dj.Tx, row *PopSquare) error {
		cancel()
		<-ctx.Done()
		return ctx.Err()
	}, dj.UseQueue())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled populate: %v", err)
	}
	list, err := s.Queue().List(ctx, dj.QueueFilter{})
	must(t, err)
	if len(list) != 1 || list[0].Status != dj.QueuePending {
		t.Fatalf("after cancel: %+v", list)
	}
	if j, _ := s.Jobs().List(ctx, dj.JobFilter{}); len(j) != 0 {
		t.Fatalf("after cancel ~jobs has %+v", j)
	}
	res, err := dj.PopulateFunc(ctx, c, squareMake(nil, nil), dj.UseQueue())
	must(t, err)
	if res.Made != 1 {
		t.Fatalf("populate after cancel: %+v", res)
	}
}

// TestQueueRefreshEvery: with QueueRefreshEvery a worker refills the queue
// once the last refresh is older than the interval, and not before.
func TestQueueRefreshEvery(t *testing.T) {
	ctx := context.Background()
	c, _ := popSetup(t, 3)
	// Three seconds: the populate and insert between the first refresh and
	// the check that nothing was refilled fit well inside it even on a
	// loaded machine.
	opts := []dj.PopulateOption{dj.UseQueue(), dj.QueueRefreshEvery(3 * time.Second)}
	res, err := dj.PopulateFunc(ctx, c, squareMake(nil, nil), opts...)
	must(t, err)
	if res.Made != 3 {
		t.Fatalf("first populate made %d", res.Made)
	}
	must(t, dj.Insert(ctx, c, []PopSource{{ID: 10}, {ID: 11}}))
	res, err = dj.PopulateFunc(ctx, c, squareMake(nil, nil), opts...)
	must(t, err)
	if res.Made != 0 {
		t.Fatalf("populate within the refresh interval made %d (the queue was refilled early)", res.Made)
	}
	time.Sleep(3100 * time.Millisecond)
	res, err = dj.PopulateFunc(ctx, c, squareMake(nil, nil), opts...)
	must(t, err)
	if res.Made != 2 {
		t.Fatalf("populate after the refresh interval made %d, want the 2 new keys", res.Made)
	}
	// Without the option the queue, once filled, is not refilled.
	must(t, dj.Insert(ctx, c, []PopSource{{ID: 12}}))
	res, err = dj.PopulateFunc(ctx, c, squareMake(nil, nil), dj.UseQueue())
	must(t, err)
	if res.Made != 0 {
		t.Fatalf("populate without QueueRefreshEvery refilled the queue")
	}
}
