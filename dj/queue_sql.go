package dj

import (
	"strings"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// This file builds the statements on ~queue tables; queue.go,
// queue_status.go and populate_queue.go send them.

// queueTable is the name of the job queue of a schema. DataJoint for
// Python 0.14 skips every table whose name starts with "~" (its table
// listing and dependency loading select table_name NOT LIKE '~%', and no
// tier pattern matches "~"), so its pipelines never see the queue.
const queueTable = "~queue"

// Statuses of the rows of a ~queue table.
const (
	QueuePending  = "pending"  // waiting for a worker
	QueueReserved = "reserved" // a worker is making the key
	QueueDone     = "done"     // made (or found made); kept for the retention period
	QueueError    = "error"    // the make failed; requeue to retry
)

// queueRefreshStatus marks the one row per table that records the time of
// the table's last refresh (its key_hash is "").
const queueRefreshStatus = "refresh"

// queueTableSQL declares the ~queue table of database db.
func queueTableSQL(db string) string {
	return "CREATE TABLE IF NOT EXISTS " + schema.QuoteFull(db, queueTable) + " (\n" +
		"`id` bigint unsigned NOT NULL AUTO_INCREMENT,\n" +
		"`table_name` varchar(255) NOT NULL COMMENT \"bare name of the auto-populated table\",\n" +
		"`key_hash` char(32) NOT NULL COMMENT \"key hash, as in ~jobs\",\n" +
		"`key` longtext DEFAULT NULL COMMENT \"the key as a JSON object\",\n" +
		"`status` enum('pending','reserved','done','error','" + queueRefreshStatus + "') NOT NULL DEFAULT 'pending',\n" +
		"`priority` int NOT NULL DEFAULT 0 COMMENT \"higher first\",\n" +
		"`token` char(32) DEFAULT NULL COMMENT \"the reserving worker's claim\",\n" +
		"`host` varchar(255) NOT NULL DEFAULT \"\",\n" +
		"`pid` int unsigned NOT NULL DEFAULT 0,\n" +
		"`connection_id` bigint unsigned NOT NULL DEFAULT 0,\n" +
		"`attempts` int unsigned NOT NULL DEFAULT 0,\n" +
		"`generation` bigint unsigned NOT NULL DEFAULT 0 COMMENT \"refresh that last saw the key\",\n" +
		"`queued_at` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),\n" +
		"`reserved_at` datetime(6) DEFAULT NULL,\n" +
		"`heartbeat` datetime(6) DEFAULT NULL,\n" +
		"`finished_at` datetime(6) DEFAULT NULL,\n" +
		"`duration` double DEFAULT NULL COMMENT \"seconds the make took\",\n" +
		"`error_message` varchar(2047) NOT NULL DEFAULT \"\",\n" +
		"PRIMARY KEY (`id`),\n" +
		"UNIQUE KEY `job` (`table_name`,`key_hash`),\n" +
		"KEY `pop` (`table_name`,`status`,`priority`,`id`),\n" +
		"KEY `token` (`token`)\n" +
		") ENGINE=InnoDB, COMMENT \"dj job queue\""
}

// queueProbeSQL reads, for one table, the number of pending keys, the
// microseconds since the last refresh (NULL if never) and whether a
// reservation's heartbeat is older than the timeout. Arguments:
// table_name three times, the timeout in microseconds before the last.
func queueProbeSQL(full string) string {
	return "SELECT (SELECT COUNT(*) FROM " + full + " WHERE `table_name`=? AND `status`='pending'), " +
		"(SELECT TIMESTAMPDIFF(MICROSECOND, `finished_at`, NOW(6)) FROM " + full + " WHERE `table_name`=? AND `key_hash`='' AND `status`='refresh'), " +
		"EXISTS(SELECT 1 FROM " + full + " WHERE `table_name`=? AND `status`='reserved' AND `heartbeat` < NOW(6) - INTERVAL ? MICROSECOND)"
}

// queueServerKey reports whether the key hash and JSON of keys with these
// attributes can be computed by the server: MD5 of the concatenated text
// of each value equals DataJoint's key_hash only where the server's text
// of a value is Python's str() of it (integers, strings, enums, dates).
func queueServerKey(attrs []*schema.Attribute) bool {
	for _, a := range attrs {
		switch a.Category {
		case schema.CatInteger, schema.CatString, schema.CatEnum:
		case schema.CatTemporal:
			if a.Type != "date" {
				return false
			}
		default:
			return false
		}
	}
	return len(attrs) > 0
}

// queueFillSQL inserts the keys of a key source into the queue, on the
// server: source is the SELECT of the keys (names are its key attributes,
// sorted is the same names in byte order, which key_hash concatenates).
// Keys already queued keep their row, but a done row of a key that is in
// the source again (its result was deleted) is pending again, and every
// row of the source is stamped with the refresh's generation. Arguments:
// table_name, priority, generation, the source's arguments, generation.
func queueFillSQL(full, source string, names, sorted []string) string {
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(full)
	b.WriteString(" (`table_name`,`key_hash`,`key`,`priority`,`generation`) SELECT ?, MD5(CONCAT(")
	for i, n := range sorted {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("CONVERT(`k`.")
		b.WriteString(schema.QuoteIdent(n))
		b.WriteString(" USING utf8mb4)")
	}
	b.WriteString(")), JSON_OBJECT(")
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("'")
		b.WriteString(strings.ReplaceAll(n, "'", "''"))
		b.WriteString("',`k`.")
		b.WriteString(schema.QuoteIdent(n))
	}
	b.WriteString("), ?, ? FROM (")
	b.WriteString(source)
	b.WriteString(") AS `k`")
	b.WriteString(queueUpsertTail(full))
	return b.String()
}

