package dj

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"reflect"
	"runtime/debug"
	"sync"
	"time"

	"database/sql/driver"

	"github.com/go-sql-driver/mysql"
)

// SQLMode is the session sql_mode DataJoint sets on every connection.
const SQLMode = "NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,ONLY_FULL_GROUP_BY"

// Conn is a pool of connections to one MySQL or MariaDB server, plus the
// registry of tables declared through it. It is safe for concurrent use.
//
// With Config.Replicas, reads of data outside a transaction (Fetch and
// the other fetch functions, Count, Exists and All, given the *Conn) go to
// a replica, round-robin among the healthy ones: a replica is healthy when
// it answers, its replication I/O and SQL threads run and it is no more
// than Config.ReplicaMaxLag behind. Its status is read at most once per
// Config.ReplicaCheckInterval. Everything else goes to the server. A read
// that fails on a replica (unreachable, shut down, connection lost, or a
// table the replica does not have yet) before anything was handed to the
// caller runs again on the next healthy replica and finally on the server;
// see All for a streaming read that fails after it yielded rows. Conn.Tx,
// Conn.Session, populate and contexts from UsePrimary read the server.
//
// With Config.ReadOnly, every write fails with ErrReadOnly before anything
// is sent, and the server's sessions are READ ONLY too.
//
// A connection that the server dropped while it sat idle (a restart,
// wait_timeout, KILL) is replaced transparently on the next statement.
// Inside a transaction the loss surfaces as ErrLostConnection.
type Conn struct {
	db *sql.DB
	// cfg and stores hold credentials. They sit behind pointers, which fmt
	// prints as addresses when it reaches a Conn without its Format method
	// (through an unexported field of another type).
	cfg    *Config
	log    *slog.Logger
	maxPkt int

	mu     sync.RWMutex
	tables map[reflect.Type]*Table // struct-declared tables

	offline bool // no server: see Offline

	stores *storeRegistry // object stores of external attributes (external_store.go)

	logUser string // SELECT user(), cached for ~log entries (guarded by mu)

	// hook, when set, sees every statement before it is sent (see run).
	hook func(query string)

	addr     string      // host:port of the server, for tracers
	replicas *replicaSet // nil without Config.Replicas (replica.go)
}

// runner is where a statement runs: the pool (*sql.DB) or one dedicated
// connection (*sql.Conn).
type runner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// pinned runs statements on one dedicated connection through c's funnel.
// It implements Querier.
type pinned struct {
	c  *Conn
	sc *sql.Conn
}

func (p pinned) djConn() *Conn { return p.c }

func (p pinned) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return p.c.exec(ctx, p.sc, query, args...)
}

func (p pinned) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.c.query(ctx, p.sc, query, args...)
}

func (p pinned) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return p.c.queryRow(ctx, p.sc, query, args...)
}

// Every statement dj sends — queries, inserts, DDL, catalog reads, jobs,
// transaction control — passes through exec, query or queryRow, so that
// observing, tracing or routing statements has one place to hook into.

// exec runs a statement on r, a runner of the server (not a replica).
// On a read-only connection a statement that is not a read fails with
// ErrReadOnly before it is sent.
func (c *Conn) exec(ctx context.Context, r runner, query string, args ...any) (sql.Result, error) {
	if c.hook != nil {
		c.hook(query)
	}
	if c.cfg.ReadOnly && !readStatement(query) {
		return nil, refusedStatement(query)
	}
	if t := c.cfg.Tracer; t != nil {
		return c.tracedExec(ctx, t, c.addr, r, query, args)
	}
	return r.ExecContext(ctx, query, args...)
}

// query runs a query on r, a runner of the server; the read-only rule of
// exec applies.
func (c *Conn) query(ctx context.Context, r runner, query string, args ...any) (*sql.Rows, error) {
	return c.queryAt(ctx, c.addr, r, query, args...)
}

// queryAt runs a query on r, a runner of the server at addr (the server
// or one of its replicas).
func (c *Conn) queryAt(ctx context.Context, addr string, r runner, query string, args ...any) (*sql.Rows, error) {
	if c.hook != nil {
		c.hook(query)
	}
	if c.cfg.ReadOnly && !readStatement(query) {
		return nil, refusedStatement(query)
	}
	if t := c.cfg.Tracer; t != nil {
		return c.tracedQuery(ctx, t, addr, r, query, args)
	}
	return r.QueryContext(ctx, query, args...)
}

