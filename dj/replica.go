package dj

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
)

// The statements that read a replica's replication status: SHOW REPLICA
// STATUS on MariaDB 10.5.1+ and MySQL 8.0.22+, SHOW SLAVE STATUS on older
// servers (MySQL 8.4 knows only the first).
const (
	showReplicaStatusSQL = "SHOW REPLICA STATUS"
	showSlaveStatusSQL   = "SHOW SLAVE STATUS"
)

// probeTimeout bounds one reading of a replica's status.
const probeTimeout = 3 * time.Second

// replicaPrivilegeHint names the privilege SHOW REPLICA STATUS needs.
const replicaPrivilegeHint = "SHOW REPLICA STATUS needs the REPLICA MONITOR privilege on MariaDB (REPLICATION CLIENT before 10.5.9), REPLICATION CLIENT on MySQL"

// ReplicaState is what a Conn knows of one of its replicas (Conn.Replicas).
type ReplicaState struct {
	Addr string // host:port
	// Healthy reports whether the replica takes reads: it answered, both
	// replication threads run and its lag is within Config.ReplicaMaxLag.
	Healthy bool
	// Reason says why it does not take reads; "" when Healthy.
	Reason string
	// Lag is the replication lag (Seconds_Behind_Master) at the last
	// check; -1 when unknown.
	Lag time.Duration
	// Checked is when the state was established: by reading the status,
	// or by a read that failed on the replica.
	Checked time.Time
}

// replica is one replica of a Conn and what is known of its health.
type replica struct {
	addr string
	db   *sql.DB // nil in unit tests

	mu        sync.Mutex
	statusSQL string // the status statement that works here; "" until known
	checked   time.Time
	healthy   bool
	reason    string
	lag       time.Duration
	checking  bool // a goroutine is reading the status
}

func (r *replica) state() ReplicaState {
	r.mu.Lock()
	defer r.mu.Unlock()
	reason := r.reason
	if r.checked.IsZero() && reason == "" {
		reason = "not checked yet"
	}
	return ReplicaState{Addr: r.addr, Healthy: r.healthy, Reason: reason, Lag: r.lag, Checked: r.checked}
}

// replicaStatus is the gist of SHOW REPLICA STATUS: with several
// replication channels, the worst of them.
type replicaStatus struct {
	channels int
	io, sql  string        // Slave_IO_Running, Slave_SQL_Running ("Yes", "No", "Connecting")
	lag      time.Duration // Seconds_Behind_Master; -1 when NULL
}

// replicaSet routes reads among the replicas of a Conn: round-robin over
// the healthy ones, with each one's health read at most once per interval.
type replicaSet struct {
	list   []*replica
	next   atomic.Uint64
	maxLag time.Duration // negative: no bound
	every  time.Duration
	log    *slog.Logger
	now    func() time.Time
	probe  func(ctx context.Context, r *replica) (replicaStatus, error)
}

// newReplicaSet opens a pool for each replica of c's configuration. The
// replicas are not contacted yet: each is checked before its first read.
func newReplicaSet(c *Conn) (*replicaSet, error) {
	cfg := *c.cfg
	user, pw := cfg.ReplicaUser, cfg.ReplicaPassword
	if user == "" {
		user = cfg.User
	}
	if pw == "" {
		pw = cfg.Password
	}
	s := &replicaSet{maxLag: cfg.maxLag(), every: cfg.checkInterval(), log: c.log, now: time.Now}
	s.probe = func(ctx context.Context, r *replica) (replicaStatus, error) { return probeReplica(ctx, c, r) }
	for _, entry := range cfg.Replicas {
		addr := cfg.replicaAddr(entry)
		// Replicas only ever take reads: their sessions are read-only.
		db, err := openPool(cfg, addr, user, pw, true)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("replica %s: %w", addr, err)
		}
		s.list = append(s.list, &replica{addr: addr, db: db, lag: -1})
	}
	return s, nil
}

// close closes the replicas' pools. A background check still running
// then fails and leaves its replica out.
func (s *replicaSet) close() error {
	var errs []error
	for _, r := range s.list {
		if r.db != nil {
			errs = append(errs, r.db.Close())
		}
	}
	return errors.Join(errs...)
}

// start returns the index of the replica to try first: the next in turn.
func (s *replicaSet) start() int {
	return int((s.next.Add(1) - 1) % uint64(len(s.list)))
}

// usable reports whether r takes reads, reading its status when the last
// check is older than the interval. While one goroutine reads it, others
// go by the last known state (a replica never checked counts as unusable
// for them). A replica left out is checked again in the background, so
// that no read waits on one that may not answer.
func (s *replicaSet) usable(ctx context.Context, r *replica) bool {
	if !s.due(r) {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.healthy
	}
	r.mu.Lock()
	background := !r.checked.IsZero() && !r.healthy
	r.mu.Unlock()
	if background {
		go s.check(context.WithoutCancel(ctx), r)
		return false
	}
	return s.check(ctx, r)
}

// due marks r as being checked and reports true when its state is older
// than the interval and no check runs.
func (s *replicaSet) due(r *replica) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.checking || (!r.checked.IsZero() && s.now().Sub(r.checked) < s.every) {
		return false
	}
	r.checking = true
	return true
}

// check reads r's status and records what it says.
func (s *replicaSet) check(ctx context.Context, r *replica) bool {
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	st, err := s.probe(pctx, r)
	cancel()
	r.mu.Lock()
	r.checking = false
	if ctx.Err() != nil {
		// The caller gave up: what was read says nothing of the replica.
		r.mu.Unlock()
		return false
	}
	ok, reason := judgeReplica(st, err, s.maxLag)
	was, first := r.healthy, r.checked.IsZero()
	r.checked, r.healthy, r.reason, r.lag = s.now(), ok, reason, st.lag
	if err != nil {
		r.lag = -1
	}
	r.mu.Unlock()
	switch {
	case !ok && (was || first):
		s.log.WarnContext(ctx, "dj: replica left out", "replica", r.addr, "reason", reason)
	case ok && !was:
		s.log.InfoContext(ctx, "dj: replica takes reads", "replica", r.addr, "lag", st.lag)
	}
	return ok
}

