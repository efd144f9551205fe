package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/datajoint-go/datajoint/dj"
)

func init() {
	commands["external"] = command{
		summary: "remove the objects of an object store that no tracking row names (sweep)",
		run:     runExternal,
	}
}

const externalUsage = `usage:
	dj external sweep --schema S --store NAME [--grace 24h] [--dry-run] [--config FILE] [--json]

sweep lists the store under <location>/<schema>/ and removes the blob and
attachment objects that no row of the schema's ~external_<store> table names
and that are older than the grace period: uploads of inserts that failed or
were killed. The grace period must exceed the longest running insert.
Filepath objects are never removed. --dry-run lists what would be removed.
The connection and the store come from dj_local_conf.json (or --config),
DJ_HOST, DJ_USER, DJ_PASS, and --host and --user ("dj help" says more).
`

// runExternal implements "dj external".
func runExternal(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	if err := subcommandUsage(args, externalUsage, stdout, stderr); err != nil {
		return err
	}
	if args[0] != "sweep" {
		fmt.Fprintf(stderr, "dj external: unknown subcommand %q\n", args[0])
		fmt.Fprint(stderr, externalUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("dj external sweep", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, externalUsage) }
	schemaName := fs.String("schema", "", "schema (database) name")
	store := fs.String("store", "", "store name")
	grace := fs.Duration("grace", dj.DefaultSweepGrace, "minimum age of an object to remove")
	dryRun := fs.Bool("dry-run", false, "list what would be removed, remove nothing")
	config := fs.String("config", "", "configuration file (default ./dj_local_conf.json)")
	asJSON := fs.Bool("json", false, "write the report as JSON")
	if err := fs.Parse(args[1:]); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return errUsage
	}
	if *schemaName == "" || *store == "" || *grace <= 0 || fs.NArg() != 0 {
		fmt.Fprint(stderr, externalUsage)
		return errUsage
	}
	c, s, err := openSchema(ctx, *config, *schemaName)
	if err != nil {
		return err
	}
	defer c.Close()
	rep, err := s.External(*store).Sweep(ctx, dj.SweepOptions{Grace: *grace, DryRun: *dryRun})
	if err != nil {
		return err
	}
	if *asJSON {
		if err := writeJSON(stdout, sweepJSON(rep)); err != nil {
			return err
		}
	} else if len(rep.Objects) > 0 {
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PATH\tSIZE\tMODIFIED")
		for _, o := range rep.Objects {
			fmt.Fprintf(tw, "%s\t%d\t%s\n", o.Path, o.Size, o.ModTime.UTC().Format(time.RFC3339))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if !*asJSON {
		fmt.Fprintln(stdout, rep)
	}
	for _, e := range rep.Errors {
		fmt.Fprintf(stderr, "dj external sweep: %v\n", e)
	}
	if len(rep.Errors) > 0 {
		return fmt.Errorf("%d objects could not be removed", len(rep.Errors))
	}
	return nil
}

// sweepReportJSON is the output of "dj external sweep --json".
type sweepReportJSON struct {
	DryRun  bool              `json:"dry_run"`
	Listed  int               `json:"listed"`
	Tracked int               `json:"tracked"`
	Young   int               `json:"young"`
	Foreign []string          `json:"foreign"`
	Objects []sweptObjectJSON `json:"objects"`
	Bytes   int64             `json:"bytes"`
	Errors  []string          `json:"errors"`
}

type sweptObjectJSON struct {
	Key     string    `json:"key"`
	Path    string    `json:"path"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"modified"`
}

func sweepJSON(r dj.SweepReport) sweepReportJSON {
	out := sweepReportJSON{DryRun: r.DryRun, Listed: r.Listed, Tracked: r.Tracked, Young: r.Young,
		Foreign: append([]string{}, r.Foreign...), Objects: []sweptObjectJSON{}, Bytes: r.Bytes, Errors: []string{}}
	for _, o := range r.Objects {
		out.Objects = append(out.Objects, sweptObjectJSON{o.Key, o.Path, o.Size, o.ModTime.UTC()})
	}
	for _, e := range r.Errors {
		out.Errors = append(out.Errors, e.Error())
	}
	return out
}
