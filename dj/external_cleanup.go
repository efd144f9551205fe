package dj

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/datajoint-go/datajoint/dj/external"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// ExternalTable is the tracking table ~external_<store> of a schema
// (DataJoint's schema.external[store]): one row per object placed in the
// store by the schema's tables. Deleting user rows never deletes objects;
// Delete removes the tracking rows, and optionally the objects, that no
// row of any table references any more.
type ExternalTable struct {
	schema *Schema
	store  string
}

// External returns the tracking table of the named store in this schema.
func (s *Schema) External(store string) *ExternalTable {
	return &ExternalTable{schema: s, store: store}
}

// Store returns the store name.
func (x *ExternalTable) Store() string { return x.store }

// FullName returns the quoted `db`.`~external_<store>` name.
func (x *ExternalTable) FullName() string {
	return schema.QuoteFull(x.schema.name, schema.ExternalTableName(x.store))
}

// ExternalReference is a column that refers to a tracking table through a
// foreign key.
type ExternalReference struct {
	Database string
	Table    string
	Column   string
}

// ExternalObject is one tracking row and the path of its object.
type ExternalObject struct {
	Hash           uuid.UUID
	Size           int64
	AttachmentName string     // attachments only
	Filepath       string     // filepaths only: the path relative to the store location
	ContentsHash   *uuid.UUID // filepaths only
	Timestamp      time.Time
	// Path is the object's full path, location and key joined as
	// DataJoint reports it; empty when the store is not configured on the
	// connection.
	Path string

	key string // the object's key, relative to the store location
}

// CleanupReport says what ExternalTable.Delete removed.
type CleanupReport struct {
	// Rows are the tracking rows deleted.
	Rows []ExternalObject
	// Objects are the paths of the objects deleted from the store.
	Objects []string
	// Errors lists the objects that could not be deleted; their tracking
	// rows were kept so that a later Delete retries them.
	Errors []error
}

