package inspect

import (
	"testing"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// TestGoFieldOf checks the Go type chosen for each kind of column.
func TestGoFieldOf(t *testing.T) {
	for _, c := range []struct {
		typ      string
		unsigned bool
		cat      schema.Category
		goType   string
		tag      string
	}{
		{"tinyint", false, schema.CatInteger, "int8", ""},
		{"tinyint unsigned", true, schema.CatInteger, "uint8", ""},
		{"mediumint unsigned", true, schema.CatInteger, "uint32", "mediumint unsigned"},
		{"bigint unsigned", true, schema.CatInteger, "uint64", ""},
		{"float", false, schema.CatFloat, "float32", ""},
		{"double", false, schema.CatFloat, "float64", ""},
		{"decimal(6,2)", false, schema.CatDecimal, "string", "decimal(6,2)"},
		{"date", false, schema.CatTemporal, "time.Time", "date"},
		{"datetime", false, schema.CatTemporal, "time.Time", ""},
		{"datetime(3)", false, schema.CatTemporal, "time.Time", "datetime(3)"},
		{"time", false, schema.CatTemporal, "time.Duration", "time"},
		{"year", false, schema.CatTemporal, "int16", "year"},
		{"enum('a','b')", false, schema.CatEnum, "string", "enum('a','b')"},
		{"json", false, schema.CatJSON, "json.RawMessage", ""},
		{"longblob", false, schema.CatBlob, "any", ""},
		{"mediumblob", false, schema.CatBlob, "any", "mediumblob"},
		{"blob@raw", false, schema.CatExternalBlob, "any", "blob@raw"},
		{"uuid", false, schema.CatUUID, "uuid.UUID", ""},
		{"attach", false, schema.CatAttach, "dj.Attachment", "attach"},
		{"filepath@raw", false, schema.CatFilepath, "string", "filepath@raw"},
	} {
		g, ok := goFieldOf(&schema.Attribute{Type: c.typ, Category: c.cat, Unsigned: c.unsigned})
		if !ok || g.typ != c.goType || g.typeTag != c.tag {
			t.Errorf("%s: %+v %v, want %s type=%q", c.typ, g, ok, c.goType, c.tag)
		}
	}
	if _, ok := goFieldOf(&schema.Attribute{Type: "geometry"}); ok {
		t.Error("an unsupported type has a Go type")
	}
}

// TestGoNameAndDefaults checks field names and default= values.
func TestGoNameAndDefaults(t *testing.T) {
	for col, want := range map[string]string{"subject_id": "SubjectID", "session_idx": "SessionIdx", "uid": "Uid", "http_url": "HttpUrl", "x": "X", "scan2_mouse": "Scan2Mouse"} {
		if got, ok := goName(col); got != want || !ok {
			t.Errorf("goName(%s) = %s %v, want %s", col, got, ok, want)
		}
	}
	for _, c := range []struct {
		def  string
		cat  schema.Category
		want string
	}{
		{`"0"`, schema.CatInteger, "0"},
		{`"1.5"`, schema.CatFloat, "1.5"},
		{`"U"`, schema.CatEnum, "'U'"},
		{`"it's \"q\""`, schema.CatString, `'it''s "q"'`},
		{`""`, schema.CatString, "''"},
		{"CURRENT_TIMESTAMP", schema.CatTemporal, "CURRENT_TIMESTAMP"},
	} {
		if got := tagDefault(&schema.Attribute{Default: c.def, Category: c.cat}); got != c.want {
			t.Errorf("tagDefault(%s) = %s, want %s", c.def, got, c.want)
		}
	}
}
