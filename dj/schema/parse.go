package schema

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
)

// Resolver returns the table metadata of a referenced struct type (a
// parent of a reference, or the master of a part). Parse calls it for every
// type other than the one being parsed.
type Resolver func(reflect.Type) (*Table, error)

// declItem is one field of a struct being declared: an attribute or a
// reference.
type declItem struct {
	sf     reflect.StructField
	index  []int
	column string
	ftag   fieldTag
	isRef  bool
	rtag   refTag
	parent reflect.Type
	// filled for references
	ptable  *Table
	mapping [][2]string // child column, parent column
	self    bool
	master  bool
}

// Parse builds the table metadata of a struct type that embeds a tier
// marker, for the given database. Referenced tables and the master of a
// part are obtained from resolve (which may be nil when there are none).
//
// The heading follows the struct's field order, except that the attributes
// a reference brings (the parent's primary key, renamed by proj) are placed
// at the position of the reference field, as DataJoint places them at the
// position of its "->" line; those attributes must also be declared as
// ordinary fields, which are bound to them by column name. A part inherits
// its master's primary key the same way, as an implicit first reference.
//
// Every violation of DataJoint's declaration rules is an error wrapping
// djerr.ErrDeclaration that names the struct, the field and the fix.
func Parse(typ reflect.Type, database string, resolve Resolver) (*Table, error) {
	if typ == nil {
		return nil, declErr("<nil>", "", "no type given")
	}
	if typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	sname := typ.Name()
	if typ.Kind() != reflect.Struct || sname == "" {
		return nil, declErr(typ.String(), "", "only named struct types can be declared as tables")
	}
	return parseAs(typ, sname, database, resolve)
}

// parseAs is Parse for a struct type declared under the class name sname.
func parseAs(typ reflect.Type, sname, database string, resolve Resolver) (*Table, error) {
	mf, count, ok := markerField(typ)
	if !ok {
		return nil, declErr(sname, "", "no tier marker: embed one of dj.Manual, dj.Lookup, dj.Imported, dj.Computed or dj.Part[Master] as the first field")
	}
	if count > 1 {
		return nil, declErr(sname, "", "more than one tier marker is embedded; keep exactly one")
	}
	if mf.Type.Kind() != reflect.Struct || mf.Type.Size() != 0 {
		return nil, declErr(sname, mf.Name, "the tier marker must be embedded by value (not as a pointer)")
	}
	tier, masterType := tierOf(mf.Type)
	t := &Table{Database: database, Tier: tier, GoType: typ}
	if tier < Manual || tier > Part {
		return nil, declErr(sname, mf.Name, "tier %s cannot be declared", tier)
	}
	mt, err := parseMarkerTag(sname, mf.Name, mf.Tag.Get("dj"))
	if err != nil {
		return nil, err
	}
	t.Comment = mf.Tag.Get("comment")
	if strings.HasPrefix(t.Comment, ":") {
		return nil, declErr(sname, mf.Name, "the table comment must not start with ':'")
	}
	if err := checkComment(t.Comment, MaxTableCommentLength); err != nil {
		return nil, declErr(sname, mf.Name, "table %v", err)
	}

	p := &parser{typ: typ, sname: sname, table: t, resolve: resolve}
	var master *Table
	if tier == Part {
		if masterType == nil || masterType.Kind() != reflect.Struct {
			return nil, declErr(sname, mf.Name, "the part marker names no master struct")
		}
		if masterType == typ {
			return nil, declErr(sname, mf.Name, "a part cannot be its own master")
		}
		if master, err = p.resolveType(masterType, mf.Name); err != nil {
			return nil, err
		}
		if master.Tier == Part || master.Master != "" {
			return nil, declErr(sname, mf.Name, "master %s is itself a part; parts cannot be nested", masterType.Name())
		}
		t.ClassName = partClassName(sname, masterType.Name())
		t.Master = master.Name
		t.Name, err = TableName(Part, t.ClassName, master.Name)
	} else {
		t.ClassName = sname
		t.Name, err = TableName(tier, sname, "")
	}
	if err != nil {
		return nil, err
	}

	fm, err := fieldsAs(typ, sname)
	if err != nil {
		return nil, err
	}
	p.items, p.byCol = fm.declItems()
	if master != nil {
		mi := &declItem{sf: mf, isRef: true, rtag: refTag{pk: true}, parent: masterType, ptable: master, master: true}
		p.items = append([]*declItem{mi}, p.items...)
	}
	if err := p.prepareRefs(); err != nil {
		return nil, err
	}
	if err := p.build(); err != nil {
		return nil, err
	}
	for _, ix := range mt.indexes {
		for _, a := range ix.Attrs {
			if _, ok := t.Heading.Attr(a); !ok {
				return nil, declErr(sname, mf.Name, "index %v names attribute %q, which the table does not have; the attributes are %s", ix.Attrs, a, strings.Join(t.Heading.Names(), ", "))
			}
		}
		t.Indexes = append(t.Indexes, ix)
	}
	if len(t.Heading.PrimaryKey()) == 0 {
		return nil, declErr(sname, "", "the table has no primary key: mark at least one field or reference with dj:\"pk\"")
	}
	for i := range t.ForeignKeys {
		fk := &t.ForeignKeys[i]
		fk.Primary = true
		for _, a := range fk.Attrs {
			if at, _ := t.Heading.Attr(a); at == nil || !at.InKey {
				fk.Primary = false
			}
		}
	}
	return t, nil
}

