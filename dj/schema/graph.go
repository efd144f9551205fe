package schema

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
)

// Edge is one foreign key of the dependency graph, from a parent table to
// a child table. FK is the child's constraint: FK.Attrs are the child's
// columns, FK.RefAttrs the parent's, FK.Primary tells whether the columns
// are all in the child's primary key, FK.Renamed() whether any is renamed.
type Edge struct {
	Parent TableID // the referenced table
	Child  TableID // the referencing table
	FK     ForeignKey
}

// AttrMap maps each of the child's foreign-key columns to the parent
// column it references (DataJoint's attr_map).
func (e Edge) AttrMap() map[string]string {
	m := make(map[string]string, len(e.FK.Attrs))
	for i, a := range e.FK.Attrs {
		m[a] = e.FK.RefAttrs[i]
	}
	return m
}

// Graph is the dependency graph of the tables of one or more databases,
// as DataJoint builds it from information_schema: nodes are tables, edges
// are foreign keys. Tables whose
// names start with "~" (jobs, log, external tracking) are not part of it.
// A Graph is immutable and safe for concurrent use.
type Graph struct {
	nodes map[TableID]*graphNode
	order []TableID // topological order of all nodes
}

type graphNode struct {
	db, name string
	pk       []string
	parents  []Edge
	children []Edge
}

