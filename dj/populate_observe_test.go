package dj_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// capture is a slog.Handler that keeps every record.
type capture struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (h *capture) Enabled(context.Context, slog.Level) bool { return true }
func (h *capture) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.recs = append(h.recs, r.Clone())
	return nil
}
func (h *capture) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *capture) WithGroup(string) slog.Handler      { return h }

// records returns the records with message msg, as attribute maps.
func (h *capture) records(level slog.Level, msg string) []map[string]slog.Value {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []map[string]slog.Value
	for _, r := range h.recs {
		if r.Message != msg || r.Level != level {
			continue
		}
		m := map[string]slog.Value{}
		r.Attrs(func(a slog.Attr) bool {
			m[a.Key] = a.Value
			return true
		})
		out = append(out, m)
	}
	return out
}

// recorder is a Tracer and KeyTracer that keeps what it sees.
type recorder struct {
	mu     sync.Mutex
	starts []dj.QueryStart
	ends   []dj.QueryEnd
	keys   []dj.KeySpan
	inSpan int // statements that ran with a key span's context
}

type spanCtxKey struct{}

func (r *recorder) QueryStart(ctx context.Context, q dj.QueryStart) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.starts = append(r.starts, q)
	if ctx.Value(spanCtxKey{}) != nil {
		r.inSpan++
	}
	return ctx
}

func (r *recorder) QueryEnd(_ context.Context, q dj.QueryEnd) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ends = append(r.ends, q)
}

func (r *recorder) KeyStart(ctx context.Context, k dj.KeySpan) context.Context {
	return context.WithValue(ctx, spanCtxKey{}, k.KeyHash)
}

func (r *recorder) KeyEnd(ctx context.Context, k dj.KeySpan) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ctx.Value(spanCtxKey{}) != k.KeyHash {
		panic("KeyEnd without the context of KeyStart")
	}
	r.keys = append(r.keys, k)
}

// observedConn connects to the test server with a capturing logger and a
// recording tracer, and binds PopSource and PopTriv of schema name.
func observedConn(t *testing.T, name string) (*dj.Conn, *capture, *recorder) {
	t.Helper()
	srv := testenv.MySQL(t)
	h, rec := &capture{}, &recorder{}
	c, err := dj.Connect(context.Background(), dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass,
		Logger: slog.New(h), Tracer: rec})
	must(t, err)
	t.Cleanup(func() { c.Close() })
	s, err := c.Schema(context.Background(), name, dj.NoCreate())
	must(t, err)
	must(t, s.Bind(context.Background(), PopSource{}, PopTriv{}))
	return c, h, rec
}

