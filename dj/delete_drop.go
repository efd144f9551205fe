package dj

import (
	"context"
	"fmt"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// DropOption configures Table.Drop (see ForceParts).
type DropOption interface{ applyDrop(*dropOptions) }

type dropOptions struct{ forceParts bool }

// Drop drops the table and every table that depends on it, dependents
// first, and unbinds their Go types. A part table is dropped only with its
// master, unless ForceParts is given.
func (t *Table) Drop(ctx context.Context, opts ...DropOption) error {
	var o dropOptions
	for _, f := range opts {
		f.applyDrop(&o)
	}
	c := t.schema.conn
	full := t.FullName()
	if err := c.refuseWrite("drop", full); err != nil {
		return err
	}
	if t.meta.Master != "" && !o.forceParts {
		return &Error{Op: "drop", Table: full, Err: fmt.Errorf("%w: %s is a part table; drop its master, or pass dj.ForceParts()", ErrPartIntegrity, full)}
	}
	g, err := loadGraphFor(ctx, c, t.meta.Database)
	if err != nil {
		return opError("drop", full, "", err)
	}
	id := t.meta.ID()
	order := dedupe(append([]schema.TableID{id}, g.Descendants(id)...))
	inSet := map[schema.TableID]bool{}
	for _, n := range order {
		inSet[n] = true
	}
	if !o.forceParts {
		for _, n := range order[1:] {
			if _, master, ok := schema.ParseTableName(n.Table); ok && master != "" && !inSet[schema.TableID{Database: n.Database, Table: master}] {
				return &Error{Op: "drop", Table: full, Err: fmt.Errorf("%w: dropping %s would drop part %s without its master", ErrPartIntegrity, full, n)}
			}
		}
	}
	for i := len(order) - 1; i >= 0; i-- {
		if _, err := c.exec(ctx, c.db, dropTableSQL(order[i].Quoted())); err != nil {
			return opError("drop", order[i].Quoted(), "", err)
		}
		c.unbind(order[i])
	}
	return nil
}
