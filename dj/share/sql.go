package share

import (
	"context"
	"strings"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// relatedSchemasSQL lists the other databases whose tables reference
// tables of the database ?, or that its tables reference.
const relatedSchemasSQL = `SELECT DISTINCT table_schema FROM information_schema.key_column_usage
	WHERE referenced_table_schema = ? AND table_schema <> ?
	UNION SELECT DISTINCT referenced_table_schema FROM information_schema.key_column_usage
	WHERE table_schema = ? AND referenced_table_schema IS NOT NULL AND referenced_table_schema <> ?`

// inList is "(?,?,...)" with n placeholders.
func inList(n int) string { return "(" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")" }

// nullableSQL lists the nullable columns of the tables of n databases.
func nullableSQL(n int) string {
	return "SELECT table_schema, table_name, column_name FROM information_schema.columns WHERE is_nullable = 'YES' AND table_schema IN " + inList(n)
}

// externalRefsSQL lists the columns of the tables of n databases that
// reference an ~external_<store> tracking table.
func externalRefsSQL(n int) string {
	return `SELECT table_schema, table_name, column_name, referenced_table_schema, referenced_table_name
	FROM information_schema.key_column_usage
	WHERE referenced_table_name LIKE '~external\_%' AND table_name NOT LIKE '~%' AND table_schema IN ` + inList(n) + `
	ORDER BY referenced_table_schema, referenced_table_name, table_schema, table_name, column_name`
}

// columnsSQL lists the columns of a table, with their types, in their
// order.
const columnsSQL = `SELECT column_name, data_type FROM information_schema.columns
	WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position`

// schemaExistsSQL counts the databases named ?.
const schemaExistsSQL = `SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?`

// tableExistsSQL counts the tables named ? in database ?.
const tableExistsSQL = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?`

// hiddenTablesSQL lists the tracking and log tables of a database.
const hiddenTablesSQL = `SELECT table_name FROM information_schema.tables
	WHERE table_schema = ? AND table_type = 'BASE TABLE' AND (table_name = '~log' OR table_name LIKE '~external\_%')
	ORDER BY table_name`

// hiddenTables lists the tracking and log tables of the database db.
func hiddenTables(ctx context.Context, q dj.Querier, db string) ([]schema.TableID, error) {
	var ids []schema.TableID
	err := queryEach(ctx, q, hiddenTablesSQL, []any{db}, func(sc func(...any) error) error {
		var t string
		if err := sc(&t); err != nil {
			return err
		}
		ids = append(ids, schema.TableID{Database: db, Table: t})
		return nil
	})
	return ids, err
}

// cols is the comma-separated list of the columns, qualified by alias a
// unless it is empty.
func cols(a string, names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		if a != "" {
			b.WriteString(schema.QuoteIdent(a) + ".")
		}
		b.WriteString(schema.QuoteIdent(n))
	}
	return b.String()
}

// on is the join condition a.x[i] = b.y[i] for every i.
func on(a string, x []string, b string, y []string) string {
	parts := make([]string, len(x))
	for i := range x {
		parts[i] = schema.QuoteIdent(a) + "." + schema.QuoteIdent(x[i]) + " = " + schema.QuoteIdent(b) + "." + schema.QuoteIdent(y[i])
	}
	return strings.Join(parts, " AND ")
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// queryEach runs a query and calls fn with the scanner of each row.
func queryEach(ctx context.Context, q dj.Querier, query string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}
