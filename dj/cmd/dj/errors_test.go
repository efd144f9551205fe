package main

import (
	"context"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// TestErrorPrefixOnce checks that a failing command prints its error with
// one "dj: " prefix, also when the error comes from package dj.
func TestErrorPrefixOnce(t *testing.T) {
	srv := testenv.MySQL(t)
	setServerEnv(t, srv)
	var out, errOut strings.Builder
	code := run(context.Background(), []string{"external", "sweep", "--schema", "dj_no_such_schema_xyz", "--store", "djext"}, nil, &out, &errOut)
	if code != 1 {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	msg := errOut.String()
	if !strings.HasPrefix(msg, "dj: schema `dj_no_such_schema_xyz`") || strings.Count(msg, "dj: ") != 1 {
		t.Errorf("stderr %q: want one \"dj: \" prefix, then the failing operation", msg)
	}
}
