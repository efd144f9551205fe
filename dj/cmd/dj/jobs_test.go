package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

type CliSource struct {
	dj.Manual `comment:"numbers"`
	ID        int32 `dj:"pk"`
}

type CliResult struct {
	dj.Computed `comment:"results"`
	Src         dj.Ref[CliSource] `dj:"pk"`
	ID          int32             `dj:"pk"`
	Value       int32
}

// TestJobsCommand records error jobs with a failing populate, then lists,
// shows and clears them with "dj jobs".
func TestJobsCommand(t *testing.T) {
	srv := testenv.MySQL(t)
	name := testenv.Database(t)
	setServerEnv(t, srv)
	ctx := context.Background()
	c := serverConn(t, srv)
	s, err := c.Schema(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Declare(ctx, CliSource{}, CliResult{}); err != nil {
		t.Fatal(err)
	}
	if err := dj.Insert(ctx, c, []CliSource{{ID: 1}, {ID: 2}, {ID: 3}}); err != nil {
		t.Fatal(err)
	}
	res, err := dj.PopulateFunc(ctx, c, func(ctx context.Context, tx *dj.Tx, r *CliResult) error {
		if r.ID == 2 {
			return errors.New("no data for key 2")
		}
		return dj.Insert1(ctx, tx, *r)
	}, dj.ReserveJobs(), dj.SuppressErrors())
	if err != nil || res.Made != 2 || len(res.Errors) != 1 {
		t.Fatalf("populate: %+v %v", res, err)
	}
	cli := func(args ...string) string {
		t.Helper()
		var out, errOut strings.Builder
		if code := run(ctx, append([]string{"jobs"}, args...), nil, &out, &errOut); code != 0 {
			t.Fatalf("dj jobs %v: exit %d\n%s", args, code, errOut.String())
		}
		return out.String()
	}
	table := "__cli_result"
	if out := cli("list", "--schema", name); !strings.Contains(out, table) || !strings.Contains(out, "1") {
		t.Errorf("list:\n%s", out)
	}
	if out := cli("errors", "--schema", name, "--table", "CliResult"); !strings.Contains(out, "no data for key 2") || !strings.Contains(out, "id=2") {
		t.Errorf("errors:\n%s", out)
	}
	if out := cli("show", "--schema", name); !strings.Contains(out, "stack:") || !strings.Contains(out, "no data for key 2") {
		t.Errorf("show:\n%s", out)
	}
	if out := cli("clear", "--schema", name, "--table", table); !strings.Contains(out, "deleted 1 jobs") {
		t.Errorf("clear:\n%s", out)
	}
	if out := cli("errors", "--schema", name); strings.Contains(out, table) {
		t.Errorf("errors after clear:\n%s", out)
	}
	var errOut strings.Builder
	if code := run(ctx, []string{"jobs", "list"}, nil, &strings.Builder{}, &errOut); code != 2 {
		t.Errorf("missing --schema: exit %d", code)
	}
}
