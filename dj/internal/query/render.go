package query

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// renderer accumulates SQL text and its parameters. Derived tables are
// named `$1`, `$2`, ... in the order they are written, so the same
// expression always renders the same text.
type renderer struct {
	b     []byte
	args  []any
	alias int
	// exact is set while the outermost select list of a statement whose
	// rows are fetched is written: float columns are read as doubles there.
	exact bool
}

func (r *renderer) str(s string) { r.b = append(r.b, s...) }

func (r *renderer) ident(s string) {
	r.b = append(r.b, '`')
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			r.b = append(r.b, '`')
		}
		r.b = append(r.b, s[i])
	}
	r.b = append(r.b, '`')
}

func (r *renderer) nextAlias() {
	r.alias++
	r.str(" as `$")
	r.b = strconv.AppendInt(r.b, int64(r.alias), 16)
	r.b = append(r.b, '`')
}

// SQL returns the SELECT statement of the expression, with its attributes
// in heading order, and the parameters for its ? placeholders.
func (e Expr) SQL() (string, []any, error) {
	n, err := terminal(e)
	if err != nil {
		return "", nil, err
	}
	r := renderer{b: make([]byte, 0, 256), exact: true}
	if err := r.selectSQL(n, nil); err != nil {
		return "", nil, err
	}
	return string(r.b), r.args, nil
}

// CountSQL returns a statement whose single row and column is the number of
// rows of the expression (DataJoint's len): count(DISTINCT <key>) over
// the FROM and WHERE of a plain expression, count(*) when it has a left
// join, no key or a key attribute that may be NULL, and count(*) over the
// expression as a derived table when it is an aggregation, has a top, or
// is DISTINCT with a key attribute that may be NULL.
func (e Expr) CountSQL() (string, []any, error) {
	n, err := terminal(e)
	if err != nil {
		return "", nil, err
	}
	r := renderer{b: make([]byte, 0, 256)}
	pk := n.primaryKey()
	// count(DISTINCT a, b) skips the rows where a or b is NULL, which a
	// key attribute that only a left join provides may be.
	nullKey := false
	for _, k := range pk {
		if a, _ := n.attr(k); a.Nullable {
			nullKey = true
		}
	}
	if n.kind == kindAggr || n.top != nil || (n.distinct && nullKey) {
		r.str("SELECT count(*) FROM (")
		if err := r.selectSQL(n, nil); err != nil {
			return "", nil, err
		}
		r.str(")")
		r.nextAlias()
		return string(r.b), r.args, nil
	}
	if len(pk) == 0 || n.anyLeft() || nullKey {
		r.str("SELECT count(*)")
	} else {
		r.str("SELECT count(DISTINCT ")
		for i, k := range pk {
			if i > 0 {
				r.str(",")
			}
			a, _ := n.attr(k)
			if a.expr != "" {
				r.str(a.expr)
			} else {
				r.ident(k)
			}
		}
		r.str(")")
	}
	r.str(" FROM ")
	if err := r.fromWhere(n); err != nil {
		return "", nil, err
	}
	return string(r.b), r.args, nil
}

// ExistsSQL returns a statement whose single row and column is 1 when the
// expression has rows and 0 otherwise (DataJoint's bool).
func (e Expr) ExistsSQL() (string, []any, error) {
	n, err := terminal(e)
	if err != nil {
		return "", nil, err
	}
	r := renderer{b: make([]byte, 0, 256)}
	r.str("SELECT EXISTS(")
	if n.kind == kindPlain && n.top == nil {
		r.str("SELECT 1 FROM ")
		err = r.fromWhere(n)
	} else {
		err = r.selectSQL(n, nil)
	}
	if err != nil {
		return "", nil, err
	}
	r.str(")")
	return string(r.b), r.args, nil
}

