package dj

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"
)

// errQueueClaimLost rolls back the transaction of a make whose queue row
// is no longer the worker's (its reservation expired and was reclaimed).
var errQueueClaimLost = errors.New("the queue reservation was reclaimed")

// runQueue is populate with UseQueue: it checks the table's queue in one
// query, reclaims expired reservations, fills the queue when it was never
// filled (or too long ago), then lets the workers pop keys until none is
// pending.
func (r *populateRun[T]) runQueue(ctx context.Context) (PopulateResult, error) {
	if r.o.beatEvery <= 0 {
		r.o.beatEvery = DefaultHeartbeatEvery
	}
	if r.o.beatTimeout <= 0 {
		r.o.beatTimeout = DefaultHeartbeatTimeout
	}
	o := r.o
	if o.keysSet || len(o.restrictions) > 0 || o.limit > 0 {
		return PopulateResult{}, &Error{Op: "populate", Table: r.t.FullName(), Err: fmt.Errorf("%w: UseQueue takes its keys from the queue; OnlyKeys, RestrictKeys and LimitKeys do not apply", ErrInvalidQuery)}
	}
	q := QueueOf(r.c, r.t.meta.Database)
	r.queue = q
	table := r.t.Name()
	var pending int64
	var age sql.NullInt64
	var expired bool
	err := r.c.queryRow(ctx, r.c.db, queueProbeSQL(q.FullName()), table, table, table, int64(r.o.beatTimeout/time.Microsecond)).Scan(&pending, &age, &expired)
	if err != nil {
		if !errQueueTableMissing(classify(err)) {
			return PopulateResult{}, opError("populate", q.FullName(), "", err)
		}
		if err := q.init(ctx); err != nil {
			return PopulateResult{}, err
		}
	}
	if expired {
		n, err := q.ReclaimExpired(ctx, table, r.o.beatTimeout)
		if err != nil && !errors.Is(err, ErrConflict) {
			return PopulateResult{}, err
		}
		if err != nil {
			// Workers reclaiming the same claims deadlocked: the claims
			// return to the queue through the one that went on.
			r.c.log.Warn("dj: reclaiming expired queue claims met a lock conflict", "table", table, "err", err)
		}
		pending += n
	}
	// An idle round ends here, after one query: the key source (whose
	// parents may have to be read from the catalog) is not needed.
	refresh := !age.Valid || (o.refreshEvery > 0 && time.Duration(age.Int64)*time.Microsecond > o.refreshEvery)
	if pending == 0 && !refresh {
		return PopulateResult{}, nil
	}
	ks, err := keySourceOf(ctx, r.c, r.t, any(new(T)))
	if err != nil {
		return PopulateResult{}, err
	}
	if refresh {
		ifOlder := o.refreshEvery
		if ifOlder <= 0 {
			ifOlder = -1
		}
		res, err := q.refreshTable(ctx, r.t, ks, RefreshOptions{}, ifOlder)
		if err != nil {
			return PopulateResult{}, err
		}
		pending = res.Pending
	}
	if pending == 0 {
		return PopulateResult{}, nil
	}
	todo := ks.Proj()
	r.qHeading, r.qNames = todo.Heading(), todo.PrimaryKey()
	r.jobs = JobsOf(r.c, r.t.meta.Database)
	if err := r.jobs.init(ctx); err != nil {
		return PopulateResult{}, err
	}
	start := time.Now()
	defer func() { r.logSummary(ctx, int(pending), time.Since(start)) }()
	stopProgress := startProgress(o.progress, r.c.cfg.Logger, o.progressEvery, r.t.ClassName(), pending, &r.counts)
	defer stopProgress()
	n := max(1, o.workers)
	if m := r.c.cfg.MaxOpenConns; m > 0 && n > m-1 {
		n = max(1, m-1)
	}
	n = int(min(int64(n), pending))
	share := pending / int64(2*n) // keys per claim that leave work for every worker
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.queueWorker(ctx, share)
		}()
	}
	wg.Wait()
	if r.first != nil {
		return r.res, r.first
	}
	if err := ctx.Err(); err != nil {
		return r.res, &Error{Op: "populate", Table: r.t.FullName(), Err: err}
	}
	return r.res, nil
}

