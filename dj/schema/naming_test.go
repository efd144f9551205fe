package schema

import (
	"errors"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
)

func TestToSnakeCase(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"TableName", "table_name"},
		{"MyTableABC", "my_table_a_b_c"},
		{"Scan2Mouse", "scan2_mouse"},
		{"Table2", "table2"},
		{"A", "a"},
		{"Subject", "subject"},
		{"SpikesUnit", "spikes_unit"},
		{"ABC", "a_b_c"},
		{"X2Y", "x2_y"},
	} {
		got, err := ToSnakeCase(c.in)
		if err != nil || got != c.want {
			t.Errorf("ToSnakeCase(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "table", "My_Table", "2Table", "Tablé", "My Table"} {
		if _, err := ToSnakeCase(bad); !errors.Is(err, djerr.ErrDeclaration) {
			t.Errorf("ToSnakeCase(%q) error = %v, want ErrDeclaration", bad, err)
		}
	}
}

func TestToCamelCase(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"#lookup_tbl", "LookupTbl"},
		{"__comp", "Comp"},
		{"_imported", "Imported"},
		{"table_name", "TableName"},
		{"scan2_mouse", "Scan2Mouse"},
		{"my_table_a_b_c", "MyTableABC"},
		{"a_2b", "A_2b"},
		{"__spikes__unit", "SpikesUnit"},
	} {
		if got := ToCamelCase(c.in); got != c.want {
			t.Errorf("ToCamelCase(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// The rules are inverse for DataJoint class names.
	for _, cls := range []string{"TableName", "MyTableABC", "Scan2Mouse", "Table2"} {
		s, _ := ToSnakeCase(cls)
		if back := ToCamelCase(s); back != cls {
			t.Errorf("ToCamelCase(ToSnakeCase(%q)) = %q", cls, back)
		}
	}
}

func TestTableName(t *testing.T) {
	for _, c := range []struct {
		tier          Tier
		class, master string
		want          string
	}{
		{Manual, "Subject", "", "subject"},
		{Lookup, "Species", "", "#species"},
		{Imported, "Recording", "", "_recording"},
		{Computed, "Spikes", "", "__spikes"},
		{Part, "Unit", "__spikes", "__spikes__unit"},
		{Part, "Roi", "__segmentation", "__segmentation__roi"},
		{Part, "Item", "#catalog", "#catalog__item"},
		{Part, "BigPart", "session", "session__big_part"},
	} {
		got, err := TableName(c.tier, c.class, c.master)
		if err != nil || got != c.want {
			t.Errorf("TableName(%v, %q, %q) = %q, %v; want %q", c.tier, c.class, c.master, got, err, c.want)
		}
	}
	long := "A" + strings.Repeat("b", 63)
	if n, err := TableName(Manual, long, ""); err != nil || len(n) != 64 {
		t.Errorf("64-character name: %q, %v", n, err)
	}
	for _, c := range []struct {
		tier          Tier
		class, master string
		msg           string
	}{
		{Computed, long, "", "at most 64"},
		{Part, "Unit", "", "no master"},
		{Part, "Unit", "__a__b", "nested"},
		{System, "Jobs", "", "cannot be declared"},
		{Manual, "bad_name", "", "CamelCase"},
	} {
		_, err := TableName(c.tier, c.class, c.master)
		if !errors.Is(err, djerr.ErrDeclaration) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("TableName(%v, %q, %q) error = %v, want %q", c.tier, c.class, c.master, err, c.msg)
		}
	}
}

func TestParseTableName(t *testing.T) {
	for _, c := range []struct {
		name   string
		tier   Tier
		master string
		ok     bool
	}{
		{"subject", Manual, "", true},
		{"table_name2", Manual, "", true},
		{"#species", Lookup, "", true},
		{"_recording", Imported, "", true},
		{"__spikes", Computed, "", true},
		{"__spikes__unit", Part, "__spikes", true},
		{"session__unit", Part, "session", true},
		{"#catalog__item", Part, "#catalog", true},
		{"_scan__unit_a", Part, "_scan", true},
		{"~jobs", System, "", true},
		{"~external_raw", System, "", true},
		{"Subject", 0, "", false},
		{"___x", 0, "", false},
		{"a__", 0, "", false},
		{"2a", 0, "", false},
		{"", 0, "", false},
	} {
		tier, master, ok := ParseTableName(c.name)
		if tier != c.tier || master != c.master || ok != c.ok {
			t.Errorf("ParseTableName(%q) = %v %q %v; want %v %q %v", c.name, tier, master, ok, c.tier, c.master, c.ok)
		}
	}
	for _, c := range []struct{ name, class string }{
		{"__spikes__unit", "Unit"}, {"#species", "Species"}, {"session", "Session"}, {"_scan__big_unit", "BigUnit"},
	} {
		if got := ClassNameOf(c.name); got != c.class {
			t.Errorf("ClassNameOf(%q) = %q, want %q", c.name, got, c.class)
		}
	}
}

func TestFieldColumn(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"SubjectID", "subject_id"},
		{"HTTPServer", "http_server"},
		{"Scan2Mouse", "scan2_mouse"},
		{"X", "x"},
		{"ID", "id"},
		{"UUID", "uuid"},
		{"RigUUID", "rig_uuid"},
		{"NSpikes", "n_spikes"},
		{"SessionDate", "session_date"},
		{"F32", "f32"},
		{"Already_Snake", "already_snake"},
		{"URLPath2", "url_path2"},
		{"simple", "simple"},
	} {
		if got := FieldColumn(c.in); got != c.want {
			t.Errorf("FieldColumn(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
