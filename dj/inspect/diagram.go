package inspect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// DiagramOptions selects what a diagram shows.
type DiagramOptions struct {
	// Tables are the tables to draw, by class name ("Session",
	// "Analysis.Unit") or MySQL name; empty means the whole schema, with
	// the tables of other schemas that it references or that reference it.
	Tables []string
	// Up adds that many levels of parents of Tables, Down that many
	// levels of their children (DataJoint's Diagram - n and + n, both
	// counted from Tables).
	Up, Down int
}

// Diagram is the dependency graph of (part of) a pipeline, drawn in
// DataJoint's visual language.
type Diagram struct {
	name  string
	nodes []diagramNode
	edges []diagramEdge
}

type diagramNode struct {
	id, label     string
	tier          schema.Tier // 0 for an alias node
	distinguished bool        // has primary-key attributes of its own
}

type diagramEdge struct {
	from, to       string
	primary, multi bool
	masterPart     bool
}

// tierStyle is how DataJoint 0.14's dj.Diagram draws each tier (its
// label_props with scale 1.2): shape, fill colour, font colour, font size,
// node size and whether the size is fixed.
var tierStyle = map[schema.Tier]struct {
	shape, color, fontcolor string
	fontsize                int
	size                    float64
	fixed                   bool
}{
	0:               {"circle", "#FF880080", "#FF880080", 0, 0.06, true}, // alias of a renamed reference
	schema.Manual:   {"box", "#00FF0030", "darkgreen", 12, 0.48, false},
	schema.Lookup:   {"plaintext", "#00000020", "black", 10, 0.48, false},
	schema.Computed: {"ellipse", "#FF000020", "#7F0000A0", 12, 0.36, true},
	schema.Imported: {"ellipse", "#00007F40", "#00007FA0", 12, 0.48, false},
	schema.Part:     {"plaintext", "#00000000", "black", 10, 0.12, false},
}

// NewDiagram reads the dependency graph of a schema from the database,
// with the tables of other schemas that reference it or that it
// references, and selects the tables of opts. Tables of other schemas are
// labelled "<database>.<Class>".
func NewDiagram(ctx context.Context, s *dj.Schema, opts DiagramOptions) (*Diagram, error) {
	c := s.Conn()
	dbs := []string{s.Name()}
	rows, err := c.QueryContext(ctx, `SELECT DISTINCT table_schema FROM information_schema.key_column_usage
		WHERE referenced_table_schema = ? AND table_schema <> ? ORDER BY table_schema`, s.Name(), s.Name())
	if err != nil {
		return nil, &dj.Error{Op: "diagram", Table: schema.QuoteIdent(s.Name()), Err: err}
	}
	for rows.Next() {
		var db string
		if err := rows.Scan(&db); err != nil {
			rows.Close()
			return nil, &dj.Error{Op: "diagram", Table: schema.QuoteIdent(s.Name()), Err: err}
		}
		dbs = append(dbs, db)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, &dj.Error{Op: "diagram", Table: schema.QuoteIdent(s.Name()), Err: err}
	}
	g, err := schema.LoadGraph(ctx, c, dbs...)
	if err != nil {
		return nil, &dj.Error{Op: "diagram", Table: schema.QuoteIdent(s.Name()), Err: err}
	}
	return diagramOf(g, s.Name(), opts)
}

