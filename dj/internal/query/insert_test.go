package query

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// roster is a destination table for inserts from queries.
func roster(db string) *schema.Table {
	return &schema.Table{Database: db, Name: "roster", Heading: schema.Heading{Attributes: []schema.Attribute{
		col("student_id", "int unsigned", schema.CatInteger, true),
		col("last_name", "varchar(40)", schema.CatString, false),
		nullable(col("dept", "varchar(6)", schema.CatString, false)),
	}}}
}

const rosterDDL = "CREATE TABLE `roster` (`student_id` int unsigned NOT NULL, `last_name` varchar(40) NOT NULL, `dept` varchar(6) DEFAULT NULL, PRIMARY KEY (`student_id`)) ENGINE=InnoDB"

func TestInsertSQL(t *testing.T) {
	u := newUni("db")
	st, ma := Table(u.Student), Table(u.Major)
	dst := roster("db")
	cases := []struct {
		name   string
		e      Expr
		fields []string
		mode   InsertMode
		want   string
	}{
		{"plain", st.Proj("last_name"), []string{"student_id", "last_name"}, InsertError,
			"INSERT INTO `db`.`roster` (`student_id`,`last_name`) SELECT `student_id`,`last_name` FROM `db`.`student`"},
		{"left join", st.LeftJoin(ma), []string{"student_id", "last_name", "dept"}, InsertError,
			"INSERT INTO `db`.`roster` (`student_id`,`last_name`,`dept`) SELECT `student_id`,`last_name`,`dept` FROM `db`.`student` NATURAL LEFT JOIN `db`.`student_major`"},
		{"replace", st.Restrict(Where("home_state = ?", "CA")).Proj("last_name"), []string{"student_id", "last_name"}, InsertReplace,
			"REPLACE INTO `db`.`roster` (`student_id`,`last_name`) SELECT `student_id`,`last_name` FROM `db`.`student` WHERE (home_state = ?)"},
		{"skip duplicates", st.Proj("last_name=first_name"), []string{"student_id", "last_name"}, InsertSkipDuplicates,
			"INSERT INTO `db`.`roster` (`student_id`,`last_name`) SELECT * FROM (SELECT `student_id`,`first_name` as `last_name` FROM `db`.`student`) as `$1` ON DUPLICATE KEY UPDATE `db`.`roster`.`student_id`=`db`.`roster`.`student_id`"},
		{"ordered and limited", st.OrderBy("last_name").Limit(2), []string{"student_id", "last_name"}, InsertError,
			"INSERT INTO `db`.`roster` (`student_id`,`last_name`) SELECT `student_id`,`last_name` FROM `db`.`student` ORDER BY `last_name` LIMIT 2"},
		{"float not cast", Table(u.Sample).Proj("weight"), []string{"weight"}, InsertError,
			"INSERT INTO `db`.`roster` (`weight`) SELECT `weight` FROM `db`.`sample`"},
	}
	for _, c := range cases {
		q, _, err := c.e.InsertSQL(dst, c.fields, c.mode)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if q != c.want {
			t.Errorf("%s:\n got: %s\nwant: %s", c.name, q, c.want)
		}
	}
	bad := []struct {
		name   string
		e      Expr
		dst    *schema.Table
		fields []string
		mode   InsertMode
		is     error
	}{
		{"no fields", st, dst, nil, InsertError, djerr.ErrMissingAttribute},
		{"unknown field", st, dst, []string{"zzz"}, InsertError, djerr.ErrUnknownAttribute},
		{"field twice", st, dst, []string{"student_id", "student_id"}, InsertError, djerr.ErrInvalidQuery},
		{"universal", U("dept"), dst, []string{"dept"}, InsertError, djerr.ErrInvalidQuery},
		{"operand error", st.Proj("zzz"), dst, []string{"student_id"}, InsertError, djerr.ErrUnknownAttribute},
		{"no table", st, nil, []string{"student_id"}, InsertError, djerr.ErrInvalidQuery},
		{"skip without key", st, &schema.Table{Name: "t"}, []string{"student_id"}, InsertSkipDuplicates, djerr.ErrInvalidQuery},
	}
	for _, c := range bad {
		if _, _, err := c.e.InsertSQL(c.dst, c.fields, c.mode); !errors.Is(err, c.is) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.is)
		}
	}
}

