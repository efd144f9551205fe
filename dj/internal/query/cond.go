package query

import (
	"database/sql/driver"
	"encoding/hex"
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// Cond is a restriction condition: Where, Match, Matches, And, Or, Not,
// True, False, or an Expr (a semijoin). The set of implementations is
// closed.
type Cond interface {
	isCond()
}

type whereCond struct {
	sql  string
	args []any
}

type matchCond struct {
	keys []map[string]any
	list bool // Matches: OR of the keys; Match: a single key
}

type andCond struct{ items []Cond }

type orCond struct{ items []Cond }

type notCond struct{ c Cond }

type boolCond bool

func (whereCond) isCond() {}
func (matchCond) isCond() {}
func (andCond) isCond()   {}
func (orCond) isCond()    {}
func (notCond) isCond()   {}
func (boolCond) isCond()  {}

// isCond makes every Expr a Cond: restricting A by B keeps the rows of A
// that match some row of B on their common attributes (a semijoin).
func (Expr) isCond() {}

// True is the condition that every row satisfies; restricting by it has no
// effect.
var True Cond = boolCond(true)

// False is the condition that no row satisfies; restricting by it gives an
// empty result, excluding by it has no effect.
var False Cond = boolCond(false)

// Where is a condition in SQL with ? placeholders, one per argument. The
// text is used as written, in parentheses; the arguments are sent as
// parameters (bool, numbers, strings, []byte, time.Time, pointers to them
// or a driver.Valuer); a NaN or infinite float is an error, having no SQL
// value. A % needs no escaping. The text must be one expression that stays
// inside its parentheses: quotes closed, parentheses balanced, and no ";",
// no comment (#, -- , /* */ in any form), no "--" and no backslash outside
// quotes. Lower-case bare words that are not SQL keywords or function
// names are taken as attribute names (as DataJoint does) and must exist in
// the restricted expression; write SQL keywords in upper case or quote
// names with backticks to be explicit.
func Where(sql string, args ...any) Cond {
	own := make([]any, len(args))
	for i, a := range args {
		if b, ok := a.([]byte); ok {
			a = append([]byte(nil), b...)
		}
		own[i] = a
	}
	return whereCond{sql: sql, args: own}
}

// Match is the condition that every attribute named in key equals the
// given value (AND). Keys that are not attributes of the restricted
// expression are ignored, as in DataJoint; with no such key Match is True.
// A nil value (or nil pointer, or a driver.Valuer yielding nil) matches
// NULL. Values of uuid attributes may be a UUID string, a [16]byte array
// (such as github.com/google/uuid.UUID) or a 16-byte []byte; they are
// sent as 16 bytes.
func Match(key map[string]any) Cond { return matchCond{keys: []map[string]any{key}} }

// Matches is the OR of Match(k) over keys: rows that match any of them.
// With no keys it is False.
func Matches(keys ...map[string]any) Cond {
	return matchCond{keys: append([]map[string]any(nil), keys...), list: true}
}

// And is satisfied when all conditions are; And() is True.
func And(conds ...Cond) Cond { return andCond{items: append([]Cond(nil), conds...)} }

// Or is satisfied when any condition is; Or() is False.
func Or(conds ...Cond) Cond { return orCond{items: append([]Cond(nil), conds...)} }

// Not negates c. Not of an Expr is an antijoin: the rows with no match.
func Not(c Cond) Cond { return notCond{c: c} }

// predKind is the kind of a compiled condition.
type predKind uint8

const (
	pTrue predKind = iota
	pFalse
	pSQL    // sql with args
	pAnd    // kids
	pOr     // kids
	pNot    // kids[0]
	pSemi   // (cols) [NOT] IN (SELECT cols FROM sub)
	pExists // [NOT] EXISTS (sub)
)

// pred is a condition compiled against a heading: attribute names checked,
// values converted, semijoin operands resolved.
type pred struct {
	kind predKind
	neg  bool
	sql  string
	args []any
	kids []pred
	sub  *node
	cols []string
	// nullSafe renders a semijoin as COALESCE((cols) IN (...), FALSE)
	// because a restricted-side column may be NULL.
	nullSafe bool
}

// compile checks c against the heading of n and returns its compiled form.
func compile(n *node, c Cond) (pred, error) {
	switch c := c.(type) {
	case nil:
		return pred{}, fmt.Errorf("%w: nil condition", djerr.ErrInvalidQuery)
	case boolCond:
		if c {
			return pred{kind: pTrue}, nil
		}
		return pred{kind: pFalse}, nil
	case whereCond:
		return compileWhere(n, c)
	case matchCond:
		if !c.list {
			return compileMatch(n, c.keys[0])
		}
		kids := make([]pred, 0, len(c.keys))
		for _, k := range c.keys {
			p, err := compileMatch(n, k)
			if err != nil {
				return pred{}, err
			}
			kids = append(kids, p)
		}
		return simplify(pOr, kids), nil
	case andCond:
		return compileList(n, pAnd, c.items)
	case orCond:
		return compileList(n, pOr, c.items)
	case notCond:
		p, err := compile(n, c.c)
		if err != nil {
			return pred{}, err
		}
		return negate(p), nil
	case Expr:
		return compileSemi(n, c, true)
	case permissiveCond:
		return compileSemi(n, c.e, false)
	}
	return pred{}, fmt.Errorf("%w: unsupported condition type %T", djerr.ErrInvalidQuery, c)
}

func compileList(n *node, k predKind, items []Cond) (pred, error) {
	kids := make([]pred, 0, len(items))
	for _, it := range items {
		p, err := compile(n, it)
		if err != nil {
			return pred{}, err
		}
		kids = append(kids, p)
	}
	return simplify(k, kids), nil
}

// simplify builds an AND or OR of kids, dropping neutral items and
// collapsing absorbing ones.
func simplify(k predKind, kids []pred) pred {
	neutral, absorbing := pTrue, pFalse
	if k == pOr {
		neutral, absorbing = pFalse, pTrue
	}
	out := kids[:0:0]
	for _, p := range kids {
		switch p.kind {
		case neutral:
			continue
		case absorbing:
			return pred{kind: absorbing}
		}
		out = append(out, p)
	}
	switch len(out) {
	case 0:
		return pred{kind: neutral}
	case 1:
		return out[0]
	}
	return pred{kind: k, kids: out}
}

func negate(p pred) pred {
	switch p.kind {
	case pTrue:
		return pred{kind: pFalse}
	case pFalse:
		return pred{kind: pTrue}
	case pNot:
		return p.kids[0]
	case pSemi, pExists:
		p.neg = !p.neg
		return p
	}
	return pred{kind: pNot, kids: []pred{p}}
}

func compileWhere(n *node, c whereCond) (pred, error) {
	if strings.TrimSpace(c.sql) == "" {
		return pred{}, fmt.Errorf("%w: empty Where condition", djerr.ErrInvalidQuery)
	}
	if err := checkFragment(c.sql, false); err != nil {
		return pred{}, fmt.Errorf("%w: Where(%q): %w", djerr.ErrInvalidQuery, c.sql, err)
	}
	if k := countPlaceholders(c.sql); k != len(c.args) {
		return pred{}, fmt.Errorf("%w: Where(%q) has %d placeholders but %d arguments", djerr.ErrInvalidQuery, c.sql, k, len(c.args))
	}
	for i, a := range c.args {
		if err := checkArg(a); err != nil {
			return pred{}, fmt.Errorf("%w: Where(%q) argument %d: %w", djerr.ErrType, c.sql, i+1, err)
		}
	}
	for _, name := range columnNames(c.sql) {
		if !n.has(name) {
			return pred{}, fmt.Errorf("%w: %q in Where(%q) is not an attribute of %s (attributes: %s)",
				djerr.ErrUnknownAttribute, name, c.sql, n.describe(), joinNames(n.names()))
		}
	}
	return pred{kind: pSQL, sql: c.sql, args: c.args}, nil
}

func compileMatch(n *node, key map[string]any) (pred, error) {
	var b strings.Builder
	var args []any
	terms := 0
	for i := range n.attrs {
		a := &n.attrs[i]
		v, present := key[a.Name]
		if !present {
			continue
		}
		val, isNull, err := matchValue(&a.Attribute, v)
		if err != nil {
			return pred{}, err
		}
		if terms > 0 {
			b.WriteString(" AND ")
		}
		terms++
		b.WriteString(schema.QuoteIdent(a.Name))
		if isNull {
			b.WriteString(" IS NULL")
			continue
		}
		b.WriteString("=?")
		args = append(args, val)
	}
	if terms == 0 {
		return pred{kind: pTrue}, nil
	}
	return pred{kind: pSQL, sql: b.String(), args: args}, nil
}

var timeType = reflect.TypeFor[time.Time]()

// matchValue converts a key value for attribute a into a query parameter.
func matchValue(a *schema.Attribute, v any) (val any, isNull bool, err error) {
	if v == nil {
		return nil, true, nil
	}
	if vr, ok := v.(driver.Valuer); ok && a.Category != schema.CatUUID {
		rv := reflect.ValueOf(v)
		if rv.Kind() == reflect.Pointer && rv.IsNil() {
			return nil, true, nil
		}
		dv, err := vr.Value()
		if err != nil {
			return nil, false, fmt.Errorf("%w: value of attribute %q: %w", djerr.ErrType, a.Name, err)
		}
		if dv == nil {
			return nil, true, nil
		}
		if f, ok := nonFinite(reflect.ValueOf(dv)); ok {
			return nil, false, fmt.Errorf("%w: attribute %q cannot match %v", djerr.ErrType, a.Name, f)
		}
		return dv, false, nil
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil, true, nil
		}
		rv = rv.Elem()
	}
	if a.Category == schema.CatUUID {
		b, err := uuidBytes(rv)
		if err != nil {
			return nil, false, fmt.Errorf("%w: attribute %q is a uuid: %w", djerr.ErrType, a.Name, err)
		}
		return b, false, nil
	}
	switch rv.Kind() {
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return rv.Interface(), false, nil
	case reflect.Float32, reflect.Float64:
		if f, ok := nonFinite(rv); ok {
			return nil, false, fmt.Errorf("%w: attribute %q cannot match %v", djerr.ErrType, a.Name, f)
		}
		return rv.Interface(), false, nil
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return append([]byte(nil), rv.Bytes()...), false, nil
		}
	case reflect.Struct:
		if rv.Type() == timeType {
			return rv.Interface(), false, nil
		}
	}
	return nil, false, fmt.Errorf("%w: attribute %q cannot be matched against a %T", djerr.ErrType, a.Name, v)
}

