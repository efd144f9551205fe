package dj

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"iter"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/datajoint-go/datajoint/dj/blob"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// FetchOption configures a fetch.
type FetchOption func(*fetchOptions)

type fetchOptions struct {
	lax          bool
	downloadPath string
	ext          *extFetch // set while rows with external attributes are read
}

// Lax relaxes the mapping of results to struct fields: attributes without
// a field are not transferred (beyond the primary key) and fields without
// an attribute are left unset. By default both are errors.
func Lax() FetchOption { return func(o *fetchOptions) { o.lax = true } }

// DownloadPath sets the directory where attachments fetched into string
// fields are written (default: the working directory).
func DownloadPath(dir string) FetchOption { return func(o *fetchOptions) { o.downloadPath = dir } }

func fetchOpts(opts []FetchOption) *fetchOptions {
	o := &fetchOptions{}
	for _, f := range opts {
		f(o)
	}
	return o
}

// Fetch runs the query and returns its rows as structs of type T, whose
// fields match the query's attributes by column name (see Lax).
func Fetch[T any](ctx context.Context, q Querier, e Expr, opts ...FetchOption) ([]T, error) {
	var out []T
	var zero T
	err := fetchInto(ctx, q, e, fetchOpts(opts), reflect.TypeFor[T](), func() reflect.Value {
		out = append(out, zero)
		return reflect.ValueOf(&out[len(out)-1]).Elem()
	}, func() bool { return true })
	return out, err
}

// FetchOne returns the only row of the query. No row is ErrNoRows; more
// than one is ErrTooManyRows.
func FetchOne[T any](ctx context.Context, q Querier, e Expr, opts ...FetchOption) (T, error) {
	var rows [2]T
	n := 0
	err := fetchInto(ctx, q, e.Limit(2), fetchOpts(opts), reflect.TypeFor[T](), func() reflect.Value {
		v := reflect.ValueOf(&rows[n]).Elem()
		n++
		return v
	}, func() bool { return n < 2 })
	var zero T
	if err != nil {
		return zero, err
	}
	switch n {
	case 0:
		return zero, &Error{Op: "fetch", Table: e.String(), Err: ErrNoRows}
	case 1:
		return rows[0], nil
	}
	return zero, &Error{Op: "fetch", Table: e.String(), Err: ErrTooManyRows}
}

// All streams the query's rows as structs of type T without holding them
// all in memory. Iteration stops at the first error, which is yielded.
//
//	for row, err := range dj.All[Session](ctx, conn, q) { ... }
func All[T any](ctx context.Context, q Querier, e Expr, opts ...FetchOption) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var cur T
		stopped := false
		err := fetchInto(ctx, q, e, fetchOpts(opts), reflect.TypeFor[T](), func() reflect.Value {
			var zero T
			cur = zero
			return reflect.ValueOf(&cur).Elem()
		}, func() bool {
			if !yield(cur, nil) {
				stopped = true
				return false
			}
			return true
		})
		if err != nil && !stopped {
			var zero T
			yield(zero, err)
		}
	}
}

// fetchInto runs e and scans each row into the struct of type typ that
// next returns, then calls done; done returns false to stop early.
func fetchInto(ctx context.Context, q Querier, e Expr, o *fetchOptions, typ reflect.Type, next func() reflect.Value, done func() bool) error {
	if typ.Kind() != reflect.Struct {
		return &Error{Op: "fetch", Table: e.String(), Err: fmt.Errorf("%w: Fetch needs a struct type, got %s (use FetchColumn or FetchMaps)", ErrType, typ)}
	}
	if err := e.Err(); err != nil {
		return &Error{Op: "fetch", Table: e.String(), Err: err}
	}
	if o.lax {
		e = e.laxFor(typ)
	}
	h := e.Heading()
	plan, err := planFor(typ, &h, o.lax)
	if err != nil {
		return &Error{Op: "fetch", Table: e.String(), Err: err}
	}
	query, args, err := e.SQL()
	if err != nil {
		return &Error{Op: "fetch", Table: e.String(), Err: err}
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return opError("fetch", e.String(), "", err)
	}
	defer rows.Close()
	if planHasExternal(plan) {
		return fetchExternalRows(ctx, q, e, o, typ, plan, rows, next, done)
	}
	sc := newRowScanner(plan, o)
	for rows.Next() {
		if err := sc.scan(rows, next()); err != nil {
			return &Error{Op: "fetch", Table: e.String(), Err: err}
		}
		if !done() {
			return nil
		}
	}
	if err := rows.Err(); err != nil {
		return opError("fetch", e.String(), "", err)
	}
	return nil
}