// queryRow runs a query expected to return at most one row on r, a
// runner of the server. A *sql.Row cannot carry an error of dj's own, so
// on a read-only connection a write sent this way (only through the
// public QueryRowContext) is refused by the server's read-only session.
func (c *Conn) queryRow(ctx context.Context, r runner, query string, args ...any) *sql.Row {
	return c.queryRowAt(ctx, c.addr, r, query, args...)
}

// queryRowAt is queryRow on a runner of the server at addr.
func (c *Conn) queryRowAt(ctx context.Context, addr string, r runner, query string, args ...any) *sql.Row {
	if c.hook != nil {
		c.hook(query)
	}
	if t := c.cfg.Tracer; t != nil {
		return c.tracedQueryRow(ctx, t, addr, r, query, args)
	}
	return r.QueryRowContext(ctx, query, args...)
}

// Querier runs statements: *Conn and *Tx implement it. Every function of dj
// that reads or writes takes one, so the same code runs inside or outside a
// transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	// djConn seals the interface: only *Conn and *Tx implement it.
	djConn() *Conn
}

// Connect opens a connection pool with cfg and checks that the server
// answers. A Config without Host is an error matching ErrConfig: the
// server is never guessed. The session uses UTC, parses DATE/DATETIME into time.Time and
// runs with DataJoint's sql_mode.
func Connect(ctx context.Context, cfg Config) (*Conn, error) {
	return connect(ctx, cfg, nil)
}

