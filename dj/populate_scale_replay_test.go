package dj_test

import (
	"context"
	"crypto/md5"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/datajoint-go/datajoint/dj/blob"
)

// The replays of DataJoint for Python 0.14's populate that the scale
// harness runs beside the worker processes.

// errAborted ends a replay run that the harness abandons in a make.
var errAborted = errors.New("replay abandoned in a make")

// replayLoop runs replays of DataJoint 0.14's populate, each as a new
// Python process would (a new connection, a new pid), until one finds
// nothing left to make. A run that loses its connection (the server
// restart) or is abandoned is followed by another.
func (h *scaleHarness) replayLoop(ctx context.Context, worker int) {
	for ctx.Err() == nil {
		pid := h.pyPid.Add(1)
		made, err := h.replayRun(ctx, pid)
		h.mu.Lock()
		h.res.pyRuns++
		h.res.pyMade += made
		if errors.Is(err, errAborted) {
			h.res.killed[pid] = true
		}
		h.mu.Unlock()
		if err == nil && made == 0 || h.pyStop.Load() {
			return
		}
		var me *mysql.MySQLError
		if err != nil && !errors.Is(err, errAborted) && !(errors.As(err, &me) && me.Number == 1146) && h.pyErrors.Add(1) <= 5 {
			// 1146: no ~jobs table yet, the Go workers create it.
			h.tb.Logf("replay %d (pid %d): %v", worker, pid, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// replayRun is one populate(reserve_jobs=True, order="random") of
// DataJoint for Python 0.14 on Square, statement by statement: fetch the
// key source less the target, drop the keys ~jobs holds, then per key
// reserve with an INSERT into ~jobs, start a transaction, check the target,
// make (the Square row and its digits), commit, and delete the
// reservation. It returns the keys it made.
func (h *scaleHarness) replayRun(ctx context.Context, pid int32) (made int, err error) {
	db := scaleOpen(h.srv.cfg, h.schema)
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	abandon := func() {
		// The process dies: its connection closes, its transaction rolls
		// back and its reservation stays behind.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	defer conn.Close()
	count := func() { atomic.AddInt64(&h.res.pyStatements, 1) }
	exec := func(q string, args ...any) (sql.Result, error) {
		count()
		return conn.ExecContext(ctx, q, args...)
	}
	var cid int64
	count()
	if err := conn.QueryRowContext(ctx, "SELECT connection_id()").Scan(&cid); err != nil {
		return 0, err
	}
	ids, err := h.replayInts(ctx, conn, "SELECT `id` FROM `source` WHERE ((`id`) not in (SELECT `id` FROM `__square`)) /* dj 0.14 replay */")
	if err != nil {
		return 0, err
	}
	hashes, err := h.replayStrings(ctx, conn, "SELECT `key_hash` FROM `~jobs` WHERE (`table_name`='__square') AND (status in (\"error\", \"ignore\", \"reserved\"))")
	if err != nil {
		return 0, err
	}
	rand.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	for _, id := range ids {
		if h.pyStop.Load() {
			return made, nil
		}
		hash := fmt.Sprintf("%x", md5.Sum([]byte(strconv.FormatInt(id, 10))))
		if hashes[hash] {
			continue
		}
		key, err := blob.Marshal(blob.Dict{{Key: "id", Value: id}})
		if err != nil {
			return made, err
		}
		_, err = exec("INSERT INTO `~jobs` (`table_name`,`key_hash`,`status`,`host`,`pid`,`connection_id`,`key`,`user`) VALUES ('__square',?,'reserved','py014-replay',?,?,?,'djrestart@localhost')", hash, pid, cid, key)
		var me *mysql.MySQLError
		if errors.As(err, &me) && me.Number == 1062 {
			continue
		}
		if err != nil {
			return made, err
		}
		if _, err := exec("START TRANSACTION WITH CONSISTENT SNAPSHOT"); err != nil {
			return made, err
		}
		var n int64
		count()
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM `__square` WHERE (`id`=?)", id).Scan(&n); err != nil {
			return made, err
		}
		if n == 0 {
			if err := h.replayMake(ctx, db, exec, pid, id); err != nil {
				return made, err
			}
			select {
			case <-h.pyAbort:
				abandon()
				return made, errAborted
			default:
			}
			if _, err := exec("COMMIT"); err != nil {
				return made, err
			}
			made++
		} else if _, err := exec("ROLLBACK"); err != nil {
			return made, err
		}
		if _, err := exec("DELETE FROM `~jobs` WHERE (`table_name`='__square') AND (`key_hash`=?)", hash); err != nil {
			return made, err
		}
	}
	return made, nil
}

// replayMake is the make of the replay: it records the call (on another
// connection, outside the transaction) and inserts the Square row and its
// digits.
func (h *scaleHarness) replayMake(ctx context.Context, db *sql.DB, exec func(string, ...any) (sql.Result, error), pid int32, id int64) error {
	atomic.AddInt64(&h.res.pyStatements, 1)
	if _, err := db.ExecContext(ctx, "INSERT INTO `call` (`id`,`pid`,`nanos`) VALUES (?,?,?)", id, pid, time.Now().UnixNano()); err != nil {
		return err
	}
	v := id * id
	if _, err := exec("INSERT INTO `__square` (`id`,`value`,`host`,`pid`) VALUES (?,?,'py014-replay',?)", id, v, pid); err != nil {
		return err
	}
	digits := strconv.FormatInt(v, 10)
	var b strings.Builder
	args := make([]any, 0, 3*len(digits))
	for i, d := range digits {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?)")
		args = append(args, id, i, int(d-'0'))
	}
	if _, err := exec("INSERT INTO `__square__digit` (`id`,`position`,`digit`) VALUES "+b.String(), args...); err != nil {
		return err
	}
	if h.o.sleep > 0 {
		time.Sleep(h.o.sleep)
	}
	return nil
}

func (h *scaleHarness) replayInts(ctx context.Context, conn *sql.Conn, q string) ([]int64, error) {
	atomic.AddInt64(&h.res.pyStatements, 1)
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (h *scaleHarness) replayStrings(ctx context.Context, conn *sql.Conn, q string) (map[string]bool, error) {
	atomic.AddInt64(&h.res.pyStatements, 1)
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out[v] = true
	}
	return out, rows.Err()
}