// FetchMaps returns the query's rows as maps from attribute name to value.
// Values are natural Go types: int64 (uint64 for unsigned bigint),
// float64, string (char, varchar, enum, decimal), time.Time (date,
// datetime, timestamp), time.Duration (time), uuid.UUID, decoded blobs, the
// decoded JSON value, Attachment; NULL is nil.
func FetchMaps(ctx context.Context, q Querier, e Expr, opts ...FetchOption) ([]map[string]any, error) {
	var out []map[string]any
	err := eachMap(ctx, q, e, fetchOpts(opts), func(m map[string]any) bool {
		out = append(out, m)
		return true
	})
	return out, err
}

// Key is a primary-key value: attribute name → value, as FetchKeys
// returns it and restrictions accept it.
type Key = map[string]any

// FetchKeys returns the primary keys of the query's rows (DataJoint's
// fetch("KEY")).
func FetchKeys(ctx context.Context, q Querier, e Expr) ([]Key, error) {
	var out []Key
	err := eachMap(ctx, q, e.Proj(), &fetchOptions{}, func(m map[string]any) bool {
		out = append(out, m)
		return true
	})
	return out, err
}

// FetchColumn returns one attribute of every row, converted to T (for
// example FetchColumn[float64](ctx, q, e, "x")). Numbers convert between Go
// numeric types; NULL gives T's zero value, or NaN for float types. Blob
// attributes decode straight into T (for example *mat.Dense or []float64).
func FetchColumn[T any](ctx context.Context, q Querier, e Expr, attr string, opts ...FetchOption) ([]T, error) {
	var out []T
	typ := reflect.TypeFor[T]()
	h := e.Heading()
	if a, ok := h.Attr(attr); ok && a.Category == schema.CatExternalBlob {
		return fetchExternalColumn[T](ctx, q, e, a, fetchOpts(opts))
	}
	if a, ok := h.Attr(attr); ok && a.Category == schema.CatBlob {
		err := eachRaw(ctx, q, e.Proj(attr), attr, func(raw []byte) error {
			var v T
			if raw != nil {
				if err := blob.Unmarshal(raw, &v); err != nil {
					return &Error{Op: "fetch", Table: e.String(), Attr: attr, Err: err}
				}
			}
			out = append(out, v)
			return nil
		})
		return out, err
	}
	var convErr error
	err := eachMap(ctx, q, e.Proj(attr), fetchOpts(opts), func(m map[string]any) bool {
		v, err := convertTo(m[attr], typ)
		if err != nil {
			convErr = &Error{Op: "fetch", Table: e.String(), Attr: attr, Err: err}
			return false
		}
		out = append(out, v.Interface().(T))
		return true
	})
	if err != nil {
		return nil, err
	}
	return out, convErr
}

// eachRaw hands the raw bytes of one attribute of every row to each.
func eachRaw(ctx context.Context, q Querier, e Expr, attr string, each func([]byte) error) error {
	query, args, err := e.SQL()
	if err != nil {
		return &Error{Op: "fetch", Table: e.String(), Err: err}
	}
	h := e.Heading()
	idx := -1
	for i := range h.Attributes {
		if h.Attributes[i].Name == attr {
			idx = i
		}
	}
	if idx < 0 {
		return &Error{Op: "fetch", Table: e.String(), Attr: attr, Err: ErrUnknownAttribute}
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return opError("fetch", e.String(), "", err)
	}
	defer rows.Close()
	raws := make([]sql.RawBytes, len(h.Attributes))
	dest := make([]any, len(raws))
	for i := range raws {
		dest[i] = &raws[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return &Error{Op: "fetch", Table: e.String(), Err: fmt.Errorf("%w: %w", ErrType, err)}
		}
		if err := each(raws[idx]); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return opError("fetch", e.String(), "", err)
	}
	return nil
}

