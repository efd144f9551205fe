package dj

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
)

// The attribute names of the records populate writes to Config.Logger.
// They are stable: log queries and dashboards may rely on them.
//
// Per key, at debug level: "dj: populate key start" (table, key,
// key_hash), "dj: populate key made" (+ duration), "dj: populate key
// failed" (+ duration, err), "dj: populate key skipped" (+ reason: one of
// the SkipReason values) and "dj: populate key cancelled" (rolled back,
// not counted). Per populate call, at info level: "dj: populate done"
// (table, planned, made, skipped, failed, duration). At warn level: a
// worker reconnecting after losing its connection ("dj: populate worker
// reconnecting") and a key run again after a lock conflict ("dj: populate
// key retried").
const (
	LogAttrTable    = "table"    // the class name of the populated table
	LogAttrKey      = "key"      // the key, a map from attribute to value
	LogAttrKeyHash  = "key_hash" // DataJoint's key_hash of the key
	LogAttrDuration = "duration" // time spent, a time.Duration
	LogAttrErr      = "err"      // the error
	LogAttrReason   = "reason"   // why a key was skipped
	LogAttrAttempt  = "attempt"  // the number of the retry, from 1
	LogAttrPlanned  = "planned"  // keys planned by the populate call
	LogAttrMade     = "made"     // keys made and committed
	LogAttrSkipped  = "skipped"  // keys skipped
	LogAttrFailed   = "failed"   // keys that failed
)

// Why a key was skipped (the LogAttrReason attribute).
const (
	SkipReasonMade     = "already made"               // the target holds the key
	SkipReasonReserved = "reserved by another worker" // another worker's ~jobs reservation holds it
)

// populateCounts are the exact counts of one populate call while it runs:
// a key counts once it is committed, failed or skipped; a cancelled key,
// rolled back, never counts.
type populateCounts struct {
	made, skipped, failed atomic.Int64
}

// finished is the number of keys counted so far.
func (p *populateCounts) finished() int64 {
	return p.made.Load() + p.skipped.Load() + p.failed.Load()
}

// runKey makes one key, counting and logging its outcome and, with a
// Tracer, reporting it as a span.
func (r *populateRun[T]) runKey(ctx context.Context, w *worker, jb job) (outcome, error) {
	log := r.c.log
	debug := log.Enabled(ctx, slog.LevelDebug)
	tr, _ := r.c.cfg.Tracer.(KeyTracer)
	if debug {
		log.LogAttrs(ctx, slog.LevelDebug, "dj: populate key start", slog.String(LogAttrTable, r.t.ClassName()),
			slog.Any(LogAttrKey, jb.key), slog.String(LogAttrKeyHash, jb.hash))
	}
	var span KeySpan
	if tr != nil {
		span = KeySpan{Table: r.t.FullName(), Key: jb.key, KeyHash: jb.hash}
		ctx = tr.KeyStart(ctx, span)
	}
	start := time.Now()
	out, err := r.makeKey(ctx, w, jb)
	d := time.Since(start)
	switch out {
	case made:
		r.counts.made.Add(1)
	case skipped, taken:
		r.counts.skipped.Add(1)
	case cancelled:
	default:
		r.counts.failed.Add(1)
	}
	if tr != nil {
		span.Outcome, span.Duration, span.Err = outcomeName(out), d, err
		tr.KeyEnd(ctx, span)
	}
	if !debug {
		return out, err
	}
	attrs := []slog.Attr{slog.String(LogAttrTable, r.t.ClassName()), slog.Any(LogAttrKey, jb.key), slog.String(LogAttrKeyHash, jb.hash)}
	switch out {
	case made:
		log.LogAttrs(ctx, slog.LevelDebug, "dj: populate key made", append(attrs, slog.Duration(LogAttrDuration, d))...)
	case skipped:
		log.LogAttrs(ctx, slog.LevelDebug, "dj: populate key skipped", append(attrs, slog.String(LogAttrReason, SkipReasonMade))...)
	case taken:
		log.LogAttrs(ctx, slog.LevelDebug, "dj: populate key skipped", append(attrs, slog.String(LogAttrReason, SkipReasonReserved))...)
	case cancelled:
		log.LogAttrs(ctx, slog.LevelDebug, "dj: populate key cancelled", append(attrs, slog.Duration(LogAttrDuration, d))...)
	default:
		log.LogAttrs(ctx, slog.LevelDebug, "dj: populate key failed", append(attrs, slog.Duration(LogAttrDuration, d), slog.Any(LogAttrErr, err))...)
	}
	return out, err
}

// outcomeName names a final outcome for KeySpan.Outcome.
func outcomeName(o outcome) string {
	switch o {
	case made:
		return KeyMade
	case skipped, taken:
		return KeySkipped
	case cancelled:
		return KeyCancelled
	}
	return KeyFailed
}

// logRetry reports a key run again after a lock conflict or a lost
// connection.
func (r *populateRun[T]) logRetry(ctx context.Context, jb job, attempt int, err error) {
	r.c.log.LogAttrs(ctx, slog.LevelWarn, "dj: populate key retried", slog.String(LogAttrTable, r.t.ClassName()),
		slog.String(LogAttrKeyHash, jb.hash), slog.Int(LogAttrAttempt, attempt), slog.Any(LogAttrErr, err))
}

// logSummary writes the info record of one populate call.
func (r *populateRun[T]) logSummary(ctx context.Context, planned int, d time.Duration) {
	r.c.log.LogAttrs(ctx, slog.LevelInfo, "dj: populate done", slog.String(LogAttrTable, r.t.ClassName()),
		slog.Int(LogAttrPlanned, planned), slog.Int64(LogAttrMade, r.counts.made.Load()),
		slog.Int64(LogAttrSkipped, r.counts.skipped.Load()), slog.Int64(LogAttrFailed, r.counts.failed.Load()),
		slog.Duration(LogAttrDuration, d))
}
