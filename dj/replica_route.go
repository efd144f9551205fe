package dj

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/go-sql-driver/mysql"
)

// Read replicas
//
// A Conn with Config.Replicas sends the reads of data it runs outside a
// transaction — Fetch, FetchOne, All, FetchMaps, FetchKeys, FetchColumn,
// FetchMatrix, FetchVector, Count and Exists with the *Conn as Querier —
// to a replica, and everything else to the server: catalog reads,
// declarations, writes, ~jobs, populate (its key source and every make),
// Conn.Tx, Conn.Session, and plain SQL through Conn.QueryContext. Reads
// with a context from UsePrimary go to the server too.

type primaryKey struct{}

// UsePrimary returns a context whose reads go to the server of
// Config.Host even on a connection with replicas: for reading back what
// was just written, which a replica may not have yet. Conn.Tx,
// Conn.Session and populate give their functions such a context, so a read
// through the *Conn inside them sees the server as well.
func UsePrimary(ctx context.Context) context.Context {
	if onPrimary(ctx) {
		return ctx
	}
	return context.WithValue(ctx, primaryKey{}, true)
}

// onPrimary reports whether ctx comes from UsePrimary.
func onPrimary(ctx context.Context) bool {
	v, _ := ctx.Value(primaryKey{}).(bool)
	return v
}

// handOver records whether a read has handed results to its caller, after
// which it cannot start again elsewhere without repeating them.
type handOver struct{ handed bool }

// readData runs read, a read of data, on the server routing chooses: with
// q a *Conn that has replicas and ctx not from UsePrimary, on a healthy
// replica (round-robin), moving on to the next healthy replica and finally
// to the server when one fails before results reached the caller; on q
// otherwise. read must start from scratch each time it is called.
func readData(ctx context.Context, q Querier, read func(q Querier, h *handOver) error) error {
	c, ok := q.(*Conn)
	if !ok || c.replicas == nil || onPrimary(ctx) {
		return read(q, &handOver{})
	}
	return c.replicas.read(ctx, c, read)
}

// read runs read on the replicas in turn, then on the server.
func (s *replicaSet) read(ctx context.Context, c *Conn, read func(q Querier, h *handOver) error) error {
	var h handOver
	start := s.start()
	for i := range s.list {
		r := s.list[(start+i)%len(s.list)]
		if !s.usable(ctx, r) {
			continue
		}
		if i > 0 {
			// The turns of replicas left out pass to the next one in
			// line, not all to the first healthy one after them.
			s.next.Store(uint64((start + i + 1) % len(s.list)))
		}
		err := read(replicaQuerier{c: c, r: r}, &h)
		if err == nil || ctx.Err() != nil {
			return err
		}
		retry, down := replicaFailure(err)
		if !retry {
			return err
		}
		if h.handed {
			return handedError(r.addr, err)
		}
		if down {
			s.markDown(ctx, r, err)
		}
		c.log.WarnContext(ctx, "dj: read failed on a replica, trying the next server", "replica", r.addr, "err", err)
	}
	return read(c, &h)
}

// handedError is the error of a streaming read whose replica failed after
// it had yielded rows: it matches ErrLostConnection and says why the read
// did not go on elsewhere.
func handedError(addr string, err error) error {
	cause := err
	var de *Error
	if errors.As(err, &de) {
		cause = de.Err
	}
	if !errors.Is(cause, ErrLostConnection) {
		cause = fmt.Errorf("%w: %w", ErrLostConnection, cause)
	}
	cause = fmt.Errorf("replica %s failed after rows were handed over (the read does not go on elsewhere, which would hand them over again): %w", addr, cause)
	if de != nil {
		return &Error{Op: de.Op, Table: de.Table, Attr: de.Attr, Err: cause}
	}
	return &Error{Op: "fetch", Err: cause}
}

// replicaFailure tells whether err, from a read on a replica, is the
// replica's fault: retry says the read should go to another server, down
// that the replica itself is unusable (unreachable, shutting down, the
// connection lost, the account refused). A table or attribute the replica
// lacks (it has not applied a declaration yet) or a privilege it lacks is
// retried elsewhere without leaving the replica out.
func replicaFailure(err error) (retry, down bool) {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1040, 1045, 1053, 1077, 1152, 1158, 1159, 1160, 1161, 1184, 1927, 2006, 2013:
			// too many connections, access denied, shutdown, aborted or
			// killed connection, network errors, gone away, lost.
			return true, true
		case 1044, 1142, 1143, 1146, 1049, 1054:
			return true, false
		}
		return false, false
	}
	var ne net.Error
	if errors.Is(err, ErrLostConnection) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) ||
		errors.Is(err, sql.ErrConnDone) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.As(err, &ne) {
		return true, true
	}
	return false, false
}

// replicaQuerier runs the statements of one read on a replica. It
// implements Querier; it never writes.
type replicaQuerier struct {
	c *Conn
	r *replica
}

func (q replicaQuerier) djConn() *Conn { return q.c }

func (q replicaQuerier) ExecContext(context.Context, string, ...any) (sql.Result, error) {
	return nil, fmt.Errorf("%w: replica %s takes reads only", ErrReadOnly, q.r.addr)
}

func (q replicaQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := q.c.queryAt(ctx, q.r.addr, q.r.db, query, args...)
	return rows, classify(err)
}

func (q replicaQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return q.c.queryRowAt(ctx, q.r.addr, q.r.db, query, args...)
}
