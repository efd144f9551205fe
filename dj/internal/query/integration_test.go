package query

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// djSQLMode is the session sql_mode DataJoint sets on every connection.
const djSQLMode = "NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,ONLY_FULL_GROUP_BY"

var uniData = []string{
	"INSERT INTO `student` VALUES (1,'Ann','Lee','2001-02-03','CA'),(2,'Bob','Ray','2000-05-06','NY')," +
		"(3,'Cid','Fox','2002-07-08',NULL),(4,'Dee','Kim','1999-09-10','CA'),(5,'Eve','Lee','2001-11-12','TX')," +
		"(6,'Fay','Orr','2003-01-14',NULL),(7,'Gus','Poe','2000-03-16','NY'),(8,'Hal','Kim','2002-05-18','CA')",
	"INSERT INTO `#department` VALUES ('MATH','Mathematics'),('BIOL','Biology'),('PHYS','Physics'),('CS','Computer Science')",
	"INSERT INTO `student_major` VALUES (1,'MATH','2020-09-01'),(2,'BIOL','2019-09-01'),(3,'MATH','2021-09-01')," +
		"(4,'PHYS','2018-09-01'),(5,'BIOL','2020-09-01'),(6,'CS','2022-09-01')",
	"INSERT INTO `course` VALUES ('MATH',101,'Calculus',3.0),('MATH',201,'Algebra',4.0),('BIOL',101,'Cells',3.0)," +
		"('BIOL',250,'Genetics',4.5),('PHYS',101,'Mechanics',4.0)",
	"INSERT INTO `enroll` VALUES (1,'MATH',101),(1,'MATH',201),(1,'PHYS',101),(2,'BIOL',101),(2,'BIOL',250)," +
		"(3,'MATH',101),(4,'PHYS',101),(4,'MATH',101),(5,'BIOL',101),(6,'MATH',201)",
	"INSERT INTO `#letter_grade` VALUES ('A',4.00),('B',3.00),('C',2.00),('F',0.00)",
	"INSERT INTO `grade` VALUES (1,'MATH',101,'A'),(1,'MATH',201,'B'),(2,'BIOL',101,'A'),(2,'BIOL',250,'C')," +
		"(3,'MATH',101,'B'),(4,'PHYS',101,'F'),(5,'BIOL',101,'A')",
	"INSERT INTO `sample` VALUES (UNHEX('0123456789abcdef0123456789abcdef'),'s1',1.5)," +
		"(UNHEX('00000000000000000000000000000001'),'s2',NULL),(UNHEX('ffffffffffffffffffffffffffffffff'),'s3',2.5)",
	"INSERT INTO `thesis` VALUES (1,1,'T1'),(2,NULL,'T2'),(3,4,'T3')",
}

// uniConn opens a connection with DataJoint's sql_mode on a fresh database
// holding the university schema and data.
func uniConn(t *testing.T) (*sql.Conn, uni) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: needs MySQL")
	}
	name := testenv.Database(t)
	db := testenv.DB(t)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	for _, s := range []string{"SET SESSION sql_mode='" + djSQLMode + "'", "USE `" + name + "`"} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	for _, s := range append(append([]string(nil), uniDDL...), uniData...) {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return conn, newUni(name)
}

// rows runs a query and returns each row as "v1|v2|..." (NULL as ∅).
func rows(t *testing.T, c *sql.Conn, q string, args ...any) ([]string, []string) {
	t.Helper()
	rs, err := c.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("query failed: %v\n%s %v", err, q, args)
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			if v.Valid {
				parts[i] = v.String
			} else {
				parts[i] = "∅"
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rs.Err(); err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	return cols, out
}

func scalar(t *testing.T, c *sql.Conn, q string, args []any) int64 {
	t.Helper()
	var n int64
	if err := c.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%v\n%s %v", err, q, args)
	}
	return n
}

