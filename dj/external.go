package dj

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/google/uuid"
	"gonum.org/v1/gonum/mat"

	"github.com/datajoint-go/datajoint/dj/blob"
	"github.com/datajoint-go/datajoint/dj/external"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// External storage, DataJoint 0.14 layout.
//
// An external attribute (blob@store, attach@store, filepath@store) holds in
// its binary(16) column the UUID of an object placed in the named store and
// tracked by a row of the schema's ~external_<store> table:
//
//	blob@store      UUID = MD5(serialized blob)             object <location>/<db>/<aa>/<bb>/<hex>
//	attach@store    UUID = MD5(name + "\x00" + contents)    object <location>/<db>/<aa>/<bb>/<hex>.<name>
//	filepath@store  UUID = MD5(relative path)               object <location>/<relative path>
//
// where hex is the UUID as 32 lowercase hexadecimal digits and aa, bb are
// its first folds (the store's subfolding, (2,2) by default). Inserts place
// the objects first, in parallel, then upsert the tracking rows and write
// the user rows in one transaction, so no committed row refers to an object
// that was not stored.

// extValue is the encoded form of a value of an external attribute before
// its object is stored: encodeValue returns it and storeExternal replaces
// it by the 16 hash bytes.
type extValue struct {
	attr *schema.Attribute
	v    any
	// data is the serialized blob when encodeExternal already made it.
	data []byte
}

// emptyDict is the serialization of an empty dict: what a Go struct whose
// state is all unexported becomes.
var emptyDict, _ = blob.Marshal(map[string]any{})

// encodeExternal checks that v can be stored in external attribute a and
// defers the work to storeExternal. v is the value with pointers and
// driver.Valuers resolved; orig is the value as the caller holds it, which
// a blob is serialized from (pointer types such as *mat.Dense have their own
// encodings, their dereferenced structs do not).
func encodeExternal(a *schema.Attribute, v, orig any) (any, error) {
	switch a.Category {
	case schema.CatExternalBlob:
		return encodeExternalBlob(a, orig)
	case schema.CatExternalAttach:
		switch x := v.(type) {
		case Attachment:
			if x.Name == "" || strings.ContainsRune(x.Name, 0) {
				return nil, fmt.Errorf("%w: attachment needs a file name without NUL", ErrType)
			}
		case string:
			if x == "" {
				return nil, fmt.Errorf("%w: empty file path for attachment", ErrType)
			}
		default:
			return nil, fmt.Errorf("%w: cannot use %T as an attachment (want dj.Attachment or a file path)", ErrType, v)
		}
	case schema.CatFilepath:
		s, ok := v.(string)
		if !ok || s == "" {
			return nil, fmt.Errorf("%w: a filepath attribute takes a local file path (string), got %T", ErrType, v)
		}
	}
	return &extValue{attr: a, v: v}, nil
}

// encodeExternalBlob prepares a blob@store value. A struct (or pointer to
// one) is serialized here, before any object is stored, and refused when
// it would be stored as an empty dict although it has fields: its state is
// unexported and the stored object would not hold it.
func encodeExternalBlob(a *schema.Attribute, orig any) (any, error) {
	switch orig.(type) {
	case mat.Matrix, *blob.Array:
		// Encoded by the codec's own rules, on the upload workers.
		return &extValue{attr: a, v: orig}, nil
	}
	rv := reflect.ValueOf(orig)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			break
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct || rv.NumField() == 0 {
		return &extValue{attr: a, v: orig}, nil
	}
	data, err := blob.Marshal(orig)
	if err != nil {
		return nil, typeErr(err)
	}
	if bytes.Equal(data, emptyDict) {
		return nil, fmt.Errorf("%w: %T would be stored as an empty struct: its contents are not exported (pass a pointer for gonum matrices and *blob.Array)", ErrType, orig)
	}
	return &extValue{attr: a, v: orig, data: data}, nil
}