// partClassName removes the master's struct name from the front of a part
// struct name when what remains is a class name (SpikesUnit under Spikes
// gives Unit).
func partClassName(part, master string) string {
	if rest, ok := strings.CutPrefix(part, master); ok && classNameRE.MatchString(rest) {
		return rest
	}
	return part
}

type parser struct {
	typ     reflect.Type
	sname   string
	table   *Table
	resolve Resolver
	items   []*declItem
	byCol   map[string]*declItem // attribute fields by column
	claimed map[string]*declItem // inherited columns and the reference that brings them
}

func (p *parser) resolveType(rt reflect.Type, field string) (*Table, error) {
	if p.resolve == nil {
		return nil, declErr(p.sname, field, "references %s but no resolver was given", rt.Name())
	}
	pt, err := p.resolve(rt)
	if err != nil {
		return nil, fmt.Errorf("%w: %s.%s: cannot resolve referenced table %s: %w", djerr.ErrDeclaration, p.sname, field, rt.Name(), err)
	}
	if pt == nil {
		return nil, declErr(p.sname, field, "referenced table %s is not known", rt.Name())
	}
	return pt, nil
}

// checkOrder requires the primary-key fields and references to come before
// the secondary ones (inherited fields are placed by their references).
func (p *parser) checkOrder() error {
	secondarySeen := ""
	for _, it := range p.items {
		if !it.isRef && p.claimed[it.column] != nil {
			continue
		}
		pk := it.rtag.pk
		if !it.isRef {
			pk = it.ftag.pk
		}
		if pk && secondarySeen != "" {
			return declErr(p.sname, it.sf.Name, "primary-key fields must come before the secondary ones; move it above %s", secondarySeen)
		}
		if !pk && secondarySeen == "" {
			secondarySeen = it.sf.Name
		}
	}
	return nil
}

// build emits the heading, foreign keys and indexes in field order.
func (p *parser) build() error {
	t := p.table
	if err := p.checkOrder(); err != nil {
		return err
	}
	emitted := map[string]bool{}
	for _, it := range p.items {
		if !it.isRef && p.claimed[it.column] != nil {
			continue // an inherited attribute, placed by its reference
		}
		if !it.isRef {
			a, err := p.attribute(it)
			if err != nil {
				return err
			}
			t.Heading.Attributes = append(t.Heading.Attributes, a)
			emitted[a.Name] = true
			if a.Category.External() {
				t.ForeignKeys = append(t.ForeignKeys, ForeignKey{
					ParentDatabase: t.Database, ParentTable: "~external_" + a.Store,
					Attrs: []string{a.Name}, RefAttrs: []string{"hash"}, Nullable: a.Nullable,
				})
			}
			if it.ftag.unique {
				t.Indexes = append(t.Indexes, Index{Unique: true, Attrs: []string{a.Name}})
			}
			continue
		}
		if it.self {
			m, err := p.mapping(it, t.Heading.PrimaryKey())
			if err != nil {
				return err
			}
			it.mapping = m
			it.ptable = t
		}
		fk := ForeignKey{ParentDatabase: it.ptable.Database, ParentTable: it.ptable.Name,
			Nullable: it.rtag.nullable, Unique: it.rtag.unique}
		for _, c := range it.mapping {
			fk.Attrs = append(fk.Attrs, c[0])
			fk.RefAttrs = append(fk.RefAttrs, c[1])
			if emitted[c[0]] {
				// Already declared (by the key section or an earlier
				// reference): the column types must agree for MySQL to
				// accept the constraint.
				a, _ := t.Heading.Attr(c[0])
				if pa, _ := it.ptable.Heading.Attr(c[1]); pa != nil && comparableType(a) != comparableType(pa) {
					return declErr(p.sname, it.sf.Name, "attribute %q is %s here but %s's attribute %q is %s; declare it with the parent's type", c[0], a.Type, it.parent.Name(), pa.Name, pa.Type)
				}
				continue
			}
			if p.claimed[c[0]] != it {
				return declErr(p.sname, it.sf.Name, "attribute %q of this reference is declared by a later reference; reorder the references", c[0])
			}
			pa, _ := it.ptable.Heading.Attr(c[1])
			a, err := p.inherited(it, c[0], pa)
			if err != nil {
				return err
			}
			t.Heading.Attributes = append(t.Heading.Attributes, a)
			emitted[a.Name] = true
		}
		t.ForeignKeys = append(t.ForeignKeys, fk)
		if it.rtag.unique {
			t.Indexes = append(t.Indexes, Index{Unique: true, Attrs: fk.Attrs})
		}
	}
	return nil
}

