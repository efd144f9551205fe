package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

type ClSubject struct {
	dj.Manual `comment:"subjects"`
	SubjectID int32 `dj:"pk"`
	Weight    float64
}

type ClSession struct {
	dj.Manual `comment:"sessions"`
	S         dj.Ref[ClSubject] `dj:"pk"`
	SubjectID int32             `dj:"pk"`
	SessionID int16             `dj:"pk"`
	Photo     []byte            `dj:"type=blob@clstore"`
}

// readmeCloneCommands returns the dj clone command lines of the README's
// section "Sharing data", split into arguments (single quotes group).
func readmeCloneCommands(t *testing.T) [][]string {
	t.Helper()
	out := readmeSharingCommands(t, "clone")
	if len(out) != 3 {
		t.Fatalf("the README's Sharing data section has %d dj clone commands, this test runs 3", len(out))
	}
	return out
}

// readmeSharingCommands returns the lines of the README's section "Sharing
// data" that run one of the dj commands named, split into arguments after
// "dj" (single quotes group).
func readmeSharingCommands(t *testing.T, names ...string) [][]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i := strings.Index(text, "## Sharing data")
	if i < 0 {
		t.Fatal("README has no section Sharing data")
	}
	text = text[i:]
	if j := strings.Index(text[3:], "\n## "); j >= 0 {
		text = text[:j+3]
	}
	var out [][]string
	for _, line := range strings.Split(text, "\n") {
		name, _, _ := strings.Cut(strings.TrimPrefix(line, "dj "), " ")
		if !strings.HasPrefix(line, "dj ") || !slices.Contains(names, name) {
			continue
		}
		var args []string
		var cur strings.Builder
		quoted, has := false, false
		for _, r := range strings.TrimPrefix(line, "dj ") {
			switch {
			case r == '\'':
				quoted, has = !quoted, true
			case r == ' ' && !quoted:
				if has {
					args = append(args, cur.String())
				}
				cur.Reset()
				has = false
			default:
				cur.WriteRune(r)
				has = true
			}
		}
		if has {
			args = append(args, cur.String())
		}
		out = append(out, args)
	}
	return out
}

// TestCloneCommand runs the dj clone commands of the README, with the
// schema names lab, lab_paper and lab_copy and the file paper.json
// standing for test databases and a destination configuration whose
// store is another directory.
func TestCloneCommand(t *testing.T) {
	srv := testenv.MySQL(t)
	lab, paper, whole := testenv.Database(t), testenv.Database(t), testenv.Database(t)
	setServerEnv(t, srv)
	cmds := readmeCloneCommands(t)
	dir := t.TempDir()
	t.Chdir(dir)
	srcLoc, dstLoc := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	for _, d := range []string{srcLoc, dstLoc} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	conf := func(name, loc string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(fmt.Sprintf(`{"stores": {"clstore": {"protocol": "file", "location": %q}}}`, loc)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	conf("dj_local_conf.json", srcLoc)
	conf("paper.json", dstLoc)
	ctx := context.Background()
	cfg, err := dj.LoadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	c, err := dj.Connect(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.Schema(ctx, lab)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Declare(ctx, ClSubject{}, ClSession{}); err != nil {
		t.Fatal(err)
	}
	if err := dj.Insert(ctx, c, []ClSubject{{SubjectID: 1, Weight: 20}, {SubjectID: 2, Weight: 22}}); err != nil {
		t.Fatal(err)
	}
	if err := dj.Insert(ctx, c, []ClSession{{SubjectID: 1, SessionID: 1, Photo: []byte("a")}, {SubjectID: 1, SessionID: 2, Photo: []byte("b")}, {SubjectID: 2, SessionID: 1, Photo: []byte("c")}}); err != nil {
		t.Fatal(err)
	}
	names := strings.NewReplacer("lab_paper", paper, "lab_copy", whole, "lab", lab, "Subject", "ClSubject")
	cli := func(args ...string) (string, string, int) {
		var out, errOut strings.Builder
		code := run(ctx, args, nil, &out, &errOut)
		return out.String(), errOut.String(), code
	}
	count := func(db, table string) int {
		var n int
		if err := c.QueryRowContext(ctx, fmt.Sprintf("SELECT COUNT(*) FROM `%s`.`%s`", db, table)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for i, args := range cmds {
		for k := range args {
			args[k] = names.Replace(args[k])
		}
		out, errOut, code := cli(args...)
		if code != 0 {
			t.Fatalf("dj %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
		switch i {
		case 0: // dry run: counts, nothing created
			if !regexp.MustCompile("`"+lab+"`.`cl_session`\\s+2\\s").MatchString(out) || !regexp.MustCompile("`~external_clstore`\\s+2\\s").MatchString(out) {
				t.Errorf("dry run:\n%s", out)
			}
			var n int
			if err := c.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ?", paper).Scan(&n); err != nil || n != 0 {
				t.Errorf("the dry run created %d tables (%v)", n, err)
			}
		case 1: // restricted clone to another store location
			if count(paper, "cl_subject") != 1 || count(paper, "cl_session") != 2 || count(paper, "~external_clstore") != 2 {
				t.Errorf("clone: %d subjects, %d sessions, %d tracking rows\n%s", count(paper, "cl_subject"), count(paper, "cl_session"), count(paper, "~external_clstore"), out)
			}
			objs, _ := filepath.Glob(filepath.Join(dstLoc, paper, "*", "*", "*"))
			if len(objs) != 2 || !strings.Contains(out, "2 objects copied") {
				t.Errorf("objects in the destination store: %v\n%s", objs, out)
			}
		case 2: // whole schema, JSON
			var res struct {
				Rows []struct {
					Table struct{ Database, Table string }
					Rows  int64
				}
				Objects int64
			}
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("--json: %v\n%s", err, out)
			}
			if count(whole, "cl_subject") != 2 || count(whole, "cl_session") != 3 || res.Objects != 3 {
				t.Errorf("whole clone: %d subjects, %d sessions; %s", count(whole, "cl_subject"), count(whole, "cl_session"), out)
			}
		}
	}
	// Run the restricted clone again: nothing more, no duplicate.
	out, errOut, code := cli(cmds[1]...)
	if code != 0 || !strings.Contains(out, "0 objects copied") || !strings.Contains(out, "2 already there") || count(paper, "cl_session") != 2 {
		t.Errorf("second run: exit %d\n%s%s", code, out, errOut)
	}
	// Exit codes: usage errors 2, failures 1.
	for _, args := range [][]string{
		{"clone", "--from", lab},
		{"clone", "--from", lab, "--to", paper, "--where", "NoSuchTable: x = 1"},
		{"clone", "--from", lab, "--to", paper, "--where", "no condition"},
	} {
		if _, _, code := cli(args...); code != 2 {
			t.Errorf("dj %v: exit %d, want 2", args, code)
		}
	}
	if _, errOut, code := cli("clone", "--from", lab+"_missing", "--to", paper); code != 1 || !strings.Contains(errOut, "no schema") {
		t.Errorf("missing schema: exit %d, %s", code, errOut)
	}
}
