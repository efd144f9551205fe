package dj

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// InsertOption configures Insert and Insert1.
type InsertOption func(*insertOptions)

type insertOptions struct {
	skipDuplicates bool
	replace        bool
	ignoreExtra    bool
	allowDirect    bool
	batchRows      int
}

// SkipDuplicates silently skips rows whose primary key (or a unique index)
// already exists, as DataJoint's skip_duplicates=True.
func SkipDuplicates() InsertOption { return func(o *insertOptions) { o.skipDuplicates = true } }

// Replace overwrites rows with the same primary key (REPLACE INTO), as
// DataJoint's replace=True.
func Replace() InsertOption { return func(o *insertOptions) { o.replace = true } }

// IgnoreExtraFields drops map keys and struct fields that are not
// attributes of the table, instead of failing with ErrUnknownAttribute.
func IgnoreExtraFields() InsertOption { return func(o *insertOptions) { o.ignoreExtra = true } }

// DirectInsert allows inserting into an Imported or Computed table outside
// its make (DataJoint's allow_direct_insert=True).
func DirectInsert() InsertOption { return func(o *insertOptions) { o.allowDirect = true } }

// BatchRows sets the most rows sent in one INSERT statement (default
// 1000). Statements are also kept under the server's max_allowed_packet.
func BatchRows(n int) InsertOption { return func(o *insertOptions) { o.batchRows = n } }

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
	rv := reflect.ValueOf(row)
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	s := reflect.MakeSlice(reflect.SliceOf(rv.Type()), 1, 1)
	s.Index(0).Set(rv)
	return t.insert(ctx, q, s, opts)
}

