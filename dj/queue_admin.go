package dj

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"time"
)

// QueueFilter selects rows of the queue. Zero fields select everything.
type QueueFilter struct {
	Table  string // bare table name, e.g. "__filtered"
	Status string // QueuePending, QueueReserved, QueueDone or QueueError
	Hash   string // one key_hash (see Jobs.KeyHash)
}

func (f QueueFilter) where() (string, []any) { return queueFilterWhere(f.Table, f.Status, f.Hash) }

// QueueJob is one row of the queue.
type QueueJob struct {
	ID           int64
	Table        string        // bare table name
	KeyHash      string        // as in ~jobs
	Key          string        // the key as a JSON object
	Status       string        // QueuePending, QueueReserved, QueueDone or QueueError
	Priority     int           // higher first
	Host         string        // host of the last worker that reserved it
	PID          int64         // its process id
	ConnectionID int64         // its server connection id
	Attempts     int64         // reservations so far
	QueuedAt     time.Time     // when the key was first queued (server time)
	ReservedAt   time.Time     // zero unless reserved once
	Heartbeat    time.Time     // the worker's last heartbeat while reserved
	FinishedAt   time.Time     // when it was made or failed
	Duration     time.Duration // from the reservation to the end
	ErrorMessage string        // the make's error, or why the key was set aside
}

// List returns the rows f selects, per table in the order workers take
// pending keys.
func (q *Queue) List(ctx context.Context, f QueueFilter) ([]QueueJob, error) {
	if err := q.init(ctx); err != nil {
		return nil, err
	}
	where, args := f.where()
	rows, err := q.conn.query(ctx, q.conn.db, queueListSQL(q.FullName(), where), args...)
	if err != nil {
		return nil, opError("queue", q.FullName(), "", err)
	}
	defer rows.Close()
	var out []QueueJob
	for rows.Next() {
		var j QueueJob
		var key sql.NullString
		var reserved, beat, finished sql.NullTime
		var dur sql.NullFloat64
		if err := rows.Scan(&j.ID, &j.Table, &j.KeyHash, &key, &j.Status, &j.Priority, &j.Host, &j.PID, &j.ConnectionID, &j.Attempts,
			&j.QueuedAt, &reserved, &beat, &finished, &dur, &j.ErrorMessage); err != nil {
			return nil, opError("queue", q.FullName(), "", err)
		}
		j.Key, j.ReservedAt, j.Heartbeat, j.FinishedAt = key.String, reserved.Time, beat.Time, finished.Time
		j.Duration = time.Duration(dur.Float64 * float64(time.Second))
		out = append(out, j)
	}
	return out, opError("queue", q.FullName(), "", rows.Err())
}

// Requeue makes the rows f selects pending again: the errors (f.Status
// defaults to QueueError), after deleting their error rows in ~jobs so
// that populate retries them. It returns the number of rows requeued.
func (q *Queue) Requeue(ctx context.Context, f QueueFilter) (int64, error) {
	if err := q.conn.refuseWrite("queue", q.FullName()); err != nil {
		return 0, err
	}
	if f.Status == "" {
		f.Status = QueueError
	}
	if err := q.init(ctx); err != nil {
		return 0, err
	}
	jobs := JobsOf(q.conn, q.db)
	if err := jobs.init(ctx); err != nil {
		return 0, err
	}
	where, args := f.where()
	if _, err := q.conn.exec(ctx, q.conn.db, queueRequeueJobsSQL(q.FullName(), jobs.FullName(), where), args...); err != nil {
		return 0, opError("requeue", jobs.FullName(), "", err)
	}
	r, err := q.conn.exec(ctx, q.conn.db, queueRequeueSQL(q.FullName(), where), args...)
	if err != nil {
		return 0, opError("requeue", q.FullName(), "", err)
	}
	n, _ := r.RowsAffected()
	return n, nil
}

