package schema

import (
	"reflect"
	"testing"
)

func TestAttributeDiff(t *testing.T) {
	base := Attribute{Name: "qty", Type: "smallint", SQLType: "smallint", Category: CatInteger}
	cases := []struct {
		name string
		edit func(a *Attribute)
		want []string
	}{
		{"same", func(a *Attribute) {}, nil},
		{"alias and width", func(a *Attribute) { a.Type = "smallint(6)" }, nil},
		{"type", func(a *Attribute) { a.Type = "int unsigned" }, []string{"type smallint → int unsigned"}},
		{"nullable", func(a *Attribute) { a.Nullable, a.HasDefault, a.Default = true, true, "NULL" }, []string{"NOT NULL → nullable", "default none → NULL"}},
		{"default", func(a *Attribute) { a.HasDefault, a.Default = true, `"0"` }, []string{"default none → 0"}},
		{"comment", func(a *Attribute) { a.Comment = "in stock" }, []string{`comment "" → "in stock"`}},
	}
	for _, tc := range cases {
		d := base
		tc.edit(&d)
		if got := AttributeDiff(&d, &base); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	// Defaults compare as values: 0 and "0.00" are the same number.
	a, b := base, base
	a.Type, b.Type = "decimal(8,2)", "decimal(8,2)"
	a.Category, b.Category = CatDecimal, CatDecimal
	a.HasDefault, a.Default = true, "0"
	b.HasDefault, b.Default = true, "0.00"
	if got := AttributeDiff(&a, &b); got != nil {
		t.Errorf("decimal defaults: %q", got)
	}
}
