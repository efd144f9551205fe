package schema

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

func exec(t *testing.T, db *sql.DB, stmt string) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), stmt); err != nil {
		t.Fatalf("%v\n%s", err, stmt)
	}
}

func showCreate(t *testing.T, db *sql.DB, database, name string) string {
	t.Helper()
	var tn, ddl string
	if err := db.QueryRowContext(context.Background(), "SHOW CREATE TABLE "+QuoteFull(database, name)).Scan(&tn, &ddl); err != nil {
		t.Fatalf("SHOW CREATE TABLE %s: %v", QuoteFull(database, name), err)
	}
	return strings.ReplaceAll(ddl, database, "DB")
}

// TestGoldenDDL creates every fixture twice, once from CreateSQL in one
// database and once from DataJoint's DDL text in another, and requires the
// server's SHOW CREATE TABLE to be identical. It then reads each table back
// with Load and compares it with the declaration.
func TestGoldenDDL(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	goDB, pyDB := testenv.Database(t), testenv.Database(t)
	exec(t, db, ExternalTableSQL(goDB, "ext"))
	exec(t, db, ExternalTableSQL(pyDB, "ext"))
	goReg, pyReg := newRegistry(goDB), newRegistry(pyDB)
	for _, f := range fixtures {
		tb := goReg.parse(t, f.typ)
		exec(t, db, tb.CreateSQL())
		exec(t, db, strings.ReplaceAll(f.py, "{db}", pyDB))
		g, p := showCreate(t, db, goDB, f.name), showCreate(t, db, pyDB, f.name)
		if g != p {
			t.Errorf("%s: SHOW CREATE TABLE differs\n go:\n%s\n python:\n%s", f.name, g, p)
		}
		for _, side := range []struct {
			db  string
			reg *registry
		}{{goDB, goReg}, {pyDB, pyReg}} {
			declared := side.reg.parse(t, f.typ)
			loaded, err := Load(ctx, db, side.db, f.name)
			if err != nil {
				t.Fatalf("Load(%s): %v", f.name, err)
			}
			if err := Compare(declared, loaded); err != nil {
				t.Errorf("Compare(%s): %v", f.name, err)
			}
			if loaded.Tier != declared.Tier || loaded.Master != declared.Master || loaded.ClassName != declared.ClassName || loaded.Comment != declared.Comment {
				t.Errorf("%s: loaded tier/master/class/comment %v %q %q %q, declared %v %q %q %q", f.name,
					loaded.Tier, loaded.Master, loaded.ClassName, loaded.Comment, declared.Tier, declared.Master, declared.ClassName, declared.Comment)
			}
			// MySQL adds a unique key of its own for a serial column.
			var loadedIx []Index
			for _, ix := range loaded.Indexes {
				if a, ok := declared.Heading.Attr(ix.Attrs[0]); ok && len(ix.Attrs) == 1 && ix.Unique && a.Type == "serial" {
					continue
				}
				loadedIx = append(loadedIx, ix)
			}
			if !equalIndexSets(loadedIx, declared.Indexes) {
				t.Errorf("%s: loaded indexes %v, declared %v", f.name, loaded.Indexes, declared.Indexes)
			}
		}
	}
	// A table re-created from its loaded metadata is identical too.
	reDB := testenv.Database(t)
	exec(t, db, ExternalTableSQL(reDB, "ext"))
	for _, f := range fixtures {
		loaded, err := Load(ctx, db, pyDB, f.name)
		if err != nil {
			t.Fatal(err)
		}
		loaded.Database = reDB
		for i := range loaded.ForeignKeys {
			loaded.ForeignKeys[i].ParentDatabase = reDB
		}
		exec(t, db, loaded.CreateSQL())
		if a, b := showCreate(t, db, reDB, f.name), showCreate(t, db, pyDB, f.name); a != b {
			t.Errorf("%s: table re-created from Load differs\n re:\n%s\n python:\n%s", f.name, a, b)
		}
	}

	names, err := ListTables(ctx, db, goDB)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != len(fixtures) {
		t.Errorf("ListTables = %v, want the %d fixtures", names, len(fixtures))
	}
	for _, n := range names {
		if strings.HasPrefix(n, "~") {
			t.Errorf("ListTables lists system table %s", n)
		}
	}
	if _, err := Load(ctx, db, goDB, "nope"); !errors.Is(err, djerr.ErrMissingTable) {
		t.Errorf("Load(missing) = %v, want ErrMissingTable", err)
	}
}

func equalIndexSets(a, b []Index) bool {
	key := func(ix Index) string {
		u := "i:"
		if ix.Unique {
			u = "u:"
		}
		return u + strings.Join(ix.Attrs, ",")
	}
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		ka[i] = key(a[i])
	}
	for i := range b {
		kb[i] = key(b[i])
	}
	return len(missingFrom(ka, kb)) == 0 && len(missingFrom(kb, ka)) == 0
}
