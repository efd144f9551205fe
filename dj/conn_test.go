package dj_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

func TestLoadConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dj_local_conf.json")
	must(t, os.WriteFile(path, []byte(`{"database.host": "filehost", "database.user": "fileuser",
		"database.password": "filepass", "database.port": 3310, "database.use_tls": false,
		"loglevel": "INFO", "safemode": true}`), 0o600))
	for _, k := range []string{"DJ_HOST", "DJ_USER", "DJ_PASS", "DJ_PORT", "DJ_USE_TLS"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	cfg, err := dj.LoadConfig(path)
	must(t, err)
	if cfg.Host != "filehost" || cfg.User != "fileuser" || cfg.Password != "filepass" || cfg.Port != 3310 || cfg.TLS != dj.TLSDisabled {
		t.Fatalf("file config = %+v", cfg)
	}
	if cfg.Addr() != "filehost:3310" {
		t.Fatalf("addr = %s", cfg.Addr())
	}
	t.Setenv("DJ_HOST", "envhost:3399")
	t.Setenv("DJ_USER", "envuser")
	t.Setenv("DJ_PASS", "")
	cfg, err = dj.LoadConfig(path)
	must(t, err)
	if cfg.Host != "envhost:3399" || cfg.User != "envuser" || cfg.Password != "" || cfg.Addr() != "envhost:3399" {
		t.Fatalf("env did not override the file: %+v", cfg)
	}
	// Explicit settings in code win over both.
	cfg.User = "codeuser"
	if cfg.User != "codeuser" {
		t.Fatal("unreachable")
	}
	// The password never shows.
	cfg.Password = "s3cret-pw"
	for _, s := range []string{cfg.String(), cfg.LogValue().String()} {
		if strings.Contains(s, "s3cret-pw") {
			t.Fatalf("password leaked: %s", s)
		}
	}
	_, err = dj.LoadConfig(filepath.Join(dir, "missing.json"))
	wantErr(t, err, dj.ErrConfig)
	must(t, os.WriteFile(path, []byte(`{"database.port": "x"}`), 0o600))
	_, err = dj.LoadConfig(path)
	wantErr(t, err, dj.ErrConfig)
}

func TestConnectErrorsHidePassword(t *testing.T) {
	srv := testenv.MySQL(t)
	_, err := dj.Connect(context.Background(), dj.Config{Host: srv.Host, User: "nobody_here", Password: "hunter2-secret"})
	if err == nil {
		t.Fatal("connected with a bad user")
	}
	wantErr(t, err, dj.ErrAccess)
	if strings.Contains(err.Error(), "hunter2-secret") {
		t.Fatalf("password in error: %v", err)
	}
}

func TestSessionSettings(t *testing.T) {
	c, _ := connect(t)
	var mode, tz string
	must(t, c.DB().QueryRowContext(context.Background(), "SELECT @@SESSION.sql_mode, @@SESSION.time_zone").Scan(&mode, &tz))
	for _, m := range strings.Split(dj.SQLMode, ",") {
		if !strings.Contains(mode, m) {
			t.Errorf("sql_mode %q lacks %s", mode, m)
		}
	}
	if tz != "+00:00" {
		t.Errorf("time_zone = %s", tz)
	}
}

func TestReconnectAfterIdleConnectionDrops(t *testing.T) {
	srv := testenv.MySQL(t)
	ctx := context.Background()
	c, err := dj.Connect(ctx, dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass, MaxOpenConns: 1})
	must(t, err)
	defer c.Close()
	var id int64
	must(t, c.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id))
	// The server drops the idle connection (as on restart or wait_timeout).
	_, err = testenv.DB(t).ExecContext(ctx, "KILL ?", id)
	must(t, err)
	var id2 int64
	must(t, c.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id2))
	if id2 == id {
		t.Fatalf("still on the killed connection %d", id)
	}
}

func TestLostConnectionInsideTransaction(t *testing.T) {
	c, s := connect(t)
	ctx := context.Background()
	declareLab(t, s)
	err := c.Tx(ctx, func(ctx context.Context, tx *dj.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id); err != nil {
			return err
		}
		if err := dj.Insert1(ctx, tx, Subject{SubjectID: 1, Species: "mouse", Weight: 1}); err != nil {
			return err
		}
		if _, err := testenv.DB(t).ExecContext(ctx, "KILL ?", id); err != nil {
			return err
		}
		return dj.Insert1(ctx, tx, Subject{SubjectID: 2, Species: "mouse", Weight: 1})
	})
	wantErr(t, err, dj.ErrLostConnection)
	n, err := dj.Count(ctx, c, dj.From[Subject](c))
	must(t, err)
	if n != 0 {
		t.Fatalf("a lost transaction committed %d rows", n)
	}
}

// TestConfigDial: a Config with Dial reaches the server only through it,
// whatever Host says, and a failing Dial is the connection's error.
func TestConfigDial(t *testing.T) {
	srv := testenv.MySQL(t)
	ctx := context.Background()
	var dialled []string
	cfg := dj.Config{Host: "tunnel.invalid", Port: 4406, User: srv.User, Password: srv.Pass,
		Dial: func(ctx context.Context, addr string) (net.Conn, error) {
			dialled = append(dialled, addr)
			var d net.Dialer
			return d.DialContext(ctx, "tcp", srv.Host)
		}}
	c, err := dj.Connect(ctx, cfg)
	must(t, err)
	defer c.Close()
	var one int
	must(t, c.QueryRowContext(ctx, "SELECT 1").Scan(&one))
	if one != 1 || len(dialled) == 0 || dialled[0] != "tunnel.invalid:4406" {
		t.Fatalf("SELECT 1 = %d, dialled %q", one, dialled)
	}
	refused := errors.New("no tunnel")
	cfg.Dial = func(context.Context, string) (net.Conn, error) { return nil, refused }
	if _, err := dj.Connect(ctx, cfg); !errors.Is(err, refused) && !strings.Contains(fmt.Sprint(err), "no tunnel") {
		t.Fatalf("Connect with a failing Dial: %v", err)
	}
}
