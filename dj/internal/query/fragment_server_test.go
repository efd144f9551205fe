package query

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj/internal/djerr"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
	"github.com/datajoint-go/datajoint/dj/schema"
	"github.com/go-sql-driver/mysql"
)

// The server-side fragment tests use one table fz with three rows: only
// row 1 has id = 1, and row 1 has x equal to its column named inf.
const (
	fzDDL  = "CREATE TABLE `fz` (`id` int NOT NULL, `inf` double, `x` int, `s` varchar(20), PRIMARY KEY (`id`))"
	fzRows = "INSERT INTO `fz` VALUES (1, 10, 10, 'a'), (2, NULL, 20, 'b'), (3, 2.5, NULL, NULL)"
)

func fzTable(db string) *schema.Table {
	return &schema.Table{Database: db, Name: "fz", Tier: schema.Manual, Heading: schema.Heading{Attributes: []schema.Attribute{
		col("id", "int", schema.CatInteger, true),
		nullable(col("inf", "double", schema.CatFloat, false)),
		nullable(col("x", "int", schema.CatInteger, false)),
		nullable(col("s", "varchar(20)", schema.CatString, false)),
	}}}
}

// fzConn creates fz in a fresh database and returns a single connection to
// it with DataJoint's sql_mode and a statement time limit, as a user that
// may only read that database. Multiple statements are enabled, so that a
// statement break would run instead of failing to parse.
func fzConn(tb testing.TB) (*sql.DB, *schema.Table) {
	tb.Helper()
	if testing.Short() {
		tb.Skip("integration test: needs MySQL")
	}
	name := testenv.Database(tb)
	root := testenv.DB(tb)
	ctx := context.Background()
	var b [12]byte
	_, _ = rand.Read(b[:])
	user, pass := "djfz_"+hex.EncodeToString(b[:4]), hex.EncodeToString(b[4:])
	for _, s := range []string{
		"CREATE TABLE `" + name + "`." + fzDDL[len("CREATE TABLE "):],
		"INSERT INTO `" + name + "`." + fzRows[len("INSERT INTO "):],
		"CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + pass + "'",
		"GRANT SELECT ON `" + name + "`.* TO '" + user + "'@'%'",
	} {
		if _, err := root.ExecContext(ctx, s); err != nil {
			tb.Fatalf("%s: %v", s, err)
		}
	}
	tb.Cleanup(func() { _, _ = root.ExecContext(context.Background(), "DROP USER IF EXISTS '"+user+"'@'%'") })
	cfg := testenv.MySQL(tb).Config()
	cfg.User, cfg.Passwd, cfg.DBName = user, pass, name
	cfg.MultiStatements = true
	cfg.Params = map[string]string{"sql_mode": "'" + djSQLMode + "'", "max_statement_time": "2"}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(1)
	tb.Cleanup(func() { db.Close() })
	if err := db.PingContext(ctx); err != nil {
		tb.Fatal(err)
	}
	return db, fzTable(name)
}

// serverRows runs q and returns its first column as text for each row and
// its number of columns; err is the server's refusal of the statement. It
// fails the test when the text ran as more than one statement.
func serverRows(t *testing.T, db *sql.DB, q string, args ...any) (col0 []string, ncols int, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rs, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		return nil, 0, err
	}
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			return nil, 0, err
		}
		col0 = append(col0, string(vals[0]))
	}
	if err := rs.Err(); err != nil {
		return nil, 0, err
	}
	if rs.NextResultSet() || rs.Err() != nil {
		t.Fatalf("more than one statement ran (%v):\n%s %v", rs.Err(), q, args)
	}
	return col0, len(cols), nil
}

// nondeterministic lists words of functions and variables whose value
// changes between two evaluations; fragments with them are not compared
// across statements.
var nondeterministic = []string{"rand", "uuid", "sleep", "now", "sys", "cur", "unix_", "found_rows",
	"row_count", "last_", "benchmark", "lock", "@", "val", "connection", "time", "date"}

