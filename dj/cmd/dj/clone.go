package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/schema"
	"github.com/datajoint-go/datajoint/dj/share"
)

func init() {
	commands["clone"] = command{
		summary: "copy schemas, or the closure of restrictions, with their objects",
		run:     runClone,
	}
}

const cloneUsage = `usage: dj clone --from SCHEMA --to SCHEMA [--from SCHEMA --to SCHEMA ...]
                [--where 'Table: condition' ...] [--config FILE] [--to-config FILE]
                [--dry-run] [--json]

Copies the schemas named by --from into the schemas named by the --to
that follows each, creating them and their tables with the same
definitions. Without --where, every row is copied. Each --where restricts
one table, named by class ("Subject", "Scan.Channel") or table name,
optionally prefixed by its schema ("lab.Subject"; the first --from
otherwise), with an SQL condition; the rows copied are then the
restricted rows, everything downstream of them, every row they reference,
and the contents of Lookup tables. External objects are copied to the
destination's store of the same name, skipping those already there.
A clone that was interrupted completes when run again.

--config and --to-config name the dj_local_conf.json of the source and of
the destination (server and stores); the destination defaults to the
source. --dry-run prints the rows per table and the objects that would be
copied.
`

// pairs collects repeated string flags.
type pairs []string

func (p *pairs) String() string     { return strings.Join(*p, ",") }
func (p *pairs) Set(s string) error { *p = append(*p, s); return nil }

func runClone(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs, asJSON := inspectFlags("clone", cloneUsage, stderr)
	var from, to, where pairs
	fs.Var(&from, "from", "source schema (repeatable)")
	fs.Var(&to, "to", "destination schema of the preceding --from (repeatable)")
	fs.Var(&where, "where", "'Table: condition' restricting a table (repeatable)")
	config := fs.String("config", "", "dj_local_conf.json of the source")
	toConfig := fs.String("to-config", "", "dj_local_conf.json of the destination (default: the source)")
	dryRun := fs.Bool("dry-run", false, "print what would be copied")
	pos, err := parseArgs(fs, args, cloneUsage, stdout, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 0 || len(from) == 0 || len(from) != len(to) {
		fmt.Fprint(stderr, cloneUsage)
		return errUsage
	}
	rename := map[string]string{}
	for i := range from {
		rename[from[i]] = to[i]
	}
	src, err := connectWith(ctx, *config)
	if err != nil {
		return err
	}
	defer src.Close()
	var seeds []share.Seed
	for _, w := range where {
		s, err := whereSeed(ctx, src, from[0], w)
		if err != nil {
			fmt.Fprintf(stderr, "dj clone: %v\n", err)
			return errUsage
		}
		seeds = append(seeds, s)
	}
	if *dryRun {
		if len(seeds) == 0 {
			for _, db := range from {
				seeds = append(seeds, share.Schema(db))
			}
		}
		sub, err := share.Closure(ctx, src, seeds...)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(stdout, sub)
		}
		return printSubset(stdout, sub)
	}
	dst := src
	if *toConfig != "" {
		if dst, err = connectWith(ctx, *toConfig); err != nil {
			return err
		}
		defer dst.Close()
	}
	opts := share.CloneOptions{Rename: rename, Seeds: seeds}
	if !*asJSON {
		opts.Progress = progressPrinter(stderr, "copied")
	}
	res, err := share.Clone(ctx, src, dst, opts)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, res)
	}
	fmt.Fprintf(stdout, "cloned %d rows of %d tables (%d tables created), %d objects copied (%d bytes), %d already there\n",
		res.Subset.TotalRows(), len(res.Rows), len(res.Created), res.Objects, res.Bytes, res.Skipped)
	return nil
}

// connectWith connects with LoadConfig(path).
func connectWith(ctx context.Context, path string) (*dj.Conn, error) {
	cfg, err := dj.LoadConfig(path)
	if err != nil {
		return nil, err
	}
	return dj.Connect(ctx, cfg)
}

// whereSeed reads "[schema.]Table: condition", the table named by class
// or by table name, in schema db unless the name starts with a schema.
func whereSeed(ctx context.Context, c *dj.Conn, db, arg string) (share.Seed, error) {
	name, cond, ok := strings.Cut(arg, ":")
	name, cond = strings.TrimSpace(name), strings.TrimSpace(cond)
	if !ok || name == "" || cond == "" {
		return share.Seed{}, fmt.Errorf("--where %q: want 'Table: condition'", arg)
	}
	id, err := findTable(ctx, c, db, name)
	if err != nil {
		return share.Seed{}, err
	}
	if id.IsZero() {
		if d, rest, ok := strings.Cut(name, "."); ok {
			if id, err = findTable(ctx, c, d, rest); err != nil {
				return share.Seed{}, err
			}
		}
	}
	if id.IsZero() {
		return share.Seed{}, fmt.Errorf("--where %q: schema %s has no table %s", arg, db, name)
	}
	return share.Where(id, cond), nil
}

// findTable finds the table of db with the class or table name, or
// returns the zero TableID.
func findTable(ctx context.Context, c *dj.Conn, db, name string) (schema.TableID, error) {
	tables, err := schema.ListTables(ctx, c, db)
	if err != nil {
		return schema.TableID{}, err
	}
	for _, t := range tables {
		class := schema.ClassNameOf(t)
		if tier, master, ok := schema.ParseTableName(t); ok && tier == schema.Part {
			class = schema.ClassNameOf(master) + "." + class
		}
		if name == class || name == t {
			return schema.TableID{Database: db, Table: t}, nil
		}
	}
	return schema.TableID{}, nil
}

// printSubset writes the rows per table and the objects of a closure.
func printSubset(w io.Writer, sub *share.Subset) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tROWS\tALL")
	for _, r := range sub.Tables {
		if r.Rows > 0 {
			fmt.Fprintf(tw, "%s\t%d\t%v\n", r.Table, r.Rows, r.All)
		}
	}
	fmt.Fprintln(tw, "\nTRACKING\tOBJECTS\tBYTES")
	for _, o := range sub.Objects {
		fmt.Fprintf(tw, "%s\t%d\t%d\n", o.Tracking, o.Objects, o.Bytes)
	}
	return tw.Flush()
}

// progressPrinter writes the progress of a clone or an import to w, a
// line per table: rows, or for a tracking table the objects verb (copied,
// written), their bytes and those already there.
func progressPrinter(w io.Writer, verb string) func(share.Progress) {
	return func(p share.Progress) {
		if strings.HasPrefix(p.Table.Table, "~external_") && p.Rows == 0 {
			fmt.Fprintf(w, "%s: %d objects %s (%d bytes), %d already there\n", p.Table, p.Objects, verb, p.Bytes, p.Skipped)
			return
		}
		fmt.Fprintf(w, "%s: %d rows\n", p.Table, p.Rows)
	}
}
