package dj

import (
	"context"
	"database/sql"
	"log/slog"
	"time"
)

// Tracer observes every statement a Conn sends, in the manner of pgx's
// QueryTracer: QueryStart before the statement goes to the server (the
// context it returns is the one the statement runs with and QueryEnd
// receives), QueryEnd when its result is known. Set it in Config.Tracer.
// A Tracer that also implements KeyTracer sees each key of a populate as
// a span around the statements of its make.
//
// Methods are called from the goroutines that run statements, concurrently
// when several do; they must be safe for concurrent use and quick.
type Tracer interface {
	QueryStart(ctx context.Context, q QueryStart) context.Context
	QueryEnd(ctx context.Context, q QueryEnd)
}

// QueryStart describes a statement about to be sent.
type QueryStart struct {
	SQL  string // the statement, with ? placeholders
	Args int    // the number of arguments
	// Server is the host:port the statement goes to: the server of
	// Config.Host, or a replica.
	Server string
}

// QueryEnd describes a statement that has run.
type QueryEnd struct {
	SQL    string
	Args   int
	Server string // as in QueryStart
	// Rows is the number of rows an INSERT, UPDATE, DELETE or DDL statement
	// affected; -1 for a query, whose rows are read after QueryEnd.
	Rows int64
	// Duration is the time until the server answered: for a query, until
	// its first response (reading the rows is not included).
	Duration time.Duration
	// Err is the statement's error, as the driver returned it.
	Err error
}

// KeyTracer is implemented by a Tracer that follows populate keys:
// KeyStart before the make of a key (its context carries through the key's
// statements), KeyEnd after its outcome is known.
type KeyTracer interface {
	KeyStart(ctx context.Context, k KeySpan) context.Context
	KeyEnd(ctx context.Context, k KeySpan)
}

// The outcomes of a populate key (KeySpan.Outcome).
const (
	KeyMade      = "made"      // committed
	KeySkipped   = "skipped"   // made already, or reserved by another worker
	KeyFailed    = "failed"    // the make failed (Err)
	KeyCancelled = "cancelled" // the context ended: rolled back
)

// KeySpan describes one key of a populate. Outcome, Duration and Err are
// set for KeyEnd only.
type KeySpan struct {
	Table    string // the target table, `db`.`name`
	Key      Key
	KeyHash  string
	Outcome  string // KeyMade, KeySkipped, KeyFailed or KeyCancelled
	Duration time.Duration
	Err      error
}

// SlowQueryLog is a Tracer that writes a warning record to Logger for
// every statement that takes Threshold or longer, with the attributes
// "sql", "args", "server", "rows", "duration" and "err". It needs no
// tracing system.
type SlowQueryLog struct {
	Logger    *slog.Logger
	Threshold time.Duration
}

// QueryStart implements Tracer.
func (s SlowQueryLog) QueryStart(ctx context.Context, _ QueryStart) context.Context { return ctx }

// QueryEnd implements Tracer.
func (s SlowQueryLog) QueryEnd(ctx context.Context, q QueryEnd) {
	if q.Duration < s.Threshold || s.Logger == nil {
		return
	}
	attrs := []slog.Attr{slog.String("sql", q.SQL), slog.Int("args", q.Args), slog.String("server", q.Server), slog.Int64("rows", q.Rows), slog.Duration("duration", q.Duration)}
	if q.Err != nil {
		attrs = append(attrs, slog.Any("err", q.Err))
	}
	s.Logger.LogAttrs(ctx, slog.LevelWarn, "dj: slow statement", attrs...)
}

// tracedExec is exec with the Tracer.
func (c *Conn) tracedExec(ctx context.Context, t Tracer, addr string, r runner, query string, args []any) (sql.Result, error) {
	ctx = t.QueryStart(ctx, QueryStart{SQL: query, Args: len(args), Server: addr})
	start := time.Now()
	res, err := r.ExecContext(ctx, query, args...)
	d := time.Since(start)
	rows := int64(-1)
	if err == nil {
		if n, rerr := res.RowsAffected(); rerr == nil {
			rows = n
		}
	}
	t.QueryEnd(ctx, QueryEnd{SQL: query, Args: len(args), Server: addr, Rows: rows, Duration: d, Err: err})
	return res, err
}

// tracedQuery is query with the Tracer.
func (c *Conn) tracedQuery(ctx context.Context, t Tracer, addr string, r runner, query string, args []any) (*sql.Rows, error) {
	ctx = t.QueryStart(ctx, QueryStart{SQL: query, Args: len(args), Server: addr})
	start := time.Now()
	rows, err := r.QueryContext(ctx, query, args...)
	t.QueryEnd(ctx, QueryEnd{SQL: query, Args: len(args), Server: addr, Rows: -1, Duration: time.Since(start), Err: err})
	return rows, err
}

// tracedQueryRow is queryRow with the Tracer.
func (c *Conn) tracedQueryRow(ctx context.Context, t Tracer, addr string, r runner, query string, args []any) *sql.Row {
	ctx = t.QueryStart(ctx, QueryStart{SQL: query, Args: len(args), Server: addr})
	start := time.Now()
	row := r.QueryRowContext(ctx, query, args...)
	t.QueryEnd(ctx, QueryEnd{SQL: query, Args: len(args), Server: addr, Rows: -1, Duration: time.Since(start), Err: row.Err()})
	return row
}
