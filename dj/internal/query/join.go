package query

import (
	"github.com/datajoint-go/datajoint/dj/internal/djerr"
	"slices"
)

// Join is DataJoint's natural join A * B: the combinations of rows of A and
// B that agree on all their common attributes. It is an error
// (djerr.ErrIllegalJoin) when A and B share an attribute that is secondary
// in both. The primary key is the union of both keys; an attribute that is
// primary in one operand and secondary in the other becomes primary. The
// heading lists A's key, B's other key attributes, A's secondary
// attributes, then B's.
//
// Joining with a universal set U(attrs...) returns the other operand with
// attrs added to its primary key (DataJoint's dj.U(...) * A); attrs must
// be attributes of it.
func (e Expr) Join(other Expr) Expr { return e.joinWith(other, false, true) }

// join builds the natural (left) join of a and b under DataJoint's join
// rule.
func join(a, b *node, left bool) (*node, error) {
	if err := checkJoinable(a, b); err != nil {
		return nil, err
	}
	return joinNodes(a, b, left), nil
}

// joinNodes builds the natural (left) join of a and b on all their common
// attributes, wrapping either operand as a derived table where a NATURAL
// JOIN of the FROM clauses would not mean the join of the two headings.
// In a left join, the attributes that only b provides may be NULL.
func joinNodes(a, b *node, left bool) *node {
	var common []string
	for i := range a.attrs {
		if b.has(a.attrs[i].Name) {
			common = append(common, a.attrs[i].Name)
		}
	}
	subB := needsJoinSubquery(b, common) || b.anyLeft() ||
		(left && !(len(b.from) == 1 && b.from[0].table != nil && len(b.where) == 0))
	if needsJoinSubquery(a, common) {
		a = a.subquery()
	}
	if subB {
		b = b.subquery()
	}
	// A FROM column of both operands beyond the join attributes would be
	// joined too: wrap the operand that selects it away (a derived table
	// exposes only its heading).
	subA, subB := false, false
	for _, x := range a.fromNames {
		if slices.Contains(b.fromNames, x) && !slices.Contains(common, x) {
			subA = subA || !a.has(x)
			subB = subB || !b.has(x)
		}
	}
	if subA {
		a = a.subquery()
	}
	if subB {
		b = b.subquery()
	}
	r := &node{kind: kindPlain}
	r.from = make([]source, 0, len(a.from)+len(b.from))
	r.from = append(append(r.from, a.from...), b.from...)
	r.left = make([]bool, 0, len(a.left)+len(b.left)+1)
	r.left = append(append(append(r.left, a.left...), left), b.left...)
	r.where = make([]pred, 0, len(a.where)+len(b.where))
	r.where = append(append(r.where, a.where...), b.where...)
	r.fromNames = make([]string, 0, len(a.fromNames)+len(b.fromNames))
	r.fromNames = append(r.fromNames, a.fromNames...)
	for _, x := range b.fromNames {
		if !slices.Contains(r.fromNames, x) {
			r.fromNames = append(r.fromNames, x)
		}
	}
	r.attrs = joinHeading(a, b)
	if left {
		for i := range r.attrs {
			if !a.has(r.attrs[i].Name) {
				r.attrs[i].Nullable = true
			}
		}
	}
	return r
}

// needsJoinSubquery: an operand is wrapped when it is an aggregation, has a
// top or DISTINCT (they apply to its own SELECT only), or a join attribute
// is renamed or computed (NATURAL JOIN joins FROM columns).
func needsJoinSubquery(n *node, common []string) bool {
	if n.kind == kindAggr || n.top != nil || n.distinct {
		return true
	}
	for _, c := range common {
		if n.isNew(c) {
			return true
		}
	}
	return false
}

// joinHeading orders the joined heading as DataJoint does: A's key, B's
// other key attributes, A's secondaries, B's secondaries. A secondary
// attribute of both (a permissive join) is listed once, as A's.
func joinHeading(a, b *node) []attr {
	out := make([]attr, 0, len(a.attrs)+len(b.attrs))
	for _, x := range a.attrs {
		if x.InKey {
			out = append(out, x)
		}
	}
	for _, y := range b.attrs {
		if y.InKey {
			if x, ok := a.attr(y.Name); !ok || !x.InKey {
				out = append(out, y)
			}
		}
	}
	for _, x := range a.attrs {
		if !x.InKey {
			if y, ok := b.attr(x.Name); !ok || !y.InKey {
				out = append(out, x)
			}
		}
	}
	for _, y := range b.attrs {
		if !y.InKey && !a.has(y.Name) {
			out = append(out, y)
		}
	}
	return out
}

// universalJoin is dj.U(attrs) * m: m with attrs added to its key.
func universalJoin(u, m *node) Expr {
	for _, a := range u.attrs {
		if !m.has(a.Name) {
			return withErr("%w: %q of %s is not an attribute of %s (attributes: %s)",
				djerr.ErrUnknownAttribute, a.Name, u.describe(), m.describe(), joinNames(m.names()))
		}
	}
	key := m.primaryKey()
	for _, a := range u.attrs {
		if !slices.Contains(key, a.Name) {
			key = append(key, a.Name)
		}
	}
	r := m.clone()
	r.attrs = setKey(m, key)
	return Expr{r}
}

// setKey returns n's attributes with key (in that order) as the primary key
// followed by the other attributes in heading order.
func setKey(n *node, key []string) []attr {
	out := make([]attr, 0, len(n.attrs))
	for _, k := range key {
		x, _ := n.attr(k)
		c := *x
		c.InKey = true
		out = append(out, c)
	}
	for _, x := range n.attrs {
		if !slices.Contains(key, x.Name) {
			x.InKey = false
			out = append(out, x)
		}
	}
	return out
}
