package dj

import (
	"context"
	"database/sql"
)

// Session runs fn with one connection of the pool to itself, for work
// that needs session state: session variables, CONNECTION_ID(), named
// locks. Statements run in autocommit mode and pass through the
// connection's statement path like every other; errors are classified.
// When fn returns, the connection is closed instead of going back to the
// pool, so its session state cannot leak into other work. The session is
// on the server, never on a replica, and reads through the Conn with
// fn's context go to the server too.
func (c *Conn) Session(ctx context.Context, fn func(ctx context.Context, q Querier) error) error {
	sc, err := c.db.Conn(ctx)
	if err != nil {
		return &Error{Op: "session", Err: classify(err)}
	}
	defer func() {
		_ = sc.Raw(func(any) error { return driverBadConn })
		sc.Close()
	}()
	return fn(UsePrimary(ctx), session{pinned{c, sc}})
}

// session is the Querier of Conn.Session: a pinned connection whose errors
// are classified.
type session struct{ p pinned }

func (s session) djConn() *Conn { return s.p.c }

func (s session) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	r, err := s.p.ExecContext(ctx, query, args...)
	return r, classify(err)
}

func (s session) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	r, err := s.p.QueryContext(ctx, query, args...)
	return r, classify(err)
}

func (s session) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return s.p.QueryRowContext(ctx, query, args...)
}
