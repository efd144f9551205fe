package query

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// TestErrors checks that every operator reports misuse with the right
// sentinel and names the attribute or operand at fault.
func TestErrors(t *testing.T) {
	u := newUni("db")
	st, de, ma, co := Table(u.Student), Table(u.Department), Table(u.Major), Table(u.Course)
	en, gr, sa := Table(u.Enroll), Table(u.Grade), Table(u.Sample)
	cases := []struct {
		name    string
		e       Expr
		is      error
		mention string
	}{
		{"zero expr", Expr{}, djerr.ErrInvalidQuery, "zero Expr"},
		{"zero expr operator", Expr{}.Restrict(True), djerr.ErrInvalidQuery, "zero Expr"},
		{"zero expr operand", st.Join(Expr{}), djerr.ErrInvalidQuery, "zero Expr"},
		{"nil table", Table(nil), djerr.ErrInvalidQuery, "nil table"},
		{"table without attributes", Table(&schema.Table{Database: "db", Name: "t"}), djerr.ErrInvalidQuery, "no attributes"},
		{"where unknown attribute", st.Restrict(Where("home_town = ?", "x")), djerr.ErrUnknownAttribute, "home_town"},
		{"where backquoted unknown", st.Restrict(Where("`Home` = 1")), djerr.ErrUnknownAttribute, "Home"},
		{"where too few args", st.Restrict(Where("student_id = ? OR student_id = ?", 1)), djerr.ErrInvalidQuery, "2 placeholders but 1 arguments"},
		{"where too many args", st.Restrict(Where("student_id = 1", 1)), djerr.ErrInvalidQuery, "0 placeholders but 1 arguments"},
		{"where slice argument", st.Restrict(Where("student_id IN (?)", []int{1, 2})), djerr.ErrType, "[]int"},
		{"where map argument", st.Restrict(Where("student_id = ?", map[string]int{})), djerr.ErrType, "argument 1"},
		{"where semicolon", st.Restrict(Where("student_id = 1; DROP TABLE student")), djerr.ErrInvalidQuery, "';'"},
		{"where unterminated quote", st.Restrict(Where("last_name = 'Lee")), djerr.ErrInvalidQuery, "unterminated '"},
		{"where unterminated comment", st.Restrict(Where("student_id = 1 /* x")), djerr.ErrInvalidQuery, "unterminated /*"},
		{"where unbalanced open", st.Restrict(Where("(student_id = 1")), djerr.ErrInvalidQuery, "unbalanced ("},
		{"where unbalanced close", st.Restrict(Where("student_id = 1)")), djerr.ErrInvalidQuery, "unbalanced )"},
		{"proj computed comma", st.Proj("x=first_name, last_name"), djerr.ErrInvalidQuery, "','"},
		{"proj computed semicolon", st.Proj("x=1; DROP TABLE student"), djerr.ErrInvalidQuery, "';'"},
		{"where empty", st.Restrict(Where("  ")), djerr.ErrInvalidQuery, "empty"},
		{"where dropped attribute", st.Proj().Restrict(Where("home_state = 'CA'")), djerr.ErrUnknownAttribute, "home_state"},
		{"nested where unknown", st.Restrict(Or(True, Not(Where("zzz > 1")))), djerr.ErrUnknownAttribute, "zzz"},
		{"nil condition", st.Restrict(nil), djerr.ErrInvalidQuery, "nil condition"},
		{"match uuid bad string", sa.Restrict(Match(map[string]any{"sample_id": "not-a-uuid"})), djerr.ErrType, "sample_id"},
		{"match uuid bad type", sa.Restrict(Match(map[string]any{"sample_id": 42})), djerr.ErrType, "sample_id"},
		{"match uuid short bytes", sa.Restrict(Match(map[string]any{"sample_id": []byte{1, 2}})), djerr.ErrType, "sample_id"},
		{"match NaN", sa.Restrict(Match(map[string]any{"weight": math.NaN()})), djerr.ErrType, "weight"},
		{"match struct value", st.Restrict(Match(map[string]any{"student_id": struct{}{}})), djerr.ErrType, "student_id"},
		{"semijoin illegal", st.Restrict(st.Proj("last_name")), djerr.ErrIllegalJoin, "last_name"},
		{"semijoin operand error", st.Restrict(en.Proj("zzz")), djerr.ErrUnknownAttribute, "zzz"},
		{"join illegal", ma.Join(de.Proj("dept_name", "declare_date=dept_name")), djerr.ErrIllegalJoin, "declare_date"},
		{"join self", st.Join(st), djerr.ErrIllegalJoin, "first_name"},
		{"join two universal", U("a").Join(U("b")), djerr.ErrInvalidQuery, "universal"},
		{"join universal unknown", U("zzz").Join(st), djerr.ErrUnknownAttribute, "zzz"},
		{"join receiver error", st.Proj("zzz").Join(en), djerr.ErrUnknownAttribute, "zzz"},
		{"proj unknown", st.Proj("zzz"), djerr.ErrUnknownAttribute, "zzz"},
		{"proj drop unknown", st.Proj("*", "-zzz"), djerr.ErrUnknownAttribute, "zzz"},
		{"proj drop key", st.Proj("*", "-student_id"), djerr.ErrInvalidQuery, "student_id"},
		{"proj rename unknown", st.Proj("a=zzz"), djerr.ErrUnknownAttribute, "zzz"},
		{"proj duplicate unknown", st.Proj("a=(zzz)"), djerr.ErrUnknownAttribute, "zzz"},
		{"proj name clash", st.Proj("first_name", "first_name=last_name"), djerr.ErrInvalidQuery, "first_name"},
		{"proj computed clash", st.Proj("student_id=1"), djerr.ErrInvalidQuery, "student_id"},
		{"proj bad name", st.Proj("2x=first_name"), djerr.ErrInvalidQuery, "2x"},
		{"proj bad item", st.Proj("first_name last_name"), djerr.ErrInvalidQuery, "first_name last_name"},
		{"proj empty item", st.Proj(""), djerr.ErrInvalidQuery, "empty"},
		{"proj empty expression", st.Proj("x="), djerr.ErrInvalidQuery, "no expression"},
		{"proj universal", U("a").Proj(), djerr.ErrInvalidQuery, "U(a)"},
		{"order unknown", st.OrderBy("zzz"), djerr.ErrUnknownAttribute, "zzz"},
		{"order bad direction", st.OrderBy("last_name DOWN"), djerr.ErrInvalidQuery, "DOWN"},
		{"order too many words", st.OrderBy("last_name DESC NULLS"), djerr.ErrInvalidQuery, "NULLS"},
		{"order universal", U("a").OrderBy("a"), djerr.ErrInvalidQuery, "U(a)"},
		{"negative limit", st.Limit(-1), djerr.ErrInvalidQuery, "-1"},
		{"negative offset", st.Offset(-2), djerr.ErrInvalidQuery, "-2"},
		{"limit universal", U("a").Limit(1), djerr.ErrInvalidQuery, "U(a)"},
		{"offset universal", U("a").Offset(1), djerr.ErrInvalidQuery, "U(a)"},
		{"left join illegal", st.LeftJoin(st.Proj("last_name")), djerr.ErrIllegalJoin, "last_name"},
		{"left join two universal", U("a").LeftJoin(U("b")), djerr.ErrInvalidQuery, "universal"},
		{"left join operand error", st.LeftJoin(en.Proj("zzz")), djerr.ErrUnknownAttribute, "zzz"},
		{"permissive join operand error", st.JoinPermissive(en.Proj("zzz")), djerr.ErrUnknownAttribute, "zzz"},
		{"permissive restrict operand error", st.Restrict(Permissive(en.Proj("zzz"))), djerr.ErrUnknownAttribute, "zzz"},
		{"u restrict by match", U("dept").Restrict(Match(map[string]any{"dept": "MATH"})), djerr.ErrInvalidQuery, "not by a key (Match)"},
		{"u restrict by matches", U("dept").Restrict(Matches(map[string]any{"dept": "MATH"})), djerr.ErrInvalidQuery, "not by a list of keys (Matches)"},
		{"u restrict by true", U("dept").Restrict(True), djerr.ErrInvalidQuery, "not by True"},
		{"u restrict by false", U("dept").Restrict(False), djerr.ErrInvalidQuery, "not by False"},
		{"u restrict by and", U("dept").Restrict(And(en)), djerr.ErrInvalidQuery, "not by And(...)"},
		{"u restrict by or", U("dept").Restrict(Or(en)), djerr.ErrInvalidQuery, "not by Or(...)"},
		{"u restrict by not", U("dept").Restrict(Not(en)), djerr.ErrInvalidQuery, "not by Not(...)"},
		{"u restrict by nil", U("dept").Restrict(nil), djerr.ErrInvalidQuery, "not by a nil condition"},
		{"u restrict permissive by u", U("dept").Restrict(Permissive(U("dept"))), djerr.ErrInvalidQuery, "U(dept)"},
		{"aggr illegal join", ma.Aggr(ma.Proj("declare_date"), false, "n=count(*)"), djerr.ErrIllegalJoin, "declare_date"},
		{"aggr unknown keep", st.Aggr(en, false, "zzz"), djerr.ErrUnknownAttribute, "zzz"},
		{"aggr group attribute outside aggregate", st.Aggr(en, false, "dept"), djerr.ErrInvalidQuery, "dept"},
		{"aggr renamed group attribute", st.Aggr(en, false, "d=dept"), djerr.ErrInvalidQuery, "dept"},
		{"aggr over universal", st.Aggr(U("a"), false), djerr.ErrInvalidQuery, "U(a)"},
		{"aggr bad computation", st.Aggr(en, false, "n count(*)"), djerr.ErrInvalidQuery, "n count(*)"},
		{"u aggr unknown", U("zzz").Aggr(en, false, "n=count(*)"), djerr.ErrUnknownAttribute, "zzz"},
		{"u aggr keep all rows", U("dept").Aggr(en, true, "n=count(*)"), djerr.ErrInvalidQuery, "keepAllRows"},
		{"u aggr non-grouped", U("dept").Aggr(en, false, "course"), djerr.ErrInvalidQuery, "course"},
		{"u global nothing", U().Aggr(en, false), djerr.ErrInvalidQuery, "no attributes"},
		{"u restrict unknown", U("zzz").Restrict(st), djerr.ErrUnknownAttribute, "zzz"},
		{"u restrict by condition", U("dept").Restrict(Where("dept = 1")), djerr.ErrInvalidQuery, `not by Where("dept = 1")`},
		{"u restrict nothing", U("dept").Restrict(), djerr.ErrInvalidQuery, "query expression"},
		{"u empty restrict", U().Restrict(en), djerr.ErrInvalidQuery, "U()"},
		{"u restrict by u", U("dept").Restrict(U("dept")), djerr.ErrInvalidQuery, "U(dept)"},
		{"u exclude", U("dept").Exclude(en), djerr.ErrInvalidQuery, "U(dept)"},
		{"u bad name", U("a b"), djerr.ErrInvalidQuery, "a b"},
		{"u twice", U("a", "a"), djerr.ErrInvalidQuery, "twice"},
		{"u sql", U("a"), djerr.ErrInvalidQuery, "no rows"},
		{"union different keys", co.Proj().Union(en.Proj()), djerr.ErrIncompatible, "primary keys differ"},
		{"union shared secondary", co.Union(co.Restrict(Where("dept = ?", "MATH"))), djerr.ErrIncompatible, "course_name"},
		{"union universal", st.Union(U("student_id")), djerr.ErrInvalidQuery, "universal"},
		{"union operand error", gr.Proj().Union(en.Proj("zzz")), djerr.ErrUnknownAttribute, "zzz"},
		{"error survives operators", st.Proj("zzz").Restrict(True).Join(en).Proj().OrderBy("KEY").Limit(1).Union(st), djerr.ErrUnknownAttribute, "zzz"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := c.e.SQL()
			if err == nil {
				t.Fatal("SQL: no error")
			}
			if !errors.Is(err, c.is) {
				t.Fatalf("error %q does not wrap %q", err, c.is)
			}
			if !strings.Contains(err.Error(), c.mention) {
				t.Errorf("error %q does not mention %q", err, c.mention)
			}
			if strings.Contains(err.Error(), "query.") || strings.Contains(err.Error(), "Cond") {
				t.Errorf("error %q names an internal type", err)
			}
			if e := c.e.Err(); e == nil || e.Error() != err.Error() {
				if c.e.IsUniversal() {
					return
				}
				t.Errorf("Err() = %v, SQL error %v", e, err)
			}
			for _, f := range []func() (string, []any, error){c.e.CountSQL, c.e.ExistsSQL} {
				if _, _, err := f(); !errors.Is(err, c.is) {
					t.Errorf("CountSQL/ExistsSQL error %v", err)
				}
			}
		})
	}
}