// uuidBytes converts a UUID given as a string, a [16]byte-kind array or a
// 16-byte slice into its 16 bytes.
func uuidBytes(rv reflect.Value) ([]byte, error) {
	switch rv.Kind() {
	case reflect.String:
		return parseUUID(rv.String())
	case reflect.Array:
		if rv.Len() == 16 && rv.Type().Elem().Kind() == reflect.Uint8 {
			b := make([]byte, 16)
			for i := range 16 {
				b[i] = byte(rv.Index(i).Uint())
			}
			return b, nil
		}
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 && rv.Len() == 16 {
			return append([]byte(nil), rv.Bytes()...), nil
		}
	}
	return nil, fmt.Errorf("want a UUID string, [16]byte or 16-byte []byte, got %s", rv.Type())
}

// parseUUID accepts the forms Python's uuid.UUID accepts: 32 hex digits
// with optional hyphens, braces and a "urn:uuid:" prefix.
func parseUUID(s string) ([]byte, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimPrefix(strings.ToLower(t), "urn:uuid:")
	t = strings.TrimSuffix(strings.TrimPrefix(t, "{"), "}")
	t = strings.ReplaceAll(t, "-", "")
	if len(t) != 32 {
		return nil, fmt.Errorf("malformed UUID %q", s)
	}
	b, err := hex.DecodeString(t)
	if err != nil {
		return nil, fmt.Errorf("malformed UUID %q", s)
	}
	return b, nil
}

