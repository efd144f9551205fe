package dj

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/datajoint-go/datajoint/dj/blob"
	"github.com/datajoint-go/datajoint/dj/schema"
)

// Job statuses of the ~jobs table.
const (
	JobReserved = "reserved" // a worker is making the key
	JobError    = "error"    // the make failed; the key is skipped until the row is cleared
	JobIgnore   = "ignore"   // the key is skipped by every populate
)

// Error-message limits of DataJoint 0.14: longer messages are cut to
// errorMessageLength characters, ending in truncationSuffix.
const (
	errorMessageLength = 2047
	truncationSuffix   = "...truncated"
)

// jobBlobLimit bounds the decoded size of a ~jobs key or error stack shown
// by List: the key column is a blob (64 KiB) and the stack a mediumblob.
const jobBlobLimit = 64 << 20

// Jobs is the ~jobs table of one schema: the reservation and error table
// shared by every auto-populated table of the schema and by every worker,
// Go or Python (DataJoint 0.14's JobTable, same DDL and same key_hash).
type Jobs struct {
	conn *Conn
	db   string

	once    sync.Once
	initErr error
	cols    map[string]bool // columns of the table (MATLAB's variant has fewer)
	host    string
	pid     int
	user    string
}

// Job is one row of a ~jobs table.
type Job struct {
	TableName    string    // bare name of the target table, e.g. "__filtered"
	KeyHash      string    // KeyHash of the key
	Status       string    // JobReserved, JobError or JobIgnore
	Key          Key       // the key, decoded from its blob (nil if absent)
	ErrorMessage string    // "" unless Status is JobError
	ErrorStack   string    // the stack or detail of an error
	User         string    // database user of the worker
	Host         string    // host name of the worker
	PID          int64     // process id of the worker
	ConnectionID int64     // server connection id of the worker
	Timestamp    time.Time // when the row was written (server time)
}

// Jobs returns the ~jobs table of the schema, creating it on first use.
func (s *Schema) Jobs() *Jobs { return JobsOf(s.conn, s.name) }

// JobsOf returns the ~jobs table of database db on c.
func JobsOf(c *Conn, db string) *Jobs {
	return &Jobs{conn: c, db: db}
}

// Database returns the name of the schema the table belongs to.
func (j *Jobs) Database() string { return j.db }

// FullName returns the quoted `db`.`~jobs`.
func (j *Jobs) FullName() string { return schema.QuoteFull(j.db, "~jobs") }

// init creates the table if needed and reads its columns and the
// worker's identity.
func (j *Jobs) init(ctx context.Context) error {
	j.once.Do(func() {
		j.initErr = j.load(ctx)
	})
	return j.initErr
}

func (j *Jobs) load(ctx context.Context) error {
	// A read-only connection reads the table if it exists.
	if !j.conn.cfg.ReadOnly {
		if _, err := j.conn.exec(ctx, j.conn.db, schema.JobsTableSQL(j.db)); err != nil {
			return opError("declare", j.FullName(), "", err)
		}
	}
	rows, err := j.conn.query(ctx, j.conn.db, jobsColumnsSQL, j.db)
	if err != nil {
		return opError("declare", j.FullName(), "", err)
	}
	defer rows.Close()
	j.cols = map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return opError("declare", j.FullName(), "", err)
		}
		j.cols[strings.ToLower(c)] = true
	}
	if err := rows.Err(); err != nil {
		return opError("declare", j.FullName(), "", err)
	}
	j.host, _ = os.Hostname()
	j.pid = os.Getpid()
	j.user, err = j.conn.ServerUser(ctx)
	if err != nil {
		return opError("declare", j.FullName(), "", err)
	}
	return nil
}

// jobRow is a row to write; only the columns the table has are written.
type jobRow struct {
	table, hash, status string
	key                 []byte
	message             string
	stack               []byte
	connID              int64
}

// writeSQL returns the INSERT (or REPLACE) statement for r and its
// arguments.
func (j *Jobs) writeSQL(verb string, r jobRow) (string, []any) {
	return jobsWriteSQL(j.FullName(), verb, j.cols, jobWorker{host: j.host, pid: j.pid, user: j.user}, r)
}

// truncateMessage cuts msg as DataJoint does: a message longer than limit
// characters keeps its first limit-12 characters plus "...truncated".
func truncateMessage(msg string, limit int) string {
	if utf8.RuneCountInString(msg) <= limit {
		return msg
	}
	r := []rune(msg)
	return string(r[:limit-len(truncationSuffix)]) + truncationSuffix
}

