package dj_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
)

// handRows runs a hand-written query ({s} is the schema) and returns each
// row as "v1|v2|..." with NULL as ∅.
func handRows(t *testing.T, c *dj.Conn, s *dj.Schema, query string, args ...any) []string {
	t.Helper()
	rs, err := c.DB().QueryContext(context.Background(), strings.ReplaceAll(query, "{s}", "`"+s.Name()+"`"), args...)
	must(t, err)
	defer rs.Close()
	cols, err := rs.Columns()
	must(t, err)
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var out []string
	for rs.Next() {
		must(t, rs.Scan(ptrs...))
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = "∅"
			if v.Valid {
				parts[i] = v.String
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	must(t, rs.Err())
	return out
}

// djRows fetches e with FetchMaps and formats each row as handRows does,
// attributes in heading order.
func djRows(t *testing.T, c *dj.Conn, e dj.Expr) []string {
	t.Helper()
	maps, err := dj.FetchMaps(context.Background(), c, e)
	must(t, err)
	h := e.Heading()
	var out []string
	for _, m := range maps {
		parts := make([]string, len(h.Attributes))
		for i, a := range h.Attributes {
			parts[i] = "∅"
			if v := m[a.Name]; v != nil {
				parts[i] = fmt.Sprint(v)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	return out
}

// sameRows compares the rows of e, fetched through dj, with those of a
// hand-written query, as sets; it also checks Count and that the
// comparison is not vacuous.
func sameRows(t *testing.T, c *dj.Conn, s *dj.Schema, e dj.Expr, query string, args ...any) []string {
	t.Helper()
	got, want := djRows(t, c, e), handRows(t, c, s, query, args...)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		q, qargs, _ := e.SQL()
		t.Fatalf("rows differ\n dj:   %s %v\n got %d:  %q\n hand: %s\n want %d: %q", q, qargs, len(got), head(got), query, len(want), head(want))
	}
	if len(want) == 0 {
		t.Fatal("the comparison is vacuous: no rows")
	}
	n, err := dj.Count(context.Background(), c, e)
	must(t, err)
	if n != int64(len(want)) {
		t.Errorf("Count = %d, rows = %d", n, len(want))
	}
	return got
}

func head(rows []string) []string { return rows[:min(len(rows), 12)] }

// TestQueryLanguageUniversity runs left joins, permissive joins and
// restrictions and aggregations over unrelated expressions on the
// university dataset and compares their rows with hand-written SQL.
func TestQueryLanguageUniversity(t *testing.T) {
	c, s := buildUniversity(t)
	ctx := context.Background()
	student, major, enroll := dj.From[Student](c), dj.From[StudentMajor](c), dj.From[Enroll](c)
	grade, department := dj.From[Grade](c), dj.From[Department](c)
	classmates := major.Proj("classmate=student_id", "dept")

	t.Run("students with their major or none", func(t *testing.T) {
		e := student.Proj("last_name").LeftJoin(major.Proj("dept"))
		rows := sameRows(t, c, s, e, "SELECT s.student_id, s.last_name, m.dept FROM {s}.student s LEFT JOIN {s}.student_major m ON m.student_id = s.student_id")
		if len(rows) != 300 {
			t.Errorf("%d rows, want every student", len(rows))
		}
		type row struct {
			StudentID int32
			LastName  string
			Dept      *string
		}
		got, err := dj.Fetch[row](ctx, c, e.OrderBy("student_id"))
		must(t, err)
		none := 0
		for _, r := range got {
			if r.Dept == nil {
				none++
			}
		}
		want := sqlInt(t, c, s, "SELECT COUNT(*) FROM `%[1]s`.student WHERE student_id NOT IN (SELECT student_id FROM `%[1]s`.student_major)")
		if int64(none) != want || none == 0 || len(got) != 300 {
			t.Errorf("%d rows, %d without a major; want 300 and %d", len(got), none, want)
		}
	})
	t.Run("students without a major", func(t *testing.T) {
		sameRows(t, c, s, student.Proj("home_state").LeftJoin(major.Proj("dept")).Restrict(dj.Where("dept IS NULL")),
			"SELECT student_id, home_state, NULL FROM {s}.student WHERE student_id NOT IN (SELECT student_id FROM {s}.student_major)")
	})
	t.Run("ungraded enrollments", func(t *testing.T) {
		sameRows(t, c, s, enroll.LeftJoin(grade).Restrict(dj.Where("grade IS NULL")),
			"SELECT e.student_id, e.dept, e.course, e.term_year, e.term, e.section, NULL FROM {s}.enroll e WHERE NOT EXISTS "+
				"(SELECT 1 FROM {s}.grade g WHERE (g.student_id, g.dept, g.course, g.term_year, g.term, g.section) = (e.student_id, e.dept, e.course, e.term_year, e.term, e.section))")
	})
	t.Run("left join restricted operand", func(t *testing.T) {
		sameRows(t, c, s, student.Proj().LeftJoin(major.Restrict(dj.Match(dj.Key{"dept": "MATH"})).Proj("dept")),
			"SELECT s.student_id, m.dept FROM {s}.student s LEFT JOIN {s}.student_major m ON m.student_id = s.student_id AND m.dept = 'MATH'")
	})
	t.Run("left join then join", func(t *testing.T) {
		sameRows(t, c, s, student.Proj("last_name").LeftJoin(major.Proj("dept")).Join(department),
			"SELECT s.student_id, m.dept, s.last_name, d.dept_name FROM {s}.student s JOIN {s}.student_major m ON m.student_id = s.student_id JOIN {s}.department d ON d.dept = m.dept")
	})
	t.Run("departments with their majors or none", func(t *testing.T) {
		rows := sameRows(t, c, s, department.Proj().LeftJoin(major.Proj("dept")),
			"SELECT d.dept, m.student_id FROM {s}.department d LEFT JOIN {s}.student_major m ON m.dept = d.dept")
		if !slices.Contains(rows, "ART|∅") {
			t.Errorf("ART, which has no majors, is missing: %q", head(rows))
		}
	})
	t.Run("U over a left join", func(t *testing.T) {
		rows := sameRows(t, c, s, dj.U("dept").Aggr(student.LeftJoin(major), "n=count(*)"),
			"SELECT m.dept, count(*) FROM {s}.student s LEFT JOIN {s}.student_major m ON m.student_id = s.student_id GROUP BY m.dept")
		if len(rows) != 5 {
			t.Errorf("%d groups, want four departments and NULL", len(rows))
		}
		sameRows(t, c, s, dj.U("dept").Restrict(student.LeftJoin(major)),
			"SELECT DISTINCT m.dept FROM {s}.student s LEFT JOIN {s}.student_major m ON m.student_id = s.student_id")
	})
	t.Run("permissive join", func(t *testing.T) {
		e := major.Proj("dept").JoinPermissive(classmates).Restrict(dj.Where("student_id < classmate"))
		sameRows(t, c, s, e,
			"SELECT a.student_id, b.student_id, a.dept FROM {s}.student_major a JOIN {s}.student_major b ON b.dept = a.dept AND a.student_id < b.student_id")
		_, err := dj.Count(ctx, c, major.Proj("dept").Join(classmates))
		wantErr(t, err, dj.ErrIllegalJoin)
		sameRows(t, c, s, major.Proj("dept").LeftJoinPermissive(classmates.Restrict(dj.Where("classmate < ?", 20))),
			"SELECT a.student_id, b.student_id, a.dept FROM {s}.student_major a LEFT JOIN {s}.student_major b ON b.dept = a.dept AND b.student_id < 20")
	})
	t.Run("permissive restriction", func(t *testing.T) {
		neighbours := student.Proj("other=student_id", "home_state").Restrict(dj.Where("other = ?", 1))
		sameRows(t, c, s, student.Proj("home_state").Restrict(dj.Permissive(neighbours)),
			"SELECT student_id, home_state FROM {s}.student WHERE home_state = (SELECT home_state FROM {s}.student WHERE student_id = 1)")
		sameRows(t, c, s, student.Proj("home_state").Exclude(dj.Permissive(neighbours)),
			"SELECT student_id, home_state FROM {s}.student WHERE home_state <> (SELECT home_state FROM {s}.student WHERE student_id = 1)")
		_, err := dj.Count(ctx, c, student.Proj("home_state").Restrict(neighbours))
		wantErr(t, err, dj.ErrIllegalJoin)
	})
	t.Run("aggregation without shared attributes", func(t *testing.T) {
		sameRows(t, c, s, department.Aggr(student, "n=count(*)"),
			"SELECT dept, (SELECT count(*) FROM {s}.student) FROM {s}.department")
		sameRows(t, c, s, department.AggrKeepAll(student.Restrict(dj.Where("student_id > ?", 1000)), "n=count(student_id)"),
			"SELECT dept, 0 FROM {s}.department")
		sameRows(t, c, s, dj.From[Term](c).Aggr(student.Restrict(dj.Match(dj.Key{"home_state": "CA"})), "n=count(*)", "first=min(last_name)"),
			"SELECT t.term_year, t.term, count(*), min(s.last_name) FROM {s}.term t CROSS JOIN {s}.student s WHERE s.home_state = 'CA' GROUP BY t.term_year, t.term")
	})
}
