package share

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/external"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// copyRows copies the rows of source table id selected by from (the
// table aliased `s`) to its destination, skipping rows whose primary key
// pk is already there: by one INSERT ... SELECT on the source session when
// both are on the same server, otherwise streamed in batches.
func (cl *cloner) copyRows(ctx context.Context, id schema.TableID, pk []string, from string) error {
	var names, exprs []string
	err := queryEach(ctx, cl.q, columnsSQL, []any{id.Database, id.Table}, func(sc func(...any) error) error {
		var c, typ string
		if err := sc(&c, &typ); err != nil {
			return err
		}
		names = append(names, c)
		e := "`s`." + schema.QuoteIdent(c)
		if strings.EqualFold(typ, "float") && !cl.res.SameServer {
			// The server prints a FLOAT with 6 digits, and exactly as a
			// DOUBLE.
			e = "CAST(" + e + " AS DOUBLE)"
		}
		exprs = append(exprs, e)
		return nil
	})
	if err != nil {
		return fmt.Errorf("share: clone: columns of %s: %w", id, err)
	}
	did := cl.dstID(id)
	head, tail := upsertSQL(did, names, pk[0])
	sel := "SELECT " + strings.Join(exprs, ", ") + " FROM " + from
	var n int64
	if cl.res.SameServer {
		r, err := cl.q.ExecContext(ctx, head+sel+tail)
		if err != nil {
			return fmt.Errorf("share: clone: copy %s to %s: %w", id, did, err)
		}
		if n, err = r.RowsAffected(); err != nil {
			return fmt.Errorf("share: clone: copy %s to %s: %w", id, did, err)
		}
	} else if n, err = cl.stream(ctx, sel, head, tail, len(names)); err != nil {
		return fmt.Errorf("share: clone: copy %s to %s: %w", id, did, err)
	}
	cl.res.Rows = append(cl.res.Rows, TableRows{Table: did, Rows: n})
	cl.o.Progress(Progress{Table: id, Rows: n})
	return nil
}

// stream reads the rows of sel on the source session and inserts them
// with head VALUES ... tail on the destination (see batchInsert).
func (cl *cloner) stream(ctx context.Context, sel, head, tail string, ncol int) (int64, error) {
	rows, err := cl.q.QueryContext(ctx, sel)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	vals := make([]any, ncol)
	ptrs := make([]any, ncol)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n, err := batchInsert(ctx, cl.dst, head, tail, ncol, cl.o.BatchRows, func() ([]any, error) {
		if !rows.Next() {
			return nil, rows.Err()
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		return vals, nil
	})
	if err != nil {
		return n, err
	}
	return n, rows.Err()
}

// insertWorkers is the number of batches batchInsert sends at once: one
// is built while others run on the server.
const insertWorkers = 2

// upsertSQL is the head and the tail of an INSERT of the columns names
// into did that keeps a row already there (its first key column pk0 set
// to itself): a resumed copy writes what is missing.
func upsertSQL(did schema.TableID, names []string, pk0 string) (head, tail string) {
	pk := schema.QuoteIdent(pk0)
	return "INSERT INTO " + did.Quoted() + " (" + cols("", names) + ") ", " ON DUPLICATE KEY UPDATE " + pk + " = VALUES(" + pk + ")"
}

// batchInsert inserts the rows that next returns (nil at the end; the
// values are copied before next is called again) with head VALUES ...
// tail on dst, in batches of at most batchRows rows and about a quarter
// of the destination's max_allowed_packet, insertWorkers batches at once.
// It returns the number of rows written.
func batchInsert(ctx context.Context, dst *dj.Conn, head, tail string, ncol, batchRows int, next func() ([]any, error)) (int64, error) {
	limit := max(dst.MaxAllowedPacket()/4, 1<<16)
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?,", ncol), ",") + ")"
	type batch struct {
		stmt string
		args []any
		n    int
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		total atomic.Int64
		wg    sync.WaitGroup
	)
	work := make(chan batch)
	for range insertWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				if ctx.Err() != nil {
					continue
				}
				if _, err := dst.ExecContext(ctx, b.stmt, b.args...); err != nil {
					cancel(err)
					continue
				}
				total.Add(int64(b.n))
			}
		}()
	}
	finish := func(err error) (int64, error) {
		close(work)
		wg.Wait()
		if cause := context.Cause(ctx); err == nil && cause != nil {
			err = cause
		}
		return total.Load(), err
	}
	var (
		args []any
		nrow int
		size int
	)
	flush := func() error {
		if nrow == 0 {
			return nil
		}
		stmt := head + "VALUES " + strings.TrimSuffix(strings.Repeat(tuple+",", nrow), ",") + tail
		select {
		case work <- batch{stmt, args, nrow}:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		args, nrow, size = make([]any, 0, len(args)), 0, 0
		return nil
	}
	for {
		vals, err := next()
		if err != nil {
			return finish(err)
		}
		if vals == nil {
			break
		}
		rowSize := 0
		for _, v := range vals {
			switch v := v.(type) {
			case []byte:
				rowSize += 2*len(v) + 12
			case string:
				rowSize += 2*len(v) + 3
			case time.Time:
				rowSize += 30
			default:
				rowSize += 24
			}
		}
		if nrow > 0 && (nrow >= batchRows || size+rowSize > limit) {
			if err := flush(); err != nil {
				return finish(err)
			}
		}
		args = append(args, vals...)
		nrow++
		size += rowSize
	}
	return finish(flush())
}

