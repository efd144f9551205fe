package dj

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/datajoint-go/datajoint/dj/internal/query"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// makeSpec is how populate makes one key: prepare (optional) runs before
// the transaction, inTx inside it.
type makeSpec[T any] struct {
	prepare func(ctx context.Context, q Querier, row *T) (any, error)
	inTx    func(ctx context.Context, tx *Tx, row *T, prepared any) error
	table   *Table // the target when T is not a bound struct (PopulateMaps)
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
			if !slices.Contains(pk, a) {
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
	meta, err := schema.Load(ctx, c, db, name)
	if err != nil {
		return nil, err
	}
	setExternalDatabase(meta)
	return meta, nil
}

// job is one key to make, with what the ~jobs table needs of it.
type job struct {
	key  Key
	hash string
	blob []byte

	// qid and token identify the queue row a worker claimed (UseQueue);
	// started is when its make began.
	qid     int64
	token   string
	started time.Time
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
	mu    sync.Mutex
	res   PopulateResult
	first error
	taken []job // keys found reserved by another worker

	// counts are the exact counts the progress display and the log show.
	counts populateCounts

	// With UseQueue: the queue, and the key source's heading and key
	// names (to decode popped keys).
	queue    *Queue
	qHeading schema.Heading
	qNames   []string
	// noSkipLocked is set once the server refused SKIP LOCKED.
	noSkipLocked atomic.Bool
}

func populate[T any](ctx context.Context, c *Conn, spec makeSpec[T], optList []PopulateOption) (PopulateResult, error) {
	o := populateOptions{workers: 1}
	for _, f := range optList {
		f(&o)
	}
	t, err := spec.table, error(nil)
	if t == nil {
		t, err = TableOf[T](c)
	}
	if err != nil {
		return PopulateResult{}, err
	}
	if !t.Tier().AutoPopulated() {
		return PopulateResult{}, &Error{Op: "populate", Table: t.FullName(), Err: fmt.Errorf("%w: only Imported and Computed tables are populated, %s is %s", ErrInvalidQuery, t.ClassName(), t.Tier())}
	}
	if err := c.refuseWrite("populate", t.FullName()); err != nil {
		return PopulateResult{}, err
	}
	// The key source, the makes and their reads see the server, never a
	// replica that may lag behind it.
	ctx = UsePrimary(ctx)
	var fields []schema.Field
	if spec.table == nil {
		fm, err := schema.Fields(reflect.TypeFor[T]())
		if err != nil {
			return PopulateResult{}, err
		}
		fields = fm.Fields
	}
	r := &populateRun[T]{c: c, t: t, spec: spec, o: o, pk: t.PrimaryKey(), fields: fields}
	r.exists = existsSQL(t)
	if o.queue {
		return r.runQueue(ctx)
	}
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
	start, planned := time.Now(), len(r.list)
	defer func() { r.logSummary(ctx, planned, time.Since(start)) }()
	stopProgress := startProgress(o.progress, c.cfg.Logger, o.progressEvery, t.ClassName(), int64(planned), &r.counts)
	defer stopProgress()
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
			r.counts.skipped.Add(-int64(len(again)))
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
