package main

import (
	"bufio"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/external"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// pyVector is one table of the golden describe vectors written by
// DataJoint for Python 0.14.9 (kept in dj/inspect/testdata).
type pyVector struct {
	Class      string `json:"class"`
	TableName  string `json:"table_name"`
	ShowCreate string `json:"show_create"`
	Describe   string `json:"describe"`
}

// pythonPipeline creates the pipeline of the golden vectors in a fresh
// database, exactly as DataJoint for Python declared it, with a few rows,
// and points the dj command at the server.
func pythonPipeline(t *testing.T) (db string, vectors map[string]pyVector) {
	t.Helper()
	srv := testenv.MySQL(t)
	db = testenv.Database(t)
	setServerEnv(t, srv)
	ctx := context.Background()
	f, err := os.Open("../../inspect/testdata/describe-vectors.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	conn, err := testenv.DB(t).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, st := range []string{"USE " + schema.QuoteIdent(db), schema.ExternalTableSQL(db, "extstore")} {
		if _, err := conn.ExecContext(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	vectors = map[string]pyVector{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v pyVector
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, v.ShowCreate); err != nil {
			t.Fatal(err)
		}
		vectors[v.Class] = v
	}

	c := serverConn(t, srv)
	if err := c.SetStore("extstore", external.StoreConfig{Protocol: external.ProtocolFile, Location: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	s, err := c.Schema(ctx, db, dj.NoCreate())
	if err != nil {
		t.Fatal(err)
	}
	insert := func(class string, rows []map[string]any) {
		tb, err := s.Table(ctx, class)
		if err != nil {
			t.Fatal(err)
		}
		if err := tb.Insert(ctx, c, rows); err != nil {
			t.Fatalf("%s: %v", class, err)
		}
	}
	insert("Species", []map[string]any{{"species": "Mus musculus", "common_name": "mouse"}})
	insert("Lab", []map[string]any{{"lab": "rig-a", "institution": "somewhere"}})
	insert("Subject", []map[string]any{
		{"subject_id": 1, "species": "Mus musculus", "lab": "rig-a", "uid": uuid.New()},
		{"subject_id": 2, "species": "Mus musculus", "lab": nil, "uid": uuid.New()},
	})
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	insert("Session", []map[string]any{
		{"subject_id": 1, "session_idx": 1, "session_start": start, "stimulus": []float64{1, 2, 3}, "trace": []float64{4, 5}},
		{"subject_id": 1, "session_idx": 2, "session_start": start, "stimulus": nil, "trace": []float64{6}},
		{"subject_id": 2, "session_idx": 1, "session_start": start, "stimulus": nil, "trace": []float64{7}},
	})
	return db, vectors
}

// cli runs the dj command and returns its exit code, stdout and stderr.
func cli(args ...string) (int, string, string) {
	var out, errOut strings.Builder
	code := run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// readmeSection returns the code blocks of the README section "Working on
// an existing pipeline", by language.
func readmeSection(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i := strings.Index(text, "## Working on an existing pipeline")
	if i < 0 {
		t.Fatal("README has no section \"Working on an existing pipeline\"")
	}
	text = text[i+3:]
	if j := strings.Index(text, "\n## "); j >= 0 {
		text = text[:j]
	}
	blocks := map[string]string{}
	for {
		i := strings.Index(text, "```")
		if i < 0 {
			break
		}
		rest := text[i+3:]
		nl := strings.IndexByte(rest, '\n')
		lang := rest[:nl]
		end := strings.Index(rest[nl:], "```")
		if blocks[lang] != "" {
			t.Fatalf("two %s blocks in the section", lang)
		}
		blocks[lang] = rest[nl+1 : nl+end]
		text = rest[nl+end+3:]
	}
	return blocks
}

// TestReadmeExistingPipeline runs every command of the README section on
// a pipeline declared by DataJoint for Python, then builds and runs the
// section's Go program against the generated package: Summary gets
// populated.
func TestReadmeExistingPipeline(t *testing.T) {
	db, vectors := pythonPipeline(t)
	blocks := readmeSection(t)
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	work, err := os.MkdirTemp("testdata", "readme-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(work) })
	absWork, _ := filepath.Abs(work)
	t.Chdir(work)

	ran := map[string]string{}
	for _, line := range strings.Split(blocks["sh"], "\n") {
		line, _, _ = strings.Cut(line, "#")
		args := strings.Fields(line)
		if len(args) == 0 {
			continue
		}
		if args[0] != "dj" {
			t.Fatalf("README line %q is not a dj command", line)
		}
		for i, a := range args {
			if a == "lab" {
				args[i] = db
			} else if rest, ok := strings.CutPrefix(a, "lab."); ok {
				args[i] = db + "." + rest
			}
		}
		code, out, errOut := cli(args[1:]...)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", line, code, errOut)
		}
		ran[strings.Join(strings.Fields(line)[1:], " ")] = out
		// The same command for scripts.
		if code, jout, errOut := cli(append(args[1:], "--json")...); code != 0 || !json.Valid([]byte(jout)) {
			t.Fatalf("%s --json: exit %d, output %.200q\n%s", line, code, jout, errOut)
		}
	}
	check := func(cmd, want string) {
		t.Helper()
		out, ok := ran[cmd]
		if !ok {
			t.Fatalf("the README does not run %q", cmd)
		}
		if !strings.Contains(out, want) {
			t.Errorf("%s: output lacks %q:\n%s", cmd, want, out)
		}
	}
	check("schemas", db)
	check("tables lab", "Analysis.Unit  Part")
	check("tables lab", "Session        Manual    session")
	check("describe lab.Session", vectors["Session"].Describe)
	if ran["describe lab.Session"] != vectors["Session"].Describe {
		t.Errorf("describe differs from Python's:\n%s", ran["describe lab.Session"])
	}
	check("describe lab.Session --go", "type Session struct {")
	check("diagram lab.Session --up 1 --down 1", `"Subject" -> "Session"`)
	check("head lab.Session --limit 5", "=blob@extstore=")
	check("head lab.Session --limit 5", "<3 float64>")
	check("head lab.Session --limit 5", " (Total: 3)")
	svg, err := os.ReadFile("pipeline.svg")
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(svg, new(struct{})); err != nil {
		t.Fatalf("pipeline.svg: %v", err)
	}

	// The Go program of the section, on the generated package.
	if _, err := os.Stat("labgen/tables.go"); err != nil {
		t.Fatal(err)
	}
	importPath := "github.com/datajoint-go/datajoint/dj/cmd/dj/" + filepath.ToSlash(work) + "/labgen"
	prog := strings.Replace(blocks["go"], `"example.com/lab/labgen"`, `"`+importPath+`"`, 1)
	if prog == blocks["go"] {
		t.Fatal("the README program does not import example.com/lab/labgen")
	}
	if err := os.MkdirAll("prog", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("prog/main.go", []byte(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	build := exec.Command("go", "build", "-o", filepath.Join(absWork, "prog.bin"), "./prog")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the README program: %v\n%s", err, out)
	}
	if out, err := exec.Command(filepath.Join(absWork, "prog.bin")).CombinedOutput(); err != nil || !strings.Contains(string(out), "made 2") {
		t.Fatalf("the README program: %v\n%s", err, out)
	}
	code, out, errOut := cli("head", db+".Summary", "--json")
	if code != 0 {
		t.Fatal(errOut)
	}
	var head struct {
		Columns []string   `json:"columns"`
		Rows    [][]string `json:"rows"`
	}
	if err := json.Unmarshal([]byte(out), &head); err != nil {
		t.Fatal(err)
	}
	if len(head.Rows) != 2 || head.Rows[0][1] != "2" || head.Rows[1][1] != "1" {
		t.Errorf("Summary: %s", out)
	}
}

// TestInspectCommandErrors checks help, usage errors and failures: exit
// codes 0, 2 and 1, help on stdout.
func TestInspectCommandErrors(t *testing.T) {
	db, vectors := pythonPipeline(t)
	// The whole schema, table after table.
	code, out, errOut := cli("describe", db)
	if code != 0 || !strings.Contains(out, "== Session (Manual) ==\n"+vectors["Session"].Describe+"\n== ") ||
		!strings.Contains(out, "== Analysis.Unit (Part) ==\n"+vectors["Analysis.Unit"].Describe) {
		t.Errorf("describe %s: exit %d %s\n%s", db, code, errOut, out)
	}
	for _, name := range []string{"schemas", "tables", "describe", "diagram", "gen", "head"} {
		code, out, _ := cli(name, "-h")
		if code != 0 || !strings.HasPrefix(out, "usage: dj "+name) {
			t.Errorf("%s -h: exit %d, stdout %q", name, code, out)
		}
	}
	for _, args := range [][]string{
		{"tables"}, {"describe"}, {"head", db}, {"diagram", db, "-o", "x.gif"}, {"gen"},
		{"tables", db, "--bogus"}, {"head", db + ".Session", "--limit", "0"},
	} {
		if code, _, _ := cli(args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	for _, args := range [][]string{
		{"describe", db + ".NoSuchClass"}, {"tables", "no_such_schema_here"}, {"gen", db, "no_such_schema_here"}, {"head", db + ".Session", "--where", "no_such_column = 1"},
	} {
		if code, _, errOut := cli(args...); code != 1 || errOut == "" {
			t.Errorf("%v: exit %d (%q), want 1", args, code, errOut)
		}
	}
}
