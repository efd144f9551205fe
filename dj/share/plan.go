package share

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// plan is a closure being computed on one session: the keys of the
// selected rows of each table are kept in a temporary table, unless every
// row of the table is selected.
type plan struct {
	q     dj.Querier
	g     *schema.Graph
	dbs   []string
	order []schema.TableID
	nodes map[schema.TableID]*node
	ext   []*extSet
	temps int
}

// node is one table of the plan.
type node struct {
	id        schema.TableID
	pk        []string
	nullable  map[string]bool
	all       bool   // every row is selected
	temp      string // quoted temporary table of the selected keys, or ""
	rows      int64  // keys in temp
	down      bool   // reached from a seed: its children are reached too
	dirtyUp   bool   // grew since its parents were last brought in
	dirtyPart bool   // grew since its parts were last brought in
}

func (n *node) has() bool { return n.all || n.rows > 0 }

// grew marks a node whose selection grew.
func (n *node) grew() { n.dirtyUp, n.dirtyPart = true, true }

// extSet is the set of objects of one tracking table the plan uses, with
// the columns of the plan's tables that reference it.
type extSet struct {
	tracking schema.TableID
	store    string
	temp     string
	refs     []extRef
}

// from is the FROM clause of the tracking rows of the set's objects, the
// rows aliased `s`.
func (s *extSet) from() string {
	return s.temp + " AS `sk` JOIN " + s.tracking.Quoted() + " AS `s` USING (`hash`)"
}

type extRef struct {
	table  schema.TableID
	column string
}

// build loads the dependency graph of the seeds' databases, of the
// databases also (whose rows no seed selects) and of every database that
// references them or that they reference, and selects the closure into
// temporary tables of q.
func build(ctx context.Context, q dj.Querier, seeds []Seed, also []string) (*plan, error) {
	if len(seeds) == 0 {
		return nil, fmt.Errorf("share: %w: no restriction to start from", dj.ErrInvalidQuery)
	}
	var dbs []string
	for _, s := range seeds {
		if s.err != nil {
			return nil, s.err
		}
		dbs = append(dbs, s.table.Database)
	}
	dbs = append(dbs, also...)
	p := &plan{q: q, nodes: map[schema.TableID]*node{}}
	if err := p.load(ctx, dbs); err != nil {
		return nil, err
	}
	for _, s := range seeds {
		if err := p.seed(ctx, s); err != nil {
			return nil, err
		}
	}
	if err := p.downstream(ctx); err != nil {
		return nil, err
	}
	if err := p.upstream(ctx); err != nil {
		return nil, err
	}
	// The Lookup tables of every database with selected rows come whole.
	with := map[string]bool{}
	for _, id := range p.order {
		if p.nodes[id].has() {
			with[id.Database] = true
		}
	}
	for _, id := range p.order {
		if tier, _, ok := schema.ParseTableName(id.Table); ok && tier == schema.Lookup && with[id.Database] {
			p.setAll(p.nodes[id])
		}
	}
	if err := p.upstream(ctx); err != nil {
		return nil, err
	}
	if err := p.objects(ctx); err != nil {
		return nil, err
	}
	return p, nil
}

// load reads the graph of dbs, widened until it holds every database that
// references or is referenced by one of its tables.
func (p *plan) load(ctx context.Context, dbs []string) error {
	seen := map[string]bool{}
	var list []string
	add := func(db string) bool {
		if db == "" || seen[db] {
			return false
		}
		seen[db] = true
		list = append(list, db)
		return true
	}
	for _, d := range dbs {
		var n int
		if err := p.q.QueryRowContext(ctx, schemaExistsSQL, d).Scan(&n); err != nil {
			return fmt.Errorf("share: schema %s: %w", d, err)
		}
		if n == 0 {
			return fmt.Errorf("share: %w: no schema %s", dj.ErrMissingTable, d)
		}
		add(d)
	}
	for {
		more := false
		for _, d := range slices.Clone(list) {
			rows, err := p.q.QueryContext(ctx, relatedSchemasSQL, d, d, d, d)
			if err != nil {
				return fmt.Errorf("share: related schemas of %s: %w", d, err)
			}
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					rows.Close()
					return fmt.Errorf("share: related schemas of %s: %w", d, err)
				}
				more = add(s) || more
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("share: related schemas of %s: %w", d, err)
			}
		}
		if !more {
			break
		}
	}
	slices.Sort(list)
	g, err := schema.LoadGraph(ctx, p.q, list...)
	if err != nil {
		return fmt.Errorf("share: %w", err)
	}
	p.g, p.dbs, p.order = g, list, g.Nodes()
	nullable := map[schema.TableID]map[string]bool{}
	if err := queryEach(ctx, p.q, nullableSQL(len(list)), anys(list), func(sc func(...any) error) error {
		var db, t, col string
		if err := sc(&db, &t, &col); err != nil {
			return err
		}
		id := schema.TableID{Database: db, Table: t}
		if nullable[id] == nil {
			nullable[id] = map[string]bool{}
		}
		nullable[id][col] = true
		return nil
	}); err != nil {
		return fmt.Errorf("share: %w", err)
	}
	for _, id := range p.order {
		p.nodes[id] = &node{id: id, pk: g.PrimaryKey(id), nullable: nullable[id]}
		if len(p.nodes[id].pk) == 0 {
			return fmt.Errorf("share: %w: %s has no primary key", dj.ErrInvalidQuery, id)
		}
	}
	return nil
}

