package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/datajoint-go/datajoint/dj/inspect"
)

func init() {
	commands["diagram"] = command{
		summary: "draw the dependency diagram of a schema (DOT, SVG or PNG)",
		run:     runDiagram,
	}
}

const diagramUsage = `usage: dj diagram SCHEMA[.Class] [--up N] [--down N] [-o FILE.{dot,svg,png}] [--json]

Draws the dependency graph of a schema, or of one table with N levels of
parents (--up) and children (--down), in DataJoint's visual language, with
tables of other schemas that reference it or that it references. Without
-o the DOT text goes to stdout. SVG and PNG need Graphviz's dot program
(Debian: apt-get install graphviz). --json writes the nodes and edges.
`

func runDiagram(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs, asJSON := inspectFlags("diagram", diagramUsage, stderr)
	up := fs.Int("up", 0, "levels of parents")
	down := fs.Int("down", 0, "levels of children")
	out := fs.String("o", "", "output file (.dot, .svg or .png)")
	pos, err := parseArgs(fs, args, diagramUsage, stdout, stderr)
	if err != nil {
		return err
	}
	format := strings.TrimPrefix(filepath.Ext(*out), ".")
	if len(pos) != 1 || *up < 0 || *down < 0 || (*out != "" && format != "dot" && format != "svg" && format != "png") {
		fmt.Fprint(stderr, diagramUsage)
		return errUsage
	}
	schemaName, class := splitTarget(pos[0])
	c, s, err := openSchema(ctx, "", schemaName)
	if err != nil {
		return err
	}
	defer c.Close()
	opts := inspect.DiagramOptions{Up: *up, Down: *down}
	if class != "" {
		opts.Tables = []string{class}
	}
	d, err := inspect.NewDiagram(ctx, s, opts)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, map[string]any{"nodes": d.Nodes(), "edges": d.Edges()})
	}
	var data []byte
	switch format {
	case "", "dot":
		data = []byte(d.DOT())
	default:
		if data, err = d.Render(ctx, format); err != nil {
			return err
		}
	}
	if *out == "" {
		_, err = stdout.Write(data)
		return err
	}
	return os.WriteFile(*out, data, 0o644)
}