// WhereSQL returns the condition of a restricted base table, without the
// WHERE keyword, and its parameters: "" when the expression is the whole
// table. It is meant for DELETE FROM <table> WHERE <condition> and needs
// an expression for which Source reports true; otherwise it returns
// djerr.ErrInvalidQuery.
func (e Expr) WhereSQL() (string, []any, error) {
	n, err := terminal(e)
	if err != nil {
		return "", nil, err
	}
	if !n.base {
		return "", nil, fmt.Errorf("%w: WhereSQL needs a base table with restrictions only, not a %s", djerr.ErrInvalidQuery, n.describe())
	}
	r := renderer{b: make([]byte, 0, 128)}
	if err := r.conds(n.where, "AND"); err != nil {
		return "", nil, err
	}
	return string(r.b), r.args, nil
}

func terminal(e Expr) (*node, error) {
	if err := e.Err(); err != nil {
		return nil, err
	}
	if e.n.kind == kindUniversal {
		return nil, fmt.Errorf("%w: %s has no rows of its own: restrict, join or aggregate it", djerr.ErrInvalidQuery, e.n.describe())
	}
	return e.n, nil
}

// selectSQL writes the SELECT of n with the given fields (all when nil).
func (r *renderer) selectSQL(n *node, fields []string) error {
	exact := r.exact
	r.exact = false
	r.str("SELECT ")
	if n.distinct {
		r.str("DISTINCT ")
	}
	if fields == nil {
		if len(n.attrs) == 0 {
			return fmt.Errorf("%w: the expression has no attributes", djerr.ErrInvalidQuery)
		}
		for i := range n.attrs {
			if i > 0 {
				r.str(",")
			}
			r.field(&n.attrs[i], exact)
		}
	} else {
		for i, f := range fields {
			if i > 0 {
				r.str(",")
			}
			a, ok := n.attr(f)
			if !ok {
				return fmt.Errorf("%w: %q is not an attribute of %s", djerr.ErrUnknownAttribute, f, n.describe())
			}
			r.field(a, exact)
		}
	}
	r.str(" FROM ")
	if err := r.fromWhere(n); err != nil {
		return err
	}
	if n.kind == kindAggr && len(n.groupBy) > 0 {
		r.str(" GROUP BY ")
		for i, g := range n.groupBy {
			if i > 0 {
				r.str(",")
			}
			r.ident(g)
		}
		if len(n.having) > 0 {
			r.str(" HAVING ")
			if err := r.conds(n.having, "AND"); err != nil {
				return err
			}
		}
	}
	if n.top != nil {
		r.topSQL(n)
	}
	return nil
}

// field writes one item of a select list. In the outermost list of a
// fetched statement (exact), a FLOAT column is cast to DOUBLE: MariaDB's
// text protocol prints FLOAT values with six significant digits, which
// loses most float32 values, while the double it converts to is exact and
// converts back to the same float32.
func (r *renderer) field(a *attr, exact bool) {
	if exact && isSingleFloat(&a.Attribute) {
		r.str("CAST(")
		if a.expr != "" {
			r.str(a.expr)
		} else {
			r.ident(a.Name)
		}
		r.str(" AS DOUBLE) as ")
		r.ident(a.Name)
		return
	}
	if a.expr != "" {
		r.str(a.expr)
		r.str(" as ")
	}
	r.ident(a.Name)
}

// fromWhere writes the FROM items and the WHERE clause of n.
func (r *renderer) fromWhere(n *node) error {
	for i, s := range n.from {
		if i > 0 {
			if n.left[i-1] {
				r.str(" NATURAL LEFT JOIN ")
			} else {
				r.str(" NATURAL JOIN ")
			}
		}
		switch {
		case s.table != nil:
			if s.table.Database != "" {
				r.ident(s.table.Database)
				r.str(".")
			}
			r.ident(s.table.Name)
		case s.sub != nil:
			r.str("(")
			if err := r.selectSQL(s.sub, nil); err != nil {
				return err
			}
			r.str(")")
			r.nextAlias()
		case s.union != nil:
			r.str("((")
			if err := r.selectSQL(s.union.first, s.union.fields); err != nil {
				return err
			}
			r.str(") UNION (")
			if err := r.selectSQL(s.union.second, s.union.fields); err != nil {
				return err
			}
			r.str("))")
			r.nextAlias()
		}
	}
	if len(n.where) > 0 {
		r.str(" WHERE ")
		return r.conds(n.where, "AND")
	}
	return nil
}

