package dj

import (
	"context"
	"database/sql/driver"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj/schema"
)

func TestDeleteStatementText(t *testing.T) {
	cases := []struct{ got, want string }{
		{cascadeTempID("lab", 3).Quoted(), "`lab`.`$dj_delete_3`"},
		{cascadeFillSQL("`lab`.`$dj_delete_0`", []string{"a", "b"}, "`lab`.`t`", "`lab`.`t` WHERE x", true),
			"CREATE TEMPORARY TABLE `lab`.`$dj_delete_0` (`$n` bigint unsigned NOT NULL AUTO_INCREMENT, PRIMARY KEY (`a`,`b`), UNIQUE KEY (`$n`)) SELECT `lab`.`t`.`a`,`lab`.`t`.`b` FROM `lab`.`t` WHERE x FOR UPDATE"},
		{cascadeFillSQL("`lab`.`$dj_delete_1`", []string{"a"}, "`c`", "J", false),
			"INSERT IGNORE INTO `lab`.`$dj_delete_1` (`a`) SELECT `c`.`a` FROM J FOR UPDATE"},
		// A foreign key into the parent's primary key joins the temporary
		// table directly.
		{cascadeJoinSQL("`lab`.`$dj_delete_0`", "`lab`.`p`", []string{"id"}, []string{"pid"}, []string{"id"}, "`lab`.`c`", "`c`"),
			"`lab`.`$dj_delete_0` AS `p` STRAIGHT_JOIN `lab`.`c` AS `c` ON `c`.`pid` = `p`.`id`"},
		// A foreign key into other columns goes through the parent's rows.
		{cascadeJoinSQL("`lab`.`$dj_delete_0`", "`lab`.`p`", []string{"id"}, []string{"code"}, []string{"alt"}, "`lab`.`c`", ""),
			"`lab`.`$dj_delete_0` AS `p` STRAIGHT_JOIN `lab`.`p` AS `pr` ON `pr`.`id` = `p`.`id` STRAIGHT_JOIN `lab`.`c` ON `lab`.`c`.`code` = `pr`.`alt`"},
		{joinOn("`a`", "`b`", []string{"x", "y"}, []string{"u", "v"}), "`a`.`x` = `b`.`u` AND `a`.`y` = `b`.`v`"},
		{cascadeCountSQL("F"), "SELECT COUNT(*) FROM F"},
		{cascadeDeleteByKeysSQL("`lab`.`t`", "`lab`.`$dj_delete_0`", []string{"id"}),
			"DELETE `lab`.`t` FROM `lab`.`$dj_delete_0` AS `p` STRAIGHT_JOIN `lab`.`t` ON `lab`.`t`.`id` = `p`.`id`"},
		{cascadeDeleteJoinSQL("`lab`.`t`", "F"), "DELETE `lab`.`t` FROM F"},
		{deleteWhereSQL("`lab`.`t`", ""), "DELETE FROM `lab`.`t`"},
		{deleteWhereSQL("`lab`.`t`", "(`id`=?)"), "DELETE FROM `lab`.`t` WHERE (`id`=?)"},
		{cascadeMaxSeqSQL("`lab`.`$dj_delete_0`"), "SELECT MAX(`$n`) FROM `lab`.`$dj_delete_0`"},
		{cascadeRangeSQL("DELETE X"), "DELETE X WHERE `p`.`$n` > ? AND `p`.`$n` <= ?"},
		{dropTempSQL("`lab`.`$dj_delete_0`"), "DROP TEMPORARY TABLE IF EXISTS `lab`.`$dj_delete_0`"},
		{dropTableSQL("`lab`.`t`"), "DROP TABLE IF EXISTS `lab`.`t`"},
		{quoteList([]string{"a", "b`c"}), "`a`,`b``c`"},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d:\n got %s\nwant %s", i, c.got, c.want)
		}
	}
}

type DelSession struct {
	Manual
	SessionID int32 `dj:"pk"`
}

type DelSessionNote struct {
	Part[DelSession]
	SessionID int32  `dj:"pk"`
	Note      string `dj:"type=varchar(64)"`
}

