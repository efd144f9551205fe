package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/user"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/datajoint-go/datajoint/dj"
)

// Option configures Apply and Alter.
type Option func(*options)

type options struct {
	allowLoss   bool
	lockTimeout time.Duration
	attempts    int
	progress    func(Progress)
	every       time.Duration
	revision    string
	appliedBy   string
}

// AllowDataLoss lets Apply run a plan whose warnings need confirmation:
// dropped attributes, and type or nullability changes that affect rows.
// The ALTER statements then run without strict mode, so values that do
// not fit the new type are cut to fit, as the warnings said.
func AllowDataLoss() Option { return func(o *options) { o.allowLoss = true } }

// LockTimeout bounds how long each ALTER waits for the table's metadata
// lock, which it gets once the transactions that use the table (populate
// workers among them) have ended; while it waits, new statements on the
// table queue behind it. The default is 10 seconds. A statement that times
// out is run again (see LockAttempts).
func LockTimeout(d time.Duration) Option { return func(o *options) { o.lockTimeout = d } }

// LockAttempts bounds the runs of a statement that timed out waiting for
// its lock, the first included; the default is 5.
func LockAttempts(n int) Option { return func(o *options) { o.attempts = n } }

// OnProgress calls f every interval while a statement runs, with the
// server's progress report where it gives one (MariaDB reports the
// percentage of an ALTER TABLE that copies rows).
func OnProgress(interval time.Duration, f func(Progress)) Option {
	return func(o *options) { o.every, o.progress = interval, f }
}

// Revision records the revision of the definitions in the history, e.g.
// the commit the structs were built from.
func Revision(rev string) Option { return func(o *options) { o.revision = rev } }

// AppliedBy records who applied the migration in the history; the default
// is the operating-system user.
func AppliedBy(who string) Option { return func(o *options) { o.appliedBy = who } }

// Progress is a report on a running statement.
type Progress struct {
	// Table is the full name of the table; Statement the SQL running.
	Table, Statement string
	// Algorithm is the ALTER algorithm being tried.
	Algorithm string
	// Elapsed is the time since the statement started.
	Elapsed time.Duration
	// Percent is the server's estimate of the work done, 0 to 100, or -1
	// when the server gives none.
	Percent float64
	// Stage is the server's stage of the statement, when it reports one.
	Stage string
}

// Executed is one statement Apply ran.
type Executed struct {
	// Table is the full name of the table.
	Table string
	// Statement is the SQL, with its ALGORITHM clause.
	Statement string
	// Algorithm is INSTANT, INPLACE or COPY for ALTER TABLE, and "" for
	// other statements.
	Algorithm string
	// Duration is how long the successful run took.
	Duration time.Duration
	// LockRetries counts the runs that timed out waiting for the lock.
	LockRetries int
}

// Result is what Apply did.
type Result struct {
	// Plan is the plan applied, as made again at the time of Apply.
	Plan *Plan
	// Executed lists the statements run, in order.
	Executed []Executed
	// MigrationID is the id of the history record, or 0 when nothing ran.
	MigrationID int64
}

// Algorithms in the order Apply tries them.
var algorithms = []string{"INSTANT", "INPLACE", "COPY"}

// Alter makes the tables of schema s match the structs: Diff, then Apply.
func Alter(ctx context.Context, s *dj.Schema, rows []any, opts ...Option) (*Result, error) {
	p, err := Diff(ctx, s, rows...)
	if err != nil {
		return nil, err
	}
	return Apply(ctx, s, p, opts...)
}

