package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"

	"github.com/datajoint-go/datajoint/dj"
)

// jobsQueueUsage is the part of "dj jobs" that works on the job queue.
const jobsQueueUsage = `
The job queue (~queue; workers use it with dj.UseQueue):
	dj jobs refresh  SCHEMA[.Table] [--priority N] [--retention D]
	                                 queue the missing keys of the auto-populated tables;
	                                 purge made keys older than D (default 24h, 0 keeps)
	dj jobs status   SCHEMA[.Table] [--window D]
	                                 per table: pending, running (reserved by workers),
	                                 done in the window (default 1h), errors, mean and
	                                 p95 make duration, throughput and ETA
	dj jobs requeue  SCHEMA[.Table] [--hash H]
	                                 make failed keys pending again (and clear their
	                                 ~jobs errors)
	dj jobs priority SCHEMA.Table --set N [--hash H]
	                                 set the priority of a table's keys (higher first)

SCHEMA[.Table] may also be given as --schema S [--table T].
`

// queueSubcommands are the "dj jobs" subcommands of jobs_queue.go.
var queueSubcommands = map[string]bool{"refresh": true, "status": true, "requeue": true, "priority": true}

// runJobsQueue implements "dj jobs refresh|status|requeue|priority".
func runJobsQueue(ctx context.Context, sub string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dj jobs "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, jobsUsage) }
	schemaName := fs.String("schema", "", "schema (database) name")
	table := fs.String("table", "", "table name or class name")
	hash := fs.String("hash", "", "key_hash of one key")
	asJSON := fs.Bool("json", false, "write JSON for scripts")
	window := fs.Duration("window", time.Hour, "status: the span of recent work")
	priority := fs.Int("priority", 0, "refresh: priority of the keys it adds")
	retention := fs.Duration("retention", dj.DefaultQueueRetention, "refresh: keep the rows of made keys this long")
	set := fs.String("set", "", "priority: the new priority")
	// Flags may follow the positional SCHEMA[.Table].
	pos, err := parseArgs(fs, args, jobsUsage, stdout, stderr)
	if err != nil {
		return err
	}
	if len(pos) > 1 || (len(pos) == 1 && *schemaName != "") {
		fmt.Fprint(stderr, jobsUsage)
		return errUsage
	}
	if len(pos) == 1 {
		s, t := splitTarget(pos[0])
		*schemaName = s
		if t != "" {
			if *table != "" {
				fmt.Fprint(stderr, jobsUsage)
				return errUsage
			}
			*table = t
		}
	}
	if *schemaName == "" {
		fmt.Fprint(stderr, jobsUsage)
		return errUsage
	}
	var newPriority int
	if sub == "priority" {
		if *table == "" || *set == "" {
			fmt.Fprintf(stderr, "dj jobs priority: give the table and --set N\n")
			return errUsage
		}
		n, err := fmt.Sscan(*set, &newPriority)
		if err != nil || n != 1 {
			fmt.Fprintf(stderr, "dj jobs priority: --set %q is not an integer\n", *set)
			return errUsage
		}
	}
	c, s, tableName, err := openSchemaTable(ctx, *schemaName, *table)
	if err != nil {
		return err
	}
	defer c.Close()
	q := s.Queue()
	switch sub {
	case "refresh":
		o := dj.RefreshOptions{Priority: *priority, Retention: *retention}
		if o.Retention == 0 {
			o.Retention = -1
		}
		if tableName != "" {
			o.Tables = []string{tableName}
		}
		res, err := q.Refresh(ctx, o)
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]refreshJSON, len(res))
			for i, r := range res {
				out[i] = refreshJSON{r.Table, r.Pending, r.Queued, r.Dropped, r.Purged, r.Elapsed.Seconds()}
			}
			return writeJSON(stdout, out)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TABLE\tPENDING\tQUEUED\tDROPPED\tPURGED\tELAPSED")
		for _, r := range res {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\n", r.Table, r.Pending, r.Queued, r.Dropped, r.Purged, r.Elapsed.Round(time.Millisecond))
		}
		return tw.Flush()
	case "status":
		return jobsStatus(ctx, q, s.Name(), tableName, *window, *asJSON, stdout)
	case "requeue":
		n, err := q.Requeue(ctx, dj.QueueFilter{Table: tableName, Hash: *hash})
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(stdout, struct {
				Requeued int64 `json:"requeued"`
			}{n})
		}
		fmt.Fprintf(stdout, "requeued %d keys\n", n)
		return nil
	default: // priority
		n, err := q.SetPriority(ctx, dj.QueueFilter{Table: tableName, Hash: *hash}, newPriority)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(stdout, struct {
				Priority int   `json:"priority"`
				Changed  int64 `json:"changed"`
			}{newPriority, n})
		}
		fmt.Fprintf(stdout, "priority %d set on %d keys\n", newPriority, n)
		return nil
	}
}

