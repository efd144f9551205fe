package dj

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// DefaultProgressEvery is how often ShowProgress writes a line when its
// writer is not a terminal.
const DefaultProgressEvery = 30 * time.Second

// ShowProgress reports the progress of populate on w. On a terminal it
// draws a bar with the count, percentage, rate, elapsed time, estimated
// time left and errors so far. Otherwise (a file, a pipe, a Slurm or
// Kubernetes log) it writes one structured record, message "dj: populate
// progress", with the same figures every DefaultProgressEvery (see
// ProgressEvery), and one when populate ends (final=true): at info level
// to Config.Logger when the connection has one, so that the lines take
// the logger's format (JSON for a JSON handler), else on w in logfmt. Keys count once they
// are committed, failed or skipped; a key rolled back on cancellation
// does not count.
func ShowProgress(w io.Writer) PopulateOption { return func(o *populateOptions) { o.progress = w } }

// ProgressEvery sets how often ShowProgress writes a line when its writer
// is not a terminal; d <= 0 means DefaultProgressEvery.
func ProgressEvery(d time.Duration) PopulateOption {
	return func(o *populateOptions) { o.progressEvery = d }
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressFigures are the figures one progress report shows.
type progressFigures struct {
	done, total, made, skipped, failed int64
	elapsed, eta                       time.Duration // eta < 0: unknown
	rate                               float64       // keys per second
}

// figures computes the figures of c after elapsed.
func (c *populateCounts) figures(total int64, elapsed time.Duration) progressFigures {
	f := progressFigures{made: c.made.Load(), skipped: c.skipped.Load(), failed: c.failed.Load(), total: total, elapsed: elapsed, eta: -1}
	f.done = f.made + f.skipped + f.failed
	if s := elapsed.Seconds(); s > 0 && f.done > 0 {
		f.rate = float64(f.done) / s
		f.eta = time.Duration(float64(max(total-f.done, 0)) / f.rate * float64(time.Second))
	}
	return f
}

// formatRate shows a rate with decimals: keys/s from 1 key/s up, else
// seconds per key.
func formatRate(rate float64) string {
	switch {
	case rate <= 0:
		return "-"
	case rate >= 1:
		return fmt.Sprintf("%.2f keys/s", rate)
	}
	return fmt.Sprintf("%.1f s/key", 1/rate)
}

// progressDuration rounds a duration for display: whole seconds from a
// minute up, tenths below.
func progressDuration(d time.Duration) string {
	if d < 0 {
		return "-"
	}
	if d >= time.Minute {
		return d.Round(time.Second).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

func (f progressFigures) percent() float64 {
	if f.total == 0 {
		return 100
	}
	return math.Floor(float64(f.done)*1000/float64(f.total)) / 10
}

// startProgress reports the progress of a populate of total keys on w
// until the returned function is called, which reports the final state.
// Lines go to logger when it is not nil, else on w.
func startProgress(w io.Writer, logger *slog.Logger, every time.Duration, table string, total int64, counts *populateCounts) func() {
	if w == nil || total == 0 {
		return func() {}
	}
	if isTerminal(w) {
		return progressBar(w, table, total, counts)
	}
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(w, nil))
	}
	return progressLines(logger, every, table, total, counts)
}

// progressBar draws an mpb bar on the terminal w.
func progressBar(w io.Writer, table string, total int64, counts *populateCounts) func() {
	start := time.Now()
	p := mpb.New(mpb.WithOutput(w), mpb.WithWidth(32), mpb.WithRefreshRate(200*time.Millisecond))
	figures := func(decor.Statistics) string {
		f := counts.figures(total, time.Since(start))
		return fmt.Sprintf("%s  elapsed %s  ETA %s  errors %d", formatRate(f.rate), progressDuration(f.elapsed), progressDuration(f.eta), f.failed)
	}
	bar := p.AddBar(total,
		mpb.PrependDecorators(decor.Name(table+" ", decor.WC{C: decor.DindentRight}), decor.CountersNoUnit("%d/%d")),
		mpb.AppendDecorators(decor.Percentage(decor.WC{W: 6}), decor.Any(figures, decor.WC{W: 2, C: decor.DindentRight})),
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				bar.SetCurrent(counts.finished())
			}
		}
	})
	return func() {
		close(stop)
		wg.Wait()
		bar.SetCurrent(counts.finished())
		if !bar.Completed() {
			bar.Abort(false) // cancelled or stopped: keep the bar as it is
		}
		p.Wait()
	}
}

// progressLines writes a progress record to log every interval.
func progressLines(log *slog.Logger, every time.Duration, table string, total int64, counts *populateCounts) func() {
	if every <= 0 {
		every = DefaultProgressEvery
	}
	start := time.Now()
	line := func(final bool) {
		f := counts.figures(total, time.Since(start))
		log.LogAttrs(context.Background(), slog.LevelInfo, "dj: populate progress",
			slog.String(LogAttrTable, table), slog.Int64("done", f.done), slog.Int64("total", f.total),
			slog.Float64("percent", f.percent()), slog.Int64(LogAttrMade, f.made), slog.Int64(LogAttrSkipped, f.skipped),
			slog.Int64(LogAttrFailed, f.failed), slog.String("rate", formatRate(f.rate)),
			slog.String("elapsed", progressDuration(f.elapsed)), slog.String("eta", progressDuration(f.eta)), slog.Bool("final", final))
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				line(false)
			}
		}
	})
	return func() {
		close(stop)
		wg.Wait()
		line(true)
	}
}
