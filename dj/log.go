package dj

import (
	"context"
	"os"
	"sync"
	"unicode/utf8"

	"github.com/datajoint-go/datajoint/dj/schema"
)

// Version is the version of this package. DataJoint's ~log table records
// it with the suffix "go" (Python writes "0.14.8py").
const Version = "0.1.0"

// logVersion is the ~log version column; it is varchar(12).
const logVersion = Version + "go"

// The compiler refuses a negative array length: logVersion must fit.
var _ [12 - len(logVersion)]struct{}

// logTable is the name of DataJoint's event log table in every schema.
const logTable = "~log"

// logTableSQL is the DDL of ~log, the statement DataJoint for Python 0.14
// runs for it.
func logTableSQL(db string) string { return schema.LogTableSQL(db) }

// createLog creates the ~log table of db, so that DataJoint for Python,
// which declares it on its first logged event, never needs to do so inside
// the transaction of a delete. A failure (no CREATE privilege) is only
// reported to the logger: the schema works without it.
func (c *Conn) createLog(ctx context.Context, db string) {
	if _, err := c.ExecContext(ctx, logTableSQL(db)); err != nil {
		c.log.WarnContext(ctx, "dj: could not create the event log table", "table", schema.QuoteFull(db, logTable), "err", err)
	}
}

// hostname is the machine name written to ~log.host.
var hostname = sync.OnceValue(func() string {
	h, _ := os.Hostname()
	return h
})

// logEvent appends event to the ~log table of db through q, as DataJoint
// for Python 0.14 does for schema creation ("created"), declarations
// ("Declared `db`.`table`") and deletes (the DELETE statement). Events
// longer than the column are cut at 255 characters.
//
// Through a *Tx the entry is part of the transaction: it is committed or
// rolled back with the change it records. A failure to write it is
// swallowed, as DataJoint does, unless it ended the transaction (a
// deadlock or a lost connection): the *Tx then refuses further statements
// and the commit, so the caller's transaction fails as it must.
func (c *Conn) logEvent(ctx context.Context, q Querier, db, event string) {
	if c.offline {
		return
	}
	if utf8.RuneCountInString(event) > 255 {
		event = string([]rune(event)[:255])
	}
	user, err := c.sessionUser(ctx, q)
	if err == nil {
		_, err = q.ExecContext(ctx, logInsertSQL(db), logVersion, user, hostname(), event)
	}
	if err != nil {
		c.log.DebugContext(ctx, "dj: could not log event in table ~log", "database", db, "err", err)
	}
}

// sessionUser returns SELECT user() of the session (user@client-host),
// queried through q once and cached.
func (c *Conn) sessionUser(ctx context.Context, q Querier) (string, error) {
	c.mu.RLock()
	u := c.logUser
	c.mu.RUnlock()
	if u != "" {
		return u, nil
	}
	if err := q.QueryRowContext(ctx, sessionUserSQL).Scan(&u); err != nil {
		return "", classify(err)
	}
	c.mu.Lock()
	c.logUser = u
	c.mu.Unlock()
	return u, nil
}
