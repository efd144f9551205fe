package dj

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/go-sql-driver/mysql"
)

// RetryConflicts makes Conn.Tx run the whole transaction again, from a new
// START TRANSACTION, when it fails with ErrConflict: InnoDB broke a
// deadlock by rolling it back (MySQL error 1213), or a statement waited
// too long for a lock (1205). Nothing of the failed attempt is committed.
// Attempts bounds the runs, the first included (values below 2 disable
// retrying). Between runs Tx waits a random time that doubles with every
// attempt, from a few milliseconds up to one second, and it starts no new
// run later than 30 s after the first one or once ctx is done. The error
// of the last run is returned.
//
// fn must be safe to run more than once: it must start from the same
// state each time (reset anything it accumulates in variables outside
// it), and anything it does outside the transaction (files, object
// stores, messages) must tolerate repetition.
func RetryConflicts(attempts int) TxOption {
	return txOption(func(o *txOptions) {
		o.retry = retryPolicy{attempts: attempts, base: 5 * time.Millisecond, max: time.Second, budget: 30 * time.Second}
	})
}

// retryLibraryTx is the retry policy of the transactions dj runs on its
// own (an insert of several statements, a cascading delete, an update
// with external tracking rows): their functions only run statements.
var retryLibraryTx = RetryConflicts(10)

// retryPolicy bounds the retries of an operation that failed with
// ErrConflict.
type retryPolicy struct {
	attempts  int           // runs in all, the first included
	base, max time.Duration // wait before the second run; upper bound of a wait
	budget    time.Duration // no run starts later than this after the first
}

// statementRetry is the policy of single autocommit statements on the pool.
var statementRetry = retryPolicy{attempts: 6, base: 2 * time.Millisecond, max: 250 * time.Millisecond, budget: 10 * time.Second}

// wait returns the pause before run n+1 (n ≥ 1): a random duration in
// [d/2, d], d = base·2^(n-1) capped at max. The randomness keeps
// transactions that collided from colliding again in step.
func (p retryPolicy) wait(n int) time.Duration {
	d := p.max
	if n-1 < 30 {
		if e := p.base << (n - 1); e > 0 && e < p.max {
			d = e
		}
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// again runs op after the first run, started at start, failed with first
// (an ErrConflict), while the policy allows and op keeps failing with
// ErrConflict. It returns the error of the last run, or nil.
func (p retryPolicy) again(ctx context.Context, log *slog.Logger, what string, start time.Time, first error, op func() error) error {
	err := first
	for n := 1; n < p.attempts && errors.Is(err, ErrConflict); n++ {
		d := p.wait(n)
		if time.Since(start)+d > p.budget {
			break
		}
		log.DebugContext(ctx, "dj: lock conflict, running again", "op", what, "attempt", n+1, "wait", d, "err", err)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		err = op()
	}
	return err
}

// isDeadlock reports MySQL error 1213: the server rolled the whole
// transaction back.
func isDeadlock(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1213
}
