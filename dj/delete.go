package dj

import (
	"context"
	"errors"
	"fmt"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// TableCount is the number of rows an operation removed from one table.
type TableCount struct {
	Table schema.TableID
	Rows  int64
}

// DeleteResult reports what a cascading delete removed, per table, leaves
// first.
type DeleteResult struct {
	Counts []TableCount
}

// Total is the number of rows removed from all tables.
func (r DeleteResult) Total() int64 {
	var n int64
	for _, c := range r.Counts {
		n += c.Rows
	}
	return n
}

// Rows returns the number of rows removed from the table (Table.ID).
func (r DeleteResult) Rows(table schema.TableID) int64 {
	for _, c := range r.Counts {
		if c.Table == table {
			return c.Rows
		}
	}
	return 0
}

// DeleteOption configures Delete.
type DeleteOption interface{ applyDelete(*deleteOptions) }

type deleteOption func(*deleteOptions)

func (f deleteOption) applyDelete(o *deleteOptions) { f(o) }

type deleteOptions struct {
	forceParts bool
	confirm    func(DeleteResult) bool
}

// ForceParts allows deleting rows of part tables, or dropping part tables,
// without their masters (DataJoint's force_parts / force). It is a
// DeleteOption and a DropOption.
func ForceParts() ForcePartsOption { return ForcePartsOption{} }

// ForcePartsOption is the option ForceParts returns.
type ForcePartsOption struct{}

func (ForcePartsOption) applyDelete(o *deleteOptions) { o.forceParts = true }
func (ForcePartsOption) applyDrop(o *dropOptions)     { o.forceParts = true }

// Confirm is called with the number of rows the delete is about to remove
// from each table, after those rows are selected and locked and before any
// of them is deleted. Returning false cancels the delete: nothing is
// deleted, and Delete returns an empty DeleteResult with a nil error. It is
// the hook for interactive confirmation (DataJoint's safemode prompt). When
// the delete's transaction is rolled back by a deadlock or lock-wait
// timeout and run again, f is asked again with the counts of the new
// attempt.
func Confirm(f func(DeleteResult) bool) DeleteOption {
	return deleteOption(func(o *deleteOptions) { o.confirm = f })
}

// Delete removes the rows of a restricted table expression and, first,
// every row that depends on them in descendant tables, walking the
// foreign-key graph leaves first, all in one transaction (the caller's, when
// q is a *Tx). Rows of a part table are never removed unless their master
// rows are removed too (see ForceParts). The expression must be a table
// with restrictions only (no joins or projections).
//
// The keys to delete are selected first, parents before children, into
// temporary tables keyed like the tables they come from, so restrictions
// that refer to descendants see the data as it was before the delete. Each
// descendant's rows are found through its foreign-key index and locked as
// they are selected; rows of other keys stay unlocked, except those the
// restriction of the top table itself examines.
func Delete(ctx context.Context, q Querier, e Expr, opts ...DeleteOption) (DeleteResult, error) {
	var o deleteOptions
	for _, f := range opts {
		f.applyDelete(&o)
	}
	top, where, args, err := deleteTarget("delete", e)
	if err != nil {
		return DeleteResult{}, err
	}
	if err := q.djConn().refuseWrite("delete", top.FullName()); err != nil {
		return DeleteResult{}, err
	}
	if _, master, ok := schema.ParseTableName(top.Name); ok && master != "" && !o.forceParts {
		return DeleteResult{}, &Error{Op: "delete", Table: top.FullName(), Err: fmt.Errorf("%w: %s is a part table; delete from its master %s, or pass dj.ForceParts()", ErrPartIntegrity, top.FullName(), schema.QuoteFull(top.Database, master))}
	}
	var res DeleteResult
	run := func(ctx context.Context, tx Querier) error {
		c, err := planCascade(ctx, tx, top, where, args, o.confirm != nil)
		defer c.dropTemps(ctx, tx)
		if err != nil {
			return err
		}
		if !o.forceParts {
			if err := c.checkParts(ctx, tx); err != nil {
				return err
			}
		}
		if o.confirm != nil && !o.confirm(c.planned()) {
			return errDeleteCancelled
		}
		res, err = c.execute(ctx, tx)
		return err
	}
	switch x := q.(type) {
	case *Tx:
		err = run(ctx, x)
	case *Conn:
		err = x.Tx(ctx, func(ctx context.Context, tx *Tx) error { return run(ctx, tx) }, retryLibraryTx)
	}
	if errors.Is(err, errDeleteCancelled) {
		return DeleteResult{}, nil
	}
	if err != nil {
		return DeleteResult{}, err
	}
	return res, nil
}

var errDeleteCancelled = fmt.Errorf("%w: delete cancelled", ErrTransaction)

// DeleteQuick removes the rows of a restricted table expression with one
// DELETE statement and no cascade (DataJoint's delete_quick), and returns
// the number of rows removed. When a row of another table still references
// one of them, the statement fails as a whole with ErrIntegrity and nothing
// is deleted. Part integrity is not checked. The expression must be a table
// with restrictions only. The statement is recorded in the schema's ~log
// table.
func DeleteQuick(ctx context.Context, q Querier, e Expr) (int64, error) {
	top, where, args, err := deleteTarget("delete", e)
	if err != nil {
		return 0, err
	}
	if err := q.djConn().refuseWrite("delete", top.FullName()); err != nil {
		return 0, err
	}
	stmt := deleteWhereSQL(top.FullName(), where)
	r, err := q.ExecContext(ctx, stmt, args...)
	if err != nil {
		return 0, opError("delete", top.FullName(), "", err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return 0, opError("delete", top.FullName(), "", err)
	}
	q.djConn().logEvent(ctx, q, top.Database, stmt)
	return n, nil
}

// deleteTarget checks that e is a restricted table and returns the table
// and its WHERE condition (empty when unrestricted).
func deleteTarget(op string, e Expr) (*schema.Table, string, []any, error) {
	if err := e.Err(); err != nil {
		return nil, "", nil, &Error{Op: op, Table: e.String(), Err: err}
	}
	top, ok := e.q.Source()
	if !ok {
		return nil, "", nil, &Error{Op: op, Table: e.String(), Err: fmt.Errorf("%w: delete needs a table restricted by conditions, not a join or projection", ErrInvalidQuery)}
	}
	where, args, err := e.q.WhereSQL()
	if err != nil {
		return nil, "", nil, &Error{Op: op, Table: top.FullName(), Err: err}
	}
	return top, where, args, nil
}

// primaryKeyOf reads a table's primary-key columns in key order.
func primaryKeyOf(ctx context.Context, q Querier, id schema.TableID) ([]string, error) {
	rows, err := q.QueryContext(ctx, primaryKeySQL, id.Database, id.Table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var pk []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		pk = append(pk, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(pk) == 0 {
		return nil, fmt.Errorf("%w: %s has no primary key", ErrMissingTable, id)
	}
	return pk, nil
}

func dedupe(s []schema.TableID) []schema.TableID {
	seen := map[schema.TableID]bool{}
	out := s[:0:0]
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// loadGraphFor loads the dependency graph of db and of every database that
// (transitively) references it.
func loadGraphFor(ctx context.Context, q Querier, db string) (*schema.Graph, error) {
	dbs := []string{db}
	seen := map[string]bool{db: true}
	for i := 0; i < len(dbs); i++ {
		rows, err := q.QueryContext(ctx, referencingSchemasSQL, dbs[i], dbs[i])
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return nil, err
			}
			if !seen[s] {
				seen[s] = true
				dbs = append(dbs, s)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return schema.LoadGraph(ctx, q, dbs...)
}
