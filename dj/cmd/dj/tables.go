package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/datajoint-go/datajoint/dj/inspect"
)

func init() {
	commands["tables"] = command{
		summary: "list the tables of a schema: class, tier, MySQL name, rows, comment",
		run:     runTables,
	}
}

const tablesUsage = `usage: dj tables SCHEMA [--all] [--json]

Lists the tables of a schema in dependency order: DataJoint class name
("Master.Part" for parts), tier, MySQL table name, row count and comment.
--all adds the hidden tables (~jobs, ~log, ~external_<store>).
`

func runTables(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs, asJSON := inspectFlags("tables", tablesUsage, stderr)
	all := fs.Bool("all", false, "include hidden tables")
	pos, err := parseArgs(fs, args, tablesUsage, stdout, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprint(stderr, tablesUsage)
		return errUsage
	}
	c, s, err := openSchema(ctx, "", pos[0])
	if err != nil {
		return err
	}
	defer c.Close()
	list, err := inspect.Tables(ctx, s, *all)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, list)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CLASS\tTIER\tTABLE\tROWS\tCOMMENT")
	for _, t := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", t.Class, t.Tier, t.Name, t.Rows, t.Comment)
	}
	return tw.Flush()
}
