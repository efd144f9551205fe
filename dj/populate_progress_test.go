package dj_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/datajoint-go/datajoint/dj"
)

// logfmt parses one line of slog's text handler (values without spaces or
// quoted).
func logfmt(t *testing.T, line string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for line != "" {
		k, rest, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("not logfmt: %q", line)
		}
		var v string
		if strings.HasPrefix(rest, `"`) {
			end := strings.Index(rest[1:], `"`)
			v, rest = rest[1:end+1], rest[end+2:]
		} else {
			v, rest, _ = strings.Cut(rest, " ")
		}
		out[k] = v
		line = strings.TrimLeft(rest, " ")
	}
	return out
}

// TestProgressPipe populates through a pipe: a structured line every
// interval and a final one, with exact counts, a rate with decimals,
// elapsed time and ETA.
func TestProgressPipe(t *testing.T) {
	ctx := context.Background()
	c, s := popSetup(t, 12)
	must(t, s.Declare(ctx, PopTriv{}))
	pr, pw := io.Pipe()
	var lines []map[string]string
	var wg sync.WaitGroup
	wg.Go(func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines = append(lines, logfmt(t, sc.Text()))
		}
	})
	res, err := dj.PopulateFunc(ctx, c, func(ctx context.Context, tx *dj.Tx, row *PopTriv) error {
		time.Sleep(40 * time.Millisecond)
		if row.ID == 3 {
			return errors.New("bad key")
		}
		return trivMake(ctx, tx, row)
	}, dj.ShowProgress(pw), dj.ProgressEvery(100*time.Millisecond), dj.SuppressErrors())
	must(t, err)
	pw.Close()
	wg.Wait()
	if res.Made != 11 || len(res.Errors) != 1 {
		t.Fatalf("%+v", res)
	}
	if len(lines) < 3 {
		t.Fatalf("%d lines", len(lines))
	}
	prev := -1
	for _, l := range lines[:len(lines)-1] {
		done, _ := strconv.Atoi(l["done"])
		if l["msg"] != "dj: populate progress" || l["table"] != "PopTriv" || l["total"] != "12" || l["final"] != "false" || done < prev {
			t.Errorf("line %v", l)
		}
		prev = done
	}
	last := lines[len(lines)-1]
	for k, want := range map[string]string{"done": "12", "total": "12", "percent": "100", "made": "11", "failed": "1", "skipped": "0", "final": "true", "eta": "0s"} {
		if last[k] != want {
			t.Errorf("final line %s=%q, want %q (%v)", k, last[k], want, last)
		}
	}
	// 12 keys of at least 40 ms: at most 25 keys/s, shown with decimals.
	rate := strings.TrimSuffix(last["rate"], " keys/s")
	r, err := strconv.ParseFloat(rate, 64)
	if err != nil || r <= 0 || r > 25 || !strings.Contains(rate, ".") {
		t.Errorf("rate %q", last["rate"])
	}
	if el, err := time.ParseDuration(last["elapsed"]); err != nil || el < 480*time.Millisecond {
		t.Errorf("elapsed %q", last["elapsed"])
	}
}

// TestProgressCancel cancels a populate in the middle of a key: the final
// line counts exactly the committed keys, not the one rolled back.
func TestProgressCancel(t *testing.T) {
	c, s := popSetup(t, 10)
	must(t, s.Declare(context.Background(), PopTriv{}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out strings.Builder
	var calls atomic.Int32
	_, err := dj.PopulateFunc(ctx, c, func(ctx context.Context, tx *dj.Tx, row *PopTriv) error {
		if calls.Add(1) == 5 {
			if err := trivMake(ctx, tx, row); err != nil {
				return err
			}
			cancel() // the fifth key is cancelled after its insert: rolled back
			<-ctx.Done()
			return ctx.Err()
		}
		return trivMake(ctx, tx, row)
	}, dj.ShowProgress(&out), dj.ReserveJobs())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	n := popCount(t, c, dj.From[PopTriv](c))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	last := logfmt(t, lines[len(lines)-1])
	if n != 4 || last["made"] != "4" || last["done"] != "4" || last["failed"] != "0" || last["final"] != "true" {
		t.Errorf("%d rows committed; final line %v", n, last)
	}
}

// TestProgressTerminal populates with ShowProgress on a pseudo-terminal:
// the bar shows the table, count, percentage, rate, elapsed, ETA and
// errors.
func TestProgressTerminal(t *testing.T) {
	ctx := context.Background()
	c, s := popSetup(t, 8)
	must(t, s.Declare(ctx, PopTriv{}))
	ptmx, tty, err := pty.Open()
	must(t, err)
	defer ptmx.Close()
	must(t, pty.Setsize(tty, &pty.Winsize{Rows: 24, Cols: 160}))
	var screen strings.Builder
	var wg sync.WaitGroup
	wg.Go(func() { _, _ = io.Copy(&screen, ptmx) })
	res, err := dj.PopulateFunc(ctx, c, func(ctx context.Context, tx *dj.Tx, row *PopTriv) error {
		time.Sleep(60 * time.Millisecond)
		if row.ID == 7 {
			return errors.New("bad key")
		}
		return trivMake(ctx, tx, row)
	}, dj.ShowProgress(tty), dj.SuppressErrors())
	must(t, err)
	if res.Made != 7 {
		t.Fatalf("%+v", res)
	}
	time.Sleep(100 * time.Millisecond)
	tty.Close()
	ptmx.Close()
	wg.Wait()
	got := screen.String()
	for _, want := range []string{"PopTriv", "8/8", "100 %", "keys/s", "elapsed ", "ETA 0s", "errors 1"} {
		if !strings.Contains(got, want) {
			t.Errorf("the terminal lacks %q:\n%q", want, got)
		}
	}
	if strings.Contains(got, "level=INFO") {
		t.Errorf("log lines on a terminal:\n%q", got)
	}
}