// Claim sizes: a worker claims one key at a time while its makes are
// slow, and up to maxClaim keys at a time (one claim transaction for all)
// while they take less than fastMake, where the claim's statements would
// otherwise dominate.
const (
	maxClaim = 16
	fastMake = 100 * time.Millisecond
)

// queueWorker claims and makes keys on its own connection until the
// queue has none pending, MaxCalls is reached, or the run stops.
func (r *populateRun[T]) queueWorker(ctx context.Context, share int64) {
	r.withWorker(ctx, func(w *worker) { r.queueLoop(ctx, w, share) })
}

// queueLoop is the body of queueWorker: claims of up to share keys (one
// while makes are slow), each made with heartbeats running.
func (r *populateRun[T]) queueLoop(ctx context.Context, w *worker, share int64) {
	lost, size := 0, 1
	for !r.stop.Load() && ctx.Err() == nil {
		n := int64(size)
		if r.o.maxCalls > 0 {
			left := int64(r.o.maxCalls) - r.next.Add(n) + n
			if left <= 0 {
				return
			}
			n = min(n, left)
		}
		jobs, err := r.claim(ctx, w, int(n))
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if isLost(err) && lost < 5 {
				lost++
				if r.connect(ctx, w) == nil {
					continue
				}
			}
			r.fail(nil, err)
			return
		}
		if len(jobs) == 0 {
			return
		}
		lost = 0
		stop := r.heartbeat(jobs[0].token)
		for i, jb := range jobs {
			if r.stop.Load() || ctx.Err() != nil {
				// Give the keys not started back.
				for _, left := range jobs[i:] {
					r.queueStatement(ctx, w, queueReleaseSQL(r.queue.FullName()), left.qid, left.token)
				}
				break
			}
			d := r.makeQueued(ctx, w, jb)
			if d < fastMake {
				size = int(min(maxClaim, max(1, share)))
			} else {
				size = 1
			}
		}
		stop()
	}
}

// claim reserves up to n pending keys of the table for w, in one claim
// transaction (see queueClaimSelectSQL), or one key by the single-statement
// claim on servers without SKIP LOCKED.
func (r *populateRun[T]) claim(ctx context.Context, w *worker, n int) ([]job, error) {
	full := r.queue.FullName()
	token, err := newToken()
	if err != nil {
		return nil, err
	}
	type row struct {
		id   int64
		hash string
		raw  []byte
	}
	var rows []row
	if !r.noSkipLocked.Load() {
		try := func() (rows []row, err error) {
			for _, stmt := range []string{queueClaimIsolationSQL, queueClaimStartSQL} {
				if _, err := r.c.exec(ctx, w.sc, stmt); err != nil {
					return nil, err
				}
			}
			defer func() {
				if err != nil {
					bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
					defer cancel()
					_, _ = r.c.exec(bg, w.sc, queueClaimRollbackSQL)
				}
			}()
			res, err := r.c.query(ctx, w.sc, queueClaimSelectSQL(full), r.t.Name(), n)
			if err != nil {
				return nil, err
			}
			for res.Next() {
				var x row
				if err := res.Scan(&x.id, &x.hash, &x.raw); err != nil {
					res.Close()
					return nil, err
				}
				rows = append(rows, x)
			}
			res.Close()
			if err := res.Err(); err != nil {
				return nil, err
			}
			if len(rows) > 0 {
				args := []any{token, r.jobs.host, r.jobs.pid, w.connID}
				for _, x := range rows {
					args = append(args, x.id)
				}
				if _, err := r.c.exec(ctx, w.sc, queueClaimUpdateSQL(full, len(rows)), args...); err != nil {
					return nil, err
				}
			}
			_, err = r.c.exec(ctx, w.sc, queueClaimCommitSQL)
			return rows, err
		}
		// A deadlock rolls the claim back whole; claiming again is safe.
		for conflicts := 0; ; conflicts++ {
			rows, err = try()
			if err == nil || !isLockConflict(err) || conflicts >= 20 || ctx.Err() != nil {
				break
			}
			time.Sleep(time.Duration(conflicts+1) * time.Millisecond)
		}
		if err != nil && errors.Is(classify(err), ErrSyntax) {
			r.noSkipLocked.Store(true)
			r.c.log.Info("dj: the server has no SKIP LOCKED; queue claims take one key per statement", "table", r.t.Name())
		}
	}
	if r.noSkipLocked.Load() {
		rows, err = nil, nil
		var res sql.Result
		for conflicts := 0; ; conflicts++ {
			res, err = r.c.exec(ctx, w.sc, queuePopSQL(full), token, r.jobs.host, r.jobs.pid, w.connID, r.t.Name())
			if err == nil || !isLockConflict(err) || conflicts >= 20 {
				break
			}
			time.Sleep(time.Duration(conflicts+1) * time.Millisecond)
		}
		if err == nil {
			if k, _ := res.RowsAffected(); k == 1 {
				var x row
				err = r.c.queryRow(ctx, w.sc, queueClaimedSQL(full), token).Scan(&x.id, &x.hash, &x.raw)
				rows = append(rows, x)
			}
		}
	}
	if err != nil {
		return nil, opError("claim", full, "", err)
	}
	jobs := make([]job, 0, len(rows))
	for _, x := range rows {
		jb := job{qid: x.id, hash: x.hash, token: token}
		if err := r.decodeQueued(&jb, x.raw); err != nil {
			// A key the worker cannot use is set aside as an error.
			r.queueFinish(ctx, w, jb, QueueError, 0, err)
			r.fail(nil, err)
			continue
		}
		jobs = append(jobs, jb)
	}
	return jobs, nil
}