// convertTo converts a natural value to typ.
func convertTo(v any, typ reflect.Type) (reflect.Value, error) {
	if v == nil {
		z := reflect.New(typ).Elem()
		if typ.Kind() == reflect.Float32 || typ.Kind() == reflect.Float64 {
			z.SetFloat(math.NaN())
		}
		return z, nil
	}
	rv := reflect.ValueOf(v)
	if rv.Type().AssignableTo(typ) {
		return rv, nil
	}
	num := func(k reflect.Kind) bool { return k >= reflect.Int && k <= reflect.Float64 }
	if num(rv.Kind()) && num(typ.Kind()) {
		return rv.Convert(typ), nil
	}
	if s, ok := v.(string); ok && num(typ.Kind()) {
		f, err := strconv.ParseFloat(s, 64)
		if err == nil {
			return reflect.ValueOf(f).Convert(typ), nil
		}
	}
	if typ.Kind() == reflect.String && rv.Kind() == reflect.String {
		return rv.Convert(typ), nil
	}
	return reflect.Value{}, fmt.Errorf("%w: cannot convert %T to %s", ErrType, v, typ)
}

func eachMap(ctx context.Context, q Querier, e Expr, o *fetchOptions, each func(map[string]any) bool) error {
	if err := e.Err(); err != nil {
		return &Error{Op: "fetch", Table: e.String(), Err: err}
	}
	h := e.Heading()
	query, args, err := e.SQL()
	if err != nil {
		return &Error{Op: "fetch", Table: e.String(), Err: err}
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return opError("fetch", e.String(), "", err)
	}
	defer rows.Close()
	// External attributes are resolved after the rows are read.
	mb := newMapExternal(ctx, q, e, o, &h, each)
	if mb != nil {
		each = mb.add
	}
	n := len(h.Attributes)
	vals := make([]any, n)
	dest := make([]any, n)
	for i := range vals {
		dest[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return &Error{Op: "fetch", Table: e.String(), Err: fmt.Errorf("%w: %w", ErrType, err)}
		}
		m := make(map[string]any, n)
		for i := range h.Attributes {
			a := &h.Attributes[i]
			v, err := naturalValue(a, vals[i], o)
			if err != nil {
				return &Error{Op: "fetch", Table: e.String(), Attr: a.Name, Err: err}
			}
			m[a.Name] = v
		}
		if !each(m) {
			return nil
		}
	}
	if err := rows.Err(); err != nil {
		return opError("fetch", e.String(), "", err)
	}
	rows.Close()
	return mb.finish()
}

// naturalValue converts a driver value of attribute a to its Go value.
func naturalValue(a *schema.Attribute, v any, o *fetchOptions) (any, error) {
	b, isBytes := v.([]byte)
	if v == nil {
		return nil, nil
	}
	switch a.Category {
	case schema.CatBlob:
		if !isBytes {
			break
		}
		var out any
		if err := blob.Unmarshal(b, &out); err != nil {
			return nil, err
		}
		return out, nil
	case schema.CatUUID:
		if isBytes && len(b) == 16 {
			return uuid.UUID(b), nil
		}
	case schema.CatJSON:
		var out any
		var src []byte
		switch x := v.(type) {
		case []byte:
			src = x
		case string:
			src = []byte(x)
		}
		if err := json.Unmarshal(src, &out); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrType, err)
		}
		return out, nil
	case schema.CatAttach:
		if isBytes {
			att, err := splitAttach(b)
			if err != nil {
				return nil, err
			}
			if o.downloadPath != "" {
				return saveAttachment(o.downloadPath, att)
			}
			return att, nil
		}
	case schema.CatTemporal:
		if isBytes {
			if strings.HasPrefix(a.Type, "time") {
				return parseDuration(b)
			}
			if a.Type == "year" {
				return string(b), nil
			}
			return parseTimeText(string(b))
		}
	case schema.CatExternalBlob, schema.CatExternalAttach, schema.CatFilepath:
		if isBytes && len(b) == 16 {
			return uuid.UUID(b), nil
		}
	}
	if isBytes {
		return string(b), nil
	}
	return v, nil
}

// Count returns the number of rows of the query (DataJoint's len()).
func Count(ctx context.Context, q Querier, e Expr) (int64, error) {
	query, args, err := e.CountSQL()
	if err != nil {
		return 0, &Error{Op: "count", Table: e.String(), Err: err}
	}
	var n int64
	if err := q.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, opError("count", e.String(), "", err)
	}
	return n, nil
}

// Exists reports whether the query has at least one row (DataJoint's
// bool()).
func Exists(ctx context.Context, q Querier, e Expr) (bool, error) {
	query, args, err := e.ExistsSQL()
	if err != nil {
		return false, &Error{Op: "exists", Table: e.String(), Err: err}
	}
	var n int64
	if err := q.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return false, opError("exists", e.String(), "", err)
	}
	return n != 0, nil
}
