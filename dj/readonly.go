package dj

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"
)

// Read-only connections (Config.ReadOnly) have two barriers. Every
// operation of the package that writes — inserts, updates, deletes, drops,
// declarations of new tables, populate, ~jobs changes, external clean-up —
// checks the mode before it sends anything (refuseWrite), and the
// statement funnel (Conn.exec, Conn.query) refuses any statement that is
// not a read (readStatement), whoever sends it. Behind both, every session
// of the pool is READ ONLY on the server (readOnlyConnector), which
// refuses writes with error 1792, classified as ErrReadOnly.

// setReadOnlySQL makes a session read-only on the server: MySQL and
// MariaDB then refuse DML and DDL on permanent tables with error 1792.
const setReadOnlySQL = "SET SESSION TRANSACTION READ ONLY"

// errWritesRefused is the cause of refused operations.
var errWritesRefused = fmt.Errorf("%w: writes are refused (Config.ReadOnly, DJ_READ_ONLY)", ErrReadOnly)

// refuseWrite returns the error of operation op on table when c is
// read-only, else nil.
func (c *Conn) refuseWrite(op, table string) error {
	if c == nil || !c.cfg.ReadOnly {
		return nil
	}
	return &Error{Op: op, Table: table, Err: errWritesRefused}
}

// refusedStatement is the error of a statement that is not a read, sent on
// a read-only connection.
func refusedStatement(query string) error {
	verb := strings.ToUpper(firstWord(skipNoise(query)))
	if verb == "" {
		verb = "this"
	}
	return fmt.Errorf("%w: %s statements are refused (Config.ReadOnly, DJ_READ_ONLY)", ErrReadOnly, verb)
}

// readVerbs are the statements a read-only connection sends: queries,
// session settings and transaction control. WITH is a read (a CTE that
// modifies data, MySQL's WITH ... UPDATE, is left to the server's
// read-only session).
var readVerbs = map[string]bool{
	"SELECT": true, "SHOW": true, "DESCRIBE": true, "DESC": true, "EXPLAIN": true,
	"WITH": true, "VALUES": true, "TABLE": true, "HELP": true, "DO": true, "USE": true,
	"SET": true, "START": true, "BEGIN": true, "COMMIT": true, "ROLLBACK": true,
	"SAVEPOINT": true, "RELEASE": true,
}

// readStatement reports whether query only reads: its first word (after
// comments, blanks and opening parentheses) is in readVerbs, a SET does
// not change a password or a global variable, and neither a SET nor a
// START TRANSACTION turns the read-only session off.
func readStatement(query string) bool {
	rest := skipNoise(query)
	verb := strings.ToUpper(firstWord(rest))
	if !readVerbs[verb] {
		return false
	}
	if verb == "SET" || verb == "START" {
		// Nor may it turn the server's read-only session off.
		up := strings.ToUpper(rest)
		if strings.Contains(up, "READ WRITE") || strings.Contains(up, "READ_ONLY") {
			return false
		}
	}
	if verb == "SET" {
		next := strings.ToUpper(firstWord(skipNoise(rest[len(verb):])))
		switch {
		case next == "PASSWORD", next == "GLOBAL", next == "PERSIST", next == "PERSIST_ONLY", next == "DEFAULT", next == "ROLE",
			strings.HasPrefix(next, "@@GLOBAL."), strings.HasPrefix(next, "@@PERSIST"):
			return false
		}
	}
	return true
}

// firstWord returns the leading run of letters and underscores of s, or
// the leading @@name; s starts after comments, blanks and parentheses
// (skipNoise).
func firstWord(s string) string {
	i := 0
	for i < len(s) {
		ch := s[i]
		if ch == '_' || ch == '@' || ch == '.' || ('a' <= ch && ch <= 'z') || ('A' <= ch && ch <= 'Z') {
			i++
			continue
		}
		break
	}
	return s[:i]
}

// skipNoise drops leading blanks, comments (/* */, -- and #) and opening
// parentheses.
func skipNoise(s string) string {
	for {
		s = strings.TrimLeft(s, " \t\r\n(")
		switch {
		case strings.HasPrefix(s, "/*"):
			end := strings.Index(s[2:], "*/")
			if end < 0 {
				return ""
			}
			s = s[2+end+2:]
		case strings.HasPrefix(s, "#"), strings.HasPrefix(s, "-- "), strings.HasPrefix(s, "--\t"), s == "--":
			end := strings.IndexByte(s, '\n')
			if end < 0 {
				return ""
			}
			s = s[end+1:]
		default:
			return s
		}
	}
}

// readOnlyConnector makes every new session READ ONLY on the server. The
// statement is part of opening a session, like the sql_mode and time_zone
// settings the driver sends, rather than a statement of the Conn.
type readOnlyConnector struct{ driver.Connector }

// Connect opens a session and sets it read-only.
func (rc readOnlyConnector) Connect(ctx context.Context) (driver.Conn, error) {
	cn, err := rc.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	ex, ok := cn.(driver.ExecerContext)
	if !ok {
		cn.Close()
		return nil, fmt.Errorf("%w: the driver cannot set the session read-only", ErrConfig)
	}
	if _, err := ex.ExecContext(ctx, setReadOnlySQL, nil); err != nil {
		cn.Close()
		return nil, err
	}
	return cn, nil
}
