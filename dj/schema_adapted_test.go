package dj_test

import (
	"context"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// TestTablesWithAdaptedTypes opens a schema holding a table that
// DataJoint for Python declared with an adapted attribute type (<graph>):
// Schema.Tables lists it, with the attribute's storage type and adapter.
func TestTablesWithAdaptedTypes(t *testing.T) {
	ctx := context.Background()
	c, s := connect(t)
	ddl := "CREATE TABLE " + schema.QuoteFull(s.Name(), "graph_store") + " (\n" +
		"`graph_id` int NOT NULL COMMENT \"graph id\",\n" +
		"`graph` longblob NOT NULL COMMENT \":<graph>:a networkx graph\",\n" +
		"PRIMARY KEY (`graph_id`)\n" +
		") ENGINE=InnoDB, COMMENT \"graphs\""
	if _, err := c.DB().ExecContext(ctx, ddl); err != nil {
		t.Fatal(err)
	}
	tables, err := s.Tables(ctx)
	must(t, err)
	var found *dj.Table
	for _, tb := range tables {
		if tb.Meta().Name == "graph_store" {
			found = tb
		}
	}
	if found == nil {
		t.Fatalf("Tables lacks graph_store")
	}
	a, ok := found.Meta().Heading.Attr("graph")
	if !ok || a.Adapter != "graph" || a.Type != "longblob" || a.Category != schema.CatBlob || a.Comment != "a networkx graph" {
		t.Errorf("graph attribute = %+v", a)
	}
	if _, err := s.Table(ctx, "GraphStore"); err != nil {
		t.Errorf("Table(GraphStore): %v", err)
	}
}

// TestSchemaNameInjection opens a schema whose name would end the quoted
// table comment of ~jobs: it is refused before anything reaches the
// server.
func TestSchemaNameInjection(t *testing.T) {
	ctx := context.Background()
	c, _ := connect(t)
	for _, name := range []string{`x",ENGINE=MyISAM,CHARSET=latin1,COMMENT="y`, `x"`, "x'y", `x\`} {
		_, err := c.Schema(ctx, name)
		wantErr(t, err, dj.ErrConfig)
		var n int
		must(t, c.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", name).Scan(&n))
		if n != 0 {
			t.Errorf("database %q was created", name)
		}
	}
}
