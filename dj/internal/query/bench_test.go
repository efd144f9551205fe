package query

import (
	"fmt"
	"testing"
)

// BenchmarkBuildRender builds a five-operator expression (restrict, join,
// proj, aggr, order/limit) and renders it.
func BenchmarkBuildRender(b *testing.B) {
	u := newUni("db")
	st, en, gr := Table(u.Student), Table(u.Enroll), Table(u.Grade)
	b.ReportAllocs()
	for b.Loop() {
		e := st.Restrict(Where("home_state = ?", "CA")).
			Join(en).
			Proj("last_name").
			Aggr(gr, false, "last_name", "best=min(grade)").
			OrderBy("best", "KEY").Limit(10)
		if _, _, err := e.SQL(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildRenderFromTables includes building the Table expressions.
func BenchmarkBuildRenderFromTables(b *testing.B) {
	u := newUni("db")
	b.ReportAllocs()
	for b.Loop() {
		e := Table(u.Student).Restrict(Where("home_state = ?", "CA")).
			Join(Table(u.Enroll)).
			Proj("last_name").
			Aggr(Table(u.Grade), false, "last_name", "best=min(grade)").
			OrderBy("best", "KEY").Limit(10)
		if _, _, err := e.SQL(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildRenderBaseline formats the equivalent hand-written SQL with
// fmt.Sprintf: the floor against which BenchmarkBuildRender is compared.
func BenchmarkBuildRenderBaseline(b *testing.B) {
	db, st, en, gr := "db", "student", "enroll", "grade"
	b.ReportAllocs()
	for b.Loop() {
		q := fmt.Sprintf("SELECT `student_id`,`dept`,`course`,`last_name`,(min(grade)) as `best` FROM `%s`.`%s` NATURAL JOIN `%s`.`%s` NATURAL JOIN `%s`.`%s` WHERE (home_state = ?) GROUP BY `student_id`,`dept`,`course`,`last_name` ORDER BY `best`,`student_id`,`dept`,`course` LIMIT %d",
			db, st, db, en, db, gr, 10)
		args := []any{"CA"}
		if len(q) == 0 || len(args) == 0 {
			b.Fatal("empty")
		}
	}
}

// TestBenchmarkEquivalent checks that the baseline formats the same SQL.
func TestBenchmarkEquivalent(t *testing.T) {
	u := newUni("db")
	q, _, err := Table(u.Student).Restrict(Where("home_state = ?", "CA")).Join(Table(u.Enroll)).Proj("last_name").
		Aggr(Table(u.Grade), false, "last_name", "best=min(grade)").OrderBy("best", "KEY").Limit(10).SQL()
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("SELECT `student_id`,`dept`,`course`,`last_name`,(min(grade)) as `best` FROM `%s`.`%s` NATURAL JOIN `%s`.`%s` NATURAL JOIN `%s`.`%s` WHERE (home_state = ?) GROUP BY `student_id`,`dept`,`course`,`last_name` ORDER BY `best`,`student_id`,`dept`,`course` LIMIT %d",
		"db", "student", "db", "enroll", "db", "grade", 10)
	if q != want {
		t.Errorf("\n got %s\nwant %s", q, want)
	}
}
