package dj_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
)

// ReplItem and ReplSquare are the tables of the replica and read-only
// tests (see replica_helpers_test.go for the servers).
type ReplItem struct {
	dj.Manual `comment:"items read from replicas"`
	ID        int32 `dj:"pk"`
	Val       float64
}

type ReplSquare struct {
	dj.Computed `comment:"squares made on the primary"`
	Item        dj.Ref[ReplItem] `dj:"pk"`
	ID          int32            `dj:"pk"`
	Sq          float64
}

// TestReplicaRouting: reads of data outside a transaction go to the
// replica — a row that only the replica has shows it — while Tx, Session,
// populate (key source and make), UsePrimary and plain SQL read the
// primary, and every write goes to the primary.
func TestReplicaRouting(t *testing.T) {
	ctx := context.Background()
	p := startReplicaPair(t)
	db := p.database(t)
	c, log := p.connect(t, nil)
	primary := p.cfg.Host
	s, err := c.Schema(ctx, db)
	must(t, err)
	must(t, s.Declare(ctx, ReplItem{}, ReplSquare{}))
	items := make([]ReplItem, 100)
	for i := range items {
		items[i] = ReplItem{ID: int32(i), Val: float64(i)}
	}
	must(t, dj.Insert(ctx, c, items))
	if n := log.count(p.replica, ""); n != 0 {
		t.Fatalf("declaration and insert sent %d statements to the replica:\n%s", n, log.dump())
	}
	p.sync(t)
	// A row on the replica alone (the test account may write there).
	_, err = p.repl.ExecContext(ctx, "INSERT INTO `"+db+"`.`repl_item` VALUES (1000, -1)")
	must(t, err)
	defer p.repl.ExecContext(ctx, "DELETE FROM `"+db+"`.`repl_item` WHERE id = 1000")

	all := dj.From[ReplItem](c)
	marker := all.Restrict(dj.Match(dj.Key{"id": 1000}))
	log.reset()
	rows, err := dj.Fetch[ReplItem](ctx, c, all)
	must(t, err)
	n, err := dj.Count(ctx, c, all)
	must(t, err)
	maps, err := dj.FetchMaps(ctx, c, all)
	must(t, err)
	keys, err := dj.FetchKeys(ctx, c, all)
	must(t, err)
	vals, err := dj.FetchColumn[float64](ctx, c, all, "val")
	must(t, err)
	m, err := dj.FetchMatrix(ctx, c, all, "val")
	must(t, err)
	one, err := dj.FetchOne[ReplItem](ctx, c, marker)
	must(t, err)
	exists, err := dj.Exists(ctx, c, marker)
	must(t, err)
	streamed := 0
	for _, err := range dj.All[ReplItem](ctx, c, all) {
		must(t, err)
		streamed++
	}
	r, _ := m.Dims()
	if len(rows) != 101 || n != 101 || len(maps) != 101 || len(keys) != 101 || len(vals) != 101 || r != 101 || streamed != 101 || one.Val != -1 || !exists {
		t.Fatalf("reads outside a transaction must see the replica's row: %d %d %d %d %d %d %d %v %v", len(rows), n, len(maps), len(keys), len(vals), r, streamed, one, exists)
	}
	if got := log.count(primary, ""); got != 0 {
		t.Fatalf("reads sent %d statements to the primary:\n%s", got, log.dump())
	}
	if got := log.count(p.replica, "SELECT"); got != 9 {
		t.Fatalf("%d reads on the replica, want 9:\n%s", got, log.dump())
	}

	// Everything else reads the primary.
	log.reset()
	primaryCount := func(what string, q dj.Querier, ctx context.Context) {
		t.Helper()
		n, err := dj.Count(ctx, q, all)
		must(t, err)
		if n != 100 {
			t.Errorf("%s: %d rows, want the primary's 100", what, n)
		}
	}
	must(t, c.Tx(ctx, func(ctx context.Context, tx *dj.Tx) error {
		primaryCount("Tx", tx, ctx)
		primaryCount("the Conn inside Tx", c, ctx)
		rows, err := dj.Fetch[ReplItem](ctx, c, all)
		if len(rows) != 100 {
			t.Errorf("Fetch through the Conn inside Tx: %d rows", len(rows))
		}
		return err
	}))
	must(t, c.Session(ctx, func(ctx context.Context, q dj.Querier) error {
		primaryCount("Session", q, ctx)
		primaryCount("the Conn inside Session", c, ctx)
		return nil
	}))
	primaryCount("UsePrimary", c, dj.UsePrimary(ctx))
	var serverID int
	must(t, c.QueryRowContext(ctx, "SELECT @@server_id").Scan(&serverID))
	if serverID != 1 {
		t.Errorf("plain SQL went to server_id %d, want the primary's 1", serverID)
	}
	res, err := dj.PopulateFunc(ctx, c, func(ctx context.Context, tx *dj.Tx, row *ReplSquare) error {
		n, err := dj.Count(ctx, c, all)
		if err != nil {
			return err
		}
		if n != 100 {
			return fmt.Errorf("the make read %d items through the Conn, want the primary's 100", n)
		}
		item, err := dj.FetchOne[ReplItem](ctx, tx, all.Restrict(dj.Match(dj.Key{"id": row.ID})))
		if err != nil {
			return err
		}
		row.Sq = item.Val * item.Val
		return dj.Insert1(ctx, tx, *row)
	}, dj.ReserveJobs())
	must(t, err)
	if res.Made != 100 {
		t.Errorf("populate made %d keys, want 100 (the replica's extra item is not in the key source)", res.Made)
	}
	if got := log.count(p.replica, ""); got != 0 {
		t.Fatalf("Tx, Session, UsePrimary, plain SQL and populate sent %d statements to the replica:\n%s", got, log.dump())
	}
}

