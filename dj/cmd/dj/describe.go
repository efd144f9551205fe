package main

import (
	"context"
	"fmt"
	"io"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/inspect"
)

func init() {
	commands["describe"] = command{
		summary: "print the DataJoint definition of a table (or its Go struct with --go)",
		run:     runDescribe,
	}
}

const describeUsage = `usage: dj describe SCHEMA[.Class] [--go] [--json]

Prints the DataJoint definition of a table as DataJoint for Python's
describe() prints it, or of every table of the schema, in dependency order,
each after a "== Class (Tier) ==" line. Class is the class name ("Session",
"Analysis.Unit") or the MySQL table name. --go prints the Go structs that
"dj gen" writes for the table instead.
`

// described is one table in the JSON output of dj describe.
type described struct {
	Class      string `json:"class"`
	Table      string `json:"table"`
	Tier       string `json:"tier"`
	Definition string `json:"definition,omitempty"`
	Go         string `json:"go,omitempty"`
}

func runDescribe(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs, asJSON := inspectFlags("describe", describeUsage, stderr)
	goCode := fs.Bool("go", false, "print the Go struct instead")
	pos, err := parseArgs(fs, args, describeUsage, stdout, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprint(stderr, describeUsage)
		return errUsage
	}
	schemaName, class := splitTarget(pos[0])
	c, s, err := openSchema(ctx, "", schemaName)
	if err != nil {
		return err
	}
	defer c.Close()
	var tables []*dj.Table
	if class != "" {
		t, err := s.Table(ctx, class)
		if err != nil {
			return err
		}
		tables = []*dj.Table{t}
	} else {
		infos, err := inspect.Tables(ctx, s, false)
		if err != nil {
			return err
		}
		for _, ti := range infos {
			t, err := s.Table(ctx, ti.Name)
			if err != nil {
				return err
			}
			tables = append(tables, t)
		}
	}
	var out []described
	for _, t := range tables {
		d := described{Class: inspect.ClassPath(t.Name()), Table: t.Name(), Tier: t.Tier().String()}
		if *goCode {
			d.Go, err = inspect.GoStruct(ctx, t)
		} else {
			d.Definition, err = inspect.Describe(ctx, t)
		}
		if err != nil {
			return err
		}
		out = append(out, d)
	}
	if *asJSON {
		return writeJSON(stdout, out)
	}
	for i, d := range out {
		if class == "" {
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			fmt.Fprintf(stdout, "== %s (%s) ==\n", d.Class, d.Tier)
		}
		fmt.Fprint(stdout, d.Definition+d.Go)
	}
	return nil
}
