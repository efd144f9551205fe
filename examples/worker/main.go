// Command worker is a populate worker: start any number of copies, on any
// number of hosts, pointed at the same database, and together they
// compute every missing row of the pipeline's Computed table exactly once.
//
// It connects with DataJoint's settings (dj_local_conf.json, or DJ_HOST,
// DJ_USER, DJ_PASS) and uses the schema named by -schema. Each copy runs
// -workers goroutines with their own connections; reservations in the
// schema's ~jobs table keep the copies (and any DataJoint for Python
// workers on the same tables) from making a key twice. SIGTERM or SIGINT
// stops a copy cleanly: the key in progress is rolled back and its
// reservation released. A copy killed outright leaves a reservation that
// the next populate reclaims, because its connection is gone.
//
// deploy/worker.sbatch runs it as a Slurm array (each task one copy);
// deploy/worker-job.yaml as a Kubernetes Job (one copy per pod) with its
// credentials in a Secret. Logs go to stderr, as text or, with -log-json,
// as JSON lines; -log-level debug adds a record per key. When stderr is
// not a terminal (a batch log), the progress is a line every
// -progress-every.
//
// With -queue the copies take their keys from the schema's job queue
// (~queue) instead of each evaluating the key source: the first copy to
// find the queue empty and never filled fills it, under a server lock,
// while the others wait; "dj jobs refresh lab_analysis.Square" (or
// -refresh) refills it when Source gains rows. Each copy heartbeats the
// key it is making every -heartbeat; a key whose worker stopped
// heartbeating for -heartbeat-timeout (a copy killed outright, a node
// lost, a proxy between worker and server that hides dead connections)
// returns to the queue. "dj jobs status lab_analysis" shows the queue.
// With -poll, an idle copy backs off from -poll to -max-poll between
// looks at the queue.
//
// A copy exits with status 0 when no work is left (or -poll keeps it
// waiting for new keys), and 1 when a key failed; failed keys are recorded
// in ~jobs ("dj jobs errors -schema lab_analysis") and skipped by later
// runs until cleared ("dj jobs clear -schema lab_analysis").
//
// The pipeline here is a demonstration: Source holds numbers, Square
// (Computed, with a part) holds their squares. -seed N fills Source with
// 0..N-1 and exits; -sleep makes each make take longer; -audit records
// every make call, committed or not, in the Call table.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/datajoint-go/datajoint/dj"
)

// Source is the upstream table: one row per number to square.
type Source struct {
	dj.Manual `comment:"numbers to square"`
	ID        int32 `dj:"pk"`
}

// Square is computed from Source.
type Square struct {
	dj.Computed `comment:"squares of the source numbers"`
	Src         dj.Ref[Source] `dj:"pk"`
	ID          int32          `dj:"pk"`
	Value       int64          `comment:"ID squared"`
	Host        string         `dj:"type=varchar(255)" comment:"host that made the row"`
	PID         int32          `comment:"process that made the row"`
}

// SquareDigit is a part of Square: the decimal digits of the square.
type SquareDigit struct {
	dj.Part[Square]
	ID       int32 `dj:"pk"`
	Position int16 `dj:"pk"`
	Digit    int16
}

// Call records each make call (with -audit), outside the make's
// transaction, so that rolled-back calls are counted too.
type Call struct {
	dj.Manual `comment:"make calls of the workers"`
	ID        int32 `dj:"pk"`
	PID       int32 `dj:"pk"`
	Nanos     int64 `dj:"pk"`
}

// worker holds what the make needs beyond the key.
type worker struct {
	sleep time.Duration
	audit bool
	host  string
}

// make computes one Square row and its digits.
func (w *worker) make(ctx context.Context, tx *dj.Tx, row *Square) error {
	pid := int32(os.Getpid())
	if w.audit {
		// Through the pool, not tx: the call is recorded even if the
		// transaction rolls back.
		if err := dj.Insert1(ctx, tx.Conn(), Call{ID: row.ID, PID: pid, Nanos: time.Now().UnixNano()}); err != nil {
			return err
		}
	}
	row.Value = int64(row.ID) * int64(row.ID)
	row.Host, row.PID = w.host, pid
	if err := dj.Insert1(ctx, tx, *row); err != nil {
		return err
	}
	digits := fmt.Sprint(row.Value)
	parts := make([]SquareDigit, len(digits))
	for i, d := range digits {
		parts[i] = SquareDigit{ID: row.ID, Position: int16(i), Digit: int16(d - '0')}
	}
	if err := dj.Insert(ctx, tx, parts); err != nil {
		return err
	}
	if w.sleep > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(w.sleep):
		}
	}
	return nil
}

