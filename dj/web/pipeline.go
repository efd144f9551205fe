package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"os/exec"
	"regexp"
	"strings"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/inspect"
)

// tableRow is one table of the pipeline page.
type tableRow struct {
	Class, Name, Tier, Comment string
	Rows                       rowCount
	Auto                       bool
	Progress                   progress
}

// pipelineData is what the pipeline page shows.
type pipelineData struct {
	Title      string
	DB         string
	SVG        template.HTML
	DiagramErr string
	Tables     []tableRow
	Estimated  bool // some count is the server's estimate
	Large      int64
	HasJobs    bool
	Reserved   int64
	Errors     int64
}

// pipelinePage shows the diagram of a schema, each auto-populated table
// coloured by its progress, and the list of its tables.
func (s *Server) pipelinePage(ctx context.Context, r *http.Request) (string, any, error) {
	sc, err := s.openSchema(ctx, r)
	if err != nil {
		return "", nil, err
	}
	db := sc.Name()
	counts, err := countRows(ctx, s.c, db, s.opts.LargeTable)
	if err != nil {
		return "", nil, err
	}
	diag, err := inspect.NewDiagram(ctx, sc, inspect.DiagramOptions{})
	if err != nil {
		return "", nil, err
	}
	names := map[string]string{} // class → MySQL name of the schema's tables
	for name := range counts {
		if !strings.HasPrefix(name, "~") {
			names[inspect.ClassPath(name)] = name
		}
	}
	d := pipelineData{Title: db, DB: db, Large: s.opts.LargeTable}
	for _, n := range diag.Nodes() {
		if name, mine := names[n.ID]; mine && n.Tier != "" {
			d.Tables = append(d.Tables, tableRow{Class: n.ID, Name: name, Tier: n.Tier, Rows: counts[name], Comment: counts[name].Comment, Auto: isAuto(n.Tier)})
		}
	}
	// Graphviz lays the diagram out while the progress is counted; the
	// colours are set on its drawing afterwards.
	dot, hrefs := linkedDOT(db, diag, names)
	type drawing struct {
		svg string
		err error
	}
	laid := make(chan drawing, 1)
	go func() {
		svg, err := s.layout(ctx, dot)
		laid <- drawing{svg, err}
	}()
	// The progress of each auto-populated table is counted concurrently:
	// they are independent queries, and the page waits for the slowest.
	for _, row := range d.Tables {
		d.Estimated = d.Estimated || row.Rows.Estimated
	}
	err = forEach(len(d.Tables), func(i int) error {
		row := &d.Tables[i]
		if !row.Auto {
			return nil
		}
		t, ks, ksErr := s.tableMeta(ctx, sc, row.Name, counts)
		if t == nil {
			return ksErr
		}
		row.Progress = s.progressOf(ctx, t, ks, ksErr, counts)
		return nil
	})
	if err != nil {
		<-laid
		return "", nil, err
	}
	if jobs, err := hasJobs(ctx, s.c); err != nil {
		<-laid
		return "", nil, err
	} else if d.HasJobs = jobs[db]; d.HasJobs {
		sum, err := dj.JobsOf(s.c, db).Summary(ctx)
		if err != nil {
			<-laid
			return "", nil, err
		}
		for _, js := range sum {
			d.Reserved += js.Reserved
			d.Errors += js.Errors
		}
	}
	dr := <-laid
	if dr.err != nil {
		if !errors.Is(dr.err, inspect.ErrNoGraphviz) {
			return "", nil, dr.err
		}
		d.DiagramErr = dr.err.Error()
		return "pipeline", d, nil
	}
	svg := dr.svg
	for _, row := range d.Tables {
		if row.Auto && row.Progress.Err == "" && !row.Progress.Unknown {
			svg = fillNode(svg, hrefs[row.Class], row.Progress.Fraction())
		}
	}
	// Graphviz escapes every label and attribute it writes; the table
	// names come from the database, not from the request.
	d.SVG = template.HTML(svg)
	return "pipeline", d, nil
}

