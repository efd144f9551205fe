package dj_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestPopulateScale runs 32 worker processes of examples/worker over
// 20,000 keys (a make of a 2 ms sleep and an insert) on a private server,
// SIGKILLs 8 of them at random moments (each replaced by a new process),
// restarts the server when half the keys are made, and runs two replays
// of DataJoint for Python 0.14's populate(reserve_jobs=True) beside them,
// two of whose runs are abandoned in a make; once without the job queue
// (each worker evaluates the key source) and once with it (the first
// worker fills the queue, all pop from it, polling while it is empty).
// Every key is made exactly once, no key is lost, no reservation is left
// and the queue ends empty; with the queue, the key source is read once,
// not once per worker, the server receives fewer queries per key, and the
// keys are made at least 0.9 times as fast.
func TestPopulateScale(t *testing.T) {
	srv := newScaleServer(t, true)
	base := scaleOptions{keys: 20000, procs: 32, sleep: 2 * time.Millisecond, audit: true,
		kills: 8, pyWorkers: 2, pyAborts: 2, restart: true, stopWhenDone: true}
	type mode struct {
		name  string
		o     scaleOptions
		r     scaleResult
		reads int
	}
	off, on := base, base
	on.queue = true
	on.args = []string{"-heartbeat", "250ms", "-heartbeat-timeout", "3s", "-poll", "100ms", "-max-poll", "1s"}
	modes := []*mode{{name: "off", o: off}, {name: "on", o: on}}
	for _, m := range modes {
		t.Run("queue="+m.name, func(t *testing.T) {
			schema := "q17b_scale_" + m.name
			m.r = scaleRun(t, srv, schema, m.o)
			problems, summary := scaleProblems(t, srv, schema, m.o, m.r)
			if m.o.queue {
				problems = append(problems, scaleQueueProblems(t, srv, schema, m.o)...)
			}
			for _, p := range problems {
				t.Error(p)
			}
			t.Log(summary)
			m.reads = scaleKeySourceReads(t, srv, schema)
			if !m.o.queue && !t.Failed() {
				scaleControl(t, srv, schema, m.o, m.r)
			}
			t.Logf("queue %s: all %d keys made in %v (%.0f keys/s), workers stopped after %v; %.1f server queries per key; %d key-source reads; %d processes started, %d killed, %d failed during the restart; replays: %d runs made %d keys",
				m.name, m.o.keys, m.r.allMade.Sub(m.r.start).Round(time.Millisecond), scaleRate(m.o, m.r), m.r.end.Sub(m.r.start).Round(time.Millisecond),
				scalePerKey(m.o, m.r), m.reads, m.r.procsStarted, len(m.r.killed), m.r.restartExits, m.r.pyRuns, m.r.pyMade)
		})
	}
	a, b := modes[0], modes[1]
	if t.Failed() || a.r.end.IsZero() || b.r.end.IsZero() {
		return // a mode failed or did not run (-run selected one)
	}
	if a.reads < a.o.procs {
		t.Errorf("without the queue the key source was read %d times by %d workers: the count misses reads", a.reads, a.o.procs)
	}
	if b.reads != 1 {
		t.Errorf("with the queue the key source was read %d times, want once (one refresh)", b.reads)
	}
	if scalePerKey(b.o, b.r) >= scalePerKey(a.o, a.r) {
		t.Errorf("server queries per key: %.1f with the queue, %.1f without", scalePerKey(b.o, b.r), scalePerKey(a.o, a.r))
	}
	ratio := scaleRate(b.o, b.r) / scaleRate(a.o, a.r)
	if ratio < 0.9 {
		t.Errorf("with the queue %.0f keys/s, without it %.0f: %.2f×, want at least 0.9×", scaleRate(b.o, b.r), scaleRate(a.o, a.r), ratio)
	}
	t.Logf("with the queue: %.2f× the keys/s, %.2f× the queries per key, key source read %d times instead of %d", ratio, scalePerKey(b.o, b.r)/scalePerKey(a.o, a.r), b.reads, a.reads)
}

// scaleRate is the keys made per second until the last was made.
func scaleRate(o scaleOptions, r scaleResult) float64 {
	return float64(o.keys) / r.allMade.Sub(r.start).Seconds()
}

// scalePerKey is the statements the server received per key.
func scalePerKey(o scaleOptions, r scaleResult) float64 {
	return float64(r.questions) / float64(o.keys)
}

// scaleControl shows that the checks see what they look for: after a run
// that passed, it adds a make call of a made key by a live worker that
// did not make it, removes a made key and leaves a reservation, and
// expects each reported.
func scaleControl(t *testing.T, srv *scaleServer, schema string, o scaleOptions, r scaleResult) {
	q := "`" + schema + "`."
	// A worker process that was not killed, and a key another made.
	rows, err := srv.db.Query("SELECT DISTINCT pid FROM " + q + "`__square` WHERE host<>'py014-replay'")
	if err != nil {
		t.Fatal(err)
	}
	var pid int32
	for rows.Next() {
		var p int32
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		if !r.killed[p] {
			pid = p
		}
	}
	rows.Close()
	if pid == 0 {
		t.Fatal("no worker that was not killed made a key")
	}
	var id int32
	if err := srv.db.QueryRow("SELECT MIN(id) FROM "+q+"`__square` WHERE pid<>?", pid).Scan(&id); err != nil {
		t.Fatal(err)
	}
	other := (id + 1) % int32(o.keys)
	for _, stmt := range []string{
		fmt.Sprintf("INSERT INTO %s`call` (id, pid, nanos) VALUES (%d, %d, %d)", q, id, pid, r.allMade.UnixNano()),
		fmt.Sprintf("DELETE FROM %s`__square__digit` WHERE id=%d", q, other),
		fmt.Sprintf("DELETE FROM %s`__square` WHERE id=%d", q, other),
		fmt.Sprintf("INSERT INTO %s`~jobs` (table_name, key_hash, status, host, pid, connection_id, user) VALUES ('__square', 'control', 'reserved', 'h', 1, 1, 'u')", q),
	} {
		if _, err := srv.db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	problems, _ := scaleProblems(t, srv, schema, o, r)
	all := strings.Join(problems, "\n")
	for _, want := range []string{
		fmt.Sprintf("key %d by process %d", id, pid),
		fmt.Sprintf("Square has %d rows", o.keys-1),
		"1 ~jobs rows left",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the checks missed %q; they reported:\n%s", want, all)
		}
	}
}
