package dj_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/external"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// formatVerbs are the directives checked for leaks: every verb fmt offers
// for a struct or a pointer, with flags.
// %p is left out: fmt prints the fields of a non-pointer for it without
// asking the type (go vet reports that misuse); pointers are checked with
// it separately.
var formatVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "% x", "%d", "%t", "%20v", "%-20s", "%T"}

// assertNoSecret formats v with every verb and fails when a secret shows,
// as text or hex-encoded.
func assertNoSecret(t *testing.T, what string, v any, secrets ...string) {
	t.Helper()
	for _, verb := range formatVerbs {
		out := fmt.Sprintf(verb, v)
		for _, s := range secrets {
			if strings.Contains(out, s) || strings.Contains(strings.ToLower(out), hex.EncodeToString([]byte(s))) {
				t.Errorf("%s formatted with %s shows a secret: %s", what, verb, out)
			}
		}
	}
	if reflect.TypeOf(v).Kind() == reflect.Pointer {
		if out := fmt.Sprintf("%p", v); strings.Contains(out, secrets[0]) {
			t.Errorf("%s formatted with %%p shows a secret: %s", what, out)
		}
	}
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&buf, nil), slog.NewJSONHandler(&buf, nil)} {
		slog.New(h).Info("x", "value", v)
	}
	for _, s := range secrets {
		if strings.Contains(buf.String(), s) {
			t.Errorf("%s in a structured log shows a secret: %s", what, buf.String())
		}
	}
}

func TestConfigFormatRedactsSecrets(t *testing.T) {
	const pw, secret = "pw-Zq81xK-secret", "s3-Hh27yT-secret"
	cfg := dj.Config{Host: "db.example.org", Port: 3307, User: "alice", Password: pw,
		Stores: map[string]external.StoreConfig{"raw": {Name: "raw", Protocol: "s3", Endpoint: "s3.example.org:9000",
			Bucket: "b", AccessKey: "AKIA", SecretKey: secret, Location: "loc"}},
		Replicas: []string{"replica.example.org:3307"}, ReplicaUser: "reader", ReplicaPassword: secret + "-replica", ReadOnly: true}
	assertNoSecret(t, "Config", cfg, pw, secret)
	assertNoSecret(t, "*Config", &cfg, pw, secret)
	type holder struct{ Cfg dj.Config }
	assertNoSecret(t, "a struct holding a Config", holder{cfg}, pw, secret)

	// The descriptions still say what the configuration is.
	for verb, want := range map[string][]string{
		"%v":  {"alice", "db.example.org:3307", "****"},
		"%+v": {"Host:db.example.org", "User:alice", "Password:****", "Stores:[raw]", "Replicas:[replica.example.org:3307]", "ReplicaPassword:****", "ReadOnly:true"},
		"%#v": {`dj.Config{Host:"db.example.org"`, `Password:"****"`, `Stores:["raw"]`, `Replicas:["replica.example.org:3307"]`, `ReplicaPassword:"****"`},
	} {
		out := fmt.Sprintf(verb, cfg)
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s of Config = %s, want it to contain %q", verb, out, w)
			}
		}
	}
	cfg.Password = ""
	if out := fmt.Sprintf("%#v", cfg); !strings.Contains(out, `Password:""`) {
		t.Errorf("%%#v of a Config without password = %s", out)
	}
}

func TestConnFormatRedactsSecrets(t *testing.T) {
	srv := testenv.MySQL(t)
	if srv.Pass == "" {
		t.Fatal("the test server account needs a password for this test")
	}
	ctx := context.Background()
	const secret = "s3-Kp19wQ-secret"
	cfg := dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass,
		Stores: map[string]external.StoreConfig{"raw": {Protocol: "s3", Endpoint: "127.0.0.1:1",
			Bucket: "b", AccessKey: "AKIA", SecretKey: secret, Location: "loc"}}}
	c, err := dj.Connect(ctx, cfg)
	must(t, err)
	defer c.Close()
	must(t, c.SetStore("other", external.StoreConfig{Protocol: "s3", Endpoint: "127.0.0.1:1",
		Bucket: "b", AccessKey: "AKIA", SecretKey: secret + "2", Location: "loc"}))
	s, err := c.Schema(ctx, testenv.Database(t))
	must(t, err)
	secrets := []string{srv.Pass, secret}

	assertNoSecret(t, "*Conn", c, secrets...)
	assertNoSecret(t, "*Schema", s, secrets...)
	assertNoSecret(t, "Conn.Config()", c.Config(), secrets...)
	must(t, c.Tx(ctx, func(ctx context.Context, tx *dj.Tx) error {
		assertNoSecret(t, "*Tx", tx, secrets...)
		return nil
	}))
	type holder struct {
		C *dj.Conn
		S *dj.Schema
	}
	assertNoSecret(t, "a struct holding a Conn", holder{c, s}, secrets...)
	// Unexported fields are printed without their methods.
	type hidden struct {
		c *dj.Conn
		s *dj.Schema
	}
	assertNoSecret(t, "a struct holding a Conn in unexported fields", &hidden{c, s}, secrets...)
	assertNoSecret(t, "*Jobs", s.Jobs(), secrets...)
	assertNoSecret(t, "an offline *Conn", dj.Offline(), secrets...)

	// The descriptions name the account and the server.
	for _, v := range []any{c, s} {
		for _, verb := range []string{"%v", "%s", "%+v", "%#v"} {
			out := fmt.Sprintf(verb, v)
			if !strings.Contains(out, srv.User+":****@") {
				t.Errorf("%s of %T = %s, want the account and server", verb, v, out)
			}
		}
	}
	if out := fmt.Sprint(s); !strings.Contains(out, s.Name()) {
		t.Errorf("schema prints as %s, want its name", out)
	}
}
