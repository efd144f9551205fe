package query

import (
	"fmt"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
)

// Restrict keeps the rows that satisfy all conditions (DataJoint's A & c1 &
// c2 ...). Restricting by True, by Match with no common key, or by a
// universal set returns the expression unchanged.
//
// On a universal set, U(attrs...).Restrict(B) is DataJoint's dj.U(...) & B:
// the distinct values of attrs in B, with attrs as the primary key. The
// first condition must then be an Expr; further conditions restrict that
// result.
func (e Expr) Restrict(conds ...Cond) Expr {
	n, bad, ok := e.ok()
	if !ok {
		return bad
	}
	if n.kind == kindUniversal {
		if len(conds) == 0 {
			return withErr("%w: %s can only be restricted by a query expression", djerr.ErrInvalidQuery, n.describe())
		}
		b, isExpr := conds[0].(Expr)
		if p, ok := conds[0].(permissiveCond); ok {
			b, isExpr = p.e, true
		}
		if !isExpr {
			return withErr("%w: %s can only be restricted by a query expression, not by %s (restrict the expression instead: U(...).Restrict(B.Restrict(cond)))",
				djerr.ErrInvalidQuery, n.describe(), condName(conds[0]))
		}
		r := universalRestrict(n, b)
		if len(conds) == 1 {
			return r
		}
		return r.Restrict(conds[1:]...)
	}
	if len(conds) == 0 {
		return e
	}
	target := n
	if needsRestrictSubquery(n) {
		target = n.subquery()
	}
	var p pred
	var err error
	if len(conds) == 1 {
		p, err = compile(target, conds[0])
	} else {
		p, err = compileList(target, pAnd, conds)
	}
	if err != nil {
		return invalid(fmt.Errorf("restrict %s: %w", n.describe(), err))
	}
	if p.kind == pTrue {
		return e
	}
	r := target.clone()
	r.base = n.base && target == n
	relax(&p)
	items := []pred{p}
	if p.kind == pAnd {
		items = p.kids
	}
	if r.kind == kindAggr && len(r.groupBy) > 0 {
		r.having = append(r.having, items...)
	} else {
		r.where = append(r.where, items...)
	}
	return Expr{r}
}

// needsRestrictSubquery: a restriction applies to the FROM scope, so the
// expression is wrapped first when its attributes are not FROM columns
// (renamed or computed), when it has a top (the restriction would
// otherwise apply before the limit), or when it is a global aggregate (no
// GROUP BY for a HAVING).
// Other aggregations take the restriction as HAVING.
func needsRestrictSubquery(n *node) bool {
	if n.top != nil {
		return true
	}
	if n.kind == kindAggr {
		return len(n.groupBy) == 0
	}
	return n.hasNew()
}

// Exclude removes the rows that satisfy all of the conditions together
// (DataJoint's A - cond, and A - dj.AndList([c1, c2]) for several): it is
// Restrict(Not(And(conds...))). Excluding an Expr is an antijoin. To
// remove rows that satisfy any of several conditions (A - c1 - c2), chain
// Exclude calls or pass Or(c1, c2). Exclude() with no conditions, or by
// False, returns the expression unchanged.
func (e Expr) Exclude(conds ...Cond) Expr {
	if e.n != nil && e.n.kind == kindUniversal && e.n.err == nil {
		return withErr("%w: %s cannot be excluded from", djerr.ErrInvalidQuery, e.n.describe())
	}
	if len(conds) == 0 {
		return e
	}
	if len(conds) == 1 {
		return e.Restrict(Not(conds[0]))
	}
	return e.Restrict(Not(And(conds...)))
}

// universalRestrict is dj.U(attrs) & b: SELECT DISTINCT attrs FROM b.
func universalRestrict(u *node, b Expr) Expr {
	m, bad, ok := b.ok()
	if !ok {
		return bad
	}
	if m.kind == kindUniversal {
		return withErr("%w: cannot restrict %s by %s", djerr.ErrInvalidQuery, u.describe(), m.describe())
	}
	if len(u.attrs) == 0 {
		return withErr("%w: U() has no attributes: use it with Aggr for a global aggregate", djerr.ErrInvalidQuery)
	}
	for _, a := range u.attrs {
		if !m.has(a.Name) {
			return withErr("%w: %q of %s is not an attribute of %s (attributes: %s)",
				djerr.ErrUnknownAttribute, a.Name, u.describe(), m.describe(), joinNames(m.names()))
		}
	}
	if m.top != nil || m.kind == kindAggr {
		m = m.subquery()
	}
	r := m.clone()
	r.distinct = true
	r.attrs = make([]attr, 0, len(u.attrs))
	for _, a := range u.attrs {
		x, _ := m.attr(a.Name)
		c := *x
		c.InKey = true
		r.attrs = append(r.attrs, c)
	}
	return Expr{r}
}

// relax drops the NULL-safe form of semijoins whose result is only tested
// for truth through AND and OR (no negation above them): there an unknown
// membership already acts as false, and the plain IN lets the server plan
// a semi-join. The tree is one compile's own, so it is modified in place.
func relax(p *pred) {
	switch p.kind {
	case pSemi:
		if !p.neg {
			p.nullSafe = false
		}
	case pAnd, pOr:
		for i := range p.kids {
			relax(&p.kids[i])
		}
	}
}

// condName names a condition in error messages, as the user wrote it.
func condName(c Cond) string {
	switch c := c.(type) {
	case nil:
		return "a nil condition"
	case whereCond:
		return fmt.Sprintf("Where(%q)", c.sql)
	case matchCond:
		if c.list {
			return "a list of keys (Matches)"
		}
		return "a key (Match)"
	case andCond:
		return "And(...)"
	case orCond:
		return "Or(...)"
	case notCond:
		return "Not(...)"
	case boolCond:
		if c {
			return "True"
		}
		return "False"
	case permissiveCond:
		return "Permissive(...)"
	}
	return "a condition"
}