// trackedObject is one row of a tracking table: the object's hash and
// what locates it.
type trackedObject struct {
	hash     external.Hash
	size     int64
	attach   string
	filepath string
	contents []byte
}

// copyObjects copies the objects of s to the destination connection's
// store of the same name, Transfers at a time, checking each against its
// hash and skipping those already there.
func (cl *cloner) copyObjects(ctx context.Context, s *extSet) error {
	from, err := cl.src.Store(s.store)
	if err != nil {
		return fmt.Errorf("share: clone: source store %q: %w", s.store, err)
	}
	to, err := cl.dst.Store(s.store)
	if err != nil {
		return fmt.Errorf("share: clone: destination store %q: %w", s.store, err)
	}
	list, err := trackedObjects(ctx, cl.q, s)
	if err != nil {
		return fmt.Errorf("share: clone: objects of %s: %w", s.tracking, err)
	}
	srcDB, dstDB := s.tracking.Database, cl.o.Rename[s.tracking.Database]
	present, err := presentKeys(ctx, to, dstDB)
	if err != nil {
		return fmt.Errorf("share: clone: objects of %s: %w", s.tracking, err)
	}
	srcFolds, dstFolds := from.Config().Folds(), to.Config().Folds()
	n, err := putMissing(ctx, to, present, len(list), cl.o.Transfers, func(i int) (trackedObject, string, error) {
		_, dstKey := list[i].keys(srcDB, dstDB, srcFolds, dstFolds)
		return list[i], dstKey, nil
	}, func(ctx context.Context, i int, o trackedObject, dstKey string) (int64, error) {
		srcKey, _ := o.keys(srcDB, dstDB, srcFolds, dstFolds)
		data, err := o.fetch(ctx, from, srcKey)
		if err != nil {
			return 0, err
		}
		return int64(len(data)), o.put(ctx, from, to, srcKey, dstKey, data)
	})
	cl.res.Objects += n.copied
	cl.res.Skipped += n.skipped
	cl.res.Bytes += n.bytes
	cl.o.Progress(Progress{Table: s.tracking, Objects: n.copied, Skipped: n.skipped, Bytes: n.bytes})
	if err != nil {
		return fmt.Errorf("share: clone: objects of %s: %w", s.tracking, err)
	}
	return nil
}

// presentKeys lists the objects under db+"/" of the store: the blobs and
// attachments a copy finds there already, listed at once rather than
// asked for one by one.
func presentKeys(ctx context.Context, to external.Store, db string) (map[string]bool, error) {
	present := map[string]bool{}
	for info, err := range to.List(ctx, db+"/") {
		if err != nil {
			return nil, err
		}
		present[info.Key] = true
	}
	return present, nil
}

// objectCounts are what putMissing did: objects written, objects already
// in the store, bytes written.
type objectCounts struct{ copied, skipped, bytes int64 }

// putMissing writes n objects to the store to, transfers at a time: obj
// gives the i-th object's tracking row and its key in to; one already
// there (in present, or for a filepath object as the store says) is
// skipped; write reads, checks and writes the others and returns the
// bytes written. The counts cover what was done before an error.
func putMissing(ctx context.Context, to external.Store, present map[string]bool, n, transfers int,
	obj func(i int) (trackedObject, string, error),
	write func(ctx context.Context, i int, o trackedObject, key string) (int64, error)) (objectCounts, error) {
	var copied, skipped, bytes atomic.Int64
	err := parallel(ctx, n, transfers, func(ctx context.Context, i int) error {
		o, key, err := obj(i)
		if err != nil {
			return err
		}
		ok := present[key]
		if o.filepath != "" {
			if ok, err = to.Exists(ctx, key); err != nil {
				return err
			}
		}
		if ok {
			skipped.Add(1)
			return nil
		}
		size, err := write(ctx, i, o, key)
		if err != nil {
			return err
		}
		copied.Add(1)
		bytes.Add(size)
		return nil
	})
	return objectCounts{copied.Load(), skipped.Load(), bytes.Load()}, err
}

