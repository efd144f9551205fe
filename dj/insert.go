package dj

import (
	"context"
	"fmt"
	"reflect"
	"sort"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// InsertOption configures Insert and Insert1.
type InsertOption interface{ applyInsert(*insertOptions) }

type insertOption func(*insertOptions)

func (f insertOption) applyInsert(o *insertOptions) { f(o) }

type insertOptions struct {
	skipDuplicates bool
	replace        bool
	ignoreExtra    bool
	allowDirect    bool
	batchRows      int
}

// SkipDuplicates silently skips rows whose primary key (or a unique index)
// already exists, as DataJoint's skip_duplicates=True.
func SkipDuplicates() InsertOption {
	return insertOption(func(o *insertOptions) { o.skipDuplicates = true })
}

// Replace overwrites rows with the same primary key (REPLACE INTO), as
// DataJoint's replace=True.
func Replace() InsertOption { return insertOption(func(o *insertOptions) { o.replace = true }) }

// IgnoreExtraFields drops map keys and struct fields that are not
// attributes of the table, instead of failing with ErrUnknownAttribute.
func IgnoreExtraFields() InsertOption {
	return insertOption(func(o *insertOptions) { o.ignoreExtra = true })
}

// BatchRows sets the most rows sent in one INSERT statement (default
// 1000). Statements are also kept under the server's max_allowed_packet.
func BatchRows(n int) InsertOption { return insertOption(func(o *insertOptions) { o.batchRows = n }) }

// Insert inserts rows of a declared struct type into its table. All rows go
// in atomically: several statements run in one transaction when q is a
// *Conn.
func Insert[T any](ctx context.Context, q Querier, rows []T, opts ...InsertOption) error {
	t, err := TableOf[T](q)
	if err != nil {
		return err
	}
	return t.Insert(ctx, q, rows, opts...)
}

// Insert1 inserts one row of a declared struct type.
func Insert1[T any](ctx context.Context, q Querier, row T, opts ...InsertOption) error {
	t, err := TableOf[T](q)
	if err != nil {
		return err
	}
	return t.Insert1(ctx, q, row, opts...)
}

// Insert inserts rows: a slice of structs (fields matched to attributes by
// column name) or a slice of map[string]any. Every row must carry the
// same attributes.
func (t *Table) Insert(ctx context.Context, q Querier, rows any, opts ...InsertOption) error {
	rv := reflect.ValueOf(rows)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return &Error{Op: "insert", Table: t.FullName(), Err: fmt.Errorf("%w: rows must be a slice, got %T", ErrType, rows)}
	}
	return t.insert(ctx, q, rv, opts)
}

// Insert1 inserts one row: a struct or a map[string]any.
func (t *Table) Insert1(ctx context.Context, q Querier, row any, opts ...InsertOption) error {
	rv, err := rowValue(reflect.ValueOf(row))
	if err == nil && !rv.IsValid() {
		err = fmt.Errorf("%w: the row is nil", ErrType)
	}
	if err != nil {
		return &Error{Op: "insert", Table: t.FullName(), Err: err}
	}
	s := reflect.MakeSlice(reflect.SliceOf(rv.Type()), 1, 1)
	s.Index(0).Set(rv)
	return t.insert(ctx, q, s, opts)
}

func (t *Table) insert(ctx context.Context, q Querier, rows reflect.Value, optList []InsertOption) error {
	o := insertOptions{batchRows: 1000}
	for _, f := range optList {
		f.applyInsert(&o)
	}
	if o.batchRows <= 0 {
		o.batchRows = 1000
	}
	if err := q.djConn().refuseWrite("insert", t.FullName()); err != nil {
		return err
	}
	if t.meta.Tier.AutoPopulated() && !o.allowDirect {
		if tx, ok := q.(*Tx); !ok || !tx.allowAuto {
			return &Error{Op: "insert", Table: t.FullName(), Err: fmt.Errorf("%w: %s is %s; rows are inserted by its make during populate (use dj.DirectInsert to override)", ErrDirectInsert, t.meta.ClassName, t.meta.Tier)}
		}
	}
	if rows.Len() == 0 {
		return nil
	}
	src, err := t.rowSource(rows.Type().Elem(), rows.Index(0), o.ignoreExtra)
	if err != nil {
		return &Error{Op: "insert", Table: t.FullName(), Err: err}
	}
	n := rows.Len()
	cols := src.attrs
	if len(cols) == 0 {
		return &Error{Op: "insert", Table: t.FullName(), Err: fmt.Errorf("%w: the rows have no attributes of the table", ErrMissingAttribute)}
	}
	enc := func(start, end int, dst []any) ([]any, error) {
		return t.encodeRows(rows, src, start, end, dst)
	}
	// Rows with external attributes are encoded up front: their objects
	// are stored first, and their tracking rows go in with the rows.
	// Other rows are encoded one batch at a time, so a large insert holds
	// one batch of encoded values; a bad value still fails before its
	// batch is sent, and the transaction keeps the insert atomic.
	var track []statement
	var values []any
	external := false
	for _, a := range cols {
		external = external || a.Category.External()
	}
	if external || n <= o.batchRows {
		if values, err = enc(0, n, make([]any, 0, n*len(cols))); err != nil {
			return err
		}
	}
	if external {
		if track, err = t.storeExternal(ctx, q, cols, values); err != nil {
			return err
		}
	}
	b := t.newInsertBuilder(q.djConn(), cols, values, &o)
	run := func(ctx context.Context, q Querier) error {
		for _, st := range track {
			if _, err := q.ExecContext(ctx, st.sql, st.args...); err != nil {
				return opError("insert", t.FullName(), "", err)
			}
		}
		if values != nil {
			return b.exec(ctx, q, t.FullName(), values)
		}
		chunk := make([]any, 0, o.batchRows*len(cols))
		for start := 0; start < n; start += o.batchRows {
			var err error
			if chunk, err = enc(start, min(start+o.batchRows, n), chunk[:0]); err != nil {
				return err
			}
			if err := b.exec(ctx, q, t.FullName(), chunk); err != nil {
				return err
			}
		}
		return nil
	}
	if c, ok := q.(*Conn); ok && (len(track) > 0 || values == nil || b.several()) {
		return c.Tx(ctx, func(ctx context.Context, tx *Tx) error { return run(ctx, tx) }, retryLibraryTx)
	}
	return run(ctx, q)
}

