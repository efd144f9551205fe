package inspect

import (
	"bytes"
	"context"
	"encoding/xml"
	"flag"
	"image/png"
	"os"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := "testdata/" + name
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n got:\n%s\nwant:\n%s", name, got, want)
	}
}

// TestDiagramPython draws the schema DataJoint for Python declared: the
// DOT text against a golden file (checked by hand against dj.Diagram's
// rules), then SVG and PNG through Graphviz.
func TestDiagramPython(t *testing.T) {
	_, s := connect(t)
	ctx := context.Background()
	createPythonSchema(t, s)
	d, err := NewDiagram(ctx, s, DiagramOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 10 {
		t.Errorf("%d tables, want 10", d.Len())
	}
	dot := strings.ReplaceAll(d.DOT(), s.Name(), "lab")
	golden(t, "diagram-python.dot", dot)
	for _, line := range []string{
		`"Subject" -> "Session" [style=solid, penwidth=0.75, weight=1];`,        // primary, one-to-many
		`"Lab" -> "Subject" [style=dashed, penwidth=0.75, weight=1];`,           // secondary
		`"Subject" -> "Summary" [style=solid, penwidth=2, weight=1];`,           // one-to-one
		`"Analysis" -> "Analysis.Unit" [style=solid, penwidth=0.75, weight=3];`, // master and part
		`"Session" -> "1" [style=solid`,                                         // renamed reference
	} {
		if !strings.Contains(dot, line) {
			t.Errorf("DOT lacks %s", line)
		}
	}

	svg, err := d.Render(ctx, "svg")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName xml.Name
		Groups  []struct {
			Class string `xml:"class,attr"`
		} `xml:"g>g"`
	}
	if err := xml.Unmarshal(svg, &doc); err != nil || doc.XMLName.Local != "svg" {
		t.Fatalf("SVG does not parse (%v): %.200s", err, svg)
	}
	nodes := 0
	for _, g := range doc.Groups {
		if g.Class == "node" {
			nodes++
		}
	}
	if nodes != 12 { // 10 tables and 2 aliases
		t.Errorf("SVG has %d nodes, want 12", nodes)
	}
	pic, err := d.Render(ctx, "png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(pic))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 100 || b.Dy() < 100 {
		t.Errorf("PNG is %v", b)
	}

	// Session with one level up and one down.
	d, err = NewDiagram(ctx, s, DiagramOptions{Tables: []string{"Session"}, Up: 1, Down: 1})
	if err != nil {
		t.Fatal(err)
	}
	dot = d.DOT()
	for _, want := range []string{`"Subject" [`, `"Session" [`, `"Analysis" [`, `"Analysis.Unit" [`, `"SessionPair" [`} {
		if !strings.Contains(dot, want) {
			t.Errorf("Session ±1 lacks %s", want)
		}
	}
	for _, absent := range []string{`"Species" [`, `"Params" [`, `"Summary" [`} {
		if strings.Contains(dot, absent) {
			t.Errorf("Session ±1 has %s", absent)
		}
	}
	if _, err := d.Render(ctx, "gif"); err == nil {
		t.Error("gif rendered")
	}
}

// TestAcrossSchemas draws and describes a table of another schema that
// references the pipeline.
func TestAcrossSchemas(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	createPythonSchema(t, s)
	other, err := c.Schema(ctx, testenv.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	ddl := "CREATE TABLE `" + other.Name() + "`.`note` (`subject_id` int(10) unsigned NOT NULL COMMENT 'unique id', `session_idx` smallint(5) unsigned NOT NULL, `text` varchar(255) NOT NULL, " +
		"PRIMARY KEY (`subject_id`,`session_idx`), FOREIGN KEY (`subject_id`,`session_idx`) REFERENCES `" + s.Name() + "`.`session` (`subject_id`,`session_idx`) ON UPDATE CASCADE ON DELETE RESTRICT) ENGINE=InnoDB"
	if _, err := c.ExecContext(ctx, ddl); err != nil {
		t.Fatal(err)
	}
	d, err := NewDiagram(ctx, s, DiagramOptions{Tables: []string{"Session"}, Down: 1})
	if err != nil {
		t.Fatal(err)
	}
	if want := `"Session" -> "` + other.Name() + `.Note" [style=solid, penwidth=2, weight=1];`; !strings.Contains(d.DOT(), want) {
		t.Errorf("DOT lacks %s:\n%s", want, d.DOT())
	}
	d, err = NewDiagram(ctx, other, DiagramOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := `"` + s.Name() + `.Session" -> "Note"`; !strings.Contains(d.DOT(), want) {
		t.Errorf("DOT lacks %s:\n%s", want, d.DOT())
	}
	tb, err := other.Table(ctx, "Note")
	if err != nil {
		t.Fatal(err)
	}
	text, err := Describe(ctx, tb)
	if err != nil {
		t.Fatal(err)
	}
	want := "-> " + s.Name() + ".Session\n---\ntext                 : varchar(255)                 \n"
	if text != want {
		t.Errorf("describe:\n%s\nwant:\n%s", show(text), show(want))
	}
	src, err := Generate(ctx, other, GenOptions{Package: "notes"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), "//\tnote: it references `"+s.Name()+"`.`session` in another schema") {
		t.Errorf("the cross-schema table is not listed as left out:\n%s", src)
	}
	// Both schemas in one package.
	src, err = GenerateSchemas(ctx, []*dj.Schema{s, other}, GenOptions{Package: "both"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(src), "Tables left out") || !strings.Contains(string(src), "Session dj.Ref[Session] `dj:\"pk\"`\n\tNoteKey") {
		t.Fatalf("generated:\n%s", src)
	}
	checkGenerated(t, other, src, "")
}
