package external_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj/external"
)

const secret = "Sup3rS3cretKeyValue"

func secretConfig() external.StoreConfig {
	return external.StoreConfig{Name: "raw", Protocol: external.ProtocolS3, Endpoint: "127.0.0.1:9000",
		Bucket: "lab", Location: "dj", AccessKey: "datajoint-access", SecretKey: secret, Subfolding: []int{2, 2}}
}

// TestStoreConfigRedactsSecret: no verb, flag or wrapping prints the
// secret key of a store configuration or of an opened S3 store.
func TestStoreConfigRedactsSecret(t *testing.T) {
	cfg := secretConfig()
	st, err := external.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	type holder struct {
		Cfg    external.StoreConfig
		Stores map[string]external.StoreConfig
		Store  external.Store
	}
	values := map[string]any{
		"value":   cfg,
		"pointer": &cfg,
		"struct":  holder{Cfg: cfg, Stores: map[string]external.StoreConfig{"raw": cfg}, Store: st},
		"slice":   []external.StoreConfig{cfg},
		"store":   st,
	}
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10v", "%-20s", "%T"}
	for name, v := range values {
		for _, verb := range verbs {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, secret) {
				t.Errorf("%s with %s prints the secret: %s", name, verb, out)
			}
		}
		for _, out := range []string{fmt.Sprint(v), fmt.Sprintln(v)} {
			if strings.Contains(out, secret) {
				t.Errorf("%s: Sprint prints the secret: %s", name, out)
			}
		}
	}
	// The redacted forms still describe the store.
	if out := fmt.Sprintf("%+v", cfg); !strings.Contains(out, "SecretKey:[redacted]") || !strings.Contains(out, "AccessKey:datajoint-access") || !strings.Contains(out, "Bucket:lab") {
		t.Errorf("%%+v: %s", out)
	}
	if out := fmt.Sprintf("%#v", cfg); !strings.HasPrefix(out, "external.StoreConfig{") || !strings.Contains(out, `SecretKey:"[redacted]"`) {
		t.Errorf("%%#v: %s", out)
	}
	if out := fmt.Sprintf("%v", cfg); out != cfg.String() || !strings.Contains(out, "127.0.0.1:9000") {
		t.Errorf("%%v: %s", out)
	}
	if out := fmt.Sprintf("%s", st); !strings.Contains(out, "127.0.0.1:9000") {
		t.Errorf("store %%s: %s", out)
	}
	// slog, through the text and JSON handlers, directly and nested.
	for _, h := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var buf bytes.Buffer
		log := slog.New(h(&buf))
		log.Info("store", "cfg", cfg, "ptr", &cfg, "store", st, slog.Group("g", "cfg", cfg))
		if strings.Contains(buf.String(), secret) || !strings.Contains(buf.String(), "redacted") {
			t.Errorf("slog: %s", buf.String())
		}
	}
	// An empty secret is printed empty, not as redacted.
	empty := cfg
	empty.SecretKey = ""
	if out := fmt.Sprintf("%+v", empty); !strings.Contains(out, "SecretKey: ") {
		t.Errorf("empty secret: %s", out)
	}
}
