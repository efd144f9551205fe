package query

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.sql from the current output")

// goldenCases are rendered by TestGolden and compared with
// testdata/golden.sql (regenerate with go test -run TestGolden -update).
func goldenCases() []struct {
	name string
	e    Expr
} {
	u := newUni("db")
	st, de, ma, co := Table(u.Student), Table(u.Department), Table(u.Major), Table(u.Course)
	en, gr, le, sa := Table(u.Enroll), Table(u.Grade), Table(u.Letter), Table(u.Sample)
	th := Table(u.Thesis)
	k := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	return append([]struct {
		name string
		e    Expr
	}{
		{"table", st},
		{"where", st.Restrict(Where("home_state = ?", "CA"))},
		{"where multi-line", st.Restrict(Where("home_state =\n ?", "CA"), Where("student_id > 1"))},
		{"where and match", st.Restrict(Where("home_state = ?", "CA"), Match(k("last_name", "Lee", "not_an_attribute", 1)))},
		{"match null", st.Restrict(Match(k("home_state", nil, "student_id", 3)))},
		{"match uuid", sa.Restrict(Match(k("sample_id", "01234567-89ab-cdef-0123-456789abcdef")))},
		{"match no common key", st.Restrict(Match(k("zzz", 1)))},
		{"matches", st.Restrict(Matches(k("student_id", 1), k("student_id", 2)))},
		{"matches empty", st.Restrict(Matches())},
		{"exclude matches empty", st.Exclude(Matches())},
		{"or and not", st.Restrict(Or(Where("home_state = ?", "NY"), And(Where("home_state = ?", "CA"), Not(Match(k("last_name", "Kim"))))))},
		{"not not", st.Restrict(Not(Not(Where("student_id > ?", 3))))},
		{"false", st.Restrict(False)},
		{"true", st.Restrict(True)},
		{"semijoin", st.Restrict(en)},
		{"antijoin", st.Exclude(en)},
		{"exclude two", st.Exclude(en, Where("home_state = ?", "NY"))},
		{"exclude chained", st.Exclude(en).Exclude(Where("home_state = ?", "NY"))},
		{"semijoin composite", co.Restrict(en.Restrict(Match(k("student_id", 1))))},
		{"semijoin no common", st.Restrict(de.Restrict(Match(k("dept", "CS"))))},
		{"antijoin no common", st.Exclude(de)},
		{"semijoin limited", st.Restrict(en.Limit(3))},
		{"semijoin aggregation", st.Restrict(st.Aggr(en, false, "n=count(*)").Restrict(Where("n >= ?", 2)))},
		{"semijoin nullable", th.Restrict(st)},
		{"antijoin nullable", th.Exclude(st)},
		{"antijoin nullable subquery", st.Exclude(th)},
		{"semijoin universal", st.Restrict(U("dept"))},
		{"join", st.Join(ma)},
		{"join three", st.Join(ma).Join(de)},
		{"join restricted", st.Restrict(Where("home_state = ?", "CA")).Join(en.Restrict(Match(k("dept", "MATH"))))},
		{"join secondary with primary", ma.Join(co)},
		{"join overlap beyond keys", ma.Proj().Join(de)},
		{"join renamed key", co.Proj("credits", "subject=dept").Join(de.Proj("subject=dept", "dept_name"))},
		{"join computed not key", co.Proj("hours=credits*15").Join(en)},
		{"join limited", st.Limit(2).Join(en)},
		{"join aggregation", st.Aggr(en, false, "n=count(*)").Join(ma)},
		{"join union", st.Restrict(Match(k("student_id", 1))).Proj().Union(st.Restrict(Match(k("student_id", 2))).Proj()).Join(en)},
		{"proj keep", st.Proj("last_name")},
		{"proj key only", en.Proj()},
		{"proj all drop", st.Proj("*", "-date_of_birth", "-home_state")},
		{"proj all", st.ProjAll("full=concat(first_name, ' ', last_name)")},
		{"proj rename", st.Proj("sid=student_id", "first=first_name")},
		{"proj duplicate", st.Proj("first_name", "fn=(first_name)")},
		{"proj constant", st.Proj("nothing=NULL", "one=1")},
		{"proj computed restricted", st.Proj("name=concat(first_name, ' ', last_name)").Restrict(Where("name LIKE ?", "%Lee"))},
		{"proj rename restricted", st.Proj("state=home_state").Restrict(Match(k("state", "NY")))},
		{"proj of computed", co.Proj("hours=credits*15").Proj("days=hours/8")},
		{"proj of renamed", co.Proj("cr=credits").Proj("c2=cr")},
		{"proj after order", st.OrderBy("last_name").Limit(3).Proj("last_name")},
		{"proj after order drops order", st.OrderBy("last_name").Limit(3).Proj()},
		{"proj after order hides order", st.OrderBy("last_name").Limit(3).Proj("last_name=first_name")},
		{"proj after order of computed", st.Proj("n=length(last_name)").OrderBy("n").Limit(3).Proj()},
		{"proj after distinct order", U("dept", "course").Restrict(Table(u.Enroll)).OrderBy("course").Proj("c=course")},
		{"aggr", st.Aggr(en, false, "n=count(*)")},
		{"aggr keep all rows", st.Aggr(en, true, "n=count(dept)")},
		{"aggr keep all restricted group", st.Aggr(en.Restrict(Match(k("dept", "MATH"))), true, "n=count(dept)")},
		{"aggr all secondaries", st.Aggr(en, false, "*", "n=count(*)")},
		{"aggr having", st.Aggr(en, false, "last_name", "n=count(*)").Restrict(Where("n > ?", 1), Where("last_name <> ?", "Ray"))},
		{"aggr restricted operand", st.Restrict(Match(k("home_state", "CA"))).Aggr(gr, false, "best=max(grade)")},
		{"aggr of aggr", de.Aggr(co.Aggr(en, true, "n=count(student_id)"), false, "total=sum(n)")},
		{"aggr then proj", st.Aggr(en, false, "n=count(*)").Proj("twice=n*2")},
		{"aggr ordered", st.Aggr(en, false, "n=count(*)").OrderBy("n DESC", "KEY").Limit(2)},
		{"aggr join group", co.Aggr(gr.Join(le), false, "avg_points=avg(points)")},
		{"u distinct", U("dept").Restrict(en)},
		{"u distinct restricted", U("dept", "course").Restrict(en, Match(k("dept", "MATH")))},
		{"u distinct limited", U("dept").Restrict(en.Limit(3))},
		{"u aggr", U("dept").Aggr(en, false, "n=count(*)")},
		{"u aggr having", U("dept").Aggr(en, false, "n=count(*)").Restrict(Where("n > ?", 3))},
		{"u aggr over proj", U("last_name").Aggr(st.Proj("last_name", "yob=year(date_of_birth)"), false, "first=min(yob)")},
		{"u global", U().Aggr(en, false, "n=count(*)")},
		{"u global restricted", U().Aggr(en, false, "n=count(*)").Restrict(Where("n > ?", 100))},
		{"u join", U("dept").Join(ma)},
		{"join u", ma.Join(U("declare_date"))},
		{"union keys", gr.Proj().Union(en.Restrict(Match(k("dept", "PHYS"))).Proj())},
		{"union secondaries", gr.Union(en.Join(co).Proj("course_name"))},
		{"union restricted", co.Proj().Union(U("dept", "course").Restrict(en)).Restrict(Match(k("dept", "BIOL")))},
		{"order", st.OrderBy("last_name DESC", "first_name")},
		{"order limit offset", st.OrderBy("last_name DESC", "first_name").Limit(3).Offset(2)},
		{"limit default key", en.Limit(4)},
		{"offset only", en.Offset(8)},
		{"key desc", en.OrderBy("KEY DESC").Limit(2)},
		{"restrict after limit", st.Limit(4).Restrict(Where("home_state = ?", "CA"))},
		{"five ops", st.Restrict(Where("home_state IS NOT NULL")).Join(en).Proj("last_name").Aggr(gr, false, "last_name", "best=min(grade)").OrderBy("best", "KEY").Limit(10)},
	}, joinGoldenCases(u)...)
}

