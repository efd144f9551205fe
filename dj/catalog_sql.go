package dj

import (
	"strings"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// This file holds the catalog, DDL and ~log statements; the code that
// declares, drops and logs sends them.

// Catalog queries.
const (
	// schemaStateSQL reads whether a database exists and whether it has a
	// ~log table. Arguments: database, database, log table name.
	schemaStateSQL = `SELECT
		(SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?),
		(SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?)`
	// primaryKeySQL lists the primary-key columns of a table in key order.
	// Arguments: database, table.
	primaryKeySQL = `SELECT column_name FROM information_schema.key_column_usage
		WHERE table_schema = ? AND table_name = ? AND constraint_name = 'PRIMARY' ORDER BY ordinal_position`
	// referencingSchemasSQL lists the other databases with a foreign key
	// into a database. Arguments: database, database.
	referencingSchemasSQL = `SELECT DISTINCT table_schema FROM information_schema.key_column_usage
			WHERE referenced_table_schema = ? AND table_schema <> ?`
	// sessionUserSQL reads the session's account (user@client-host).
	sessionUserSQL = "SELECT user()"
	// connectionIDSQL reads the session's connection id.
	connectionIDSQL = "SELECT CONNECTION_ID()"
	// maxAllowedPacketSQL reads the server's max_allowed_packet.
	maxAllowedPacketSQL = "SELECT @@max_allowed_packet"
)

// createDatabaseSQL creates a database unless it exists.
func createDatabaseSQL(db string) string {
	return "CREATE DATABASE IF NOT EXISTS " + schema.QuoteIdent(db)
}

// dropDatabaseSQL drops a database with all its tables.
func dropDatabaseSQL(db string) string { return "DROP DATABASE IF EXISTS " + schema.QuoteIdent(db) }

// countRowsSQL counts the rows of a table (a quoted full name).
func countRowsSQL(full string) string { return "SELECT COUNT(*) FROM " + full }

// logInsertSQL appends an entry to the ~log table of db, with DataJoint's
// columns. Arguments: version, user, host, event.
func logInsertSQL(db string) string {
	return "INSERT INTO " + schema.QuoteFull(db, logTable) + " (`version`,`user`,`host`,`event`) VALUES (?,?,?,?)"
}

// update1SQL is the statement of Update1 on table full: sets are the
// assignments (`a`=? or `a`=DEFAULT) and where the key conditions
// (`k`=?), joined by AND.
func update1SQL(full string, sets, where []string) string {
	return "UPDATE " + full + " SET " + strings.Join(sets, ",") + " WHERE " + strings.Join(where, " AND ")
}
