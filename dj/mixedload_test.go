package dj_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// The mixed-load pipeline: subjects of a shared lab, their sessions, and
// scans of sessions (a master) with frames (its part).

type MlLab struct {
	dj.Lookup `comment:"lab"`
	Lab       string `dj:"pk,type=varchar(16)"`
}

func (MlLab) Contents() []MlLab { return []MlLab{{Lab: "north"}, {Lab: "south"}} }

type MlSubject struct {
	dj.Manual `comment:"subject"`
	SubjectID int32 `dj:"pk"`
	LabRef    dj.Ref[MlLab]
	Lab       string `dj:"type=varchar(16)"`
	Weight    float64
}

type MlSession struct {
	dj.Manual `comment:"session"`
	Subject   dj.Ref[MlSubject] `dj:"pk"`
	SubjectID int32             `dj:"pk"`
	SessionID int16             `dj:"pk"`
	Notes     string            `dj:"type=varchar(64)"`
}

type MlScan struct {
	dj.Manual `comment:"scan"`
	Session   dj.Ref[MlSession] `dj:"pk"`
	SubjectID int32             `dj:"pk"`
	SessionID int16             `dj:"pk"`
	ScanID    int16             `dj:"pk"`
	Depth     float64
}

type MlScanFrame struct {
	dj.Part[MlScan] `comment:"frame of a scan"`
	SubjectID       int32 `dj:"pk"`
	SessionID       int16 `dj:"pk"`
	ScanID          int16 `dj:"pk"`
	Frame           int16 `dj:"pk"`
	Value           float64
}

// MlLabCount counts, per lab, the "update labs" operations: every one
// adds 1 to both labs in random order, which makes concurrent ones
// deadlock.
type MlLabCount struct {
	dj.Manual `comment:"lab counter"`
	LabRef    dj.Ref[MlLab] `dj:"pk"`
	Lab       string        `dj:"pk,type=varchar(16)"`
	N         int64
}

const mlFrames = 4 // frames per scan

// mlLedger is what one worker knows it stored: every row of the subjects
// it owns. Only that worker changes them, so after each successful
// operation the database must match it exactly.
type mlLedger struct {
	subjects map[int32]*mlSubject
}

type mlSubject struct {
	weight      float64
	nextSession int16
	sessions    map[int16]*mlSession
}

type mlSession struct {
	nextScan int16
	scans    map[int16]bool
}

// mlStats collects the latencies and retries of one kind of operation.
type mlStats struct {
	mu       sync.Mutex
	lat      []time.Duration
	retries  int64
	intended int64 // conflicts provoked on purpose (duplicates)
	failures []error
}

func (s *mlStats) add(d time.Duration, retries int64, err error, intended bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lat = append(s.lat, d)
	s.retries += retries
	switch {
	case intended:
		s.intended++
	case err != nil:
		s.failures = append(s.failures, err)
	}
}