func (t *Table) insert(ctx context.Context, q Querier, rows reflect.Value, optList []InsertOption) error {
	o := insertOptions{batchRows: 1000}
	for _, f := range optList {
		f(&o)
	}
	if o.batchRows <= 0 {
		o.batchRows = 1000
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
	// Encode every row first, so a bad value fails before anything is sent.
	values := make([]any, 0, n*len(cols))
	for i := 0; i < n; i++ {
		row := rows.Index(i)
		for row.Kind() == reflect.Pointer || row.Kind() == reflect.Interface {
			row = row.Elem()
		}
		for j, a := range cols {
			raw, err := src.get(row, j)
			if err != nil {
				return &Error{Op: "insert", Table: t.FullName(), Attr: a.Name, Err: fmt.Errorf("row %d: %w", i, err)}
			}
			v, err := encodeValue(a, raw)
			if err != nil {
				return &Error{Op: "insert", Table: t.FullName(), Attr: a.Name, Err: fmt.Errorf("row %d: %w", i, err)}
			}
			values = append(values, v)
		}
	}
	// Objects are stored first; their tracking rows go in with the rows.
	track, err := t.storeExternal(ctx, q, cols, values)
	if err != nil {
		return err
	}
	stmts := append(track, t.buildInserts(q.djConn(), cols, values, &o)...)
	run := func(ctx context.Context, q Querier) error {
		for _, st := range stmts {
			if _, err := q.ExecContext(ctx, st.sql, st.args...); err != nil {
				return opError("insert", t.FullName(), "", err)
			}
		}
		return nil
	}
	if c, ok := q.(*Conn); ok && len(stmts) > 1 {
		return c.Tx(ctx, func(ctx context.Context, tx *Tx) error { return run(ctx, tx) })
	}
	return run(ctx, q)
}

type statement struct {
	sql  string
	args []any
}

// buildInserts splits the encoded values into multi-row statements of at
// most o.batchRows rows and about a quarter of max_allowed_packet.
func (t *Table) buildInserts(c *Conn, cols []*schema.Attribute, values []any, o *insertOptions) []statement {
	var head strings.Builder
	if o.replace {
		head.WriteString("REPLACE INTO ")
	} else {
		head.WriteString("INSERT INTO ")
	}
	head.WriteString(t.FullName())
	head.WriteString(" (")
	for i, a := range cols {
		if i > 0 {
			head.WriteByte(',')
		}
		head.WriteString(schema.QuoteIdent(a.Name))
	}
	head.WriteString(") VALUES ")
	tail := ""
	if o.skipDuplicates && !o.replace {
		pk := t.meta.Heading.PrimaryKey()
		if len(pk) > 0 {
			q := schema.QuoteIdent(pk[0])
			tail = " ON DUPLICATE KEY UPDATE " + q + "=" + q
		}
	}
	maxBytes := c.maxPkt / 4
	if maxBytes <= 0 || maxBytes > 16<<20 {
		maxBytes = 16 << 20
	}
	width := len(cols)
	nrows := len(values) / width
	var out []statement
	var sb strings.Builder
	var args []any
	rowsIn, size := 0, 0
	flush := func() {
		if rowsIn == 0 {
			return
		}
		sb.WriteString(tail)
		out = append(out, statement{sql: sb.String(), args: args})
		sb.Reset()
		args = nil
		rowsIn, size = 0, 0
	}
	for r := 0; r < nrows; r++ {
		row := values[r*width : (r+1)*width]
		rsize := 2 * width
		for _, v := range row {
			rsize += approxSize(v)
		}
		if rowsIn > 0 && (rowsIn >= o.batchRows || size+rsize > maxBytes) {
			flush()
		}
		if rowsIn == 0 {
			sb.WriteString(head.String())
			args = make([]any, 0, min(nrows-r, o.batchRows)*width)
		} else {
			sb.WriteByte(',')
		}
		sb.WriteByte('(')
		for j, v := range row {
			if j > 0 {
				sb.WriteByte(',')
			}
			if _, ok := v.(sqlDefault); ok {
				sb.WriteString("DEFAULT")
				continue
			}
			sb.WriteByte('?')
			args = append(args, v)
		}
		sb.WriteByte(')')
		rowsIn++
		size += rsize
	}
	flush()
	return out
}

// approxSize estimates the bytes a value takes in an interpolated statement.
func approxSize(v any) int {
	switch x := v.(type) {
	case []byte:
		return 2*len(x) + 3
	case string:
		return 2*len(x) + 3
	}
	return 24
}

// rowSource reads attribute values out of rows of one Go type.
type rowSource struct {
	attrs []*schema.Attribute
	get   func(row reflect.Value, col int) (any, error)
}

// rowSource matches a row type to the table's attributes. first is the
// first row, which decides the attribute set of map rows.
func (t *Table) rowSource(elem reflect.Type, first reflect.Value, ignoreExtra bool) (*rowSource, error) {
	for elem.Kind() == reflect.Pointer {
		elem = elem.Elem()
	}
	for first.Kind() == reflect.Pointer || first.Kind() == reflect.Interface {
		first = first.Elem()
	}
	h := &t.meta.Heading
	switch {
	case elem.Kind() == reflect.Struct:
		fields, err := structColumns(elem)
		if err != nil {
			return nil, err
		}
		byName := map[string][]int{}
		for _, f := range fields {
			byName[f.column] = f.index
			if _, ok := h.Attr(f.column); !ok && !ignoreExtra {
				return nil, fmt.Errorf("%w: field %s.%s (%s) is not an attribute of the table", ErrUnknownAttribute, elem.Name(), f.name, f.column)
			}
		}
		src := &rowSource{}
		var idx [][]int
		for i := range h.Attributes {
			a := &h.Attributes[i]
			if fi, ok := byName[a.Name]; ok {
				src.attrs = append(src.attrs, a)
				idx = append(idx, fi)
			}
		}
		src.get = func(row reflect.Value, col int) (any, error) {
			f, err := row.FieldByIndexErr(idx[col])
			if err != nil {
				return nil, err
			}
			return f.Interface(), nil
		}
		return src, nil
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
		src := &rowSource{}
		var names []string
		for i := range h.Attributes {
			a := &h.Attributes[i]
			if present[a.Name] {
				src.attrs = append(src.attrs, a)
				names = append(names, a.Name)
			}
		}
		src.get = func(row reflect.Value, col int) (any, error) {
			if row.Kind() != reflect.Map {
				return nil, fmt.Errorf("%w: row is %s", ErrType, row.Kind())
			}
			v := row.MapIndex(reflect.ValueOf(names[col]).Convert(elem.Key()))
			if !v.IsValid() {
				return nil, fmt.Errorf("%w: the row lacks %q, which the first row has (all rows must carry the same attributes)", ErrMissingAttribute, names[col])
			}
			return v.Interface(), nil
		}
		return src, nil
	}
	return nil, fmt.Errorf("%w: rows must be structs or map[string]any, got %s", ErrType, elem)
}
