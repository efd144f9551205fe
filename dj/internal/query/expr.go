package query

import (
	"fmt"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// Expr is an immutable query expression: a table, or the result of applying
// DataJoint's operators to other expressions. Every operator returns a new
// Expr and leaves its receiver and operands unchanged, so one Expr may be
// shared and derived from freely, also by concurrent goroutines.
//
// Operators never fail mid-chain: the first error (an unknown attribute, an
// illegal join, ...) is recorded in the result and returned by Err and by
// the terminal calls SQL, CountSQL, ExistsSQL and WhereSQL.
//
// The zero Expr is invalid: Err reports djerr.ErrInvalidQuery.
type Expr struct {
	n *node
}

// kind tells how a node renders.
type kind uint8

const (
	// kindPlain: SELECT fields FROM sources WHERE ... ORDER BY ... LIMIT.
	kindPlain kind = iota
	// kindAggr: SELECT fields FROM sources WHERE ... GROUP BY ... HAVING ...
	kindAggr
	// kindUniversal: DataJoint's dj.U; it has a heading but no sources and
	// can only restrict, join or aggregate.
	kindUniversal
)

// attr is one attribute of a node's heading.
type attr struct {
	schema.Attribute
	// expr is the SQL expression of a renamed or computed attribute, or ""
	// for a column that the FROM clause provides under the same name.
	expr string
	// src is the FROM-scope column a renamed or duplicated attribute copies
	// ("" for plain and computed attributes).
	src string
}

// source is one item of a FROM clause.
type source struct {
	table *schema.Table // a base table, or
	sub   *node         // a derived table, or
	union *unionOp      // a derived table built by UNION
}

// unionOp holds the two SELECTs of a union, ready to render with fields.
type unionOp struct {
	first, second *node
	fields        []string
}

// orderItem is one ORDER BY item; key expands to the primary key.
type orderItem struct {
	key  bool
	name string
	desc bool
}

// topSpec is DataJoint's Top: ORDER BY, LIMIT and OFFSET.
type topSpec struct {
	order  []orderItem
	limit  int64 // -1: no limit
	offset int64
}

// node is the immutable body of an Expr. Nodes are never modified after
// they are built; slices are shared only with capped capacity.
type node struct {
	err       error
	kind      kind
	from      []source
	left      []bool // one per join: len(from)-1
	attrs     []attr
	fromNames []string // columns visible in the FROM scope (DataJoint's original heading)
	where     []pred   // WHERE (for aggregations: applied before grouping)
	having    []pred   // aggregations only: applied after grouping
	groupBy   []string // aggregations only: FROM-scope names; empty for a global aggregate
	distinct  bool
	top       *topSpec
	base      bool // a single base table with restrictions only
}

// Table returns the expression of all rows of the table t. The table
// metadata is read, never modified, and must not be modified afterwards.
// A table with an empty Database is written without a database name (the
// connection's current database).
func Table(t *schema.Table) Expr {
	if t == nil {
		return invalid(fmt.Errorf("%w: nil table", djerr.ErrInvalidQuery))
	}
	if t.Name == "" {
		return invalid(fmt.Errorf("%w: table has no name", djerr.ErrInvalidQuery))
	}
	if len(t.Heading.Attributes) == 0 {
		return invalid(fmt.Errorf("%w: table %s has no attributes", djerr.ErrInvalidQuery, t.FullName()))
	}
	attrs := make([]attr, len(t.Heading.Attributes))
	names := make([]string, len(attrs))
	for i, a := range t.Heading.Attributes {
		if a.Name == "" {
			return invalid(fmt.Errorf("%w: table %s has an attribute without a name", djerr.ErrInvalidQuery, t.FullName()))
		}
		attrs[i] = attr{Attribute: a}
		names[i] = a.Name
	}
	for i := range names {
		for j := range i {
			if names[i] == names[j] {
				return invalid(fmt.Errorf("%w: table %s lists attribute %q twice", djerr.ErrInvalidQuery, t.FullName(), names[i]))
			}
		}
	}
	return Expr{&node{
		kind:      kindPlain,
		from:      []source{{table: t}},
		attrs:     attrs,
		fromNames: names,
		base:      true,
	}}
}

func invalid(err error) Expr { return Expr{&node{err: err}} }

// Err returns the first error recorded while the expression was built, or
// nil.
func (e Expr) Err() error {
	if e.n == nil {
		return fmt.Errorf("%w: the zero Expr is not an expression (start from a table or U)", djerr.ErrInvalidQuery)
	}
	return e.n.err
}

// ok returns the node, or an Expr carrying the error to return instead.
func (e Expr) ok() (*node, Expr, bool) {
	if err := e.Err(); err != nil {
		if e.n == nil {
			return nil, invalid(err), false
		}
		return nil, e, false
	}
	return e.n, Expr{}, true
}

// Heading returns the attributes of the result, in the order SQL selects
// them. Key attributes have InKey set. Attributes copied from tables keep
// their Type, SQLType, Category and Nullable; computed attributes have an
// empty Type and Category 0, except count(...) which is a bigint integer.
// Attributes of the union that may be NULL in the result are Nullable.
// The result is a copy; modifying it does not affect the expression.
func (e Expr) Heading() schema.Heading {
	if e.n == nil {
		return schema.Heading{}
	}
	out := make([]schema.Attribute, len(e.n.attrs))
	for i := range e.n.attrs {
		out[i] = e.n.attrs[i].Attribute
	}
	return schema.Heading{Attributes: out}
}

// PrimaryKey lists the names of the key attributes in heading order.
func (e Expr) PrimaryKey() []string {
	if e.n == nil {
		return nil
	}
	return e.n.primaryKey()
}

// Names lists the attribute names of the result in heading order.
func (e Expr) Names() []string {
	if e.n == nil {
		return nil
	}
	return e.n.names()
}

// IsUniversal reports whether e is a universal set made by U.
func (e Expr) IsUniversal() bool { return e.n != nil && e.n.kind == kindUniversal }

// Source returns the base table of e when e is exactly a table with zero or
// more restrictions applied (Table(t).Restrict(...).Exclude(...)) and
// nothing else: no join, projection, aggregation, union, U, order or limit.
// Only then does WhereSQL describe a DELETE FROM that table. It returns
// false otherwise and for an expression with an error.
func (e Expr) Source() (*schema.Table, bool) {
	if e.n == nil || e.n.err != nil || !e.n.base {
		return nil, false
	}
	return e.n.from[0].table, true
}

func (n *node) names() []string {
	out := make([]string, len(n.attrs))
	for i := range n.attrs {
		out[i] = n.attrs[i].Name
	}
	return out
}

func (n *node) primaryKey() []string {
	var out []string
	for i := range n.attrs {
		if n.attrs[i].InKey {
			out = append(out, n.attrs[i].Name)
		}
	}
	return out
}

func (n *node) secondary() []string {
	var out []string
	for i := range n.attrs {
		if !n.attrs[i].InKey {
			out = append(out, n.attrs[i].Name)
		}
	}
	return out
}

func (n *node) attr(name string) (*attr, bool) {
	for i := range n.attrs {
		if n.attrs[i].Name == name {
			return &n.attrs[i], true
		}
	}
	return nil, false
}

func (n *node) has(name string) bool {
	_, ok := n.attr(name)
	return ok
}

// hasNew reports whether any attribute is renamed or computed.
func (n *node) hasNew() bool {
	for i := range n.attrs {
		if n.attrs[i].expr != "" {
			return true
		}
	}
	return false
}

func (n *node) isNew(name string) bool {
	a, ok := n.attr(name)
	return ok && a.expr != ""
}

func (n *node) anyLeft() bool {
	for _, l := range n.left {
		if l {
			return true
		}
	}
	return false
}

// describe names the expression in error messages.
func (n *node) describe() string {
	switch {
	case n.kind == kindUniversal:
		return "U(" + joinNames(n.names()) + ")"
	case len(n.from) == 1 && n.from[0].table != nil && n.kind == kindPlain:
		return n.from[0].table.FullName()
	case n.kind == kindAggr:
		return "aggregation"
	}
	return "query"
}

func joinNames(names []string) string {
	s := ""
	for i, n := range names {
		if i > 0 {
			s += ","
		}
		s += n
	}
	return s
}

// clone returns a shallow copy whose slices have capped capacity, so that
// appending to them never writes into the original's arrays.
func (n *node) clone() *node {
	c := *n
	c.from = c.from[:len(c.from):len(c.from)]
	c.left = c.left[:len(c.left):len(c.left)]
	c.attrs = c.attrs[:len(c.attrs):len(c.attrs)]
	c.fromNames = c.fromNames[:len(c.fromNames):len(c.fromNames)]
	c.where = c.where[:len(c.where):len(c.where)]
	c.having = c.having[:len(c.having):len(c.having)]
	c.groupBy = c.groupBy[:len(c.groupBy):len(c.groupBy)]
	c.base = false
	return &c
}

// subquery wraps n as a derived table: the result selects n's attributes
// by name, with no expressions, restrictions or top of its own.
func (n *node) subquery() *node {
	attrs := make([]attr, len(n.attrs))
	names := make([]string, len(n.attrs))
	for i, a := range n.attrs {
		a.expr, a.src = "", ""
		attrs[i] = a
		names[i] = a.Name
	}
	return &node{
		kind:      kindPlain,
		from:      []source{{sub: n}},
		attrs:     attrs,
		fromNames: names,
	}
}

// withErr returns an invalid Expr carrying err.
func withErr(format string, args ...any) Expr { return invalid(fmt.Errorf(format, args...)) }