// SetPriority sets the priority of the rows f selects (per table with
// f.Table, per key with f.Hash); workers take higher priorities first.
// It returns the number of rows changed.
func (q *Queue) SetPriority(ctx context.Context, f QueueFilter, priority int) (int64, error) {
	if err := q.conn.refuseWrite("queue", q.FullName()); err != nil {
		return 0, err
	}
	if err := q.init(ctx); err != nil {
		return 0, err
	}
	where, args := f.where()
	r, err := q.conn.exec(ctx, q.conn.db, queuePrioritySQL(q.FullName(), where), append([]any{priority}, args...)...)
	if err != nil {
		return 0, opError("priority", q.FullName(), "", err)
	}
	n, _ := r.RowsAffected()
	return n, nil
}

// Purge deletes the rows of made keys of table (all tables when "") that
// finished more than olderThan ago, and returns how many it deleted.
// Refresh purges after RefreshOptions.Retention.
func (q *Queue) Purge(ctx context.Context, table string, olderThan time.Duration) (int64, error) {
	if err := q.conn.refuseWrite("queue", q.FullName()); err != nil {
		return 0, err
	}
	if err := q.init(ctx); err != nil {
		return 0, err
	}
	var args []any
	if table != "" {
		args = append(args, table)
	}
	args = append(args, int64(olderThan/time.Microsecond))
	r, err := q.conn.exec(ctx, q.conn.db, queuePurgeSQL(q.FullName(), table != ""), args...)
	if err != nil {
		return 0, opError("purge", q.FullName(), "", err)
	}
	n, _ := r.RowsAffected()
	return n, nil
}

