package dj

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"reflect"

	"gonum.org/v1/gonum/mat"
)

// FetchMatrix returns numeric attributes of every row as a matrix: one row
// per result row (in the query's order), one column per attribute, in the
// order given. NULL becomes NaN. Integer, float, decimal and bool
// attributes qualify. An integer that a float64 cannot hold exactly (beyond
// 2^53 in magnitude) is an ErrType naming the attribute and row rather than
// a rounded number; a decimal reads as its nearest float64. A query without rows gives an empty matrix (a zero
// mat.Dense, on which IsEmpty is true).
func FetchMatrix(ctx context.Context, q Querier, e Expr, attrs ...string) (*mat.Dense, error) {
	data, n, err := fetchNumeric(ctx, q, e, attrs)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return &mat.Dense{}, nil
	}
	return mat.NewDense(n, len(attrs), data), nil
}

// FetchVector returns one numeric attribute of every row as a vector; NULL
// becomes NaN. A query without rows gives an empty vector.
func FetchVector(ctx context.Context, q Querier, e Expr, attr string) (*mat.VecDense, error) {
	data, n, err := fetchNumeric(ctx, q, e, []string{attr})
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return &mat.VecDense{}, nil
	}
	return mat.NewVecDense(n, data), nil
}

var float64Type = reflect.TypeFor[float64]()

// fetchNumeric reads attrs row by row into one row-major slice. The
// query is checked and built once; only reading it runs on the server
// readData chooses (and again on another after a failure).
func fetchNumeric(ctx context.Context, q Querier, e Expr, attrs []string) ([]float64, int, error) {
	if len(attrs) == 0 {
		return nil, 0, &Error{Op: "fetch", Table: e.String(), Err: fmt.Errorf("%w: FetchMatrix needs at least one attribute", ErrInvalidQuery)}
	}
	h := e.Heading()
	for _, name := range attrs {
		a, ok := h.Attr(name)
		if e.Err() == nil && !ok {
			return nil, 0, &Error{Op: "fetch", Table: e.String(), Attr: name, Err: ErrUnknownAttribute}
		}
		if ok && a.Category != 0 && !a.Category.Numeric() {
			return nil, 0, &Error{Op: "fetch", Table: e.String(), Attr: name, Err: fmt.Errorf("%w: %s is not numeric", ErrType, a.Type)}
		}
	}
	p := e.Proj(attrs...)
	query, args, err := p.SQL()
	if err != nil {
		return nil, 0, &Error{Op: "fetch", Table: e.String(), Err: err}
	}
	ph := p.Heading()
	// Map result columns to matrix columns; key columns not asked for are
	// read and dropped.
	col := make([]int, len(ph.Attributes))
	for i := range ph.Attributes {
		col[i] = -1
		for j, name := range attrs {
			if ph.Attributes[i].Name == name {
				col[i] = j
			}
		}
	}
	var data []float64
	var n int
	err = readData(ctx, q, func(q Querier, _ *handOver) error {
		var err error
		data, n, err = readNumeric(ctx, q, e, attrs, query, args, col)
		return err
	})
	return data, n, err
}

// readNumeric runs query on the server of q and reads its rows; col maps
// each result column to its matrix column (-1: read and dropped).
func readNumeric(ctx context.Context, q Querier, e Expr, attrs []string, query string, args []any, col []int) ([]float64, int, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, opError("fetch", e.String(), "", err)
	}
	defer rows.Close()
	width := len(attrs)
	vals := make([]any, width)
	var skip sql.RawBytes
	dest := make([]any, len(col))
	for i, j := range col {
		if j < 0 {
			dest[i] = &skip
		} else {
			dest[i] = &vals[j]
		}
	}
	var data []float64
	n := 0
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, 0, &Error{Op: "fetch", Table: e.String(), Err: typeErr(err)}
		}
		for j, v := range vals {
			if v == nil {
				data = append(data, math.NaN())
				continue
			}
			f, ok := v.(float64)
			if !ok {
				var err error
				if f, err = toFloat(v, false); err != nil {
					return nil, 0, &Error{Op: "fetch", Table: e.String(), Attr: attrs[j], Err: fmt.Errorf("row %d: %w", n, convErr(v, float64Type, err))}
				}
			}
			data = append(data, f)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return nil, 0, opError("fetch", e.String(), "", err)
	}
	return data, n, nil
}