// TestReplicaLagAndStoppedThreads: a replica whose SQL thread is stopped,
// or which lags more than ReplicaMaxLag, is left out and reads go to the
// primary; when it catches up it takes reads again.
func TestReplicaLagAndStoppedThreads(t *testing.T) {
	ctx := context.Background()
	p := startReplicaPair(t)
	db := p.database(t)
	c, log := p.connect(t, func(cfg *dj.Config) { cfg.ReplicaMaxLag = time.Second })
	s, err := c.Schema(ctx, db)
	must(t, err)
	must(t, s.Declare(ctx, ReplItem{}))
	must(t, dj.Insert1(ctx, c, ReplItem{ID: 1}))
	p.sync(t)
	all := dj.From[ReplItem](c)
	fetchFrom := func(want int) string {
		t.Helper()
		log.reset()
		rows, err := dj.Fetch[ReplItem](ctx, c, all)
		must(t, err)
		if len(rows) != want {
			t.Fatalf("%d rows, want %d", len(rows), want)
		}
		switch {
		case log.count(p.replica, "SELECT") == 1 && log.count(p.cfg.Host, "SELECT") == 0:
			return "replica"
		case log.count(p.replica, "SELECT") == 0 && log.count(p.cfg.Host, "SELECT") == 1:
			return "primary"
		}
		t.Fatalf("unexpected statements:\n%s", log.dump())
		return ""
	}
	state := func() dj.ReplicaState {
		time.Sleep(150 * time.Millisecond) // past ReplicaCheckInterval
		st := c.Replicas(ctx)
		if len(st) != 1 || st[0].Addr != p.replica {
			t.Fatalf("Replicas: %+v", st)
		}
		return st[0]
	}
	if st := state(); !st.Healthy || st.Lag != 0 {
		t.Fatalf("healthy replica: %+v", st)
	}
	if got := fetchFrom(1); got != "replica" {
		t.Fatalf("healthy: read on the %s", got)
	}

	// The SQL thread stopped: the replica misses the next insert.
	_, err = p.repl.ExecContext(ctx, "STOP SLAVE SQL_THREAD")
	must(t, err)
	t.Cleanup(func() { p.repl.ExecContext(context.Background(), "START SLAVE") })
	must(t, dj.Insert1(ctx, c, ReplItem{ID: 2}))
	if st := state(); st.Healthy || !strings.Contains(st.Reason, "SQL thread is No") {
		t.Fatalf("stopped SQL thread: %+v", st)
	}
	if got := fetchFrom(2); got != "primary" {
		t.Fatalf("stopped SQL thread: read on the %s", got)
	}
	_, err = p.repl.ExecContext(ctx, "START SLAVE")
	must(t, err)
	p.sync(t)
	if st := state(); !st.Healthy {
		t.Fatalf("restarted: %+v", st)
	}
	if got := fetchFrom(2); got != "replica" {
		t.Fatalf("restarted: read on the %s", got)
	}

	// Delayed replication: the replica runs but falls behind.
	for _, stmt := range []string{"STOP SLAVE", "CHANGE MASTER TO MASTER_DELAY = 60", "START SLAVE"} {
		_, err := p.repl.ExecContext(ctx, stmt)
		must(t, err)
	}
	t.Cleanup(func() {
		for _, stmt := range []string{"STOP SLAVE", "CHANGE MASTER TO MASTER_DELAY = 0", "START SLAVE"} {
			if _, err := p.repl.ExecContext(context.Background(), stmt); err != nil {
				t.Errorf("%s: %v", stmt, err)
			}
		}
		p.sync(t)
	})
	must(t, dj.Insert1(ctx, c, ReplItem{ID: 3}))
	var st dj.ReplicaState
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); {
		if st = state(); !st.Healthy {
			break
		}
	}
	if st.Healthy || !strings.Contains(st.Reason, "behind, more than the bound of 1s") || st.Lag <= time.Second {
		t.Fatalf("lagging replica: %+v", st)
	}
	if got := fetchFrom(3); got != "primary" {
		t.Fatalf("lagging: read on the %s", got)
	}
	// Without a bound the same replica takes reads, and misses the row.
	unbounded, log2 := p.connect(t, func(cfg *dj.Config) { cfg.ReplicaMaxLag = -1 })
	s2, err := unbounded.Schema(ctx, db)
	must(t, err)
	must(t, s2.Declare(ctx, ReplItem{}))
	rows, err := dj.Fetch[ReplItem](ctx, unbounded, dj.From[ReplItem](unbounded))
	must(t, err)
	if len(rows) != 2 || log2.count(p.replica, "FROM `"+db) != 1 {
		t.Fatalf("no lag bound: %d rows (want the replica's 2)\n%s", len(rows), log2.dump())
	}
}