// trackedObjects lists the tracking rows of the objects of s, by hash.
func trackedObjects(ctx context.Context, q dj.Querier, s *extSet) ([]trackedObject, error) {
	var list []trackedObject
	err := queryEach(ctx, q, "SELECT `x`.`hash`, `x`.`size`, `x`.`attachment_name`, `x`.`filepath`, `x`.`contents_hash` FROM "+s.temp+" AS `k` JOIN "+s.tracking.Quoted()+" AS `x` USING (`hash`) ORDER BY `x`.`hash`", nil, func(sc func(...any) error) error {
		var (
			o           trackedObject
			h           []byte
			name, fpath *string
		)
		if err := sc(&h, &o.size, &name, &fpath, &o.contents); err != nil {
			return err
		}
		if len(h) != 16 {
			return fmt.Errorf("%w: tracking row with a %d-byte hash", dj.ErrStore, len(h))
		}
		copy(o.hash[:], h)
		if name != nil {
			o.attach = *name
		}
		if fpath != nil {
			o.filepath = *fpath
		}
		list = append(list, o)
		return nil
	})
	return list, err
}

// fetch reads the object at key of st and checks it against the tracking
// row; a mismatch names the key.
func (o trackedObject) fetch(ctx context.Context, st external.Store, key string) ([]byte, error) {
	data, err := st.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	if err := o.verify(data); err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	return data, nil
}

// put writes data under dstKey. A file (filepath@store) keeps the user
// metadata of its source object, such as the contents_hash DataJoint
// writes on S3.
func (o trackedObject) put(ctx context.Context, from, to external.Store, srcKey, dstKey string, data []byte) error {
	if o.filepath == "" {
		return to.Put(ctx, dstKey, data)
	}
	info, err := from.Stat(ctx, srcKey)
	if err != nil {
		return err
	}
	return putObject(ctx, to, dstKey, data, info.Metadata)
}

// putObject writes data under key, with the user metadata meta when
// there is any.
func putObject(ctx context.Context, to external.Store, key string, data []byte, meta map[string]string) error {
	if len(meta) == 0 {
		return to.Put(ctx, key, data)
	}
	f, err := os.CreateTemp("", "dj-share-*")
	if err != nil {
		return fmt.Errorf("%w: %w", dj.ErrStore, err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%w: %w", dj.ErrStore, err)
	}
	return to.PutFile(ctx, key, f.Name(), meta)
}

// keys returns the object's key in the source and destination stores.
func (o trackedObject) keys(srcDB, dstDB string, srcFolds, dstFolds []int) (string, string) {
	switch {
	case o.filepath != "":
		k := external.FilepathKey(o.filepath)
		return k, k
	case o.attach != "":
		return external.AttachKey(srcDB, o.hash, o.attach, srcFolds), external.AttachKey(dstDB, o.hash, o.attach, dstFolds)
	}
	return external.BlobKey(srcDB, o.hash, srcFolds), external.BlobKey(dstDB, o.hash, dstFolds)
}

// verify checks data against the object's hash: the MD5 of a blob, of an
// attachment's name and contents, or the contents hash of a file.
func (o trackedObject) verify(data []byte) error {
	var want, got external.Hash
	switch {
	case o.filepath != "":
		if len(o.contents) != 16 {
			return nil // the tracking row records no contents hash
		}
		copy(want[:], o.contents)
		got = external.ContentsHash(data)
	case o.attach != "":
		want, got = o.hash, external.AttachHash(o.attach, data)
	default:
		want, got = o.hash, external.BlobHash(data)
	}
	if want != got {
		return fmt.Errorf("%w: contents hash %s, tracking row says %s", dj.ErrStore, got, want)
	}
	if int64(len(data)) != o.size && o.filepath == "" {
		return fmt.Errorf("%w: %d bytes, tracking row says %d", dj.ErrStore, len(data), o.size)
	}
	return nil
}

// parallel runs fn(ctx, 0..n-1) on at most workers goroutines; the first
// error stops the others and is returned.
func parallel(ctx context.Context, n, workers int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(ctx, i); err != nil {
					cancel(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return nil
}
