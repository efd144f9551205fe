package dj

import (
	"context"
	"reflect"
	"time"
)

// attempt makes one key once.
func (r *populateRun[T]) attempt(ctx context.Context, w *worker, jb job, held bool) (outcome, error) {
	table := r.t.Name()
	args, err := r.keyArgs(jb)
	if err != nil {
		return r.afterError(ctx, w, jb, err)
	}
	if w.precheck && !held {
		var n int64
		if err := r.c.queryRow(ctx, w.sc, r.exists, args...).Scan(&n); err != nil {
			if ctx.Err() != nil {
				return cancelled, nil
			}
			if isLost(classify(err)) {
				return lost, classify(err)
			}
			return failed, opError("populate", r.t.FullName(), "", err)
		}
		if n != 0 {
			return skipped, nil
		}
	}
	// checked: the key was found missing from the target by a locking
	// read in the statement that reserved it, so while the reservation is
	// held no reserving worker can make it, and the transaction below
	// need not look again. Workers that often meet keys made by others
	// keep the separate reservation and the look inside the transaction.
	checked := false
	if r.jobs != nil && !held && !w.precheck {
		ok, made, err := r.jobs.reserveUnlessMade(ctx, pinned{r.c, w.sc}, table, jb.hash, jb.blob, w.connID, keyProbeSQL(r.t), args)
		if err != nil {
			return r.reserveFailed(ctx, w, jb, err)
		}
		if made {
			return skipped, nil
		}
		if !ok {
			return taken, nil
		}
		checked = true
	} else if r.jobs != nil && !held {
		ok, err := r.jobs.reserve(ctx, pinned{r.c, w.sc}, table, jb.hash, jb.blob, w.connID)
		if err != nil {
			return r.reserveFailed(ctx, w, jb, err)
		}
		if !ok {
			return taken, nil
		}
	}
	row := new(T)
	if err := r.fill(row, jb.key); err != nil {
		return r.afterError(ctx, w, jb, err)
	}
	var prepared any
	if r.spec.prepare != nil {
		err := func() (err error) {
			defer recoverPanic(&err)
			prepared, err = r.spec.prepare(ctx, r.c, row)
			return err
		}()
		if err != nil {
			return r.afterError(ctx, w, jb, err)
		}
	}
	// Without ReserveJobs a worker of this run is the only one to make
	// its keys unless others populate the same table: it looks inside the
	// transaction only once it has met keys made by others.
	if r.jobs == nil && !w.precheck {
		checked = true
	}
	already := false
	var duplicate error
	err = runTx(ctx, r.c, w.sc, true, func(ctx context.Context, tx *Tx) error {
		var n int64
		if !checked {
			if err := tx.QueryRowContext(ctx, r.exists, args...).Scan(&n); err != nil {
				return opError("populate", r.t.FullName(), "", txLost(err))
			}
		}
		if n != 0 {
			already = true
		} else if err := r.call(ctx, tx, row, prepared); err != nil {
			if r.isTargetDuplicate(err) {
				// Made elsewhere since the check, by a worker that does
				// not reserve: the target's key refused the row.
				duplicate = err
				return errMadeElsewhere
			}
			return err
		}
		if r.jobs != nil {
			if _, err := tx.ExecContext(ctx, r.jobs.completeSQL(), table, jb.hash); err != nil {
				return opError("complete job", r.jobs.FullName(), "", err)
			}
		}
		if jb.token != "" {
			return r.queueDoneInTx(ctx, tx, jb)
		}
		return nil
	})
	if err == errMadeElsewhere {
		return r.madeElsewhere(ctx, w, jb, args, duplicate)
	}
	if err == errQueueClaimLost {
		return r.claimLost(ctx, w, jb)
	}
	if err != nil {
		return r.afterError(ctx, w, jb, err)
	}
	if already {
		return skipped, nil
	}
	return made, nil
}

// keyArgs returns the target's key values of jb as statement arguments.
func (r *populateRun[T]) keyArgs(jb job) ([]any, error) {
	args := make([]any, len(r.pk))
	for i, a := range r.pk {
		attr, _ := r.t.Heading().Attr(a)
		v, err := encodeValue(attr, jb.key[a])
		if err != nil {
			return nil, &Error{Op: "populate", Table: r.t.FullName(), Attr: a, Err: err}
		}
		args[i] = v
	}
	return args, nil
}

