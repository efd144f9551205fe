package schema

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
)

var (
	markerRE     = regexp.MustCompile(`(?s)^:([^:]+):(.*)$`)
	widthRE      = regexp.MustCompile(`\(\d+\)`)
	numberRE     = regexp.MustCompile(`^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$`)
	ibfkRE       = regexp.MustCompile(`_ibfk_(\d+)$`)
	jsonValidRE  = regexp.MustCompile("(?i)^\\(?json_valid\\(`?([^`)]+)`?\\)\\)?$")
	nowRE        = regexp.MustCompile(`(?i)^(current_timestamp|now|localtimestamp)(\((\d*)\))?$`)
	markerCatSet = map[Category]bool{CatUUID: true, CatAttach: true, CatExternalAttach: true, CatExternalBlob: true, CatFilepath: true}
)

// isMariaDB reports whether the server is MariaDB.
func isMariaDB(ctx context.Context, q Querier) (bool, error) {
	rows, err := q.QueryContext(ctx, "SELECT VERSION()")
	if err != nil {
		return false, err
	}
	defer rows.Close()
	var v string
	if rows.Next() {
		if err := rows.Scan(&v); err != nil {
			return false, err
		}
	}
	return strings.Contains(strings.ToLower(v), "mariadb"), rows.Err()
}

// Load reads the metadata of an existing table back from the database, as
// DataJoint 0.14 reconstructs a heading: tier, master and class name from
// the table name (Tier is 0 for names that follow no DataJoint pattern);
// the table comment; the visible columns (names starting
// with "_" are hidden and skipped) with their types (SQLType keeps the
// server's column type, display widths included, so that CreateSQL of a
// loaded table re-creates it exactly), where a comment
// marker (":uuid:", ":attach:", ":blob@store:", ":attach@store:",
// ":filepath@store:") gives the DataJoint type and integer display widths
// are dropped (int(11) unsigned reads as int unsigned, bool as tinyint);
// nullability, defaults (in DDL form, see Attribute.Default),
// auto_increment; the foreign keys, including those to ~external_<store>
// tables, in constraint order; and the secondary indexes, without the
// plain indexes MySQL creates for foreign keys.
//
// MariaDB and MySQL 8 report columns differently (display widths, quoting
// of defaults, json stored as longtext with a json_valid check); Load gives
// the same result on both. Columns whose SQL type DataJoint does not
// support have Category 0 and their SQL type as Type. A column of an
// adapted type (marker ":<name>:", DataJoint's AttributeAdapter) reads as
// the column that stores it, with Attribute.Adapter set to the adapter
// name and the comment without the marker. A marker that names no other
// DataJoint 0.14 type (a DataJoint 2 core-type marker such as ":int32:"
// among them) is an error ("unknown attribute type") wrapping
// djerr.ErrDeclaration, as DataJoint 0.14 reports it; a missing table is an error wrapping
// djerr.ErrMissingTable.
func Load(ctx context.Context, q Querier, database, name string) (*Table, error) {
	full := QuoteFull(database, name)
	maria, err := isMariaDB(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", full, err)
	}
	t := &Table{Database: database, Name: name, ClassName: ClassNameOf(name)}
	if tier, master, ok := ParseTableName(name); ok {
		t.Tier, t.Master = tier, master
	}
	found := false
	err = queryRows(ctx, q, `SELECT table_comment FROM information_schema.tables WHERE table_schema = ? AND table_name = ?`,
		[]any{database, name}, func(rows *sql.Rows) error {
			found = true
			var c sql.NullString
			if err := rows.Scan(&c); err != nil {
				return err
			}
			t.Comment = c.String
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", full, err)
	}
	if !found {
		return nil, fmt.Errorf("%w: %s does not exist", djerr.ErrMissingTable, full)
	}
	jsonCols := map[string]bool{}
	if maria {
		err = queryRows(ctx, q, `SELECT check_clause FROM information_schema.check_constraints WHERE constraint_schema = ? AND table_name = ?`,
			[]any{database, name}, func(rows *sql.Rows) error {
				var c string
				if err := rows.Scan(&c); err != nil {
					return err
				}
				if m := jsonValidRE.FindStringSubmatch(strings.TrimSpace(c)); m != nil {
					jsonCols[m[1]] = true
				}
				return nil
			})
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", full, err)
		}
	}
	err = queryRows(ctx, q, `SELECT column_name, column_type, is_nullable, column_default, column_key, extra, column_comment
		FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position`,
		[]any{database, name}, func(rows *sql.Rows) error {
			var colName, colType, isNull, key, extra, comment string
			var def sql.NullString
			if err := rows.Scan(&colName, &colType, &isNull, &def, &key, &extra, &comment); err != nil {
				return err
			}
			if strings.HasPrefix(colName, "_") {
				return nil
			}
			a, err := loadAttribute(colName, colType, isNull == "YES", def, key == "PRI", extra, comment, maria, jsonCols[colName])
			if err != nil {
				return fmt.Errorf("attribute %q: %w", colName, err)
			}
			t.Heading.Attributes = append(t.Heading.Attributes, a)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", full, err)
	}
	if t.ForeignKeys, err = loadForeignKeys(ctx, q, database, name); err != nil {
		return nil, fmt.Errorf("load %s: %w", full, err)
	}
	indexes, err := loadIndexes(ctx, q, database, name)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", full, err)
	}
	for i := range t.ForeignKeys {
		fk := &t.ForeignKeys[i]
		fk.Primary = true
		for _, c := range fk.Attrs {
			if a, ok := t.Heading.Attr(c); ok {
				a.Inherited = a.Inherited || !isExternalTable(fk.ParentTable)
				fk.Primary = fk.Primary && a.InKey
				fk.Nullable = fk.Nullable || a.Nullable
			} else {
				fk.Primary = false
			}
		}
		for _, ix := range indexes {
			if ix.Unique && equalStrings(ix.Attrs, fk.Attrs) {
				fk.Unique = true
			}
		}
	}
	for _, ix := range indexes {
		implicit := false
		for i := range t.ForeignKeys {
			if !ix.Unique && equalStrings(ix.Attrs, t.ForeignKeys[i].Attrs) {
				implicit = true
			}
		}
		if !implicit {
			t.Indexes = append(t.Indexes, ix)
		}
	}
	return t, nil
}

