package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/datajoint-go/datajoint/dj/external"
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
                 [--store NAME] [--json] PATH

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

With --store, PATH is a key ending in .tar in the object store NAME of
--config: the archive is written to a temporary directory and published
there with a copy of its manifest beside it, from which dj releases
--store lists it and dj import --store loads it.
`

func runExport(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs, asJSON := inspectFlags("export", exportUsage, stderr)
	var schemas, where pairs
	fs.Var(&schemas, "schema", "schema to export (repeatable)")
	fs.Var(&where, "where", "'Table: condition' restricting a table (repeatable)")
	version := fs.String("version", "", "the release's version")
	name := fs.String("name", "", "the release's name (default: the first schema)")
	store := fs.String("store", "", "publish the archive to this store under the key PATH")
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
	file := pos[0]
	var st external.Store
	if *store != "" {
		if !strings.HasSuffix(file, ".tar") {
			fmt.Fprintf(stderr, "dj export: --store: the key %q must end in .tar\n", file)
			return errUsage
		}
		if st, err = openConfigStore(*config, *store); err != nil {
			return err
		}
		tmp, err := os.MkdirTemp("", "dj-export-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		file = filepath.Join(tmp, path.Base(pos[0]))
	}
	if _, err := share.Export(ctx, c, file, opts); err != nil {
		return err
	}
	r, err := share.ReadRelease(file)
	if err != nil {
		return err
	}
	if st != nil {
		if _, err := share.PublishRelease(ctx, st, file, pos[0]); err != nil {
			return err
		}
		r.Path = *store + ":" + pos[0]
	}
	if *asJSON {
		return writeJSON(stdout, r)
	}
	fmt.Fprintf(stdout, "exported %s %s: %d rows of %d tables, %d objects, %d bytes, to %s\n", r.Name, r.Version, r.Rows, r.Tables, r.Objects, r.Size, r.Path)
	return nil
}
