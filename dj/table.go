package dj

import (
	"context"
	"fmt"
	"reflect"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// Table is a handle on one table of a schema: its metadata and the
// operations on its rows. Tables declared from structs and tables opened by
// name (Schema.Table) work the same way.
type Table struct {
	schema *Schema
	meta   *schema.Table
}

func newTable(s *Schema, meta *schema.Table) *Table {
	setExternalDatabase(meta)
	return &Table{schema: s, meta: meta}
}

// Schema returns the schema of the table.
func (t *Table) Schema() *Schema { return t.schema }

// Meta returns the table's metadata (heading, foreign keys, indexes). Do
// not modify it.
func (t *Table) Meta() *schema.Table { return t.meta }

// Name returns the bare MySQL table name ("#species", "__spikes").
func (t *Table) Name() string { return t.meta.Name }

// ID returns the table's identifier: its database and bare name.
func (t *Table) ID() schema.TableID { return t.meta.ID() }

// FullName returns the quoted `db`.`table` name.
func (t *Table) FullName() string { return t.meta.FullName() }

// ClassName returns the DataJoint class name (the Go struct name for
// declared tables).
func (t *Table) ClassName() string { return t.meta.ClassName }

// Tier returns the table tier.
func (t *Table) Tier() schema.Tier { return t.meta.Tier }

// Heading returns the table's attributes.
func (t *Table) Heading() *schema.Heading { return &t.meta.Heading }

// PrimaryKey lists the primary-key attribute names.
func (t *Table) PrimaryKey() []string { return t.meta.Heading.PrimaryKey() }

// String returns the full name.
func (t *Table) String() string { return t.FullName() }

// insertContents inserts a Lookup's Contents() rows when the table holds
// fewer rows than the contents, skipping duplicates, as DataJoint does.
func (t *Table) insertContents(ctx context.Context, typ reflect.Type) error {
	m, ok := reflect.PointerTo(typ).MethodByName("Contents")
	if !ok {
		m, ok = typ.MethodByName("Contents")
	}
	if !ok {
		return nil
	}
	mt := m.Type
	if mt.NumIn() != 1 || mt.NumOut() != 1 || mt.Out(0) != reflect.SliceOf(typ) {
		return &Error{Op: "declare", Table: t.FullName(), Err: fmt.Errorf("%w: %s.Contents must have the signature func() []%s", ErrDeclaration, typ.Name(), typ.Name())}
	}
	if t.meta.Tier != schema.Lookup {
		return &Error{Op: "declare", Table: t.FullName(), Err: fmt.Errorf("%w: %s has a Contents method but is %s; only Lookup tables have declared contents", ErrDeclaration, typ.Name(), t.meta.Tier)}
	}
	for i := range t.meta.Heading.Attributes {
		if t.meta.Heading.Attributes[i].AutoIncrement {
			t.schema.conn.log.Warn("dj: contents not inserted into a table with an auto_increment attribute", "table", t.FullName())
			return nil
		}
	}
	recv := reflect.New(typ)
	if m.Type.In(0).Kind() != reflect.Pointer {
		recv = recv.Elem()
	}
	if t.schema.conn.cfg.ReadOnly {
		// Contents are inserted by a connection that may write.
		return nil
	}
	rows := m.Func.Call([]reflect.Value{recv})[0]
	var n int64
	if err := t.schema.conn.queryRow(ctx, t.schema.conn.db, countRowsSQL(t.FullName())).Scan(&n); err != nil {
		return opError("declare", t.FullName(), "", err)
	}
	if int64(rows.Len()) <= n {
		return nil
	}
	return t.insert(ctx, t.schema.conn, rows, []InsertOption{SkipDuplicates()})
}

// Update1 changes secondary attributes of one existing row, identified by
// its full primary key (DataJoint's update1, meant for corrections). The
// row is a struct or a map; nil values set the attribute to its default.
func (t *Table) Update1(ctx context.Context, q Querier, row any) error {
	if err := q.djConn().refuseWrite("update", t.FullName()); err != nil {
		return err
	}
	rv, err := rowValue(reflect.ValueOf(row))
	if err == nil && !rv.IsValid() {
		err = fmt.Errorf("%w: the row is nil", ErrType)
	}
	if err != nil {
		return &Error{Op: "update", Table: t.FullName(), Err: err}
	}
	src, err := t.rowSource(rv.Type(), rv, false)
	if err != nil {
		return &Error{Op: "update", Table: t.FullName(), Err: err}
	}
	u, err := t.update1Statement(src, rv)
	if err != nil {
		return err
	}
	stmt, setArgs, whereArgs, extCols, extArgs := u.stmt, u.setArgs, u.whereArgs, u.extCols, u.extArgs
	if len(extCols) > 0 {
		return t.updateExternal(ctx, q, stmt, setArgs, whereArgs, extCols, extArgs)
	}
	res, err := q.ExecContext(ctx, stmt, append(setArgs, whereArgs...)...)
	if err != nil {
		return opError("update", t.FullName(), "", err)
	}
	// The connection reports matched rows (CLIENT_FOUND_ROWS).
	if n, err := res.RowsAffected(); err == nil && n != 1 {
		return &Error{Op: "update", Table: t.FullName(), Err: fmt.Errorf("%w: update1 matched %d rows, want exactly 1", ErrNoRows, n)}
	}
	return nil
}

// Update1 changes secondary attributes of one row of a declared struct
// type, identified by its primary key.
func Update1[T any](ctx context.Context, q Querier, row T) error {
	t, err := TableOf[T](q)
	if err != nil {
		return err
	}
	return t.Update1(ctx, q, row)
}

// update1 is the statement of an Update1 and its arguments.
type update1 struct {
	stmt               string
	setArgs, whereArgs []any
	extCols            []*schema.Attribute // external attributes among the SETs
	extArgs            []int               // their indexes in setArgs
}

// update1Statement builds the UPDATE of one row, encoded by src: the
// primary key in the WHERE clause, every other attribute of the row in
// SET (nil values as DEFAULT).
func (t *Table) update1Statement(src *rowSource, rv reflect.Value) (update1, error) {
	var u update1
	var sets, where []string
	have := map[string]bool{}
	for j, a := range src.attrs {
		v, err := src.encode(rv, j)
		if err != nil {
			return u, &Error{Op: "update", Table: t.FullName(), Attr: a.Name, Err: err}
		}
		have[a.Name] = true
		if a.InKey {
			if _, ok := v.(sqlDefault); ok {
				return u, &Error{Op: "update", Table: t.FullName(), Attr: a.Name, Err: fmt.Errorf("%w: primary-key attribute is NULL", ErrMissingAttribute)}
			}
			where = append(where, schema.QuoteIdent(a.Name)+"=?")
			u.whereArgs = append(u.whereArgs, v)
			continue
		}
		if _, ok := v.(sqlDefault); ok {
			sets = append(sets, schema.QuoteIdent(a.Name)+"=DEFAULT")
			continue
		}
		sets = append(sets, schema.QuoteIdent(a.Name)+"=?")
		u.setArgs = append(u.setArgs, v)
		if a.Category.External() {
			u.extCols, u.extArgs = append(u.extCols, a), append(u.extArgs, len(u.setArgs)-1)
		}
	}
	for _, k := range t.PrimaryKey() {
		if !have[k] {
			return u, &Error{Op: "update", Table: t.FullName(), Attr: k, Err: fmt.Errorf("%w: update1 needs the full primary key", ErrMissingAttribute)}
		}
	}
	if len(sets) == 0 {
		return u, &Error{Op: "update", Table: t.FullName(), Err: fmt.Errorf("%w: no secondary attributes to update", ErrMissingAttribute)}
	}
	u.stmt = update1SQL(t.FullName(), sets, where)
	return u, nil
}
