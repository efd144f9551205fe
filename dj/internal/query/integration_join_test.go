package query

import (
	"database/sql"
	"slices"
	"testing"
)

// compareRows runs e on the server and compares its rows, its columns, its
// count and its existence with those of the hand-written query want; n is
// the expected number of rows (-1 to skip that check).
func compareRows(t *testing.T, c *sql.Conn, e Expr, want string, wantArgs []any, ordered bool, n int) {
	t.Helper()
	q, args, err := e.SQL()
	if err != nil {
		t.Fatal(err)
	}
	gotCols, got := rows(t, c, q, args...)
	_, wantRows := rows(t, c, want, wantArgs...)
	if !ordered {
		slices.Sort(got)
		slices.Sort(wantRows)
	}
	if !slices.Equal(got, wantRows) {
		t.Fatalf("rows differ\n dj:   %s %v\n got:  %q\n hand: %s\n want: %q", q, args, got, want, wantRows)
	}
	if !slices.Equal(gotCols, e.Names()) {
		t.Errorf("columns %v, heading %v", gotCols, e.Names())
	}
	if n >= 0 && len(got) != n {
		t.Errorf("%d rows, want %d", len(got), n)
	}
	cq, cargs, err := e.CountSQL()
	if err != nil {
		t.Fatal(err)
	}
	if k := scalar(t, c, cq, cargs); k != int64(len(got)) {
		t.Errorf("CountSQL = %d, rows = %d\n%s", k, len(got), cq)
	}
	eq, eargs, err := e.ExistsSQL()
	if err != nil {
		t.Fatal(err)
	}
	if k := scalar(t, c, eq, eargs); (k == 1) != (len(got) > 0) {
		t.Errorf("ExistsSQL = %d with %d rows\n%s", k, len(got), eq)
	}
}

