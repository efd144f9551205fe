package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/datajoint-go/datajoint/dj"
)

func init() {
	commands["jobs"] = command{
		summary: "populate reservations and errors (~jobs) and the job queue (~queue) of a schema",
		run:     runJobs,
	}
}

const jobsUsage = `usage:
	dj jobs list   --schema S [--table T]             reservations, errors and ignored keys per table
	dj jobs errors --schema S [--table T]             the error jobs with their messages
	dj jobs show   --schema S [--table T] [--hash H]  error messages and stacks in full
	dj jobs clear  --schema S [--table T] [--hash H] [--status error|reserved|ignore|all]
	                                                  delete jobs (default: errors only)

Every subcommand takes --json for scripts. An unknown schema or table is an
error (exit 1).

T is the bare table name ("__filtered") or its class name ("Filtered").
The connection comes from --host and --user, DJ_HOST, DJ_USER, DJ_PASS or
dj_local_conf.json ("dj help" says more).
Clearing error jobs lets the next populate retry those keys. Reservations of
dead workers are reclaimed by populate itself; clearing live reservations
lets another worker start a key that is being made.
` + jobsQueueUsage

// runJobs implements "dj jobs".
func runJobs(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	if err := subcommandUsage(args, jobsUsage, stdout, stderr); err != nil {
		return err
	}
	sub := args[0]
	if queueSubcommands[sub] {
		return runJobsQueue(ctx, sub, args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("dj jobs "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, jobsUsage) }
	schemaName := fs.String("schema", "", "schema (database) name")
	table := fs.String("table", "", "table name or class name")
	hash := fs.String("hash", "", "key_hash of one job")
	status := fs.String("status", dj.JobError, "status to clear: error, reserved, ignore or all")
	asJSON := fs.Bool("json", false, "write JSON for scripts")
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
	c, s, tableName, err := openSchemaTable(ctx, *schemaName, *table)
	if err != nil {
		return err
	}
	defer c.Close()
	jobs := s.Jobs()
	switch sub {
	case "list":
		return jobsList(ctx, jobs, tableName, *asJSON, stdout)
	case "errors":
		list, err := jobs.List(ctx, dj.JobFilter{Table: tableName, Status: dj.JobError, Hash: *hash})
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(stdout, jobsJSON(list))
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
		if *asJSON {
			return writeJSON(stdout, jobsJSON(list))
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
		if *asJSON {
			return writeJSON(stdout, struct {
				Deleted int64 `json:"deleted"`
			}{int64(n)})
		}
		fmt.Fprintf(stdout, "deleted %d jobs\n", n)
		return nil
	}
	fmt.Fprintf(stderr, "dj jobs: unknown subcommand %q\n", sub)
	fmt.Fprint(stderr, jobsUsage)
	return errUsage
}

// jobsList prints the counts per table and the reservations.
func jobsList(ctx context.Context, jobs *dj.Jobs, table string, asJSON bool, w io.Writer) error {
	sum, err := jobs.Summary(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		res, err := jobs.Reserved(ctx, table)
		if err != nil {
			return err
		}
		out := struct {
			Tables       []jobSummaryJSON `json:"tables"`
			Reservations []jobJSON        `json:"reservations"`
		}{Tables: []jobSummaryJSON{}, Reservations: jobsJSON(res)}
		for _, s := range sum {
			if table == "" || s.Table == table {
				out.Tables = append(out.Tables, jobSummaryJSON{s.Table, s.Reserved, s.Errors, s.Ignored})
			}
		}
		return writeJSON(w, out)
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

// jobSummaryJSON is one table's line of "dj jobs list --json".
type jobSummaryJSON struct {
	Table    string `json:"table"`
	Reserved int64  `json:"reserved"`
	Errors   int64  `json:"errors"`
	Ignored  int64  `json:"ignored"`
}

// jobJSON is one job in the JSON output of "dj jobs", with the column
// names of ~jobs.
type jobJSON struct {
	Table        string    `json:"table_name"`
	KeyHash      string    `json:"key_hash"`
	Status       string    `json:"status"`
	Key          dj.Key    `json:"key"`
	ErrorMessage string    `json:"error_message,omitempty"`
	ErrorStack   string    `json:"error_stack,omitempty"`
	User         string    `json:"user"`
	Host         string    `json:"host"`
	PID          int64     `json:"pid"`
	ConnectionID int64     `json:"connection_id"`
	Timestamp    time.Time `json:"timestamp"`
}

func jobsJSON(list []dj.Job) []jobJSON {
	out := make([]jobJSON, len(list))
	for i, j := range list {
		out[i] = jobJSON{j.TableName, j.KeyHash, j.Status, j.Key, j.ErrorMessage, j.ErrorStack, j.User, j.Host, j.PID, j.ConnectionID, j.Timestamp}
	}
	return out
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
