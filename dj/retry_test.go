package dj_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// conflictTables creates `counter` (rows 1 and 2, n = 0) and `filler`
// (200 rows) in a fresh database and returns its name.
func conflictTables(t *testing.T) string {
	t.Helper()
	name := testenv.Database(t)
	db := testenv.DB(t)
	fill := make([]string, 200)
	for i := range fill {
		fill[i] = fmt.Sprintf("(%d,0)", i+1)
	}
	for _, q := range []string{
		"CREATE TABLE `" + name + "`.counter (id int PRIMARY KEY, n int NOT NULL) ENGINE=InnoDB",
		"CREATE TABLE `" + name + "`.filler (id int PRIMARY KEY, n int NOT NULL) ENGINE=InnoDB",
		"INSERT INTO `" + name + "`.counter VALUES (1,0),(2,0)",
		"INSERT INTO `" + name + "`.filler VALUES " + strings.Join(fill, ","),
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return name
}

// partner is a transaction on its own connection that makes the test's
// transaction the victim of a deadlock: it is the heavier of the two (it
// updates every filler row), locks counter row 2, and once told to, asks
// for row 1, which the test's transaction holds while it waits for row 2.
// InnoDB breaks the cycle by rolling back the lighter transaction.
type partner struct {
	locked  chan struct{} // closed once row 2 is locked
	proceed chan struct{} // close to make it ask for row 1
	done    chan error
}

func startPartner(t *testing.T, name string) *partner {
	t.Helper()
	p := &partner{locked: make(chan struct{}), proceed: make(chan struct{}), done: make(chan error, 1)}
	ctx := context.Background()
	sc, err := testenv.DB(t).Conn(ctx)
	must(t, err)
	go func() {
		defer sc.Close()
		p.done <- func() error {
			for _, q := range []string{
				"START TRANSACTION",
				"UPDATE `" + name + "`.filler SET n = n + 1",
				"UPDATE `" + name + "`.counter SET n = n + 10 WHERE id = 2",
			} {
				if _, err := sc.ExecContext(ctx, q); err != nil {
					return fmt.Errorf("%s: %w", q, err)
				}
			}
			close(p.locked)
			<-p.proceed
			// Let the test's statement reach its lock wait on row 2.
			time.Sleep(300 * time.Millisecond)
			if _, err := sc.ExecContext(ctx, "UPDATE `"+name+"`.counter SET n = n + 10 WHERE id = 1"); err != nil {
				sc.ExecContext(ctx, "ROLLBACK")
				return err
			}
			_, err := sc.ExecContext(ctx, "COMMIT")
			return err
		}()
	}()
	return p
}

func counters(t *testing.T, name string) (n1, n2 int) {
	t.Helper()
	must(t, testenv.DB(t).QueryRow("SELECT (SELECT n FROM `"+name+"`.counter WHERE id=1), (SELECT n FROM `"+name+"`.counter WHERE id=2)").Scan(&n1, &n2))
	return n1, n2
}

// retryCounter is a slog handler that counts dj's records of runs started
// again after a lock conflict.
type retryCounter struct{ n atomic.Int64 }

func (h *retryCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h *retryCounter) Handle(ctx context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "lock conflict") {
		h.n.Add(1)
		if p, ok := ctx.Value(retryKey{}).(*atomic.Int64); ok {
			p.Add(1)
		}
	}
	return nil
}
func (h *retryCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *retryCounter) WithGroup(string) slog.Handler      { return h }

// retryKey keys a per-operation *atomic.Int64 in a context, which
// retryCounter increments.
type retryKey struct{}

func connectCounting(t *testing.T) (*dj.Conn, *retryCounter) {
	t.Helper()
	srv := testenv.MySQL(t)
	h := &retryCounter{}
	c, err := dj.Connect(context.Background(), dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass, Logger: slog.New(h)})
	must(t, err)
	t.Cleanup(func() { c.Close() })
	return c, h
}

func TestTxRetryConflictsRunsAgain(t *testing.T) {
	name := conflictTables(t)
	c, h := connectCounting(t)
	ctx := context.Background()
	p := startPartner(t, name)
	var errs []error
	err := c.Tx(ctx, func(ctx context.Context, tx *dj.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE `"+name+"`.counter SET n = n + 1 WHERE id = 1")
		if err == nil {
			if len(errs) == 0 {
				<-p.locked
				close(p.proceed)
			}
			_, err = tx.ExecContext(ctx, "UPDATE `"+name+"`.counter SET n = n + 1 WHERE id = 2")
		}
		errs = append(errs, err)
		return err
	}, dj.RetryConflicts(3))
	if err != nil {
		t.Fatalf("Tx with RetryConflicts: %v (runs: %v)", err, errs)
	}
	must(t, <-p.done)
	if len(errs) != 2 || !errors.Is(errs[0], dj.ErrConflict) {
		t.Fatalf("runs ended with %v, want a conflict then success", errs)
	}
	if n1, n2 := counters(t, name); n1 != 11 || n2 != 11 {
		t.Fatalf("counters %d, %d, want 11, 11 (the partner's +10 and one +1 each)", n1, n2)
	}
	if h.n.Load() != 1 {
		t.Fatalf("%d retries logged, want 1", h.n.Load())
	}
}

