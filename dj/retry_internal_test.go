package dj

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"
)

func TestRetryWaitGrowsWithJitterUpToMax(t *testing.T) {
	p := retryPolicy{attempts: 50, base: 4 * time.Millisecond, max: 100 * time.Millisecond, budget: time.Minute}
	for n := 1; n <= 40; n++ {
		d := min(p.base<<min(n-1, 20), p.max)
		seen := map[time.Duration]bool{}
		for range 50 {
			w := p.wait(n)
			if w < d/2 || w > d {
				t.Fatalf("wait(%d) = %v, want within [%v, %v]", n, w, d/2, d)
			}
			seen[w] = true
		}
		if len(seen) < 2 {
			t.Fatalf("wait(%d) is not jittered: %v", n, seen)
		}
	}
}

func TestRetryAgainIsBounded(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	conflict := &Error{Op: "insert", Err: ErrConflict}

	// By attempts: the first run is counted.
	calls := 0
	p := retryPolicy{attempts: 4, base: time.Millisecond, max: time.Millisecond, budget: time.Minute}
	err := p.again(ctx, log, "test", time.Now(), conflict, func() error { calls++; return conflict })
	if calls != 3 || !errors.Is(err, ErrConflict) {
		t.Fatalf("attempts 4: %d more runs, %v", calls, err)
	}

	// By time: no run starts after the budget.
	calls = 0
	p = retryPolicy{attempts: 1000, base: 5 * time.Millisecond, max: 10 * time.Millisecond, budget: 60 * time.Millisecond}
	start := time.Now()
	err = p.again(ctx, log, "test", start, conflict, func() error { calls++; return conflict })
	if el := time.Since(start); el > p.budget+50*time.Millisecond || calls == 0 || calls > 20 || !errors.Is(err, ErrConflict) {
		t.Fatalf("budget %v: %d runs in %v, %v", p.budget, calls, el, err)
	}

	// Other errors and success end the retries.
	calls = 0
	other := errors.New("other")
	err = p.again(ctx, log, "test", time.Now(), conflict, func() error { calls++; return other })
	if calls != 1 || err != other {
		t.Fatalf("a non-conflict error: %d runs, %v", calls, err)
	}
	calls = 0
	err = p.again(ctx, log, "test", time.Now(), conflict, func() error { calls++; return nil })
	if calls != 1 || err != nil {
		t.Fatalf("success: %d runs, %v", calls, err)
	}

	// A cancelled context stops the wait.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	calls = 0
	p = retryPolicy{attempts: 10, base: time.Second, max: time.Second, budget: time.Minute}
	start = time.Now()
	err = p.again(cctx, log, "test", start, conflict, func() error { calls++; return nil })
	if calls != 0 || !errors.Is(err, ErrConflict) || time.Since(start) > 500*time.Millisecond {
		t.Fatalf("cancelled: %d runs, %v after %v", calls, err, time.Since(start))
	}
}
