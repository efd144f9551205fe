package schema

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// TestLoadPythonDeclared reads back tables declared by DataJoint for
// Python (the reference's worked example, as Python emits it).
func TestLoadPythonDeclared(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	lab := testenv.Database(t)
	exec(t, db, ExternalTableSQL(lab, "ext"))
	exec(t, db, "CREATE TABLE IF NOT EXISTS `"+lab+"`.`subject` (\n`subject_id` int NOT NULL COMMENT \"subject id\",\nPRIMARY KEY (`subject_id`)\n) ENGINE=InnoDB, COMMENT \"\"")
	exec(t, db, strings.ReplaceAll("CREATE TABLE IF NOT EXISTS `lab`.`session` (\n"+
		"`subject_id` int NOT NULL COMMENT \"subject id\",\n"+
		"`session_id` smallint unsigned NOT NULL COMMENT \"session number\",\n"+
		"`session_date` date NOT NULL,\n"+
		"`notes` varchar(255) NOT NULL DEFAULT \"\" COMMENT \"free text\",\n"+
		"`signal` longblob NOT NULL COMMENT \"raw trace\",\n"+
		"`stim` binary(16) DEFAULT NULL COMMENT \":blob@ext:stimulus\",\n"+
		"`uid` binary(16) NOT NULL COMMENT \":uuid:a uuid\",\n"+
		"`_9f2c_timestamp` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"+
		"PRIMARY KEY (`subject_id`,`session_id`),\n"+
		"FOREIGN KEY (`subject_id`) REFERENCES `lab`.`subject` (`subject_id`) ON UPDATE CASCADE ON DELETE RESTRICT,\n"+
		"FOREIGN KEY (`stim`) REFERENCES `lab`.`~external_ext` (`hash`) ON UPDATE RESTRICT ON DELETE RESTRICT\n"+
		") ENGINE=InnoDB, COMMENT \"a session\"", "`lab`", "`"+lab+"`"))

	tb, err := Load(ctx, db, lab, "session")
	if err != nil {
		t.Fatal(err)
	}
	if tb.Tier != Manual || tb.ClassName != "Session" || tb.Comment != "a session" || tb.Master != "" {
		t.Errorf("table = %v %q %q %q", tb.Tier, tb.ClassName, tb.Comment, tb.Master)
	}
	type row struct {
		Name, Type string
		Cat        Category
		Store      string
		Key, Null  bool
		Def        string
		HasDef     bool
		Unsigned   bool
		Comment    string
	}
	want := []row{
		{"subject_id", "int", CatInteger, "", true, false, "", false, false, "subject id"},
		{"session_id", "smallint unsigned", CatInteger, "", true, false, "", false, true, "session number"},
		{"session_date", "date", CatTemporal, "", false, false, "", false, false, ""},
		{"notes", "varchar(255)", CatString, "", false, false, `""`, true, false, "free text"},
		{"signal", "longblob", CatBlob, "", false, false, "", false, false, "raw trace"},
		{"stim", "blob@ext", CatExternalBlob, "ext", false, true, "NULL", true, false, "stimulus"},
		{"uid", "uuid", CatUUID, "", false, false, "", false, false, "a uuid"},
	}
	var got []row
	for _, a := range tb.Heading.Attributes {
		got = append(got, row{a.Name, a.Type, a.Category, a.Store, a.InKey, a.Nullable, a.Default, a.HasDefault, a.Unsigned, a.Comment})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("heading\n got %+v\nwant %+v", got, want)
	}
	if a, _ := tb.Heading.Attr("uid"); a.SQLType != "binary(16)" || a.Marker() != ":uuid:" {
		t.Errorf("uid = %+v", a)
	}
	wantFK := []ForeignKey{
		{ParentDatabase: lab, ParentTable: "subject", Attrs: []string{"subject_id"}, RefAttrs: []string{"subject_id"}, Primary: true},
		{ParentDatabase: lab, ParentTable: "~external_ext", Attrs: []string{"stim"}, RefAttrs: []string{"hash"}, Nullable: true},
	}
	if !reflect.DeepEqual(tb.ForeignKeys, wantFK) {
		t.Errorf("foreign keys\n got %+v\nwant %+v", tb.ForeignKeys, wantFK)
	}
	if len(tb.Indexes) != 0 {
		t.Errorf("indexes = %+v (the implicit FK index must not be listed)", tb.Indexes)
	}

	// Markers that DataJoint 0.14 does not know, DataJoint 2 core-type
	// markers among them, make the heading fail.
	for _, c := range []struct{ comment, msg string }{
		{":int32:subject", `unknown attribute type "int32"`},
		{":varchar(255):name", `unknown attribute type "varchar(255)"`},
		{":external:legacy", "legacy"},
	} {
		exec(t, db, "CREATE TABLE "+QuoteFull(lab, "odd")+" (`id` int NOT NULL COMMENT '"+c.comment+"', PRIMARY KEY (`id`))")
		_, err := Load(ctx, db, lab, "odd")
		if err == nil || !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), "`odd`") {
			t.Errorf("Load with marker %q: %v", c.comment, err)
		}
		exec(t, db, "DROP TABLE "+QuoteFull(lab, "odd"))
	}
}