func render(e Expr) string {
	var b strings.Builder
	q, args, err := e.SQL()
	if err != nil {
		fmt.Fprintf(&b, "error: %v\n", err)
		return b.String()
	}
	fmt.Fprintf(&b, "%s\n", q)
	if len(args) > 0 {
		fmt.Fprintf(&b, "-- args: %#v\n", args)
	}
	if c, cargs, err := e.CountSQL(); err == nil {
		fmt.Fprintf(&b, "-- count: %s", c)
		if len(cargs) > 0 {
			fmt.Fprintf(&b, " %#v", cargs)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestGolden compares the SQL of many expressions with testdata/golden.sql.
func TestGolden(t *testing.T) {
	var b strings.Builder
	for _, c := range goldenCases() {
		fmt.Fprintf(&b, "-- %s\n%s\n", c.name, render(c.e))
	}
	path := filepath.Join("testdata", "golden.sql")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGolden -update)", err)
	}
	got := b.String()
	if got == string(want) {
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Fatalf("testdata/golden.sql line %d differs:\n got: %s\nwant: %s", i+1, g, w)
		}
	}
}

// TestGoldenIsValidSQL runs every golden expression on the server.
func TestGoldenIsValidSQL(t *testing.T) {
	c, _ := uniConn(t)
	for _, gc := range goldenCases() {
		q, args, err := gc.e.SQL()
		if err != nil {
			t.Errorf("%s: %v", gc.name, err)
			continue
		}
		q = strings.ReplaceAll(q, "`db`.", "")
		rs, err := c.QueryContext(t.Context(), q, args...)
		if err != nil {
			t.Errorf("%s: %v\n%s", gc.name, err, q)
			continue
		}
		rs.Close()
		cq, cargs, _ := gc.e.CountSQL()
		cq = strings.ReplaceAll(cq, "`db`.", "")
		var n int64
		if err := c.QueryRowContext(t.Context(), cq, cargs...).Scan(&n); err != nil {
			t.Errorf("%s count: %v\n%s", gc.name, err, cq)
		}
	}
}