// TestMixedLoad runs 16 workers for a bounded time (DJ_TEST_LONG=1: 60 s)
// that insert, fetch, update and delete related rows, with cascades, on one
// connection pool. Every operation must succeed (deadlocks and lock waits
// are absorbed by retries), except duplicates provoked on purpose, and at
// the end the database must hold exactly the rows the workers' ledgers
// list, with no orphan.
func TestMixedLoad(t *testing.T) {
	const workers = 16
	dur := 9 * time.Second
	if os.Getenv("DJ_TEST_LONG") == "1" {
		dur = 60 * time.Second
	}
	srv := testenv.MySQL(t)
	counter := &retryCounter{}
	ctx := context.Background()
	c, err := dj.Connect(ctx, dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass, Logger: slog.New(counter)})
	must(t, err)
	defer c.Close()
	s, err := c.Schema(ctx, testenv.Database(t))
	must(t, err)
	must(t, s.Declare(ctx, MlLab{}, MlSubject{}, MlSession{}, MlScan{}, MlScanFrame{}, MlLabCount{}))
	must(t, dj.Insert(ctx, c, []MlLabCount{{Lab: "north"}, {Lab: "south"}}))

	ops := []string{"insert subject", "insert sessions", "insert scan+frames", "fetch", "update", "update labs", "delete session", "delete subject", "duplicate"}
	stats := map[string]*mlStats{}
	for _, op := range ops {
		stats[op] = &mlStats{}
	}
	ledgers := make([]*mlLedger, workers)
	deadline := time.Now().Add(dur)
	var wg sync.WaitGroup
	var mismatches, labUpdates atomic.Int64
	for w := range workers {
		ledgers[w] = &mlLedger{subjects: map[int32]*mlSubject{}}
		wg.Add(1)
		go func() {
			defer wg.Done()
			mlWorker(ctx, t, c, int32(w), ledgers[w], stats, deadline, &mismatches, &labUpdates)
		}()
	}
	wg.Wait()

	// Latency summary.
	var b strings.Builder
	fmt.Fprintf(&b, "%d workers, %s, %d retries logged in all\n", workers, dur, counter.n.Load())
	fmt.Fprintf(&b, "%-20s %7s %9s %9s %9s %8s %8s %8s\n", "operation", "count", "p50", "p95", "max", "retries", "intended", "failed")
	failed := 0
	for _, op := range ops {
		st := stats[op]
		lat := slices.Clone(st.lat)
		slices.Sort(lat)
		q := func(p float64) time.Duration {
			if len(lat) == 0 {
				return 0
			}
			return lat[min(len(lat)-1, int(p*float64(len(lat))))]
		}
		fmt.Fprintf(&b, "%-20s %7d %9s %9s %9s %8d %8d %8d\n", op, len(lat), q(0.5).Round(10*time.Microsecond),
			q(0.95).Round(10*time.Microsecond), q(1).Round(10*time.Microsecond), st.retries, st.intended, len(st.failures))
		failed += len(st.failures)
		for i, err := range st.failures {
			if i == 3 {
				break
			}
			t.Errorf("%s failed: %v", op, err)
		}
	}
	t.Log("\n" + b.String())
	if failed > 0 {
		t.Errorf("%d operations failed", failed)
	}
	if n := mismatches.Load(); n > 0 {
		t.Errorf("%d fetches did not match the ledger", n)
	}
	if stats["insert scan+frames"].lat == nil || stats["delete subject"].lat == nil {
		t.Fatal("the workers ran no inserts or deletes")
	}
	mlCheckInvariants(t, c, ledgers)
	counts, err := dj.Fetch[MlLabCount](ctx, c, dj.From[MlLabCount](c))
	must(t, err)
	for _, lc := range counts {
		if lc.N != labUpdates.Load() {
			t.Errorf("lab %s counted %d updates, %d succeeded", lc.Lab, lc.N, labUpdates.Load())
		}
	}
}