// TestCompareMismatch alters a declared table and checks that Compare
// names each difference.
func TestCompareMismatch(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	name := testenv.Database(t)
	reg := newRegistry(name)
	subject := reg.parse(t, reflect.TypeFor[Subject]())
	session := reg.parse(t, reflect.TypeFor[Session]())
	rig := reg.parse(t, reflect.TypeFor[Rig]())
	for _, tb := range []*Table{subject, rig, session} {
		exec(t, db, tb.CreateSQL())
	}
	check := func(tb *Table, alter string, wants ...string) {
		t.Helper()
		exec(t, db, "ALTER TABLE "+tb.FullName()+" "+alter)
		loaded, err := Load(ctx, db, name, tb.Name)
		if err != nil {
			t.Fatal(err)
		}
		err = Compare(tb, loaded)
		if !errors.Is(err, djerr.ErrHeadingMismatch) {
			t.Fatalf("%s: Compare = %v, want ErrHeadingMismatch", alter, err)
		}
		for _, w := range append(wants, tb.FullName()) {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", alter, err, w)
			}
		}
	}
	check(subject, "MODIFY `species` varchar(64) NOT NULL DEFAULT 'mouse'", `"species" has type varchar(32) in the struct but varchar(64)`)
	check(subject, "MODIFY `species` varchar(32) NOT NULL DEFAULT 'rat'", `"species" has default "mouse" in the struct but "rat"`)
	check(subject, "MODIFY `species` varchar(32) DEFAULT 'mouse'", `"species" is NOT NULL in the struct but nullable`)
	check(subject, "MODIFY `species` varchar(32) NOT NULL DEFAULT 'mouse', ADD `extra` int", `attribute "extra", which the struct does not declare`)
	check(subject, "DROP `extra`, DROP `weight`", `"weight" is declared but the database table has no such column`)
	check(subject, "ADD `weight` decimal(5,2) DEFAULT NULL AFTER `species`", "attribute order differs")
	exec(t, db, "ALTER TABLE "+subject.FullName()+" MODIFY `weight` decimal(5,2) DEFAULT NULL AFTER `dob`")
	if loaded, _ := Load(ctx, db, name, subject.Name); Compare(subject, loaded) != nil {
		t.Fatalf("restored subject still differs: %v", Compare(subject, loaded))
	}
	check(rig, "DROP PRIMARY KEY, ADD PRIMARY KEY (`rig_uuid`,`rig_name`)", `"rig_name" is a secondary attribute in the struct but in the primary key`)

	var fkName string
	if err := db.QueryRowContext(ctx, `SELECT constraint_name FROM information_schema.key_column_usage
		WHERE table_schema = ? AND table_name = 'session' AND referenced_table_name = '#rig'`, name).Scan(&fkName); err != nil {
		t.Fatal(err)
	}
	check(session, "DROP FOREIGN KEY "+QuoteIdent(fkName), "foreign key (rig_uuid) -> "+rig.FullName()+" (rig_uuid) is declared but missing")
}

