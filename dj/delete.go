package dj

import (
	"context"
	"fmt"
	"strings"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// TableCount is the number of rows an operation removed from one table.
type TableCount struct {
	Table string // `db`.`table`
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

// Rows returns the number of rows removed from the named table (`db`.`t`).
func (r DeleteResult) Rows(table string) int64 {
	for _, c := range r.Counts {
		if c.Table == table {
			return c.Rows
		}
	}
	return 0
}

// DeleteOption configures Delete.
type DeleteOption func(*deleteOptions)

type deleteOptions struct {
	forceParts bool
	confirm    func(DeleteResult) bool
}

// ForceParts allows deleting rows of part tables without their masters
// (DataJoint's force / force_parts).
func ForceParts() DeleteOption { return func(o *deleteOptions) { o.forceParts = true } }

// Confirm is called with the counts after the rows are deleted and before
// the transaction commits; returning false rolls the delete back and
// Delete returns the counts with a nil error and nothing deleted. It is the
// hook for interactive confirmation (DataJoint's safemode prompt).
func Confirm(f func(DeleteResult) bool) DeleteOption {
	return func(o *deleteOptions) { o.confirm = f }
}

// Delete removes the rows of a restricted table expression and, first,
// every row that depends on them in descendant tables, walking the
// foreign-key graph leaves first, all in one transaction (the caller's, when
// q is a *Tx). Rows of a part table are never removed unless their master
// rows are removed too (see ForceParts). The expression must be a table
// with restrictions only (no joins or projections).
func Delete(ctx context.Context, q Querier, e Expr, opts ...DeleteOption) (DeleteResult, error) {
	var o deleteOptions
	for _, f := range opts {
		f(&o)
	}
	if err := e.Err(); err != nil {
		return DeleteResult{}, &Error{Op: "delete", Table: e.String(), Err: err}
	}
	top, ok := e.q.Source()
	if !ok {
		return DeleteResult{}, &Error{Op: "delete", Table: e.String(), Err: fmt.Errorf("%w: delete needs a table restricted by conditions, not a join or projection", ErrInvalidQuery)}
	}
	where, args, err := e.q.WhereSQL()
	if err != nil {
		return DeleteResult{}, &Error{Op: "delete", Table: top.FullName(), Err: err}
	}
	if _, master, ok := schema.ParseTableName(top.Name); ok && master != "" && !o.forceParts {
		return DeleteResult{}, &Error{Op: "delete", Table: top.FullName(), Err: fmt.Errorf("%w: %s is a part table; delete from its master %s, or pass dj.ForceParts()", ErrPartIntegrity, top.FullName(), schema.QuoteFull(top.Database, master))}
	}
	var res DeleteResult
	run := func(ctx context.Context, tx Querier) error {
		plan, err := cascadePlan(ctx, tx, top, where, args)
		defer dropTemps(ctx, tx, plan)
		if err != nil {
			return err
		}
		counts := map[string]int64{}
		for i := len(plan) - 1; i >= 0; i-- {
			st := plan[i]
			pk := quoteList(st.pk)
			r, err := tx.ExecContext(ctx, "DELETE FROM "+st.table+" WHERE ("+pk+") IN (SELECT "+pk+" FROM "+st.temp+")")
			if err != nil {
				return opError("delete", st.table, "", err)
			}
			n, _ := r.RowsAffected()
			counts[st.table] = n
			res.Counts = append(res.Counts, TableCount{Table: st.table, Rows: n})
		}
		if !o.forceParts {
			for _, st := range plan {
				if counts[st.table] == 0 || st.master == "" {
					continue
				}
				if counts[st.master] == 0 {
					return &Error{Op: "delete", Table: st.table, Err: fmt.Errorf("%w: the delete would remove %d rows of part %s but none of its master %s; delete the master rows instead, or pass dj.ForceParts()", ErrPartIntegrity, counts[st.table], st.table, st.master)}
				}
			}
		}
		if o.confirm != nil && !o.confirm(res) {
			return errDeleteCancelled
		}
		return nil
	}
	switch x := q.(type) {
	case *Tx:
		err = run(ctx, x)
	case *Conn:
		err = x.Tx(ctx, func(ctx context.Context, tx *Tx) error { return run(ctx, tx) })
	}
	if err == errDeleteCancelled {
		return res, nil
	}
	if err != nil {
		return DeleteResult{}, err
	}
	return res, nil
}

var errDeleteCancelled = fmt.Errorf("%w: delete cancelled", ErrTransaction)

// cascadeStep is one table of a cascading delete: the primary keys of its
// rows to delete are materialised in a temporary table first, parents
// before children, so that deleting leaves first cannot change which rows
// the restrictions select.
type cascadeStep struct {
	table  string   // `db`.`t`
	master string   // `db`.`master` for parts
	pk     []string // primary key of table
	temp   string   // temporary table holding the keys to delete
}

// cascadePlan materialises the keys to delete from the table and from every
// descendant, parents first: a child's rows are those that reference a row
// to be deleted in any of its parents.
func cascadePlan(ctx context.Context, q Querier, top *schema.Table, where string, args []any) ([]cascadeStep, error) {
	g, err := loadGraphFor(ctx, q, top.Database)
	if err != nil {
		return nil, opError("delete", top.FullName(), "", err)
	}
	full := top.FullName()
	order := dedupe(append([]string{full}, g.Descendants(full)...))
	byTable := map[string]*cascadeStep{}
	plan := make([]cascadeStep, 0, len(order))
	for i, t := range order {
		db, name := splitFull(t)
		st := cascadeStep{table: t, temp: schema.QuoteFull(top.Database, fmt.Sprintf("$dj_delete_%d", i))}
		if _, master, ok := schema.ParseTableName(name); ok && master != "" {
			st.master = schema.QuoteFull(db, master)
		}
		st.pk, err = primaryKeyOf(ctx, q, db, name)
		if err != nil {
			return plan, opError("delete", t, "", err)
		}
		var cond string
		var condArgs []any
		if i == 0 {
			cond, condArgs = where, args
			if cond == "" {
				cond = "TRUE"
			}
		} else {
			var terms []string
			for _, edge := range g.Parents(t) {
				p, ok := byTable[edge.Parent]
				if !ok {
					continue
				}
				terms = append(terms, fmt.Sprintf("(%s) IN (SELECT %s FROM %s)", quoteList(edge.FK.Attrs), quoteList(edge.FK.RefAttrs), p.temp))
			}
			if len(terms) == 0 {
				continue
			}
			cond = strings.Join(terms, " OR ")
		}
		stmt := "CREATE TEMPORARY TABLE " + st.temp + " AS SELECT " + quoteList(st.pk) + " FROM " + t + " WHERE " + cond
		if _, err := q.ExecContext(ctx, stmt, condArgs...); err != nil {
			return plan, opError("delete", t, "", err)
		}
		plan = append(plan, st)
		byTable[t] = &plan[len(plan)-1]
	}
	return plan, nil
}

// dropTemps removes the temporary tables of a cascade plan.
func dropTemps(ctx context.Context, q Querier, plan []cascadeStep) {
	for _, st := range plan {
		_, _ = q.ExecContext(context.WithoutCancel(ctx), "DROP TEMPORARY TABLE IF EXISTS "+st.temp)
	}
}

// primaryKeyOf reads a table's primary-key columns in key order.
func primaryKeyOf(ctx context.Context, q Querier, db, name string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT column_name FROM information_schema.key_column_usage
		WHERE table_schema = ? AND table_name = ? AND constraint_name = 'PRIMARY' ORDER BY ordinal_position`, db, name)
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
		return nil, fmt.Errorf("%w: %s has no primary key", ErrMissingTable, schema.QuoteFull(db, name))
	}
	return pk, nil
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0:0]
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = schema.QuoteIdent(n)
	}
	return strings.Join(q, ",")
}

// splitFull splits `db`.`t` into db and t.
func splitFull(full string) (string, string) {
	parts := strings.SplitN(full, "`.`", 2)
	if len(parts) != 2 {
		return "", strings.Trim(full, "`")
	}
	return strings.ReplaceAll(strings.TrimPrefix(parts[0], "`"), "``", "`"), strings.ReplaceAll(strings.TrimSuffix(parts[1], "`"), "``", "`")
}

// loadGraphFor loads the dependency graph of db and of every database that
// (transitively) references it.
func loadGraphFor(ctx context.Context, q Querier, db string) (*schema.Graph, error) {
	dbs := []string{db}
	seen := map[string]bool{db: true}
	for i := 0; i < len(dbs); i++ {
		rows, err := q.QueryContext(ctx, `SELECT DISTINCT table_schema FROM information_schema.key_column_usage
			WHERE referenced_table_schema = ? AND table_schema <> ?`, dbs[i], dbs[i])
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

// DropOption configures Table.Drop.
type DropOption func(*dropOptions)

type dropOptions struct{ forceParts bool }

// DropParts allows dropping a part table without its master.
func DropParts() DropOption { return func(o *dropOptions) { o.forceParts = true } }

// Drop drops the table and every table that depends on it, dependents
// first, and unbinds their Go types. A part table is dropped only with its
// master, unless DropParts is given.
func (t *Table) Drop(ctx context.Context, opts ...DropOption) error {
	var o dropOptions
	for _, f := range opts {
		f(&o)
	}
	c := t.schema.conn
	full := t.FullName()
	if t.meta.Master != "" && !o.forceParts {
		return &Error{Op: "drop", Table: full, Err: fmt.Errorf("%w: %s is a part table; drop its master, or pass dj.DropParts()", ErrPartIntegrity, full)}
	}
	g, err := loadGraphFor(ctx, c, t.meta.Database)
	if err != nil {
		return opError("drop", full, "", err)
	}
	order := dedupe(append([]string{full}, g.Descendants(full)...))
	inSet := map[string]bool{}
	for _, n := range order {
		inSet[n] = true
	}
	if !o.forceParts {
		for _, n := range order[1:] {
			db, name := splitFull(n)
			if _, master, ok := schema.ParseTableName(name); ok && master != "" && !inSet[schema.QuoteFull(db, master)] {
				return &Error{Op: "drop", Table: full, Err: fmt.Errorf("%w: dropping %s would drop part %s without its master", ErrPartIntegrity, full, n)}
			}
		}
	}
	for i := len(order) - 1; i >= 0; i-- {
		if _, err := c.db.ExecContext(ctx, "DROP TABLE IF EXISTS "+order[i]); err != nil {
			return opError("drop", order[i], "", err)
		}
		c.unbind(order[i])
	}
	return nil
}
