package main

import (
	"context"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// setServerEnv makes srv the server dj commands connect to (DJ_HOST,
// DJ_USER, DJ_PASS) for the rest of the test.
func setServerEnv(t *testing.T, srv testenv.MySQLServer) {
	t.Helper()
	t.Setenv("DJ_HOST", srv.Host)
	t.Setenv("DJ_USER", srv.User)
	t.Setenv("DJ_PASS", srv.Pass)
}

// serverConn connects to srv; the connection closes when the test ends.
func serverConn(t *testing.T, srv testenv.MySQLServer) *dj.Conn {
	t.Helper()
	c, err := dj.Connect(context.Background(), dj.Config{Host: srv.Host, User: srv.User, Password: srv.Pass})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
