package schema

import (
	"reflect"
	"slices"
	"strings"
)

// prepareRefs resolves the references and records which columns each
// brings.
func (p *parser) prepareRefs() error {
	p.claimed = map[string]*declItem{}
	for _, it := range p.items {
		if !it.isRef {
			continue
		}
		if it.parent == p.typ {
			if it.rtag.pk {
				return declErr(p.sname, it.sf.Name, "a self-reference cannot be in the primary key; remove pk")
			}
			if len(it.rtag.proj) == 0 {
				return declErr(p.sname, it.sf.Name, "a self-reference must rename the key attributes with proj=(new_name=key_name,...)")
			}
			it.self = true
			for _, pr := range it.rtag.proj {
				if p.claimed[pr[0]] == nil {
					p.claimed[pr[0]] = it
				}
			}
			continue
		}
		if it.ptable == nil {
			pt, err := p.resolveType(it.parent, it.sf.Name)
			if err != nil {
				return err
			}
			it.ptable = pt
		}
		if len(it.ptable.Heading.PrimaryKey()) == 0 {
			return declErr(p.sname, it.sf.Name, "referenced table %s has no primary key", it.ptable.FullName())
		}
		m, err := p.mapping(it, it.ptable.Heading.PrimaryKey())
		if err != nil {
			return err
		}
		it.mapping = m
		for _, c := range m {
			// A pk field is declared in the key section, before every
			// secondary reference, so such a reference finds it already
			// declared, as DataJoint does.
			if f := p.byCol[c[0]]; f != nil && f.ftag.pk && !it.rtag.pk {
				continue
			}
			if p.claimed[c[0]] == nil {
				p.claimed[c[0]] = it
			}
		}
	}
	return nil
}

// mapping applies a reference's proj renames to the parent's key.
func (p *parser) mapping(it *declItem, parentKey []string) ([][2]string, error) {
	rename := map[string]string{}
	used := map[string]bool{}
	for _, pr := range it.rtag.proj {
		if !slices.Contains(parentKey, pr[1]) {
			return nil, declErr(p.sname, it.sf.Name, "proj renames %q, which is not a primary-key attribute of %s (its key is %s)", pr[1], it.parent.Name(), strings.Join(parentKey, ", "))
		}
		if _, dup := rename[pr[1]]; dup {
			return nil, declErr(p.sname, it.sf.Name, "proj renames %q twice", pr[1])
		}
		rename[pr[1]] = pr[0]
	}
	out := make([][2]string, 0, len(parentKey))
	for _, k := range parentKey {
		n := k
		if r, ok := rename[k]; ok {
			n = r
		}
		if used[n] {
			return nil, declErr(p.sname, it.sf.Name, "proj maps two key attributes of %s to %q", it.parent.Name(), n)
		}
		used[n] = true
		out = append(out, [2]string{n, k})
	}
	return out, nil
}

