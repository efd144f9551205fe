package dj

import "context"

// TableKeySource returns the key source of an auto-populated table opened
// by name (Schema.Table): the join of its primary-key parents, as
// PopulateMaps uses it. A table without primary-key parents has none; that
// is an ErrInvalidQuery.
func TableKeySource(ctx context.Context, t *Table) (Expr, error) {
	return keySourceOf(ctx, t.schema.conn, t, new(Key))
}

// TableProgress is Progress for a table opened by name: the number of keys
// of its key source (restricted by conds) not yet in the table, and the
// number of keys in all.
func TableProgress(ctx context.Context, t *Table, conds ...Cond) (remaining, total int64, err error) {
	ks, err := TableKeySource(ctx, t)
	if err != nil {
		return 0, 0, err
	}
	c := t.schema.conn
	ks = ks.Restrict(conds...).Proj()
	if total, err = Count(ctx, c, ks); err != nil {
		return 0, 0, err
	}
	if remaining, err = Count(ctx, c, ks.Exclude(t.Expr())); err != nil {
		return 0, 0, err
	}
	return remaining, total, nil
}
