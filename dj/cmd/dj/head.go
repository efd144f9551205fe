package main

import (
	"context"
	"fmt"
	"io"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/inspect"
)

func init() {
	commands["head"] = command{
		summary: "show the first rows of a table, blobs as shape and type",
		run:     runHead,
	}
}

const headUsage = `usage: dj head SCHEMA.Class [--where SQL] [--limit N] [--json]

Shows the first rows of a table as a text table, as DataJoint for Python
shows a query: primary-key columns marked *, blobs as their shape and type,
attachments by file name, external attributes by type, and the total count.
--where restricts the rows with an SQL condition ("subject_id > 3").
--json writes the columns, the rows (as shown), the total and whether more
rows follow.
`

func runHead(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs, asJSON := inspectFlags("head", headUsage, stderr)
	where := fs.String("where", "", "SQL condition")
	limit := fs.Int("limit", 12, "number of rows")
	pos, err := parseArgs(fs, args, headUsage, stdout, stderr)
	if err != nil {
		return err
	}
	schemaName, class := "", ""
	if len(pos) == 1 {
		schemaName, class = splitTarget(pos[0])
	}
	if class == "" || *limit < 1 {
		fmt.Fprint(stderr, headUsage)
		return errUsage
	}
	c, s, err := openSchema(ctx, "", schemaName)
	if err != nil {
		return err
	}
	defer c.Close()
	t, err := s.Table(ctx, class)
	if err != nil {
		return err
	}
	e := t.Expr()
	if *where != "" {
		e = e.Restrict(dj.Where(*where))
	}
	opts := inspect.PreviewOptions{Limit: *limit}
	if *asJSON {
		rows, err := inspect.PreviewRows(ctx, c, e, opts)
		if err != nil {
			return err
		}
		return writeJSON(stdout, rows)
	}
	text, err := inspect.Preview(ctx, c, e, opts)
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(stdout, text)
	return err
}
