package schema

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
)

// Compare checks a declared table (from Parse) against the same table read
// back from the database (from Load). Attribute names, their order,
// primary-key membership, types (compared in canonical form, see
// CanonicalType, so int32 declared as int matches int(11) on MariaDB),
// nullability, defaults, auto_increment and the foreign keys must agree.
// The Go type of every declared field must fit the column's type (see
// the fit table in the package documentation). Comments and indexes are
// not compared. Any difference is an error
// wrapping djerr.ErrHeadingMismatch that names the table and every
// differing attribute.
func Compare(declared, actual *Table) error {
	var diffs []string
	dn, an := declared.Heading.Names(), actual.Heading.Names()
	dset, aset := toSet(dn), toSet(an)
	for _, n := range dn {
		if !aset[n] {
			diffs = append(diffs, fmt.Sprintf("attribute %q is declared but the database table has no such column", n))
		}
	}
	for _, n := range an {
		if !dset[n] {
			diffs = append(diffs, fmt.Sprintf("the database table has attribute %q, which the struct does not declare", n))
		}
	}
	if len(diffs) == 0 && !equalStrings(dn, an) {
		diffs = append(diffs, fmt.Sprintf("attribute order differs: declared (%s), database (%s)", strings.Join(dn, ", "), strings.Join(an, ", ")))
	}
	for i := range declared.Heading.Attributes {
		d := &declared.Heading.Attributes[i]
		a, ok := actual.Heading.Attr(d.Name)
		if !ok {
			continue
		}
		if d.InKey != a.InKey {
			diffs = append(diffs, fmt.Sprintf("attribute %q is %s in the struct but %s in the database", d.Name, keyWord(d.InKey), keyWord(a.InKey)))
		}
		if dt, at := comparableType(d), comparableType(a); dt != at {
			diffs = append(diffs, fmt.Sprintf("attribute %q has type %s in the struct but %s in the database", d.Name, dt, at))
		} else if msg := goTypeMisfit(d, a); msg != "" {
			diffs = append(diffs, msg)
		}
		if d.Nullable != a.Nullable {
			diffs = append(diffs, fmt.Sprintf("attribute %q is %s in the struct but %s in the database", d.Name, nullWord(d.Nullable), nullWord(a.Nullable)))
		}
		if dd, ad := comparableDefault(d), comparableDefault(a); dd != ad {
			diffs = append(diffs, fmt.Sprintf("attribute %q has default %s in the struct but %s in the database", d.Name, dd, ad))
		}
		if dai, aai := d.AutoIncrement || compactType(d.Type) == "serial", a.AutoIncrement; dai != aai {
			diffs = append(diffs, fmt.Sprintf("attribute %q is %sauto_increment in the struct but %sauto_increment in the database", d.Name, notWord(dai), notWord(aai)))
		}
	}
	dk, ak := fkKeys(declared.ForeignKeys), fkKeys(actual.ForeignKeys)
	for _, k := range missingFrom(dk, ak) {
		diffs = append(diffs, "foreign key "+k+" is declared but missing from the database")
	}
	for _, k := range missingFrom(ak, dk) {
		diffs = append(diffs, "the database has foreign key "+k+", which the struct does not declare")
	}
	if len(diffs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s: %s (alter the table with migrate.Alter from package dj/migrate, keeping its rows; or change the struct to match)",
		djerr.ErrHeadingMismatch, declared.FullName(), strings.Join(diffs, "; "))
}

// goTypeMisfit describes why the Go field bound to a declared attribute
// cannot hold every value of the database column, or returns "".
func goTypeMisfit(d, a *Attribute) string {
	if d.GoType == nil || a.Adapter != "" || a.Category == 0 {
		return ""
	}
	ti, err := ParseType(a.Type)
	if err != nil {
		return ""
	}
	inner, _ := NullableGoType(d.GoType)
	if fits(inner, ti, a.SQLType) {
		return ""
	}
	col := a.Type
	if a.SQLType != "" && a.SQLType != a.Type && !markerCatSet[a.Category] {
		col = a.SQLType
	}
	return fmt.Sprintf("attribute %q is column type %s in the database, and Go type %s cannot hold every value of it; Go types that fit: %s",
		d.Name, col, d.GoType, fittingGoTypes(ti, a.SQLType))
}

func toSet(s []string) map[string]bool {
	m := make(map[string]bool, len(s))
	for _, x := range s {
		m[x] = true
	}
	return m
}

func keyWord(k bool) string {
	if k {
		return "in the primary key"
	}
	return "a secondary attribute"
}

func nullWord(n bool) string {
	if n {
		return "nullable"
	}
	return "NOT NULL"
}

func notWord(b bool) string {
	if b {
		return ""
	}
	return "not "
}

// comparableType is the canonical type of an attribute; marker types
// compare by their DataJoint type.
func comparableType(a *Attribute) string {
	if a.Adapter != "" {
		return "<" + a.Adapter + ">"
	}
	if markerCatSet[a.Category] {
		return compactType(a.Type)
	}
	return CanonicalType(a.Type)
}

// comparableDefault is an attribute's default with quoting removed and
// numbers normalized, or "none".
func comparableDefault(a *Attribute) string {
	if a.Nullable {
		if !a.HasDefault || strings.EqualFold(a.Default, "NULL") {
			return "NULL"
		}
	}
	if !a.HasDefault {
		return "none"
	}
	d := strings.TrimSpace(a.Default)
	if m := nowRE.FindStringSubmatch(d); m != nil {
		if m[3] != "" && m[3] != "0" {
			return "CURRENT_TIMESTAMP(" + m[3] + ")"
		}
		return "CURRENT_TIMESTAMP"
	}
	if strings.EqualFold(d, "NULL") {
		return "NULL"
	}
	v := unquoteSQL(d)
	if a.Category.Numeric() {
		if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
		switch strings.ToLower(v) {
		case "true":
			return "1"
		case "false":
			return "0"
		}
	}
	return strconv.Quote(v)
}

func fkKeys(fks []ForeignKey) []string {
	out := make([]string, len(fks))
	for i := range fks {
		fk := &fks[i]
		out[i] = "(" + strings.Join(fk.Attrs, ",") + ") -> " + fk.ParentFullName() + " (" + strings.Join(fk.RefAttrs, ",") + ")"
	}
	sort.Strings(out)
	return out
}

// missingFrom lists the elements of a (a multiset) not matched in b.
func missingFrom(a, b []string) []string {
	count := map[string]int{}
	for _, x := range b {
		count[x]++
	}
	var out []string
	for _, x := range a {
		if count[x] > 0 {
			count[x]--
			continue
		}
		out = append(out, x)
	}
	return out
}
