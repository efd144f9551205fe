package inspect

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// allTypesSQL declares, as DataJoint for Python 0.14 does, a table with
// every 0.14 attribute type that the golden vectors do not cover, and a
// table with an auto_increment key.
var allTypesSQL = []string{
	"CREATE TABLE `{db}`.`all_types` (\n" +
		"`k_uuid` binary(16) NOT NULL COMMENT \":uuid:a uuid key\",\n" +
		"`k_date` date NOT NULL,\n" +
		"`tiny` tinyint unsigned NOT NULL DEFAULT 3,\n" +
		"`small` smallint NOT NULL,\n" +
		"`med` mediumint unsigned NOT NULL,\n" +
		"`big` bigint NOT NULL DEFAULT -1,\n" +
		"`ubig` bigint unsigned DEFAULT NULL,\n" +
		"`flag` tinyint(1) NOT NULL DEFAULT 0,\n" +
		"`dec_val` decimal(10,3) NOT NULL DEFAULT 1.500,\n" +
		"`flt` float NOT NULL,\n" +
		"`dbl` double DEFAULT NULL,\n" +
		"`chr` char(3) NOT NULL DEFAULT \"abc\",\n" +
		"`quote` varchar(20) NOT NULL DEFAULT \"it's \\\"q\\\"\",\n" +
		"`en` enum('a','b','c') NOT NULL DEFAULT \"b\",\n" +
		"`dt` datetime(6) NOT NULL,\n" +
		"`ts` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT \"when\",\n" +
		"`tm` time(3) DEFAULT NULL,\n" +
		"`yr` year DEFAULT NULL,\n" +
		"`js` json DEFAULT NULL,\n" +
		"`bl` blob NOT NULL,\n" +
		"`mbl` mediumblob DEFAULT NULL,\n" +
		"`ext` binary(16) DEFAULT NULL COMMENT \":blob@extstore:\",\n" +
		"`att` longblob DEFAULT NULL COMMENT \":attach:\",\n" +
		"`eatt` binary(16) DEFAULT NULL COMMENT \":attach@extstore:\",\n" +
		"`fp` binary(16) DEFAULT NULL COMMENT \":filepath@extstore:a file\",\n" +
		"PRIMARY KEY (`k_uuid`,`k_date`),\n" +
		"FOREIGN KEY (`ext`) REFERENCES `{db}`.`~external_extstore` (`hash`) ON UPDATE RESTRICT ON DELETE RESTRICT,\n" +
		"FOREIGN KEY (`eatt`) REFERENCES `{db}`.`~external_extstore` (`hash`) ON UPDATE RESTRICT ON DELETE RESTRICT,\n" +
		"FOREIGN KEY (`fp`) REFERENCES `{db}`.`~external_extstore` (`hash`) ON UPDATE RESTRICT ON DELETE RESTRICT,\n" +
		"index (`small`,`med`)\n" +
		") ENGINE=InnoDB, COMMENT \"every type\"",
	"CREATE TABLE `{db}`.`adapted` (\n" +
		"`adapted_id` int NOT NULL,\n" +
		"`graph` longblob DEFAULT NULL COMMENT \":<graph>:adapted\",\n" +
		"PRIMARY KEY (`adapted_id`)\n" +
		") ENGINE=InnoDB, COMMENT \"\"",
	"CREATE TABLE `{db}`.`dj2` (`x` int NOT NULL COMMENT \":int32:\", PRIMARY KEY (`x`)) ENGINE=InnoDB",
	"CREATE TABLE `{db}`.`counter` (\n" +
		"`counter_id` int NOT NULL AUTO_INCREMENT,\n" +
		"`label` varchar(16) NOT NULL,\n" +
		"PRIMARY KEY (`counter_id`)\n" +
		") ENGINE=InnoDB, COMMENT \"\"",
}

// createAllTypes adds the all_types and counter tables to a schema made by
// createPythonSchema.
func createAllTypes(t testing.TB, s *dj.Schema) {
	t.Helper()
	for _, st := range allTypesSQL {
		if _, err := s.Conn().ExecContext(context.Background(), strings.ReplaceAll(st, "{db}", s.Name())); err != nil {
			t.Fatal(err)
		}
	}
}

