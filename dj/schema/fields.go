package schema

import (
	"reflect"
	"strings"
	"sync"
)

// Field is one struct field that holds an attribute.
type Field struct {
	// Name is the Go field name.
	Name string
	// Column is the attribute name: the name= tag option, or the
	// snake_case of Name.
	Column string
	// Index is the field's index path for reflect.Value.FieldByIndex
	// (embedded structs are flattened).
	Index []int
	// Type is the field's Go type.
	Type reflect.Type
	// InKey reports whether the field is tagged pk.
	InKey bool
}

// FieldMap is how the fields of one struct type map to attributes. Every
// part of dj that reads or writes struct fields — declaration, insert,
// fetch, restriction by a struct, populate — uses the same map, built once
// per type by Fields.
type FieldMap struct {
	// Type is the struct type.
	Type reflect.Type
	// Fields lists the fields that hold attributes, in declaration order:
	// every exported field except tier markers, dj.Ref references and
	// fields tagged dj:"-"; embedded structs without a name= option are
	// flattened.
	Fields []Field
	// Table reports whether the struct embeds a tier marker, i.e. declares
	// a table.
	Table bool

	byColumn map[string]int
	items    []*declItem // fields and references, as the declaration reads them
}

// Lookup returns the field that holds attribute column.
func (m *FieldMap) Lookup(column string) (*Field, bool) {
	i, ok := m.byColumn[column]
	if !ok {
		return nil, false
	}
	return &m.Fields[i], true
}

// Key lists the columns of the fields tagged pk, in field order: the
// primary key of the table the struct declares (inherited key attributes
// are tagged pk too). It is nil for a struct that declares no table.
func (m *FieldMap) Key() []string {
	if !m.Table {
		return nil
	}
	var out []string
	for _, f := range m.Fields {
		if f.InKey {
			out = append(out, f.Column)
		}
	}
	return out
}

var fieldMaps sync.Map // reflect.Type → *FieldMap or error

// Fields returns the field map of a struct type (a pointer to a struct is
// followed), built once and cached. A malformed dj tag, two fields mapping
// to one attribute, or a misplaced tier marker is an error wrapping
// djerr.ErrDeclaration that names the struct and the field.
func Fields(typ reflect.Type) (*FieldMap, error) {
	if typ == nil {
		return nil, declErr("<nil>", "", "no type given")
	}
	if typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	return fieldsAs(typ, typ.Name())
}

// fieldsAs is Fields for a struct type declared under class name sname
// (errors name it); only maps read under the type's own name are cached.
func fieldsAs(typ reflect.Type, sname string) (*FieldMap, error) {
	cache := sname == typ.Name()
	if v, ok := fieldMaps.Load(typ); ok && cache {
		if err, isErr := v.(error); isErr {
			return nil, err
		}
		return v.(*FieldMap), nil
	}
	if typ.Kind() != reflect.Struct {
		return nil, declErr(typ.String(), "", "a struct type is needed")
	}
	w := &fieldWalker{sname: sname, m: &FieldMap{Type: typ, byColumn: map[string]int{}}}
	if w.sname == "" {
		w.sname = typ.String()
	}
	_, _, w.m.Table = markerField(typ)
	err := w.walk(typ, nil)
	if cache {
		if err != nil {
			fieldMaps.Store(typ, err)
		} else {
			fieldMaps.Store(typ, w.m)
		}
	}
	if err != nil {
		return nil, err
	}
	return w.m, nil
}

type fieldWalker struct {
	sname string
	m     *FieldMap
}

// walk reads the fields of t (flattening embedded structs) into the map.
func (w *fieldWalker) walk(t reflect.Type, index []int) error {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		idx := append(index[:len(index):len(index)], i)
		if sf.Type.Implements(tierMarkerType) {
			if !sf.Anonymous {
				return declErr(w.sname, sf.Name, "a tier marker must be embedded as an anonymous field, not named")
			}
			if index != nil {
				return declErr(w.sname, sf.Name, "a tier marker inside an embedded struct is not allowed; embed it directly in %s", w.sname)
			}
			continue
		}
		tag := sf.Tag.Get("dj")
		if strings.TrimSpace(tag) == "-" {
			continue
		}
		if rt, ok := isReference(sf.Type); ok {
			if sf.Type.Kind() != reflect.Struct {
				return declErr(w.sname, sf.Name, "a reference must be a value of type dj.Ref[T], not a pointer")
			}
			if rt == nil || rt.Kind() != reflect.Struct {
				return declErr(w.sname, sf.Name, "a reference must name a struct type declared as a table")
			}
			rtag, err := parseRefTag(w.sname, sf.Name, tag)
			if err != nil {
				return err
			}
			if _, has := sf.Tag.Lookup("comment"); has {
				return declErr(w.sname, sf.Name, "a reference takes no comment: the inherited attributes keep the parent's comments")
			}
			w.m.items = append(w.m.items, &declItem{sf: sf, index: idx, isRef: true, rtag: rtag, parent: rt})
			continue
		}
		embedded := sf.Anonymous && sf.Type.Kind() == reflect.Struct
		if !embedded && !sf.IsExported() {
			continue
		}
		ft, err := parseFieldTag(w.sname, sf.Name, tag)
		if err != nil {
			return err
		}
		if embedded && ft.name == "" {
			if err := w.walk(sf.Type, idx); err != nil {
				return err
			}
			continue
		}
		if !sf.IsExported() {
			continue
		}
		col := ft.name
		if col == "" {
			col = FieldColumn(sf.Name)
			if !validColumn(col) {
				return declErr(w.sname, sf.Name, "column name %q derived from the field name is not a valid attribute name; give one with dj:\"name=...\"", col)
			}
		}
		if prev, dup := w.m.byColumn[col]; dup {
			return declErr(w.sname, sf.Name, "fields %s and %s both map to attribute %q; rename one with dj:\"name=...\"", w.m.Fields[prev].Name, sf.Name, col)
		}
		w.m.byColumn[col] = len(w.m.Fields)
		w.m.Fields = append(w.m.Fields, Field{Name: sf.Name, Column: col, Index: idx, Type: sf.Type, InKey: ft.pk})
		w.m.items = append(w.m.items, &declItem{sf: sf, index: idx, column: col, ftag: ft})
	}
	return nil
}

// declItems returns fresh copies of the map's items, for a parser that
// fills in their references.
func (m *FieldMap) declItems() ([]*declItem, map[string]*declItem) {
	items := make([]*declItem, len(m.items))
	byCol := make(map[string]*declItem, len(m.Fields))
	for i, it := range m.items {
		c := *it
		items[i] = &c
		if !c.isRef {
			byCol[c.column] = &c
		}
	}
	return items, byCol
}