// loadAttribute interprets one row of information_schema.columns.
func loadAttribute(name, colType string, nullable bool, def sql.NullString, inKey bool, extra, comment string, maria, jsonCheck bool) (Attribute, error) {
	typ := normalizeType(colType)
	if maria && jsonCheck && typ == "longtext" {
		typ = "json"
	}
	sqlType := typ
	a := Attribute{Name: name, InKey: inKey, Nullable: nullable, Comment: comment,
		AutoIncrement: strings.Contains(strings.ToLower(extra), "auto_increment")}
	m := markerRE.FindStringSubmatch(comment)
	adapter := ""
	if m != nil {
		adapter = adapterName(m[1])
	}
	if m != nil && adapter == "" {
		mt := strings.TrimSpace(m[1])
		if strings.HasPrefix(strings.ToLower(mt), "external") {
			return a, fmt.Errorf("%w: unknown attribute type %q: legacy DataJoint 0.11 external types are not supported", djerr.ErrDeclaration, mt)
		}
		ti, err := ParseType(mt)
		if err != nil || !markerCatSet[ti.Category] {
			return a, fmt.Errorf("%w: unknown attribute type %q in the comment marker of column %q", djerr.ErrDeclaration, mt, name)
		}
		a.Type, a.SQLType, a.Category, a.Store = ti.Type, ti.SQLType, ti.Category, ti.Store
		a.Comment = m[2]
	} else {
		probe := typ
		if i := strings.IndexByte(probe, '('); i > 0 {
			probe = probe[:i]
		}
		switch strings.Fields(probe + " x")[0] {
		case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "float", "double", "real":
			if loc := widthRE.FindStringIndex(typ); loc != nil {
				typ = typ[:loc[0]] + typ[loc[1]:]
			}
		}
		a.Type, a.SQLType = typ, sqlType
		if ti, err := ParseType(typ); err == nil {
			a.Type, a.Category, a.Unsigned = ti.Type, ti.Category, ti.Unsigned
		}
		if adapter != "" {
			a.Adapter, a.Comment = adapter, m[2]
		}
	}
	a.HasDefault, a.Default = loadDefault(def, nullable, maria, extra)
	return a, nil
}

// adapterName returns the adapter name of an adapted type, DataJoint's
// <name>, read as DataJoint 0.14 reads it (the type matches <.+>, and the
// name is what remains without the angle brackets at either end), or ""
// when the type is not an adapted one.
func adapterName(typ string) string {
	if len(typ) < 3 || typ[0] != '<' || typ[len(typ)-1] != '>' {
		return ""
	}
	return strings.TrimRight(strings.TrimLeft(typ, "<"), ">")
}