// markDown leaves r out for an interval after a read failed on it.
func (s *replicaSet) markDown(ctx context.Context, r *replica, err error) {
	r.mu.Lock()
	was := r.healthy
	r.checked, r.healthy, r.reason, r.lag = s.now(), false, "a read failed: "+err.Error(), -1
	r.mu.Unlock()
	if was {
		s.log.WarnContext(ctx, "dj: replica left out", "replica", r.addr, "reason", "a read failed", "err", err)
	}
}

// states returns the state of every replica, checking the stale ones
// (those left out included) before it returns.
func (s *replicaSet) states(ctx context.Context) []ReplicaState {
	for _, r := range s.list {
		if s.due(r) {
			s.check(ctx, r)
		}
	}
	out := make([]ReplicaState, len(s.list))
	for i, r := range s.list {
		out[i] = r.state()
	}
	return out
}

// judgeReplica decides from a status reading whether a replica takes
// reads, and if not, why. A status that cannot be read leaves the replica
// out: its lag is unknown.
func judgeReplica(st replicaStatus, err error, maxLag time.Duration) (bool, string) {
	switch {
	case err != nil && errors.Is(err, ErrAccess):
		return false, "cannot read the replication status (" + replicaPrivilegeHint + "): " + err.Error()
	case err != nil:
		return false, "status unreadable: " + err.Error()
	case st.channels == 0:
		return false, "not a replica: " + showReplicaStatusSQL + " is empty"
	case st.io != "Yes":
		return false, "replication I/O thread is " + orNone(st.io)
	case st.sql != "Yes":
		return false, "replication SQL thread is " + orNone(st.sql)
	case st.lag < 0:
		return false, "replication lag unknown (Seconds_Behind_Master is NULL)"
	case maxLag >= 0 && st.lag > maxLag:
		return false, fmt.Sprintf("%s behind, more than the bound of %s", st.lag, maxLag)
	}
	return true, ""
}

func orNone(s string) string {
	if s == "" {
		return "not running"
	}
	return s
}

// parseReplicaStatus reads the rows of SHOW REPLICA STATUS (or SHOW SLAVE
// STATUS) by column name, MariaDB's and MySQL's names alike; values are
// nil for NULL.
func parseReplicaStatus(cols []string, rows [][]*string) replicaStatus {
	st := replicaStatus{channels: len(rows), io: "Yes", sql: "Yes"}
	col := func(row []*string, names ...string) (string, bool) {
		for i, c := range cols {
			for _, n := range names {
				if strings.EqualFold(c, n) && i < len(row) {
					if row[i] == nil {
						return "", false
					}
					return *row[i], true
				}
			}
		}
		return "", false
	}
	for _, row := range rows {
		if v, _ := col(row, "Slave_IO_Running", "Replica_IO_Running"); v != "Yes" {
			st.io = v
		}
		if v, _ := col(row, "Slave_SQL_Running", "Replica_SQL_Running"); v != "Yes" {
			st.sql = v
		}
		v, ok := col(row, "Seconds_Behind_Master", "Seconds_Behind_Source")
		n, err := strconv.ParseInt(v, 10, 64)
		switch {
		case !ok || err != nil:
			st.lag = -1
		case st.lag >= 0 && time.Duration(n)*time.Second > st.lag:
			st.lag = time.Duration(n) * time.Second
		}
	}
	return st
}

// probeReplica reads r's replication status through c's statement path:
// SHOW REPLICA STATUS, or SHOW SLAVE STATUS on a server that does not
// know the first.
func probeReplica(ctx context.Context, c *Conn, r *replica) (replicaStatus, error) {
	r.mu.Lock()
	stmt := r.statusSQL
	r.mu.Unlock()
	if stmt == "" {
		stmt = showReplicaStatusSQL
	}
	st, err := readReplicaStatus(ctx, c, r, stmt)
	var me *mysql.MySQLError
	if err != nil && stmt == showReplicaStatusSQL && errors.As(err, &me) && me.Number == 1064 {
		stmt = showSlaveStatusSQL
		st, err = readReplicaStatus(ctx, c, r, stmt)
	}
	if err == nil {
		r.mu.Lock()
		r.statusSQL = stmt
		r.mu.Unlock()
	}
	return st, err
}

func readReplicaStatus(ctx context.Context, c *Conn, r *replica, stmt string) (replicaStatus, error) {
	rows, err := c.queryAt(ctx, r.addr, r.db, stmt)
	if err != nil {
		return replicaStatus{}, classify(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return replicaStatus{}, classify(err)
	}
	var all [][]*string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		dest := make([]any, len(cols))
		for i := range vals {
			dest[i] = &vals[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return replicaStatus{}, classify(err)
		}
		row := make([]*string, len(cols))
		for i := range vals {
			if vals[i].Valid {
				row[i] = &vals[i].String
			}
		}
		all = append(all, row)
	}
	if err := rows.Err(); err != nil {
		return replicaStatus{}, classify(err)
	}
	return parseReplicaStatus(cols, all), nil
}

// Replicas returns the state of each replica of Config.Replicas, reading
// the replication status of those not checked within
// Config.ReplicaCheckInterval. It returns nil when the connection has no
// replicas.
func (c *Conn) Replicas(ctx context.Context) []ReplicaState {
	if c.replicas == nil {
		return nil
	}
	return c.replicas.states(ctx)
}