// connect is Connect with a statement hook in place from the first
// statement on.
func connect(ctx context.Context, cfg Config, hook func(string)) (*Conn, error) {
	if cfg.Host == "" {
		return nil, &Error{Op: "connect", Err: errNoHost}
	}
	if err := checkReplicas(cfg.Replicas); err != nil {
		return nil, &Error{Op: "connect", Table: cfg.String(), Err: fmt.Errorf("%w: Replicas: %w", ErrConfig, err)}
	}
	db, err := openPool(cfg, cfg.Addr(), cfg.User, cfg.Password, cfg.ReadOnly)
	if err != nil {
		return nil, &Error{Op: "connect", Table: cfg.String(), Err: err}
	}
	c := &Conn{db: db, cfg: &cfg, log: cfg.Logger, tables: map[reflect.Type]*Table{}, stores: &storeRegistry{}, hook: hook, addr: cfg.Addr()}
	if c.log == nil {
		c.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := c.queryRow(ctx, db, maxAllowedPacketSQL).Scan(&c.maxPkt); err != nil {
		db.Close()
		return nil, &Error{Op: "connect", Table: cfg.String(), Err: classify(err)}
	}
	if len(cfg.Replicas) > 0 {
		rs, err := newReplicaSet(c)
		if err != nil {
			db.Close()
			return nil, &Error{Op: "connect", Table: cfg.String(), Err: err}
		}
		c.replicas = rs
	}
	c.log.Debug("dj: connected", "server", cfg, "replicas", len(cfg.Replicas), "read_only", cfg.ReadOnly)
	return c, nil
}

// openPool opens a pool of connections to the server at addr with the
// session settings of cfg; readOnly makes every session READ ONLY.
// Errors match ErrConfig.
func openPool(cfg Config, addr, user, password string, readOnly bool) (*sql.DB, error) {
	mc := mysql.NewConfig()
	mc.Net = "tcp"
	mc.Addr = addr
	if dial := cfg.Dial; dial != nil {
		mc.DialFunc = func(ctx context.Context, _, addr string) (net.Conn, error) { return dial(ctx, addr) }
	}
	mc.User = user
	if mc.User == "" {
		mc.User = "root"
	}
	mc.Passwd = password
	mc.ParseTime = true
	mc.Loc = time.UTC
	mc.InterpolateParams = true
	mc.ClientFoundRows = true
	mc.MultiStatements = false
	mc.Timeout = 10 * time.Second
	mc.Params = map[string]string{
		"sql_mode":  "'" + SQLMode + "'",
		"time_zone": "'+00:00'",
	}
	switch {
	case cfg.TLSConfig != nil:
		mc.TLS = cfg.TLSConfig
	case cfg.TLS == TLSPreferred:
		mc.TLSConfig = "preferred"
	default:
		mc.TLSConfig = string(cfg.TLS)
	}
	if mc.TLSConfig != "" {
		if err := mc.Apply(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
		}
	}
	connector, err := mysql.NewConnector(mc)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if readOnly {
		connector = readOnlyConnector{connector}
	}
	db := sql.OpenDB(connector)
	if cfg.MaxOpenConns > 0 {
		db.SetMaxOpenConns(cfg.MaxOpenConns)
	}
	db.SetMaxIdleConns(16)
	db.SetConnMaxIdleTime(10 * time.Minute)
	return db, nil
}

// Close closes every connection of the pool, and of the replicas' pools.
func (c *Conn) Close() error {
	err := c.db.Close()
	if c.replicas != nil {
		err = errors.Join(err, c.replicas.close())
	}
	return err
}

// DB returns the underlying pool, for plain SQL beside dj.
func (c *Conn) DB() *sql.DB { return c.db }

// Config returns the configuration the connection was opened with.
func (c *Conn) Config() Config { return *c.cfg }

func (c *Conn) djConn() *Conn { return c }

// ExecContext runs a statement on the pool; errors are classified. The
// statement runs in autocommit mode, so one that fails with ErrConflict (a
// deadlock or lock wait timeout) changed nothing: it is run again after a
// jittered, exponentially growing wait, at most 6 times in all and never
// starting later than 10 s after the first attempt.
func (c *Conn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	start := time.Now()
	r, err := c.exec(ctx, c.db, query, args...)
	err = classify(err)
	if err != nil && errors.Is(err, ErrConflict) {
		err = statementRetry.again(ctx, c.log, "statement", start, err, func() error {
			r, err = c.exec(ctx, c.db, query, args...)
			return classify(err)
		})
	}
	return r, err
}

// QueryContext runs a query on the pool; errors are classified.
func (c *Conn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	r, err := c.query(ctx, c.db, query, args...)
	return r, classify(err)
}

// QueryRowContext runs a query expected to return at most one row.
func (c *Conn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return c.queryRow(ctx, c.db, query, args...)
}

// Tx is a transaction on one dedicated connection. It implements Querier.
// A Tx is created by Conn.Tx (or by populate for a make) and is valid only
// inside that function.
//
// A statement that fails with a deadlock ends the transaction: the server
// has rolled all of it back. The Tx then opens a new transaction on the
// connection that is only ever rolled back, so statements that fn still
// runs (clean-up, such as dropping temporary tables) cannot commit on
// their own, and Conn.Tx fails with the deadlock even if fn returns nil.
// After a lost connection, too, Conn.Tx fails whatever fn returns.
type Tx struct {
	sc   *sql.Conn
	conn *Conn
	// allowAuto permits inserts into Imported and Computed tables: set for
	// the transaction of a make, or by AllowDirectInsert.
	allowAuto bool

	mu   sync.Mutex
	dead error // the error that ended the transaction on the server
}

func (t *Tx) djConn() *Conn { return t.conn }

// Conn returns the connection pool the transaction belongs to.
func (t *Tx) Conn() *Conn { return t.conn }

// ExecContext runs a statement in the transaction.
func (t *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	r, err := t.conn.exec(ctx, t.sc, query, args...)
	return r, t.observe(ctx, txLost(err))
}

// QueryContext runs a query in the transaction.
func (t *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	r, err := t.conn.query(ctx, t.sc, query, args...)
	return r, t.observe(ctx, txLost(err))
}

// observe records err as the end of the transaction when the server has
// rolled the transaction back (a deadlock) or the connection is gone.
// After a deadlock the session would run later statements in autocommit
// mode: a new transaction, rolled back at the end, keeps them from
// committing.
func (t *Tx) observe(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	deadlock := isDeadlock(err)
	if !deadlock && !errors.Is(err, ErrLostConnection) {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.dead == nil {
		t.dead = err
	}
	if deadlock {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if _, serr := t.conn.exec(rctx, t.sc, "START TRANSACTION"); serr != nil {
			// The session's state is unknown: keep it out of the pool.
			_ = t.sc.Raw(func(any) error { return driverBadConn })
		}
	}
	return err
}

// ended returns the error that ended the transaction, or nil.
func (t *Tx) ended() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.dead == nil {
		return nil
	}
	return fmt.Errorf("%w: the transaction was rolled back by an earlier statement: %w", ErrTransaction, t.dead)
}

// QueryRowContext runs a query expected to return at most one row.
func (t *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.conn.queryRow(ctx, t.sc, query, args...)
}

// TxOption configures a transaction.
type TxOption interface{ applyTx(*txOptions) }

type txOption func(*txOptions)

func (f txOption) applyTx(o *txOptions) { f(o) }

type txOptions struct {
	allowAuto bool
	retry     retryPolicy
}

// AllowDirectInsert lets an insert, or every insert of a transaction
// (Conn.Tx), write into Imported and Computed tables outside their make
// (DataJoint's allow_direct_insert=True). It is an InsertOption and a
// TxOption.
func AllowDirectInsert() DirectInsertOption { return DirectInsertOption{} }

// DirectInsertOption is the option AllowDirectInsert returns.
type DirectInsertOption struct{}

func (DirectInsertOption) applyInsert(o *insertOptions) { o.allowDirect = true }
func (DirectInsertOption) applyTx(o *txOptions)         { o.allowAuto = true }

// Tx runs fn inside a transaction that starts WITH CONSISTENT SNAPSHOT, as
// DataJoint's do. It commits when fn returns nil and rolls back when fn
// returns an error or panics (the panic then continues). Transactions do
// not nest: use the *Tx that fn receives for everything inside it.
//
// A transaction that fails with ErrConflict is not run again unless
// RetryConflicts is given.
func (c *Conn) Tx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error, opts ...TxOption) error {
	var o txOptions
	for _, f := range opts {
		f.applyTx(&o)
	}
	once := func() error {
		sc, err := c.db.Conn(ctx)
		if err != nil {
			return &Error{Op: "transaction", Err: classify(err)}
		}
		defer sc.Close()
		return runTx(ctx, c, sc, o.allowAuto, fn)
	}
	start := time.Now()
	err := once()
	if err != nil && o.retry.attempts > 1 && errors.Is(err, ErrConflict) {
		err = o.retry.again(ctx, c.log, "transaction", start, err, once)
	}
	return err
}

