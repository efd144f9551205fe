package inspect

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// stringTypeRE matches the SQL column types whose defaults DataJoint 0.14
// shows in double quotes (its ENUM, TEMPORAL and STRING type patterns).
var stringTypeRE = regexp.MustCompile(`(?i)^(enum\s*\(.+\)|(date|datetime|time|timestamp|year)(\s*\(.+\))?|(var)?char\s*\(.+\))$`)

// column is what SHOW FULL COLUMNS reports of one column.
type column struct {
	typ      string
	nullable bool
	def      sql.NullString
}

// index is one secondary index as DataJoint 0.14's heading keeps it.
type index struct {
	attrs    []string
	unique   bool
	nullable bool
}

// Describe returns the DataJoint definition of a table, as DataJoint for
// Python 0.14's Table.describe() prints it: the table comment, the
// primary-key attributes, "---", the secondary attributes, then the
// indexes that are not a reference's. References to tables print as
// "-> Class" lines (with [nullable] and [unique] when their index says so,
// and ".proj(new="old",...)" for renamed ones) at the position of their
// last attribute; every other attribute prints as
// "name[=default] : type # comment", padded as Python pads it. Referenced
// classes are named by ClassPath, prefixed with "<database>." when they
// live in another schema.
//
// Two things differ from Python on MariaDB: a json attribute prints as
// json (Python shows the longtext MariaDB stores it as), and an adapted
// attribute prints as <name>.
func Describe(ctx context.Context, t *dj.Table) (string, error) {
	return describeMeta(ctx, t.Schema().Conn(), t.Meta())
}

func describeMeta(ctx context.Context, c *dj.Conn, meta *schema.Table) (string, error) {
	cols, err := showColumns(ctx, c, meta.Database, meta.Name)
	if err != nil {
		return "", &dj.Error{Op: "describe", Table: meta.FullName(), Err: err}
	}
	indexes, err := showKeys(ctx, c, meta.Database, meta.Name)
	if err != nil {
		return "", &dj.Error{Op: "describe", Table: meta.FullName(), Err: err}
	}
	return describe(meta, cols, indexes), nil
}

func describe(meta *schema.Table, cols map[string]column, indexes []index) string {
	var b strings.Builder
	if meta.Comment != "" {
		b.WriteString("# " + meta.Comment + "\n")
	}
	var parents []*schema.ForeignKey
	for i := range meta.ForeignKeys {
		if !strings.HasPrefix(meta.ForeignKeys[i].ParentTable, "~") {
			parents = append(parents, &meta.ForeignKeys[i])
		}
	}
	inKey := true
	thusFar := map[string]bool{}
	for i := range meta.Heading.Attributes {
		a := &meta.Heading.Attributes[i]
		if inKey && !a.InKey {
			b.WriteString("---\n")
			inKey = false
		}
		thusFar[a.Name] = true
		include := true
		for _, fk := range parents {
			if !slices.Contains(fk.Attrs, a.Name) {
				continue
			}
			include = false
			if !allIn(fk.Attrs, thusFar) {
				continue
			}
			props := ""
			if j := findIndex(indexes, fk.Attrs); j >= 0 {
				ix := indexes[j]
				indexes = append(indexes[:j:j], indexes[j+1:]...)
				var p []string
				if ix.unique {
					p = append(p, "unique")
				}
				if ix.nullable {
					p = append(p, "nullable")
				}
				if len(p) > 0 {
					props = " [" + strings.Join(p, ", ") + "]"
				}
			}
			b.WriteString("->" + props + " " + parentClass(meta.Database, fk))
			if fk.Renamed() {
				var pl []string
				for k := range fk.Attrs {
					if fk.Attrs[k] != fk.RefAttrs[k] {
						pl = append(pl, fk.Attrs[k]+`="`+fk.RefAttrs[k]+`"`)
					}
				}
				b.WriteString(".proj(" + strings.Join(pl, ",") + ")")
			}
			b.WriteString("\n")
		}
		if !include {
			continue
		}
		col := cols[a.Name]
		name := a.Name
		if d, ok := pyDefault(col); ok {
			name += "=" + d
		}
		typ := attrType(a)
		if a.AutoIncrement {
			typ += " auto_increment"
		}
		comment := ""
		if a.Comment != "" {
			comment = "# " + a.Comment
		}
		fmt.Fprintf(&b, "%-20s : %-28s %s\n", name, typ, comment)
	}
	for _, ix := range indexes {
		u := ""
		if ix.unique {
			u = "UNIQUE "
		}
		b.WriteString(u + "INDEX (" + strings.Join(ix.attrs, ", ") + ")\n")
	}
	return b.String()
}