func TestTxWithoutRetryReportsConflict(t *testing.T) {
	name := conflictTables(t)
	c, _ := connectCounting(t)
	ctx := context.Background()
	p := startPartner(t, name)
	runs := 0
	err := c.Tx(ctx, func(ctx context.Context, tx *dj.Tx) error {
		runs++
		if _, err := tx.ExecContext(ctx, "UPDATE `"+name+"`.counter SET n = n + 1 WHERE id = 1"); err != nil {
			return err
		}
		<-p.locked
		close(p.proceed)
		_, err := tx.ExecContext(ctx, "UPDATE `"+name+"`.counter SET n = n + 1 WHERE id = 2")
		return err
	})
	must(t, <-p.done)
	if !errors.Is(err, dj.ErrConflict) || runs != 1 {
		t.Fatalf("Tx without retry: %v after %d runs, want ErrConflict after 1", err, runs)
	}
}

// After a deadlock the server has rolled the transaction back; a later
// statement would run on its own and commit. The Tx keeps it from
// committing and fails, even when fn ignores the error.
func TestTxAfterDeadlockRefusesCommit(t *testing.T) {
	name := conflictTables(t)
	c, _ := connectCounting(t)
	ctx := context.Background()
	p := startPartner(t, name)
	var later error
	err := c.Tx(ctx, func(ctx context.Context, tx *dj.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE `"+name+"`.counter SET n = n + 1 WHERE id = 1"); err != nil {
			return err
		}
		<-p.locked
		close(p.proceed)
		_, _ = tx.ExecContext(ctx, "UPDATE `"+name+"`.counter SET n = n + 1 WHERE id = 2") // ignored
		_, later = tx.ExecContext(ctx, "INSERT INTO `"+name+"`.counter VALUES (3, 0)")
		return nil
	})
	must(t, <-p.done)
	if !errors.Is(err, dj.ErrConflict) {
		t.Fatalf("Tx after an ignored deadlock returned %v, want ErrConflict", err)
	}
	if !errors.Is(err, dj.ErrTransaction) {
		t.Fatalf("Tx after an ignored deadlock returned %v, want ErrTransaction too", err)
	}
	if later != nil {
		t.Fatalf("a statement after the deadlock: %v", later)
	}
	var n int
	must(t, testenv.DB(t).QueryRow("SELECT COUNT(*) FROM `"+name+"`.counter WHERE id = 3").Scan(&n))
	if n != 0 {
		t.Fatal("a statement after the deadlock was committed on its own")
	}
}

// A statement on the pool runs in autocommit mode: when it loses a
// deadlock it changed nothing, and Conn.ExecContext runs it again.
func TestConnExecRetriesDeadlockedStatement(t *testing.T) {
	name := conflictTables(t)
	c, h := connectCounting(t)
	ctx := context.Background()
	p := startPartner(t, name)
	<-p.locked
	close(p.proceed)
	// Locks row 1, then waits for row 2 until the partner asks for row 1.
	_, err := c.ExecContext(ctx, "UPDATE `"+name+"`.counter SET n = n + 1 WHERE id IN (1, 2)")
	must(t, <-p.done)
	if err != nil {
		t.Fatalf("statement: %v", err)
	}
	if n1, n2 := counters(t, name); n1 != 11 || n2 != 11 {
		t.Fatalf("counters %d, %d, want 11, 11", n1, n2)
	}
	if h.n.Load() < 1 {
		t.Fatal("no retry was logged: the statement did not meet the deadlock")
	}
}

func TestConflictClassifiesLockWaitTimeout(t *testing.T) {
	name := conflictTables(t)
	c, _ := connectCounting(t)
	ctx := context.Background()
	p := startPartner(t, name)
	<-p.locked
	err := c.Tx(ctx, func(ctx context.Context, tx *dj.Tx) error {
		if _, err := tx.ExecContext(ctx, "SET SESSION innodb_lock_wait_timeout = 1"); err != nil {
			return err
		}
		defer tx.ExecContext(ctx, "SET SESSION innodb_lock_wait_timeout = DEFAULT")
		_, err := tx.ExecContext(ctx, "UPDATE `"+name+"`.counter SET n = n + 1 WHERE id = 2")
		return err
	})
	close(p.proceed)
	must(t, <-p.done)
	if !errors.Is(err, dj.ErrConflict) {
		t.Fatalf("lock wait timeout: %v, want ErrConflict", err)
	}
}
