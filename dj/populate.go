package dj

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/datajoint-go/datajoint/dj/internal/query"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// Maker is implemented by the row type of an Imported or Computed table:
// Make computes the rows of one key and inserts them (the master row and
// its parts) through tx. Populate calls Make on a value whose primary-key
// fields hold the key; tx is the key's own transaction, which may insert
// into the table. Make must do all its reading and writing through tx.
type Maker interface {
	Make(ctx context.Context, tx *Tx) error
}

// KeySourcer is implemented by row types that override the default key
// source: KeySource returns the expression whose primary keys populate
// makes. Its key must contain the table's primary key. The default is the
// join of the table's primary-key parents (renamed references applied),
// projected to their keys, as in DataJoint.
type KeySourcer interface {
	KeySource(q Querier) Expr
}

// ThreePartMaker is DataJoint's three-part make, for long computations:
// MakeFetch reads the inputs of the key (outside any transaction),
// MakeCompute computes from them (outside any transaction, holding no
// locks), then, inside the key's transaction, MakeFetch runs again and
// MakeInsert inserts the computed rows only if the inputs are unchanged.
// When they changed in between, the key fails with ErrInputsChanged and
// nothing is inserted. The receiver's primary-key fields hold the key in
// all three calls. Fetched values are compared deeply (NaN equals NaN);
// F should hold data, not pointers to connections or functions.
type ThreePartMaker[F, C any] interface {
	MakeFetch(ctx context.Context, q Querier) (F, error)
	MakeCompute(ctx context.Context, fetched F) (C, error)
	MakeInsert(ctx context.Context, tx *Tx, computed C) error
}

// ErrInputsChanged is the error of a three-part make whose inputs changed
// between its computation and its insert (DataJoint's "Referential
// integrity failed! The `make_fetch` data has changed"). It wraps
// ErrIntegrity.
var ErrInputsChanged = fmt.Errorf("%w: the inputs of the make (MakeFetch) changed during its computation", ErrIntegrity)

// Order is the order in which populate makes the keys.
type Order int

// The orders of DataJoint's populate(order=...).
const (
	OrderOriginal Order = iota // as the server returns the keys
	OrderReverse               // the reverse of OrderOriginal
	OrderRandom                // shuffled
)

// PopulateOption configures Populate.
type PopulateOption func(*populateOptions)

type populateOptions struct {
	restrictions []Cond
	keys         []Key
	keysSet      bool
	reserve      bool
	workers      int
	limit        int
	maxCalls     int
	order        Order
	suppress     bool
	progress     io.Writer
}

// Restrict restricts the key source by conditions (AND-ed), as the
// positional restrictions of DataJoint's populate.
func Restrict(conds ...Cond) PopulateOption {
	return func(o *populateOptions) { o.restrictions = append(o.restrictions, conds...) }
}

// Keys makes only the given keys (DataJoint's keys=...). Each key must
// identify rows of the key source; keys that are not in the key source or
// are already made are skipped.
func Keys(keys ...Key) PopulateOption {
	return func(o *populateOptions) { o.keys, o.keysSet = append(o.keys, keys...), true }
}

// ReserveJobs reserves every key in the schema's ~jobs table before making
// it, so that any number of populate calls, in any processes on any hosts,
// Go or DataJoint for Python, never make a key twice, and failed keys are
// recorded there as errors (and skipped until cleared).
func ReserveJobs() PopulateOption { return func(o *populateOptions) { o.reserve = true } }

// Workers runs n makes concurrently, each on a goroutine with its own
// connection (default 1). Combine with ReserveJobs to share the work with
// other processes too.
func Workers(n int) PopulateOption { return func(o *populateOptions) { o.workers = n } }

// Limit is DataJoint's limit: at most n keys are fetched from the key
// source, in primary-key order, before the keys that are reserved, failed
// or ignored in ~jobs are dropped. With ReserveJobs it can therefore leave
// fewer than n keys, even none, while work remains (DataJoint issue
// #1203). Use MaxCalls to bound the number of makes.
func Limit(n int) PopulateOption { return func(o *populateOptions) { o.limit = n } }

// MaxCalls is DataJoint's max_calls: after ~jobs filtering and ordering,
// at most n keys are attempted (each attempt is one make call, whether it
// succeeds, fails, or finds the key taken by another worker).
func MaxCalls(n int) PopulateOption { return func(o *populateOptions) { o.maxCalls = n } }