// queueUpsertTail is the ON DUPLICATE KEY UPDATE of the fill statements:
// a done key is pending again, every key takes the generation (the last
// argument). Columns are qualified: the key source may have its own
// `status`.
func queueUpsertTail(full string) string {
	st, tok := full+".`status`", full+".`token`"
	return " ON DUPLICATE KEY UPDATE " + tok + "=IF(" + st + "='done',NULL," + tok + "), " +
		st + "=IF(" + st + "='done','pending'," + st + "), " + full + ".`generation`=?"
}

// queueInsertSQL inserts n keys computed by the client, with the same
// upsert as queueFillSQL. Arguments: per row table_name, key_hash, key,
// priority, generation; then generation.
func queueInsertSQL(full string, n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(full)
	b.WriteString(" (`table_name`,`key_hash`,`key`,`priority`,`generation`) VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?)")
	}
	b.WriteString(queueUpsertTail(full))
	return b.String()
}

// queueDropStaleSQL deletes the pending keys of a table that the last
// refresh did not see (made elsewhere, or gone from the key source).
// Arguments: table_name, generation.
func queueDropStaleSQL(full string) string {
	return "DELETE FROM " + full + " WHERE `table_name`=? AND `status`='pending' AND `generation`<>?"
}

// queueMarkRefreshSQL records the time of a table's refresh. Arguments:
// table_name, generation.
func queueMarkRefreshSQL(full string) string {
	return "INSERT INTO " + full + " (`table_name`,`key_hash`,`status`,`finished_at`,`generation`) VALUES (?,'','refresh',NOW(6),?) " +
		"ON DUPLICATE KEY UPDATE `finished_at`=NOW(6), `generation`=VALUES(`generation`)"
}

// queuePurgeSQL deletes the done rows (of one table when byTable is set)
// that finished more than a number of microseconds ago. Arguments:
// table_name when byTable, then microseconds.
func queuePurgeSQL(full string, byTable bool) string {
	q := "DELETE FROM " + full + " WHERE `status`='done'"
	if byTable {
		q += " AND `table_name`=?"
	}
	return q + " AND `finished_at` < NOW(6) - INTERVAL ? MICROSECOND"
}

// Statements of a claim: a short READ COMMITTED transaction whose SELECT
// ... FOR UPDATE SKIP LOCKED locks the first pending rows that no other
// worker is claiming (highest priority, then newest first, which the
// `pop` index serves in one backward scan) and whose UPDATE marks them
// reserved with the worker's token. Concurrent claims skip each other's
// rows instead of queueing on them, take no gap locks (READ COMMITTED),
// and never claim a row twice: the row lock is held until COMMIT, and
// the UPDATE happens under it. (SKIP LOCKED needs MariaDB 10.6 or MySQL
// 8.0; older servers use queuePopSQL.)
const (
	queueClaimIsolationSQL = "SET TRANSACTION ISOLATION LEVEL READ COMMITTED"
	queueClaimStartSQL     = "START TRANSACTION"
	queueClaimCommitSQL    = "COMMIT"
	queueClaimRollbackSQL  = "ROLLBACK"
)