// compileSemi resolves restriction of n by the expression e; check applies
// DataJoint's join rule.
func compileSemi(n *node, e Expr, check bool) (pred, error) {
	if err := e.Err(); err != nil {
		return pred{}, err
	}
	m := e.n
	if m.kind == kindUniversal {
		return pred{kind: pTrue}, nil
	}
	if check {
		if err := checkJoinable(n, m); err != nil {
			return pred{}, err
		}
	}
	var cols []string
	for i := range m.attrs {
		if n.has(m.attrs[i].Name) {
			cols = append(cols, m.attrs[i].Name)
		}
	}
	if m.kind == kindAggr || m.top != nil {
		m = m.subquery()
	}
	if len(cols) == 0 {
		return pred{kind: pExists, sub: m}, nil
	}
	// NULLs never match. Leaving them out of the subquery keeps NOT IN from
	// turning unknown for every row; on the restricted side, a NULL makes
	// the membership false rather than unknown, so that A & B and A - B
	// partition A.
	nullSafe := false
	for _, c := range cols {
		if a, _ := n.attr(c); a.Nullable {
			nullSafe = true
		}
		if a, _ := m.attr(c); a.Nullable {
			r := Expr{m}.Restrict(Where(schema.QuoteIdent(c) + " IS NOT NULL"))
			if err := r.Err(); err != nil {
				return pred{}, err
			}
			m = r.n
		}
	}
	return pred{kind: pSemi, sub: m, cols: cols, nullSafe: nullSafe}, nil
}

