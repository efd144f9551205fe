package dj

import (
	"sort"
	"strings"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// This file builds the statements on ~external_<store> tracking tables;
// external.go, external_cleanup.go and external_sweep.go send them.

// externalReferencesSQL lists the columns, in any database, with a foreign
// key to a tracking table. Arguments: database, tracking table name.
const externalReferencesSQL = `SELECT table_schema, table_name, column_name
		FROM information_schema.key_column_usage
		WHERE referenced_table_schema = ? AND referenced_table_name = ? AND referenced_column_name = 'hash'
		ORDER BY table_schema, table_name, column_name`

// externalTablesSQL lists the tracking tables of a database. Arguments:
// database, length of the name prefix, the name prefix.
const externalTablesSQL = `SELECT table_name FROM information_schema.tables
		WHERE table_schema = ? AND LEFT(table_name, ?) = ? ORDER BY table_name`

// inList is the placeholder list (?,?,...) of n > 0 values.
func inList(n int) string { return "(?" + strings.Repeat(",?", n-1) + ")" }

// trackLookupSQL selects the tracking rows of n hashes from table (a
// quoted full name); forUpdate locks them, and the gaps where absent
// hashes would go.
func trackLookupSQL(table string, n int, forUpdate bool) string {
	q := "SELECT hash,size,attachment_name,filepath,contents_hash FROM " + table + " WHERE hash IN " + inList(n)
	if forUpdate {
		q += " FOR UPDATE"
	}
	return q
}

// trackListSQL lists the tracking rows of table (aliased x) that satisfy
// cond (every row when cond is ""), in hash order.
func trackListSQL(table, cond string) string {
	q := "SELECT hash,size,attachment_name,filepath,contents_hash,timestamp FROM " + table + " AS x"
	if cond != "" {
		q += " WHERE " + cond
	}
	return q + " ORDER BY x.`hash`"
}

// trackLockUnusedSQL locks those of n hashes of table whose rows no row
// references (refCond is referencedSQL of the references) and selects them.
func trackLockUnusedSQL(table string, n int, refCond string) string {
	return "SELECT x.`hash` FROM " + table + " AS x WHERE x.`hash` IN " + inList(n) + " AND NOT " + refCond + " FOR UPDATE"
}

// trackDeleteSQL deletes the tracking rows of n hashes.
func trackDeleteSQL(table string, n int) string {
	return "DELETE FROM " + table + " WHERE `hash` IN " + inList(n)
}

// trackRestoreSQL puts back one tracking row with all its columns.
func trackRestoreSQL(table string) string {
	return "INSERT INTO " + table + " (hash,size,attachment_name,filepath,contents_hash,timestamp) VALUES (?,?,?,?,?,?)"
}

// trackingStatements builds DataJoint's tracking-row upserts, at most 1000
// rows per statement: blobs (hash,size) and attachments
// (hash,size,attachment_name) ON DUPLICATE KEY UPDATE timestamp; new
// filepaths (hash,size,filepath,contents_hash) with a plain INSERT.
func trackingStatements(db string, list []*extObject) []statement {
	type group struct {
		store string
		kind  schema.Category
	}
	groups := map[group][]*extObject{}
	var order []group
	for _, o := range list {
		if o.kind == schema.CatFilepath && !o.upload {
			continue // already tracked with these contents
		}
		g := group{o.store, o.kind}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], o)
	}
	sort.Slice(order, func(i, j int) bool {
		if order[i].store != order[j].store {
			return order[i].store < order[j].store
		}
		return order[i].kind < order[j].kind
	})
	var out []statement
	for _, g := range order {
		objs := groups[g]
		for start := 0; start < len(objs); start += 1000 {
			part := objs[start:min(start+1000, len(objs))]
			var sb strings.Builder
			sb.WriteString("INSERT INTO ")
			sb.WriteString(schema.QuoteFull(db, schema.ExternalTableName(g.store)))
			var args []any
			switch g.kind {
			case schema.CatExternalBlob:
				sb.WriteString(" (hash,size) VALUES ")
				for i, o := range part {
					if i > 0 {
						sb.WriteByte(',')
					}
					sb.WriteString("(?,?)")
					args = append(args, o.hash[:], o.size)
				}
				sb.WriteString(" ON DUPLICATE KEY UPDATE timestamp=CURRENT_TIMESTAMP")
			case schema.CatExternalAttach:
				sb.WriteString(" (hash,size,attachment_name) VALUES ")
				for i, o := range part {
					if i > 0 {
						sb.WriteByte(',')
					}
					sb.WriteString("(?,?,?)")
					args = append(args, o.hash[:], o.size, o.name)
				}
				sb.WriteString(" ON DUPLICATE KEY UPDATE timestamp=CURRENT_TIMESTAMP")
			case schema.CatFilepath:
				sb.WriteString(" (hash,size,filepath,contents_hash) VALUES ")
				for i, o := range part {
					if i > 0 {
						sb.WriteByte(',')
					}
					sb.WriteString("(?,?,?,?)")
					args = append(args, o.hash[:], o.size, o.rel, o.contents[:])
				}
			}
			out = append(out, statement{sql: sb.String(), args: args})
		}
	}
	return out
}