// LoadGraph reads the dependency graph of the given databases from
// information_schema. Foreign keys to tables of other databases bring those
// tables in as nodes (without their own dependencies). It is an error when
// the foreign keys form a cycle (self-references excepted).
func LoadGraph(ctx context.Context, q Querier, databases ...string) (*Graph, error) {
	g := &Graph{nodes: map[TableID]*graphNode{}}
	if len(databases) == 0 {
		return g, nil
	}
	in := "(" + strings.TrimSuffix(strings.Repeat("?,", len(databases)), ",") + ")"
	args := make([]any, len(databases))
	for i, d := range databases {
		args[i] = d
	}
	err := queryRows(ctx, q, `SELECT table_schema, table_name FROM information_schema.tables
		WHERE table_type = 'BASE TABLE' AND table_schema IN `+in+` ORDER BY table_schema, table_name`, args, func(rows *sql.Rows) error {
		var db, name string
		if err := rows.Scan(&db, &name); err != nil {
			return err
		}
		g.node(db, name)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load dependency graph: %w", err)
	}
	err = queryRows(ctx, q, `SELECT table_schema, table_name, column_name FROM information_schema.key_column_usage
		WHERE constraint_name = 'PRIMARY' AND table_schema IN `+in+` ORDER BY table_schema, table_name, ordinal_position`, args, func(rows *sql.Rows) error {
		var db, name, col string
		if err := rows.Scan(&db, &name, &col); err != nil {
			return err
		}
		if n := g.node(db, name); n != nil {
			n.pk = append(n.pk, col)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load dependency graph: %w", err)
	}
	type fkRow struct {
		child      TableID
		constraint string
		fk         ForeignKey
	}
	var fks []*fkRow
	byKey := map[string]*fkRow{}
	err = queryRows(ctx, q, `SELECT table_schema, table_name, constraint_name, column_name,
		referenced_table_schema, referenced_table_name, referenced_column_name
		FROM information_schema.key_column_usage
		WHERE referenced_table_name IS NOT NULL AND table_schema IN `+in+`
		ORDER BY table_schema, table_name, constraint_name, ordinal_position`, args, func(rows *sql.Rows) error {
		var db, name, cname, col, pdb, ptab, pcol string
		if err := rows.Scan(&db, &name, &cname, &col, &pdb, &ptab, &pcol); err != nil {
			return err
		}
		if strings.HasPrefix(name, "~") || strings.HasPrefix(ptab, "~") {
			return nil
		}
		child := TableID{db, name}
		key := child.Quoted() + "\x00" + cname
		r := byKey[key]
		if r == nil {
			r = &fkRow{child: child, constraint: cname, fk: ForeignKey{ParentDatabase: pdb, ParentTable: ptab}}
			byKey[key] = r
			fks = append(fks, r)
		}
		r.fk.Attrs = append(r.fk.Attrs, col)
		r.fk.RefAttrs = append(r.fk.RefAttrs, pcol)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load dependency graph: %w", err)
	}
	sort.SliceStable(fks, func(i, j int) bool {
		if c := fks[i].child.Compare(fks[j].child); c != 0 {
			return c < 0
		}
		return constraintLess(fks[i].constraint, fks[j].constraint)
	})
	for _, r := range fks {
		g.node(r.child.Database, r.child.Table)
		g.node(r.fk.ParentDatabase, r.fk.ParentTable)
		g.addEdge(r.child, r.fk)
	}
	if g.order, err = g.sort(g.allNames()); err != nil {
		return nil, err
	}
	return g, nil
}

// GraphOf builds the dependency graph of tables given as metadata (from
// Parse or Load). Foreign keys to ~external_ tables are left out; parents
// that are not among the tables become nodes without dependencies. It is
// an error when the foreign keys form a cycle.
func GraphOf(tables ...*Table) (*Graph, error) {
	g := &Graph{nodes: map[TableID]*graphNode{}}
	for _, t := range tables {
		n := g.node(t.Database, t.Name)
		n.pk = t.Heading.PrimaryKey()
	}
	for _, t := range tables {
		for _, fk := range t.ForeignKeys {
			if strings.HasPrefix(fk.ParentTable, "~") {
				continue
			}
			g.node(fk.ParentDatabase, fk.ParentTable)
			g.addEdge(t.ID(), fk)
		}
	}
	var err error
	if g.order, err = g.sort(g.allNames()); err != nil {
		return nil, err
	}
	return g, nil
}

func (g *Graph) node(db, name string) *graphNode {
	if strings.HasPrefix(name, "~") {
		return nil
	}
	id := TableID{db, name}
	n := g.nodes[id]
	if n == nil {
		n = &graphNode{db: db, name: name}
		g.nodes[id] = n
	}
	return n
}

func (g *Graph) addEdge(child TableID, fk ForeignKey) {
	c := g.nodes[child]
	fk.Attrs = append([]string(nil), fk.Attrs...)
	fk.RefAttrs = append([]string(nil), fk.RefAttrs...)
	fk.Primary = len(c.pk) > 0
	for _, a := range fk.Attrs {
		if !slices.Contains(c.pk, a) {
			fk.Primary = false
		}
	}
	e := Edge{Parent: fk.ParentID(), Child: child, FK: fk}
	c.parents = append(c.parents, e)
	p := g.nodes[e.Parent]
	p.children = append(p.children, e)
}

func (g *Graph) allNames() []TableID {
	names := make([]TableID, 0, len(g.nodes))
	for n := range g.nodes {
		names = append(names, n)
	}
	slices.SortFunc(names, TableID.Compare)
	return names
}

// Nodes lists every table of the graph in topological order (parents
// before children, parts right after their masters).
func (g *Graph) Nodes() []TableID { return append([]TableID(nil), g.order...) }

// Has reports whether the table is a node of the graph.
func (g *Graph) Has(id TableID) bool { return g.nodes[id] != nil }

// PrimaryKey returns the primary-key columns of a table, or nil.
func (g *Graph) PrimaryKey(id TableID) []string {
	if n := g.nodes[id]; n != nil {
		return append([]string(nil), n.pk...)
	}
	return nil
}

// Parents returns the foreign keys of a table (edges to its parents), in
// constraint order.
func (g *Graph) Parents(id TableID) []Edge {
	if n := g.nodes[id]; n != nil {
		return append([]Edge(nil), n.parents...)
	}
	return nil
}

// Children returns the foreign keys that reference a table.
func (g *Graph) Children(id TableID) []Edge {
	if n := g.nodes[id]; n != nil {
		return append([]Edge(nil), n.children...)
	}
	return nil
}

// Descendants returns the table itself followed by every table that
// depends on it directly or indirectly, in topological order (each table
// after all of its parents in the set), as DataJoint's descendants. It
// returns nil for a table that is not in the graph.
func (g *Graph) Descendants(id TableID) []TableID {
	return g.reach(id, func(n *graphNode) []TableID {
		out := make([]TableID, len(n.children))
		for i, e := range n.children {
			out[i] = e.Child
		}
		return out
	})
}

// Ancestors returns every table the given table depends on directly or
// indirectly, followed by the table itself, in topological order.
func (g *Graph) Ancestors(id TableID) []TableID {
	return g.reach(id, func(n *graphNode) []TableID {
		out := make([]TableID, len(n.parents))
		for i, e := range n.parents {
			out[i] = e.Parent
		}
		return out
	})
}

func (g *Graph) reach(id TableID, next func(*graphNode) []TableID) []TableID {
	if g.nodes[id] == nil {
		return nil
	}
	seen := map[TableID]bool{id: true}
	stack := []TableID{id}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, m := range next(g.nodes[n]) {
			if !seen[m] {
				seen[m] = true
				stack = append(stack, m)
			}
		}
	}
	out := make([]TableID, 0, len(seen))
	for _, n := range g.order {
		if seen[n] {
			out = append(out, n)
		}
	}
	return out
}

// TopoSort orders the given tables (all tables of the graph when none are
// given) parents before children, with each part placed as soon after its
// master as its other parents allow; ties are broken by name. Tables not in
// the graph are kept, without dependencies. A cycle among the tables is an
// error wrapping djerr.ErrDeclaration that names it.
func (g *Graph) TopoSort(names ...TableID) ([]TableID, error) {
	if len(names) == 0 {
		return g.Nodes(), nil
	}
	return g.sort(names)
}

// sort is Kahn's algorithm on the subgraph induced by names. Self-loops
// are ignored.
func (g *Graph) sort(names []TableID) ([]TableID, error) {
	in := map[TableID]bool{}
	for _, n := range names {
		in[n] = true
	}
	indeg := map[TableID]int{}
	for n := range in {
		indeg[n] = 0
	}
	for n := range in {
		if node := g.nodes[n]; node != nil {
			for _, e := range node.parents {
				if in[e.Parent] && e.Parent != n {
					indeg[n]++
				}
			}
		}
	}
	masterOf := func(id TableID) TableID {
		if tier, master, ok := ParseTableName(id.Table); ok && tier == Part {
			return TableID{id.Database, master}
		}
		return TableID{}
	}
	done := map[TableID]bool{}
	var ready []TableID
	for n := range in {
		if indeg[n] == 0 {
			ready = append(ready, n)
		}
	}
	out := make([]TableID, 0, len(in))
	for len(ready) > 0 {
		slices.SortFunc(ready, TableID.Compare)
		pick := 0
		for i, n := range ready {
			if m := masterOf(n); !m.IsZero() && done[m] {
				pick = i
				break
			}
		}
		n := ready[pick]
		ready = append(ready[:pick], ready[pick+1:]...)
		done[n] = true
		out = append(out, n)
		if node := g.nodes[n]; node != nil {
			for _, e := range node.children {
				if !in[e.Child] || e.Child == n {
					continue
				}
				indeg[e.Child]--
				if indeg[e.Child] == 0 {
					ready = append(ready, e.Child)
				}
			}
		}
	}
	if len(out) < len(in) {
		var rest []string
		for n := range in {
			if !done[n] {
				rest = append(rest, n.Quoted())
			}
		}
		sort.Strings(rest)
		return nil, fmt.Errorf("%w: the foreign keys form a cycle among %s", djerr.ErrDeclaration, strings.Join(rest, ", "))
	}
	return out, nil
}

// SortTypes orders struct types for declaration: every type after the
// types it depends on (see Dependencies), keeping the given order
// otherwise. Dependencies outside the list and self-references are
// ignored. A cycle is an error wrapping djerr.ErrDeclaration that names it
// ("A -> B -> A").
func SortTypes(types []reflect.Type) ([]reflect.Type, error) {
	want := map[reflect.Type]bool{}
	for _, t := range types {
		want[t] = true
	}
	state := map[reflect.Type]int{} // 1 visiting, 2 done
	out := make([]reflect.Type, 0, len(types))
	var path []reflect.Type
	var visit func(t reflect.Type) error
	visit = func(t reflect.Type) error {
		switch state[t] {
		case 1:
			names := []string{}
			start := 0
			for i, p := range path {
				if p == t {
					start = i
				}
			}
			for _, p := range path[start:] {
				names = append(names, p.Name())
			}
			names = append(names, t.Name())
			return fmt.Errorf("%w: the references form a cycle %s, which no declaration order satisfies; remove one of them, or move the relation into a table of its own that references both", djerr.ErrDeclaration, strings.Join(names, " -> "))
		case 2:
			return nil
		}
		state[t] = 1
		path = append(path, t)
		deps, err := Dependencies(t)
		if err != nil {
			return err
		}
		for _, d := range deps {
			if d == t || !want[d] {
				continue
			}
			if err := visit(d); err != nil {
				return err
			}
		}
		path = path[:len(path)-1]
		state[t] = 2
		out = append(out, t)
		return nil
	}
	for _, t := range types {
		if err := visit(t); err != nil {
			return nil, err
		}
	}
	return out, nil
}
