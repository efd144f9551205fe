package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/datajoint-go/datajoint/dj/share"
)

func init() {
	commands["export"] = command{
		summary: "write a release archive of schemas, or of the closure of restrictions",
		run:     runExport,
	}
}

const exportUsage = `usage: dj export --version VERSION --schema SCHEMA [--schema SCHEMA ...]
                 [--where 'Table: condition' ...] [--name NAME] [--config FILE]
                 [--json] PATH

Writes a release archive to PATH: a single file when PATH ends in .tar,
else a directory; PATH must not exist. Without --where, the schemas are
exported whole. Each --where restricts one table, named by class
("Subject", "Scan.Channel") or table name, optionally prefixed by its
schema ("lab.Subject"; the first --schema otherwise), with an SQL
condition; the rows exported are then the restricted rows, everything
downstream of them, every row they reference, and the contents of Lookup
tables, with the external objects they use, read from the stores of
--config (dj_local_conf.json by default).

The archive holds a manifest (release name and version, source, creation
time, every table's CREATE TABLE statement and row count, and the SHA-256
of every member), the rows of each table compressed with zstd, and the
objects by content hash. dj import loads it; dj releases lists releases.
`

func runExport(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs, asJSON := inspectFlags("export", exportUsage, stderr)
	var schemas, where pairs
	fs.Var(&schemas, "schema", "schema to export (repeatable)")
	fs.Var(&where, "where", "'Table: condition' restricting a table (repeatable)")
	version := fs.String("version", "", "the release's version")
	name := fs.String("name", "", "the release's name (default: the first schema)")
	config := fs.String("config", "", "dj_local_conf.json of the source")
	pos, err := parseArgs(fs, args, exportUsage, stdout, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 1 || len(schemas) == 0 || *version == "" {
		fmt.Fprint(stderr, exportUsage)
		return errUsage
	}
	c, err := connectConfig(ctx, *config)
	if err != nil {
		return err
	}
	defer c.Close()
	opts := share.ExportOptions{Version: *version, Name: *name, Databases: schemas}
	for _, w := range where {
		s, err := whereSeed(ctx, c, schemas[0], w)
		if err != nil {
			fmt.Fprintf(stderr, "dj export: %v\n", err)
			return errUsage
		}
		opts.Seeds = append(opts.Seeds, s)
	}
	if !*asJSON {
		opts.Progress = func(p share.Progress) {
			if strings.HasPrefix(p.Table.Table, "~external_") && p.Objects > 0 {
				fmt.Fprintf(stderr, "%s: %d objects (%d bytes)\n", p.Table, p.Objects, p.Bytes)
			}
			if p.Rows > 0 {
				fmt.Fprintf(stderr, "%s: %d rows\n", p.Table, p.Rows)
			}
		}
	}
	if _, err := share.Export(ctx, c, pos[0], opts); err != nil {
		return err
	}
	r, err := share.ReadRelease(pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, r)
	}
	fmt.Fprintf(stdout, "exported %s %s: %d rows of %d tables, %d objects, %d bytes, to %s\n", r.Name, r.Version, r.Rows, r.Tables, r.Objects, r.Size, r.Path)
	return nil
}
