package query

import (
	"fmt"
	"strings"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
)

// U is DataJoint's universal set dj.U(attrs...): every combination of
// values of the named attributes. It has no rows of its own and serves
// three purposes:
//
//	U("a", "b").Restrict(B)                 distinct values of a, b in B (key a, b)
//	U("a").Aggr(B, false, "n=count(*)")     aggregate B grouped by a
//	U().Aggr(B, false, "n=count(*)")        a global aggregate (one row, no key)
//	U("a").Join(B), B.Join(U("a"))          B with a added to its primary key
//
// Any other operator on a universal set, and its SQL, is an error.
func U(attrs ...string) Expr {
	out := make([]attr, 0, len(attrs))
	for _, name := range attrs {
		if !isIdent(name) {
			return withErr("%w: U(%q): not an attribute name", djerr.ErrInvalidQuery, name)
		}
		for _, a := range out {
			if a.Name == name {
				return withErr("%w: U lists %q twice", djerr.ErrInvalidQuery, name)
			}
		}
		a := attr{}
		a.Name = name
		a.InKey = true
		out = append(out, a)
	}
	return Expr{&node{kind: kindUniversal, attrs: out}}
}

// Aggr is DataJoint's aggregation A.aggr(B, ...): for each row of A, the
// computations over the matching rows of B. The result has A's primary key
// and the attributes listed in computations, which are projection items
// (see Proj) evaluated per group: "n=count(*)", "avg_x=avg(x)", a name of
// A's attributes to keep it, "*" for all of A's secondary attributes.
// Attributes of B can only be used inside aggregate functions.
//
// Without keepAllRows, rows of A with no match in B are left out (inner
// join); with it they are kept and aggregates see NULLs (count(b.attr) is
// 0, count(*) is 1). A and B obey the join rule of Join. When they share
// no attribute, every row of A is matched with every row of B (a grouped
// cross join, as in DataJoint 0.14): Department.Aggr(Student, false,
// "n=count(*)") gives each department with the number of all students.
// Restricting the result afterwards applies a HAVING clause.
//
// On a universal set, U(attrs...).Aggr(B, false, ...) groups B by attrs,
// and U().Aggr(B, false, ...) aggregates all of B into one row;
// keepAllRows must be false.
func (e Expr) Aggr(other Expr, keepAllRows bool, computations ...string) Expr {
	a, bad, ok := e.ok()
	if !ok {
		return bad
	}
	b, bad, ok := other.ok()
	if !ok {
		return bad
	}
	if b.kind == kindUniversal {
		return withErr("%w: cannot aggregate over %s", djerr.ErrInvalidQuery, b.describe())
	}
	if a.kind == kindUniversal {
		return universalAggr(a, b, keepAllRows, computations)
	}
	if a.hasNew() {
		a = a.subquery()
	}
	if b.hasNew() {
		b = b.subquery()
	}
	j, err := join(a, b, keepAllRows)
	if err != nil {
		return invalid(fmt.Errorf("aggr: %w", err))
	}
	key := a.primaryKey()
	g := j.clone()
	g.kind = kindAggr
	g.attrs = setKey(j, key)
	g.groupBy = append([]string(nil), key...)
	items := expandAll(computations, a.secondary())
	r, err := proj(g, items, a.names())
	if err != nil {
		return invalid(fmt.Errorf("aggr %s: %w", a.describe(), err))
	}
	return Expr{r}
}

// universalAggr groups b by the attributes of the universal set u.
func universalAggr(u, b *node, keepAllRows bool, computations []string) Expr {
	if keepAllRows {
		return withErr("%w: keepAllRows cannot be used when aggregating on a universal set", djerr.ErrInvalidQuery)
	}
	key := u.names()
	for _, k := range key {
		if !b.has(k) {
			return withErr("%w: %q of %s is not an attribute of %s (attributes: %s)",
				djerr.ErrUnknownAttribute, k, u.describe(), b.describe(), joinNames(b.names()))
		}
	}
	if b.hasNew() || b.top != nil || b.kind == kindAggr || b.distinct {
		b = b.subquery()
	}
	g := b.clone()
	g.kind = kindAggr
	g.attrs = setKey(b, key)
	g.groupBy = append([]string(nil), key...)
	r, err := proj(g, expandAll(computations, nil), key)
	if err != nil {
		return invalid(fmt.Errorf("aggr %s: %w", u.describe(), err))
	}
	return Expr{r}
}

// expandAll replaces "*" and "..." by the given secondary attributes.
func expandAll(items, secondary []string) []string {
	out := make([]string, 0, len(items)+len(secondary))
	for _, it := range items {
		if t := strings.TrimSpace(it); t == "*" || t == "..." {
			out = append(out, secondary...)
			continue
		}
		out = append(out, it)
	}
	return out
}