// refreshJSON is one table of "dj jobs refresh --json".
type refreshJSON struct {
	Table          string  `json:"table"`
	Pending        int64   `json:"pending"`
	Queued         int64   `json:"queued"`
	Dropped        int64   `json:"dropped"`
	Purged         int64   `json:"purged"`
	ElapsedSeconds float64 `json:"elapsed_seconds"`
}

// statusJSON is one table of "dj jobs status --json".
type statusJSON struct {
	Table            string   `json:"table"`
	Pending          int64    `json:"pending"`
	Running          int64    `json:"running"`
	Done             int64    `json:"done"`
	DoneRecent       int64    `json:"done_recent"`
	Errors           int64    `json:"errors"`
	MeanSeconds      float64  `json:"mean_seconds"`
	P95Seconds       float64  `json:"p95_seconds"`
	PerSecond        float64  `json:"per_second"`
	ETASeconds       *float64 `json:"eta_seconds"`
	RefreshedSeconds *float64 `json:"refreshed_seconds_ago"`
}

// jobsStatus prints the queue's state per table.
func jobsStatus(ctx context.Context, q *dj.Queue, schemaName, table string, window time.Duration, asJSON bool, w io.Writer) error {
	list, err := q.Status(ctx, window)
	if err != nil {
		return err
	}
	var sel []dj.QueueStatus
	for _, s := range list {
		if table == "" || s.Table == table {
			sel = append(sel, s)
		}
	}
	if asJSON {
		out := struct {
			Schema        string       `json:"schema"`
			WindowSeconds float64      `json:"window_seconds"`
			Tables        []statusJSON `json:"tables"`
		}{schemaName, window.Seconds(), []statusJSON{}}
		for _, s := range sel {
			j := statusJSON{Table: s.Table, Pending: s.Pending, Running: s.Running, Done: s.Done, DoneRecent: s.DoneRecent,
				Errors: s.Errors, MeanSeconds: round3(s.Mean.Seconds()), P95Seconds: round3(s.P95.Seconds()), PerSecond: round3(s.PerSecond)}
			if s.PerSecond > 0 {
				eta := round3(s.ETA.Seconds())
				j.ETASeconds = &eta
			}
			if s.Refreshed >= 0 {
				r := round3(s.Refreshed.Seconds())
				j.RefreshedSeconds = &r
			}
			out.Tables = append(out.Tables, j)
		}
		return writeJSON(w, out)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "TABLE\tPENDING\tRUNNING\tDONE(%s)\tERRORS\tMEAN\tP95\tRATE\tETA\tREFRESHED\n", shortDuration(window))
	for _, s := range sel {
		rate, eta, refreshed := "-", "-", "never"
		if s.PerSecond > 0 {
			rate, eta = fmt.Sprintf("%.1f/s", s.PerSecond), shortDuration(s.ETA)
		}
		if s.Refreshed >= 0 {
			refreshed = shortDuration(s.Refreshed) + " ago"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\n", s.Table, s.Pending, s.Running, s.DoneRecent, s.Errors,
			seconds3(s.Mean), seconds3(s.P95), rate, eta, refreshed)
	}
	return tw.Flush()
}

// round3 rounds to three decimals, for JSON.
func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// seconds3 prints a duration in seconds with three decimals ("-" for 0).
func seconds3(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.3fs", d.Seconds())
}

// shortDuration prints a duration rounded to what a reader needs: "45s",
// "12m30s", "3h5m".
func shortDuration(d time.Duration) string {
	switch {
	case d >= time.Hour:
		d = d.Round(time.Minute)
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh%dm", h, m)
	case d >= time.Minute:
		return d.Round(time.Second).String()
	case d >= time.Second:
		return d.Round(time.Second).String()
	}
	return d.Round(time.Millisecond).String()
}
