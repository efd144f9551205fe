package inspect

import (
	"context"
	"testing"
)

// TestListing lists the schema DataJoint for Python declared: its tier
// counts among the server's schemas, and its tables in dependency order
// with row counts, hidden tables with all.
func TestListing(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	createPythonSchema(t, s)
	if _, err := c.ExecContext(ctx, "INSERT INTO `"+s.Name()+"`.`#species` VALUES ('a','b'),('c','d')"); err != nil {
		t.Fatal(err)
	}
	list, err := Schemas(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	var got *SchemaInfo
	for i := range list {
		if list[i].Name == s.Name() {
			got = &list[i]
		}
	}
	// ~log (created by Conn.Schema) and ~external_extstore are hidden.
	want := SchemaInfo{Name: s.Name(), Tables: 10, Manual: 5, Lookup: 2, Computed: 2, Part: 1, Hidden: 2}
	if got == nil || *got != want {
		t.Fatalf("schema %+v, want %+v", got, want)
	}
	tables, err := Tables(ctx, s, false)
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	for i, ti := range tables {
		pos[ti.Class] = i
	}
	if len(tables) != 10 {
		t.Fatalf("%d tables: %+v", len(tables), tables)
	}
	for _, dep := range [][2]string{{"Subject", "Session"}, {"Session", "Analysis"}, {"Analysis", "Analysis.Unit"}, {"Species", "Subject"}, {"Session", "SessionPair"}} {
		if pos[dep[0]] > pos[dep[1]] {
			t.Errorf("%s listed after %s", dep[0], dep[1])
		}
	}
	sp := tables[pos["Species"]]
	if sp != (TableInfo{Class: "Species", Tier: "Lookup", Name: "#species", Rows: 2, Comment: "animal species"}) {
		t.Errorf("species: %+v", sp)
	}
	if u := tables[pos["Analysis.Unit"]]; u.Tier != "Part" || u.Name != "__analysis__unit" {
		t.Errorf("part: %+v", u)
	}
	all, err := Tables(ctx, s, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 12 || all[10].Name != "~external_extstore" || all[11].Name != "~log" || all[11].Tier != "System" {
		t.Errorf("with hidden tables: %+v", all[10:])
	}
}
