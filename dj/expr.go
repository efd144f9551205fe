package dj

import (
	"fmt"
	"reflect"

	"github.com/datajoint-go/datajoint/dj/internal/query"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// Expr is a query expression: DataJoint's QueryExpression. It is an
// immutable value: every operator returns a new Expr and leaves its operands
// unchanged, so expressions can be shared and reused freely. Operators never
// fail mid-chain: the first error is kept and returned by the terminal call
// (Fetch, Count, SQL, ...) and by Err.
type Expr struct {
	q    query.Expr
	err  error  // an error found by dj before the query layer
	name string // what errors call the expression
}

func wrap(q query.Expr, name string) Expr { return Expr{q: q, name: name} }

// From returns the expression of the table that struct type T was declared
// as on q's connection.
func From[T any](q Querier) Expr {
	t, err := TableOf[T](q)
	if err != nil {
		return Expr{err: err, name: reflect.TypeFor[T]().String()}
	}
	return t.Expr()
}

// Expr returns the expression of the whole table.
func (t *Table) Expr() Expr { return wrap(query.Table(t.meta), t.FullName()) }

// Err returns the first error recorded while building the expression.
func (e Expr) Err() error {
	if e.err != nil {
		return e.err
	}
	return e.q.Err()
}

// String names the expression in errors: the table for a table expression.
func (e Expr) String() string {
	if e.name == "" {
		return "query"
	}
	return e.name
}

// SQL returns the SELECT statement and its arguments, for debugging.
func (e Expr) SQL() (string, []any, error) {
	if e.err != nil {
		return "", nil, e.err
	}
	return e.q.SQL()
}

// CountSQL returns the statement Count runs.
func (e Expr) CountSQL() (string, []any, error) {
	if e.err != nil {
		return "", nil, e.err
	}
	return e.q.CountSQL()
}

// ExistsSQL returns the statement Exists runs.
func (e Expr) ExistsSQL() (string, []any, error) {
	if e.err != nil {
		return "", nil, e.err
	}
	return e.q.ExistsSQL()
}

// Heading returns the attributes of the result.
func (e Expr) Heading() schema.Heading { return e.q.Heading() }

// PrimaryKey lists the primary-key attributes of the result.
func (e Expr) PrimaryKey() []string { return e.q.PrimaryKey() }

// Restrict keeps the rows that satisfy every condition: DataJoint's
// A & cond. Conditions are Where (SQL), Match (a key or struct), another
// Expr (semijoin), Or/And/Not of those, and True/False.
func (e Expr) Restrict(conds ...Cond) Expr {
	qc, err := toQueryConds(conds)
	if e.err != nil || err != nil {
		return e.withErr(err)
	}
	return Expr{q: e.q.Restrict(qc...), name: e.name}
}

// Exclude keeps the rows that do not satisfy the conditions (all of them
// together): DataJoint's A - cond (an antijoin when cond is an Expr).
func (e Expr) Exclude(conds ...Cond) Expr {
	qc, err := toQueryConds(conds)
	if e.err != nil || err != nil {
		return e.withErr(err)
	}
	return Expr{q: e.q.Exclude(qc...), name: e.name}
}

// withErr returns e carrying its first error (err if e has none).
func (e Expr) withErr(err error) Expr {
	if e.err == nil {
		e.err = err
	}
	return e
}

// binary combines e and other with op, keeping the first error.
func (e Expr) binary(other Expr, op func(query.Expr) query.Expr) Expr {
	if e.err != nil {
		return e
	}
	if other.err != nil {
		return Expr{err: other.err, name: "query"}
	}
	return wrap(op(other.q), "query")
}

// Join is the natural join on the common attributes: DataJoint's A * B.
// Joining on an attribute that is secondary in both operands is an
// ErrIllegalJoin, as in DataJoint 0.14; an attribute that is primary in one
// operand and secondary in the other (a foreign key) joins normally.
func (e Expr) Join(other Expr) Expr { return e.binary(other, e.q.Join) }

// Proj projects the expression: DataJoint's A.proj(...). The primary key is
// always kept. Arguments: "a" keeps a secondary attribute, "*" keeps all
// secondaries, "-a" drops one, "new=old" renames, "new=(old)" copies and
// "new=<sql expression>" computes an attribute. Proj() keeps the key only.
func (e Expr) Proj(attrs ...string) Expr {
	if e.err != nil {
		return e
	}
	rest := make([]string, 0, len(attrs))
	all := false
	for _, a := range attrs {
		if a == "*" {
			all = true
			continue
		}
		rest = append(rest, a)
	}
	if all {
		return Expr{q: e.q.ProjAll(rest...), name: e.name}
	}
	return Expr{q: e.q.Proj(rest...), name: e.name}
}

// Aggr groups other by this expression's primary key and computes
// aggregates: DataJoint's A.aggr(B, n="count(*)"). Rows of A without a
// match in B are dropped; see AggrKeepAll.
func (e Expr) Aggr(other Expr, computations ...string) Expr {
	return e.binary(other, func(o query.Expr) query.Expr { return e.q.Aggr(o, false, computations...) })
}

// AggrKeepAll is Aggr with keep_all_rows=True: rows of A without a match
// in B are kept (count(...) gives 0, other aggregates NULL).
func (e Expr) AggrKeepAll(other Expr, computations ...string) Expr {
	return e.binary(other, func(o query.Expr) query.Expr { return e.q.Aggr(o, true, computations...) })
}

// Union combines two expressions with the same primary key: DataJoint's
// A + B.
func (e Expr) Union(other Expr) Expr { return e.binary(other, e.q.Union) }

// OrderBy orders the result: attribute names with an optional " DESC",
// or "KEY" / "KEY DESC" for the primary key.
func (e Expr) OrderBy(attrs ...string) Expr {
	if e.err != nil {
		return e
	}
	return Expr{q: e.q.OrderBy(attrs...), name: e.name}
}

// Limit keeps the first n rows (ordered by the primary key unless OrderBy
// says otherwise).
func (e Expr) Limit(n int) Expr {
	if e.err != nil {
		return e
	}
	return Expr{q: e.q.Limit(int64(n)), name: e.name}
}

// Offset skips the first n rows (ordered as for Limit).
func (e Expr) Offset(n int) Expr {
	if e.err != nil {
		return e
	}
	return Expr{q: e.q.Offset(int64(n)), name: e.name}
}

// U is DataJoint's universal set dj.U(attrs...): U("a", "b").Restrict(e)
// gives the distinct values of a and b in e; U(attrs...).Aggr(e, ...)
// groups e by arbitrary attributes; U().Aggr(e, ...) aggregates over all of
// e; U(attrs...).Join(e) promotes attrs into e's primary key.
func U(attrs ...string) Expr { return wrap(query.U(attrs...), "dj.U") }

// laxFor projects e down to the attributes a struct has fields for (plus
// the primary key), so lax fetches transfer only what they keep.
func (e Expr) laxFor(typ reflect.Type) Expr {
	fm, err := schema.Fields(typ)
	if err != nil {
		return e
	}
	h := e.Heading()
	var keep []string
	for _, f := range fm.Fields {
		if a, ok := h.Attr(f.Column); ok && !a.InKey {
			keep = append(keep, f.Column)
		}
	}
	if len(keep) == len(h.Secondary()) {
		return e
	}
	return e.Proj(keep...)
}

// Cond is a restriction condition for Restrict and Exclude. An Expr is a
// Cond too (semijoin / antijoin).
type Cond interface {
	queryCond() (query.Cond, error)
}

type cond struct {
	c   query.Cond
	err error
}

func (c cond) queryCond() (query.Cond, error) { return c.c, c.err }

func (e Expr) queryCond() (query.Cond, error) { return e.q, e.err }

func toQueryConds(cs []Cond) ([]query.Cond, error) {
	out := make([]query.Cond, len(cs))
	for i, c := range cs {
		if c == nil {
			return nil, fmt.Errorf("%w: nil restriction", ErrInvalidQuery)
		}
		qc, err := c.queryCond()
		if err != nil {
			return nil, err
		}
		out[i] = qc
	}
	return out, nil
}

// Where is a SQL condition with ? placeholders: Where("x > ? AND y < ?", 1, 2).
// Values are always sent as parameters.
func Where(sql string, args ...any) Cond { return cond{c: query.Where(sql, args...)} }

// Match restricts by attribute values: a map (Key) or a struct. Keys or
// fields that are not attributes of the expression are ignored, as in
// DataJoint's restriction by dict. A struct of a declared table type
// contributes only its primary-key fields, so a row can restrict its
// dependents; other structs contribute every field.
func Match(v any) Cond {
	m, err := matchMap(v)
	if err != nil {
		return cond{err: err}
	}
	return cond{c: query.Match(m)}
}

// MatchAny restricts to rows matching any of the keys (DataJoint's
// restriction by a list). No keys matches nothing.
func MatchAny[K any](keys []K) Cond {
	maps := make([]map[string]any, 0, len(keys))
	for _, k := range keys {
		m, err := matchMap(k)
		if err != nil {
			return cond{err: err}
		}
		maps = append(maps, m)
	}
	return cond{c: query.Matches(maps...)}
}

// And is true when every condition is.
func And(conds ...Cond) Cond {
	qc, err := toQueryConds(conds)
	return cond{c: query.And(qc...), err: err}
}

// Or is true when any condition is.
func Or(conds ...Cond) Cond {
	qc, err := toQueryConds(conds)
	return cond{c: query.Or(qc...), err: err}
}

// Not negates a condition.
func Not(c Cond) Cond {
	if c == nil {
		return cond{err: fmt.Errorf("%w: nil restriction", ErrInvalidQuery)}
	}
	qc, err := c.queryCond()
	return cond{c: query.Not(qc), err: err}
}

// True and False are the constant conditions (DataJoint's restriction by a
// bool).
var (
	True  Cond = cond{c: query.True}
	False Cond = cond{c: query.False}
)

// matchMap turns a Match argument into attribute → value.
func matchMap(v any) (map[string]any, error) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return nil, fmt.Errorf("%w: nil restriction", ErrInvalidQuery)
		}
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil, fmt.Errorf("%w: Match needs string keys, got %s", ErrInvalidQuery, rv.Type())
		}
		out := make(map[string]any, rv.Len())
		for _, k := range rv.MapKeys() {
			out[k.String()] = rv.MapIndex(k).Interface()
		}
		return out, nil
	case reflect.Struct:
		fm, err := schema.Fields(rv.Type())
		if err != nil {
			return nil, err
		}
		// A struct that declares a table restricts by its primary key;
		// any other struct by all its fields.
		key := fm.Key()
		out := make(map[string]any, len(fm.Fields))
		for _, f := range fm.Fields {
			if key != nil && !f.InKey {
				continue
			}
			out[f.Column] = rv.FieldByIndex(f.Index).Interface()
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: Match needs a map or a struct, got %s", ErrInvalidQuery, rv.Type())
}
