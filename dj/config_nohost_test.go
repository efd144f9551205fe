package dj_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
)

// TestConnectWithoutHost: a Config without a host is refused at once,
// with an error that says where to configure one; no server is dialled.
func TestConnectWithoutHost(t *testing.T) {
	start := time.Now()
	c, err := dj.Connect(context.Background(), dj.Config{User: "root", Port: 3306})
	if c != nil || !errors.Is(err, dj.ErrConfig) {
		t.Fatalf("Connect: %v, %v", c, err)
	}
	for _, want := range []string{"no database host", "database.host", dj.ConfigFile, "DJ_HOST", "Config.Host"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v", d)
	}
}
