package main

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// TestJobsQueueCommands fills the queue with "dj jobs refresh", makes the
// keys with a queue populate (one fails), and checks "dj jobs status" in
// text and JSON, "dj jobs requeue" and "dj jobs priority", their help and
// their unknown-name errors.
func TestJobsQueueCommands(t *testing.T) {
	srv := testenv.MySQL(t)
	name := testenv.Database(t)
	setServerEnv(t, srv)
	ctx := context.Background()
	c := serverConn(t, srv)
	s, err := c.Schema(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Declare(ctx, CliSource{}, CliResult{}); err != nil {
		t.Fatal(err)
	}
	if err := dj.Insert(ctx, c, []CliSource{{ID: 1}, {ID: 2}, {ID: 3}, {ID: 4}, {ID: 5}}); err != nil {
		t.Fatal(err)
	}
	ok := func(args ...string) string {
		t.Helper()
		code, out, errOut := cli(append([]string{"jobs"}, args...)...)
		if code != 0 {
			t.Fatalf("dj jobs %v: exit %d\n%s", args, code, errOut)
		}
		return out
	}
	table := "__cli_result"
	if out := ok("refresh", name); !strings.Contains(out, table) || !strings.Contains(out, "PENDING") || !strings.Contains(strings.Fields(strings.Split(out, "\n")[1])[1], "5") {
		t.Fatalf("refresh:\n%s", out)
	}
	var st struct {
		Schema string `json:"schema"`
		Tables []struct {
			Table      string   `json:"table"`
			Pending    int64    `json:"pending"`
			DoneRecent int64    `json:"done_recent"`
			Errors     int64    `json:"errors"`
			PerSecond  float64  `json:"per_second"`
			ETA        *float64 `json:"eta_seconds"`
			Refreshed  *float64 `json:"refreshed_seconds_ago"`
		} `json:"tables"`
	}
	if err := json.Unmarshal([]byte(ok("status", "--json", name)), &st); err != nil {
		t.Fatal(err)
	}
	if st.Schema != name || len(st.Tables) != 1 || st.Tables[0].Table != table || st.Tables[0].Pending != 5 || st.Tables[0].Refreshed == nil || st.Tables[0].ETA != nil {
		t.Fatalf("status --json before populate: %+v", st)
	}
	res, err := dj.PopulateFunc(ctx, c, func(ctx context.Context, tx *dj.Tx, r *CliResult) error {
		if r.ID == 2 {
			return errors.New("no data for key 2")
		}
		return dj.Insert1(ctx, tx, *r)
	}, dj.UseQueue(), dj.SuppressErrors())
	if err != nil || res.Made != 4 || len(res.Errors) != 1 {
		t.Fatalf("populate: %+v %v", res, err)
	}
	out := ok("status", name+".CliResult")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "TABLE") || !strings.Contains(lines[0], "P95") || !strings.Contains(lines[0], "ETA") {
		t.Fatalf("status:\n%s", out)
	}
	if f := strings.Fields(lines[1]); f[0] != table || f[1] != "0" || f[2] != "0" || f[3] != "4" || f[4] != "1" || !strings.HasSuffix(f[7], "/s") {
		t.Fatalf("status line %q", lines[1])
	}
	st.Tables = nil
	if err := json.Unmarshal([]byte(ok("status", name, "--json")), &st); err != nil {
		t.Fatal(err)
	}
	if tb := st.Tables[0]; tb.DoneRecent != 4 || tb.Errors != 1 || tb.PerSecond <= 0 || tb.ETA == nil || *tb.ETA != 0 {
		t.Fatalf("status --json after populate: %+v", st)
	}
	if out := ok("priority", name+".CliResult", "--set", "7"); out != "priority 7 set on 5 keys\n" {
		t.Errorf("priority: %q", out)
	}
	if out := ok("requeue", "--schema", name, "--table", "CliResult"); out != "requeued 1 keys\n" {
		t.Errorf("requeue: %q", out)
	}
	list, err := s.Queue().List(ctx, dj.QueueFilter{Status: dj.QueuePending})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Priority != 7 {
		t.Fatalf("pending after requeue: %+v", list)
	}
	if errs, _ := s.Jobs().Errors(ctx, ""); len(errs) != 0 {
		t.Fatalf("requeue left ~jobs errors: %+v", errs)
	}
	for _, args := range [][]string{
		{"jobs", "status", "dj_no_such_schema_xyz"},
		{"jobs", "status", name + ".Nope"},
		{"jobs", "refresh", name, "--table", "CliSource"}, // not auto-populated
		{"jobs", "requeue", "dj_no_such_schema_xyz.CliResult"},
	} {
		code, out, errOut := cli(args...)
		if code != 1 || out != "" || !strings.HasPrefix(errOut, "dj: ") {
			t.Errorf("dj %v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	for _, args := range [][]string{{"jobs", "status"}, {"jobs", "priority", name + ".CliResult"}, {"jobs", "status", "a", "b"}} {
		if code, _, _ := cli(args...); code != 2 {
			t.Errorf("dj %v: exit %d, want 2", args, code)
		}
	}
	for _, sub := range []string{"refresh", "status", "requeue", "priority"} {
		code, out, errOut := cli("jobs", sub, "-h")
		if code != 0 || errOut != "" || !strings.Contains(out, "dj jobs "+sub) {
			t.Errorf("dj jobs %s -h: exit %d, stdout %.80q, stderr %q", sub, code, out, errOut)
		}
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Hour: "1h", 90 * time.Minute: "1h30m", 3*time.Hour + 5*time.Minute + 20*time.Second: "3h5m",
		150 * time.Second: "2m30s", 4200 * time.Millisecond: "4s", 250 * time.Millisecond: "250ms",
	} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestReadmeQueueCommands runs the dj jobs lines of the README's section
// on the job queue, lab and Filtered standing for the test's schema and
// table, after a queue populate in which one key failed, and compares the
// status header with the README's sample output.
func TestReadmeQueueCommands(t *testing.T) {
	const section = "## Populate at cluster scale: the job queue"
	srv := testenv.MySQL(t)
	name := testenv.Database(t)
	setServerEnv(t, srv)
	ctx := context.Background()
	c := serverConn(t, srv)
	s, err := c.Schema(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Declare(ctx, CliSource{}, CliResult{}); err != nil {
		t.Fatal(err)
	}
	if err := dj.Insert(ctx, c, []CliSource{{ID: 1}, {ID: 2}, {ID: 3}}); err != nil {
		t.Fatal(err)
	}
	if _, err := dj.PopulateFunc(ctx, c, func(ctx context.Context, tx *dj.Tx, r *CliResult) error {
		if r.ID == 2 {
			return errors.New("no data for key 2")
		}
		return dj.Insert1(ctx, tx, *r)
	}, dj.UseQueue(), dj.SuppressErrors()); err != nil {
		t.Fatal(err)
	}
	outs := map[string]string{}
	n := 0
	for _, line := range strings.Split(readmeBlock(t, section, "sh"), "\n") {
		cmd, _, _ := strings.Cut(line, "#")
		fields := strings.Fields(cmd)
		if len(fields) == 0 {
			continue
		}
		if fields[0] != "dj" || len(fields) < 2 || fields[1] != "jobs" {
			t.Fatalf("README line %q is not a dj jobs command", line)
		}
		args := make([]string, 0, len(fields)-1)
		for _, f := range fields[1:] {
			f = strings.Replace(f, "lab", name, 1)
			args = append(args, strings.Replace(f, ".Filtered", ".CliResult", 1))
		}
		code, out, errOut := cli(args...)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", line, code, errOut)
		}
		outs[strings.Join(fields[2:], " ")] = out
		n++
	}
	if n != 6 {
		t.Fatalf("the README's section runs %d dj jobs commands, this test checks 6", n)
	}
	check := func(cmd, want string) {
		t.Helper()
		if out, ok := outs[cmd]; !ok || !strings.Contains(out, want) {
			t.Errorf("dj jobs %s: %q lacks %q", cmd, out, want)
		}
	}
	check("requeue lab.Filtered", "requeued 1 keys")
	check("priority lab.Filtered --set 10", "priority 10 set on 3 keys")
	var st struct {
		Tables []struct {
			Table   string `json:"table"`
			Pending int64  `json:"pending"`
			Done    int64  `json:"done"`
			Errors  int64  `json:"errors"`
		} `json:"tables"`
	}
	if err := json.Unmarshal([]byte(outs["status --json lab.Filtered"]), &st); err != nil || len(st.Tables) != 1 ||
		st.Tables[0].Table != "__cli_result" || st.Tables[0].Done != 2 || st.Tables[0].Errors != 1 {
		t.Errorf("status --json: %v %+v", err, st)
	}
	want := strings.Fields(strings.SplitN(readmeBlock(t, section, "text"), "\n", 2)[0])
	got := strings.Fields(strings.SplitN(outs["status lab"], "\n", 2)[0])
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("status header %q, the README shows %q", got, want)
	}
	// The README's JSON sample has the keys of the real output.
	keys := func(doc string) string {
		var v struct {
			Top    map[string]any
			Tables []map[string]any `json:"tables"`
		}
		if err := json.Unmarshal([]byte(doc), &v.Top); err != nil {
			t.Fatalf("%v: %s", err, doc)
		}
		if err := json.Unmarshal([]byte(doc), &v); err != nil || len(v.Tables) == 0 {
			t.Fatalf("%v: %s", err, doc)
		}
		var ks []string
		for k := range v.Top {
			ks = append(ks, k)
		}
		for k := range v.Tables[0] {
			ks = append(ks, "tables."+k)
		}
		slices.Sort(ks)
		return strings.Join(ks, " ")
	}
	if got, want := keys(outs["status --json lab.Filtered"]), keys(readmeBlock(t, section, "json")); got != want {
		t.Errorf("status --json keys %q, the README shows %q", got, want)
	}
}