// linkedDOT is the diagram in DOT with each table a link to its page
// (tables of other schemas to theirs), and the links by node.
// Auto-populated tables are filled by their progress on the drawing
// (fillNode): red when nothing is made, green when all is. The layout is
// cached by this DOT text, so that only a changed pipeline runs Graphviz
// again.
func linkedDOT(db string, diag *inspect.Diagram, mine map[string]string) (string, map[string]string) {
	extra := map[string]string{}
	hrefs := map[string]string{}
	for _, n := range diag.Nodes() {
		if n.Tier == "" {
			continue
		}
		var href, tip string
		if _, ok := mine[n.ID]; ok {
			href, tip = tableURL(db, n.ID), n.Tier+" table "+n.ID
		} else if other, class, ok := strings.Cut(n.ID, "."); ok {
			href, tip = tableURL(other, class), n.Tier+" table "+class+" of schema "+other
		}
		hrefs[n.ID] = href
		extra["\t"+dotQuote(n.ID)+" ["] = fmt.Sprintf("URL=%s, target=\"_top\", tooltip=%s, ", dotQuote(href), dotQuote(tip))
	}
	var b strings.Builder
	for _, line := range strings.SplitAfter(diag.DOT(), "\n") {
		for prefix, attrs := range extra {
			if strings.HasPrefix(line, prefix+"label=") {
				line = prefix + attrs + line[len(prefix):]
				break
			}
		}
		b.WriteString(line)
	}
	return b.String(), hrefs
}

// layout runs Graphviz's dot on a DOT text, or returns its cached SVG.
func (s *Server) layout(ctx context.Context, dot string) (string, error) {
	s.mu.Lock()
	svg, ok := s.svgs[dot]
	s.mu.Unlock()
	if ok {
		return svg, nil
	}
	path, err := exec.LookPath("dot")
	if err != nil {
		return "", &dj.Error{Op: "diagram", Err: inspect.ErrNoGraphviz}
	}
	cmd := exec.CommandContext(ctx, path, "-Tsvg")
	cmd.Stdin = strings.NewReader(dot)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return "", &dj.Error{Op: "diagram", Err: fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))}
	}
	svg = out.String()
	if i := strings.Index(svg, "<svg"); i >= 0 {
		svg = svg[i:]
	}
	s.mu.Lock()
	if len(s.svgs) >= maxCachedLayouts {
		clear(s.svgs)
	}
	s.svgs[dot] = svg
	s.mu.Unlock()
	return svg, nil
}

// maxCachedLayouts bounds the diagram layouts kept.
const maxCachedLayouts = 64

// shapeFillRE is the fill of a node's shape in Graphviz's SVG.
var shapeFillRE = regexp.MustCompile(`fill="#[0-9a-fA-F]{6}"( fill-opacity="[0-9.]+")?`)

// fillNode fills the shape of the node linked to href with the colour of
// completion f and adds the percentage to its tooltip.
func fillNode(svg, href string, f float64) string {
	i := strings.Index(svg, `xlink:href="`+href+`"`)
	if i < 0 {
		return svg
	}
	end := strings.Index(svg[i:], "</a>")
	if end < 0 {
		return svg
	}
	seg := svg[i : i+end]
	rgb, alpha := completionColor(f)
	seg = strings.Replace(seg, `" target="_top"`, fmt.Sprintf(`: %.0f%% populated" target="_top"`, math.Floor(f*100)), 1)
	if loc := shapeFillRE.FindStringIndex(seg); loc != nil {
		seg = seg[:loc[0]] + fmt.Sprintf(`fill="%s" fill-opacity="%.2f" stroke-width="2"`, rgb, alpha) + seg[loc[1]:]
	}
	return svg[:i] + seg + svg[i+end:]
}

// completionColor is the fill of a table f populated: red at 0, amber
// half-way, green at 1, and its opacity.
func completionColor(f float64) (string, float64) {
	r, g := 230.0, 60+160*f*2
	if f > 0.5 {
		r, g = 230-190*(f-0.5)*2, 220
	}
	if f >= 1 {
		r, g = 40, 180
	}
	return fmt.Sprintf("#%02x%02x%02x", int(r), int(math.Min(g, 220)), 60), 0.63
}

// dotQuote quotes a DOT string.
func dotQuote(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}
