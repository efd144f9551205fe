package migrate

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// Warning is an operation of a plan that can lose data, with the number
// of rows it affects, counted in the database when the plan was made.
type Warning struct {
	// Table is the full name `db`.`table`.
	Table string
	// Attribute is the attribute concerned.
	Attribute string
	// Kind is the kind of the operation.
	Kind Kind
	// Reason says what is lost.
	Reason string
	// Rows is the number of rows whose value would be lost or changed.
	Rows int64
}

// NeedsConfirmation reports whether applying the operation needs
// AllowDataLoss: a dropped attribute always does, any other operation
// when it affects rows.
func (w Warning) NeedsConfirmation() bool { return w.Kind == DropAttr || w.Rows > 0 }

// String describes the loss, with the number of rows it affects.
func (w Warning) String() string {
	return fmt.Sprintf("%s: %s %s: %s (%d %s)", w.Table, w.Kind, w.Attribute, w.Reason, w.Rows, plural(w.Rows, "row", "rows"))
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// colType is a canonical column type taken apart.
type colType struct {
	family   string // int, decimal, float, double, char, text, blob, enum, date, datetime, timestamp, time, year, json, other
	unsigned bool
	bits     int      // integers
	p, s     int      // decimal precision and scale
	n        int64    // char/varchar length, blob and text capacity in bytes
	fsp      int      // fractional seconds of temporal types
	values   []string // enum values, quoted
	text     string   // the canonical type
}

var (
	intBits   = map[string]int{"tinyint": 8, "smallint": 16, "mediumint": 24, "int": 32, "bigint": 64}
	lobSize   = map[string]int64{"tiny": 255, "": 65535, "medium": 16777215, "long": 4294967295}
	typeRE    = regexp.MustCompile(`^([a-z]+)(?:\((.*)\))?( unsigned)?$`)
	lobRE     = regexp.MustCompile(`^(tiny|medium|long|)(blob|text)$`)
	numListRE = regexp.MustCompile(`^(\d+)(?:,(\d+))?$`)
)

func parseColType(a *schema.Attribute) colType {
	t := schema.ComparableType(a)
	ct := colType{family: "other", text: t}
	if a.Adapter != "" || strings.ContainsAny(t, "@<") || t == "uuid" || t == "attach" {
		return ct
	}
	if m := lobRE.FindStringSubmatch(t); m != nil {
		ct.family, ct.n = m[2], lobSize[m[1]]
		return ct
	}
	m := typeRE.FindStringSubmatch(t)
	if m == nil {
		return ct
	}
	base, args := m[1], m[2]
	ct.unsigned = m[3] != ""
	nums := numListRE.FindStringSubmatch(args)
	num := func(i int) int {
		if nums == nil || nums[i] == "" {
			return 0
		}
		v, _ := strconv.Atoi(nums[i])
		return v
	}
	switch {
	case intBits[base] > 0:
		ct.family, ct.bits = "int", intBits[base]
	case base == "decimal":
		ct.family, ct.p, ct.s = "decimal", num(1), num(2)
	case base == "float" || base == "double":
		ct.family = base
	case base == "char" || base == "varchar":
		ct.family, ct.n = "char", int64(num(1))
	case base == "enum":
		ct.family = "enum"
		ct.values = splitEnum(args)
	case base == "date" || base == "year" || base == "json":
		ct.family = base
	case base == "datetime" || base == "timestamp" || base == "time":
		ct.family, ct.fsp = base, num(1)
	}
	return ct
}

// splitEnum splits the canonical enum list 'a','b' into its quoted values.
func splitEnum(body string) []string {
	var out []string
	for i := 0; i < len(body); {
		if body[i] != '\'' {
			i++
			continue
		}
		j := i + 1
		for j < len(body) {
			if body[j] == '\'' {
				if j+1 < len(body) && body[j+1] == '\'' {
					j += 2
					continue
				}
				break
			}
			j++
		}
		out = append(out, body[i:j+1])
		i = j + 1
	}
	return out
}

// intRange is the range of an integer column.
func (c colType) intRange() (lo, hi float64) {
	if c.unsigned {
		return 0, math.Pow(2, float64(c.bits)) - 1
	}
	return -math.Pow(2, float64(c.bits-1)), math.Pow(2, float64(c.bits-1)) - 1
}

// digits is the number of decimal digits before the point that a column
// holds without loss.
func (c colType) digits() int {
	switch c.family {
	case "int":
		_, hi := c.intRange()
		return len(strconv.FormatFloat(hi, 'f', 0, 64)) - 1
	case "decimal":
		return c.p - c.s
	}
	return 0
}

// widens reports whether every value of column type from is kept by
// column type to.
func widens(from, to colType) bool {
	if from.text == to.text {
		return true
	}
	switch to.family {
	case "int":
		if from.family != "int" {
			return false
		}
		flo, fhi := from.intRange()
		tlo, thi := to.intRange()
		return tlo <= flo && fhi <= thi
	case "decimal":
		switch from.family {
		case "int":
			return to.p-to.s > from.digits() && (!to.unsigned || from.unsigned)
		case "decimal":
			return to.p-to.s >= from.p-from.s && to.s >= from.s && (!to.unsigned || from.unsigned)
		}
	case "float":
		return from.family == "int" && from.bits <= 16
	case "double":
		return from.family == "float" || (from.family == "int" && from.bits <= 32) || (from.family == "decimal" && from.p <= 15)
	case "char":
		switch from.family {
		case "char":
			return to.n >= from.n
		case "enum":
			for _, v := range from.values {
				if int64(len([]rune(v))-2) > to.n {
					return false
				}
			}
			return true
		}
	case "text":
		return (from.family == "char" && to.n >= from.n*4) || (from.family == "text" && to.n >= from.n)
	case "blob":
		return from.family == "blob" && to.n >= from.n
	case "enum":
		if from.family != "enum" {
			return false
		}
		for _, v := range from.values {
			if !containsString(to.values, v) {
				return false
			}
		}
		return true
	case "datetime":
		return (from.family == "datetime" || from.family == "timestamp") && to.fsp >= from.fsp || from.family == "date"
	case "timestamp", "time":
		return from.family == to.family && to.fsp >= from.fsp
	}
	return false
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// lossCondition is the WHERE condition of the rows whose value column col
// does not keep when converted from type from to type to. "" means every
// non-NULL value may change.
func lossCondition(col string, from, to colType) string {
	c := schema.QuoteIdent(col)
	numeric := from.family == "int" || from.family == "decimal" || from.family == "float" || from.family == "double"
	switch to.family {
	case "int":
		if !numeric {
			return ""
		}
		lo, hi := to.intRange()
		cond := fmt.Sprintf("%s < %.0f OR %s > %.0f", c, lo, c, hi)
		if from.family != "int" {
			cond += fmt.Sprintf(" OR %s <> ROUND(%s)", c, c)
		}
		return cond
	case "decimal":
		if !numeric {
			return ""
		}
		cond := fmt.Sprintf("ABS(%s) >= 1e%d OR %s <> ROUND(%s, %d)", c, to.p-to.s, c, c, to.s)
		if to.unsigned {
			cond += fmt.Sprintf(" OR %s < 0", c)
		}
		return cond
	case "float":
		if !numeric {
			return ""
		}
		return fmt.Sprintf("%s <> CAST(%s AS FLOAT)", c, c)
	case "char":
		return fmt.Sprintf("CHAR_LENGTH(%s) > %d", c, to.n)
	case "text", "blob":
		return fmt.Sprintf("LENGTH(%s) > %d", c, to.n)
	case "enum":
		if from.family != "enum" && from.family != "char" && from.family != "text" {
			return ""
		}
		return fmt.Sprintf("%s NOT IN (%s)", c, strings.Join(to.values, ","))
	case "datetime", "timestamp", "time":
		if from.family != "datetime" && from.family != "timestamp" && from.family != "time" {
			return ""
		}
		return fmt.Sprintf("MICROSECOND(%s) %% %d <> 0", c, int(math.Pow10(6-to.fsp)))
	case "date":
		if from.family != "datetime" && from.family != "timestamp" {
			return ""
		}
		return fmt.Sprintf("TIME(%s) <> '00:00:00'", c)
	}
	return ""
}

// count runs SELECT COUNT(*) FROM table WHERE cond.
func count(ctx context.Context, q schema.Querier, table, cond string) (int64, error) {
	rows, err := q.QueryContext(ctx, "SELECT COUNT(*) FROM "+table+" WHERE "+cond)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, err
		}
	}
	return n, rows.Err()
}

