package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/datajoint-go/datajoint/dj"
)

func init() {
	commands["jobs"] = command{
		summary: "list, show and clear the populate reservations and errors of a schema (~jobs)",
		run:     runJobs,
	}
}

const jobsUsage = `usage:
	dj jobs list   --schema S [--table T]             reservations, errors and ignored keys per table
	dj jobs errors --schema S [--table T]             the error jobs with their messages
	dj jobs show   --schema S [--table T] [--hash H]  error messages and stacks in full
	dj jobs clear  --schema S [--table T] [--hash H] [--status error|reserved|ignore|all]
	                                                  delete jobs (default: errors only)

T is the bare table name ("__filtered") or its class name ("Filtered").
The connection comes from dj_local_conf.json or DJ_HOST, DJ_USER, DJ_PASS.
Clearing error jobs lets the next populate retry those keys. Reservations of
dead workers are reclaimed by populate itself; clearing live reservations
lets another worker start a key that is being made.
`

// runJobs implements "dj jobs".
func runJobs(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, jobsUsage)
		if len(args) == 0 {
			return errUsage
		}
		return flag.ErrHelp
	}
	sub := args[0]
	fs := flag.NewFlagSet("dj jobs "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, jobsUsage) }
	schemaName := fs.String("schema", "", "schema (database) name")
	table := fs.String("table", "", "table name or class name")
	hash := fs.String("hash", "", "key_hash of one job")
	status := fs.String("status", dj.JobError, "status to clear: error, reserved, ignore or all")
	if err := fs.Parse(args[1:]); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return errUsage
	}
	if *schemaName == "" || fs.NArg() != 0 {
		fmt.Fprint(stderr, jobsUsage)
		return errUsage
	}
	c, s, err := openSchema(ctx, "", *schemaName)
	if err != nil {
		return err
	}
	defer c.Close()
	tableName := *table
	if tableName != "" && !strings.HasPrefix(tableName, "_") && !strings.HasPrefix(tableName, "#") {
		if t, err := s.Table(ctx, tableName); err == nil {
			tableName = t.Name()
		}
	}
	jobs := s.Jobs()
	switch sub {
	case "list":
		return jobsList(ctx, jobs, tableName, stdout)
	case "errors":
		list, err := jobs.List(ctx, dj.JobFilter{Table: tableName, Status: dj.JobError, Hash: *hash})
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TABLE\tKEY_HASH\tKEY\tHOST\tPID\tTIME\tMESSAGE")
		for _, j := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", j.TableName, j.KeyHash, formatKey(j.Key), j.Host, j.PID,
				j.Timestamp.Format("2006-01-02 15:04:05"), firstLine(j.ErrorMessage))
		}
		return tw.Flush()
	case "show":
		list, err := jobs.List(ctx, dj.JobFilter{Table: tableName, Status: dj.JobError, Hash: *hash})
		if err != nil {
			return err
		}
		for i, j := range list {
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			fmt.Fprintf(stdout, "table:      %s\nkey_hash:   %s\nkey:        %s\nworker:     %s@%s pid %d connection %d\ntime:       %s\nmessage:    %s\nstack:\n%s\n",
				j.TableName, j.KeyHash, formatKey(j.Key), j.User, j.Host, j.PID, j.ConnectionID,
				j.Timestamp.Format("2006-01-02 15:04:05"), j.ErrorMessage, j.ErrorStack)
		}
		return nil
	case "clear":
		f := dj.JobFilter{Table: tableName, Hash: *hash}
		switch *status {
		case "all":
		case dj.JobError, dj.JobReserved, dj.JobIgnore:
			f.Status = *status
		default:
			fmt.Fprintf(stderr, "dj jobs clear: unknown status %q\n", *status)
			return errUsage
		}
		n, err := jobs.Clear(ctx, f)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "deleted %d jobs\n", n)
		return nil
	}
	fmt.Fprintf(stderr, "dj jobs: unknown subcommand %q\n", sub)
	fmt.Fprint(stderr, jobsUsage)
	return errUsage
}

// jobsList prints the counts per table and the reservations.
func jobsList(ctx context.Context, jobs *dj.Jobs, table string, w io.Writer) error {
	sum, err := jobs.Summary(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tRESERVED\tERRORS\tIGNORED")
	for _, s := range sum {
		if table != "" && s.Table != table {
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\n", s.Table, s.Reserved, s.Errors, s.Ignored)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	res, err := jobs.Reserved(ctx, table)
	if err != nil {
		return err
	}
	if len(res) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nreservations:")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tKEY_HASH\tKEY\tWORKER\tCONNECTION\tSINCE")
	for _, j := range res {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s@%s pid %d\t%d\t%s\n", j.TableName, j.KeyHash, formatKey(j.Key), j.User, j.Host, j.PID,
			j.ConnectionID, j.Timestamp.Format("2006-01-02 15:04:05"))
	}
	return tw.Flush()
}

// formatKey prints a key as name=value pairs in name order.
func formatKey(k dj.Key) string {
	if k == nil {
		return "-"
	}
	names := make([]string, 0, len(k))
	for n := range k {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s=%v", n, k[n])
	}
	return strings.Join(parts, " ")
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
