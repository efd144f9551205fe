package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj/internal/testenv"
	"github.com/datajoint-go/datajoint/dj/schema"
)

var columnTypes = []string{"int", "smallint", "varchar(16)", "varchar(40)", "double", "date"}

func randomAttr(r *rand.Rand, name string) schema.Attribute {
	typ := columnTypes[r.IntN(len(columnTypes))]
	a := schema.Attribute{Name: name, Type: typ, SQLType: typ, Nullable: r.IntN(3) == 0}
	if a.Nullable {
		a.HasDefault, a.Default = true, "NULL"
	}
	if r.IntN(3) == 0 {
		a.Comment = "note " + name
	}
	return a
}

var autoIncRE = regexp.MustCompile(` AUTO_INCREMENT=\d+`)

func showCreate(t *testing.T, db *sql.DB, database, table string) string {
	t.Helper()
	var n, ddl string
	if err := db.QueryRowContext(context.Background(), "SHOW CREATE TABLE "+schema.QuoteFull(database, table)).Scan(&n, &ddl); err != nil {
		t.Fatal(err)
	}
	return autoIncRE.ReplaceAllString(ddl, "")
}

// TestRandomReshapes plans random combinations of drops, additions,
// renames, type changes and reorderings, runs the single ALTER TABLE on
// the server, and checks that the table is then the one declared afresh.
func TestRandomReshapes(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	a, b := testenv.Database(t), testenv.Database(t)
	r := rand.New(rand.NewPCG(14, 2026))
	kinds := map[Kind]int{}
	for round := 0; round < 30; round++ {
		name := fmt.Sprintf("t%d", round)
		key := schema.Attribute{Name: "id", Type: "int", SQLType: "int", InKey: true}
		live := &schema.Table{Database: a, Name: name, Heading: schema.Heading{Attributes: []schema.Attribute{key}}}
		n := 2 + r.IntN(6)
		for i := 0; i < n; i++ {
			live.Heading.Attributes = append(live.Heading.Attributes, randomAttr(r, fmt.Sprintf("c%d", i)))
		}
		var decl []schema.Attribute
		for _, at := range live.Heading.Attributes[1:] {
			switch r.IntN(6) {
			case 0: // dropped
			case 1: // renamed
				nw := at
				nw.Name = at.Name + "_new"
				nw.Comment = "{" + at.Name + "} renamed"
				decl = append(decl, nw)
			case 2: // retyped
				decl = append(decl, randomAttr(r, at.Name))
			default:
				decl = append(decl, at)
			}
		}
		for i := 0; i < r.IntN(3); i++ {
			decl = append(decl, randomAttr(r, fmt.Sprintf("n%d", i)))
		}
		r.Shuffle(len(decl), func(i, j int) { decl[i], decl[j] = decl[j], decl[i] })
		want := &schema.Table{Database: b, Name: name, Heading: schema.Heading{Attributes: append([]schema.Attribute{key}, decl...)}}

		if _, err := db.ExecContext(ctx, live.CreateSQL()); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, want.CreateSQL()); err != nil {
			t.Fatal(err)
		}
		loaded, err := schema.Load(ctx, db, a, name)
		if err != nil {
			t.Fatal(err)
		}
		declA := *want
		declA.Database = a
		d, err := diffTable(&declA, loaded, liveNames{})
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for _, o := range d.ops {
			kinds[o.Kind]++
		}
		if len(d.ops) > 0 {
			stmt := alterSQL(live.FullName(), d.ops)
			if _, err := db.ExecContext(ctx, stmt); err != nil {
				t.Fatalf("round %d: %v\n%s", round, err, stmt)
			}
		}
		got, exp := showCreate(t, db, a, name), showCreate(t, db, b, name)
		if got != exp {
			t.Errorf("round %d: after\n%s\nwant\n%s\nstatement:\n%s", round, got, exp, alterSQL(live.FullName(), d.ops))
		}
		if strings.Count(got, "\n") < 2 {
			t.Fatalf("round %d: empty table?\n%s", round, got)
		}
	}
	for _, k := range []Kind{AddAttr, DropAttr, ModifyAttr, RenameAttr, MoveAttr} {
		if kinds[k] < 3 {
			t.Errorf("only %d operations of kind %s in all rounds: %v", kinds[k], k, kinds)
		}
	}
	t.Logf("operations: %v", kinds)
}