// TestIntegration runs each expression on the server under DataJoint's
// sql_mode and compares its rows, its count and its existence with a
// hand-written query.
func TestIntegration(t *testing.T) {
	c, u := uniConn(t)
	st, de, ma, co := Table(u.Student), Table(u.Department), Table(u.Major), Table(u.Course)
	en, gr, le, sa := Table(u.Enroll), Table(u.Grade), Table(u.Letter), Table(u.Sample)
	th := Table(u.Thesis)
	key := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	uuid1 := [16]byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}
	cases := []struct {
		name    string
		e       Expr
		want    string // hand-written SQL
		args    []any
		ordered bool
		n       int // expected row count, -1 to skip
	}{
		{"table", st, "SELECT * FROM student", nil, false, 8},
		{"where", st.Restrict(Where("home_state = ?", "CA")), "SELECT * FROM student WHERE home_state='CA'", nil, false, 3},
		{"where like percent", st.Restrict(Where("last_name LIKE ?", "L%")), "SELECT * FROM student WHERE last_name LIKE 'L%'", nil, false, 2},
		{"where literal percent", st.Restrict(Where("last_name LIKE 'K%' AND first_name <> '?'")), "SELECT * FROM student WHERE last_name LIKE 'K%'", nil, false, 2},
		{"where multi-line", st.Restrict(Where("home_state =\n ?", "CA"), Where("student_id\r\n>\t1\n")), "SELECT * FROM student WHERE home_state='CA' AND student_id > 1", nil, false, 2},
		{"where quotes", st.Restrict(Where(`last_name <> 'O''Neil' AND first_name <> "a;b" AND last_name <> 'x\'y'`)), "SELECT * FROM student", nil, false, 8},
		{"proj computed comma in call", st.Proj("x=concat(first_name, ',', last_name)").Restrict(Where("x = ?", "Ann,Lee")), "SELECT student_id, 'Ann,Lee' FROM student WHERE student_id = 1", nil, false, 1},
		{"match", st.Restrict(Match(key("student_id", 3, "unrelated", "x"))), "SELECT * FROM student WHERE student_id=3", nil, false, 1},
		{"match null", st.Restrict(Match(key("home_state", nil))), "SELECT * FROM student WHERE home_state IS NULL", nil, false, 2},
		{"match no common key", st.Restrict(Match(key("zzz", 1))), "SELECT * FROM student", nil, false, 8},
		{"matches", st.Restrict(Matches(key("student_id", 1), key("student_id", 4), key("last_name", "Kim"))), "SELECT * FROM student WHERE student_id IN (1,4) OR last_name='Kim'", nil, false, 3},
		{"matches empty", st.Restrict(Matches()), "SELECT * FROM student WHERE FALSE", nil, false, 0},
		{"exclude matches empty", st.Exclude(Matches()), "SELECT * FROM student", nil, false, 8},
		{"and or not", st.Restrict(Or(Where("home_state = ?", "NY"), And(Where("home_state = ?", "CA"), Not(Match(key("last_name", "Kim")))))), "SELECT * FROM student WHERE home_state='NY' OR (home_state='CA' AND last_name<>'Kim')", nil, false, 3},
		{"false", st.Restrict(False), "SELECT * FROM student WHERE FALSE", nil, false, 0},
		{"true", st.Restrict(True), "SELECT * FROM student", nil, false, 8},
		{"semijoin", st.Restrict(en), "SELECT * FROM student WHERE student_id IN (SELECT student_id FROM enroll)", nil, false, 6},
		{"antijoin", st.Exclude(en), "SELECT * FROM student WHERE student_id NOT IN (SELECT student_id FROM enroll)", nil, false, 2},
		{"exclude two", st.Exclude(en, Match(key("home_state", "NY"))), "SELECT * FROM student WHERE NOT (student_id IN (SELECT student_id FROM enroll) AND home_state = 'NY')", nil, false, 5},
		{"exclude chained", st.Exclude(en).Exclude(Match(key("home_state", "NY"))), "SELECT * FROM student WHERE student_id NOT IN (SELECT student_id FROM enroll) AND NOT home_state <=> 'NY'", nil, false, 1},
		{"exclude or", st.Exclude(Or(en, Match(key("home_state", "NY")))), "SELECT * FROM student WHERE student_id NOT IN (SELECT student_id FROM enroll) AND NOT home_state <=> 'NY'", nil, false, 1},
		{"semijoin restricted", co.Restrict(en.Restrict(Match(key("student_id", 1)))), "SELECT * FROM course WHERE (dept,course) IN (SELECT dept,course FROM enroll WHERE student_id=1)", nil, false, 3},
		{"semijoin no common nonempty", st.Restrict(de.Restrict(Match(key("dept", "CS")))), "SELECT * FROM student", nil, false, 8},
		{"semijoin no common empty", st.Restrict(de.Restrict(Match(key("dept", "XX")))), "SELECT * FROM student WHERE FALSE", nil, false, 0},
		{"antijoin no common", st.Exclude(de), "SELECT * FROM student WHERE FALSE", nil, false, 0},
		{"semijoin with limit", st.Restrict(en.Limit(3)), "SELECT * FROM student WHERE student_id IN (SELECT student_id FROM (SELECT * FROM enroll ORDER BY student_id,dept,course LIMIT 3) x)", nil, false, 1},
		{"semijoin with aggregation", st.Restrict(st.Aggr(en, false, "n=count(*)").Restrict(Where("n >= ?", 2))), "SELECT * FROM student WHERE student_id IN (SELECT student_id FROM enroll GROUP BY student_id HAVING count(*)>=2)", nil, false, 3},
		{"join", st.Join(ma), "SELECT * FROM student NATURAL JOIN student_major", nil, false, 6},
		{"join three", st.Join(ma).Join(de), "SELECT student_id, dept, first_name, last_name, date_of_birth, home_state, declare_date, dept_name FROM student NATURAL JOIN student_major NATURAL JOIN `#department`", nil, false, 6},
		{"join restricted operands", st.Restrict(Where("home_state = ?", "CA")).Join(en.Restrict(Match(key("dept", "MATH")))), "SELECT student_id, dept, course, first_name, last_name, date_of_birth, home_state FROM student NATURAL JOIN enroll WHERE home_state='CA' AND dept='MATH'", nil, false, 3},
		{"join secondary with primary", ma.Join(co), "SELECT m.student_id, m.dept, c.course, m.declare_date, c.course_name, c.credits FROM student_major m JOIN course c USING (dept)", nil, false, 9},
		{"join grade letter", gr.Join(le).Proj("points"), "SELECT student_id, dept, course, grade, points FROM grade NATURAL JOIN `#letter_grade`", nil, false, 7},
		{"join after drop overlap", ma.Proj().Join(de), "SELECT m.student_id, d.dept, d.dept_name FROM student_major m CROSS JOIN `#department` d", nil, false, 24},
		{"join after rename", co.Proj("credits", "subject=dept").Join(de.Proj("subject=dept", "dept_name")), "SELECT c.dept, c.course, c.credits, d.dept_name FROM course c JOIN `#department` d USING (dept)", nil, false, 5},
		{"proj keep", st.Proj("last_name"), "SELECT student_id, last_name FROM student", nil, false, 8},
		{"proj key only", en.Proj(), "SELECT * FROM enroll", nil, false, 10},
		{"proj all drop", st.Proj("*", "-date_of_birth", "-home_state"), "SELECT student_id, first_name, last_name FROM student", nil, false, 8},
		{"proj rename", st.Proj("sid=student_id", "first=first_name"), "SELECT student_id, first_name FROM student", nil, false, 8},
		{"proj duplicate", st.Proj("first_name", "fn=(first_name)"), "SELECT student_id, first_name, first_name FROM student", nil, false, 8},
		{"proj computed restricted", st.Proj("name=concat(first_name, ' ', last_name)").Restrict(Where("name LIKE ?", "%Lee")), "SELECT student_id, concat(first_name,' ',last_name) FROM student WHERE last_name='Lee'", nil, false, 2},
		{"proj rename restricted", st.Proj("state=home_state").Restrict(Match(key("state", "NY"))), "SELECT student_id, home_state FROM student WHERE home_state='NY'", nil, false, 2},
		{"proj of computed", co.Proj("hours=credits*15").Proj("days=hours/8"), "SELECT dept, course, credits*15/8 FROM course", nil, false, 5},
		{"proj rename key then join", st.Proj("sid=student_id", "last_name").Join(st.Proj("sid=student_id", "first_name")), "SELECT student_id, last_name, first_name FROM student", nil, false, 8},
		{"aggr", st.Aggr(en, false, "n=count(*)"), "SELECT student_id, count(*) FROM enroll GROUP BY student_id", nil, false, 6},
		{"aggr keep all rows", st.Aggr(en, true, "n=count(dept)"), "SELECT s.student_id, count(e.dept) FROM student s LEFT JOIN enroll e USING (student_id) GROUP BY s.student_id", nil, false, 8},
		{"aggr keep all restricted group", st.Aggr(en.Restrict(Match(key("dept", "MATH"))), true, "n=count(dept)"), "SELECT s.student_id, count(e.dept) FROM student s LEFT JOIN enroll e ON s.student_id=e.student_id AND e.dept='MATH' GROUP BY s.student_id", nil, false, 8},
		{"aggr with secondaries", st.Aggr(en, false, "*", "n=count(*)"), "SELECT s.*, count(*) FROM student s JOIN enroll e USING (student_id) GROUP BY s.student_id", nil, false, 6},
		{"aggr having", st.Aggr(en, false, "last_name", "n=count(*)").Restrict(Where("n > ?", 1), Where("last_name <> ?", "Ray")), "SELECT s.student_id, s.last_name, count(*) n FROM student s JOIN enroll e USING (student_id) GROUP BY s.student_id, s.last_name HAVING n > 1 AND s.last_name <> 'Ray'", nil, false, 2},
		{"aggr having semijoin", st.Aggr(en, false, "n=count(*)").Restrict(ma.Restrict(Match(key("dept", "MATH")))), "SELECT student_id, count(*) FROM enroll WHERE student_id IN (1,3) GROUP BY student_id", nil, false, 2},
		{"aggr avg points", co.Aggr(gr.Join(le), false, "avg_points=avg(points)", "n=count(*)"), "SELECT g.dept, g.course, avg(l.points), count(*) FROM grade g JOIN `#letter_grade` l USING (grade) GROUP BY g.dept, g.course", nil, false, 5},
		{"aggr restricted operand", st.Restrict(Match(key("home_state", "CA"))).Aggr(gr, false, "best=max(grade)"), "SELECT student_id, max(grade) FROM student JOIN grade USING (student_id) WHERE home_state='CA' GROUP BY student_id", nil, false, 2},
		{"aggr of aggr", de.Aggr(co.Aggr(en, true, "n=count(student_id)"), false, "total=sum(n)"), "SELECT dept, sum(n) FROM (SELECT c.dept, c.course, count(e.student_id) n FROM course c LEFT JOIN enroll e USING (dept, course) GROUP BY c.dept, c.course) x GROUP BY dept", nil, false, 3},
		{"aggr then join", st.Aggr(en, false, "n=count(*)").Join(ma), "SELECT x.student_id, x.n, m.dept, m.declare_date FROM student_major m JOIN (SELECT student_id, count(*) n FROM enroll GROUP BY student_id) x USING (student_id)", nil, false, 6},
		{"aggr then proj", st.Aggr(en, false, "n=count(*)").Proj("twice=n*2"), "SELECT student_id, 2*count(*) FROM enroll GROUP BY student_id", nil, false, 6},
		{"aggr ordered", st.Aggr(en, false, "n=count(*)").OrderBy("n DESC", "KEY").Limit(2), "SELECT student_id, count(*) n FROM enroll GROUP BY student_id ORDER BY n DESC, student_id LIMIT 2", nil, true, 2},
		{"aggr renamed key restricted", st.Aggr(en, false, "n=count(*)").Proj("sid=student_id", "n").Restrict(Match(key("sid", 1))), "SELECT student_id, count(*) FROM enroll WHERE student_id=1 GROUP BY student_id", nil, false, 1},
		{"aggr renamed key semijoin", st.Aggr(en, false, "n=count(*)").Proj("n", "sid=student_id").Restrict(st.Proj("sid=student_id").Restrict(Where("sid < ?", 3))), "SELECT student_id, count(*) FROM enroll WHERE student_id < 3 GROUP BY student_id", nil, false, 2},
		{"aggr restricted then exclude", st.Aggr(en, false, "n=count(*)").Restrict(Where("n > ?", 1)).Exclude(ma.Restrict(Match(key("dept", "MATH")))), "SELECT student_id, count(*) FROM enroll WHERE student_id NOT IN (1,3) GROUP BY student_id HAVING count(*) > 1", nil, false, 2},
		{"union ordered", co.Proj().Union(U("dept", "course").Restrict(en)).OrderBy("course DESC", "dept").Limit(3), "SELECT dept, course FROM course ORDER BY course DESC, dept LIMIT 3", nil, true, 3},
		{"u distinct", U("dept").Restrict(en), "SELECT DISTINCT dept FROM enroll", nil, false, 3},
		{"u distinct restricted", U("dept", "course").Restrict(en, Match(key("dept", "MATH"))), "SELECT DISTINCT dept, course FROM enroll WHERE dept='MATH'", nil, false, 2},
		{"u distinct of limit", U("dept").Restrict(en.Limit(3)), "SELECT DISTINCT dept FROM (SELECT * FROM enroll ORDER BY student_id, dept, course LIMIT 3) x", nil, false, 2},
		{"u aggr", U("dept").Aggr(en, false, "n=count(*)"), "SELECT dept, count(*) FROM enroll GROUP BY dept", nil, false, 3},
		{"u aggr restricted", U("dept").Aggr(en, false, "n=count(*)").Restrict(Where("n > ?", 3)), "SELECT dept, count(*) FROM enroll GROUP BY dept HAVING count(*) > 3", nil, false, 1},
		{"u aggr over proj", U("last_name").Aggr(st.Proj("last_name", "yob=year(date_of_birth)"), false, "first=min(yob)"), "SELECT last_name, min(year(date_of_birth)) FROM student GROUP BY last_name", nil, false, 6},
		{"u global aggr", U().Aggr(en, false, "n=count(*)", "students=count(distinct student_id)"), "SELECT count(*), count(distinct student_id) FROM enroll", nil, false, 1},
		{"u global aggr restricted", U().Aggr(en, false, "n=count(*)").Restrict(Where("n > ?", 100)), "SELECT 1 FROM enroll WHERE FALSE", nil, false, 0},
		{"u join", U("dept").Join(ma), "SELECT * FROM student_major", nil, false, 6},
		{"u join then aggr", U("home_state").Join(st).Aggr(en, false, "n=count(*)"), "SELECT student_id, home_state, count(*) FROM student JOIN enroll USING (student_id) GROUP BY student_id, home_state", nil, false, 6},
		{"union keys", gr.Proj().Union(en.Restrict(Match(key("dept", "PHYS"))).Proj()), "SELECT student_id, dept, course FROM grade UNION SELECT student_id, dept, course FROM enroll WHERE dept='PHYS'", nil, false, 8},
		{"union secondaries", gr.Union(en.Join(co).Proj("course_name")), "SELECT e.student_id, e.dept, e.course, g.grade, c.course_name FROM enroll e LEFT JOIN grade g USING (student_id, dept, course) JOIN course c USING (dept, course)", nil, false, 10},
		{"union restricted", co.Proj().Union(U("dept", "course").Restrict(en)).Restrict(Match(key("dept", "BIOL"))), "SELECT dept, course FROM course WHERE dept='BIOL'", nil, false, 2},
		{"union then join", st.Restrict(Match(key("student_id", 1))).Proj().Union(st.Restrict(Match(key("student_id", 2))).Proj()).Join(en), "SELECT * FROM enroll WHERE student_id IN (1,2)", nil, false, 5},
		{"order limit offset", st.OrderBy("last_name DESC", "first_name").Limit(3).Offset(2), "SELECT * FROM student ORDER BY last_name DESC, first_name LIMIT 3 OFFSET 2", nil, true, 3},
		{"limit default key", en.Limit(4), "SELECT * FROM enroll ORDER BY student_id, dept, course LIMIT 4", nil, true, 4},
		{"offset only", en.Offset(8), "SELECT * FROM enroll ORDER BY student_id, dept, course LIMIT 100 OFFSET 8", nil, true, 2},
		{"key desc", en.OrderBy("KEY DESC").Limit(2), "SELECT * FROM enroll ORDER BY student_id DESC, dept DESC, course DESC LIMIT 2", nil, true, 2},
		{"restrict after limit", st.Limit(4).Restrict(Where("home_state = ?", "CA")), "SELECT * FROM (SELECT * FROM student ORDER BY student_id LIMIT 4) x WHERE home_state='CA'", nil, false, 2},
		{"join after limit", st.Limit(2).Join(en), "SELECT student_id, dept, course, first_name, last_name, date_of_birth, home_state FROM student JOIN enroll USING (student_id) WHERE student_id <= 2", nil, false, 5},
		{"proj after order drops order", st.OrderBy("last_name DESC", "first_name").Limit(3).Proj(), "SELECT student_id FROM student ORDER BY last_name DESC, first_name LIMIT 3", nil, true, 3},
		{"proj after order renames key", en.OrderBy("KEY DESC").Limit(3).Proj("sid=student_id", "d=dept", "c=course"), "SELECT * FROM enroll ORDER BY student_id DESC, dept DESC, course DESC LIMIT 3", nil, true, 3},
		{"proj after order hides order", st.OrderBy("last_name").Limit(3).Proj("last_name=first_name"), "SELECT student_id, first_name FROM (SELECT * FROM student ORDER BY last_name, student_id LIMIT 3) x", nil, false, 3},
		{"proj after order", st.OrderBy("last_name", "first_name").Proj("last_name"), "SELECT student_id, last_name FROM student ORDER BY last_name, first_name", nil, false, 8},
		{"uuid string", sa.Restrict(Match(key("sample_id", "01234567-89ab-cdef-0123-456789abcdef"))), "SELECT * FROM sample WHERE label='s1'", nil, false, 1},
		{"uuid array", sa.Restrict(Matches(key("sample_id", uuid1), key("sample_id", "00000000000000000000000000000001"))), "SELECT * FROM sample WHERE label IN ('s1','s2')", nil, false, 2},
		{"float null", sa.Restrict(Match(key("weight", (*float64)(nil)))), "SELECT * FROM sample WHERE weight IS NULL", nil, false, 1},
		{"semijoin nullable", th.Restrict(st), "SELECT * FROM thesis WHERE student_id IS NOT NULL", nil, false, 2},
		{"antijoin nullable restricted side", th.Exclude(st.Restrict(Match(key("student_id", 1)))), "SELECT * FROM thesis WHERE thesis_id IN (2,3)", nil, false, 2},
		{"antijoin nullable subquery side", st.Exclude(th), "SELECT * FROM student WHERE student_id NOT IN (1,4)", nil, false, 6},
		{"semijoin nullable subquery side", st.Restrict(th), "SELECT * FROM student WHERE student_id IN (1,4)", nil, false, 2},
		{"exclude antijoin chain", co.Exclude(en).Join(de), "SELECT * FROM course NATURAL JOIN `#department` WHERE FALSE", nil, false, 0},
		{"five ops", st.Restrict(Where("home_state IS NOT NULL")).Join(en).Proj("last_name").Aggr(gr, false, "last_name", "best=min(grade)").OrderBy("best", "KEY").Limit(10), "SELECT e.student_id, e.dept, e.course, s.last_name, min(g.grade) best FROM student s JOIN enroll e USING (student_id) JOIN grade g USING (student_id, dept, course) WHERE home_state IS NOT NULL GROUP BY e.student_id, e.dept, e.course, s.last_name ORDER BY best, e.student_id, e.dept, e.course LIMIT 10", nil, true, 6},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { compareRows(t, c, tc.e, tc.want, tc.args, tc.ordered, tc.n) })
	}
}

// TestIntegrationDelete deletes through Source and WhereSQL.
func TestIntegrationDelete(t *testing.T) {
	c, u := uniConn(t)
	ctx := context.Background()
	e := Table(u.Grade).Restrict(Table(u.Student).Restrict(Where("home_state = ?", "CA"))).Exclude(Match(map[string]any{"grade": "B"}))
	tbl, ok := e.Source()
	if !ok {
		t.Fatal("Source() = false for a restricted table")
	}
	w, args, err := e.WhereSQL()
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.ExecContext(ctx, fmt.Sprintf("DELETE FROM %s WHERE %s", tbl.FullName(), w), args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, w)
	}
	if n, _ := res.RowsAffected(); n != 2 {
		t.Errorf("deleted %d rows, want 2 (students 1 and 4, grades A and F)", n)
	}
	_, left := rows(t, c, "SELECT student_id, dept, course FROM grade ORDER BY student_id, dept, course")
	want := []string{"1|MATH|201", "2|BIOL|101", "2|BIOL|250", "3|MATH|101", "5|BIOL|101"}
	if !slices.Equal(left, want) {
		t.Errorf("left %q, want %q", left, want)
	}
}
