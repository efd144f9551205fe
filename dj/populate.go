package dj

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"time"
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

	progressEvery time.Duration // see ProgressEvery

	queue        bool          // see UseQueue
	beatEvery    time.Duration // see Heartbeat
	beatTimeout  time.Duration
	refreshEvery time.Duration // see QueueRefreshEvery
}

// RestrictKeys restricts the key source by conditions (AND-ed), as the
// positional restrictions of DataJoint's populate.
func RestrictKeys(conds ...Cond) PopulateOption {
	return func(o *populateOptions) { o.restrictions = append(o.restrictions, conds...) }
}

// OnlyKeys makes only the given keys (DataJoint's keys=...). Each key must
// identify rows of the key source; keys that are not in the key source or
// are already made are skipped.
func OnlyKeys(keys ...Key) PopulateOption {
	return func(o *populateOptions) { o.keys, o.keysSet = append(o.keys, keys...), true }
}

// ReserveJobs reserves every key in the schema's ~jobs table before making
// it, so that any number of populate calls, in any processes on any hosts,
// Go or DataJoint for Python, never make a key twice, and failed keys are
// recorded there as errors (and skipped until cleared).
func ReserveJobs() PopulateOption { return func(o *populateOptions) { o.reserve = true } }

// UseQueue makes populate take its keys from the schema's job queue (see
// Queue) instead of evaluating the key source: each worker pops one key
// at a time with a single atomic statement, reserves it in ~jobs as
// ReserveJobs does (so DataJoint for Python workers skip it), sends
// heartbeats while the make runs (see Heartbeat), and records the
// outcome and duration in the queue. When the table's queue was never
// filled (or, with QueueRefreshEvery, was filled too long ago) the first
// worker to take the table's refresh lock fills it while the others wait
// for the lock. Populate returns when the queue has no pending key left.
//
// With UseQueue, RestrictKeys, OnlyKeys, LimitKeys and OrderKeys do not
// apply (populate returns ErrInvalidQuery for the first three): the queue
// decides the keys and their order (higher priority first, see
// Queue.SetPriority; newest first within a priority). Claims use SELECT
// ... FOR UPDATE SKIP LOCKED (MariaDB 10.6, MySQL 8.0); on older servers
// each claim is one UPDATE ... LIMIT 1, which concurrent workers wait on.
func UseQueue() PopulateOption {
	return func(o *populateOptions) { o.queue, o.reserve = true, true }
}

// Default heartbeat settings of UseQueue.
const (
	DefaultHeartbeatEvery   = 10 * time.Second
	DefaultHeartbeatTimeout = 60 * time.Second
)

// Heartbeat sets how often a worker with UseQueue refreshes the heartbeat
// of the key it is making (every, DefaultHeartbeatEvery when zero), on a
// connection of its own, outside the make's transaction; and after how
// long without a heartbeat a reservation counts as abandoned and returns
// to the queue (timeout, DefaultHeartbeatTimeout when zero; keep it
// several times every). Unlike the connection-id check of ReserveJobs,
// heartbeats work behind connection poolers and across server failovers.
func Heartbeat(every, timeout time.Duration) PopulateOption {
	return func(o *populateOptions) { o.beatEvery, o.beatTimeout = every, timeout }
}

// QueueRefreshEvery makes a populate with UseQueue refill the table's
// queue from its key source when the last refresh is older than d (one
// worker refreshes, under the table's refresh lock). Without it the queue
// is filled only once, by the first worker; refill it with Queue.Refresh
// or "dj jobs refresh" when upstream tables change.
func QueueRefreshEvery(d time.Duration) PopulateOption {
	return func(o *populateOptions) { o.refreshEvery = d }
}

// Workers runs n makes concurrently, each on a goroutine with its own
// connection (default 1). Combine with ReserveJobs to share the work with
// other processes too.
func Workers(n int) PopulateOption { return func(o *populateOptions) { o.workers = n } }

// LimitKeys is DataJoint's limit: at most n keys are fetched from the key
// source, in primary-key order, before the keys that are reserved, failed
// or ignored in ~jobs are dropped. With ReserveJobs it can therefore leave
// fewer than n keys, even none, while work remains (DataJoint issue
// #1203). Use MaxCalls to bound the number of makes.
func LimitKeys(n int) PopulateOption { return func(o *populateOptions) { o.limit = n } }

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
