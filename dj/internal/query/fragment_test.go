package query

import (
	"database/sql"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
)

// lexed renders the tokens of s as "kind:text" items: C for a run of code,
// S for a string, I for a quoted identifier, L for a line comment, B for a
// block comment, with a trailing "!" for an unclosed one.
func lexed(s string) string {
	var out []string
	for t := range tokens(s) {
		k := map[tokKind]string{tokCode: "C", tokString: "S", tokIdent: "I", tokLineComment: "L", tokBlockComment: "B"}[t.kind]
		if t.open {
			k += "!"
		}
		if t.kind == tokCode && len(out) > 0 && strings.HasPrefix(out[len(out)-1], "C:") {
			out[len(out)-1] += s[t.start:t.end]
			continue
		}
		out = append(out, k+":"+s[t.start:t.end])
	}
	return strings.Join(out, " ")
}

// TestTokens checks each literal and comment form against MariaDB's lexer
// rules (sql/sql_lex.cc: get_text, MY_LEX_COMMENT, MY_LEX_LONG_COMMENT and
// the state for "-").
func TestTokens(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"a = 'x'", "C:a =  S:'x'"},
		{`a = "x"`, `C:a =  S:"x"`},
		{"'it''s'", "S:'it''s'"},
		{`'it\'s'`, `S:'it\'s'`},
		{`'a\\' b`, `S:'a\\' C: b`},
		{`'a\'`, `S!:'a\'`},
		{`"say ""hi"""`, `S:"say ""hi"""`},
		{`"a\"b" c`, `S:"a\"b" C: c`},
		{`'a"b' "c'd"`, `S:'a"b' C:  S:"c'd"`},
		{"`a``b` c", "I:`a``b` C: c"},
		{"`a\\` b", "I:`a\\` C: b"},
		{"`open", "I!:`open"},
		{"N'x' _utf8mb4'y' X'41' B'01' @'v'", "C:N S:'x' C: _utf8mb4 S:'y' C: X S:'41' C: B S:'01' C: @ S:'v'"},
		{"X'41'' ) OR (1'", "C:X S:'41'' ) OR (1'"},
		{"a # b\nc", "C:a  L:# b C:\nc"},
		{"a -- b\nc", "C:a  L:-- b C:\nc"},
		{"a --\tb", "C:a  L:--\tb"},
		{"a --\fb\nc", "C:a  L:--\fb C:\nc"},
		{"a --\vb", "C:a  L:--\vb"},
		{"a --\rb", "C:a  L:--\rb"},
		{"a --\x01b", "C:a  L:--\x01b"},
		{"a --\x7fb", "C:a  L:--\x7fb"},
		{"a --", "C:a  L:--"},
		{"a --b", "C:a --b"},
		{"a--1", "C:a--1"},
		{"a # b\x00c", "C:a  L:# b C:\x00c"},
		{"a /* b */ c", "C:a  B:/* b */ C: c"},
		{"a /*! b */ c", "C:a  B:/*! b */ C: c"},
		{"a /*!50000 b */ c", "C:a  B:/*!50000 b */ C: c"},
		{"a /*M! b */ c", "C:a  B:/*M! b */ C: c"},
		{"a /*M!100000 b */ c", "C:a  B:/*M!100000 b */ C: c"},
		{"a /* b", "C:a  B!:/* b"},
		{"a */ b", "C:a */ b"},
		{"a / * b", "C:a / * b"},
		{"'/*' /* ' */ '#'", "S:'/*' C:  B:/* ' */ C:  S:'#'"},
	} {
		if got := lexed(c.in); got != c.want {
			t.Errorf("tokens(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// TestCheckFragment checks what the guard accepts and refuses.
func TestCheckFragment(t *testing.T) {
	for _, s := range []string{
		"x = 1",
		"s = 'it''s' OR s = 'it\\'s' OR s = \"a\\\"b\" OR s = \"say \"\"hi\"\"\"",
		"s = 'a;b--c#d/*e*/)('",
		"`we``ird;)` = 1",
		"s = X'41' OR s = B'1000001' OR s = N'x' OR s = _utf8mb4'x' COLLATE utf8mb4_bin",
		"x - -1",
		"x */ y",
		"x = 1\n AND\ty = 2\r\n",
		"s = 'é' AND `é` = 1",
		"s = 'a\\\\'",
		"s = '\x00\x01'",
		"concat(a, ',', (b))",
		"a IN (SELECT b FROM c WHERE d = (e))",
	} {
		if err := checkFragment(s, false); err != nil {
			t.Errorf("checkFragment(%q): %v", s, err)
		}
	}
	for _, c := range []struct{ in, mention string }{
		{"x = 1 # c", "comments"},
		{"x = 1 -- c", "comments"},
		{"x = 1 --\tc", "comments"},
		{"x = 1 --\fc", "comments"},
		{"x = 1 --\vc", "comments"},
		{"x = 1 --\rc", "comments"},
		{"x = 1 --\x00c", "comments"},
		{"x = 1 --\x7fc", "comments"},
		{"x = 1 --", "comments"},
		{"x--1", "'--'"},
		{"x = 1 --é", "'--'"},
		{"x = 1 /* c */", "comments"},
		{"0 /*!) OR 1 OR (1*/", "executable comment"},
		{"0 /*!50000 ) OR 1 OR (1*/", "executable comment"},
		{"0 /*M!) OR 1 OR (1*/", "executable comment"},
		{"0 /*M!100000 ) OR 1 OR (1*/", "executable comment"},
		{"x = 1 /* open", "unterminated /*"},
		{"0 --\f(\n) OR 1 OR (1 --\f)\n", "comments"},
		{"x = 'open", "unterminated '"},
		{`x = "open`, `unterminated "`},
		{"`open", "unterminated `"},
		{`x = 'a\'`, "unterminated '"},
		{`x = 'a\`, "unterminated '"},
		{"a;b", "';'"},
		{"1); SELECT (1", "unbalanced )"},
		{"x = 1)", "unbalanced )"},
		{") OR (", "unbalanced )"},
		{"((x)", "unbalanced ("},
		{"x IS \\N", "backslash"},
		{"x = 1 \\G", "backslash"},
		{"x = 1\x00", "control character 0x00"},
		{"x = 1\f", "control character 0x0c"},
		{"x = 1\x7f", "control character 0x7f"},
		{"x = '\xff'", "UTF-8"},
	} {
		err := checkFragment(c.in, false)
		if err == nil {
			t.Errorf("checkFragment(%q) accepted", c.in)
			continue
		}
		if !strings.Contains(err.Error(), c.mention) {
			t.Errorf("checkFragment(%q) = %q, want a mention of %q", c.in, err, c.mention)
		}
	}
	if err := checkFragment("a, b", true); err == nil {
		t.Error("checkFragment with noComma accepted a top-level comma")
	}
}

// TestWhereBypasses checks the known bypasses through the operators: each
// is refused with djerr.ErrInvalidQuery, whether AND-ed with a Match or
// used alone, in Where, Proj and Aggr.
func TestWhereBypasses(t *testing.T) {
	u := newUni("db")
	st, en := Table(u.Student), Table(u.Enroll)
	for _, f := range []string{
		"0 --\f(\n) OR 1 OR (1 --\f)\n",
		"0 --\v(\n) OR 1 OR (1 --\v)\n",
		"0 /*!) OR 1 OR (1*/",
		"0 /*M!) OR 1 OR (1*/",
		"0 /*!50000 ) OR 1 OR (1*/",
		"0 # (\n) OR 1 OR (1 # )\n",
	} {
		for name, e := range map[string]Expr{
			"where and match": st.Restrict(Where(f), Match(map[string]any{"student_id": 1})),
			"not where":       st.Exclude(Where(f)),
			"proj":            st.Proj("x=" + f),
			"aggr":            st.Aggr(en, false, "n="+f),
		} {
			if _, _, err := e.SQL(); !errors.Is(err, djerr.ErrInvalidQuery) {
				t.Errorf("%s with %q: err = %v, want ErrInvalidQuery", name, f, err)
			}
		}
	}
}

// TestNonFiniteArguments checks that NaN and ±Inf never become parameters.
func TestNonFiniteArguments(t *testing.T) {
	u := newUni("db")
	st, sa := Table(u.Student), Table(u.Sample)
	inf32, nan64 := float32(math.Inf(1)), math.NaN()
	type celsius float64
	cases := map[string]struct {
		e       Expr
		mention string
	}{
		"where float64 NaN":      {st.Restrict(Where("student_id = ?", math.NaN())), "argument 1"},
		"where float32 +Inf":     {st.Restrict(Where("student_id > ? OR student_id = ?", 1, float32(math.Inf(1)))), "argument 2"},
		"where float64 -Inf":     {st.Restrict(Where("student_id = ?", math.Inf(-1))), "-Inf"},
		"where pointer":          {st.Restrict(Where("student_id = ?", &inf32)), "+Inf"},
		"where pointer pointer":  {st.Restrict(Where("student_id = ?", func() **float64 { p := &nan64; return &p }())), "NaN"},
		"where named float":      {st.Restrict(Where("student_id = ?", celsius(math.Inf(1)))), "+Inf"},
		"where valuer":           {st.Restrict(Where("student_id = ?", sql.NullFloat64{Float64: math.NaN(), Valid: true})), "NaN"},
		"where inside not":       {st.Exclude(Or(True, Where("student_id = ?", math.NaN()))), "NaN"},
		"match float32":          {sa.Restrict(Match(map[string]any{"weight": float32(math.NaN())})), "weight"},
		"match pointer":          {sa.Restrict(Match(map[string]any{"weight": &inf32})), "weight"},
		"match valuer":           {sa.Restrict(Match(map[string]any{"weight": sql.NullFloat64{Float64: math.Inf(-1), Valid: true}})), "weight"},
		"matches second key NaN": {sa.Restrict(Matches(map[string]any{"weight": 1.5}, map[string]any{"weight": math.NaN()})), "weight"},
	}
	for name, c := range cases {
		_, _, err := c.e.SQL()
		if !errors.Is(err, djerr.ErrType) {
			t.Errorf("%s: err = %v, want ErrType", name, err)
			continue
		}
		if !strings.Contains(err.Error(), c.mention) {
			t.Errorf("%s: %q does not mention %q", name, err, c.mention)
		}
	}
	ok := []Expr{
		st.Restrict(Where("student_id = ?", 1.5)),
		st.Restrict(Where("student_id = ?", sql.NullFloat64{})),
		st.Restrict(Where("student_id = ?", (*float64)(nil))),
		sa.Restrict(Match(map[string]any{"weight": float32(2.5)})),
		sa.Restrict(Match(map[string]any{"weight": sql.NullFloat64{Float64: math.NaN()}})),
	}
	for i, e := range ok {
		if _, _, err := e.SQL(); err != nil {
			t.Errorf("finite or NULL value %d: %v", i, err)
		}
	}
}
