package schema

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
)

// Names, comments and tag values are user input that ends up in DDL.
// Whatever they hold, the generated statement is either refused with a
// declaration error or is exactly one CREATE TABLE with the intended
// names, comments and defaults.

// hostileStruct builds a table struct with an int32 key and one attribute
// field F of Go type any (which fits every column type), carrying the
// given dj and comment tag values.
func hostileStruct(tableComment, djTag, comment string) reflect.Type {
	return reflect.StructOf([]reflect.StructField{
		{Name: "DJManual", Type: reflect.TypeFor[DJManual](), Anonymous: true,
			Tag: reflect.StructTag("comment:" + strconv.Quote(tableComment))},
		{Name: "ID", Type: reflect.TypeFor[int32](), Tag: `dj:"pk"`},
		{Name: "F", Type: reflect.TypeFor[any](),
			Tag: reflect.StructTag("dj:" + strconv.Quote(djTag) + " comment:" + strconv.Quote(comment))},
	})
}

// checkTableDDL parses stmt and compares its names, comments and defaults
// with the table metadata it was generated from.
func checkTableDDL(tb *Table, stmt string) error {
	d, err := parseCreateTable(stmt)
	if err != nil {
		return err
	}
	if d.database != tb.Database || d.name != tb.Name {
		return fmt.Errorf("statement creates %q.%q, want %q.%q", d.database, d.name, tb.Database, tb.Name)
	}
	if d.comment != tb.Comment {
		return fmt.Errorf("table comment %q, want %q", d.comment, tb.Comment)
	}
	if len(d.columns) != len(tb.Heading.Attributes) {
		return fmt.Errorf("statement has %d columns, want %d", len(d.columns), len(tb.Heading.Attributes))
	}
	if strings.Join(d.primaryKey, ",") != strings.Join(tb.Heading.PrimaryKey(), ",") {
		return fmt.Errorf("primary key %v, want %v", d.primaryKey, tb.Heading.PrimaryKey())
	}
	if d.foreignKeys != len(tb.ForeignKeys) || d.indexes != len(tb.Indexes) {
		return fmt.Errorf("%d foreign keys and %d indexes, want %d and %d", d.foreignKeys, d.indexes, len(tb.ForeignKeys), len(tb.Indexes))
	}
	for i, c := range d.columns {
		a := &tb.Heading.Attributes[i]
		if c.name != a.Name || c.nullable != a.Nullable {
			return fmt.Errorf("column %d is %q (nullable %v), want %q (nullable %v)", i, c.name, c.nullable, a.Name, a.Nullable)
		}
		if want := a.ColumnComment(); c.comment != want || c.hasComment != (want != "") {
			return fmt.Errorf("column %q comment %q, want %q", a.Name, c.comment, want)
		}
		if a.HasDefault && !a.Nullable {
			want := unquoteSQL(a.Default)
			if nowDefaultRE.MatchString(a.Default) {
				if c.def.kind != tokWord || !strings.EqualFold(c.def.text, "CURRENT_TIMESTAMP") {
					return fmt.Errorf("column %q default %v, want %s", a.Name, c.def, a.Default)
				}
			} else if c.def.kind != tokString || c.def.text != want {
				return fmt.Errorf("column %q default %v, want the string %q", a.Name, c.def, want)
			}
		}
	}
	return nil
}

// checkSystemDDL parses a system-table statement and checks its names and
// comment.
func checkSystemDDL(stmt, db, name, comment string) error {
	d, err := parseCreateTable(stmt)
	if err != nil {
		return err
	}
	if d.database != db || d.name != name || d.comment != comment {
		return fmt.Errorf("statement creates %q.%q with comment %q, want %q.%q with %q", d.database, d.name, d.comment, db, name, comment)
	}
	return nil
}

// checkHostile declares one hostile struct and checks the outcome: a
// declaration error that names the field or the marker, or a statement
// that checkTableDDL accepts.
func checkHostile(t *testing.T, db, tableComment, djTag, comment string) (*Table, error) {
	t.Helper()
	typ := hostileStruct(tableComment, djTag, comment)
	tb, err := parseAs(typ, "Hostile", db, nil)
	if err != nil {
		if !errors.Is(err, djerr.ErrDeclaration) || !strings.Contains(err.Error(), "Hostile") {
			t.Fatalf("dj=%q comment=%q table comment=%q: error %v does not wrap ErrDeclaration or name the struct", djTag, comment, tableComment, err)
		}
		return nil, err
	}
	if err := checkTableDDL(tb, tb.CreateSQL()); err != nil {
		t.Fatalf("dj=%q comment=%q table comment=%q db=%q: %v\n%s", djTag, comment, tableComment, db, err, tb.CreateSQL())
	}
	for _, store := range externalStoresOf(tb) {
		if err := checkSystemDDL(ExternalTableSQL(db, store), db, ExternalTableName(store), "external storage tracking"); err != nil {
			t.Fatalf("~external_%s of %q: %v", store, db, err)
		}
	}
	return tb, nil
}