// attrType is the type describe prints: the DataJoint type for marker
// types, <name> for adapted ones, the SQL type otherwise.
func attrType(a *schema.Attribute) string {
	if a.Adapter != "" {
		return "<" + a.Adapter + ">"
	}
	return a.Type
}

// pyDefault is the default as DataJoint 0.14's heading shows it: "null"
// for nullable columns, strings and dates in double quotes (except
// CURRENT_TIMESTAMP as MySQL spells it), other values as the server
// reports them.
func pyDefault(col column) (string, bool) {
	if col.nullable {
		return "null", true
	}
	if !col.def.Valid {
		return "", false
	}
	if stringTypeRE.MatchString(col.typ) && col.def.String != "CURRENT_TIMESTAMP" {
		return `"` + col.def.String + `"`, true
	}
	return col.def.String, true
}

// parentClass names the referenced table of a foreign key.
func parentClass(db string, fk *schema.ForeignKey) string {
	cls := ClassPath(fk.ParentTable)
	if fk.ParentDatabase != db {
		return fk.ParentDatabase + "." + cls
	}
	return cls
}

// showRows runs a SHOW statement and calls row for each result row with
// a getter of its columns by lower-case name (a missing column reads as
// NULL).
func showRows(ctx context.Context, c *dj.Conn, stmt string, row func(get func(string) sql.NullString) error) error {
	rows, err := c.QueryContext(ctx, stmt)
	if err != nil {
		return err
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]sql.NullString, len(names))
	ptrs := make([]any, len(names))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	pos := map[string]int{}
	for i, n := range names {
		pos[strings.ToLower(n)] = i
	}
	get := func(col string) sql.NullString {
		if i, ok := pos[col]; ok {
			return vals[i]
		}
		return sql.NullString{}
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if err := row(get); err != nil {
			return err
		}
	}
	return rows.Err()
}

func showColumns(ctx context.Context, c *dj.Conn, db, name string) (map[string]column, error) {
	out := map[string]column{}
	err := showRows(ctx, c, "SHOW FULL COLUMNS FROM "+schema.QuoteFull(db, name), func(get func(string) sql.NullString) error {
		out[get("field").String] = column{
			typ:      get("type").String,
			nullable: strings.EqualFold(get("null").String, "YES"),
			def:      get("default"),
		}
		return nil
	})
	return out, err
}

// showKeys reads the secondary indexes as DataJoint 0.14's heading does,
// in the server's order.
func showKeys(ctx context.Context, c *dj.Conn, db, name string) ([]index, error) {
	var out []index
	byName := map[string]int{}
	err := showRows(ctx, c, "SHOW KEYS FROM "+schema.QuoteFull(db, name), func(get func(string) sql.NullString) error {
		key := get("key_name").String
		if key == "PRIMARY" {
			return nil
		}
		col := get("column_name")
		part := col.String
		if e := get("expression"); !col.Valid && e.Valid {
			part = "(" + strings.ReplaceAll(e.String, `\'`, "'") + ")"
		}
		i, ok := byName[key]
		if !ok {
			i = len(out)
			byName[key] = i
			out = append(out, index{unique: get("non_unique").String == "0"})
		}
		out[i].attrs = append(out[i].attrs, part)
		if strings.EqualFold(get("null").String, "YES") {
			out[i].nullable = true
		}
		return nil
	})
	return out, err
}

func allIn(list []string, set map[string]bool) bool {
	for _, x := range list {
		if !set[x] {
			return false
		}
	}
	return true
}

func findIndex(ixs []index, attrs []string) int {
	for i, ix := range ixs {
		if len(ix.attrs) != len(attrs) {
			continue
		}
		same := true
		for k := range attrs {
			if ix.attrs[k] != attrs[k] {
				same = false
			}
		}
		if same {
			return i
		}
	}
	return -1
}
