package query

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/datajoint-go/datajoint/dj/schema"
)

func mustSQL(t *testing.T, e Expr) string {
	t.Helper()
	q, args, err := e.SQL()
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(q, args)
}

// TestImmutable derives several expressions from one base and checks that
// none of them affects the base or its siblings.
func TestImmutable(t *testing.T) {
	u := newUni("db")
	st, en, ma := Table(u.Student), Table(u.Enroll), Table(u.Major)
	base := st.Restrict(Where("student_id > ?", 1), Where("home_state IS NOT NULL"))
	baseSQL := mustSQL(t, base)
	derived := []Expr{
		base.Restrict(Where("last_name = ?", "Lee")),
		base.Restrict(Where("first_name = ?", "Ann")),
		base.Exclude(en),
		base.Join(ma),
		base.Proj("last_name"),
		base.Proj("ln=last_name"),
		base.OrderBy("last_name").Limit(2),
		base.Limit(3),
		base.Aggr(en, false, "n=count(*)"),
		U("home_state").Restrict(base),
		U("home_state").Join(base),
		base.Proj().Union(st.Proj()),
	}
	first := make([]string, len(derived))
	for i, d := range derived {
		first[i] = mustSQL(t, d)
	}
	// Derive again from every derived expression, then check everything.
	for _, d := range derived {
		d.Restrict(Where("student_id < ?", 100)).Proj().Limit(1)
		d.OrderBy("KEY DESC").Offset(1)
	}
	if got := mustSQL(t, base); got != baseSQL {
		t.Errorf("base changed:\n%s\n%s", baseSQL, got)
	}
	for i, d := range derived {
		if got := mustSQL(t, d); got != first[i] {
			t.Errorf("derived %d changed:\n%s\n%s", i, first[i], got)
		}
	}
	if first[0] == first[1] {
		t.Error("siblings render the same SQL")
	}
	// Limit and Offset on one expression leave the other untouched.
	o := st.OrderBy("last_name")
	a, b := o.Limit(1), o.Offset(5)
	if mustSQL(t, a) == mustSQL(t, b) || mustSQL(t, o) != mustSQL(t, st.OrderBy("last_name")) {
		t.Error("top shared between derived expressions")
	}
	// Heading returns a copy.
	h := base.Heading()
	h.Attributes[0].Name = "changed"
	if base.Names()[0] != "student_id" {
		t.Error("Heading() exposes the expression's attributes")
	}
	// The condition slice passed to And is not retained with spare capacity.
	conds := make([]Cond, 1, 4)
	conds[0] = Where("student_id = 1")
	and := And(conds...)
	_ = append(conds, Where("student_id = 2"))
	if got := mustSQL(t, st.Restrict(and)); got != mustSQL(t, st.Restrict(Where("student_id = 1"))) {
		t.Errorf("And retained the caller's slice: %s", got)
	}
	// Where copies its arguments.
	args := []any{1, []byte("ab")}
	w := st.Restrict(Where("student_id = ? AND first_name = ?", args...))
	args[0] = 2
	args[1].([]byte)[0] = 'z'
	if got := mustSQL(t, w); got != mustSQL(t, st.Restrict(Where("student_id = ? AND first_name = ?", 1, []byte("ab")))) {
		t.Errorf("Where retained the caller's arguments: %s", got)
	}
}

