package dj

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"sync"
	"testing"
)

// A scripted database/sql driver for unit tests of the logic around
// statements: it records every statement with its arguments and answers
// from a script. It never stands in for the server in tests of what the
// server does with a statement; those are the integration tests.

// scriptCall is one statement the code sent.
type scriptCall struct {
	query string
	args  []any
}

// scriptAnswer is the script's answer to a statement: rows for a query,
// affected for an exec, or err.
type scriptAnswer struct {
	cols     []string
	rows     [][]driver.Value
	affected int64
	err      error
}

// scriptDB records statements and answers them with answer (nil answers
// every statement with an empty result).
type scriptDB struct {
	mu     sync.Mutex
	calls  []scriptCall
	answer func(query string, args []any) scriptAnswer
}

func (s *scriptDB) run(query string, nv []driver.NamedValue) scriptAnswer {
	args := make([]any, len(nv))
	for i, v := range nv {
		args[i] = v.Value
	}
	s.mu.Lock()
	s.calls = append(s.calls, scriptCall{query, args})
	answer := s.answer
	s.mu.Unlock()
	if answer == nil {
		return scriptAnswer{}
	}
	return answer(query, args)
}

// queries returns the text of the statements sent so far.
func (s *scriptDB) queries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.calls))
	for i, c := range s.calls {
		out[i] = c.query
	}
	return out
}

func (s *scriptDB) Connect(context.Context) (driver.Conn, error) { return scriptConn{s}, nil }
func (s *scriptDB) Driver() driver.Driver                        { return scriptDriver{s} }

type scriptDriver struct{ s *scriptDB }

func (d scriptDriver) Open(string) (driver.Conn, error) { return scriptConn(d), nil }

type scriptConn struct{ s *scriptDB }

var errScriptPrepare = errors.New("scriptdb: prepared statements are not scripted")

func (scriptConn) Prepare(string) (driver.Stmt, error) { return nil, errScriptPrepare }
func (scriptConn) Close() error                        { return nil }
func (scriptConn) Begin() (driver.Tx, error)           { return nil, errScriptPrepare }

// CheckNamedValue passes every argument through unchanged, so tests see
// the values the code sent.
func (scriptConn) CheckNamedValue(*driver.NamedValue) error { return nil }

func (c scriptConn) ExecContext(_ context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	a := c.s.run(query, args)
	if a.err != nil {
		return nil, a.err
	}
	return driver.RowsAffected(a.affected), nil
}

func (c scriptConn) QueryContext(_ context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	a := c.s.run(query, args)
	if a.err != nil {
		return nil, a.err
	}
	return &scriptRows{cols: a.cols, rows: a.rows}, nil
}

type scriptRows struct {
	cols []string
	rows [][]driver.Value
	pos  int
}

func (r *scriptRows) Columns() []string { return r.cols }
func (r *scriptRows) Close() error      { return nil }
func (r *scriptRows) Next(dest []driver.Value) error {
	if r.pos >= len(r.rows) {
		return io.EOF
	}
	copy(dest, r.rows[r.pos])
	r.pos++
	return nil
}

// scriptConnFor returns a connection whose statements go to s. Like
// Offline, it declares schemas and tables without statements and writes
// no ~log entries; every other statement reaches s.
func scriptConnFor(t *testing.T, s *scriptDB) *Conn {
	t.Helper()
	db := sql.OpenDB(s)
	t.Cleanup(func() { db.Close() })
	return &Conn{
		db:      db,
		cfg:     &Config{},
		stores:  &storeRegistry{},
		log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		tables:  map[reflect.Type]*Table{},
		offline: true,
		maxPkt:  64 << 20,
	}
}

// declareFor declares the struct types of rows in schema db of c and
// fails the test on error.
func declareFor(t *testing.T, c *Conn, db string, rows ...any) *Schema {
	t.Helper()
	s, err := c.Schema(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Declare(context.Background(), rows...); err != nil {
		t.Fatal(err)
	}
	return s
}
