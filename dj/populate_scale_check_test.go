package dj_test

import (
	"bufio"
	"crypto/md5"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// scaleProblems lists what shows that run r did not make every key
// exactly once: a key without its one Square row with the right value and
// digits, a ~jobs row left, a worker that failed, or a make call besides
// the one that committed that neither a SIGKILL (at most one key per
// killed process), the server restart (at most one call per worker) nor a
// retry the worker logged explains. A key made by two live workers shows
// as such a call even though the target's primary key refused the second
// row. It also returns a summary of the calls.
func scaleProblems(t testing.TB, srv *scaleServer, schema string, o scaleOptions, r scaleResult) (problems []string, summary string) {
	t.Helper()
	db := srv.db
	q := "`" + schema + "`."
	var rows, distinct, lo, hi, wrong, py int64
	if err := db.QueryRow("SELECT COUNT(*), COUNT(DISTINCT id), COALESCE(MIN(id),-1), COALESCE(MAX(id),-1), COALESCE(SUM(value<>id*id),0), COALESCE(SUM(host='py014-replay'),0) FROM "+q+"`__square`").Scan(&rows, &distinct, &lo, &hi, &wrong, &py); err != nil {
		t.Fatal(err)
	}
	n := int64(o.keys)
	if rows != n || distinct != n || lo != 0 || hi != n-1 {
		problems = appendf(problems, "Square has %d rows, %d distinct keys from %d to %d; want the %d keys 0..%d", rows, distinct, lo, hi, n, n-1)
	}
	if wrong != 0 {
		problems = appendf(problems, "%d rows with a wrong value", wrong)
	}
	if o.pyWorkers > 0 && py == 0 {
		problems = appendf(problems, "the DataJoint 0.14 replays made no key: they did not run beside the workers")
	}
	var digits int64
	for i := range n {
		digits += int64(len(strconv.FormatInt(i*i, 10)))
	}
	var parts, badMasters int64
	if err := db.QueryRow("SELECT COUNT(*) FROM " + q + "`__square__digit`").Scan(&parts); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("SELECT COUNT(*) FROM " + q + "`__square` s WHERE (SELECT COUNT(*) FROM " + q + "`__square__digit` d WHERE d.id=s.id) <> LENGTH(CAST(s.value AS CHAR))").Scan(&badMasters); err != nil {
		t.Fatal(err)
	}
	if parts != digits || badMasters != 0 {
		problems = appendf(problems, "%d part rows (want %d), %d masters without exactly their digits", parts, digits, badMasters)
	}
	var jobs int64
	if err := db.QueryRow("SELECT COUNT(*) FROM " + q + "`~jobs`").Scan(&jobs); err != nil {
		t.Fatal(err)
	}
	if jobs != 0 {
		problems = appendf(problems, "%d ~jobs rows left", jobs)
	}
	for _, e := range r.badExits {
		problems = appendf(problems, "a worker failed outside the restart: %s", e)
	}
	if o.audit {
		p, sum := scaleCallProblems(t, srv, schema, o, r)
		problems, summary = append(problems, p...), sum
	}
	return problems, summary
}

func appendf(list []string, format string, args ...any) []string {
	return append(list, fmt.Sprintf(format, args...))
}

// scaleCallProblems compares the make calls (Call) with the makes that
// committed (Square.pid).
func scaleCallProblems(t testing.TB, srv *scaleServer, schema string, o scaleOptions, r scaleResult) (problems []string, summary string) {
	t.Helper()
	q := "`" + schema + "`."
	maker := map[int32]int32{}
	rs, err := srv.db.Query("SELECT id, pid FROM " + q + "`__square`")
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		var id, pid int32
		if err := rs.Scan(&id, &pid); err != nil {
			t.Fatal(err)
		}
		maker[id] = pid
	}
	rs.Close()
	rs, err = srv.db.Query("SELECT id, pid, nanos FROM " + q + "`call` ORDER BY id, nanos")
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	calls := 0
	own := map[int32]int{}            // calls of each key by its maker
	killedKeys := map[int32][]int32{} // keys of extra calls by killed processes
	restartExtra, retries := 0, 0
	var unexplained []string
	for rs.Next() {
		var id, pid int32
		var nanos int64
		if err := rs.Scan(&id, &pid, &nanos); err != nil {
			t.Fatal(err)
		}
		calls++
		at := time.Unix(0, nanos)
		switch {
		case pid == maker[id]:
			own[id]++
			if own[id] > 1 {
				retries++
				if !r.retried[pid][fmt.Sprintf("%x", md5.Sum([]byte(strconv.Itoa(int(id)))))] {
					unexplained = append(unexplained, "key "+strconv.Itoa(int(id))+" twice by process "+strconv.Itoa(int(pid))+", which logged no retry of it")
				}
			}
		case r.killed[pid]:
			killedKeys[pid] = append(killedKeys[pid], id)
		case r.restarting(at, 5*time.Second):
			restartExtra++
		default:
			unexplained = append(unexplained, "key "+strconv.Itoa(int(id))+" by process "+strconv.Itoa(int(pid))+" (made by "+strconv.Itoa(int(maker[id]))+") at "+at.UTC().Format("15:04:05.000"))
		}
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	for id := range maker {
		if own[id] == 0 {
			problems = appendf(problems, "key %d: no make call by process %d, which made it", id, maker[id])
		}
	}
	for pid, keys := range killedKeys {
		distinct := map[int32]bool{}
		for _, k := range keys {
			distinct[k] = true
		}
		if len(distinct) > 1 {
			problems = appendf(problems, "killed process %d called make on %d keys that others made: %v", pid, len(distinct), keys)
		}
	}
	if max := o.procs + o.pyWorkers; restartExtra > max {
		problems = appendf(problems, "%d extra make calls during the restart, more than the %d workers", restartExtra, max)
	}
	if len(unexplained) > 0 {
		problems = appendf(problems, "%d make calls of keys made by another live worker or made twice: %s", len(unexplained), strings.Join(unexplained[:min(len(unexplained), 10)], "; "))
	}
	return problems, fmt.Sprintf("%d make calls for %d keys: %d by killed workers, %d interrupted by the restart, %d retries by the maker", calls, o.keys, len(killedKeys), restartExtra, retries)
}

// scaleKeySourceReads counts, in the server's general query log, the
// statements of the workers (not the replays) that read the key source:
// the SELECTs (and INSERT ... SELECTs) from the schema's Source table.
func scaleKeySourceReads(t testing.TB, srv *scaleServer, schema string) int {
	t.Helper()
	f, err := os.Open(srv.genLog)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	from := "FROM `" + schema + "`.`source`"
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		_, stmt, ok := strings.Cut(sc.Text(), "Query\t")
		if !ok || strings.Contains(stmt, "dj 0.14 replay") || !strings.Contains(stmt, from) {
			continue
		}
		if verb, _, _ := strings.Cut(stmt, " "); slices.Contains([]string{"SELECT", "INSERT", "REPLACE"}, strings.ToUpper(verb)) {
			n++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// scaleQueueProblems reports a queue that did not end empty: every key
// done, none pending, reserved or failed.
func scaleQueueProblems(t testing.TB, srv *scaleServer, schema string, o scaleOptions) []string {
	t.Helper()
	rows, err := srv.db.Query("SELECT `status`, COUNT(*) FROM `" + schema + "`.`~queue` WHERE `status`<>'refresh' GROUP BY `status`")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	by := map[string]int64{}
	for rows.Next() {
		var st string
		var n int64
		if err := rows.Scan(&st, &n); err != nil {
			t.Fatal(err)
		}
		by[st] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if by["done"] == int64(o.keys) && len(by) == 1 {
		return nil
	}
	problem := fmt.Sprintf("queue rows by status: %v; want %d done and nothing else", by, o.keys)
	rest, err := srv.db.Query("SELECT CONCAT(`key`, ' ', `status`, ' after ', `attempts`, ' attempts: ', `error_message`) FROM `" + schema + "`.`~queue` WHERE `status` NOT IN ('done','refresh') LIMIT 5")
	if err != nil {
		t.Fatal(err)
	}
	defer rest.Close()
	for rest.Next() {
		var line string
		if err := rest.Scan(&line); err != nil {
			t.Fatal(err)
		}
		problem += "\n\t" + line
	}
	return []string{problem}
}
