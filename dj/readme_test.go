package dj_test

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// readmeGoBlocks returns the ```go blocks of a README section.
func readmeGoBlocks(t *testing.T, readme, section string) []string {
	t.Helper()
	return readmeBlocks(t, readme, section, "go")
}

// readmeBlocks returns the blocks of a README section fenced as lang.
func readmeBlocks(t *testing.T, readme, section, lang string) []string {
	t.Helper()
	i := strings.Index(readme, "\n## "+section+"\n")
	if i < 0 {
		t.Fatalf("README has no section %q", section)
	}
	text := readme[i+1:]
	if j := strings.Index(text[3:], "\n## "); j >= 0 {
		text = text[:j+3]
	}
	fence := "```" + lang + "\n"
	var blocks []string
	for {
		a := strings.Index(text, fence)
		if a < 0 {
			return blocks
		}
		text = text[a+len(fence):]
		b := strings.Index(text, "```\n")
		blocks = append(blocks, text[:b])
		text = text[b:]
	}
}

// TestReadmeQuickStart runs the README's quick start as written:
// docker/example.sh runs the example pipeline end to end (into a database
// of the test's own, through the script's pass-through arguments), and
// docker/test.sh is the command .ci/run ends with, so CI runs it.
// example.sh starts (or finds running) the private MariaDB of
// docker/mariadb-up.sh; where the tests use another server, the test runs
// the program the script runs, against that server.
func TestReadmeQuickStart(t *testing.T) {
	srv := testenv.MySQL(t)
	db := testenv.Database(t)
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := readmeBlocks(t, string(data), "Quick start", "sh")
	if len(blocks) != 1 {
		t.Fatalf("the quick start has %d sh blocks, want 1", len(blocks))
	}
	var cmds []string
	for _, line := range strings.Split(strings.TrimSpace(blocks[0]), "\n") {
		cmd, _, _ := strings.Cut(line, "#")
		cmds = append(cmds, strings.TrimSpace(cmd))
	}
	if strings.Join(cmds, "; ") != "docker/example.sh; docker/test.sh" {
		t.Fatalf("the quick start runs %q: update this test", cmds)
	}
	ci, err := os.ReadFile("../.ci/run")
	if err != nil || !strings.Contains(string(ci), "exec bash docker/test.sh") {
		t.Fatalf(".ci/run does not end with docker/test.sh (%v)", err)
	}
	var cmd *exec.Cmd
	port, _ := os.ReadFile("/tmp/dj-mariadb/port")
	if os.Getenv("DJ_DB_DIR") == "" && len(port) > 0 && srv.Host == "127.0.0.1:"+strings.TrimSpace(string(port)) {
		cmd = exec.Command("bash", cmds[0], "-schema", db)
	} else {
		t.Logf("the tests use %s, not the private server of docker/mariadb-up.sh: running the example program without its script", srv.Host)
		cmd = exec.Command("go", "run", "./examples/pipeline", "-schema", db)
	}
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if lines[len(lines)-1] != "ok" || !strings.Contains(string(out), " peaks in total") {
		t.Fatalf("%s printed:\n%s", cmd, out)
	}
}

// splitGo separates the top-level declarations of a README block (type
// and func declarations, which start at the first column and end at a
// closing brace there) from its statements.
func splitGo(block string) (decls, stmts string) {
	var d, s strings.Builder
	inDecl := false
	for _, line := range strings.SplitAfter(block, "\n") {
		switch {
		case !inDecl && (strings.HasPrefix(line, "type ") || strings.HasPrefix(line, "func ")):
			inDecl = !strings.HasSuffix(strings.TrimSpace(line), "}")
			d.WriteString(line)
		case inDecl:
			d.WriteString(line)
			inDecl = strings.TrimRight(line, "\n") != "}"
		default:
			s.WriteString("\t" + line)
		}
	}
	return d.String(), s.String()
}

// TestReadmeGoBlocks builds the Go code of the README's sections "A
// pipeline in Go" and "Large arrays in object storage" into one program,
// as a user would paste it, and runs it against the test server: it
// declares the pipeline, inserts and fetches, populates with the Make
// method shown, and configures the store. (The sections "Changing a
// pipeline" and "Working on an existing pipeline" are run by the tests of
// dj/migrate and dj/cmd/dj.)
func TestReadmeGoBlocks(t *testing.T) {
	testenv.MySQL(t)
	db := testenv.Database(t)
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	var decls, stmts strings.Builder
	for _, section := range []string{"A pipeline in Go", "Large arrays in object storage"} {
		blocks := readmeGoBlocks(t, readme, section)
		if len(blocks) == 0 {
			t.Fatalf("section %q has no Go code", section)
		}
		for _, b := range blocks {
			d, s := splitGo(b)
			decls.WriteString(d + "\n")
			stmts.WriteString(s)
		}
	}
	code := strings.ReplaceAll(stmts.String(), `conn.Schema(ctx, "lab")`, `conn.Schema(ctx, "`+db+`")`)
	if code == stmts.String() {
		t.Fatal(`the README no longer opens schema "lab": update this test`)
	}
	program := `package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/external"
)

` + decls.String() + `
func main() {
	ctx := context.Background()
` + code + `
	// Checks of what the README's code did.
	if err != nil || len(mice) != 1 || res.Made != 0 {
		fail("README code: %v, %d mice, %+v", err, len(mice), res)
	}
	if err := dj.Insert1(ctx, conn, Session{SubjectID: 1, SessionID: 1, Trace: []float64{1, 2, 6}}); err != nil {
		fail("insert session: %v", err)
	}
	res, err = dj.Populate[Filtered](ctx, conn, dj.ReserveJobs(), dj.Workers(4))
	if err != nil || res.Made != 1 {
		fail("populate: %+v, %v", res, err)
	}
	f, err := dj.FetchOne[Filtered](ctx, conn, dj.From[Filtered](conn))
	if err != nil || f.Mean != 3 {
		fail("made %+v, %v", f, err)
	}
	if _, err := conn.Store("raw"); err != nil {
		fail("store: %v", err)
	}
	fmt.Println("ok")
}

func fail(format string, args ...any) {
	fmt.Printf(format+"\n", args...)
	os.Exit(1)
}
`
	var b [4]byte
	_, _ = rand.Read(b[:])
	dir := filepath.Join("..", ".readme-"+hex.EncodeToString(b[:]))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(program), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", "./"+filepath.Base(dir))
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("the README's code: %v\n%s\n%s", err, out, program)
	}
}
