package query

import (
	"maps"
	"slices"
	"testing"
)

// joinGoldenCases are the golden cases of left joins, permissive joins and
// restrictions, and aggregations over unrelated expressions.
func joinGoldenCases(u uni) []struct {
	name string
	e    Expr
} {
	st, de, ma := Table(u.Student), Table(u.Department), Table(u.Major)
	en, gr := Table(u.Enroll), Table(u.Grade)
	classmates := ma.Proj("classmate=student_id", "dept")
	return []struct {
		name string
		e    Expr
	}{
		{"left join", st.LeftJoin(ma)},
		{"left join is null", st.LeftJoin(ma).Restrict(Where("dept IS NULL"))},
		{"left join restricted operand", st.LeftJoin(ma.Restrict(Match(map[string]any{"dept": "MATH"})))},
		{"left join restricted first operand", st.Restrict(Where("home_state = ?", "CA")).LeftJoin(ma)},
		{"left join ungraded", en.LeftJoin(gr).Restrict(Where("grade IS NULL"))},
		{"left join then join", st.LeftJoin(ma).Join(de)},
		{"join then left join", de.LeftJoin(ma.Restrict(Where("declare_date > ?", "2020-01-01")))},
		{"join with left join", en.Join(st.LeftJoin(ma))},
		{"left join twice", st.LeftJoin(ma).LeftJoin(de)},
		{"left join semijoin", st.LeftJoin(ma).Restrict(de.Restrict(Match(map[string]any{"dept": "CS"})))},
		{"u over left join", U("dept").Restrict(st.LeftJoin(ma))},
		{"u aggr over left join", U("dept").Aggr(st.LeftJoin(ma), false, "n=count(*)")},
		{"left join u", ma.LeftJoin(U("declare_date"))},
		{"left join aggregation", st.LeftJoin(st.Aggr(en, false, "n=count(*)"))},
		{"permissive join", ma.Proj("dept").JoinPermissive(classmates)},
		{"permissive left join", ma.Proj("dept").LeftJoinPermissive(classmates.Restrict(Where("classmate > ?", 4)))},
		{"permissive restrict", ma.Restrict(Permissive(classmates.Restrict(Where("classmate = ?", 1))))},
		{"permissive exclude", ma.Exclude(Permissive(classmates.Restrict(Where("classmate = ?", 1))))},
		{"permissive not", ma.Restrict(Not(Permissive(classmates.Restrict(Where("classmate = ?", 1)))))},
		{"u restrict permissive", U("dept").Restrict(Permissive(ma))},
		{"aggr no common", de.Aggr(st, false, "n=count(*)")},
		{"aggr no common keep all", de.Aggr(st.Restrict(Where("student_id > ?", 100)), true, "n=count(student_id)")},
		{"aggr no common restricted", de.Restrict(Where("dept <> ?", "CS")).Aggr(st.Restrict(Match(map[string]any{"home_state": "CA"})), false, "n=count(*)", "first=min(last_name)")},
	}
}

// TestLeftJoinHeading: the attributes that only the right operand of a
// left join provides are nullable, key attributes included; a permissive
// join lists a shared secondary attribute once.
func TestLeftJoinHeading(t *testing.T) {
	u := newUni("db")
	st, de, ma := Table(u.Student), Table(u.Department), Table(u.Major)
	nullable := func(e Expr) map[string]bool {
		out := map[string]bool{}
		for _, a := range e.Heading().Attributes {
			out[a.Name] = a.Nullable
		}
		return out
	}
	got := nullable(st.LeftJoin(ma))
	want := map[string]bool{"student_id": false, "first_name": false, "last_name": false, "date_of_birth": false, "home_state": true, "dept": true, "declare_date": true}
	if !maps.Equal(got, want) {
		t.Errorf("student LEFT JOIN major: nullable %v, want %v", got, want)
	}
	e := de.LeftJoin(ma)
	if pk := e.PrimaryKey(); !slices.Equal(pk, []string{"dept", "student_id"}) || !nullable(e)["student_id"] || nullable(e)["dept"] {
		t.Errorf("department LEFT JOIN major: key %v, nullable %v", pk, nullable(e))
	}
	if got := nullable(st.Join(ma)); got["dept"] {
		t.Error("an inner join made dept nullable")
	}
	p := ma.Proj("dept").JoinPermissive(ma.Proj("classmate=student_id", "dept"))
	if names := p.Names(); !slices.Equal(names, []string{"student_id", "classmate", "dept"}) {
		t.Errorf("permissive join heading %v", names)
	}
}
