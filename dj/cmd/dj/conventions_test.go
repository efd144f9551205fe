package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/external"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// noConfig leaves the test with no configuration at all: no DJ_* variable,
// no dj_local_conf.json in the working directory, no
// ~/.datajoint_config.json.
func noConfig(t *testing.T) {
	t.Helper()
	for _, v := range []string{"DJ_HOST", "DJ_USER", "DJ_PASS", "DJ_PORT"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	t.Setenv("HOME", t.TempDir())
	t.Chdir(t.TempDir())
}

func TestVersion(t *testing.T) {
	for _, arg := range []string{"--version", "-version", "version"} {
		code, out, errOut := cli(arg)
		if code != 0 || errOut != "" {
			t.Fatalf("dj %s: exit %d, stderr %q", arg, code, errOut)
		}
		if !strings.HasPrefix(out, "dj version "+dj.Version+" go1.") {
			t.Errorf("dj %s: %q", arg, out)
		}
	}
}

// TestHelpOnStdout asks every command for help in the three ways; the
// usage goes to stdout with exit 0. A missing command or subcommand is a
// usage error: the usage goes to stderr with exit 2.
func TestHelpOnStdout(t *testing.T) {
	if len(commands) < 10 {
		t.Fatalf("%d commands registered", len(commands))
	}
	for name := range commands {
		for _, args := range [][]string{{name, "-h"}, {name, "--help"}, {"help", name}} {
			code, out, errOut := cli(args...)
			if code != 0 || errOut != "" || !strings.Contains(out, "usage") || !strings.Contains(out, "dj "+name) {
				t.Errorf("dj %s: exit %d, stdout %.80q, stderr %q", strings.Join(args, " "), code, out, errOut)
			}
		}
	}
	for _, sub := range []string{"jobs list", "jobs clear", "blob decode", "external sweep", "migrate history", "migrate plan"} {
		args := append(strings.Fields(sub), "-h")
		if code, out, errOut := cli(args...); code != 0 || errOut != "" || !strings.Contains(out, "dj "+sub) {
			t.Errorf("dj %s -h: exit %d, stdout %.80q, stderr %q", sub, code, out, errOut)
		}
	}
	if code, out, errOut := cli("help"); code != 0 || !strings.Contains(out, "Commands:") || errOut != "" {
		t.Errorf("dj help: exit %d, stdout %.80q, stderr %q", code, out, errOut)
	}
	if code, out, errOut := cli(); code != 2 || out != "" || !strings.Contains(errOut, "Commands:") {
		t.Errorf("dj: exit %d, stdout %.80q, stderr %.80q", code, out, errOut)
	}
	for _, name := range []string{"jobs", "blob", "external", "migrate"} {
		if code, out, errOut := cli(name); code != 2 || out != "" || !strings.Contains(errOut, "usage") {
			t.Errorf("dj %s: exit %d, stdout %.80q, stderr %.80q", name, code, out, errOut)
		}
	}
}

func TestExtractConnFlags(t *testing.T) {
	args, cf, err := extractConnFlags([]string{"tables", "--host", "h:1", "lab", "-user=u", "--json", "--", "--host", "x"})
	if err != nil {
		t.Fatal(err)
	}
	if cf.host != "h:1" || cf.user != "u" || !slices.Equal(args, []string{"tables", "lab", "--json", "--", "--host", "x"}) {
		t.Errorf("got %q %+v", args, cf)
	}
	if _, _, err := extractConnFlags([]string{"schemas", "--host"}); err == nil {
		t.Error("--host without a value accepted")
	}
	if code, _, errOut := cli("schemas", "--user"); code != 2 || !strings.Contains(errOut, "--user needs a value") {
		t.Errorf("exit %d, %q", code, errOut)
	}
}

// TestNoImplicitConnection: with nothing configured, a command that
// connects fails (exit 1) and says how to configure, and the library
// refuses a Config without a host; neither dials a server.
func TestNoImplicitConnection(t *testing.T) {
	noConfig(t)
	for _, args := range [][]string{{"schemas"}, {"tables", "lab"}, {"jobs", "list", "--schema", "lab"}, {"--user", "root", "schemas"}} {
		code, out, errOut := cli(args...)
		if code != 1 || out != "" {
			t.Fatalf("dj %v: exit %d, stdout %q", args, code, out)
		}
		for _, want := range []string{"no database host", "--host", "DJ_HOST", "dj_local_conf.json"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("dj %v: stderr %q lacks %q", args, errOut, want)
			}
		}
	}
	cfg, err := dj.LoadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	_, err = dj.Connect(context.Background(), cfg)
	if !errors.Is(err, dj.ErrConfig) || !strings.Contains(err.Error(), "DJ_HOST") {
		t.Errorf("Connect without host: %v", err)
	}
}