// cascadeScript answers the catalog queries of a cascade over three tables
// of lab: del_session ← del_scan ← del_scan__unit (a part of del_scan),
// and reports affected rows by statement prefix.
func cascadeScript(affected map[string]int64) *scriptDB {
	return &scriptDB{answer: func(q string, _ []any) scriptAnswer {
		switch {
		case q == referencingSchemasSQL:
			return scriptAnswer{cols: []string{"table_schema"}}
		case strings.HasPrefix(q, "SELECT table_schema, table_name FROM information_schema.tables"):
			return scriptAnswer{cols: []string{"s", "t"}, rows: [][]driver.Value{{"lab", "del_scan"}, {"lab", "del_scan__unit"}, {"lab", "del_session"}}}
		case strings.HasPrefix(q, "SELECT table_schema, table_name, column_name FROM"):
			return scriptAnswer{cols: []string{"s", "t", "c"}, rows: [][]driver.Value{
				{"lab", "del_scan", "session_id"}, {"lab", "del_scan", "scan_idx"},
				{"lab", "del_scan__unit", "session_id"}, {"lab", "del_scan__unit", "scan_idx"}, {"lab", "del_scan__unit", "unit_id"},
				{"lab", "del_session", "session_id"},
			}}
		case strings.HasPrefix(q, "SELECT table_schema, table_name, constraint_name"):
			return scriptAnswer{cols: []string{"s", "t", "k", "c", "ps", "pt", "pc"}, rows: [][]driver.Value{
				{"lab", "del_scan", "fk1", "session_id", "lab", "del_session", "session_id"},
				{"lab", "del_scan__unit", "fk1", "session_id", "lab", "del_scan", "session_id"},
				{"lab", "del_scan__unit", "fk1", "scan_idx", "lab", "del_scan", "scan_idx"},
			}}
		}
		for prefix, n := range affected {
			if strings.HasPrefix(q, prefix) {
				return scriptAnswer{affected: n}
			}
		}
		return scriptAnswer{}
	}}
}

