package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

func TestReplicaAndReadOnlyFlags(t *testing.T) {
	args, cf, err := extractConnFlags([]string{"--read-only", "tables", "--replicas", "r1:3307, r2", "lab", "--", "--read-only"})
	if err != nil {
		t.Fatal(err)
	}
	if !cf.readOnly || !cf.readOnlySet || cf.replicas != "r1:3307, r2" || !slices.Equal(args, []string{"tables", "lab", "--", "--read-only"}) {
		t.Fatalf("got %q %+v", args, cf)
	}
	if _, cf, err = extractConnFlags([]string{"-read-only=false", "schemas"}); err != nil || cf.readOnly || !cf.readOnlySet {
		t.Fatalf("--read-only=false: %+v %v", cf, err)
	}
	if code, _, errOut := cli("--read-only=maybe", "schemas"); code != 2 || !strings.Contains(errOut, "--read-only") {
		t.Errorf("--read-only=maybe: exit %d, %q", code, errOut)
	}
	if code, _, errOut := cli("schemas", "--replicas"); code != 2 || !strings.Contains(errOut, "--replicas needs a value") {
		t.Errorf("--replicas without a value: exit %d, %q", code, errOut)
	}
	// The flags reach the configuration, over the environment.
	t.Setenv("DJ_HOST", "db.example:3306")
	t.Setenv("DJ_PASS", "x")
	t.Setenv("DJ_READ_ONLY", "true")
	t.Setenv("DJ_REPLICAS", "env:1")
	ctx := context.WithValue(context.Background(), connFlagsKey{}, cf)
	cfg, err := loadConfig(ctx, "")
	if err != nil || cfg.ReadOnly || !slices.Equal(cfg.Replicas, []string{"env:1"}) {
		t.Fatalf("--read-only=false over DJ_READ_ONLY: %+v %v", cfg, err)
	}
	_, cf, _ = extractConnFlags([]string{"--replicas=a:1,b:2", "schemas"})
	cfg, err = loadConfig(context.WithValue(context.Background(), connFlagsKey{}, cf), "")
	if err != nil || !cfg.ReadOnly || !slices.Equal(cfg.Replicas, []string{"a:1", "b:2"}) {
		t.Fatalf("--replicas over DJ_REPLICAS: %+v %v", cfg, err)
	}
}

// TestReadOnlyCommands: with --read-only (or DJ_READ_ONLY) a command that
// writes fails with exit 1 and says the connection is read-only, changing
// nothing; listings work.
func TestReadOnlyCommands(t *testing.T) {
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
	if err := dj.Insert1(ctx, c, CliSource{ID: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := dj.PopulateFunc(ctx, c, func(context.Context, *dj.Tx, *CliResult) error { return errors.New("broken") },
		dj.ReserveJobs(), dj.SuppressErrors()); err != nil {
		t.Fatal(err)
	}
	// The README's command, lab standing for the test's database.
	var readme []string
	for _, line := range strings.Split(readmeBlock(t, "## Read replicas and read-only mode", "sh"), "\n") {
		if cmd, _, _ := strings.Cut(line, "#"); strings.HasPrefix(cmd, "dj ") {
			for _, f := range strings.Fields(cmd)[1:] {
				if f == "lab" {
					f = name
				}
				readme = append(readme, f)
			}
		}
	}
	if len(readme) < 2 || readme[0] != "--read-only" {
		t.Fatalf("the README's read-only command is %q", readme)
	}
	if code, out, errOut := cli(readme...); code != 1 || out != "" || !strings.Contains(errOut, "read-only connection") {
		t.Errorf("dj %s: exit %d, stdout %q, stderr %q", strings.Join(readme, " "), code, out, errOut)
	}
	clear := readme[1:]
	t.Setenv("DJ_READ_ONLY", "true")
	if code, _, errOut := cli(clear...); code != 1 || !strings.Contains(errOut, "read-only connection") {
		t.Errorf("DJ_READ_ONLY jobs clear: exit %d, stderr %q", code, errOut)
	}
	if code, out, errOut := cli("jobs", "list", "--schema", name); code != 0 || !strings.Contains(out, "__cli_result") {
		t.Errorf("read-only jobs list: exit %d, %q %q", code, out, errOut)
	}
	jobs, err := s.Jobs().Errors(ctx, "__cli_result")
	if err != nil || len(jobs) != 1 {
		t.Errorf("the error job must remain: %d %v", len(jobs), err)
	}
}

// readmeBlock returns the first code block of the given language in the
// README section that starts with the heading line title.
func readmeBlock(t *testing.T, title, lang string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i := strings.Index(text, "\n"+title+"\n")
	if i < 0 {
		t.Fatalf("README has no section %q", title)
	}
	text = text[i+len(title)+2:]
	if j := strings.Index(text, "\n## "); j >= 0 {
		text = text[:j]
	}
	i = strings.Index(text, "```"+lang+"\n")
	if i < 0 {
		t.Fatalf("README section %q has no %s block", title, lang)
	}
	text = text[i+len(lang)+4:]
	return text[:strings.Index(text, "```")]
}

// TestReadmeReplicaConfig loads the configuration file of the README's
// section on replicas.
func TestReadmeReplicaConfig(t *testing.T) {
	conf := readmeBlock(t, "## Read replicas and read-only mode", "json")
	noConfig(t)
	for _, v := range []string{"DJ_REPLICAS", "DJ_REPLICA_MAX_LAG", "DJ_READ_ONLY"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	if err := os.WriteFile(dj.ConfigFile, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := dj.LoadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != "db.lab.example:3306" || cfg.User != "alice" || len(cfg.Replicas) != 2 ||
		cfg.Replicas[1] != "replica2.lab.example:3306" || cfg.ReplicaMaxLag != 5*time.Second {
		t.Errorf("README configuration loads as %+v", cfg)
	}
	if _, err := os.Stat(filepath.Join(testRoot(t), "docker", "mariadb-replica.sh")); err != nil {
		t.Errorf("the README's script: %v", err)
	}
}
