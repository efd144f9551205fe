package dj

import (
	"context"
	"fmt"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// cascade is the plan of a cascading delete: one step per table that has
// rows to delete, parents before children.
type cascade struct {
	steps []*cascadeStep
	temps []schema.TableID // temporary tables created, to drop at the end
}

// cascadeStep is one table of a cascading delete. The primary keys of
// its rows to delete are materialised in a temporary table with the same
// primary key, so that every later statement finds them through an index;
// a table without children (a leaf) is instead deleted through the
// temporary tables of its parents, unless exact counts are needed first.
type cascadeStep struct {
	table  schema.TableID
	master schema.TableID // the master of a part, or zero
	pk     []string       // primary key of table
	temp   schema.TableID // temporary table holding the keys to delete, or zero
	rows   int64          // keys in temp

	// Without temp: the condition of the top table, or the parents whose
	// temporary tables select the rows.
	where   string
	args    []any
	parents []cascadeParent
}

// cascadeParent is a foreign key from a leaf to a materialised parent.
type cascadeParent struct {
	p    *cascadeStep
	edge schema.Edge
}

// planCascade selects, parents first, the keys to delete from the table
// and from every descendant into temporary tables: a child's rows are those
// that reference a selected row of any of its parents. Every selection is a
// locking read, so the rows stay as selected until the transaction ends.
// With exact unset, leaves are not materialised and their counts are known
// only after execute. Tables without rows to delete get no step. The
// returned cascade holds the temporary tables created so far, also on error.
func planCascade(ctx context.Context, q Querier, top *schema.Table, where string, args []any, exact bool) (*cascade, error) {
	c := &cascade{}
	id := top.ID()
	g, err := loadGraphFor(ctx, q, top.Database)
	if err != nil {
		return c, opError("delete", id.Quoted(), "", err)
	}
	order := dedupe(append([]schema.TableID{id}, g.Descendants(id)...))
	byTable := map[schema.TableID]*cascadeStep{}
	for i, t := range order {
		st := &cascadeStep{table: t}
		if _, master, ok := schema.ParseTableName(t.Table); ok && master != "" {
			st.master = schema.TableID{Database: t.Database, Table: master}
		}
		st.pk = g.PrimaryKey(t)
		if len(st.pk) == 0 {
			if st.pk, err = primaryKeyOf(ctx, q, t); err != nil {
				return c, opError("delete", t.Quoted(), "", err)
			}
		}
		leaf := !exact && len(g.Children(t)) == 0
		if i == 0 {
			st.where, st.args = where, args
			if st.where == "" {
				st.where = "TRUE"
			}
			if !leaf {
				st.temp = cascadeTempID(top.Database, i)
				if st.rows, err = c.fill(ctx, q, st, true, t.Quoted(), t.Quoted()+" WHERE "+st.where, args); err != nil {
					return c, err
				}
			}
		} else {
			for _, edge := range g.Parents(t) {
				if p := byTable[edge.Parent]; p != nil {
					st.parents = append(st.parents, cascadeParent{p, edge})
				}
			}
			if len(st.parents) == 0 {
				continue
			}
			if !leaf {
				st.temp = cascadeTempID(top.Database, i)
				for k, pe := range st.parents {
					n, err := c.fill(ctx, q, st, k == 0, "`c`", parentJoin(pe, st.table, "`c`"), nil)
					if err != nil {
						return c, err
					}
					st.rows += n
				}
				st.parents = nil
			}
		}
		c.steps = append(c.steps, st)
		if !st.temp.IsZero() && st.rows > 0 {
			byTable[t] = st
		}
	}
	return c, nil
}

// parentJoin is the FROM clause that finds the rows of a child table
// referencing, through one foreign key, the keys in the temporary table of
// a parent step: the temporary table drives the join, and the child is
// reached through the index of its foreign key. alias names the child, or
// is empty to refer to it by its full name.
func parentJoin(pe cascadeParent, childID schema.TableID, alias string) string {
	return cascadeJoinSQL(pe.p.temp.Quoted(), pe.p.table.Quoted(), pe.p.pk, pe.edge.FK.Attrs, pe.edge.FK.RefAttrs, childID.Quoted(), alias)
}

// deleteBatch is the number of rows one DELETE statement of a cascade
// removes at most, roughly: larger deletes are split into statements over
// ranges of the numbered keys, all in the same transaction. A multi-table
// DELETE collects the row references of its target before deleting them,
// and beyond the server's sort buffer that collection spills to disk and
// the cost per row grows with the size of the statement.
var deleteBatch int64 = 50_000

// fill adds the keys of the step's table found by "FROM from", where the
// table is named name, to its temporary table, with a locking read,
// creating the table first when create is set, and returns how many keys
// were new.
func (c *cascade) fill(ctx context.Context, q Querier, st *cascadeStep, create bool, name, from string, args []any) (int64, error) {
	r, err := q.ExecContext(ctx, cascadeFillSQL(st.temp.Quoted(), st.pk, name, from, create), args...)
	if err != nil {
		return 0, opError("delete", st.table.Quoted(), "", err)
	}
	if create {
		c.temps = append(c.temps, st.temp)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return 0, opError("delete", st.table.Quoted(), "", err)
	}
	return n, nil
}

// checkParts fails with ErrPartIntegrity when the plan removes rows of a
// part table but none of its master.
func (c *cascade) checkParts(ctx context.Context, q Querier) error {
	rows := map[schema.TableID]int64{}
	for _, st := range c.steps {
		rows[st.table] = st.rows
	}
	for _, st := range c.steps {
		if st.master.IsZero() || rows[st.master] > 0 {
			continue
		}
		n := st.rows
		if st.temp.IsZero() {
			for _, pe := range st.parents {
				var k int64
				if err := q.QueryRowContext(ctx, cascadeCountSQL(parentJoin(pe, st.table, "`c`"))).Scan(&k); err != nil {
					return opError("delete", st.table.Quoted(), "", err)
				}
				n = max(n, k)
			}
		}
		if n > 0 {
			return &Error{Op: "delete", Table: st.table.Quoted(), Err: fmt.Errorf("%w: the delete would remove rows of part %s but none of its master %s; delete the master rows instead, or pass dj.ForceParts()", ErrPartIntegrity, st.table, st.master)}
		}
	}
	return nil
}

// planned is the number of rows the plan will remove per table, leaves
// first. It is exact for a plan made with exact set.
func (c *cascade) planned() DeleteResult {
	var res DeleteResult
	for i := len(c.steps) - 1; i >= 0; i-- {
		res.Counts = append(res.Counts, TableCount{Table: c.steps[i].table, Rows: c.steps[i].rows})
	}
	return res
}

// execute deletes the planned rows, leaves first: a materialised table
// by joining its temporary table to the table's primary key, a leaf by
// joining the temporary table of each materialised parent to the leaf's
// foreign-key index, a top table without children with its own condition.
// Large deletes are split into batches of about deleteBatch rows over
// ranges of the numbered keys. Each statement is recorded in the ~log
// table of the table's schema, as DataJoint does.
func (c *cascade) execute(ctx context.Context, q Querier) (DeleteResult, error) {
	var res DeleteResult
	for i := len(c.steps) - 1; i >= 0; i-- {
		st := c.steps[i]
		var n int64
		var err error
		switch {
		case !st.temp.IsZero():
			if st.rows > 0 {
				n, err = c.deleteInRanges(ctx, q, st, st, cascadeDeleteByKeysSQL(st.table.Quoted(), st.temp.Quoted(), st.pk))
			}
		case len(st.parents) > 0:
			for _, pe := range st.parents {
				k, err := c.deleteInRanges(ctx, q, st, pe.p, cascadeDeleteJoinSQL(st.table.Quoted(), parentJoin(pe, st.table, "")))
				if err != nil {
					return DeleteResult{}, err
				}
				n += k
			}
		default:
			n, err = c.exec(ctx, q, st, deleteWhereSQL(st.table.Quoted(), st.where), st.args...)
		}
		if err != nil {
			return DeleteResult{}, err
		}
		res.Counts = append(res.Counts, TableCount{Table: st.table, Rows: n})
	}
	return res, nil
}

// deleteInRanges runs stmt, a DELETE whose rows are selected through the
// temporary table of step by (aliased `p`), in one statement when that
// table is small, or in batches over ranges of its numbered keys, sized to
// remove about deleteBatch rows each: by keys of by itself, adapted to the
// rows each batch removed for a child.
func (c *cascade) deleteInRanges(ctx context.Context, q Querier, st, by *cascadeStep, stmt string) (int64, error) {
	size := int64(deleteBatch)
	if by != st {
		size = max(1, deleteBatch/50) // a first guess of 50 child rows per key
	}
	if by.rows <= size {
		return c.exec(ctx, q, st, stmt)
	}
	var last int64
	if err := q.QueryRowContext(ctx, cascadeMaxSeqSQL(by.temp.Quoted())).Scan(&last); err != nil {
		return 0, opError("delete", st.table.Quoted(), "", err)
	}
	var total int64
	for lo := int64(0); lo < last; {
		hi := min(lo+size, last)
		n, err := c.exec(ctx, q, st, cascadeRangeSQL(stmt), lo, hi)
		if err != nil {
			return 0, err
		}
		total += n
		lo = hi
		if by != st {
			if n == 0 {
				size *= 4
			} else {
				size = max(1, size*deleteBatch/n)
			}
		}
	}
	return total, nil
}

// exec runs one DELETE statement of the cascade, records it in ~log and
// returns the number of rows it removed.
func (c *cascade) exec(ctx context.Context, q Querier, st *cascadeStep, stmt string, args ...any) (int64, error) {
	r, err := q.ExecContext(ctx, stmt, args...)
	if err != nil {
		return 0, opError("delete", st.table.Quoted(), "", err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return 0, opError("delete", st.table.Quoted(), "", err)
	}
	q.djConn().logEvent(ctx, q, st.table.Database, stmt)
	return n, nil
}

// dropTemps removes the temporary tables of the plan.
func (c *cascade) dropTemps(ctx context.Context, q Querier) {
	if c == nil {
		return
	}
	for _, t := range c.temps {
		_, _ = q.ExecContext(context.WithoutCancel(ctx), dropTempSQL(t.Quoted()))
	}
}