// ReclaimExpired returns to pending the reservations of table (all tables
// when "") whose worker has not sent a heartbeat for timeout, and deletes
// the ~jobs reservations those workers made, so that any worker can take
// the keys. A worker heartbeats while its make runs, however long, so
// only stopped or unreachable workers lose their keys. It returns the
// number of keys reclaimed. Populate with UseQueue calls it when it finds
// expired reservations.
func (q *Queue) ReclaimExpired(ctx context.Context, table string, timeout time.Duration) (int64, error) {
	if err := q.conn.refuseWrite("queue", q.FullName()); err != nil {
		return 0, err
	}
	if err := q.init(ctx); err != nil {
		return 0, err
	}
	jobs := JobsOf(q.conn, q.db)
	if err := jobs.init(ctx); err != nil {
		return 0, err
	}
	us := int64(timeout / time.Microsecond)
	args := []any{us}
	if table != "" {
		args = append(args, table)
	}
	type expired struct {
		id           int64
		table, hash  string
		token        sql.NullString
		connectionID int64
	}
	rows, err := q.conn.query(ctx, q.conn.db, queueExpiredSQL(q.FullName(), table != ""), args...)
	if err != nil {
		return 0, opError("reclaim", q.FullName(), "", err)
	}
	var list []expired
	for rows.Next() {
		var e expired
		if err := rows.Scan(&e.id, &e.table, &e.hash, &e.token, &e.connectionID); err != nil {
			rows.Close()
			return 0, opError("reclaim", q.FullName(), "", err)
		}
		list = append(list, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, opError("reclaim", q.FullName(), "", err)
	}
	var n int64
	for _, e := range list {
		var tok any
		if e.token.Valid {
			tok = e.token.String
		}
		r, err := q.conn.exec(ctx, q.conn.db, queueReclaimSQL(q.FullName()), e.id, tok, us)
		if err != nil {
			return n, opError("reclaim", q.FullName(), "", err)
		}
		if k, _ := r.RowsAffected(); k == 0 {
			continue // it heartbeat or finished since
		}
		n++
		// A row without a token was set aside because another worker
		// held the key in ~jobs: that reservation is not the queue's.
		if e.token.Valid {
			if _, err := q.conn.exec(ctx, q.conn.db, jobs.releaseSQL(), e.table, e.hash, e.connectionID); err != nil {
				return n, opError("reclaim", jobs.FullName(), "", err)
			}
		}
		q.conn.log.Info("dj: reclaimed a reservation without heartbeat", "table", e.table, "key_hash", e.hash, "connection_id", e.connectionID)
	}
	return n, nil
}

// QueueStatus is the state of one table's queue.
type QueueStatus struct {
	Table      string        // bare table name
	Pending    int64         // keys waiting for a worker
	Running    int64         // keys reserved by a worker
	Done       int64         // made keys kept in the queue
	Errors     int64         // failed keys (Requeue retries them)
	DoneRecent int64         // keys made in the window
	Mean       time.Duration // mean make duration in the window
	P95        time.Duration // 95th percentile of the make durations in the window
	PerSecond  float64       // keys made per second over the last minute (QueueRateWindow)
	ETA        time.Duration // (pending+running)/PerSecond; 0 when nothing is being made
	Refreshed  time.Duration // time since the last refresh; -1 if never refreshed
}

// QueueRateWindow is the span over which Status measures throughput.
const QueueRateWindow = time.Minute

// Status reports the queue of every table that has one, ordered by table
// name; window is the span of "recent" (DoneRecent, Mean, P95), an hour
// when zero. PerSecond counts the keys made over the last QueueRateWindow
// (or since the first of them started, if later), so ETA follows the
// current pace.
func (q *Queue) Status(ctx context.Context, window time.Duration) ([]QueueStatus, error) {
	if window <= 0 {
		window = time.Hour
	}
	if err := q.init(ctx); err != nil {
		return nil, err
	}
	us := int64(window / time.Microsecond)
	full := q.FullName()
	rate := int64(min(window, QueueRateWindow) / time.Microsecond)
	rows, err := q.conn.query(ctx, q.conn.db, queueStatusSQL(full), us, us, rate, rate)
	if err != nil {
		return nil, opError("status", full, "", err)
	}
	var out []QueueStatus
	for rows.Next() {
		var s QueueStatus
		var pending, running, done, errs, recent, paced sql.NullInt64
		var mean, since, refreshed sql.NullFloat64
		if err := rows.Scan(&s.Table, &pending, &running, &done, &errs, &recent, &mean, &paced, &since, &refreshed); err != nil {
			rows.Close()
			return nil, opError("status", full, "", err)
		}
		s.Pending, s.Running, s.Done, s.Errors, s.DoneRecent = pending.Int64, running.Int64, done.Int64, errs.Int64, recent.Int64
		s.Mean = seconds(mean.Float64)
		s.Refreshed = -1
		if refreshed.Valid {
			s.Refreshed = seconds(refreshed.Float64)
		}
		if paced.Int64 > 0 && since.Valid {
			span := min(since.Float64, min(window, QueueRateWindow).Seconds())
			if span > 0 {
				s.PerSecond = float64(paced.Int64) / span
			}
		}
		if s.PerSecond > 0 {
			s.ETA = seconds(float64(s.Pending+s.Running) / s.PerSecond)
		}
		out = append(out, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, opError("status", full, "", err)
	}
	durs := map[string][]float64{}
	rows, err = q.conn.query(ctx, q.conn.db, queueDurationsSQL(full), us)
	if err != nil {
		return nil, opError("status", full, "", err)
	}
	for rows.Next() {
		var t string
		var d float64
		if err := rows.Scan(&t, &d); err != nil {
			rows.Close()
			return nil, opError("status", full, "", err)
		}
		durs[t] = append(durs[t], d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, opError("status", full, "", err)
	}
	for i := range out {
		out[i].P95 = seconds(percentile(durs[out[i].Table], 0.95))
	}
	return out, nil
}

// percentile is the p-quantile (0..1) of sorted values by the
// nearest-rank method; 0 for none.
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	if !slices.IsSorted(sorted) {
		sorted = slices.Sorted(slices.Values(sorted))
	}
	rank := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(rank, len(sorted)-1))]
}

// seconds converts seconds to a Duration.
func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// String summarizes the status on one line.
func (s QueueStatus) String() string {
	return fmt.Sprintf("%s: %d pending, %d running, %d done (%d recent), %d errors", s.Table, s.Pending, s.Running, s.Done, s.DoneRecent, s.Errors)
}