// diagramOf selects and lays out the nodes of g.
func diagramOf(g *schema.Graph, db string, opts DiagramOptions) (*Diagram, error) {
	label := func(id schema.TableID) string {
		if id.Database != db {
			return id.Database + "." + ClassPath(id.Table)
		}
		return ClassPath(id.Table)
	}
	all := g.Nodes()
	show := map[schema.TableID]bool{}
	if len(opts.Tables) == 0 {
		for _, n := range all {
			if n.Database == db {
				show[n] = true
			}
		}
		// Tables of other schemas that reference the schema or that it
		// references.
		for _, n := range keys(show) {
			for _, e := range g.Parents(n) {
				show[e.Parent] = true
			}
			for _, e := range g.Children(n) {
				show[e.Child] = true
			}
		}
	} else {
		for _, want := range opts.Tables {
			var found schema.TableID
			for _, n := range all {
				if label(n) == want || n.Table == want || n.Quoted() == want {
					found = n
					break
				}
			}
			if found.IsZero() {
				return nil, &dj.Error{Op: "diagram", Table: want, Err: fmt.Errorf("%w: no table %q in schema %s", dj.ErrMissingTable, want, db)}
			}
			show[found] = true
		}
		start := keys(show)
		grow := func(levels int, next func(schema.TableID) []schema.TableID) {
			frontier := start
			for i := 0; i < levels; i++ {
				var added []schema.TableID
				for _, n := range frontier {
					for _, m := range next(n) {
						if !show[m] {
							show[m] = true
							added = append(added, m)
						}
					}
				}
				frontier = added
			}
		}
		grow(opts.Up, func(n schema.TableID) []schema.TableID {
			var out []schema.TableID
			for _, e := range g.Parents(n) {
				out = append(out, e.Parent)
			}
			return out
		})
		grow(opts.Down, func(n schema.TableID) []schema.TableID {
			var out []schema.TableID
			for _, e := range g.Children(n) {
				out = append(out, e.Child)
			}
			return out
		})
	}
	// Parts are drawn with their masters.
	for _, n := range all {
		if tier, master, ok := schema.ParseTableName(n.Table); ok && tier == schema.Part && show[schema.TableID{Database: n.Database, Table: master}] {
			show[n] = true
		}
	}
	d := &Diagram{name: db}
	aliases := 0
	for _, n := range all {
		if !show[n] {
			continue
		}
		tier, master, ok := schema.ParseTableName(n.Table)
		if !ok {
			tier = schema.Manual
		}
		inherited := map[string]bool{}
		for _, e := range g.Parents(n) {
			for _, a := range e.FK.Attrs {
				inherited[a] = true
			}
		}
		own := false
		for _, k := range g.PrimaryKey(n) {
			own = own || !inherited[k]
		}
		d.nodes = append(d.nodes, diagramNode{id: label(n), label: label(n), tier: tier, distinguished: own})
		pk := g.PrimaryKey(n)
		for _, e := range g.Parents(n) {
			if !show[e.Parent] {
				continue
			}
			multi := !allIn(pk, toSet(e.FK.Attrs))
			mp := tier == schema.Part && e.FK.ParentTable == master && !e.FK.Renamed()
			from := label(e.Parent)
			if e.FK.Renamed() {
				aliases++
				alias := strconv.Itoa(aliases)
				d.nodes = append(d.nodes, diagramNode{id: alias})
				d.edges = append(d.edges, diagramEdge{from: from, to: alias, primary: e.FK.Primary, multi: multi})
				from = alias
			}
			d.edges = append(d.edges, diagramEdge{from: from, to: label(n), primary: e.FK.Primary, multi: multi, masterPart: mp})
		}
	}
	return d, nil
}

func keys(m map[schema.TableID]bool) []schema.TableID {
	out := make([]schema.TableID, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, schema.TableID.Compare)
	return out
}

// Len returns the number of tables in the diagram.
func (d *Diagram) Len() int {
	n := 0
	for _, nd := range d.nodes {
		if nd.tier != 0 {
			n++
		}
	}
	return n
}

