package dj

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"iter"
	"reflect"
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
	maxBlob      int64     // decoded-size limit of one blob; 0 is the blob default
	ext          *extFetch // set while rows with external attributes are read
}

// Lax relaxes the mapping of results to struct fields: attributes without
// a field are not transferred (beyond the primary key) and fields without
// an attribute are left unset. By default both are errors.
func Lax() FetchOption { return func(o *fetchOptions) { o.lax = true } }

// DownloadPath sets the directory where attachments fetched into string
// fields are written (default: the working directory).
func DownloadPath(dir string) FetchOption { return func(o *fetchOptions) { o.downloadPath = dir } }

// MaxBlobSize bounds, in bytes, the memory one blob of this fetch may
// decode into (its decompressed payload and its decoded value), overriding
// Config.MaxBlobSize. A blob beyond it fails with an error wrapping
// blob.ErrTooLarge before the memory is spent. n ≤ 0 keeps the
// connection's limit.
func MaxBlobSize(n int64) FetchOption {
	return func(o *fetchOptions) {
		if n > 0 {
			o.maxBlob = n
		}
	}
}

// fetchOpts applies opts over the defaults of q's connection.
func fetchOpts(q Querier, opts []FetchOption) *fetchOptions {
	o := &fetchOptions{}
	if q != nil {
		if c := q.djConn(); c != nil {
			o.maxBlob = c.cfg.MaxBlobSize
		}
	}
	for _, f := range opts {
		f(o)
	}
	return o
}

// unmarshalBlob decodes the blob raw into v within the fetch's
// decoded-size limit. Every blob a fetch reads is decoded through it or
// decodeBlob.
func unmarshalBlob(raw []byte, v any, o *fetchOptions) error {
	return typeErr(blob.Unmarshal(raw, v, o.blobLimit()))
}

// decodeBlob decodes the blob raw into its generic value within the
// fetch's decoded-size limit.
func decodeBlob(raw []byte, o *fetchOptions) (any, error) {
	var out any
	if err := blob.Unmarshal(raw, &out, o.blobLimit()); err != nil {
		return nil, typeErr(err)
	}
	return out, nil
}

// blobLimit is the blob option carrying the decoded-size limit.
func (o *fetchOptions) blobLimit() blob.Option {
	if o == nil || o.maxBlob <= 0 {
		return nil
	}
	return blob.MaxDecodedSize(o.maxBlob)
}

// Fetch runs the query and returns its rows as structs of type T, whose
// fields match the query's attributes by column name (see Lax). On an
// error it returns no rows.
func Fetch[T any](ctx context.Context, q Querier, e Expr, opts ...FetchOption) ([]T, error) {
	var out []T
	var zero T
	o := fetchOpts(q, opts)
	err := readData(ctx, q, func(q Querier, _ *handOver) error {
		out = nil
		return fetchInto(ctx, q, e, o, reflect.TypeFor[T](), func() reflect.Value {
			out = append(out, zero)
			return reflect.ValueOf(&out[len(out)-1]).Elem()
		}, func() bool { return true })
	})
	return noRowsOnError(out, err)
}