// checkData counts, in the live table, the rows that each operation of d
// would lose, and returns the warnings and the statements to run before
// the ALTER (filling NULLs with the default before NOT NULL).
//
// An attribute added NOT NULL without a default gets the type's implicit
// default in the existing rows (0, the empty string, the first enum
// value), which its operation notes; dates, times and json have none that
// strict mode accepts, so on a table with rows that is a refusal.
func checkData(ctx context.Context, q schema.Querier, full string, d *tableDiff) ([]Warning, []Op, []Refusal, error) {
	var warns []Warning
	var pre []Op
	var refusals []Refusal
	rows := int64(-1)
	for i := range d.ops {
		op := &d.ops[i]
		pair, ok := d.pairs[op.Attribute]
		if !ok {
			continue
		}
		la, da := pair[0], pair[1]
		if la == nil {
			if da.Nullable || da.HasDefault {
				continue
			}
			if rows < 0 {
				n, err := count(ctx, q, full, "TRUE")
				if err != nil {
					return nil, nil, nil, err
				}
				rows = n
			}
			if rows == 0 {
				continue
			}
			switch parseColType(da).family {
			case "date", "datetime", "timestamp", "time", "year", "json":
				refusals = append(refusals, Refusal{Table: full,
					What:    fmt.Sprintf("attribute %q is added NOT NULL without a default to a table with %d %s, and type %s has no value to give them", da.Name, rows, plural(rows, "row", "rows"), da.Type),
					Instead: "give the attribute a default (default=...) or make it nullable, then fill it in"})
			default:
				op.Changes = append(op.Changes, fmt.Sprintf("the %d existing %s the type's implicit default", rows, plural(rows, "row gets", "rows get")))
			}
			continue
		}
		col := schema.QuoteIdent(la.Name)
		if da == nil {
			n, err := count(ctx, q, full, col+" IS NOT NULL")
			if err != nil {
				return nil, nil, nil, err
			}
			warns = append(warns, Warning{Table: full, Attribute: la.Name, Kind: DropAttr, Reason: "the attribute and its values are dropped", Rows: n})
			continue
		}
		from, to := parseColType(la), parseColType(da)
		if !widens(from, to) {
			cond := lossCondition(la.Name, from, to)
			reason := fmt.Sprintf("type %s → %s keeps only the values that fit", from.text, to.text)
			if cond == "" {
				cond = col + " IS NOT NULL"
				reason = fmt.Sprintf("type %s → %s converts every value", from.text, to.text)
			}
			n, err := count(ctx, q, full, "("+cond+")")
			if err != nil {
				return nil, nil, nil, err
			}
			warns = append(warns, Warning{Table: full, Attribute: da.Name, Kind: op.Kind, Reason: reason, Rows: n})
		}
		if la.Nullable && !da.Nullable {
			n, err := count(ctx, q, full, col+" IS NULL")
			if err != nil {
				return nil, nil, nil, err
			}
			if n > 0 {
				reason := "NOT NULL: the NULLs become the type's zero value"
				if da.HasDefault && !strings.EqualFold(da.Default, "NULL") {
					reason = "NOT NULL: the NULLs become the default " + da.Default
					pre = append(pre, Op{Kind: FillNulls, Attribute: da.Name, Changes: []string{"NULL → " + da.Default},
						Clause: "UPDATE " + full + " SET " + col + " = " + da.Default + " WHERE " + col + " IS NULL"})
				}
				warns = append(warns, Warning{Table: full, Attribute: da.Name, Kind: op.Kind, Reason: reason, Rows: n})
			}
		}
	}
	return warns, pre, refusals, nil
}
