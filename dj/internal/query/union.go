package query

import (
	"fmt"
	"slices"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
)

// Union is DataJoint's A + B: the rows of A and of B. Both operands must
// have the same primary key and no secondary attribute in common
// (djerr.ErrIncompatible). The heading is the key, A's secondary
// attributes, then B's; a row found in only one operand has NULL for the
// other operand's secondary attributes. A row whose key is in both
// operands appears once, with the secondary attributes of both.
//
// Without secondary attributes the SQL is a UNION of the two key
// selections; otherwise it is the union of A LEFT JOIN B and the rows of B
// missing from A. The union is a derived table for every operator applied
// to it afterwards.
func (e Expr) Union(other Expr) Expr {
	a, bad, ok := e.ok()
	if !ok {
		return bad
	}
	b, bad, ok := other.ok()
	if !ok {
		return bad
	}
	if a.kind == kindUniversal || b.kind == kindUniversal {
		return withErr("%w: a universal set cannot be part of a union", djerr.ErrInvalidQuery)
	}
	pa, pb := a.primaryKey(), b.primaryKey()
	same := len(pa) == len(pb)
	for _, k := range pa {
		same = same && slices.Contains(pb, k)
	}
	if !same {
		return withErr("%w: union of %s (key %s) and %s (key %s): the primary keys differ",
			djerr.ErrIncompatible, a.describe(), joinNames(pa), b.describe(), joinNames(pb))
	}
	sa, sb := a.secondary(), b.secondary()
	for _, s := range sa {
		if slices.Contains(sb, s) {
			return withErr("%w: union of %s and %s: both have the secondary attribute %q",
				djerr.ErrIncompatible, a.describe(), b.describe(), s)
		}
	}
	heading := joinHeading(a, b)
	names := make([]string, len(heading))
	for i := range heading {
		heading[i].expr, heading[i].src = "", ""
		if !heading[i].InKey {
			heading[i].Nullable = true
		}
		names[i] = heading[i].Name
	}
	u := &unionOp{}
	if len(sa) == 0 && len(sb) == 0 {
		u.first, u.second, u.fields = a, b, pa
	} else {
		first, err := join(a, b, true)
		if err != nil {
			return invalid(fmt.Errorf("union: %w", err))
		}
		items := make([]string, 0, len(sa)+1)
		items = append(items, "*")
		for _, s := range sa {
			items = append(items, s+"=NULL")
		}
		missing := Expr{b}.Exclude(Expr{a})
		if err := missing.Err(); err != nil {
			return invalid(fmt.Errorf("union: %w", err))
		}
		second, err := proj(missing.n, items, nil)
		if err != nil {
			return invalid(fmt.Errorf("union: %w", err))
		}
		u.first, u.second, u.fields = first, second, names
	}
	return Expr{&node{
		kind:      kindPlain,
		from:      []source{{union: u}},
		attrs:     heading,
		fromNames: names,
	}}
}