// errorStack packs the detail of a failed make as DataJoint stores
// error_stack: a blob holding a string (compressed when that helps).
func errorStack(err error) []byte {
	detail := err.Error()
	var pe *PanicError
	if errors.As(err, &pe) {
		detail += "\n\n" + string(pe.Stack)
	}
	b, mErr := blob.Marshal(detail)
	if mErr != nil {
		return nil
	}
	return b
}

// reserve inserts a reservation for the key on q (autocommit). It reports
// false when a row for the key exists: another worker holds it, or it is
// marked error or ignore.
func (j *Jobs) reserve(ctx context.Context, q Querier, table, hash string, key []byte, connID int64) (bool, error) {
	stmt, args := j.writeSQL("INSERT", jobRow{table: table, hash: hash, status: JobReserved, key: key, connID: connID})
	if _, err := q.ExecContext(ctx, stmt, args...); err != nil {
		err = classify(err)
		if errors.Is(err, ErrDuplicate) {
			return false, nil
		}
		return false, opError("reserve", j.FullName(), "", err)
	}
	return true, nil
}

// reserveUnlessMade reserves the key, as reserve does, in the same
// statement that checks the target: the reservation row is inserted only
// when exists (a SELECT 1 FROM the target restricted by the key, with
// existsArgs) finds nothing. It reports made when the key is in the target
// and nothing was reserved, taken when another worker holds the key.
func (j *Jobs) reserveUnlessMade(ctx context.Context, q Querier, table, hash string, key []byte, connID int64, exists string, existsArgs []any) (reserved, made bool, err error) {
	stmt, args := j.writeSQL("INSERT", jobRow{table: table, hash: hash, status: JobReserved, key: key, connID: connID})
	stmt = reserveUnlessMadeSQL(stmt, len(args), exists)
	r, err := q.ExecContext(ctx, stmt, append(args, existsArgs...)...)
	if err != nil {
		err = classify(err)
		if errors.Is(err, ErrDuplicate) {
			return false, false, nil
		}
		return false, false, opError("reserve", j.FullName(), "", err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return false, false, opError("reserve", j.FullName(), "", err)
	}
	return n == 1, n == 0, nil
}

// completeSQL deletes a key's reservation: DataJoint's complete.
func (j *Jobs) completeSQL() string { return jobsCompleteSQL(j.FullName()) }

// releaseSQL deletes a reservation made by one connection only.
func (j *Jobs) releaseSQL() string { return jobsReleaseSQL(j.FullName(), j.cols["connection_id"]) }

// recordError replaces the key's row with an error row: DataJoint's error.
func (j *Jobs) recordError(ctx context.Context, q Querier, table, hash string, key []byte, connID int64, makeErr error) error {
	stmt, args := j.writeSQL("REPLACE", jobRow{table: table, hash: hash, status: JobError, key: key, connID: connID,
		message: makeErr.Error(), stack: errorStack(makeErr)})
	_, err := q.ExecContext(ctx, stmt, args...)
	return opError("error job", j.FullName(), "", err)
}

// Ignore marks the key of table (bare name, e.g. "__filtered") as
// ignored, so populate skips it (DataJoint's jobs.ignore). It reports
// false when the key already has a row (reserved, error or ignore).
// The key should come from FetchKeys (see KeyHash about DATE values).
func (j *Jobs) Ignore(ctx context.Context, t *Table, key Key) (bool, error) {
	if err := j.conn.refuseWrite("ignore", j.FullName()); err != nil {
		return false, err
	}
	if err := j.init(ctx); err != nil {
		return false, err
	}
	pkey, names, err := t.pyKey(key)
	if err != nil {
		return false, err
	}
	b, err := keyBlob(names, pkey)
	if err != nil {
		return false, err
	}
	stmt, args := j.writeSQL("INSERT", jobRow{table: t.Name(), hash: KeyHash(pkey), status: JobIgnore, key: b})
	if _, err := j.conn.ExecContext(ctx, stmt, args...); err != nil {
		if errors.Is(err, ErrDuplicate) {
			return false, nil
		}
		return false, opError("ignore", j.FullName(), "", err)
	}
	return true, nil
}

// KeyHash returns the key_hash of a key of table t, with each value taken
// as its attribute's Python type (see PyKey).
func (j *Jobs) KeyHash(t *Table, key Key) (string, error) {
	pkey, _, err := t.pyKey(key)
	if err != nil {
		return "", err
	}
	return KeyHash(pkey), nil
}

// pyKey converts a key of t (restricted to t's primary key) to its Python
// form and returns it with the key names in heading order.
func (t *Table) pyKey(key Key) (Key, []string, error) {
	names := t.PrimaryKey()
	sub := make(Key, len(names))
	for _, n := range names {
		v, ok := key[n]
		if !ok {
			return nil, nil, &Error{Op: "key", Table: t.FullName(), Attr: n, Err: fmt.Errorf("%w: key lacks %q", ErrMissingAttribute, n)}
		}
		sub[n] = v
	}
	p, err := PyKey(t.Heading(), sub)
	if err != nil {
		return nil, nil, err
	}
	return p, names, nil
}

// JobFilter selects rows of List and Clear. Zero fields select everything.
type JobFilter struct {
	Table  string // bare table name, e.g. "__filtered"
	Status string // JobReserved, JobError or JobIgnore
	Hash   string // one key_hash
}

func (f JobFilter) where() (string, []any) { return filterWhere(nil, f.Table, f.Status, f.Hash) }

// filterWhere is the WHERE clause ("" when there is no condition) of the
// conditions base and a table, status and key_hash filter of ~jobs or
// ~queue (each "" for any), with its arguments.
func filterWhere(base []string, table, status, hash string) (string, []any) {
	conds := base
	var args []any
	for _, c := range [...]struct{ col, v string }{{"table_name", table}, {"status", status}, {"key_hash", hash}} {
		if c.v != "" {
			conds = append(conds, "`"+c.col+"`=?")
			args = append(args, c.v)
		}
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// List returns the rows selected by f, oldest first.
func (j *Jobs) List(ctx context.Context, f JobFilter) ([]Job, error) {
	if err := j.init(ctx); err != nil {
		return nil, err
	}
	where, args := f.where()
	rows, err := j.conn.QueryContext(ctx, jobsListSQL(j.FullName(), j.cols, where), args...)
	if err != nil {
		return nil, opError("jobs", j.FullName(), "", err)
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		var jb Job
		var key, stack []byte
		var msg, user, host sql.NullString
		var pid, cid sql.NullInt64
		var ts sql.NullTime
		if err := rows.Scan(&jb.TableName, &jb.KeyHash, &jb.Status, &key, &msg, &stack, &user, &host, &pid, &cid, &ts); err != nil {
			return nil, opError("jobs", j.FullName(), "", err)
		}
		jb.ErrorMessage, jb.User, jb.Host = msg.String, user.String, host.String
		jb.PID, jb.ConnectionID, jb.Timestamp = pid.Int64, cid.Int64, ts.Time
		if key != nil {
			if v, err := blob.Decode(key, blob.MaxDecodedSize(jobBlobLimit)); err == nil {
				if d, ok := v.(blob.Dict); ok {
					jb.Key = Key{}
					for _, it := range d {
						if s, ok := it.Key.(string); ok {
							jb.Key[s] = it.Value
						}
					}
				}
			}
		}
		if stack != nil {
			if v, err := blob.Decode(stack, blob.MaxDecodedSize(jobBlobLimit)); err == nil {
				if s, ok := v.(string); ok {
					jb.ErrorStack = s
				}
			}
		}
		out = append(out, jb)
	}
	if err := rows.Err(); err != nil {
		return nil, opError("jobs", j.FullName(), "", err)
	}
	return out, nil
}

// Errors returns the error rows, of one table when table is not "".
func (j *Jobs) Errors(ctx context.Context, table string) ([]Job, error) {
	return j.List(ctx, JobFilter{Table: table, Status: JobError})
}

// Reserved returns the reservations, of one table when table is not "".
func (j *Jobs) Reserved(ctx context.Context, table string) ([]Job, error) {
	return j.List(ctx, JobFilter{Table: table, Status: JobReserved})
}

// Clear deletes the rows selected by f and returns how many it deleted.
// Clearing error rows lets the next populate retry those keys. Clearing
// live reservations lets a second worker start a key that is being made;
// the target's own key check still prevents a duplicate row.
func (j *Jobs) Clear(ctx context.Context, f JobFilter) (int64, error) {
	if err := j.conn.refuseWrite("jobs", j.FullName()); err != nil {
		return 0, err
	}
	if err := j.init(ctx); err != nil {
		return 0, err
	}
	where, args := f.where()
	r, err := j.conn.ExecContext(ctx, jobsClearSQL(j.FullName(), where), args...)
	if err != nil {
		return 0, opError("jobs", j.FullName(), "", err)
	}
	n, _ := r.RowsAffected()
	return n, nil
}

// JobSummary counts the rows of one table by status.
type JobSummary struct {
	Table    string
	Reserved int64
	Errors   int64
	Ignored  int64
}

// Summary returns the number of reservations, errors and ignored keys of
// every table that has rows, ordered by table name.
func (j *Jobs) Summary(ctx context.Context) ([]JobSummary, error) {
	if err := j.init(ctx); err != nil {
		return nil, err
	}
	rows, err := j.conn.QueryContext(ctx, jobsSummarySQL(j.FullName()))
	if err != nil {
		return nil, opError("jobs", j.FullName(), "", err)
	}
	defer rows.Close()
	var out []JobSummary
	for rows.Next() {
		var s JobSummary
		if err := rows.Scan(&s.Table, &s.Reserved, &s.Errors, &s.Ignored); err != nil {
			return nil, opError("jobs", j.FullName(), "", err)
		}
		out = append(out, s)
	}
	return out, opError("jobs", j.FullName(), "", rows.Err())
}

// ReclaimStale deletes the reservations of table (all tables when "")
// whose worker is gone, and returns their key hashes. A reservation is
// stale when it was made before the server last started, or when its
// connection_id is no longer in the server's process list. Without the
// PROCESS privilege the process list shows only the account's own
// connections, so only the account's own reservations are judged by it.
// DataJoint for Python leaves such reservations in place forever.
func (j *Jobs) ReclaimStale(ctx context.Context, table string) ([]string, error) {
	if err := j.conn.refuseWrite("jobs", j.FullName()); err != nil {
		return nil, err
	}
	if err := j.init(ctx); err != nil {
		return nil, err
	}
	if !j.cols["connection_id"] || !j.cols["timestamp"] {
		return nil, nil
	}
	q := jobsStaleCandidatesSQL(j.FullName(), table != "")
	var args []any
	var uptime int64
	if err := j.conn.QueryRowContext(ctx, serverUptimeSQL).Scan(&uptime); err != nil {
		return nil, opError("jobs", j.FullName(), "", err)
	}
	args = append(args, uptime)
	if table != "" {
		args = append(args, table)
	}
	type res struct {
		table, hash, user string
		cid               int64
		before            bool
	}
	var cand []res
	rows, err := j.conn.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, opError("jobs", j.FullName(), "", err)
	}
	for rows.Next() {
		var r res
		var user sql.NullString
		if err := rows.Scan(&r.table, &r.hash, &r.cid, &user, &r.before); err != nil {
			rows.Close()
			return nil, opError("jobs", j.FullName(), "", err)
		}
		r.user = user.String
		cand = append(cand, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, opError("jobs", j.FullName(), "", err)
	}
	if len(cand) == 0 {
		return nil, nil
	}
	live := map[int64]bool{}
	rows, err = j.conn.QueryContext(ctx, processListSQL)
	if err != nil {
		return nil, opError("jobs", j.FullName(), "", err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, opError("jobs", j.FullName(), "", err)
		}
		live[id] = true
	}
	rows.Close()
	seeAll, err := j.canSeeAllProcesses(ctx)
	if err != nil {
		return nil, err
	}
	me := accountName(j.user)
	var out []string
	for _, r := range cand {
		stale := r.before
		if !stale && !live[r.cid] && (seeAll || accountName(r.user) == me) {
			stale = true
		}
		if !stale {
			continue
		}
		res, err := j.conn.ExecContext(ctx, j.releaseSQL(), r.table, r.hash, r.cid)
		if err != nil {
			return out, opError("jobs", j.FullName(), "", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			j.conn.log.Info("dj: reclaimed stale reservation", "table", r.table, "key_hash", r.hash, "connection_id", r.cid)
			out = append(out, r.hash)
		}
	}
	return out, nil
}

// canSeeAllProcesses reports whether the session has the PROCESS
// privilege, so the process list shows every account's connections.
func (j *Jobs) canSeeAllProcesses(ctx context.Context) (bool, error) {
	var n int64
	err := j.conn.QueryRowContext(ctx, processPrivilegeSQL).Scan(&n)
	if err != nil {
		return false, opError("jobs", j.FullName(), "", err)
	}
	return n > 0, nil
}

// accountName is the user part of "user@host".
func accountName(u string) string {
	name, _, _ := strings.Cut(u, "@")
	return name
}