// checkOnServer is the oracle for one fragment f. The query layer either
// refuses it, or the server runs it as one expression inside its
// parentheses:
//
//   - Where(f) AND-ed with Match(id=1) returns only row 1, and the same
//     rows as the hand-written (id = 1) AND (f) (when f is deterministic);
//   - Proj("v=f") returns the columns of its heading and each of the
//     three rows once;
//   - nothing runs as a second statement (see serverRows).
func checkOnServer(t *testing.T, db *sql.DB, fz *schema.Table, f string) {
	args := make([]any, countPlaceholders(f))
	for i := range args {
		args[i] = int64(1)
	}
	q, qargs, err := Table(fz).Restrict(Where(f, args...), Match(map[string]any{"id": 1})).SQL()
	if err != nil {
		if !errors.Is(err, djerr.ErrInvalidQuery) && !errors.Is(err, djerr.ErrUnknownAttribute) {
			t.Fatalf("Where(%q): unexpected error class: %v", f, err)
		}
	} else if ids, _, err := serverRows(t, db, q, qargs...); err == nil {
		for _, id := range ids {
			if id != "1" {
				t.Fatalf("Where(%q) AND Match(id=1) returned id %s:\n%s %v", f, id, q, qargs)
			}
		}
		lower := strings.ToLower(f)
		if !slices.ContainsFunc(nondeterministic, func(w string) bool { return strings.Contains(lower, w) }) {
			hand := "SELECT `id` FROM `fz` WHERE (`id` = 1) AND (" + f + ")"
			if ids2, _, err := serverRows(t, db, hand, args...); err == nil && !slices.Equal(ids, ids2) {
				t.Fatalf("Where(%q): rows %q, but %q by hand:\n%s %v\n%s", f, ids, ids2, q, qargs, hand)
			}
		}
	}
	p := Table(fz).Proj("v=" + f)
	q, qargs, err = p.SQL()
	if err != nil {
		if !errors.Is(err, djerr.ErrInvalidQuery) && !errors.Is(err, djerr.ErrUnknownAttribute) {
			t.Fatalf("Proj(v=%q): unexpected error class: %v", f, err)
		}
		return
	}
	ids, ncols, err := serverRows(t, db, q, qargs...)
	if err != nil {
		return
	}
	slices.Sort(ids)
	if ncols != len(p.Names()) || !slices.Equal(ids, []string{"1", "2", "3"}) {
		t.Fatalf("Proj(v=%q) returned %d columns and ids %q, want %d columns and ids 1, 2, 3:\n%s", f, ncols, ids, len(p.Names()), q)
	}
}

// fragmentSeeds are known bypasses of earlier guards and a sample of every
// literal form; testdata/fuzz/FuzzFragmentServer holds more inputs found
// by fuzzing.
var fragmentSeeds = []string{
	"0 --\f(\n) OR 1 OR (1 --\f)\n",
	"0 --\v(\n) OR 1 OR (1 --\v)\n",
	"0 --\x01(\n) OR 1 OR (1 --\x01)\n",
	"0 /*!) OR 1 OR (1*/",
	"0 /*M!) OR 1 OR (1*/",
	"0 /*!50000 ) OR 1 OR (1*/",
	"0 /*M!100000 ) OR 1 OR (1*/",
	"0 /*! /* */ ) OR 1 OR (1*/",
	"0 # (\n) OR 1 OR (1 # )\n",
	"0 -- (\n) OR 1 OR (1 -- )\n",
	"s = 'a\\' ) OR 1 OR ( '",
	"s = \"a\\\" ) OR 1 OR ( \"",
	"s = X'41'' ) OR 1 OR ( '",
	"s = B'1'' ) OR 1 OR ( '",
	"s = N'a'' ) OR 1 OR ( '",
	"s = _latin1'a'' ) OR 1 OR ( '",
	"`s``) OR 1 OR (` = 1",
	"x = 10 OR inf IS NULL",
	"x = ? OR s = ?",
	"s = 'it''s' OR s = 'it\\'s' OR s = \"q\"\"q\"",
	"s LIKE 'a%' AND x IN (SELECT 10)",
	"x - -1 = 11",
	"CASE WHEN x > 10 THEN 0 ELSE 1 END",
	"0x61 = s OR X'61' = s OR B'01100001' = s OR N'a' = s OR _utf8mb4'a' = s",
	"s = 'é' OR `inf` > 5",
	"1e1 = x OR .5 < inf",
	"x IS \\N",
	"1) UNION (SELECT 2",
	"0 UNION SELECT 1",
	"1; SELECT 2",
	"x = 1 AND s = 'a;b'",
}