// mlWorker runs random operations on the subjects it owns until deadline.
func mlWorker(ctx context.Context, t *testing.T, c *dj.Conn, w int32, l *mlLedger, stats map[string]*mlStats, deadline time.Time, mismatches, labUpdates *atomic.Int64) {
	rng := rand.New(rand.NewPCG(uint64(w), 42))
	lt, err := dj.TableOf[MlLabCount](c)
	if err != nil {
		t.Error(err)
		return
	}
	labTable := lt.FullName()
	next := w * 1_000_000 // subject ids of this worker
	anySubject := func() (int32, *mlSubject) {
		ids := make([]int32, 0, len(l.subjects))
		for id := range l.subjects {
			ids = append(ids, id)
		}
		if len(ids) == 0 {
			return 0, nil
		}
		slices.Sort(ids)
		id := ids[rng.IntN(len(ids))]
		return id, l.subjects[id]
	}
	for time.Now().Before(deadline) {
		var op string
		var fn func(ctx context.Context) (intended bool, err error)
		id, sub := anySubject()
		switch r := rng.IntN(100); {
		case sub == nil || r < 12:
			op = "insert subject"
			next++
			nid := next
			lab := []string{"north", "south"}[rng.IntN(2)]
			fn = func(ctx context.Context) (bool, error) {
				err := dj.Insert1(ctx, c, MlSubject{SubjectID: nid, Lab: lab, Weight: 20})
				if err == nil {
					l.subjects[nid] = &mlSubject{weight: 20, sessions: map[int16]*mlSession{}}
				}
				return false, err
			}
		case r < 30:
			op = "insert sessions"
			base := sub.nextSession + 1
			fn = func(ctx context.Context) (bool, error) {
				rows := []MlSession{{SubjectID: id, SessionID: base, Notes: "a"}, {SubjectID: id, SessionID: base + 1, Notes: "b"}, {SubjectID: id, SessionID: base + 2, Notes: "c"}}
				// One statement per row: dj runs them in one transaction.
				err := dj.Insert(ctx, c, rows, dj.BatchRows(1))
				if err == nil {
					for _, r := range rows {
						sub.sessions[r.SessionID] = &mlSession{scans: map[int16]bool{}}
					}
					sub.nextSession = base + 2
				}
				return false, err
			}
		case r < 48:
			op = "insert scan+frames"
			sess := mlPick(rng, sub.sessions)
			if sess < 0 {
				continue
			}
			ses := sub.sessions[sess]
			scan := ses.nextScan + 1
			fn = func(ctx context.Context) (bool, error) {
				err := c.Tx(ctx, func(ctx context.Context, tx *dj.Tx) error {
					if err := dj.Insert1(ctx, tx, MlScan{SubjectID: id, SessionID: sess, ScanID: scan, Depth: 1.5}); err != nil {
						return err
					}
					frames := make([]MlScanFrame, mlFrames)
					for i := range frames {
						frames[i] = MlScanFrame{SubjectID: id, SessionID: sess, ScanID: scan, Frame: int16(i), Value: float64(i)}
					}
					return dj.Insert(ctx, tx, frames)
				}, dj.RetryConflicts(10))
				if err == nil {
					ses.scans[scan] = true
					ses.nextScan = scan
				}
				return false, err
			}
		case r < 62:
			op = "fetch"
			fn = func(ctx context.Context) (bool, error) {
				got, err := dj.Fetch[MlSession](ctx, c, dj.From[MlSession](c).Restrict(dj.Match(dj.Key{"subject_id": id})))
				if err != nil {
					return false, err
				}
				frames, err := dj.Count(ctx, c, dj.From[MlScanFrame](c).Restrict(dj.Match(dj.Key{"subject_id": id})))
				if err != nil {
					return false, err
				}
				want := 0
				for _, ses := range sub.sessions {
					want += len(ses.scans) * mlFrames
				}
				if len(got) != len(sub.sessions) || frames != int64(want) {
					mismatches.Add(1)
					t.Errorf("worker %d: subject %d has %d sessions and %d frames, the ledger %d and %d", w, id, len(got), frames, len(sub.sessions), want)
				}
				return false, nil
			}
		case r < 68:
			op = "update labs"
			labs := []string{"north", "south"}
			if rng.IntN(2) == 0 {
				labs[0], labs[1] = labs[1], labs[0]
			}
			fn = func(ctx context.Context) (bool, error) {
				err := c.Tx(ctx, func(ctx context.Context, tx *dj.Tx) error {
					for _, lab := range labs {
						if _, err := tx.ExecContext(ctx, "UPDATE "+labTable+" SET n = n + 1 WHERE lab = ?", lab); err != nil {
							return err
						}
					}
					return nil
				}, dj.RetryConflicts(20))
				if err == nil {
					labUpdates.Add(1)
				}
				return false, err
			}
		case r < 80:
			op = "update"
			wt := float64(rng.IntN(1000)) / 10
			fn = func(ctx context.Context) (bool, error) {
				err := dj.Update1(ctx, c, MlSubject{SubjectID: id, Lab: "north", Weight: wt})
				if err == nil {
					sub.weight = wt
				}
				return false, err
			}
		case r < 90:
			op = "delete session"
			sess := mlPick(rng, sub.sessions)
			if sess < 0 {
				continue
			}
			fn = func(ctx context.Context) (bool, error) {
				_, err := dj.Delete(ctx, c, dj.From[MlSession](c).Restrict(dj.Match(dj.Key{"subject_id": id, "session_id": sess})))
				if err == nil {
					delete(sub.sessions, sess)
				}
				return false, err
			}
		case r < 96:
			op = "delete subject"
			fn = func(ctx context.Context) (bool, error) {
				_, err := dj.Delete(ctx, c, dj.From[MlSubject](c).Restrict(dj.Match(dj.Key{"subject_id": id})))
				if err == nil {
					delete(l.subjects, id)
				}
				return false, err
			}
		default:
			op = "duplicate"
			fn = func(ctx context.Context) (bool, error) {
				err := dj.Insert1(ctx, c, MlSubject{SubjectID: id, Lab: "south", Weight: 1})
				if errors.Is(err, dj.ErrDuplicate) {
					return true, nil
				}
				if err == nil {
					err = errors.New("a duplicate subject was inserted")
				}
				return false, err
			}
		}
		var retries atomic.Int64
		octx := context.WithValue(ctx, retryKey{}, &retries)
		start := time.Now()
		intended, err := fn(octx)
		stats[op].add(time.Since(start), retries.Load(), err, intended)
	}
}