// encodeRows appends the encoded values of rows start to end-1 to dst.
func (t *Table) encodeRows(rows reflect.Value, src *rowSource, start, end int, dst []any) ([]any, error) {
	for i := start; i < end; i++ {
		row, err := rowValue(rows.Index(i))
		if err != nil {
			return dst, &Error{Op: "insert", Table: t.FullName(), Err: fmt.Errorf("row %d: %w", i, err)}
		}
		for j, a := range src.attrs {
			v, err := src.encode(row, j)
			if err != nil {
				return dst, &Error{Op: "insert", Table: t.FullName(), Attr: a.Name, Err: fmt.Errorf("row %d: %w", i, err)}
			}
			dst = append(dst, v)
		}
	}
	return dst, nil
}

func (t *Table) newInsertBuilder(c *Conn, cols []*schema.Attribute, values []any, o *insertOptions) *insertBuilder {
	return newInsertStatements(t.FullName(), attrNames(cols), t.meta.Heading.PrimaryKey(), values, o, c.maxPkt)
}

// exec runs the statements that insert values.
func (b *insertBuilder) exec(ctx context.Context, q Querier, table string, values []any) error {
	b.values = values
	b.reset()
	for {
		query, args, ok := b.next()
		if !ok {
			return nil
		}
		if _, err := q.ExecContext(ctx, query, args...); err != nil {
			return opError("insert", table, "", err)
		}
	}
}

// rowValue unwraps a row given as a pointer or interface.
func rowValue(row reflect.Value) (reflect.Value, error) {
	for row.Kind() == reflect.Pointer || row.Kind() == reflect.Interface {
		if row.IsNil() {
			return row, fmt.Errorf("%w: the row is nil", ErrType)
		}
		row = row.Elem()
	}
	return row, nil
}

// rowSource reads attribute values out of rows of one Go type.
type rowSource struct {
	attrs []*schema.Attribute
	st    *structSource // struct rows
	names []string      // map rows: the attribute names
	key   reflect.Type  // map rows: the key type
}

// encode returns the encoded value of attribute col of row.
func (s *rowSource) encode(row reflect.Value, col int) (any, error) {
	if s.st != nil {
		if row.Kind() != reflect.Struct {
			return nil, fmt.Errorf("%w: row is %s", ErrType, row.Kind())
		}
		f, err := s.st.field(row, col)
		if err != nil {
			return nil, typeErr(err)
		}
		return s.st.enc[col](f)
	}
	if row.Kind() != reflect.Map {
		return nil, fmt.Errorf("%w: row is %s", ErrType, row.Kind())
	}
	v := row.MapIndex(reflect.ValueOf(s.names[col]).Convert(s.key))
	if !v.IsValid() {
		return nil, fmt.Errorf("%w: the row lacks %q, which the first row has (all rows must carry the same attributes)", ErrMissingAttribute, s.names[col])
	}
	return encodeValue(s.attrs[col], v.Interface())
}

// rowSource matches a row type to the table's attributes. first is the
// first row, which decides the attribute set of map rows.
func (t *Table) rowSource(elem reflect.Type, first reflect.Value, ignoreExtra bool) (*rowSource, error) {
	for elem.Kind() == reflect.Pointer {
		elem = elem.Elem()
	}
	first, err := rowValue(first)
	if err != nil {
		return nil, err
	}
	h := &t.meta.Heading
	switch {
	case elem.Kind() == reflect.Struct:
		st, err := structSourceFor(t.meta, elem, ignoreExtra)
		if err != nil {
			return nil, err
		}
		return &rowSource{attrs: st.attrs, st: st}, nil
	case elem.Kind() == reflect.Map && elem.Key().Kind() == reflect.String:
		if first.Kind() != reflect.Map {
			return nil, fmt.Errorf("%w: row is %s", ErrType, first.Kind())
		}
		keys := make([]string, 0, first.Len())
		for _, k := range first.MapKeys() {
			keys = append(keys, k.String())
		}
		sort.Strings(keys)
		present := map[string]bool{}
		for _, k := range keys {
			if _, ok := h.Attr(k); !ok {
				if ignoreExtra {
					continue
				}
				return nil, fmt.Errorf("%w: %q is not an attribute of the table", ErrUnknownAttribute, k)
			}
			present[k] = true
		}
		src := &rowSource{key: elem.Key()}
		for i := range h.Attributes {
			a := &h.Attributes[i]
			if present[a.Name] {
				src.attrs = append(src.attrs, a)
				src.names = append(src.names, a.Name)
			}
		}
		return src, nil
	}
	return nil, fmt.Errorf("%w: rows must be structs or map[string]any, got %s", ErrType, elem)
}
