package dj

import "context"

// TableKeySource returns the key source of an auto-populated table opened
// by name (Schema.Table): the join of its primary-key parents, as
// PopulateMaps uses it. A table without primary-key parents has none; that
// is an ErrInvalidQuery.
func TableKeySource(ctx context.Context, t *Table) (Expr, error) {
	return keySourceOf(ctx, t.schema.conn, t, new(Key))
}