// Apply runs a plan made by Diff. It first makes the plan again and
// refuses (ErrPlanChanged) if the statements differ from the ones
// reviewed, refuses plans with refusals (ErrNotAlterable) and plans that
// lose data unless AllowDataLoss is given (ErrDataLoss); nothing is
// changed then.
//
// New tables are declared with Schema.Declare. Each altered table gets
// one ALTER TABLE statement, as DataJoint for Python's alter() runs, tried
// with ALGORITHM=INSTANT, then INPLACE, then COPY: the first the server
// accepts is used and reported in Result.Executed. The statement waits at
// most LockTimeout for the table's metadata lock and runs again when that
// times out. Each altered table is recorded in the schema's ~log as
// DataJoint does ("Altered `db`.`table`"), the migration in the history
// table ~migrations (see History), and the structs are declared again on
// the connection so that their headings are the new ones.
//
// Without AllowDataLoss the statements run in DataJoint's strict sql_mode,
// so a row written after the check that a narrower type would cut makes
// the ALTER fail instead of losing its value.
//
// A failure in the middle leaves the tables altered before it altered:
// each ALTER TABLE is atomic, a migration of several tables is not. What
// ran is recorded in the history with the failure, and Diff shows what
// remains.
func Apply(ctx context.Context, s *dj.Schema, p *Plan, opts ...Option) (*Result, error) {
	o := options{lockTimeout: 10 * time.Second, attempts: 5}
	for _, f := range opts {
		f(&o)
	}
	if o.appliedBy == "" {
		o.appliedBy = osUser()
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	fresh, err := Diff(ctx, s, p.rows...)
	if err != nil {
		return nil, err
	}
	if err := fresh.Err(); err != nil {
		return nil, err
	}
	if !slices.Equal(fresh.Statements(), p.Statements()) {
		return nil, &dj.Error{Op: "migrate", Table: s.Name(), Err: fmt.Errorf("%w (%w): make the plan again and review it:\n%s", ErrPlanChanged, dj.ErrConflict, fresh)}
	}
	if fresh.NeedsConfirmation() && !o.allowLoss {
		var msgs []string
		for _, w := range fresh.Warnings {
			if w.NeedsConfirmation() {
				msgs = append(msgs, w.String())
			}
		}
		return nil, &dj.Error{Op: "migrate", Table: fresh.Warnings[0].Table, Err: fmt.Errorf("%w: %s; apply with AllowDataLoss to accept", ErrDataLoss, strings.Join(msgs, "; "))}
	}
	res := &Result{Plan: fresh}
	if fresh.Empty() {
		return res, nil
	}
	err = s.Conn().Session(ctx, func(ctx context.Context, sc dj.Querier) error {
		restore, err := prepareSession(ctx, sc, o)
		if err != nil {
			return &dj.Error{Op: "migrate", Table: s.Name(), Err: err}
		}
		defer restore()
		var connID int64
		if err := sc.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&connID); err != nil {
			return &dj.Error{Op: "migrate", Table: s.Name(), Err: err}
		}
		return execute(ctx, s, sc, connID, o, p.rows, fresh, res)
	})
	if err != nil {
		if len(res.Executed) > 0 {
			// What ran stays done: record it, with the failure.
			res.MigrationID, _ = record(ctx, s, fresh, res.Executed, o, err)
		}
		return res, err
	}
	if res.MigrationID, err = record(ctx, s, fresh, res.Executed, o, nil); err != nil {
		return res, err
	}
	if err := s.Declare(ctx, p.rows...); err != nil {
		return res, err
	}
	return res, nil
}

// execute runs the statements of plan p, appending them to res.Executed.
func execute(ctx context.Context, s *dj.Schema, sc dj.Querier, connID int64, o options, rows []any, p *Plan, res *Result) error {
	pending := map[reflect.Type]bool{}
	for _, t := range p.Tables {
		pending[t.Type] = true
	}
	for _, t := range p.Tables {
		if t.Create() {
			// Declare binds the parents, which come first in the plan and
			// are altered already, with the new table.
			ready := []any{reflect.New(t.Type).Interface()}
			for _, r := range rows {
				if typ := structType(r); !pending[typ] {
					ready = append(ready, r)
				}
			}
			start := time.Now()
			if err := s.Declare(ctx, ready...); err != nil {
				return err
			}
			delete(pending, t.Type)
			res.Executed = append(res.Executed, Executed{Table: t.Table, Statement: t.Statement, Duration: time.Since(start)})
			continue
		}
		for _, b := range t.Before {
			ex, err := run(ctx, s, sc, connID, o, t.Table, b.Clause, "")
			if err != nil {
				return err
			}
			res.Executed = append(res.Executed, ex)
		}
		ex, err := alter(ctx, s, sc, connID, o, t)
		if err != nil {
			return err
		}
		res.Executed = append(res.Executed, ex)
		s.LogEvent(ctx, "Altered "+t.Table)
		delete(pending, t.Type)
	}
	return nil
}