// noRowsOnError returns the rows, or none with the error: a fetch that
// fails returns no partial result.
func noRowsOnError[T any](rows []T, err error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// FetchOne returns the only row of the query. No row is ErrNoRows; more
// than one is ErrTooManyRows.
func FetchOne[T any](ctx context.Context, q Querier, e Expr, opts ...FetchOption) (T, error) {
	var rows [2]T
	n := 0
	o := fetchOpts(q, opts)
	err := readData(ctx, q, func(q Querier, _ *handOver) error {
		rows, n = [2]T{}, 0
		return fetchInto(ctx, q, e.Limit(2), o, reflect.TypeFor[T](), func() reflect.Value {
			v := reflect.ValueOf(&rows[n]).Elem()
			n++
			return v
		}, func() bool { return n < 2 })
	})
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
//
// On a connection with replicas, a replica that fails before the first row
// is yielded is replaced by the next server; one that fails later ends
// the iteration with an error matching ErrLostConnection, since going on
// elsewhere would yield rows again.
func All[T any](ctx context.Context, q Querier, e Expr, opts ...FetchOption) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var cur T
		stopped := false
		o := fetchOpts(q, opts)
		err := readData(ctx, q, func(q Querier, h *handOver) error {
			return fetchInto(ctx, q, e, o, reflect.TypeFor[T](), func() reflect.Value {
				var zero T
				cur = zero
				return reflect.ValueOf(&cur).Elem()
			}, func() bool {
				h.handed = true
				if !yield(cur, nil) {
					stopped = true
					return false
				}
				return true
			})
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
	rows, err := queryRows(ctx, q, e)
	if err != nil {
		return err
	}
	defer rows.Close()
	if planHasExternal(plan) {
		return fetchExternalRows(ctx, q, e, o, typ, plan, rows, next, done)
	}
	sc := newRowScanner(plan, o)
	for rows.Next() {
		if err := sc.scan(rows, next()); err != nil {
			return fetchError(e, err)
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
	o := fetchOpts(q, opts)
	err := readData(ctx, q, func(q Querier, _ *handOver) error {
		out = nil
		return eachMap(ctx, q, e, o, func(m map[string]any) bool {
			out = append(out, m)
			return true
		})
	})
	return noRowsOnError(out, err)
}

// Key is a primary-key value: attribute name → value, as FetchKeys
// returns it and restrictions accept it.
type Key = map[string]any

// FetchKeys returns the primary keys of the query's rows (DataJoint's
// fetch("KEY")).
func FetchKeys(ctx context.Context, q Querier, e Expr) ([]Key, error) {
	return FetchMaps(ctx, q, e.Proj())
}

// FetchColumn returns one attribute of every row, converted to T (for
// example FetchColumn[float64](ctx, q, e, "x")). Numbers convert between Go
// numeric types only when the value survives unchanged: a value out of T's
// range, a fraction into an integer type, a negative number into an
// unsigned type or an integer a float type cannot hold exactly is an
// ErrType naming the attribute and row (a float64 into a float32 rounds to
// the nearest float32). NULL gives T's zero value, or NaN for float types.
// Blob attributes decode straight into T (for example *mat.Dense or
// []float64).
func FetchColumn[T any](ctx context.Context, q Querier, e Expr, attr string, opts ...FetchOption) ([]T, error) {
	var out []T
	err := readData(ctx, q, func(q Querier, _ *handOver) error {
		var err error
		out, err = fetchColumn[T](ctx, q, e, attr, opts)
		return err
	})
	return noRowsOnError(out, err)
}

// fetchColumn is FetchColumn on one server.
func fetchColumn[T any](ctx context.Context, q Querier, e Expr, attr string, opts []FetchOption) ([]T, error) {
	var out []T
	typ := reflect.TypeFor[T]()
	h := e.Heading()
	if a, ok := h.Attr(attr); ok && a.Category == schema.CatExternalBlob {
		return fetchExternalColumn[T](ctx, q, e, a, fetchOpts(q, opts))
	}
	if a, ok := h.Attr(attr); ok && a.Category == schema.CatBlob && adapterFor(a) == nil {
		o := fetchOpts(q, opts)
		err := eachRaw(ctx, q, e.Proj(attr), attr, func(raw []byte) error {
			var v T
			if raw != nil {
				if err := unmarshalBlob(raw, &v, o); err != nil {
					return &Error{Op: "fetch", Table: e.String(), Attr: attr, Err: fmt.Errorf("row %d: %w", len(out), err)}
				}
			}
			out = append(out, v)
			return nil
		})
		return noRowsOnError(out, err)
	}
	if a, ok := h.Attr(attr); ok && a.Category == schema.CatJSON && adapterFor(a) == nil && (typ == reflect.TypeFor[json.RawMessage]() || typ == bytesType) {
		// The JSON text as stored.
		err := eachRaw(ctx, q, e.Proj(attr), attr, func(raw []byte) error {
			var v T
			if raw != nil {
				reflect.ValueOf(&v).Elem().SetBytes(bytes.Clone(raw))
			}
			out = append(out, v)
			return nil
		})
		return noRowsOnError(out, err)
	}
	var convErr error
	err := eachMap(ctx, q, e.Proj(attr), fetchOpts(q, opts), func(m map[string]any) bool {
		v, err := convertTo(m[attr], typ)
		if err != nil {
			convErr = &Error{Op: "fetch", Table: e.String(), Attr: attr, Err: fmt.Errorf("row %d: %w", len(out), err)}
			return false
		}
		out = append(out, v.Interface().(T))
		return true
	})
	if err != nil {
		return nil, err
	}
	if convErr != nil {
		return nil, convErr
	}
	return out, nil
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
			return &Error{Op: "fetch", Table: e.String(), Err: typeErr(err)}
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

func eachMap(ctx context.Context, q Querier, e Expr, o *fetchOptions, each func(map[string]any) bool) error {
	if err := e.Err(); err != nil {
		return &Error{Op: "fetch", Table: e.String(), Err: err}
	}
	h := e.Heading()
	rows, err := queryRows(ctx, q, e)
	if err != nil {
		return err
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
			return &Error{Op: "fetch", Table: e.String(), Err: typeErr(err)}
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

// naturalValue converts a driver value of attribute a to its Go value,
// through a's Adapter when one is registered.
func naturalValue(a *schema.Attribute, v any, o *fetchOptions) (any, error) {
	if v != nil {
		if ad := adapterFor(a); ad != nil {
			return adaptedValue(ad, a, v, o)
		}
	}
	return naturalPlain(a, v, o)
}

// naturalPlain converts a driver value of attribute a to the Go value of
// its underlying type.
func naturalPlain(a *schema.Attribute, v any, o *fetchOptions) (any, error) {
	b, isBytes := v.([]byte)
	if v == nil {
		return nil, nil
	}
	switch a.Category {
	case schema.CatBlob:
		if !isBytes {
			break
		}
		return decodeBlob(b, o)
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
			return nil, typeErr(err)
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
	return readScalar(ctx, q, "count", e, query, args)
}

// Exists reports whether the query has at least one row (DataJoint's
// bool()).
func Exists(ctx context.Context, q Querier, e Expr) (bool, error) {
	query, args, err := e.ExistsSQL()
	if err != nil {
		return false, &Error{Op: "exists", Table: e.String(), Err: err}
	}
	n, err := readScalar(ctx, q, "exists", e, query, args)
	return err == nil && n != 0, err
}

// readScalar reads the one integer query returns, as a read of data (on a
// replica where the connection has one); errors are op errors of e.
func readScalar(ctx context.Context, q Querier, op string, e Expr, query string, args []any) (int64, error) {
	var n int64
	err := readData(ctx, q, func(q Querier, _ *handOver) error {
		if err := q.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
			return opError(op, e.String(), "", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// queryRows runs the query of e; errors are fetch errors of e.
func queryRows(ctx context.Context, q Querier, e Expr) (*sql.Rows, error) {
	query, args, err := e.SQL()
	if err != nil {
		return nil, &Error{Op: "fetch", Table: e.String(), Err: err}
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, opError("fetch", e.String(), "", err)
	}
	return rows, nil
}