// sqlPieces are the SQL pieces that spell decodes bytes into: quotes,
// escapes, comment markers, parentheses, separators, literal prefixes,
// names of fz and keywords.
var sqlPieces = []string{
	" ", "\n", "\t", "\f", "\v", "\r", "\x00", "'", "\"", "`", "\\", "''", "\"\"", "``", "\\'", "\\\"",
	"\\\\", "-", "--", "-- ", "#", "/*", "*/", "/*!", "/*M!", "/*!50000", "/*M!100000", "/", "*", ";", "(", ")",
	",", "?", "@", "x", "s", "id", "inf", "X", "B", "N", "_utf8mb4", "_binary", "0x", "0b", "1", "0", "10",
	".", "e", " OR 1 OR ", " AND ", "=", "<>", " IS NULL", "NOT ", "SELECT ", " FROM fz", " UNION SELECT ",
	"CASE WHEN ", " THEN ", " END", "é", "\xc3", "{", "}", "$", ":=", "\\N", "%", "|", "&", "!", "<", ">",
	" LIKE ", "X'41'", "B'1'", "N'a'", "@'v'", "'a'", "`s`", "\\G",
}

// spell decodes each byte of b into one of sqlPieces, so that the fuzzer
// explores sequences of SQL pieces as well as raw bytes.
func spell(b string) string {
	var out strings.Builder
	for i := 0; i < len(b); i++ {
		out.WriteString(sqlPieces[int(b[i])%len(sqlPieces)])
	}
	return out.String()
}

// FuzzFragmentServer runs the query layer's guard against the server's
// parser: every fragment that Where or Proj accepts must behave as one
// expression inside its parentheses on the server (see checkOnServer).
// Each input is tried as it is and spelled as a sequence of SQL pieces.
func FuzzFragmentServer(f *testing.F) {
	for _, s := range fragmentSeeds {
		f.Add(s)
	}
	db, fz := fzConn(f)
	f.Fuzz(func(t *testing.T, frag string) {
		checkOnServer(t, db, fz, frag)
		checkOnServer(t, db, fz, spell(frag))
	})
}

// TestFragmentBypassesOnServer runs the known bypasses as the query layer
// would: each is refused before it reaches the server.
func TestFragmentBypassesOnServer(t *testing.T) {
	db, fz := fzConn(t)
	for _, f := range []string{
		"0 --\f(\n) OR 1 OR (1 --\f)\n",
		"0 /*!) OR 1 OR (1*/",
		"0 /*M!) OR 1 OR (1*/",
	} {
		q, args, err := Table(fz).Restrict(Where(f), Match(map[string]any{"id": 1})).SQL()
		if err == nil {
			ids, _, err := serverRows(t, db, q, args...)
			t.Errorf("Where(%q) AND Match(id=1) reached the server and returned ids %q (%v):\n%s", f, ids, err, q)
			continue
		}
		if !errors.Is(err, djerr.ErrInvalidQuery) {
			t.Errorf("Where(%q): %v, want ErrInvalidQuery", f, err)
		}
	}
	// A computed attribute cannot turn the statement into a union.
	q, args, err := U().Aggr(Table(fz), false, "n=0 UNION SELECT 1").SQL()
	if err == nil {
		if ids, _, err := serverRows(t, db, q, args...); err == nil && len(ids) != 1 {
			t.Errorf("a global aggregate returned %d rows:\n%s", len(ids), q)
		}
	}
	for _, f := range fragmentSeeds {
		checkOnServer(t, db, fz, f)
	}
}