// repoRoot returns the module root.
func repoRoot(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// checkGenerated writes the generated package into a directory of this
// module (under testdata, so that ./... skips it), builds and vets it, and
// runs a program that binds the generated structs to the database with
// Schema.Bind and then Schema.Declare: both must find no difference.
// extra is Go code added to that program's main, after binding; it may
// use the generated package as gen.
func checkGenerated(t *testing.T, s *dj.Schema, src []byte, extra string) {
	t.Helper()
	dir, err := os.MkdirTemp("testdata", "gen-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	pkgDir := filepath.Join(dir, "gen")
	mainDir := filepath.Join(dir, "check")
	for _, d := range []string{pkgDir, mainDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(pkgDir, "tables.go"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	importPath := "github.com/datajoint-go/datajoint/dj/inspect/" + filepath.ToSlash(pkgDir)
	schemasExpr, tablesExpr := "[]string{gen.SchemaName}", "gen.Tables()"
	if bytes.Contains(src, []byte("\nvar Schemas = ")) {
		schemasExpr, tablesExpr = "gen.Schemas", "gen.TablesOf(name)"
	}
	prog := `package main

import (
	"context"
	"fmt"
	"os"

	"github.com/datajoint-go/datajoint/dj"
	gen "` + importPath + `"
)

func main() {
	ctx := context.Background()
	cfg := dj.Config{Host: os.Getenv("DJ_HOST"), User: os.Getenv("DJ_USER"), Password: os.Getenv("DJ_PASS")}
	for _, declare := range []bool{false, true} {
		c, err := dj.Connect(ctx, cfg)
		if err != nil {
			panic(err)
		}
		for _, name := range ` + schemasExpr + ` {
			s, err := c.Schema(ctx, name, dj.NoCreate())
			if err != nil {
				panic(err)
			}
			if declare {
				err = s.Declare(ctx, ` + tablesExpr + `...)
			} else {
				err = s.Bind(ctx, ` + tablesExpr + `...)
			}
			if err != nil {
				fmt.Println("FAIL:", err)
				os.Exit(1)
			}
		}
		` + extra + `
		c.Close()
	}
	fmt.Println("bound")
}
`
	if err := os.WriteFile(filepath.Join(mainDir, "main.go"), []byte(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"vet", "./" + pkgDir}, {"build", "-o", filepath.Join(dir, "check.bin"), "./" + mainDir}} {
		cmd := exec.Command("go", args...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s\n%s", strings.Join(args, " "), err, out, numbered(src))
		}
	}
	srv := testenv.MySQL(t)
	abs, _ := filepath.Abs(filepath.Join(dir, "check.bin"))
	cmd := exec.Command(abs)
	cmd.Env = append(os.Environ(), "DJ_HOST="+srv.Host, "DJ_USER="+srv.User, "DJ_PASS="+srv.Pass)
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.HasPrefix(out, []byte("bound")) {
		t.Fatalf("binding the generated structs: %v\n%s\n%s", err, out, numbered(src))
	}
}

func numbered(src []byte) string {
	var b strings.Builder
	for i, l := range strings.Split(string(src), "\n") {
		fmt.Fprintf(&b, "%4d\t%s\n", i+1, l)
	}
	return b.String()
}

// TestGeneratePython generates Go code for a schema declared by DataJoint
// for Python (every 0.14 type, renamed, nullable and unique references,
// parts, indexes, external storage), compiles and vets it, and binds it to
// the same database with no difference.
func TestGeneratePython(t *testing.T) {
	_, s := connect(t)
	ctx := context.Background()
	createPythonSchema(t, s)
	createAllTypes(t, s)
	src, err := Generate(ctx, s, GenOptions{Package: "lab"})
	if err != nil {
		t.Fatal(err)
	}
	again, err := Generate(ctx, s, GenOptions{Package: "lab"})
	if err != nil || !bytes.Equal(src, again) {
		t.Fatalf("a second run differs (%v)", err)
	}
	if os.Getenv("DJ_GEN_SHOW") != "" {
		t.Logf("\n%s", src)
	}
	checkGenerated(t, s, src, `
		k := gen.AnalysisKey{SessionKey: gen.SessionKey{SubjectKey: gen.SubjectKey{SubjectID: 1}, SessionIdx: 2}, ParamsKey: gen.ParamsKey{ParamID: 3}}
		u := gen.AnalysisUnit{AnalysisUnitKey: gen.AnalysisUnitKey{AnalysisKey: k, Unit: 4}}
		if u.SubjectID != 1 || u.ParamID != 3 {
			panic("keys are not embedded")
		}`)
	if !bytes.Contains(src, []byte("//\tadapted: attribute graph has the adapted type <graph>")) {
		t.Errorf("the table with an adapted type is not listed as left out")
	}
	if !bytes.Contains(src, []byte("//\tdj2: it cannot be read: ")) {
		t.Errorf("the table with a DataJoint 2 type is not listed as left out")
	}
}

// runExample runs one of the programs in examples/ against the test server.
func runExample(t *testing.T, args ...string) {
	t.Helper()
	srv := testenv.MySQL(t)
	cmd := exec.Command("go", append([]string{"run"}, args...)...)
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), "DJ_HOST="+srv.Host, "DJ_USER="+srv.User, "DJ_PASS="+srv.Pass)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestGenerateExamples generates Go code for the schemas that
// examples/pipeline and examples/worker declare, and binds it back.
func TestGenerateExamples(t *testing.T) {
	for _, ex := range []struct{ name, extra string }{
		{"./examples/pipeline", ""},
		{"./examples/worker", "-seed=3"},
	} {
		t.Run(filepath.Base(ex.name), func(t *testing.T) {
			_, s := connect(t)
			args := []string{ex.name, "-schema=" + s.Name()}
			if ex.extra != "" {
				args = append(args, ex.extra)
			}
			runExample(t, args...)
			src, err := Generate(context.Background(), s, GenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(src, []byte("Tables left out")) {
				t.Fatalf("tables left out:\n%s", src)
			}
			checkGenerated(t, s, src, "")
		})
	}
}
