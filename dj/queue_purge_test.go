package dj_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
)

// injectClaimDeadlocks makes the next n claims of keys in the schema's
// ~queue fail as a deadlock does (error 1213), with a trigger on the
// pending → reserved update; the counter lives in a non-transactional
// table, so the failed statement does not roll its decrement back. set
// changes how many claims are left to fail; left reports it.
func injectClaimDeadlocks(t *testing.T, c *dj.Conn, db string, n int) (set func(int), left func() int) {
	t.Helper()
	ctx := context.Background()
	sqlDB := c.DB()
	q := "`" + db + "`."
	for _, stmt := range []string{
		"CREATE TABLE IF NOT EXISTS " + q + "`claim_fail` (n INT NOT NULL) ENGINE=MyISAM",
		"DELETE FROM " + q + "`claim_fail`",
		"INSERT INTO " + q + "`claim_fail` VALUES (0)",
		"DROP TRIGGER IF EXISTS " + q + "`claim_deadlock`",
		"CREATE TRIGGER " + q + "`claim_deadlock` BEFORE UPDATE ON " + q + "`~queue` FOR EACH ROW " +
			"BEGIN IF OLD.`status`='pending' AND NEW.`status`='reserved' AND (SELECT n FROM " + q + "`claim_fail`) > 0 THEN " +
			"UPDATE " + q + "`claim_fail` SET n = n - 1; " +
			"SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213, MESSAGE_TEXT = 'Deadlock found when trying to get lock; try restarting transaction'; " +
			"END IF; END",
	} {
		if _, err := sqlDB.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	set = func(k int) {
		t.Helper()
		if _, err := sqlDB.ExecContext(ctx, "UPDATE "+q+"`claim_fail` SET n = ?", k); err != nil {
			t.Fatal(err)
		}
	}
	left = func() int {
		t.Helper()
		var k int
		if err := sqlDB.QueryRowContext(ctx, "SELECT n FROM "+q+"`claim_fail`").Scan(&k); err != nil {
			t.Fatal(err)
		}
		return k
	}
	set(n)
	return set, left
}

// TestQueueClaimRetriesDeadlock: a claim that meets a deadlock is rolled
// back whole and claimed again, so the worker goes on and every key is
// made once; a claim that keeps deadlocking ends populate with
// ErrConflict and leaves the keys pending, with no ~jobs reservation.
func TestQueueClaimRetriesDeadlock(t *testing.T) {
	ctx := context.Background()
	c, s := popSetup(t, 5)
	_, err := dj.RefreshQueue[PopSquare](ctx, c, dj.RefreshOptions{})
	must(t, err)
	set, left := injectClaimDeadlocks(t, c, s.Name(), 3)
	calls := &popCalls{}
	res, err := dj.PopulateFunc(ctx, c, squareMake(calls, nil), dj.UseQueue())
	must(t, err)
	if res.Made != 5 || len(res.Errors) != 0 {
		t.Fatalf("populate through 3 deadlocked claims: %+v", res)
	}
	if k := left(); k != 0 {
		t.Fatalf("%d injected deadlocks were never met", k)
	}
	calls.check(t, 5)

	// A claim that deadlocks every time gives up with ErrConflict.
	must(t, dj.Insert(ctx, c, []PopSource{{ID: 20}, {ID: 21}}))
	_, err = dj.RefreshQueue[PopSquare](ctx, c, dj.RefreshOptions{})
	must(t, err)
	set(1000)
	_, err = dj.PopulateFunc(ctx, c, squareMake(calls, nil), dj.UseQueue())
	if !errors.Is(err, dj.ErrConflict) {
		t.Fatalf("populate whose claims always deadlock: %v, want ErrConflict", err)
	}
	if k := left(); k >= 1000 || k < 1000-25 {
		t.Fatalf("%d claim attempts before giving up, want a bounded retry (≤25)", 1000-k)
	}
	list, err := s.Queue().List(ctx, dj.QueueFilter{Status: dj.QueuePending})
	must(t, err)
	if len(list) != 2 {
		t.Fatalf("pending after the failed claims: %+v", list)
	}
	if j, _ := s.Jobs().List(ctx, dj.JobFilter{}); len(j) != 0 {
		t.Fatalf("the failed claims left ~jobs rows %+v", j)
	}
	set(0)
	res, err = dj.PopulateFunc(ctx, c, squareMake(calls, nil), dj.UseQueue())
	must(t, err)
	if res.Made != 2 {
		t.Fatalf("populate once claims succeed: %+v", res)
	}
	calls.check(t, 7)
}

// TestQueuePurge: Purge deletes the done rows older than its bound, of one
// table or of all, and leaves pending and failed keys alone.
func TestQueuePurge(t *testing.T) {
	ctx := context.Background()
	c, s := popSetup(t, 6)
	q := s.Queue()
	tbl, err := dj.TableOf[PopSquare](c)
	must(t, err)
	_, err = dj.RefreshQueue[PopSquare](ctx, c, dj.RefreshOptions{})
	must(t, err)
	res, err := dj.PopulateFunc(ctx, c, squareMake(nil, map[int32]string{2: "bad key"}), dj.UseQueue(), dj.SuppressErrors(), dj.MaxCalls(4))
	must(t, err)
	if res.Made+len(res.Errors) != 4 {
		t.Fatalf("populate: %+v", res)
	}
	count := func(status string) int {
		t.Helper()
		list, err := q.List(ctx, dj.QueueFilter{Status: status})
		must(t, err)
		return len(list)
	}
	done, failed, pending := count(dj.QueueDone), count(dj.QueueError), count(dj.QueuePending)
	if done+failed != 4 || pending != 2 {
		t.Fatalf("before purge: %d done, %d failed, %d pending", done, failed, pending)
	}
	// Nothing finished an hour ago.
	n, err := q.Purge(ctx, tbl.Name(), time.Hour)
	must(t, err)
	if n != 0 || count(dj.QueueDone) != done {
		t.Fatalf("Purge(1h) deleted %d", n)
	}
	// Another table's name deletes nothing of this one.
	n, err = q.Purge(ctx, "__other", 0)
	must(t, err)
	if n != 0 {
		t.Fatalf("Purge of another table deleted %d", n)
	}
	time.Sleep(10 * time.Millisecond)
	n, err = q.Purge(ctx, "", time.Millisecond)
	must(t, err)
	if int(n) != done || count(dj.QueueDone) != 0 || count(dj.QueueError) != failed || count(dj.QueuePending) != pending {
		t.Fatalf("Purge(all) deleted %d of %d done rows; left %d done, %d failed, %d pending",
			n, done, count(dj.QueueDone), count(dj.QueueError), count(dj.QueuePending))
	}
	// The purged keys are made: a refresh does not queue them again.
	r, err := dj.RefreshQueue[PopSquare](ctx, c, dj.RefreshOptions{})
	must(t, err)
	if count(dj.QueuePending) != pending {
		t.Fatalf("refresh after purge: %+v; %d pending, want %d", r, count(dj.QueuePending), pending)
	}
}