// TestLoadServerDialects feeds loadAttribute the column descriptions of
// MariaDB 10.11 and MySQL 8 for the same columns.
func TestLoadServerDialects(t *testing.T) {
	ns := func(s string) sql.NullString { return sql.NullString{String: s, Valid: true} }
	null := sql.NullString{}
	for _, c := range []struct {
		label                  string
		colType                string
		nullable               bool
		def                    sql.NullString
		extra, comment         string
		maria, json            bool
		typ, sqlType, defText  string
		cat                    Category
		hasDef, unsigned, auto bool
	}{
		{"maria int", "int(11)", false, null, "", "", true, false, "int", "int(11)", "", CatInteger, false, false, false},
		{"mysql int", "int", false, null, "", "", false, false, "int", "int", "", CatInteger, false, false, false},
		{"maria unsigned ai", "int(10) unsigned", false, null, "auto_increment", "", true, false, "int unsigned", "int(10) unsigned", "", CatInteger, false, true, true},
		{"maria string default", "varchar(10)", false, ns("'U'"), "", "", true, false, "varchar(10)", "varchar(10)", `"U"`, CatString, true, false, false},
		{"mysql string default", "varchar(10)", false, ns("U"), "", "", false, false, "varchar(10)", "varchar(10)", `"U"`, CatString, true, false, false},
		{"maria quote in default", "varchar(10)", false, ns(`'it''s "x"'`), "", "", true, false, "varchar(10)", "varchar(10)", `"it's \"x\""`, CatString, true, false, false},
		{"maria nullable", "int(11)", true, ns("NULL"), "", "", true, false, "int", "int(11)", "NULL", CatInteger, true, false, false},
		{"mysql nullable", "int", true, null, "", "", false, false, "int", "int", "NULL", CatInteger, true, false, false},
		{"maria now", "timestamp", false, ns("current_timestamp()"), "", "", true, false, "timestamp", "timestamp", "CURRENT_TIMESTAMP", CatTemporal, true, false, false},
		{"mysql now", "timestamp", false, ns("CURRENT_TIMESTAMP"), "DEFAULT_GENERATED", "", false, false, "timestamp", "timestamp", "CURRENT_TIMESTAMP", CatTemporal, true, false, false},
		{"maria now(6)", "datetime(6)", false, ns("current_timestamp(6)"), "", "", true, false, "datetime(6)", "datetime(6)", "CURRENT_TIMESTAMP(6)", CatTemporal, true, false, false},
		{"mysql string CURRENT_TIMESTAMP literal", "varchar(20)", false, ns("CURRENT_TIMESTAMP"), "", "", false, false, "varchar(20)", "varchar(20)", `"CURRENT_TIMESTAMP"`, CatString, true, false, false},
		{"maria number", "int(11)", false, ns("0"), "", "", true, false, "int", "int(11)", `"0"`, CatInteger, true, false, false},
		{"maria json", "longtext", true, ns("NULL"), "", "", true, true, "json", "json", "NULL", CatJSON, true, false, false},
		{"mysql json", "json", false, null, "", "", false, false, "json", "json", "", CatJSON, false, false, false},
		{"maria longtext", "longtext", false, null, "", "", true, false, "longtext", "longtext", "", 0, false, false, false},
		{"bool", "tinyint(1)", false, ns("1"), "", "", true, false, "tinyint", "tinyint(1)", `"1"`, CatInteger, true, false, false},
		{"enum case", "enum('M','F')", false, ns("'M'"), "", "", true, false, "enum('M','F')", "enum('M','F')", `"M"`, CatEnum, true, false, false},
		{"uuid", "binary(16)", false, null, "", ":uuid:id", false, false, "uuid", "binary(16)", "", CatUUID, false, false, false},
		{"attach", "longblob", true, null, "", ":attach:", false, false, "attach", "longblob", "NULL", CatAttach, true, false, false},
		{"filepath", "binary(16)", false, null, "", ":filepath@data:f", false, false, "filepath@data", "binary(16)", "", CatFilepath, false, false, false},
		{"double width", "double(10,2)", false, null, "", "", true, false, "double(10,2)", "double(10,2)", "", CatFloat, false, false, false},
	} {
		a, err := loadAttribute("x", c.colType, c.nullable, c.def, false, c.extra, c.comment, c.maria, c.json)
		if err != nil {
			t.Errorf("%s: %v", c.label, err)
			continue
		}
		if a.Type != c.typ || a.SQLType != c.sqlType || a.Default != c.defText || a.Category != c.cat ||
			a.HasDefault != c.hasDef || a.Unsigned != c.unsigned || a.AutoIncrement != c.auto || a.Nullable != c.nullable {
			t.Errorf("%s: got %+v", c.label, a)
		}
	}
}
