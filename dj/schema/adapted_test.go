package schema

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// pyAdapted is a table as DataJoint for Python 0.14 declares it with
// adapted attribute types (dj.AttributeAdapter): the column has the
// adapter's attribute_type and the comment starts with ":<adapter>:".
//
//	graph_id : int            # graph id
//	---
//	graph    : <graph>        # a networkx graph     (attribute_type "longblob")
//	small    : <small>        #                      (attribute_type "blob")
//	meta=null: <meta>         # metadata             (attribute_type "json")
//	label="x": <label>        # a "label"            (attribute_type "varchar(64)")
//	stored=null : <stored>    # in the store         (attribute_type "blob@ext")
//	codec    : <blob>         # a DataJoint 2 codec marker, read as an adapter
const pyAdapted = "CREATE TABLE IF NOT EXISTS `{db}`.`graph_store` (\n" +
	"`graph_id` int NOT NULL COMMENT \"graph id\",\n" +
	"`graph` longblob NOT NULL COMMENT \":<graph>:a networkx graph\",\n" +
	"`small` blob NOT NULL COMMENT \":<small>:\",\n" +
	"`meta` json DEFAULT NULL COMMENT \":<meta>:metadata\",\n" +
	"`label` varchar(64) NOT NULL DEFAULT \"x\" COMMENT \":<label>:a \\\"label\\\"\",\n" +
	"`stored` binary(16) DEFAULT NULL COMMENT \":<stored>:in the store\",\n" +
	"`codec` longblob NOT NULL COMMENT \":<blob>:\",\n" +
	"PRIMARY KEY (`graph_id`),\n" +
	"FOREIGN KEY (`stored`) REFERENCES `{db}`.`~external_ext` (`hash`) ON UPDATE RESTRICT ON DELETE RESTRICT\n" +
	") ENGINE=InnoDB, COMMENT \"graphs\""

// TestLoadAdapted opens a table with adapted attribute types declared by
// DataJoint for Python: each attribute reads as its storage column with
// the adapter name, the whole schema lists and loads, and a table
// re-created from the loaded metadata is identical.
func TestLoadAdapted(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	lab := testenv.Database(t)
	exec(t, db, ExternalTableSQL(lab, "ext"))
	exec(t, db, strings.ReplaceAll(pyAdapted, "{db}", lab))
	exec(t, db, "CREATE TABLE "+QuoteFull(lab, "plain")+" (`id` int NOT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB")

	names, err := ListTables(ctx, db, lab)
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string]*Table{}
	for _, n := range names {
		tb, err := Load(ctx, db, lab, n)
		if err != nil {
			t.Fatalf("Load(%s): %v", n, err)
		}
		tables[n] = tb
	}
	tb := tables["graph_store"]
	if tb == nil {
		t.Fatalf("tables %v lack graph_store", names)
	}
	type row struct {
		Name, Type string
		Cat        Category
		Adapter    string
		Null       bool
		Comment    string
	}
	want := []row{
		{"graph_id", "int", CatInteger, "", false, "graph id"},
		{"graph", "longblob", CatBlob, "graph", false, "a networkx graph"},
		{"small", "blob", CatBlob, "small", false, ""},
		{"meta", "json", CatJSON, "meta", true, "metadata"},
		{"label", "varchar(64)", CatString, "label", false, `a "label"`},
		{"stored", "binary(16)", 0, "stored", true, "in the store"},
		{"codec", "longblob", CatBlob, "blob", false, ""},
	}
	var got []row
	for _, a := range tb.Heading.Attributes {
		got = append(got, row{a.Name, a.Type, a.Category, a.Adapter, a.Nullable, a.Comment})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("heading\n got %+v\nwant %+v", got, want)
	}
	if a, _ := tb.Heading.Attr("graph"); a.Marker() != ":<graph>:" || a.ColumnComment() != ":<graph>:a networkx graph" || a.SQLType != "longblob" {
		t.Errorf("graph: marker %q, column comment %q, SQL type %q", a.Marker(), a.ColumnComment(), a.SQLType)
	}
	if err := Compare(tb, tb); err != nil {
		t.Errorf("Compare(loaded, loaded) = %v", err)
	}

	// Re-created from its loaded metadata, the table is identical, markers
	// included.
	re := testenv.Database(t)
	exec(t, db, ExternalTableSQL(re, "ext"))
	tb.Database = re
	for i := range tb.ForeignKeys {
		tb.ForeignKeys[i].ParentDatabase = re
	}
	exec(t, db, tb.CreateSQL())
	if a, b := showCreate(t, db, re, "graph_store"), showCreate(t, db, lab, "graph_store"); a != b {
		t.Errorf("re-created table differs\n re:\n%s\n python:\n%s", a, b)
	}

	// A struct declaring the storage type does not match an adapted column.
	declared := &Table{Database: lab, Name: "graph_store", Heading: Heading{Attributes: []Attribute{
		{Name: "graph", Type: "longblob", Category: CatBlob},
	}}}
	loaded := &Table{Database: lab, Name: "graph_store", Heading: Heading{Attributes: []Attribute{*mustAttr(t, tables["graph_store"], "graph")}}}
	if err := Compare(declared, loaded); !errors.Is(err, djerr.ErrHeadingMismatch) || !strings.Contains(err.Error(), "type longblob in the struct but <graph> in the database") {
		t.Errorf("Compare(longblob, <graph>) = %v", err)
	}
}

func mustAttr(t *testing.T, tb *Table, name string) *Attribute {
	t.Helper()
	a, ok := tb.Heading.Attr(name)
	if !ok {
		t.Fatalf("%s has no attribute %s", tb.Name, name)
	}
	return a
}

// TestLoadAdaptedDialects reads adapted columns as MariaDB and MySQL 8
// describe them, and checks that only <name> markers are adapters.
func TestLoadAdaptedDialects(t *testing.T) {
	null := sql.NullString{}
	for _, c := range []struct {
		label, colType, comment string
		maria, json             bool
		typ, sqlType, adapter   string
		cat                     Category
		userComment             string
	}{
		{"maria json", "longtext", ":<meta>:m", true, true, "json", "json", "meta", CatJSON, "m"},
		{"mysql json", "json", ":<meta>:m", false, false, "json", "json", "meta", CatJSON, "m"},
		{"maria int", "int(11)", ":<code>:", true, false, "int", "int(11)", "code", CatInteger, ""},
		{"colon in comment", "longblob", ":<g>:a: b", false, false, "longblob", "longblob", "g", CatBlob, "a: b"},
		{"nested brackets", "longblob", ":<<g>>:", false, false, "longblob", "longblob", "g", CatBlob, ""},
		{"newline in comment", "longblob", ":<g>:a\nb", false, false, "longblob", "longblob", "g", CatBlob, "a\nb"},
	} {
		a, err := loadAttribute("x", c.colType, false, null, false, "", c.comment, c.maria, c.json)
		if err != nil {
			t.Errorf("%s: %v", c.label, err)
			continue
		}
		if a.Type != c.typ || a.SQLType != c.sqlType || a.Adapter != c.adapter || a.Category != c.cat || a.Comment != c.userComment {
			t.Errorf("%s: got %+v", c.label, a)
		}
	}
	for _, comment := range []string{":int32:", ":<>:", ": <g>:", ":float64:x", ":external-raw:"} {
		_, err := loadAttribute("x", "longblob", false, null, false, "", comment, false, false)
		if !errors.Is(err, djerr.ErrDeclaration) {
			t.Errorf("marker %q: %v, want an unknown attribute type error", comment, err)
		}
	}
}
