package web

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// rowCount is the number of rows of a table: exact, or the server's
// estimate (information_schema.TABLES.TABLE_ROWS) for a large table, whose
// exact count would scan it.
type rowCount struct {
	N         int64
	Estimated bool
	Comment   string // the table's comment
	Created   string // the table's CREATE_TIME, which an ALTER TABLE renews
}

// countRows returns the row count of every base table of db, by MySQL
// name. Tables whose estimate is at least large rows keep the estimate;
// the others are counted exactly.
func countRows(ctx context.Context, c *dj.Conn, db string, large int64) (map[string]rowCount, error) {
	rows, err := c.QueryContext(ctx, `SELECT table_name, table_rows, table_comment, COALESCE(CAST(create_time AS CHAR), '') FROM information_schema.tables
		WHERE table_schema = ? AND table_type = 'BASE TABLE'`, db)
	if err != nil {
		return nil, &dj.Error{Op: "count", Table: schema.QuoteIdent(db), Err: err}
	}
	out := map[string]rowCount{}
	for rows.Next() {
		var name string
		var est sql.NullInt64
		var comment, created string
		if err := rows.Scan(&name, &est, &comment, &created); err != nil {
			rows.Close()
			return nil, &dj.Error{Op: "count", Table: schema.QuoteIdent(db), Err: err}
		}
		out[name] = rowCount{N: est.Int64, Estimated: true, Comment: comment, Created: created}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, &dj.Error{Op: "count", Table: schema.QuoteIdent(db), Err: err}
	}
	// The small tables are counted exactly, concurrently.
	var small []string
	for name, rc := range out {
		if rc.N < large {
			small = append(small, name)
		}
	}
	exact := make([]int64, len(small))
	err = forEach(len(small), func(i int) error {
		full := schema.QuoteFull(db, small[i])
		if err := c.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+full).Scan(&exact[i]); err != nil {
			return &dj.Error{Op: "count", Table: full, Err: err}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, name := range small {
		rc := out[name]
		rc.N, rc.Estimated = exact[i], false
		out[name] = rc
	}
	return out, nil
}

// parallelQueries bounds the queries a page runs at once.
const parallelQueries = 6

// forEach runs f(0) … f(n-1), parallelQueries at a time, and joins their
// errors.
func forEach(n int, f func(i int) error) error {
	errs := make([]error, n)
	sem := make(chan struct{}, parallelQueries)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = f(i)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// hasJobs reports which of the server's databases have a ~jobs table;
// the dashboard reads ~jobs only where it exists and never creates one.
func hasJobs(ctx context.Context, c *dj.Conn) (map[string]bool, error) {
	rows, err := c.QueryContext(ctx, `SELECT table_schema FROM information_schema.tables
		WHERE table_name = '~jobs' AND table_type = 'BASE TABLE'`)
	if err != nil {
		return nil, &dj.Error{Op: "jobs", Err: err}
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var db string
		if err := rows.Scan(&db); err != nil {
			return nil, &dj.Error{Op: "jobs", Err: err}
		}
		out[db] = true
	}
	return out, rows.Err()
}
