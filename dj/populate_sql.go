package dj

import (
	"strings"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// This file builds the statements populate sends to its target table
// (those on ~jobs are in jobs_sql.go).

// keyProbeSQLFor selects the row of table full (`db`.`t`) with a given
// key: SELECT 1 FROM full WHERE `pk1`=? AND ... Its arguments are the key
// values in the order of pk. The reservation of a key inserts into ~jobs
// only when this finds nothing (reserveUnlessMadeSQL).
func keyProbeSQLFor(full string, pk []string) string {
	var b strings.Builder
	b.WriteString("SELECT 1 FROM ")
	b.WriteString(full)
	b.WriteString(" WHERE ")
	for i, a := range pk {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteString(schema.QuoteIdent(a))
		b.WriteString("=?")
	}
	return b.String()
}

// existsSQLOf turns a probe of keyProbeSQLFor into a query of one row and
// column that is 1 when the key is in the table and 0 otherwise.
func existsSQLOf(probe string) string { return "SELECT EXISTS(" + probe + ")" }
