package query

import (
	"fmt"
	"slices"
	"strings"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// Proj is DataJoint's projection A.proj(...): it selects, renames and
// computes attributes. The primary key is always kept (key attributes may
// be renamed but not dropped). Each item is one of:
//
//	"a"          keep attribute a
//	"-a"         drop secondary attribute a (useful after "*")
//	"*" or "..." keep all secondary attributes (Python's Ellipsis)
//	"b=a"        rename a to b (a is no longer selected under its old name)
//	"b=(a)"      duplicate a as b (a stays selected if it is kept)
//	"b=<expr>"   computed attribute b from a SQL expression, such as
//	             "n=count(*)", "dur_s=duration*60" or "x=NULL"
//
// Proj() keeps the primary key only. A right-hand side is an expression
// whenever it is not a bare attribute name (NULL, TRUE, CURRENT_TIMESTAMP
// and the like are expressions). Names inside expressions are not
// checked, as in DataJoint, but an expression must be a single one, as
// for Where (no ";", no comment, quotes and parentheses closed), with no
// "," outside parentheses; it is written in parentheses. Kept,
// dropped, renamed and duplicated names must be attributes
// (djerr.ErrUnknownAttribute); dropping a key attribute or producing a
// name twice is djerr.ErrInvalidQuery.
//
// A new attribute derived from an attribute that is itself renamed or
// computed makes the expression a derived table first, as DataJoint does;
// so does a projection that would change what an ORDER BY refers to.
func (e Expr) Proj(items ...string) Expr {
	n, bad, ok := e.ok()
	if !ok {
		return bad
	}
	if n.kind == kindUniversal {
		return withErr("%w: %s cannot be projected", djerr.ErrInvalidQuery, n.describe())
	}
	r, err := proj(n, items, nil)
	if err != nil {
		return invalid(fmt.Errorf("proj %s: %w", n.describe(), err))
	}
	return Expr{r}
}

// ProjAll keeps all attributes and adds the given renamed, duplicated or
// computed ones: it is Proj("*", items...).
func (e Expr) ProjAll(items ...string) Expr {
	return e.Proj(append([]string{"*"}, items...)...)
}

// projSpec is a parsed projection.
type projSpec struct {
	keep    []string
	drop    []string
	all     bool
	renames []rename // renames, duplicates and computations in argument order
}

type rename struct {
	name string
	src  string // renamed or duplicated attribute
	dup  bool
	expr string // computation, when src is ""
}

var constantWords = map[string]bool{
	"null": true, "true": true, "false": true, "unknown": true,
	"current_timestamp": true, "current_date": true, "current_time": true,
	"localtime": true, "localtimestamp": true, "utc_date": true,
	"utc_time": true, "utc_timestamp": true, "current_user": true,
}

func parseProj(items []string) (projSpec, error) {
	var s projSpec
	for _, it := range items {
		t := strings.TrimSpace(it)
		switch {
		case t == "":
			return s, fmt.Errorf("%w: empty projection item", djerr.ErrInvalidQuery)
		case t == "*" || t == "...":
			s.all = true
		case t[0] == '-' && isIdent(strings.TrimSpace(t[1:])):
			s.drop = append(s.drop, strings.TrimSpace(t[1:]))
		case isIdent(t):
			s.keep = append(s.keep, t)
		default:
			eq := strings.IndexByte(t, '=')
			if eq < 0 {
				return s, fmt.Errorf("%w: projection item %q is not a name, -name, * or name=expression", djerr.ErrInvalidQuery, it)
			}
			name, rhs := strings.TrimSpace(t[:eq]), strings.TrimSpace(t[eq+1:])
			if !isIdent(name) {
				return s, fmt.Errorf("%w: projection item %q: %q is not a valid attribute name", djerr.ErrInvalidQuery, it, name)
			}
			if rhs == "" {
				return s, fmt.Errorf("%w: projection item %q has no expression", djerr.ErrInvalidQuery, it)
			}
			rn := rename{name: name}
			inner := rhs
			if len(rhs) > 2 && rhs[0] == '(' && rhs[len(rhs)-1] == ')' {
				inner = strings.TrimSpace(rhs[1 : len(rhs)-1])
			}
			switch {
			case isIdent(rhs) && !constantWords[strings.ToLower(rhs)]:
				rn.src = rhs
			case inner != rhs && isIdent(inner) && !constantWords[strings.ToLower(inner)]:
				rn.src, rn.dup = inner, true
			default:
				if err := checkFragment(rhs, true); err != nil {
					return s, fmt.Errorf("%w: projection item %q: %w", djerr.ErrInvalidQuery, it, err)
				}
				rn.expr = rhs
			}
			s.renames = append(s.renames, rn)
		}
	}
	return s, nil
}

// proj applies a projection to n. groupOwn, when not nil, marks an
// aggregation being built: kept and renamed attributes must come from the
// grouping operand (names in groupOwn) and are added to the GROUP BY.
func proj(n *node, items []string, groupOwn []string) (*node, error) {
	spec, err := parseProj(items)
	if err != nil {
		return nil, err
	}
	for _, x := range spec.keep {
		if !n.has(x) {
			return nil, fmt.Errorf("%w: %q (attributes: %s)", djerr.ErrUnknownAttribute, x, joinNames(n.names()))
		}
	}
	for _, x := range spec.drop {
		a, ok := n.attr(x)
		if !ok {
			return nil, fmt.Errorf("%w: cannot drop %q (attributes: %s)", djerr.ErrUnknownAttribute, x, joinNames(n.names()))
		}
		if a.InKey {
			return nil, fmt.Errorf("%w: cannot drop key attribute %q", djerr.ErrInvalidQuery, x)
		}
	}
	renamed := map[string]bool{}
	var used []string
	for _, rn := range spec.renames {
		if rn.src != "" {
			if !n.has(rn.src) {
				return nil, fmt.Errorf("%w: %q in %s=%s (attributes: %s)", djerr.ErrUnknownAttribute, rn.src, rn.name, rn.src, joinNames(n.names()))
			}
			if !rn.dup {
				renamed[rn.src] = true
			}
			used = append(used, rn.src)
		} else {
			used = append(used, columnNames(rn.expr)...)
		}
	}
	// The selected set, as DataJoint computes it.
	sel := map[string]bool{}
	for _, x := range spec.keep {
		sel[x] = true
	}
	for i := range n.attrs {
		a := &n.attrs[i]
		if a.InKey && !renamed[a.Name] {
			sel[a.Name] = true
		}
		if spec.all && !a.InKey && !renamed[a.Name] {
			sel[a.Name] = true
		}
	}
	for _, x := range spec.drop {
		delete(sel, x)
	}
	// Wrap when a new attribute is derived from a renamed or computed one,
	// or when the new names would change what an ORDER BY refers to.
	sub := false
	for _, u := range used {
		if n.isNew(u) {
			sub = true
			break
		}
	}
	if !sub && n.distinct {
		for _, rn := range spec.renames {
			if rn.src == "" {
				sub = true
			}
		}
	}
	if !sub && n.top != nil {
		sub = !topSurvives(n, sel, spec.renames)
	}
	src := n
	if sub {
		src = n.subquery()
	}
	attrs := make([]attr, 0, len(sel)+len(spec.renames))
	for i := range src.attrs {
		a := src.attrs[i]
		if sel[a.Name] {
			attrs = append(attrs, a)
		}
		for _, rn := range spec.renames {
			if rn.src == a.Name {
				c := a
				c.Name = rn.name
				c.expr = schema.QuoteIdent(a.Name)
				c.src = a.Name
				attrs = append(attrs, c)
			}
		}
	}
	for _, rn := range spec.renames {
		if rn.src == "" {
			attrs = append(attrs, computedAttr(rn.name, rn.expr))
		}
	}
	for i := range attrs {
		for j := range i {
			if attrs[i].Name == attrs[j].Name {
				return nil, fmt.Errorf("%w: attribute %q would appear twice in the projection", djerr.ErrInvalidQuery, attrs[i].Name)
			}
		}
	}
	if len(attrs) == 0 {
		return nil, fmt.Errorf("%w: the projection has no attributes", djerr.ErrInvalidQuery)
	}
	r := src.clone()
	r.attrs = attrs
	if groupOwn != nil {
		gb := make([]string, len(r.groupBy), len(r.groupBy)+len(attrs))
		copy(gb, r.groupBy)
		for _, a := range attrs {
			col := a.Name
			switch {
			case a.src != "":
				col = a.src
			case a.expr != "":
				continue
			}
			if !slices.Contains(groupOwn, col) {
				return nil, fmt.Errorf("%w: %q belongs to the aggregated expression: use it inside an aggregate function such as max(%s)", djerr.ErrInvalidQuery, col, col)
			}
			if !slices.Contains(gb, col) {
				gb = append(gb, col)
			}
		}
		r.groupBy = gb
	}
	return r, nil
}

// topSurvives reports whether n's ORDER BY still means the same after the
// projection, so that the top can stay in the same SELECT: no new name
// hides an ordering attribute, and each ordering attribute either stays
// selected or is a FROM column of a plain, non-DISTINCT SELECT (which
// MySQL may order by without selecting it).
func topSurvives(n *node, sel map[string]bool, renames []rename) bool {
	check := func(name string) bool {
		for _, rn := range renames {
			if rn.name == name {
				return false
			}
		}
		if sel[name] {
			return true
		}
		return n.kind == kindPlain && !n.distinct && !n.isNew(name)
	}
	order := n.top.order
	if len(order) == 0 {
		order = []orderItem{{key: true}}
	}
	for _, o := range order {
		if o.key {
			for _, k := range n.primaryKey() {
				if !check(k) {
					return false
				}
			}
		} else if !check(o.name) {
			return false
		}
	}
	return true
}

// computedAttr describes a computed attribute; count(...) is known to be a
// bigint. The expression is written in parentheses, so that it stays one
// expression of the select list whatever its text.
func computedAttr(name, expr string) attr {
	a := attr{expr: "(" + expr + ")"}
	a.Name = name
	a.Nullable = true
	low := strings.ToLower(strings.TrimSpace(expr))
	if strings.HasPrefix(low, "count(") && closingParen(low, len("count")) == len(low)-1 {
		a.Type, a.SQLType, a.Category, a.Nullable = "bigint", "bigint", schema.CatInteger, false
	}
	return a
}

// closingParen returns the index of the parenthesis closing the one at
// open, or -1.
func closingParen(s string, open int) int {
	depth := 0
	for t := range tokens(s[open:]) {
		if t.kind != tokCode {
			continue
		}
		i := open + t.start
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}
