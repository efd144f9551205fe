package dj_test

import (
	"context"
	"log"
	"log/slog"
	"os"
	"time"

	"github.com/datajoint-go/datajoint/dj"
)

// A SlowQueryLog tracer prints every statement that takes 100 ms or more.
// (The handler here drops the time and the duration, which vary from run
// to run.)
func ExampleSlowQueryLog() {
	ctx := context.Background()
	cfg, err := dj.LoadConfig("")
	if err != nil {
		log.Fatal(err)
	}
	stable := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey || a.Key == "duration" || a.Key == "server" {
			return slog.Attr{}
		}
		return a
	}
	cfg.Tracer = dj.SlowQueryLog{
		Logger:    slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: stable})),
		Threshold: 100 * time.Millisecond,
	}
	c, err := dj.Connect(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	var n int
	if err := c.QueryRowContext(ctx, "SELECT 1").Scan(&n); err != nil { // fast: not printed
		log.Fatal(err)
	}
	if _, err := c.ExecContext(ctx, "DO SLEEP(?)", 0.2); err != nil {
		log.Fatal(err)
	}
}
