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
	tables, err := sc.Tables(ctx)
	if err != nil {
		return "", nil, err
	}
	byClass := map[string]*dj.Table{}
	for _, t := range tables {
		byClass[inspect.ClassPath(t.Name())] = t
	}
	d := pipelineData{Title: db, DB: db, Large: s.opts.LargeTable}
	done := map[string]float64{}
	for _, n := range diag.Nodes() {
		t, mine := byClass[n.ID]
		if n.Tier == "" || !mine {
			continue
		}
		row := tableRow{Class: n.ID, Name: t.Name(), Tier: n.Tier, Comment: t.Meta().Comment, Rows: counts[t.Name()]}
		d.Estimated = d.Estimated || row.Rows.Estimated
		if row.Auto = isAuto(n.Tier); row.Auto {
			row.Progress = s.progressOf(ctx, t, counts)
			if row.Progress.Err == "" && !row.Progress.Unknown {
				done[n.ID] = row.Progress.Fraction()
			}
		}
		d.Tables = append(d.Tables, row)
	}
	if jobs, err := hasJobs(ctx, s.c); err != nil {
		return "", nil, err
	} else if d.HasJobs = jobs[db]; d.HasJobs {
		sum, err := dj.JobsOf(s.c, db).Summary(ctx)
		if err != nil {
			return "", nil, err
		}
		for _, js := range sum {
			d.Reserved += js.Reserved
			d.Errors += js.Errors
		}
	}
	svg, err := s.diagramSVG(ctx, db, diag, byClass, done)
	if err != nil {
		if !errors.Is(err, inspect.ErrNoGraphviz) {
			return "", nil, err
		}
		d.DiagramErr = err.Error()
	}
	d.SVG = svg
	return "pipeline", d, nil
}

// diagramSVG draws the diagram with Graphviz, each table a link to its
// page (tables of other schemas to theirs) and each auto-populated table
// filled by its progress: red when nothing is made, green when all is.
func (s *Server) diagramSVG(ctx context.Context, db string, diag *inspect.Diagram, mine map[string]*dj.Table, done map[string]float64) (template.HTML, error) {
	extra := map[string]string{}
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
		attrs := fmt.Sprintf("URL=%s, target=\"_top\", tooltip=%s, ", dotQuote(href), dotQuote(tip))
		if f, ok := done[n.ID]; ok {
			attrs += fmt.Sprintf("fillcolor=%q, penwidth=2, ", completionColor(f))
			attrs = strings.Replace(attrs, "tooltip="+dotQuote(tip), "tooltip="+dotQuote(fmt.Sprintf("%s: %.0f%% populated", tip, math.Floor(f*100))), 1)
		}
		extra["\t"+dotQuote(n.ID)+" ["] = attrs
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
	path, err := exec.LookPath("dot")
	if err != nil {
		return "", &dj.Error{Op: "diagram", Err: inspect.ErrNoGraphviz}
	}
	cmd := exec.CommandContext(ctx, path, "-Tsvg")
	cmd.Stdin = strings.NewReader(b.String())
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return "", &dj.Error{Op: "diagram", Err: fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))}
	}
	svg := out.String()
	if i := strings.Index(svg, "<svg"); i >= 0 {
		svg = svg[i:]
	}
	// Graphviz escapes every label and attribute it writes; the table
	// names come from the database, not from the request.
	return template.HTML(svg), nil
}

// completionColor is the fill of a table f populated: red at 0, amber
// half-way, green at 1, half transparent.
func completionColor(f float64) string {
	r, g := 230.0, 60+160*f*2
	if f > 0.5 {
		r, g = 230-190*(f-0.5)*2, 220
	}
	if f >= 1 {
		r, g = 40, 180
	}
	return fmt.Sprintf("#%02X%02X%02XA0", int(r), int(math.Min(g, 220)), 60)
}

// dotQuote quotes a DOT string.
func dotQuote(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}