// queueClaimSelectSQL locks up to a number of pending rows of a table:
// id, key_hash, key. Arguments: table_name, the number.
func queueClaimSelectSQL(full string) string {
	return "SELECT `id`, `key_hash`, `key` FROM " + full +
		" WHERE `table_name`=? AND `status`='pending' ORDER BY `priority` DESC, `id` DESC LIMIT ? FOR UPDATE SKIP LOCKED"
}

// queueClaimUpdateSQL reserves n locked rows for a worker. Arguments:
// token, host, pid, connection_id, then the n ids.
func queueClaimUpdateSQL(full string, n int) string {
	return "UPDATE " + full + " SET `status`='reserved', `token`=?, `host`=?, `pid`=?, `connection_id`=?, " +
		"`attempts`=`attempts`+1, `reserved_at`=NOW(6), `heartbeat`=NOW(6), `finished_at`=NULL, `duration`=NULL, `error_message`='' " +
		"WHERE `id` IN (" + placeholders(n) + ")"
}

// queuePopSQL claims the first pending key of a table in one statement,
// for servers without SKIP LOCKED: InnoDB locks the row it updates, so two
// workers never claim the same row (but concurrent claims wait for each
// other). The worker then reads its row by its token (queueClaimedSQL).
// Arguments: token, host, pid, connection_id, table_name.
func queuePopSQL(full string) string {
	return "UPDATE " + full + " SET `status`='reserved', `token`=?, `host`=?, `pid`=?, `connection_id`=?, " +
		"`attempts`=`attempts`+1, `reserved_at`=NOW(6), `heartbeat`=NOW(6), `finished_at`=NULL, `duration`=NULL, `error_message`='' " +
		"WHERE `table_name`=? AND `status`='pending' ORDER BY `priority` DESC, `id` DESC LIMIT 1"
}

// queueClaimedSQL reads the row a worker claimed with queuePopSQL.
// Argument: token.
func queueClaimedSQL(full string) string {
	return "SELECT `id`, `key_hash`, `key` FROM " + full + " WHERE `token`=? AND `status`='reserved'"
}

// queueHeartbeatSQL refreshes the heartbeat of the rows a worker claimed
// and has not finished. Argument: token.
func queueHeartbeatSQL(full string) string {
	return "UPDATE " + full + " SET `heartbeat`=NOW(6) WHERE `token`=? AND `status`='reserved'"
}

// queueFinishSQL ends a claim with status done or error (the status is
// part of the statement), with the make's duration in seconds, measured
// by the worker. Arguments: duration, error_message, id, token.
func queueFinishSQL(full, status string) string {
	return "UPDATE " + full + " SET `status`='" + status + "', `token`=NULL, `finished_at`=NOW(6), " +
		"`duration`=?, `error_message`=? WHERE `id`=? AND `token`=?"
}

// queueReleaseSQL gives a claimed row back to the queue (the worker was
// stopped). Arguments: id, token.
func queueReleaseSQL(full string) string {
	return "UPDATE " + full + " SET `status`='pending', `token`=NULL, `heartbeat`=NULL WHERE `id`=? AND `token`=?"
}

// queueYieldSQL keeps a claimed row reserved but drops the worker's claim:
// another worker (one that does not use the queue) holds the key in
// ~jobs, and the row returns to pending when its heartbeat times out.
// Arguments: error_message, id, token.
func queueYieldSQL(full string) string {
	return "UPDATE " + full + " SET `token`=NULL, `heartbeat`=NOW(6), `error_message`=? WHERE `id`=? AND `token`=?"
}

// queueExpiredSQL selects the reservations whose heartbeat is older than
// a timeout: id, table_name, key_hash, token, connection_id. Arguments:
// the timeout in microseconds, then table_name when byTable is set.
func queueExpiredSQL(full string, byTable bool) string {
	q := "SELECT `id`, `table_name`, `key_hash`, `token`, `connection_id` FROM " + full +
		" WHERE `status`='reserved' AND `heartbeat` < NOW(6) - INTERVAL ? MICROSECOND"
	if byTable {
		q += " AND `table_name`=?"
	}
	return q
}

// queueReclaimSQL returns an expired reservation to pending, if it is
// still the same expired claim. Arguments: id, token (may be NULL), the
// timeout in microseconds.
func queueReclaimSQL(full string) string {
	return "UPDATE " + full + " SET `status`='pending', `token`=NULL, `heartbeat`=NULL " +
		"WHERE `id`=? AND `status`='reserved' AND `token` <=> ? AND `heartbeat` < NOW(6) - INTERVAL ? MICROSECOND"
}