// TestPopulateLogRecords populates keys with every outcome — made, failed,
// skipped as reserved by a live worker elsewhere — and checks the debug
// records per key, the info summary and the tracer's spans and statements.
func TestPopulateLogRecords(t *testing.T) {
	ctx := context.Background()
	c0, s := popSetup(t, 5)
	must(t, s.Declare(ctx, PopTriv{}))
	must(t, dj.Insert1(ctx, c0, PopTriv{ID: 0, Value: 1}, dj.AllowDirectInsert()))
	// While key 1 is made, a live connection of another "worker" reserves
	// key 4.
	other, err := c0.DB().Conn(ctx)
	must(t, err)
	defer other.Close()
	c, h, rec := observedConn(t, s.Name())
	res, err := dj.PopulateFunc(ctx, c, func(ctx context.Context, tx *dj.Tx, row *PopTriv) error {
		if row.ID == 1 {
			_, err := other.ExecContext(ctx, "INSERT INTO `"+s.Name()+"`.`~jobs` (`table_name`,`key_hash`,`status`,`host`,`connection_id`) VALUES ('__pop_triv', ?, 'reserved', 'elsewhere', CONNECTION_ID())",
				dj.KeyHash(dj.Key{"id": int32(4)}))
			must(t, err)
		}
		if row.ID == 2 {
			return errors.New("no data for 2")
		}
		time.Sleep(5 * time.Millisecond)
		row.Value = int64(row.ID)
		return dj.Insert1(ctx, tx, *row)
	}, dj.ReserveJobs(), dj.SuppressErrors(), dj.Workers(1), dj.OrderKeys(dj.OrderOriginal))
	must(t, err)
	if res.Made != 2 || res.Skipped != 1 || len(res.Errors) != 1 {
		t.Fatalf("result %+v", res)
	}
	// Key 0 is made already, so the plan has the four others.
	starts := h.records(slog.LevelDebug, "dj: populate key start")
	if len(starts) != 4 {
		t.Fatalf("%d start records", len(starts))
	}
	for _, a := range starts {
		if a[dj.LogAttrTable].String() != "PopTriv" || len(a[dj.LogAttrKeyHash].String()) != 32 || a[dj.LogAttrKey].Kind() != slog.KindAny {
			t.Errorf("start %v", a)
		}
	}
	madeRecs := h.records(slog.LevelDebug, "dj: populate key made")
	if len(madeRecs) != 2 {
		t.Fatalf("%d made records", len(madeRecs))
	}
	for _, a := range madeRecs {
		if d := a[dj.LogAttrDuration].Duration(); d < 5*time.Millisecond || d > 10*time.Second {
			t.Errorf("made in %v", d)
		}
	}
	failedRecs := h.records(slog.LevelDebug, "dj: populate key failed")
	if len(failedRecs) != 1 || !strings.Contains(failedRecs[0][dj.LogAttrErr].String(), "no data for 2") {
		t.Fatalf("failed records %v", failedRecs)
	}
	skippedRecs := h.records(slog.LevelDebug, "dj: populate key skipped")
	if len(skippedRecs) != 1 || skippedRecs[0][dj.LogAttrReason].String() != dj.SkipReasonReserved ||
		skippedRecs[0][dj.LogAttrKeyHash].String() != dj.KeyHash(dj.Key{"id": int32(4)}) {
		t.Fatalf("skipped records %v", skippedRecs)
	}
	sum := h.records(slog.LevelInfo, "dj: populate done")
	if len(sum) != 1 {
		t.Fatalf("%d summaries", len(sum))
	}
	if a := sum[0]; a[dj.LogAttrPlanned].Int64() != 4 || a[dj.LogAttrMade].Int64() != 2 || a[dj.LogAttrSkipped].Int64() != 1 ||
		a[dj.LogAttrFailed].Int64() != 1 || a[dj.LogAttrDuration].Duration() <= 0 {
		t.Errorf("summary %v", a)
	}

	// The tracer saw every key once, with its outcome, and the statements
	// of the makes inside the key spans.
	rec.mu.Lock()
	defer rec.mu.Unlock()
	outcomes := map[string]int{}
	for _, k := range rec.keys {
		outcomes[k.Outcome]++
		if k.Table != "`"+s.Name()+"`.`__pop_triv`" || k.Duration <= 0 || (k.Outcome == dj.KeyFailed) != (k.Err != nil) {
			t.Errorf("span %+v", k)
		}
	}
	if outcomes[dj.KeyMade] != 2 || outcomes[dj.KeyFailed] != 1 || outcomes[dj.KeySkipped] != 1 {
		t.Errorf("span outcomes %v", outcomes)
	}
	if len(rec.starts) != len(rec.ends) || rec.inSpan < 4 {
		t.Errorf("%d starts, %d ends, %d statements in key spans", len(rec.starts), len(rec.ends), rec.inSpan)
	}
	inserts := 0
	for _, e := range rec.ends {
		if strings.HasPrefix(e.SQL, "INSERT INTO `"+s.Name()+"`.`__pop_triv`") {
			inserts++
			if e.Rows != 1 || e.Args != 2 || e.Err != nil || e.Duration <= 0 {
				t.Errorf("insert traced as %+v", e)
			}
		}
	}
	if inserts != 2 {
		t.Errorf("%d inserts traced", inserts)
	}
}

// TestPopulateLogRetry: a worker that loses its connection in the middle
// of a key logs a warning, reconnects and makes the key.
func TestPopulateLogRetry(t *testing.T) {
	ctx := context.Background()
	c0, s := popSetup(t, 2)
	must(t, s.Declare(ctx, PopTriv{}))
	c, h, _ := observedConn(t, s.Name())
	killed := false
	res, err := dj.PopulateFunc(ctx, c, func(ctx context.Context, tx *dj.Tx, row *PopTriv) error {
		if !killed {
			killed = true
			var id int64
			must(t, tx.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id))
			_, err := c0.DB().ExecContext(ctx, "KILL ?", id)
			must(t, err)
		}
		return dj.Insert1(ctx, tx, *row)
	}, dj.ReserveJobs())
	must(t, err)
	if res.Made != 2 {
		t.Fatalf("%+v", res)
	}
	warns := h.records(slog.LevelWarn, "dj: populate key retried")
	if len(warns) != 1 || warns[0][dj.LogAttrAttempt].Int64() != 1 || warns[0][dj.LogAttrErr].String() == "" {
		t.Fatalf("retry warnings %v", warns)
	}
}

// TestTracerQueryErrors: a failing statement reaches QueryEnd with its
// error and no row count.
func TestTracerQueryErrors(t *testing.T) {
	ctx := context.Background()
	_, s := popSetup(t, 1)
	must(t, s.Declare(ctx, PopTriv{}))
	c, _, rec := observedConn(t, s.Name())
	_, err := c.ExecContext(ctx, "SELECT * FROM no_such_table_xyz WHERE a = ?", 1)
	if err == nil {
		t.Fatal("no error")
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	last := rec.ends[len(rec.ends)-1]
	if last.SQL != "SELECT * FROM no_such_table_xyz WHERE a = ?" || last.Args != 1 || last.Err == nil || last.Rows != -1 {
		t.Errorf("%+v", last)
	}
}