// seed adds the rows of one seed.
func (p *plan) seed(ctx context.Context, s Seed) error {
	if s.table.Table == "" {
		for _, id := range p.order {
			if id.Database == s.table.Database {
				p.setAll(p.nodes[id])
			}
		}
		return nil
	}
	n := p.nodes[s.table]
	if n == nil {
		return fmt.Errorf("share: %w: %s", dj.ErrMissingTable, s.table)
	}
	n.down = true
	switch {
	case s.expr != "":
		return p.add(ctx, n, "SELECT "+cols("s", n.pk)+" FROM ("+s.expr+") AS `s`", s.args)
	case s.where != "":
		return p.add(ctx, n, "SELECT "+cols("s", n.pk)+" FROM "+n.id.Quoted()+" AS `s` WHERE "+s.where, s.args)
	default:
		p.setAll(n)
		return nil
	}
}

// setAll selects every row of n.
func (p *plan) setAll(n *node) {
	if !n.all {
		n.all = true
		n.grew()
	}
}

// add inserts the keys that sel selects into the temporary table of n.
func (p *plan) add(ctx context.Context, n *node, sel string, args []any) error {
	if n.all {
		return nil
	}
	if n.temp == "" {
		p.temps++
		temp := schema.QuoteFull(n.id.Database, fmt.Sprintf("~share_%d", p.temps))
		if _, err := p.q.ExecContext(ctx, "CREATE TEMPORARY TABLE "+temp+" (PRIMARY KEY ("+cols("", n.pk)+")) SELECT "+cols("", n.pk)+" FROM "+n.id.Quoted()+" LIMIT 0"); err != nil {
			return fmt.Errorf("share: select %s: %w", n.id, err)
		}
		n.temp = temp
	}
	r, err := p.q.ExecContext(ctx, "INSERT IGNORE INTO "+n.temp+" ("+cols("", n.pk)+") "+sel, args...)
	if err != nil {
		return fmt.Errorf("share: select %s: %w", n.id, err)
	}
	k, err := r.RowsAffected()
	if err != nil {
		return fmt.Errorf("share: select %s: %w", n.id, err)
	}
	if k > 0 {
		n.rows += k
		n.grew()
	}
	return nil
}

// from is the FROM clause of the selected rows of n, aliased a.
func (n *node) from(a string) string {
	t := n.id.Quoted() + " AS " + schema.QuoteIdent(a)
	if n.all {
		return t
	}
	k := schema.QuoteIdent(a + "k")
	return n.temp + " AS " + k + " JOIN " + t + " ON " + on(a+"k", n.pk, a, n.pk)
}

// downstream brings in, parents first, the rows that reference a selected
// row of a table reached from a seed, as a cascading delete would.
func (p *plan) downstream(ctx context.Context) error {
	for _, id := range p.order {
		n := p.nodes[id]
		if !n.down || !n.has() {
			continue
		}
		for _, e := range p.g.Children(id) {
			c := p.nodes[e.Child]
			if err := p.toChild(ctx, n, c, e); err != nil {
				return err
			}
			c.down = true
		}
	}
	return nil
}

// toChild brings in the rows of c that reference, through e, a selected
// row of n.
func (p *plan) toChild(ctx context.Context, n, c *node, e schema.Edge) error {
	if c.all || !n.has() {
		return nil
	}
	if n.all {
		nulls := false
		for _, a := range e.FK.Attrs {
			nulls = nulls || c.nullable[a]
		}
		if !nulls {
			p.setAll(c)
			return nil
		}
	}
	return p.add(ctx, c, "SELECT "+cols("c", c.pk)+" FROM "+n.from("p")+" JOIN "+c.id.Quoted()+" AS `c` ON "+on("c", e.FK.Attrs, "p", e.FK.RefAttrs), nil)
}

