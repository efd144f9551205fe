package dj

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// WorkerOptions configures RunWorker.
type WorkerOptions struct {
	// Poll, when positive, makes the worker run again every Poll after a
	// round that made nothing, until its context ends: a long-running
	// worker that picks up new keys. Zero runs until a round finds no
	// work left, which suits batch jobs (Slurm arrays, Kubernetes Jobs).
	Poll time.Duration
	// MaxPoll, when larger than Poll, makes an idle worker back off: each
	// round that makes nothing doubles the wait, from Poll up to MaxPoll;
	// a round that makes something resets it to Poll. Every wait is
	// jittered to between 0.75 and 1.25 times its nominal length, so that
	// workers started together do not poll together. A worker idle for
	// long thus sends its round's queries (one, with UseQueue) at most
	// once per 0.75*MaxPoll: N idle workers send at most N/(0.75*MaxPoll)
	// rounds per second.
	MaxPoll time.Duration
	// MaxRounds bounds the number of rounds (0 means no bound).
	MaxRounds int
}

// RunWorker is the body of a populate worker process. It runs round (one
// or more Populate calls, normally with ReserveJobs) with a context that
// ends on SIGTERM or SIGINT, so that the worker rolls back the key it is
// making, releases its reservation and exits cleanly when a scheduler
// stops it. Round reports how many keys it made; RunWorker calls it again
// while it makes progress (other workers' failures or new upstream rows
// can leave work), and, with Poll, keeps polling.
//
// A stop by signal is not an error: RunWorker then returns nil. Start the
// same binary any number of times, on any hosts, against the same
// database; ~jobs reservations ensure each key is made once.
func RunWorker(ctx context.Context, opts WorkerOptions, round func(ctx context.Context) (made int, err error)) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, os.Interrupt)
	defer stop()
	wait := opts.Poll
	for i := 0; opts.MaxRounds == 0 || i < opts.MaxRounds; i++ {
		n, err := round(ctx)
		if ctx.Err() != nil {
			if errors.Is(context.Cause(ctx), context.Canceled) || errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		}
		if err != nil {
			return err
		}
		if n > 0 {
			wait = opts.Poll
			continue
		}
		if opts.Poll <= 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(jitter(wait)):
		}
		wait = nextPoll(wait, opts.MaxPoll)
	}
	return nil
}

// nextPoll is the wait after an idle round that waited d: doubled, up to
// maxPoll (d itself when maxPoll is not larger).
func nextPoll(d, maxPoll time.Duration) time.Duration {
	if maxPoll <= d {
		return d
	}
	return min(2*d, maxPoll)
}

// jitter spreads d uniformly over [0.75d, 1.25d).
func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.75 + 0.5*rand.Float64()))
}
