package query

import (
	"fmt"
	"strings"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
)

// OrderBy sets the order of the result (DataJoint's order_by). Each item is
// an attribute name, optionally followed by ASC or DESC, or "KEY" / "KEY
// DESC" for the primary key. OrderBy, Limit and Offset together form one
// ORDER BY ... LIMIT ... OFFSET clause of the expression (DataJoint's
// Top): calling them in any order on the same expression sets the parts of
// that clause, a later call replacing an earlier one. A restriction, join
// or union applied afterwards treats the ordered, limited result as a
// derived table.
func (e Expr) OrderBy(items ...string) Expr {
	n, bad, ok := e.ok()
	if !ok {
		return bad
	}
	if n.kind == kindUniversal {
		return withErr("%w: %s cannot be ordered", djerr.ErrInvalidQuery, n.describe())
	}
	order := make([]orderItem, 0, len(items))
	for _, it := range items {
		o, err := parseOrder(n, it)
		if err != nil {
			return invalid(fmt.Errorf("order by %s: %w", n.describe(), err))
		}
		order = append(order, o)
	}
	t := topOf(n)
	t.order = order
	return withTop(n, t)
}

// Limit keeps at most k rows (DataJoint's limit). Without OrderBy the rows
// are ordered by the primary key, as DataJoint's fetch does. See OrderBy.
func (e Expr) Limit(k int64) Expr {
	n, bad, ok := e.ok()
	if !ok {
		return bad
	}
	if n.kind == kindUniversal {
		return withErr("%w: %s cannot be limited", djerr.ErrInvalidQuery, n.describe())
	}
	if k < 0 {
		return withErr("%w: negative limit %d", djerr.ErrInvalidQuery, k)
	}
	t := topOf(n)
	t.limit = k
	return withTop(n, t)
}

// Offset skips the first k rows (DataJoint's offset). Without OrderBy the
// rows are ordered by the primary key. See OrderBy.
func (e Expr) Offset(k int64) Expr {
	n, bad, ok := e.ok()
	if !ok {
		return bad
	}
	if n.kind == kindUniversal {
		return withErr("%w: %s cannot take an offset", djerr.ErrInvalidQuery, n.describe())
	}
	if k < 0 {
		return withErr("%w: negative offset %d", djerr.ErrInvalidQuery, k)
	}
	t := topOf(n)
	t.offset = k
	return withTop(n, t)
}

func topOf(n *node) topSpec {
	if n.top == nil {
		return topSpec{limit: -1}
	}
	return *n.top
}

func withTop(n *node, t topSpec) Expr {
	r := n.clone()
	r.top = &t
	return Expr{r}
}

func parseOrder(n *node, item string) (orderItem, error) {
	f := strings.Fields(item)
	var o orderItem
	switch len(f) {
	case 1:
	case 2:
		switch strings.ToUpper(f[1]) {
		case "ASC":
		case "DESC":
			o.desc = true
		default:
			return o, fmt.Errorf("%w: order item %q: want ASC or DESC after the name", djerr.ErrInvalidQuery, item)
		}
	default:
		return o, fmt.Errorf("%w: order item %q: want \"name\", \"name DESC\" or \"KEY [DESC]\"", djerr.ErrInvalidQuery, item)
	}
	if f[0] == "KEY" {
		o.key = true
		return o, nil
	}
	name := strings.Trim(f[0], "`")
	if !n.has(name) {
		return o, fmt.Errorf("%w: %q (attributes: %s)", djerr.ErrUnknownAttribute, name, joinNames(n.names()))
	}
	o.name = name
	return o, nil
}