// TestReplicaStoppedMidFetch stops the replica's server while a slow fetch
// runs on it: the fetch restarts on the primary and returns every row
// once; later reads skip the replica until it is back. A streaming read
// that has yielded rows ends with an error instead of yielding them again.
func TestReplicaStoppedMidFetch(t *testing.T) {
	if testing.Short() {
		t.Skip("stops and starts a server")
	}
	ctx := context.Background()
	p := startReplicaPair(t)
	t.Cleanup(func() { p.restartReplica(t) })
	db := p.database(t)
	c, log := p.connect(t, nil)
	s, err := c.Schema(ctx, db)
	must(t, err)
	must(t, s.Declare(ctx, ReplItem{}))
	const n = 1500
	items := make([]ReplItem, n)
	for i := range items {
		items[i] = ReplItem{ID: int32(i), Val: float64(i)}
	}
	must(t, dj.Insert(ctx, c, items))
	p.sync(t)
	// About 2 ms a row: the server streams rows for some 3 s.
	slow := dj.From[ReplItem](c).Restrict(dj.Where("SLEEP(0.002) = 0"))
	stopOnStart := func() chan struct{} {
		stopped := make(chan struct{})
		var once sync.Once
		log.mu.Lock()
		log.onStart = func(q dj.QueryStart) {
			if q.Server == p.replica && strings.Contains(q.SQL, "SLEEP") {
				once.Do(func() {
					go func() {
						defer close(stopped)
						time.Sleep(700 * time.Millisecond)
						p.stopReplica(t)
					}()
				})
			}
		}
		log.mu.Unlock()
		return stopped
	}
	checkAll := func(rows []ReplItem) {
		t.Helper()
		seen := map[int32]bool{}
		for _, r := range rows {
			if seen[r.ID] || r.Val != float64(r.ID) {
				t.Fatalf("row %+v repeated or wrong", r)
			}
			seen[r.ID] = true
		}
		if len(seen) != n {
			t.Fatalf("%d rows, want %d", len(seen), n)
		}
	}

	stopped := stopOnStart()
	start := time.Now()
	rows, err := dj.Fetch[ReplItem](ctx, c, slow)
	must(t, err)
	<-stopped
	checkAll(rows)
	if log.count(p.replica, "SLEEP") != 1 || log.count(p.cfg.Host, "SLEEP") != 1 {
		t.Fatalf("the fetch should have started on the replica and finished on the primary:\n%s", log.dump())
	}
	if st := c.Replicas(ctx); st[0].Healthy {
		t.Fatalf("the stopped replica is still healthy: %+v", st)
	}
	t.Logf("fetch with the replica stopped under it: %v", time.Since(start))

	// Between fetches: the replica is down, reads go to the primary
	// without trying it.
	time.Sleep(150 * time.Millisecond)
	log.reset()
	log.onStart = nil
	got, err := dj.Fetch[ReplItem](ctx, c, dj.From[ReplItem](c))
	must(t, err)
	checkAll(got)
	if log.count(p.replica, "FROM") != 0 || log.count(p.cfg.Host, "FROM") != 1 {
		t.Fatalf("with the replica down:\n%s", log.dump())
	}

	// Back up: it takes reads again once checked.
	p.restartReplica(t)
	time.Sleep(150 * time.Millisecond)
	if st := c.Replicas(ctx); !st[0].Healthy {
		t.Fatalf("the restarted replica: %+v", st)
	}
	log.reset()
	got, err = dj.Fetch[ReplItem](ctx, c, dj.From[ReplItem](c))
	must(t, err)
	checkAll(got)
	if log.count(p.replica, "FROM") != 1 {
		t.Fatalf("the restarted replica takes no reads:\n%s", log.dump())
	}

	// A streaming read that has yielded rows is not repeated elsewhere.
	// (The server sends rows in chunks of its network buffer, so the
	// replica is stopped once the first row is in.)
	var streamed []ReplItem
	var last error
	for r, err := range dj.All[ReplItem](ctx, c, slow) {
		if err != nil {
			last = err
			break
		}
		streamed = append(streamed, r)
		if len(streamed) == 1 {
			p.stopReplica(t)
		}
	}
	if !errors.Is(last, dj.ErrLostConnection) || !strings.Contains(fmt.Sprint(last), "failed after rows were handed over") {
		t.Fatalf("streaming read: %d rows, then %v\n%s", len(streamed), last, log.dump())
	}
	seen := map[int32]bool{}
	for _, r := range streamed {
		if seen[r.ID] {
			t.Fatalf("row %d yielded twice", r.ID)
		}
		seen[r.ID] = true
	}
	if len(streamed) == 0 || len(streamed) >= n {
		t.Fatalf("%d rows before the error", len(streamed))
	}
	t.Logf("streaming read: %d rows, then: %v", len(streamed), last)
}

