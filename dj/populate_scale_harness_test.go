package dj_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/datajoint-go/datajoint/dj"
)

// The scale harness runs worker processes of examples/worker over one
// schema of a private server, SIGKILLs some of them, restarts the server
// and runs replays of DataJoint for Python 0.14's populate beside them; it
// measures the time and the statements the server received.

// scaleServer is a private MariaDB of the scale runs.
type scaleServer struct {
	cfg     dj.Config
	restart func()
	db      *sql.DB
	genLog  string // the server's general query log, or ""
}

// newScaleServer starts a private server; with generalLog it writes every
// statement to a general query log, from its start and after restarts.
//
// Commits are flushed to the log at each commit but synced to disk once
// a second (innodb_flush_log_at_trx_commit=2): the restart is a clean
// shutdown, which loses nothing, and the runs measure the workers, not
// the disk.
func newScaleServer(tb testing.TB, generalLog bool) *scaleServer {
	tb.Helper()
	s := &scaleServer{}
	dir := tb.TempDir()
	// The server stays down 2 s in a restart: a reservation of ~jobs made
	// just before it then predates the new server's start by more than
	// the second ReclaimStale allows for, and is reclaimed even when its
	// connection id is reused after the restart. (A shorter outage can
	// leave such a reservation in place without the queue, as DataJoint
	// for Python leaves every one; the queue's heartbeats reclaim it.)
	env := []string{"DJ_DB_FLUSH=2", "DJ_DB_DIR=" + dir, "DJ_DB_DOWNTIME=2"}
	if generalLog {
		s.genLog = filepath.Join(dir, "general.log")
		env = append(env, "DJ_DB_ARGS=--general-log=1 --general-log-file="+s.genLog)
	}
	s.cfg, s.restart = popPrivateServer(tb, env...)
	tb.Cleanup(func() {
		if tb.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			tb.Logf("the server's error log ends:\n%s", tailLines(string(b), 30))
		}
	})
	s.db = scaleOpen(s.cfg, "")
	tb.Cleanup(func() { s.db.Close() })
	return s
}

// scaleOpen opens a pool on the private server; database, when set, is
// its default database.
func scaleOpen(cfg dj.Config, database string) *sql.DB {
	mc := mysql.NewConfig()
	mc.Net, mc.Addr, mc.User, mc.Passwd, mc.DBName = "tcp", cfg.Host, cfg.User, cfg.Password, database
	mc.ParseTime, mc.Loc, mc.InterpolateParams = true, time.UTC, true
	mc.Timeout = 5 * time.Second
	c, err := mysql.NewConnector(mc)
	if err != nil {
		panic(err) // the configuration above is always valid
	}
	return sql.OpenDB(c)
}

// scaleOptions describes one run.
type scaleOptions struct {
	keys  int           // Source rows, keys to make
	procs int           // worker processes running at any time
	sleep time.Duration // added to each make
	audit bool          // record every make call (Call table)
	args  []string      // further worker flags
	// before runs after the seeding, before the workers start (a queue
	// refresh); its statements are counted.
	before    func(ctx context.Context) error
	kills     int  // worker processes SIGKILLed in the middle of the run
	pyWorkers int  // replays of DataJoint 0.14's populate beside the workers
	pyAborts  int  // replay runs abandoned in the middle of a make
	restart   bool // restart the server once half the keys are made
	// queue runs the workers with -queue: the first to start fills the
	// job queue, all pop their keys from it.
	queue bool
	// stopWhenDone stops the worker processes with SIGTERM once every key
	// is made and, with the queue, none is pending or reserved, instead
	// of waiting for them to exit (finish their lists, or stop polling).
	// The replays always stop once every key is made, between two keys.
	stopWhenDone bool
	timeout      time.Duration
}

// scaleResult is what a run measured.
type scaleResult struct {
	start, allMade, end time.Time
	stopped             time.Time // SIGTERM sent to the workers (stopWhenDone)
	// questions is the number of statements the server received from the
	// worker processes (and before): the server's Questions counter less
	// the harness's and the replays' statements.
	questions    int64
	procsStarted int
	killed       map[int32]bool // pids of SIGKILLed workers and abandoned replays
	restartFrom  time.Time
	restartTo    time.Time
	restartExits int // worker processes that failed while the server was away
	// retried holds the keys (hashes) each process logged a retry of.
	retried      map[int32]map[string]bool
	badExits     []string
	pyRuns       int
	pyMade       int
	pyStatements int64
}

// restarting reports whether t falls in the server's restart, with slack
// for the makes and reconnections around it.
func (r scaleResult) restarting(t time.Time, slack time.Duration) bool {
	if r.restartFrom.IsZero() {
		return false
	}
	to := r.restartTo
	if to.IsZero() {
		to = time.Now() // under way
	}
	return t.After(r.restartFrom.Add(-slack)) && t.Before(to.Add(slack))
}