// References lists every column, in any database, with a foreign key to
// the tracking table, read from information_schema.key_column_usage.
func (x *ExternalTable) References(ctx context.Context) ([]ExternalReference, error) {
	rows, err := x.schema.conn.QueryContext(ctx, externalReferencesSQL, x.schema.name, schema.ExternalTableName(x.store))
	if err != nil {
		return nil, opError("cleanup", x.FullName(), "", err)
	}
	defer rows.Close()
	var out []ExternalReference
	for rows.Next() {
		var r ExternalReference
		if err := rows.Scan(&r.Database, &r.Table, &r.Column); err != nil {
			return nil, opError("cleanup", x.FullName(), "", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, opError("cleanup", x.FullName(), "", err)
	}
	return out, nil
}

// referencedSQL is a condition on tracking rows (outer is the quoted
// hash column of the tracking table) that is true when some referencing
// column holds the row's hash. NOT EXISTS is used
// for the complement, which stays correct when referencing columns hold
// NULLs (DataJoint's NOT IN does not: issue #1000).
func referencedSQL(refs []ExternalReference, outer string) string {
	if len(refs) == 0 {
		return "FALSE"
	}
	parts := make([]string, len(refs))
	for i, r := range refs {
		col := schema.QuoteIdent(r.Column)
		parts[i] = "EXISTS (SELECT 1 FROM " + schema.QuoteFull(r.Database, r.Table) + " AS r WHERE r." + col + " = " + outer + ")"
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// Used lists the tracking rows that some row references.
func (x *ExternalTable) Used(ctx context.Context) ([]ExternalObject, error) {
	return x.list(ctx, true)
}

// Unused lists the tracking rows that no row of any table references.
func (x *ExternalTable) Unused(ctx context.Context) ([]ExternalObject, error) {
	return x.list(ctx, false)
}

// Objects lists every tracking row with the path of its object
// (DataJoint's fetch_external_paths).
func (x *ExternalTable) Objects(ctx context.Context) ([]ExternalObject, error) {
	return x.query(ctx, x.schema.conn, trackListSQL(x.FullName(), ""))
}

func (x *ExternalTable) list(ctx context.Context, used bool) ([]ExternalObject, error) {
	refs, err := x.References(ctx)
	if err != nil {
		return nil, err
	}
	cond := referencedSQL(refs, "x.`hash`")
	if !used {
		cond = "NOT " + cond
	}
	return x.query(ctx, x.schema.conn, trackListSQL(x.FullName(), cond))
}

func (x *ExternalTable) query(ctx context.Context, q Querier, query string, args ...any) ([]ExternalObject, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		if errors.Is(err, ErrMissingTable) {
			return nil, nil
		}
		return nil, opError("cleanup", x.FullName(), "", err)
	}
	defer rows.Close()
	var out []ExternalObject
	for rows.Next() {
		var (
			o           ExternalObject
			h, ch       []byte
			name, fpath *string
		)
		if err := rows.Scan(&h, &o.Size, &name, &fpath, &ch, &o.Timestamp); err != nil {
			return nil, opError("cleanup", x.FullName(), "", err)
		}
		if len(h) != 16 {
			return nil, &Error{Op: "cleanup", Table: x.FullName(), Err: fmt.Errorf("%w: tracking row with a %d-byte hash", ErrStore, len(h))}
		}
		o.Hash = uuid.UUID(h)
		if name != nil {
			o.AttachmentName = *name
		}
		if fpath != nil {
			o.Filepath = *fpath
		}
		if len(ch) == 16 {
			u := uuid.UUID(ch)
			o.ContentsHash = &u
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, opError("cleanup", x.FullName(), "", err)
	}
	if len(out) > 0 {
		if h, err := x.schema.conn.storeHandle(x.store); err == nil {
			for i := range out {
				out[i].key = h.objectKey(x.schema.name, &out[i])
				out[i].Path = h.full(out[i].key)
			}
		}
	}
	return out, nil
}

// objectKey is the key of a tracked object in the store: a filepath's own
// path, an attachment's <hex>.<name>, or a blob's <hex>, decided as
// DataJoint does: by attachment_name, then filepath.
func (h *storeHandle) objectKey(db string, o *ExternalObject) string {
	switch {
	case o.AttachmentName != "":
		return h.attachKey(db, o.Hash, o.AttachmentName)
	case o.Filepath != "":
		return h.filepathKey(o.Filepath)
	}
	return h.blobKey(db, o.Hash)
}

// cleanupChunk is how many tracking rows Delete removes per transaction.
const cleanupChunk = 500

// Delete removes the tracking rows that no row references and, when
// deleteObjects is true, their objects (DataJoint's
// delete(delete_external_files=...)). Rows are handled in chunks: a
// transaction locks the chunk's rows, keeps those still unreferenced,
// deletes them and their objects (in parallel, bounded like other
// transfers) and commits. The foreign keys from the referencing columns
// make the database refuse to delete a referenced row, so an object still
// in use is never deleted. A row whose object cannot be deleted is put
// back, and the failure is reported in CleanupReport.Errors, so that a
// later Delete retries it. Inserts that upload the same contents while
// Delete runs may race with it, as in DataJoint: run it when nobody
// inserts into the store's attributes.
func (x *ExternalTable) Delete(ctx context.Context, deleteObjects bool) (CleanupReport, error) {
	var rep CleanupReport
	if err := x.schema.conn.refuseWrite("cleanup", x.FullName()); err != nil {
		return rep, err
	}
	refs, err := x.References(ctx)
	if err != nil {
		return rep, err
	}
	unused, err := x.Unused(ctx)
	if err != nil || len(unused) == 0 {
		return rep, err
	}
	var h *storeHandle
	if deleteObjects {
		h, err = x.schema.conn.storeHandle(x.store)
		if err != nil {
			return rep, &Error{Op: "cleanup", Table: x.FullName(), Err: err}
		}
	}
	for start := 0; start < len(unused); start += cleanupChunk {
		chunk := unused[start:min(start+cleanupChunk, len(unused))]
		var part CleanupReport
		err := x.schema.conn.Tx(ctx, func(ctx context.Context, tx *Tx) error {
			part = CleanupReport{}
			return x.deleteChunk(ctx, tx, refs, h, chunk, &part)
		})
		if err != nil {
			return rep, err
		}
		rep.Rows = append(rep.Rows, part.Rows...)
		rep.Objects = append(rep.Objects, part.Objects...)
		rep.Errors = append(rep.Errors, part.Errors...)
	}
	return rep, nil
}

// deleteChunk deletes the rows of chunk that are still unreferenced, and
// their objects when h is not nil, inside the transaction tx.
func (x *ExternalTable) deleteChunk(ctx context.Context, tx *Tx, refs []ExternalReference, h *storeHandle, chunk []ExternalObject, rep *CleanupReport) error {
	args := make([]any, len(chunk))
	for i := range chunk {
		args[i] = chunk[i].Hash[:]
	}
	// Lock the rows; a concurrent insert that references one of them waits
	// for the commit (its foreign-key check reads the locked row).
	rows, err := tx.QueryContext(ctx, trackLockUnusedSQL(x.FullName(), len(chunk), referencedSQL(refs, "x.`hash`")), args...)
	if err != nil {
		return opError("cleanup", x.FullName(), "", err)
	}
	keep := map[uuid.UUID]bool{}
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			rows.Close()
			return opError("cleanup", x.FullName(), "", err)
		}
		keep[uuid.UUID(b)] = true
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return opError("cleanup", x.FullName(), "", err)
	}
	var victims []ExternalObject
	for _, o := range chunk {
		if keep[o.Hash] {
			victims = append(victims, o)
		}
	}
	if len(victims) == 0 {
		return nil
	}
	args = args[:0]
	for _, o := range victims {
		args = append(args, o.Hash[:])
	}
	if _, err := tx.ExecContext(ctx, trackDeleteSQL(x.FullName(), len(victims)), args...); err != nil {
		return opError("cleanup", x.FullName(), "", err)
	}
	failed := make([]error, len(victims))
	if h != nil {
		err := parallel(ctx, len(victims), h.parallel(), func(ctx context.Context, i int) error {
			if fp := victims[i].Filepath; fp != "" {
				if failed[i] = external.CheckFilepath(fp); failed[i] != nil {
					return nil
				}
			}
			failed[i] = h.remove(ctx, victims[i].key)
			return nil
		})
		if err != nil {
			return &Error{Op: "cleanup", Table: x.FullName(), Err: err}
		}
	}
	for i, o := range victims {
		if failed[i] != nil {
			// Put the row back: its object may still exist.
			_, err := tx.ExecContext(ctx, trackRestoreSQL(x.FullName()),
				o.Hash[:], o.Size, nullString(o.AttachmentName), nullString(o.Filepath), uuidBytes(o.ContentsHash), o.Timestamp)
			if err != nil {
				return opError("cleanup", x.FullName(), "", err)
			}
			rep.Errors = append(rep.Errors, &Error{Op: "cleanup", Table: x.FullName(), Err: fmt.Errorf("%w: store %q: delete %s: %w", ErrStore, x.store, o.Path, failed[i])})
			continue
		}
		rep.Rows = append(rep.Rows, o)
		if h != nil {
			rep.Objects = append(rep.Objects, o.Path)
		}
	}
	return nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func uuidBytes(u *uuid.UUID) any {
	if u == nil {
		return nil
	}
	return u[:]
}
