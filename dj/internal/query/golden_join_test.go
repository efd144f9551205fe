package query

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