// mlPick returns a random session of m, or -1.
func mlPick(rng *rand.Rand, m map[int16]*mlSession) int16 {
	keys := make([]int16, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return -1
	}
	slices.Sort(keys)
	return keys[rng.IntN(len(keys))]
}

// mlCheckInvariants compares the tables with the ledgers: no row lost,
// none left over, no orphan.
func mlCheckInvariants(t *testing.T, c *dj.Conn, ledgers []*mlLedger) {
	t.Helper()
	ctx := context.Background()
	var wantSubjects, wantSessions, wantScans []string
	wantWeight := map[int32]float64{}
	for _, l := range ledgers {
		for id, s := range l.subjects {
			wantSubjects = append(wantSubjects, fmt.Sprint(id))
			wantWeight[id] = s.weight
			for sess, ses := range s.sessions {
				wantSessions = append(wantSessions, fmt.Sprint(id, "/", sess))
				for scan := range ses.scans {
					wantScans = append(wantScans, fmt.Sprint(id, "/", sess, "/", scan))
				}
			}
		}
	}
	subjects, err := dj.Fetch[MlSubject](ctx, c, dj.From[MlSubject](c))
	must(t, err)
	sessions, err := dj.Fetch[MlSession](ctx, c, dj.From[MlSession](c))
	must(t, err)
	scans, err := dj.Fetch[MlScan](ctx, c, dj.From[MlScan](c))
	must(t, err)
	frames, err := dj.Fetch[MlScanFrame](ctx, c, dj.From[MlScanFrame](c))
	must(t, err)
	var gotSubjects, gotSessions, gotScans []string
	for _, s := range subjects {
		gotSubjects = append(gotSubjects, fmt.Sprint(s.SubjectID))
		if w, ok := wantWeight[s.SubjectID]; ok && w != s.Weight {
			t.Errorf("subject %d weighs %v, the ledger says %v", s.SubjectID, s.Weight, w)
		}
	}
	for _, s := range sessions {
		gotSessions = append(gotSessions, fmt.Sprint(s.SubjectID, "/", s.SessionID))
	}
	perScan := map[string]int{}
	for _, s := range scans {
		gotScans = append(gotScans, fmt.Sprint(s.SubjectID, "/", s.SessionID, "/", s.ScanID))
	}
	for _, f := range frames {
		perScan[fmt.Sprint(f.SubjectID, "/", f.SessionID, "/", f.ScanID)]++
	}
	for what, pair := range map[string][2][]string{
		"subjects": {wantSubjects, gotSubjects}, "sessions": {wantSessions, gotSessions}, "scans": {wantScans, gotScans},
	} {
		want, got := pair[0], pair[1]
		sort.Strings(want)
		sort.Strings(got)
		if !slices.Equal(want, got) {
			lost, extra := mlDiff(want, got), mlDiff(got, want)
			t.Errorf("%s: %d in the ledger, %d in the table; lost %v, not in the ledger %v", what, len(want), len(got), mlHead(lost), mlHead(extra))
		}
	}
	for _, k := range wantScans {
		if perScan[k] != mlFrames {
			t.Errorf("scan %s has %d frames, want %d", k, perScan[k], mlFrames)
		}
		delete(perScan, k)
	}
	if len(perScan) > 0 {
		t.Errorf("%d scans have orphan frames", len(perScan))
	}
	t.Logf("end state: %d subjects, %d sessions, %d scans, %d frames", len(subjects), len(sessions), len(scans), len(frames))
}

func mlDiff(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
		}
	}
	return out
}

func mlHead(s []string) []string { return s[:min(len(s), 5)] }