func main() {
	schemaName := flag.String("schema", "", "database (schema) of the pipeline (required)")
	workers := flag.Int("workers", 1, "concurrent makes in this process, each on its own connection")
	seed := flag.Int("seed", 0, "insert Source rows 0..N-1 and exit")
	sleep := flag.Duration("sleep", 0, "extra duration of each make")
	audit := flag.Bool("audit", false, "record every make call in the Call table")
	poll := flag.Duration("poll", 0, "keep running, looking for new keys at this interval (doubling up to -max-poll while idle)")
	maxPoll := flag.Duration("max-poll", 0, "longest wait between looks for new keys while idle (default: -poll)")
	queue := flag.Bool("queue", false, "take keys from the schema's job queue (~queue) instead of the key source")
	refresh := flag.Bool("refresh", false, "fill the job queue from the key source and exit")
	heartbeat := flag.Duration("heartbeat", dj.DefaultHeartbeatEvery, "with -queue: interval of the heartbeats of the key being made")
	heartbeatTimeout := flag.Duration("heartbeat-timeout", dj.DefaultHeartbeatTimeout, "with -queue: a key without heartbeat for this long returns to the queue")
	logJSON := flag.Bool("log-json", false, "write log records as JSON lines on stderr (default: text)")
	logLevel := flag.String("log-level", "info", "log level: debug (a record per key), info, warn or error")
	progressEvery := flag.Duration("progress-every", dj.DefaultProgressEvery, "interval of the progress lines when stderr is not a terminal")
	flag.Parse()
	if *schemaName == "" {
		flag.Usage()
		os.Exit(2)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "worker: -log-level: %v\n", err)
		os.Exit(2)
	}
	opts := &slog.HandlerOptions{Level: level}
	var logger *slog.Logger
	if *logJSON {
		logger = slog.New(slog.NewJSONHandler(os.Stderr, opts))
	} else {
		logger = slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	cfg := runConfig{
		schema: *schemaName, workers: *workers, seed: *seed, sleep: *sleep, audit: *audit,
		poll: *poll, maxPoll: *maxPoll, progressEvery: *progressEvery,
		queue: *queue, refresh: *refresh, heartbeat: *heartbeat, heartbeatTimeout: *heartbeatTimeout,
	}
	if err := run(logger, cfg); err != nil {
		logger.Error("worker: failed", "err", err)
		os.Exit(1)
	}
}

// runConfig holds the command line.
type runConfig struct {
	schema                      string
	workers, seed               int
	sleep                       time.Duration
	audit                       bool
	poll, maxPoll               time.Duration
	progressEvery               time.Duration
	queue, refresh              bool
	heartbeat, heartbeatTimeout time.Duration
}

func run(logger *slog.Logger, rc runConfig) error {
	ctx := context.Background()
	cfg, err := dj.LoadConfig("")
	if err != nil {
		return err
	}
	cfg.Logger = logger
	c, err := dj.Connect(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	s, err := c.Schema(ctx, rc.schema)
	if err != nil {
		return err
	}
	if err := s.Declare(ctx, Source{}, Square{}, SquareDigit{}, Call{}); err != nil {
		return err
	}
	if rc.seed > 0 {
		rows := make([]Source, rc.seed)
		for i := range rows {
			rows[i].ID = int32(i)
		}
		return dj.Insert(ctx, c, rows, dj.SkipDuplicates())
	}
	if rc.refresh {
		res, err := dj.RefreshQueue[Square](ctx, c, dj.RefreshOptions{})
		if err != nil {
			return err
		}
		logger.Info("worker: queue refreshed", "pending", res.Pending, "queued", res.Queued, "elapsed", res.Elapsed)
		return nil
	}
	host, _ := os.Hostname()
	w := &worker{sleep: rc.sleep, audit: rc.audit, host: host}
	opts := []dj.PopulateOption{dj.ReserveJobs(), dj.Workers(rc.workers), dj.SuppressErrors(),
		dj.ShowProgress(os.Stderr), dj.ProgressEvery(rc.progressEvery)}
	if rc.queue {
		opts = append(opts, dj.UseQueue(), dj.Heartbeat(rc.heartbeat, rc.heartbeatTimeout))
	} else {
		opts = append(opts, dj.OrderKeys(dj.OrderRandom))
	}
	return dj.RunWorker(ctx, dj.WorkerOptions{Poll: rc.poll, MaxPoll: rc.maxPoll}, func(ctx context.Context) (int, error) {
		res, err := dj.PopulateFunc(ctx, c, w.make, opts...)
		if err != nil {
			return res.Made, err
		}
		if len(res.Errors) > 0 {
			return res.Made, fmt.Errorf("%d keys failed, first: %w", len(res.Errors), res.Errors[0])
		}
		return res.Made, nil
	})
}