// OrderKeys sets the order of the keys (default OrderOriginal).
func OrderKeys(order Order) PopulateOption { return func(o *populateOptions) { o.order = order } }

// SuppressErrors collects the error of each failed key in the result and
// goes on with the other keys. Without it, populate stops at the first
// error (workers finish the keys they are making) and returns it.
func SuppressErrors() PopulateOption { return func(o *populateOptions) { o.suppress = true } }

// ShowProgress draws a progress bar on w while populate runs, when w is a
// terminal; it writes nothing otherwise.
func ShowProgress(w io.Writer) PopulateOption { return func(o *populateOptions) { o.progress = w } }

// KeyError is the failure of one key.
type KeyError struct {
	Key Key
	Err error
}

// Error describes the key and its error.
func (e KeyError) Error() string { return fmt.Sprintf("key %v: %v", e.Key, e.Err) }

// Unwrap returns the make's error.
func (e KeyError) Unwrap() error { return e.Err }

// PopulateResult counts what a populate did.
type PopulateResult struct {
	Made    int        // keys made and committed by this call
	Skipped int        // keys found made, or reserved by another worker, when their turn came
	Errors  []KeyError // failed keys, in the order they failed
}

// Populate makes the missing rows of the Imported or Computed table of T:
// for each key of the key source (see KeySourcer) that is not in the
// table, it calls Make on a *T holding the key, inside a transaction that
// starts WITH CONSISTENT SNAPSHOT, re-checks that the key is still
// missing, and commits the make's inserts (master and parts together).
// A make that returns an error, panics (reported as a *PanicError with its
// stack) or is cancelled is rolled back and leaves nothing behind.
//
// With ReserveJobs each key is first reserved in the schema's ~jobs table
// (one autocommit INSERT; a duplicate means another worker has it), and the
// reservation is deleted inside the make's transaction, so a key's result
// and the end of its reservation commit together: two commits per key,
// where DataJoint needs three. Reservations of workers that died (their
// connection is gone, or the server restarted since) are reclaimed. When
// ctx is cancelled, each worker rolls back the key it is making, releases
// its reservation and stops; Populate then returns ctx's error.
func Populate[T any, PT interface {
	*T
	Maker
}](ctx context.Context, c *Conn, opts ...PopulateOption) (PopulateResult, error) {
	return populate[T](ctx, c, makeSpec[T]{
		inTx: func(ctx context.Context, tx *Tx, row *T, _ any) error { return PT(row).Make(ctx, tx) },
	}, opts)
}

// PopulateFunc is Populate with the make given as a function (for example
// a closure over resources the make needs): make receives a *T whose
// primary-key fields hold the key.
func PopulateFunc[T any](ctx context.Context, c *Conn, makeFn func(ctx context.Context, tx *Tx, row *T) error, opts ...PopulateOption) (PopulateResult, error) {
	if makeFn == nil {
		return PopulateResult{}, &Error{Op: "populate", Table: reflect.TypeFor[T]().String(), Err: fmt.Errorf("%w: nil make function", ErrInvalidQuery)}
	}
	return populate[T](ctx, c, makeSpec[T]{
		inTx: func(ctx context.Context, tx *Tx, row *T, _ any) error { return makeFn(ctx, tx, row) },
	}, opts)
}

// PopulateThreePart is Populate for a row type with a three-part make (see
// ThreePartMaker): PopulateThreePart[Row, Fetched, Computed](ctx, c, ...).
func PopulateThreePart[T, F, C any, PT interface {
	*T
	ThreePartMaker[F, C]
}](ctx context.Context, c *Conn, opts ...PopulateOption) (PopulateResult, error) {
	type prepared struct {
		fetched  F
		computed C
	}
	return populate[T](ctx, c, makeSpec[T]{
		prepare: func(ctx context.Context, q Querier, row *T) (any, error) {
			f, err := PT(row).MakeFetch(ctx, q)
			if err != nil {
				return nil, err
			}
			cv, err := PT(row).MakeCompute(ctx, f)
			if err != nil {
				return nil, err
			}
			return prepared{f, cv}, nil
		},
		inTx: func(ctx context.Context, tx *Tx, row *T, p any) error {
			pr := p.(prepared)
			again, err := PT(row).MakeFetch(ctx, tx)
			if err != nil {
				return err
			}
			if !sameData(reflect.ValueOf(&pr.fetched).Elem(), reflect.ValueOf(&again).Elem()) {
				return ErrInputsChanged
			}
			return PT(row).MakeInsert(ctx, tx, pr.computed)
		},
	}, opts)
}