// DOT returns the diagram in Graphviz's DOT language, styled as DataJoint
// 0.14's dj.Diagram draws a pipeline: Manual tables as green boxes, Lookup
// tables as grey plain text, Imported tables as blue ellipses, Computed
// tables as red ellipses, parts as small plain text attached to their
// masters (a heavy edge weight), tables with primary-key attributes of
// their own underlined; references in the primary key as solid lines and
// secondary ones as dashed lines, thick when one-to-one; and each renamed
// reference (proj) through its own small orange node. The output is
// deterministic: nodes in dependency order, edges by child.
func (d *Diagram) DOT() string {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n", dotID(d.name))
	b.WriteString("\tnode [fontname=\"arial\", style=\"filled\"];\n")
	b.WriteString("\tedge [color=\"#00000040\", arrowhead=\"none\"];\n")
	for _, n := range d.nodes {
		st := tierStyle[n.tier]
		lab := dotID(n.label)
		if n.distinguished {
			lab = "<<u>" + htmlEscape(n.label) + "</u>>"
		}
		fixed := "false"
		if st.fixed {
			fixed = "shape"
		}
		fmt.Fprintf(&b, "\t%s [label=%s, shape=%s, color=%q, fontcolor=%q, fontsize=%d, width=%g, height=%g, fixedsize=%s];\n",
			dotID(n.id), lab, st.shape, st.color, st.fontcolor, st.fontsize, st.size, st.size, fixed)
	}
	for _, e := range d.edges {
		style := "dashed"
		if e.primary {
			style = "solid"
		}
		pen := 2.0
		if e.multi {
			pen = 0.75
		}
		weight := 1
		if e.masterPart {
			weight = 3
		}
		fmt.Fprintf(&b, "\t%s -> %s [style=%s, penwidth=%g, weight=%d];\n", dotID(e.from), dotID(e.to), style, pen, weight)
	}
	b.WriteString("}\n")
	return b.String()
}

// DiagramNode is a node of a diagram in its JSON form.
type DiagramNode struct {
	ID   string `json:"id"`
	Tier string `json:"tier"` // "" for the node of a renamed reference
}

// DiagramEdge is an edge of a diagram in its JSON form.
type DiagramEdge struct {
	From    string `json:"from"`
	To      string `json:"to"`
	Primary bool   `json:"primary"`
}

// Nodes lists the nodes of the diagram: tables by label, and one node
// per renamed reference.
func (d *Diagram) Nodes() []DiagramNode {
	out := make([]DiagramNode, len(d.nodes))
	for i, n := range d.nodes {
		out[i] = DiagramNode{ID: n.id}
		if n.tier != 0 {
			out[i].Tier = n.tier.String()
		}
	}
	return out
}

// Edges lists the edges of the diagram, parent to child.
func (d *Diagram) Edges() []DiagramEdge {
	out := make([]DiagramEdge, len(d.edges))
	for i, e := range d.edges {
		out[i] = DiagramEdge{From: e.from, To: e.to, Primary: e.primary}
	}
	return out
}

// ErrNoGraphviz is returned by Render when Graphviz's dot program is not
// installed (Debian: apt-get install graphviz).
var ErrNoGraphviz = fmt.Errorf("%w: Graphviz's dot program is not installed (apt-get install graphviz); the DOT output needs no Graphviz", dj.ErrConfig)

// Render draws the diagram as "svg" or "png" with Graphviz's dot program.
func (d *Diagram) Render(ctx context.Context, format string) ([]byte, error) {
	switch format {
	case "svg", "png":
	default:
		return nil, &dj.Error{Op: "diagram", Err: fmt.Errorf("%w: format %q: want dot, svg or png", dj.ErrConfig, format)}
	}
	path, err := exec.LookPath("dot")
	if err != nil {
		return nil, &dj.Error{Op: "diagram", Err: ErrNoGraphviz}
	}
	cmd := exec.CommandContext(ctx, path, "-T"+format)
	cmd.Stdin = strings.NewReader(d.DOT())
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
		}
		return nil, &dj.Error{Op: "diagram", Err: err}
	}
	return out.Bytes(), nil
}

// dotID quotes a DOT identifier.
func dotID(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}

func htmlEscape(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	return r.Replace(s)
}