// decodeQueued fills the key, the Python key hash and the ~jobs key blob
// of a popped job from its JSON.
func (r *populateRun[T]) decodeQueued(jb *job, raw []byte) error {
	key, err := queueKey(&r.qHeading, r.qNames, raw)
	if err != nil {
		return &Error{Op: "pop", Table: r.t.FullName(), Err: err}
	}
	pk, err := PyKey(&r.qHeading, key)
	if err != nil {
		return err
	}
	if h := KeyHash(pk); h != jb.hash {
		// The queue's hash names the row; ~jobs gets DataJoint's.
		r.c.log.Warn("dj: queued key hash differs from DataJoint's", "table", r.t.Name(), "queue", jb.hash, "key_hash", h)
		jb.hash = h
	}
	jb.key = key
	jb.blob, err = keyBlob(r.qNames, pk)
	return err
}

// newToken is a random claim token (32 hex digits).
func newToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("claim token: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// makeQueued makes a claimed key, then records its outcome in the queue
// (a made key was marked done inside its transaction), and returns how
// long the make took.
func (r *populateRun[T]) makeQueued(ctx context.Context, w *worker, jb job) time.Duration {
	jb.started = time.Now()
	out, err := r.runKey(ctx, w, jb)
	d := time.Since(jb.started)
	switch out {
	case made:
	case skipped:
		r.queueFinish(ctx, w, jb, QueueDone, d, nil)
	case taken:
		r.setAside(ctx, w, jb)
	case cancelled:
		r.queueStatement(ctx, w, queueReleaseSQL(r.queue.FullName()), jb.qid, jb.token)
	default:
		if err == nil {
			err = errors.New("the make failed")
		}
		r.queueFinish(ctx, w, jb, QueueError, d, err)
	}
	return d
}

// heartbeat refreshes the heartbeat of the rows claimed with token every
// Heartbeat's interval, through the pool (not the worker's connection, which is
// inside the make's transaction), until the returned function is called.
func (r *populateRun[T]) heartbeat(token string) func() {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(r.o.beatEvery)
		defer tick.Stop()
		full := r.queue.FullName()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				ctx, cancel := context.WithTimeout(context.Background(), r.o.beatTimeout)
				_, err := r.c.exec(ctx, r.c.db, queueHeartbeatSQL(full), token)
				cancel()
				if err != nil {
					r.c.log.Warn("dj: queue heartbeat failed", "table", r.t.Name(), "err", err)
				}
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}

// queueDoneInTx marks jb's queue row done inside the make's transaction,
// so the result and the end of the claim commit together. A claim that
// was reclaimed meanwhile rolls the make back (errQueueClaimLost).
func (r *populateRun[T]) queueDoneInTx(ctx context.Context, tx *Tx, jb job) error {
	res, err := tx.ExecContext(ctx, queueFinishSQL(r.queue.FullName(), QueueDone), time.Since(jb.started).Seconds(), "", jb.qid, jb.token)
	if err != nil {
		return opError("complete job", r.queue.FullName(), "", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errQueueClaimLost
	}
	return nil
}

// claimLost handles a make rolled back because its queue claim was
// reclaimed: the worker releases its ~jobs reservation and leaves the key
// to the worker that has it now.
func (r *populateRun[T]) claimLost(ctx context.Context, w *worker, jb job) (outcome, error) {
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := r.c.exec(bg, w.sc, r.jobs.releaseSQL(), r.t.Name(), jb.hash, w.connID); err != nil {
		r.c.log.Warn("dj: releasing reservation failed", "table", r.t.Name(), "key_hash", jb.hash, "err", err)
	}
	return taken, nil
}

// setAside handles a claimed key that ~jobs gave to someone else: an
// error or ignore row there makes the queue row an error; a live
// reservation by another worker (one that does not use the queue) keeps
// the row reserved without the worker's claim, until its heartbeat times
// out and a worker looks again; a dead one is reclaimed.
func (r *populateRun[T]) setAside(ctx context.Context, w *worker, jb job) {
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var status, msg string
	err := r.c.queryRow(bg, w.sc, queueJobsStatusSQL(r.jobs.FullName()), r.t.Name(), jb.hash).Scan(&status, &msg)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		r.queueStatement(ctx, w, queueReleaseSQL(r.queue.FullName()), jb.qid, jb.token)
	case err != nil:
		r.c.log.Warn("dj: reading ~jobs failed", "table", r.t.Name(), "key_hash", jb.hash, "err", err)
	case status == JobError:
		r.queueFinish(ctx, w, jb, QueueError, 0, fmt.Errorf("error in ~jobs: %s", msg))
	case status == JobIgnore:
		r.queueFinish(ctx, w, jb, QueueError, 0, errors.New("ignored in ~jobs"))
	default:
		// A worker that does not use the queue (DataJoint for Python, or
		// populate without UseQueue) holds it; if that worker's
		// connection is gone, its reservation is reclaimed as ReserveJobs
		// does, and the key is pending again at once.
		reclaimed, err := r.jobs.ReclaimStale(bg, r.t.Name())
		if err != nil {
			r.c.log.Warn("dj: reclaiming stale reservations failed", "table", r.t.Name(), "err", err)
		}
		for _, h := range reclaimed {
			if h == jb.hash {
				r.queueStatement(ctx, w, queueReleaseSQL(r.queue.FullName()), jb.qid, jb.token)
				return
			}
		}
		r.queueStatement(ctx, w, queueYieldSQL(r.queue.FullName()), "reserved in ~jobs by another worker", jb.qid, jb.token)
	}
}

// queueFinish ends jb's claim as done or error (with the error's
// message), recording the make's duration d.
func (r *populateRun[T]) queueFinish(ctx context.Context, w *worker, jb job, status string, d time.Duration, err error) {
	msg := ""
	if err != nil {
		msg = truncateMessage(err.Error(), errorMessageLength)
	}
	r.queueStatement(ctx, w, queueFinishSQL(r.queue.FullName(), status), d.Seconds(), msg, jb.qid, jb.token)
}

// queueStatement runs one statement on the worker's claim (see
// execDetached), logging a failure.
func (r *populateRun[T]) queueStatement(ctx context.Context, w *worker, stmt string, args ...any) {
	if err := r.execDetached(ctx, w, stmt, args...); err != nil {
		r.c.log.Warn("dj: updating the queue failed", "table", r.t.Name(), "err", err)
	}
}

// execDetached runs a clean-up statement of the worker even when ctx is
// cancelled (for up to 10 s), on the worker's connection or, since a
// cancelled statement can take that connection down with it, on the pool.
func (r *populateRun[T]) execDetached(ctx context.Context, w *worker, stmt string, args ...any) error {
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := r.c.exec(bg, w.sc, stmt, args...); err == nil {
		return nil
	}
	_, err := r.c.exec(bg, r.c.db, stmt, args...)
	return err
}