// attribute builds the attribute of an ordinary field.
func (p *parser) attribute(it *declItem) (Attribute, error) {
	sf, ft := it.sf, it.ftag
	inner, nullable := NullableGoType(sf.Type)
	var ti TypeInfo
	if ft.typ != "" {
		var err error
		if ti, err = ParseType(ft.typ); err != nil {
			return Attribute{}, declErr(p.sname, sf.Name, "type=%s: %v", ft.typ, err)
		}
		if !fits(inner, ti, "") {
			return Attribute{}, declErr(p.sname, sf.Name, "Go type %s cannot hold every value of type=%s; Go types that fit %s: %s", sf.Type, ft.typ, ti.Type, fittingGoTypes(ti, ""))
		}
	} else {
		text, why := inferType(inner)
		if text == "" {
			return Attribute{}, declErr(p.sname, sf.Name, "Go type %s: %s", sf.Type, why)
		}
		ti, _ = ParseType(text)
	}
	if ft.autoIncrement {
		ti.AutoIncrement = true
	}
	comment := sf.Tag.Get("comment")
	if strings.HasPrefix(comment, ":") {
		return Attribute{}, declErr(p.sname, sf.Name, "a comment must not start with ':'")
	}
	marker := (&Attribute{Type: ti.Type, Category: ti.Category}).Marker()
	if err := checkComment(marker+comment, MaxColumnCommentLength); err != nil {
		return Attribute{}, declErr(p.sname, sf.Name, "%v", err)
	}
	a := Attribute{
		Name: it.column, Type: ti.Type, SQLType: ti.SQLType, Category: ti.Category, Store: ti.Store,
		InKey: ft.pk, Unsigned: ti.Unsigned, AutoIncrement: ti.AutoIncrement,
		Comment: comment, Field: it.index, GoType: sf.Type,
	}
	nilable := nullable || inner.Kind() == reflect.Interface || inner.Kind() == reflect.Slice ||
		inner.Kind() == reflect.Map || inner.Kind() == reflect.Pointer
	if ft.nullable {
		if !nilable {
			return Attribute{}, declErr(p.sname, sf.Name, "nullable needs a Go type that can hold NULL: make it *%s or sql.Null[%s]", sf.Type, sf.Type)
		}
		nullable = true
	}
	if ft.hasDefault {
		if strings.EqualFold(ft.def, "null") {
			if !nilable {
				return Attribute{}, declErr(p.sname, sf.Name, "default=null needs a Go type that can hold NULL: make it *%s or sql.Null[%s]", sf.Type, sf.Type)
			}
			nullable = true
		} else {
			if nullable {
				return Attribute{}, declErr(p.sname, sf.Name, "a nullable attribute defaults to NULL; remove default=%s or use a non-pointer Go type", ft.def)
			}
			switch ti.Category {
			case CatBlob, CatAttach, CatExternalBlob, CatExternalAttach, CatFilepath:
				return Attribute{}, declErr(p.sname, sf.Name, "%s attributes accept no default other than null; remove default=%s", ti.Type, ft.def)
			}
			def := ft.def
			if ti.Category == CatBool {
				// MySQL stores bool as tinyint: true/false become 1/0.
				switch strings.ToLower(def) {
				case "true":
					def = "1"
				case "false":
					def = "0"
				}
			}
			if err := checkDefault(def, ti.Category); err != nil {
				return Attribute{}, declErr(p.sname, sf.Name, "dj tag %q: %v", sf.Tag.Get("dj"), err)
			}
			a.HasDefault, a.Default = true, sqlDefault(def)
		}
	}
	if nullable {
		a.Nullable, a.HasDefault, a.Default = true, true, "NULL"
	}
	if a.InKey {
		if a.Nullable {
			return Attribute{}, declErr(p.sname, sf.Name, "primary-key attributes cannot be nullable; use a non-pointer Go type or remove pk")
		}
		switch a.Category {
		case CatBlob, CatAttach, CatExternalBlob, CatExternalAttach, CatFilepath, CatJSON:
			return Attribute{}, declErr(p.sname, sf.Name, "%s attributes cannot be in the primary key; remove pk", a.Type)
		}
	}
	if a.AutoIncrement && (a.Category != CatInteger || !a.InKey) {
		return Attribute{}, declErr(p.sname, sf.Name, "auto_increment is allowed only on an integer primary-key attribute")
	}
	return a, nil
}

// sqlDefault renders a default value, already accepted by checkDefault,
// as DataJoint 0.14 writes it into DDL:
// a value starting with a quote, or whose text before any "(" is
// CURRENT_TIMESTAMP or NULL (any case), is kept as is; anything else is
// wrapped in double quotes, numbers included.
func sqlDefault(def string) string {
	head := strings.ToUpper(strings.SplitN(def, "(", 2)[0])
	if def[0] == '"' || def[0] == '\'' || head == "CURRENT_TIMESTAMP" || head == "NULL" {
		return def
	}
	return `"` + def + `"`
}
