package schema

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"testing"

	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// tableInfo is what a hostile name or comment must not change.
type tableInfo struct {
	engine, collation, comment string
}

func readTableInfo(t *testing.T, db *sql.DB, database, name string) tableInfo {
	t.Helper()
	var ti tableInfo
	var coll sql.NullString
	err := db.QueryRowContext(context.Background(), `SELECT engine, table_collation, table_comment
		FROM information_schema.tables WHERE table_schema = ? AND table_name = ?`, database, name).Scan(&ti.engine, &coll, &ti.comment)
	if err != nil {
		t.Fatalf("table %q.%q: %v", database, name, err)
	}
	ti.collation = coll.String
	return ti
}

func databaseCollation(t *testing.T, db *sql.DB, database string) string {
	t.Helper()
	var c string
	if err := db.QueryRowContext(context.Background(), "SELECT default_collation_name FROM information_schema.schemata WHERE schema_name = ?", database).Scan(&c); err != nil {
		t.Fatalf("database %q: %v", database, err)
	}
	return c
}

// TestHostileDDLServer runs the system-table DDL of databases with hostile
// names, and the DDL of tables with hostile comments, enum values and
// defaults, on the server: every table is InnoDB with the database's
// collation and exactly the intended comments and defaults.
func TestHostileDDLServer(t *testing.T) {
	db := testenv.DB(t)
	ctx := context.Background()
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	prefix := "djtest_h" + hex.EncodeToString(b[:])
	for _, suffix := range []string{
		"x\",ENGINE=MyISAM,CHARSET=latin1,COMMENT=\"y",
		"\"",
		"\\",
		"\\\"",
		"`y",
		"` (a int) -- x",
		"'y",
		"\"; DROP TABLE t; --",
	} {
		name := prefix + suffix
		if _, err := db.ExecContext(ctx, "CREATE DATABASE "+QuoteIdent(name)); err != nil {
			t.Fatalf("create database %q: %v", name, err)
		}
		t.Cleanup(func() {
			if _, err := db.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+QuoteIdent(name)); err != nil {
				t.Errorf("drop database %q: %v", name, err)
			}
		})
		coll := databaseCollation(t, db, name)
		for _, c := range []struct{ stmt, table, comment string }{
			{JobsTableSQL(name), "~jobs", "job reservation table for `" + name + "`"},
			{LogTableSQL(name), "~log", "event logging table for `" + name + "`"},
			{ExternalTableSQL(name, "ext"), "~external_ext", "external storage tracking"},
		} {
			exec(t, db, c.stmt)
			want := tableInfo{"InnoDB", coll, c.comment}
			if got := readTableInfo(t, db, name, c.table); got != want {
				t.Errorf("%s of database %q: %+v, want %+v", c.table, name, got, want)
			}
		}
	}

	lab := testenv.Database(t)
	exec(t, db, ExternalTableSQL(lab, "ext"))
	coll := databaseCollation(t, db, lab)
	for i, c := range []struct {
		tableComment, tag, comment string
		colType, def               string // information_schema's column_type and the default's value
	}{
		{"x\", ENGINE=MyISAM, CHARSET=latin1, COMMENT=\"y", "type=varchar(8),default=a", `c" COMMENT "d`, "varchar(8)", "a"},
		{`\`, `type=varchar(8),default='\''`, `\" -- x`, "varchar(8)", "'"},
		{"*/ #", "type=enum('x\"y','it''s','a\\'b'),default='it''s'", "/*!50000 x*/", "enum('x\"y','it''s','a''b')", "it's"},
		{"-- x", `type=varchar(8),default="a\"b"`, "#x", "varchar(8)", `a"b`},
		{"ok", "type=blob@ext,default=null", "`", "binary(16)", ""},
	} {
		tb, err := checkHostile(t, lab, c.tableComment, c.tag, c.comment)
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		tb.Name = tb.Name + "_" + string(rune('a'+i))
		exec(t, db, tb.CreateSQL())
		want := tableInfo{"InnoDB", coll, c.tableComment}
		if got := readTableInfo(t, db, lab, tb.Name); got != want {
			t.Errorf("%+v: table %+v, want %+v", c, got, want)
		}
		var colType, comment string
		var def sql.NullString
		if err := db.QueryRowContext(ctx, `SELECT column_type, column_comment, column_default FROM information_schema.columns
			WHERE table_schema = ? AND table_name = ? AND column_name = 'f'`, lab, tb.Name).Scan(&colType, &comment, &def); err != nil {
			t.Fatal(err)
		}
		a, _ := tb.Heading.Attr("f")
		if colType != c.colType || comment != a.ColumnComment() {
			t.Errorf("%+v: column %s %q, want %s %q", c, colType, comment, c.colType, a.ColumnComment())
		}
		if c.def != "" && def.String != c.def && def.String != sqlQuote(c.def, '\'') {
			t.Errorf("%+v: default %q, want %q", c, def.String, c.def)
		}
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = ? AND table_name = ?", lab, tb.Name).Scan(&n); err != nil || n != 2 {
			t.Errorf("%+v: %d columns (%v), want 2", c, n, err)
		}
	}
}
