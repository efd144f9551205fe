// Package embedded opens a release archive written by share.Export
// without a database server: the release is loaded into an in-process,
// in-memory MySQL-compatible engine (go-mysql-server) that serves it
// read-only over in-memory pipes (no network port is opened), and a
// *dj.Conn to it runs the dj query
// API (Fetch, Restrict, Join, Aggr, U, OrderBy/Limit, external objects)
// as it runs on MySQL or MariaDB.
//
// It lives in its own package so that programs that do not read
// releases this way do not build the engine.
//
// What differs from a server: the whole release is held in memory, and
// loading it takes time quadratic in the rows of a table, since the
// engine's in-memory tables look for an existing primary key by scanning
// every row on each insert (10k rows load in about a second, 40k in half
// a minute on a loaded 2-core machine): open small releases this way and
// import large ones into a server. The engine's SHOW CREATE TABLE is its
// own (int rather than int(11), no table comments, its own collation),
// so migrations and definition checks against a server do not apply.
// Writes are refused. The engine logs through logrus's standard logger.
package embedded

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"

	sqle "github.com/dolthub/go-mysql-server"
	"github.com/dolthub/go-mysql-server/memory"
	"github.com/dolthub/go-mysql-server/server"
	gsql "github.com/dolthub/go-mysql-server/sql"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/external"
	"github.com/datajoint-go/datajoint/dj/share"
)

// Release is a release archive open in an in-process engine.
type Release struct {
	// Conn reaches the release: bind its schemas with Conn.Schema and
	// dj.NoCreate, and query them with the dj API. Its stores of the
	// release's store names hold the release's objects.
	Conn *dj.Conn
	// Manifest describes the release.
	Manifest *share.Manifest
	srv      *server.Server
	dir      string
}

// Open verifies the release archive at path (see share.Verify), loads
// it, objects included, into a new in-memory engine and returns a
// read-only connection to it. Objects are written to file stores in a
// temporary directory that Close removes. Close the release when done.
func Open(ctx context.Context, path string) (*Release, error) {
	m, err := share.Verify(path)
	if err != nil {
		return nil, err
	}
	var dbs []gsql.Database
	for _, name := range m.Source.Databases {
		db := memory.NewDatabase(name)
		db.EnablePrimaryKeyIndexes() // foreign keys reference primary keys
		dbs = append(dbs, db)
	}
	pro := memory.NewDBProvider(dbs...)
	engine := sqle.NewDefault(pro)
	l := newPipeListener()
	srv, err := server.NewServer(server.Config{Listener: l}, engine, gsql.NewContext, memory.NewSessionBuilder(pro), nil)
	if err != nil {
		return nil, fmt.Errorf("embedded: %w", err)
	}
	go srv.Start() //nolint:errcheck // returns when Close stops the listener
	r := &Release{srv: srv}
	fail := func(err error) (*Release, error) {
		r.Close()
		return nil, err
	}
	if r.dir, err = os.MkdirTemp("", "dj-release-*"); err != nil {
		return fail(fmt.Errorf("embedded: %w", err))
	}
	if r.Conn, err = dj.Connect(ctx, dj.Config{Host: "release", Port: 1, User: "root", Dial: l.dial}); err != nil {
		return fail(fmt.Errorf("embedded: %w", err))
	}
	r.Manifest = m
	for _, o := range m.Objects {
		if _, err := r.Conn.Store(o.Store); err == nil {
			continue
		}
		loc := filepath.Join(r.dir, o.Store)
		if err := os.MkdirAll(loc, 0o755); err != nil {
			return fail(fmt.Errorf("embedded: %w", err))
		}
		if err := r.Conn.SetStore(o.Store, external.StoreConfig{Protocol: external.ProtocolFile, Location: loc}); err != nil {
			return fail(fmt.Errorf("embedded: %w", err))
		}
	}
	if _, err := share.Import(ctx, r.Conn, path, share.ImportOptions{}); err != nil {
		return fail(fmt.Errorf("embedded: %w", err))
	}
	engine.ReadOnly.Store(true)
	return r, nil
}

// Close closes the connection, stops the engine and removes the
// objects' directory.
func (r *Release) Close() error {
	var err error
	if r.Conn != nil {
		err = r.Conn.Close()
	}
	if r.srv != nil {
		if cerr := r.srv.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("embedded: %w", cerr)
		}
	}
	if r.dir != "" {
		if rerr := os.RemoveAll(r.dir); err == nil && rerr != nil {
			err = fmt.Errorf("embedded: %w", rerr)
		}
	}
	return err
}

// pipeListener is a net.Listener whose connections are in-memory pipes
// made by its dial method, so the engine serves this process only.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

// Accept returns the server end of the next pipe that dial makes.
func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops Accept and dial.
func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

// Addr names the listener.
func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

// dial makes a pipe, hands its server end to Accept and returns the
// client end.
func (l *pipeListener) dial(ctx context.Context, _ string) (net.Conn, error) {
	client, srv := net.Pipe()
	select {
	case l.conns <- pipeConn{srv}:
		return client, nil
	case <-l.done:
		err := net.ErrClosed
		client.Close()
		srv.Close()
		return nil, err
	case <-ctx.Done():
		client.Close()
		srv.Close()
		return nil, ctx.Err()
	}
}

// pipeAddr is the address of both ends of the pipes.
type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "localhost" }

// pipeConn is the server end of a pipe, addressed as localhost.
type pipeConn struct{ net.Conn }

func (pipeConn) LocalAddr() net.Addr  { return pipeAddr{} }
func (pipeConn) RemoteAddr() net.Addr { return pipeAddr{} }
