package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReleasesStoreNeedsNoServer: listing the releases published in an
// object store reads the store's configuration only; no database host,
// user or password is needed or asked for.
func TestReleasesStoreNeedsNoServer(t *testing.T) {
	for _, k := range []string{"DJ_HOST", "DJ_USER", "DJ_PASS", "DJ_REPLICAS"} {
		t.Setenv(k, "")
	}
	dir := t.TempDir()
	loc := filepath.Join(dir, "bucket")
	if err := os.MkdirAll(filepath.Join(loc, "pub"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A release whose manifest cannot be read: listed with its problem,
	// which shows the store was read.
	for name, data := range map[string]string{"lab-1.0.tar": "archive", "lab-1.0.tar.manifest.json": "{not json"} {
		if err := os.WriteFile(filepath.Join(loc, "pub", name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	conf := filepath.Join(dir, "conf.json")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(`{"stores": {"pubstore": {"protocol": "file", "location": %q}}}`, loc)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli("releases", "--config", conf, "--store", "pubstore", "pub")
	if code != 0 || !strings.Contains(out, "pub/lab-1.0.tar") || !strings.HasPrefix(out, "VERSION") {
		t.Fatalf("dj releases --store without a database configured: exit %d\n%s%s", code, out, errOut)
	}
}
