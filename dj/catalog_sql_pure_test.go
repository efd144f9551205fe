package dj

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
)

func TestCatalogStatementText(t *testing.T) {
	cases := []struct{ got, want string }{
		{createDatabaseSQL("lab"), "CREATE DATABASE IF NOT EXISTS `lab`"},
		{dropDatabaseSQL("la`b"), "DROP DATABASE IF EXISTS `la``b`"},
		{countRowsSQL("`lab`.`t`"), "SELECT COUNT(*) FROM `lab`.`t`"},
		{logInsertSQL("lab"), "INSERT INTO `lab`.`~log` (`version`,`user`,`host`,`event`) VALUES (?,?,?,?)"},
		{update1SQL("`lab`.`t`", []string{"`a`=?", "`b`=DEFAULT"}, []string{"`id`=?", "`k`=?"}), "UPDATE `lab`.`t` SET `a`=?,`b`=DEFAULT WHERE `id`=? AND `k`=?"},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d:\n got %s\nwant %s", i, c.got, c.want)
		}
	}
}

type UpRec struct {
	Manual
	ID    int32  `dj:"pk"`
	Name  string `dj:"type=varchar(16)"`
	Score *float64
}

func TestUpdate1Statement(t *testing.T) {
	ctx := context.Background()
	matched := int64(1)
	db := &scriptDB{answer: func(string, []any) scriptAnswer { return scriptAnswer{affected: matched} }}
	c := scriptConnFor(t, db)
	declareFor(t, c, "lab", UpRec{})
	if err := Update1(ctx, c, UpRec{ID: 3, Name: "x"}); err != nil {
		t.Fatal(err)
	}
	want := scriptCall{"UPDATE `lab`.`up_rec` SET `name`=?,`score`=DEFAULT WHERE `id`=?", []any{"x", int64(3)}}
	if len(db.calls) != 1 || !reflect.DeepEqual(db.calls[0], want) {
		t.Fatalf("sent %#v", db.calls)
	}
	tb, _ := TableOf[UpRec](c)
	db.calls = nil
	if err := tb.Update1(ctx, c, map[string]any{"id": 4, "score": 0.5}); err != nil {
		t.Fatal(err)
	}
	if want := "UPDATE `lab`.`up_rec` SET `score`=? WHERE `id`=?"; db.calls[0].query != want || !reflect.DeepEqual(db.calls[0].args, []any{0.5, 4}) {
		t.Fatalf("map update sent %#v", db.calls[0])
	}
	matched = 0
	if err := tb.Update1(ctx, c, map[string]any{"id": 5, "score": 1.0}); !errors.Is(err, ErrNoRows) {
		t.Errorf("update of a missing row: %v", err)
	}
	db.calls = nil
	for name, row := range map[string]any{
		"no key":        map[string]any{"score": 1.0},
		"only key":      map[string]any{"id": 1},
		"NULL key":      map[string]any{"id": nil, "score": 1.0},
		"unknown field": map[string]any{"id": 1, "tail": 2},
		"nil":           (*UpRec)(nil),
	} {
		if err := tb.Update1(ctx, c, row); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if len(db.calls) != 0 {
		t.Errorf("refused updates sent %q", db.queries())
	}
}

func TestLogEvent(t *testing.T) {
	ctx := context.Background()
	db := &scriptDB{answer: func(q string, _ []any) scriptAnswer {
		if q == sessionUserSQL {
			return scriptAnswer{cols: []string{"u"}, rows: [][]driver.Value{{"me@h"}}}
		}
		return scriptAnswer{affected: 1}
	}}
	c := scriptConnFor(t, db)
	c.offline = false // log through the script
	long := strings.Repeat("é", 300)
	c.logEvent(ctx, c, "lab", long)
	c.logEvent(ctx, c, "lab", "Declared `lab`.`t`")
	q := db.queries()
	// The user is read once and cached.
	if want := []string{sessionUserSQL, logInsertSQL("lab"), logInsertSQL("lab")}; !reflect.DeepEqual(q, want) {
		t.Fatalf("sent %q", q)
	}
	args := db.calls[1].args
	if args[0] != logVersion || args[1] != "me@h" || args[3] != strings.Repeat("é", 255) {
		t.Errorf("log args %q", args)
	}
	if logVersion != Version+"go" || len(logVersion) > 12 {
		t.Errorf("log version %q", logVersion)
	}
	c.createLog(ctx, "lab")
	if got := db.calls[len(db.calls)-1].query; got != logTableSQL("lab") || !strings.HasPrefix(got, "CREATE TABLE IF NOT EXISTS `lab`.`~log`") {
		t.Errorf("createLog sent %s", got)
	}
}

func TestClassify(t *testing.T) {
	for num, want := range map[uint16]error{
		1062: ErrDuplicate, 1451: ErrIntegrity, 1452: ErrIntegrity, 1146: ErrMissingTable, 1054: ErrUnknownAttribute,
		1364: ErrMissingAttribute, 1064: ErrSyntax, 1142: ErrAccess, 1213: ErrConflict, 1205: ErrConflict, 2013: ErrLostConnection, 1366: ErrType, 1792: ErrReadOnly,
	} {
		me := &mysql.MySQLError{Number: num}
		err := classify(me)
		var back *mysql.MySQLError
		if !errors.Is(err, want) || !errors.As(err, &back) || back.Number != num {
			t.Errorf("%d: %v", num, err)
		}
		if again := classify(err); again != err {
			t.Errorf("%d classified twice", num)
		}
	}
	if err := classify(&mysql.MySQLError{Number: 9999}); errors.Is(err, ErrType) || errors.Is(err, ErrSyntax) {
		t.Errorf("unknown number classified: %v", err)
	}
	if !errors.Is(classify(driver.ErrBadConn), ErrLostConnection) || !errors.Is(classify(sql.ErrConnDone), ErrLostConnection) {
		t.Error("dead connections")
	}
	if !errors.Is(classify(sql.ErrNoRows), ErrNoRows) {
		t.Error("no rows")
	}
	if classify(nil) != nil || opError("x", "t", "", nil) != nil {
		t.Error("nil errors")
	}
	plain := errors.New("plain")
	if classify(plain) != plain {
		t.Error("plain error changed")
	}
	for msg, attr := range map[string]string{
		"Unknown column 'db.t.weight' in 'field list'": "weight",
		"Field 'name' doesn't have a default value":    "name",
		"Column 'x' cannot be null":                    "x",
		"Data truncated for column 'sex' at row 1":     "sex",
		"Out of range value for column 'n' at row 1":   "n",
		"Duplicate entry '1' for key 'PRIMARY'":        "",
	} {
		err := opError("insert", "`db`.`t`", "", &mysql.MySQLError{Number: 1054, Message: msg})
		var de *Error
		if !errors.As(err, &de) || de.Attr != attr {
			t.Errorf("%q: attribute %q, want %q", msg, de.Attr, attr)
		}
	}
	inner := opError("insert", "`db`.`t`", "a", ErrType)
	if opError("insert", "`db`.`other`", "", inner) != inner {
		t.Error("an *Error of the same operation is wrapped again")
	}
	if !errors.Is(txLost(sql.ErrConnDone), ErrLostConnection) || txLost(nil) != nil {
		t.Error("txLost")
	}
}
