package dj

import (
	"testing"
	"time"
)

// TestProgressFigures: a 4-second make shows 4.0 s/key, never "0
// keys/s"; the ETA follows from the rate.
func TestProgressFigures(t *testing.T) {
	var c populateCounts
	c.made.Add(2)
	c.failed.Add(1)
	f := c.figures(18, 12*time.Second)
	if f.done != 3 || formatRate(f.rate) != "4.0 s/key" || f.eta != 60*time.Second || f.percent() != 16.6 {
		t.Errorf("%+v: %s, %.1f %%", f, formatRate(f.rate), f.percent())
	}
	for rate, want := range map[float64]string{0: "-", 0.5: "2.0 s/key", 1: "1.00 keys/s", 2.5: "2.50 keys/s", 1234.5678: "1234.57 keys/s"} {
		if got := formatRate(rate); got != want {
			t.Errorf("formatRate(%v) = %q, want %q", rate, got, want)
		}
	}
	if f := (&populateCounts{}).figures(5, time.Second); f.eta >= 0 || progressDuration(f.eta) != "-" {
		t.Errorf("no key done: ETA %v", f.eta)
	}
	if got := progressDuration(83*time.Second + 400*time.Millisecond); got != "1m23s" {
		t.Errorf("%q", got)
	}
}
