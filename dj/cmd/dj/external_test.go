package main

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/blob"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

type CliExt struct {
	dj.Manual `comment:"external blobs"`
	ID        int32  `dj:"pk"`
	Data      []byte `dj:"type=blob@djext"`
}

// TestExternalSweepCommand leaves orphans with failed inserts, ages one of
// them, and sweeps with "dj external sweep", first as a dry run.
func TestExternalSweepCommand(t *testing.T) {
	srv := testenv.MySQL(t)
	name := testenv.Database(t)
	setServerEnv(t, srv)
	dir := t.TempDir()
	loc := filepath.Join(dir, "store")
	if err := os.MkdirAll(loc, 0o755); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "dj_local_conf.json")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(`{"stores": {"djext": {"protocol": "file", "location": %q}}}`, loc)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cfg, err := dj.LoadConfig(conf)
	if err != nil {
		t.Fatal(err)
	}
	c, err := dj.Connect(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.Schema(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Declare(ctx, CliExt{}); err != nil {
		t.Fatal(err)
	}
	object := func(data []byte) string {
		packed, err := blob.Marshal(data)
		if err != nil {
			t.Fatal(err)
		}
		sum := md5.Sum(packed)
		h := hex.EncodeToString(sum[:])
		return filepath.Join(loc, name, h[:2], h[2:4], h)
	}
	if err := dj.Insert1(ctx, c, CliExt{ID: 1, Data: []byte("kept")}); err != nil {
		t.Fatal(err)
	}
	if err := dj.Insert(ctx, c, []CliExt{{ID: 2, Data: []byte("old orphan")}, {ID: 1, Data: []byte("kept")}}); err == nil {
		t.Fatal("duplicate insert succeeded")
	}
	if err := dj.Insert(ctx, c, []CliExt{{ID: 3, Data: []byte("young orphan")}, {ID: 1, Data: []byte("kept")}}); err == nil {
		t.Fatal("duplicate insert succeeded")
	}
	old, young, kept := object([]byte("old orphan")), object([]byte("young orphan")), object([]byte("kept"))
	ago := time.Now().Add(-2 * time.Hour)
	for _, p := range []string{old, kept} {
		if err := os.Chtimes(p, ago, ago); err != nil {
			t.Fatal(err)
		}
	}
	cli := func(args ...string) string {
		t.Helper()
		var out, errOut strings.Builder
		if code := run(ctx, append([]string{"external", "sweep", "--config", conf, "--schema", name, "--store", "djext"}, args...), nil, &out, &errOut); code != 0 {
			t.Fatalf("dj external sweep %v: exit %d\n%s", args, code, errOut.String())
		}
		return out.String()
	}
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
	out := cli("--grace", "1h", "--dry-run")
	if !strings.Contains(out, old) || strings.Contains(out, young) || strings.Contains(out, kept) || !strings.Contains(out, "would remove 1 objects") {
		t.Errorf("dry run:\n%s", out)
	}
	if !exists(old) {
		t.Fatalf("the dry run removed %s", old)
	}
	out = cli("--grace", "1h")
	if !strings.Contains(out, old) || !strings.Contains(out, "removed 1 objects") {
		t.Errorf("sweep:\n%s", out)
	}
	if exists(old) || !exists(young) || !exists(kept) {
		t.Errorf("after the sweep: old %v, young %v, kept %v", exists(old), exists(young), exists(kept))
	}
	// The default grace (24 h) keeps everything here.
	if out := cli(); !strings.Contains(out, "removed 0 objects") || !exists(young) {
		t.Errorf("default grace:\n%s", out)
	}
	var errOut strings.Builder
	if code := run(ctx, []string{"external", "sweep", "--schema", name}, nil, &strings.Builder{}, &errOut); code != 2 {
		t.Errorf("missing --store: exit %d", code)
	}
}