// checkJoinable applies DataJoint 0.14's join rule: the operands may not
// share an attribute that is secondary in both.
func checkJoinable(a, b *node) error {
	for i := range a.attrs {
		x := &a.attrs[i]
		if x.InKey {
			continue
		}
		if y, ok := b.attr(x.Name); ok && !y.InKey {
			return fmt.Errorf("%w: cannot join %s and %s on dependent attribute %q (secondary in both)",
				djerr.ErrIllegalJoin, a.describe(), b.describe(), x.Name)
		}
	}
	return nil
}

// checkArg rejects Where arguments that no MySQL driver can send: values
// other than nil, driver.Valuer, booleans, numbers, strings, []byte and
// time.Time (or pointers to them), and NaN or infinite floats, which have
// no SQL literal (a client-side interpolation would write them as the bare
// words NaN, +Inf and -Inf, which the server reads as column names). The
// value of a driver.Valuer is checked for the same reason.
func checkArg(v any) error {
	if v == nil {
		return nil
	}
	rv := reflect.ValueOf(v)
	for {
		if rv.Kind() == reflect.Pointer && rv.IsNil() {
			return nil
		}
		if vr, ok := rv.Interface().(driver.Valuer); ok {
			dv, err := vr.Value()
			if err != nil {
				return err
			}
			if f, ok := nonFinite(reflect.ValueOf(dv)); ok {
				return fmt.Errorf("%v has no SQL value", f)
			}
			return nil
		}
		if rv.Kind() != reflect.Pointer {
			break
		}
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.Float32, reflect.Float64:
		if f, ok := nonFinite(rv); ok {
			return fmt.Errorf("%v has no SQL value", f)
		}
		return nil
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return nil
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return nil
		}
		return fmt.Errorf("%s is not a SQL value (write one ? per element, or use Matches)", rv.Type())
	case reflect.Struct:
		if rv.Type() == timeType {
			return nil
		}
	}
	return fmt.Errorf("%s is not a SQL value", rv.Type())
}

// nonFinite reports whether rv holds a NaN or infinite float32 or float64,
// and returns it.
func nonFinite(rv reflect.Value) (float64, bool) {
	if k := rv.Kind(); k != reflect.Float32 && k != reflect.Float64 {
		return 0, false
	}
	f := rv.Float()
	return f, math.IsNaN(f) || math.IsInf(f, 0)
}
