package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// TestExportImportCommands exports a restricted closure and a whole
// schema with dj export, lists them with dj releases, verifies one and
// imports the other by version under another name and into another
// store location with dj import; a damaged archive is refused.
func TestExportImportCommands(t *testing.T) {
	srv := testenv.MySQL(t)
	lab, paper := testenv.Database(t), testenv.Database(t)
	setServerEnv(t, srv)
	dir := t.TempDir()
	t.Chdir(dir)
	srcLoc, dstLoc, pubLoc := filepath.Join(dir, "src"), filepath.Join(dir, "dst"), filepath.Join(dir, "public")
	for _, d := range []string{srcLoc, dstLoc, pubLoc, "releases"} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	conf := func(name, loc string) {
		if err := os.WriteFile(name, []byte(fmt.Sprintf(`{"stores": {"clstore": {"protocol": "file", "location": %q},
			"public": {"protocol": "file", "location": %q}}}`, loc, pubLoc)), 0o644); err != nil {
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
	cli := func(args ...string) (string, string, int) {
		var out, errOut strings.Builder
		code := run(ctx, args, nil, &out, &errOut)
		return out.String(), errOut.String(), code
	}
	mustRun := func(args ...string) string {
		t.Helper()
		out, errOut, code := cli(args...)
		if code != 0 {
			t.Fatalf("dj %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
		return out
	}
	count := func(db, table string) int {
		var n int
		if err := c.QueryRowContext(ctx, fmt.Sprintf("SELECT COUNT(*) FROM `%s`.`%s`", db, table)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// The README's commands, with lab, lab_paper and Subject standing for
	// the test's databases and class.
	cmds := readmeSharingCommands(t, "export", "releases", "import")
	if len(cmds) != 8 {
		t.Fatalf("the README's Sharing data section has %d dj export/releases/import commands, this test runs 8", len(cmds))
	}
	cp := testenv.Database(t)
	outs := make([]string, len(cmds))
	for i, args := range cmds {
		for j, a := range args {
			a = strings.ReplaceAll(a, "lab_paper", paper)
			a = strings.ReplaceAll(a, "lab_copy", cp)
			a = regexp.MustCompile(`\blab\b`).ReplaceAllStringFunc(a, func(string) string { return lab })
			args[j] = strings.ReplaceAll(a, "Subject:", "ClSubject:")
		}
		outs[i] = mustRun(args...)
	}
	if !strings.Contains(outs[0], "exported "+lab+" 1.0: 5 rows of 4 tables, 2 objects") {
		t.Errorf("export: %s", outs[0])
	}
	if !regexp.MustCompile(`(?m)^1\.0\s+`+lab+`\s.*\s5\s+2\s+\d+\s+releases/`+lab+`-1\.0\.tar$`).MatchString(outs[2]) ||
		!regexp.MustCompile(`(?m)^2\.0\s+`+lab+`\s.*\s8\s+3\s+\d+\s+releases/`+lab+`-2\.0$`).MatchString(outs[2]) {
		t.Errorf("releases:\n%s", outs[2])
	}
	if !strings.Contains(outs[3], "is complete") {
		t.Errorf("import --verify: %s", outs[3])
	}
	if !strings.Contains(outs[4], "2 objects written") || count(paper, "cl_subject") != 1 || count(paper, "cl_session") != 2 || count(paper, "~external_clstore") != 2 {
		t.Errorf("import: %s", outs[4])
	}
	// The release published to the store "public", listed and loaded
	// from there.
	if !strings.Contains(outs[5], "exported "+lab+" 3.0: 8 rows of 4 tables, 3 objects") || !strings.Contains(outs[5], "to public:"+lab+"/"+lab+"-3.0.tar") {
		t.Errorf("export --store: %s", outs[5])
	}
	if _, err := os.Stat(filepath.Join(pubLoc, lab, lab+"-3.0.tar.manifest.json")); err != nil {
		t.Errorf("the published manifest: %v", err)
	}
	if !regexp.MustCompile(`(?m)^3\.0\s+` + lab + `\s.*\s8\s+3\s+\d+\s+` + lab + `/` + lab + `-3\.0\.tar$`).MatchString(outs[6]) {
		t.Errorf("releases --store:\n%s", outs[6])
	}
	if count(cp, "cl_subject") != 2 || count(cp, "cl_session") != 3 || count(cp, "~external_clstore") != 3 {
		t.Errorf("import --store: %s", outs[7])
	}
	var list []struct {
		Version string
		Rows    int64
	}
	if err := json.Unmarshal([]byte(mustRun("releases", "--json", "releases")), &list); err != nil || len(list) != 2 || list[0].Version != "1.0" || list[1].Rows != 8 {
		t.Errorf("releases --json: %v %+v", err, list)
	}
	if objs, _ := filepath.Glob(filepath.Join(dstLoc, paper, "*", "*", "*")); len(objs) != 2 {
		t.Errorf("objects in the destination store: %v", objs)
	}
	// A damaged archive is refused (exit 1) and nothing is created.
	b, err := os.ReadFile("releases/" + lab + "-2.0/rows/00002.bin.zst")
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	if err := os.WriteFile("releases/"+lab+"-2.0/rows/00002.bin.zst", b, 0o644); err != nil {
		t.Fatal(err)
	}
	other := "djtest_cli_" + strings.ToLower(t.Name()[:4]) + fmt.Sprint(os.Getpid())
	t.Cleanup(func() { c.ExecContext(context.Background(), "DROP DATABASE IF EXISTS `"+other+"`") })
	if out, errOut, code := cli("import", "--version", "2.0", "--rename", lab+"="+other, "releases"); code != 1 || out != "" || !strings.Contains(errOut, "corrupt release archive") {
		t.Errorf("damaged archive: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	var n int
	if err := c.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", other).Scan(&n); err != nil || n != 0 {
		t.Errorf("the refused import created the schema (%v)", err)
	}
	// Usage errors exit 2, failures 1.
	for _, args := range [][]string{
		{"export", "--schema", lab, "x.tar"},
		{"export", "--version", "1", "x.tar"},
		{"import", "releases"},
		{"import", "--rename", "nope", "releases/" + lab + "-1.0.tar"},
		{"releases"},
	} {
		if _, _, code := cli(args...); code != 2 {
			t.Errorf("dj %v: exit %d, want 2", args, code)
		}
	}
	for _, args := range [][]string{
		{"import", "--version", "9.9", "releases"},
		{"export", "--version", "1", "--schema", lab, "releases/" + lab + "-1.0.tar"},
		{"releases", "no-such-dir"},
	} {
		if out, errOut, code := cli(args...); code != 1 || out != "" || !strings.HasPrefix(errOut, "dj: ") {
			t.Errorf("dj %v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}