// Progress returns the number of keys of T's key source (restricted by
// conds) that are not yet in T's table, and the number of keys in all
// (DataJoint's progress()).
func Progress[T any](ctx context.Context, c *Conn, conds ...Cond) (remaining, total int64, err error) {
	t, err := TableOf[T](c)
	if err != nil {
		return 0, 0, err
	}
	ks, err := keySourceOf(ctx, c, t, any(new(T)))
	if err != nil {
		return 0, 0, err
	}
	ks = ks.Restrict(conds...).Proj()
	if total, err = Count(ctx, c, ks); err != nil {
		return 0, 0, err
	}
	if remaining, err = Count(ctx, c, ks.Exclude(t.Expr())); err != nil {
		return 0, 0, err
	}
	return remaining, total, nil
}

// KeySource returns the key source of T's table: T's KeySource method if
// it has one, else the join of its primary-key parents.
func KeySource[T any](ctx context.Context, c *Conn) (Expr, error) {
	t, err := TableOf[T](c)
	if err != nil {
		return Expr{}, err
	}
	return keySourceOf(ctx, c, t, any(new(T)))
}

// makeSpec is how populate makes one key: prepare (optional) runs before
// the transaction, inTx inside it.
type makeSpec[T any] struct {
	prepare func(ctx context.Context, q Querier, row *T) (any, error)
	inTx    func(ctx context.Context, tx *Tx, row *T, prepared any) error
}

// keySourceOf returns the key source of t; row is a *T, checked for
// KeySourcer.
func keySourceOf(ctx context.Context, c *Conn, t *Table, row any) (Expr, error) {
	if ks, ok := row.(KeySourcer); ok {
		e := ks.KeySource(c)
		if err := e.Err(); err != nil {
			return Expr{}, &Error{Op: "populate", Table: t.FullName(), Err: err}
		}
		pk := e.PrimaryKey()
		h := e.Heading()
		for _, a := range t.PrimaryKey() {
			if !contains(pk, a) {
				if _, ok := h.Attr(a); !ok {
					return Expr{}, &Error{Op: "populate", Table: t.FullName(), Attr: a, Err: fmt.Errorf("%w: the key source lacks primary-key attribute %q", ErrInvalidQuery, a)}
				}
			}
		}
		return e, nil
	}
	var ks Expr
	n := 0
	for i := range t.meta.ForeignKeys {
		fk := &t.meta.ForeignKeys[i]
		if !fk.Primary || strings.HasPrefix(fk.ParentTable, "~") {
			continue
		}
		meta, err := parentMeta(ctx, c, fk.ParentDatabase, fk.ParentTable)
		if err != nil {
			return Expr{}, opError("populate", t.FullName(), "", err)
		}
		p := wrap(query.Table(meta), meta.FullName())
		if fk.Renamed() {
			var renames []string
			for j := range fk.Attrs {
				if fk.Attrs[j] != fk.RefAttrs[j] {
					renames = append(renames, fk.Attrs[j]+"="+fk.RefAttrs[j])
				}
			}
			p = p.Proj(renames...)
		} else {
			p = p.Proj()
		}
		if n == 0 {
			ks = p
		} else {
			ks = ks.Join(p)
		}
		n++
	}
	if n == 0 {
		return Expr{}, &Error{Op: "populate", Table: t.FullName(), Err: fmt.Errorf("%w: the table has no primary-key parent to populate from; define a KeySource method", ErrInvalidQuery)}
	}
	return ks, nil
}