// runTx runs fn in a transaction on the dedicated connection sc.
func runTx(ctx context.Context, c *Conn, sc *sql.Conn, allowAuto bool, fn func(ctx context.Context, tx *Tx) error) error {
	if _, err := c.exec(ctx, sc, "START TRANSACTION WITH CONSISTENT SNAPSHOT"); err != nil {
		return &Error{Op: "transaction", Err: classify(err)}
	}
	// Reads through the Conn inside fn see the server, not a replica.
	ctx = UsePrimary(ctx)
	tx := &Tx{sc: sc, conn: c, allowAuto: allowAuto}
	committed := false
	defer func() {
		if !committed {
			// Roll back on error, panic or cancellation. A cancelled ctx must
			// not prevent the rollback, so it gets its own short deadline.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if _, err := c.exec(rctx, sc, "ROLLBACK"); err != nil {
				c.log.Warn("dj: rollback failed", "err", err)
				// The connection state is unknown: keep it out of the pool.
				_ = sc.Raw(func(any) error { return driverBadConn })
			}
		}
	}()
	if err := fn(ctx, tx); err != nil {
		return err
	}
	if err := tx.ended(); err != nil {
		return &Error{Op: "commit", Err: err}
	}
	if err := ctx.Err(); err != nil {
		return &Error{Op: "commit", Err: err}
	}
	if _, err := c.exec(ctx, sc, "COMMIT"); err != nil {
		return &Error{Op: "commit", Err: txLost(err)}
	}
	committed = true
	return nil
}

// txLost classifies an error from inside a transaction: a dead connection
// there is ErrLostConnection, because the transaction's work is gone.
func txLost(err error) error {
	if err == nil {
		return nil
	}
	err = classify(err)
	if errors.Is(err, sql.ErrConnDone) && !errors.Is(err, ErrLostConnection) {
		return fmt.Errorf("%w: %w", ErrLostConnection, err)
	}
	return err
}

// PanicError is the error a recovered panic becomes (populate reports a
// panicking make this way). Stack holds the goroutine's stack at the panic.
type PanicError struct {
	Value any
	Stack []byte
}

// Error describes the panic value.
func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// recoverPanic turns a panic into a *PanicError stored in *errp.
func recoverPanic(errp *error) {
	if p := recover(); p != nil {
		*errp = &PanicError{Value: p, Stack: debug.Stack()}
	}
}

// ServerUser returns the account of the session as the server sees it
// (SELECT user()).
func (c *Conn) ServerUser(ctx context.Context) (string, error) {
	var u string
	err := c.queryRow(ctx, c.db, sessionUserSQL).Scan(&u)
	return u, classify(err)
}

// MaxAllowedPacket returns the server's max_allowed_packet, read at connect.
func (c *Conn) MaxAllowedPacket() int { return c.maxPkt }

// driverBadConn, returned from sql.Conn.Raw, makes database/sql discard the
// connection instead of returning it to the pool.
var driverBadConn = driver.ErrBadConn