// call runs the make inside the transaction, turning a panic into a
// *PanicError.
func (r *populateRun[T]) call(ctx context.Context, tx *Tx, row *T, prepared any) (err error) {
	defer recoverPanic(&err)
	return r.spec.inTx(ctx, tx, row, prepared)
}

// afterError decides what a failed attempt means and cleans up the
// reservation: released on cancellation, kept for a retry on a lost
// connection, turned into an error job otherwise.
func (r *populateRun[T]) afterError(ctx context.Context, w *worker, jb job, err error) (outcome, error) {
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	switch {
	case ctx.Err() != nil:
		if r.jobs != nil {
			if rerr := r.execDetached(ctx, w, r.jobs.releaseSQL(), r.t.Name(), jb.hash, w.connID); rerr != nil {
				r.c.log.Warn("dj: releasing reservation failed", "table", r.t.Name(), "key_hash", jb.hash, "err", rerr)
			}
		}
		return cancelled, nil
	case isLost(err):
		return lost, err
	case isLockConflict(err):
		if r.jobs == nil {
			return retryReserve, err
		}
		return retryTx, err
	}
	if r.jobs != nil {
		if jerr := r.jobs.recordError(bg, pinned{r.c, w.sc}, r.t.Name(), jb.hash, jb.blob, w.connID, err); jerr != nil {
			if isLost(jerr) {
				return lost, err
			}
			r.c.log.Warn("dj: recording the error job failed", "table", r.t.Name(), "err", jerr)
		}
	}
	return failed, err
}

// fill sets the fields of row that hold key attributes.
func (r *populateRun[T]) fill(row *T, key Key) error {
	if fillMap(row, key) {
		return nil
	}
	rv := reflect.ValueOf(row).Elem()
	for _, f := range r.fields {
		v, ok := key[f.Column]
		if !ok {
			continue
		}
		dst := rv.FieldByIndex(f.Index)
		typ := f.Type
		if typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		cv, err := convertTo(v, typ)
		if err != nil {
			return &Error{Op: "populate", Table: r.t.FullName(), Attr: f.Column, Err: err}
		}
		if f.Type.Kind() == reflect.Pointer {
			p := reflect.New(typ)
			p.Elem().Set(cv)
			dst.Set(p)
		} else {
			dst.Set(cv)
		}
	}
	return nil
}

// sameData compares fetched data deeply; NaN equals NaN.
func sameData(a, b reflect.Value) bool {
	if a.IsValid() != b.IsValid() {
		return false
	}
	if !a.IsValid() {
		return true
	}
	if a.Type() != b.Type() {
		return false
	}
	switch a.Kind() {
	case reflect.Float32, reflect.Float64:
		x, y := a.Float(), b.Float()
		return x == y || (x != x && y != y)
	case reflect.Complex64, reflect.Complex128:
		x, y := a.Complex(), b.Complex()
		return sameData(reflect.ValueOf(real(x)), reflect.ValueOf(real(y))) && sameData(reflect.ValueOf(imag(x)), reflect.ValueOf(imag(y)))
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameData(a.Elem(), b.Elem())
	case reflect.Slice:
		if a.IsNil() != b.IsNil() && (a.Len() != 0 || b.Len() != 0) {
			return false
		}
		fallthrough
	case reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !sameData(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		it := a.MapRange()
		for it.Next() {
			bv := b.MapIndex(it.Key())
			if !bv.IsValid() || !sameData(it.Value(), bv) {
				return false
			}
		}
		return true
	case reflect.Struct:
		if a.Type() == reflect.TypeFor[time.Time]() {
			return a.Interface().(time.Time).Equal(b.Interface().(time.Time))
		}
		for i := range a.NumField() {
			if !sameData(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return a.Pointer() == b.Pointer()
	}
	if a.CanInterface() && b.CanInterface() {
		return a.Interface() == b.Interface()
	}
	switch a.Kind() {
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() == b.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return a.Uint() == b.Uint()
	case reflect.String:
		return a.String() == b.String()
	}
	return false
}

// reserveFailed classifies a failed reservation. After a cancellation the
// INSERT may have committed before the cancellation reached it, so what
// the connection may hold is released.
func (r *populateRun[T]) reserveFailed(ctx context.Context, w *worker, jb job, err error) (outcome, error) {
	switch {
	case ctx.Err() != nil:
		return r.afterError(ctx, w, jb, err)
	case isLost(err):
		return lost, err
	case isLockConflict(err):
		return retryReserve, err
	}
	return failed, err
}