// parentMeta finds the metadata of a referenced table: a table declared
// on c, else read from the server.
func parentMeta(ctx context.Context, c *Conn, db, name string) (*schema.Table, error) {
	c.mu.RLock()
	for _, t := range c.tables {
		if t.meta.Database == db && t.meta.Name == name {
			c.mu.RUnlock()
			return t.meta, nil
		}
	}
	c.mu.RUnlock()
	meta, err := schema.Load(ctx, c.db, db, name)
	if err != nil {
		return nil, err
	}
	setExternalDatabase(meta)
	return meta, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// job is one key to make, with what the ~jobs table needs of it.
type job struct {
	key  Key
	hash string
	blob []byte
}

// populateRun is the state of one populate call.
type populateRun[T any] struct {
	c      *Conn
	t      *Table
	spec   makeSpec[T]
	o      populateOptions
	jobs   *Jobs
	exists string   // SELECT EXISTS(... target restricted by key ...)
	pk     []string // the target's primary key
	fields []schema.Field

	next  atomic.Int64
	list  []job
	stop  atomic.Bool
	done  atomic.Int64
	mu    sync.Mutex
	res   PopulateResult
	first error
	taken []job // keys found reserved by another worker
}

func populate[T any](ctx context.Context, c *Conn, spec makeSpec[T], optList []PopulateOption) (PopulateResult, error) {
	o := populateOptions{workers: 1}
	for _, f := range optList {
		f(&o)
	}
	t, err := TableOf[T](c)
	if err != nil {
		return PopulateResult{}, err
	}
	if !t.Tier().AutoPopulated() {
		return PopulateResult{}, &Error{Op: "populate", Table: t.FullName(), Err: fmt.Errorf("%w: only Imported and Computed tables are populated, %s is %s", ErrInvalidQuery, t.ClassName(), t.Tier())}
	}
	fm, err := schema.Fields(reflect.TypeFor[T]())
	if err != nil {
		return PopulateResult{}, err
	}
	r := &populateRun[T]{c: c, t: t, spec: spec, o: o, pk: t.PrimaryKey(), fields: fm.Fields}
	r.exists = existsSQL(t)
	if o.reserve {
		r.jobs = JobsOf(c, t.meta.Database)
		if err := r.jobs.init(ctx); err != nil {
			return PopulateResult{}, err
		}
		if _, err := r.jobs.ReclaimStale(ctx, t.Name()); err != nil {
			return PopulateResult{}, err
		}
	}
	if err := r.plan(ctx); err != nil {
		return PopulateResult{}, err
	}
	r.runAll(ctx)
	// Keys that another worker held when their turn came may have been
	// left by a worker that died during this run: reclaim and retry them.
	if o.reserve && len(r.taken) > 0 && !r.stop.Load() && ctx.Err() == nil {
		reclaimed, err := r.jobs.ReclaimStale(ctx, t.Name())
		if err == nil && len(reclaimed) > 0 {
			set := map[string]bool{}
			for _, h := range reclaimed {
				set[h] = true
			}
			var again []job
			for _, jb := range r.taken {
				if set[jb.hash] {
					again = append(again, jb)
				}
			}
			r.mu.Lock()
			r.res.Skipped -= len(again)
			r.mu.Unlock()
			r.list, r.taken = again, nil
			r.next.Store(0)
			r.runAll(ctx)
		}
	}
	if r.first != nil {
		return r.res, r.first
	}
	if err := ctx.Err(); err != nil {
		return r.res, &Error{Op: "populate", Table: t.FullName(), Err: err}
	}
	return r.res, nil
}

// existsSQL is the statement that checks whether a key is in t.
func existsSQL(t *Table) string { return existsSQLOf(keyProbeSQL(t)) }

// plan fetches the keys to make, drops the ones ~jobs excludes, orders and
// truncates them.
func (r *populateRun[T]) plan(ctx context.Context) error {
	ks, err := keySourceOf(ctx, r.c, r.t, any(new(T)))
	if err != nil {
		return err
	}
	if r.o.keysSet {
		ks = ks.Restrict(MatchAny(r.o.keys))
	}
	todo := ks.Restrict(r.o.restrictions...).Proj().Exclude(r.t.Expr())
	if r.o.limit > 0 {
		todo = todo.Limit(r.o.limit)
	}
	keys, err := FetchKeys(ctx, r.c, todo)
	if err != nil {
		return opError("populate", r.t.FullName(), "", err)
	}
	h := todo.Heading()
	names := todo.PrimaryKey()
	var excluded map[string]bool
	if r.o.reserve {
		excluded = map[string]bool{}
		rows, err := r.c.QueryContext(ctx, jobsExcludedSQL(r.jobs.FullName()), r.t.Name())
		if err != nil {
			return opError("populate", r.t.FullName(), "", err)
		}
		for rows.Next() {
			var hs string
			if err := rows.Scan(&hs); err != nil {
				rows.Close()
				return opError("populate", r.t.FullName(), "", err)
			}
			excluded[hs] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return opError("populate", r.t.FullName(), "", err)
		}
	}
	list := make([]job, 0, len(keys))
	for _, k := range keys {
		jb := job{key: k}
		if r.o.reserve {
			pk, err := PyKey(&h, k)
			if err != nil {
				return opError("populate", r.t.FullName(), "", err)
			}
			jb.hash = KeyHash(pk)
			if excluded[jb.hash] {
				continue
			}
			if jb.blob, err = keyBlob(names, pk); err != nil {
				return opError("populate", r.t.FullName(), "", err)
			}
		}
		list = append(list, jb)
	}
	switch r.o.order {
	case OrderReverse:
		for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
			list[i], list[j] = list[j], list[i]
		}
	case OrderRandom:
		rand.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
	}
	if r.o.maxCalls > 0 && len(list) > r.o.maxCalls {
		list = list[:r.o.maxCalls]
	}
	r.list = list
	return nil
}

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
	stopBar := startProgress(r.o.progress, r.t.ClassName(), int64(len(r.list)), &r.done)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.worker(ctx)
		}()
	}
	wg.Wait()
	stopBar()
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
	for !r.stop.Load() && ctx.Err() == nil {
		i := r.next.Add(1) - 1
		if i >= int64(len(r.list)) {
			return
		}
		jb := r.list[i]
		r.makeKey(ctx, w, jb)
		r.done.Add(1)
	}
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
// is lost (a server restart).
func (r *populateRun[T]) makeKey(ctx context.Context, w *worker, jb job) {
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
				return
			}
			held = out == retryTx
			attempt--
			time.Sleep(time.Duration(rand.IntN(conflicts*5)+1) * time.Millisecond)
			continue
		case made:
			w.observe(false)
			r.mu.Lock()
			r.res.Made++
			r.mu.Unlock()
			return
		case skipped:
			w.observe(true)
			r.mu.Lock()
			r.res.Skipped++
			r.mu.Unlock()
			return
		case taken:
			w.observe(true)
			r.mu.Lock()
			r.res.Skipped++
			r.taken = append(r.taken, jb)
			r.mu.Unlock()
			return
		case cancelled:
			return
		case failed:
			r.fail(jb.key, err)
			return
		case lost:
			if attempt >= 5 || ctx.Err() != nil {
				r.fail(jb.key, err)
				return
			}
			old := w.connID
			if cerr := r.connect(ctx, w); cerr != nil {
				r.fail(jb.key, errors.Join(err, cerr))
				r.stop.Store(true)
				return
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

// isLost reports a dead connection (server restart or network loss).
func isLost(err error) bool {
	return errors.Is(err, ErrLostConnection) || errors.Is(err, driverBadConn) || errors.Is(err, sql.ErrConnDone)
}

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
			if ctx.Err() != nil {
				return r.afterError(ctx, w, jb, err)
			}
			if isLost(err) {
				return lost, err
			}
			if isLockConflict(err) {
				return retryReserve, err
			}
			return failed, err
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
			if ctx.Err() != nil {
				// The INSERT may have committed before the cancellation
				// reached it: release what this connection may hold.
				return r.afterError(ctx, w, jb, err)
			}
			if isLost(err) {
				return lost, err
			}
			if isLockConflict(err) {
				return retryReserve, err
			}
			return failed, err
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
		return nil
	})
	if err == errMadeElsewhere {
		return r.madeElsewhere(ctx, w, jb, args, duplicate)
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
			// A cancelled statement can take the worker's connection down
			// with it: fall back to the pool.
			if _, rerr := r.c.exec(bg, w.sc, r.jobs.releaseSQL(), r.t.Name(), jb.hash, w.connID); rerr != nil {
				if _, rerr := r.c.exec(bg, r.c.db, r.jobs.releaseSQL(), r.t.Name(), jb.hash, w.connID); rerr != nil {
					r.c.log.Warn("dj: releasing reservation failed", "table", r.t.Name(), "key_hash", jb.hash, "err", rerr)
				}
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
