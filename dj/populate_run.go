package dj

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
)

// runAll makes the planned keys on the configured number of workers.
func (r *populateRun[T]) runAll(ctx context.Context) {
	n := r.o.workers
	if n < 1 {
		n = 1
	}
	if m := r.c.cfg.MaxOpenConns; m > 0 && n > m-1 {
		n = max(1, m-1)
	}
	if n > len(r.list) {
		n = len(r.list)
	}
	if n == 0 {
		return
	}
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.worker(ctx)
		}()
	}
	wg.Wait()
}

// worker is one populate goroutine with its own connection.
type worker struct {
	sc     *sql.Conn
	connID int64
	// precheck is set while the worker often finds its keys made or held
	// by others (othersRate is a moving average of that): it then checks
	// the target before reserving, which costs one read where reserving a
	// made key costs two commits.
	precheck   bool
	othersRate float64
}

// observe updates the worker's estimate of how often its keys turn out
// to be made or held by other workers.
func (w *worker) observe(byOthers bool) {
	x := 0.0
	if byOthers {
		x = 1
	}
	w.othersRate = 0.8*w.othersRate + 0.2*x
	w.precheck = w.othersRate > 0.1
}

// connect gives w a dedicated connection, waiting for the server while it
// is unreachable (up to a minute) unless ctx ends first.
func (r *populateRun[T]) connect(ctx context.Context, w *worker) error {
	if w.sc != nil {
		_ = w.sc.Raw(func(any) error { return driverBadConn })
		w.sc.Close()
		w.sc = nil
	}
	deadline := time.Now().Add(time.Minute)
	wait := 50 * time.Millisecond
	for {
		sc, err := r.c.db.Conn(ctx)
		if err == nil {
			err = r.c.queryRow(ctx, sc, connectionIDSQL).Scan(&w.connID)
			if err == nil {
				w.sc = sc
				return nil
			}
			_ = sc.Raw(func(any) error { return driverBadConn })
			sc.Close()
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return opError("populate", r.t.FullName(), "", err)
		}
		r.c.log.Warn("dj: populate worker reconnecting", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}

func (r *populateRun[T]) worker(ctx context.Context) {
	r.withWorker(ctx, func(w *worker) {
		for !r.stop.Load() && ctx.Err() == nil {
			i := r.next.Add(1) - 1
			if i >= int64(len(r.list)) {
				return
			}
			r.runKey(ctx, w, r.list[i])
		}
	})
}

// withWorker runs body with a worker on a connection of its own, closed
// when body returns; a failure to connect fails the run.
func (r *populateRun[T]) withWorker(ctx context.Context, body func(w *worker)) {
	w := &worker{}
	defer func() {
		if w.sc != nil {
			w.sc.Close()
		}
	}()
	if err := r.connect(ctx, w); err != nil {
		r.fail(nil, err)
		return
	}
	body(w)
}

// outcome of one attempt at a key.
type outcome int

const (
	made outcome = iota
	skipped
	taken
	failed
	cancelled
	lost
	retryReserve // the reservation hit a deadlock: try it again
	retryTx      // the transaction hit a deadlock: the key is still reserved, try again
)

// makeKey makes one key, reconnecting and retrying when the connection
// is lost (a server restart), and returns the final outcome.
func (r *populateRun[T]) makeKey(ctx context.Context, w *worker, jb job) (outcome, error) {
	held := false // the key is reserved by this worker's connection
	conflicts := 0
	for attempt := 0; ; attempt++ {
		out, err := r.attempt(ctx, w, jb, held)
		held = false
		switch out {
		case retryReserve, retryTx:
			// InnoDB resolves lock cycles between concurrent reservations
			// by failing one statement; it changed nothing, so go again.
			conflicts++
			if conflicts > 20 {
				r.fail(jb.key, err)
				return failed, err
			}
			r.logRetry(ctx, jb, conflicts, err)
			held = out == retryTx
			attempt--
			time.Sleep(time.Duration(rand.IntN(conflicts*5)+1) * time.Millisecond)
			continue
		case made:
			w.observe(false)
			r.mu.Lock()
			r.res.Made++
			r.mu.Unlock()
			return made, nil
		case skipped:
			w.observe(true)
			r.mu.Lock()
			r.res.Skipped++
			r.mu.Unlock()
			return skipped, nil
		case taken:
			w.observe(true)
			r.mu.Lock()
			r.res.Skipped++
			r.taken = append(r.taken, jb)
			r.mu.Unlock()
			return taken, nil
		case cancelled:
			return cancelled, nil
		case failed:
			r.fail(jb.key, err)
			return failed, err
		case lost:
			if attempt >= 5 || ctx.Err() != nil {
				r.fail(jb.key, err)
				return failed, err
			}
			r.logRetry(ctx, jb, attempt+1, err)
			old := w.connID
			if cerr := r.connect(ctx, w); cerr != nil {
				err = errors.Join(err, cerr)
				r.fail(jb.key, err)
				r.stop.Store(true)
				return failed, err
			}
			if r.jobs != nil {
				// Release the reservation the dead connection made, if its
				// INSERT got through.
				_, _ = r.c.exec(ctx, w.sc, r.jobs.releaseSQL(), r.t.Name(), jb.hash, old)
			}
		}
	}
}

// fail records a key's error; without SuppressErrors it stops the run.
func (r *populateRun[T]) fail(key Key, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.Errors = append(r.res.Errors, KeyError{Key: key, Err: err})
	if !r.o.suppress && r.first == nil {
		if key != nil {
			r.first = &Error{Op: "populate", Table: r.t.FullName(), Err: KeyError{Key: key, Err: err}}
		} else {
			r.first = opError("populate", r.t.FullName(), "", err)
		}
		r.stop.Store(true)
	}
}

// isLockConflict reports a deadlock or lock-wait timeout: the statement
// (and, for a deadlock, its transaction) was rolled back and can be retried.
func isLockConflict(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205)
}

// isLost reports a dead connection (server restart or network loss),
// including a new connection that could not be opened: a make that uses
// the pool while the server restarts fails to dial, and its key is retried
// once the worker has reconnected, not recorded as an error.
func isLost(err error) bool {
	var ne *net.OpError
	return errors.Is(err, ErrLostConnection) || errors.Is(err, driverBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.As(err, &ne) && ne.Op == "dial"
}