// TestWhereSQLNeedsBase checks Source and WhereSQL on expressions other than
// restricted tables.
func TestWhereSQLNeedsBase(t *testing.T) {
	u := newUni("db")
	st, en := Table(u.Student), Table(u.Enroll)
	for name, e := range map[string]Expr{
		"proj":         st.Proj(),
		"join":         st.Join(en),
		"limit":        st.Limit(1),
		"restrict top": st.Limit(2).Restrict(True).Restrict(Where("student_id > 1")),
		"aggr":         st.Aggr(en, false, "n=count(*)"),
		"u":            U("dept").Restrict(en),
		"union":        en.Proj().Union(en.Proj()),
		"computed":     st.Proj("x=1").Restrict(Where("x = 1")),
	} {
		if _, ok := e.Source(); ok {
			t.Errorf("%s: Source() = true", name)
		}
		if _, _, err := e.WhereSQL(); !errors.Is(err, djerr.ErrInvalidQuery) {
			t.Errorf("%s: WhereSQL error %v", name, err)
		}
	}
	for name, e := range map[string]Expr{
		"table":    st,
		"restrict": st.Restrict(Where("student_id > ?", 1)).Exclude(en),
	} {
		tbl, ok := e.Source()
		if !ok || tbl != u.Student {
			t.Errorf("%s: Source() = %v, %v", name, tbl, ok)
		}
		if _, _, err := e.WhereSQL(); err != nil {
			t.Errorf("%s: WhereSQL: %v", name, err)
		}
	}
	w, args, _ := st.Restrict(Where("student_id > ?", 1)).Exclude(en).WhereSQL()
	if want := "(student_id > ?)AND((`student_id`) NOT IN (SELECT `student_id` FROM `db`.`enroll`))"; w != want || len(args) != 1 {
		t.Errorf("WhereSQL = %s %v, want %s", w, args, want)
	}
	if w, _, _ := st.WhereSQL(); w != "" {
		t.Errorf("WhereSQL of a table = %q", w)
	}
}
