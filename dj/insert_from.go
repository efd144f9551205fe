package dj

import (
	"context"
	"fmt"

	"github.com/datajoint-go/datajoint/dj/internal/query"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// InsertFrom inserts the rows of the query e into the table of the
// declared struct type T on the server, without bringing them to the
// client: DataJoint's Table.insert(query). See Table.InsertFrom.
func InsertFrom[T any](ctx context.Context, q Querier, e Expr, opts ...InsertOption) error {
	t, err := TableOf[T](q)
	if err != nil {
		return err
	}
	return t.InsertFrom(ctx, q, e, opts...)
}

// InsertFrom inserts the rows of the query e into the table with one
// INSERT … SELECT statement run by the server (DataJoint's
// Table.insert(query)): the rows never reach the client, and the insert
// is atomic. Attributes are matched by name; the table's attributes that
// the query lacks take their defaults.
//
// Options: SkipDuplicates keeps existing rows whose primary key the query
// repeats (every other error still fails the statement); Replace replaces
// them; IgnoreExtraFields leaves out the query's attributes that the table
// does not have, which are otherwise an ErrUnknownAttribute (DataJoint's
// ignore_extra_fields); AllowDirectInsert allows an Imported or Computed table
// outside its make. BatchRows has no effect.
//
// Blob, attachment and external (blob@store, attach@store, filepath@store)
// values are copied as they are stored, never decoded. An external value
// refers to an object tracked by its schema's ~external_<store> table, so
// it can only be copied into an attribute of the same store in the same
// schema, where the tracking row it refers to already exists and stays
// valid; any other external pairing, or a blob, attachment or adapted
// attribute copied into an attribute of another kind, is an error before
// anything is sent (ErrStore, ErrType). To copy external objects between
// schemas or stores, fetch the rows and insert them.
func (t *Table) InsertFrom(ctx context.Context, q Querier, e Expr, opts ...InsertOption) error {
	var o insertOptions
	for _, f := range opts {
		f.applyInsert(&o)
	}
	if err := q.djConn().refuseWrite("insert", t.FullName()); err != nil {
		return err
	}
	if t.meta.Tier.AutoPopulated() && !o.allowDirect {
		if tx, ok := q.(*Tx); !ok || !tx.allowAuto {
			return &Error{Op: "insert", Table: t.FullName(), Err: fmt.Errorf("%w: %s is %s; rows are inserted by its make during populate (use dj.DirectInsert to override)", ErrDirectInsert, t.meta.ClassName, t.meta.Tier)}
		}
	}
	stmt, args, err := t.insertFromSQL(e, &o)
	if err != nil {
		return err
	}
	if _, err := q.ExecContext(ctx, stmt, args...); err != nil {
		return opError("insert", t.FullName(), "", err)
	}
	return nil
}

// InsertFromSQL returns the statement InsertFrom runs with the same
// options, and its arguments, after the same checks.
func (t *Table) InsertFromSQL(e Expr, opts ...InsertOption) (string, []any, error) {
	var o insertOptions
	for _, f := range opts {
		f.applyInsert(&o)
	}
	return t.insertFromSQL(e, &o)
}

func (t *Table) insertFromSQL(e Expr, o *insertOptions) (string, []any, error) {
	if err := e.Err(); err != nil {
		return "", nil, &Error{Op: "insert", Table: t.FullName(), Err: err}
	}
	h := e.Heading()
	var fields []string
	for i := range h.Attributes {
		src := &h.Attributes[i]
		dst, ok := t.meta.Heading.Attr(src.Name)
		if !ok {
			if o.ignoreExtra {
				continue
			}
			return "", nil, &Error{Op: "insert", Table: t.FullName(), Attr: src.Name, Err: fmt.Errorf("%w: %s has no attribute %q of the query (use dj.IgnoreExtraFields to leave it out)", ErrUnknownAttribute, t.FullName(), src.Name)}
		}
		if err := copyable(src, dst, t.meta.Database); err != nil {
			return "", nil, &Error{Op: "insert", Table: t.FullName(), Attr: src.Name, Err: err}
		}
		fields = append(fields, src.Name)
	}
	mode := query.InsertError
	switch {
	case o.replace:
		mode = query.InsertReplace
	case o.skipDuplicates:
		mode = query.InsertSkipDuplicates
	}
	stmt, args, err := e.q.InsertSQL(t.meta, fields, mode)
	if err != nil {
		return "", nil, &Error{Op: "insert", Table: t.FullName(), Err: err}
	}
	return stmt, args, nil
}

// copyable checks that the stored values of the query attribute src mean
// the same in the table attribute dst of database db. Attributes whose
// kind the query does not know (computed ones) are left to the server.
func copyable(src, dst *schema.Attribute, db string) error {
	if src.Category == 0 && src.Type == "" {
		if dst.Category.External() {
			return fmt.Errorf("%w: a computed value cannot fill the external attribute %q (%s)", ErrType, dst.Name, dst.Type)
		}
		return nil
	}
	stored := func(a *schema.Attribute) bool {
		return a.Category.External() || a.Category == schema.CatBlob || a.Category == schema.CatAttach || a.Adapter != ""
	}
	if !stored(src) && !stored(dst) {
		return nil
	}
	if src.Category != dst.Category || src.Adapter != dst.Adapter {
		return fmt.Errorf("%w: the query's %q is %s and the table's is %s: stored values are only copied between attributes of the same kind",
			ErrType, src.Name, describeType(src), describeType(dst))
	}
	if !src.Category.External() {
		return nil
	}
	if src.Store != dst.Store {
		return fmt.Errorf("%w: the query's %q is in store %q and the table's in store %q: fetch and insert the rows to copy the objects",
			ErrStore, src.Name, src.Store, dst.Store)
	}
	if src.Database != db {
		from := "an unknown schema"
		if src.Database != "" {
			from = "schema " + schema.QuoteIdent(src.Database)
		}
		return fmt.Errorf("%w: the query's %q refers to objects tracked by %s, not by schema %s: fetch and insert the rows to copy the objects",
			ErrStore, src.Name, from, schema.QuoteIdent(db))
	}
	return nil
}

// describeType names an attribute's type in messages.
func describeType(a *schema.Attribute) string {
	if a.Adapter != "" {
		return "<" + a.Adapter + ">"
	}
	return a.Type
}
