package schema

import (
	"strings"
	"testing"
)

// pyText fills in the database of a DataJoint DDL literal and lower-cases
// the two keywords that DataJoint 0.14 writes in upper case where this
// package writes them in lower case (LONGBLOB for attach, UNIQUE INDEX for
// [unique] references); MySQL reads both spellings alike.
func pyText(py, db string) string {
	s := strings.ReplaceAll(py, "{db}", db)
	s = strings.ReplaceAll(s, "LONGBLOB", "longblob")
	return strings.ReplaceAll(s, "UNIQUE INDEX", "unique index")
}

func TestCreateSQLFixtures(t *testing.T) {
	reg := newRegistry("lab")
	for _, f := range fixtures {
		t.Run(f.name, func(t *testing.T) {
			tb := reg.parse(t, f.typ)
			if tb.Name != f.name {
				t.Fatalf("Name = %q, want %q", tb.Name, f.name)
			}
			got, want := tb.CreateSQL(), pyText(f.py, "lab")
			if got != want {
				t.Errorf("CreateSQL mismatch\n got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestSystemTableSQL(t *testing.T) {
	jobs := JobsTableSQL("lab")
	for _, s := range []string{
		"CREATE TABLE IF NOT EXISTS `lab`.`~jobs` (\n`table_name` varchar(255) NOT NULL COMMENT \"className of the table\",\n",
		"`pid` int unsigned NOT NULL DEFAULT \"0\" COMMENT \"system process id\",\n",
		"PRIMARY KEY (`table_name`,`key_hash`)\n) ENGINE=InnoDB, COMMENT \"job reservation table for `lab`\"",
	} {
		if !strings.Contains(jobs, s) {
			t.Errorf("JobsTableSQL lacks %q", s)
		}
	}
	ext := ExternalTableSQL("lab", "external-raw")
	if !strings.HasPrefix(ext, "CREATE TABLE IF NOT EXISTS `lab`.`~external_external-raw` (\n`hash` binary(16) NOT NULL COMMENT \":uuid:hash of contents (blob), of filename + contents (attach), or relative filepath (filepath)\",\n") ||
		!strings.HasSuffix(ext, "PRIMARY KEY (`hash`)\n) ENGINE=InnoDB, COMMENT \"external storage tracking\"") {
		t.Errorf("ExternalTableSQL:\n%s", ext)
	}
	log := LogTableSQL("lab")
	if !strings.HasPrefix(log, "CREATE TABLE IF NOT EXISTS `lab`.`~log` (\n`id` int unsigned auto_increment NOT NULL COMMENT \"event order id\",\n") ||
		!strings.HasSuffix(log, ") ENGINE=InnoDB, COMMENT \"event logging table for `lab`\"") {
		t.Errorf("LogTableSQL:\n%s", log)
	}
}