// TestIntegrationInsert runs inserts from queries on the server in each
// mode and checks the destination's rows.
func TestIntegrationInsert(t *testing.T) {
	c, u := uniConn(t)
	ctx := t.Context()
	if _, err := c.ExecContext(ctx, rosterDDL); err != nil {
		t.Fatal(err)
	}
	st, ma := Table(u.Student), Table(u.Major)
	dst := roster(u.Student.Database)
	run := func(e Expr, fields []string, mode InsertMode) error {
		t.Helper()
		q, args, err := e.InsertSQL(dst, fields, mode)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ExecContext(ctx, q, args...)
		return err
	}
	check := func(what, want string) {
		t.Helper()
		_, got := rows(t, c, "SELECT student_id, last_name, dept FROM roster ORDER BY student_id")
		_, exp := rows(t, c, want)
		if !slices.Equal(got, exp) {
			t.Fatalf("%s: roster %q, want %q", what, got, exp)
		}
	}
	ca := st.Restrict(Where("home_state = ?", "CA"))
	// The first names of the students from CA, with their majors or NULL.
	if err := run(ca.LeftJoin(ma).Proj("last_name=first_name", "dept"), []string{"student_id", "last_name", "dept"}, InsertError); err != nil {
		t.Fatal(err)
	}
	check("insert", "SELECT s.student_id, s.first_name, m.dept FROM student s LEFT JOIN student_major m USING (student_id) WHERE s.home_state = 'CA' ORDER BY s.student_id")
	// Inserting a duplicate fails as a whole.
	err := run(st.Proj("last_name"), []string{"student_id", "last_name"}, InsertError)
	if err == nil || !strings.Contains(err.Error(), "Duplicate") {
		t.Fatalf("duplicate insert: %v", err)
	}
	check("failed insert", "SELECT s.student_id, s.first_name, m.dept FROM student s LEFT JOIN student_major m USING (student_id) WHERE s.home_state = 'CA' ORDER BY s.student_id")
	// Skipping duplicates keeps the existing rows and adds the others.
	if err := run(st.Proj("last_name"), []string{"student_id", "last_name"}, InsertSkipDuplicates); err != nil {
		t.Fatal(err)
	}
	check("skip duplicates", "SELECT s.student_id, IF(s.home_state <=> 'CA', s.first_name, s.last_name), IF(s.home_state <=> 'CA', m.dept, NULL) FROM student s LEFT JOIN student_major m USING (student_id) ORDER BY s.student_id")
	// Skipping duplicates from the destination itself.
	if err := run(Table(dst).Proj("last_name"), []string{"student_id", "last_name"}, InsertSkipDuplicates); err != nil {
		t.Fatal(err)
	}
	// Replacing overwrites whole rows: dept becomes NULL where not given.
	if err := run(ca.Proj("last_name"), []string{"student_id", "last_name"}, InsertReplace); err != nil {
		t.Fatal(err)
	}
	check("replace", "SELECT student_id, last_name, NULL FROM student ORDER BY student_id")
	// A computed attribute and a NULL into a NOT NULL column.
	if _, err := c.ExecContext(ctx, "DELETE FROM roster"); err != nil {
		t.Fatal(err)
	}
	if err := run(st.Proj("last_name=upper(last_name)"), []string{"student_id", "last_name"}, InsertError); err != nil {
		t.Fatal(err)
	}
	check("computed", "SELECT student_id, upper(last_name), NULL FROM student ORDER BY student_id")
	if err := run(st.LeftJoin(ma).Proj("last_name=dept").Restrict(Where("last_name IS NULL")), []string{"student_id", "last_name"}, InsertReplace); err == nil {
		t.Fatal("NULL into a NOT NULL column succeeded")
	}
}
