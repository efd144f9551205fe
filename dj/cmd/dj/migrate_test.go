package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// readmeSection returns the code blocks of one README section by language.
func readmeSectionBlocks(t *testing.T, path, title string) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i := strings.Index(text, "\n## "+title+"\n")
	if i < 0 {
		t.Fatalf("README has no section %q", title)
	}
	text = text[i+1:]
	if j := strings.Index(text[3:], "\n## "); j >= 0 {
		text = text[:j+3]
	}
	blocks := map[string][]string{}
	for {
		k := strings.Index(text, "```")
		if k < 0 {
			break
		}
		text = text[k+3:]
		nl := strings.IndexByte(text, '\n')
		lang := text[:nl]
		end := strings.Index(text, "\n```")
		blocks[lang] = append(blocks[lang], text[nl+1:end+1])
		text = text[end+4:]
	}
	return blocks
}

// codeLines is the set of trimmed lines of files, without end-of-line
// comments.
func codeLines(t *testing.T, paths ...string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(data), "\n") {
			out[stripComment(l)] = true
		}
	}
	return out
}

func stripComment(l string) string {
	if i := strings.Index(l, " // "); i >= 0 {
		l = l[:i]
	}
	return strings.TrimSpace(l)
}

// TestMigrateReadme runs the commands of the README's "Changing a
// pipeline" on a schema holding the old version of the example's tables,
// and checks that its Go code is the code of examples/migrate and of the
// dj/migrate Example, which run.
func TestMigrateReadme(t *testing.T) {
	blocks := readmeSectionBlocks(t, "../../../README.md", "Changing a pipeline")
	if len(blocks["go"]) != 2 || len(blocks["sh"]) != 1 {
		t.Fatalf("README section blocks: %v", blocks)
	}
	have := codeLines(t, "../../../examples/migrate/main.go", "../../migrate/example_test.go")
	for _, b := range blocks["go"] {
		for _, l := range strings.Split(b, "\n") {
			if l = stripComment(l); l != "" && !have[l] {
				t.Errorf("README line %q is in neither examples/migrate nor the dj/migrate Example", l)
			}
		}
	}

	srv := testenv.MySQL(t)
	name := testenv.Database(t)
	setServerEnv(t, srv)
	ctx := context.Background()
	c := serverConn(t, srv)
	// The tables as an older commit declared them.
	for _, q := range []string{
		"CREATE TABLE `" + name + "`.`subject` (`subject_id` int NOT NULL, `species` varchar(32) NOT NULL, `dob` date DEFAULT NULL, `mass` float DEFAULT NULL COMMENT \"grams\", PRIMARY KEY (`subject_id`)) ENGINE=InnoDB, COMMENT \"experimental subject\"",
		"INSERT INTO `" + name + "`.`subject` VALUES (1, 'mouse', NULL, 21.5)",
	} {
		if _, err := c.DB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir("../../..")
	t.Cleanup(func() { os.Remove("migrate") })

	// runLine runs one command line of the README on the test schema.
	runLine := func(line string) (int, string) {
		fields := strings.Fields(line)
		if fields[len(fields)-1] == "lab" {
			fields[len(fields)-1] = name
		}
		var out bytes.Buffer
		switch {
		case fields[0] == "go" || strings.HasPrefix(fields[0], "./"):
			cmd := exec.CommandContext(ctx, fields[0], fields[1:]...)
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				return ee.ExitCode(), out.String()
			}
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return 0, out.String()
		case fields[0] == "dj":
			code := run(ctx, fields[1:], strings.NewReader(""), &out, &out)
			return code, out.String()
		}
		t.Fatalf("README command %q is neither go nor dj", line)
		return 0, ""
	}

	// Before the migration, status fails CI, through dj migrate too.
	if code, out := runLine("dj migrate status -pkg ./examples/migrate lab"); code != 3 || !strings.Contains(out, "does NOT match") {
		t.Fatalf("status before apply: exit %d\n%s", code, out)
	}

	want := []string{"", "rename mass → weight", "algorithm", "matches the definitions", "matches the definitions", "#1 "}
	lines := 0
	for _, l := range strings.Split(blocks["sh"][0], "\n") {
		l, _, _ = strings.Cut(l, "#")
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		code, out := runLine(l)
		t.Logf("$ %s\n%s", l, out)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", l, code, out)
		}
		if lines < len(want) && !strings.Contains(out, want[lines]) {
			t.Errorf("%s: output lacks %q:\n%s", l, want[lines], out)
		}
		lines++
	}
	if lines != len(want) {
		t.Fatalf("%d commands in the README, want %d", lines, len(want))
	}
	var sex string
	var weight float64
	if err := c.DB().QueryRowContext(ctx, "SELECT sex, weight FROM `"+name+"`.`subject`").Scan(&sex, &weight); err != nil {
		t.Fatal(err)
	}
	if sex != "U" || weight != 21.5 {
		t.Errorf("row after the migration: %s %v", sex, weight)
	}
}