// TestReplicaRoundRobinAndFailover: with two replicas, reads alternate
// between them; a replica stopped in the middle of a fetch hands the read
// to the other replica, not to the primary.
func TestReplicaRoundRobinAndFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("stops and starts a server")
	}
	ctx := context.Background()
	p := startReplicas(t, 2)
	db := p.database(t)
	c, log := p.connect(t, nil)
	s, err := c.Schema(ctx, db)
	must(t, err)
	must(t, s.Declare(ctx, ReplItem{}))
	const n = 1500
	items := make([]ReplItem, n)
	for i := range items {
		items[i] = ReplItem{ID: int32(i), Val: float64(i)}
	}
	must(t, dj.Insert(ctx, c, items))
	p.sync(t)
	from := "FROM `" + db + "`"
	log.reset()
	for range 4 {
		rows, err := dj.Fetch[ReplItem](ctx, c, dj.From[ReplItem](c))
		must(t, err)
		if len(rows) != n {
			t.Fatalf("%d rows", len(rows))
		}
	}
	if a, b, pr := log.count(p.replicas[0], from), log.count(p.replicas[1], from), log.count(p.cfg.Host, from); a != 2 || b != 2 || pr != 0 {
		t.Fatalf("round-robin: %d and %d reads on the replicas, %d on the primary:\n%s", a, b, pr, log.dump())
	}

	// Stop whichever replica the slow fetch starts on.
	log.reset()
	stoppedAt := make(chan int, 1)
	var once sync.Once
	log.mu.Lock()
	log.onStart = func(q dj.QueryStart) {
		for i, r := range p.replicas {
			if q.Server == r && strings.Contains(q.SQL, "SLEEP") {
				once.Do(func() {
					go func() {
						time.Sleep(700 * time.Millisecond)
						p.stopReplicaN(t, i)
						stoppedAt <- i
					}()
				})
			}
		}
	}
	log.mu.Unlock()
	rows, err := dj.Fetch[ReplItem](ctx, c, dj.From[ReplItem](c).Restrict(dj.Where("SLEEP(0.002) = 0")))
	must(t, err)
	i := <-stoppedAt
	t.Cleanup(func() { p.restartReplicaN(t, i) })
	seen := map[int32]bool{}
	for _, r := range rows {
		if seen[r.ID] || r.Val != float64(r.ID) {
			t.Fatalf("row %+v repeated or wrong", r)
		}
		seen[r.ID] = true
	}
	if len(seen) != n {
		t.Fatalf("%d rows, want %d", len(seen), n)
	}
	other := p.replicas[1-i]
	if log.count(p.replicas[i], "SLEEP") != 1 || log.count(other, "SLEEP") != 1 || log.count(p.cfg.Host, "SLEEP") != 0 {
		t.Fatalf("the fetch should have moved from %s to %s:\n%s", p.replicas[i], other, log.dump())
	}
}