// TestConcurrentRender renders one expression from many goroutines.
func TestConcurrentRender(t *testing.T) {
	u := newUni("db")
	e := Table(u.Student).Restrict(Where("home_state = ?", "CA")).Join(Table(u.Enroll)).Aggr(Table(u.Grade), false, "n=count(*)")
	want := mustSQL(t, e)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Go(func() {
			for range 50 {
				q, args, err := e.Restrict(Where("n > ?", 1)).SQL()
				if err != nil {
					errs <- err.Error()
					return
				}
				_ = q
				_ = args
				if got, _, _ := e.SQL(); fmt.Sprint(got, []any{"CA"}) != want {
					errs <- got
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for s := range errs {
		t.Error(s)
	}
}

// TestHeading checks the result headings of the operators.
func TestHeading(t *testing.T) {
	u := newUni("db")
	st, ma, co, en, gr, le := Table(u.Student), Table(u.Major), Table(u.Course), Table(u.Enroll), Table(u.Grade), Table(u.Letter)
	keys := func(e Expr) string {
		var s string
		for _, a := range e.Heading().Attributes {
			if a.InKey {
				s += "*"
			}
			s += a.Name + " "
		}
		return s
	}
	for _, c := range []struct {
		e    Expr
		want string
	}{
		{st, "*student_id first_name last_name date_of_birth home_state "},
		{ma.Join(co), "*student_id *dept *course declare_date course_name credits "},
		{co.Join(ma), "*dept *course *student_id course_name credits declare_date "},
		{gr.Join(le), "*student_id *dept *course *grade points "},
		{st.Proj("sid=student_id", "n=(last_name)", "last_name"), "*sid last_name n "},
		{st.Proj("a=(student_id)"), "*student_id *a "},
		{st.Aggr(en, false, "first_name", "n=count(*)"), "*student_id first_name n "},
		{U("dept").Aggr(en, false, "n=count(*)"), "*dept n "},
		{U().Aggr(en, false, "n=count(*)"), "n "},
		{U("dept", "course").Restrict(en), "*dept *course "},
		{U("declare_date").Join(ma), "*student_id *declare_date dept "},
		{gr.Union(co.Join(en).Proj("course_name")), "*student_id *dept *course grade course_name "},
	} {
		if got := keys(c.e); got != c.want {
			t.Errorf("heading %q, want %q (%v)", got, c.want, c.e.Err())
		}
	}
	if !slices.Equal(ma.Join(co).PrimaryKey(), []string{"student_id", "dept", "course"}) {
		t.Error(ma.Join(co).PrimaryKey())
	}
	h := st.Aggr(en, false, "n=count(*)", "m=max(course)").Heading()
	if n, _ := h.Attr("n"); n.Category != schema.CatInteger || n.Type != "bigint" || n.Nullable {
		t.Errorf("count attribute %+v", n)
	}
	if m, _ := h.Attr("m"); m.Category != 0 || m.Type != "" {
		t.Errorf("max attribute %+v", m)
	}
	ph := st.Proj("d=date_of_birth").Heading()
	if a, _ := ph.Attr("d"); a.Category != schema.CatTemporal || a.Type != "date" {
		t.Errorf("renamed attribute %+v", a)
	}
	uh := gr.Union(co.Join(en).Proj("course_name")).Heading()
	if a, _ := uh.Attr("grade"); !a.Nullable {
		t.Error("union secondary not nullable")
	}
}

func TestCountPlaceholders(t *testing.T) {
	for s, want := range map[string]int{
		"a = ?":                       1,
		"a = ? AND b = ?":             2,
		"a = '?' AND b = ?":           1,
		`a = "?\"?" AND b = ?`:        1,
		"`a?` = ?":                    1,
		"a = ? -- comment ?\n AND ?":  2,
		"a = ? # comment ?":           1,
		"a = ? /* ? */ AND b = ?":     2,
		"a = 'it''s ?'":               0,
		"a LIKE 'x%' AND b LIKE ?":    1,
		"a--?":                        1,
		"a = 'unterminated ?":         0,
		"a = ? /* unterminated ? ...": 1,
	} {
		if got := countPlaceholders(s); got != want {
			t.Errorf("countPlaceholders(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestColumnNames(t *testing.T) {
	for s, want := range map[string][]string{
		"a = 1":                                  {"a"},
		"a > b AND c IS NOT NULL":                {"a", "b", "c"},
		"a is null or b in (1,2)":                {"a", "b"},
		"name LIKE 'x y z'":                      {"name"},
		`name = "quoted words"`:                  {"name"},
		"`Weird Name` = 1":                       {"Weird Name"},
		"date_sub(now(), interval 1 day) < ts":   {"ts"},
		"upper(x) = 'A' AND COUNT(*) > 1":        {"x"},
		"t.a = 1":                                {},
		"@v := 1":                                {},
		"x BETWEEN 1 AND 2":                      {"x"},
		"flag = true AND y <> false":             {"flag", "y"},
		"MixedCase = 1 AND UPPER = 2":            {},
		"a1 = 2e5":                               {"a1"},
		"a = ? -- trailing words\n AND b = ?":    {"a", "b"},
		"case when a then b else c end":          {"a", "b", "c"},
		"x in (select y from z)":                 {"x", "y", "z"},
		"json_value(doc, '$.a') = 1 AND k = ?":   {"doc", "k"},
		"session_date > current_date - 1":        {"session_date"},
		"n = 1 /* comment words */ AND m = 2":    {"n", "m"},
		"aa.bb = 1":                              {},
		"`a``b` = 1":                             {"a`b"},
		"x = 'unterminated":                      {"x"},
		"1 = 1":                                  {},
		"v REGEXP '^a' AND w RLIKE 'b' XOR u":    {"v", "w", "u"},
		"d div 2 = 1 and e mod 3 = 0":            {"d", "e"},
		"cast(c as unsigned) = 1":                {"c"},
		"x is unknown":                           {"x"},
		"count(distinct q) > 1":                  {"q"},
		"ts >= utc_timestamp - interval 2 hour":  {"ts"},
		"a = b collate utf8mb4_bin":              {"a", "b"},
		"sum(x) as total":                        {"x", "total"},
		"x = 1 -- ":                              {"x"},
		"x = 1 --":                               {"x"},
		"y = 1 #":                                {"y"},
		"z = 1 /*":                               {"z"},
		"w = '\\'' AND v = 2":                    {"w", "v"},
		"ww = \"\\\"\" AND vv = 2":               {"ww", "vv"},
		"i = 1 and j = 2 or k = 3 and not l = 4": {"i", "j", "k", "l"},
	} {
		got := columnNames(s)
		if len(got) == 0 && len(want) == 0 {
			continue
		}
		if !slices.Equal(got, want) {
			t.Errorf("columnNames(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestParseUUID(t *testing.T) {
	want := []byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}
	for _, s := range []string{
		"01234567-89ab-cdef-0123-456789abcdef",
		"0123456789ABCDEF0123456789abcdef",
		"{01234567-89ab-cdef-0123-456789abcdef}",
		"urn:uuid:01234567-89ab-cdef-0123-456789abcdef",
	} {
		b, err := parseUUID(s)
		if err != nil || !slices.Equal(b, want) {
			t.Errorf("parseUUID(%q) = %x, %v", s, b, err)
		}
	}
	for _, s := range []string{"", "0123", "01234567-89ab-cdef-0123-456789abcdeg", "01234567-89ab-cdef-0123-456789abcdef00"} {
		if _, err := parseUUID(s); err == nil {
			t.Errorf("parseUUID(%q): no error", s)
		}
	}
}

// TestMatchValues checks the conversion of key values into parameters.
func TestMatchValues(t *testing.T) {
	u := newUni("db")
	type myUUID [16]byte
	id := myUUID{15: 1}
	sid := 3
	var nilInt *int
	e := Table(u.Sample).Restrict(Match(map[string]any{"sample_id": id, "weight": 2.5, "label": "x"}))
	_, args, err := e.SQL()
	if err != nil {
		t.Fatal(err)
	}
	if len(args) != 3 || !slices.Equal(args[0].([]byte), id[:]) || args[1] != "x" || args[2] != 2.5 {
		t.Errorf("args %#v", args)
	}
	q, args, err := Table(u.Student).Restrict(Match(map[string]any{"student_id": &sid, "home_state": nilInt})).SQL()
	if err != nil || len(args) != 1 || args[0] != 3 {
		t.Fatalf("%s %#v %v", q, args, err)
	}
	if want := "WHERE (`student_id`=? AND `home_state` IS NULL)"; !slices.Contains([]string{q[len(q)-len(want):]}, want) {
		t.Errorf("pointer values: %s", q)
	}
}