// TestHostUserFlags connects with --host and --user alone (the password
// from DJ_PASS); standard input is not a terminal, so nothing is asked.
func TestHostUserFlags(t *testing.T) {
	srv := testenv.MySQL(t)
	name := testenv.Database(t)
	noConfig(t)
	t.Setenv("DJ_PASS", srv.Pass)
	code, out, errOut := cli("--host", srv.Host, "schemas", "--json", "--user="+srv.User)
	if code != 0 || strings.Contains(errOut, "Password") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var list []struct{ Name string }
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	// Without DJ_PASS and without a terminal, no password is sent: the
	// server refuses the user.
	os.Unsetenv("DJ_PASS")
	if srv.Pass != "" {
		code, _, errOut := cli("--host", srv.Host, "--user", srv.User, "tables", name)
		if code != 1 || !strings.Contains(errOut, "Access denied") {
			t.Errorf("without password: exit %d, %q", code, errOut)
		}
	}
}

// TestUnknownNames: unknown schemas and tables are errors (exit 1) with
// nothing on stdout.
func TestUnknownNames(t *testing.T) {
	srv := testenv.MySQL(t)
	name := testenv.Database(t)
	setServerEnv(t, srv)
	c, err := dj.Connect(context.Background(), dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Schema(context.Background(), name); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"jobs", "clear", "--schema", name, "--table", "Nope"},
		{"jobs", "list", "--schema", name, "--table", "__nope"},
		{"jobs", "errors", "--schema", "dj_no_such_schema_xyz"},
		{"tables", "dj_no_such_schema_xyz"},
		{"describe", name + ".Nope"},
		{"head", name + ".Nope"},
		{"migrate", "history", "dj_no_such_schema_xyz"},
	} {
		code, out, errOut := cli(args...)
		if code != 1 || out != "" || !strings.HasPrefix(errOut, "dj: ") {
			t.Errorf("dj %v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}

type CliRaw struct {
	dj.Manual `comment:"blobs in a store"`
	ID        int32  `dj:"pk"`
	Data      []byte `dj:"type=blob@raw"`
}

// TestReadmeCommandLine runs every line of the README's "Command-line
// tool" section on a schema with an error job and a file store.
func TestReadmeCommandLine(t *testing.T) {
	srv := testenv.MySQL(t)
	name := testenv.Database(t)
	ctx := context.Background()
	c := serverConn(t, srv)
	s, err := c.Schema(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	store := t.TempDir()
	if err := c.SetStore("raw", external.StoreConfig{Protocol: external.ProtocolFile, Location: store}); err != nil {
		t.Fatal(err)
	}
	if err := s.Declare(ctx, CliSource{}, CliResult{}, CliRaw{}); err != nil {
		t.Fatal(err)
	}
	if err := dj.Insert(ctx, c, []CliRaw{{ID: 1, Data: []byte("x")}}); err != nil {
		t.Fatal(err)
	}
	if err := dj.Insert(ctx, c, []CliSource{{ID: 1}, {ID: 2}}); err != nil {
		t.Fatal(err)
	}
	if _, err := dj.PopulateFunc(ctx, c, func(ctx context.Context, tx *dj.Tx, r *CliResult) error {
		return fmt.Errorf("no data for key %d", r.ID)
	}, dj.ReserveJobs(), dj.SuppressErrors()); err != nil {
		t.Fatal(err)
	}
	noConfig(t)
	conf := fmt.Sprintf(`{"database.host": %q, "database.user": %q, "database.password": %q,
		"stores": {"raw": {"protocol": "file", "location": %q}}}`, srv.Host, srv.User, srv.Pass, store)
	if err := os.WriteFile(dj.ConfigFile, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("value.json", []byte(`{"type": "scalar", "dtype": "float64", "value": 2.5}`), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(testRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	section := string(data)
	i := strings.Index(section, "## Command-line tool")
	if i < 0 {
		t.Fatal("README has no section \"Command-line tool\"")
	}
	section = section[i:]
	section = section[strings.Index(section, "```sh\n")+6:]
	section = section[:strings.Index(section, "```")]
	outputs := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(section), "\n") {
		cmd, _, _ := strings.Cut(line, "#")
		fields := strings.Fields(cmd)
		if len(fields) == 0 || fields[0] != "dj" {
			t.Fatalf("README line %q is not a dj command", line)
		}
		var args []string
		stdin, stdoutFile := "", ""
		for j := 1; j < len(fields); j++ {
			switch f := fields[j]; {
			case f == "<":
				b, err := os.ReadFile(fields[j+1])
				if err != nil {
					t.Fatal(err)
				}
				stdin = string(b)
				j++
			case f == ">":
				stdoutFile = fields[j+1]
				j++
			case f == "lab":
				args = append(args, name)
			case f == "Filtered":
				args = append(args, "CliResult")
			case f == "db.example.org":
				args = append(args, srv.Host)
			case f == "alice":
				args = append(args, srv.User)
			default:
				args = append(args, f)
			}
		}
		var out, errOut strings.Builder
		code := run(ctx, args, strings.NewReader(stdin), &out, &errOut)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", line, code, errOut.String())
		}
		if stdoutFile != "" {
			if err := os.WriteFile(stdoutFile, []byte(out.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		outputs[strings.Join(fields[1:], " ")] = out.String()
	}
	check := func(cmd, want string) {
		t.Helper()
		out, ok := outputs[cmd]
		if !ok {
			t.Fatalf("the README does not run %q", cmd)
		}
		if !strings.Contains(out, want) {
			t.Errorf("%s: output lacks %q:\n%s", cmd, want, out)
		}
		if strings.Contains(cmd, "--json") && !json.Valid([]byte(out)) {
			t.Errorf("%s: not JSON:\n%s", cmd, out)
		}
	}
	check("--version", dj.Version)
	check("help jobs", "dj jobs clear")
	check("--host db.example.org --user alice schemas", name)
	check("jobs list --schema lab", "__cli_result")
	check("jobs errors --schema lab --table Filtered", "no data for key 2")
	check("jobs show --schema lab --json", `"error_stack"`)
	check("jobs clear --schema lab --table Filtered", "deleted 2 jobs")
	check("blob decode --hex < value.hex", `"value": 2.5`)
	check("external sweep --schema lab --store raw --dry-run --json", `"tracked": 1`)
	check("migrate history lab --json", "[]")
	if left, err := s.Jobs().List(ctx, dj.JobFilter{}); err != nil || len(left) != 0 {
		t.Errorf("jobs left after clear: %v %v", left, err)
	}
}

// testRoot returns the repository root (the directory of go.mod), found
// before the test changes directory.
var testRootDir = func() string {
	d, _ := filepath.Abs("../../..")
	return d
}()

func testRoot(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(testRootDir, "go.mod")); err != nil {
		t.Fatal(err)
	}
	return testRootDir
}