func externalStoresOf(tb *Table) []string {
	var out []string
	for _, a := range tb.Heading.Attributes {
		if a.Category.External() {
			out = append(out, a.Store)
		}
	}
	return out
}

// checkSystemTables checks the ~jobs, ~log and ~external_ statements of a
// database name, whatever it holds.
func checkSystemTables(t *testing.T, db string) {
	t.Helper()
	for _, c := range []struct{ stmt, name, comment string }{
		{JobsTableSQL(db), "~jobs", "job reservation table for `" + db + "`"},
		{LogTableSQL(db), "~log", "event logging table for `" + db + "`"},
		{ExternalTableSQL(db, "ext"), "~external_ext", "external storage tracking"},
	} {
		if err := checkSystemDDL(c.stmt, db, c.name, c.comment); err != nil {
			t.Fatalf("%s of database %q: %v\n%s", c.name, db, err, c.stmt)
		}
	}
	if ValidateDatabaseName(db) == nil && strings.ContainsAny(db, "\"\\`") {
		t.Fatalf("ValidateDatabaseName accepts %q", db)
	}
}

// hostileNames are database names and comments that try to end the
// quoted text they are written into.
var hostileNames = []string{
	"x\",ENGINE=MyISAM,CHARSET=latin1,COMMENT=\"y",
	"x\"",
	"x\\",
	"x\\\"",
	"x`y",
	"x` (a int) -- ",
	"x'y",
	"x\"; DROP TABLE t; --",
	"a\nb",
	"#",
	"/*!x*/",
}

func TestHostileSystemTables(t *testing.T) {
	for _, db := range append(hostileNames, "lab", "djtest_x_0123") {
		checkSystemTables(t, db)
	}
}

func TestValidateDatabaseName(t *testing.T) {
	for _, ok := range []string{"lab", "djtest_hostile_0a1b", "Lab_2", "my-lab", "a$b", strings.Repeat("a", 64), "0"} {
		if err := ValidateDatabaseName(ok); err != nil {
			t.Errorf("ValidateDatabaseName(%q) = %v", ok, err)
		}
	}
	for _, bad := range append(hostileNames, "", strings.Repeat("a", 65), "a b", "a.b", "a/b", "lab ", "é", "a\x00") {
		err := ValidateDatabaseName(bad)
		if !errors.Is(err, djerr.ErrConfig) || !strings.Contains(err.Error(), "schema name") {
			t.Errorf("ValidateDatabaseName(%q) = %v, want an ErrConfig naming the schema name", bad, err)
		}
	}
}

// TestHostileDefaults declares defaults that are not one SQL literal: each
// is a declaration error naming the field and the tag.
func TestHostileDefaults(t *testing.T) {
	for _, tag := range []string{
		`type=varchar(8),default=a" COMMENT "pwn`,
		`type=varchar(8),default="a" COMMENT "pwn"`,
		`type=varchar(8),default='a' COMMENT 'pwn'`,
		`type=varchar(8),default='a\'`,
		`type=varchar(8),default=a\`,
		"type=varchar(8),default=a`b",
		`type=varchar(8),default=NULL COMMENT "x"`,
		`type=datetime,default=CURRENT_TIMESTAMP COMMENT "x"`,
		`type=datetime,default=CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)`,
		`type=datetime(3),default=current_timestamp(x)`,
		`type=int,default=1 COMMENT 'x'`,
		`type=int,default=abc`,
		`type=int,default='1; drop'`,
		`type=double,default=1e5x`,
	} {
		_, err := checkHostile(t, "lab", "", tag, "")
		if err == nil || !strings.Contains(err.Error(), "Hostile.F") || !strings.Contains(err.Error(), "default") {
			t.Errorf("dj:%q: %v, want a declaration error naming Hostile.F and the default", tag, err)
		}
	}
	// Valid literals keep DataJoint's DDL text.
	for _, c := range []struct{ tag, want string }{
		{`type=varchar(8),default=mouse`, `NOT NULL DEFAULT "mouse"`},
		{`type=varchar(8),default='it''s'`, `NOT NULL DEFAULT 'it''s'`},
		{`type=varchar(8),default="a\"b"`, `NOT NULL DEFAULT "a\"b"`},
		{`type=varchar(8),default='a,b'`, `NOT NULL DEFAULT 'a,b'`},
		{`type=int,default=-3`, `NOT NULL DEFAULT "-3"`},
		{`type=double,default=1.5e3`, `NOT NULL DEFAULT "1.5e3"`},
		{`type=int,default='7'`, `NOT NULL DEFAULT '7'`},
		{`type=bool,default=true`, `NOT NULL DEFAULT "1"`},
		{`type=datetime(6),default=CURRENT_TIMESTAMP(6)`, `NOT NULL DEFAULT CURRENT_TIMESTAMP(6)`},
		{`type=timestamp,default=current_timestamp`, `NOT NULL DEFAULT current_timestamp`},
		{`type=date,default=2020-01-01`, `NOT NULL DEFAULT "2020-01-01"`},
		{`type=varchar(8),default=null`, `DEFAULT NULL`},
	} {
		tb, err := checkHostile(t, "lab", "", c.tag, "")
		if err != nil {
			t.Errorf("dj:%q: %v", c.tag, err)
			continue
		}
		if line := strings.Split(tb.CreateSQL(), "\n")[2]; !strings.Contains(line, c.want) {
			t.Errorf("dj:%q: column line %q lacks %q", c.tag, line, c.want)
		}
	}
}

