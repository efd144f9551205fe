package schema

import (
	"reflect"
	"slices"
	"testing"
)

type fuzzInner struct {
	Inner int32
}

// FuzzFieldMap builds structs from fuzzed dj tags and requires the field
// map to hold exactly the attributes the declaration makes, each bound to
// the same field, whenever the declaration accepts the struct; and the
// field map to fail with the declaration's error when it refuses the tags.
func FuzzFieldMap(f *testing.F) {
	for _, seed := range [][3]string{
		{" - ", "NAME=upper_col", ""},
		{"-", "name=upper_col", "name=inner_struct,type=blob"},
		{"type=varchar(8)", "Name=x,type=varchar(4)", "-"},
		{"pk", "nullable", " - "},
		{"type=enum('a,b','c')", "default='x,y',type=varchar(3)", "NAME=nested,type=longblob"},
		{"name=Bad", "name=", "pk,-"},
		{"", "", ""},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	f.Fuzz(func(t *testing.T, tagA, tagB, tagEmb string) {
		typ := reflect.StructOf([]reflect.StructField{
			{Name: "DJManual", Type: reflect.TypeFor[DJManual](), Anonymous: true},
			{Name: "ID", Type: reflect.TypeFor[int32](), Tag: `dj:"pk"`},
			{Name: "A", Type: reflect.TypeFor[string](), Tag: reflect.StructTag(`dj:` + quoteTag(tagA))},
			{Name: "B", Type: reflect.TypeFor[*string](), Tag: reflect.StructTag(`dj:` + quoteTag(tagB))},
			{Name: "FuzzInner", Type: reflect.TypeFor[fuzzInner](), Anonymous: true, Tag: reflect.StructTag(`dj:` + quoteTag(tagEmb))},
		})
		fm, ferr := fieldsAs(typ, "Fuzz")
		tb, perr := parseAs(typ, "Fuzz", "db", nil)
		if ferr != nil {
			if perr == nil || perr.Error() != ferr.Error() {
				t.Fatalf("field map refuses the struct (%v), declaration says %v", ferr, perr)
			}
			return
		}
		if perr != nil {
			return // a rule of the declaration beyond the field map (types, defaults)
		}
		if len(fm.Fields) != len(tb.Heading.Attributes) {
			t.Fatalf("field map %v, heading %v", fm.Fields, tb.Heading.Names())
		}
		for _, a := range tb.Heading.Attributes {
			fld, ok := fm.Lookup(a.Name)
			if !ok || !slices.Equal(fld.Index, a.Field) || fld.InKey != a.InKey || fld.Type != a.GoType {
				t.Fatalf("attribute %s (field %v): field map %+v", a.Name, a.Field, fld)
			}
		}
	})
}

// quoteTag quotes s as a struct tag value.
func quoteTag(s string) string {
	b := []byte{'"'}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b = append(b, '\\', c)
		default:
			b = append(b, c)
		}
	}
	return string(append(b, '"'))
}

func TestFieldMapCases(t *testing.T) {
	type inner struct {
		Upper string `dj:"type=varchar(16)"`
	}
	type tagCase struct {
		DJManual
		ID   int32  `dj:"pk"`
		Skip string `dj:" - "`
		Col  string `dj:"NAME=upper_col,type=varchar(16)"`
		inner
	}
	fm, err := Fields(reflect.TypeFor[*tagCase]())
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, f := range fm.Fields {
		cols = append(cols, f.Column)
	}
	if !slices.Equal(cols, []string{"id", "upper_col", "upper"}) || !fm.Table || !slices.Equal(fm.Key(), []string{"id"}) {
		t.Fatalf("columns %v, table %v, key %v", cols, fm.Table, fm.Key())
	}
	if f, ok := fm.Lookup("upper"); !ok || !slices.Equal(f.Index, []int{4, 0}) {
		t.Fatalf("upper: %+v", f)
	}
	plain, err := Fields(reflect.TypeFor[struct{ A, B int }]())
	if err != nil || plain.Table || plain.Key() != nil || len(plain.Fields) != 2 {
		t.Fatalf("plain struct: %+v, %v", plain, err)
	}
	if _, err := Fields(reflect.TypeFor[int]()); err == nil {
		t.Fatal("Fields(int): no error")
	}
	if _, err := Fields(nil); err == nil {
		t.Fatal("Fields(nil): no error")
	}
	type bad struct {
		A int `dj:"pk,,"`
	}
	if _, err := Fields(reflect.TypeFor[bad]()); err == nil {
		t.Fatal("malformed tag: no error")
	}
	again, err := Fields(reflect.TypeFor[bad]())
	if err == nil || again != nil {
		t.Fatal("cached malformed tag: no error")
	}
}