// TestDashCommentOnServer checks startsDashComment against the server for
// every ASCII byte b after "--": SELECT 5 --<b>AS x is 5 when "--" starts
// a comment (up to the end of the line, or empty when b is a line feed),
// and an error or another value when it is a double minus. A NUL byte
// ends a comment and is a syntax error after it, so it is tried at the
// end of the statement, where it ends the text.
func TestDashCommentOnServer(t *testing.T) {
	db, _ := fzConn(t)
	for b := 0; b < 0x80; b++ {
		s := "--" + string(rune(b)) + "AS x"
		if b == 0 {
			s = "--\x00"
		}
		vals, _, err := serverRows(t, db, "SELECT 5 "+s)
		comment := err == nil && len(vals) == 1 && vals[0] == "5"
		if comment != startsDashComment(s, 0) {
			t.Errorf("byte %#x after --: server reads a comment: %v (%q, %v)", b, comment, vals, err)
		}
	}
	vals, _, err := serverRows(t, db, "SELECT 5 --éAS x")
	if err == nil && len(vals) == 1 && vals[0] == "5" {
		t.Error("the server reads --é as a comment")
	}
}

// TestNonFiniteOnServer checks that NaN and ±Inf arguments never reach the
// server, where a client-side interpolation would write them as the bare
// words NaN, +Inf and -Inf: on fz, x = +Inf would compare x with the
// column inf and return row 1.
func TestNonFiniteOnServer(t *testing.T) {
	db, fz := fzConn(t)
	inf32 := float32(math.Inf(1))
	for name, c := range map[string]Cond{
		"where float64 +Inf":    Where("x = ?", math.Inf(1)),
		"where float32 pointer": Where("x = ?", &inf32),
		"where float64 NaN":     Where("x = ? OR x = 10", math.NaN()),
		"where valuer -Inf":     Where("x = -?", sql.NullFloat64{Float64: math.Inf(-1), Valid: true}),
		"match float32 +Inf":    Match(map[string]any{"x": float32(math.Inf(1))}),
		"match pointer":         Match(map[string]any{"x": &inf32}),
	} {
		q, args, err := Table(fz).Restrict(c).SQL()
		if err == nil {
			ids, _, err := serverRows(t, db, q, args...)
			t.Errorf("%s reached the server: ids %q (%v)\n%s %v", name, ids, err, q, args)
			continue
		}
		if !errors.Is(err, djerr.ErrType) {
			t.Errorf("%s: %v, want ErrType", name, err)
		}
	}
	q, args, err := Table(fz).Restrict(Where("x = ?", float32(10))).SQL()
	if err != nil {
		t.Fatal(err)
	}
	if ids, _, err := serverRows(t, db, q, args...); err != nil || !slices.Equal(ids, []string{"1"}) {
		t.Errorf("finite float32: ids %q, %v", ids, err)
	}
}

func ExampleWhere_refused() {
	_, _, err := Table(&schema.Table{Database: "lab", Name: "mouse", Heading: schema.Heading{Attributes: []schema.Attribute{
		{Name: "mouse_id", Type: "int", InKey: true},
	}}}).Restrict(Where("mouse_id = 1 /*!) OR (1*/")).SQL()
	fmt.Println(err)
	// Output:
	// restrict `lab`.`mouse`: invalid query: Where("mouse_id = 1 /*!) OR (1*/"): executable comment "/*!) OR (1*/" is not allowed
}