// scaleProc is a running worker process.
type scaleProc struct {
	cmd      *exec.Cmd
	pid      int32
	stderr   *bytes.Buffer
	err      error
	killed   bool
	termed   bool // stopped with SIGTERM
	exitedAt time.Time
}

// scaleHarness is the state of one run.
type scaleHarness struct {
	tb       testing.TB
	srv      *scaleServer
	schema   string
	o        scaleOptions
	bin      string
	env      []string
	res      scaleResult
	monitor  atomic.Int64 // statements of the harness
	exited   chan *scaleProc
	live     map[int32]*scaleProc
	mu       sync.Mutex // res.killed, res.py*
	pyPid    atomic.Int32
	pyStop   atomic.Bool
	pyErrors atomic.Int64
	pyAbort  chan struct{}
}

// scaleRun seeds o.keys keys in schema and runs the workers until every
// process has exited.
func scaleRun(tb testing.TB, srv *scaleServer, schema string, o scaleOptions) scaleResult {
	tb.Helper()
	if o.timeout == 0 {
		o.timeout = 3 * time.Minute
	}
	h := &scaleHarness{
		tb: tb, srv: srv, schema: schema, o: o, bin: popBuildWorker(tb),
		env:     append(os.Environ(), "DJ_HOST="+srv.cfg.Host, "DJ_USER="+srv.cfg.User, "DJ_PASS="+srv.cfg.Password, "DJ_USE_TLS=false"),
		exited:  make(chan *scaleProc, 1024),
		live:    map[int32]*scaleProc{},
		pyAbort: make(chan struct{}, 1024),
	}
	h.res.killed = map[int32]bool{}
	h.res.retried = map[int32]map[string]bool{}
	h.pyPid.Store(5_000_000) // above any Linux pid
	seed := exec.Command(h.bin, "-schema", schema, "-seed", strconv.Itoa(o.keys))
	seed.Env = h.env
	if out, err := seed.CombinedOutput(); err != nil {
		tb.Fatalf("seed: %v\n%s", err, out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	q0 := h.questions()
	h.res.start = time.Now()
	if o.before != nil {
		if err := o.before(ctx); err != nil {
			tb.Fatalf("before the workers: %v", err)
		}
	}
	for range o.procs {
		h.startProc()
	}
	var pyWG sync.WaitGroup
	for i := range o.pyWorkers {
		pyWG.Add(1)
		go func() {
			defer pyWG.Done()
			h.replayLoop(ctx, i)
		}()
	}
	pyDone := make(chan struct{})
	go func() { pyWG.Wait(); close(pyDone) }()

	events := h.schedule()
	var q1 int64 // Questions before the restart
	workersDone, stopped := false, false
	lastLog := time.Now()
	var idleSince time.Time
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		h.reap()
		made, err := h.made()
		if err == nil && time.Since(lastLog) >= 15*time.Second {
			lastLog = time.Now()
			tb.Logf("%v: %d keys made, %d processes running", time.Since(h.res.start).Round(time.Second), made, len(h.live))
		}
		if err == nil {
			if made >= int64(o.keys) && h.res.allMade.IsZero() {
				h.res.allMade = time.Now()
				tb.Logf("%v: all keys made; %d processes running", h.res.allMade.Sub(h.res.start).Round(time.Millisecond), len(h.live))
				h.pyStop.Store(true)
			}
			// With the queue, workers poll on when no key is pending or
			// reserved but some are missing (failed keys): stop them after
			// a while, and let the checks report.
			if o.queue && h.res.allMade.IsZero() && !stopped && h.drained() {
				if idleSince.IsZero() {
					idleSince = time.Now()
				} else if time.Since(idleSince) > 10*time.Second {
					tb.Logf("%v: nothing pending or reserved, %d keys missing: stopping the workers", time.Since(h.res.start).Round(time.Second), int64(o.keys)-made)
					h.res.allMade = time.Now()
				}
			} else {
				idleSince = time.Time{}
			}
			if o.stopWhenDone && !h.res.allMade.IsZero() && !stopped && h.drained() {
				stopped = true
				h.res.stopped = time.Now()
				for _, p := range h.live {
					p.termed = true
					_ = p.cmd.Process.Signal(syscall.SIGTERM)
				}
			}
			for len(events) > 0 && made >= int64(events[0].frac*float64(o.keys)) {
				ev := events[0]
				events = events[1:]
				switch ev.kind {
				case "kill":
					h.killOne()
				case "abort":
					h.pyAbort <- struct{}{}
				case "restart":
					q1 = h.questions()
					h.res.restartFrom = time.Now()
					srv.restart()
					h.res.restartTo = time.Now()
					tb.Logf("%v: restarted the server in %v", h.res.restartFrom.Sub(h.res.start).Round(time.Millisecond), h.res.restartTo.Sub(h.res.restartFrom).Round(time.Millisecond))
				}
			}
		}
		if len(h.live) == 0 && !workersDone {
			workersDone = true
			tb.Logf("%v: every worker process has exited", time.Since(h.res.start).Round(time.Millisecond))
		}
		select {
		case <-pyDone:
			if len(h.live) == 0 {
				h.res.end = time.Now()
				goto done
			}
		default:
		}
		if time.Since(h.res.start) > o.timeout {
			running := len(h.live)
			h.dump()
			h.stopAll()
			tb.Fatalf("the run did not end in %v: %d keys made, %d processes running", o.timeout, made, running)
		}
		<-tick.C
	}
done:
	q2 := h.questions()
	if h.res.restartFrom.IsZero() {
		h.res.questions = q2 - q0
	} else {
		// The counter starts again from zero with the server.
		h.res.questions = q1 - q0 + q2
	}
	h.res.questions -= h.monitor.Load() + h.res.pyStatements
	return h.res
}

// scaleEvent is a disturbance, due once frac of the keys are made.
type scaleEvent struct {
	frac float64
	kind string // kill, abort (a replay) or restart
}

// schedule spreads the kills and replay aborts over 5%..90% of the run,
// and puts the restart at half of it.
func (h *scaleHarness) schedule() []scaleEvent {
	var kinds []string
	for range h.o.kills {
		kinds = append(kinds, "kill")
	}
	for range h.o.pyAborts {
		kinds = append(kinds, "abort")
	}
	rand.Shuffle(len(kinds), func(i, j int) { kinds[i], kinds[j] = kinds[j], kinds[i] })
	var ev []scaleEvent
	for i, k := range kinds {
		ev = append(ev, scaleEvent{0.05 + 0.85*(float64(i)+0.5)/float64(len(kinds)), k})
	}
	if h.o.restart {
		ev = append(ev, scaleEvent{0.5, "restart"})
	}
	slices.SortStableFunc(ev, func(a, b scaleEvent) int {
		switch {
		case a.frac < b.frac:
			return -1
		case a.frac > b.frac:
			return 1
		}
		return 0
	})
	return ev
}

// scalar runs a harness query on the private server.
func (h *scaleHarness) scalar(q string, args ...any) (int64, error) {
	h.monitor.Add(1)
	var n int64
	err := h.srv.db.QueryRow(q, args...).Scan(&n)
	return n, err
}

// questions reads the server's Questions counter.
func (h *scaleHarness) questions() int64 {
	n, err := h.scalar("SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME='QUESTIONS'")
	if err != nil {
		h.tb.Fatalf("Questions: %v", err)
	}
	return n
}

// drained reports whether the queue (with o.queue) has no key pending or
// reserved.
func (h *scaleHarness) drained() bool {
	if !h.o.queue {
		return true
	}
	n, err := h.scalar("SELECT COUNT(*) FROM `" + h.schema + "`.`~queue` WHERE `status` IN ('pending','reserved')")
	return err == nil && n == 0
}

func (h *scaleHarness) made() (int64, error) {
	return h.scalar("SELECT COUNT(*) FROM `" + h.schema + "`.`__square`")
}

// startProc starts a worker process.
func (h *scaleHarness) startProc() {
	args := []string{"-schema", h.schema, "-workers", "1", "-progress-every", "1h"}
	if h.o.sleep > 0 {
		args = append(args, "-sleep", h.o.sleep.String())
	}
	if h.o.audit {
		args = append(args, "-audit")
	}
	if h.o.queue {
		args = append(args, "-queue")
	}
	args = append(args, h.o.args...)
	cmd := exec.Command(h.bin, args...)
	cmd.Env = h.env
	p := &scaleProc{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		h.tb.Fatalf("start worker: %v", err)
	}
	p.pid = int32(cmd.Process.Pid)
	h.live[p.pid] = p
	h.res.procsStarted++
	go func() {
		p.err = cmd.Wait()
		p.exitedAt = time.Now()
		h.exited <- p
	}()
}

// retriedRe finds the key hash in a worker's log record of a retry.
var retriedRe = regexp.MustCompile(`msg="dj: populate key retried".* key_hash=([0-9a-f]{32})`)

// reap handles the processes that exited: one that failed is replaced,
// as a scheduler retries a failed task; it counts as a bad exit unless the
// server was restarting.
func (h *scaleHarness) reap() {
	for {
		select {
		case p := <-h.exited:
			h.exitedProc(p)
		default:
			return
		}
	}
}

func (h *scaleHarness) exitedProc(p *scaleProc) {
	delete(h.live, p.pid)
	for _, line := range strings.Split(p.stderr.String(), "\n") {
		if m := retriedRe.FindStringSubmatch(line); m != nil {
			if h.res.retried[p.pid] == nil {
				h.res.retried[p.pid] = map[string]bool{}
			}
			h.res.retried[p.pid][m[1]] = true
		}
	}
	if p.killed || p.err == nil {
		return
	}
	if p.termed {
		h.res.badExits = append(h.res.badExits, fmt.Sprintf("worker %d stopped with SIGTERM: %v\n%s", p.pid, p.err, tailLines(p.stderr.String(), 20)))
		return
	}
	if h.res.restarting(p.exitedAt, 5*time.Second) {
		// While the server is away a worker that is starting, or
		// starting a round, cannot connect.
		h.res.restartExits++
		h.tb.Logf("worker %d failed around the restart (replaced): %v\n%s", p.pid, p.err, tailLines(p.stderr.String(), 5))
	} else {
		h.res.badExits = append(h.res.badExits, fmt.Sprintf("worker %d: %v\n%s", p.pid, p.err, tailLines(p.stderr.String(), 20)))
	}
	h.startProc()
}

// killOne SIGKILLs a random worker process, waits until the server has
// dropped its connections (so its reservations count as stale) and
// starts a replacement.
func (h *scaleHarness) killOne() {
	pids := make([]int32, 0, len(h.live))
	for pid := range h.live {
		pids = append(pids, pid)
	}
	if len(pids) == 0 {
		return
	}
	slices.Sort(pids)
	p := h.live[pids[rand.IntN(len(pids))]]
	p.killed = true
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	for {
		q := <-h.exited
		h.exitedProc(q)
		if q == p {
			break
		}
	}
	h.mu.Lock()
	h.res.killed[p.pid] = true
	h.mu.Unlock()
	h.waitGone(p.pid)
	h.startProc()
}

// waitGone waits until no reservation of process pid belongs to an open
// connection.
func (h *scaleHarness) waitGone(pid int32) {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		n, err := h.scalar("SELECT COUNT(*) FROM `"+h.schema+"`.`~jobs` j JOIN information_schema.PROCESSLIST p ON p.ID=j.connection_id WHERE j.pid=?", pid)
		if err == nil && n == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	h.tb.Errorf("the connections of killed process %d stay open", pid)
}

// dump logs what the server and the workers are doing.
func (h *scaleHarness) dump() {
	queries := []string{
		"SELECT CONCAT_WS(' | ', ID, COMMAND, TIME, STATE, LEFT(INFO, 200)) FROM information_schema.PROCESSLIST WHERE COMMAND<>'Sleep'",
		"SELECT CONCAT_WS(' | ', table_name, key_hash, status, host, pid, connection_id, timestamp, LEFT(error_message, 200)) FROM `" + h.schema + "`.`~jobs`",
		"SELECT CONCAT_WS(' | ', trx_mysql_thread_id, trx_state, trx_started, trx_rows_locked, LEFT(trx_query, 200)) FROM information_schema.INNODB_TRX",
	}
	if h.o.queue {
		qt := "`" + h.schema + "`.`~queue`"
		queries = append(queries,
			"SELECT CONCAT_WS(' | ', `status`, COUNT(*)) FROM "+qt+" GROUP BY `status`",
			"SELECT CONCAT_WS(' | ', id, `key`, `status`, token, host, pid, connection_id, attempts, reserved_at, heartbeat, finished_at, LEFT(error_message, 200)) FROM "+qt+
				" q WHERE `status` NOT IN ('done','refresh') OR (`status`='done' AND NOT EXISTS (SELECT 1 FROM `"+h.schema+"`.`__square` s WHERE s.id=JSON_VALUE(q.`key`, '$.id')))")
	}
	for _, q := range queries {
		rows, err := h.srv.db.Query(q)
		if err != nil {
			h.tb.Logf("%s: %v", q, err)
			continue
		}
		var lines []string
		for rows.Next() {
			var s sql.NullString
			if err := rows.Scan(&s); err != nil {
				lines = append(lines, err.Error())
			}
			lines = append(lines, s.String)
		}
		if err := rows.Err(); err != nil {
			lines = append(lines, err.Error())
		}
		rows.Close()
		h.tb.Logf("%s:\n%s", q, strings.Join(lines[:min(len(lines), 40)], "\n"))
	}
	i := 0
	for pid, p := range h.live {
		if i++; i > 3 {
			break
		}
		h.tb.Logf("worker %d:\n%s", pid, tailLines(p.stderr.String(), 15))
	}
}

// stopAll kills every process (the run is abandoned).
func (h *scaleHarness) stopAll() {
	for _, p := range h.live {
		p.killed = true
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
	}
	for len(h.live) > 0 {
		h.exitedProc(<-h.exited)
	}
}

// tailLines is the last n lines of s.
func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