// TestIntegrationJoins compares left joins, permissive joins and
// restrictions, and aggregations over unrelated expressions with
// hand-written SQL on the server.
func TestIntegrationJoins(t *testing.T) {
	c, u := uniConn(t)
	st, de, ma := Table(u.Student), Table(u.Department), Table(u.Major)
	en, gr := Table(u.Enroll), Table(u.Grade)
	classmates := ma.Proj("classmate=student_id", "dept")
	const studentCols = "s.student_id, s.first_name, s.last_name, s.date_of_birth, s.home_state"
	cases := []struct {
		name string
		e    Expr
		want string
		n    int
	}{
		{"left join", st.LeftJoin(ma),
			"SELECT " + studentCols + ", m.dept, m.declare_date FROM student s LEFT JOIN student_major m ON m.student_id = s.student_id", 8},
		{"left join is null", st.LeftJoin(ma).Restrict(Where("dept IS NULL")),
			"SELECT " + studentCols + ", NULL, NULL FROM student s WHERE s.student_id NOT IN (SELECT student_id FROM student_major)", 2},
		{"left join restricted operand", st.LeftJoin(ma.Restrict(Match(map[string]any{"dept": "MATH"}))),
			"SELECT " + studentCols + ", m.dept, m.declare_date FROM student s LEFT JOIN student_major m ON m.student_id = s.student_id AND m.dept = 'MATH'", 8},
		{"left join restricted first operand", st.Restrict(Where("home_state = ?", "CA")).LeftJoin(ma),
			"SELECT " + studentCols + ", m.dept, m.declare_date FROM student s LEFT JOIN student_major m ON m.student_id = s.student_id WHERE s.home_state = 'CA'", 3},
		{"left join ungraded", en.LeftJoin(gr).Restrict(Where("grade IS NULL")),
			"SELECT e.student_id, e.dept, e.course, NULL FROM enroll e WHERE (e.student_id, e.dept, e.course) NOT IN (SELECT student_id, dept, course FROM grade)", 3},
		{"left join all enrollments", en.LeftJoin(gr),
			"SELECT e.student_id, e.dept, e.course, g.grade FROM enroll e LEFT JOIN grade g ON g.student_id = e.student_id AND g.dept = e.dept AND g.course = e.course", 10},
		{"left join then join", st.LeftJoin(ma).Join(de),
			"SELECT s.student_id, m.dept, s.first_name, s.last_name, s.date_of_birth, s.home_state, m.declare_date, d.dept_name FROM student s JOIN student_major m ON m.student_id = s.student_id JOIN `#department` d ON d.dept = m.dept", 6},
		{"left join with a nullable key", de.LeftJoin(ma.Restrict(Where("declare_date > ?", "2020-01-01"))),
			"SELECT d.dept, m.student_id, d.dept_name, m.declare_date FROM `#department` d LEFT JOIN student_major m ON m.dept = d.dept AND m.declare_date > '2020-01-01'", 5},
		{"join with left join", en.Join(st.LeftJoin(ma)),
			"SELECT e.student_id, e.dept, e.course, s.first_name, s.last_name, s.date_of_birth, s.home_state, m.declare_date FROM enroll e JOIN student s ON s.student_id = e.student_id JOIN student_major m ON m.student_id = e.student_id AND m.dept = e.dept", 7},
		{"left join twice", st.LeftJoin(ma).LeftJoin(de),
			"SELECT s.student_id, m.dept, s.first_name, s.last_name, s.date_of_birth, s.home_state, m.declare_date, d.dept_name FROM student s LEFT JOIN student_major m ON m.student_id = s.student_id LEFT JOIN `#department` d ON d.dept = m.dept", 8},
		{"left join semijoin", st.LeftJoin(ma).Restrict(de.Restrict(Match(map[string]any{"dept": "CS"}))),
			"SELECT " + studentCols + ", m.dept, m.declare_date FROM student s JOIN student_major m ON m.student_id = s.student_id WHERE m.dept = 'CS'", 1},
		{"left join antijoin", st.LeftJoin(ma).Exclude(de.Restrict(Match(map[string]any{"dept": "CS"}))),
			"SELECT " + studentCols + ", m.dept, m.declare_date FROM student s LEFT JOIN student_major m ON m.student_id = s.student_id WHERE m.dept IS NULL OR m.dept <> 'CS'", 7},
		{"u over left join", U("dept").Restrict(st.LeftJoin(ma)),
			"SELECT DISTINCT m.dept FROM student s LEFT JOIN student_major m ON m.student_id = s.student_id", 5},
		{"u aggr over left join", U("dept").Aggr(st.LeftJoin(ma), false, "n=count(*)"),
			"SELECT m.dept, count(*) FROM student s LEFT JOIN student_major m ON m.student_id = s.student_id GROUP BY m.dept", 5},
		{"left join aggregation", st.LeftJoin(st.Aggr(en, false, "n=count(*)")),
			"SELECT " + studentCols + ", (SELECT NULLIF(count(*), 0) FROM enroll e WHERE e.student_id = s.student_id) FROM student s", 8},
		{"permissive join", ma.Proj("dept").JoinPermissive(classmates),
			"SELECT a.student_id, b.student_id, a.dept FROM student_major a JOIN student_major b ON b.dept = a.dept", 10},
		{"permissive left join", ma.Proj("dept").LeftJoinPermissive(classmates.Restrict(Where("classmate > ?", 4))),
			"SELECT a.student_id, b.student_id, a.dept FROM student_major a LEFT JOIN student_major b ON b.dept = a.dept AND b.student_id > 4", 6},
		{"permissive restrict", ma.Restrict(Permissive(classmates.Restrict(Where("classmate = ?", 1)))),
			"SELECT * FROM student_major WHERE dept = (SELECT dept FROM student_major WHERE student_id = 1)", 2},
		{"permissive exclude", ma.Exclude(Permissive(classmates.Restrict(Where("classmate = ?", 1)))),
			"SELECT * FROM student_major WHERE dept <> (SELECT dept FROM student_major WHERE student_id = 1)", 4},
		{"aggr no common", de.Aggr(st, false, "n=count(*)"),
			"SELECT dept, (SELECT count(*) FROM student) FROM `#department`", 4},
		{"aggr no common keep all", de.Aggr(st.Restrict(Where("student_id > ?", 100)), true, "n=count(student_id)"),
			"SELECT dept, 0 FROM `#department`", 4},
		{"aggr no common empty", de.Aggr(st.Restrict(Where("student_id > ?", 100)), false, "n=count(*)"),
			"SELECT dept, 0 FROM `#department` WHERE FALSE", 0},
		{"aggr no common restricted", de.Restrict(Where("dept <> ?", "CS")).Aggr(st.Restrict(Match(map[string]any{"home_state": "CA"})), false, "n=count(*)", "first=min(last_name)"),
			"SELECT dept, (SELECT count(*) FROM student WHERE home_state = 'CA'), (SELECT min(last_name) FROM student WHERE home_state = 'CA') FROM `#department` WHERE dept <> 'CS'", 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { compareRows(t, c, tc.e, tc.want, nil, false, tc.n) })
	}
}