// queueFilterWhere is the WHERE clause of a QueueFilter (always excluding
// the refresh rows) and its arguments.
func queueFilterWhere(table, status, hash string) (string, []any) {
	return filterWhere([]string{"`status`<>'refresh'"}, table, status, hash)
}

// queueRequeueJobsSQL deletes the ~jobs error rows (jobs, `db`.`~jobs`)
// of the error rows of the queue that where selects (from
// queueFilterWhere with status error), so that workers retry them.
// Both tables go by their full names (a multi-table DELETE with aliases
// needs a default database).
func queueRequeueJobsSQL(full, jobs, where string) string {
	for _, c := range []string{"`status`", "`table_name`", "`key_hash`"} {
		where = strings.ReplaceAll(where, c, full+"."+c)
	}
	return "DELETE " + jobs + " FROM " + jobs + " JOIN " + full + " ON " + jobs + ".`table_name`=" + full + ".`table_name` AND " +
		jobs + ".`key_hash`=" + full + ".`key_hash`" + where + " AND " + jobs + ".`status`='error'"
}

// queueRequeueSQL makes the rows where selects pending.
func queueRequeueSQL(full, where string) string {
	return "UPDATE " + full + " SET `status`='pending', `token`=NULL, `heartbeat`=NULL, `error_message`=''" + where
}

// queuePrioritySQL sets the priority of the rows where selects. Arguments:
// priority, then where's.
func queuePrioritySQL(full, where string) string {
	return "UPDATE " + full + " SET `priority`=?" + where
}

// queueListSQL selects the rows where selects, in the order workers take
// pending rows.
func queueListSQL(full, where string) string {
	return "SELECT `id`, `table_name`, `key_hash`, `key`, `status`, `priority`, `host`, `pid`, `connection_id`, `attempts`, " +
		"`queued_at`, `reserved_at`, `heartbeat`, `finished_at`, `duration`, `error_message` FROM " + full + where +
		" ORDER BY `table_name`, `priority` DESC, `id` DESC"
}

// queueStatusSQL counts the rows of every table by status: table_name,
// pending, reserved, done, errors; the done rows finished in the window
// (microseconds, the first two arguments) and their mean duration; the
// done rows finished in the rate window (microseconds, the last two
// arguments) and the seconds since the earliest of their reservations;
// the seconds since the last refresh.
func queueStatusSQL(full string) string {
	recent := "`status`='done' AND `finished_at` >= NOW(6) - INTERVAL ? MICROSECOND"
	return "SELECT `table_name`, SUM(`status`='pending'), SUM(`status`='reserved'), SUM(`status`='done'), SUM(`status`='error'), " +
		"SUM(" + recent + "), AVG(IF(" + recent + ", `duration`, NULL)), " +
		"SUM(" + recent + "), TIMESTAMPDIFF(MICROSECOND, MIN(IF(" + recent + ", `reserved_at`, NULL)), NOW(6))/1000000, " +
		"TIMESTAMPDIFF(MICROSECOND, MAX(IF(`status`='refresh', `finished_at`, NULL)), NOW(6))/1000000 " +
		"FROM " + full + " GROUP BY `table_name` ORDER BY `table_name`"
}

// queueDurationsSQL selects the durations of the done rows finished in
// the last window (microseconds, the argument), by table.
func queueDurationsSQL(full string) string {
	return "SELECT `table_name`, `duration` FROM " + full +
		" WHERE `status`='done' AND `finished_at` >= NOW(6) - INTERVAL ? MICROSECOND AND `duration` IS NOT NULL ORDER BY `table_name`, `duration`"
}

// queueLockName is the name of the server lock that serializes the
// refreshes of one table: GET_LOCK names are at most 64 characters, so
// long database and table names are replaced by their hash.
func queueLockName(db, table string) string {
	name := "dj.queue." + db + "." + table
	if len(name) <= 64 {
		return name
	}
	return "dj.queue." + md5hex(db+"."+table)
}

// Named-lock statements of the refresh.
const (
	getLockSQL     = "SELECT GET_LOCK(?, ?)"
	releaseLockSQL = "SELECT RELEASE_LOCK(?)"
)

// queueJobsStatusSQL reads the status and error message of a key's row in
// the ~jobs table jobs. Arguments: table_name, key_hash.
func queueJobsStatusSQL(jobs string) string {
	return "SELECT `status`, `error_message` FROM " + jobs + " WHERE `table_name`=? AND `key_hash`=?"
}
