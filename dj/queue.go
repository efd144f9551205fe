package dj

import (
	"context"
	"crypto/md5"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// DefaultQueueRetention is how long Refresh keeps the rows of made keys
// when RefreshOptions.Retention is zero.
const DefaultQueueRetention = 24 * time.Hour

// queueFillBatch is the number of keys per INSERT when the client
// computes the key hashes.
const queueFillBatch = 500

// Queue is the job queue of one schema: a hidden table (`~queue`, which
// DataJoint for Python 0.14 ignores, as it ignores every table whose name
// starts with "~") holding the keys of its auto-populated tables to make,
// being made, made and failed. One process fills it from the key sources
// (Refresh, or the first populate worker with UseQueue); workers with
// UseQueue then pop keys from it instead of each evaluating the key
// source, and record in it who made each key, when, and how long it took.
// Populate still writes DataJoint's ~jobs reservations, so DataJoint for
// Python workers on the same tables keep skipping the keys being made.
type Queue struct {
	conn *Conn
	db   string

	once    sync.Once
	initErr error
}

// Queue returns the job queue of the schema, creating its table on first
// use.
func (s *Schema) Queue() *Queue { return QueueOf(s.conn, s.name) }

// QueueOf returns the job queue of database db on c.
func QueueOf(c *Conn, db string) *Queue { return &Queue{conn: c, db: db} }

// FullName returns the quoted `db`.`~queue`.
func (q *Queue) FullName() string { return schema.QuoteFull(q.db, queueTable) }

// init creates the table if needed; a read-only connection reads the
// table if it exists.
func (q *Queue) init(ctx context.Context) error {
	q.once.Do(func() {
		if q.conn.cfg.ReadOnly {
			return
		}
		if _, err := q.conn.exec(ctx, q.conn.db, queueTableSQL(q.db)); err != nil {
			q.initErr = opError("declare", q.FullName(), "", err)
		}
	})
	return q.initErr
}

// RefreshOptions configures Refresh.
type RefreshOptions struct {
	// Tables names the tables to refresh, by table name ("__filtered") or
	// class name ("Filtered"); every auto-populated table of the schema
	// when empty.
	Tables []string
	// Priority is the priority of the keys the refresh adds (higher are
	// made first); keys already queued keep theirs (see SetPriority).
	Priority int
	// Retention is how long the rows of made keys are kept
	// (DefaultQueueRetention when zero); older ones are purged. Negative
	// keeps them.
	Retention time.Duration
}

// QueueRefresh reports the refresh of one table.
type QueueRefresh struct {
	Table   string        // bare table name
	Pending int64         // pending keys after the refresh
	Queued  int64         // keys that became pending
	Dropped int64         // pending keys dropped: made elsewhere, or gone from the key source
	Purged  int64         // rows of made keys purged after the retention
	Elapsed time.Duration // time the refresh took, including the key source
}

// Refresh evaluates the key source of each selected auto-populated table
// once and queues its missing keys: the keys of the key source that are
// not in the table. Where the key's attributes allow (integers, strings,
// enums, dates) the server computes the keys' hashes and inserts them in
// one INSERT ... SELECT, without sending the keys to the client.
// Pending keys that are no longer missing are dropped, done keys that are
// missing again are pending again, and errors stay errors (see Requeue).
// The key source is the table's Go type's KeySource when the type is
// declared or bound on the connection, else the join of its primary-key
// parents. Refreshes of one table are serialized by a server lock.
func (q *Queue) Refresh(ctx context.Context, o RefreshOptions) ([]QueueRefresh, error) {
	if err := q.conn.refuseWrite("queue", q.FullName()); err != nil {
		return nil, err
	}
	s := &Schema{conn: q.conn, name: q.db}
	var tables []*Table
	if len(o.Tables) == 0 {
		all, err := s.Tables(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range all {
			if t.Tier().AutoPopulated() {
				tables = append(tables, t)
			}
		}
	} else {
		for _, n := range o.Tables {
			t, err := s.Table(ctx, n)
			if err != nil {
				return nil, err
			}
			if !t.Tier().AutoPopulated() {
				return nil, &Error{Op: "refresh", Table: t.FullName(), Err: fmt.Errorf("%w: only Imported and Computed tables have a key source, %s is %s", ErrInvalidQuery, t.ClassName(), t.Tier())}
			}
			tables = append(tables, t)
		}
	}
	out := make([]QueueRefresh, 0, len(tables))
	for _, t := range tables {
		ks, err := keySourceOf(ctx, q.conn, t, q.conn.boundRow(t))
		if err != nil {
			return out, err
		}
		r, err := q.refreshTable(ctx, t, ks, o, 0)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

// RefreshQueue refreshes the queue of T's table (see Queue.Refresh) from
// T's key source; o.Tables is ignored.
func RefreshQueue[T any](ctx context.Context, c *Conn, o RefreshOptions) (QueueRefresh, error) {
	t, err := TableOf[T](c)
	if err != nil {
		return QueueRefresh{}, err
	}
	ks, err := keySourceOf(ctx, c, t, any(new(T)))
	if err != nil {
		return QueueRefresh{}, err
	}
	return QueueOf(c, t.meta.Database).refreshTable(ctx, t, ks, o, 0)
}

// boundRow returns a new value of the Go type bound to t's table on c (so
// that its KeySource method is found), or nil.
func (c *Conn) boundRow(t *Table) any {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for typ, bt := range c.tables {
		if bt.meta.Database == t.meta.Database && bt.meta.Name == t.meta.Name {
			return reflect.New(typ).Interface()
		}
	}
	return nil
}

// refreshTable refreshes one table under its server lock. With
// ifOlder > 0 the refresh is skipped (a zero QueueRefresh, false) when
// another process refreshed the table less than ifOlder ago while this
// one waited for the lock; ifOlder < 0 skips it when the table was ever
// refreshed.
func (q *Queue) refreshTable(ctx context.Context, t *Table, ks Expr, o RefreshOptions, ifOlder time.Duration) (QueueRefresh, error) {
	start := time.Now()
	res := QueueRefresh{Table: t.Name()}
	if err := q.init(ctx); err != nil {
		return res, err
	}
	sc, err := q.conn.db.Conn(ctx)
	if err != nil {
		return res, opError("refresh", q.FullName(), "", err)
	}
	defer sc.Close()
	lock := queueLockName(q.db, t.Name())
	var got sql.NullInt64
	if err := q.conn.queryRow(ctx, sc, getLockSQL, lock, 3600).Scan(&got); err != nil {
		return res, opError("refresh", q.FullName(), "", err)
	}
	if got.Int64 != 1 {
		return res, &Error{Op: "refresh", Table: q.FullName(), Err: fmt.Errorf("%w: could not take the refresh lock %q", ErrConflict, lock)}
	}
	defer func() {
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		var n sql.NullInt64
		_ = q.conn.queryRow(bg, sc, releaseLockSQL, lock).Scan(&n)
	}()
	full := q.FullName()
	if ifOlder != 0 {
		var pending int64
		var age sql.NullInt64
		var stale bool
		if err := q.conn.queryRow(ctx, sc, queueProbeSQL(full), t.Name(), t.Name(), t.Name(), int64(time.Hour/time.Microsecond)).Scan(&pending, &age, &stale); err != nil {
			return res, opError("refresh", full, "", err)
		}
		if age.Valid && (ifOlder < 0 || time.Duration(age.Int64)*time.Microsecond < ifOlder) {
			res.Pending = pending
			return res, nil
		}
	}
	todo := ks.Proj().Exclude(t.Expr())
	if err := todo.Err(); err != nil {
		return res, &Error{Op: "refresh", Table: t.FullName(), Err: err}
	}
	before, err := q.countPending(ctx, sc, t.Name())
	if err != nil {
		return res, err
	}
	gen := uint64(time.Now().UnixNano())
	h := todo.Heading()
	names := todo.PrimaryKey()
	attrs := make([]*schema.Attribute, len(names))
	for i, n := range names {
		attrs[i], _ = h.Attr(n)
	}
	if queueServerKey(attrs) {
		src, args, err := todo.SQL()
		if err != nil {
			return res, &Error{Op: "refresh", Table: t.FullName(), Err: err}
		}
		sorted := slices.Clone(names)
		slices.Sort(sorted)
		all := append([]any{t.Name(), o.Priority, gen}, args...)
		all = append(all, gen)
		fill := queueFillSQL(full, src, names, sorted)
		// Under READ COMMITTED the INSERT ... SELECT reads the key source
		// and the target without locking their rows, so workers inserting
		// results meanwhile neither wait for it nor deadlock with it. A
		// server whose statement-based binary log refuses that runs it
		// under its default isolation.
		_, err = q.conn.exec(ctx, sc, queueClaimIsolationSQL)
		if err == nil {
			_, err = q.conn.exec(ctx, sc, fill, all...)
		}
		if err != nil && ctx.Err() == nil {
			_, err = q.conn.exec(ctx, sc, fill, all...)
		}
		if err != nil {
			return res, opError("refresh", full, "", err)
		}
	} else if err := q.fillFromClient(ctx, sc, t, todo, o.Priority, gen); err != nil {
		return res, err
	}
	r, err := q.conn.exec(ctx, sc, queueDropStaleSQL(full), t.Name(), gen)
	if err != nil {
		return res, opError("refresh", full, "", err)
	}
	res.Dropped, _ = r.RowsAffected()
	if _, err := q.conn.exec(ctx, sc, queueMarkRefreshSQL(full), t.Name(), gen); err != nil {
		return res, opError("refresh", full, "", err)
	}
	retention := o.Retention
	if retention == 0 {
		retention = DefaultQueueRetention
	}
	if retention > 0 {
		r, err := q.conn.exec(ctx, sc, queuePurgeSQL(full, true), t.Name(), int64(retention/time.Microsecond))
		if err != nil {
			return res, opError("refresh", full, "", err)
		}
		res.Purged, _ = r.RowsAffected()
	}
	if res.Pending, err = q.countPending(ctx, sc, t.Name()); err != nil {
		return res, err
	}
	res.Queued = max(0, res.Pending-before+res.Dropped)
	res.Elapsed = time.Since(start)
	q.conn.log.Info("dj: queue refreshed", "table", t.FullName(), "pending", res.Pending, "queued", res.Queued, "dropped", res.Dropped, "elapsed", res.Elapsed)
	return res, nil
}

// countPending counts the pending keys of a table.
func (q *Queue) countPending(ctx context.Context, r runner, table string) (int64, error) {
	var n int64
	err := q.conn.queryRow(ctx, r, "SELECT COUNT(*) FROM "+q.FullName()+" WHERE `table_name`=? AND `status`='pending'", table).Scan(&n)
	return n, opError("refresh", q.FullName(), "", err)
}

// fillFromClient queues the keys of todo with hashes computed here (key
// attributes whose server text is not Python's, such as floats, UUIDs
// and datetimes), in batches.
func (q *Queue) fillFromClient(ctx context.Context, r runner, t *Table, todo Expr, priority int, gen uint64) error {
	keys, err := FetchKeys(ctx, q.conn, todo)
	if err != nil {
		return opError("refresh", t.FullName(), "", err)
	}
	h := todo.Heading()
	names := todo.PrimaryKey()
	for start := 0; start < len(keys); start += queueFillBatch {
		batch := keys[start:min(start+queueFillBatch, len(keys))]
		args := make([]any, 0, 5*len(batch)+1)
		for _, k := range batch {
			pk, err := PyKey(&h, k)
			if err != nil {
				return opError("refresh", t.FullName(), "", err)
			}
			js, err := queueKeyJSON(&h, names, k)
			if err != nil {
				return &Error{Op: "refresh", Table: t.FullName(), Err: err}
			}
			args = append(args, t.Name(), KeyHash(pk), js, priority, gen)
		}
		args = append(args, gen)
		if _, err := q.conn.exec(ctx, r, queueInsertSQL(q.FullName(), len(batch)), args...); err != nil {
			return opError("refresh", q.FullName(), "", err)
		}
	}
	return nil
}

// queueKeyJSON encodes a key as FetchKeys returns it into the JSON object
// stored in the queue, each value in a form queueKey turns back into the
// same Go value.
func queueKeyJSON(h *schema.Heading, names []string, key Key) (string, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		nb, _ := json.Marshal(n)
		b.Write(nb)
		b.WriteByte(':')
		a, _ := h.Attr(n)
		var v any
		switch x := key[n].(type) {
		case nil:
			return "", fmt.Errorf("%w: NULL in the key attribute %q", ErrType, n)
		case time.Time:
			if a != nil && a.Type == "date" {
				v = x.Format("2006-01-02")
			} else {
				v = x.Format("2006-01-02 15:04:05.999999")
			}
		case time.Duration:
			v = formatDuration(x)
		case uuid.UUID:
			v = x.String()
		case []byte:
			if !utf8.Valid(x) {
				return "", fmt.Errorf("%w: the key attribute %q holds bytes that are not text, which the queue cannot store", ErrType, n)
			}
			v = string(x)
		case string:
			if !utf8.ValidString(x) {
				return "", fmt.Errorf("%w: the key attribute %q holds bytes that are not text, which the queue cannot store", ErrType, n)
			}
			v = x
		default:
			v = x
		}
		vb, err := json.Marshal(v)
		if err != nil {
			return "", fmt.Errorf("%w: key attribute %q: %w", ErrType, n, err)
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.String(), nil
}

// queueKey decodes a key stored in the queue into the Go values FetchKeys
// gives for the attributes of h.
func queueKey(h *schema.Heading, names []string, raw []byte) (Key, error) {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: queued key %q: %w", ErrType, raw, err)
	}
	key := make(Key, len(names))
	for _, n := range names {
		a, ok := h.Attr(n)
		if !ok {
			return nil, fmt.Errorf("%w: %q is not an attribute of the key source", ErrUnknownAttribute, n)
		}
		v, err := queueValue(a, m[n])
		if err != nil {
			return nil, fmt.Errorf("queued key attribute %q: %w", n, err)
		}
		key[n] = v
	}
	return key, nil
}

// queueValue converts one JSON value of a queued key.
func queueValue(a *schema.Attribute, v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, fmt.Errorf("%w: the queued key lacks a value", ErrMissingAttribute)
	case json.Number:
		switch a.Category {
		case schema.CatFloat:
			if strings.HasPrefix(a.Type, "float") {
				f, err := strconv.ParseFloat(x.String(), 32)
				return float32(f), err
			}
			return x.Float64()
		case schema.CatDecimal:
			return x.String(), nil
		}
		if i, err := x.Int64(); err == nil {
			return i, nil
		}
		return strconv.ParseUint(x.String(), 10, 64)
	case string:
		switch a.Category {
		case schema.CatUUID:
			return uuid.Parse(x)
		case schema.CatTemporal:
			return naturalPlain(a, []byte(x), nil)
		}
		return x, nil
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	}
	return nil, fmt.Errorf("%w: unexpected queued value %v", ErrType, v)
}

// md5hex is the lowercase hex MD5 of s.
func md5hex(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

// errQueueTableMissing reports whether err is the missing ~queue table.
func errQueueTableMissing(err error) bool { return errors.Is(err, ErrMissingTable) }
