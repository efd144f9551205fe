package dj

import (
	"fmt"
	"strings"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// This file builds the statements of deletes; delete.go and
// delete_cascade.go plan the cascade and send them. Table arguments are
// quoted full names (`db`.`t`).

// seqColumn numbers the keys of a temporary table, so that a delete can
// go through them in ranges (see deleteBatch).
const seqColumn = "`$n`"

// cascadeTempID is the temporary table of step i of a cascade in db.
func cascadeTempID(db string, i int) schema.TableID {
	return schema.TableID{Database: db, Table: fmt.Sprintf("$dj_delete_%d", i)}
}

// cascadeFillSQL adds to the temporary table temp the keys pk of the rows
// found by FROM from, where the table is named name, with a locking read.
// With create, the statement creates temp, keyed like the table and with
// its keys numbered in seqColumn; otherwise it adds the keys not yet in
// it.
func cascadeFillSQL(temp string, pk []string, name, from string, create bool) string {
	cols := make([]string, len(pk))
	for i, a := range pk {
		cols[i] = name + "." + schema.QuoteIdent(a)
	}
	sel := "SELECT " + strings.Join(cols, ",") + " FROM " + from + " FOR UPDATE"
	if create {
		return "CREATE TEMPORARY TABLE " + temp + " (" + seqColumn + " bigint unsigned NOT NULL AUTO_INCREMENT, PRIMARY KEY (" + quoteList(pk) + "), UNIQUE KEY (" + seqColumn + ")) " + sel
	}
	return "INSERT IGNORE INTO " + temp + " (" + quoteList(pk) + ") " + sel
}

// cascadeJoinSQL is the FROM clause that finds the rows of child that
// reference, through a foreign key (fkAttrs of child referencing refAttrs
// of the parent), the keys in parentTemp, the temporary table of the
// parent's step (keyed by parentPK): the temporary table, aliased `p`,
// drives the join, and the child is reached through the index of its
// foreign key. A foreign key to other columns than the parent's primary
// key reaches them through parentTable, aliased `pr`. alias names the
// child, or is empty to refer to it by its full name.
func cascadeJoinSQL(parentTemp, parentTable string, parentPK, fkAttrs, refAttrs []string, child, alias string) string {
	inKey := map[string]bool{}
	for _, a := range parentPK {
		inKey[a] = true
	}
	refsKey := true
	for _, a := range refAttrs {
		refsKey = refsKey && inKey[a]
	}
	from := parentTemp + " AS `p`"
	ref := "`p`"
	if !refsKey {
		from += " STRAIGHT_JOIN " + parentTable + " AS `pr` ON " + joinOn("`pr`", "`p`", parentPK, parentPK)
		ref = "`pr`"
	}
	name := child
	if alias != "" {
		child += " AS " + alias
		name = alias
	}
	return from + " STRAIGHT_JOIN " + child + " ON " + joinOn(name, ref, fkAttrs, refAttrs)
}

// joinOn is the condition a.x1 = b.y1 AND ... over paired columns.
func joinOn(a, b string, x, y []string) string {
	terms := make([]string, len(x))
	for i := range x {
		terms[i] = a + "." + schema.QuoteIdent(x[i]) + " = " + b + "." + schema.QuoteIdent(y[i])
	}
	return strings.Join(terms, " AND ")
}

// cascadeCountSQL counts the rows a FROM clause of cascadeJoinSQL finds.
func cascadeCountSQL(from string) string { return "SELECT COUNT(*) FROM " + from }

// cascadeDeleteByKeysSQL deletes the rows of table whose keys (pk) are in
// its temporary table temp, aliased `p`. A multi-table DELETE names its
// target in full: MariaDB resolves an alias in the delete list against
// the default database.
func cascadeDeleteByKeysSQL(table, temp string, pk []string) string {
	return "DELETE " + table + " FROM " + temp + " AS `p` STRAIGHT_JOIN " + table + " ON " + joinOn(table, "`p`", pk, pk)
}

// cascadeDeleteJoinSQL deletes the rows of table found by from, a FROM
// clause of cascadeJoinSQL that names table in full.
func cascadeDeleteJoinSQL(table, from string) string { return "DELETE " + table + " FROM " + from }

// deleteWhereSQL deletes the rows of table that satisfy where, or all of
// them when where is empty.
func deleteWhereSQL(table, where string) string {
	if where == "" {
		return "DELETE FROM " + table
	}
	return "DELETE FROM " + table + " WHERE " + where
}

// cascadeMaxSeqSQL reads the highest key number of a temporary table.
func cascadeMaxSeqSQL(temp string) string { return "SELECT MAX(" + seqColumn + ") FROM " + temp }

// cascadeRangeSQL restricts stmt, a DELETE through a temporary table
// aliased `p`, to the keys numbered in (?, ?].
func cascadeRangeSQL(stmt string) string {
	return stmt + " WHERE `p`." + seqColumn + " > ? AND `p`." + seqColumn + " <= ?"
}

// dropTempSQL drops a temporary table of a cascade.
func dropTempSQL(temp string) string { return "DROP TEMPORARY TABLE IF EXISTS " + temp }

// dropTableSQL drops a table.
func dropTableSQL(full string) string { return "DROP TABLE IF EXISTS " + full }

// quoteList quotes names and separates them with commas.
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = schema.QuoteIdent(n)
	}
	return strings.Join(q, ",")
}