// TestHostileTypesAndComments covers enum literals, comments and names.
func TestHostileTypesAndComments(t *testing.T) {
	for _, tag := range []string{
		`type=enum('a') COMMENT 'x'`,
		`type=enum('a') COMMENT 'pwn' CHECK (1)`,
		`type=enum('a') , b int, c enum('b')`,
		`type=enum('a'),default=a'`,
		`type=enum('a',b)`,
		`type=enum('a'), x int, y enum('b')`,
		`type=enum('a\')`,
		`type=enum('a' 'b')`,
		`type=varchar(8) COMMENT "x"`,
		`type=blob@` + strings.Repeat("s", 55),
		`name=a b,type=int`,
		"name=a`b,type=int",
	} {
		if _, err := checkHostile(t, "lab", "", tag, ""); err == nil {
			t.Errorf("dj:%q declares", tag)
		}
	}
	for _, c := range []struct{ table, comment string }{
		{"\x00", ""}, {"a\nb", ""}, {"", "a\rb"}, {strings.Repeat("x", MaxTableCommentLength+1), ""},
		{"", strings.Repeat("é", MaxColumnCommentLength+1)}, {"", "\xff"},
	} {
		if _, err := checkHostile(t, "lab", c.table, "type=int", c.comment); err == nil {
			t.Errorf("table comment %q, column comment %q declare", c.table, c.comment)
		}
	}
	for _, c := range []struct{ db, table, tag, comment string }{
		{"x\",ENGINE=MyISAM,COMMENT=\"y", "a\", ENGINE=MyISAM, COMMENT=\"b", "type=enum('x\"y','it''s','a\\'b'),default='it''s'", `c" COMMENT "d`},
		{"lab", `\`, "type=varchar(3),default=x", `\`},
		{"x`y", "`", "type=blob@ext,default=null", "\\\" -- "},
		{"lab", strings.Repeat("é", MaxTableCommentLength), "type=attach", strings.Repeat("é", MaxColumnCommentLength-len(":attach:"))},
	} {
		if _, err := checkHostile(t, c.db, c.table, c.tag, c.comment); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

// FuzzDDL drives database names, table comments, column names, types,
// defaults and comments into every DDL statement the package writes.
func FuzzDDL(f *testing.F) {
	f.Add("lab", "a table", "name=x,type=varchar(8),default=mouse", "a comment")
	f.Add("x\",ENGINE=MyISAM,CHARSET=latin1,COMMENT=\"y", "t", `type=varchar(8),default=a" COMMENT "pwn`, "c")
	f.Add("x`y", "x\", ENGINE=MyISAM, COMMENT \"y", "type=enum('a','b''c'),default='a'", `\"`)
	f.Add("lab", "", "name=n,type=datetime(6),default=CURRENT_TIMESTAMP(6)", "")
	f.Add("lab", "", "type=blob@ext,default=null", "-- x")
	f.Add("lab", "#", "type=decimal(5,2),default='1.5'", "/* x */")
	f.Add("a\\", "\\", `type=varchar(3),default="a\"b"`, `\`)
	f.Fuzz(func(t *testing.T, db, tableComment, djTag, comment string) {
		checkSystemTables(t, db)
		_, _ = checkHostile(t, db, tableComment, djTag, comment)
	})
}
