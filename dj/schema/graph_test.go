package schema

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

func fixtureTables(t *testing.T, db string) []*Table {
	reg := newRegistry(db)
	out := make([]*Table, len(fixtures))
	for i, f := range fixtures {
		out[i] = reg.parse(t, f.typ)
	}
	return out
}

func indexOf(list []TableID, s TableID) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// checkGraph verifies the structure that both GraphOf and LoadGraph must
// produce for the fixture pipeline in database db.
func checkGraph(t *testing.T, g *Graph, db string) {
	t.Helper()
	n := func(name string) TableID { return TableID{db, name} }
	order := g.Nodes()
	if len(order) != len(fixtures) {
		t.Fatalf("Nodes = %v", order)
	}
	for _, full := range order {
		for _, e := range g.Parents(full) {
			if indexOf(order, e.Parent) > indexOf(order, full) && e.Parent != full {
				t.Errorf("%s before its parent %s in %v", full, e.Parent, order)
			}
			if strings.Contains(e.Parent.Table, "~") {
				t.Errorf("edge to system table %s", e.Parent)
			}
		}
	}
	// Parts follow their master directly when nothing else is pending.
	if i := indexOf(order, n("_scan")); order[i+1] != n("_scan__unit") {
		t.Errorf("part _scan__unit not right after its master: %v", order)
	}
	ps := g.Parents(n("__spikes__unit"))
	if len(ps) != 2 || ps[0].Parent != n("__spikes") || ps[1].Parent != n("_scan__unit") || !ps[0].FK.Primary {
		t.Errorf("Parents(__spikes__unit) = %+v", ps)
	}
	syn := g.Parents(n("__synapse"))
	if len(syn) != 2 || !syn[0].FK.Renamed() || !reflect.DeepEqual(syn[0].AttrMap(), map[string]string{"pre_id": "neuron_id"}) {
		t.Errorf("Parents(__synapse) = %+v", syn)
	}
	note := g.Parents(n("note"))
	if len(note) != 1 || note[0].FK.Primary {
		t.Errorf("Parents(note) = %+v", note)
	}
	ch := g.Children(n("subject"))
	if len(ch) != 1 || ch[0].Child != n("session") {
		t.Errorf("Children(subject) = %+v", ch)
	}
	desc := g.Descendants(n("session"))
	want := []string{"session", "_scan", "_scan__unit", "__spikes", "__spikes__unit", "__spikes__channel", "note", "subject_note"}
	if len(desc) != len(want) || desc[0] != n("session") {
		t.Errorf("Descendants(session) = %v", desc)
	}
	for _, w := range want {
		if indexOf(desc, n(w)) < 0 {
			t.Errorf("Descendants(session) lacks %s: %v", w, desc)
		}
	}
	for i, d := range desc {
		for _, e := range g.Parents(d) {
			if j := indexOf(desc, e.Parent); j > i {
				t.Errorf("Descendants order: %s before its parent %s", d, e.Parent)
			}
		}
	}
	if d := g.Descendants(n("neuron")); len(d) != 2 || d[0] != n("neuron") || d[1] != n("__synapse") {
		t.Errorf("Descendants(neuron) with self-reference = %v", d)
	}
	if a := g.Ancestors(n("_scan")); len(a) != 4 || a[len(a)-1] != n("_scan") {
		t.Errorf("Ancestors(_scan) = %v", a)
	}
	if pk := g.PrimaryKey(n("session")); !reflect.DeepEqual(pk, []string{"subject_id", "session_id"}) {
		t.Errorf("PrimaryKey(session) = %v", pk)
	}
	sub, err := g.TopoSort(n("note"), n("session"), n("subject"))
	if err != nil || !reflect.DeepEqual(sub, []TableID{n("subject"), n("session"), n("note")}) {
		t.Errorf("TopoSort(subset) = %v, %v", sub, err)
	}
	if g.Descendants(n("nope")) != nil || g.Has(n("nope")) {
		t.Error("unknown node reported")
	}
}

func TestGraphOf(t *testing.T) {
	g, err := GraphOf(fixtureTables(t, "lab")...)
	if err != nil {
		t.Fatal(err)
	}
	checkGraph(t, g, "lab")
}

func TestGraphCycle(t *testing.T) {
	a := &Table{Database: "d", Name: "a", Heading: Heading{Attributes: []Attribute{{Name: "x", InKey: true}}},
		ForeignKeys: []ForeignKey{{ParentDatabase: "d", ParentTable: "b", Attrs: []string{"x"}, RefAttrs: []string{"x"}}}}
	b := &Table{Database: "d", Name: "b", Heading: Heading{Attributes: []Attribute{{Name: "x", InKey: true}}},
		ForeignKeys: []ForeignKey{{ParentDatabase: "d", ParentTable: "a", Attrs: []string{"x"}, RefAttrs: []string{"x"}}}}
	_, err := GraphOf(a, b)
	if !errors.Is(err, djerr.ErrDeclaration) || !strings.Contains(err.Error(), "cycle") || !strings.Contains(err.Error(), "`d`.`a`") {
		t.Errorf("GraphOf(cycle) = %v", err)
	}
}

func TestLoadGraph(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	name := testenv.Database(t)
	exec(t, db, ExternalTableSQL(name, "ext"))
	exec(t, db, JobsTableSQL(name))
	exec(t, db, LogTableSQL(name))
	for _, tb := range fixtureTables(t, name) {
		exec(t, db, tb.CreateSQL())
	}
	g, err := LoadGraph(ctx, db, name)
	if err != nil {
		t.Fatal(err)
	}
	checkGraph(t, g, name)

	// A second database referencing the first brings its parent in.
	other := testenv.Database(t)
	exec(t, db, "CREATE TABLE "+TableID{other, "remote"}.Quoted()+" (`subject_id` int NOT NULL, PRIMARY KEY (`subject_id`), "+
		"FOREIGN KEY (`subject_id`) REFERENCES "+TableID{name, "subject"}.Quoted()+" (`subject_id`) ON UPDATE CASCADE ON DELETE RESTRICT)")
	g2, err := LoadGraph(ctx, db, name, other)
	if err != nil {
		t.Fatal(err)
	}
	d := g2.Descendants(TableID{name, "subject"})
	if indexOf(d, TableID{other, "remote"}) < 0 {
		t.Errorf("cross-database descendant missing: %v", d)
	}
	g3, err := LoadGraph(ctx, db, other)
	if err != nil {
		t.Fatal(err)
	}
	if p := g3.Parents(TableID{other, "remote"}); len(p) != 1 || !g3.Has(TableID{name, "subject"}) || !p[0].FK.Primary {
		t.Errorf("cross-database parent: %+v", p)
	}
}