// upstream brings in, until nothing changes, the rows that selected rows
// reference and the parts of every selected master row.
func (p *plan) upstream(ctx context.Context) error {
	for changed := true; changed; {
		changed = false
		for i := len(p.order) - 1; i >= 0; i-- {
			n := p.nodes[p.order[i]]
			if !n.dirtyUp || !n.has() {
				continue
			}
			n.dirtyUp = false
			for _, e := range p.g.Parents(n.id) {
				par := p.nodes[e.Parent]
				if par == nil || par.all {
					continue
				}
				sel := "SELECT DISTINCT " + cols("p", par.pk) + " FROM " + n.from("c") + " JOIN " + par.id.Quoted() + " AS `p` ON " + on("c", e.FK.Attrs, "p", e.FK.RefAttrs)
				if err := p.add(ctx, par, sel, nil); err != nil {
					return err
				}
				changed = changed || par.dirtyUp
			}
		}
		for _, id := range p.order {
			n := p.nodes[id]
			if !n.dirtyPart || !n.has() {
				continue
			}
			n.dirtyPart = false
			for _, e := range p.g.Children(id) {
				if _, master, ok := schema.ParseTableName(e.Child.Table); !ok || master != id.Table || e.Child.Database != id.Database {
					continue
				}
				part := p.nodes[e.Child]
				if err := p.toChild(ctx, n, part, e); err != nil {
					return err
				}
				changed = changed || part.dirtyUp
			}
		}
	}
	return nil
}

// objects selects the hashes of the external objects the selected rows
// reference.
func (p *plan) objects(ctx context.Context) error {
	byTracking := map[schema.TableID]*extSet{}
	err := queryEach(ctx, p.q, externalRefsSQL(len(p.dbs)), anys(p.dbs), func(sc func(...any) error) error {
		var db, t, col, rdb, rt string
		if err := sc(&db, &t, &col, &rdb, &rt); err != nil {
			return err
		}
		tid := schema.TableID{Database: rdb, Table: rt}
		s := byTracking[tid]
		if s == nil {
			s = &extSet{tracking: tid, store: strings.TrimPrefix(rt, "~external_")}
			byTracking[tid] = s
			p.ext = append(p.ext, s)
		}
		s.refs = append(s.refs, extRef{schema.TableID{Database: db, Table: t}, col})
		return nil
	})
	if err != nil {
		return fmt.Errorf("share: external references: %w", err)
	}
	for _, s := range p.ext {
		for _, r := range s.refs {
			n := p.nodes[r.table]
			if n == nil || !n.has() {
				continue
			}
			if s.temp == "" {
				p.temps++
				s.temp = schema.QuoteFull(s.tracking.Database, fmt.Sprintf("~share_%d", p.temps))
				if _, err := p.q.ExecContext(ctx, "CREATE TEMPORARY TABLE "+s.temp+" (PRIMARY KEY (`hash`)) SELECT `hash` FROM "+s.tracking.Quoted()+" LIMIT 0"); err != nil {
					return fmt.Errorf("share: objects of %s: %w", s.tracking, err)
				}
			}
			c := schema.QuoteIdent(r.column)
			if _, err := p.q.ExecContext(ctx, "INSERT IGNORE INTO "+s.temp+" (`hash`) SELECT DISTINCT `c`."+c+" FROM "+n.from("c")+" WHERE `c`."+c+" IS NOT NULL"); err != nil {
				return fmt.Errorf("share: objects of %s: %w", s.tracking, err)
			}
		}
	}
	return nil
}

// subset reports the plan's counts.
func (p *plan) subset(ctx context.Context) (*Subset, error) {
	sub := &Subset{Databases: slices.Clone(p.dbs)}
	for _, id := range p.order {
		n := p.nodes[id]
		r := TableRows{Table: id, Rows: n.rows, All: n.all}
		if n.all {
			if err := p.q.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+id.Quoted()).Scan(&r.Rows); err != nil {
				return nil, fmt.Errorf("share: count %s: %w", id, err)
			}
		}
		sub.Tables = append(sub.Tables, r)
	}
	for _, s := range p.ext {
		o := ObjectSet{Tracking: s.tracking, Store: s.store}
		if s.temp != "" {
			if err := p.q.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(SUM(`x`.`size`), 0) FROM "+s.temp+" AS `k` JOIN "+s.tracking.Quoted()+" AS `x` USING (`hash`)").Scan(&o.Objects, &o.Bytes); err != nil {
				return nil, fmt.Errorf("share: count objects of %s: %w", s.tracking, err)
			}
		}
		sub.Objects = append(sub.Objects, o)
	}
	return sub, nil
}