// loadDefault converts information_schema.columns.column_default into the
// DDL form of Attribute.Default.
func loadDefault(def sql.NullString, nullable, maria bool, extra string) (bool, string) {
	if nullable && (!def.Valid || def.String == "NULL") {
		return true, "NULL"
	}
	if !def.Valid {
		return false, ""
	}
	v := def.String
	if m := nowRE.FindStringSubmatch(v); m != nil && (maria || strings.Contains(strings.ToUpper(extra), "DEFAULT_GENERATED")) {
		if m[3] != "" {
			return true, "CURRENT_TIMESTAMP(" + m[3] + ")"
		}
		return true, "CURRENT_TIMESTAMP"
	}
	if maria {
		switch {
		case strings.HasPrefix(v, "'"):
			v = unquoteSQL(v)
		case numberRE.MatchString(v):
		default:
			return true, v // an expression
		}
	} else if strings.Contains(strings.ToUpper(extra), "DEFAULT_GENERATED") {
		return true, v
	}
	return true, `"` + escapeComment(v) + `"`
}

// loadForeignKeys reads the foreign keys of a table, grouped per
// constraint, columns in ordinal order, constraints in creation order.
func loadForeignKeys(ctx context.Context, q Querier, database, name string) ([]ForeignKey, error) {
	type group struct {
		name string
		fk   ForeignKey
	}
	var groups []*group
	byName := map[string]*group{}
	err := queryRows(ctx, q, `SELECT constraint_name, column_name, referenced_table_schema, referenced_table_name, referenced_column_name
		FROM information_schema.key_column_usage
		WHERE table_schema = ? AND table_name = ? AND referenced_table_name IS NOT NULL
		ORDER BY constraint_name, ordinal_position`, []any{database, name}, func(rows *sql.Rows) error {
		var cname, col, pdb, ptab, pcol string
		if err := rows.Scan(&cname, &col, &pdb, &ptab, &pcol); err != nil {
			return err
		}
		g := byName[cname]
		if g == nil {
			g = &group{name: cname, fk: ForeignKey{ParentDatabase: pdb, ParentTable: ptab}}
			byName[cname] = g
			groups = append(groups, g)
		}
		g.fk.Attrs = append(g.fk.Attrs, col)
		g.fk.RefAttrs = append(g.fk.RefAttrs, pcol)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(groups, func(i, j int) bool { return constraintLess(groups[i].name, groups[j].name) })
	out := make([]ForeignKey, len(groups))
	for i, g := range groups {
		out[i] = g.fk
	}
	return out, nil
}

// constraintLess orders generated constraint names <table>_ibfk_<n> by n,
// and other names alphabetically after them.
func constraintLess(a, b string) bool {
	ma, mb := ibfkRE.FindStringSubmatch(a), ibfkRE.FindStringSubmatch(b)
	switch {
	case ma != nil && mb != nil:
		na, _ := strconv.Atoi(ma[1])
		nb, _ := strconv.Atoi(mb[1])
		if na != nb {
			return na < nb
		}
	case ma != nil:
		return true
	case mb != nil:
		return false
	}
	return a < b
}

// loadIndexes reads the secondary indexes with SHOW INDEX, in the order the
// server lists them. Functional index parts are written "(expression)".
func loadIndexes(ctx context.Context, q Querier, database, name string) ([]Index, error) {
	rows, err := q.QueryContext(ctx, "SHOW INDEX FROM "+QuoteFull(database, name))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	pos := map[string]int{}
	for i, c := range cols {
		pos[strings.ToLower(c)] = i
	}
	for _, need := range []string{"non_unique", "key_name", "column_name"} {
		if _, ok := pos[need]; !ok {
			return nil, fmt.Errorf("SHOW INDEX has no %s column", need)
		}
	}
	var out []Index
	byName := map[string]int{}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		key := vals[pos["key_name"]].String
		if key == "PRIMARY" {
			continue
		}
		col := vals[pos["column_name"]]
		part := col.String
		if !col.Valid {
			if e, ok := pos["expression"]; ok && vals[e].Valid {
				part = "(" + vals[e].String + ")"
			}
		}
		i, ok := byName[key]
		if !ok {
			i = len(out)
			byName[key] = i
			out = append(out, Index{Unique: vals[pos["non_unique"]].String == "0"})
		}
		out[i].Attrs = append(out[i].Attrs, part)
	}
	return out, rows.Err()
}

// ListTables lists the tables of a database, excluding the system tables
// whose names start with "~", in alphabetical order.
func ListTables(ctx context.Context, q Querier, database string) ([]string, error) {
	var out []string
	err := queryRows(ctx, q, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY table_name`, []any{database}, func(rows *sql.Rows) error {
		var n string
		if err := rows.Scan(&n); err != nil {
			return err
		}
		if !strings.HasPrefix(n, "~") {
			out = append(out, n)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list tables of %s: %w", QuoteIdent(database), err)
	}
	return out, nil
}

// queryRows runs a query and calls fn for every row.
func queryRows(ctx context.Context, q Querier, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