// prepareSession sets the lock timeouts (and, with AllowDataLoss, a
// sql_mode without strict mode) on the connection of the migration, and
// returns the function that restores them.
func prepareSession(ctx context.Context, sc dj.Querier, o options) (func(), error) {
	secs := int64(o.lockTimeout.Round(time.Second) / time.Second)
	if secs < 1 {
		secs = 1
	}
	var mode string
	if err := sc.QueryRowContext(ctx, "SELECT @@SESSION.sql_mode").Scan(&mode); err != nil {
		return nil, err
	}
	if _, err := sc.ExecContext(ctx, fmt.Sprintf("SET SESSION lock_wait_timeout = %d, innodb_lock_wait_timeout = %d", secs, secs)); err != nil {
		return nil, err
	}
	if o.allowLoss {
		var kept []string
		for _, m := range strings.Split(mode, ",") {
			if m != "STRICT_ALL_TABLES" && m != "STRICT_TRANS_TABLES" {
				kept = append(kept, m)
			}
		}
		if _, err := sc.ExecContext(ctx, "SET SESSION sql_mode = ?", strings.Join(kept, ",")); err != nil {
			return nil, err
		}
	}
	return func() {
		_, _ = sc.ExecContext(context.Background(), "SET SESSION lock_wait_timeout = DEFAULT, innodb_lock_wait_timeout = DEFAULT, sql_mode = ?", mode)
	}, nil
}

// alter runs the ALTER TABLE of t with the first algorithm the server
// accepts.
func alter(ctx context.Context, s *dj.Schema, sc dj.Querier, connID int64, o options, t TableChange) (Executed, error) {
	var last error
	for _, alg := range algorithms {
		stmt := t.Statement + ",\n\tALGORITHM=" + alg
		ex, err := run(ctx, s, sc, connID, o, t.Table, stmt, alg)
		if err == nil {
			return ex, nil
		}
		if !unsupported(err) {
			return ex, err
		}
		last = err
	}
	return Executed{}, last
}

// unsupported reports the server's refusal of an ALGORITHM clause.
func unsupported(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1845 || me.Number == 1846 || me.Number == 4092)
}

// lockTimeout reports a lock wait timeout (1205), which a metadata lock
// wait also gives.
func lockTimeout(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1205
}

// run executes one statement on the migration's connection, reporting
// progress and running it again after lock wait timeouts.
func run(ctx context.Context, s *dj.Schema, sc dj.Querier, connID int64, o options, table, stmt, alg string) (Executed, error) {
	ex := Executed{Table: table, Statement: stmt, Algorithm: alg}
	for attempt := 1; ; attempt++ {
		start := time.Now()
		stop := watch(ctx, s.Conn(), connID, o, Progress{Table: table, Statement: stmt, Algorithm: alg})
		_, err := sc.ExecContext(ctx, stmt)
		stop()
		if err == nil {
			ex.Duration = time.Since(start)
			return ex, nil
		}
		if !lockTimeout(err) || attempt >= o.attempts {
			if unsupported(err) {
				return ex, err
			}
			return ex, &dj.Error{Op: "migrate", Table: table, Err: fmt.Errorf("%s: %w", firstLine(stmt), classify(err))}
		}
		ex.LockRetries++
		d := time.Duration(100<<min(attempt, 5)) * time.Millisecond
		d = d/2 + rand.N(d/2+1)
		select {
		case <-ctx.Done():
			return ex, &dj.Error{Op: "migrate", Table: table, Err: ctx.Err()}
		case <-time.After(d):
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// classify wraps a server error with dj's sentinel for it.
func classify(err error) error {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1205, 1213:
			return fmt.Errorf("%w: %w", dj.ErrConflict, err)
		case 1044, 1142:
			return fmt.Errorf("%w: %w", dj.ErrAccess, err)
		case 1265, 1264, 1138, 1406, 1366, 1292:
			return fmt.Errorf("%w: %w", dj.ErrType, err)
		case 1062:
			return fmt.Errorf("%w: %w", dj.ErrDuplicate, err)
		}
	}
	return err
}

// watch reports progress every o.every until stop is called.
func watch(ctx context.Context, db dj.Querier, connID int64, o options, p Progress) (stop func()) {
	if o.progress == nil || o.every <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(finished)
		t := time.NewTicker(o.every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			q := p
			q.Elapsed, q.Percent = time.Since(start), -1
			var stage sql.NullString
			var pct sql.NullFloat64
			// MariaDB reports the progress of ALTER TABLE in the
			// process list; other servers have no such columns.
			if err := db.QueryRowContext(ctx, "SELECT STATE, PROGRESS FROM information_schema.PROCESSLIST WHERE ID = ?", connID).Scan(&stage, &pct); err == nil {
				q.Stage = stage.String
				if pct.Valid {
					q.Percent = pct.Float64
				}
			}
			o.progress(q)
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return os.Getenv("USER")
}

// structType is the struct type of a value or pointer.
func structType(v any) reflect.Type {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}