// conds writes (c1)AND(c2)... or (c1)OR(c2)...
func (r *renderer) conds(ps []pred, op string) error {
	for i := range ps {
		if i > 0 {
			r.str(op)
		}
		r.str("(")
		if err := r.pred(&ps[i]); err != nil {
			return err
		}
		r.str(")")
	}
	return nil
}

func (r *renderer) pred(p *pred) error {
	switch p.kind {
	case pTrue:
		r.str("TRUE")
	case pFalse:
		r.str("FALSE")
	case pSQL:
		r.str(p.sql)
		r.args = append(r.args, p.args...)
	case pAnd:
		return r.conds(p.kids, "AND")
	case pOr:
		return r.conds(p.kids, "OR")
	case pNot:
		r.str("NOT (")
		if err := r.pred(&p.kids[0]); err != nil {
			return err
		}
		r.str(")")
	case pSemi:
		if p.nullSafe {
			if p.neg {
				r.str("NOT ")
			}
			r.str("COALESCE(")
		}
		r.str("(")
		for i, c := range p.cols {
			if i > 0 {
				r.str(",")
			}
			r.ident(c)
		}
		if p.neg && !p.nullSafe {
			r.str(") NOT IN (")
		} else {
			r.str(") IN (")
		}
		if err := r.selectSQL(p.sub, p.cols); err != nil {
			return err
		}
		r.str(")")
		if p.nullSafe {
			r.str(", FALSE)")
		}
	case pExists:
		if p.neg {
			r.str("NOT ")
		}
		r.str("EXISTS(")
		if err := r.selectSQL(p.sub, nil); err != nil {
			return err
		}
		r.str(")")
	}
	return nil
}

// topSQL writes ORDER BY, LIMIT and OFFSET. Without an explicit order a
// limit or offset orders by the primary key. An offset without a limit
// uses the largest limit MySQL accepts.
func (r *renderer) topSQL(n *node) {
	t := n.top
	order := t.order
	if len(order) == 0 && (t.limit >= 0 || t.offset > 0) {
		order = []orderItem{{key: true}}
	}
	first := true
	item := func(name string, desc bool) {
		if first {
			r.str(" ORDER BY ")
			first = false
		} else {
			r.str(",")
		}
		r.ident(name)
		if desc {
			r.str(" DESC")
		}
	}
	for _, o := range order {
		if o.key {
			for _, k := range n.primaryKey() {
				item(k, o.desc)
			}
			continue
		}
		item(o.name, o.desc)
	}
	switch {
	case t.limit >= 0:
		r.str(" LIMIT ")
		r.b = strconv.AppendInt(r.b, t.limit, 10)
		if t.offset > 0 {
			r.str(" OFFSET ")
			r.b = strconv.AppendInt(r.b, t.offset, 10)
		}
	case t.offset > 0:
		r.str(" LIMIT 18446744073709551615 OFFSET ")
		r.b = strconv.AppendInt(r.b, t.offset, 10)
	}
}

// isSingleFloat reports a single-precision FLOAT column ("float",
// "float unsigned", "float(p)" with p ≤ 24).
func isSingleFloat(a *schema.Attribute) bool {
	if a.Category != schema.CatFloat {
		return false
	}
	t := strings.TrimSpace(strings.TrimSuffix(a.Type, " unsigned"))
	switch {
	case t == "float":
		return true
	case strings.HasPrefix(t, "float(") && strings.HasSuffix(t, ")"):
		p := strings.SplitN(t[len("float("):len(t)-1], ",", 2)
		if len(p) == 2 {
			return true // float(m,d): single precision
		}
		n, err := strconv.Atoi(strings.TrimSpace(p[0]))
		return err == nil && n <= 24
	}
	return false
}
