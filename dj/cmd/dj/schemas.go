package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/inspect"
)

func init() {
	commands["schemas"] = command{
		summary: "list the schemas of the server, with their tables per tier",
		run:     runSchemas,
	}
}

const schemasUsage = `usage: dj schemas [--json]

Lists the databases that hold DataJoint tables, with the number of tables
of each tier (hidden: ~jobs, ~log, ~external_<store>).
The connection comes from --host and --user, DJ_HOST, DJ_USER, DJ_PASS or
dj_local_conf.json ("dj help" says more).
`

func runSchemas(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs, asJSON := inspectFlags("schemas", schemasUsage, stderr)
	pos, err := parseArgs(fs, args, schemasUsage, stdout, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		fmt.Fprint(stderr, schemasUsage)
		return errUsage
	}
	c, err := connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	list, err := inspect.Schemas(ctx, c)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, list)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SCHEMA\tTABLES\tMANUAL\tLOOKUP\tIMPORTED\tCOMPUTED\tPART\tHIDDEN")
	for _, s := range list {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", s.Name, s.Tables, s.Manual, s.Lookup, s.Imported, s.Computed, s.Part, s.Hidden)
	}
	return tw.Flush()
}

// inspectFlags makes the flag set of an inspection command, with --json.
func inspectFlags(name, usage string, stderr io.Writer) (*flag.FlagSet, *bool) {
	fs := flag.NewFlagSet("dj "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	return fs, fs.Bool("json", false, "write JSON for scripts")
}

// parseArgs parses flags placed anywhere among the arguments and returns
// the positional ones. -h prints the usage on stdout (flag.ErrHelp); a
// malformed command line is errUsage.
func parseArgs(fs *flag.FlagSet, args []string, usage string, stdout, stderr io.Writer) ([]string, error) {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "--help" || a == "-help" {
			fmt.Fprint(stdout, usage)
			return nil, flag.ErrHelp
		}
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if strings.HasPrefix(args[0], "-") && args[0] != "-" {
			return nil, errUsage
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// connect connects with the configuration of dj_local_conf.json and the
// DJ_* environment variables.
func connect(ctx context.Context) (*dj.Conn, error) { return connectConfig(ctx, "") }

// connectConfig connects with the configuration file at path ("" for
// DataJoint's usual files), the DJ_* environment variables and the
// connection flags.
func connectConfig(ctx context.Context, path string) (*dj.Conn, error) {
	cfg, err := loadConfig(ctx, path)
	if err != nil {
		return nil, err
	}
	return dj.Connect(ctx, cfg)
}

// splitTarget splits SCHEMA[.Class]: schema names hold no dots, class
// names of parts do ("lab.Analysis.Unit").
func splitTarget(s string) (schemaName, class string) {
	schemaName, class, _ = strings.Cut(s, ".")
	return schemaName, class
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
