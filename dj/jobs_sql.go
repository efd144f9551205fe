package dj

import (
	"strings"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// This file builds the statements on ~jobs tables; jobs.go and populate
// send them.

// Catalog and server-state queries of the ~jobs code.
const (
	// jobsColumnsSQL lists the columns of the ~jobs table of a database (?).
	jobsColumnsSQL = "SELECT column_name FROM information_schema.columns WHERE table_schema=? AND table_name='~jobs'"
	// serverUptimeSQL reads the seconds since the server started.
	serverUptimeSQL = "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME='UPTIME'"
	// processListSQL lists the connection ids the session can see.
	processListSQL = "SELECT ID FROM information_schema.PROCESSLIST"
	// processPrivilegeSQL counts the privileges that show every account's
	// connections in the process list.
	processPrivilegeSQL = "SELECT COUNT(*) FROM information_schema.USER_PRIVILEGES WHERE PRIVILEGE_TYPE IN ('PROCESS','SUPER')"
)

// jobWorker is the identity a worker writes into its ~jobs rows.
type jobWorker struct {
	host string
	pid  int
	user string
}

// jobsWriteSQL returns the statement that writes r into the ~jobs table
// full (`db`.`~jobs`) with verb INSERT or REPLACE, and its arguments. Only
// the columns the table has (cols, lower case) are written, so the
// statement suits DataJoint's table and MATLAB's narrower one; an error
// message is cut to the width of error_message.
func jobsWriteSQL(full, verb string, cols map[string]bool, w jobWorker, r jobRow) (string, []any) {
	names := []string{"table_name", "key_hash", "status"}
	args := []any{r.table, r.hash, r.status}
	add := func(col string, v any) {
		if cols[col] {
			names = append(names, col)
			args = append(args, v)
		}
	}
	if r.key != nil {
		add("key", r.key)
	}
	if r.status == JobError {
		add("error_message", truncateMessage(r.message, jobsMessageLimit(cols)))
		add("error_stack", r.stack)
	}
	add("host", w.host)
	add("pid", w.pid)
	add("connection_id", r.connID)
	add("user", w.user)
	var b strings.Builder
	b.WriteString(verb)
	b.WriteString(" INTO ")
	b.WriteString(full)
	b.WriteString(" (")
	for i, c := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(schema.QuoteIdent(c))
	}
	b.WriteString(") VALUES (")
	b.WriteString(placeholders(len(names)))
	b.WriteByte(')')
	return b.String(), args
}

// jobsMessageLimit is the width of error_message: DataJoint's 2047, or
// 1023 for MATLAB's table (which has no connection_id column).
func jobsMessageLimit(cols map[string]bool) int {
	if !cols["connection_id"] {
		return 1023
	}
	return errorMessageLength
}

// reserveUnlessMadeSQL turns insert, an INSERT ... VALUES (?,...) of nargs
// arguments from jobsWriteSQL, into the statement that inserts the same
// row only when exists (a SELECT on the target) finds nothing:
// INSERT INTO ... (cols) SELECT ?,... FROM DUAL WHERE NOT EXISTS (exists).
// Its arguments are those of insert followed by those of exists.
func reserveUnlessMadeSQL(insert string, nargs int, exists string) string {
	values := strings.LastIndex(insert, ") VALUES (")
	return insert[:values+1] + " SELECT " + placeholders(nargs) + " FROM DUAL WHERE NOT EXISTS (" + exists + ")"
}

// jobsCompleteSQL deletes a key's reservation: DataJoint's complete.
// Arguments: table_name, key_hash.
func jobsCompleteSQL(full string) string {
	return "DELETE FROM " + full + " WHERE `table_name`=? AND `key_hash`=?"
}

// jobsReleaseSQL deletes a reservation made by one connection only.
// Arguments: table_name, key_hash, connection_id. A table without
// connection_id (MATLAB's) cannot tell connections apart: the statement
// then takes the id and ignores it.
func jobsReleaseSQL(full string, hasConnID bool) string {
	if !hasConnID {
		return "DELETE FROM " + full + " WHERE `table_name`=? AND `key_hash`=? AND `status`='reserved' AND ?>=0"
	}
	return "DELETE FROM " + full + " WHERE `table_name`=? AND `key_hash`=? AND `status`='reserved' AND `connection_id`=?"
}

// jobsListColumns are the columns List reads, in scan order.
var jobsListColumns = []string{"table_name", "key_hash", "status", "key", "error_message", "error_stack", "user", "host", "pid", "connection_id", "timestamp"}

// jobsListSQL selects the rows of the ~jobs table full that where (from
// JobFilter.where) selects, oldest first; columns the table lacks read as
// NULL.
func jobsListSQL(full string, cols map[string]bool, where string) string {
	sel := make([]string, len(jobsListColumns))
	for i, c := range jobsListColumns {
		if cols[c] {
			sel[i] = schema.QuoteIdent(c)
		} else {
			sel[i] = "NULL"
		}
	}
	return "SELECT " + strings.Join(sel, ",") + " FROM " + full + where + " ORDER BY `timestamp`, `table_name`, `key_hash`"
}

// jobsClearSQL deletes the rows that where (from JobFilter.where) selects.
func jobsClearSQL(full, where string) string { return "DELETE FROM " + full + where }

// jobsSummarySQL counts the rows of every table by status.
func jobsSummarySQL(full string) string {
	return "SELECT `table_name`, SUM(`status`='reserved'), SUM(`status`='error'), SUM(`status`='ignore') FROM " + full + " GROUP BY `table_name` ORDER BY `table_name`"
}

// jobsStaleCandidatesSQL selects the reservations ReclaimStale judges:
// table_name, key_hash, connection_id, user and whether the reservation
// predates the server's start. Arguments: the server's uptime in seconds,
// then the table name when byTable is set.
func jobsStaleCandidatesSQL(full string, byTable bool) string {
	q := "SELECT `table_name`, `key_hash`, `connection_id`, `user`, `timestamp` < NOW() - INTERVAL (? + 1) SECOND FROM " + full + " WHERE `status`='reserved' AND `connection_id`<>0"
	if byTable {
		q += " AND `table_name`=?"
	}
	return q
}

// jobsExcludedSQL selects the key hashes of one table (argument) that a
// reserving populate skips: errors, ignored keys and live reservations.
func jobsExcludedSQL(full string) string {
	return "SELECT `key_hash` FROM " + full + " WHERE `table_name`=? AND `status` IN ('error','ignore','reserved')"
}

// placeholders is n question marks separated by commas.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}
