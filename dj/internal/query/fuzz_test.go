package query

import "testing"

// FuzzOperators feeds arbitrary text to the string-typed operators and
// checks that nothing panics and that every result either renders or
// reports an error.
func FuzzOperators(f *testing.F) {
	for _, s := range [][4]string{
		{"last_name", "home_state = ?", "KEY DESC", "student_id"},
		{"n=count(*)", "`a``b` = '?'", "last_name ASC", "zzz"},
		{"x=(first_name)", "a -- ?\n = ?", "", ""},
		{"-home_state", "/* ? */ x", "KEY", "dept"},
		{"*", "'unterminated", "first_name DESC", "home_state"},
		{"a=", "\"\\\"?", "`last_name`", "sample_id"},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	u := newUni("db")
	st, en, gr := Table(u.Student), Table(u.Enroll), Table(u.Grade)
	f.Fuzz(func(t *testing.T, item, where, order, key string) {
		exprs := []Expr{
			st.Proj(item),
			st.ProjAll(item).Restrict(Where(where, 1)),
			st.Restrict(Where(where)).OrderBy(order).Limit(3),
			st.Aggr(en, false, item),
			U(key).Aggr(en, false, item),
			U(key).Restrict(en).Restrict(Match(map[string]any{key: where})),
			st.Join(en).Proj(item).Aggr(gr, true, item, "-"+item).Union(st.Join(en).Proj()),
			st.Restrict(Match(map[string]any{key: item}), Not(Where(where, item))).Exclude(en.Proj(item)),
			U(key).Join(st).OrderBy(order).Offset(2).Restrict(en),
		}
		for _, e := range exprs {
			_, _, err1 := e.SQL()
			_, _, err2 := e.CountSQL()
			_, _, err3 := e.ExistsSQL()
			if (err1 == nil) != (err2 == nil) || (err1 == nil) != (err3 == nil) {
				t.Fatalf("inconsistent errors: %v / %v / %v", err1, err2, err3)
			}
			_, _, _ = e.WhereSQL()
			_ = e.Heading()
		}
	})
}