// inherited builds an attribute that a reference copies from its parent,
// bound to the struct field of the same column name.
func (p *parser) inherited(ref *declItem, col string, pa *Attribute) (Attribute, error) {
	refName := ref.sf.Name
	if ref.master {
		refName = ref.sf.Name + " (master " + ref.parent.Name() + ")"
	}
	canon := CanonicalType(pa.Type)
	ti, err := ParseType(canon)
	if pa.Category == CatUUID {
		ti, err = ParseType("uuid")
	}
	if err != nil {
		ti = TypeInfo{Type: canon, SQLType: canon, Category: pa.Category, Unsigned: pa.Unsigned}
	}
	fi := p.byCol[col]
	if fi == nil {
		star := ""
		if ref.rtag.nullable {
			star = "*"
		}
		pkTag := ""
		if ref.rtag.pk {
			pkTag = " `dj:\"pk\"`"
		}
		return Attribute{}, declErr(p.sname, refName, "the reference brings attribute %q (%s) from %s; declare it in the struct: add field %s %s%s%s",
			col, canon, ref.parent.Name(), suggestField(col), star, suggestGoType(pa, ti), pkTag)
	}
	fname := fi.sf.Name
	if fi.ftag.pk != ref.rtag.pk {
		if ref.rtag.pk {
			return Attribute{}, declErr(p.sname, fname, "it is inherited through primary-key reference %s; add pk to its tag", refName)
		}
		return Attribute{}, declErr(p.sname, fname, "it is inherited through secondary reference %s; remove pk from its tag (or make the reference pk)", refName)
	}
	if fi.ftag.hasDefault || fi.ftag.autoIncrement || fi.ftag.unique || fi.ftag.nullable {
		return Attribute{}, declErr(p.sname, fname, "it is inherited through reference %s and takes none of default=, auto_increment, unique, nullable; put unique/nullable on the reference", refName)
	}
	if fi.ftag.typ != "" {
		given, err := ParseType(fi.ftag.typ)
		if err != nil || CanonicalType(given.Type) != CanonicalType(ti.Type) {
			return Attribute{}, declErr(p.sname, fname, "type=%s differs from %s's attribute %q (%s); remove type=", fi.ftag.typ, ref.parent.Name(), pa.Name, pa.Type)
		}
	}
	if c, has := fi.sf.Tag.Lookup("comment"); has && c != pa.Comment {
		return Attribute{}, declErr(p.sname, fname, "it is inherited through reference %s and keeps the parent's comment %q; remove the comment tag or repeat that comment exactly", refName, pa.Comment)
	}
	inner, nullable := NullableGoType(fi.sf.Type)
	if nullable != ref.rtag.nullable {
		if ref.rtag.nullable {
			return Attribute{}, declErr(p.sname, fname, "reference %s is nullable, so the field must be nullable too: make it *%s or sql.Null[%s]", refName, fi.sf.Type, fi.sf.Type)
		}
		return Attribute{}, declErr(p.sname, fname, "reference %s is not nullable, so the field must not be: use %s, or add nullable to the reference", refName, inner)
	}
	fitType := ti
	if pa.Category == CatBool {
		fitType.Category = CatBool
	}
	if !fits(inner, fitType, pa.SQLType) {
		return Attribute{}, declErr(p.sname, fname, "Go type %s cannot hold every value of %s's attribute %q of type %s; Go types that fit %s: %s", fi.sf.Type, ref.parent.Name(), pa.Name, canon, canon, fittingGoTypes(fitType, pa.SQLType))
	}
	a := Attribute{
		Name: col, Type: ti.Type, SQLType: ti.SQLType, Category: ti.Category, Store: ti.Store,
		Unsigned: ti.Unsigned, InKey: ref.rtag.pk, Nullable: ref.rtag.nullable,
		Comment: pa.Comment, Field: fi.index, GoType: fi.sf.Type, Inherited: true,
	}
	if a.Nullable {
		a.HasDefault, a.Default = true, "NULL"
	}
	return a, nil
}

// suggestField turns a column name into a Go field name for messages.
func suggestField(col string) string {
	parts := strings.Split(col, "_")
	for i, s := range parts {
		if s == "id" || s == "uuid" || s == "url" {
			parts[i] = strings.ToUpper(s)
		} else if s != "" {
			parts[i] = strings.ToUpper(s[:1]) + s[1:]
		}
	}
	return strings.Join(parts, "")
}

// suggestGoType names a Go type that fits an attribute, for messages.
func suggestGoType(pa *Attribute, ti TypeInfo) string {
	if pa.GoType != nil {
		if inner, _ := NullableGoType(pa.GoType); inner != nil {
			return inner.String()
		}
	}
	switch ti.Category {
	case CatInteger:
		base := strings.Fields(CanonicalType(ti.Type))[0]
		sizes := map[string]string{"tinyint": "8", "smallint": "16", "mediumint": "32", "int": "32", "bigint": "64"}
		if ti.Unsigned {
			return "uint" + sizes[base]
		}
		return "int" + sizes[base]
	case CatFloat:
		if strings.HasPrefix(ti.Type, "float") {
			return "float32"
		}
		return "float64"
	case CatBool:
		return "bool"
	case CatUUID:
		return "uuid.UUID"
	case CatTemporal:
		return "time.Time"
	}
	return "string"
}

// Dependencies lists the struct types a table type depends on: the master
// of a part first, then the referenced types in field order, without
// duplicates. A self-reference lists the type itself. It is an error
// wrapping djerr.ErrDeclaration when the type has no tier marker or a tag
// is malformed.
func Dependencies(typ reflect.Type) ([]reflect.Type, error) {
	if typ == nil {
		return nil, declErr("<nil>", "", "no type given")
	}
	if typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if typ.Kind() != reflect.Struct {
		return nil, declErr(typ.String(), "", "only named struct types can be declared as tables")
	}
	mf, _, ok := markerField(typ)
	if !ok {
		return nil, declErr(typ.Name(), "", "no tier marker: embed one of dj.Manual, dj.Lookup, dj.Imported, dj.Computed or dj.Part[Master]")
	}
	var out []reflect.Type
	seen := map[reflect.Type]bool{}
	add := func(t reflect.Type) {
		if t != nil && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	if mf.Type.Kind() == reflect.Struct {
		_, master := tierOf(mf.Type)
		add(master)
	}
	fm, err := Fields(typ)
	if err != nil {
		return nil, err
	}
	for _, it := range fm.items {
		if it.isRef {
			add(it.parent)
		}
	}
	return out, nil
}
