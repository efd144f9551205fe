package dj

import (
	"context"
	"errors"
)

// errMadeElsewhere rolls back the transaction of a make whose row the
// target refused as a duplicate.
var errMadeElsewhere = errors.New("the key was made by another worker")

// isTargetDuplicate reports whether err is the target's primary key
// refusing a row.
func (r *populateRun[T]) isTargetDuplicate(err error) bool {
	var de *Error
	return errors.Is(err, ErrDuplicate) && errors.As(err, &de) && de.Op == "insert" && de.Table == r.t.FullName()
}

// madeElsewhere finishes a key whose make was refused as a duplicate by
// the target: when the key is in the target it was made by another worker
// and its reservation is completed; otherwise the make inserted its row
// twice, and dup is its error.
func (r *populateRun[T]) madeElsewhere(ctx context.Context, w *worker, jb job, args []any, dup error) (outcome, error) {
	var n int64
	if err := r.c.queryRow(ctx, w.sc, r.exists, args...).Scan(&n); err != nil {
		return r.afterError(ctx, w, jb, classify(err))
	}
	if n == 0 {
		return r.afterError(ctx, w, jb, dup)
	}
	if r.jobs != nil {
		if _, err := r.c.exec(ctx, w.sc, r.jobs.completeSQL(), r.t.Name(), jb.hash); err != nil {
			return r.afterError(ctx, w, jb, classify(err))
		}
	}
	return skipped, nil
}

// keyProbeSQL selects the row of t with a given key.
func keyProbeSQL(t *Table) string { return keyProbeSQLFor(t.FullName(), t.PrimaryKey()) }
