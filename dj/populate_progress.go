package dj

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// startProgress draws a bar of done/total on w every 200 ms until the
// returned function is called, which draws the final state. It does
// nothing when w is not a terminal.
func startProgress(w io.Writer, name string, total int64, done func() int64) func() {
	if w == nil || total == 0 || !isTerminal(w) {
		return func() {}
	}
	start := time.Now()
	draw := func(final bool) {
		d := done()
		const width = 30
		filled := int(d * width / total)
		rate := float64(d) / max(time.Since(start).Seconds(), 1e-3)
		end := ""
		if final {
			end = "\n"
		}
		fmt.Fprintf(w, "\r%s [%s%s] %d/%d %.0f keys/s%s", name, strings.Repeat("#", filled), strings.Repeat(".", width-filled), d, total, rate, end)
	}
	stop := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				draw(true)
				return
			case <-t.C:
				draw(false)
			}
		}
	}()
	return func() {
		close(stop)
		<-finished
	}
}
