package dj

import (
	"context"
	"fmt"
)

// PopulateMaps populates a table opened by name (Schema.Table), without a
// Go struct: for every missing key of the table's key source (the join of
// its primary-key parents), makeFn receives the key as a map and returns
// the rows to insert into t, as maps. The rows are inserted in the key's
// transaction, after makeFn returns, together with whatever makeFn
// inserted itself through tx, so a key commits completely or not at all.
// A make that has part rows inserts its master row itself first
// (t.Insert1(ctx, tx, row)), then the parts, and returns no rows, as a
// DataJoint make does.
// Every option of Populate applies: ReserveJobs (the same ~jobs rows as
// DataJoint for Python), Workers, Restrict, Keys, Limit, MaxCalls,
// OrderKeys, SuppressErrors and ShowProgress.
//
// Only Imported and Computed tables are populated; another tier is an
// ErrInvalidQuery.
func PopulateMaps(ctx context.Context, t *Table, makeFn func(ctx context.Context, tx *Tx, key Key) ([]map[string]any, error), opts ...PopulateOption) (PopulateResult, error) {
	if t == nil || makeFn == nil {
		return PopulateResult{}, &Error{Op: "populate", Err: fmt.Errorf("%w: nil table or make function", ErrInvalidQuery)}
	}
	c := t.schema.conn
	return populate[Key](ctx, c, makeSpec[Key]{
		table: t,
		inTx: func(ctx context.Context, tx *Tx, key *Key, _ any) error {
			rows, err := makeFn(ctx, tx, *key)
			if err != nil {
				return err
			}
			if len(rows) == 0 {
				return nil
			}
			return t.Insert(ctx, tx, rows)
		},
	}, opts)
}

// fillMap gives a map row a copy of the key.
func fillMap(row any, key Key) bool {
	m, ok := row.(*Key)
	if !ok {
		return false
	}
	out := make(Key, len(key))
	for k, v := range key {
		out[k] = v
	}
	*m = out
	return true
}