// extObject is one object to be placed in a store.
type extObject struct {
	store    string
	kind     schema.Category
	hash     uuid.UUID
	path     string // object key in the store, relative to its location
	data     []byte // contents (blob, attach); nil for filepath
	local    string // filepath: the local file
	rel      string // filepath: the path relative to the stage
	name     string // attach: the file name
	size     int64
	contents uuid.UUID // filepath: MD5 of the contents
	upload   bool
}

func (o *extObject) key() string { return o.store + "\x00" + string(o.hash[:]) }

// storeExternal places the objects of the external attributes among cols
// (values holds len(values)/len(cols) encoded rows) and replaces each
// pending value by the 16 bytes of its UUID. It returns the statements that
// upsert the tracking rows; the caller runs them before the rows' INSERT,
// in the same transaction. Nothing is written to the database when an
// object cannot be stored.
func (t *Table) storeExternal(ctx context.Context, q Querier, cols []*schema.Attribute, values []any) ([]statement, error) {
	width := len(cols)
	var pos []int
	for j, a := range cols {
		if a.Category.External() {
			pos = append(pos, j)
		}
	}
	if len(pos) == 0 || width == 0 {
		return nil, nil
	}
	var idx []int // indexes into values of pending external values
	for r := 0; r < len(values)/width; r++ {
		for _, j := range pos {
			if _, ok := values[r*width+j].(*extValue); ok {
				idx = append(idx, r*width+j)
			}
		}
	}
	if len(idx) == 0 {
		return nil, nil
	}
	conn := q.djConn()
	db := t.meta.Database
	stores := map[string]*storeHandle{}
	for _, i := range idx {
		a := values[i].(*extValue).attr
		if _, ok := stores[a.Store]; ok {
			continue
		}
		h, err := conn.storeHandle(a.Store)
		if err != nil {
			return nil, &Error{Op: "insert", Table: t.FullName(), Attr: a.Name, Err: err}
		}
		stores[a.Store] = h
	}

	// Each worker serializes and hashes a value, then uploads it unless an
	// identical object was claimed by another value of the batch, so
	// hashing overlaps the transfers. Filepaths are uploaded after the
	// check against their tracking rows.
	workers := 1
	for _, h := range stores {
		workers = max(workers, h.parallel())
	}
	objs := make([]*extObject, len(idx))
	var mu sync.Mutex
	claimed := map[string]*extObject{}
	err := parallel(ctx, len(idx), workers, func(ctx context.Context, k int) error {
		ev := values[idx[k]].(*extValue)
		o, err := prepareObject(stores[ev.attr.Store], db, ev)
		if err != nil {
			return &Error{Op: "insert", Table: t.FullName(), Attr: ev.attr.Name, Err: fmt.Errorf("row %d: %w", idx[k]/width, err)}
		}
		objs[k] = o
		mu.Lock()
		prev, dup := claimed[o.key()]
		if !dup {
			claimed[o.key()] = o
		}
		mu.Unlock()
		switch {
		case dup && o.kind == schema.CatFilepath && prev.contents != o.contents:
			return &Error{Op: "insert", Table: t.FullName(), Attr: ev.attr.Name, Err: fmt.Errorf("%w: filepath %q is inserted twice with different contents", ErrStore, o.rel)}
		case dup || o.kind == schema.CatFilepath:
			return nil
		}
		o.upload = true
		if err := stores[o.store].putObject(ctx, o); err != nil {
			return &Error{Op: "insert", Table: t.FullName(), Attr: ev.attr.Name, Err: err}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	list := make([]*extObject, 0, len(claimed))
	for _, o := range claimed {
		list = append(list, o)
	}
	sort.Slice(list, func(i, j int) bool { return bytes.Compare(list[i].hash[:], list[j].hash[:]) < 0 })
	if err := t.placeFilepaths(ctx, q, db, stores, list); err != nil {
		return nil, err
	}
	for k, i := range idx {
		h := objs[k].hash
		values[i] = append([]byte(nil), h[:]...)
	}
	return trackingStatements(db, list), nil
}

// prepareObject serializes and hashes one value.
func prepareObject(h *storeHandle, db string, ev *extValue) (*extObject, error) {
	o := &extObject{store: ev.attr.Store, kind: ev.attr.Category}
	switch ev.attr.Category {
	case schema.CatExternalBlob:
		data := ev.data
		if data == nil {
			var err error
			if data, err = blob.Marshal(ev.v); err != nil {
				return nil, typeErr(err)
			}
		}
		o.data, o.size = data, int64(len(data))
		o.hash = uuid.UUID(external.BlobHash(data))
		o.path = h.blobKey(db, o.hash)
	case schema.CatExternalAttach:
		att, err := toAttachment(ev.v)
		if err != nil {
			return nil, err
		}
		o.name, o.data, o.size = att.Name, att.Data, int64(len(att.Data))
		o.hash = uuid.UUID(external.AttachHash(att.Name, att.Data))
		o.path = h.attachKey(db, o.hash, att.Name)
	case schema.CatFilepath:
		local := ev.v.(string)
		rel, err := h.relativeToStage(local)
		if err != nil {
			return nil, err
		}
		sum, size, err := external.FileContentsHash(local)
		if err != nil {
			return nil, fmt.Errorf("%w: filepath: %w", ErrType, err)
		}
		o.local, o.rel, o.size, o.contents = local, rel, size, uuid.UUID(sum)
		o.hash = uuid.UUID(external.FilepathHash(rel))
		o.path = h.filepathKey(rel)
	default:
		return nil, fmt.Errorf("%w: attribute %s is not external", ErrType, ev.attr.Name)
	}
	return o, nil
}

// placeFilepaths checks the filepath objects against their tracking rows
// and uploads the new ones. A filepath already placed with other contents
// is an error, as in DataJoint; one placed with the same contents is not
// uploaded or tracked again.
func (t *Table) placeFilepaths(ctx context.Context, q Querier, db string, stores map[string]*storeHandle, list []*extObject) error {
	byStore := map[string][]*extObject{}
	for _, o := range list {
		if o.kind == schema.CatFilepath {
			byStore[o.store] = append(byStore[o.store], o)
		}
	}
	for store, objs := range byStore {
		rows, err := lookupTracking(ctx, q, db, store, hashesOf(objs))
		if err != nil {
			return opError("insert", schema.QuoteFull(db, schema.ExternalTableName(store)), "", err)
		}
		var up []*extObject
		for _, o := range objs {
			r, ok := rows[o.hash]
			if !ok {
				o.upload = true
				up = append(up, o)
				continue
			}
			if r.contentsHash != nil && *r.contentsHash != o.contents {
				return &Error{Op: "insert", Table: t.FullName(), Err: fmt.Errorf("%w: a different version of %q has already been placed in store %q", ErrStore, o.rel, store)}
			}
		}
		h := stores[store]
		err = parallel(ctx, len(up), h.parallel(), func(ctx context.Context, k int) error {
			return h.putObject(ctx, up[k])
		})
		if err != nil {
			return &Error{Op: "insert", Table: t.FullName(), Err: err}
		}
	}
	return nil
}

func hashesOf(objs []*extObject) []uuid.UUID {
	out := make([]uuid.UUID, len(objs))
	for i, o := range objs {
		out[i] = o.hash
	}
	return out
}

// trackRow is one row of a ~external_<store> table.
type trackRow struct {
	hash           uuid.UUID
	size           int64
	attachmentName string
	filepath       string
	contentsHash   *uuid.UUID
}

// lookupTracking reads the tracking rows of the given hashes, 1000 per
// query. A missing tracking table gives no rows.
func lookupTracking(ctx context.Context, q Querier, db, store string, hashes []uuid.UUID) (map[uuid.UUID]trackRow, error) {
	out := map[uuid.UUID]trackRow{}
	table := schema.QuoteFull(db, schema.ExternalTableName(store))
	for start := 0; start < len(hashes); start += 1000 {
		part := hashes[start:min(start+1000, len(hashes))]
		args := make([]any, len(part))
		for i := range part {
			args[i] = part[i][:]
		}
		query := trackLookupSQL(table, len(part), false)
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			if errors.Is(err, ErrMissingTable) {
				return out, nil
			}
			return nil, err
		}
		for rows.Next() {
			r, err := scanTrackRow(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[r.hash] = r
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, classify(err)
		}
	}
	return out, nil
}

// scanner is the Scan method of *sql.Rows and *sql.Row.
type scanner interface{ Scan(dest ...any) error }

func scanTrackRow(s scanner) (trackRow, error) {
	var (
		r           trackRow
		h, ch       []byte
		name, fpath *string
		size        int64
		scanErr     error
	)
	if scanErr = s.Scan(&h, &size, &name, &fpath, &ch); scanErr != nil {
		return r, classify(scanErr)
	}
	if len(h) != 16 {
		return r, fmt.Errorf("%w: tracking row with a %d-byte hash", ErrStore, len(h))
	}
	r.hash = uuid.UUID(h)
	r.size = size
	if name != nil {
		r.attachmentName = *name
	}
	if fpath != nil {
		r.filepath = *fpath
	}
	if len(ch) == 16 {
		u := uuid.UUID(ch)
		r.contentsHash = &u
	}
	return r, nil
}

// parallel runs fn(ctx, 0..n-1) on at most workers goroutines. The first
// error cancels the others and is returned.
func parallel(ctx context.Context, n, workers int, fn func(ctx context.Context, i int) error) error {
	if n == 0 {
		return nil
	}
	if workers < 1 {
		workers = 1
	}
	workers = min(workers, n)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    sync.Mutex
		first error
		next  int
		wg    sync.WaitGroup
	)
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if first != nil || next >= n {
			return 0, false
		}
		next++
		return next - 1, true
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i, ok := take()
				if !ok {
					return
				}
				if err := fn(ctx, i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
						cancel()
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// toSlash turns a local relative path into DataJoint's POSIX form.
func toSlash(p string) string { return path.Clean(filepath.ToSlash(p)) }

// updateExternal runs Update1's statement when it sets external
// attributes: the objects are stored first, then the tracking rows and the
// UPDATE run in one transaction (the caller's when q is a *Tx).
func (t *Table) updateExternal(ctx context.Context, q Querier, stmt string, setArgs, whereArgs []any, extCols []*schema.Attribute, extArgs []int) error {
	values := make([]any, len(extCols))
	for i, j := range extArgs {
		values[i] = setArgs[j]
	}
	// storeExternal treats the values as one row of len(extCols) columns.
	track, err := t.storeExternal(ctx, q, extCols, values)
	if err != nil {
		return err
	}
	for i, j := range extArgs {
		setArgs[j] = values[i]
	}
	run := func(ctx context.Context, q Querier) error {
		for _, st := range track {
			if _, err := q.ExecContext(ctx, st.sql, st.args...); err != nil {
				return opError("update", t.FullName(), "", err)
			}
		}
		res, err := q.ExecContext(ctx, stmt, append(setArgs, whereArgs...)...)
		if err != nil {
			return opError("update", t.FullName(), "", err)
		}
		if n, err := res.RowsAffected(); err == nil && n != 1 {
			return &Error{Op: "update", Table: t.FullName(), Err: fmt.Errorf("%w: update1 matched %d rows, want exactly 1", ErrNoRows, n)}
		}
		return nil
	}
	if c, ok := q.(*Conn); ok {
		return c.Tx(ctx, func(ctx context.Context, tx *Tx) error { return run(ctx, tx) }, retryLibraryTx)
	}
	return run(ctx, q)
}
