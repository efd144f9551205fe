package schema

import (
	"testing"
)

// The tag tokenizer, the type parser and the naming rules take text from
// users and from databases: they must never panic.

func FuzzParseTag(f *testing.F) {
	for _, s := range []string{"pk", "type=enum('a,b'),default='x'", "proj=(a=b,c=d)", "index=(a,b)", "((", "'\\", ",,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = parseTag(s)
		_, _ = parseFieldTag("S", "F", s)
		_, _ = parseRefTag("S", "F", s)
		_, _ = parseMarkerTag("S", "F", s)
	})
}

func FuzzParseType(f *testing.F) {
	for _, s := range []string{"int unsigned", "enum('a','b''c')", "decimal(5,2)", "blob@x-y", "float(30)", "'", `enum("a\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ti, err := ParseType(s)
		if err == nil && ti.Category == 0 {
			t.Fatalf("ParseType(%q) accepted without a category", s)
		}
		_ = CanonicalType(s)
		_ = unquoteSQL(s)
	})
}

func FuzzNames(f *testing.F) {
	for _, s := range []string{"TableName", "#lookup_tbl", "__a__b", "HTTPServer", "~x", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if snake, err := ToSnakeCase(s); err == nil {
			if back := ToCamelCase(snake); back != s {
				t.Fatalf("ToCamelCase(ToSnakeCase(%q)) = %q", s, back)
			}
		}
		_, _, _ = ParseTableName(s)
		_ = FieldColumn(s)
		_ = ClassNameOf(s)
	})
}
