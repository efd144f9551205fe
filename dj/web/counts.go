package web

import (
	"context"
	"database/sql"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// rowCount is the number of rows of a table: exact, or the server's
// estimate (information_schema.TABLES.TABLE_ROWS) for a large table, whose
// exact count would scan it.
type rowCount struct {
	N         int64
	Estimated bool
}

// countRows returns the row count of every base table of db, by MySQL
// name. Tables whose estimate is at least large rows keep the estimate;
// the others are counted exactly.
func countRows(ctx context.Context, c *dj.Conn, db string, large int64) (map[string]rowCount, error) {
	rows, err := c.QueryContext(ctx, `SELECT table_name, table_rows FROM information_schema.tables
		WHERE table_schema = ? AND table_type = 'BASE TABLE'`, db)
	if err != nil {
		return nil, &dj.Error{Op: "count", Table: schema.QuoteIdent(db), Err: err}
	}
	out := map[string]rowCount{}
	for rows.Next() {
		var name string
		var est sql.NullInt64
		if err := rows.Scan(&name, &est); err != nil {
			rows.Close()
			return nil, &dj.Error{Op: "count", Table: schema.QuoteIdent(db), Err: err}
		}
		out[name] = rowCount{N: est.Int64, Estimated: true}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, &dj.Error{Op: "count", Table: schema.QuoteIdent(db), Err: err}
	}
	for name, rc := range out {
		if rc.N >= large {
			continue
		}
		full := schema.QuoteFull(db, name)
		if err := c.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+full).Scan(&rc.N); err != nil {
			return nil, &dj.Error{Op: "count", Table: full, Err: err}
		}
		out[name] = rowCount{N: rc.N}
	}
	return out, nil
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
