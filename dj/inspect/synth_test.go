package inspect

import (
	"context"
	"fmt"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
)

// createSynthetic declares a pipeline of groups×10 tables in s with
// DataJoint 0.14's DDL: per group two Lookup tables, three Manual tables
// (one with a renamed reference), an Imported table, three Computed tables
// and a part; each group's first Manual table references the previous
// group's.
func createSynthetic(t testing.TB, s *dj.Schema, groups int) {
	t.Helper()
	ctx := context.Background()
	db := s.Name()
	q := func(n string) string { return "`" + db + "`.`" + n + "`" }
	fk := func(cols, parent, refCols string) string {
		return fmt.Sprintf("FOREIGN KEY (%s) REFERENCES %s (%s) ON UPDATE CASCADE ON DELETE RESTRICT", cols, q(parent), refCols)
	}
	for g := 0; g < groups; g++ {
		a, b := fmt.Sprintf("m%da", g), fmt.Sprintf("m%db", g)
		aID, bIdx := fmt.Sprintf("`m%da_id`", g), fmt.Sprintf("`m%db_idx`", g)
		lk, lkb := fmt.Sprintf("#lk%d", g), fmt.Sprintf("#lk%db", g)
		imp, c, part := fmt.Sprintf("_imp%d", g), fmt.Sprintf("__c%d", g), fmt.Sprintf("__c%d__part", g)
		d, e, pair := fmt.Sprintf("__d%d", g), fmt.Sprintf("__e%d", g), fmt.Sprintf("m%dpair", g)
		lkID, lkbID := fmt.Sprintf("`lk%d_id`", g), fmt.Sprintf("`lk%db_id`", g)
		prev := ""
		if g > 0 {
			prev = fmt.Sprintf(", `m%da_id` int NOT NULL COMMENT \"id\"", g-1)
		}
		key := aID + "," + bIdx
		stmts := []string{
			fmt.Sprintf("CREATE TABLE %s (%s smallint NOT NULL, `value` float NOT NULL, PRIMARY KEY (%s)) ENGINE=InnoDB, COMMENT \"parameters\"", q(lk), lkID, lkID),
			fmt.Sprintf("CREATE TABLE %s (%s smallint NOT NULL, PRIMARY KEY (%s)) ENGINE=InnoDB, COMMENT \"\"", q(lkb), lkbID, lkbID),
			fmt.Sprintf("CREATE TABLE %s (%s int NOT NULL COMMENT \"id\", `name` varchar(32) NOT NULL DEFAULT \"\"%s, PRIMARY KEY (%s)) ENGINE=InnoDB, COMMENT \"subjects\"", q(a), aID, prev, aID),
			fmt.Sprintf("CREATE TABLE %s (%s int NOT NULL COMMENT \"id\", %s smallint NOT NULL, `start` datetime NOT NULL, PRIMARY KEY (%s), %s) ENGINE=InnoDB, COMMENT \"sessions\"", q(b), aID, bIdx, key, fk(aID, a, aID)),
			fmt.Sprintf("CREATE TABLE %s (%s int NOT NULL COMMENT \"id\", %s smallint NOT NULL, `data` longblob NOT NULL, PRIMARY KEY (%s), %s) ENGINE=InnoDB, COMMENT \"\"", q(imp), aID, bIdx, key, fk(key, b, key)),
			fmt.Sprintf("CREATE TABLE %s (%s int NOT NULL COMMENT \"id\", %s smallint NOT NULL, %s smallint NOT NULL, `val` double NOT NULL, PRIMARY KEY (%s,%s), %s, %s) ENGINE=InnoDB, COMMENT \"\"", q(c), aID, bIdx, lkID, key, lkID, fk(key, imp, key), fk(lkID, lk, lkID)),
			fmt.Sprintf("CREATE TABLE %s (%s int NOT NULL COMMENT \"id\", %s smallint NOT NULL, %s smallint NOT NULL, `unit` int NOT NULL, `x` float NOT NULL, PRIMARY KEY (%s,%s,`unit`), %s) ENGINE=InnoDB, COMMENT \"\"", q(part), aID, bIdx, lkID, key, lkID, fk(key+","+lkID, c, key+","+lkID)),
			fmt.Sprintf("CREATE TABLE %s (%s int NOT NULL COMMENT \"id\", %s smallint NOT NULL, %s smallint NOT NULL, `y` double NOT NULL, PRIMARY KEY (%s,%s), %s) ENGINE=InnoDB, COMMENT \"\"", q(d), aID, bIdx, lkID, key, lkID, fk(key+","+lkID, c, key+","+lkID)),
			fmt.Sprintf("CREATE TABLE %s (%s int NOT NULL COMMENT \"id\", %s smallint NOT NULL, %s smallint NOT NULL, %s smallint NOT NULL, `z` double NOT NULL, PRIMARY KEY (%s,%s,%s), %s, %s) ENGINE=InnoDB, COMMENT \"\"", q(e), aID, bIdx, lkID, lkbID, key, lkID, lkbID, fk(key+","+lkID, d, key+","+lkID), fk(lkbID, lkb, lkbID)),
			fmt.Sprintf("CREATE TABLE %s (`first_id` int NOT NULL COMMENT \"id\", `first_idx` smallint NOT NULL, `second_id` int NOT NULL COMMENT \"id\", `second_idx` smallint NOT NULL, `score` float NOT NULL, PRIMARY KEY (`first_id`,`first_idx`,`second_id`,`second_idx`), %s, %s) ENGINE=InnoDB, COMMENT \"pairs\"", q(pair), fk("`first_id`,`first_idx`", b, key), fk("`second_id`,`second_idx`", b, key)),
		}
		if prev != "" {
			stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s ADD %s", q(a), fk(fmt.Sprintf("`m%da_id`", g-1), fmt.Sprintf("m%da", g-1), fmt.Sprintf("`m%da_id`", g-1))))
		}
		for _, st := range stmts {
			if _, err := s.Conn().ExecContext(ctx, st); err != nil {
				t.Fatalf("%s: %v", st, err)
			}
		}
	}
}