func TestDeleteCascadeStatements(t *testing.T) {
	ctx := context.Background()
	db := cascadeScript(map[string]int64{
		"CREATE TEMPORARY TABLE `lab`.`$dj_delete_0`": 1,
		"CREATE TEMPORARY TABLE `lab`.`$dj_delete_1`": 2,
		"DELETE `lab`.`del_scan__unit`":               5,
		"DELETE `lab`.`del_scan`":                     2,
		"DELETE `lab`.`del_session`":                  1,
	})
	c := scriptConnFor(t, db)
	declareFor(t, c, "lab", DelSession{})
	res, err := Delete(ctx, c, From[DelSession](c).Restrict(Match(map[string]any{"session_id": 1})))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"START TRANSACTION WITH CONSISTENT SNAPSHOT",
		referencingSchemasSQL,
		"", "", "", // the graph
		"CREATE TEMPORARY TABLE `lab`.`$dj_delete_0` (`$n` bigint unsigned NOT NULL AUTO_INCREMENT, PRIMARY KEY (`session_id`), UNIQUE KEY (`$n`)) SELECT `lab`.`del_session`.`session_id` FROM `lab`.`del_session` WHERE (`session_id`=?) FOR UPDATE",
		"CREATE TEMPORARY TABLE `lab`.`$dj_delete_1` (`$n` bigint unsigned NOT NULL AUTO_INCREMENT, PRIMARY KEY (`session_id`,`scan_idx`), UNIQUE KEY (`$n`)) SELECT `c`.`session_id`,`c`.`scan_idx` FROM `lab`.`$dj_delete_0` AS `p` STRAIGHT_JOIN `lab`.`del_scan` AS `c` ON `c`.`session_id` = `p`.`session_id` FOR UPDATE",
		// The part is a leaf: deleted through its master's keys, first.
		"DELETE `lab`.`del_scan__unit` FROM `lab`.`$dj_delete_1` AS `p` STRAIGHT_JOIN `lab`.`del_scan__unit` ON `lab`.`del_scan__unit`.`session_id` = `p`.`session_id` AND `lab`.`del_scan__unit`.`scan_idx` = `p`.`scan_idx`",
		"DELETE `lab`.`del_scan` FROM `lab`.`$dj_delete_1` AS `p` STRAIGHT_JOIN `lab`.`del_scan` ON `lab`.`del_scan`.`session_id` = `p`.`session_id` AND `lab`.`del_scan`.`scan_idx` = `p`.`scan_idx`",
		"DELETE `lab`.`del_session` FROM `lab`.`$dj_delete_0` AS `p` STRAIGHT_JOIN `lab`.`del_session` ON `lab`.`del_session`.`session_id` = `p`.`session_id`",
		"DROP TEMPORARY TABLE IF EXISTS `lab`.`$dj_delete_0`",
		"DROP TEMPORARY TABLE IF EXISTS `lab`.`$dj_delete_1`",
		"COMMIT",
	}
	got := db.queries()
	if len(got) != len(want) {
		t.Fatalf("sent %d statements, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if want[i] != "" && got[i] != want[i] {
			t.Errorf("statement %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
	if !reflect.DeepEqual(db.calls[5].args, []any{1}) {
		t.Errorf("restriction args %v", db.calls[5].args)
	}
	wantRes := DeleteResult{Counts: []TableCount{{schema.TableID{Database: "lab", Table: "del_scan__unit"}, 5}, {schema.TableID{Database: "lab", Table: "del_scan"}, 2}, {schema.TableID{Database: "lab", Table: "del_session"}, 1}}}
	if !reflect.DeepEqual(res, wantRes) {
		t.Fatalf("result %#v", res)
	}
	if res.Total() != 8 || res.Rows(schema.TableID{Database: "lab", Table: "del_scan"}) != 2 || res.Rows(schema.TableID{Database: "lab", Table: "other"}) != 0 {
		t.Errorf("Total %d, Rows %d", res.Total(), res.Rows(schema.TableID{Database: "lab", Table: "del_scan"}))
	}
}

func TestDeleteConfirmCancels(t *testing.T) {
	ctx := context.Background()
	db := cascadeScript(map[string]int64{"CREATE TEMPORARY TABLE": 3, "INSERT IGNORE": 0})
	c := scriptConnFor(t, db)
	declareFor(t, c, "lab", DelSession{})
	var asked DeleteResult
	res, err := Delete(ctx, c, From[DelSession](c), Confirm(func(r DeleteResult) bool { asked = r; return false }))
	if err != nil || len(res.Counts) != 0 {
		t.Fatalf("cancelled delete: %v %v", res, err)
	}
	// With a confirmation every table is counted exactly, leaves first.
	want := DeleteResult{Counts: []TableCount{{schema.TableID{Database: "lab", Table: "del_scan__unit"}, 3}, {schema.TableID{Database: "lab", Table: "del_scan"}, 3}, {schema.TableID{Database: "lab", Table: "del_session"}, 3}}}
	if !reflect.DeepEqual(asked, want) {
		t.Fatalf("confirmation saw %#v", asked)
	}
	q := db.queries()
	if q[len(q)-1] != "ROLLBACK" {
		t.Errorf("cancelled delete ended with %s", q[len(q)-1])
	}
	for _, s := range q {
		if strings.HasPrefix(s, "DELETE") {
			t.Errorf("cancelled delete sent %s", s)
		}
	}
	if !strings.Contains(q[5], "WHERE TRUE FOR UPDATE") {
		t.Errorf("unrestricted top selects %s", q[5])
	}
}

func TestDeleteRefusals(t *testing.T) {
	ctx := context.Background()
	db := &scriptDB{}
	c := scriptConnFor(t, db)
	declareFor(t, c, "lab", DelSession{}, DelSessionNote{})
	if _, err := Delete(ctx, c, From[DelSessionNote](c)); !errors.Is(err, ErrPartIntegrity) {
		t.Errorf("part delete: %v", err)
	}
	if _, err := Delete(ctx, c, From[DelSession](c).Join(From[DelSessionNote](c))); !errors.Is(err, ErrInvalidQuery) {
		t.Errorf("join delete: %v", err)
	}
	if _, err := DeleteQuick(ctx, c, From[DelSession](c).Proj()); !errors.Is(err, ErrInvalidQuery) {
		t.Errorf("projection delete: %v", err)
	}
	if len(db.calls) != 0 {
		t.Errorf("refused deletes sent %q", db.queries())
	}
}

func TestDeleteQuickStatement(t *testing.T) {
	ctx := context.Background()
	db := &scriptDB{answer: func(string, []any) scriptAnswer { return scriptAnswer{affected: 4} }}
	c := scriptConnFor(t, db)
	declareFor(t, c, "lab", DelSession{})
	n, err := DeleteQuick(ctx, c, From[DelSession](c).Restrict(Where("session_id > ?", 2)))
	if err != nil || n != 4 {
		t.Fatalf("DeleteQuick: %d %v", n, err)
	}
	if got := db.calls[0]; got.query != "DELETE FROM `lab`.`del_session` WHERE (session_id > ?)" || !reflect.DeepEqual(got.args, []any{2}) {
		t.Fatalf("sent %#v", got)
	}
	db.calls = nil
	if _, err := DeleteQuick(ctx, c, From[DelSession](c)); err != nil || db.calls[0].query != "DELETE FROM `lab`.`del_session`" {
		t.Fatalf("unrestricted: %v %q", err, db.queries())
	}
}

func TestDeleteInRanges(t *testing.T) {
	defer func(n int64) { deleteBatch = n }(deleteBatch)
	deleteBatch = 2
	ctx := context.Background()
	db := &scriptDB{answer: func(q string, _ []any) scriptAnswer {
		if strings.HasPrefix(q, "SELECT MAX") {
			return scriptAnswer{cols: []string{"m"}, rows: [][]driver.Value{{int64(5)}}}
		}
		return scriptAnswer{affected: 1}
	}}
	c := scriptConnFor(t, db)
	parent := &cascadeStep{table: schema.TableID{Database: "lab", Table: "p"}, pk: []string{"id"}, temp: cascadeTempID("lab", 0), rows: 5}
	child := &cascadeStep{table: schema.TableID{Database: "lab", Table: "c"}, pk: []string{"id", "k"}}
	cs := &cascade{}
	// A child is deleted in ranges of the parent's keys, starting with one
	// key (2/50 rounds up to 1) and growing as batches remove fewer rows
	// than deleteBatch.
	n, err := cs.deleteInRanges(ctx, c, child, parent, "DELETE X")
	if err != nil || n != 3 {
		t.Fatalf("deleted %d, %v", n, err)
	}
	var ranges [][]any
	for _, call := range db.calls[1:] {
		if call.query != "DELETE X WHERE `p`.`$n` > ? AND `p`.`$n` <= ?" {
			t.Fatalf("sent %s", call.query)
		}
		ranges = append(ranges, call.args)
	}
	want := [][]any{{int64(0), int64(1)}, {int64(1), int64(3)}, {int64(3), int64(5)}}
	if !reflect.DeepEqual(ranges, want) {
		t.Fatalf("ranges %v, want %v", ranges, want)
	}
	// Its own keys go in fixed ranges of deleteBatch.
	db.calls = nil
	if _, err := cs.deleteInRanges(ctx, c, parent, parent, "DELETE Y"); err != nil {
		t.Fatal(err)
	}
	if got := len(db.calls); got != 4 { // MAX, (0,2], (2,4], (4,5]
		t.Fatalf("own ranges: %q", db.queries())
	}
}

func TestDedupe(t *testing.T) {
	id := func(n string) schema.TableID { return schema.TableID{Database: "lab", Table: n} }
	got := dedupe([]schema.TableID{id("a"), id("b"), id("a"), id("c"), id("b")})
	if !reflect.DeepEqual(got, []schema.TableID{id("a"), id("b"), id("c")}) {
		t.Errorf("dedupe %v", got)
	}
}
